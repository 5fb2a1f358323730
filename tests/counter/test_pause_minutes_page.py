"""The counter's pause dialog lets the clerk say how long a break will last; the server keeps it
for the wait forecast, and forgets it when the window resumes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import open_counter, wait_for_desk

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def test_a_clerk_pauses_for_a_thirty_minute_break_from_the_page(page: Page, live_hall: Any) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    clerk = live_hall.login(1)
    window_id = live_hall.hall.windows[1]

    def stored() -> tuple[str, str | None, int | None]:
        windows = live_hall.api("GET", f"/halls/{live_hall.hall.id}/windows", clerk).json()
        window = next(w for w in windows if w["id"] == window_id)
        return window["status"], window["pause_reason"], window["pause_minutes"]

    page.keyboard.press("b")
    expect(page.locator("#pause-minutes option")).to_have_text(
        ["as the rota says", "10 min", "15 min", "30 min", "60 min"]
    )
    page.select_option("#pause-minutes", "30")
    page.click("#pause-dialog [data-reason=break]")
    window_state = page.locator("#window-state")
    expect(window_state).to_have_attribute("data-status", "paused")
    assert stored() == ("paused", "break", 30)

    page.keyboard.press("o")
    expect(window_state).to_have_attribute("data-status", "open")
    assert stored() == ("open", None, None)

    page.keyboard.press("b")  # the dialog forgets the last choice
    expect(page.locator("#pause-minutes")).to_have_value("")
    page.keyboard.press("2")
    expect(window_state).to_have_attribute("data-status", "paused")
    assert stored() == ("paused", "meeting", None)
