"""A visitor with an online booking or pre-review walks straight to a window: the clerk scans or
types the code or ID number on the counter page (headless Chromium, real server), sees what the
kiosk would show, issues the ticket the kiosk would give and, when the window is free, calls it
at once. Unknown and used codes, early and lapsed arrivals, a busy window and a lost answer each
behave as the hall's rules say; the terminal client's calls do the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from counter_client.counter_api import CounterApi, CounterRefused
from hall_server.operations.online_platform import (
    AppointmentPush,
    PreReviewPush,
    id_number_hash,
    push_appointment,
    push_pre_review,
)
from hall_server.storage.models import Appointment, Hall, Platform, PreReview, Ticket
from tests.counter.conftest import (
    LiveHall,
    LiveServer,
    counter_browser_page,
    open_counter,
    wait_for_desk,
)
from tests.factories import PASSWORD, build_hall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

SECRET = "counter-platform-secret"
ID_NUMBER = "11010519491231002X"
GRACE_MINUTES = 5


def midday_time_zone(now: datetime) -> str:
    """A fixed-offset zone in which `now` is about noon, so that slots half an hour before or
    after now are "today" for the hall whenever the suite runs."""
    offset = 12 - now.astimezone(UTC).hour
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # Etc/GMT-8 is UTC+8


@dataclass
class BookingHall(LiveHall):
    """A live hall with an online platform; bookings are pushed through the platform's use cases."""

    platform_id: int = 0
    hall_code: str = ""
    time_zone: str = "Etc/GMT"

    def _push(self, push: Any, use_case: Any, at: datetime | None = None) -> None:
        with self.database.transaction() as uow:
            platform = uow.session.get(Platform, self.platform_id)
            assert platform is not None
            use_case(uow, platform, push, at or datetime.now(UTC))

    def book(
        self, code: str, slot_in_minutes: float, by_id_card: bool = False, **extra: Any
    ) -> datetime:
        slot = (datetime.now(UTC) + timedelta(minutes=slot_in_minutes)).replace(microsecond=0)
        push = AppointmentPush(
            appointment_id=f"APT-{code}",
            hall_code=self.hall_code,
            service_code=f"{self.hall_code}-housing",
            slot_start=slot,
            booking_code=code,
            applicant_name="李四海",
            id_number_hash=id_number_hash(SECRET, ID_NUMBER) if by_id_card else None,
            **extra,
        )
        # Booked before its slot began, as platforms do: a slot over is refused.
        self._push(push, push_appointment, min(datetime.now(UTC), slot - timedelta(minutes=1)))
        return slot

    def pre_review(self, application_id: str, code: str, result: str = "passed") -> datetime:
        valid_until = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        push = PreReviewPush(
            application_id=application_id,
            code=code,
            hall_code=self.hall_code,
            service_code=f"{self.hall_code}-housing",
            id_number_hash=id_number_hash(SECRET, "110105197001010015"),
            result=result,
            valid_until=valid_until,
            materials=[
                {"name": "身份证", "status": "accepted"},
                {"name": "购房合同", "status": "accepted"},
            ],
            applicant_name="王小明",
        )
        self._push(push, push_pre_review)
        return valid_until

    def local(self, moment: datetime, pattern: str = "%H:%M") -> str:
        return moment.astimezone(ZoneInfo(self.time_zone)).strftime(pattern)

    def ticket(self, number: str) -> Ticket:
        with self.database.reading() as session:
            found = session.scalar(
                select(Ticket).where(Ticket.hall_id == self.hall.id, Ticket.number == number)
            )
            assert found is not None, number
            return found

    def booking(self, code: str) -> Appointment:
        with self.database.reading() as session:
            found = session.scalar(
                select(Appointment).where(
                    Appointment.hall_id == self.hall.id, Appointment.booking_code == code
                )
            )
            assert found is not None, code
            return found

    def ticket_count(self) -> int:
        with self.database.reading() as session:
            count = session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.hall_id == self.hall.id)
            )
            return int(count or 0)


@pytest.fixture
def booking_hall(live_server: LiveServer) -> BookingHall:
    """A hall of its own on the module's server, where it is about noon, with a platform and a
    5-minute grace period; numbers start at A001."""
    now = datetime.now(UTC)
    code = f"ci-{uuid.uuid4().hex[:8]}"
    zone = midday_time_zone(now)
    database = live_server.database
    hall = build_hall(database, now, code=code, time_zone=zone)
    with database.transaction() as uow:
        uow.session.execute(
            update(Hall)
            .where(Hall.id == hall.id)
            .values(calling_settings={"appointment_grace_minutes": GRACE_MINUTES})
        )
        platform = Platform(code=f"p-{code}", name="一网通办", hall_id=hall.id, secret=SECRET,
                            webhook_url=None, active=True, created_at=now)  # fmt: skip
        uow.session.add(platform)
        uow.session.flush()
        platform_id = platform.id
    return BookingHall(
        live_server.url, hall, database, "", live_server.process, platform_id, code, zone
    )


def another_zone(time_zone: str) -> str:
    """A zone whose clock differs from `time_zone`'s (a fixed offset from midday_time_zone)."""
    return "America/New_York" if time_zone == "Etc/GMT" else "UTC"


@pytest.fixture
def page(browser: Any, booking_hall: BookingHall) -> Iterator[Page]:
    """The counter's PC stands in the hall, but its own clock runs on another zone (say UTC):
    every time the page shows is still the hall's."""
    with counter_browser_page(
        browser,
        viewport={"width": 1366, "height": 1000},
        timezone_id=another_zone(booking_hall.time_zone),
    ) as page:
        yield page


def check_in(page: Page, brought: str) -> None:
    """The clerk presses I (unless still in the field), then scans: types, then Enter."""
    field = page.locator("#check-in-input")
    if not field.evaluate("element => element === document.activeElement"):
        page.keyboard.press("i")
    expect(field).to_be_focused()
    page.keyboard.type(brought)
    page.keyboard.press("Enter")


def test_a_booking_code_gives_an_appointment_ticket_called_at_once_with_its_pre_review(
    page: Page, booking_hall: BookingHall
) -> None:
    live = booking_hall
    walk_in = live.kiosk_issue()  # A001 waits: the booked visitor is called past it, by choice
    valid_until = live.pre_review("APP-CI1", "PR-CI1")
    slot = live.book("YY0001", slot_in_minutes=-2, application_id="APP-CI1")  # within grace
    open_counter(page, live, 1)
    wait_for_desk(page)

    check_in(page, "YY0001")
    expect(page.locator("#check-in-service")).to_have_text("A · housing")
    expect(page.locator("#check-in-found")).to_have_text(
        f"Appointment at {live.local(slot)} · Pre-review passed · 李*海"
    )
    expect(page.locator("#check-in-class")).to_have_attribute("data-visitor-class", "appointment")
    expect(page.locator("#check-in-note")).to_have_text(
        "On time: an appointment ticket, called first."
    )
    assert live.ticket_count() == 1  # the preview issued nothing
    expect(page.locator("#check-in-confirm")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#check-in-number")).to_have_text("A002")
    expect(page.locator("#check-in-ticket-class")).to_have_text("appointment")
    expect(page.locator("#check-in-issued-note")).to_have_text(
        "Ticket A002 issued. Tell the visitor the number."
    )
    expect(page.locator("#check-in-input")).to_have_value("")
    call = page.locator("#check-in-call")
    expect(call).to_have_text("Call A002 now")
    expect(call).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#ticket-number")).to_have_text("A002")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    expect(page.locator("#ticket-slot")).to_have_text(live.local(slot))
    expect(page.locator("#check-in-result")).to_be_hidden()
    # The clerk sees the pre-review record: its result, how long it is valid, the materials.
    record = page.locator("#pre-review")
    expect(record).to_be_visible()
    expect(record.locator("dd[data-field=result]")).to_have_text("passed")
    expect(record.locator("dd[data-field=valid_until]")).to_have_text(
        live.local(valid_until, "%Y-%m-%d")
    )
    expect(record.locator(".materials li")).to_have_text(
        ["身份证 · accepted", "购房合同 · accepted"]
    )

    called = live.ticket("A002")
    assert called.visitor_class == "appointment" and called.window_id == live.hall.windows[1]
    booking = live.booking("YY0001")
    assert (booking.status, booking.ticket_id) == ("checked_in", called.id)
    with live.database.reading() as session:
        assert session.scalar(
            select(PreReview.ticket_id).where(PreReview.application_id == "APP-CI1")
        ) == called.id  # fmt: skip
    assert live.ticket("A001").status == "waiting" and walk_in["number"] == "A001"
    assert live.ticket_count() == 2


def test_unknown_and_used_codes_are_refused_in_chinese_with_what_to_do(
    page: Page, booking_hall: BookingHall
) -> None:
    live = booking_hall
    kiosk = {"Authorization": f"Bearer {live.hall.kiosk_token}"}
    live.book("YY0002", slot_in_minutes=-1)
    live.pre_review("APP-CI2", "PR-CI2")
    for field, code in (("booking_code", "YY0002"), ("prereview_code", "PR-CI2")):
        used = live.api(
            "POST",
            f"/halls/{live.hall.id}/tickets",
            kiosk,
            json={"service_id": live.hall.services["housing"], field: code},
        )
        assert used.status_code == 201, used.text  # at the kiosk: A001, A002
    page.goto(f"{live.url}/counter/?lang=zh")
    page.fill("#staff-number", live.hall.clerk_numbers[1])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.click("#window-list li[data-window-number='1'] button")
    wait_for_desk(page)
    expect(page.locator("#check-in-title")).to_contain_text("预约 / 预审签到")
    error = page.locator("#check-in-error")

    check_in(page, "NOPE99")
    expect(error).to_have_attribute("data-code", "not_found")
    expect(error).to_contain_text(
        "本大厅没有此号码的预约或预审。请与群众核对号码，或为其取普通号。"
    )
    expect(page.locator("#check-in-preview")).to_be_hidden()

    check_in(page, "YY0002")
    expect(error).to_have_attribute("data-code", "booking_used")
    expect(error).to_contain_text("此预约已使用过，一个预约只能取一个号。")

    check_in(page, "PR-CI2")
    expect(error).to_have_attribute("data-code", "pre_review_used")
    # The server names the ticket the visitor holds; the page says what to do about it.
    expect(page.locator("#check-in-error-text")).to_have_text(
        "此预审已有号 A002 在排队。请群众继续使用该号：叫该号即可，不要再取号。"
    )
    expect(page.locator("#check-in-retry")).to_be_hidden()  # nothing to retry: a refusal
    assert live.ticket_count() == 2


def test_an_early_arrival_checked_in_by_id_number_waits_for_its_slot(
    page: Page, booking_hall: BookingHall
) -> None:
    live = booking_hall
    live.kiosk_issue()  # A001, a walk-in already waiting
    slot = live.book("YY0003", slot_in_minutes=30, by_id_card=True)
    open_counter(page, live, 1)
    wait_for_desk(page)

    check_in(page, ID_NUMBER)
    expect(page.locator("#check-in-found")).to_have_text(
        f"Appointment at {live.local(slot)} · 李*海"
    )
    expect(page.locator("#check-in-note")).to_have_attribute("data-punctuality", "early")
    expect(page.locator("#check-in-note")).to_contain_text(
        f"Early: the ticket is called first from the slot ({live.local(slot)}) on"
    )
    page.click("#check-in-confirm")

    expect(page.locator("#check-in-number")).to_have_text("A002")
    expect(page.locator("#check-in-ticket-class")).to_have_text("appointment")
    expect(page.locator("#check-in-result")).to_have_attribute("data-callable", "false")
    expect(page.locator("#check-in-call")).to_be_hidden()
    expect(page.locator("#check-in-call-note")).to_have_text(
        f"A002 is called first from {live.local(slot)}: ask the visitor to wait nearby."
    )
    expect(page.locator("#check-in-input")).to_have_value("")  # the ID number is not kept
    expect(page.locator("#next-ticket")).to_contain_text("A001")  # the walk-in goes first

    ticket = live.ticket("A002")
    assert ticket.visitor_class == "appointment"
    assert ticket.queue_key == ticket.appointment_due_at == slot
    assert live.booking("YY0003").ticket_id == ticket.id


def test_a_lapsed_booking_lost_answer_and_busy_window(
    page: Page, booking_hall: BookingHall
) -> None:
    """Beyond the grace the ticket is a walk-in; an answer lost on the way is asked for again
    with the same key and gives the same ticket; the call waits until the window is free."""
    live = booking_hall
    live.kiosk_issue()  # A001
    slot = live.book("YY0004", slot_in_minutes=-20)
    open_counter(page, live, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text("A001")

    lost: list[str] = []
    keys: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if lost:
            route.continue_()
            return
        lost.append(route.request.headers.get("idempotency-key", ""))
        route.fetch()  # the server issues the ticket ...
        route.abort("connectionreset")  # ... but its answer never reaches the page

    page.route("**/api/v1/halls/*/tickets", lose_the_first_answer)
    check_in(page, "YY0004")
    expect(page.locator("#check-in-class")).to_have_attribute("data-visitor-class", "walk_in")
    expect(page.locator("#check-in-note")).to_have_text(
        f"More than {GRACE_MINUTES} min past the slot ({live.local(slot)}): the booking has "
        "lapsed and the ticket queues as a walk-in."
    )
    page.click("#check-in-confirm")
    # The page asks again by itself, with the same key: the server answers as the first time.
    expect(page.locator("#check-in-number")).to_have_text("A002")
    expect(page.locator("#check-in-error")).to_be_hidden()
    assert live.ticket_count() == 2 and lost and lost[0].startswith("counter-")
    assert keys == [lost[0], lost[0]]
    booking = live.booking("YY0004")
    assert (booking.status, booking.ticket_id) == ("late", live.ticket("A002").id)

    expect(page.locator("#check-in-call")).to_be_hidden()  # A001 is still at the window
    expect(page.locator("#check-in-call-note")).to_have_text(
        "A case is at this window: finish or park it, then call A002."
    )
    page.keyboard.press("x")  # A001 did not come
    expect(page.locator("#ticket-empty")).to_be_visible()
    expect(page.locator("#check-in-call")).to_have_text("Call A002 now")
    page.click("#check-in-call")
    expect(page.locator("#ticket-number")).to_have_text("A002")
    expect(page.locator("#ticket-class")).to_have_attribute("data-visitor-class", "walk_in")
    expect(page.locator("#ticket-slot")).to_be_hidden()  # a lapsed booking has no slot
    assert live.ticket("A002").status == "called"


def test_the_terminal_clients_calls_check_in_once_and_call_at_once(
    booking_hall: BookingHall,
) -> None:
    live = booking_hall
    live.pre_review("APP-CI5", "PR-CI5", result="needs_correction")
    counter = CounterApi(live.url, language="en")
    counter.log_in(live.hall.clerk_numbers[2], PASSWORD)
    window = live.hall.windows[2]

    found = counter.check_in_preview(code="PR-CI5")
    assert found["booking"]["issue_field"] == "prereview_code"
    assert found["booking"]["visitor_class"] == "walk_in"  # correction needed: no priority
    first = counter.check_in(found, "PR-CI5", idempotency_key="terminal-check-in-1")
    again = counter.check_in(found, "PR-CI5", idempotency_key="terminal-check-in-1")
    assert first["id"] == again["id"] and first["number"] == "A001"
    assert live.ticket_count() == 1

    called = counter.call_ticket(window, first["id"], idempotency_key="terminal-call-1")
    assert counter.call_ticket(window, first["id"], idempotency_key="terminal-call-1") == called
    assert (called["status"], called["window"]["id"]) == ("called", window)
    desk = counter.desk(window)
    assert desk["ticket"]["pre_review"]["result"] == "needs_correction"

    with pytest.raises(CounterRefused) as refused:
        counter.check_in_preview(id_number="110105194912310038")  # valid, unbooked
    assert refused.value.code == "no_booking_for_id_card"
