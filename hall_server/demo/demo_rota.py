"""The demo halls' break rota: lunch in two shifts, so that half the windows stay open from
11:30 to 13:30, and a 15-minute morning break for every window, a quarter of them at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hall_server.operations import break_rota
from hall_server.operations.access import Actor
from hall_server.storage.database import Database
from hall_server.storage.models import Window

LUNCH_SHIFTS = ("11:30", "12:30")  # neighbouring windows lunch in different shifts
LUNCH_MINUTES = 60
MORNING_BREAKS = ("10:00", "10:15", "10:30", "10:45")
MORNING_MINUTES = 15


def demo_breaks(window_ids: list[int]) -> list[dict[str, Any]]:
    """Each window's lunch and morning break, every day the hall is open."""
    breaks: list[dict[str, Any]] = []
    for position, window_id in enumerate(window_ids):
        breaks.append(
            {
                "window_id": window_id,
                "start": MORNING_BREAKS[position % len(MORNING_BREAKS)],
                "minutes": MORNING_MINUTES,
                "label": "工间休息",
            }
        )
        breaks.append(
            {
                "window_id": window_id,
                "start": LUNCH_SHIFTS[position % len(LUNCH_SHIFTS)],
                "minutes": LUNCH_MINUTES,
                "label": "午休",
            }
        )
    return breaks


def seed_demo_rota(database: Database, admin: Actor, hall_ids: list[int]) -> None:
    for hall_id in hall_ids:
        with database.reading() as session:
            window_ids = list(
                session.scalars(
                    select(Window.id).where(Window.hall_id == hall_id).order_by(Window.number)
                )
            )
        with database.transaction() as uow:
            break_rota.replace_hall_rota(uow, admin, hall_id, demo_breaks(window_ids))
