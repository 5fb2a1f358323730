"""Platforms authenticate every push with an HMAC signature over its timestamp, nonce, method,
path and body; a signed request is good once, for what it says."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest

from hall_server.core.platform_signature import signed_headers
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
    headers = signed_headers(
        "gov-online", "platform-shared-secret-for-tests", "PUT", PATH, body, clock()
    )
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
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))
    assert platform.deliver("PUT", PATH, body, headers).status_code == 200
    clock.advance(minutes=2)
    replay = platform.deliver("PUT", PATH, body, headers)
    assert replay.status_code == 401
    assert error_code(replay) == "replayed_request"
    # The platform's own retry is signed afresh (a new nonce), and is simply idempotent.
    assert platform.send("PUT", PATH, pre_review_fields(clock)).status_code == 200


def test_a_refused_push_does_not_use_up_its_signature(platform, clock):
    fields = pre_review_fields(clock, service_code="no-such-service")
    body, headers = platform.signed("PUT", PATH, fields)
    assert platform.deliver("PUT", PATH, body, headers).status_code == 404
    # Nothing was stored, so the same signed request fails for the same reason, not as a replay.
    assert error_code(platform.deliver("PUT", PATH, body, headers)) == "not_found"


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


def test_cancellations_of_two_pre_reviews_signed_in_the_same_second_are_both_accepted(
    platform, clock
):
    for application_id in ("APP-1", "APP-2"):
        pushed = platform.send(
            "PUT", f"/api/v1/platform/pre-reviews/{application_id}", pre_review_fields(clock)
        )
        assert pushed.status_code == 200, pushed.get_json()
    same_second = clock()
    first = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-1", at=same_second)
    second = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-2", at=same_second)
    assert (first.status_code, second.status_code) == (200, 200), second.get_json()
    assert [first.get_json()["status"], second.get_json()["status"]] == ["cancelled"] * 2
    assert second.get_json()["application_id"] == "APP-2"


def test_the_same_body_put_to_two_ids_in_one_second_is_accepted_for_both(platform, clock):
    fields = pre_review_fields(clock)  # no code: each pre-review's code is its own id
    same_second = clock()
    first = platform.send("PUT", "/api/v1/platform/pre-reviews/APP-1", fields, at=same_second)
    second = platform.send("PUT", "/api/v1/platform/pre-reviews/APP-2", fields, at=same_second)
    assert (first.status_code, second.status_code) == (200, 200), second.get_json()
    assert second.get_json()["application_id"] == "APP-2"


def test_a_retry_signed_again_within_the_same_second_gets_the_stored_record(platform, clock):
    fields = pre_review_fields(clock)
    same_second = clock()
    first = platform.send("PUT", PATH, fields, at=same_second)
    retry = platform.send("PUT", PATH, fields, at=same_second)  # signed afresh, not replayed
    assert (first.status_code, retry.status_code) == (200, 200), retry.get_json()
    assert retry.get_json() == first.get_json()


def test_a_cancellation_signed_for_one_pre_review_is_refused_for_another(platform, client, clock):
    for application_id in ("APP-1", "APP-2"):
        platform.send(
            "PUT", f"/api/v1/platform/pre-reviews/{application_id}", pre_review_fields(clock)
        )
    body, headers = platform.signed("DELETE", "/api/v1/platform/pre-reviews/APP-1")
    moved = platform.deliver("DELETE", "/api/v1/platform/pre-reviews/APP-2", body, headers)
    assert moved.status_code == 401
    assert error_code(moved) == "bad_signature"
    still = platform.send("PUT", "/api/v1/platform/pre-reviews/APP-2", pre_review_fields(clock))
    assert still.get_json()["status"] == "active"


def test_a_signed_push_cannot_be_used_as_a_cancellation(platform, clock):
    assert platform.send("PUT", PATH, pre_review_fields(clock)).status_code == 200
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))  # captured, unsent
    as_delete = platform.deliver("DELETE", PATH, body, headers)
    assert as_delete.status_code == 401
    assert error_code(as_delete) == "bad_signature"
    assert platform.deliver("PUT", PATH, body, headers).get_json()["status"] == "active"


def test_a_signature_in_upper_case_hex_is_accepted(platform, clock):
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))
    scheme, digest = headers["X-HallQ-Signature"].split("=", 1)
    headers["X-HallQ-Signature"] = f"{scheme}={digest.upper()}"
    response = platform.deliver("PUT", PATH, body, headers)
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    "change",
    [
        {"X-HallQ-Nonce": None},
        {"X-HallQ-Platform": None},
        {"X-HallQ-Timestamp": None},
        {"X-HallQ-Signature": None},
        {"X-HallQ-Platform": "no-such-platform"},
        {"X-HallQ-Timestamp": "1.7e9"},
        {"X-HallQ-Timestamp": "+1796000400"},
        {"X-HallQ-Nonce": "short"},
        {"X-HallQ-Nonce": "has a space in it"},
        {"X-HallQ-Nonce": "another-nonce-than-signed"},
        {"X-HallQ-Signature": "md5=0123"},
    ],
    ids=lambda change: ",".join(f"{name}={value}" for name, value in change.items()),
)
def test_a_request_the_hall_cannot_attribute_is_a_bad_signature(platform, clock, change):
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    response = platform.deliver("PUT", PATH, body, headers)
    assert response.status_code == 401, response.get_json()
    assert error_code(response) == "bad_signature"


def test_the_path_is_signed_percent_decoded_and_a_query_as_sent(platform, clock):
    path = "/api/v1/platform/pre-reviews/预审-7"
    body, headers = platform.signed("PUT", path, pre_review_fields(clock))
    sent = platform.deliver("PUT", quote(path), body, headers)
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["application_id"] == "预审-7"

    body, headers = platform.signed("PUT", f"{PATH}?trace=a%20b", pre_review_fields(clock))
    assert platform.deliver("PUT", f"{PATH}?trace=a%20b", body, headers).status_code == 200
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))
    unsigned_query = platform.deliver("PUT", f"{PATH}?trace=1", body, headers)
    assert error_code(unsigned_query) == "bad_signature"


@pytest.mark.parametrize("content_type", ["text/plain", ""])
def test_a_signed_push_that_is_not_sent_as_json_is_told_so(platform, client, clock, content_type):
    body, headers = platform.signed("PUT", PATH, pre_review_fields(clock))
    response = client.open(
        PATH, method="PUT", data=body, headers=headers, content_type=content_type
    )
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"
    assert platform.send("PUT", PATH, pre_review_fields(clock)).status_code == 200  # as JSON
