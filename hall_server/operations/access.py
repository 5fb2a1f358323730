"""Who is acting, and whether they may act on a given hall or window."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.storage.models import Hall, Window


class Role(enum.StrEnum):
    CLERK = "clerk"
    MANAGER = "manager"
    ADMIN = "admin"
    KIOSK = "kiosk"
    BOARD = "board"
    WINDOW_DISPLAY = "window_display"
    RATING_PAD = "rating_pad"
    # A visitor taking a ticket on their phone (线上取号): no credential, only the public page
    # or API of a hall that allows it; issue_ticket holds it to the hall's remote rules.
    REMOTE_VISITOR = "remote_visitor"


STAFF_ROLES = frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN})
DEVICE_ROLES = frozenset({Role.KIOSK, Role.BOARD, Role.WINDOW_DISPLAY, Role.RATING_PAD})


@dataclass(frozen=True)
class Actor:
    """A logged-in person or an enrolled device; `hall_id` is the top of what it may touch."""

    kind: str  # "user" or "device"
    id: int
    role: str
    hall_id: int
    name: str = ""
    window_id: int | None = None  # a window display's own window
    # A remote visitor's mobile number, as the keyed hash its tickets carry (holder_hash).
    holder: str | None = None

    @property
    def principal(self) -> str:
        """Whose Idempotency-Keys these are: a remote visitor's are their number's, not shared
        by everyone on the hall's phone page. At most 60 characters (the stored column): 32
        hex digits of the holder hash tell numbers apart as surely as all 64."""
        if self.holder is not None:
            return f"{self.kind}:{self.id}:{self.holder[:32]}"
        return f"{self.kind}:{self.id}"


def hall_ancestors(session: Session, hall_id: int) -> list[int]:
    """The hall itself and every hall above it, nearest first."""
    chain: list[int] = []
    current: int | None = hall_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Hall.parent_id).where(Hall.id == current))
    return chain


def require_hall_access(session: Session, actor: Actor, hall_id: int) -> None:
    """Devices and clerks act in their own hall; managers and admins also in the halls below."""
    if actor.hall_id == hall_id:
        return
    if actor.role in (Role.MANAGER, Role.ADMIN) and actor.hall_id in hall_ancestors(
        session, hall_id
    ):
        return
    raise Refused("forbidden_hall", "you have no access to this hall")


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        allowed = ", ".join(roles)
        raise Refused("forbidden_role", f"this needs one of the roles: {allowed}")


def require_window_operator(session: Session, actor: Actor, window: Window) -> None:
    """Only the clerk who holds the window acts at it; managers may step in for their halls."""
    require_hall_access(session, actor, window.hall_id)
    if actor.role in (Role.MANAGER, Role.ADMIN):
        return
    if actor.role != Role.CLERK:
        raise Refused("forbidden_role", "only clerks and managers act at a window")
    if window.clerk_id != actor.id:
        raise Refused(
            "not_your_window",
            f"window {window.number} is not held by you; take the window first",
        )
