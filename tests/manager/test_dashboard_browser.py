"""The managers' pages in headless Chromium against a real `hallq serve` process: the dashboard
follows the hall live, alerts come and go, actions work, and a clerk is turned away."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import socketio
from playwright.sync_api import Page, expect

from hall_server.storage.database import Database
from tests.factories import PASSWORD, build_hall
from tests.hall_clock import hall_clock, hall_clocks_between
from tests.live.live_server import LiveHall, LiveServer, seed_hall
from tests.manager.conftest import manager_token, pause_window_with_people_waiting_alerted

pytestmark = [pytest.mark.browser, pytest.mark.live_server]
WAIT_MS = 20_000  # how long the page may take on a loaded machine (not a speed limit)


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    return chromium_browser


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True
    )
    # No clock refreshes: whatever changes on the page must have come over the live connection.
    context.add_init_script("window.setInterval = function () { return 0; };")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def log_in(page: Page, url: str, staff_number: str, path: str = "/manager/") -> None:
    page.goto(f"{url}{path}?lang=en" if "?" not in path else f"{url}{path}&lang=en")
    page.fill("#staff-number", staff_number)
    page.fill("#password", PASSWORD)
    page.click("#login-button")


def wait_live(page: Page) -> None:
    expect(page.locator("#live-state")).to_have_attribute("data-online", "true", timeout=WAIT_MS)


def figure(page: Page, name: str) -> Any:
    return page.locator(f"#figure-{name}")


def test_the_dashboard_follows_calls_made_through_the_api(page: Page, live: LiveHall) -> None:
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)
    expect(figure(page, "waiting")).to_have_text("0", timeout=WAIT_MS)

    ticket = live.issue("housing")
    expect(figure(page, "waiting")).to_have_text("1", timeout=WAIT_MS)
    housing = page.locator(f"#services-body tr[data-service='{live.hall.services['housing']}']")
    expect(housing.locator(".waiting")).to_have_text("1", timeout=WAIT_MS)
    expect(figure(page, "issued")).to_have_text("1")

    clerk = live.login(1)
    called = live.window_action(clerk, 1, "call-next")
    assert called.status_code == 200, called.text
    window = page.locator(f"#windows-body tr[data-window='{live.hall.windows[1]}'] .serving")
    expect(window).to_contain_text(ticket["number"], timeout=WAIT_MS)
    expect(figure(page, "waiting")).to_have_text("0", timeout=WAIT_MS)

    for action, body in (("start", {}), ("finish", {"outcome": "completed"})):
        answer = live.window_action(clerk, 1, action, ticket["id"], **body)
        assert answer.status_code == 200, answer.text
    expect(figure(page, "served")).to_have_text("1", timeout=WAIT_MS)
    expect(window).to_have_text("—", timeout=WAIT_MS)
    expect(page.locator("#chart-hours svg rect")).to_have_count(2, timeout=WAIT_MS)


def test_a_printer_out_of_paper_is_raised_and_cleared_on_the_page(
    page: Page, live: LiveHall
) -> None:
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)
    expect(page.locator("#no-alerts")).to_be_visible(timeout=WAIT_MS)
    kiosk = socketio.Client(reconnection=False)
    kiosk.connect(live.url, auth={"token": live.hall.kiosk_token}, transports=["websocket"])
    try:
        assert kiosk.call("device.health", {"printer_status": "paper_out"}) == {"ok": True}
        alert = page.locator("#alert-list li[data-kind='paper_out']")
        expect(alert).to_be_visible(timeout=WAIT_MS)
        expect(alert).to_have_attribute("data-severity", "critical")
        expect(alert).to_contain_text("out of paper")

        assert kiosk.call("device.health", {"printer_status": "ok"}) == {"ok": True}
        expect(alert).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator("#no-alerts")).to_be_visible()
    finally:
        kiosk.disconnect()


def test_a_manager_pauses_a_window_changes_a_quota_and_sends_a_notice(
    page: Page, live: LiveHall
) -> None:
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)
    window_id = live.hall.windows[2]
    row = page.locator(f"#windows-body tr[data-window='{window_id}']")
    row.locator("button[data-action='window-pause']").click()
    page.select_option("#field-reason", "meeting")
    page.click("#dialog-ok")
    expect(row).to_have_attribute("data-status", "paused", timeout=WAIT_MS)
    expect(row.locator(".window-state")).to_contain_text("meeting")
    windows = live.api("GET", f"/halls/{live.hall.id}/windows").json()
    paused = next(w for w in windows if w["id"] == window_id)
    assert (paused["status"], paused["pause_reason"]) == ("paused", "meeting")

    business = live.hall.services["business"]
    page.click(f"#services-body tr[data-service='{business}'] button[data-action='quota']")
    page.fill("#field-daily_quota", "40")
    page.click("#dialog-ok")
    expect(page.locator(f"#services-body tr[data-service='{business}']")).to_contain_text(
        "0 / 40", timeout=WAIT_MS
    )

    page.fill("#notice-lines", "今天下午三点后暂停受理公积金业务\nPlease keep your ticket")
    page.click("#notice-send")
    expect(page.locator("#message")).to_have_attribute("data-kind", "ok", timeout=WAIT_MS)
    assert live.board()["hall"]["notice_lines"] == [
        "今天下午三点后暂停受理公积金业务",
        "Please keep your ticket",
    ]


def test_a_clerk_is_turned_away_from_the_managers_pages(page: Page, live: LiveHall) -> None:
    log_in(page, live.url, live.hall.clerk_numbers[1])
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "forbidden_role", timeout=WAIT_MS)
    expect(message).to_contain_text("hall managers")
    expect(page.locator("#page-view")).to_be_hidden()
    expect(page.locator("#login-view")).to_be_visible()


def test_the_city_view_puts_the_busy_township_first_and_opens_its_dashboard(
    page: Page, server: tuple[LiveServer, Database]
) -> None:
    live_server, database = server
    city = seed_hall(live_server, database)
    township = build_hall(
        database,
        datetime.now(UTC),
        code=f"township-of-{city.hall.id}",
        parent_id=city.hall.id,
        level="township",
    )
    busy = LiveHall(live_server, township, database)
    busy.issue("housing")
    busy.issue("business")

    log_in(page, live_server.url, city.hall.manager_number, "/city/")
    rows = page.locator("#halls-body tr")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    expect(rows.first).to_have_attribute("data-hall", str(township.id))
    expect(rows.first.locator(".waiting")).to_have_text("2")
    expect(page.locator("#total-waiting")).to_have_text("2")

    busy.issue("housing")
    expect(rows.first.locator(".waiting")).to_have_text("3", timeout=WAIT_MS)

    rows.first.locator("a").click()
    expect(page).to_have_url(f"{live_server.url}/manager/?hall={township.id}")
    expect(figure(page, "waiting")).to_have_text("3", timeout=WAIT_MS)
    expect(page.locator("#hall-up")).to_be_visible()


def test_the_reports_page_shows_the_day_and_exports_it(
    page: Page, live: LiveHall, tmp_path: Path
) -> None:
    clerk = live.login(2)
    live.issue("housing")
    live.serve_next(clerk, 2)
    log_in(page, live.url, live.hall.manager_number, "/manager/reports")
    housing = page.locator(f"#report-body tr[data-key='{live.hall.services['housing']}']")
    expect(housing.locator("[data-figure='served']")).to_have_text("1", timeout=WAIT_MS)
    expect(page.locator("#report-foot [data-figure='issued']")).to_have_text("1")

    with page.expect_download() as download_info:
        page.click("#export-csv")
    saved = tmp_path / "report.csv"
    download_info.value.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert lines[4][:4] == ["Department", "Prefix", "Service", "Issued"]
    assert lines[-1][2:6] == ["Total", "1", "1", "1"]

    page.select_option("#report-by", "window")
    page.click("#report-run")
    window_row = page.locator(f"#report-body tr[data-key='{live.hall.windows[2]}']")
    expect(window_row.locator("[data-figure='served']")).to_have_text("1", timeout=WAIT_MS)


def test_the_administration_page_adds_a_window_a_device_and_an_account(
    page: Page, live: LiveHall, tmp_path: Path
) -> None:
    from tests.manager.conftest import add_user

    admin_number = f"admin-{live.hall.id}"
    add_user(live.database, admin_number, "admin", live.hall.id)
    code = next(h["code"] for h in live.api("GET", "/halls").json() if h["id"] == live.hall.id)
    log_in(page, live.url, admin_number, "/manager/admin")
    expect(page.locator("#hall-facts")).to_contain_text(code, timeout=WAIT_MS)

    page.click("[data-tab='windows']")
    page.click("#add-window")
    page.fill("#field-number", "7")
    page.fill("#field-name", "潮汐窗口")
    page.click("#dialog-ok")
    new_window = page.locator("#windows-body tr", has_text="潮汐窗口")
    expect(new_window).to_be_visible(timeout=WAIT_MS)
    new_window.locator("button[data-action='window-services']").click()
    page.check(f"#dialog-fields input[value='{live.hall.services['business']}']")
    page.click("#dialog-ok")
    expect(new_window).to_contain_text("B", timeout=WAIT_MS)

    page.click("[data-tab='devices']")
    page.click("#add-device")
    page.select_option("#field-kind", "board")
    page.fill("#field-name", "二楼综合屏")
    page.click("#dialog-ok")
    expect(page.locator("#device-token")).to_contain_text("d_", timeout=WAIT_MS)
    expect(page.locator("#devices-body")).to_contain_text("二楼综合屏")

    page.click("[data-tab='users']")
    page.click("#add-user")
    page.fill("#field-staff_number", f"C-{live.hall.id}-9")
    page.fill("#field-name", "新同事")
    page.click("#dialog-ok")
    expect(page.locator("#user-password")).to_contain_text("shown only now", timeout=WAIT_MS)
    expect(page.locator("#users-body")).to_contain_text("新同事")

    page.click("[data-tab='services']")
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "department_code,department_name,service_code,service_name,prefix\n"
        f"tax,税务局,tax-{live.hall.id},发票领用,T\n",
        encoding="utf-8",
    )
    page.set_input_files("#import-file", str(catalogue))
    page.uncheck("#import-dry-run")
    page.click("#import-button")
    expect(page.locator("#import-result")).to_contain_text("Imported: 1 new", timeout=WAIT_MS)
    expect(page.locator("#services-body")).to_contain_text("发票领用", timeout=WAIT_MS)


def test_a_services_wait_over_two_hours_reads_as_such(page: Page, live: LiveHall) -> None:
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)
    for _ in range(16):  # one window serves business, ten minutes a case
        live.issue("business")

    business = page.locator(f"#services-body tr[data-service='{live.hall.services['business']}']")
    expect(business.locator(".waiting")).to_have_text("16", timeout=WAIT_MS)
    expect(business).to_contain_text("over 2 hours", timeout=WAIT_MS)
    expect(business).not_to_contain_text("120")


@pytest.fixture
def page_in_new_york(browser: Any) -> Iterator[Page]:
    """A manager's screen whose own clock runs on New York time; the hall is in Shanghai."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", timezone_id="America/New_York"
    )
    context.add_init_script("window.setInterval = function () { return 0; };")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_the_dashboard_and_the_city_view_read_the_halls_time_not_the_screens(
    page_in_new_york: Page, live: LiveHall
) -> None:
    page = page_in_new_york
    paused = pause_window_with_people_waiting_alerted(live, 2, reason="break")
    window_2 = live.hall.windows[2]
    paused_since = hall_clock(datetime.fromisoformat(paused.json()["status_changed_at"]))
    before = datetime.now(UTC)
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)

    row = page.locator(f"#windows-body tr[data-window='{window_2}']")
    expect(row.locator(".window-state")).to_contain_text(f"since {paused_since}")
    updated = page.locator("#updated-at")
    expect(updated).to_have_text(re.compile(r"^updated \d\d:\d\d$"))
    shown = (updated.text_content() or "").removeprefix("updated ")
    assert shown in hall_clocks_between(before, datetime.now(UTC))

    live.issue("housing")  # one waits while window 2 is paused: an alert since the pause
    alert = page.locator(f"#alert-list li[data-key='idle_window:window:{window_2}']")
    # Words and time apart, as they read: "... while 1 wait since 10:34".
    expect(alert).to_have_text(f"Window 2 is paused (break) while 1 wait since {paused_since}")

    before = datetime.now(UTC)
    page.goto(f"{live.url}/city/?lang=en")
    expect(page.locator(f"#halls-body tr[data-hall='{live.hall.id}']")).to_be_visible()
    expect(updated).to_have_text(re.compile(r"^updated \d\d:\d\d$"))
    shown = (updated.text_content() or "").removeprefix("updated ")
    assert shown in hall_clocks_between(before, datetime.now(UTC))


def board_words(estimate: dict[str, Any] | None) -> str:
    """What the lobby board and the kiosk say for a wait (kiosk/static/wait_text.js)."""
    if estimate is None:
        return "no window open"
    if estimate["over_limit"]:
        return "over 2 hours"
    low, high = estimate["low_minutes"], estimate["high_minutes"]
    if high == 0:
        return "no wait"
    return f"about {low} min" if low == high else f"about {low}–{high} min"


def test_waits_for_a_new_ticket_read_as_the_board_says_them(page: Page, live: LiveHall) -> None:
    log_in(page, live.url, live.hall.manager_number)
    wait_live(page)
    housing = page.locator(f"#services-body tr[data-service='{live.hall.services['housing']}']")
    expect(housing.locator("td").nth(3)).to_have_text("no wait")

    for _ in range(3):
        live.issue("business")
    business_id = live.hall.services["business"]
    business = page.locator(f"#services-body tr[data-service='{business_id}']")
    expect(business.locator(".waiting")).to_have_text("3")
    manager = manager_token(live)
    dashboard = live.api("GET", f"/manager/halls/{live.hall.id}/dashboard", manager).json()
    row = next(s for s in dashboard["now"]["services"] if s["service_id"] == business_id)
    words = board_words(row["estimated_wait_for_new_ticket"])
    assert words.startswith("about"), words
    expect(business.locator("td").nth(3)).to_have_text(words)
    expect(business).not_to_contain_text(re.compile(r"\b(\d+)–\1 min"))
