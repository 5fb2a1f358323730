"""`hallq demo` gives its platform a webhook: a receiver inside the demo, on this run's address,
that the outbox job posts the platform's results to; GET on it lists what arrived, and the
printout says where it is. Results that waited for a retry go out at once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from hall_server.background.jobs import standard_jobs
from hall_server.background.lease import try_acquire
from hall_server.background.runner import BackgroundRunner
from hall_server.demo.demo_bookings import DEMO_PLATFORM_SECRET, use_webhook_receiver
from hall_server.demo.demo_hall import print_directory, seed_demo
from hall_server.demo.demo_webhook import add_webhook_receiver
from hall_server.operations.booked_arrival import record_no_shows
from hall_server.storage.models import OutboxMessage


def test_the_outbox_posts_the_demo_platforms_results_to_the_receiver_in_the_demo(
    app: Any, client: Any, clock: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = app.extensions["hallq_db"]
    seed_demo(database, clock())
    add_webhook_receiver(app, DEMO_PLATFORM_SECRET)
    print_directory(database, 5000, clock())
    assert "No webhook: results wait in the outbox" in capsys.readouterr().out
    # Today's late booking was not kept: the platform is told through the outbox, whose
    # first attempt found no webhook and left the message for a retry an hour later.
    with database.transaction() as uow:
        assert record_no_shows(uow, clock()) == 1
        message = uow.session.scalar(select(OutboxMessage))
        assert message is not None
        message.attempts, message.next_attempt_at = 1, clock() + timedelta(hours=1)

    use_webhook_receiver(database, "http://127.0.0.1:5000", clock())

    print_directory(database, 5000, clock())
    webhook = "http://127.0.0.1:5000/demo/platform-webhook"
    assert re.search(rf"^  Webhook \(its results\) +{webhook}$", capsys.readouterr().out, re.M)

    def post_in_process(url: str, **sent: Any) -> Any:
        assert url == webhook
        return client.post(urlsplit(url).path, data=sent["data"], headers=sent["headers"])

    monkeypatch.setattr(requests, "post", post_in_process)
    # The outbox job as `hallq demo` runs it (the jobs of `hallq serve`), once, under its lease.
    runner = BackgroundRunner(database, standard_jobs(app.config), clock, 30, dict(app.config))
    job = next(job for job in runner.jobs if job.name == "platform_outbox")
    lease = try_acquire(database, job.name, runner.holder, 30)
    assert lease is not None
    runner.run_once(job, lease)

    with database.reading() as session:
        assert session.scalar(select(OutboxMessage.status)) == "delivered"
    received = client.get("/demo/platform-webhook").get_json()["received"]
    assert [entry["message"]["kind"] for entry in received] == ["appointment.no_show"]
    assert received[0]["message"]["data"]["appointment_id"].endswith("-A3")
    headers = {name.lower() for name in received[0]["headers"]}
    assert {"x-hallq-platform", "x-hallq-signature", "x-hallq-message-id"} <= headers
    assert received[0]["signature_ok"] is True  # checked as docs/online_platform.md says

    forged = client.post(
        "/demo/platform-webhook",
        json={"kind": "case.finished", "data": {}},
        headers={"X-HallQ-Signature": "sha256=" + "0" * 64},
    )
    assert forged.status_code == 200
    assert client.get("/demo/platform-webhook").get_json()["received"][0]["signature_ok"] is False
