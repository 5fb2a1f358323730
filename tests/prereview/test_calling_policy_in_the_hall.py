"""A hall switched to the due-time policy calls through the same code the simulator measures."""

from __future__ import annotations

from tests.conftest import login_headers
from tests.prereview.conftest import appointment_fields, pre_review_fields


def test_managers_choose_the_policy_and_its_minutes(client, hall):
    manager = login_headers(client, hall.manager_number)
    path = f"/api/v1/halls/{hall.id}/calling-policy"
    assert client.get(path, headers=manager).get_json()["policy"] == "fcfs"
    chosen = client.put(
        path,
        json={"policy": "due_time", "settings": {"walk_in_bound_minutes": 40}},
        headers=manager,
    )
    assert chosen.status_code == 200, chosen.get_json()
    body = client.get(path, headers=manager).get_json()
    assert body["policy"] == "due_time"
    assert body["settings"]["walk_in_bound_minutes"] == 40
    assert body["settings"]["priority_target_minutes"] == 10  # defaults filled in
    assert "due_time" in body["known_policies"]


def test_settings_are_checked_and_only_managers_change_them(client, hall):
    manager = login_headers(client, hall.manager_number)
    path = f"/api/v1/halls/{hall.id}/calling-policy"
    wrong = client.put(
        path, json={"policy": "due_time", "settings": {"bound": 40}}, headers=manager
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["code"] == "invalid_calling_settings"
    unknown = client.put(path, json={"policy": "lottery"}, headers=manager)
    assert unknown.status_code == 422
    clerk = login_headers(client, hall.clerk_numbers[1])
    assert client.put(path, json={"policy": "due_time"}, headers=clerk).status_code == 403


def test_a_policy_change_is_numbered_so_screens_refetch_and_a_refused_one_is_not(client, hall):
    manager = login_headers(client, hall.manager_number)
    board = {"Authorization": f"Bearer {hall.board_token}"}
    path = f"/api/v1/halls/{hall.id}/calling-policy"

    def seq():
        return client.get(f"/api/v1/halls/{hall.id}/board", headers=board).get_json()["seq"]

    before = seq()
    assert client.put(path, json={"policy": "lottery"}, headers=manager).status_code == 422
    assert seq() == before
    assert client.put(path, json={"policy": "due_time"}, headers=manager).status_code == 200
    assert seq() == before + 1


def test_call_next_serves_pre_reviewed_visitors_just_in_time_and_holds_early_bookings(
    client, hall, platform, clock
):
    manager = login_headers(client, hall.manager_number)
    client.put(
        f"/api/v1/halls/{hall.id}/calling-policy",
        # A call-ahead of 8 minutes however long walk-ins wait (it shrinks with their wait
        # by default; tests/core/test_due_time_policy.py covers that).
        json={
            "policy": "due_time",
            "settings": {"call_ahead_minutes": 8, "busy_call_ahead_minutes": 8},
        },
        headers=manager,
    )
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    housing = hall.services["housing"]

    def issue(**fields):
        response = client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": housing, **fields},
            headers=kiosk,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    platform.push_appointment("APT-1", **appointment_fields(clock, slot_in_minutes=60))
    first_walk_in = issue()
    second_walk_in = issue()
    clock.advance(seconds=30)
    pre_reviewed = issue(prereview_code="APP-1")
    early_booking = issue(booking_code="B-2026-0001")

    clerk = login_headers(client, hall.clerk_numbers[2])  # window 2: housing only
    window = hall.windows[2]

    def call_and_finish():
        called = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).get_json()
        base = f"/api/v1/windows/{window}/tickets/{called['id']}"
        client.post(f"{base}/start", headers=clerk)
        client.post(f"{base}/finish", json={"outcome": "completed"}, headers=clerk)
        return called["id"]

    # The pre-review still has 9 of its 10 minutes: the walk-in who came first goes first.
    assert call_and_finish() == first_walk_in
    clock.advance(minutes=2)  # now less than 8 minutes are left: urgent, before an older walk-in
    assert call_and_finish() == pre_reviewed
    # The early booking waits for its slot while a walk-in waits ...
    assert call_and_finish() == second_walk_in
    # ... but an idle window does not keep it waiting.
    assert call_and_finish() == early_booking
