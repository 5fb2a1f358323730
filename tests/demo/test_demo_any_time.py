"""`hallq demo` starts, and keeps going, at any time of day: its seed stays within the halls'
local day (the tickets of the last hour, but never from before midnight, numbered from 1; the
bookings' slots on the day the kiosk takes them), the codes it prints check in at the kiosk, and
the running demo goes over midnight with the same background jobs as `hallq serve`: yesterday's
waiting tickets are closed, numbers start again, and the new day gets its codes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hall_server.background.jobs import standard_jobs
from hall_server.background.lease import try_acquire
from hall_server.background.runner import BackgroundRunner
from hall_server.demo.demo_activity import DemoActivity
from hall_server.demo.demo_bookings import (
    BOOKINGS,
    DEMO_ID_NUMBER,
    MORNING_SLOT_OFFSETS,
    slot_within_day,
)
from hall_server.demo.demo_hall import (
    MORNING_TICKETS,
    morning_arrivals,
    print_directory,
    seed_demo,
)
from hall_server.storage.models import Appointment, Hall, PreReview, Ticket
from tests import conftest
from tests.demo.test_demo_hall import check_in, printed_codes

HALL_TIME = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30).date()


def hall_time(hh_mm_ss: str, day: Any = MONDAY) -> datetime:
    """That time of `day` in the demo halls, as the app's clock gives it (UTC)."""
    parts = [int(part) for part in hh_mm_ss.split(":")] + [0]
    local = datetime(day.year, day.month, day.day, parts[0], parts[1], parts[2], tzinfo=HALL_TIME)
    return local.astimezone(UTC)


@pytest.fixture
def demo_app(sqlite_url: str, clock: conftest.TestClock) -> Iterator[Any]:
    """The app as the demo makes it: forecasts kept for 30 s, not remade after every ticket."""
    application = conftest.make_app(sqlite_url, clock, FORECAST_REFRESH_SECONDS=30.0)
    yield application
    application.extensions["hallq_db"].dispose()


def test_the_seed_plan_stays_within_the_halls_day_at_every_minute() -> None:
    for minute in range(24 * 60):
        for second in (0, 59):
            now = hall_time(f"{minute // 60}:{minute % 60}:{second}")
            today = now.astimezone(HALL_TIME).date()
            arrivals = morning_arrivals(now, "Asia/Shanghai")
            assert len(arrivals) == MORNING_TICKETS
            assert arrivals == sorted(arrivals) and arrivals[-1] <= now, now
            assert arrivals[0] >= now - timedelta(hours=1), now
            assert {a.astimezone(HALL_TIME).date() for a in arrivals} == {today}, now
            for arrival in arrivals:
                for offset in MORNING_SLOT_OFFSETS:
                    slot = slot_within_day(arrival, offset, "Asia/Shanghai")
                    assert slot.astimezone(HALL_TIME).date() == today, (arrival, offset)
                    assert slot.minute % 5 == 0 and slot.second == 0
            for booking in BOOKINGS:
                slot = slot_within_day(now, booking.slot_in_minutes, "Asia/Shanghai")
                assert slot.astimezone(HALL_TIME).date() == today, (now, booking)
    # A full hour of tickets wherever the day allows it.
    arrivals = morning_arrivals(hall_time("09:00"), "Asia/Shanghai")
    assert arrivals[0] == hall_time("08:00")


# Full seeds take ~10 s each: midnight itself, inside the old failure (00:10-00:35), before
# opening, mid-morning and the last second of the day. Every minute of the plan is checked above.
SEED_TIMES = ["00:00:00", "00:24", "03:00", "10:30", "23:59:59"]


@pytest.mark.parametrize("moment", SEED_TIMES)
def test_the_demo_seeds_a_coherent_hall_at_any_time_of_day(
    moment: str, demo_app: Any, clock: conftest.TestClock, capsys: Any
) -> None:
    clock.current = hall_time(moment)
    now = clock()
    today = now.astimezone(HALL_TIME).date()
    midnight = hall_time("00:00", today)
    database = demo_app.extensions["hallq_db"]

    city = seed_demo(database, now).hall_ids["city-centre"]

    with database.reading() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.hall_id == city).order_by(Ticket.id)
        ).all()
        assert len(tickets) == MORNING_TICKETS
        assert {ticket.local_date for ticket in tickets} == {today}
        assert all(midnight <= ticket.issued_at <= now for ticket in tickets)
        by_prefix: dict[str, list[int]] = {}
        for ticket in tickets:
            by_prefix.setdefault(ticket.number[:-3], []).append(ticket.sequence)
        # Numbered from the hall's day: 1, 2, 3 … in each prefix, none left from another day.
        for prefix, sequences in by_prefix.items():
            assert sequences == list(range(1, len(sequences) + 1)), prefix
        for ticket in tickets:
            assert ticket.number == f"{ticket.number[:-3]}{ticket.sequence:03d}"
        booked = session.scalars(select(Appointment).where(Appointment.hall_id == city)).all()
        assert len(booked) >= len(BOOKINGS)
        for appointment in booked:
            assert appointment.slot_start.astimezone(HALL_TIME).date() == today
        assert session.scalar(
            select(func.count()).select_from(PreReview).where(PreReview.hall_id == city)
        )

    print_directory(database, 5000, now)
    codes = printed_codes(capsys.readouterr().out)
    assert len(codes) == 6
    client = demo_app.test_client()
    for code, promise in codes.items():
        if "cancelled" in promise:
            continue
        answer = check_in(client, city, code=code)
        assert answer.status_code == 201, (moment, code, promise, answer.get_json())
    # The printed ID card gives today's booking, too.
    answer = check_in(client, city, id_number=DEMO_ID_NUMBER)
    assert answer.status_code in (201, 409), answer.get_json()
    if answer.status_code == 409:  # its booking code was just used above
        assert answer.get_json()["error"]["code"] == "booking_used"


def _waiting_before(database: Any, hall_id: int, day: Any) -> int:
    with database.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    Ticket.hall_id == hall_id,
                    Ticket.local_date < day,
                    Ticket.status.in_(("waiting", "called")),
                )
            )
            or 0
        )


def test_the_running_demo_goes_over_midnight_with_the_serve_jobs(
    demo_app: Any, clock: conftest.TestClock, capsys: Any
) -> None:
    clock.current = hall_time("23:50")
    database = demo_app.extensions["hallq_db"]
    city = seed_demo(database, clock()).hall_ids["city-centre"]
    tuesday = MONDAY + timedelta(days=1)
    activity = DemoActivity.of_city_centre(demo_app, random.Random(7))
    assert activity is not None
    # The jobs `hallq demo` runs, as `hallq serve` runs them (background.runner).
    runner = BackgroundRunner(
        database, standard_jobs(demo_app.config), clock, 30, settings=dict(demo_app.config)
    )
    rollover = next(job for job in runner.jobs if job.name == "daily_rollover")
    lease = try_acquire(database, rollover.name, runner.holder, 30)
    assert lease is not None
    capsys.readouterr()

    seconds = 0
    waiting_at_midnight = None
    while clock() < hall_time("00:05", tuesday):
        clock.advance(seconds=20)
        seconds += 20
        activity.round(clock(), serve=seconds % 40 == 0)
        if seconds % 60 == 0:
            if waiting_at_midnight is None and clock() >= hall_time("00:00", tuesday):
                waiting_at_midnight = _waiting_before(database, city, tuesday)
            runner.run_once(rollover, lease)

    assert waiting_at_midnight  # Monday's queue was still there at midnight …
    assert _waiting_before(database, city, tuesday) == 0  # … and the rollover closed it
    with database.reading() as session:
        tuesdays = session.scalars(
            select(Ticket)
            .where(Ticket.hall_id == city, Ticket.local_date == tuesday)
            .order_by(Ticket.id)
        ).all()
        assert len(tuesdays) >= 10  # visitors kept coming after midnight
        first_of_prefix: dict[str, int] = {}
        for ticket in tuesdays:
            first_of_prefix.setdefault(ticket.number[:-3], ticket.sequence)
        assert set(first_of_prefix.values()) == {1}  # numbers started again
        served_after_midnight = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.hall_id == city, Ticket.called_at >= hall_time("00:00", tuesday))
        )
        assert served_after_midnight
        waiting = session.scalars(
            select(Ticket).where(Ticket.hall_id == city, Ticket.status == "waiting")
        ).all()
        assert {ticket.local_date for ticket in waiting} == {tuesday}
        tuesday_codes = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.appointment_id.like(f"DEMO-{tuesday:%Y%m%d}-%"))
        )
        assert tuesday_codes == len(BOOKINGS)
    printed = capsys.readouterr().out
    assert "A new day in the demo halls" in printed
    new_codes = printed_codes(printed)
    assert len(new_codes) == 6 and all(code[4:6] == "01" for code in new_codes)  # 1 December
    code = next(c for c, promise in new_codes.items() if "cancelled" not in promise)
    assert check_in(demo_app.test_client(), city, code=code).status_code == 201


def test_the_robot_visitors_are_refused_while_the_hall_is_closed(
    demo_app: Any, clock: conftest.TestClock
) -> None:
    clock.current = hall_time("17:00")
    database = demo_app.extensions["hallq_db"]
    city = seed_demo(database, clock()).hall_ids["city-centre"]
    with database.transaction() as uow:
        hall = uow.session.get(Hall, city)
        assert hall is not None
        hall.opening_hours = "mon-fri 08:30-17:30"
    activity = DemoActivity.of_city_centre(demo_app, random.Random(3))
    assert activity is not None

    def issued() -> int:
        with database.reading() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(Ticket).where(Ticket.hall_id == city)
                )
                or 0
            )

    def finished() -> int:
        with database.reading() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Ticket)
                    .where(Ticket.hall_id == city, Ticket.finished_at.is_not(None))
                )
                or 0
            )

    before = issued()
    activity.round(clock(), serve=False)
    assert issued() == before + 1  # open: a visitor arrives

    clock.current = hall_time("20:00")
    closed_at, finished_at = issued(), finished()
    for _ in range(6):
        clock.advance(seconds=20)
        activity.round(clock(), serve=True)
    assert issued() == closed_at  # closed: nobody is given a ticket
    assert finished() > finished_at  # the robots serve those still waiting
