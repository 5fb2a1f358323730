"""The daily rollover: after each hall's local midnight, the queue of the day before is closed.

Numbers restart every day, so a ticket from a past day that still waits could only be called
ahead of today's visitors, unfairly and to an empty seat: it is cancelled as expired. One that
was called and never started becomes a no-show. Boards hear each change as a live event with the
hall's next `seq`. Cases a window already started (serving, parked) are left for the clerk to
finish, because their outcome is a record only a person can give; they are counted instead.

The rollover is safe to repeat: a second run finds nothing left to close.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core import ticket_life
from hall_server.core.numbering import local_business_date
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations.live_events import record_event
from hall_server.operations.queue_reads import public_ticket, ticket_view
from hall_server.storage.database import UnitOfWork, uses_row_locks
from hall_server.storage.models import Hall, Ticket, TicketEvent

CLOSED_AT_DAY_END = (TicketStatus.WAITING, TicketStatus.CALLED)
LEFT_FOR_THE_CLERK = (TicketStatus.SERVING, TicketStatus.PARKED)
# Tickets closed per transaction: keeps the hall's row lock (its `seq`) short at midnight.
ROLLOVER_BATCH = 200


def halls_due_for_rollover(session: Session, now: datetime) -> list[int]:
    """Halls holding waiting or called tickets of a day that is over in the hall's time zone."""
    halls_by_day: dict[date, list[int]] = defaultdict(list)
    for hall_id, time_zone in session.execute(select(Hall.id, Hall.time_zone)):
        halls_by_day[local_business_date(now, time_zone)].append(hall_id)
    due: set[int] = set()
    for today, hall_ids in halls_by_day.items():
        due.update(
            session.scalars(
                select(Ticket.hall_id)
                .where(
                    Ticket.hall_id.in_(hall_ids),
                    Ticket.status.in_(CLOSED_AT_DAY_END),
                    Ticket.local_date < today,
                )
                .distinct()
            )
        )
    return sorted(due)


def _close(uow: UnitOfWork, ticket: Ticket, now: datetime) -> str:
    if ticket.status == TicketStatus.WAITING:
        ticket_life.cancel(ticket, now)
        action, event_name = "expired", "ticket.cancelled"
    else:
        assert ticket.window_id is not None
        ticket_life.mark_no_show(ticket, ticket.window_id, now)
        action, event_name = "no_show", "ticket.no_show"
    uow.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            hall_id=ticket.hall_id,
            action=action,
            at=now,
            window_id=ticket.window_id,
            detail={"by": "daily_rollover", "day": ticket.local_date.isoformat()},
        )
    )
    view = ticket_view(uow.session, ticket, now, with_position=False)
    record_event(
        uow, event_name, ticket.hall_id, {"ticket": public_ticket(view)}, (ticket.window_id,)
    )
    return str(ticket.status)


def roll_over_hall(
    uow: UnitOfWork, hall_id: int, now: datetime, limit: int = ROLLOVER_BATCH
) -> dict[str, Any]:
    """Close up to `limit` of the hall's tickets left from past days; `more` says if any remain."""
    session = uow.session
    hall = session.get(Hall, hall_id)
    if hall is None:
        return {"hall_id": hall_id, "expired": 0, "no_show": 0, "left_open": 0, "more": False}
    today = local_business_date(now, hall.time_zone)
    query = (
        select(Ticket)
        .where(
            Ticket.hall_id == hall_id,
            Ticket.status.in_(CLOSED_AT_DAY_END),
            Ticket.local_date < today,
        )
        .order_by(Ticket.id)
        .limit(limit + 1)
    )
    if uses_row_locks(session):
        # A window calling one of these right now keeps it: call-next skips locked rows.
        query = query.with_for_update(skip_locked=True)
    tickets = list(session.scalars(query))
    closed = {TicketStatus.CANCELLED: 0, TicketStatus.NO_SHOW: 0}
    for ticket in tickets[:limit]:
        closed[TicketStatus(_close(uow, ticket, now))] += 1
    left_open = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.hall_id == hall_id,
            Ticket.status.in_(LEFT_FOR_THE_CLERK),
            Ticket.local_date < today,
        )
    )
    return {
        "hall_id": hall_id,
        "expired": closed[TicketStatus.CANCELLED],
        "no_show": closed[TicketStatus.NO_SHOW],
        "left_open": int(left_open or 0),
        "more": len(tickets) > limit,
    }
