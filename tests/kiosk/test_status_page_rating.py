"""The rating (好差评) on the ticket's status page, in headless Chromium against a real server:
once the case is finished the phone offers the rating pad's five levels, the reasons that fit
the level and a comment; it thanks the visitor, shows the rating whenever the page is opened
again, and says clearly when the case was already rated (at the window's pad, or elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

SERVICE = "社会保障卡办理"  # window 3's
LEVELS_ZH = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def finish_case(live: LiveKioskHall, ticket: dict[str, Any]) -> None:
    """Window 3's clerk calls this very ticket, serves it and finishes the case."""
    clerk = live.login(live.hall.clerk_numbers[3])
    window = live.hall.windows[3]
    called = live.api(
        "POST", f"/windows/{window}/call-number", clerk, json={"number": ticket["number"]}
    )
    assert called.status_code == 200, called.text
    for action, body in (("start", None), ("finish", {"outcome": "completed"})):
        path = f"/windows/{window}/tickets/{ticket['id']}/{action}"
        response = live.api("POST", path, clerk, json=body)
        assert response.status_code == 200, response.text


def rating_path(ticket: dict[str, Any]) -> str:
    return f"/ticket-status/{ticket['status_token']}/rating"


def test_a_visitor_rates_the_finished_case_on_the_phone_and_sees_it_on_reload(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("rating")
    ticket = live.issue(token, SERVICE)
    phone.goto(ticket["status_url"])
    expect(phone.locator("#status-text")).to_have_text("等候中")
    expect(phone.locator("#rating")).to_be_hidden()  # nothing to rate while waiting

    finish_case(live, ticket)  # while the page is open: it offers the rating by itself

    expect(phone.get_by_role("heading", name="您对本次办理满意吗？")).to_be_visible()
    levels = phone.locator("#rate-levels button")
    expect(levels).to_have_text(LEVELS_ZH)
    phone.get_by_role("button", name="满意", exact=True).click()
    expect(phone.locator("#rate-reasons button")).to_have_text(
        ["服务热情", "办事高效", "一次办好", "指引清楚"]
    )
    phone.get_by_role("button", name="办事高效").click()
    phone.get_by_label("其他意见或建议（可不填）").fill("窗口很快，谢谢")
    phone.get_by_role("button", name="提交评价").click()

    done = phone.locator("#rate-done")
    expect(done).to_contain_text("感谢您的评价！")
    expect(phone.locator("#rate-given")).to_have_text("您的评价：满意 · 办事高效")
    expect(phone.locator("#rate-given-comment")).to_have_text("窗口很快，谢谢")
    expect(phone.locator("#rate-form")).to_be_hidden()
    stored = live.api("GET", rating_path(ticket)).json()
    assert stored["rateable"] is False
    rating = stored["rating"]
    assert (rating["level"], rating["reasons"], rating["channel"]) == (
        "satisfied",
        ["efficient"],
        "mobile",
    )
    assert rating["comment"] == "窗口很快，谢谢"

    phone.reload()
    expect(phone.locator("#rate-given")).to_have_text("您的评价：满意 · 办事高效")
    expect(phone.locator("#rate-levels button")).to_have_count(5)
    expect(phone.locator("#rate-form")).to_be_hidden()
    again = live.api("POST", rating_path(ticket), json={"level": "very_dissatisfied"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"


def test_a_rating_sent_after_the_case_was_rated_elsewhere_is_refused_clearly(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("rated twice")
    ticket = live.issue(token, SERVICE)
    finish_case(live, ticket)
    # This phone hears no live events (a weak connection): it learns only from the answer.
    phone.route("**/socket.io/**", lambda route: route.abort())
    phone.route_web_socket("**/socket.io/**", lambda socket: socket.close())
    phone.goto(ticket["status_url"])
    expect(phone.locator("#rate-form")).to_be_visible()
    elsewhere = live.api("POST", rating_path(ticket), json={"level": "very_satisfied"})
    assert elsewhere.status_code == 201

    phone.get_by_role("button", name="不满意", exact=True).click()
    phone.get_by_role("button", name="等候时间长").click()
    phone.get_by_role("button", name="提交评价").click()

    expect(phone.locator("#rate-done")).to_contain_text(
        "本次办理已经评价过，每次办理只能评价一次。"
    )
    expect(phone.locator("#rate-given")).to_have_text("您的评价：非常满意")
    expect(phone.locator("#rate-form")).to_be_hidden()
    assert live.api("GET", rating_path(ticket)).json()["rating"]["level"] == "very_satisfied"


def test_a_rating_given_at_the_window_while_the_page_is_open_replaces_the_form(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("rated at the pad")
    ticket = live.issue(token, SERVICE)
    finish_case(live, ticket)
    phone.goto(ticket["status_url"])
    expect(phone.locator("#rate-form")).to_be_visible()

    # The pad and the phone rate through the same use case; the hall hears `ticket.rated`.
    given = live.api(
        "POST", rating_path(ticket), json={"level": "basically_satisfied", "reasons": ["long_wait"]}
    )
    assert given.status_code == 201

    expect(phone.locator("#rate-given")).to_have_text("您的评价：基本满意 · 等候时间长")
    expect(phone.locator("#rate-form")).to_be_hidden()


def test_the_rating_speaks_english_on_an_english_page(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("rating in English")
    ticket = live.issue(token, SERVICE)
    finish_case(live, ticket)

    phone.goto(f"{ticket['status_url']}?lang=en")
    expect(
        phone.get_by_role("heading", name="How satisfied are you with this visit?")
    ).to_be_visible()
    expect(phone.locator("#rate-levels button")).to_have_text(
        ["Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied", "Very dissatisfied"]
    )
    phone.get_by_role("button", name="Very satisfied").click()
    phone.get_by_role("button", name="Friendly service").click()
    phone.get_by_role("button", name="Submit rating").click()

    expect(phone.locator("#rate-done")).to_contain_text("Thank you for your rating!")
    expect(phone.locator("#rate-given")).to_have_text(
        "Your rating: Very satisfied · Friendly service"
    )


def test_a_cancelled_ticket_offers_no_rating(phone: Any, live_kiosk_hall: LiveKioskHall) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("cancelled, not rated")
    ticket = live.issue(token, SERVICE)
    assert live.api("POST", f"/ticket-status/{ticket['status_token']}/cancel").status_code == 200

    phone.goto(ticket["status_url"])
    expect(phone.locator("#status-text")).to_have_text("已取消")
    expect(phone.locator("#rating")).to_be_hidden()
    expect(phone.get_by_text("您对本次办理满意吗？")).to_be_hidden()
