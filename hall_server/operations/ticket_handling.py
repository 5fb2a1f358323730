"""What a window does with tickets: call, recall, start, finish, no-show, transfer, park, cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core import ticket_life
from hall_server.core.calling_policy import eligible
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.core.window_life import require_open_for_calling, require_window_may_receive
from hall_server.operations.access import Actor, Role, require_hall_access, require_window_operator
from hall_server.operations.live_events import record_event
from hall_server.operations.outbox import report_case_outcome
from hall_server.operations.queue_reads import (
    get_or_refuse,
    lock_waiting_ticket,
    policy_for,
    public_ticket,
    queue_heads,
    ticket_view,
    window_calling_view,
    window_service_ids,
)
from hall_server.operations.waiting_heads import queue_head
from hall_server.storage.database import UnitOfWork, uses_row_locks
from hall_server.storage.models import Hall, Service, Ticket, TicketEvent, Window

MAX_LOCK_ATTEMPTS = 8


def locked_window_at_hall(session: Session, window_id: int) -> tuple[Window, Hall]:
    """The window, locked for this transaction so one window never acts twice at once, and its
    hall (every window action needs the hall's rules) in the same read. The hall is not locked:
    the windows of a hall act at the same time. On PostgreSQL, after waiting for the window's
    lock the hall is as it was when the read began: a moment old, which only matters to a
    setting changed in that moment (settings are changed without a window's lock anyway)."""
    query = (
        select(Window, Hall)
        .join(Hall, Hall.id == Window.hall_id)
        .where(Window.id == window_id)
        .execution_options(populate_existing=True)
    )
    if uses_row_locks(session):
        query = query.with_for_update(of=Window)
    row = session.execute(query).first()
    if row is None:
        raise Refused("not_found", f"no window with id {window_id}")
    return row[0], row[1]


def locked_window(session: Session, window_id: int) -> Window:
    return locked_window_at_hall(session, window_id)[0]


def _window_ticket(session: Session, window: Window, ticket_id: int) -> Ticket:
    """A ticket of the window's hall, with its service in the same read (its event names it)."""
    row = session.execute(
        select(Ticket, Service)
        .join(Service, Service.id == Ticket.service_id)
        .where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        raise Refused("not_found", f"no ticket with id {ticket_id}")
    ticket: Ticket = row[0]
    if ticket.hall_id != window.hall_id:
        raise Refused("not_found", f"no ticket with id {ticket_id} in this hall")
    return ticket


def _history(
    session: Session, ticket: Ticket, action: str, now: datetime, actor: Actor, **detail: Any
) -> None:
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            hall_id=ticket.hall_id,
            action=action,
            at=now,
            window_id=ticket.window_id,
            user_id=actor.id if actor.kind == "user" else None,
            detail={key: value for key, value in detail.items() if value is not None},
        )
    )


def _announce(
    uow: UnitOfWork, event_name: str, ticket: Ticket, now: datetime, *windows: int | None
) -> dict[str, Any]:
    view = ticket_view(uow.session, ticket, now)
    record_event(
        uow,
        event_name,
        ticket.hall_id,
        {"ticket": public_ticket(view)},
        (ticket.window_id, *windows),
    )
    return view


def _require_free_hands(session: Session, window: Window) -> None:
    in_hand = session.scalar(
        select(Ticket.number).where(
            Ticket.window_id == window.id,
            Ticket.status.in_((TicketStatus.CALLED, TicketStatus.SERVING)),
        )
    )
    if in_hand is not None:
        raise Refused(
            "window_busy",
            f"ticket {in_hand} is still at this window; finish, transfer, park it or mark a "
            "no-show first",
        )


def _call(uow: UnitOfWork, actor: Actor, window: Window, ticket: Ticket, now: datetime) -> dict:
    ticket_life.call(ticket, window.id, now)
    ticket.served_by_user_id = actor.id if actor.kind == "user" else None
    _history(uow.session, ticket, "called", now, actor)
    return _announce(uow, "ticket.called", ticket, now)


def call_next_ticket(uow: UnitOfWork, actor: Actor, window_id: int, now: datetime) -> dict:
    """Call the ticket the hall's policy picks for this window."""
    session = uow.session
    window, hall = locked_window_at_hall(session, window_id)
    require_window_operator(session, actor, window)
    require_open_for_calling(window)
    _require_free_hands(session, window)
    policy = policy_for(hall)
    view = window_calling_view(session, window.id)
    skipped: set[int] = set()
    for _ in range(MAX_LOCK_ATTEMPTS):
        heads = queue_heads(
            session,
            hall.id,
            view.service_ids,
            window.id,
            frozenset(skipped),
            count_waiting=policy.reads_waiting_counts,
        )
        choice = policy.choose_next(view, heads, now)
        if choice is None:
            break
        # Another window may have taken it, or sent it elsewhere, since we read the heads: skip
        # it and choose again.
        ticket = lock_waiting_ticket(session, choice.ticket_id, uses_row_locks(session))
        if ticket is not None and eligible(view, queue_head(ticket)):
            return _call(uow, actor, window, ticket, now)
        skipped.add(choice.ticket_id)
    raise Refused("queue_empty", "no one is waiting for the services of this window")


def call_specific_ticket(
    uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime
) -> dict:
    """Call a chosen number, e.g. a visitor who shows their ticket at the counter."""
    session = uow.session
    window = locked_window(session, window_id)
    require_window_operator(session, actor, window)
    require_open_for_calling(window)
    _require_free_hands(session, window)
    ticket = _window_ticket(session, window, ticket_id)
    if ticket.service_id not in window_service_ids(session, window.id):
        raise Refused("service_not_at_window", "this window does not serve the ticket's service")
    locked = lock_waiting_ticket(session, ticket.id, uses_row_locks(session))
    if locked is None:
        raise Refused(
            "invalid_transition", f"ticket {ticket.number} is {ticket.status}, not waiting"
        )
    return _call(uow, actor, window, locked, now)


@dataclass(frozen=True)
class _Action:
    name: str
    event: str
    apply: Callable[[Ticket, Window, Hall, datetime], None]


def _act_on_ticket(
    uow: UnitOfWork,
    actor: Actor,
    window_id: int,
    ticket_id: int,
    now: datetime,
    action: _Action,
    **detail: Any,
) -> dict:
    session = uow.session
    window, hall = locked_window_at_hall(session, window_id)
    require_window_operator(session, actor, window)
    ticket = _window_ticket(session, window, ticket_id)
    action.apply(ticket, window, hall, now)
    _history(session, ticket, action.name, now, actor, **detail)
    return _announce(uow, action.event, ticket, now, window.id)


def recall_ticket(uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime):
    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action(
            "recalled",
            "ticket.recalled",
            lambda t, w, h, n: ticket_life.recall(t, w.id, n, h.max_recalls),
        ),
    )


def start_ticket(uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime):
    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action("started", "ticket.started", lambda t, w, h, n: ticket_life.start(t, w.id, n)),
    )


def finish_ticket(
    uow: UnitOfWork,
    actor: Actor,
    window_id: int,
    ticket_id: int,
    now: datetime,
    outcome: str,
    case_number: str | None = None,
    note: str | None = None,
):
    def apply(ticket: Ticket, window: Window, hall: Hall, at: datetime) -> None:
        ticket_life.finish(ticket, window.id, outcome, at)
        ticket.case_number = case_number
        ticket.note = note
        report_case_outcome(uow.session, ticket, at)

    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action("finished", "ticket.finished", apply),
        outcome=outcome,
        case_number=case_number,
    )


def mark_no_show(uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime):
    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action(
            "no_show", "ticket.no_show", lambda t, w, h, n: ticket_life.mark_no_show(t, w.id, n)
        ),
    )


def park_ticket(uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime):
    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action("parked", "ticket.parked", lambda t, w, h, n: ticket_life.park(t, w.id, n)),
    )


def resume_parked_ticket(
    uow: UnitOfWork, actor: Actor, window_id: int, ticket_id: int, now: datetime
):
    def apply(ticket: Ticket, window: Window, hall: Hall, at: datetime) -> None:
        require_open_for_calling(window)
        _require_free_hands(uow.session, window)
        ticket_life.resume_parked(ticket, window.id, at)

    return _act_on_ticket(
        uow, actor, window_id, ticket_id, now, _Action("resumed", "ticket.called", apply)
    )


def transfer_ticket(
    uow: UnitOfWork,
    actor: Actor,
    window_id: int,
    ticket_id: int,
    now: datetime,
    to_service_id: int | None,
    to_window_id: int | None,
    reason: str | None = None,
):
    """Hand the case on; it waits at the new service or window with its original issue time."""
    session = uow.session
    source_window = session.get(Window, window_id)
    if source_window is None:
        raise Refused("not_found", f"no window with id {window_id}")
    target_service: Service | None = None
    if to_service_id is not None:
        target_service = session.get(Service, to_service_id)
        if target_service is None or target_service.hall_id != source_window.hall_id:
            raise Refused("not_found", "no such service in this hall", field="to_service_id")
    if to_window_id is not None:
        target_window = session.get(Window, to_window_id)
        if target_window is None or target_window.hall_id != source_window.hall_id:
            raise Refused("not_found", "no such window in this hall", field="to_window_id")
        # Both windows locked, in id order (so two transfers between the same windows never
        # deadlock): a close of the target waits for this transfer, and then sends the ticket
        # back to its service's queue (return_tickets_of_closed_window).
        for locked_id in sorted({window_id, to_window_id}):
            locked_window(session, locked_id)  # read afresh: target_window is current
        require_window_may_receive(target_window)
        served = window_service_ids(session, to_window_id)
    if to_service_id is None and to_window_id is None:
        raise Refused("transfer_target_missing", "name a service or a window to transfer to")

    def apply(ticket: Ticket, window: Window, hall: Hall, at: datetime) -> None:
        service_id = to_service_id if to_service_id is not None else ticket.service_id
        if to_window_id is not None and service_id not in served:
            if to_service_id is not None or not served:
                raise Refused(
                    "service_not_at_window",
                    "the target window does not serve that service",
                    field="to_window_id",
                )
            service_id = served[0]
        ticket_life.transfer(ticket, window.id, at, service_id, to_window_id)
        ticket.priority_rank = policy_for(hall).class_rank(ticket.visitor_class)

    return _act_on_ticket(
        uow,
        actor,
        window_id,
        ticket_id,
        now,
        _Action("transferred", "ticket.transferred", apply),
        to_service_id=to_service_id,
        to_window_id=to_window_id,
        reason=reason,
        from_window_id=window_id,
    )


def requeue_late_arrival(uow: UnitOfWork, actor: Actor, ticket_id: int, now: datetime) -> dict:
    """A no-show who comes back in time waits again, behind the hall's configured few people."""
    session = uow.session
    ticket: Ticket = get_or_refuse(session, Ticket, ticket_id, "ticket")
    require_hall_access(session, actor, ticket.hall_id)
    if actor.role not in (Role.CLERK, Role.MANAGER, Role.ADMIN, Role.KIOSK):
        raise Refused("forbidden_role", "only staff or a kiosk can put a ticket back in the queue")
    hall: Hall = get_or_refuse(session, Hall, ticket.hall_id, "hall")
    behind = session.scalars(
        select(Ticket.queue_key)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id == ticket.service_id,
            Ticket.visitor_class == ticket.visitor_class,
        )
        .order_by(Ticket.queue_key, Ticket.id)
        .limit(hall.requeue_behind)
    ).all()
    queue_key = now
    if len(behind) >= hall.requeue_behind and hall.requeue_behind > 0:
        queue_key = min(now, behind[-1] + timedelta(microseconds=1))
    previous_window = ticket.window_id
    ticket_life.requeue_late_arrival(
        ticket, now, timedelta(minutes=hall.no_show_grace_minutes), queue_key
    )
    _history(session, ticket, "requeued", now, actor)
    return _announce(uow, "ticket.requeued", ticket, now, previous_window)


def cancel_ticket(uow: UnitOfWork, ticket: Ticket, now: datetime, actor: Actor | None) -> dict:
    """The visitor (through the ticket's status link) or staff cancel a waiting ticket."""
    if actor is not None:
        require_hall_access(uow.session, actor, ticket.hall_id)
        if actor.role not in (Role.CLERK, Role.MANAGER, Role.ADMIN, Role.KIOSK):
            raise Refused("forbidden_role", "this device cannot cancel tickets")
    ticket_life.cancel(ticket, now)
    uow.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            hall_id=ticket.hall_id,
            action="cancelled",
            at=now,
            user_id=actor.id if actor is not None and actor.kind == "user" else None,
            detail={"by": "staff" if actor is not None else "visitor"},
        )
    )
    return _announce(uow, "ticket.cancelled", ticket, now)


def return_tickets_of_closed_window(
    uow: UnitOfWork, window: Window, now: datetime
) -> list[dict[str, Any]]:
    """The window closed: the tickets transferred to it and still waiting would wait for no
    one, so they go back to their service's queue, keeping their place (their issue time), for
    any window that serves it. Announced as transfers (now to the service); the ticket's history
    says why, and it is not counted as another transfer."""
    session = uow.session
    waiting_for_it = session.scalars(
        select(Ticket)
        .where(Ticket.target_window_id == window.id, Ticket.status == TicketStatus.WAITING)
        .order_by(Ticket.queue_key, Ticket.id)
        .with_for_update()
    ).all()
    views: list[dict[str, Any]] = []
    for ticket in waiting_for_it:
        ticket.target_window_id = None
        session.add(
            TicketEvent(
                ticket_id=ticket.id,
                hall_id=ticket.hall_id,
                action="target_window_closed",
                at=now,
                window_id=window.id,
                detail={"window_number": window.number},
            )
        )
        views.append(_announce(uow, "ticket.transferred", ticket, now, window.id))
    return views
