"""A printer that cannot be asked its state (a `file:` printer, as the README sets up) is judged by
what the print agent sees: it opened and its last ticket was written, so it is reported "ok" and
the kiosk page shows no fault; one whose ticket could not be written is reported "offline".
("unknown" stays the server's word for an agent that has fallen silent.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hall_server.storage.models import Device
from tests.hardware.escpos_decoder import decode, printed_lines
from tests.kiosk.conftest import LiveKioskHall, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def printer_status(live: LiveKioskHall, kiosk_id: int) -> str | None:
    with live.database.reading() as session:
        device = session.get(Device, kiosk_id)
        assert device is not None
        return device.printer_status


def test_a_file_printer_shows_no_fault_and_its_tickets_are_said_printed(
    page: Any, live_kiosk_hall: LiveKioskHall, tmp_path: Path
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("file printer", identification="off")
    output = tmp_path / "lp0"
    output.touch()
    banner = page.locator("#printer-banner")
    with live.print_agent(token, f"file:{output}") as running:
        assert running.agent.printer_status is not None
        assert running.agent.printer_status.value == "ok"
        assert printer_status(live, kiosk_id) == "ok"
        page.goto(f"{live.url}/kiosk/?token={token}")
        expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()
        expect(banner).to_be_hidden()
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bprinter-fault\b"))

        page.get_by_role("button", name="住房公积金管理中心").click()
        page.get_by_role("button", name="公积金提取").click()
        page.get_by_role("button", name="确认取号").click()
        # Believed to print, so the page waits for the printer, which then says it printed.
        expect(page.locator("#print-status")).to_have_text("请取走号票。")
        number = page.locator("#ticket-number").inner_text()
        expect(banner).to_be_hidden()
        assert printer_status(live, kiosk_id) == "ok"

    assert printed_lines(decode(output.read_bytes())).count(number) == 1


def test_a_file_printer_that_cannot_be_written_is_reported_offline(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("full device")
    # /dev/full opens, and every write to it fails (ENOSPC): a device node whose printer is
    # gone, as far as the agent can tell.
    with live.print_agent(token, "file:/dev/full") as running:
        ticket = live.issue(token, "公积金提取")
        failed = running.result_for(ticket["print_job"]["id"])
        wait_for(
            lambda: printer_status(live, kiosk_id) == "offline", "the printer reported offline"
        )

    assert failed["result"] == "failed" and failed["error"].startswith("offline:")
    assert failed["printer_status"] == "offline"
