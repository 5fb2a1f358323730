"""A waiting ticket as the calling policy and the wait forecast see it (QueueHead), read as
plain columns: the 7 it needs, not a whole ORM ticket of 37 (for 800 heads, 31 ms instead of
37 on PostgreSQL, bench/queue_heads.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from hall_server.core.calling_policy import CallingPolicy, QueueHead
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.storage.models import Ticket

HEAD_COLUMNS = (
    Ticket.id,
    Ticket.service_id,
    Ticket.visitor_class,
    Ticket.queue_key,
    Ticket.issued_at,
    Ticket.target_window_id,
    Ticket.appointment_due_at,
)


def queue_head(ticket: Ticket | Row[Any], waiting_count: int = 1) -> QueueHead:
    """A waiting ticket (or a row of HEAD_COLUMNS) as the calling policy sees it."""
    return QueueHead(
        ticket_id=ticket.id,
        service_id=ticket.service_id,
        visitor_class=ticket.visitor_class,
        queue_key=ticket.queue_key,
        issued_at=ticket.issued_at,
        target_window_id=ticket.target_window_id,
        appointment_due_at=ticket.appointment_due_at,
        waiting_count=waiting_count,
    )


def count_waiting_ahead(
    session: Session,
    hall_id: int,
    service_ids: Iterable[int],
    policy: CallingPolicy,
    visitor_class: str,
    queue_key: datetime,
    ticket_id: int | None,
) -> int:
    """Waiting tickets of `service_ids` (those the windows able to serve a ticket serve) that
    they would call before it: of a class the policy ranks first, or of its rank and before it
    in queue order (queue time, then id). Counted in the database, where every ticket is."""
    rank = policy.class_rank(visitor_class)
    first = [c.value for c in VisitorClass if policy.class_rank(c) < rank]
    alike = [c.value for c in VisitorClass if policy.class_rank(c) == rank]
    before = Ticket.queue_key < queue_key
    if ticket_id is not None:
        before = or_(before, and_(Ticket.queue_key == queue_key, Ticket.id < ticket_id))
    query = (
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.hall_id == hall_id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id.in_(sorted(set(service_ids))),
            or_(Ticket.visitor_class.in_(first), and_(Ticket.visitor_class.in_(alike), before)),
        )
    )
    if ticket_id is not None:
        query = query.where(Ticket.id != ticket_id)
    return int(session.scalar(query) or 0)
