"""Alerts a manager must see at once are raised when their condition holds and cleared when it
no longer does; the background check records both and tells the hall."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import select

from hall_server.operations import alerts, print_jobs, window_operations
from hall_server.operations.access import Actor
from hall_server.operations.alerts import (
    AlertSettings,
    DeviceFacts,
    HallFacts,
    ServiceQueue,
    WindowFacts,
    evaluate_alerts,
)
from hall_server.storage.models import Device, Hall, HallAlert
from tests.conftest import login_headers, make_app
from tests.factories import build_hall
from tests.manager.hand_worked_day import MONDAY_0900, Player, at


def sync(database, hall_id, when):
    with database.transaction() as uow:
        return alerts.sync_hall_alerts(uow, hall_id, when)


def set_thresholds(database, hall_id, **settings):
    # The kiosk issued tickets and then fell silent (tests send no heartbeats): keep it out.
    settings = {"device_offline_minutes": 240, **settings}
    with database.transaction() as uow:
        uow.session.get(Hall, hall_id).alert_settings = settings


def open_keys(database, hall_id):
    with database.reading() as session:
        rows = session.scalars(
            select(HallAlert).where(HallAlert.hall_id == hall_id, HallAlert.cleared_at.is_(None))
        )
        return sorted(f"{row.kind}:{row.subject}" for row in rows)


@pytest.fixture
def hall(database):
    return build_hall(database, MONDAY_0900)


def test_a_wait_over_the_threshold_is_raised_then_cleared_once_called(database, hall, published):
    set_thresholds(database, hall.id, long_wait_minutes=30)
    player = Player(database, hall)
    ticket = player.issue("housing", at(0))
    key = f"long_wait:service:{hall.services['housing']}"

    assert sync(database, hall.id, at(29)) == {"raised": [], "cleared": []}
    assert sync(database, hall.id, at(31)) == {"raised": [key], "cleared": []}
    assert sync(database, hall.id, at(33)) == {"raised": [], "cleared": []}  # raised only once
    player.window(2, "call", ticket["id"], at(34))
    assert sync(database, hall.id, at(35)) == {"raised": [], "cleared": [key]}

    raised = [e for e in published.events if e.name == "alert.raised"]
    cleared = [e for e in published.events if e.name == "alert.cleared"]
    assert len(raised) == len(cleared) == 1
    assert raised[0].payload["alert"]["detail"]["ticket_number"] == "A001"
    assert raised[0].payload["alert"]["since"] == at(30)
    assert cleared[0].payload["alert"]["cleared_at"] == at(35)
    with database.reading() as session:
        history = alerts.alert_history(session, hall.manager(), hall.id, None, at(40))
    assert [(h["key"], h["raised_at"], h["cleared_at"]) for h in history] == [(key, at(31), at(35))]


def test_many_waiting_while_a_window_is_paused_or_idle(database, hall):
    set_thresholds(database, hall.id, many_waiting=3, idle_window_minutes=3)
    player = Player(database, hall)
    tickets = [player.issue("housing", at(minute))["id"] for minute in range(4)]
    player.window(1, "call", tickets[0], at(4))  # window 1 is busy: not idle
    with database.transaction() as uow:
        window_operations.change_window_state(
            uow, hall.clerk(2), hall.windows[2], "pause", at(5), "meeting"
        )
    paused = f"idle_window:window:{hall.windows[2]}"

    assert sync(database, hall.id, at(6))["raised"] == [paused]
    with database.reading() as session:
        shown = alerts.current_alerts(session, session.get(Hall, hall.id), at(6))
    assert shown[0]["detail"]["pause_reason"] == "meeting"
    assert shown[0]["detail"]["waiting"] == 3
    assert shown[0]["raised_at"] == at(6)

    with database.transaction() as uow:
        window_operations.change_window_state(
            uow, hall.clerk(2), hall.windows[2], "resume", at(7), None
        )
    assert sync(database, hall.id, at(8))["cleared"] == [paused]  # open, idle for 1 minute only
    assert sync(database, hall.id, at(10))["raised"] == [paused]  # idle for 3 minutes
    player.window(2, "call", tickets[1], at(11))
    assert sync(database, hall.id, at(12))["cleared"] == [paused]  # 2 waiting now: below 3


def test_a_planned_break_is_a_warning_until_it_runs_past_its_end(database, hall, published):
    """A window on a break of planned minutes (the rota's, or the clerk's "back in 15") with
    people waiting is worth seeing, not an emergency; past its planned end it is critical."""
    set_thresholds(database, hall.id, many_waiting=3)
    player = Player(database, hall)
    tickets = [player.issue("housing", at(minute))["id"] for minute in range(4)]
    player.window(1, "call", tickets[0], at(4))  # window 1 is busy: not idle
    with database.transaction() as uow:
        window_operations.change_window_state(
            uow, hall.clerk(2), hall.windows[2], "pause", at(5), "break", pause_minutes=15
        )
    key = f"idle_window:window:{hall.windows[2]}"

    assert sync(database, hall.id, at(6))["raised"] == [key]
    with database.reading() as session:
        [shown] = [
            a
            for a in alerts.current_alerts(session, session.get(Hall, hall.id), at(6))
            if a["key"] == key
        ]
    assert shown["severity"] == "warning"
    assert shown["detail"]["pause_planned_until"] == at(20).isoformat()

    assert sync(database, hall.id, at(19)) == {"raised": [], "cleared": []}
    assert sync(database, hall.id, at(21)) == {"raised": [], "cleared": []}  # the same alert
    raised = [e.payload["alert"] for e in published.events if e.name == "alert.raised"]
    assert [(a["key"], a["severity"]) for a in raised if a["key"] == key] == [
        (key, "warning"),
        (key, "critical"),  # the break ran over: the hall hears it again
    ]
    with database.reading() as session:
        row = session.scalars(
            select(HallAlert).where(HallAlert.subject == f"window:{hall.windows[2]}")
        ).one()
        assert row.severity == "critical"


def test_a_printer_out_of_paper_is_raised_and_cleared(database, hall):
    kiosk = hall.kiosk()
    key = f"paper_out:device:{hall.kiosk_id}"

    def report(status, minute):
        with database.transaction() as uow:
            print_jobs.report_device_health(uow, kiosk, status, at(minute))

    report("paper_near_end", 0)
    assert sync(database, hall.id, at(0))["raised"] == [f"paper_near_end:device:{hall.kiosk_id}"]
    report("paper_out", 1)
    assert sync(database, hall.id, at(1)) == {
        "raised": [key],
        "cleared": [f"paper_near_end:device:{hall.kiosk_id}"],
    }
    report("ok", 2)
    assert sync(database, hall.id, at(2)) == {"raised": [], "cleared": [key]}


def test_a_board_that_falls_silent_is_offline_until_it_speaks_again(database, hall):
    with database.reading() as session:
        board = session.scalar(
            select(Device).where(Device.hall_id == hall.id, Device.kind == "board")
        )
    actor = Actor(kind="device", id=board.id, role="board", hall_id=hall.id)
    key = f"device_offline:device:{board.id}"

    assert sync(database, hall.id, at(30))["raised"] == []  # never seen: not installed yet
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, actor, None, at(30))  # its heartbeat
    assert sync(database, hall.id, at(32))["raised"] == []
    assert sync(database, hall.id, at(33))["raised"] == [key]  # silent for 3 minutes
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, actor, None, at(34))
    assert sync(database, hall.id, at(34))["cleared"] == [key]


def test_the_background_check_writes_only_when_something_changed(database, hall):
    transactions = []
    yields = []

    class Context:
        clock = staticmethod(lambda: at(31))

        def __init__(self):
            self.database = database

        @contextmanager
        def transaction(self):
            transactions.append(1)
            with database.transaction() as uow:
                yield uow

        def yield_to_requests(self):
            yields.append(len(transactions))

    set_thresholds(database, hall.id, long_wait_minutes=30)
    other = build_hall(database, MONDAY_0900, code="quiet-hall")
    Player(database, hall).issue("business", at(0))

    assert alerts.check_all_halls(Context()) == {"halls": 2, "raised": 1, "cleared": 0}
    assert len(transactions) == 1  # the quiet hall was only looked at
    # Requests waiting on this process get their turn after each hall, written to or not.
    assert len(yields) == 2 and yields[-1] == 1
    assert alerts.check_all_halls(Context()) == {"halls": 2, "raised": 0, "cleared": 0}
    assert len(transactions) == 1
    assert open_keys(database, other.id) == []
    assert open_keys(database, hall.id) == [f"long_wait:service:{hall.services['business']}"]


def test_the_rules_order_critical_alerts_first_and_ignore_revoked_or_unseen_devices():
    now = at(60)
    facts = HallFacts(
        queues=[ServiceQueue(1, "housing", None, 12, at(0), "A001")],
        windows=[WindowFacts(5, 3, "窗口3", "closed", None, frozenset({1}), False, at(0))],
        devices=[
            DeviceFacts(7, "kiosk", "kiosk", "paper_near_end", now),
            DeviceFacts(8, "board", "board", None, None),
            DeviceFacts(9, "rating_pad", "pad", None, at(50)),
        ],
    )
    found = evaluate_alerts(facts, AlertSettings(), now)
    assert [(a.kind, a.severity) for a in found] == [
        ("long_wait", "critical"),
        ("device_offline", "warning"),  # a silent rating pad only loses ratings
        ("paper_near_end", "warning"),
    ]
    # A closed window is not idle: nobody staffs it.
    assert not [a for a in found if a.kind == "idle_window"]


def test_thresholds_fall_back_to_the_defaults():
    assert AlertSettings.of(None) == AlertSettings()
    assert AlertSettings.of({"long_wait_minutes": 45, "unknown": 1}).long_wait_minutes == 45
    assert AlertSettings().to_dict() == {
        "long_wait_minutes": 30,
        "many_waiting": 10,
        "idle_window_minutes": 3,
        "device_offline_minutes": 3,
    }


def test_a_kiosk_whose_print_agent_falls_silent_shows_its_printer_unknown(
    database, hall, published
):
    kiosk = hall.kiosk()
    key = f"device_offline:device:{hall.kiosk_id}"
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, kiosk, "ok", at(30))
    Player(database, hall).issue("business", at(32))  # the page issues; the agent says nothing

    assert sync(database, hall.id, at(33))["raised"] == [key]
    with database.reading() as session:
        assert session.get(Device, hall.kiosk_id).printer_status == "unknown"
    changed = [e for e in published.events if getattr(e, "name", None) == "device.changed"]
    assert changed and changed[-1].payload["device"]["printer_status"] == "unknown"

    with database.transaction() as uow:
        print_jobs.report_device_health(uow, kiosk, "ok", at(34))  # the agent is back
    assert sync(database, hall.id, at(34))["cleared"] == [key]
    with database.reading() as session:
        assert session.get(Device, hall.kiosk_id).printer_status == "ok"


# ----- the day's record holds what the banners show -----


def board_actor(database, hall_id):
    with database.reading() as session:
        board = session.scalar(
            select(Device).where(Device.hall_id == hall_id, Device.kind == "board")
        )
    return Actor(kind="device", id=board.id, role="board", hall_id=hall_id)


def history_keys(database, hall, day, now):
    with database.reading() as session:
        return [h["key"] for h in alerts.alert_history(session, hall.manager(), hall.id, day, now)]


def test_the_days_record_holds_every_alert_open_during_that_day(database, hall):
    set_thresholds(database, hall.id, long_wait_minutes=30, device_offline_minutes=3)
    board = board_actor(database, hall.id)
    silent = f"device_offline:device:{board.id}"
    long_wait = f"long_wait:service:{hall.services['housing']}"
    monday, tuesday, wednesday = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, board, None, at(0))  # the board's last word
    assert sync(database, hall.id, at(5))["raised"] == [silent]  # Monday 09:05, never cleared
    player = Player(database, hall)
    ticket = player.issue("housing", at(14 * 60 + 10))  # Monday 23:10
    assert sync(database, hall.id, at(14 * 60 + 50))["raised"] == [long_wait]  # 23:50
    player.window(2, "call", ticket["id"], at(15 * 60 + 5))  # Tuesday 00:05
    assert sync(database, hall.id, at(15 * 60 + 10))["cleared"] == [long_wait]
    later = at(2 * 24 * 60)  # Wednesday 09:00

    assert history_keys(database, hall, monday, later) == [long_wait, silent]
    assert history_keys(database, hall, tuesday, later) == [long_wait, silent]  # open past 00:00
    assert history_keys(database, hall, wednesday, later) == [silent]  # still silent today
    assert history_keys(database, hall, None, later) == [silent]  # today is Wednesday
    assert history_keys(database, hall, date(2026, 12, 3), later) == []  # not yet
    assert history_keys(database, hall, date(2026, 11, 29), later) == []  # before any


@pytest.fixture
def hall_on_both_databases(database_url, clock):
    application = make_app(database_url, clock)
    built = build_hall(application.extensions["hallq_db"], clock())
    yield application, application.test_client(), built
    application.extensions["hallq_db"].dispose()


def test_every_banner_the_background_check_recorded_is_in_todays_record(
    hall_on_both_databases, clock
):
    """The demo's complaint: three "device offline" banners, and "today's alerts: none". The
    devices had fallen silent on an earlier day of a kept database."""
    app, client, hall = hall_on_both_databases
    database = app.extensions["hallq_db"]
    set_thresholds(database, hall.id, device_offline_minutes=3)
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, board_actor(database, hall.id), None, clock())
        print_jobs.report_device_health(uow, hall.kiosk(), "ok", clock())
    clock.advance(minutes=5)
    assert len(sync(database, hall.id, clock())["raised"]) == 2
    clock.advance(days=1)  # the next morning: nobody has switched them back on
    assert sync(database, hall.id, clock()) == {"raised": [], "cleared": []}
    manager = login_headers(client, hall.manager_number)

    dashboard = client.get(f"/api/v1/manager/halls/{hall.id}/dashboard", headers=manager)
    record = client.get(f"/api/v1/manager/halls/{hall.id}/alerts", headers=manager)

    banners = {a["key"]: a["raised_at"] for a in dashboard.get_json()["alerts"]}
    logged = {a["key"]: a["raised_at"] for a in record.get_json()}
    assert len(banners) == 2 and all(banners.values())  # both recorded yesterday
    assert logged == banners
    assert all(a["cleared_at"] is None for a in record.get_json())
