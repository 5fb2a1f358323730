"""The tickets that take a place in a service's daily quota: issued today for it, not cancelled.

A cancelled ticket takes no service capacity, so its place in the quota (and in the online share
of it) is free again; its number is never given again, numbering counts on its own
(`DailyCounter`). Issuing, the kiosk's preview and the phone page count the same way here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hall_server.core.issuing_rules import IssuingContext, check_may_issue
from hall_server.core.ticket_life import TicketStatus
from hall_server.storage.models import Hall, Service, Ticket, Window, WindowService


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


def check_service_may_issue(
    hall: Hall,
    service: Service,
    quota_taken: int,
    now: datetime,
    holder_has_active_ticket: bool = False,
    served_by_a_window: bool = True,
) -> None:
    """The hall's and the service's issuing rules (hours, quota, active) for one more ticket,
    with `quota_taken` places of the quota taken today: raises Refused as issuing does."""
    check_may_issue(
        IssuingContext(
            hall_time_zone=hall.time_zone,
            hall_opening_hours=hall.opening_hours,
            service_issuing_hours=service.issuing_hours,
            service_daily_quota=service.daily_quota,
            service_active=service.active,
            issued_today_for_service=quota_taken,
            holder_has_active_ticket_for_service=holder_has_active_ticket,
            service_served_by_a_window=served_by_a_window,
        ),
        now,
    )


def services_with_windows(session: Session, hall_id: int) -> set[int]:
    """The hall's services that some window serves (open or not): the others cannot be called."""
    return set(
        session.scalars(
            select(WindowService.service_id)
            .join(Window, Window.id == WindowService.window_id)
            .where(Window.hall_id == hall_id)
            .distinct()
        )
    )


def is_served_by_a_window(session: Session, service_id: int) -> bool:
    """Does some window serve the service (one service's answer of `services_with_windows`)?"""
    return bool(session.scalar(select(exists().where(WindowService.service_id == service_id))))
