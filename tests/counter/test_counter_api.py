"""Every counter action through the HTTP API, as the clerk's page and terminal send them."""

from __future__ import annotations

import pytest

from tests.conftest import login_headers


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
