"""The hall's time of day, as its pages must show it whatever the screen's own time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

HALL_ZONE = ZoneInfo("Asia/Shanghai")  # the test halls' (tests/factories.py)


def hall_clock(moment: datetime) -> str:
    return moment.astimezone(HALL_ZONE).strftime("%H:%M")


def hall_clocks_between(start: datetime, end: datetime) -> set[str]:
    """Every hall time of day a moment between `start` and `end` can be shown as."""
    shown = {hall_clock(end)}
    moment = start
    while moment < end:
        shown.add(hall_clock(moment))
        moment += timedelta(seconds=30)
    return shown
