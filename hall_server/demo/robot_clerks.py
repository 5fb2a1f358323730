"""The demo's robot clerks at windows 3 and up: they serve, and they keep the hall's break rota.

Each round a robot finishes what it serves, or calls the next visitor. A robot whose window is
free when one of its rota breaks is due (core.break_rota.break_being_started: its time, a few
minutes early, or owed since) pauses the window for that break, as a clerk does at the counter,
and opens it again once the break's minutes are over. So the demo's boards show windows away at
lunch, and its wait estimates, which plan for the rota, come true.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from hall_server.core.break_rota import RotaBreak, break_being_started
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.core.window_life import PauseReason, WindowStatus
from hall_server.operations import ticket_handling, window_operations
from hall_server.operations.access import Actor
from hall_server.operations.forecast_inputs import last_break_of, rota_breaks
from hall_server.storage.database import Database
from hall_server.storage.models import Hall, Ticket, Window

FIRST_ROBOT_WINDOW = 3  # windows 1 and 2 are for people trying the counter page
OUTCOMES = ("completed", "completed", "accepted", "enquiry")


def serve_some(
    database: Database,
    hall_id: int,
    now: datetime,
    rng: random.Random,
    rounds: int = 1,
    turn: int | None = None,
) -> None:
    """`rounds` rounds of every robot window: a step of its case, a call, or its break. Given a
    `turn`, only the robot whose turn it is steps (robots taking turns, as the running demo
    has them, call one at a time rather than all in the same second)."""
    with database.reading() as session:
        time_zone = session.scalar(select(Hall.time_zone).where(Hall.id == hall_id))
        breaks = rota_breaks(session, hall_id)
        windows = session.execute(
            select(Window.id, Window.clerk_id).where(
                Window.hall_id == hall_id,
                Window.number >= FIRST_ROBOT_WINDOW,
                Window.clerk_id.is_not(None),
            )
        ).all()
    assert time_zone is not None
    if turn is not None:
        windows = windows[turn % len(windows) : turn % len(windows) + 1] if windows else []
    for _ in range(rounds):
        for window_id, clerk_id in windows:
            assert clerk_id is not None  # only staffed windows were selected
            clerk = Actor(kind="user", id=clerk_id, role="clerk", hall_id=hall_id)
            try:
                _step(database, clerk, window_id, breaks, time_zone, now, rng)
            except Refused:
                continue  # e.g. nobody waiting for this window's services


def _step(
    database: Database,
    clerk: Actor,
    window_id: int,
    breaks: list[RotaBreak],
    time_zone: str,
    now: datetime,
    rng: random.Random,
) -> None:
    with database.reading() as session:
        window = session.get(Window, window_id)
        assert window is not None
        current = session.scalar(
            select(Ticket).where(
                Ticket.window_id == window_id,
                Ticket.status.in_((TicketStatus.CALLED, TicketStatus.SERVING)),
            )
        )
        on_break = window.status == WindowStatus.PAUSED and window.pause_reason == PauseReason.BREAK
        # A break of no planned length was a person's (a manager pausing a robot's window):
        # it lasts until a person resumes the window.
        break_over = (
            on_break
            and window.paused_at is not None
            and window.pause_minutes is not None
            and now >= window.paused_at + timedelta(minutes=window.pause_minutes)
        )
        break_due = (
            window.status == WindowStatus.OPEN
            and current is None
            and break_being_started(breaks, window_id, now, time_zone, last_break_of(window))
            is not None
        )
    with database.transaction() as uow:
        if on_break:
            if break_over:
                window_operations.change_window_state(uow, clerk, window_id, "resume", now, None)
        elif break_due:
            # No minutes given: the pause takes the rota break's (operations.break_rota).
            window_operations.change_window_state(uow, clerk, window_id, "pause", now, "break")
        elif current is None:
            ticket_handling.call_next_ticket(uow, clerk, window_id, now)
        elif current.status == TicketStatus.CALLED:
            ticket_handling.start_ticket(uow, clerk, window_id, current.id, now)
        else:
            outcome = rng.choice(OUTCOMES)
            ticket_handling.finish_ticket(uow, clerk, window_id, current.id, now, outcome)
