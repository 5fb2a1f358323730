"""Weekly opening hours written the way halls post them, e.g. "mon-fri 08:30-12:00 13:30-17:30"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class WeeklyHours:
    """Open intervals per weekday (0 = Monday); an empty schedule means always open."""

    intervals: tuple[tuple[tuple[time, time], ...], ...]
    always_open: bool = False

    def is_open(self, now: datetime, time_zone: str) -> bool:
        if self.always_open:
            return True
        local = now.astimezone(ZoneInfo(time_zone))
        moment = local.time()
        return any(start <= moment < end for start, end in self.intervals[local.weekday()])

    def describe_day(self, weekday: int) -> str:
        spans = self.intervals[weekday]
        return " ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans) or "closed"


def _days(token: str) -> list[int]:
    if "-" in token:
        first, last = token.split("-", 1)
        a, b = _DAYS.index(first), _DAYS.index(last)
        if b < a:
            raise ValueError(f"day range {token!r} runs backwards")
        return list(range(a, b + 1))
    return [_DAYS.index(token)]


def parse_weekly_hours(text: str | None) -> WeeklyHours:
    """Parse "mon-fri 08:30-12:00 13:30-17:30; sat 09:00-12:00"; blank means always open.

    Raises ValueError naming the part that could not be read.
    """
    if text is None or not text.strip():
        return WeeklyHours(intervals=((),) * 7, always_open=True)
    per_day: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for clause in text.lower().split(";"):
        parts = clause.split()
        if not parts:
            continue
        try:
            days = _days(parts[0])
        except ValueError as error:
            raise ValueError(f"unknown day(s) {parts[0]!r}; use mon..sun") from error
        if len(parts) == 1:
            raise ValueError(f"no hours given for {parts[0]!r}")
        for span in parts[1:]:
            match = _RANGE.match(span)
            if not match:
                raise ValueError(f"hours {span!r} must look like 08:30-12:00")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            try:
                start, end = time(h1, m1), time(h2, m2)
            except ValueError as error:
                raise ValueError(f"hours {span!r} are not a valid time") from error
            if end <= start:
                raise ValueError(f"hours {span!r} end before they start")
            for day in days:
                per_day[day].append((start, end))
    return WeeklyHours(intervals=tuple(tuple(sorted(d)) for d in per_day))
