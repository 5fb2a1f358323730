"""What a hall manager's trial of the dashboard found, in headless Chromium against a real
`hallq serve`: printer states that show, a windows table that fits an office screen in either
language, no "open" or "resume" offered for a window nobody holds, a pause of a set length,
dialog problems beside the field they are about, and figures in one format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hall_server.storage.database import Database
from hall_server.storage.models import Device
from tests.live.live_server import LiveHall, LiveServer, seed_hall
from tests.manager.conftest import add_user, log_in, manager_token, open_manager_page

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def open_page(browser: Any, width: int, height: int, locale: str) -> Iterator[Page]:
    yield from open_manager_page(browser, width, height, locale)


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    yield from open_manager_page(chromium_browser)


def window_row(page: Page, live: LiveHall, number: int) -> Any:
    return page.locator(f"#windows-body tr[data-window='{live.hall.windows[number]}']")


def set_printer(live: LiveHall, status: str) -> None:
    with live.database.transaction() as uow:
        kiosk = uow.session.scalars(
            select(Device).where(Device.hall_id == live.hall.id, Device.kind == "kiosk")
        ).first()
        kiosk.printer_status = status


def free_window(live: LiveHall, number: int) -> None:
    freed = live.api("POST", f"/windows/{live.hall.windows[number]}/release", manager_token(live))
    assert freed.status_code == 200, freed.text


# ----- 1. every printer state shows -----

BACKGROUND_OF_PRINTER = """() => {
  const badge = document.querySelector('#devices-body .state');
  const style = getComputedStyle(badge);
  return [badge.textContent, style.backgroundColor, style.color];
}"""


@pytest.mark.parametrize(
    ("lang", "status", "text", "background"),
    [
        ("zh", "ok", "正常", "rgb(46, 125, 79)"),
        ("en", "ok", "ok", "rgb(46, 125, 79)"),
        ("zh", "unknown", "未知", "rgb(107, 119, 133)"),
        ("en", "unknown", "unknown", "rgb(107, 119, 133)"),
        ("zh", "paper_near_end", "纸将用尽", "rgb(176, 118, 0)"),
        ("en", "paper_out", "out of paper", "rgb(179, 38, 30)"),
    ],
)
def test_every_printer_state_has_a_background_its_white_words_show_on(
    page: Page, live: LiveHall, lang: str, status: str, text: str, background: str
) -> None:
    set_printer(live, status)
    log_in(page, live, lang)
    expect(page.locator("#devices-body .state").first).to_be_visible()
    shown, colour, words = page.evaluate(BACKGROUND_OF_PRINTER)
    assert (shown, colour, words) == (text, background, "rgb(255, 255, 255)")


# ----- 2. the windows table fits an office screen -----


def a_busy_hall(server: tuple[LiveServer, Database]) -> LiveHall:
    """Six windows: one with a case, one paused for a break, one freed (closed), three open."""
    live = seed_hall(*server, windows={n: ["housing", "business"] for n in range(1, 7)})
    live.issue("housing")
    assert live.window_action(live.login(1), 1, "call-next").status_code == 200
    paused = live.window_action(live.login(2), 2, "state", change="pause", reason="break")
    assert paused.status_code == 200, paused.text
    free_window(live, 3)
    return live


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1280, 800)])
def test_the_windows_table_fits_without_a_sideways_scroll(
    chromium_browser: Any,
    server: tuple[LiveServer, Database],
    lang: str,
    width: int,
    height: int,
) -> None:
    live = a_busy_hall(server)
    for page in open_page(chromium_browser, width, height, "zh-CN" if lang == "zh" else "en-US"):
        log_in(page, live, lang)
        expect(page.locator("#windows-body tr")).to_have_count(6)
        expect(window_row(page, live, 2)).to_have_attribute("data-status", "paused")
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        assert page.eval_on_selector(
            "#windows-table",
            "table => table.getBoundingClientRect().right <= "
            "table.closest('.panel').getBoundingClientRect().right",
        )
        # The paused badge stays one pill: its words on one line.
        assert page.eval_on_selector(
            "#windows-body tr[data-status='paused'] .state",
            "badge => badge.getClientRects().length === 1 && badge.getBoundingClientRect()"
            ".height < 2 * parseFloat(getComputedStyle(badge).fontSize)",
        )


# ----- 3. a window nobody holds neither opens nor resumes -----


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("en", "Nobody holds this window: a clerk takes it at the counter, and it opens there."),
        ("zh", "此窗口无人值守：需由工作人员在窗口端接手后开启。"),
    ],
)
def test_open_and_resume_are_not_offered_for_a_window_nobody_holds(
    page: Page, server: tuple[LiveServer, Database], lang: str, reason: str
) -> None:
    live = seed_hall(*server, windows={n: ["housing"] for n in range(1, 4)})
    live.issue("housing")
    assert live.window_action(live.login(1), 1, "call-next").status_code == 200
    free_window(live, 1)  # a case at it: paused, nobody holds it
    free_window(live, 2)  # nothing at it: closed, nobody holds it
    paused = live.window_action(live.login(3), 3, "state", change="pause", reason="break")
    assert paused.status_code == 200, paused.text
    log_in(page, live, lang)

    resume = window_row(page, live, 1).locator("button[data-action='window-resume']")
    opening = window_row(page, live, 2).locator("button[data-action='window-open']")
    for button in (resume, opening):
        expect(button).to_have_attribute("aria-disabled", "true")
        expect(button).to_have_attribute("title", reason)
    opening.click(force=True)
    expect(page.locator("#message")).to_have_text(reason)
    # A paused window its clerk holds still resumes from here.
    held = window_row(page, live, 3).locator("button[data-action='window-resume']")
    expect(held).not_to_have_attribute("aria-disabled", "true")
    held.click()
    expect(window_row(page, live, 3)).to_have_attribute("data-status", "open")


# ----- 4. a pause of a set length -----


def test_the_pause_dialog_offers_the_counters_lengths_and_sends_them(
    page: Page, live: LiveHall
) -> None:
    log_in(page, live, "zh")
    window_row(page, live, 1).locator("button[data-action='window-pause']").click()
    lengths = page.locator("#field-pause_minutes option")
    expect(lengths).to_have_text(["不设时长", "10 分钟", "15 分钟", "30 分钟", "60 分钟"])
    page.select_option("#field-reason", "meeting")
    page.select_option("#field-pause_minutes", "30")
    page.click("#dialog-ok")
    expect(window_row(page, live, 1)).to_have_attribute("data-status", "paused")
    windows = live.api("GET", f"/halls/{live.hall.id}/windows", manager_token(live)).json()
    paused = next(w for w in windows if w["id"] == live.hall.windows[1])
    assert (paused["pause_reason"], paused["pause_minutes"]) == ("meeting", 30)

    # No set time sends none.
    window_row(page, live, 2).locator("button[data-action='window-pause']").click()
    expect(page.locator("#field-pause_minutes")).to_have_value("")
    page.click("#dialog-ok")
    expect(window_row(page, live, 2)).to_have_attribute("data-status", "paused")
    windows = live.api("GET", f"/halls/{live.hall.id}/windows", manager_token(live)).json()
    assert next(w for w in windows if w["id"] == live.hall.windows[2])["pause_minutes"] is None


# ----- 5. a dialog's problem names its field and stands beside it -----


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Alert when someone has waited (min)"), ("zh", None)],
)
def test_a_refused_threshold_is_marked_and_named(
    page: Page, live: LiveHall, lang: str, label: str | None
) -> None:
    admin_number = f"admin-{live.hall.id}-{lang}"
    add_user(live.database, admin_number, "admin", live.hall.id)
    log_in(page, live, lang, path="/manager/admin", who=admin_number)
    page.click("#edit-alerts")
    expect(page.locator("#field-long_wait_minutes")).to_be_visible()
    label = label or page.evaluate("HALLQ.text.alert_fields.long_wait_minutes")
    page.fill("#field-long_wait_minutes", "0")
    page.click("#dialog-ok")

    note = page.locator("#dialog-note")
    expect(note).to_have_attribute("data-error", "true")
    expect(note).to_contain_text(label)
    field = page.locator("#field-long_wait_minutes")
    expect(field).to_have_attribute("aria-invalid", "true")
    beside = page.locator("#problem-long_wait_minutes")
    expect(beside).to_be_visible()
    server_words = page.evaluate("HALLQ.text.refusals.validation_failed")
    expect(beside).to_contain_text(server_words)
    expect(note).to_contain_text(beside.inner_text())
    assert (
        page.evaluate("getComputedStyle(document.getElementById('dialog-note')).color")
        == "rgb(140, 29, 24)"
    )
    # Another field is left unmarked; a good value clears the mark and saves.
    expect(page.locator("#field-many_waiting")).not_to_have_attribute("aria-invalid", "true")
    page.fill("#field-long_wait_minutes", "25")
    page.click("#dialog-ok")
    expect(page.locator("#form-dialog")).to_be_hidden()


# ----- 6. loading, minutes and ratings -----


def test_the_dashboard_says_it_is_loading_until_the_first_figures_come(
    page: Page, live: LiveHall
) -> None:
    delayed: list[Any] = []
    released: list[bool] = []

    def hold(route: Any) -> None:
        if released:
            route.continue_()
        else:
            delayed.append(route)

    page.route("**/api/v1/manager/halls/*/dashboard", hold)
    log_in(page, live, "zh")
    expect(page.locator("#no-alerts")).to_have_text("加载中…")
    assert delayed, "the dashboard's figures were asked for"
    released.append(True)
    for route in delayed:
        route.continue_()
    expect(page.locator("#no-alerts")).to_have_text("无报警。")


def test_the_longest_wait_reads_in_minutes_and_ratings_out_of_five(
    page: Page, live: LiveHall
) -> None:
    """An hour's wait reads "60 分钟", as the alerts count it, on one line; a rating of 3 is out
    of 5. (The server's answer is the real one with an older ticket and a rating put in.)"""
    live.issue("housing")

    def an_hour_and_a_rating(route: Any) -> None:
        answer = route.fetch()
        data = answer.json()
        data["now"]["longest_wait"]["seconds"] = 3605
        data["now"]["services"][0]["longest_wait_seconds"] = 3605
        data["today"].update(rating_average=3, ratings=1, rating_good_share=1)
        route.fulfill(response=answer, json=data)

    page.route("**/api/v1/manager/halls/*/dashboard", an_hour_and_a_rating)
    log_in(page, live, "zh")
    longest = page.locator("#figure-longest")
    expect(longest).to_have_text("60 分钟")
    expect(page.locator("#services-body tr").first.locator("td").nth(2)).to_have_text("60 分钟")
    assert longest.evaluate(
        "value => value.getClientRects().length === 1 && "
        "value.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(value).fontSize)"
    )
    expect(page.locator("#figure-ratings")).to_have_text("3.00 / 5 分")
