"""A kiosk whose page is alive but whose print agent has died: the page's heartbeat keeps the
device seen, so only the agent's own reports of the printer can tell. Once the agent has been
silent for the hall's device-offline minutes, `printer_silent` is raised and the printer is no
longer known (the kiosk page then tells visitors their ticket will not print); the agent's next
report clears it."""

from __future__ import annotations

import pytest

from hall_server.operations import print_jobs
from hall_server.storage.models import Device
from tests.factories import build_hall
from tests.manager.hand_worked_day import MONDAY_0900, at
from tests.manager.test_alerts import set_thresholds, sync


@pytest.fixture
def hall(database):
    return build_hall(database, MONDAY_0900)


def test_a_dead_print_agent_behind_a_live_kiosk_page_is_raised_and_cleared(database, hall):
    set_thresholds(database, hall.id, device_offline_minutes=3)
    kiosk = hall.kiosk()
    key = f"printer_silent:device:{hall.kiosk_id}"

    def health(status, minute):
        with database.transaction() as uow:
            print_jobs.report_device_health(uow, kiosk, status, at(minute))

    def printer_status():
        with database.reading() as session:
            return session.get(Device, hall.kiosk_id).printer_status

    health("ok", 0)  # the print agent
    raised = {}
    for minute in range(1, 6):
        health(None, minute)  # the kiosk page's heartbeat, every minute
        raised[minute] = sync(database, hall.id, at(minute))["raised"]
    # Raised once, when the agent has been silent for 3 minutes; never device_offline, as the
    # device itself is seen.
    assert raised == {1: [], 2: [], 3: [key], 4: [], 5: []}
    assert printer_status() == "unknown"

    health("ok", 6)  # the agent is back
    assert sync(database, hall.id, at(6)) == {"raised": [], "cleared": [key]}
    assert printer_status() == "ok"


def test_a_kiosk_whose_printer_was_never_reported_raises_nothing(database, hall):
    set_thresholds(database, hall.id, device_offline_minutes=3)
    kiosk = hall.kiosk()
    for minute in range(0, 6):
        with database.transaction() as uow:
            print_jobs.report_device_health(uow, kiosk, None, at(minute))
        assert sync(database, hall.id, at(minute))["raised"] == []
