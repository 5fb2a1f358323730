"""A walk-in reads the same before and after taking a ticket (the kiosk's or the phone's
preview, the issue answer, the status page a moment later) when nothing else happened, and the
people ahead are those the windows able to serve it call first."""

from __future__ import annotations

from sqlalchemy import update

from hall_server.operations import wait_predictions, window_operations
from hall_server.storage.models import Hall
from tests.conftest import make_app
from tests.estimates.test_estimates_api import issue, status_of
from tests.factories import build_hall


def preview(client, hall, service):
    response = client.get(
        f"/kiosk/preview.json?service_id={hall.services[service]}",
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_tickets_issued_since_the_kept_forecast_count_by_the_windows_they_share(sqlite_url, clock):
    """Window 1 serves housing and business, windows 2 and 3 business alone. Business tickets
    issued since the kept forecast are called at windows 2 and 3 as often as at window 1: a
    housing walk-in placed by the kept forecast stands behind a third of them, as a fresh
    forecast of the same hall says, not behind all."""
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = app.test_client()
        hall = build_hall(
            app.extensions["hallq_db"],
            clock(),
            windows={1: ["housing", "business"], 2: ["business"], 3: ["business"]},
        )
        issue(client, hall)  # the forecast kept after it serves the issues below
        clock.advance(seconds=10)
        for _ in range(9):
            issue(client, hall, "business")
            clock.advance(seconds=1)
        placed = issue(client, hall)
        wait_predictions.forget_cached_forecasts()
        fresh = status_of(client, placed)
    finally:
        app.extensions["hallq_db"].dispose()

    # Window 1 calls the first housing ticket and every third business one before it.
    assert fresh["people_ahead"] == 4
    assert placed["people_ahead"] == fresh["people_ahead"]
    shifted, exact = placed["estimated_wait"], fresh["estimated_wait"]
    assert abs(shifted["median_minutes"] - exact["median_minutes"]) <= max(
        3, 0.25 * exact["median_minutes"]
    )


def test_the_preview_before_taking_is_what_the_ticket_reads_once_taken(sqlite_url, clock):
    """Under the due-time policy a comprehensive window weighs each service's backlog: a new
    ticket of one service is not called when one of another service would be, though the same
    windows serve both. The preview says what the ticket then reads, nothing having changed."""
    app = make_app(sqlite_url, clock)
    try:
        client = app.test_client()
        database = app.extensions["hallq_db"]
        hall = build_hall(
            database,
            clock(),
            services={"housing": "A", "business": "B", "permits": "C"},
            windows={1: ["housing", "business", "permits"], 2: ["housing", "business", "permits"]},
        )
        with database.transaction() as uow:
            uow.session.execute(
                update(Hall).where(Hall.id == hall.id).values(calling_policy="due_time")
            )
        for _ in range(8):
            issue(client, hall)
            clock.advance(seconds=60)
        for _ in range(2):
            issue(client, hall, "business")
            clock.advance(seconds=20)
        for service in ("housing", "business", "permits"):
            before = preview(client, hall, service)
            taken = issue(client, hall, service)
            after = status_of(client, taken)
            assert before["people_ahead"] == taken["people_ahead"] == after["people_ahead"], service
            # The same rule, and the same runs: what differs is that the ticket now counts in
            # its service's backlog, which the preview (hypothetical) did not move.
            median = before["estimated_wait"]["median_minutes"]
            for estimate in (taken["estimated_wait"], after["estimated_wait"]):
                assert abs(estimate["median_minutes"] - median) <= max(3, 0.1 * median), service
            # Undo it: the next service is previewed in the same hall.
            cancelled = client.post(
                f"/api/v1/ticket-status/{taken['status_token']}/cancel", json={}
            )
            assert cancelled.status_code == 200, cancelled.get_json()
    finally:
        app.extensions["hallq_db"].dispose()


def test_a_walk_in_issued_after_its_only_window_closed_is_told_so_at_once(sqlite_url, clock):
    """A window closing (its clerk leaves) is no change of plan, so a forecast kept from before
    may still be read: the walk-in issued next must not be told a wait at the window that just
    closed, and then, on its status page a moment later, that no window serves it."""
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = app.test_client()
        database = app.extensions["hallq_db"]
        hall = build_hall(database, clock(), windows={1: ["housing", "business"], 2: ["housing"]})
        for _ in range(3):
            issue(client, hall)
            issue(client, hall, "business")
        clock.advance(seconds=30)
        with database.transaction() as uow:
            window_operations.release_window(uow, hall.clerk(1), hall.windows[1], clock())
        clock.advance(seconds=5)
        taken = issue(client, hall, "business")
        after = status_of(client, taken)
    finally:
        app.extensions["hallq_db"].dispose()

    assert after["estimated_wait"] is None  # no window serves business now: it says so
    assert taken["estimated_wait"] is None
    assert taken["print_job"]["payload"]["wait_kind"] == "unknown"
    assert taken["people_ahead"] == after["people_ahead"] == 3
