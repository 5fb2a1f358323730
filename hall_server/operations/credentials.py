"""Logins, bearer tokens and device tokens: who may talk to the server, and as what."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hall_server.core.refusals import Refused
from hall_server.operations.access import (
    DEVICE_ROLES,
    Actor,
    Role,
    require_hall_access,
    require_role,
)
from hall_server.operations.live_events import DeviceMessage
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import ApiToken, Device, User, Window

USER_TOKEN_PREFIX = "u_"
DEVICE_TOKEN_PREFIX = "d_"
# Checked against when the staff number is unknown, so a wrong name takes as long as a wrong
# password and does not reveal which staff numbers exist.
_DUMMY_HASH = generate_password_hash("not a real password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def _token_hash(token: str) -> str:
    # Tokens are 32 random bytes: a plain digest is enough, unlike for passwords.
    return hashlib.sha256(token.encode()).hexdigest()


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "staff_number": user.staff_number,
        "name": user.name,
        "role": user.role,
        "hall_id": user.hall_id,
    }


def log_in(
    uow: UnitOfWork, staff_number: str, password: str, now: datetime, hours: int
) -> dict[str, Any]:
    user = uow.session.scalar(select(User).where(User.staff_number == staff_number))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise Refused("bad_credentials", "wrong staff number or password")
    if not check_password_hash(user.password_hash, password):
        raise Refused("bad_credentials", "wrong staff number or password")
    token = USER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=hours)
    uow.session.add(
        ApiToken(
            token_hash=_token_hash(token), user_id=user.id, created_at=now, expires_at=expires_at
        )
    )
    return {"token": token, "expires_at": expires_at, "user": user_view(user)}


def log_out(uow: UnitOfWork, token: str, now: datetime) -> int | None:
    """Revoke the token; the id of the person it logged out, or None if it was not live."""
    stored = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if stored is None or stored.revoked_at is not None:
        return None
    stored.revoked_at = now
    return stored.user_id


def actor_for_user(user: User) -> Actor:
    return Actor(kind="user", id=user.id, role=user.role, hall_id=user.hall_id, name=user.name)


def actor_for_token(session: Session, token: str, now: datetime) -> Actor | None:
    """The person or device a bearer token belongs to, or None if it is unknown or revoked."""
    digest = _token_hash(token)
    if token.startswith(USER_TOKEN_PREFIX):
        row = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if row is None:
            return None
        stored, user = row
        if stored.revoked_at is not None or stored.expires_at <= now or not user.active:
            return None
        return actor_for_user(user)
    if token.startswith(DEVICE_TOKEN_PREFIX):
        device = session.scalar(select(Device).where(Device.token_hash == digest))
        if device is None or device.revoked_at is not None:
            return None
        return Actor(
            kind="device",
            id=device.id,
            role=device.kind,
            hall_id=device.hall_id,
            name=device.name,
            window_id=device.window_id,
        )
    return None


def device_view(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "hall_id": device.hall_id,
        "kind": device.kind,
        "name": device.name,
        "window_id": device.window_id,
        "settings": dict(device.settings or {}),
        "created_at": device.created_at,
        "revoked_at": device.revoked_at,
        "last_seen_at": device.last_seen_at,
        "printer_status": device.printer_status,
    }


def enrol_device(
    uow: UnitOfWork,
    actor: Actor,
    hall_id: int,
    kind: str,
    name: str,
    now: datetime,
    window_id: int | None = None,
    settings: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """A manager enrols a kiosk, board, window display or rating pad; the token is shown once."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(uow.session, actor, hall_id)
    if kind not in DEVICE_ROLES:
        raise Refused("invalid_device_kind", f"unknown device kind {kind!r}", field="kind")
    if window_id is not None:
        window = uow.session.get(Window, window_id)
        if window is None or window.hall_id != hall_id:
            raise Refused("not_found", "no such window in this hall", field="window_id")
    if kind in (Role.WINDOW_DISPLAY, Role.RATING_PAD) and window_id is None:
        raise Refused("window_required", "a window display or rating pad belongs to a window")
    token = token or DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = Device(
        hall_id=hall_id,
        kind=kind,
        name=name,
        window_id=window_id,
        token_hash=_token_hash(token),
        settings=settings or {},
        created_at=now,
    )
    uow.session.add(device)
    uow.session.flush()
    return {"device": device_view(device), "token": token}


def revoke_device(uow: UnitOfWork, actor: Actor, device_id: int, now: datetime) -> dict[str, Any]:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    device = uow.session.get(Device, device_id)
    if device is None:
        raise Refused("not_found", f"no device with id {device_id}")
    require_hall_access(uow.session, actor, device.hall_id)
    if device.revoked_at is None:
        device.revoked_at = now
        # Its token was checked when it connected: tell the connection it ended, so the page
        # or print agent stops at once instead of at its next write.
        uow.publish_after_commit(
            DeviceMessage("device.revoked", device.id, {"device_id": device.id})
        )
    return device_view(device)
