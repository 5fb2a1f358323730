"""Platforms authenticate every push with an HMAC signature over timestamp and body."""

from __future__ import annotations

import json
from datetime import timedelta

from hall_server.operations.online_platform import signed_headers
from tests.factories import build_hall
from tests.prereview.conftest import pre_review_fields

PATH = "/api/v1/platform/pre-reviews/APP-1"


def error_code(response):
    return response.get_json()["error"]["code"]


def test_a_correctly_signed_push_is_accepted(platform, clock):
    response = platform.send("PUT", PATH, pre_review_fields(clock))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["application_id"] == "APP-1"


def test_a_push_signed_with_another_secret_is_refused(platform, clock):
    response = platform.send("PUT", PATH, pre_review_fields(clock), sign_with="guessed")
    assert response.status_code == 401
    assert error_code(response) == "bad_signature"


def test_a_body_changed_after_signing_is_refused(platform, client, clock):
    signed = platform.send("PUT", PATH, pre_review_fields(clock))
    assert signed.status_code == 200

    body = json.dumps(pre_review_fields(clock)).encode()
    headers = signed_headers("gov-online", "platform-shared-secret-for-tests", body, clock())
    tampered = body.replace(b"passed", b"needs_correction")
    response = client.put(PATH, data=tampered, headers=headers, content_type="application/json")
    assert response.status_code == 401
    assert error_code(response) == "bad_signature"


def test_an_unsigned_push_is_refused(client, platform, clock):
    response = client.put(PATH, json=pre_review_fields(clock))
    assert response.status_code == 401
    assert error_code(response) == "bad_signature"


def test_a_timestamp_more_than_five_minutes_old_is_refused(platform, clock):
    stale = clock() - timedelta(minutes=5, seconds=1)
    response = platform.send("PUT", PATH, pre_review_fields(clock), at=stale)
    assert response.status_code == 401
    assert error_code(response) == "stale_request"
    fresh_enough = clock() - timedelta(minutes=4, seconds=59)
    assert platform.send("PUT", PATH, pre_review_fields(clock), at=fresh_enough).status_code == 200


def test_a_timestamp_from_the_future_is_refused_too(platform, clock):
    ahead = clock() + timedelta(minutes=6)
    response = platform.send("PUT", PATH, pre_review_fields(clock), at=ahead)
    assert error_code(response) == "stale_request"


def test_a_replayed_request_is_refused_even_within_the_time_window(platform, clock):
    sent_at = clock()
    fields = pre_review_fields(clock)
    assert platform.send("PUT", PATH, fields, at=sent_at).status_code == 200
    clock.advance(minutes=2)
    replay = platform.send("PUT", PATH, fields, at=sent_at)
    assert replay.status_code == 401
    assert error_code(replay) == "replayed_request"
    # The platform's own retry is signed afresh, and is simply idempotent.
    assert platform.send("PUT", PATH, fields).status_code == 200


def test_a_refused_push_does_not_use_up_its_signature(platform, clock):
    fields = pre_review_fields(clock, service_code="no-such-service")
    sent_at = clock()
    assert platform.send("PUT", PATH, fields, at=sent_at).status_code == 404
    # Nothing was stored, so the same signed request fails for the same reason, not as a replay.
    assert error_code(platform.send("PUT", PATH, fields, at=sent_at)) == "not_found"


def test_a_platform_pushes_only_to_its_own_halls(app, platform, clock, hall):
    build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    fields = pre_review_fields(clock, hall_code="other-hall", service_code="other-hall-housing")
    response = platform.send("PUT", PATH, fields)
    assert response.status_code == 403
    assert error_code(response) == "forbidden_hall"


def test_a_platform_may_push_to_the_halls_below_its_own(app, platform, clock, hall):
    build_hall(app.extensions["hallq_db"], clock(), code="township", parent_id=hall.id)
    response = platform.send(
        "PUT", PATH, pre_review_fields(clock, hall_code="township", service_code="township-housing")
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["hall_code"] == "township"


def test_an_idempotency_key_is_refused_because_pushes_are_idempotent_by_id(platform, clock):
    response = platform.send(
        "PUT", PATH, pre_review_fields(clock), extra_headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 422
    assert error_code(response) == "unexpected_idempotency_key"
