"""The ticket's status page (the QR code's target) on a phone, in headless Chromium: it follows
the queue live, shows the window when called, and lets the visitor cancel."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import LiveKioskHall, serve_kiosk_hall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the kiosk hall's time zone


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
    expect(phone.locator("#status-text")).to_have_text("已叫号：请立即到3号窗口办理")
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


def _expect_no_queue_facts(phone: Any) -> None:
    """Neither the numbers nor their labels: nothing about a queue the ticket is no longer in."""
    expect(phone.locator("#status-queue")).to_be_hidden()
    expect(phone.get_by_text("前面等候")).to_be_hidden()
    expect(phone.get_by_text("预计等候")).to_be_hidden()


def test_people_ahead_and_the_estimate_go_away_once_the_ticket_is_called(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("status called")
    live.issue(token, "公积金提取")
    mine = live.issue(token, "公积金提取")
    clerk = live.login(live.hall.clerk_numbers[1])
    window_1 = live.hall.windows[1]

    phone.goto(mine["status_url"])
    expect(phone.locator("#status-ahead")).to_have_text("1")
    expect(phone.get_by_text("前面等候")).to_be_visible()
    expect(phone.locator("#status-wait")).not_to_be_empty()

    first = live.api("POST", f"/windows/{window_1}/call-next", clerk).json()
    for action, body in (("start", None), ("finish", {"outcome": "completed"})):
        path = f"/windows/{window_1}/tickets/{first['id']}/{action}"
        assert live.api("POST", path, clerk, json=body).status_code == 200
    called = live.api("POST", f"/windows/{window_1}/call-next", clerk).json()
    assert called["number"] == mine["number"]

    expect(phone.locator("#status-text")).to_have_text("已叫号：请立即到1号窗口办理")
    _expect_no_queue_facts(phone)
    phone.reload()
    expect(phone.locator("#status-text")).to_have_text("已叫号：请立即到1号窗口办理")
    _expect_no_queue_facts(phone)


def test_a_no_show_is_told_until_when_it_may_come_back_and_sees_no_queue(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("status no-show")
    mine = live.issue(token, "企业设立登记")
    clerk = live.login(live.hall.clerk_numbers[2])
    window_2 = live.hall.windows[2]
    phone.goto(mine["status_url"])
    expect(phone.locator("#status-ahead")).to_have_text("0")

    called = live.api("POST", f"/windows/{window_2}/call-next", clerk).json()
    path = f"/windows/{window_2}/tickets/{called['id']}/no-show"
    missed = live.api("POST", path, clerk).json()
    assert missed["status"] == "no_show"
    # The hall's grace is 30 minutes and a late arrival waits behind 3 people: the page says so.
    until = missed["requeue_until"]
    assert until is not None and missed["requeue_behind"] == 3

    expect(phone.locator("body")).to_have_attribute("data-status", "no_show")
    missed_at = datetime.fromisoformat(called["called_at"]).astimezone(SHANGHAI)
    come_back_by = datetime.fromisoformat(until).astimezone(SHANGHAI)
    assert timedelta(minutes=29) < come_back_by - missed_at < timedelta(minutes=31)
    told = (
        f"如在 {come_back_by:%H:%M} 前回到大厅，可请窗口或咨询服务台为您重新排队，前面最多排 3 人"
    )
    expect(phone.locator("#status-text")).to_have_text("已过号：叫号时您未到窗口。")
    expect(phone.locator("#status-next")).to_contain_text(told)
    _expect_no_queue_facts(phone)
    phone.reload()
    expect(phone.locator("#status-next")).to_contain_text(told)
    _expect_no_queue_facts(phone)


def test_a_cancelled_ticket_says_there_is_nothing_more_to_wait_for(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("status cancelled")
    for _ in range(3):
        live.issue(token, "社会保障卡办理")
    mine = live.issue(token, "社会保障卡办理")
    phone.goto(mine["status_url"])
    expect(phone.locator("#status-ahead")).to_have_text("3")

    assert live.api("POST", f"/tickets/{mine['id']}/cancel", token).status_code == 200

    expect(phone.locator("#status-text")).to_have_text("已取消")
    expect(phone.locator("#status-next")).to_have_text("无需继续等候；如仍需办理，请重新取号。")
    _expect_no_queue_facts(phone)
    expect(phone.locator("#cancel-area")).to_be_hidden()
    phone.reload()
    expect(phone.locator("#status-next")).to_have_text("无需继续等候；如仍需办理，请重新取号。")
    _expect_no_queue_facts(phone)


def test_being_called_shows_in_the_tab_title_and_the_live_region_speaks_only_on_change(
    phone: Any, tmp_path: Path
) -> None:
    """A phone in a pocket or another tab: being called must be more than words in a box. And
    a screen reader must not hear "waiting" again at every movement of the queue."""
    with serve_kiosk_hall(tmp_path) as live:  # its own hall: the queue it counts is its own
        called_on_the_phone(phone, live)


def called_on_the_phone(phone: Any, live: LiveKioskHall) -> None:
    token, _ = live.new_kiosk("called title")
    ahead = [live.issue(token, "社会保障卡办理") for _ in range(3)]
    mine = live.issue(token, "社会保障卡办理")
    clerk = live.login(live.hall.clerk_numbers[3])
    window_3 = live.hall.windows[3]

    phone.goto(mine["status_url"])
    expect(phone.locator("#status-text")).to_have_text("等候中")
    expect(phone).to_have_title(f"{mine['number']} · 市民中心")
    phone.evaluate(
        """() => {
            window.statusWrites = 0;
            new MutationObserver((changes) => { window.statusWrites += changes.length; })
                .observe(document.getElementById("status-text"), {childList: true, subtree: true});
        }"""
    )
    for ticket in ahead:  # the queue moves three times
        assert (
            live.api("POST", f"/windows/{window_3}/call-next", clerk).json()["id"] == ticket["id"]
        )
        for action, body in (("start", None), ("finish", {"outcome": "completed"})):
            path = f"/windows/{window_3}/tickets/{ticket['id']}/{action}"
            assert live.api("POST", path, clerk, json=body).status_code == 200
    expect(phone.locator("#status-ahead")).to_have_text("0")
    assert phone.evaluate("window.statusWrites") == 0

    assert live.api("POST", f"/windows/{window_3}/call-next", clerk).json()["id"] == mine["id"]
    expect(phone.locator("#status-text")).to_have_text("已叫号：请立即到3号窗口办理")
    expect(phone).to_have_title(f"{mine['number']} 已叫号：请到3号窗口")
    assert phone.locator("#status-text").get_attribute("aria-live") == "polite"
