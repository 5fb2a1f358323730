"""The online platform's side: signed requests, and its pushes of pre-reviews and appointments.

A platform signs every request with the secret it shares with HallQ (the signature covers the
timestamp, a nonce, the method, the path and the body: core/platform_signature.py). Requests
more than five minutes off the hall's clock are refused, and so is a signature seen before (a
replay): a signed request does what it says once, on the resource it names. Every push is keyed
by the platform's own id, so a push signed again and sent again changes nothing; a higher
`revision` updates it, and an older one is refused as stale.

The applicant's ID number never travels: the platform sends
`HMAC-SHA256(secret, "id:" + ID number in upper case)` as hex, which HallQ can recompute when
the visitor's ID card is read at the kiosk (see booked_arrival.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hall_server.core.due_time_policy import DueTimeSettings
from hall_server.core.platform_signature import (
    NONCE_FORM,
    NONCE_HEADER,
    SIGNED_HEADERS,
    TIMESTAMP_FORM,
    TIMESTAMP_HEADER,
    sign_request,
    signature_matches,
)
from hall_server.core.privacy import mask_name
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import ACTIVE_STATUSES
from hall_server.operations.access import hall_ancestors
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import (
    Appointment,
    Hall,
    Platform,
    PlatformSignature,
    PreReview,
    Service,
    Ticket,
)

ALLOWED_CLOCK_SKEW = timedelta(minutes=5)
PRE_REVIEW_RESULTS = ("passed", "needs_correction")


def id_number_hash(secret: str, id_number: str) -> str:
    """How a platform names an applicant without sending the ID number."""
    normalized = "".join(id_number.split()).upper()
    return hmac.new(secret.encode(), f"id:{normalized}".encode(), hashlib.sha256).hexdigest()


def _remember_signature(
    session: Session, platform: Platform, signature: str, now: datetime
) -> bool:
    """Store the signature; False if it was already there (one statement, so no race)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stored = session.execute(
        insert(PlatformSignature)
        .values(platform_id=platform.id, signature=signature, seen_at=now)
        .on_conflict_do_nothing()
        .returning(PlatformSignature.signature)
    ).scalar_one_or_none()
    # Older ones can no longer pass the timestamp check, so they need not be kept.
    session.execute(
        delete(PlatformSignature).where(
            PlatformSignature.platform_id == platform.id,
            PlatformSignature.seen_at < now - 2 * ALLOWED_CLOCK_SKEW,
        )
    )
    return stored is not None


@dataclass(frozen=True)
class SignedRequest:
    """What a request brings to be authenticated: its signing headers (None when missing),
    its method, its target (path, and "?" + query if any) and its raw body."""

    platform_code: str | None
    timestamp: str | None
    nonce: str | None
    signature: str | None
    method: str
    target: str
    body: bytes


def authenticate_platform(session: Session, request: SignedRequest, now: datetime) -> Platform:
    """The platform that signed this request, or a refusal saying why not."""
    if not (request.platform_code and request.timestamp and request.nonce and request.signature):
        raise Refused("bad_signature", f"sign the request: send {', '.join(SIGNED_HEADERS)}")
    platform = session.scalar(
        select(Platform).where(Platform.code == request.platform_code, Platform.active.is_(True))
    )
    if platform is None:
        raise Refused("bad_signature", f"no active platform {request.platform_code!r}")
    if not TIMESTAMP_FORM.fullmatch(request.timestamp):
        raise Refused("bad_signature", f"{TIMESTAMP_HEADER} must be Unix seconds")
    if not NONCE_FORM.fullmatch(request.nonce):
        raise Refused(
            "bad_signature",
            f"{NONCE_HEADER} must be 8 to 64 letters, digits, - or _, new for every request",
        )
    if "\n" in request.target or "\r" in request.target:
        raise Refused("bad_signature", "a signed path may not contain a line break")
    sent_at = datetime.fromtimestamp(int(request.timestamp), UTC)
    if abs(now - sent_at) > ALLOWED_CLOCK_SKEW:
        raise Refused(
            "stale_request",
            f"the timestamp is more than {ALLOWED_CLOCK_SKEW.seconds // 60} minutes from the "
            "hall's clock; sign the request again with the current time",
        )
    expected = sign_request(
        platform.secret,
        request.timestamp,
        request.nonce,
        request.method,
        request.target,
        request.body,
    )
    if not signature_matches(expected, request.signature):
        raise Refused(
            "bad_signature",
            "the signature does not match the request's timestamp, nonce, method, path and body",
        )
    if not _remember_signature(session, platform, expected, now):
        raise Refused(
            "replayed_request",
            "this exact request was already received; to retry, sign it again with a new nonce",
        )
    return platform


def register_platform(
    uow: UnitOfWork,
    code: str,
    name: str,
    hall_code: str,
    webhook_url: str | None,
    now: datetime,
) -> str:
    """Create a platform for a hall and the halls below it (`hallq add-platform`, run by the
    operator); returns the shared secret, which is shown this once."""
    session = uow.session
    hall = session.scalar(select(Hall).where(Hall.code == hall_code))
    if hall is None:
        raise Refused("not_found", f"no hall {hall_code!r}", field="hall")
    if webhook_url is not None:
        require_webhook_url(webhook_url)
    if session.scalar(select(Platform.id).where(Platform.code == code)) is not None:
        raise Refused("duplicate_platform", f"a platform {code!r} exists already", field="code")
    secret = secrets.token_urlsafe(32)
    session.add(
        Platform(
            code=code,
            name=name,
            hall_id=hall.id,
            secret=secret,
            webhook_url=webhook_url,
            active=True,
            created_at=now,
        )
    )
    return secret


def require_webhook_url(url: str) -> None:
    """A webhook is an http(s) address with a host: anything else would keep every outcome
    pending for ever ("no connection adapters", "InvalidSchema")."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(
            "invalid_webhook",
            f"the webhook must be an http:// or https:// address with a host, not {url!r}",
            field="webhook",
        )


@dataclass(frozen=True)
class PlatformChange:
    """What `hallq update-platform` changes; None leaves a setting as it is."""

    webhook_url: str | None = None
    remove_webhook: bool = False
    new_secret: bool = False
    active: bool | None = None


def update_platform(uow: UnitOfWork, code: str, change: PlatformChange) -> str | None:
    """Change a platform's webhook, secret or whether it may push; returns the new secret, if
    one was made (shown this once). A new secret takes effect at once: requests signed with
    the old one are refused from then on, so the platform must switch at the same time."""
    platform = uow.session.scalar(select(Platform).where(Platform.code == code))
    if platform is None:
        raise Refused("not_found", f"no platform {code!r}", field="code")
    if change.webhook_url is not None:
        require_webhook_url(change.webhook_url)
        platform.webhook_url = change.webhook_url
    if change.remove_webhook:
        platform.webhook_url = None
    if change.active is not None:
        platform.active = change.active
    if change.new_secret:
        platform.secret = secrets.token_urlsafe(32)
        return platform.secret
    return None


def _hall_for_push(session: Session, platform: Platform, hall_code: str) -> Hall:
    hall = session.scalar(select(Hall).where(Hall.code == hall_code))
    if hall is None:
        raise Refused("not_found", f"no hall {hall_code!r}", field="hall_code")
    if platform.hall_id not in hall_ancestors(session, hall.id):
        raise Refused("forbidden_hall", f"this platform may not push to hall {hall_code!r}")
    return hall


def _service_for_push(session: Session, hall: Hall, service_code: str) -> Service:
    service = session.scalar(
        select(Service).where(Service.hall_id == hall.id, Service.code == service_code)
    )
    if service is None:
        raise Refused(
            "not_found",
            f"hall {hall.code!r} offers no service {service_code!r}",
            field="service_code",
        )
    return service


def _changes_anything(
    stored: PreReview | Appointment, values: dict[str, Any], revision: int | None
) -> bool:
    """Whether a push to a stored record changes it; a stale one is refused.

    `revision` is the platform's own: HallQ stores the last one sent and never makes one up,
    so a push without it (applied as it is) cannot put the platform's next revision behind.
    A push with a revision older than the stored one, or the stored one with other content,
    arrived late or was reordered: it is refused, so the platform can tell it was not applied.
    """
    changed = any(getattr(stored, name) != value for name, value in values.items())
    if revision is None:
        return changed
    if revision > stored.revision:
        return True
    if revision == stored.revision and not changed:
        return False  # the same push again
    raise Refused(
        "stale_revision",
        f"revision {revision} is not newer than the stored revision {stored.revision}; "
        "nothing was changed",
        field="revision",
    )


def _apply(
    stored: PreReview | Appointment, values: dict[str, Any], revision: int | None, now: datetime
) -> None:
    for name, value in values.items():
        setattr(stored, name, value)
    if revision is not None:
        stored.revision = revision
    stored.updated_at = now


@dataclass(frozen=True)
class PreReviewPush:
    application_id: str
    hall_code: str
    service_code: str
    id_number_hash: str
    result: str
    valid_until: datetime
    materials: Sequence[dict[str, Any]] = field(default_factory=list)
    code: str | None = None
    applicant_name: str | None = None
    revision: int | None = None


def pre_review_view(session: Session, pre_review: PreReview) -> dict[str, Any]:
    service = session.get(Service, pre_review.service_id)
    hall = session.get(Hall, pre_review.hall_id)
    assert service is not None and hall is not None
    return {
        "application_id": pre_review.application_id,
        "code": pre_review.code,
        "hall_code": hall.code,
        "service": {"id": service.id, "code": service.code, "name": service.name},
        "applicant_name": pre_review.applicant_name,
        "result": pre_review.result,
        "materials": list(pre_review.materials or []),
        "valid_until": pre_review.valid_until,
        "status": pre_review.status,
        "revision": pre_review.revision,
        "ticket_id": pre_review.ticket_id,
        "updated_at": pre_review.updated_at,
    }


def push_pre_review(
    uow: UnitOfWork, platform: Platform, push: PreReviewPush, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Create or update a pre-review by the platform's application id; True if created."""
    session = uow.session
    hall = _hall_for_push(session, platform, push.hall_code)
    service = _service_for_push(session, hall, push.service_code)
    code = push.code or push.application_id
    stored = session.scalar(
        select(PreReview).where(
            PreReview.platform_id == platform.id, PreReview.application_id == push.application_id
        )
    )
    if stored is not None and stored.status == "cancelled":
        raise Refused("pre_review_cancelled", "this pre-review was cancelled; it cannot change")
    values = {
        "code": code,
        "hall_id": hall.id,
        "service_id": service.id,
        "id_number_hash": push.id_number_hash.lower(),
        "applicant_name": mask_name(push.applicant_name) if push.applicant_name else None,
        "result": push.result,
        "materials": [dict(item) for item in push.materials],
        "valid_until": push.valid_until.astimezone(UTC),  # as every later answer reads it
    }
    if stored is not None and not _changes_anything(stored, values, push.revision):
        return pre_review_view(session, stored), False
    taken = session.scalar(
        select(PreReview.application_id).where(
            PreReview.platform_id == platform.id,
            PreReview.code == code,
            PreReview.application_id != push.application_id,
        )
    )
    if taken is not None:
        raise Refused("code_taken", f"code {code!r} belongs to application {taken}", field="code")
    created = stored is None
    if stored is None:
        stored = PreReview(
            platform_id=platform.id,
            application_id=push.application_id,
            status="active",
            created_at=now,
            revision=0,
        )
        session.add(stored)
    _apply(stored, values, push.revision, now)
    session.flush()
    return pre_review_view(session, stored), created


def cancel_pre_review(
    uow: UnitOfWork, platform: Platform, application_id: str, now: datetime
) -> dict[str, Any]:
    """The application was withdrawn; cancelling twice is the same as once. Refused while a
    ticket taken with the pre-review is in the queue or at a window."""
    session = uow.session
    stored = session.scalar(
        select(PreReview).where(
            PreReview.platform_id == platform.id, PreReview.application_id == application_id
        )
    )
    if stored is None:
        raise Refused("not_found", f"no pre-review for application {application_id!r}")
    # Like a booking once checked in: the visitor is in the hall, queued as pre-reviewed, and
    # the case's outcome will be reported. Once it is over, a cancellation stops another visit.
    ticket = session.get(Ticket, stored.ticket_id) if stored.ticket_id is not None else None
    if ticket is not None and ticket.status in ACTIVE_STATUSES:
        raise Refused(
            "pre_review_used",
            f"the visitor is at the hall with ticket {ticket.number} for this pre-review; "
            "it can be cancelled once that case is finished",
        )
    if stored.status != "cancelled":
        stored.status = "cancelled"
        stored.updated_at = now
    return pre_review_view(session, stored)


@dataclass(frozen=True)
class AppointmentPush:
    appointment_id: str
    hall_code: str
    service_code: str
    slot_start: datetime
    booking_code: str
    slot_end: datetime | None = None
    applicant_name: str | None = None
    id_number_hash: str | None = None
    application_id: str | None = None
    revision: int | None = None


def appointment_view(session: Session, appointment: Appointment) -> dict[str, Any]:
    service = session.get(Service, appointment.service_id)
    hall = session.get(Hall, appointment.hall_id)
    assert service is not None and hall is not None
    return {
        "appointment_id": appointment.appointment_id,
        "booking_code": appointment.booking_code,
        "hall_code": hall.code,
        "service": {"id": service.id, "code": service.code, "name": service.name},
        "slot_start": appointment.slot_start,
        "slot_end": appointment.slot_end,
        "applicant_name": appointment.applicant_name,
        "application_id": appointment.application_id,
        "status": appointment.status,
        "revision": appointment.revision,
        "ticket_id": appointment.ticket_id,
        "checked_in_at": appointment.checked_in_at,
        "updated_at": appointment.updated_at,
    }


def push_appointment(
    uow: UnitOfWork, platform: Platform, push: AppointmentPush, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Create or update (e.g. move the slot of) an appointment by its id; True if created."""
    session = uow.session
    hall = _hall_for_push(session, platform, push.hall_code)
    service = _service_for_push(session, hall, push.service_code)
    if push.slot_end is not None and push.slot_end <= push.slot_start:
        raise Refused("invalid_slot", "the slot must end after it starts", field="slot_end")
    stored = session.scalar(
        select(Appointment).where(
            Appointment.platform_id == platform.id,
            Appointment.appointment_id == push.appointment_id,
        )
    )
    if stored is not None and stored.status == "cancelled":
        raise Refused("appointment_cancelled", "this appointment was cancelled; it cannot change")
    values = {
        "booking_code": push.booking_code,
        "hall_id": hall.id,
        "service_id": service.id,
        # In UTC, as stored: the first answer reads as every later one.
        "slot_start": push.slot_start.astimezone(UTC),
        "slot_end": push.slot_end.astimezone(UTC) if push.slot_end is not None else None,
        "applicant_name": mask_name(push.applicant_name) if push.applicant_name else None,
        "id_number_hash": push.id_number_hash.lower() if push.id_number_hash else None,
        "application_id": push.application_id,
    }
    if stored is not None and not _changes_anything(stored, values, push.revision):
        return appointment_view(session, stored), False
    if stored is not None and stored.status != "booked":
        raise Refused(
            "appointment_closed", f"the appointment is {stored.status}; it can no longer change"
        )
    # (The hall's grace period applies whatever its policy, as at check-in.)
    grace = DueTimeSettings.from_mapping(hall.calling_settings).appointment_grace
    if (stored is None or stored.slot_start != values["slot_start"]) and now > (
        push.slot_start + grace
    ):
        raise Refused(
            "invalid_slot",
            "this slot and its grace period are over: the visitor could only be a no-show; "
            "push slots still to come",
            field="slot_start",
        )
    taken = session.scalar(
        select(Appointment.appointment_id).where(
            Appointment.hall_id == hall.id,
            Appointment.booking_code == push.booking_code,
            Appointment.id != (stored.id if stored is not None else -1),
        )
    )
    if taken is not None:
        raise Refused(
            "code_taken",
            f"booking code {push.booking_code!r} is in use in this hall",
            field="booking_code",
        )
    created = stored is None
    if stored is None:
        stored = Appointment(
            platform_id=platform.id,
            appointment_id=push.appointment_id,
            status="booked",
            created_at=now,
            revision=0,
        )
        session.add(stored)
    _apply(stored, values, push.revision, now)
    session.flush()
    return appointment_view(session, stored), created


def cancel_appointment(
    uow: UnitOfWork, platform: Platform, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """The applicant cancelled online; a booking already used at the hall cannot be."""
    session = uow.session
    stored = session.scalar(
        select(Appointment).where(
            Appointment.platform_id == platform.id, Appointment.appointment_id == appointment_id
        )
    )
    if stored is None:
        raise Refused("not_found", f"no appointment {appointment_id!r}")
    if stored.status in ("checked_in", "late"):
        raise Refused("appointment_closed", "the visitor already checked in at the hall")
    if stored.status == "booked":
        stored.status = "cancelled"
        stored.updated_at = now
    return appointment_view(session, stored)
