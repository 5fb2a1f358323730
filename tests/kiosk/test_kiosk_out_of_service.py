"""A kiosk whose token a manager revokes, in headless Chromium against a real server: the open
page goes out of service at once (its live connection is told), or, if that message was lost,
by itself at its next check (every half minute), when its live connection is refused, or on the
visitor's first tap, instead of letting a visitor
through the whole flow to a refusal; reloaded it says the same, which is not what a kiosk never
set up says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from hall_server.storage.models import Device
from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

OUT_OF_SERVICE = "本机暂停取号"
ADVICE = "请使用其他取号机，或到咨询服务台取号。"
STAFF_HINT = "本机的设备令牌已被吊销或无法识别"
CHECK_EVERY = "00:31"  # the page checks every 30 s (FIGURES_EVERY_MS in kiosk.js)


def revoke(live: LiveKioskHall, device_id: int) -> None:
    manager = live.login(live.hall.manager_number)
    response = live.api("POST", f"/devices/{device_id}/revoke", manager)
    assert response.status_code == 200, response.text


def revoke_unheard(live: LiveKioskHall, page: Any, device_id: int) -> None:
    """Revoked where no `device.revoked` reaches the page (a message lost on its way, a
    connection through a process that was down): only the database knows, and the page must
    find out by itself. First the page's sign of life on connecting is let in, as the kiosk
    has been up for a while; a report after the revocation would end its connection at once."""

    def seen() -> bool:
        with live.database.reading() as session:
            return session.get(Device, device_id).last_seen_at is not None

    for _ in range(400):  # Playwright's calls let the page's connection through meanwhile
        if seen():
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("no first sign of life from the kiosk page in 20 s")
    with live.database.transaction() as uow:
        uow.session.get(Device, device_id).revoked_at = datetime.now(UTC)


def expect_out_of_service(page: Any) -> None:
    notice = page.locator("#screen-out-of-service")
    expect(notice).to_be_visible()
    expect(page.get_by_role("heading", name=OUT_OF_SERVICE)).to_be_visible()
    expect(notice).to_contain_text(ADVICE)
    expect(notice).to_contain_text(STAFF_HINT)
    expect(page.locator("#screen-start")).to_be_hidden()
    expect(page.get_by_role("button", name="住房公积金管理中心")).to_have_count(0)


def test_an_idle_kiosk_goes_out_of_service_at_its_next_check_and_stays_so_on_reload(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked while idle", identification="off")
    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    page.get_by_role("button", name="住房公积金管理中心").click()
    page.get_by_role("button", name="公积金提取").click()
    page.get_by_role("button", name="确认取号").click()
    expect(page.locator("#screen-ticket")).to_be_visible()  # it issued fine
    page.get_by_role("button", name="完成").click()
    expect(page.locator("#screen-start")).to_be_visible()

    revoke_unheard(live, page, device_id)
    page.clock.fast_forward(CHECK_EVERY)

    expect_out_of_service(page)
    expect(page.locator("#printer-banner")).to_be_hidden()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\boffline\b"))

    response = page.reload()
    assert response.status == 403
    expect_out_of_service(page)
    page.goto(f"{live.url}/kiosk/")
    expect(page.get_by_role("heading", name="本取号机尚未配置")).to_be_visible()
    expect(page.get_by_text(OUT_OF_SERVICE)).to_have_count(0)


def test_a_visitor_at_a_revoked_kiosk_is_told_at_the_first_tap(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked before a tap", identification="off")
    page.goto(f"{live.url}/kiosk/?token={token}")
    expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()

    revoke_unheard(live, page, device_id)
    page.get_by_role("button", name="住房公积金管理中心").click()

    expect_out_of_service(page)
    expect(page.get_by_role("button", name="确认取号")).to_be_hidden()

    page.goto(f"{live.url}/kiosk/?token={token}&lang=en")
    expect(page.get_by_role("heading", name="This kiosk is out of service.")).to_be_visible()
    expect(page.get_by_text("this kiosk's device token was revoked")).to_be_visible()


def test_a_kiosk_whose_live_connection_is_refused_checks_its_token_and_goes_out_of_service(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked, connection refused", identification="off")
    connections: list[Any] = []

    def through_to_the_server(socket: Any) -> None:
        connections.append(socket)
        socket.connect_to_server()

    page.route_web_socket("**/socket.io/**", through_to_the_server)
    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()
    while not connections:
        page.wait_for_timeout(50)  # lets Playwright hand over the kiosk's live connection

    revoke_unheard(live, page, device_id)
    # 11 s on, and no further: the half-minute check is not due, and never comes while the
    # clock stands still. The connection drops (a network blip) and the kiosk reconnects.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 11)  # seconds
    connections[0].close()
    page.clock.run_for(2000)  # Socket.IO's reconnection delay

    expect_out_of_service(page)
    assert len(connections) == 2  # the reconnect, which the server refused


def test_a_visitor_whose_ticket_is_on_screen_keeps_it_until_done(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked under a ticket", identification="off")
    page.clock.install()
    page.goto(f"{live.url}/kiosk/?token={token}")
    page.get_by_role("button", name="住房公积金管理中心").click()
    page.get_by_role("button", name="公积金贷款").click()
    page.get_by_role("button", name="确认取号").click()
    number = page.locator("#ticket-number")
    expect(number).to_have_text(re.compile(r"^A\d{3}$"))

    revoke(live, device_id)
    page.clock.fast_forward(CHECK_EVERY)  # the kiosk learns it while the ticket is shown
    # It no longer follows the print job, nor offers to print again: the ticket stays valid.
    expect(page.locator("#print-status")).to_have_attribute("data-status", "none")
    expect(page.locator("#print-status")).to_have_text(
        "您的号码依然有效：请用手机扫描二维码，或记下号码。"
    )
    expect(page.get_by_role("button", name="不打印，仅屏幕显示")).to_be_hidden()
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(number).to_have_text(re.compile(r"^A\d{3}$"))
    expect(page.locator("#screen-out-of-service")).to_be_hidden()

    page.get_by_role("button", name="完成").click()
    expect_out_of_service(page)


def test_a_connected_kiosk_goes_out_of_service_the_moment_it_is_revoked(
    page: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked while connected", identification="off")
    page.clock.install()  # the half-minute check never comes: the live connection tells it
    page.goto(f"{live.url}/kiosk/?token={token}")
    expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()
    page.wait_for_function("window.hallqKioskLive && window.hallqKioskLive.connected")

    revoke(live, device_id)
    page.clock.run_for(100)

    expect_out_of_service(page)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\boffline\b"))
