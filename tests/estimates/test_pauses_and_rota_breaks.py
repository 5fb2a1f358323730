"""Through the real stack: a pause is timed from when it began, whatever else changes at the
window meanwhile; which rota break a break pause is gets decided when it begins (late, early, or
not at all for a pause planned clearly shorter); and the break taken stays taken."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hall_server.storage.models import Window
from tests.conftest import login_headers
from tests.estimates.test_break_rota_forecast import change_window, issue, median
from tests.factories import build_hall

# The clock starts on Monday 30 November 2026 at 09:00 in Shanghai (tests/conftest.py).


@pytest.fixture
def one_window(app: Any, clock: Any) -> Any:
    """A hall whose one window serves housing."""
    return build_hall(
        app.extensions["hallq_db"], clock(), code="one-window", windows={1: ["housing"]}
    )


def set_window_breaks(client: Any, hall: Any, breaks: list[dict[str, Any]]) -> dict[str, Any]:
    manager = login_headers(client, hall.manager_number)
    response = client.put(
        f"/api/v1/manager/halls/{hall.id}/break-rota/windows/{hall.windows[1]}",
        json={"breaks": breaks},
        headers=manager,
    )
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def stored_window(app: Any, hall: Any) -> Window:
    with app.extensions["hallq_db"].reading() as session:
        window = session.get(Window, hall.windows[1])
        assert window is not None
        return window


def test_a_lunch_is_timed_from_its_start_though_the_windows_services_change_meanwhile(
    app, client, one_window, clock
):
    set_window_breaks(client, one_window, [{"start": "09:00", "minutes": 60}])
    on_lunch = change_window(client, one_window, 1, change="pause", reason="break")
    ticket = issue(client, one_window)
    clock.advance(minutes=30)
    manager = login_headers(client, one_window.manager_number)
    services = client.put(
        f"/api/v1/windows/{one_window.windows[1]}/services",
        json={"service_ids": [one_window.services["housing"]]},
        headers=manager,
    )
    assert services.status_code == 200, services.get_json()
    after_services = median(client, ticket)
    clerk = login_headers(client, one_window.clerk_numbers[1])
    taken = client.post(f"/api/v1/windows/{one_window.windows[1]}/take", headers=clerk)
    assert taken.status_code == 200, taken.get_json()
    after_taking_again = median(client, ticket)

    assert on_lunch["pause_minutes"] == 60
    assert taken.get_json()["status"] == "paused"
    # Half the hour is gone: about half an hour to go, not a whole hour from the last change.
    assert 25 <= after_services <= 40
    assert 25 <= after_taking_again <= 40
    assert stored_window(app, one_window).paused_at == clock() - timedelta(minutes=30)
    # Screens read when the pause began, and so when the window is back, from the window too.
    began = (clock() - timedelta(minutes=30)).isoformat()
    assert services.get_json()["paused_at"] == began
    # What the window serves is not its state: paused since the lunch began.
    assert services.get_json()["status_changed_at"] == began
    # A clerk sitting down dates the window's state anew; the pause's start stays.
    assert taken.get_json()["paused_at"] == began != taken.get_json()["status_changed_at"]


def test_when_a_pause_began_is_forgotten_once_the_window_resumes_or_closes(app, client, one_window):
    change_window(client, one_window, 1, change="pause", reason="other", pause_minutes=10)
    assert stored_window(app, one_window).paused_at is not None

    resumed = change_window(client, one_window, 1, change="resume")
    assert stored_window(app, one_window).paused_at is None
    assert resumed["paused_at"] is None
    change_window(client, one_window, 1, change="pause", reason="meeting")
    change_window(client, one_window, 1, change="close")
    assert stored_window(app, one_window).paused_at is None


def test_a_short_pause_just_before_lunch_leaves_the_lunch_to_come(app, client, one_window, clock):
    set_window_breaks(client, one_window, [{"start": "09:20", "minutes": 60}])
    clock.advance(minutes=15)

    paused = change_window(client, one_window, 1, change="pause", reason="break", pause_minutes=10)
    ticket = issue(client, one_window)
    during = median(client, ticket)
    clock.advance(minutes=10)
    change_window(client, one_window, 1, change="resume")
    after = median(client, ticket)

    assert paused["pause_minutes"] == 10
    # The ten minutes, then lunch as soon as the window is free: the ticket waits it out.
    assert during >= 60
    assert after >= 50
    assert stored_window(app, one_window).last_break_id is None


def test_a_break_begun_after_its_rota_time_is_that_break_and_is_not_expected_again(
    app, client, one_window, clock
):
    rota = set_window_breaks(client, one_window, [{"start": "09:00", "minutes": 15}])
    clock.advance(minutes=18)  # the clerk was serving until now
    ticket = issue(client, one_window)
    owed = median(client, ticket)

    late = change_window(client, one_window, 1, change="pause", reason="break")
    clock.advance(minutes=12)
    change_window(client, one_window, 1, change="resume")

    assert owed >= 10  # the break is still to come, from when the window is free
    assert late["pause_minutes"] == 15  # the rota's: this pause is that break
    assert stored_window(app, one_window).last_break_id == rota["breaks"][0]["id"]
    assert median(client, ticket) == 0


def test_a_break_taken_stays_taken_when_the_manager_edits_the_windows_other_breaks(
    app, client, one_window, clock
):
    lunch = {"start": "09:00", "minutes": 60, "label": "午休"}
    before = set_window_breaks(client, one_window, [lunch])
    change_window(client, one_window, 1, change="pause", reason="break")
    after = set_window_breaks(
        client, one_window, [{**lunch, "label": "午休 lunch"}, {"start": "15:00", "minutes": 15}]
    )
    clock.advance(minutes=10)
    change_window(client, one_window, 1, change="resume")  # back early
    ticket = issue(client, one_window)

    kept = next(b for b in after["breaks"] if b["start"] == "09:00")
    assert kept["id"] == before["breaks"][0]["id"] and kept["label"] == "午休 lunch"
    assert stored_window(app, one_window).last_break_id == kept["id"]
    assert median(client, ticket) == 0  # lunch is not expected a second time
