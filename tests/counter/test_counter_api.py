"""Every counter action through the HTTP API, as the clerk's page and terminal send them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hall_server.storage.models import TicketEvent
from tests.conftest import login_headers, make_app
from tests.counter.conftest import Counter
from tests.factories import build_hall


def test_clerk_calls_starts_and_finishes_with_case_number_and_note(counter1, issue, clock):
    ticket = issue()
    clock.advance(minutes=7)

    called = counter1.call_next()
    assert (called["id"], called["status"]) == (ticket["id"], "called")
    desk = counter1.desk()
    assert desk["ticket"]["number"] == "A001"
    assert desk["ticket"]["waited_seconds"] == 7 * 60
    assert desk["window"]["clerk"]["staff_number"] == counter1.hall.clerk_numbers[1]

    started = counter1.ok(counter1.act(ticket["id"], "start"))
    assert started["status"] == "serving"
    clock.advance(minutes=4)
    finished = counter1.ok(
        counter1.act(
            ticket["id"],
            "finish",
            {"outcome": "needs_correction", "case_number": "ZJ-2026-88", "note": "缺户口本"},
        )
    )
    assert (finished["status"], finished["outcome"]) == ("finished", "needs_correction")
    assert counter1.desk()["ticket"] is None
    figures = counter1.figures()
    assert figures["served"] == 1
    assert figures["by_outcome"]["needs_correction"] == 1
    assert figures["average_handling_seconds"] == 4 * 60
    assert figures["average_wait_seconds"] == 7 * 60


@pytest.mark.parametrize(
    "outcome", ["completed", "accepted", "needs_correction", "rejected", "enquiry"]
)
def test_every_outcome_closes_the_case(counter1, issue, outcome):
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    finished = counter1.ok(counter1.act(ticket["id"], "finish", {"outcome": outcome}))
    assert finished["outcome"] == outcome


def test_unknown_outcome_is_refused_by_name(counter1, issue):
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    response = counter1.act(ticket["id"], "finish", {"outcome": "done"})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "outcome"
    assert counter1.desk()["ticket"]["status"] == "serving"


def test_finish_before_start_is_refused_and_the_ticket_stays_called(counter1, issue):
    ticket = issue()
    counter1.call_next()
    response = counter1.act(ticket["id"], "finish", {"outcome": "completed"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition" and "办理中" in error["message"]  # serving
    assert counter1.desk()["ticket"]["status"] == "called"


def test_recall_over_the_limit_is_refused_and_the_count_stays(counter1, issue):
    ticket = issue()
    counter1.call_next()
    for expected in (1, 2):  # the test hall allows two recalls
        assert counter1.ok(counter1.act(ticket["id"], "recall"))["recall_count"] == expected
    response = counter1.act(ticket["id"], "recall")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "recall_limit_reached"
    assert counter1.desk()["ticket"]["recall_count"] == 2


def test_clerk_cannot_act_on_a_ticket_at_another_window(counter1, counter2, issue):
    ticket = issue()
    counter1.call_next()

    through_own_window = counter2.act(ticket["id"], "start")
    assert through_own_window.status_code == 409
    assert through_own_window.get_json()["error"]["code"] == "ticket_at_other_window"

    through_their_window = counter2.post(f"/windows/{counter1.window}/tickets/{ticket['id']}/start")
    assert through_their_window.status_code == 403
    assert through_their_window.get_json()["error"]["code"] == "not_your_window"
    assert counter1.desk()["ticket"]["status"] == "called"


def test_taking_a_window_someone_holds_is_refused(counter1, counter2):
    response = counter2.post(f"/windows/{counter1.window}/take")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "window_taken"
    assert counter1.desk()["window"]["clerk"]["id"] == counter1.hall.clerks[1]


def test_release_then_another_clerk_takes_the_window(counter1, counter2):
    released = counter1.ok(counter1.post(f"/windows/{counter1.window}/release"))
    assert (released["status"], released["clerk"]) == ("closed", None)
    taken = counter2.ok(counter2.post(f"/windows/{counter1.window}/take"))
    assert taken["status"] == "open"
    assert taken["clerk"]["id"] == counter1.hall.clerks[2]


def test_release_with_a_ticket_in_hand_is_refused(counter1, issue):
    issue()
    counter1.call_next()
    response = counter1.post(f"/windows/{counter1.window}/release")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "window_busy"
    assert counter1.desk()["window"]["status"] == "open"


def test_call_a_specific_number_as_the_visitor_reads_it(counter1, issue):
    issue()
    second = issue()
    called = counter1.ok(
        counter1.post(f"/windows/{counter1.window}/call-number", {"number": " a002"})
    )
    assert called["id"] == second["id"]


def test_call_number_refusals_name_the_problem(counter1, counter2, issue):
    issue("business")
    unknown = counter1.post(f"/windows/{counter1.window}/call-number", {"number": "A999"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["field"] == "number"
    malformed = counter1.post(f"/windows/{counter1.window}/call-number", {"number": "23"})
    assert malformed.status_code == 422
    not_served = counter2.post(f"/windows/{counter2.window}/call-number", {"number": "B001"})
    assert not_served.get_json()["error"]["code"] == "service_not_at_window"


def test_no_show_frees_the_window_and_counts_in_the_figures(counter1, issue):
    ticket = issue()
    counter1.call_next()
    marked = counter1.ok(counter1.act(ticket["id"], "no-show"))
    assert marked["status"] == "no_show"
    assert counter1.desk()["ticket"] is None
    assert counter1.figures()["no_shows"] == 1


def test_transfer_to_a_service_keeps_the_original_issue_time(counter1, counter2, issue, clock):
    early = issue("business")
    clock.advance(minutes=10)
    later = issue("housing")
    counter1.ok(counter1.post(f"/windows/{counter1.window}/call-number", {"number": "B001"}))
    counter1.ok(counter1.act(early["id"], "start"))

    moved = counter1.ok(
        counter1.act(
            early["id"],
            "transfer",
            {"to_service_id": counter1.hall.services["housing"], "reason": "需公积金窗口办理"},
        )
    )
    assert (moved["status"], moved["service"]["name"]) == ("waiting", "housing")
    assert moved["issued_at"] == early["issued_at"]
    queue = counter2.queue()
    assert queue["next_ticket"]["id"] == early["id"]  # ahead of A001, issued ten minutes later
    assert queue["total_waiting"] == 2
    assert counter2.call_next()["id"] == early["id"] != later["id"]


def test_transfer_to_a_window_reserves_the_ticket_for_it(counter1, counter2, issue):
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    moved = counter1.ok(
        counter1.act(ticket["id"], "transfer", {"to_window_id": counter2.window, "reason": "专窗"})
    )
    assert moved["target_window_id"] == counter2.window
    assert counter2.queue()["transferred_here"] == 1
    assert counter1.queue()["total_waiting"] == 0  # window 1 may not call it
    assert counter2.call_next()["id"] == ticket["id"]


def test_transfer_without_a_target_is_refused(counter1, issue):
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    response = counter1.act(ticket["id"], "transfer", {"reason": "?"})
    assert response.get_json()["error"]["code"] == "transfer_target_missing"
    assert counter1.desk()["ticket"]["status"] == "serving"


def test_park_lists_the_case_and_resume_calls_it_back(counter1, issue):
    parked_ticket = issue()
    other = issue()
    counter1.call_next()
    counter1.ok(counter1.act(parked_ticket["id"], "start"))
    counter1.ok(counter1.act(parked_ticket["id"], "park"))
    assert [t["number"] for t in counter1.queue()["parked"]] == ["A001"]
    assert counter1.call_next()["id"] == other["id"]  # the window serves someone meanwhile

    busy = counter1.act(parked_ticket["id"], "resume")
    assert busy.get_json()["error"]["code"] == "window_busy"
    counter1.ok(counter1.act(other["id"], "start"))
    counter1.ok(counter1.act(other["id"], "finish", {"outcome": "enquiry"}))
    resumed = counter1.ok(counter1.act(parked_ticket["id"], "resume"))
    assert resumed["status"] == "called"
    assert counter1.queue()["parked"] == []


def test_pause_with_a_reason_stops_calling_until_resumed(counter1, issue):
    issue()
    paused = counter1.ok(
        counter1.post(f"/windows/{counter1.window}/state", {"change": "pause", "reason": "meeting"})
    )
    assert (paused["status"], paused["pause_reason"]) == ("paused", "meeting")
    refused = counter1.post(f"/windows/{counter1.window}/call-next")
    assert refused.get_json()["error"]["code"] == "window_paused"
    counter1.ok(counter1.post(f"/windows/{counter1.window}/state", {"change": "resume"}))
    assert counter1.call_next()["number"] == "A001"


def test_queue_shows_waiting_per_service_and_the_ticket_call_next_will_pick(counter1, issue):
    issue("housing")
    issue("business")
    priority = issue("business", visitor_class="priority")
    queue = counter1.queue()
    assert queue["policy"] == "fcfs"
    assert {row["name"]: row["waiting"] for row in queue["waiting"]} == {
        "housing": 1,
        "business": 2,
    }
    assert queue["next_ticket"]["id"] == priority["id"]
    assert counter1.call_next()["id"] == queue["next_ticket"]["id"]


def test_queue_and_desk_need_a_login(client, hall):
    response = client.get(f"/api/v1/windows/{hall.windows[1]}/queue")
    assert response.status_code == 401


def test_figures_count_only_the_clerks_own_cases(counter1, counter2, issue):
    for _ in range(3):
        issue()
    for counter in (counter1, counter2, counter1):
        ticket = counter.call_next()
        counter.ok(counter.act(ticket["id"], "start"))
        counter.ok(counter.act(ticket["id"], "finish", {"outcome": "completed"}))
    assert counter1.figures()["served"] == 2
    assert counter2.figures()["served"] == 1
    assert counter1.figures()["calls"] == 2


def test_figures_are_for_people_not_devices(client, hall):
    response = client.get(
        "/api/v1/me/figures", headers={"Authorization": f"Bearer {hall.kiosk_token}"}
    )
    assert response.status_code == 403


def test_manager_may_step_in_at_a_clerks_window(client, hall, counter1, issue):
    issue()
    manager = login_headers(client, hall.manager_number)
    response = client.post(f"/api/v1/windows/{counter1.window}/call-next", headers=manager)
    assert response.status_code == 200
    assert counter1.desk()["ticket"]["number"] == "A001"


def test_desk_marks_a_pre_reviewed_ticket_for_its_pre_review_record(client, hall, counter1):
    manager = login_headers(client, hall.manager_number)
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "visitor_class": "pre_reviewed"},
        headers=manager,
    )
    assert response.status_code == 201, response.get_json()
    counter1.call_next()
    ticket = counter1.desk()["ticket"]
    assert ticket["pre_reviewed"] is True
    assert "pre_review" in ticket  # the record itself, once one is linked to the ticket


# ----- transfers to a window wait for its clerk; a closed window has none -----


@pytest.fixture
def both_databases(database_url, clock):
    """The test hall on a SQLite file and on PostgreSQL, with both windows' counters."""
    application = make_app(database_url, clock)
    hall = build_hall(application.extensions["hallq_db"], clock())
    client = application.test_client()
    events = []
    application.extensions["hallq_db"].publish = events.append
    counters = {
        number: Counter(client, hall, number, login_headers(client, hall.clerk_numbers[number]))
        for number in (1, 2)
    }
    yield application, client, hall, counters, events
    application.extensions["hallq_db"].dispose()


def _issue(client, hall, service="housing"):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _serving_at(counter, ticket):
    assert counter.call_next()["id"] == ticket["id"]
    counter.ok(counter.act(ticket["id"], "start"))


def test_a_transfer_to_a_closed_window_is_refused_and_the_case_stays_at_the_window(
    both_databases,
):
    app, client, hall, counters, _ = both_databases
    counter1, counter2 = counters[1], counters[2]
    counter2.ok(counter2.post(f"/windows/{counter2.window}/state", {"change": "close"}))
    ticket = _issue(client, hall)
    _serving_at(counter1, ticket)

    refused = counter1.act(ticket["id"], "transfer", {"to_window_id": counter2.window})
    in_english = client.post(
        f"/api/v1/windows/{counter1.window}/tickets/{ticket['id']}/transfer",
        json={"to_window_id": counter2.window},
        headers={**counter1.headers, "Accept-Language": "en"},
    )

    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["error"] == {
        "code": "window_closed",
        "field": "to_window_id",
        "message": "2号窗口已关闭，没有人办理；请转给事项，或选一个开放或暂停中的窗口",
    }
    assert in_english.get_json()["error"]["message"] == (
        "window 2 is closed and no one serves at it; transfer to a service, or choose a window "
        "that is open or paused"
    )
    desk = counter1.desk()["ticket"]
    assert (desk["id"], desk["status"], desk["transfer_count"]) == (ticket["id"], "serving", 0)
    # Handing it to the service instead still works.
    moved = counter1.ok(
        counter1.act(ticket["id"], "transfer", {"to_service_id": hall.services["housing"]})
    )
    assert (moved["status"], moved["target_window_id"]) == ("waiting", None)


def test_a_transfer_to_a_paused_window_waits_for_its_clerk_to_come_back(counter1, counter2, issue):
    counter2.ok(
        counter2.post(f"/windows/{counter2.window}/state", {"change": "pause", "reason": "break"})
    )
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))

    moved = counter1.ok(counter1.act(ticket["id"], "transfer", {"to_window_id": counter2.window}))

    assert moved["target_window_id"] == counter2.window
    assert counter1.queue()["total_waiting"] == 0  # it is window 2's, even while it is paused
    counter2.ok(counter2.post(f"/windows/{counter2.window}/state", {"change": "resume"}))
    assert counter2.call_next()["id"] == ticket["id"]


@pytest.mark.parametrize("closing", ["close", "release", "take another window"])
def test_a_window_that_closes_sends_its_transfers_back_to_their_service_keeping_their_place(
    both_databases, clock, closing
):
    app, client, hall, counters, events = both_databases
    counter1, counter2 = counters[1], counters[2]
    early = _issue(client, hall)
    clock.advance(minutes=10)
    later = _issue(client, hall)
    _serving_at(counter1, early)
    counter1.ok(counter1.act(early["id"], "transfer", {"to_window_id": counter2.window}))
    assert counter1.queue()["next_ticket"]["id"] == later["id"]  # early is window 2's now
    events.clear()

    if closing == "close":
        counter2.ok(counter2.post(f"/windows/{counter2.window}/state", {"change": "close"}))
    elif closing == "release":
        counter2.ok(counter2.post(f"/windows/{counter2.window}/release"))
    else:  # clerk 2 moves to window 1, which clerk 1 has left: window 2 closes behind them
        counter1.ok(counter1.post(f"/windows/{counter1.window}/release"))
        counter2.ok(counter2.post(f"/windows/{counter1.window}/take"))

    returned = counter1.ok(counter1.get(f"/tickets/{early['id']}"))
    assert (returned["status"], returned["target_window_id"]) == ("waiting", None)
    assert returned["transfer_count"] == 1  # not one more transfer: the window went away
    announced = [e for e in events if e.name == "ticket.transferred"]
    assert [e.payload["ticket"]["id"] for e in announced] == [early["id"]]
    assert announced[0].payload["ticket"]["target_window_id"] is None
    with app.extensions["hallq_db"].reading() as session:
        history = session.scalars(
            select(TicketEvent.action)
            .where(TicketEvent.ticket_id == early["id"])
            .order_by(TicketEvent.id)
        ).all()
    assert history[-1] == "target_window_closed"

    # Any window of its service calls it, ahead of the ticket issued ten minutes after it.
    at_window_1 = counter1
    if closing == "take another window":
        at_window_1 = Counter(client, hall, 1, counter2.headers)  # clerk 2, now at window 1
    assert at_window_1.call_next()["id"] == early["id"]


def test_a_window_that_closes_leaves_other_windows_transfers_alone(both_databases):
    app, client, hall, counters, _ = both_databases
    counter1, counter2 = counters[1], counters[2]
    ticket = _issue(client, hall)
    _serving_at(counter2, ticket)
    counter2.ok(counter2.act(ticket["id"], "transfer", {"to_window_id": counter1.window}))

    counter2.ok(counter2.post(f"/windows/{counter2.window}/state", {"change": "close"}))

    kept = counter1.ok(counter1.get(f"/tickets/{ticket['id']}"))
    assert kept["target_window_id"] == counter1.window
