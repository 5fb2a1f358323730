"""Two clerks call the same number at the same instant: exactly one gets the visitor."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import login_headers, make_app
from tests.factories import build_hall


@pytest.fixture
def racing_app(database_url: str, clock: Any) -> Any:
    application = make_app(database_url, clock)
    yield application, build_hall(application.extensions["hallq_db"], clock())
    application.extensions["hallq_db"].dispose()


def _race(app: Any, calls: list[tuple[dict[str, str], str, dict[str, Any]]]) -> list[Any]:
    """Fire the requests from threads released together; each thread has its own client."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int, headers: dict[str, str], path: str, body: dict[str, Any]) -> None:
        client = app.test_client()
        barrier.wait()
        answers[index] = client.post(path, json=body, headers=headers)

    threads = [
        threading.Thread(target=run, args=(index, *call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize("attempt", range(3))
def test_two_windows_calling_the_same_number_only_one_wins(racing_app, attempt):
    app, hall = racing_app
    client = app.test_client()
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()
    clerks = {number: login_headers(client, hall.clerk_numbers[number]) for number in (1, 2)}

    answers = _race(
        app,
        [
            (
                clerks[number],
                f"/api/v1/windows/{hall.windows[number]}/call-number",
                {"number": "A001"},
            )
            for number in (1, 2)
        ],
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409], [answer.get_json() for answer in answers]
    winner = next(answer for answer in answers if answer.status_code == 200).get_json()
    loser = next(answer for answer in answers if answer.status_code == 409).get_json()
    assert loser["error"]["code"] == "invalid_transition"
    stored = client.get(f"/api/v1/tickets/{ticket['id']}", headers=clerks[1]).get_json()
    assert stored["status"] == "called"
    assert stored["window"]["id"] == winner["window"]["id"]


def test_the_pad_and_the_phone_rating_one_case_at_once_store_one_rating(racing_app):
    from hall_server.storage.models import Rating
    from tests.counter.conftest import enrol_rating_pad

    app, hall = racing_app
    client = app.test_client()
    database = app.extensions["hallq_db"]
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    client.post(f"/api/v1/windows/{window}/tickets/{ticket['id']}/start", headers=clerk)
    client.post(
        f"/api/v1/windows/{window}/tickets/{ticket['id']}/finish",
        json={"outcome": "completed"},
        headers=clerk,
    )
    pad = {"Authorization": f"Bearer {enrol_rating_pad(database, hall, 1, app.config['CLOCK']())}"}

    answers = _race(
        app,
        [
            (pad, "/api/v1/rating-pad/ratings", {"ticket_id": ticket["id"], "level": "satisfied"}),
            (
                {},
                f"/api/v1/ticket-status/{ticket['status_token']}/rating",
                {"level": "dissatisfied"},
            ),
        ],
    )

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    with database.reading() as session:
        assert session.query(Rating).filter_by(ticket_id=ticket["id"]).count() == 1
