"""The dashboard's windows and services in headless Chromium against a real `hallq serve`: who
holds each window, freeing a window whose clerk has gone (its case stays for the next clerk),
no "close" offered that the server would refuse, a table that fits an office screen, a service
whose quota is used up, whole numbers only for a quota, and refusals said once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hall_server.storage.database import Database
from hall_server.storage.models import User, Window
from tests.factories import PASSWORD, build_hall
from tests.live.live_server import LiveHall, LiveServer, seed_hall
from tests.manager.conftest import add_user, manager_token, open_manager_page

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def open_page(browser: Any, width: int = 1400, locale: str = "en-US") -> Iterator[Page]:
    yield from open_manager_page(browser, width=width, locale=locale)


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    yield from open_page(chromium_browser)


@pytest.fixture
def office_page(chromium_browser: Any) -> Iterator[Page]:
    """A hall office's screen: 1440 pixels wide, in Chinese."""
    yield from open_page(chromium_browser, width=1440, locale="zh-CN")


def log_in(page: Page, live: LiveHall, path: str = "/manager/", lang: str = "en", who=None):
    page.goto(f"{live.url}{path}?lang={lang}")
    page.fill("#staff-number", who or live.hall.manager_number)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#page-view")).to_be_visible()
    if path == "/manager/":
        expect(page.locator("#live-state")).to_have_attribute("data-online", "true")


def window_view(live: LiveHall, number: int) -> dict[str, Any]:
    windows = live.api("GET", f"/halls/{live.hall.id}/windows", manager_token(live)).json()
    return next(w for w in windows if w["id"] == live.hall.windows[number])


def test_a_window_with_a_case_is_freed_for_the_next_clerk_not_closed(
    page: Page, live: LiveHall
) -> None:
    ticket = live.issue("housing")
    clerk_1 = live.login(1)
    assert live.window_action(clerk_1, 1, "call-next").status_code == 200
    log_in(page, live)
    row_1 = page.locator(f"#windows-body tr[data-window='{live.hall.windows[1]}']")
    row_2 = page.locator(f"#windows-body tr[data-window='{live.hall.windows[2]}']")
    expect(row_1.locator(".serving")).to_contain_text(ticket["number"])

    # Who holds each window.
    expect(row_1.locator(".holder")).to_have_text(f"clerk1 {live.hall.clerk_numbers[1]}")
    expect(row_2.locator(".holder")).to_have_text(f"clerk2 {live.hall.clerk_numbers[2]}")

    # Closing is not offered while the case is there: it says why instead.
    close = row_1.locator("button[data-action='window-close']")
    expect(close).to_have_attribute("aria-disabled", "true")
    reason = (
        f"{ticket['number']} is at this window: its clerk finishes, transfers or no-shows it "
        "first. To let another clerk take over, free the window."
    )
    expect(close).to_have_attribute("title", reason)
    close.click(force=True)
    expect(page.locator("#message")).to_have_text(reason)
    expect(row_2.locator("button[data-action='window-close']")).not_to_have_attribute(
        "aria-disabled", "true"
    )

    # Window 2 has nothing at it: freed, it closes.
    row_2.locator("button[data-action='window-release']").click()
    expect(page.locator("#dialog-title")).to_have_text("Free window 2 from clerk2?")
    expect(page.locator("#dialog-note")).to_have_text(
        "Nothing is at the window: it closes, and any clerk can take it."
    )
    expect(page.locator("#dialog-ok")).to_have_text("Free the window")
    page.click("#dialog-ok")
    expect(row_2).to_have_attribute("data-status", "closed")
    expect(row_2.locator(".holder")).to_have_text("—")

    # Window 1's clerk has gone with the case at the window: freed, it pauses and keeps it.
    row_1.locator("button[data-action='window-release']").click()
    expect(page.locator("#dialog-note")).to_have_text(
        f"{ticket['number']} is at the window. It stays there for the next clerk who takes "
        "the window; until then the window is paused."
    )
    page.click("#dialog-ok")
    expect(row_1).to_have_attribute("data-status", "paused")
    expect(row_1.locator(".holder")).to_have_text("—")
    expect(row_1.locator("button[data-action='window-release']")).to_have_count(0)
    freed = window_view(live, 1)
    assert (freed["status"], freed["clerk"]) == ("paused", None)

    # The next clerk to take the window finds the case there.
    clerk_2 = live.login(2)
    taken = live.api("POST", f"/windows/{live.hall.windows[1]}/take", clerk_2)
    assert taken.status_code == 200, taken.text
    desk = live.api("GET", f"/windows/{live.hall.windows[1]}/desk", clerk_2).json()
    assert (desk["ticket"]["number"], desk["ticket"]["status"]) == (ticket["number"], "called")
    expect(row_1.locator(".holder")).to_have_text(f"clerk2 {live.hall.clerk_numbers[2]}")


def name_as_a_city_hall(live: LiveHall) -> None:
    """Windows named as halls name them, clerks with staff numbers as short as halls use."""
    with live.database.transaction() as uow:
        for number, window_id in live.hall.windows.items():
            uow.session.get(Window, window_id).name = f"综合窗口{number}"
        for number, clerk_id in live.hall.clerks.items():
            uow.session.get(User, clerk_id).staff_number = f"C{live.hall.id}{number:02d}"


def more_than_one_line(page: Page, selector: str) -> list[str]:
    """The texts of `selector` that take more than one line."""
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        selector,
        """cells => cells.filter(cell => {
             const text = document.createRange();
             text.selectNodeContents(cell);
             const rects = [...text.getClientRects()].filter(r => r.width > 0);
             const top = Math.min(...rects.map(r => r.top));
             const lineHeight = parseFloat(getComputedStyle(cell).fontSize) * 1.2;
             return rects.some(r => r.top - top > lineHeight * 0.6);
           }).map(cell => cell.textContent.trim())""",
    )


def test_the_windows_table_fits_an_office_screen_without_breaking_names_or_headings(
    office_page: Page, server: tuple[LiveServer, Database]
) -> None:
    page = office_page
    live = seed_hall(*server, windows={n: ["housing", "business"] for n in range(1, 17)})
    live.issue("housing")
    assert live.window_action(live.login(16), 16, "call-next").status_code == 200
    name_as_a_city_hall(live)
    log_in(page, live, lang="zh")
    expect(page.locator("#windows-body tr")).to_have_count(16)
    expect(page.locator("#windows-body td.window-name").first).to_have_text("1 综合窗口1")
    expect(page.locator("#windows-table thead")).to_contain_text("工作人员")

    assert more_than_one_line(page, "#windows-table th") == []
    assert more_than_one_line(page, "#windows-body td.window-name") == []
    assert more_than_one_line(page, "#windows-body td.holder") == []
    assert more_than_one_line(page, "#windows-body td.actions button") == []
    assert page.eval_on_selector(
        "#windows-table",
        "table => table.getBoundingClientRect().right <= "
        "table.parentNode.getBoundingClientRect().right",
    )


def test_a_service_whose_daily_quota_is_used_up_reads_fully_booked(
    page: Page, server: tuple[LiveServer, Database]
) -> None:
    live_server, database = server
    hall = build_hall(
        database,
        datetime.now(UTC),
        code=f"quota-{datetime.now(UTC):%H%M%S%f}",
        quotas={"business": 2},
    )
    live = LiveHall(live_server, hall, database)
    log_in(page, live)
    business = page.locator(f"#services-body tr[data-service='{hall.services['business']}']")
    expect(business.locator(".new-ticket")).to_have_text("no wait")

    live.issue("business")
    live.issue("business")

    expect(business).to_contain_text("2 / 2")
    expect(business.locator(".new-ticket")).to_have_text("fully booked today")
    refused = live.api(
        "POST",
        f"/halls/{hall.id}/tickets",
        hall.kiosk_token,
        json={"service_id": hall.services["business"]},
    )
    assert refused.json()["error"]["code"] == "daily_quota_reached"  # as the kiosk is told


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Daily quota: enter a whole number from 0 to 100000."),
        ("zh", "每日限号：请输入 0 到 100000 之间的整数。"),
    ],
)
def test_a_quota_that_is_not_a_whole_number_is_refused_in_the_form(
    page: Page, live: LiveHall, lang: str, expected: str
) -> None:
    log_in(page, live, lang=lang)
    business = live.hall.services["business"]
    page.click(f"#services-body tr[data-service='{business}'] button[data-action='quota']")
    page.fill("#field-daily_quota", "1.5")
    page.click("#dialog-ok")

    expect(page.locator("#dialog-note")).to_have_text(expected)
    expect(page.locator("#form-dialog")).to_be_visible()
    services = live.api("GET", f"/halls/{live.hall.id}/services").json()
    assert next(s for s in services if s["id"] == business)["daily_quota"] is None

    page.fill("#field-daily_quota", "15")
    page.click("#dialog-ok")
    expect(page.locator("#form-dialog")).to_be_hidden()
    expect(page.locator(f"#services-body tr[data-service='{business}']")).to_contain_text("/ 15")


@pytest.mark.parametrize(("lang", "label"), [("en", "Revoke"), ("zh", "撤销")])
def test_the_device_revoke_dialog_names_its_action(
    page: Page, live: LiveHall, lang: str, label: str
) -> None:
    admin_number = f"admin-{live.hall.id}-{lang}"
    add_user(live.database, admin_number, "admin", live.hall.id)
    log_in(page, live, path="/manager/admin", lang=lang, who=admin_number)
    page.click("[data-tab='devices']")
    page.locator("#devices-body button[data-action='revoke-device']").first.click()

    expect(page.locator("#dialog-ok")).to_have_text(label)
    expect(page.locator("#dialog-ok")).to_have_class(re.compile(r"\bdanger\b"))


def test_the_managers_refusals_read_as_one_message(page: Page, live: LiveHall) -> None:
    manager = manager_token(live)
    live.issue("housing")
    assert live.window_action(live.login(1), 1, "call-next").status_code == 200

    def refused(method: str, path: str, body: Any) -> dict[str, Any]:
        answer = live.api(method, path, manager, json=body, params={"lang": "en"})
        assert answer.status_code >= 400, answer.text
        return answer.json()["error"]  # type: ignore[no-any-return]

    services = live.api("GET", f"/halls/{live.hall.id}/services").json()
    taken = next(s["code"] for s in services if s["id"] == live.hall.services["business"])
    answers = {
        "close": refused("POST", f"/windows/{live.hall.windows[1]}/state", {"change": "close"}),
        "quota": refused(
            "PATCH", f"/services/{live.hall.services['housing']}", {"daily_quota": -1}
        ),
        "duplicate": refused(
            "PATCH", f"/services/{live.hall.services['housing']}", {"code": taken}
        ),
    }
    log_in(page, live)
    shown = page.evaluate(
        "answers => Object.fromEntries(Object.entries(answers).map(([k, e]) => "
        "[k, Manager.refusalText(e)]))",
        answers,
    )
    assert shown == {
        "close": "A ticket is still at this window. Finish, transfer or mark the current ticket "
        "as no-show before closing.",
        "quota": "What was entered was not accepted. Must be greater than or equal to 0 and "
        "less than or equal to 100000.",
        "duplicate": "Not saved. This service code is already taken.",
    }
