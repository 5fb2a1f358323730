"""A finished pre-reviewed case is reported to the platform's webhook, and kept until the
platform acknowledges it: here a real HTTP server that fails first, then answers 200."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from typing import Any

import pytest
from sqlalchemy import select, update

from hall_server.background.jobs import standard_jobs
from hall_server.background.lease import release, try_acquire
from hall_server.background.runner import BackgroundRunner
from hall_server.core.platform_signature import sign_request
from hall_server.operations.outbox import deliver_due, enqueue
from hall_server.storage.models import OutboxMessage, Platform
from tests.conftest import login_headers
from tests.prereview.conftest import SECRET, pre_review_fields


class Webhook:
    """The platform's webhook: answers each POST with the next status in `answers` (then 200)."""

    def __init__(
        self, answers: list[int], on_receive: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self.answers = list(answers)
        self.received: list[dict[str, Any]] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received = {"headers": dict(self.headers), "body": body}
                webhook.received.append(received)
                if on_receive is not None:
                    on_receive(received)
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


def webhook_signature(received: dict[str, Any]) -> str:
    """What the platform computes to verify a webhook: HallQ signs its POST to the hook's path."""
    headers = received["headers"]
    return sign_request(
        SECRET,
        headers["X-HallQ-Timestamp"],
        headers["X-HallQ-Nonce"],
        "POST",
        "/hallq-results",
        received["body"],
    )


def messages(app) -> list[OutboxMessage]:
    with app.extensions["hallq_db"].reading() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliver(app, clock) -> dict[str, int]:
    database = app.extensions["hallq_db"]
    return deliver_due(database.transaction, database.reading, clock)


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
    assert headers["X-HallQ-Signature"] == f"sha256={webhook_signature(second)}"
    assert headers["X-HallQ-Nonce"] != first["headers"]["X-HallQ-Nonce"]
    assert headers["X-HallQ-Platform"] == "gov-online"
    # The platform's logs name the sender, not the HTTP library it uses.
    assert headers["User-Agent"] == f"HallQ/{version('hallq')} (webhook)"


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


def add_messages(app, platform_code: str, count: int, at) -> list[int]:
    """Pending case.finished messages for the platform, as finished cases would write them."""
    with app.extensions["hallq_db"].transaction() as uow:
        platform_row = uow.session.scalars(select(Platform).filter_by(code=platform_code)).one()
        written = [
            enqueue(
                uow.session,
                platform_row.id,
                platform_row.hall_id,
                "case.finished",
                {"application_id": f"APP-{index}", "outcome": "completed"},
                at,
            )
            for index in range(count)
        ]
        uow.session.flush()
        return [message.id for message in written]


def run_outbox_job(app, clock) -> dict[str, int]:
    """One run of the `platform_outbox` background job, under its lease, on the app's clock."""
    database = app.extensions["hallq_db"]
    (job,) = [job for job in standard_jobs(app.config) if job.name == "platform_outbox"]
    lease = try_acquire(database, job.name, "test-process", seconds=30)
    assert lease is not None
    try:
        runner = BackgroundRunner(database, [job], clock, lease_seconds=30, holder="test-process")
        return runner.run_once(job, lease)
    finally:
        release(database, lease)


def message_ids(webhook: Webhook) -> list[int]:
    return [int(received["headers"]["X-HallQ-Message-Id"]) for received in webhook.received]


def test_each_message_is_signed_as_it_is_sent_so_a_slow_platform_finds_every_one_fresh(
    app, hall, platform, clock
):
    """A platform taking 10 s an answer: the batch's 40th message leaves 6.5 min after the
    first, and its timestamp must say so (a platform checks it as HallQ checks its own)."""
    sent_at: dict[int, Any] = {}

    def slow_platform(received: dict[str, Any]) -> None:
        sent_at[int(received["headers"]["X-HallQ-Message-Id"])] = clock()
        clock.advance(seconds=10)

    with Webhook(answers=[], on_receive=slow_platform) as slow:
        with app.extensions["hallq_db"].transaction() as uow:
            uow.session.execute(update(Platform).values(webhook_url=slow.url))
        ids = add_messages(app, "gov-online", 40, clock())
        assert run_outbox_job(app, clock) == {"due": 40, "delivered": 40, "failed": 0}
    assert message_ids(slow) == ids
    for received in slow.received:
        message_id = int(received["headers"]["X-HallQ-Message-Id"])
        signed_at = int(received["headers"]["X-HallQ-Timestamp"])
        assert signed_at == int(sent_at[message_id].timestamp())
        assert received["headers"]["X-HallQ-Signature"] == f"sha256={webhook_signature(received)}"
    delivered = {message.id: message.delivered_at for message in messages(app)}
    assert delivered[ids[-1]] - delivered[ids[0]] == timedelta(seconds=390)


def test_a_platforms_messages_wait_in_order_behind_one_it_has_not_acknowledged(
    app, client, hall, platform, clock
):
    with (
        Webhook(answers=[200, 500, 503]) as gov,
        Webhook(answers=[]) as city,
    ):
        with app.extensions["hallq_db"].transaction() as uow:
            uow.session.execute(update(Platform).values(webhook_url=gov.url))
            uow.session.add(
                Platform(code="city-online", name="城市通", hall_id=hall.id, secret="city-secret",
                         webhook_url=city.url, active=True, created_at=clock())
            )  # fmt: skip
        first, second = add_messages(app, "gov-online", 2, clock())
        city_ids = add_messages(app, "city-online", 1, clock())
        later = add_messages(app, "gov-online", 3, clock())

        run_outbox_job(app, clock)  # gov acknowledges the first, fails the second
        assert message_ids(gov) == [first, second]
        assert message_ids(city) == city_ids  # another platform is not held up

        clock.advance(seconds=5)
        assert run_outbox_job(app, clock)["due"] == 0  # the later ones wait behind the second
        assert message_ids(gov) == [first, second]
        manager = login_headers(client, hall.manager_number)
        pending = client.get(f"/api/v1/halls/{hall.id}/outbox", headers=manager).get_json()
        assert [(m["id"], m["status"], m["held_back_by"]) for m in pending] == [
            (second, "pending", None),
            *[(message_id, "pending", second) for message_id in later],
        ]

        clock.advance(seconds=10)  # the second's first back-off (15 s) is over: it fails again
        run_outbox_job(app, clock)
        assert message_ids(gov) == [first, second, second]
        clock.advance(seconds=29)
        assert run_outbox_job(app, clock)["due"] == 0  # backing off twice as long: 30 s
        clock.advance(seconds=1)
        assert run_outbox_job(app, clock) == {"due": 4, "delivered": 4, "failed": 0}
        assert message_ids(gov) == [first, second, second, second, *later]
    attempts = {message.id: (message.status, message.attempts) for message in messages(app)}
    assert attempts == {
        first: ("delivered", 1),
        second: ("delivered", 3),
        **{message_id: ("delivered", 1) for message_id in [*city_ids, *later]},
    }
