"""A window's state: open, paused with a reason, or closed; and what each state allows."""

from __future__ import annotations

import enum
from typing import Protocol

from hall_server.core.refusals import Refused


class WindowStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class PauseReason(enum.StrEnum):
    BREAK = "break"
    MEETING = "meeting"
    OTHER = "other"


class WindowLike(Protocol):
    status: str
    pause_reason: str | None


def require_open_for_calling(window: WindowLike) -> None:
    if window.status == WindowStatus.PAUSED:
        raise Refused("window_paused", "the window is paused; resume it before calling")
    if window.status == WindowStatus.CLOSED:
        raise Refused("window_closed", "the window is closed; open it before calling")


class ReceivingWindowLike(WindowLike, Protocol):
    number: int


def require_window_may_receive(window: ReceivingWindowLike) -> None:
    """A transfer to a window waits for its clerk: a paused one comes back, a closed one has
    no one to come back (its transfers return to their services' queues when it closes)."""
    if window.status == WindowStatus.CLOSED:
        raise Refused(
            "window_closed",
            f"window {window.number} is closed and no one serves at it; transfer to a service, "
            "or choose a window that is open or paused",
            field="to_window_id",
        )


def open_window(window: WindowLike) -> None:
    if window.status == WindowStatus.OPEN:
        raise Refused("invalid_transition", "the window is already open")
    window.status = WindowStatus.OPEN
    window.pause_reason = None


def pause_window(window: WindowLike, reason: str) -> None:
    if window.status != WindowStatus.OPEN:
        raise Refused("invalid_transition", f"only an open window can pause; it is {window.status}")
    if reason not in set(PauseReason):
        raise Refused("invalid_pause_reason", f"unknown pause reason {reason!r}", field="reason")
    window.status = WindowStatus.PAUSED
    window.pause_reason = reason


def resume_window(window: WindowLike) -> None:
    if window.status != WindowStatus.PAUSED:
        raise Refused(
            "invalid_transition", f"only a paused window can resume; it is {window.status}"
        )
    window.status = WindowStatus.OPEN
    window.pause_reason = None


def close_window(window: WindowLike, has_ticket_in_hand: bool) -> None:
    if window.status == WindowStatus.CLOSED:
        raise Refused("invalid_transition", "the window is already closed")
    if has_ticket_in_hand:
        raise Refused(
            "window_busy",
            "finish, transfer or mark the current ticket as no-show before closing",
        )
    window.status = WindowStatus.CLOSED
    window.pause_reason = None
