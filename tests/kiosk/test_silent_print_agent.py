"""A kiosk whose print agent falls silent, in headless Chromium against a real server: the hall's
alert check marks the printer unknown, the page warns visitors at once and shows their ticket on
screen without waiting for a printer that will not answer; the agent's next report clears it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from hall_server.operations import print_jobs
from hall_server.operations.access import Actor
from hall_server.operations.alerts import AlertSettings
from hall_server.storage.models import Device
from tests.hardware.escpos_decoder import decode, printed_lines
from tests.kiosk.conftest import LiveKioskHall, serve_kiosk_hall, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

SILENT_AFTER = timedelta(minutes=AlertSettings().device_offline_minutes)  # the hall's default
UNKNOWN_ZH = "打印机无响应，号票可能无法打印。"
# The page gives a pending print job 20 s (PRINT_GIVE_UP_MS) before it says the printer did not
# answer; with the printer unknown it must say so well before that.
AT_ONCE_MS = 5_000


@pytest.fixture(scope="module")
def live_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKioskHall]:
    """A server of its own whose alert check runs every second rather than every 20."""
    directory = tmp_path_factory.mktemp("kiosk-silent-agent")
    with serve_kiosk_hall(directory, ALERTS_EVERY_SECONDS="1") as live:
        yield live


def heartbeat_at(live: LiveKioskHall, kiosk_id: int, moment: datetime) -> None:
    """The kiosk's print agent says it is alive, as its device.health call does, at `moment`."""
    kiosk = Actor(kind="device", id=kiosk_id, role="kiosk", hall_id=live.hall.id)
    with live.database.transaction() as uow:
        print_jobs.report_device_health(uow, kiosk, None, moment)


def test_a_silent_print_agent_warns_visitors_and_its_next_report_clears_the_warning(
    page: Any, live_hall: LiveKioskHall
) -> None:
    live = live_hall
    token, kiosk_id = live.new_kiosk("silent agent", identification="off")
    banner = page.locator("#printer-banner")
    with live.print_agent(token):
        page.goto(f"{live.url}/kiosk/?token={token}")
        expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()
        expect(banner).to_be_hidden()

    # The agent stopped (its process died, its cable came out) and has not spoken since: its
    # last heartbeat is older than the hall's device-offline time when the alert check runs.
    heartbeat_at(live, kiosk_id, datetime.now(UTC) - SILENT_AFTER - timedelta(seconds=30))
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-status", "unknown")
    expect(banner).to_contain_text(UNKNOWN_ZH)
    expect(banner).to_contain_text("请联系工作人员")
    expect(page.locator("body")).to_have_class(re.compile(r"\bprinter-fault\b"))

    # A visitor still takes a ticket, and is told at once it may not print, as when the printer
    # reports a fault, with the ticket valid on screen and its QR code.
    page.get_by_role("button", name="住房公积金管理中心").click()
    page.get_by_role("button", name="公积金提取").click()
    page.get_by_role("button", name="确认取号").click()
    status = page.locator("#print-status")
    expect(status).to_contain_text("号票未能打印：打印机没有响应。", timeout=AT_ONCE_MS)
    expect(status).to_contain_text("您的号码依然有效")
    expect(page.get_by_role("button", name="不打印，仅屏幕显示")).to_be_visible()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    page.wait_for_function("document.getElementById('ticket-qr').naturalWidth > 0")
    number = page.locator("#ticket-number").inner_text()

    # The agent comes back while the visitor is still there: its report ("ok") takes the
    # warning away, and it prints the ticket it owes, which the screen then says.
    with live.print_agent(token) as running:
        expect(banner).to_be_hidden()
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bprinter-fault\b"))
        expect(status).to_have_text("请取走号票。")
    assert printed_lines(decode(running.simulated.received)).count(number) == 1


def printer_status(live: LiveKioskHall, kiosk_id: int) -> str | None:
    with live.database.reading() as session:
        device = session.get(Device, kiosk_id)
        assert device is not None
        return device.printer_status


def test_a_kiosk_page_opened_while_the_printer_is_unknown_warns_in_english_too(
    page: Any, live_hall: LiveKioskHall
) -> None:
    live = live_hall
    token, kiosk_id = live.new_kiosk("silent agent, English", identification="off")
    heartbeat_at(live, kiosk_id, datetime.now(UTC) - SILENT_AFTER - timedelta(seconds=30))
    wait_for(lambda: printer_status(live, kiosk_id) == "unknown", "the alert check")

    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    banner = page.locator("#printer-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(
        "The printer is not responding, so your ticket may not print. You can still take a "
        "ticket: it is shown on screen with a QR code for your phone. Please tell a member of "
        "staff."
    )
