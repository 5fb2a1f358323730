"""What the kiosk's confirmation screen shows before a ticket exists: people ahead, the wait,
and whether the hall's rules would refuse the ticket now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core.issuing_rules import IssuingContext, check_may_issue
from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.operations.queue_reads import estimate_for, people_ahead, policy_for
from hall_server.storage.models import Hall, Service, Ticket

# A ticket that is never stored: it stands where the visitor's new ticket would stand.
_NOT_A_TICKET_ID = 2**31 - 1  # after every real ticket issued at the same instant


def issue_preview(session: Session, hall: Hall, service: Service, now: datetime) -> dict[str, Any]:
    """Counted exactly as the ticket will count once issued (same people-ahead rule, same
    estimate), so the confirmation and the printed ticket agree. The one refusal it cannot
    foresee is "already holds a ticket", which needs the visitor's identity."""
    today = local_business_date(now, hall.time_zone)
    refusal = None
    try:
        issued_today = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.hall_id == hall.id,
                Ticket.original_service_id == service.id,
                Ticket.local_date == today,
            )
        )
        check_may_issue(
            IssuingContext(
                hall_time_zone=hall.time_zone,
                hall_opening_hours=hall.opening_hours,
                service_issuing_hours=service.issuing_hours,
                service_daily_quota=service.daily_quota,
                service_active=service.active,
                issued_today_for_service=int(issued_today or 0),
                holder_has_active_ticket_for_service=False,
            ),
            now,
        )
    except Refused as refused:
        refusal = {"code": refused.code, "message": refused.message}
    policy = policy_for(hall)
    would_be = Ticket(
        id=_NOT_A_TICKET_ID,
        hall_id=hall.id,
        service_id=service.id,
        status=TicketStatus.WAITING,
        visitor_class=VisitorClass.WALK_IN.value,
        queue_key=now,
    )
    ahead = people_ahead(session, would_be, policy)
    estimate = estimate_for(session, would_be, hall, service, ahead, now)
    return {
        "service_id": service.id,
        "people_ahead": ahead,
        "estimated_wait": None if estimate is None else estimate.to_dict(),
        "refusal": refusal,
    }
