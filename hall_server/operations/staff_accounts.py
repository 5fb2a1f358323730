"""Staff accounts: admins create clerks, managers and admins, rename them, change their role or
hall, deactivate them (logged out everywhere at once) and reset their passwords."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor
from hall_server.operations.administration import require_admin, require_found, require_unique
from hall_server.operations.credentials import hash_password, user_view
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import ApiToken, User

STAFF_ROLES = ("clerk", "manager", "admin")
MIN_PASSWORD = 8


def staff_view(user: User) -> dict[str, Any]:
    return {**user_view(user), "active": user.active}


def list_users(session: Session, actor: Actor, hall_id: int) -> list[dict[str, Any]]:
    require_admin(session, actor, hall_id)
    users = session.scalars(
        select(User).where(User.hall_id == hall_id).order_by(User.role, User.staff_number)
    )
    return [staff_view(u) for u in users]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Refused(
            "weak_password", f"a password needs at least {MIN_PASSWORD} characters", "password"
        )


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise Refused("invalid_role", f"role must be one of {list(STAFF_ROLES)}", "role")


def _new_password() -> str:
    return secrets.token_urlsafe(9)


def create_user(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """An admin creates a staff account; without a password one is made up and shown once."""
    require_admin(uow.session, actor, hall_id)
    return new_staff_account(uow.session, hall_id, values)


def new_staff_account(session: Session, hall_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """A staff account in the hall, its values checked; a made-up password is returned once."""
    _check_role(values["role"])
    require_unique(
        session,
        select(User.id).where(User.staff_number == values["staff_number"]),
        "this staff number",
        "staff_number",
    )
    password = values.get("password") or _new_password()
    _check_password(password)
    user = User(
        staff_number=values["staff_number"],
        name=values["name"],
        role=values["role"],
        hall_id=hall_id,
        password_hash=hash_password(password),
        active=True,
    )
    session.add(user)
    session.flush()
    return {"user": staff_view(user), "password": None if values.get("password") else password}


def _revoke_tokens(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _staff_member(session: Session, actor: Actor, user_id: int) -> User:
    user: User = require_found(session, User, user_id, "user")
    require_admin(session, actor, user.hall_id)
    return user


def update_user(
    uow: UnitOfWork, actor: Actor, user_id: int, values: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Rename, change the role or hall of, deactivate or reactivate a staff account.

    Deactivating logs the person out everywhere at once; admins cannot lock themselves out.
    """
    session = uow.session
    user = _staff_member(session, actor, user_id)
    demoted = values.get("role", user.role) != user.role
    if user.id == actor.id and (values.get("active") is False or demoted):
        raise Refused("own_account", "you cannot deactivate or demote yourself")
    if "role" in values:
        _check_role(values["role"])
    if "hall_id" in values:
        require_admin(session, actor, values["hall_id"])
    moved = values.get("hall_id", user.hall_id) != user.hall_id
    for name in ("name", "role", "hall_id", "active"):
        if name in values:
            setattr(user, name, values[name])
    if values.get("active") is False or demoted or moved:
        _revoke_tokens(session, user.id, now)
    session.flush()
    return staff_view(user)


def reset_password(
    uow: UnitOfWork, actor: Actor, user_id: int, password: str | None, now: datetime
) -> dict[str, Any]:
    """Set a new password (made up when none is given, shown once) and log out everywhere."""
    session = uow.session
    user = _staff_member(session, actor, user_id)
    new_password = password or _new_password()
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    _revoke_tokens(session, user.id, now)
    session.flush()
    return {"user": staff_view(user), "password": None if password else new_password}
