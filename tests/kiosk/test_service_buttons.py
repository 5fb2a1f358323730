"""A service's button on the kiosk, in headless Chromium against a real server: it says how many
people a ticket taken now would have ahead, the number the confirmation then shows (visitors of
other services at a shared window included), and a service whose daily quota is used up says
so and cannot be tapped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def open_department(page: Any, live: LiveKioskHall, token: str, department: str) -> None:
    page.goto(f"{live.url}/kiosk/?token={token}")
    page.get_by_role("button", name=department).click()


def service_button(page: Any, name: str) -> Any:
    return page.locator("#services .service-button").filter(has_text=name)


def test_the_button_and_the_confirmation_give_the_same_people_ahead(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("people ahead", identification="off")
    # Window 1 serves both provident fund services: one withdrawal waits, and two loans that
    # the same window calls first.
    for service in ("公积金贷款", "公积金贷款", "公积金提取"):
        live.issue(token, service)

    open_department(page, live, token, "住房公积金管理中心")
    withdrawal = service_button(page, "公积金提取")
    expect(withdrawal).to_contain_text("前面等候 3 人")
    expect(service_button(page, "公积金贷款")).to_contain_text("前面等候 3 人")
    expect(page.locator("#services")).not_to_contain_text("人等候")
    withdrawal.click()

    expect(page.locator("#confirm-ahead")).to_have_text("3")
    page.get_by_role("button", name="确认取号").click()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    expect(page.locator("#ticket-ahead")).to_have_text("3")

    # The next visitor, in English, reads the figure with the ticket just taken.
    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    page.get_by_role("button", name="Housing Provident Fund").click()
    expect(service_button(page, "Provident fund withdrawal")).to_contain_text("Ahead of you: 4")


def test_a_service_fully_booked_today_says_so_on_its_button_and_cannot_be_tapped(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("quota", identification="off")
    live.issue(token, "食品经营许可")  # the service's daily quota is one ticket

    open_department(page, live, token, "市场监督管理局")
    full = service_button(page, "食品经营许可")
    expect(full).to_contain_text("今日已取完")
    expect(full).to_be_disabled()
    expect(full).not_to_contain_text("前面等候")
    open_one = service_button(page, "企业设立登记")
    expect(open_one).to_be_enabled()
    expect(open_one).to_contain_text("前面等候")
    full.click(force=True)  # a tap on it does nothing
    expect(page.locator("#screen-services")).to_be_visible()

    # Found by search too, it says the same.
    page.get_by_role("button", name="返回").click()
    page.get_by_role("button", name="搜索").click()
    for letter in "spjy":
        page.locator("#letter-pad").get_by_role("button", name=letter, exact=True).click()
    expect(service_button(page, "食品经营许可")).to_be_disabled()

    # Issuing refuses it all the same (a kiosk whose page was opened before the quota filled).
    refused = live.api(
        "POST",
        f"/halls/{live.hall.id}/tickets",
        token,
        json={"service_id": live.hall.services["食品经营许可"]},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "daily_quota_reached"

    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    page.get_by_role("button", name="Market Regulation").click()
    expect(service_button(page, "Food business licence")).to_contain_text("Fully booked today")
