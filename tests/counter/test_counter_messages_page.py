"""What the counter page says after a window action and after a refusal: whole translated
sentences, never internals such as "1 · paused"; a refusal said once, worded for what was
refused; and a header that always shows the window the clerk is at, or none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, counter_browser_page, open_counter, wait_for_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

HALL_ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    with counter_browser_page(browser, timezone_id="UTC") as page:
        yield page


def open_counter_in_chinese(page: Page, live_hall: LiveHall, window_number: int) -> None:
    page.goto(f"{live_hall.url}/counter/?lang=zh")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[window_number])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.click(f"#window-list li[data-window-number='{window_number}'] button")


def back_at(live_hall: LiveHall, minutes: int) -> str:
    """The hall time a pause of `minutes` at window 1 is meant to end."""
    clerk = live_hall.login(1)
    windows = live_hall.api("GET", f"/halls/{live_hall.hall.id}/windows", clerk).json()
    window = next(w for w in windows if w["id"] == live_hall.hall.windows[1])
    paused_at = datetime.fromisoformat(window["status_changed_at"])
    return (paused_at + timedelta(minutes=minutes)).astimezone(HALL_ZONE).strftime("%H:%M")


def pause_for(page: Page, minutes: str, reason: str) -> None:
    page.keyboard.press("b")
    page.select_option("#pause-minutes", minutes)
    page.click(f"#pause-dialog [data-reason={reason}]")
    expect(page.locator("#window-state")).to_have_attribute("data-status", "paused")


def test_pause_and_resume_are_told_in_sentences_with_length_and_return_time(
    page: Page, live_hall: LiveHall
) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    message = page.locator("#message")

    pause_for(page, "15", "break")
    back = back_at(live_hall, 15)
    expect(message).to_have_text(f"Window 1 is paused (break, 15 min): back about {back}.")
    expect(page.locator("#window-state")).to_have_text(f"paused (break, 15 min, back about {back})")

    page.keyboard.press("o")
    expect(page.locator("#window-state")).to_have_attribute("data-status", "open")
    expect(message).to_have_text("Window 1 is open again.")
    expect(page.locator("#window-state")).to_have_text("open")


def test_pause_and_resume_are_told_in_chinese_too(page: Page, live_hall: LiveHall) -> None:
    open_counter_in_chinese(page, live_hall, 1)
    wait_for_desk(page)
    message = page.locator("#message")

    pause_for(page, "15", "break")
    back = back_at(live_hall, 15)
    expect(message).to_have_text(f"1 号窗口已暂停（休息，15 分钟），预计 {back} 恢复。")
    expect(page.locator("#window-state")).to_have_text(f"暂停（休息，15 分钟，预计 {back} 恢复）")

    page.keyboard.press("o")
    expect(message).to_have_text("1 号窗口已恢复办理。")

    page.keyboard.press("b")
    page.keyboard.press("2")  # a meeting, for as long as it takes
    expect(message).to_have_text("1 号窗口已暂停（会议）。")
    expect(page.locator("#window-state")).to_have_text("暂停（会议）")


def test_a_refusal_the_server_words_the_same_way_is_said_once(
    page: Page, live_hall: LiveHall
) -> None:
    page.goto(f"{live_hall.url}/counter/?lang=zh")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[1])
    page.fill("#password", "not the password")
    page.click("#login-button")
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "bad_credentials")
    expect(message).to_have_text("工号或密码错误。")

    page.goto(f"{live_hall.url}/counter/?lang=en")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[1])
    page.fill("#password", "still not the password")
    page.click("#login-button")
    expect(message).to_have_attribute("data-code", "bad_credentials")
    expect(message).to_have_text("Wrong staff number or password.")


def test_a_window_change_or_a_ticket_action_not_allowed_now_says_why_in_chinese(
    page: Page, live_hall: LiveHall
) -> None:
    open_counter_in_chinese(page, live_hall, 1)
    wait_for_desk(page)
    message = page.locator("#message")

    page.keyboard.press("o")  # resume a window that is open
    expect(message).to_have_text("窗口未暂停。")
    expect(page.locator("[data-action=resumeWindow]")).to_have_attribute("title", "窗口未暂停。")

    live_hall.kiosk_issue()
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.keyboard.press("p")  # a ticket's reason speaks of the ticket
    expect(message).to_have_text("开始办理后才能挂起：请先按 S 开始办理。")


def test_the_header_shows_the_window_only_while_the_clerk_holds_it(
    page: Page, live_hall: LiveHall
) -> None:
    page.goto(f"{live_hall.url}/counter/?lang=en")
    window_state = page.locator("#window-state")
    expect(page.locator("#login-view")).to_be_visible()
    expect(window_state).to_be_hidden()

    page.fill("#staff-number", live_hall.hall.clerk_numbers[1])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#window-view")).to_be_visible()
    expect(window_state).to_be_hidden()

    page.click("#window-list li[data-window-number='1'] button")
    wait_for_desk(page)
    expect(window_state).to_be_visible()
    expect(window_state).to_have_text("open")
    expect(page.locator("#window-title")).to_have_text("1 · 窗口1")

    page.keyboard.press("l")
    page.keyboard.press("Enter")
    expect(page.locator("#window-view")).to_be_visible()
    expect(page.locator("#message")).to_have_text("You left the window.")
    expect(page.locator("#window-title")).to_have_text("Counter")
    expect(window_state).to_be_hidden()
    expect(page.locator("body")).not_to_have_attribute("data-window-status", "open")
