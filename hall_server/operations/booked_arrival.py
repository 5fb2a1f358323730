"""A booked or pre-reviewed visitor at the hall: check-in at issue, the clerk's record, no-shows.

At the kiosk or counter a booking code, a pre-review code, or an ID number whose keyed hash
matches one the platform pushed, turns an ordinary ticket into an appointment or pre-reviewed
ticket. Early arrivals queue at their slot, late ones within the grace period at arrival, and
later ones as walk-ins (the booking is then recorded as `late`); a passed pre-review makes the
ticket pre-reviewed, a pre-review that needs correction only shows its record to the clerk.
Before issuing, the kiosk asks what a code or an ID card would give (`arrival_for_code`,
`arrival_for_id_number`): the same checks and the same plan (`plan_check_in`) as issuing, so
what the visitor is told is what the ticket becomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core.appointment_check_in import Punctuality, check_in_appointment
from hall_server.core.due_time_policy import DueTimeSettings
from hall_server.core.id_card_number import require_valid_id_number
from hall_server.core.numbering import local_business_date, local_time
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import ACTIVE_STATUSES, VisitorClass
from hall_server.operations.access import hall_ancestors
from hall_server.operations.online_platform import (
    appointment_view,
    id_number_hash,
    pre_review_view,
)
from hall_server.operations.outbox import enqueue
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Appointment, Hall, Platform, PreReview, Service, Ticket

if TYPE_CHECKING:
    from hall_server.background.jobs import JobContext


class BookingRequest(Protocol):
    """What an issue request carries that matters here (ticket_issuing.IssueRequest)."""

    visitor_class: str
    id_number: str | None
    booking_code: str | None
    prereview_code: str | None


def hall_settings(hall: Hall) -> DueTimeSettings:
    """The hall's calling settings; the grace period applies whatever the policy."""
    return DueTimeSettings.from_mapping(hall.calling_settings)


def _platforms_for(session: Session, hall: Hall) -> list[Platform]:
    above = hall_ancestors(session, hall.id)
    return list(
        session.scalars(
            select(Platform).where(Platform.hall_id.in_(above), Platform.active.is_(True))
        )
    )


def normalised_code(code: str) -> str:
    """A booking or pre-review code as stored: typed or scanned codes come with spaces or in
    lower case (yy120801 is YY120801); stored codes are compared upper-cased too."""
    return "".join(code.split()).upper()


# `upper(code)` as the lookups below write it is what the indexes on the hall and the code
# upper-cased hold (migration 0015); another expression would read every code of the hall.


def _appointment_with_code(session: Session, hall_id: int, code: str) -> Appointment | None:
    return session.scalar(
        select(Appointment).where(
            Appointment.hall_id == hall_id,
            func.upper(Appointment.booking_code) == normalised_code(code),
        )
    )


def _pre_review_with_code(session: Session, hall_id: int, code: str) -> PreReview | None:
    """The newest pre-review pushed with this code."""
    return session.scalar(
        select(PreReview)
        .where(PreReview.hall_id == hall_id, func.upper(PreReview.code) == normalised_code(code))
        .order_by(PreReview.id.desc())
    )


def _appointment_by_code(session: Session, hall: Hall, code: str) -> Appointment:
    appointment = _appointment_with_code(session, hall.id, code)
    if appointment is None:
        raise Refused("not_found", "no booking with this code in this hall", field="booking_code")
    return appointment


def _pre_review_by_code(session: Session, hall: Hall, code: str) -> PreReview:
    pre_review = _pre_review_with_code(session, hall.id, code)
    if pre_review is None:
        raise Refused(
            "not_found", "no pre-review with this code in this hall", field="prereview_code"
        )
    return pre_review


def _require_usable_appointment(
    hall: Hall, service: Service, appointment: Appointment, now: datetime
) -> None:
    if appointment.status == "cancelled":
        raise Refused("booking_cancelled", "this booking was cancelled", field="booking_code")
    if appointment.status in ("checked_in", "late"):
        raise Refused("booking_used", "this booking was already used", field="booking_code")
    slot_day = local_business_date(appointment.slot_start, hall.time_zone)
    if slot_day != local_business_date(now, hall.time_zone):
        raise Refused(
            "booking_not_today", f"this booking is for {slot_day:%Y-%m-%d}", field="booking_code"
        )
    if appointment.service_id != service.id:
        raise Refused(
            "booking_for_other_service",
            "this booking is for another service; choose that service",
            field="service_id",
        )


def _require_usable_pre_review(
    session: Session, service: Service, pre_review: PreReview, now: datetime
) -> None:
    if pre_review.status == "cancelled":
        raise Refused("pre_review_cancelled", "this pre-review was cancelled")
    if pre_review.valid_until < now:
        raise Refused("pre_review_expired", "this pre-review has expired; apply online again")
    # A pre-review stays valid for days (a case may need a second visit), but it earns one
    # place in the queue at a time.
    if pre_review.ticket_id is not None:
        earlier = session.get(Ticket, pre_review.ticket_id)
        if earlier is not None and earlier.status in ACTIVE_STATUSES:
            raise Refused(
                "pre_review_used",
                f"this pre-review already has ticket {earlier.number} in the queue",
                field="prereview_code",
            )
    if pre_review.service_id != service.id:
        raise Refused(
            "pre_review_for_other_service",
            "this pre-review is for another service; choose that service",
            field="service_id",
        )


def _match_by_id_number(
    session: Session, hall: Hall, service: Service | None, id_number: str, now: datetime
) -> tuple[Appointment | None, PreReview | None]:
    """Today's booking (earliest slot first) or a valid pre-review whose keyed hash matches the
    ID card read, for `service`, or for any service of the hall when it is None."""
    today = local_business_date(now, hall.time_zone)
    for platform in _platforms_for(session, hall):
        hashed = id_number_hash(platform.secret, id_number)
        bookings = (
            select(Appointment)
            .where(
                Appointment.platform_id == platform.id,
                Appointment.hall_id == hall.id,
                Appointment.id_number_hash == hashed,
                Appointment.status.in_(("booked", "no_show")),
            )
            .order_by(Appointment.slot_start)
        )
        pre_reviews = (
            select(PreReview)
            .where(
                PreReview.platform_id == platform.id,
                PreReview.hall_id == hall.id,
                PreReview.id_number_hash == hashed,
                PreReview.status == "active",
                PreReview.valid_until >= now,
            )
            .order_by(PreReview.id)
        )
        if service is not None:
            bookings = bookings.where(Appointment.service_id == service.id)
            pre_reviews = pre_reviews.where(PreReview.service_id == service.id)
        for appointment in session.scalars(bookings):
            if local_business_date(appointment.slot_start, hall.time_zone) == today:
                return appointment, None
        pre_review = session.scalars(pre_reviews).first()
        if pre_review is not None:
            return None, pre_review
    return None, None


def _pre_review_of(session: Session, appointment: Appointment) -> PreReview | None:
    if not appointment.application_id:
        return None
    return session.scalar(
        select(PreReview).where(
            PreReview.platform_id == appointment.platform_id,
            PreReview.application_id == appointment.application_id,
            PreReview.status == "active",
        )
    )


@dataclass
class BookedArrival:
    appointment: Appointment | None
    pre_review: PreReview | None


def find_booking(
    session: Session, hall: Hall, service: Service, request: BookingRequest, now: datetime
) -> BookedArrival | None:
    """The booking or pre-review this visitor brings, checked; None for an ordinary visitor."""
    appointment: Appointment | None = None
    pre_review: PreReview | None = None
    if request.booking_code:
        appointment = _appointment_by_code(session, hall, request.booking_code)
        _require_usable_appointment(hall, service, appointment, now)
        pre_review = _pre_review_of(session, appointment)
    if request.prereview_code:
        pre_review = _pre_review_by_code(session, hall, request.prereview_code)
        _require_usable_pre_review(session, service, pre_review, now)
    if appointment is None and pre_review is None and request.id_number:
        appointment, pre_review = _match_by_id_number(
            session, hall, service, request.id_number, now
        )
        if appointment is not None:
            pre_review = _pre_review_of(session, appointment)
        elif pre_review is not None:
            _require_usable_pre_review(session, service, pre_review, now)
    if appointment is None and pre_review is None:
        return None
    return BookedArrival(appointment, pre_review)


@dataclass(frozen=True)
class PlannedCheckIn:
    """The class and queue place a booked or pre-reviewed visitor's ticket gets at `now`."""

    visitor_class: str
    appointment_due_at: datetime | None  # the slot, unless the booking was missed
    queue_key: datetime  # the slot for an early arrival, the arrival otherwise
    punctuality: Punctuality | None  # None without a booking


def plan_check_in(hall: Hall, arrival: BookedArrival, now: datetime) -> PlannedCheckIn:
    """Early arrivals queue at their slot, punctual ones at arrival; beyond the grace period
    the booking is missed and only a passed pre-review still gives priority."""
    passed = arrival.pre_review is not None and arrival.pre_review.result == "passed"
    visitor_class = VisitorClass.PRE_REVIEWED.value if passed else VisitorClass.WALK_IN.value
    if arrival.appointment is None:
        return PlannedCheckIn(visitor_class, None, now, None)
    grace = hall_settings(hall).appointment_grace
    check_in = check_in_appointment(arrival.appointment.slot_start, now, grace)
    if check_in.punctuality == Punctuality.TOO_LATE:
        return PlannedCheckIn(visitor_class, None, now, check_in.punctuality)
    return PlannedCheckIn(
        check_in.visitor_class,
        check_in.appointment_due_at,
        check_in.queue_key,
        check_in.punctuality,
    )


def check_in_booked_visitor(
    session: Session,
    hall: Hall,
    service: Service,
    request: BookingRequest,
    ticket: Ticket,
    class_rank: Any,
    now: datetime,
) -> None:
    """Give a just-issued ticket its class and queue place from the visitor's booking, if any.

    `class_rank` is the hall policy's, to keep the ticket's stored rank in step with its class.
    """
    arrival = find_booking(session, hall, service, request, now)
    if arrival is None:
        return
    planned = plan_check_in(hall, arrival, now)
    visitor_class = planned.visitor_class
    if arrival.appointment is not None:
        too_late = planned.punctuality == Punctuality.TOO_LATE
        arrival.appointment.status = "late" if too_late else "checked_in"
        arrival.appointment.checked_in_at = now
        arrival.appointment.ticket_id = ticket.id
        arrival.appointment.updated_at = now
        if not too_late:
            ticket.queue_key = planned.queue_key
            ticket.appointment_due_at = planned.appointment_due_at
    if arrival.pre_review is not None:
        arrival.pre_review.ticket_id = ticket.id
    if request.visitor_class == VisitorClass.PRIORITY:
        visitor_class = VisitorClass.PRIORITY.value  # the priority lane keeps its place
    if ticket.holder_display_name is None:
        # The clerk greets the visitor by the (already masked) name the platform sent.
        booked = arrival.appointment or arrival.pre_review
        ticket.holder_display_name = booked.applicant_name if booked is not None else None
    ticket.visitor_class = visitor_class
    ticket.priority_rank = class_rank(visitor_class)
    session.flush()


@dataclass(frozen=True)
class ExpectedArrival:
    """What a visitor brings to the kiosk, checked as issuing will check it: the service it is
    for, the field that carries it on the issue request, and the ticket it would give now."""

    service: Service
    arrival: BookedArrival
    issue_field: str  # booking_code, prereview_code or id_number
    planned: PlannedCheckIn


def arrival_for_code(session: Session, hall: Hall, code: str, now: datetime) -> ExpectedArrival:
    """A scanned or typed booking or pre-review code; the service comes with it."""
    appointment = _appointment_with_code(session, hall.id, code)
    if appointment is not None:
        service = session.get(Service, appointment.service_id)
        assert service is not None
        _require_usable_appointment(hall, service, appointment, now)
        arrival = BookedArrival(appointment, _pre_review_of(session, appointment))
        planned = plan_check_in(hall, arrival, now)
        return ExpectedArrival(service, arrival, "booking_code", planned)
    pre_review = _pre_review_with_code(session, hall.id, code)
    if pre_review is None:
        raise Refused(
            "not_found", "no booking or pre-review with this code in this hall", field="code"
        )
    service = session.get(Service, pre_review.service_id)
    assert service is not None
    _require_usable_pre_review(session, service, pre_review, now)
    arrival = BookedArrival(None, pre_review)
    return ExpectedArrival(service, arrival, "prereview_code", plan_check_in(hall, arrival, now))


def arrival_for_id_number(
    session: Session, hall: Hall, service: Service | None, id_number: str, now: datetime
) -> ExpectedArrival | None:
    """Today's booking or a valid pre-review the ID card's holder has, for `service` or, before
    a service is chosen, for any (the earliest slot first). With a service, None if the holder
    has none (an ordinary ticket then); before one, the card was shown as a booking, so it is
    refused as its booking's code would be (`refuse_unmatched_id_card`)."""
    id_number = require_valid_id_number(id_number)
    appointment, pre_review = _match_by_id_number(session, hall, service, id_number, now)
    if appointment is None and pre_review is None:
        if service is None:
            refuse_unmatched_id_card(session, hall, id_number, now)
        return None
    if appointment is not None:
        pre_review = _pre_review_of(session, appointment)
        found_service = session.get(Service, appointment.service_id)
    else:
        assert pre_review is not None
        found_service = session.get(Service, pre_review.service_id)
    assert found_service is not None
    if appointment is None and pre_review is not None:
        _require_usable_pre_review(session, found_service, pre_review, now)
    arrival = BookedArrival(appointment, pre_review)
    return ExpectedArrival(found_service, arrival, "id_number", plan_check_in(hall, arrival, now))


def refuse_unmatched_id_card(
    session: Session, hall: Hall, id_number: str, now: datetime
) -> NoReturn:
    """Nothing usable matches the ID card. If the holder's booking for today was already used
    (checked in) or was cancelled, say so, as its booking code would: one booking, one answer.
    Otherwise `no_booking_for_id_card`."""
    today = local_business_date(now, hall.time_zone)
    statuses: set[str] = set()
    for platform in _platforms_for(session, hall):
        hashed = id_number_hash(platform.secret, id_number)
        for appointment in session.scalars(
            select(Appointment).where(
                Appointment.platform_id == platform.id,
                Appointment.hall_id == hall.id,
                Appointment.id_number_hash == hashed,
                Appointment.status.in_(("checked_in", "late", "cancelled")),
            )
        ):
            if local_business_date(appointment.slot_start, hall.time_zone) == today:
                statuses.add(appointment.status)
    if statuses & {"checked_in", "late"}:
        raise Refused("booking_used", "this booking was already used", field="id_number")
    if "cancelled" in statuses:
        raise Refused("booking_cancelled", "this booking was cancelled", field="id_number")
    raise Refused(
        "no_booking_for_id_card",
        "no booking for today or pre-review in this hall matches this ID card",
        field="id_number",
    )


def expected_arrival_view(hall: Hall, expected: ExpectedArrival) -> dict[str, Any]:
    """The kiosk's picture of an expected arrival: nothing it may not show on a public screen
    (the name comes masked from the platform; no ID number, no materials)."""
    appointment = expected.arrival.appointment
    pre_review = expected.arrival.pre_review
    slot = appointment.slot_start if appointment is not None else None
    return {
        "kind": "appointment" if appointment is not None else "pre_review",
        "issue_field": expected.issue_field,
        "service_id": expected.service.id,
        "visitor_class": expected.planned.visitor_class,
        "punctuality": None
        if expected.planned.punctuality is None
        else expected.planned.punctuality.value,
        "slot_start": None if slot is None else slot.isoformat(),
        "slot_local": None if slot is None else f"{local_time(slot, hall.time_zone):%H:%M}",
        "grace_minutes": hall_settings(hall).appointment_grace_minutes,
        "pre_review_result": None if pre_review is None else pre_review.result,
        "applicant_name": (appointment.applicant_name if appointment is not None else None)
        or (pre_review.applicant_name if pre_review is not None else None),
    }


def code_lookup(session: Session, hall_id: int, code: str, now: datetime) -> dict[str, Any]:
    """What a scanned code is, for the kiosk to pick the service before issuing."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    appointment = _appointment_with_code(session, hall.id, code)
    if appointment is not None:
        grace = hall_settings(hall).appointment_grace
        punctuality = check_in_appointment(appointment.slot_start, now, grace).punctuality
        view = appointment_view(session, appointment)
        return {
            "kind": "appointment",
            "service": view["service"],
            "applicant_name": view["applicant_name"],
            "slot_start": view["slot_start"],
            "status": view["status"],
            "punctuality": punctuality.value,
        }
    pre_review = _pre_review_with_code(session, hall.id, code)
    if pre_review is None:
        raise Refused("not_found", "no booking or pre-review with this code in this hall")
    view = pre_review_view(session, pre_review)
    return {
        "kind": "pre_review",
        "service": view["service"],
        "applicant_name": view["applicant_name"],
        "result": view["result"],
        "status": view["status"] if pre_review.valid_until >= now else "expired",
    }


def booking_record(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """The pre-review (materials, result) and booking behind a ticket, for the clerk."""
    pre_review = session.scalar(
        select(PreReview).where(PreReview.ticket_id == ticket.id).order_by(PreReview.id.desc())
    )
    appointment = session.scalar(select(Appointment).where(Appointment.ticket_id == ticket.id))
    if pre_review is None and appointment is None:
        return None
    record: dict[str, Any] = {"pre_review": None, "appointment": None}
    if pre_review is not None:
        view = pre_review_view(session, pre_review)
        record["pre_review"] = {
            key: view[key]
            for key in ("application_id", "result", "materials", "valid_until", "status")
        }
    if appointment is not None:
        view = appointment_view(session, appointment)
        record["appointment"] = {
            key: view[key] for key in ("appointment_id", "slot_start", "slot_end", "status")
        }
    return record


def pre_review_for_clerk(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """The pre-review record alone, as the counter's ticket view shows it (plain JSON)."""
    record = booking_record(session, ticket)
    if record is None or record["pre_review"] is None:
        return None
    pre_review = dict(record["pre_review"])
    pre_review["valid_until"] = pre_review["valid_until"].isoformat()
    return pre_review


def record_no_shows(uow: UnitOfWork, now: datetime, limit: int = 200) -> int:
    """Bookings whose slot and grace period passed without a check-in become no-shows, and
    their platform hears of it (through the outbox, in the same transaction)."""
    session = uow.session
    candidates = session.scalars(
        select(Appointment)
        .where(Appointment.status == "booked", Appointment.slot_start < now)
        .order_by(Appointment.slot_start)
        .limit(limit)
    )
    recorded = 0
    for appointment in candidates:
        hall = session.get(Hall, appointment.hall_id)
        assert hall is not None
        if now <= appointment.slot_start + hall_settings(hall).appointment_grace:
            continue
        appointment.status = "no_show"
        appointment.updated_at = now
        payload = {
            "appointment_id": appointment.appointment_id,
            "hall_code": hall.code,
            "slot_start": appointment.slot_start.isoformat(),
        }
        enqueue(session, appointment.platform_id, hall.id, "appointment.no_show", payload, now)
        recorded += 1
    return recorded


def run_no_show_sweep(context: JobContext) -> dict[str, Any]:
    """The background job: record no-shows, a batch per fenced transaction."""
    with context.transaction() as uow:
        return {"no_shows": record_no_shows(uow, context.clock())}
