"""A finished pre-reviewed case is reported to the platform's webhook, and kept until the
platform acknowledges it: here a real HTTP server that fails first, then answers 200."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select, update

from hall_server.background.jobs import standard_jobs
from hall_server.background.lease import try_acquire
from hall_server.background.runner import BackgroundRunner
from hall_server.operations.online_platform import sign
from hall_server.operations.outbox import deliver_due
from hall_server.storage.models import OutboxMessage, Platform
from tests.conftest import login_headers
from tests.prereview.conftest import SECRET, pre_review_fields


class Webhook:
    """The platform's webhook: answers each POST with the next status in `answers` (then 200)."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = list(answers)
        self.received: list[dict[str, Any]] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                webhook.received.append({"headers": dict(self.headers), "body": body})
                status = webhook.answers.pop(0) if webhook.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hallq-results"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def webhook(app, platform) -> Iterator[Webhook]:
    with Webhook(answers=[503]) as running:
        with app.extensions["hallq_db"].transaction() as uow:
            uow.session.execute(update(Platform).values(webhook_url=running.url))
        yield running


def finish_pre_reviewed_case(client, hall, platform, clock) -> dict[str, Any]:
    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "prereview_code": "APP-1"},
        headers=kiosk,
    ).get_json()
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    assert client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).status_code == 200
    base = f"/api/v1/windows/{window}/tickets/{ticket['id']}"
    assert client.post(f"{base}/start", headers=clerk).status_code == 200
    finished = client.post(
        f"{base}/finish", json={"outcome": "accepted", "case_number": "SL-2026-42"}, headers=clerk
    )
    assert finished.status_code == 200, finished.get_json()
    return ticket


def messages(app) -> list[OutboxMessage]:
    with app.extensions["hallq_db"].reading() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliver(app, clock) -> dict[str, int]:
    database = app.extensions["hallq_db"]
    return deliver_due(database.transaction, database.reading, clock())


def test_the_outcome_is_retried_with_back_off_until_the_platform_acknowledges_it(
    app, client, hall, platform, clock, webhook
):
    ticket = finish_pre_reviewed_case(client, hall, platform, clock)
    (message,) = messages(app)
    assert (message.kind, message.status) == ("case.finished", "pending")

    assert deliver(app, clock) == {"due": 1, "delivered": 0, "failed": 1}
    (message,) = messages(app)
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "HTTP 503: ok")
    assert message.next_attempt_at == clock() + timedelta(seconds=15)

    clock.advance(seconds=14)
    assert deliver(app, clock)["due"] == 0  # backing off: nothing sent
    assert len(webhook.received) == 1

    clock.advance(seconds=1)
    assert deliver(app, clock) == {"due": 1, "delivered": 1, "failed": 0}
    (message,) = messages(app)
    assert (message.status, message.attempts, message.delivered_at) == ("delivered", 2, clock())
    assert deliver(app, clock)["due"] == 0  # acknowledged: never sent again

    first, second = webhook.received
    assert first["body"] == second["body"]
    assert first["headers"]["X-HallQ-Message-Id"] == str(message.id)
    sent = json.loads(second["body"])
    assert sent["kind"] == "case.finished"
    assert sent["data"]["application_id"] == "APP-1"
    assert sent["data"]["outcome"] == "accepted"
    assert sent["data"]["case_number"] == "SL-2026-42"
    assert sent["data"]["ticket_number"] == ticket["number"]
    headers = second["headers"]
    expected = sign(SECRET, headers["X-HallQ-Timestamp"], second["body"])
    assert headers["X-HallQ-Signature"] == f"sha256={expected}"
    assert headers["X-HallQ-Platform"] == "gov-online"


def test_managers_see_what_is_pending(app, client, hall, platform, clock, webhook):
    finish_pre_reviewed_case(client, hall, platform, clock)
    manager = login_headers(client, hall.manager_number)
    pending = client.get(f"/api/v1/halls/{hall.id}/outbox", headers=manager)
    assert pending.status_code == 200
    assert [(m["kind"], m["platform"]) for m in pending.get_json()] == [
        ("case.finished", "gov-online")
    ]
    deliver(app, clock)
    assert client.get(f"/api/v1/halls/{hall.id}/outbox", headers=manager).get_json()[0][
        "last_error"
    ] == ("HTTP 503: ok")
    clock.advance(minutes=1)
    deliver(app, clock)
    assert client.get(f"/api/v1/halls/{hall.id}/outbox", headers=manager).get_json() == []
    delivered = client.get(f"/api/v1/halls/{hall.id}/outbox?status=delivered", headers=manager)
    assert len(delivered.get_json()) == 1
    clerk = login_headers(client, hall.clerk_numbers[1])
    assert client.get(f"/api/v1/halls/{hall.id}/outbox", headers=clerk).status_code == 403


def test_an_ordinary_case_sends_nothing_and_a_refused_finish_writes_nothing(
    app, client, hall, platform, clock
):
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    walk_in = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()
    client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    base = f"/api/v1/windows/{window}/tickets/{walk_in['id']}"
    client.post(f"{base}/start", headers=clerk)
    client.post(f"{base}/finish", json={"outcome": "completed"}, headers=clerk)
    assert messages(app) == []

    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    booked = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "prereview_code": "APP-1"},
        headers=kiosk,
    ).get_json()
    client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    not_started = client.post(
        f"/api/v1/windows/{window}/tickets/{booked['id']}/finish",
        json={"outcome": "completed"},
        headers=clerk,
    )
    assert not_started.status_code == 409
    assert messages(app) == []  # the message lives and dies with the finish


def test_the_background_job_delivers_under_its_lease_in_one_process_only(
    app, client, hall, platform, clock, webhook
):
    webhook.answers.clear()
    finish_pre_reviewed_case(client, hall, platform, clock)
    database = app.extensions["hallq_db"]
    (job,) = [job for job in standard_jobs(app.config) if job.name == "platform_outbox"]
    lease = try_acquire(database, job.name, "process-a", seconds=30)
    assert lease is not None
    assert try_acquire(database, job.name, "process-b", seconds=30) is None  # held by a
    runner = BackgroundRunner(database, [job], clock, lease_seconds=30, holder="process-a")
    assert runner.run_once(job, lease) == {"due": 1, "delivered": 1, "failed": 0}
    assert [m.status for m in messages(app)] == ["delivered"]
    assert len(webhook.received) == 1
