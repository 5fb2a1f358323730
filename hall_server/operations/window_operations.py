"""A window's day: a clerk takes it, opens it, pauses for a break, resumes and closes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hall_server.core import window_life
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import AT_WINDOW_STATUSES
from hall_server.operations.access import (
    Actor,
    Role,
    require_hall_access,
    require_role,
    require_window_operator,
)
from hall_server.operations.break_rota import plan_pause
from hall_server.operations.live_events import record_event
from hall_server.operations.ticket_handling import locked_window, return_tickets_of_closed_window
from hall_server.operations.wait_predictions import raise_plan_seq
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Service, Ticket, User, Window, WindowService


def window_view(session: Session, window: Window) -> dict[str, Any]:
    clerk = session.get(User, window.clerk_id) if window.clerk_id else None
    services = session.execute(
        select(Service.id, Service.name, Service.name_en, Service.prefix)
        .join(WindowService, WindowService.service_id == Service.id)
        .where(WindowService.window_id == window.id)
        .order_by(WindowService.position)
    ).all()
    return {
        "id": window.id,
        "hall_id": window.hall_id,
        "number": window.number,
        "name": window.name,
        "name_en": window.name_en,
        "kind": window.kind,
        "status": window.status,
        "pause_reason": window.pause_reason,
        "pause_minutes": window.pause_minutes,
        "paused_at": window.paused_at if window.status == window_life.WindowStatus.PAUSED else None,
        "status_changed_at": window.status_changed_at,
        "clerk": None
        if clerk is None
        else {"id": clerk.id, "name": clerk.name, "staff_number": clerk.staff_number},
        "services": [
            {"id": s.id, "name": s.name, "name_en": s.name_en, "prefix": s.prefix} for s in services
        ],
    }


def _has_ticket_in_hand(session: Session, window: Window) -> bool:
    found = session.scalar(
        select(Ticket.id).where(
            Ticket.window_id == window.id, Ticket.status.in_(AT_WINDOW_STATUSES)
        )
    )
    return found is not None


def _changed(
    uow: UnitOfWork, window: Window, now: datetime, state_changed: bool = True
) -> dict[str, Any]:
    """Tell the hall; a change of the window's state (not of what it serves) dates its state."""
    if window.status != window_life.WindowStatus.PAUSED:
        # A pause's plan ends with the pause (which rota break it was is kept: last_break_id).
        window.paused_at = None
        window.pause_minutes = None
    if state_changed:
        window.status_changed_at = now
    view = window_view(uow.session, window)
    record_event(uow, "window.changed", window.hall_id, {"window": view}, (window.id,))
    return view


def take_window(uow: UnitOfWork, actor: Actor, window_id: int, now: datetime) -> dict[str, Any]:
    """A clerk sits down at a window; one clerk per window, one window per clerk."""
    session = uow.session
    require_role(actor, Role.CLERK, Role.MANAGER, Role.ADMIN)
    window = locked_window(session, window_id)
    require_hall_access(session, actor, window.hall_id)
    if window.clerk_id not in (None, actor.id):
        holder = session.get(User, window.clerk_id)
        name = holder.name if holder else "another clerk"
        raise Refused("window_taken", f"window {window.number} is held by {name}")
    for other in session.scalars(select(Window).where(Window.clerk_id == actor.id)):
        if other.id != window.id:
            if _has_ticket_in_hand(session, other):
                raise Refused("window_busy", f"you still have a ticket at window {other.number}")
            _leave_idle(uow, other, now)
    window.clerk_id = actor.id
    if window.status == window_life.WindowStatus.CLOSED:
        window_life.open_window(window)
    return _changed(uow, window, now)


def release_window(uow: UnitOfWork, actor: Actor, window_id: int, now: datetime) -> dict[str, Any]:
    """The clerk leaves: the window closes and is free for someone else.

    A clerk with a case in hand finishes, transfers, parks or no-shows it first. A manager may
    free a window whose clerk has gone (logged out, or left the PC) with a case still in hand:
    the window pauses rather than closes, and the case stays at it for whichever clerk takes
    the window next, so the visitor called to it is not lost or called again elsewhere."""
    session = uow.session
    window = locked_window(session, window_id)
    require_window_operator(session, actor, window)
    in_hand = _has_ticket_in_hand(session, window)
    if in_hand and _steps_in_for_another_clerk(actor, window):
        if window.status == window_life.WindowStatus.OPEN:
            window_life.pause_window(window, window_life.PauseReason.OTHER)
            window.paused_at = now
            window.pause_minutes = None
        window.clerk_id = None
        return _changed(uow, window, now)
    if in_hand:
        window_life.close_window(window, in_hand)  # refused: the case is dealt with first
    return _leave_idle(uow, window, now)


def _steps_in_for_another_clerk(actor: Actor, window: Window) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN) and window.clerk_id not in (None, actor.id)


def _leave_idle(uow: UnitOfWork, window: Window, now: datetime) -> dict[str, Any]:
    """Its clerk leaves a window with nothing in hand: it closes (the tickets transferred to it
    go back to their queues) and is free for someone else."""
    if window.status != window_life.WindowStatus.CLOSED:
        window_life.close_window(window, False)
        return_tickets_of_closed_window(uow, window, now)
    window.clerk_id = None
    return _changed(uow, window, now)


def leave_windows_on_logout(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """A clerk logs out: each window they hold with no case in hand closes and is free, as if
    they had left it. One with a case in hand stays theirs until they come back or a manager
    frees it (release_window): closing it would strand the visitor called to it."""
    session = uow.session
    held = session.scalars(
        select(Window.id).where(Window.clerk_id == user_id).order_by(Window.id)
    ).all()
    for window_id in held:
        window = locked_window(session, window_id)
        if window.clerk_id == user_id and not _has_ticket_in_hand(session, window):
            _leave_idle(uow, window, now)


def change_window_state(
    uow: UnitOfWork,
    actor: Actor,
    window_id: int,
    change: str,
    now: datetime,
    reason: str | None,
    pause_minutes: int | None = None,
) -> dict[str, Any]:
    """Open, pause (with a reason, and perhaps how many minutes), resume or close a window."""
    session = uow.session
    window = locked_window(session, window_id)
    require_window_operator(session, actor, window)
    if pause_minutes is not None and change != "pause":
        raise Refused("invalid_change", "only a pause has planned minutes", field="pause_minutes")
    if change in ("open", "resume") and window.clerk_id is None:
        # An open window is one the board, the forecast and call-next count as serving: one
        # that nobody holds (a manager freed it) opens when a clerk takes it, and a case left
        # in hand there waits for that clerk.
        raise Refused(
            "no_clerk",
            f"no clerk holds window {window.number}; it opens when a clerk takes it",
        )
    if change == "open":
        window_life.open_window(window)
    elif change == "pause":
        window_life.pause_window(window, reason or "other")
        plan = plan_pause(session, window, pause_minutes, now)
        window.paused_at = now
        window.pause_minutes = plan.minutes
        if plan.rota_break_id is not None:
            window.last_break_id = plan.rota_break_id
            window.last_break_started_at = now
    elif change == "resume":
        window_life.resume_window(window)
    elif change == "close":
        window_life.close_window(window, _has_ticket_in_hand(session, window))
        return_tickets_of_closed_window(uow, window, now)
    else:
        raise Refused("invalid_change", f"unknown window change {change!r}", field="change")
    return _changed(uow, window, now)


def set_window_services(
    uow: UnitOfWork, actor: Actor, window_id: int, service_ids: list[int], now: datetime
) -> dict[str, Any]:
    """Change what a window serves, e.g. open a tidal window for the morning peak. A change of
    the hall's plan: forecasts kept from before it are not used again (raise_plan_seq)."""
    session = uow.session
    require_role(actor, Role.MANAGER, Role.ADMIN)
    window = locked_window(session, window_id)
    require_hall_access(session, actor, window.hall_id)
    if len(set(service_ids)) != len(service_ids):
        raise Refused("duplicate_service", "a service is listed twice", field="service_ids")
    found = set(
        session.scalars(
            select(Service.id).where(Service.id.in_(service_ids), Service.hall_id == window.hall_id)
        )
    )
    missing = [s for s in service_ids if s not in found]
    if missing:
        raise Refused("not_found", f"no such services in this hall: {missing}", field="service_ids")
    session.execute(delete(WindowService).where(WindowService.window_id == window.id))
    for position, service_id in enumerate(service_ids):
        session.add(WindowService(window_id=window.id, service_id=service_id, position=position))
    session.flush()
    raise_plan_seq(session, window.hall_id)
    return _changed(uow, window, now, state_changed=False)
