"""Retried requests with an Idempotency-Key return the first answer; floods get 429."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from hall_server.storage.models import Ticket
from tests.conftest import login_headers, make_app
from tests.factories import PASSWORD, build_hall


def test_a_retried_issue_returns_the_same_ticket(app, client, hall):
    headers = {"Authorization": f"Bearer {hall.kiosk_token}", "Idempotency-Key": "tap-1"}
    body = {"service_id": hall.services["housing"]}
    first = client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=headers)
    again = client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_retried_call_next_does_not_call_a_second_ticket(client, hall):
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    for _ in range(2):
        client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services["housing"]},
            headers=kiosk,
        )
    clerk = {**login_headers(client, hall.clerk_numbers[1]), "Idempotency-Key": "call-7"}
    first = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)
    again = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)
    assert first.get_json()["number"] == again.get_json()["number"] == "A001"
    board = client.get(f"/api/v1/halls/{hall.id}/board").get_json()
    assert board["total_waiting"] == 1


def test_reusing_a_key_for_a_different_request_is_refused(client, hall):
    headers = {"Authorization": f"Bearer {hall.kiosk_token}", "Idempotency-Key": "k"}
    client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=headers,
    )
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["business"]},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_a_kiosk_flooding_the_issue_endpoint_gets_429(sqlite_url, clock):
    app = make_app(sqlite_url, clock, RATELIMIT_ENABLED=True, RATELIMIT_ISSUE="3 per minute")
    hall = build_hall(app.extensions["hallq_db"], clock())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {hall.kiosk_token}"}
    body = {"service_id": hall.services["housing"]}
    statuses = [
        client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=headers).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    last = client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=headers)
    assert last.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in last.headers
    app.extensions["hallq_db"].dispose()


def test_an_oversized_idempotency_key_is_a_bad_request_that_issues_nothing(app, client, hall):
    headers = {"Authorization": f"Bearer {hall.kiosk_token}", "Idempotency-Key": "k" * 201}
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=headers,
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_made_up_token_is_refused_without_waiting_for_the_sqlite_write_lock(
    sqlite_url, client, hall
):
    """A counter holds the write lock (here: another connection, mid-transaction); a request
    with a token nobody issued is told so at once, instead of queueing for the lock and
    answering 503 once the wait runs out."""
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        answer = client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services["housing"]},
            headers={"Authorization": "Bearer u_made-up-token"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert answer.status_code == 401, answer.get_json()
    assert answer.get_json()["error"]["code"] == "unauthorized"


def test_login_limits_count_tries_per_staff_number_and_many_clerks_behind_one_address(
    sqlite_url, clock
):
    """Guessing one account's password is stopped; a hall's clerks logging in together from
    one address (their PCs behind one router) are not, until the per-address limit."""
    app = make_app(
        sqlite_url,
        clock,
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        RATELIMIT_LOGIN_ADDRESS="5 per minute",
    )
    hall = build_hall(app.extensions["hallq_db"], clock())
    client = app.test_client()

    def log_in(staff_number, password):
        body = {"staff_number": staff_number, "password": password}
        return client.post("/api/v1/auth/login", json=body).status_code

    clerk, other_clerk = hall.clerk_numbers[1], hall.clerk_numbers[2]
    guesses = [log_in(clerk, f"guess-{n}") for n in range(4)]
    assert guesses == [401, 401, 401, 429]
    assert log_in(other_clerk, PASSWORD) == 200  # the same address, another account
    assert log_in(hall.manager_number, PASSWORD) == 429  # the address's 6th try this minute
    app.extensions["hallq_db"].dispose()
