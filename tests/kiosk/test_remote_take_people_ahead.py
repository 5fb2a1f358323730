"""The phone page for taking a ticket (/h/<code>/take), in headless Chromium against a server of
its own: each service says the people a ticket taken now would have ahead (visitors of other
services at a shared window included), the figure the ticket's status page then shows; a
service whose daily quota is used up cannot be chosen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import LiveKioskHall, serve_kiosk_hall
from tests.kiosk.test_remote_take_page import set_remote

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture(scope="module")
def live_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKioskHall]:
    """A hall of its own: these tests count every ticket waiting in it."""
    with serve_kiosk_hall(tmp_path_factory.mktemp("remote-people-ahead")) as live:
        set_remote(live, enabled=True, max_waiting=20, quota_share_percent=100)
        yield live


def choice(phone: Any, service: str) -> Any:
    return phone.get_by_role("button", name=re.compile(service))


def test_the_page_and_the_status_page_give_the_same_people_ahead(
    phone: Any, live_hall: LiveKioskHall
) -> None:
    live = live_hall
    kiosk, _ = live.new_kiosk("loans")
    # Window 1 serves both provident fund services: nobody waits for a withdrawal, but two
    # loans do, and the window calls them first.
    live.issue(kiosk, "公积金贷款")
    live.issue(kiosk, "公积金贷款")

    phone.goto(f"{live.url}/h/kiosk-hall/take")
    withdrawal = choice(phone, "公积金提取")
    expect(withdrawal).to_contain_text("前面等候 2 人")
    expect(phone.locator("#take-services")).not_to_contain_text("人等候")
    withdrawal.click()
    expect(phone.locator("#take-ahead")).to_have_text("2")
    expect(phone.locator("#take-form")).to_contain_text("前面等候")
    phone.locator("#take-phone").fill("13800138000")
    phone.get_by_role("button", name="确认取号").click()

    expect(phone).to_have_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#status-ahead")).to_have_text("2")

    phone.goto(f"{live.url}/h/kiosk-hall/take?lang=en")
    expect(choice(phone, "Provident fund withdrawal")).to_contain_text("Ahead of you: 3")


def test_a_service_whose_daily_quota_is_used_up_cannot_be_chosen(
    phone: Any, live_hall: LiveKioskHall
) -> None:
    live = live_hall
    kiosk, _ = live.new_kiosk("quota")
    live.issue(kiosk, "食品经营许可")  # its daily quota is one ticket

    phone.goto(f"{live.url}/h/kiosk-hall/take")
    full = choice(phone, "食品经营许可")
    expect(full).to_be_disabled()
    expect(full).to_contain_text("该事项今天的号已经取完。")
    expect(choice(phone, "企业设立登记")).to_be_enabled()
