"""The ticket's status page (the QR code's target) on a phone, in headless Chromium: it follows
the queue live, shows the window when called, and lets the visitor cancel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import WAIT_SECONDS, LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone set to Chinese."""
    expect.set_options(timeout=WAIT_SECONDS * 1000)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


def test_status_page_follows_the_queue_and_shows_the_window_when_called(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("status page")
    ahead = live.issue(token, "社会保障卡办理")
    mine = live.issue(token, "社会保障卡办理")
    clerk = live.login(live.hall.clerk_numbers[3])
    window_3 = live.hall.windows[3]

    phone.goto(mine["status_url"])
    expect(phone.locator("#status-number")).to_have_text(mine["number"])
    expect(phone.locator("#status-service")).to_have_text("社会保障卡办理")
    expect(phone.locator("#status-text")).to_have_text("等候中")
    expect(phone.locator("#status-ahead")).to_have_text("1")

    called = live.api("POST", f"/windows/{window_3}/call-next", clerk).json()
    assert called["number"] == ahead["number"]
    expect(phone.locator("#status-ahead")).to_have_text("0")

    for action, body in (("start", None), ("finish", {"outcome": "completed"})):
        path = f"/windows/{window_3}/tickets/{called['id']}/{action}"
        assert live.api("POST", path, clerk, json=body).status_code == 200
    called = live.api("POST", f"/windows/{window_3}/call-next", clerk).json()
    assert called["number"] == mine["number"]
    expect(phone.locator("#status-text")).to_have_text("已叫号：请立即到 3号窗口 办理")
    expect(phone.locator("body")).to_have_attribute("data-status", "called")
    expect(phone.locator("#cancel")).to_be_hidden()


def test_visitor_cancels_their_ticket_from_the_status_page(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("status cancel")
    mine = live.issue(token, "企业设立登记")

    phone.goto(mine["status_url"])
    expect(phone.locator("#status-text")).to_have_text("等候中")
    phone.get_by_role("button", name="取消排队").click()
    phone.get_by_role("button", name="继续排队").click()  # changed their mind once
    expect(phone.locator("#status-text")).to_have_text("等候中")
    phone.get_by_role("button", name="取消排队").click()
    phone.get_by_role("button", name="确定取消").click()

    expect(phone.locator("#status-text")).to_have_text("已取消")
    answer = live.api("GET", f"/ticket-status/{mine['status_token']}").json()
    assert answer["status"] == "cancelled"


def test_unknown_status_link_says_the_ticket_is_not_found(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    response = phone.goto(f"{live_kiosk_hall.url}/t/no-such-ticket")
    assert response.status == 404
    expect(phone.get_by_role("heading", name="未找到该号票")).to_be_visible()
