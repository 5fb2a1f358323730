"""The demo's online platform (网上预审 / 预约): today's appointments and pre-reviews, with codes a
person can type at the kiosk, pushed through the same use cases as the platform's signed API.

The morning's appointment and pre-reviewed tickets are checked in with bookings and pre-reviews
pushed the same way (push_morning_booking), so each has the record a clerk sees.

Every start of the demo makes sure today's bookings exist (their codes carry the date, so a
kept demo database gets fresh ones each day), and so does the running demo after the hall's
midnight; the slots are set around the moment they are made, so that the list printed at start
shows an early, an on-time and a late arrival. A slot is always on the hall's day of the moment
it is set around (slot_within_day): the kiosk takes a booking only on its day, so a slot pushed
past midnight, or back before it, would be refused as "for another day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hall_server.core.appointment_check_in import check_in_appointment
from hall_server.core.numbering import local_business_date, local_time
from hall_server.core.ticket_life import ACTIVE_STATUSES
from hall_server.demo.demo_webhook import RECEIVER_PATH
from hall_server.operations.booked_arrival import hall_settings
from hall_server.operations.online_platform import (
    AppointmentPush,
    PreReviewPush,
    cancel_appointment,
    id_number_hash,
    push_appointment,
    push_pre_review,
)
from hall_server.storage.database import Database
from hall_server.storage.models import (
    Appointment,
    Hall,
    OutboxMessage,
    Platform,
    PreReview,
    Service,
    Ticket,
)

DEMO_PLATFORM_CODE = "demo-platform"
DEMO_PLATFORM_SECRET = "demo-platform-secret-not-for-production"
DEMO_HALL_CODE = "city-centre"
# A made-up ID number (valid check digit) that today's second booking belongs to, so the kiosk's
# ID card path can be tried by typing it.
DEMO_ID_NUMBER = "11010519491231002X"


@dataclass(frozen=True)
class DemoBooking:
    number: int
    service_code: str
    slot_in_minutes: int
    applicant: str
    by_id_card: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class DemoPreReview:
    number: int
    service_code: str
    result: str
    applicant: str


BOOKINGS = [
    DemoBooking(1, "gjj-withdraw", 45, "李四海"),  # early: queues at its slot
    DemoBooking(2, "ss-card", 0, "张小明", by_id_card=True),  # on time (grace 15 min)
    DemoBooking(3, "biz-setup", -40, "王建国"),  # past the grace: becomes a walk-in
    DemoBooking(4, "gjj-loan", 90, "赵丽", cancelled=True),  # cancelled online
]
PRE_REVIEWS = [
    DemoPreReview(1, "food-licence", "passed", "陈晓燕"),
    DemoPreReview(2, "biz-change", "needs_correction", "刘洋"),
]


def add_demo_platform(database: Database, hall_id: int, now: datetime) -> None:
    """The online platform, for the city centre and the halls below it."""
    with database.transaction() as uow:
        uow.session.add(
            Platform(
                code=DEMO_PLATFORM_CODE,
                name="一网通办（演示）",
                hall_id=hall_id,
                secret=DEMO_PLATFORM_SECRET,
                webhook_url=None,  # each start of the demo sets it: use_webhook_receiver
                active=True,
                created_at=now,
            )
        )


def use_webhook_receiver(database: Database, base_url: str, now: datetime) -> None:
    """Point the demo platform's webhook at the demo's own receiver (demo_webhook.py) on this
    run's address (a kept database may have been served on another port), and let the results
    still waiting in the outbox go out at once rather than at their next retry."""
    with database.transaction() as uow:
        platform = uow.session.scalar(select(Platform).where(Platform.code == DEMO_PLATFORM_CODE))
        if platform is None:
            return
        platform.webhook_url = f"{base_url.rstrip('/')}{RECEIVER_PATH}"
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.platform_id == platform.id, OutboxMessage.status == "pending")
            .values(next_attempt_at=now)
        )


def _day_prefix(hall: Hall, now: datetime) -> str:
    return f"{local_business_date(now, hall.time_zone):%m%d}"


def booking_code(hall: Hall, now: datetime, number: int) -> str:
    return f"YY{_day_prefix(hall, now)}{number:02d}"


def pre_review_code(hall: Hall, now: datetime, number: int) -> str:
    return f"YS{_day_prefix(hall, now)}{number:02d}"


def slot_within_day(moment: datetime, minutes: int, time_zone: str) -> datetime:
    """`minutes` from `moment` on a five-minute mark, kept within the hall's local day of
    `moment` (00:00 to 23:55): near midnight the slot stops at the day's edge instead."""
    slot = moment + timedelta(minutes=minutes)
    slot = slot.replace(minute=slot.minute - slot.minute % 5, second=0, microsecond=0)
    local = local_time(moment, time_zone)
    first = local.replace(hour=0, minute=0, second=0, microsecond=0)
    last = local.replace(hour=23, minute=55, second=0, microsecond=0)
    return min(max(slot, first), last).astimezone(UTC)


def _still_to_make(session: Session, now: datetime) -> tuple[Platform, Hall, str] | None:
    """The demo platform, its hall and today's date (YYYYMMDD) if today's bookings are not
    there yet; None if they are, or if this is no demo database."""
    platform = session.scalar(select(Platform).where(Platform.code == DEMO_PLATFORM_CODE))
    hall = session.scalar(select(Hall).where(Hall.code == DEMO_HALL_CODE))
    if platform is None or hall is None:
        return None
    day = f"{local_business_date(now, hall.time_zone):%Y%m%d}"
    made_today = session.scalar(
        select(Appointment.id).where(
            Appointment.platform_id == platform.id,
            Appointment.appointment_id.like(f"DEMO-{day}-%"),
        )
    )
    return None if made_today is not None else (platform, hall, day)


def seed_todays_bookings(database: Database, now: datetime) -> int:
    """Push today's demo appointments and pre-reviews unless they are there; returns how many
    were made. All or none: one transaction, so a failure leaves no half of a day's codes that a
    later start would take for the whole. (The running demo asks every round: only a read,
    unless the day has turned.)"""
    with database.reading() as session:
        if _still_to_make(session, now) is None:
            return 0
    with database.transaction() as uow:
        found = _still_to_make(uow.session, now)
        if found is None:
            return 0
        platform, hall, day = found
        secret = platform.secret
        made = 0
        for booking in BOOKINGS:
            push = AppointmentPush(
                appointment_id=f"DEMO-{day}-A{booking.number}",
                hall_code=DEMO_HALL_CODE,
                service_code=booking.service_code,
                slot_start=slot_within_day(now, booking.slot_in_minutes, hall.time_zone),
                booking_code=booking_code(hall, now, booking.number),
                applicant_name=booking.applicant,
                id_number_hash=id_number_hash(secret, DEMO_ID_NUMBER)
                if booking.by_id_card
                else None,
            )
            # Booked a day before, as a platform books: a slot already over is refused.
            push_appointment(uow, platform, push, min(now, push.slot_start - timedelta(days=1)))
            if booking.cancelled:
                cancel_appointment(uow, platform, push.appointment_id, now)
            made += 1
        for pre_review in PRE_REVIEWS:
            materials = [{"name": "身份证", "status": "accepted"}]
            if pre_review.result == "needs_correction":
                materials.append({"name": "股东会决议", "status": "to_correct", "note": "缺少签字"})
            else:
                materials.append({"name": "经营场所证明", "status": "accepted"})
            push_pre_review(
                uow,
                platform,
                PreReviewPush(
                    application_id=f"DEMO-{day}-P{pre_review.number}",
                    code=pre_review_code(hall, now, pre_review.number),
                    hall_code=DEMO_HALL_CODE,
                    service_code=pre_review.service_code,
                    id_number_hash=id_number_hash(secret, f"demo-applicant-{pre_review.number}"),
                    result=pre_review.result,
                    valid_until=now + timedelta(days=30),
                    materials=materials,
                    applicant_name=pre_review.applicant,
                ),
                now,
            )
            made += 1
    return made


MORNING_SLOT_OFFSETS = (-10, -5, 0, 5)  # minutes from arrival: on time, and now and then early
MORNING_APPLICANTS = ["周建华", "吴晓丽", "郑国强", "孙梅", "马俊", "何静"]
MORNING_MATERIALS = [
    {"name": "身份证", "status": "accepted"},
    {"name": "申请表", "status": "accepted"},
]


def push_morning_booking(
    database: Database,
    hall_id: int,
    service_id: int,
    visitor_class: str,
    arrival: datetime,
    number: int,
) -> dict[str, str]:
    """The booking or pre-review behind one of the morning's appointment or pre-reviewed
    tickets, pushed the day before through the platform's own use cases; returns the issue
    request's field that checks it in (booking_code or prereview_code), so the ticket gets its
    class from a real record as at the kiosk. Every other booking also has a passed pre-review.
    Ids start MORNING-, apart from today's DEMO- codes that the printout lists."""
    pushed_at = arrival - timedelta(days=1)
    with database.transaction() as uow:
        session = uow.session
        platform = session.scalar(select(Platform).where(Platform.code == DEMO_PLATFORM_CODE))
        hall = session.get(Hall, hall_id)
        service = session.get(Service, service_id)
        assert platform is not None and hall is not None and service is not None
        day = f"{local_business_date(arrival, hall.time_zone):%Y%m%d}"
        application_id = f"MORNING-{day}-P{number}"
        code = f"M{_day_prefix(hall, arrival)}{number:02d}"
        with_pre_review = visitor_class == "pre_reviewed" or number % 2 == 0
        if with_pre_review:
            pre_review = PreReviewPush(
                application_id=application_id,
                code=f"YS{code}",
                hall_code=hall.code,
                service_code=service.code,
                id_number_hash=id_number_hash(platform.secret, f"demo-morning-{number}"),
                result="passed",
                valid_until=pushed_at + timedelta(days=30),
                materials=MORNING_MATERIALS,
                applicant_name=MORNING_APPLICANTS[number % len(MORNING_APPLICANTS)],
            )
            push_pre_review(uow, platform, pre_review, pushed_at)
        if visitor_class == "pre_reviewed":
            return {"prereview_code": f"YS{code}"}
        offset = MORNING_SLOT_OFFSETS[number % len(MORNING_SLOT_OFFSETS)]
        slot = slot_within_day(arrival, offset, hall.time_zone)
        appointment = AppointmentPush(
            appointment_id=f"MORNING-{day}-A{number}",
            hall_code=hall.code,
            service_code=service.code,
            slot_start=slot,
            booking_code=f"YY{code}",
            applicant_name=MORNING_APPLICANTS[number % len(MORNING_APPLICANTS)],
            application_id=application_id if with_pre_review else None,
        )
        push_appointment(uow, platform, appointment, pushed_at)
    return {"booking_code": f"YY{code}"}


def _appointment_state(hall: Hall, appointment: Appointment, now: datetime) -> str:
    if appointment.status == "cancelled":
        return "cancelled online: the kiosk says so"
    if appointment.status in ("checked_in", "late"):
        return "already used: the kiosk says so"
    grace = hall_settings(hall).appointment_grace
    punctuality = check_in_appointment(appointment.slot_start, now, grace).punctuality.value
    return {
        "early": "early: a priority ticket that waits for its slot",
        "on_time": "on time: a priority ticket now",
        "too_late": f"over {grace.seconds // 60} min late: becomes a walk-in",
    }[punctuality]


def _pre_review_state(session: Any, pre_review: PreReview, now: datetime) -> str:
    ticket = session.get(Ticket, pre_review.ticket_id) if pre_review.ticket_id else None
    if ticket is not None and ticket.status in ACTIVE_STATUSES:
        return f"in use by ticket {ticket.number}"
    if pre_review.valid_until < now:
        return "expired"
    if pre_review.result == "passed":
        return "passed: a pre-reviewed priority ticket"
    return "needs correction: a walk-in, the clerk sees the record"


def _webhook_lines(hall: Hall, platform: Platform) -> list[str]:
    """Where the platform's results go, and how to see them arrive."""
    outbox = f"/api/v1/halls/{hall.id}/outbox"
    if platform.webhook_url is None:
        return [f"  No webhook: results wait in the outbox (managers: GET {outbox})"]
    lines = [f"  {'Webhook (its results)':<29}{platform.webhook_url}"]
    if platform.webhook_url.endswith(RECEIVER_PATH):
        lines += [
            "  (a receiver in this demo: the outbox posts each case of a booked or pre-reviewed",
            "  visitor finished at a window, and each booking not kept, within seconds; open",
            f"  the address to see what it got; managers: GET {outbox}?status=delivered)",
        ]
    return lines


def todays_codes(database: Database, now: datetime) -> list[str]:
    """Lines for the demo's printout: platform credentials and today's codes, as of `now`."""
    with database.reading() as session:
        hall = session.scalar(select(Hall).where(Hall.code == DEMO_HALL_CODE))
        platform = session.scalar(select(Platform).where(Platform.code == DEMO_PLATFORM_CODE))
        if hall is None or platform is None:
            return []
        day = f"{local_business_date(now, hall.time_zone):%Y%m%d}"
        names = dict(session.execute(select(Service.id, Service.name)).all())
        appointments = session.scalars(
            select(Appointment)
            .where(Appointment.appointment_id.like(f"DEMO-{day}-%"))
            .order_by(Appointment.booking_code)
        ).all()
        pre_reviews = session.scalars(
            select(PreReview)
            .where(PreReview.application_id.like(f"DEMO-{day}-%"))
            .order_by(PreReview.code)
        ).all()
        lines = [
            "",
            f"Online platform (网上预审 / 预约) for {hall.name}, calling by the "
            f"{hall.calling_policy} policy:",
            f"  Platform code / secret       {platform.code} / {platform.secret}",
            "  (sign pushes as docs/online_platform.md describes)",
            *_webhook_lines(hall, platform),
            "At the kiosk tap 我有预约 / 网上预审, or on the counter page press I, and type a code",
            "(or the ID number):",
        ]
        for appointment in appointments:
            slot = f"{local_time(appointment.slot_start, hall.time_zone):%H:%M}"
            service = names[appointment.service_id]
            state = _appointment_state(hall, appointment, now)
            lines.append(f"  {appointment.booking_code:<10} booked {slot}  {service}: {state}")
            if appointment.id_number_hash:
                lines.append(f"  {DEMO_ID_NUMBER} (ID card of {appointment.booking_code})")
        for pre_review in pre_reviews:
            service = names[pre_review.service_id]
            state = _pre_review_state(session, pre_review, now)
            lines.append(f"  {pre_review.code:<10} pre-review    {service}: {state}")
    return lines
