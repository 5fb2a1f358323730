"""A clerk who leaves: logging out frees the windows with nothing in hand, keeps the one with a
case in hand, and a manager can free that one for another clerk without losing the visitor."""

from __future__ import annotations

from tests.conftest import login_headers


def log_out(counter) -> None:
    response = counter.post("/auth/logout")
    assert response.status_code == 204


def manager_headers(client, hall):
    return login_headers(client, hall.manager_number)


def test_logging_out_closes_the_clerks_window_with_nothing_in_hand(client, hall, counter1, issue):
    ticket = issue()
    log_out(counter1)

    manager = manager_headers(client, hall)
    windows = client.get(f"/api/v1/halls/{hall.id}/windows", headers=manager).get_json()
    mine = next(w for w in windows if w["id"] == counter1.window)
    assert (mine["status"], mine["clerk"]) == ("closed", None)
    status = client.get(f"/api/v1/tickets/{ticket['id']}", headers=manager).get_json()
    assert status["status"] == "waiting"  # nobody's ticket is touched


def test_a_clerk_who_logs_out_with_a_case_in_hand_keeps_the_window_until_a_manager_frees_it(
    client, hall, counter1, counter2, issue
):
    issue()
    called = counter1.call_next()
    log_out(counter1)

    held = counter2.post(f"/windows/{counter1.window}/take")
    assert held.status_code == 409
    assert held.get_json()["error"]["code"] == "window_taken"

    manager = manager_headers(client, hall)
    freed = client.post(f"/api/v1/windows/{counter1.window}/release", headers=manager)
    assert freed.status_code == 200, freed.get_json()
    window = freed.get_json()
    # Paused, not closed: nobody calls at it, and the visitor called to it is still there.
    assert (window["status"], window["clerk"]) == ("paused", None)

    taken = counter2.ok(counter2.post(f"/windows/{counter1.window}/take"))
    assert (taken["status"], taken["clerk"]["id"]) == ("paused", hall.clerks[2])
    counter2.window = counter1.window
    desk = counter2.desk()
    assert (desk["ticket"]["id"], desk["ticket"]["status"]) == (called["id"], "called")
    counter2.ok(counter2.act(called["id"], "start"))
    counter2.ok(counter2.act(called["id"], "finish", {"outcome": "completed"}))
    counter2.ok(counter2.post(f"/windows/{counter2.window}/state", {"change": "resume"}))
    issue()
    assert counter2.call_next()["number"] == "A002"


def test_a_clerk_still_cannot_leave_their_own_window_with_a_case_in_hand(counter1, issue):
    issue()
    counter1.call_next()
    response = counter1.post(f"/windows/{counter1.window}/release")
    assert response.get_json()["error"]["code"] == "window_busy"
    assert counter1.desk()["window"]["clerk"]["id"] == counter1.hall.clerks[1]


def test_a_manager_freeing_an_idle_window_closes_it(client, hall, counter1):
    manager = manager_headers(client, hall)
    freed = client.post(f"/api/v1/windows/{counter1.window}/release", headers=manager)
    assert (freed.get_json()["status"], freed.get_json()["clerk"]) == ("closed", None)


def test_a_window_with_no_clerk_cannot_be_opened(client, hall, counter1):
    manager = manager_headers(client, hall)
    client.post(f"/api/v1/windows/{counter1.window}/release", headers=manager)
    response = client.post(
        f"/api/v1/windows/{counter1.window}/state", json={"change": "open"}, headers=manager
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "no_clerk"
    assert "号窗口没有工作人员" in error["message"]
    windows = client.get(f"/api/v1/halls/{hall.id}/windows", headers=manager).get_json()
    assert next(w for w in windows if w["id"] == counter1.window)["status"] == "closed"


def test_a_freed_window_with_a_case_in_hand_cannot_be_resumed_without_a_clerk(
    client, hall, counter1, issue
):
    """The manager frees a window whose clerk left with a ticket called: it pauses. Resuming it
    would count it as serving with nobody there (and the called visitor with nobody to serve
    them): refused until a clerk takes it."""
    called = issue()
    counter1.call_next()
    manager = manager_headers(client, hall)
    freed = client.post(f"/api/v1/windows/{counter1.window}/release", headers=manager)
    assert (freed.get_json()["status"], freed.get_json()["clerk"]) == ("paused", None)

    resumed = client.post(
        f"/api/v1/windows/{counter1.window}/state", json={"change": "resume"}, headers=manager
    )
    assert resumed.status_code == 409
    assert resumed.get_json()["error"]["code"] == "no_clerk"
    windows = client.get(f"/api/v1/halls/{hall.id}/windows", headers=manager).get_json()
    assert next(w for w in windows if w["id"] == counter1.window)["status"] == "paused"
    ticket = client.get(f"/api/v1/tickets/{called['id']}", headers=manager).get_json()
    assert ticket["status"] == "called" and ticket["window"]["id"] == counter1.window
