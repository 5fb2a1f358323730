"""The demo's robot clerks keep the break rota: a robot whose window is free when its break is
due pauses for the break's minutes, the window calls nobody meanwhile, and it opens again after;
a robot with no break keeps serving; a pause a manager gives a robot's window with no planned
length lasts until a person resumes it. (The clock starts on Monday at 09:00 in Shanghai.)"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from hall_server.demo.robot_clerks import serve_some
from hall_server.operations import break_rota, window_operations
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.models import RotaBreak as RotaBreakRow
from hall_server.storage.models import Ticket, Window
from tests.factories import build_hall


def issue_waiting(uow: Any, hall: Any, now: Any, count: int) -> None:
    """`count` housing tickets waiting."""
    for _ in range(count):
        request = IssueRequest(hall_id=hall.id, service_id=hall.services["housing"])
        issue_ticket(uow, hall.manager(), request, now, "secret", "http://hall")


def test_a_robot_takes_its_lunch_break_when_free_and_comes_back_after_it(
    app: Any, clock: Any
) -> None:
    database = app.extensions["hallq_db"]
    hall = build_hall(database, clock(), windows={n: ["housing"] for n in (1, 2, 3, 4)})
    with database.transaction() as uow:
        break_rota.replace_hall_rota(
            uow,
            hall.manager(),
            hall.id,
            [{"window_id": hall.windows[3], "start": "11:30", "minutes": 60, "label": "午休"}],
        )
        issue_waiting(uow, hall, clock(), 40)
    rng = random.Random(1)

    def at(hh_mm: str, rounds: int = 1) -> None:
        hours, minutes = map(int, hh_mm.split(":"))
        clock.current = clock.current.replace(hour=hours - 8, minute=minutes)  # Shanghai is UTC+8
        serve_some(database, hall.id, clock(), rng, rounds=rounds)

    def window(number: int) -> Window:
        with database.reading() as session:
            found = session.get(Window, hall.windows[number])
            assert found is not None
            return found

    def called_at(number: int) -> int:
        with database.reading() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Ticket)
                    .where(Ticket.window_id == hall.windows[number])
                )
                or 0
            )

    at("11:00")  # both robots call; window 3's break is not near yet
    assert window(3).status == "open" and called_at(3) == 1

    at("11:31", rounds=3)  # window 3 starts and finishes its case, then goes to lunch
    lunch = window(3)
    assert (lunch.status, lunch.pause_reason, lunch.pause_minutes) == ("paused", "break", 60)
    with database.reading() as session:
        lunch_break = session.scalar(
            select(RotaBreakRow.id).where(RotaBreakRow.window_id == hall.windows[3])
        )
    assert lunch.last_break_id == lunch_break
    assert called_at(3) == 1

    at("12:00", rounds=3)  # away: calls nobody
    assert window(3).status == "paused" and called_at(3) == 1
    assert window(4).status == "open" and called_at(4) >= 2  # no break: kept serving

    at("12:32")  # the hour is over: open again
    assert window(3).status == "open"
    at("12:33", rounds=3)  # and serving, without going back to the lunch it took
    assert window(3).status == "open" and called_at(3) == 2

    # Windows 1 and 2 are for people: robots leave them alone.
    assert called_at(1) == called_at(2) == 0

    # A manager sends window 4 on a break of no planned length: the robot does not end it.
    with database.transaction() as uow:
        window_operations.change_window_state(
            uow, hall.manager(), hall.windows[4], "pause", clock(), "break"
        )
    assert window(4).pause_minutes is None
    at("13:30", rounds=3)
    assert window(4).status == "paused"


def test_robots_taking_turns_call_one_at_a_time(app: Any, clock: Any) -> None:
    """The running demo has its robots take turns: each turn one window calls, so the board's
    calls and announcements come one by one, not all in the same second."""
    database = app.extensions["hallq_db"]
    hall = build_hall(database, clock(), windows={n: ["housing"] for n in (1, 2, 3, 4, 5)})
    with database.transaction() as uow:
        issue_waiting(uow, hall, clock(), 10)

    def calling_windows() -> set[int]:
        with database.reading() as session:
            return set(
                session.scalars(select(Ticket.window_id).where(Ticket.window_id.is_not(None)))
            )

    rng = random.Random(1)
    serve_some(database, hall.id, clock(), rng, turn=0)
    assert len(calling_windows()) == 1
    serve_some(database, hall.id, clock(), rng, turn=1)
    serve_some(database, hall.id, clock(), rng, turn=2)
    assert calling_windows() == {hall.windows[n] for n in (3, 4, 5)}
