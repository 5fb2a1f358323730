"""A visitor with an online appointment or pre-review at the kiosk, in headless Chromium against a
real server and a print agent on a simulated printer: the code (scanned, typed or found through
the ID card) names the service, and the ticket comes out tagged as an appointment or as
pre-reviewed; early, late, unknown, used, cancelled and expired codes each say what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from hall_server.operations.online_platform import (
    AppointmentPush,
    PreReviewPush,
    cancel_appointment,
    id_number_hash,
    push_appointment,
    push_pre_review,
)
from hall_server.storage.models import (
    Appointment,
    Hall,
    Platform,
    PreReview,
    PrintJob,
    Service,
    Ticket,
)
from tests.hardware.escpos_decoder import decode, printed_lines
from tests.kiosk.conftest import LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

SECRET = "kiosk-platform-secret"
ID_NUMBER = "11010519491231002X"
GRACE_MINUTES = 5
WITHDRAWAL = "公积金提取"  # service code s10 in the kiosk hall


def midday_time_zone(now: datetime) -> str:
    """A fixed-offset zone in which `now` is about noon, so that slots a few minutes before or
    after now are always "today" for the hall, whenever the suite runs."""
    offset = 12 - now.astimezone(UTC).hour  # -11 … +12 hours
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # Etc/GMT-8 is UTC+8


@dataclass
class Platform_:
    """The online platform's pushes, made through the same use cases its signed API calls."""

    live: LiveKioskHall
    platform_id: int
    service_codes: dict[str, str]

    def book(
        self, code: str, slot_in_minutes: float, service: str = WITHDRAWAL, **extra: Any
    ) -> datetime:
        now = datetime.now(UTC)
        slot = (now + timedelta(minutes=slot_in_minutes)).replace(microsecond=0)
        push = AppointmentPush(
            appointment_id=f"APT-{code}",
            hall_code="kiosk-hall",
            service_code=self.service_codes[service],
            slot_start=slot,
            booking_code=code,
            applicant_name="李四海",
            **extra,
        )
        with self.live.database.transaction() as uow:
            platform = uow.session.get(Platform, self.platform_id)
            assert platform is not None
            # Booked before its slot began, as platforms do: a slot over is refused.
            push_appointment(uow, platform, push, min(now, slot - timedelta(minutes=1)))
        return slot

    def cancel(self, code: str) -> None:
        with self.live.database.transaction() as uow:
            platform = uow.session.get(Platform, self.platform_id)
            assert platform is not None
            cancel_appointment(uow, platform, f"APT-{code}", datetime.now(UTC))

    def pre_review(
        self, code: str, service: str = WITHDRAWAL, valid_days: float = 30, **extra: Any
    ) -> None:
        now = datetime.now(UTC)
        push = PreReviewPush(
            application_id=f"APP-{code}",
            code=code,
            hall_code="kiosk-hall",
            service_code=self.service_codes[service],
            id_number_hash=id_number_hash(SECRET, "110105197001010011"),
            valid_until=now + timedelta(days=valid_days),
            materials=[{"name": "身份证", "status": "accepted"}],
            applicant_name="王小明",
            **{"result": "passed", **extra},
        )
        with self.live.database.transaction() as uow:
            platform = uow.session.get(Platform, self.platform_id)
            assert platform is not None
            push_pre_review(uow, platform, push, now)


@pytest.fixture(scope="module")
def platform(live_kiosk_hall: LiveKioskHall) -> Platform_:
    live = live_kiosk_hall
    now = datetime.now(UTC)
    with live.database.transaction() as uow:
        session = uow.session
        session.execute(
            update(Hall)
            .where(Hall.id == live.hall.id)
            .values(
                time_zone=midday_time_zone(now),
                calling_settings={"appointment_grace_minutes": GRACE_MINUTES},
            )
        )
        row = Platform(code="gov-online", name="一网通办", hall_id=live.hall.id, secret=SECRET,
                       webhook_url=None, active=True, created_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        platform_id = row.id
    with live.database.reading() as session:
        codes = session.execute(
            select(Service.name, Service.code).where(Service.hall_id == live.hall.id)
        ).all()
    return Platform_(live, platform_id, {name: code for name, code in codes})


@pytest.fixture
def kiosk(live_kiosk_hall: LiveKioskHall, request: pytest.FixtureRequest) -> Iterator[str]:
    token, _ = live_kiosk_hall.new_kiosk(request.node.name[:40])
    yield token


def open_kiosk(page: Any, live: LiveKioskHall, token: str, lang: str | None = None) -> None:
    suffix = f"&lang={lang}" if lang else ""
    page.goto(f"{live.url}/kiosk/?token={token}{suffix}")
    expect(page.locator("#open-booking")).to_be_visible()


def type_on_code_pad(page: Any, code: str) -> None:
    for key in code:
        page.locator("#code-pad").get_by_role("button", name=key, exact=True).click()


def scan(page: Any, text: str) -> None:
    """A code scanner or ID card reader: it types like a keyboard and ends with Enter."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def shown_slot(page: Any) -> str:
    """The slot as the kiosk shows it (HH:MM in the hall's time), once the check answered."""
    expect(page.locator("#confirm-booking")).to_be_visible()
    return str(page.evaluate("window.HallqKiosk.state().booking.slot_local"))


def stored_ticket(live: LiveKioskHall, number: str) -> Ticket:
    with live.database.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        return ticket


def stored_booking(live: LiveKioskHall, code: str) -> Appointment:
    with live.database.reading() as session:
        booking = session.scalar(select(Appointment).where(Appointment.booking_code == code))
        assert booking is not None
        return booking


def test_a_typed_booking_code_gives_an_appointment_ticket_printed_with_its_tag(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    slot = platform.book("YY0001", slot_in_minutes=-2)  # within the grace period
    with live.print_agent(kiosk) as running:
        open_kiosk(page, live, kiosk)
        page.get_by_role("button", name="我有预约 / 网上预审").click()
        type_on_code_pad(page, "YY0001")
        expect(page.locator("#booking-value")).to_have_text("YY0001")
        page.get_by_role("button", name="下一步").click()

        # The booking named the service: the visitor never had to find it.
        expect(page.locator("#confirm-service")).to_have_text(WITHDRAWAL)
        expect(page.locator("#confirm-identity")).to_have_text("已输入：YY0001")
        slot_local = shown_slot(page)
        expect(page.locator("#confirm-booking")).to_have_text(f"预约 {slot_local} · 李*海")
        expect(page.locator("#confirm-booking-note")).to_have_text("预约有效，将优先叫号。")
        expect(page.locator("#confirm-ahead")).to_have_text(re.compile(r"^\d+$"))
        page.get_by_role("button", name="确认取号").click()

        expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
        expect(page.locator("#ticket-tag")).to_have_text("【预约】")
        expect(page.locator("#ticket-booking-note")).to_be_hidden()
        expect(page.locator("#print-status")).to_have_text("请取走号票。")
        number = page.locator("#ticket-number").inner_text()

    lines = printed_lines(decode(running.simulated.received))
    assert number in lines and "【预约】" in lines
    ticket = stored_ticket(live, number)
    assert ticket.visitor_class == "appointment"
    assert ticket.appointment_due_at == slot
    booking = stored_booking(live, "YY0001")
    assert (booking.status, booking.ticket_id) == ("checked_in", ticket.id)
    assert page.evaluate("window.HallqKiosk.state().identity") is None  # nothing kept


def test_a_scanned_pre_review_code_gives_a_pre_reviewed_ticket(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    platform.pre_review("YS-0002", service="企业设立登记")
    with live.print_agent(kiosk) as running:
        open_kiosk(page, live, kiosk)
        scan(page, "YS-0002")  # straight from the start screen

        expect(page.locator("#confirm-service")).to_have_text("企业设立登记")
        expect(page.locator("#confirm-identity")).to_have_text("已扫码：YS-0002")
        expect(page.locator("#confirm-booking")).to_have_text("网上预审已通过 · 王*明")
        expect(page.locator("#confirm-booking-note")).to_have_text("网上预审已通过，将优先叫号。")
        page.get_by_role("button", name="确认取号").click()

        expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^B\d{3}$"))
        expect(page.locator("#ticket-tag")).to_have_text("【预审】")
        expect(page.locator("#print-status")).to_have_text("请取走号票。")
        number = page.locator("#ticket-number").inner_text()

    assert "【预审】" in printed_lines(decode(running.simulated.received))
    ticket = stored_ticket(live, number)
    assert ticket.visitor_class == "pre_reviewed"
    with live.database.reading() as session:
        pre_review = session.scalar(select(PreReview).where(PreReview.code == "YS-0002"))
        assert pre_review is not None and pre_review.ticket_id == ticket.id

    # The same code again while that ticket waits: one place in the queue at a time.
    page.get_by_role("button", name="完成").click()
    scan(page, "YS-0002")
    expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "pre_review_used")
    expect(page.locator("#refusal-title")).to_have_text("该预审码已取号，正在排队中。")


def test_an_early_arrival_is_told_to_wait_until_its_slot_comes_near(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    slot = platform.book("YY0003", slot_in_minutes=40)
    with live.print_agent(kiosk) as running:
        open_kiosk(page, live, kiosk)
        scan(page, "YY0003")

        slot_local = shown_slot(page)
        assert re.fullmatch(r"\d\d:\d\d", slot_local)
        expect(page.locator("#confirm-booking-note")).to_have_text(
            f"您来早了：临近预约时段（{slot_local}）时将优先叫号，请在附近等候。"
        )
        page.get_by_role("button", name="确认取号").click()

        expect(page.locator("#ticket-tag")).to_have_text("【预约】")
        expect(page.locator("#ticket-booking-note")).to_have_text(
            f"您的预约时段是 {slot_local}，届时将优先叫号，请在附近等候。"
        )
        expect(page.locator("#print-status")).to_have_text("请取走号票。")

    # The paper the visitor holds for the next forty minutes says when the slot is.
    lines = printed_lines(decode(running.simulated.received))
    assert f"预约时段 {slot_local}，请留意叫号" in lines
    ticket = stored_ticket(live, page.locator("#ticket-number").inner_text())
    # It queues at its slot: walk-ins who come in between are not pushed back by it.
    assert (ticket.visitor_class, ticket.queue_key, ticket.appointment_due_at) == (
        "appointment", slot, slot
    )  # fmt: skip


def test_a_booking_moved_after_the_check_is_shown_and_printed_with_the_tickets_own_slot(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    platform.book("YY0013", slot_in_minutes=40)
    with live.print_agent(kiosk) as running:
        open_kiosk(page, live, kiosk)
        scan(page, "YY0013")
        checked_slot = shown_slot(page)
        # The visitor moves the booking on the phone while standing at the kiosk.
        moved = platform.book("YY0013", slot_in_minutes=40 + 25)
        page.get_by_role("button", name="确认取号").click()

        expect(page.locator("#ticket-tag")).to_have_text("【预约】")
        expect(page.locator("#print-status")).to_have_text("请取走号票。")
        note = page.locator("#ticket-booking-note").inner_text()
        number = page.locator("#ticket-number").inner_text()

    assert stored_ticket(live, number).appointment_due_at == moved
    with live.database.reading() as session:
        time_zone = session.scalars(select(Hall.time_zone).where(Hall.id == live.hall.id)).one()
    moved_local = f"{moved.astimezone(ZoneInfo(time_zone)):%H:%M}"
    assert moved_local != checked_slot
    assert note == f"您的预约时段是 {moved_local}，届时将优先叫号，请在附近等候。"
    lines = printed_lines(decode(running.simulated.received))
    assert f"预约时段 {moved_local}，请留意叫号" in lines
    assert not any(checked_slot in line for line in lines)


def test_a_late_arrival_beyond_the_grace_period_becomes_a_walk_in_and_is_told_so(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    platform.book("YY0004", slot_in_minutes=-(GRACE_MINUTES + 7))
    open_kiosk(page, live, kiosk)
    scan(page, "YY0004")

    slot_local = shown_slot(page)
    expect(page.locator("#confirm-booking-note")).to_have_text(
        f"您已超过预约时段（{slot_local}）{GRACE_MINUTES} 分钟以上，预约已失效，将按普通号排队。"
    )
    page.get_by_role("button", name="确认取号").click()

    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    expect(page.locator("#ticket-tag")).to_be_hidden()
    expect(page.locator("#ticket-booking-note")).to_have_text("预约已失效，本号为普通号。")
    ticket = stored_ticket(live, page.locator("#ticket-number").inner_text())
    assert ticket.visitor_class == "walk_in"
    assert stored_booking(live, "YY0004").status == "late"


def test_unknown_used_expired_and_cancelled_codes_say_what_to_do_and_issue_nothing(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    platform.book("YY0005", slot_in_minutes=1)
    live.issue(kiosk, WITHDRAWAL, booking_code="YY0005")  # used once already
    platform.pre_review("YS-0006", valid_days=-1)
    platform.book("YY0007", slot_in_minutes=10)
    platform.cancel("YY0007")
    with live.database.reading() as session:
        tickets_before = session.scalar(select(func.count()).select_from(Ticket))

    open_kiosk(page, live, kiosk)
    refusals = {
        "NOPE-42": ("code_not_recognised", "无法识别该预约码或预审码。"),
        "YY0005": ("booking_used", "该预约已经取过号。"),
        "YS-0006": ("pre_review_expired", "该网上预审已过有效期。"),
    }
    for code, (error, title) in refusals.items():
        scan(page, code)
        expect(page.locator("#screen-refusal")).to_have_attribute("data-code", error)
        expect(page.locator("#refusal-title")).to_have_text(title)
        page.get_by_role("button", name="返回首页").click()
        expect(page.locator("#screen-start")).to_be_visible()

    # An unknown code offers the ordinary way: choose a service as anyone does.
    scan(page, "NOPE-42")
    expect(page.locator("#refusal-advice")).to_have_text("请直接取普通号，或到咨询服务台询问。")
    page.get_by_role("button", name="取普通号").click()
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.get_by_role("button", name="住房公积金管理中心")).to_be_visible()

    # In English, for the visitor who chose it.
    open_kiosk(page, live, kiosk, lang="en")
    page.get_by_role("button", name="I have an appointment or a pre-review").click()
    type_on_code_pad(page, "YY0007")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "booking_cancelled")
    expect(page.locator("#refusal-title")).to_have_text("This appointment was cancelled.")
    expect(page.locator("#refusal-advice")).to_have_text(
        "Please book again online, or take an ordinary ticket."
    )
    with live.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == tickets_before


def test_the_id_card_on_the_start_screen_finds_todays_booking(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    platform.book(
        "YY0008", slot_in_minutes=3, service="社会保障卡办理",
        id_number_hash=id_number_hash(SECRET, ID_NUMBER),
    )  # fmt: skip
    open_kiosk(page, live, kiosk)
    scan(page, "110105194912310038")  # a stranger's card: nothing booked
    expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "no_booking_for_id_card")
    page.get_by_role("button", name="返回首页").click()

    scan(page, ID_NUMBER)
    expect(page.locator("#confirm-service")).to_have_text("社会保障卡办理")
    expect(page.locator("#confirm-identity")).to_have_text("1101**********002X")
    expect(page.locator("#confirm-booking-note")).to_contain_text("您来早了")
    page.get_by_role("button", name="确认取号").click()
    expect(page.locator("#ticket-tag")).to_have_text("【预约】")
    ticket = stored_ticket(live, page.locator("#ticket-number").inner_text())
    assert ticket.visitor_class == "appointment"
    assert stored_booking(live, "YY0008").ticket_id == ticket.id
    assert ID_NUMBER not in [str(value) for value in ticket.__dict__.values()]


def test_the_id_card_of_a_used_booking_says_it_was_used_as_its_code_does(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    card = "440524188001010014"  # GB 11643-1999's own example; nobody else here books with it
    platform.book("YY0020", slot_in_minutes=1, id_number_hash=id_number_hash(SECRET, card))
    live.issue(kiosk, WITHDRAWAL, booking_code="YY0020")  # checked in once already
    with live.database.reading() as session:
        tickets_before = session.scalar(select(func.count()).select_from(Ticket))

    open_kiosk(page, live, kiosk)
    # The card first: the refusal screen keeps its last code while hidden, so the card's answer
    # must not be read from a screen the code's answer left behind.
    for brought in (card, "YY0020"):
        scan(page, brought)
        expect(page.locator("#screen-refusal")).to_be_visible()
        expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "booking_used")
        expect(page.locator("#refusal-title")).to_have_text("该预约已经取过号。")
        page.get_by_role("button", name="返回首页").click()
        expect(page.locator("#screen-start")).to_be_visible()
    with live.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == tickets_before


def test_an_id_card_number_with_a_wrong_check_digit_is_refused_with_what_to_do(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_, kiosk: str
) -> None:
    live = live_kiosk_hall
    with live.database.reading() as session:
        tickets_before = session.scalar(select(func.count()).select_from(Ticket))

    open_kiosk(page, live, kiosk)
    scan(page, "110105194912310021")  # 11010519491231002X's last character misread
    expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "invalid_id_number")
    expect(page.locator("#refusal-title")).to_have_text("身份证号有误：校验位或出生日期不符。")
    expect(page.locator("#refusal-advice")).to_have_text("请核对后重新输入，或在读卡区刷身份证。")
    with live.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == tickets_before


def test_a_lost_answer_is_retried_with_the_same_key_and_issues_one_ticket(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_
) -> None:
    live = live_kiosk_hall
    kiosk, kiosk_id = live.new_kiosk("lost answer")
    platform.book("YY0009", slot_in_minutes=0)
    issued: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Any) -> None:
        # The server issues the ticket, but its answer never reaches the kiosk.
        answer = route.fetch()
        issued.append({"status": answer.status, "key": route.request.headers["idempotency-key"]})
        if len(issued) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    with live.print_agent(kiosk) as running:
        open_kiosk(page, live, kiosk)
        page.route(re.compile(r".*/api/v1/halls/\d+/tickets$"), lose_the_first_answer)
        scan(page, "YY0009")
        page.get_by_role("button", name="确认取号").click()
        expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "kiosk_offline")
        page.get_by_role("button", name="再试一次").click()

        expect(page.locator("#ticket-tag")).to_have_text("【预约】")
        expect(page.locator("#print-status")).to_have_text("请取走号票。")
        number = page.locator("#ticket-number").inner_text()

    assert [attempt["status"] for attempt in issued] == [201, 201]
    assert issued[0]["key"] == issued[1]["key"]
    booking = stored_booking(live, "YY0009")
    with live.database.reading() as session:
        tickets = session.scalars(select(Ticket).where(Ticket.issued_by_device_id == kiosk_id))
        assert [(t.id, t.number) for t in tickets] == [(booking.ticket_id, number)]
        jobs = session.scalars(select(PrintJob).where(PrintJob.device_id == kiosk_id))
        assert len(list(jobs)) == 1
    assert printed_lines(decode(running.simulated.received)).count(number) == 1


def test_a_server_without_its_database_says_busy_not_not_offered_and_the_retry_issues_once(
    page: Any, live_kiosk_hall: LiveKioskHall, platform: Platform_
) -> None:
    """A 503 (the database away for a moment: a restart, a failover) once read as "this
    service is not offered here, ask at the desk": its code was the same as that refusal's."""
    live = live_kiosk_hall
    kiosk, kiosk_id = live.new_kiosk("database away")
    platform.book("YY0010", slot_in_minutes=0)
    keys: list[str] = []

    def database_away_at_first(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:  # the server's answer while its database is unreachable
            route.fulfill(
                status=503,
                headers={"Retry-After": "5"},
                json={"error": {"code": "service_unavailable", "message": "数据库暂时无法访问"}},
            )
        else:
            route.continue_()

    open_kiosk(page, live, kiosk)
    page.route(re.compile(r".*/api/v1/halls/\d+/tickets$"), database_away_at_first)
    scan(page, "YY0010")
    page.get_by_role("button", name="确认取号").click()
    expect(page.locator("#screen-refusal")).to_have_attribute("data-code", "server_busy")
    expect(page.locator("#refusal-title")).to_have_text("排队系统暂时繁忙。")
    expect(page.locator("#refusal-advice")).to_have_text("请几秒钟后再试一次。")
    page.get_by_role("button", name="再试一次").click()

    expect(page.locator("#ticket-tag")).to_have_text("【预约】")
    assert len(keys) == 2 and keys[0] == keys[1]
    with live.database.reading() as session:
        tickets = session.scalars(select(Ticket).where(Ticket.issued_by_device_id == kiosk_id))
        assert len(list(tickets)) == 1
