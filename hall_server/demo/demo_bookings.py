"""The demo's online platform (网上预审 / 预约): today's appointments and pre-reviews, with codes a
person can type at the kiosk, pushed through the same use cases as the platform's signed API.

The morning's appointment and pre-reviewed tickets are checked in with bookings and pre-reviews
pushed the same way (push_morning_booking), so each has the record a clerk sees.

Every start of the demo makes sure today's bookings exist (their codes carry the date, so a
kept demo database gets fresh ones each day); the slots are set around the moment they are made,
so that the list printed at start shows an early, an on-time and a late arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hall_server.core.appointment_check_in import check_in_appointment
from hall_server.core.numbering import local_business_date, local_time
from hall_server.core.ticket_life import ACTIVE_STATUSES
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
from hall_server.storage.models import Appointment, Hall, Platform, PreReview, Service, Ticket

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
                webhook_url=None,  # results wait in the outbox, where managers see them
                active=True,
                created_at=now,
            )
        )


def _day_prefix(hall: Hall, now: datetime) -> str:
    return f"{local_business_date(now, hall.time_zone):%m%d}"


def booking_code(hall: Hall, now: datetime, number: int) -> str:
    return f"YY{_day_prefix(hall, now)}{number:02d}"


def pre_review_code(hall: Hall, now: datetime, number: int) -> str:
    return f"YS{_day_prefix(hall, now)}{number:02d}"


def _slot_today(hall: Hall, now: datetime, minutes: int) -> datetime:
    """`minutes` from now on a five-minute mark, kept within the hall's day."""
    slot = now + timedelta(minutes=minutes)
    slot = slot.replace(minute=slot.minute - slot.minute % 5, second=0, microsecond=0)
    local_now = local_time(now, hall.time_zone)
    first = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    last = local_now.replace(hour=23, minute=55, second=0, microsecond=0)
    return min(max(slot, first), last)


def seed_todays_bookings(database: Database, now: datetime) -> int:
    """Push today's demo appointments and pre-reviews unless they are there; returns how many
    were made."""
    with database.reading() as session:
        platform = session.scalar(select(Platform).where(Platform.code == DEMO_PLATFORM_CODE))
        hall = session.scalar(select(Hall).where(Hall.code == DEMO_HALL_CODE))
        if platform is None or hall is None:
            return 0
        platform_id, secret = platform.id, platform.secret
        day = f"{local_business_date(now, hall.time_zone):%Y%m%d}"
        made_today = session.scalar(
            select(Appointment.id).where(
                Appointment.platform_id == platform_id,
                Appointment.appointment_id.like(f"DEMO-{day}-%"),
            )
        )
    if made_today is not None:
        return 0
    made = 0
    for booking in BOOKINGS:
        push = AppointmentPush(
            appointment_id=f"DEMO-{day}-A{booking.number}",
            hall_code=DEMO_HALL_CODE,
            service_code=booking.service_code,
            slot_start=_slot_today(hall, now, booking.slot_in_minutes),
            booking_code=booking_code(hall, now, booking.number),
            applicant_name=booking.applicant,
            id_number_hash=id_number_hash(secret, DEMO_ID_NUMBER) if booking.by_id_card else None,
        )
        with database.transaction() as uow:
            platform = uow.session.get(Platform, platform_id)
            assert platform is not None
            push_appointment(uow, platform, push, now)
            if booking.cancelled:
                cancel_appointment(uow, platform, push.appointment_id, now)
        made += 1
    for pre_review in PRE_REVIEWS:
        materials = [{"name": "身份证", "status": "accepted"}]
        if pre_review.result == "needs_correction":
            materials.append({"name": "股东会决议", "status": "to_correct", "note": "缺少签字"})
        else:
            materials.append({"name": "经营场所证明", "status": "accepted"})
        with database.transaction() as uow:
            platform = uow.session.get(Platform, platform_id)
            assert platform is not None
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
        slot = arrival + timedelta(minutes=offset)
        slot = slot.replace(minute=slot.minute - slot.minute % 5, second=0, microsecond=0)
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
