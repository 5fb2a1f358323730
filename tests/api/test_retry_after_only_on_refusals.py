"""The rate limiter's headers: X-RateLimit-* on every limited answer, Retry-After only on the
429 that asks the client to wait (a Retry-After on a 201 would make a client or proxy wait for
nothing)."""

from __future__ import annotations

from tests.conftest import make_app
from tests.factories import build_hall


def test_issued_tickets_carry_the_limit_headers_but_no_retry_after(sqlite_url, clock):
    app = make_app(sqlite_url, clock, RATELIMIT_ENABLED=True, RATELIMIT_ISSUE="2 per minute")
    hall = build_hall(app.extensions["hallq_db"], clock())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {hall.kiosk_token}"}
    body = {"service_id": hall.services["housing"]}

    answers = [
        client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=headers)
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    for issued in answers[:2]:
        assert issued.headers["X-RateLimit-Limit"] == "2"
        assert "X-RateLimit-Remaining" in issued.headers
        assert "Retry-After" not in issued.headers
    waited = int(answers[2].headers["Retry-After"])
    assert 0 < waited <= 60
    app.extensions["hallq_db"].dispose()
