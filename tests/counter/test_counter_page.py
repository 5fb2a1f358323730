"""The clerk's page in headless Chromium against a real server process."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from hall_server.storage.models import Hall
from tests.counter.conftest import open_counter, wait_for_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def test_clerk_logs_in_takes_a_window_and_serves_a_case_by_keys(page, live_hall):
    first = live_hall.kiosk_issue()
    live_hall.kiosk_issue("business")
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    expect(page.locator("#window-state")).to_have_attribute("data-status", "open")
    expect(page.locator("#next-ticket")).to_contain_text("A001")

    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")

    page.keyboard.press("f")
    expect(page.locator("#finish-dialog")).to_be_visible()
    page.keyboard.press("3")
    page.fill("#finish-case-number", "ZJ-2026-0042")
    page.fill("#finish-note", "缺户口本")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("A001 finished: needs correction.")
    expect(page.locator("#figure-served")).to_have_text("1")
    expect(page.locator("#ticket-empty")).to_be_visible()

    clerk = live_hall.login(1)
    stored = live_hall.api("GET", f"/tickets/{first['id']}", clerk).json()
    assert (stored["status"], stored["outcome"]) == ("finished", "needs_correction")


def test_buttons_do_what_the_keys_do(page, live_hall):
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.click("[data-action=callNumber]")
    page.fill("#call-number-input", "a001")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.click("[data-action=noShow]")
    expect(page.locator("#message")).to_contain_text("A001 · no-show")
    expect(page.locator("#ticket-empty")).to_be_visible()


def test_an_action_not_allowed_now_says_why_and_asks_nothing_of_the_server(page, live_hall):
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")

    page.keyboard.press("f")  # finish before start
    message = page.locator("#message")
    expect(message).to_have_text("Finish once the case has started: press S.")
    expect(message).to_have_attribute("data-kind", "info")
    expect(page.locator("#finish-dialog")).not_to_be_visible()
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")

    for count in ("1", "2"):  # the test hall allows two recalls
        page.keyboard.press("r")
        expect(page.locator("#ticket-recalls")).to_contain_text(count)
    # The desk carries the hall's limit: at it, recall greys out at once and says why.
    hint = (
        "A001 has been recalled as often as the hall allows: start the case (S) or mark a "
        "no-show (X)."
    )
    recall = page.locator("[data-action=recall]")
    expect(recall).to_have_attribute("aria-disabled", "true")
    expect(recall).to_have_attribute("title", hint)
    page.keyboard.press("r")
    expect(message).to_have_text(hint)
    expect(message).to_have_attribute("data-kind", "info")
    expect(page.locator("#ticket-recalls")).to_contain_text("2")

    clerk = live_hall.login(1)
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()
    assert (stored["status"], stored["recall_count"]) == ("called", 2)


def test_park_resume_transfer_and_pause_resume_from_the_page(page, live_hall):
    live_hall.kiosk_issue()
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    status = page.locator("#ticket-status")

    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.keyboard.press("s")
    expect(status).to_have_attribute("data-status", "serving")
    page.keyboard.press("p")
    expect(page.locator("#parked-list li[data-ticket-number=A001]")).to_be_visible()

    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A002")
    page.keyboard.press("s")
    expect(status).to_have_attribute("data-status", "serving")
    page.keyboard.press("f")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-empty")).to_be_visible()

    page.keyboard.press("u")  # one parked case: it is called back at once
    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#parked-list li")).to_have_count(0)
    page.keyboard.press("s")
    expect(status).to_have_attribute("data-status", "serving")

    page.keyboard.press("t")
    page.check("#transfer-form input[value=window]")
    page.select_option("#transfer-window", str(live_hall.hall.windows[2]))
    page.fill("#transfer-reason", "需专窗办理")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("A001 transferred.")
    expect(page.locator("#ticket-empty")).to_be_visible()
    other = live_hall.login(2)
    queue = live_hall.api("GET", f"/windows/{live_hall.hall.windows[2]}/queue", other).json()
    assert queue["transferred_here"] == 1 and queue["next_ticket"]["number"] == "A001"

    page.keyboard.press("b")
    page.keyboard.press("2")
    window_state = page.locator("#window-state")
    expect(window_state).to_have_attribute("data-status", "paused")
    expect(window_state).to_contain_text("meeting")
    page.keyboard.press("n")
    expect(page.locator("#message")).to_have_text(
        "The window is paused: resume it (O) before calling."
    )
    page.keyboard.press("o")
    expect(window_state).to_have_attribute("data-status", "open")


def test_other_windows_transfers_and_a_managers_change_show_at_once(page, live_hall):
    hall = live_hall.hall
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    expect(page.locator("#total-waiting")).to_have_text("1")

    other = live_hall.login(2)
    window_2 = hall.windows[2]
    assert live_hall.api("POST", f"/windows/{window_2}/call-next", other).status_code == 200
    expect(page.locator("#feed-list")).to_contain_text("A001 called to window 2")
    expect(page.locator("#total-waiting")).to_have_text("0")

    live_hall.api("POST", f"/windows/{window_2}/tickets/{ticket['id']}/start", other)
    live_hall.api(
        "POST",
        f"/windows/{window_2}/tickets/{ticket['id']}/transfer",
        other,
        json={"to_window_id": hall.windows[1], "reason": "综合受理"},
    )
    expect(page.locator("#feed-list li.for-me")).to_contain_text("A001 transferred to window 1")
    expect(page.locator("#next-ticket")).to_contain_text("A001")

    manager = live_hall.api(
        "POST",
        "/auth/login",
        {},
        json={"staff_number": hall.manager_number, "password": PASSWORD},
    ).json()
    live_hall.api(
        "POST",
        f"/windows/{hall.windows[1]}/state",
        {"Authorization": f"Bearer {manager['token']}"},
        json={"change": "pause", "reason": "meeting"},
    )
    expect(page.locator("#window-state")).to_have_attribute("data-status", "paused")


def log_in_to_the_window_picker(page, live_hall, clerk: int, lang: str = "en") -> None:
    page.goto(f"{live_hall.url}/counter/?lang={lang}")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[clerk])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#window-view")).to_be_visible()


def test_a_window_another_clerk_holds_says_who_and_is_not_offered(page, live_hall):
    """Window 1 is clerk1's: the picker names them and offers no "Take" that the server would
    only refuse; it says that a manager frees such a window on the dashboard."""
    log_in_to_the_window_picker(page, live_hall, clerk=2)
    held = page.locator("#window-list li[data-window-number='1']")
    expect(held.locator(".window-holder")).to_have_text("held by clerk1")
    expect(held.locator(".window-in-use")).to_have_text("in use")
    expect(held.locator("button")).to_have_count(0)
    expect(page.locator("#window-held-hint")).to_be_visible()
    expect(page.locator("#window-held-hint")).to_have_text(
        "A window another clerk holds is freed by a manager on the dashboard."
    )
    own = page.locator("#window-list li[data-window-number='2']")
    expect(own.locator(".window-holder")).to_have_text("yours")
    expect(own.locator("button")).to_have_text("Take")
    own.locator("button").click()
    wait_for_desk(page)
    holder = live_hall.api("GET", f"/halls/{live_hall.hall.id}/windows", live_hall.login(1))
    assert holder.json()[0]["clerk"]["name"] == "clerk1"


def test_the_window_picker_says_in_use_in_chinese(page, live_hall):
    log_in_to_the_window_picker(page, live_hall, clerk=2, lang="zh")
    held = page.locator("#window-list li[data-window-number='1']")
    expect(held.locator(".window-holder")).to_have_text("clerk1 已登录")
    expect(held.locator(".window-in-use")).to_have_text("使用中")
    expect(held.locator("button")).to_have_count(0)
    expect(page.locator("#window-held-hint")).to_have_text(
        "其他人员占用的窗口，需由管理人员在实时看板上解除占用。"
    )


def test_a_window_free_in_the_picker_but_taken_meanwhile_is_refused_with_who_holds_it(
    page, live_hall
):
    """The picker is read once: a window someone takes after that is still refused by the
    server, and the page says who holds it."""
    window_1 = live_hall.hall.windows[1]
    clerk1 = live_hall.login(1)
    assert live_hall.api("POST", f"/windows/{window_1}/release", clerk1).status_code == 200
    log_in_to_the_window_picker(page, live_hall, clerk=2)
    free = page.locator("#window-list li[data-window-number='1']")
    expect(free.locator(".window-holder")).to_have_text("free")
    expect(page.locator("#window-held-hint")).to_be_hidden()
    assert live_hall.api("POST", f"/windows/{window_1}/take", clerk1).status_code == 200
    free.locator("button").click()
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "window_taken")
    expect(message).to_contain_text("Another clerk holds this window.")
    expect(page.locator("#window-view")).to_be_visible()


def test_a_wrong_password_shows_the_reason(page, live_hall):
    page.goto(f"{live_hall.url}/counter/?lang=en")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[1])
    page.fill("#password", "not the password")
    page.click("#login-button")
    expect(page.locator("#message")).to_have_attribute("data-code", "bad_credentials")
    expect(page.locator("#login-view")).to_be_visible()


def test_the_page_speaks_chinese_by_choice(page, live_hall):
    page.goto(f"{live_hall.url}/counter/?lang=zh")
    expect(page.locator("#login-button")).to_have_text("登录")
    expect(page.locator("#shortcuts")).to_contain_text("按大厅叫号规则呼叫下一位")


def test_a_ticket_taken_on_the_phone_is_marked_at_the_desk(page, live_hall):
    hall = live_hall.hall
    manager = requests.post(
        f"{live_hall.url}/api/v1/auth/login",
        json={"staff_number": hall.manager_number, "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    allowed = live_hall.api(
        "PUT",
        f"/manager/halls/{hall.id}/remote-issuing",
        {"Authorization": f"Bearer {manager}"},
        json={"enabled": True},
    )
    assert allowed.status_code == 200, allowed.text
    with live_hall.database.reading() as session:
        code = session.get(Hall, hall.id).code
    remote = live_hall.api(
        "POST",
        f"/remote/halls/{code}/tickets",
        {},
        json={"service_id": hall.services["housing"], "phone": "13800138000"},
    )
    assert remote.status_code == 201, remote.text
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)

    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(remote.json()["number"])
    expect(page.locator("#ticket-remote")).to_be_visible()
    expect(page.locator("#ticket-remote")).to_have_text("taken online")
    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")
    page.keyboard.press("f")
    expect(page.locator("#finish-dialog")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-empty")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A002")
    expect(page.locator("#ticket-remote")).to_be_hidden()
