"""The window's rating pad in headless Chromium: rate a case once, on the pad or on a phone."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hall_server.storage.models import Device
from tests.counter.conftest import LiveHall, open_counter, wait_for_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture
def pad(browser, live_hall: LiveHall) -> Page:
    context = browser.new_context(viewport={"width": 1024, "height": 600})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_hall.url}/rating/?token={live_hall.rating_pad_token}&lang=zh")
    expect(page.locator("body")).to_have_attribute("data-screen", "idle")
    expect(page.locator("#pad-clerk")).to_contain_text("clerk1")
    yield page
    context.close()
    assert errors == [], errors


def serve_and_finish(live_hall: LiveHall) -> dict:
    ticket = live_hall.kiosk_issue()
    clerk = live_hall.login(1)
    window = live_hall.hall.windows[1]
    live_hall.api("POST", f"/windows/{window}/call-next", clerk)
    live_hall.api("POST", f"/windows/{window}/tickets/{ticket['id']}/start", clerk)
    finished = live_hall.api(
        "POST",
        f"/windows/{window}/tickets/{ticket['id']}/finish",
        clerk,
        json={"outcome": "completed"},
    )
    assert finished.status_code == 200, finished.text
    return ticket


def test_visitor_rates_the_finished_case_on_the_pad_once(pad, live_hall):
    ticket = serve_and_finish(live_hall)
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    expect(pad.locator("#pad-question")).to_contain_text("A001")
    labels = pad.locator("#pad-levels .level")
    expect(labels).to_have_text(["非常满意", "满意", "基本满意", "不满意", "非常不满意"])

    pad.click("[data-level=dissatisfied]")
    pad.click("[data-reason=long_wait]")
    pad.click("#pad-submit")
    expect(pad.locator("#pad-thanks-text")).to_have_text("感谢您的评价！")

    state = live_hall.api("GET", f"/ticket-status/{ticket['status_token']}/rating", {}).json()
    assert state["rating"]["level"] == "dissatisfied"
    assert state["rating"]["reasons"] == ["long_wait"]
    assert state["rating"]["channel"] == "rating_pad"
    again = live_hall.api(
        "POST", f"/ticket-status/{ticket['status_token']}/rating", {}, json={"level": "satisfied"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    expect(pad.locator("body")).to_have_attribute("data-screen", "idle")


def test_rating_on_the_phone_resets_the_pad_and_reaches_the_counter(pad, browser, live_hall):
    counter_context = browser.new_context(viewport={"width": 1366, "height": 900})
    counter = counter_context.new_page()
    counter.set_default_timeout(20_000)
    open_counter(counter, live_hall, 1)
    wait_for_desk(counter)

    ticket = serve_and_finish(live_hall)
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    rated = live_hall.api(
        "POST",
        f"/ticket-status/{ticket['status_token']}/rating",
        {},
        json={"level": "very_satisfied", "reasons": ["efficient"]},
    )
    assert rated.status_code == 201, rated.text

    expect(pad.locator("#pad-thanks-text")).to_have_text("本次办件已评价，谢谢！")
    expect(counter.locator("#rating-note")).to_contain_text("The visitor rated A001")
    expect(counter.locator("#figure-ratings")).to_contain_text("1 · 5 / 5")
    counter_context.close()


def test_a_pad_with_a_revoked_or_unknown_token_says_so(browser, live_hall):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_hall.url}/rating/?token=d_unknown&lang=en")
    expect(page.locator("#pad-problem-text")).to_contain_text("not enrolled")
    context.close()


def test_a_pad_revoked_while_it_waits_says_so_at_once(pad, live_hall):
    with live_hall.database.reading() as session:
        pad_id = session.scalar(
            select(Device.id).where(
                Device.hall_id == live_hall.hall.id, Device.kind == "rating_pad"
            )
        )
    manager = requests.post(
        f"{live_hall.url}/api/v1/auth/login",
        json={"staff_number": live_hall.hall.manager_number, "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    revoked = live_hall.api(
        "POST", f"/devices/{pad_id}/revoke", {"Authorization": f"Bearer {manager}"}
    )
    assert revoked.status_code == 200, revoked.text

    expect(pad.locator("body")).to_have_attribute("data-screen", "problem", timeout=5_000)
    expect(pad.locator("#pad-problem-text")).to_contain_text("未注册或已被停用")


def leave_window_1(live_hall: LiveHall, pad: Page) -> None:
    """The clerk leaves window 1; returns once the pad has heard of it."""
    clerk = live_hall.login(1)
    left = live_hall.api("POST", f"/windows/{live_hall.hall.windows[1]}/release", clerk)
    assert left.status_code == 200, left.text
    pad.wait_for_function("window.HallqRatingPad.state.pad.clerk === null")


def test_the_last_case_is_still_rated_after_the_clerk_leaves_then_the_pad_says_so(pad, live_hall):
    ticket = serve_and_finish(live_hall)
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")

    leave_window_1(live_hall, pad)

    # The visitor of the last case is still at the pad: the question stays, with who served.
    expect(pad.locator("#pad-clerk")).to_contain_text("clerk1")
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    expect(pad.locator("#pad-question")).to_contain_text("A001")
    pad.reload()  # a pad that starts again now still offers it
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    expect(pad.locator("#pad-question")).to_contain_text("A001")

    pad.click("[data-level=satisfied]")
    pad.click("#pad-submit")
    expect(pad.locator("#pad-thanks-text")).to_have_text("感谢您的评价！")
    rating = live_hall.api("GET", f"/ticket-status/{ticket['status_token']}/rating", {}).json()
    assert rating["rating"]["level"] == "satisfied"
    # Answered: now the pad says that nobody serves at the window.
    expect(pad.locator("body")).to_have_attribute("data-screen", "idle")
    expect(pad.locator("#pad-clerk")).to_have_text("本窗口暂无工作人员。")


@pytest.fixture
def pad_with_clock(browser, live_hall: LiveHall) -> Page:
    """The pad with a clock the test can move on: minutes pass in an instant."""
    context = browser.new_context(viewport={"width": 1024, "height": 600})
    page = context.new_page()
    page.clock.install()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_hall.url}/rating/?token={live_hall.rating_pad_token}&lang=zh")
    expect(page.locator("body")).to_have_attribute("data-screen", "idle")
    yield page
    context.close()
    assert errors == [], errors


def test_an_unanswered_question_goes_away_after_two_minutes_for_good(pad_with_clock, live_hall):
    pad = pad_with_clock
    serve_and_finish(live_hall)
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")

    pad.clock.fast_forward("01:50")
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    pad.clock.fast_forward("00:15")
    expect(pad.locator("body")).to_have_attribute("data-screen", "idle")

    # The pad reads its window again (as after a reconnect or a restart): the server still
    # names the unrated case, but the visitor has long gone.
    pad.reload()
    expect(pad.locator("#pad-window")).not_to_be_empty()
    expect(pad.locator("body")).to_have_attribute("data-screen", "idle")
    expect(pad.locator("#pad-question")).to_be_empty()


def test_after_the_clerk_left_an_unanswered_question_goes_at_its_time_then_nobody_is_there(
    pad_with_clock, live_hall
):
    pad = pad_with_clock
    serve_and_finish(live_hall)
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")

    leave_window_1(live_hall, pad)
    pad.clock.fast_forward("01:00")
    expect(pad.locator("body")).to_have_attribute("data-screen", "rate")
    expect(pad.locator("#pad-question")).to_contain_text("A001")

    pad.clock.fast_forward("01:05")
    expect(pad.locator("body")).to_have_attribute("data-screen", "idle")
    expect(pad.locator("#pad-clerk")).to_have_text("本窗口暂无工作人员。")
