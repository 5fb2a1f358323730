"""What a ticket would be told before it exists: the people ahead, the wait and whether the
hall's rules would refuse it now, and what a booking or pre-review the visitor brings would make
of it. The kiosk's service buttons and confirmation screen, the public API's services preview and
the counter's check-in preview all read it here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.operations import wait_predictions
from hall_server.operations.booked_arrival import (
    ExpectedArrival,
    arrival_for_code,
    arrival_for_id_number,
    expected_arrival_view,
)
from hall_server.operations.daily_quota import (
    check_service_may_issue,
    is_served_by_a_window,
    quota_tickets_today,
    services_with_windows,
)
from hall_server.operations.hall_reads import new_ticket_figures
from hall_server.operations.issuing_hours import hall_issuing_state, weekly_spans
from hall_server.operations.queue_reads import people_ahead, policy_for
from hall_server.storage.models import Hall, Service, Ticket

# A ticket that is never stored: it stands where the visitor's new ticket would stand.
_NOT_A_TICKET_ID = 2**31 - 1  # after every real ticket issued at the same instant


def issue_preview(
    session: Session,
    hall: Hall,
    service: Service,
    now: datetime,
    expected: ExpectedArrival | None = None,
) -> dict[str, Any]:
    """Counted exactly as the ticket will count once issued (same people-ahead rule, same
    estimate, same class and queue place as the booking gives), so the confirmation and the
    printed ticket agree. The one refusal it cannot foresee is "already holds a ticket", which
    needs the visitor's identity."""
    today = local_business_date(now, hall.time_zone)
    refusal = None
    try:
        issued_today = quota_tickets_today(session, hall.id, today, service_id=service.id)
        check_service_may_issue(
            hall,
            service,
            issued_today.get(service.id, 0),
            now,
            served_by_a_window=is_served_by_a_window(session, service.id),
        )
    except Refused as refused:
        refusal = {"code": refused.code, "message": refused.message}
    policy = policy_for(hall)
    would_be = Ticket(
        id=_NOT_A_TICKET_ID,
        hall_id=hall.id,
        service_id=service.id,
        status=TicketStatus.WAITING,
        visitor_class=VisitorClass.WALK_IN.value
        if expected is None
        else expected.planned.visitor_class,
        queue_key=now if expected is None else expected.planned.queue_key,
        appointment_due_at=None if expected is None else expected.planned.appointment_due_at,
        issued_at=now,
    )
    # As queue_reads.ticket_view counts the issued ticket: the forecast's place when there is
    # one (a booked visitor who came early is placed by when the policy will call them), else
    # the plain count.
    forecast = wait_predictions.forecast_for_ticket(session, hall, policy, would_be, now)
    if forecast is None:
        ahead = people_ahead(session, would_be, policy)
        estimate = None
    else:
        ahead = forecast.people_ahead
        estimate = forecast.display().to_dict()
    return {
        "service_id": service.id,
        "service": {"id": service.id, "name": service.name, "name_en": service.name_en},
        "people_ahead": ahead,
        "estimated_wait": estimate,
        "refusal": refusal,
        "booking": None if expected is None else expected_arrival_view(hall, expected),
    }


def service_figures(session: Session, hall: Hall, now: datetime) -> list[dict[str, Any]]:
    """Per active service, what its button says: the people ahead of a walk-in ticket taken now
    and its wait, the figures the confirmation then shows (hall_reads.new_ticket_figures), and
    the refusal issuing would give now (a daily quota used up, issuing hours, the hall closed),
    so a service that cannot be taken says so before it is tapped; outside its issuing hours,
    with those hours."""
    today = local_business_date(now, hall.time_zone)
    quota_taken = quota_tickets_today(session, hall.id, today)
    figures = new_ticket_figures(session, hall, now)
    served = services_with_windows(session, hall.id)
    # Only the columns the rules read: a hall may offer thousands of services, and whole ORM
    # objects would cost most of this read.
    services = session.execute(
        select(Service.id, Service.daily_quota, Service.issuing_hours, Service.active)
        .where(Service.hall_id == hall.id, Service.active.is_(True))
        .order_by(Service.id)
    )
    result = []
    for service in services:
        refusal = None
        try:
            check_service_may_issue(
                hall,
                service,  # type: ignore[arg-type]  # a row with the columns the rules read
                quota_taken.get(service.id, 0),
                now,
                served_by_a_window=service.id in served,
            )
        except Refused as refused:
            refusal = {"code": refused.code, "message": refused.message}
        figure = figures.get(service.id, {"people_ahead": 0, "estimated_wait": None})
        outside_hours = refusal is not None and refusal["code"] == "outside_issuing_hours"
        result.append(
            {
                "service_id": service.id,
                "people_ahead": figure["people_ahead"],
                "estimated_wait": figure["estimated_wait"],
                "refusal": refusal,
                # When the service issues, for its button to say so (only while it is why).
                "issuing_hours": weekly_spans(service.issuing_hours) if outside_hours else None,
            }
        )
    return result


def hall_issue_preview(session: Session, hall: Hall, now: datetime) -> dict[str, Any]:
    """What a ticket taken now would be told, service by service (service_figures), whether the
    hall itself gives no tickets now, and the moment read: the kiosk page's service figures and
    the public API's (GET /api/v1/halls/{id}/services/preview) are this one read."""
    return {
        "services": service_figures(session, hall, now),
        "hall": hall_issuing_state(hall, now),
        "now": now.isoformat(),
    }


def booked_issue_preview(
    session: Session,
    hall: Hall,
    now: datetime,
    code: str | None = None,
    id_number: str | None = None,
    service: Service | None = None,
) -> dict[str, Any]:
    """The preview for a visitor who scanned a booking or pre-review code, or presented an ID
    card: the service comes from what they booked. A code that cannot be used is refused
    (unknown, cancelled, used, for another day, expired) with the same refusal issuing gives.
    An ID card whose holder has nothing booked is `no_booking_for_id_card` before a service
    is chosen, and an ordinary preview after."""
    if code:
        expected: ExpectedArrival | None = arrival_for_code(session, hall, code, now)
    elif id_number:
        # Before a service is chosen, an ID card with nothing booked is refused there
        # (`no_booking_for_id_card`, or `booking_used` for a booking already used).
        expected = arrival_for_id_number(session, hall, service, id_number, now)
    else:
        raise Refused("bad_request", "give a code or an ID number", field="code")
    if expected is None:
        assert service is not None
        return issue_preview(session, hall, service, now)
    return issue_preview(session, hall, expected.service, now, expected)
