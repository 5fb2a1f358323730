"""The dashboard's figures follow the hall: waiting now, windows, devices, today so far, charts;
and a manager's actions (windows, services, notice, quota) change the hall at once."""

from __future__ import annotations

import pytest

from tests.conftest import login_headers
from tests.manager.conftest import ok, refused


@pytest.fixture
def issue(client, hall):
    def issue_ticket(service="housing"):
        response = client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services[service]},
            headers={"Authorization": f"Bearer {hall.kiosk_token}"},
        )
        return ok(response, 201)

    return issue_ticket


def dashboard(client, hall, headers):
    return ok(client.get(f"/api/v1/manager/halls/{hall.id}/dashboard", headers=headers))


def test_the_dashboard_shows_waiting_windows_and_today_so_far(client, hall, clock, manager, issue):
    clerk = login_headers(client, hall.clerk_numbers[1])
    first = issue("housing")
    clock.advance(minutes=2)
    issue("housing")
    issue("business")
    clock.advance(minutes=8)
    ok(client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk))
    clock.advance(minutes=1)
    ok(client.post(f"/api/v1/windows/{hall.windows[1]}/tickets/{first['id']}/start", headers=clerk))
    clock.advance(minutes=4)

    data = dashboard(client, hall, manager)

    now, today = data["now"], data["today"]
    assert now["total_waiting"] == 2
    housing = next(s for s in now["services"] if s["service_id"] == hall.services["housing"])
    assert housing["waiting"] == 1 and housing["issued_today"] == 2
    assert housing["longest_wait_seconds"] == 13 * 60  # issued at +2, now +15
    assert housing["estimated_wait_for_new_ticket"] is not None
    assert now["longest_wait"]["ticket_number"] in ("A002", "B001")
    assert now["longest_wait"]["seconds"] == 13 * 60
    assert now["departments"][0]["waiting"] == 2
    window = next(w for w in now["windows"] if w["id"] == hall.windows[1])
    assert window["current_ticket"]["number"] == "A001"
    assert window["current_ticket"]["status"] == "serving"
    assert now["window_states"] == {"open": 2, "paused": 0, "closed": 0}
    assert {d["kind"] for d in now["devices"]} == {"kiosk", "board"}
    assert (today["issued"], today["called"], today["served"]) == (3, 1, 0)
    assert today["wait_mean_seconds"] == 10 * 60
    assert today["service_level"] == 1.0
    assert today["waiting"] == 2 and today["target_wait_minutes"] == 15
    charts = data["charts"]
    assert [p["waiting"] for p in charts["waiting_through_day"]] == [2]  # 09:15: A002, B001
    assert charts["waiting_through_day"][0]["time"] == "09:15"
    assert charts["per_hour"] == [{"hour": 9, "arrivals": 3, "served": 0}]
    assert charts["wait_distribution"][2] == {"from_minutes": 10, "to_minutes": 15, "count": 1}
    assert data["seq"] >= 5


def test_waiting_through_the_day_follows_issues_calls_and_transfers(
    client, hall, clock, manager, issue
):
    clerk = login_headers(client, hall.clerk_numbers[1])
    first = issue("housing")
    issue("housing")
    clock.advance(minutes=20)
    ok(client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk))
    ok(client.post(f"/api/v1/windows/{hall.windows[1]}/tickets/{first['id']}/start", headers=clerk))
    clock.advance(minutes=20)
    ok(
        client.post(
            f"/api/v1/windows/{hall.windows[1]}/tickets/{first['id']}/transfer",
            json={"to_service_id": hall.services["business"]},
            headers=clerk,
        )
    )
    clock.advance(minutes=1)

    points = dashboard(client, hall, manager)["charts"]["waiting_through_day"]

    assert [(p["time"], p["waiting"]) for p in points] == [
        ("09:15", 2),
        ("09:30", 1),  # A001 called at 09:20
        ("09:41", 2),  # …and transferred back into a queue at 09:40; the last point is now
    ]


def test_a_manager_pauses_and_reopens_a_window_and_changes_its_services(
    client, hall, manager, clock
):
    window = hall.windows[2]
    paused = ok(
        client.post(
            f"/api/v1/windows/{window}/state",
            json={"change": "pause", "reason": "meeting"},
            headers=manager,
        )
    )
    assert (paused["status"], paused["pause_reason"]) == ("paused", "meeting")
    shown = next(w for w in dashboard(client, hall, manager)["now"]["windows"] if w["id"] == window)
    assert shown["status"] == "paused" and shown["pause_reason"] == "meeting"

    clock.advance(minutes=5)
    tidal = ok(
        client.put(
            f"/api/v1/windows/{window}/services",
            json={"service_ids": [hall.services["business"], hall.services["housing"]]},
            headers=manager,
        )
    )
    assert [s["prefix"] for s in tidal["services"]] == ["B", "A"]
    # What it serves changed, not its state: paused since the pause, not since the change.
    assert tidal["status_changed_at"] == paused["status_changed_at"]
    ok(client.post(f"/api/v1/windows/{window}/state", json={"change": "close"}, headers=manager))
    ok(client.post(f"/api/v1/windows/{window}/state", json={"change": "open"}, headers=manager))
    states = dashboard(client, hall, manager)["now"]["window_states"]
    assert states == {"open": 2, "paused": 0, "closed": 0}


def test_a_notice_goes_to_the_boards_at_once(app, client, hall, manager):
    events = []
    app.extensions["hallq_db"].publish = events.append

    hall_view = ok(
        client.post(
            f"/api/v1/halls/{hall.id}/notice",
            json={"lines": ["午间不休息", " ", "请带好身份证"]},
            headers=manager,
        )
    )

    assert hall_view["notice_lines"] == ["午间不休息", "请带好身份证"]
    assert [e.name for e in events] == ["hall.changed"]
    assert events[0].payload["hall"]["notice_lines"] == ["午间不休息", "请带好身份证"]
    board = ok(client.get(f"/api/v1/halls/{hall.id}/board"))
    assert board["hall"]["notice_lines"] == ["午间不休息", "请带好身份证"]
    history = ok(client.get(f"/api/v1/halls/{hall.id}/notices", headers=manager))
    assert history[0]["lines"] == ["午间不休息", "请带好身份证"]
    assert history[0]["sent_by"] == "manager"
    ok(client.post(f"/api/v1/halls/{hall.id}/notice", json={"lines": []}, headers=manager))
    assert ok(client.get(f"/api/v1/halls/{hall.id}/board"))["hall"]["notice_lines"] == []


def test_a_quota_change_applies_to_the_next_ticket(app, client, hall, manager, issue):
    events = []
    app.extensions["hallq_db"].publish = events.append
    issue("business")

    service = ok(
        client.patch(
            f"/api/v1/services/{hall.services['business']}",
            json={"daily_quota": 1},
            headers=manager,
        )
    )

    assert service["daily_quota"] == 1
    assert "service.changed" in [e.name for e in events]
    refused(
        client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services["business"]},
            headers={"Authorization": f"Bearer {hall.kiosk_token}"},
        ),
        409,
        "daily_quota_reached",
    )
    ok(
        client.patch(
            f"/api/v1/services/{hall.services['business']}",
            json={"daily_quota": None},
            headers=manager,
        )
    )
    issue("business")
    row = next(
        s
        for s in dashboard(client, hall, manager)["now"]["services"]
        if s["service_id"] == hall.services["business"]
    )
    assert (row["issued_today"], row["daily_quota"]) == (2, None)


def test_alerts_appear_on_the_dashboard_as_soon_as_they_hold(client, hall, clock, manager, issue):
    ok(
        client.put(
            f"/api/v1/manager/halls/{hall.id}/alert-settings",
            json={"long_wait_minutes": 20, "device_offline_minutes": 240},
            headers=manager,
        )
    )
    issue("business")
    clock.advance(minutes=19)
    assert dashboard(client, hall, manager)["alerts"] == []
    clock.advance(minutes=2)

    shown = dashboard(client, hall, manager)["alerts"]

    assert [a["kind"] for a in shown] == ["long_wait"]
    assert shown[0]["detail"]["waited_minutes"] == 21
    assert shown[0]["raised_at"] is None  # the background check has not recorded it yet
    settings = ok(client.get(f"/api/v1/manager/halls/{hall.id}/alert-settings", headers=manager))
    assert settings["long_wait_minutes"] == 20 and settings["many_waiting"] == 10


def test_a_cancelled_ticket_gives_its_place_in_the_quota_back(client, hall, manager, issue):
    """The dashboard's "fully booked today" reads the quota's count, not every ticket issued."""
    kept, cancelled = issue("housing"), issue("housing")
    ok(client.post(f"/api/v1/tickets/{cancelled['id']}/cancel", headers=manager))

    row = next(
        s
        for s in dashboard(client, hall, manager)["now"]["services"]
        if s["service_id"] == hall.services["housing"]
    )
    assert kept["status"] == "waiting"
    assert (row["issued_today"], row["quota_taken"]) == (2, 1)
