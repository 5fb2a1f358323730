"""Messages to the online platforms, kept until each platform acknowledges them.

A message is written in the same transaction as the change it reports (a pre-reviewed or
booked case finished at a window, a booking not kept), so it exists exactly when the change
does. The `platform_outbox` background job (hall_server/background/jobs.py; one process at a
time holds its lease) posts due messages to the platform's webhook, each signed as it is sent,
like the platform's own requests (core/platform_signature.py), and records the answer: a 2xx
acknowledges the message; anything else, or no answer, schedules another attempt, 15 s after
the first failure and twice as long after each further one, up to an hour. Nothing is dropped
while a platform is down.

A platform receives its messages strictly in the order they were written: while its oldest
undelivered message waits for another attempt, the ones after it wait too (other platforms do
not), so a case's outcome never overtakes an earlier one.

Delivery is at least once: if the process dies between the platform's answer and recording it,
the message is sent again, with the same `id` (also in `X-HallQ-Message-Id`) for the platform
to recognise.

Acknowledged messages are kept a while for managers to look back on, then the `housekeeping`
job forgets them (HALLQ_OUTBOX_DELIVERED_KEEP_DAYS, 30 by default); pending ones are never
forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import requests
from sqlalchemy import String, delete, func, literal, select, union_all
from sqlalchemy.orm import Session

from hall_server.core.platform_signature import signed_headers, webhook_target
from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import (
    Appointment,
    Hall,
    OutboxMessage,
    Platform,
    PreReview,
    Service,
    Ticket,
)

if TYPE_CHECKING:
    from hall_server.background.jobs import JobContext

MESSAGE_ID_HEADER = "X-HallQ-Message-Id"
FIRST_RETRY = timedelta(seconds=15)
LONGEST_RETRY = timedelta(hours=1)
WEBHOOK_TIMEOUT_SECONDS = 10
STATUSES = ("pending", "delivered")


def enqueue(
    session: Session,
    platform_id: int,
    hall_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxMessage:
    """Keep a message for a platform; it goes out once the caller's transaction commits."""
    message = OutboxMessage(
        platform_id=platform_id,
        hall_id=hall_id,
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    return message


def report_case_outcome(session: Session, ticket: Ticket, now: datetime) -> None:
    """A case finished: tell the platform behind its pre-review or booking how it ended."""
    # The ticket's pre-review and booking, if any, in one read: most cases have neither.
    links = session.execute(
        union_all(
            select(
                literal("pre_review").label("kind"),
                PreReview.platform_id,
                PreReview.application_id,
                literal(None, String).label("appointment_id"),
            ).where(PreReview.ticket_id == ticket.id),
            select(
                literal("appointment").label("kind"),
                Appointment.platform_id,
                Appointment.application_id,
                Appointment.appointment_id,
            ).where(Appointment.ticket_id == ticket.id),
        )
    ).all()
    by_platform: dict[int, dict[str, Any]] = {}
    for kind, platform_id, application_id, appointment_id in links:
        found = by_platform.setdefault(platform_id, {})
        if kind == "pre_review":
            found["application_id"] = application_id  # the pre-review's own id comes first
        else:
            found["appointment_id"] = appointment_id
            if application_id:
                found.setdefault("application_id", application_id)
    if not by_platform:
        return
    hall = session.get(Hall, ticket.hall_id)
    service = session.get(Service, ticket.service_id)
    assert hall is not None and service is not None
    for platform_id, references in by_platform.items():
        payload = {
            **references,
            "hall_code": hall.code,
            "service_code": service.code,
            "ticket_number": ticket.number,
            "outcome": ticket.outcome,
            "case_number": ticket.case_number,
            "finished_at": (ticket.finished_at or now).isoformat(),
        }
        enqueue(session, platform_id, hall.id, "case.finished", payload, now)


@dataclass(frozen=True)
class Delivery:
    acknowledged: bool
    error: str | None = None


Sender = Callable[[str, dict[str, str], bytes], Delivery]


def _user_agent() -> str:
    """Who is calling, for the platform's logs: HallQ and its version, not the HTTP library."""
    try:
        installed = version("hallq")
    except PackageNotFoundError:  # run from a source tree that was never installed
        installed = "unknown"
    return f"HallQ/{installed} (webhook)"


WEBHOOK_USER_AGENT = _user_agent()


def post_to_webhook(url: str, headers: dict[str, str], body: bytes) -> Delivery:
    """POST the message; only a 2xx answer acknowledges it."""
    try:
        answer = requests.post(
            url,
            data=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": WEBHOOK_USER_AGENT,
            },
            timeout=WEBHOOK_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        return Delivery(False, f"{type(error).__name__}: {error}"[:300])
    if 200 <= answer.status_code < 300:
        return Delivery(True)
    return Delivery(False, f"HTTP {answer.status_code}: {answer.text[:200]}")


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 15 s, 30 s, 1 min, … at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class _Due:
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    platform_id: int
    platform_code: str
    secret: str
    webhook_url: str | None


def _due_messages(session: Session, now: datetime, batch: int) -> list[_Due]:
    """The undelivered messages of every platform whose oldest undelivered one is due, each
    platform's in order; a platform's first, then every platform's second, and so on, so that
    one platform's backlog holds no other up."""
    pending = OutboxMessage.status == "pending"
    oldest = (
        select(func.min(OutboxMessage.id).label("id"))
        .where(pending)
        .group_by(OutboxMessage.platform_id)
        .subquery()
    )
    ready_platforms = (
        select(OutboxMessage.platform_id)
        .join(oldest, oldest.c.id == OutboxMessage.id)
        .where(OutboxMessage.next_attempt_at <= now)
    )
    place = func.row_number().over(
        partition_by=OutboxMessage.platform_id, order_by=OutboxMessage.id
    )
    in_line = (
        select(OutboxMessage.id, place.label("place"))
        .where(pending, OutboxMessage.platform_id.in_(ready_platforms))
        .subquery()
    )
    rows = session.execute(
        select(OutboxMessage, Platform)
        .join(in_line, in_line.c.id == OutboxMessage.id)
        .join(Platform, Platform.id == OutboxMessage.platform_id)
        .order_by(in_line.c.place, OutboxMessage.id)
        .limit(batch)
    ).all()
    return [
        _Due(
            message.id,
            message.kind,
            dict(message.payload),
            message.created_at,
            platform.id,
            platform.code,
            platform.secret,
            platform.webhook_url,
        )
        for message, platform in rows
    ]


def message_body(due: _Due) -> bytes:
    document = {
        "id": due.id,
        "kind": due.kind,
        "created_at": due.created_at.isoformat(),
        "data": due.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _send(message: _Due, send: Sender, now: datetime) -> Delivery:
    """Sign the message as it leaves (a platform checks the timestamp's freshness) and post it."""
    if not message.webhook_url:
        return Delivery(False, "the platform has no webhook URL")
    body = message_body(message)
    headers = signed_headers(
        message.platform_code,
        message.secret,
        "POST",
        webhook_target(message.webhook_url),
        body,
        now,
    )
    headers[MESSAGE_ID_HEADER] = str(message.id)
    return send(message.webhook_url, headers, body)


def deliver_due(
    transaction: Callable[[], AbstractContextManager[UnitOfWork]],
    reading: Callable[[], AbstractContextManager[Session]],
    clock: Callable[[], datetime],
    send: Sender = post_to_webhook,
    batch: int = 50,
) -> dict[str, int]:
    """Post every message due now, each platform's in order; record each answer in its own
    transaction, at the time it came.

    No network call happens inside a transaction. The clock is read for each message, as a
    slow platform may take a while over a batch. After one failure a platform is left alone
    until that message is due again, so a platform that is down is not hammered and its later
    messages do not overtake it.
    """
    with reading() as session:
        due = _due_messages(session, clock(), batch)
    delivered = failed = 0
    failing: set[int] = set()
    for message in due:
        if message.platform_id in failing:
            continue
        result = _send(message, send, clock())
        answered_at = clock()
        with transaction() as uow:
            stored = uow.session.get(OutboxMessage, message.id)
            if stored is None or stored.status != "pending":
                continue
            stored.attempts += 1
            if result.acknowledged:
                stored.status = "delivered"
                stored.delivered_at = answered_at
                stored.last_error = None
            else:
                stored.last_error = result.error
                stored.next_attempt_at = answered_at + retry_delay(stored.attempts)
        if result.acknowledged:
            delivered += 1
        else:
            failed += 1
            failing.add(message.platform_id)
    return {"due": len(due), "delivered": delivered, "failed": failed}


def run_platform_outbox(context: JobContext) -> dict[str, Any]:
    """The background job: deliver what is due, fenced by the job's lease."""
    return deliver_due(context.transaction, context.database.reading, context.clock)


def forget_delivered(
    transaction: Callable[[], AbstractContextManager[UnitOfWork]],
    now: datetime,
    keep: timedelta,
    batch: int = 1000,
) -> int:
    """Delete messages acknowledged more than `keep` ago, `batch` per transaction so that a
    large backlog never holds one long transaction; returns how many went."""
    forgotten = 0
    while True:
        with transaction() as uow:
            old = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == "delivered",
                    OutboxMessage.delivered_at < now - keep,
                )
                .order_by(OutboxMessage.id)
                .limit(batch)
            )
            ids = list(uow.session.scalars(old))
            if ids:
                uow.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        forgotten += len(ids)
        if len(ids) < batch:
            return forgotten


def outbox_view(
    message: OutboxMessage, platform_code: str, held_back_by: int | None = None
) -> dict[str, Any]:
    return {
        "id": message.id,
        "platform": platform_code,
        "kind": message.kind,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at,
        "held_back_by": held_back_by,
        "last_error": message.last_error,
        "created_at": message.created_at,
        "delivered_at": message.delivered_at,
        "payload": message.payload,
    }


def list_messages(
    session: Session, actor: Actor, hall_id: int, status: str = "pending", limit: int = 200
) -> list[dict[str, Any]]:
    """What a hall's managers see: messages not yet acknowledged (or recently delivered); a
    pending message behind its platform's oldest undelivered one names that one."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    if status not in STATUSES:
        raise Refused("bad_request", f"status must be one of {list(STATUSES)}", field="status")
    order = OutboxMessage.id if status == "pending" else OutboxMessage.id.desc()
    rows = session.execute(
        select(OutboxMessage, Platform.code)
        .join(Platform, Platform.id == OutboxMessage.platform_id)
        .where(OutboxMessage.hall_id == hall_id, OutboxMessage.status == status)
        .order_by(order)
        .limit(limit)
    ).all()
    oldest: dict[int, int] = {}
    if status == "pending" and rows:
        platform_ids = {message.platform_id for message, _code in rows}
        heads = session.execute(
            select(OutboxMessage.platform_id, func.min(OutboxMessage.id))
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.platform_id.in_(platform_ids),
            )
            .group_by(OutboxMessage.platform_id)
        )
        oldest = {platform_id: head_id for platform_id, head_id in heads}
    return [
        outbox_view(message, code, ahead if ahead != message.id else None)
        for message, code in rows
        for ahead in [oldest.get(message.platform_id)]
    ]
