"""Wait forecasts through the real stack: on the issued ticket, its print job, its record, the
board and the ticket's status page; refreshed as the hall changes, the same in every process."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hall_server.core.calling_policy import FirstComeFirstServed
from hall_server.operations import ticket_handling, wait_predictions
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.models import Hall, Ticket
from tests.conftest import login_headers, make_app
from tests.factories import build_hall

MONDAY_1000_SHANGHAI = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def issue(client, hall, service="housing"):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def status_of(client, ticket):
    response = client.get(f"/api/v1/ticket-status/{ticket['status_token']}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def board_row(client, hall, service="housing"):
    board = client.get(f"/api/v1/halls/{hall.id}/board").get_json()
    return next(row for row in board["waiting"] if row["service_id"] == hall.services[service])


def test_an_issued_ticket_carries_its_forecast_on_paper_and_in_the_record(client, hall, app):
    tickets = [issue(client, hall) for _ in range(5)]
    last = tickets[-1]

    estimate = last["estimated_wait"]
    assert last["people_ahead"] == 4
    assert 0 < estimate["median_minutes"] < 60
    assert estimate["low_minutes"] <= estimate["median_minutes"] <= estimate["high_minutes"]
    assert estimate["over_limit"] is False
    payload = last["print_job"]["payload"]
    assert payload["people_ahead"] == 4
    assert payload["estimated_wait_minutes"] == [estimate["low_minutes"], estimate["high_minutes"]]
    assert payload["wait_kind"] == "range"
    with app.extensions["hallq_db"].reading() as session:
        recorded = session.get(Ticket, last["id"])
        assert (
            recorded.predicted_wait_low_minutes,
            recorded.predicted_wait_p50_minutes,
            recorded.predicted_wait_high_minutes,
        ) == (estimate["low_minutes"], estimate["median_minutes"], estimate["high_minutes"])
    # Two idle windows call the first two at once: their promise is no wait at all.
    assert tickets[0]["estimated_wait"]["high_minutes"] == 0


def test_the_board_shows_each_services_wait_for_a_new_ticket(client, hall):
    empty = board_row(client, hall)
    for _ in range(6):
        issue(client, hall)

    housing, business = board_row(client, hall), board_row(client, hall, "business")

    assert empty["estimated_wait_for_new_ticket"]["median_minutes"] == 0
    assert housing["waiting"] == 6 and housing["open_windows"] == 2
    assert housing["estimated_wait_for_new_ticket"]["median_minutes"] > 0
    # Window 1 serves business too, so a new business ticket also waits behind the housing queue.
    assert business["estimated_wait_for_new_ticket"]["median_minutes"] > 0
    # The kiosk's next ticket is promised what the board shows for a new one.
    nxt = issue(client, hall)
    assert nxt["estimated_wait"] == housing["estimated_wait_for_new_ticket"]


def test_with_no_window_open_for_a_service_there_is_no_estimate(client, hall):
    for number in (1, 2):
        clerk = login_headers(client, hall.clerk_numbers[number])
        closed = client.post(
            f"/api/v1/windows/{hall.windows[number]}/state", json={"change": "close"}, headers=clerk
        )
        assert closed.status_code == 200, closed.get_json()

    ticket = issue(client, hall)

    assert ticket["estimated_wait"] is None
    assert ticket["people_ahead"] == 0
    assert ticket["print_job"]["payload"]["wait_kind"] == "unknown"  # not "about 0 min"
    assert board_row(client, hall)["estimated_wait_for_new_ticket"] is None


def test_a_waiting_tickets_forecast_follows_the_hall_as_it_changes(client, hall, clock):
    tickets = [issue(client, hall) for _ in range(6)]
    before = status_of(client, tickets[-1])
    clerk = login_headers(client, hall.clerk_numbers[2])

    called = client.post(f"/api/v1/windows/{hall.windows[2]}/call-next", headers=clerk)
    assert called.status_code == 200
    after_call = status_of(client, tickets[-1])
    clock.advance(minutes=4)
    later = status_of(client, tickets[-1])

    assert before["people_ahead"] == 5 and after_call["people_ahead"] == 4
    assert later["estimated_wait"]["median_minutes"] <= before["estimated_wait"]["median_minutes"]


def test_every_server_process_promises_the_same_wait(client, hall):
    tickets = [issue(client, hall) for _ in range(4)]
    clerk = login_headers(client, hall.clerk_numbers[1])
    client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)

    first = status_of(client, tickets[-1])
    wait_predictions.forget_cached_forecasts()  # as a second process with nothing cached
    second = status_of(client, tickets[-1])

    assert first["estimated_wait"] == second["estimated_wait"]
    assert first["people_ahead"] == second["people_ahead"]


def _count_forecasts(monkeypatch) -> list[int]:
    computed: list[int] = []
    original = wait_predictions.predict_hall

    def counting(state, *args, **kwargs):
        computed.append(len(state.waiting))
        return original(state, *args, **kwargs)

    monkeypatch.setattr(wait_predictions, "predict_hall", counting)
    return computed


def test_a_forecast_is_computed_once_per_change_of_the_hall(client, hall, monkeypatch):
    computed = _count_forecasts(monkeypatch)
    ticket = [issue(client, hall) for _ in range(3)][-1]
    clerk = login_headers(client, hall.clerk_numbers[1])
    called = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)
    assert called.status_code == 200
    computed.clear()

    for _ in range(3):
        board_row(client, hall)
        status_of(client, ticket)
    assert len(computed) == 1  # one hall state, read by every board and phone


def test_issuing_never_forecasts_the_hall_inside_its_transaction(sqlite_url, clock, monkeypatch):
    """With a refresh interval longer than the test, the one forecast made after the first
    ticket serves every later one: each stands behind those issued since, one more ahead."""
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = app.test_client()
        hall = build_hall(app.extensions["hallq_db"], clock())
        computed = _count_forecasts(monkeypatch)
        first = issue(client, hall)
        assert len(computed) == 2  # nothing kept yet: in the transaction, then kept after it
        tickets = [first]
        for _ in range(5):
            clock.advance(seconds=10)
            tickets.append(issue(client, hall))
        assert len(computed) == 2
        assert [t["people_ahead"] for t in tickets] == [0, 1, 2, 3, 4, 5]
        medians = [t["estimated_wait"]["median_minutes"] for t in tickets]
        assert medians == sorted(medians) and medians[-1] > medians[1]
        # A phone reads the hall as it is now: one forecast, shared by every reader after it.
        status = status_of(client, tickets[-1])
        assert status["people_ahead"] == 5
        assert status_of(client, tickets[0])["people_ahead"] == 0
        assert len(computed) == 3
    finally:
        app.extensions["hallq_db"].dispose()


def test_a_forecast_many_tickets_behind_is_made_anew_even_within_the_interval(
    sqlite_url, clock, monkeypatch
):
    monkeypatch.setattr(wait_predictions, "MAX_LATER_TICKETS", 3)
    monkeypatch.setattr(wait_predictions, "MIN_REFRESH_SECONDS", 0.0)
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = app.test_client()
        hall = build_hall(app.extensions["hallq_db"], clock())
        computed = _count_forecasts(monkeypatch)
        tickets = [issue(client, hall) for _ in range(6)]
        # Made in the first transaction and after it; the fifth ticket stood behind four
        # issued since (more than three), so a new forecast was made after its commit.
        assert len(computed) == 3
        assert [t["people_ahead"] for t in tickets] == [0, 1, 2, 3, 4, 5]
    finally:
        app.extensions["hallq_db"].dispose()


def test_a_burst_of_issues_shares_one_forecast_until_the_minimum_interval(
    sqlite_url, clock, monkeypatch
):
    """A kiosk bank's burst places walk-ins behind the tickets issued since the kept forecast
    instead of forecasting the hall again for every few tickets; each still stands right."""
    monkeypatch.setattr(wait_predictions, "MAX_LATER_TICKETS", 3)
    monkeypatch.setattr(wait_predictions, "MIN_REFRESH_SECONDS", 3600.0)
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = app.test_client()
        hall = build_hall(app.extensions["hallq_db"], clock())
        computed = _count_forecasts(monkeypatch)
        tickets = [issue(client, hall) for _ in range(10)]
        assert len(computed) == 2  # in the first transaction, and kept after it: no more
        assert [t["people_ahead"] for t in tickets] == list(range(10))
        medians = [t["estimated_wait"]["median_minutes"] for t in tickets]
        assert medians == sorted(medians) and medians[-1] > medians[2]
        # Once the interval has passed, the next walk-in far behind brings a new forecast.
        monkeypatch.setattr(wait_predictions, "MIN_REFRESH_SECONDS", 0.0)
        issue(client, hall)
        assert len(computed) == 3
    finally:
        app.extensions["hallq_db"].dispose()


def test_a_late_walk_in_is_placed_as_an_exact_forecast_would_place_it(
    sqlite_url, clock, monkeypatch
):
    """The stand-in for a fresh forecast (the kept one, shifted behind the tickets issued
    since) promises close to what a fresh forecast promises."""
    stale_app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        client = stale_app.test_client()
        hall = build_hall(stale_app.extensions["hallq_db"], clock())
        for _ in range(8):
            clock.advance(seconds=20)
            placed = issue(client, hall)
        wait_predictions.forget_cached_forecasts()
        exact = status_of(client, placed)
    finally:
        stale_app.extensions["hallq_db"].dispose()
    assert placed["people_ahead"] == exact["people_ahead"] == 7
    shifted, fresh = placed["estimated_wait"], exact["estimated_wait"]
    assert abs(shifted["median_minutes"] - fresh["median_minutes"]) <= max(
        3, 0.25 * fresh["median_minutes"]
    )


def test_the_hall_is_read_alike_from_sqlite_and_postgresql(any_database):
    hall = build_hall(any_database, MONDAY_1000_SHANGHAI)
    for _ in range(4):
        with any_database.transaction() as uow:
            issue_ticket(
                uow,
                hall.kiosk(),
                IssueRequest(hall_id=hall.id, service_id=hall.services["housing"]),
                MONDAY_1000_SHANGHAI,
                "secret",
                "http://hall",
            )
    with any_database.transaction() as uow:
        ticket_handling.call_next_ticket(uow, hall.clerk(2), hall.windows[2], MONDAY_1000_SHANGHAI)

    later = MONDAY_1000_SHANGHAI + timedelta(minutes=3)
    with any_database.reading() as session:
        stored = session.get(Hall, hall.id)
        prediction = wait_predictions.hall_prediction(
            session, stored, FirstComeFirstServed(), later
        )
        waiting = list(
            session.scalars(select(Ticket.id).where(Ticket.status == "waiting").order_by(Ticket.id))
        )

    assert [prediction.tickets[t].people_ahead for t in waiting] == [0, 1, 2]
    assert prediction.tickets[waiting[0]].high_seconds == 0  # window 1 is free
    assert prediction.tickets[waiting[2]].median_seconds > 0
    assert prediction.new_ticket[hall.services["business"]] is not None


def test_requests_committing_while_a_forecast_is_made_leave_it_to_that_one(
    sqlite_url, clock, monkeypatch
):
    """A kiosk bank issuing at once: every commit finds the kept forecast behind, but while one
    request of the process is making the new one, the others do not make it again."""
    app = make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=0.0)
    try:
        hall = build_hall(app.extensions["hallq_db"], clock())
        issue(app.test_client(), hall)
        computed: list[int] = []
        making, may_finish = threading.Event(), threading.Event()
        original = wait_predictions.predict_hall

        def slow(state, *args, **kwargs):
            computed.append(len(state.waiting))
            making.set()
            may_finish.wait(timeout=5)  # without the fix the others wait here: fail, not hang
            return original(state, *args, **kwargs)

        monkeypatch.setattr(wait_predictions, "predict_hall", slow)
        first = threading.Thread(target=issue, args=(app.test_client(), hall))
        first.start()
        assert making.wait(timeout=30)  # the first request is making the forecast
        others = [issue(app.test_client(), hall) for _ in range(3)]
        may_finish.set()
        first.join(timeout=30)

        assert len(computed) == 1
        assert [t["people_ahead"] for t in others] == [2, 3, 4]
    finally:
        app.extensions["hallq_db"].dispose()
