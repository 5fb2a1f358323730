"""Hours on the kiosk and the phone page, in headless Chromium against a real server: a service
outside its issuing hours is greyed out, says when it issues and asks nothing when tapped; a
closed hall says so once, above tiles that cannot be tapped; a service whose hours begin comes
back at the page's next refresh of its figures, without a reload.

The server runs on the real clock, so the hours are set around the hall's time of day now
(tests/hall_clock.py); the page's timers run on Playwright's clock, moved on by the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from hall_server.storage.models import Hall, Service
from tests.hall_clock import HALL_ZONE
from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

REFRESH = "00:31"  # the page reads its figures every 30 s (FIGURES_EVERY_MS in kiosk.js)
AFTERNOON_ONLY = "企业设立登记"  # 市场监督管理局, window 2
OTHER = "食品经营许可"  # the same department, no issuing hours


def hall_now() -> datetime:
    return datetime.now(HALL_ZONE)


def span_away_from_now() -> tuple[str, str]:
    """Hours that are hours away from the hall's time of day now, whenever the test runs."""
    return ("13:00", "17:00") if hall_now().hour < 12 else ("08:00", "11:00")


def set_service_hours(live: LiveKioskHall, service: str, hours: str | None) -> None:
    with live.database.transaction() as uow:
        uow.session.execute(
            update(Service)
            .where(Service.id == live.hall.services[service])
            .values(issuing_hours=hours)
        )


def set_opening_hours(live: LiveKioskHall, hours: str | None) -> None:
    with live.database.transaction() as uow:
        uow.session.execute(update(Hall).where(Hall.id == live.hall.id).values(opening_hours=hours))


@pytest.fixture
def live(live_kiosk_hall: LiveKioskHall) -> Iterator[LiveKioskHall]:
    """The module's hall, its hours put back after each test."""
    yield live_kiosk_hall
    set_opening_hours(live_kiosk_hall, None)
    set_service_hours(live_kiosk_hall, AFTERNOON_ONLY, None)


def service_button(page: Any, name: str) -> Any:
    return page.locator("#services .service-button").filter(has_text=name)


def requests_sent(page: Any) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    return sent


def asked_for_a_ticket(sent: list[str]) -> list[str]:
    return [url for url in sent if "/kiosk/preview.json" in url or "/tickets" in url]


def test_a_service_outside_its_issuing_hours_is_greyed_out_with_its_hours_and_asks_nothing(
    page: Any, live: LiveKioskHall
) -> None:
    start, end = span_away_from_now()
    set_service_hours(live, AFTERNOON_ONLY, f"mon-sun {start}-{end}")
    token, _ = live.new_kiosk("issuing hours", identification="off")

    page.goto(f"{live.url}/kiosk/?token={token}")
    page.get_by_role("button", name="市场监督管理局").click()
    closed = service_button(page, AFTERNOON_ONLY)
    expect(closed).to_contain_text(f"取号时间 {start}–{end}")
    expect(closed).to_be_disabled()
    expect(closed).not_to_contain_text("前面等候")
    expect(service_button(page, OTHER)).to_be_enabled()
    expect(page.locator("#hall-banner")).to_be_hidden()

    sent = requests_sent(page)
    closed.click(force=True)  # a tap on it does nothing: no preview, no ticket
    page.wait_for_timeout(500)
    expect(page.locator("#screen-services")).to_be_visible()
    assert asked_for_a_ticket(sent) == []

    # Issuing refuses it all the same (a page opened before the hours ended).
    refused = live.api(
        "POST",
        f"/halls/{live.hall.id}/tickets",
        token,
        json={"service_id": live.hall.services[AFTERNOON_ONLY]},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "outside_issuing_hours"

    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    page.get_by_role("button", name="Market Regulation").click()
    expect(service_button(page, "Company registration")).to_contain_text(f"Tickets {start}–{end}")
    expect(service_button(page, "Company registration")).to_be_disabled()


def test_a_closed_hall_says_so_once_above_tiles_that_cannot_be_tapped_until_it_opens(
    page: Any, live: LiveKioskHall
) -> None:
    start, end = span_away_from_now()
    later_today = start > hall_now().strftime("%H:%M")
    set_opening_hours(live, f"mon-sun {start}-{end}")
    token, _ = live.new_kiosk("hall closed", identification="off", idle_seconds=600)

    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    banner = page.locator("#hall-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("大厅现在不在办公时间。")
    expect(banner).to_contain_text(f"今日开放时间：{start}–{end}")
    expect(banner).to_contain_text(f"{'今天' if later_today else '明天'} {start} 起可取号")
    expect(page.locator("body")).to_have_class(re.compile(r"\bhall-closed\b"))
    department = page.get_by_role("button", name="市场监督管理局")
    expect(department).to_be_disabled()
    expect(page.get_by_role("button", name=re.compile("^搜索"))).to_be_disabled()
    sent = requests_sent(page)
    department.click(force=True)
    expect(page.locator("#screen-start")).to_be_visible()
    assert asked_for_a_ticket(sent) == []

    # The hall opens (its hours are changed here, the clock being real): the next refresh of
    # the figures takes the banner away and the tiles may be tapped, with no reload.
    page.evaluate("window.notReloaded = true")
    set_opening_hours(live, None)
    page.clock.fast_forward(REFRESH)
    expect(banner).to_be_hidden()
    expect(department).to_be_enabled()
    department.click()
    expect(service_button(page, AFTERNOON_ONLY)).to_be_enabled()
    expect(service_button(page, AFTERNOON_ONLY)).to_contain_text("前面等候")
    assert page.evaluate("window.notReloaded") is True

    set_opening_hours(live, f"mon-sun {start}-{end}")
    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    expect(banner).to_contain_text("The hall is closed now.")
    expect(banner).to_contain_text(f"Opening hours today: {start}–{end}")
    expect(banner).to_contain_text(
        f"Tickets again from {'today' if later_today else 'tomorrow'} {start}"
    )


def test_a_service_whose_issuing_hours_begin_comes_back_at_the_next_refresh(
    page: Any, live: LiveKioskHall
) -> None:
    """The hours are lifted rather than waiting for the clock to reach them (the server's
    figures at the hours' start are tested on the test clock in test_service_hours_server_side)."""
    start, end = span_away_from_now()
    set_service_hours(live, AFTERNOON_ONLY, f"mon-sun {start}-{end}")
    token, _ = live.new_kiosk("hours begin", identification="off", idle_seconds=600)

    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="市场监督管理局").click()
    waiting = service_button(page, AFTERNOON_ONLY)
    expect(waiting).to_contain_text(f"取号时间 {start}–{end}")
    expect(waiting).to_be_disabled()

    set_service_hours(live, AFTERNOON_ONLY, None)  # it issues now
    page.clock.fast_forward(REFRESH)

    expect(waiting).to_be_enabled()
    expect(waiting).to_contain_text("前面等候")
    expect(waiting).not_to_contain_text("取号时间")
    assert page.evaluate("window.notReloaded") is True
    waiting.click()
    expect(page.locator("#screen-confirm")).to_be_visible()
    expect(page.locator("#confirm-ahead")).to_have_text(re.compile(r"^\d+$"))


# ----- the phone page -----


def set_remote(live: LiveKioskHall, **settings: Any) -> None:
    manager = live.login(live.hall.manager_number)
    response = live.api(
        "PUT", f"/manager/halls/{live.hall.id}/remote-issuing", manager, json=settings
    )
    assert response.status_code == 200, response.text


def test_the_phone_page_greys_out_a_service_outside_its_hours_with_them(
    phone: Any, live: LiveKioskHall
) -> None:
    set_remote(live, enabled=True, max_waiting=50)
    start, end = span_away_from_now()
    set_service_hours(live, AFTERNOON_ONLY, f"mon-sun {start}-{end}")

    phone.goto(f"{live.url}/h/kiosk-hall/take")
    closed = phone.locator(".take-service").filter(has_text=AFTERNOON_ONLY)
    expect(closed).to_contain_text(f"取号时间 {start}–{end}")
    expect(closed).not_to_contain_text("预计等候")  # no wait for a ticket nobody can take
    expect(closed).to_be_disabled()
    open_service = phone.locator(".take-service").filter(has_text="公积金提取")
    expect(open_service).to_be_enabled()
    expect(open_service).to_contain_text("预计等候")
    sent = requests_sent(phone)
    closed.click(force=True)
    phone.wait_for_timeout(500)
    expect(phone.locator("#take-form")).to_be_hidden()
    assert asked_for_a_ticket(sent) == []

    phone.goto(f"{live.url}/h/kiosk-hall/take?lang=en")
    expect(phone.locator(".take-service").filter(has_text="Company registration")).to_contain_text(
        f"Tickets {start}–{end}"
    )


def test_the_phone_page_of_a_closed_hall_says_when_it_opens(
    phone: Any, live: LiveKioskHall
) -> None:
    set_remote(live, enabled=True, max_waiting=50)
    start, end = span_away_from_now()
    later_today = start > hall_now().strftime("%H:%M")
    set_opening_hours(live, f"mon-sun {start}-{end}")

    phone.goto(f"{live.url}/h/kiosk-hall/take")

    notice = phone.locator("#take-refusal")
    expect(notice).to_contain_text("大厅现在不在办公时间。")
    expect(notice).to_contain_text(f"今日开放时间：{start}–{end}")
    expect(notice).to_contain_text(f"{'今天' if later_today else '明天'} {start} 起可取号")
    expect(phone.locator("#take-list")).to_be_hidden()
