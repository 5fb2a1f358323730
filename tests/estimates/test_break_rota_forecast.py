"""The forecast through the real stack knows the hall's break rota and how long a pause is meant
to last: breaks to come lengthen the waits they hold up, a break already begun is not expected
again, and a rota change is in the very next promise."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login_headers, make_app
from tests.factories import build_hall

# The clock starts on Monday 30 November 2026 at 09:00 in Shanghai (tests/conftest.py).


def issue(client: Any, hall: Any, service: str = "housing") -> dict[str, Any]:
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def median(client: Any, ticket: dict[str, Any]) -> int:
    response = client.get(f"/api/v1/ticket-status/{ticket['status_token']}")
    assert response.status_code == 200, response.get_json()
    return int(response.get_json()["estimated_wait"]["median_minutes"])


def new_ticket_median(client: Any, hall: Any, service: str = "housing") -> int:
    board = client.get(f"/api/v1/halls/{hall.id}/board").get_json()
    row = next(r for r in board["waiting"] if r["service_id"] == hall.services[service])
    return int(row["estimated_wait_for_new_ticket"]["median_minutes"])


def set_rota(client: Any, hall: Any, breaks: list[dict[str, Any]]) -> dict[str, Any]:
    manager = login_headers(client, hall.manager_number)
    response = client.put(
        f"/api/v1/manager/halls/{hall.id}/break-rota", json={"breaks": breaks}, headers=manager
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def change_window(client: Any, hall: Any, number: int, **body: Any) -> dict[str, Any]:
    clerk = login_headers(client, hall.clerk_numbers[number])
    response = client.post(
        f"/api/v1/windows/{hall.windows[number]}/state", json=body, headers=clerk
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def one_window(app: Any, clock: Any) -> Any:
    """A hall whose one window serves housing."""
    return build_hall(
        app.extensions["hallq_db"], clock(), code="one-window", windows={1: ["housing"]}
    )


def test_a_queue_whose_windows_all_go_on_a_break_soon_is_promised_a_longer_wait(client, hall):
    tickets = [issue(client, hall) for _ in range(6)]  # both windows serve housing
    before, new_before = median(client, tickets[-1]), new_ticket_median(client, hall)

    set_rota(
        client,
        hall,
        [
            {"window_id": hall.windows[1], "start": "09:10", "minutes": 60, "label": "例会"},
            {"window_id": hall.windows[2], "start": "09:10", "minutes": 60},
        ],
    )

    assert median(client, tickets[-1]) >= before + 30
    assert new_ticket_median(client, hall) >= new_before + 30
    # The same breaks on another weekday change nothing today (a Monday).
    set_rota(
        client,
        hall,
        [
            {"window_id": hall.windows[n], "start": "09:10", "minutes": 60, "weekdays": ["tue"]}
            for n in (1, 2)
        ],
    )
    assert median(client, tickets[-1]) == before


def test_a_pause_planned_for_an_hour_promises_a_longer_wait_than_one_for_five_minutes(
    client, one_window
):
    paused = change_window(client, one_window, 1, change="pause", reason="other", pause_minutes=5)
    ticket = issue(client, one_window)
    short = median(client, ticket)

    change_window(client, one_window, 1, change="resume")
    again = change_window(client, one_window, 1, change="pause", reason="other", pause_minutes=60)
    long = median(client, ticket)

    assert paused["pause_minutes"] == 5 and again["pause_minutes"] == 60
    assert short <= 10
    assert 45 <= long <= 75
    assert change_window(client, one_window, 1, change="resume")["pause_minutes"] is None


def test_a_break_at_its_rota_time_lasts_the_rotas_minutes_and_is_not_expected_twice(
    client, one_window, clock
):
    set_rota(
        client, one_window, [{"window_id": one_window.windows[1], "start": "09:00", "minutes": 45}]
    )
    ticket = issue(client, one_window)
    assert median(client, ticket) >= 35  # the idle window is about to go on its break

    on_break = change_window(client, one_window, 1, change="pause", reason="break")
    during = median(client, ticket)
    clock.advance(minutes=5)
    back = change_window(client, one_window, 1, change="resume")  # back early
    after = median(client, ticket)

    assert on_break["pause_minutes"] == 45  # the rota's, as the clerk gave none
    assert 35 <= during <= 55  # the break once, not the pause and the rota's break after it
    assert back["pause_minutes"] is None
    assert after == 0  # the break was taken: the window calls the ticket at once


def test_a_walk_in_issued_right_after_a_rota_change_is_promised_the_new_plan(sqlite_url, clock):
    # Kept forecasts are refreshed only every hour here, as on a busy server between refreshes.
    application = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = application.test_client()
        hall = build_hall(application.extensions["hallq_db"], clock())
        tickets = [issue(client, hall) for _ in range(5)]
        median(client, tickets[-1])  # a read keeps the hall's forecast
        set_rota(
            client,
            hall,
            [{"window_id": hall.windows[n], "start": "09:05", "minutes": 90} for n in (1, 2)],
        )

        walk_in = issue(client, hall)

        promised = walk_in["estimated_wait"]["median_minutes"]
        assert promised >= 60
        assert promised == median(client, walk_in)
    finally:
        application.extensions["hallq_db"].dispose()


def test_planned_minutes_go_with_a_pause_only_and_within_four_hours(client, one_window):
    clerk = login_headers(client, one_window.clerk_numbers[1])
    path = f"/api/v1/windows/{one_window.windows[1]}/state"

    for minutes in (0, 241):
        refused = client.post(
            path,
            json={"change": "pause", "reason": "break", "pause_minutes": minutes},
            headers=clerk,
        )
        assert refused.status_code == 422
        assert refused.get_json()["error"]["code"] == "invalid_pause_minutes"
        assert refused.get_json()["error"]["field"] == "pause_minutes"
    closing = client.post(path, json={"change": "close", "pause_minutes": 10}, headers=clerk)
    assert closing.status_code == 422
    assert closing.get_json()["error"]["code"] == "invalid_change"

    windows = client.get(f"/api/v1/halls/{one_window.id}/windows").get_json()
    assert (windows[0]["status"], windows[0]["pause_minutes"]) == ("open", None)
    change_window(client, one_window, 1, change="pause", reason="meeting", pause_minutes=30)
    assert change_window(client, one_window, 1, change="close")["pause_minutes"] is None
