"""What the clerk's counter reads: the ticket in hand, the window's queue and parked cases.

The "next" shown here is what call-next would pick now: the same policy over the same queue
heads, read without locking or calling anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, literal, null, select, true, union_all
from sqlalchemy.orm import Session

from hall_server.core import ticket_life
from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.operations.access import Actor, require_hall_access
from hall_server.operations.booked_arrival import pre_review_for_clerk
from hall_server.operations.queue_reads import (
    policy_for,
    public_ticket,
    queue_heads,
    ticket_view,
    window_calling_view,
)
from hall_server.operations.record_refs import clerk_ref, name_ref, window_ref
from hall_server.operations.window_operations import window_view
from hall_server.storage.models import (
    Hall,
    Service,
    Ticket,
    TicketEvent,
    User,
    Window,
    WindowService,
)


def _readable_window(session: Session, actor: Actor, window_id: int) -> tuple[Window, Hall]:
    window = session.get(Window, window_id)
    if window is None:
        raise Refused("not_found", f"no window with id {window_id}")
    require_hall_access(session, actor, window.hall_id)
    hall = session.get(Hall, window.hall_id)
    assert hall is not None
    return window, hall


def counter_ticket(session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A ticket as the clerk sees it: the public view plus how long the visitor waited."""
    view = public_ticket(ticket_view(session, ticket, now, with_position=False))
    view["waited_seconds"] = ticket_life.wait_seconds(ticket)
    view["pre_reviewed"] = ticket.visitor_class == VisitorClass.PRE_REVIEWED
    view["pre_review"] = pre_review_for_clerk(session, ticket)  # result and materials list
    view["last_transfer"] = last_transfer(session, ticket)
    return view


def last_transfer(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """Where the ticket's latest transfer came from, who sent it and why (staff only: the
    reason is never on a public view). None for a ticket never transferred."""
    if not ticket.transfer_count:
        return None
    transfers = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "transferred")
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(2)
    ).all()
    if not transfers:
        return None
    latest = transfers[0]
    detail = latest.detail or {}
    # The service it was in when sent on: the one the transfer before sent it to, else its own.
    earlier = (transfers[1].detail or {}) if len(transfers) > 1 else {}
    from_service_id = earlier.get("to_service_id") or ticket.original_service_id
    from_window_id = detail.get("from_window_id") or latest.window_id
    window = session.get(Window, from_window_id) if from_window_id else None
    clerk = session.get(User, latest.user_id) if latest.user_id else None
    service = session.get(Service, from_service_id) if from_service_id else None
    return {
        "at": latest.at,
        "reason": detail.get("reason"),
        "from_window": window_ref(window),
        "from_clerk": clerk_ref(clerk),
        "from_service": None if service is None else name_ref(service),
    }


def window_desk(session: Session, actor: Actor, window_id: int, now: datetime) -> dict[str, Any]:
    """The window, and the ticket called or served there now (None when its hands are free)."""
    window, hall = _readable_window(session, actor, window_id)
    in_hand = session.scalar(
        select(Ticket)
        .where(
            Ticket.window_id == window.id,
            Ticket.status.in_((TicketStatus.CALLED, TicketStatus.SERVING)),
        )
        .order_by(Ticket.called_at.desc())
        .limit(1)
    )
    return {
        "window": window_view(session, window),
        "ticket": None if in_hand is None else counter_ticket(session, in_hand, now),
        "max_recalls": hall.max_recalls,
    }


def window_queue(session: Session, actor: Actor, window_id: int, now: datetime) -> dict[str, Any]:
    """Who waits for this window per service, whom the policy would call next, what is parked."""
    window, hall = _readable_window(session, actor, window_id)
    services = session.execute(
        select(Service.id, Service.name, Service.name_en, Service.prefix)
        .join(WindowService, WindowService.service_id == Service.id)
        .where(WindowService.window_id == window.id)
        .order_by(WindowService.position)
    ).all()
    transferred_here = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.status == TicketStatus.WAITING, Ticket.target_window_id == window.id)
    )
    policy = policy_for(hall)
    view = window_calling_view(session, window.id)
    heads = queue_heads(session, hall.id, view.service_ids, window.id)
    counts: dict[int, int] = {}  # each queue someone waits in has a head that counts them
    for head in heads:
        counts[head.service_id] = counts.get(head.service_id, 0) + head.waiting_count
    choice = policy.choose_next(view, heads, now)
    next_ticket = None
    if choice is not None:
        chosen = session.get(Ticket, choice.ticket_id)
        assert chosen is not None
        next_ticket = counter_ticket(session, chosen, now)
    parked = session.scalars(
        select(Ticket)
        .where(Ticket.window_id == window.id, Ticket.status == TicketStatus.PARKED)
        .order_by(Ticket.parked_at)
    )
    return {
        "window_id": window.id,
        "policy": policy.name,
        "waiting": [
            {
                "service_id": service_id,
                "name": name,
                "name_en": name_en,
                "prefix": prefix,
                "waiting": int(counts.get(service_id, 0)),
            }
            for service_id, name, name_en, prefix in services
        ],
        "total_waiting": int(sum(counts.values())),
        "transferred_here": int(transferred_here or 0),
        "next_ticket": next_ticket,
        "parked": [counter_ticket(session, ticket, now) for ticket in parked],
    }


def ticket_by_number(
    session: Session, actor: Actor, window_id: int, number: str, now: datetime
) -> dict[str, Any]:
    """Today's ticket with this number, as the counter sees it, and whether a no-show may still
    wait again now (POST /tickets/<id>/requeue; the server decides that again when asked)."""
    _readable_window(session, actor, window_id)
    ticket = session.get(Ticket, ticket_id_for_number(session, window_id, number, now))
    assert ticket is not None
    view = counter_ticket(session, ticket, now)
    until = view.get("requeue_until")
    view["requeue_open"] = until is not None and now <= until
    return view


def ticket_id_for_number(session: Session, window_id: int, number: str, now: datetime) -> int:
    """Today's ticket in the window's hall with this number (as the visitor shows it: a023)."""
    window = session.get(Window, window_id)
    if window is None:
        raise Refused("not_found", f"no window with id {window_id}")
    hall = session.get(Hall, window.hall_id)
    assert hall is not None
    wanted = "".join(number.split()).upper()
    found = session.scalar(
        select(Ticket.id).where(
            Ticket.hall_id == hall.id,
            Ticket.local_date == local_business_date(now, hall.time_zone),
            Ticket.number == wanted,
        )
    )
    if found is None:
        raise Refused("not_found", f"no ticket {wanted} today in this hall", field="number")
    return int(found)


# What each kept step of a ticket was announced as (ticket_handling, daily_rollover): the hall's
# recent events read back from the tickets' history, by the names of the live events.
EVENT_OF_ACTION = {
    "issued": "ticket.issued",  # not a history row: the ticket's own issue time
    "called": "ticket.called",
    "resumed": "ticket.called",
    "recalled": "ticket.recalled",
    "started": "ticket.started",
    "finished": "ticket.finished",
    "no_show": "ticket.no_show",
    "requeued": "ticket.requeued",
    "transferred": "ticket.transferred",
    "target_window_closed": "ticket.transferred",
    "parked": "ticket.parked",
    "cancelled": "ticket.cancelled",
    "expired": "ticket.cancelled",
}
RECENT_EVENTS = 8
# More than any local day (25 h where clocks go back): the span today's events are read from.
LONGEST_DAY = timedelta(hours=26)


def recent_hall_events(
    session: Session, actor: Actor, hall_id: int, now: datetime, limit: int = RECENT_EVENTS
) -> dict[str, Any]:
    """The hall's latest ticket events today, newest first, as the live events named them, and
    the hall's `seq` they are all part of: a live event at or below it is among them already.

    One statement, so the events and the `seq` are of one moment: the hall's row, outer-joined
    to its latest history rows (ix_ticket_events_hall_at) and issues (ix_tickets_hall_issued)
    of the last day and more; those before the hall's midnight are dropped here (the newest of
    that span hold all of today's newest). Window changes and ratings keep no history here and
    are not among them.
    """
    require_hall_access(session, actor, hall_id)
    since = now - LONGEST_DAY
    steps = (
        select(
            TicketEvent.id.label("step_id"),
            TicketEvent.at.label("at"),
            TicketEvent.action.label("action"),
            TicketEvent.ticket_id.label("ticket_id"),
            TicketEvent.window_id.label("window_id"),
            TicketEvent.detail["to_service_id"].as_integer().label("to_service_id"),
            TicketEvent.detail["to_window_id"].as_integer().label("to_window_id"),
        )
        .where(
            TicketEvent.hall_id == hall_id,
            TicketEvent.at >= since,
            TicketEvent.action.in_(tuple(EVENT_OF_ACTION)),
        )
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(limit)
    )
    issues = (
        select(
            literal(0, Integer).label("step_id"),
            Ticket.issued_at.label("at"),
            literal("issued").label("action"),
            Ticket.id.label("ticket_id"),
            cast(null(), Integer).label("window_id"),
            Ticket.original_service_id.label("to_service_id"),
            cast(null(), Integer).label("to_window_id"),
        )
        .where(Ticket.hall_id == hall_id, Ticket.issued_at >= since)
        .order_by(Ticket.issued_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    latest = union_all(steps.subquery().select(), issues.subquery().select()).subquery()
    service_id = func.coalesce(latest.c.to_service_id, Ticket.service_id)
    rows = session.execute(
        select(
            Hall.event_seq.label("seq"),
            Hall.time_zone.label("time_zone"),
            latest.c.at,
            latest.c.action,
            latest.c.to_window_id,
            Ticket.id.label("ticket_id"),
            Ticket.number.label("number"),
            Service.id.label("service_id"),
            Service.name.label("service_name"),
            Service.name_en.label("service_name_en"),
            Window.id.label("window_id"),
            Window.number.label("window_number"),
            Window.name.label("window_name"),
        )
        .select_from(Hall)
        .outerjoin(latest, true())
        .outerjoin(Ticket, Ticket.id == latest.c.ticket_id)
        .outerjoin(Service, Service.id == service_id)
        .outerjoin(Window, Window.id == latest.c.window_id)
        .where(Hall.id == hall_id)
        # An issue before the steps of its ticket at the same moment (a check-in called at once).
        .order_by(latest.c.at.desc(), latest.c.step_id.desc())
        .limit(limit)
    ).all()
    if not rows:
        raise Refused("not_found", f"no hall with id {hall_id}")
    today = local_business_date(now, rows[0].time_zone)
    events = []
    for row in rows:
        if row.number is None:  # the hall's row alone: nothing happened lately
            continue
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        if local_business_date(at, row.time_zone) != today:
            continue
        window = None
        if row.window_id is not None:
            window = {"id": row.window_id, "number": row.window_number, "name": row.window_name}
        service = {"id": row.service_id, "name": row.service_name, "name_en": row.service_name_en}
        events.append(
            {
                "name": EVENT_OF_ACTION[row.action],
                "at": at,
                "ticket": {
                    "id": row.ticket_id,
                    "number": row.number,
                    "service": service,
                    "window": window,
                    "target_window_id": row.to_window_id,
                },
            }
        )
    return {"seq": int(rows[0].seq), "events": events}
