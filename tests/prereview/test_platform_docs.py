"""docs/online_platform.md is what a platform's engineers build against: its signing example is
recomputed and sent to HallQ, its signing code is run, and its webhook examples have the keys
that real messages have."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import update

from hall_server.core.platform_signature import signed_headers, string_to_sign
from hall_server.operations.booked_arrival import record_no_shows
from hall_server.operations.outbox import Delivery, deliver_due
from hall_server.storage.models import Platform, Service
from tests.factories import build_hall
from tests.prereview.conftest import SECRET, appointment_fields, pre_review_fields
from tests.prereview.test_outbox_delivery import finish_pre_reviewed_case

DOCS = Path(__file__).resolve().parents[2] / "docs" / "online_platform.md"


def example(name: str) -> str:
    """The fenced block that follows `<!-- example: name -->` in the docs."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {name} -->\n```\w*\n(.*?)\n```", text, re.DOTALL)
    assert found is not None, f"docs/online_platform.md has no example {name!r}"
    return found.group(1)


def signing_input() -> dict[str, str]:
    return dict(line.split(None, 1) for line in example("signing-input").splitlines())


def test_the_docs_signing_example_is_what_hallq_computes():
    given = signing_input()
    body = given["body"].encode()
    signed = string_to_sign(
        given["timestamp"], given["nonce"], given["method"], given["path"], body
    )
    assert signed == example("string-to-sign").encode()
    documented = dict(line.split(": ", 1) for line in example("signed-headers").splitlines())
    signed_at = datetime.fromtimestamp(int(given["timestamp"]), UTC)
    computed = signed_headers(
        given["platform"],
        given["secret"],
        given["method"],
        given["path"],
        body,
        signed_at,
        nonce=given["nonce"],
    )
    assert documented == computed


def test_the_docs_example_request_is_accepted_once(app, client, clock):
    given = signing_input()
    clock.current = datetime.fromtimestamp(int(given["timestamp"]) + 30, UTC)
    database = app.extensions["hallq_db"]
    hall = build_hall(database, clock(), code="city-centre")
    with database.transaction() as uow:
        uow.session.execute(
            update(Service)
            .where(Service.id == hall.services["housing"])
            .values(code="gjj-withdraw")
        )
        uow.session.add(
            Platform(code=given["platform"], name="一网通办", hall_id=hall.id,
                     secret=given["secret"], webhook_url=None, active=True, created_at=clock())
        )  # fmt: skip
    headers = dict(line.split(": ", 1) for line in example("signed-headers").splitlines())

    def send() -> Any:
        return client.open(
            given["path"],
            method=given["method"],
            data=given["body"].encode(),
            headers=headers,
            content_type="application/json",
        )

    accepted = send()
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["booking_code"] == "B9001"
    again = send()
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "replayed_request"


def test_the_docs_signing_code_signs_requests_that_hallq_accepts(platform, clock):
    namespace: dict[str, Any] = {}
    exec(example("signing-code"), namespace)  # noqa: S102 (the docs' own code, run as written)
    namespace["time"] = SimpleNamespace(time=lambda: clock().timestamp())  # the hall's clock
    path = "/api/v1/platform/pre-reviews/APP-1"
    body = json.dumps(pre_review_fields(clock)).encode()
    for method, expected in (("PUT", "active"), ("DELETE", "cancelled")):
        sent_body = body if method == "PUT" else b""
        headers = namespace["hallq_headers"]("gov-online", SECRET, method, path, sent_body)
        answer = platform.deliver(method, path, sent_body, headers)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["status"] == expected


def test_the_docs_webhook_examples_have_the_keys_real_messages_have(
    app, client, hall, platform, clock
):
    database = app.extensions["hallq_db"]
    with database.transaction() as uow:
        uow.session.execute(update(Platform).values(webhook_url="http://platform.invalid/hook"))
    finish_pre_reviewed_case(client, hall, platform, clock)
    platform.push_appointment("APT-1", **appointment_fields(clock, 10))
    clock.advance(minutes=30)
    with database.transaction() as uow:
        assert record_no_shows(uow, clock()) == 1
    sent: dict[str, dict[str, Any]] = {}

    def platform_receives(url: str, headers: dict[str, str], body: bytes) -> Delivery:
        message = json.loads(body)
        sent[message["kind"]] = message
        return Delivery(True)

    deliver_due(database.transaction, database.reading, clock, platform_receives)
    for kind, name in (
        ("case.finished", "case-finished"),
        ("appointment.no_show", "appointment-no-show"),
    ):
        documented, real = json.loads(example(name)), sent[kind]
        assert documented["kind"] == kind
        assert set(documented) == set(real)
        assert set(documented["data"]) == set(real["data"]), kind  # absent ids left out
