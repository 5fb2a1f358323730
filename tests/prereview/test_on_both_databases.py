"""The feature's storage on a real SQLite file and a real PostgreSQL: replay records, check-in
at issue, the due-time policy's queue counts and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from hall_server.core.platform_signature import signed_headers
from hall_server.core.refusals import Refused
from hall_server.operations import ticket_handling
from hall_server.operations.online_platform import (
    PreReviewPush,
    SignedRequest,
    authenticate_platform,
    id_number_hash,
    push_pre_review,
)
from hall_server.operations.outbox import Delivery, deliver_due, enqueue
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.models import Hall, OutboxMessage, Platform
from tests.factories import build_hall

NINE = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
SECRET = "both-databases-secret"


@pytest.fixture
def hall(any_database):
    built = build_hall(any_database, NINE)
    with any_database.transaction() as uow:
        uow.session.add(
            Platform(
                code="gov",
                name="gov",
                hall_id=built.id,
                secret=SECRET,
                webhook_url="http://platform.invalid/hook",
                active=True,
                created_at=NINE,
            )
        )
        # Urgent 8 minutes before due however long walk-ins wait (by default the call-ahead
        # shrinks as their wait grows: tests/core/test_due_time_policy.py).
        fixed_call_ahead = {"call_ahead_minutes": 8, "busy_call_ahead_minutes": 8}
        uow.session.execute(
            update(Hall)
            .where(Hall.id == built.id)
            .values(calling_policy="due_time", calling_settings=fixed_call_ahead)
        )
    return built


def authenticate(database, body: bytes, at: datetime, now: datetime, nonce: str) -> Platform:
    path = "/api/v1/platform/pre-reviews/APP-1"
    headers = signed_headers("gov", SECRET, "PUT", path, body, at, nonce=nonce)
    request = SignedRequest(
        platform_code=headers["X-HallQ-Platform"],
        timestamp=headers["X-HallQ-Timestamp"],
        nonce=headers["X-HallQ-Nonce"],
        signature=headers["X-HallQ-Signature"],
        method="PUT",
        target=path,
        body=body,
    )
    with database.transaction() as uow:
        return authenticate_platform(uow.session, request, now)


def test_a_signature_is_accepted_once(any_database, hall):
    assert authenticate(any_database, b"{}", NINE, NINE, "nonce-one").code == "gov"
    with pytest.raises(Refused) as replay:
        authenticate(any_database, b"{}", NINE, NINE + timedelta(minutes=3), "nonce-one")
    assert replay.value.code == "replayed_request"
    assert authenticate(any_database, b"{}", NINE, NINE, "nonce-two").code == "gov"


def issue(database, hall, now, **extra):
    with database.transaction() as uow:
        return issue_ticket(
            uow,
            hall.kiosk(),
            IssueRequest(hall_id=hall.id, service_id=hall.services["housing"], **extra),
            now,
            "identity-secret",
            "http://hall",
        )


def test_a_pre_reviewed_visitor_is_called_just_in_time_and_reported(any_database, hall):
    with any_database.transaction() as uow:
        platform = uow.session.scalars(select(Platform)).one()
        push = PreReviewPush(
            application_id="APP-1",
            hall_code="test-hall",
            service_code="test-hall-housing",
            id_number_hash=id_number_hash(SECRET, "11010519491231002X"),
            result="passed",
            valid_until=NINE + timedelta(days=3),
        )
        push_pre_review(uow, platform, push, NINE)
    walk_ins = [issue(any_database, hall, NINE)["id"], issue(any_database, hall, NINE)["id"]]
    pre_reviewed = issue(any_database, hall, NINE, id_number="11010519491231002X")
    assert pre_reviewed["visitor_class"] == "pre_reviewed"

    def call_and_finish(now):
        with any_database.transaction() as uow:
            called = ticket_handling.call_next_ticket(uow, hall.clerk(2), hall.windows[2], now)
        with any_database.transaction() as uow:
            ticket_handling.start_ticket(uow, hall.clerk(2), hall.windows[2], called["id"], now)
        with any_database.transaction() as uow:
            ticket_handling.finish_ticket(
                uow, hall.clerk(2), hall.windows[2], called["id"], now, "completed"
            )
        return called["id"]

    assert call_and_finish(NINE + timedelta(minutes=1)) == walk_ins[0]
    assert call_and_finish(NINE + timedelta(minutes=3)) == pre_reviewed["id"]  # urgent now
    assert call_and_finish(NINE + timedelta(minutes=4)) == walk_ins[1]

    sent = []

    def platform_down_then_up(url, headers, body):
        sent.append(headers["X-HallQ-Message-Id"])
        return Delivery(len(sent) > 1, None if len(sent) > 1 else "connection refused")

    def deliver(at):
        return deliver_due(
            any_database.transaction, any_database.reading, lambda: at, platform_down_then_up
        )

    later = NINE + timedelta(minutes=5)
    assert deliver(later) == {"due": 1, "delivered": 0, "failed": 1}
    result = deliver(later + timedelta(minutes=1))
    assert result == {"due": 1, "delivered": 1, "failed": 0}
    with any_database.reading() as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == ("delivered", 2)
    assert message.payload["application_id"] == "APP-1"


def test_a_platforms_messages_go_strictly_in_order(any_database, hall):
    with any_database.transaction() as uow:
        platform = uow.session.scalars(select(Platform)).one()
        written = [
            enqueue(uow.session, platform.id, hall.id, "case.finished", {"n": n}, NINE)
            for n in range(3)
        ]
        uow.session.flush()
        ids = [message.id for message in written]
    sent: list[int] = []

    def fails_once(url, headers, body):
        sent.append(int(headers["X-HallQ-Message-Id"]))
        return Delivery(len(sent) > 1, None if len(sent) > 1 else "HTTP 503")

    def deliver(at):
        return deliver_due(any_database.transaction, any_database.reading, lambda: at, fails_once)

    assert deliver(NINE) == {"due": 3, "delivered": 0, "failed": 1}
    assert deliver(NINE + timedelta(seconds=14)) == {"due": 0, "delivered": 0, "failed": 0}
    assert deliver(NINE + timedelta(seconds=15)) == {"due": 3, "delivered": 3, "failed": 0}
    assert sent == [ids[0], *ids]
