"""A kiosk whose printer the server already knows will not print (no print agent ever reported,
out of paper, offline, its agent silent), in headless Chromium against a real server: the
ticket screen says at once that the ticket is on screen and on the phone, instead of "printing"
until the page gives up after 20 s; a printer believed ok is still waited for.

The page's clock is stopped once the ticket is shown, so the 20 s never pass: what the screen
says then is what it says at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from hall_server.operations import print_jobs
from hall_server.operations.access import Actor
from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

PRINTING = "正在打印号票……"
STILL_VALID = "您的号码依然有效"


def set_printer_status(live: LiveKioskHall, kiosk_id: int, status: str) -> None:
    """What the kiosk's print agent last reported (it is not running now)."""
    kiosk = Actor(kind="device", id=kiosk_id, role="kiosk", hall_id=live.hall.id)
    with live.database.transaction() as uow:
        print_jobs.report_device_health(uow, kiosk, status, datetime.now(UTC))


def take_ticket_with_the_clock_stopped(page: Any, live: LiveKioskHall, token: str) -> None:
    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    page.get_by_role("button", name="人力资源和社会保障局").click()
    page.get_by_role("button", name="社会保障卡办理").click()
    expect(page.locator("#confirm-ahead")).to_have_text(re.compile(r"^\d+$"))
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # seconds
    page.get_by_role("button", name="确认取号").click()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^C\d{3}$"))


@pytest.mark.parametrize(
    ("status", "reason", "banner"),
    [
        (None, "本机未连接打印机。", "本机未连接打印机。您仍可取号"),
        ("paper_out", "打印机缺纸。", "打印机缺纸。"),
        ("offline", "打印机故障。", "打印机暂时故障。"),
        ("unknown", "打印机没有响应。", "打印机无响应"),
    ],
)
def test_a_printer_known_not_to_print_is_said_at_once_with_the_ticket_on_screen(
    page: Any, live_kiosk_hall: LiveKioskHall, status: str | None, reason: str, banner: str
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk(f"printer {status}", identification="off")
    if status is not None:
        set_printer_status(live, kiosk_id, status)

    take_ticket_with_the_clock_stopped(page, live, token)

    expect(page.locator("#printer-banner")).to_contain_text(banner)
    print_status = page.locator("#print-status")
    expect(print_status).to_have_attribute("data-status", "failed")
    expect(print_status).to_contain_text(f"号票未能打印：{reason}")
    expect(print_status).to_contain_text(STILL_VALID)
    expect(print_status).not_to_contain_text(PRINTING)
    expect(page.get_by_role("button", name="不打印，仅屏幕显示")).to_be_visible()
    # Without any printer there is nothing to print again on.
    expect(page.get_by_role("button", name="重新打印")).to_be_visible(visible=status is not None)
    page.wait_for_function("document.getElementById('ticket-qr').naturalWidth > 0")


def test_a_printer_believed_ok_is_waited_for(page: Any, live_kiosk_hall: LiveKioskHall) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("printer ok", identification="off")
    set_printer_status(live, kiosk_id, "ok")

    take_ticket_with_the_clock_stopped(page, live, token)

    expect(page.locator("#printer-banner")).to_be_hidden()
    expect(page.locator("#print-status")).to_have_text(PRINTING)
    expect(page.get_by_role("button", name="重新打印")).to_be_hidden()
