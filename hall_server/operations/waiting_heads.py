"""A waiting ticket as the calling policy and the wait forecast see it (QueueHead), read as
plain columns: the 7 it needs, not a whole ORM ticket of 37 (for 800 heads, 31 ms instead of
37 on PostgreSQL, bench/queue_heads.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from hall_server.core.calling_policy import QueueHead
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
