"""The counter's transfer: offered only for a case being served (the server's rule), and never
to a window where nobody is."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, counter_browser_page, open_counter, wait_for_desk

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def serve_the_first_ticket_at_window_1(page: Page, live_hall: LiveHall) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")


def test_transfer_waits_until_the_case_is_being_served(page: Page, live_hall: LiveHall) -> None:
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    transfer = page.locator("[data-action=transfer]")
    expect(transfer).to_have_attribute("aria-disabled", "true")  # nothing at the window

    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    expect(transfer).to_have_attribute("aria-disabled", "true")
    expect(transfer).to_have_attribute("title", "Transfer once the case has started: press S.")
    page.keyboard.press("t")
    expect(page.locator("#message")).to_have_text("Transfer once the case has started: press S.")
    expect(page.locator("#transfer-dialog")).to_be_hidden()
    transfer.click(force=True)  # aria-disabled: a click is still heard, and answered the same
    expect(page.locator("#transfer-dialog")).to_be_hidden()

    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")
    expect(transfer).to_have_attribute("aria-disabled", "false")
    page.keyboard.press("t")
    expect(page.locator("#transfer-dialog")).to_be_visible()
    clerk = live_hall.login(1)
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()
    assert stored["status"] == "serving"


def test_a_closed_window_cannot_be_chosen_to_transfer_to(page: Page, live_hall: LiveHall) -> None:
    hall = live_hall.hall
    window_2 = hall.windows[2]
    other = live_hall.login(2)
    assert live_hall.api("POST", f"/windows/{window_2}/release", other).status_code == 200
    ticket = live_hall.kiosk_issue()
    serve_the_first_ticket_at_window_1(page, live_hall)

    page.keyboard.press("t")
    page.check("#transfer-form input[value=window]")
    option = page.locator(f"#transfer-window option[value='{window_2}']")
    expect(option).to_have_text("2 · 窗口2 (closed: nobody there)")
    expect(option).to_be_disabled()
    page.fill("#transfer-reason", "需专窗办理")
    page.keyboard.press("Enter")
    # Said in the dialog, next to its fields, not in the page's message box under the modal.
    expect(page.locator("#transfer-error")).to_have_text(
        "No other window is open to take this case."
    )
    clerk = live_hall.login(1)
    assert live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()["status"] == "serving"

    page.keyboard.press("Escape")
    other = live_hall.login(2)
    assert live_hall.api("POST", f"/windows/{window_2}/take", other).status_code == 200
    page.keyboard.press("t")  # the window is staffed again: the dialog knows at once
    page.check("#transfer-form input[value=window]")
    expect(option).to_have_text("2 · 窗口2")
    expect(option).to_be_enabled()
    page.select_option("#transfer-window", str(window_2))
    page.fill("#transfer-reason", "需专窗办理")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("A001 transferred.")


def test_a_chosen_window_that_closes_while_the_dialog_is_open_stays_chosen_and_is_refused(
    page: Page, live_hall: LiveHall
) -> None:
    """Not silently swapped for another window the clerk never chose."""
    window_2 = live_hall.hall.windows[2]
    ticket = live_hall.kiosk_issue()
    serve_the_first_ticket_at_window_1(page, live_hall)
    page.keyboard.press("t")
    page.check("#transfer-form input[value=window]")
    page.select_option("#transfer-window", str(window_2))
    page.fill("#transfer-reason", "需专窗办理")

    other = live_hall.login(2)
    assert live_hall.api("POST", f"/windows/{window_2}/release", other).status_code == 200
    option = page.locator(f"#transfer-window option[value='{window_2}']")
    expect(option).to_be_disabled()  # the live event reached the open dialog
    expect(page.locator("#transfer-window")).to_have_value(str(window_2))
    page.keyboard.press("Enter")

    expect(page.locator("#transfer-error")).to_have_text(
        "That window is closed: nobody serves there."
    )
    clerk = live_hall.login(1)
    assert live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()["status"] == "serving"


def test_the_window_list_starts_at_choose_and_a_hurried_enter_asks_for_a_window(
    page: Page, live_hall: LiveHall
) -> None:
    """Never the first window by accident: like the service list, it starts at "Choose…", and
    confirming without a choice says to choose; the case stays at this window."""
    window_2 = live_hall.hall.windows[2]
    ticket = live_hall.kiosk_issue()
    serve_the_first_ticket_at_window_1(page, live_hall)

    page.keyboard.press("t")
    page.check("#transfer-form input[value=window]")
    windows = page.locator("#transfer-window")
    expect(windows).to_have_value("")
    expect(windows.locator("option").first).to_have_text("Choose…")
    expect(page.locator(f"#transfer-window option[value='{window_2}']")).to_be_enabled()
    page.fill("#transfer-reason", "需专窗办理")
    page.keyboard.press("Enter")
    expect(page.locator("#transfer-error")).to_have_text("Choose the window to transfer to.")
    expect(page.locator("#transfer-dialog")).to_be_visible()
    clerk = live_hall.login(1)
    assert live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()["status"] == "serving"

    # A window changing meanwhile (a live update re-reads the list) does not choose one either.
    other = live_hall.login(2)
    changed = live_hall.api(
        "POST", f"/windows/{window_2}/state", other, json={"change": "pause", "reason": "break"}
    )
    assert changed.status_code == 200, changed.text
    expect(page.locator(f"#transfer-window option[value='{window_2}']")).to_have_text(
        "2 · 窗口2 (paused)"
    )
    expect(windows).to_have_value("")

    page.select_option("#transfer-window", str(window_2))
    page.focus("#transfer-reason")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("A001 transferred.")
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()
    assert (stored["status"], stored["target_window_id"]) == ("waiting", window_2)


def test_the_window_list_says_choose_in_chinese(browser: Any, live_hall: LiveHall) -> None:
    live_hall.kiosk_issue()
    with counter_browser_page(browser, locale="zh-CN") as page:
        open_counter(page, live_hall, 1)
        page.goto(f"{live_hall.url}/counter/?lang=zh")
        wait_for_desk(page)
        page.keyboard.press("n")
        expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
        page.keyboard.press("s")
        expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")
        page.keyboard.press("t")
        page.check("#transfer-form input[value=window]")
        expect(page.locator("#transfer-window option").first).to_have_text("请选择")
        page.fill("#transfer-reason", "需专窗办理")
        page.keyboard.press("Enter")
        expect(page.locator("#transfer-error")).to_have_text("请选择要转去的窗口。")
