"""The counter page reads every time in the hall's time zone, whatever zone the screen's own
clock is set to: a PC in a hall in Shanghai may well run on UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, counter_browser_page, open_counter, wait_for_desk
from tests.hall_clock import hall_clock, hall_clocks_between

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture(params=["UTC", "America/New_York"])
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    with counter_browser_page(browser, timezone_id=request.param) as page:
        yield page


def window_changed_at(live_hall: LiveHall, window_number: int) -> datetime:
    clerk = live_hall.login(window_number)
    windows = live_hall.api("GET", f"/halls/{live_hall.hall.id}/windows", clerk).json()
    window = next(w for w in windows if w["id"] == live_hall.hall.windows[window_number])
    return datetime.fromisoformat(window["status_changed_at"])


def test_the_feed_and_a_pauses_return_time_are_in_the_halls_time(
    page: Page, live_hall: LiveHall
) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)

    before = datetime.now(UTC)
    live_hall.kiosk_issue()
    line = page.locator("#feed-list li[data-event='ticket.issued']").first
    expect(line).to_contain_text("A001 issued")
    shown = line.locator("time").text_content()
    assert shown in hall_clocks_between(before, datetime.now(UTC))

    page.keyboard.press("b")
    page.select_option("#pause-minutes", "15")
    page.click("#pause-dialog [data-reason=break]")
    window_state = page.locator("#window-state")
    expect(window_state).to_have_attribute("data-status", "paused")
    back = hall_clock(window_changed_at(live_hall, 1) + timedelta(minutes=15))
    expect(window_state).to_have_text(f"paused (break, 15 min, back about {back})")
