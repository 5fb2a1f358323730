"""The hall's page for taking a ticket on a phone (/h/<code>/take), in headless Chromium against a
real server: a visitor picks a service, gives a mobile number, lands on the ticket's status
page, which says the ticket was taken online; a hall closed to remote tickets says so."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hall_server.storage.models import Ticket
from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

SERVICE = "社会保障卡办理"


def set_remote(live: LiveKioskHall, **settings: Any) -> None:
    manager = live.login(live.hall.manager_number)
    response = live.api(
        "PUT", f"/manager/halls/{live.hall.id}/remote-issuing", manager, json=settings
    )
    assert response.status_code == 200, response.text


def remote_tickets(live: LiveKioskHall) -> int:
    with live.database.reading() as session:
        query = select(func.count()).select_from(Ticket).where(Ticket.issued_remotely.is_(True))
        return int(session.scalar(query) or 0)


def test_a_visitor_takes_a_ticket_on_the_phone_and_lands_on_its_status_page(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    set_remote(live, enabled=True, max_waiting=20)
    kiosk, _ = live.new_kiosk("walk-ins")
    live.issue(kiosk, SERVICE)  # someone already waits
    before = remote_tickets(live)

    phone.goto(f"{live.url}/h/kiosk-hall/take")
    expect(phone.get_by_role("heading", name="线上取号")).to_be_visible()
    expect(phone.get_by_role("heading", name="人力资源和社会保障局")).to_be_visible()
    choice = phone.get_by_role("button", name=re.compile(SERVICE))
    expect(choice).to_contain_text("前面等候 1 人")
    choice.click()
    expect(phone.locator("#take-service-name")).to_have_text(SERVICE)
    expect(phone.locator("#take-ahead")).to_have_text("1")
    expect(phone.locator("#take-wait")).not_to_be_empty()

    phone.get_by_role("button", name="确认取号").click()  # no number yet
    expect(phone.locator("#take-error")).to_contain_text("请输入您的手机号码")
    phone.locator("#take-phone").fill("12345")
    phone.get_by_role("button", name="确认取号").click()
    expect(phone.locator("#take-error")).to_contain_text("这不是有效的手机号码")
    assert remote_tickets(live) == before

    phone.locator("#take-phone").fill("138 0013 8000")
    phone.locator("#take-submit").dblclick()  # a double tap takes one ticket

    expect(phone).to_have_url(re.compile(r"/t/[\w-]+$"))
    expect(phone.locator("#status-number")).to_have_text(re.compile(r"^C\d{3}$"))
    expect(phone.locator("#status-text")).to_have_text("等候中")
    expect(phone.locator("#status-ahead")).to_have_text("1")
    remote_note = phone.locator("#status-remote")
    expect(remote_note).to_be_visible()
    expect(remote_note).to_contain_text("线上取的号")
    expect(remote_note).to_contain_text("叫到您的号时不在场，将按过号处理")
    assert remote_tickets(live) == before + 1
    token = phone.url.rsplit("/", 1)[1]
    assert live.api("GET", f"/ticket-status/{token}").json()["issued_remotely"] is True

    # The same number cannot take a second ticket for the same service.
    phone.goto(f"{live.url}/h/kiosk-hall/take")
    phone.get_by_role("button", name=re.compile(SERVICE)).click()
    phone.locator("#take-phone").fill("13800138000")
    phone.get_by_role("button", name="确认取号").click()
    expect(phone.locator("#take-error")).to_contain_text("该手机号码已有该事项的排队号")
    assert remote_tickets(live) == before + 1


def test_a_hall_closed_to_remote_tickets_says_so_in_chinese_and_issues_nothing(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    set_remote(live, enabled=False)
    before = remote_tickets(live)

    response = phone.goto(f"{live.url}/h/kiosk-hall/take")

    assert response.status == 200
    refusal = phone.get_by_role("alert")
    expect(refusal).to_contain_text("本大厅不提供线上取号。")
    expect(refusal).to_contain_text("您仍可到大厅的取号机取号。")
    expect(phone.locator("#take-list")).to_be_hidden()
    expect(phone.get_by_role("button", name=re.compile(SERVICE))).to_have_count(0)
    phone.get_by_role("link", name="English").click()
    expect(phone.get_by_role("alert")).to_contain_text("This hall does not give tickets online.")
    assert remote_tickets(live) == before


def test_the_page_says_when_the_cap_of_remote_tickets_is_reached(
    phone: Any, live_kiosk_hall: LiveKioskHall
) -> None:
    live = live_kiosk_hall
    set_remote(live, enabled=True, max_waiting=20)
    phone.goto(f"{live.url}/h/kiosk-hall/take")
    phone.get_by_role("button", name=re.compile("企业设立登记")).click()
    phone.locator("#take-phone").fill("13912345678")
    set_remote(live, max_waiting=remote_tickets(live))  # full while the visitor typed

    phone.get_by_role("button", name="确认取号").click()

    expect(phone.locator("#take-refusal")).to_contain_text("目前线上取号等候的人数较多。")
    expect(phone.locator("#take-form")).to_be_hidden()


def test_an_unknown_hall_code_is_not_found(phone: Any, live_kiosk_hall: LiveKioskHall) -> None:
    response = phone.goto(f"{live_kiosk_hall.url}/h/no-such-hall/take")
    assert response.status == 404
    expect(phone.get_by_role("heading", name="未找到该大厅")).to_be_visible()
