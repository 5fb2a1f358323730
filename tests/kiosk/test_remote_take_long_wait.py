"""A wait beyond the forecast's cap reads "over 2 hours" on the phone pages, in headless Chromium
against a real server: the page for taking a ticket online and the ticket's status page, in
Chinese and in English, never "about 120 minutes"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import LiveKioskHall
from tests.kiosk.test_remote_take_page import set_remote

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

# One window serves the housing fund's services, 10 minutes a visitor: 16 waiting is well over
# two hours for the next.
SERVICE = "公积金贷款"
WAITING = 16


@pytest.fixture(scope="module")
def long_queue(live_kiosk_hall: LiveKioskHall) -> dict[str, Any]:
    """WAITING tickets for SERVICE, remote tickets on; the last ticket issued."""
    live = live_kiosk_hall
    set_remote(live, enabled=True, max_waiting=20)
    kiosk, _ = live.new_kiosk("a long queue")
    return [live.issue(kiosk, SERVICE) for _ in range(WAITING)][-1]


def test_the_page_for_taking_a_ticket_online_says_over_two_hours(
    phone: Any, live_kiosk_hall: LiveKioskHall, long_queue: dict[str, Any]
) -> None:
    live = live_kiosk_hall
    offer = live.api("GET", "/remote/halls/kiosk-hall").json()
    service = next(s for s in offer["services"] if s["name"] == SERVICE)
    estimate = service["estimated_wait_for_new_ticket"]
    assert estimate["over_limit"] is True, estimate  # the server caps it: the page must say so

    phone.goto(f"{live.url}/h/kiosk-hall/take")
    choice = phone.get_by_role("button", name=re.compile(SERVICE))
    expect(choice).to_contain_text("超过 2 小时")
    expect(choice).not_to_contain_text("120")
    choice.click()
    expect(phone.locator("#take-wait")).to_have_text("超过 2 小时")

    phone.goto(f"{live.url}/h/kiosk-hall/take?lang=en")
    expect(phone.get_by_role("button", name=re.compile("Provident fund loan"))).to_contain_text(
        "over 2 hours"
    )


def test_the_tickets_status_page_says_over_two_hours(
    phone: Any, live_kiosk_hall: LiveKioskHall, long_queue: dict[str, Any]
) -> None:
    live = live_kiosk_hall
    status = live.api("GET", f"/ticket-status/{long_queue['status_token']}").json()
    assert status["estimated_wait"]["over_limit"] is True, status

    phone.goto(long_queue["status_url"])
    expect(phone.locator("#status-ahead")).to_have_text(str(WAITING - 1))
    expect(phone.locator("#status-wait")).to_have_text("超过 2 小时")
    phone.goto(f"{long_queue['status_url']}?lang=en")
    expect(phone.locator("#status-wait")).to_have_text("over 2 hours")


def test_the_kiosks_confirmation_screen_says_over_two_hours(
    page: Any, live_kiosk_hall: LiveKioskHall, long_queue: dict[str, Any]
) -> None:
    from tests.kiosk.test_visitor_flow import open_kiosk

    live = live_kiosk_hall
    token, _ = live.new_kiosk("over the cap")
    open_kiosk(page, live, token)
    page.get_by_role("button", name="住房公积金管理中心").click()
    page.get_by_role("button", name=SERVICE).click()
    page.get_by_role("button", name="不验证，直接取号").click()
    expect(page.locator("#confirm-service")).to_have_text(SERVICE)
    expect(page.locator("#confirm-wait")).to_have_text("超过 2 小时")
