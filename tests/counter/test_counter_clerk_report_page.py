"""What a clerk found trying the counter: a no-show who comes back is put back in the queue from
the call-a-number dialog; a deliberate disconnect is no outage; a lost answer is asked again
with the same Idempotency-Key, and one never answered is said to be unknown; connection errors
go once the server is back; the receiving clerk sees where a transfer came from and why; dialogs
keep their errors and their double-clicks to themselves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from hall_server.storage.models import Hall
from tests.counter.conftest import LiveHall, counter_browser_page, open_counter, wait_for_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

OFFLINE_AFTER_S = 4  # live_client.js offlineAfterMs: a page shows "offline" after that long


def ticket_status(live_hall: LiveHall, ticket: dict[str, Any]) -> str:
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", live_hall.login(1)).json()
    return str(stored["status"])


def set_grace(live_hall: LiveHall, minutes: int) -> None:
    with live_hall.database.transaction() as uow:
        uow.session.execute(
            update(Hall).where(Hall.id == live_hall.hall.id).values(no_show_grace_minutes=minutes)
        )


def call_and_miss(page: Page) -> None:
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    page.keyboard.press("x")
    expect(page.locator("#ticket-empty")).to_be_visible()
    # The no-show's answer is in and the window read again: the next key is judged on that.
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))
    expect(page.locator('[data-action="callNumber"]')).not_to_have_attribute(
        "aria-disabled", "true"
    )


def test_a_no_show_who_comes_back_in_time_is_requeued_from_call_a_number(
    page: Page, live_hall: LiveHall
) -> None:
    missed = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    call_and_miss(page)

    page.keyboard.press("c")
    page.fill("#call-number-input", "a001")
    page.keyboard.press("Enter")
    offer = page.locator("#requeue-offer")
    expect(offer).to_be_visible()
    expect(page.locator("#requeue-text")).to_contain_text("A001 is a no-show. Until ")
    expect(page.locator("#requeue-text")).to_contain_text("behind at most 3 people.")
    expect(page.locator("#call-number-dialog")).to_be_visible()
    expect(page.locator("#requeue-button")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#message")).to_have_text("A001 waits again, 0 ahead.")
    expect(page.locator("#call-number-dialog")).to_be_hidden()
    assert ticket_status(live_hall, missed) == "waiting"

    # Missed again; the grace ends while the dialog is open: the server's refusal is said there.
    call_and_miss(page)
    page.keyboard.press("c")
    page.fill("#call-number-input", "A001")
    page.keyboard.press("Enter")
    expect(page.locator("#requeue-button")).to_be_visible()
    set_grace(live_hall, 0)
    page.click("#requeue-button")
    error = page.locator("#call-number-error")
    expect(error).to_have_attribute("data-code", "grace_period_over")
    expect(error).to_have_text(
        "Too late to wait again. The ticket was missed more than 0 minutes ago; please take a "
        "new ticket."
    )
    expect(page.locator("#requeue-button")).to_be_hidden()
    assert ticket_status(live_hall, missed) == "no_show"

    # Looked up once the grace is over: no button, and the page says why.
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.fill("#call-number-input", "A001")
    page.keyboard.press("Enter")
    expect(page.locator("#requeue-offer")).to_have_attribute("data-open", "false")
    expect(page.locator("#requeue-text")).to_contain_text(
        "A001 is a no-show and its time to wait again ended at "
    )
    expect(page.locator("#requeue-button")).to_be_hidden()


def test_a_deliberate_disconnect_shows_no_offline_warning(page: Page, live_hall: LiveHall) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("l")
    expect(page.locator("#release-dialog")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#window-view")).to_be_visible()
    page.wait_for_timeout((OFFLINE_AFTER_S + 2) * 1000)
    expect(page.locator(".connection-lost")).to_be_hidden()
    expect(page.locator("#live-state")).to_be_hidden()

    # Freed by a manager: the page goes back to the window list, quietly.
    page.click("#window-list li[data-window-number='1'] button")
    wait_for_desk(page)
    window = live_hall.hall.windows[1]
    freed = live_hall.api("POST", f"/windows/{window}/release", manager_headers(live_hall))
    assert freed.status_code == 200, freed.text
    expect(page.locator("#window-view")).to_be_visible()
    page.wait_for_timeout((OFFLINE_AFTER_S + 2) * 1000)
    expect(page.locator(".connection-lost")).to_be_hidden()
    expect(page.locator("#live-state")).to_be_hidden()

    # Logging out.
    page.click("#window-list li[data-window-number='1'] button")
    wait_for_desk(page)
    page.click("#logout-button")
    page.click("#logout-confirm")
    expect(page.locator("#login-view")).to_be_visible()
    page.wait_for_timeout((OFFLINE_AFTER_S + 2) * 1000)
    expect(page.locator(".connection-lost")).to_be_hidden()
    expect(page.locator("#live-state")).to_be_hidden()


def manager_headers(live_hall: LiveHall) -> dict[str, str]:
    response = live_hall.api(
        "POST",
        "/auth/login",
        {},
        json={"staff_number": live_hall.hall.manager_number, "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_lost_answer_is_asked_again_with_the_same_key_and_the_first_answer_comes_back(
    page: Page, live_hall: LiveHall
) -> None:
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    sent: list[dict[str, str]] = []

    def lose_the_first_answer(route: Any) -> None:
        answer = route.fetch()  # the server acts
        sent.append(
            {
                "key": route.request.headers.get("idempotency-key", ""),
                "replayed": answer.headers.get("idempotent-replayed", ""),
            }
        )
        if len(sent) == 1:
            route.abort("connectionreset")  # ... and its answer never reaches the page
        else:
            route.fulfill(response=answer)

    page.route("**/api/v1/windows/*/call-next", lose_the_first_answer)
    page.keyboard.press("n")
    expect(page.locator("#message")).to_have_text("Called A001.")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    assert len(sent) == 2
    assert sent[0]["key"] and sent[0]["key"] == sent[1]["key"]
    assert (sent[0]["replayed"], sent[1]["replayed"]) == ("", "true")
    assert ticket_status(live_hall, ticket) == "called"


def test_an_answer_lost_twice_is_unknown_and_the_desk_shows_what_was_done(
    page: Page, live_hall: LiveHall
) -> None:
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)

    def lose_every_answer(route: Any) -> None:
        route.fetch()
        route.abort("connectionreset")

    page.route("**/api/v1/windows/*/call-next", lose_every_answer)
    page.keyboard.press("n")
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "outcome_unknown")
    expect(message).to_have_text(
        "No answer from the server: it is not known whether this was done. Check the window's "
        "current state below before trying again."
    )
    expect(page.locator("#ticket-number")).to_have_text("A001")  # read again: it was done
    expect(message).to_have_attribute("data-kind", "info")  # the desk is current: no alarm


def test_a_connection_error_goes_once_the_server_answers_again(
    page: Page, live_hall: LiveHall
) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.route("**/api/v1/windows/*/desk", lambda route: route.abort("connectionrefused"))
    live_hall.kiosk_issue()  # the live event makes the page read its desk: it cannot
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "network")
    expect(message).to_be_visible()

    page.unroute("**/api/v1/windows/*/desk")
    live_hall.kiosk_issue()  # read again, and answered
    expect(page.locator("#total-waiting")).to_have_text("2")
    expect(message).to_be_hidden()


def test_the_receiving_clerk_sees_where_a_transfer_came_from_and_why(
    page: Page, live_hall: LiveHall
) -> None:
    ticket = live_hall.kiosk_issue()
    clerk1 = live_hall.login(1)
    window1 = f"/windows/{live_hall.hall.windows[1]}"
    assert live_hall.api("POST", f"{window1}/call-next", clerk1).status_code == 200
    assert live_hall.api("POST", f"{window1}/tickets/{ticket['id']}/start", clerk1).ok
    moved = live_hall.api(
        "POST",
        f"{window1}/tickets/{ticket['id']}/transfer",
        clerk1,
        json={"to_window_id": live_hall.hall.windows[2], "reason": "材料需2号窗口复核"},
    )
    assert moved.status_code == 200, moved.text

    page.goto(f"{live_hall.url}/counter/?lang=zh")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[2])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.click("#window-list li[data-window-number='2'] button")
    wait_for_desk(page)
    expect(page.locator("#transferred-here")).to_have_text("其中转给本窗口：1")
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#ticket-transfer-text")).to_have_text("由 1 号窗口转来：材料需2号窗口复核")
    expect(page.locator("#ticket-transfer-details")).to_contain_text("clerk1 · housing · ")


def serve_first(page: Page, live_hall: LiveHall) -> None:
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")


def test_a_double_click_on_finish_does_not_reach_the_button_underneath(
    browser: Any, live_hall: LiveHall
) -> None:
    """On a 1280×720 screen the dialog's Finish lies over the action bar."""
    with counter_browser_page(browser, viewport={"width": 1280, "height": 720}) as page:
        serve_first(page, live_hall)
        page.keyboard.press("f")
        expect(page.locator("#finish-confirm")).to_be_visible()
        # A point on Finish with an action button under it once the dialog has closed.
        found = page.evaluate(
            """() => {
                 const confirm = document.getElementById('finish-confirm').getBoundingClientRect();
                 for (const button of document.querySelectorAll('.actions [data-action]')) {
                   if (button.getAttribute('aria-disabled') === 'true') continue;
                   const r = button.getBoundingClientRect();
                   const left = Math.max(r.left, confirm.left);
                   const right = Math.min(r.right, confirm.right);
                   const top = Math.max(r.top, confirm.top);
                   const bottom = Math.min(r.bottom, confirm.bottom);
                   if (right - left > 4 && bottom - top > 4) {
                     return [(left + right) / 2, (top + bottom) / 2, button.dataset.action];
                   }
                 }
                 return null;
               }"""
        )
        assert found is not None, "no enabled action button under the dialog's Finish"
        x, y, underneath = found
        assert underneath == "transfer"  # as the clerk found it: 办结, then T 转移
        page.mouse.dblclick(x, y)
        expect(page.locator("#message")).to_have_text("A001 finished: completed.")
        page.wait_for_timeout(1000)
        # Not "nothing to transfer" in its place, nor any dialog the second click opened.
        expect(page.locator("dialog[open]")).to_have_count(0)
        expect(page.locator("#window-state")).to_have_attribute("data-status", "open")
        expect(page.locator("#message")).to_have_text("A001 finished: completed.")


def test_dialog_errors_are_said_in_the_dialog_and_transfer_starts_at_choose(
    page: Page, live_hall: LiveHall
) -> None:
    serve_first(page, live_hall)
    page.keyboard.press("t")
    expect(page.locator("#transfer-reason")).to_be_focused()
    expect(page.locator("#transfer-service")).to_have_value("")
    expect(page.locator("#transfer-service option").first).to_have_text("Choose…")
    page.keyboard.press("Enter")  # nothing chosen: not sent to the first service
    error = page.locator("#transfer-error")
    expect(error).to_have_text("Choose the service to transfer to.")
    expect(page.locator("#transfer-service")).to_be_focused()
    page.select_option("#transfer-service", str(live_hall.hall.services["business"]))
    page.focus("#transfer-reason")
    page.keyboard.press("Enter")
    expect(error).to_have_text("Give a reason for the transfer.")
    expect(page.locator("#transfer-reason")).to_be_focused()
    expect(page.locator("#message")).to_be_hidden()  # nothing greyed under the modal
    page.fill("#transfer-reason", "需营业执照窗口办理")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("A001 transferred.")

    page.keyboard.press("c")
    page.keyboard.press("Enter")
    expect(page.locator("#call-number-error")).to_have_text("Type the ticket number, e.g. A023.")
    expect(page.locator("#call-number-dialog")).to_be_visible()


def test_a_primary_button_that_may_not_act_looks_so_and_the_figure_is_not_an_outcome(
    page: Page, live_hall: LiveHall
) -> None:
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    finish = page.locator("[data-action=finish]")
    call_next = page.locator("[data-action=callNext]")
    expect(finish).to_have_attribute("aria-disabled", "true")
    expect(call_next).to_have_attribute("aria-disabled", "false")
    background = "el => getComputedStyle(el).backgroundColor"
    assert finish.evaluate(background) != call_next.evaluate(background)
    expect(page.locator("#figures-panel dt").first).to_have_text("Cases handled")
