"""The tables HallQ keeps, in SQLAlchemy 2.0 declarative style."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite has none) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Hall(Base):
    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20))  # city, district, township, community
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    notice_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    calling_policy: Mapped[str] = mapped_column(String(40), default="fcfs")
    max_recalls: Mapped[int] = mapped_column(Integer, default=3)
    no_show_grace_minutes: Mapped[int] = mapped_column(Integer, default=30)
    requeue_behind: Mapped[int] = mapped_column(Integer, default=3)
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # Raised in the same transaction as every change, so clients can spot a missed event.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The plan version: raised in the same transaction as every change of the hall's plan (break
    # rota, calling policy, what windows serve, expected handling minutes), so no process uses
    # a wait forecast it kept from before (hall_server/operations/wait_predictions.py).
    plan_seq: Mapped[int] = mapped_column(Integer, default=0)
    # What the hall's boards and window displays show unless a device says otherwise
    # (English beside Chinese, numbers only, voice); see hall_server/operations/display_settings.py.
    display_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The calling policy's settings, e.g. due_time's minutes (hall_server/core/due_time_policy.py).
    calling_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Thresholds of the managers' alerts (long wait, idle windows, silent devices); empty means
    # the defaults in hall_server/operations/alerts.py.
    alert_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Whether visitors may take tickets remotely, for which services, and the caps that protect
    # walk-ins; empty means off (hall_server/core/remote_issuing.py).
    remote_issuing_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    pinyin_initials: Mapped[str | None] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(2))
    expected_handling_minutes: Mapped[int] = mapped_column(Integer, default=10)
    daily_quota: Mapped[int | None] = mapped_column(Integer)
    issuing_hours: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department] = relationship(lazy="joined")


class Window(Base):
    __tablename__ = "windows"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="comprehensive")  # or dedicated
    status: Mapped[str] = mapped_column(String(20), default="closed")
    pause_reason: Mapped[str | None] = mapped_column(String(20))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the current pause began (None unless paused): unlike status_changed_at, not moved by
    # a change of services or a clerk taking the window again.
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How long the current pause is meant to last (the clerk's word, else the rota's break).
    pause_minutes: Mapped[int | None] = mapped_column(Integer)
    # The rota break the window last paused for, decided when that pause began, and when it
    # began; kept after it resumes, so that break (and any earlier one that day) is not
    # expected again (hall_server/core/break_rota.py). Null once the break leaves the rota.
    last_break_id: Mapped[int | None] = mapped_column(
        # rota_breaks refers to windows too: the constraint is added after both tables.
        ForeignKey("rota_breaks.id", ondelete="SET NULL", use_alter=True)
    )
    last_break_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RotaBreak(Base):
    """A planned break in a window's day, from the hall's break rota (lunch, a short break):
    local time of day in the hall's time zone, on the weekdays it applies to."""

    __tablename__ = "rota_breaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"), index=True)
    weekdays: Mapped[list[str]] = mapped_column(JSON)  # "mon".."sun"
    start: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(60))  # e.g. "午休 lunch"


class WindowService(Base):
    __tablename__ = "window_services"

    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class DailyCounter(Base):
    """The last sequence handed out per hall, prefix and local day: numbers are never reused."""

    __tablename__ = "daily_counters"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("hall_id", "local_date", "number"),
        # The heads of each waiting queue, in order: what call-next reads.
        # A queue's order: queue time, then id (tickets of one appointment slot share a queue
        # time), so the head read is one index seek whose tie-break is the index order too.
        Index(
            "ix_tickets_queue_order",
            "hall_id",
            "status",
            "service_id",
            "visitor_class",
            "queue_key",
            "id",
        ),
        Index("ix_tickets_window_status", "window_id", "status"),
        Index("ix_tickets_holder", "hall_id", "holder_hash", "status"),
        Index("ix_tickets_hall_issued", "hall_id", "issued_at"),
        # A service's quota taken today (daily_quota), read on every issue.
        Index("ix_tickets_day_quota", "hall_id", "local_date", "original_service_id", "status"),
        # The waiting tickets issued since a kept forecast (wait_predictions), on every issue.
        Index("ix_tickets_waiting_issued", "hall_id", "status", "service_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    original_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    local_date: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    visitor_class: Mapped[str] = mapped_column(String(20))
    priority_rank: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20))
    status_token: Mapped[str] = mapped_column(String(40), unique=True)
    holder_hash: Mapped[str | None] = mapped_column(String(128))
    holder_display_name: Mapped[str | None] = mapped_column(String(60))  # already masked
    issued_by_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # Taken on the visitor's phone (线上取号) rather than at a kiosk or counter in the hall.
    issued_remotely: Mapped[bool] = mapped_column(default=False)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queue_key: Mapped[datetime] = mapped_column(UtcDateTime)
    appointment_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    target_window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    first_called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(30))
    case_number: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    served_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    no_show_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    parked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    predicted_wait_low_minutes: Mapped[int | None] = mapped_column(Integer)
    predicted_wait_high_minutes: Mapped[int | None] = mapped_column(Integer)
    # The forecast median at issue time, beside the range shown: predicted against actual wait.
    predicted_wait_p50_minutes: Mapped[int | None] = mapped_column(Integer)


class TicketEvent(Base):
    """Every transition of every ticket, with who did it where: the audit trail reports use."""

    __tablename__ = "ticket_events"
    # A window's latest action (alerts) and a day's events (reports) by hall and time.
    __table_args__ = (Index("ix_ticket_events_hall_at", "hall_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # clerk, manager, admin
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    active: Mapped[bool] = mapped_column(default=True)


class ApiToken(Base):
    """A bearer token given at login; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Device(Base):
    """A kiosk, lobby board, window display or rating pad, holding a revocable token."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    printer_status: Mapped[str | None] = mapped_column(String(20))
    # When the kiosk's print agent last said how its printer is: the kiosk page's own heartbeat
    # keeps `last_seen_at` fresh, so a dead agent behind a live page shows only here.
    printer_reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class IdempotentResponse(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotent_responses"

    principal: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PrintJob(Base):
    """A ticket to print at one kiosk, kept until the kiosk says it printed or gave up."""

    __tablename__ = "print_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    error: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Rating(Base):
    """A visitor's satisfaction rating (好差评) of one finished case: at most one per ticket."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_clerk_day", "clerk_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    local_date: Mapped[date] = mapped_column(Date)  # the case's day, as the ticket's
    level: Mapped[str] = mapped_column(String(30))
    score: Mapped[int] = mapped_column(Integer)  # 5 = very satisfied … 1 = very dissatisfied
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))  # rating_pad or mobile
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Lease(Base):
    """Which server process runs one piece of background work, and until when: one holder at a
    time across all processes (see hall_server/background/lease.py)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    # Raised each time the lease changes hands: work done under an older token is refused.
    token: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BackgroundRun(Base):
    """One run of a background job, written in the same transaction as the lease check."""

    __tablename__ = "background_runs"
    __table_args__ = (Index("ix_background_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    holder: Mapped[str] = mapped_column(String(120))
    lease_token: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class HallAlert(Base):
    """Something a hall's managers must see at once (a long wait, a printer out of paper), kept
    from when it was raised until it cleared (see hall_server/operations/alerts.py)."""

    __tablename__ = "hall_alerts"
    __table_args__ = (Index("ix_hall_alerts_hall_cleared", "hall_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(60))  # what it is about, e.g. "service:3"
    severity: Mapped[str] = mapped_column(String(10))  # critical or warning
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BoardNotice(Base):
    """A notice a manager sent to the hall's boards; the newest one is what they show."""

    __tablename__ = "board_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Platform(Base):
    """An online service platform (网上办事平台) that pushes pre-reviews and appointments to the
    halls under `hall_id` and receives case outcomes at its webhook; requests are signed with
    the shared `secret` (see hall_server/operations/online_platform.py)."""

    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))  # this hall and those below
    secret: Mapped[str] = mapped_column(String(128))  # HMAC needs it in the clear
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlatformSignature(Base):
    """Signatures already accepted from a platform, kept past the timestamp window so that a
    replayed request is refused."""

    __tablename__ = "platform_signatures"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PreReview(Base):
    """The result of an online pre-review (网上预审) of one application's materials."""

    __tablename__ = "pre_reviews"
    __table_args__ = (
        UniqueConstraint(
            "platform_id", "application_id", name="uq_pre_reviews_platform_id_application_id"
        ),
        UniqueConstraint("platform_id", "code", name="uq_pre_reviews_platform_id_code"),
        Index("ix_pre_reviews_hall_id_hash", "hall_id", "id_number_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    application_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))  # what the applicant shows; default the id
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    id_number_hash: Mapped[str] = mapped_column(String(64))  # keyed by the platform's secret
    applicant_name: Mapped[str | None] = mapped_column(String(60))  # already masked
    result: Mapped[str] = mapped_column(String(20))  # passed or needs_correction
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))  # active or cancelled
    revision: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# A code typed or scanned at the kiosk or counter is looked up upper-cased in its hall
# (booked_arrival.normalised_code); the codes are kept as the platform pushed them, which it
# sees echoed back, so the index holds them upper-cased (migration 0015).
Index("ix_pre_reviews_hall_id_upper_code", PreReview.hall_id, func.upper(PreReview.code))


class Appointment(Base):
    """A booked slot (预约); checking in turns it into an appointment ticket."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint(
            "platform_id", "appointment_id", name="uq_appointments_platform_id_appointment_id"
        ),
        UniqueConstraint("hall_id", "booking_code", name="uq_appointments_hall_id_booking_code"),
        Index("ix_appointments_hall_status_slot", "hall_id", "status", "slot_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    appointment_id: Mapped[str] = mapped_column(String(64))
    booking_code: Mapped[str] = mapped_column(String(40))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    slot_start: Mapped[datetime] = mapped_column(UtcDateTime)
    slot_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    applicant_name: Mapped[str | None] = mapped_column(String(60))  # already masked
    id_number_hash: Mapped[str | None] = mapped_column(String(64))  # keyed by the secret
    application_id: Mapped[str | None] = mapped_column(String(64))  # its pre-review, if any
    # booked, checked_in, late (came after the grace: a walk-in), no_show, cancelled
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


Index(
    "ix_appointments_hall_id_upper_booking_code",
    Appointment.hall_id,
    func.upper(Appointment.booking_code),
)


class OutboxMessage(Base):
    """A message for a platform's webhook, written in the transaction that caused it and kept
    until the platform acknowledges it (hall_server/operations/outbox.py delivers it)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # pending or delivered
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
