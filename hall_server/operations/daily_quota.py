"""The tickets that take a place in a service's daily quota: issued today for it, not cancelled.

A cancelled ticket takes no service capacity, so its place in the quota (and in the online share
of it) is free again; its number is never given again, numbering counts on its own
(`DailyCounter`). Issuing, the kiosk's preview and the phone page count the same way here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core.ticket_life import TicketStatus
from hall_server.storage.models import Ticket


def quota_tickets_today(
    session: Session,
    hall_id: int,
    local_date: date,
    service_id: int | None = None,
    remote_only: bool = False,
) -> dict[int, int]:
    """Per service (the one a ticket was issued for), the tickets taking a place in its quota
    on `local_date`; only `service_id`'s when given, only remote tickets with `remote_only`."""
    query = (
        select(Ticket.original_service_id, func.count())
        .where(
            Ticket.hall_id == hall_id,
            Ticket.local_date == local_date,
            Ticket.status != TicketStatus.CANCELLED,
        )
        .group_by(Ticket.original_service_id)
    )
    if service_id is not None:
        query = query.where(Ticket.original_service_id == service_id)
    if remote_only:
        query = query.where(Ticket.issued_remotely.is_(True))
    return {service: int(count) for service, count in session.execute(query)}
