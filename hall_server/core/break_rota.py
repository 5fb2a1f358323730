"""A hall's break rota: each window's planned breaks (lunch, a short morning break) by weekday
and local time of day; the rules a rota must keep; which rota break a break pause is; and today's
breaks as the moments the wait forecast plans with (wait_prediction.PlannedPause).

A rota break is local time in the hall's time zone ("11:30 for 60 minutes, Monday to Friday").
When a window's clerk pauses for a break, it is decided then which rota break that pause is
(`break_being_started`); the pause lasts the rota's minutes unless the clerk says otherwise, and
the forecast no longer expects that break, nor any earlier one of the window that day (it would
otherwise count the same break twice: once as the pause, once as the rota's).

A break not begun at its time (the clerk is still serving) is still owed: the window takes it,
in full, as soon as it is free. It stays owed past its scheduled end until as long again has
passed (a 15-minute break at 10:00 until 10:30, an hour's lunch at 11:30 until 13:30) or the
window's next break is due, whichever comes first: a clerk kept that long has skipped it, and
a forecast that went on expecting it would hold the window back for the rest of the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hall_server.core.refusals import Refused
from hall_server.core.wait_prediction import PlannedPause

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_BREAK_MINUTES = 1
MAX_BREAK_MINUTES = 240
MAX_LABEL_LENGTH = 60
MINUTES_PER_DAY = 24 * 60
# A break pause begun up to this long before a rota break starts is that break: clerks go a
# little early when their window is free.
EARLY_START = timedelta(minutes=10)
# A pause the clerk plans for less than this share of a rota break is not that break (ten
# minutes before lunch is a short break, and lunch is still to come).
SHORTEST_SHARE_TAKEN = 0.5
_TIME_OF_DAY = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)


@dataclass(frozen=True)
class RotaBreak:
    """One planned break of one window, on the weekdays it applies to."""

    window_id: int
    start: time  # local time of day in the hall's time zone
    minutes: int
    weekdays: tuple[str, ...] = WEEKDAYS
    label: str | None = None
    id: int | None = None  # the stored break's; None for one not stored yet

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.minutes

    def applies_on(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.weekdays

    def span_on(self, day: date, time_zone: str) -> tuple[datetime, datetime]:
        """When the break begins and ends on `day`, as aware datetimes."""
        start = datetime.combine(day, self.start, tzinfo=ZoneInfo(time_zone))
        return start, start + timedelta(minutes=self.minutes)

    def describe(self) -> str:
        return f"{format_time_of_day(self.start_minute)}-{format_time_of_day(self.end_minute)}"


def format_time_of_day(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_time_of_day(text: str, field: str = "start") -> time:
    """A time of day as written on a rota, 11:30 (or 9:05); a refusal naming `field` if not."""
    # ASCII digits only: str.isdigit() and int() also take "²" and "٣", which are no times.
    found = _TIME_OF_DAY.fullmatch(text.strip())
    if found is None:
        raise Refused(
            "invalid_break", f"a break starts at a time of day like 11:30, not {text!r}", field
        )
    hours, minutes = int(found.group(1)), int(found.group(2))
    if hours > 23 or minutes > 59:
        raise Refused("invalid_break", f"{text} is not a time of day", field)
    return time(hours, minutes)


def check_break(entry: RotaBreak, field_prefix: str = "") -> None:
    """One break makes sense: a length the hall can plan with, within one day, known weekdays."""
    if not MIN_BREAK_MINUTES <= entry.minutes <= MAX_BREAK_MINUTES:
        raise Refused(
            "invalid_break",
            f"a break lasts 1 to 240 minutes, not {entry.minutes}",
            f"{field_prefix}minutes",
        )
    if entry.end_minute > MINUTES_PER_DAY:
        raise Refused(
            "invalid_break",
            f"a break must end by midnight; {entry.minutes} minutes from "
            f"{format_time_of_day(entry.start_minute)} do not",
            f"{field_prefix}minutes",
        )
    if not entry.weekdays:
        raise Refused(
            "invalid_break", "a break needs at least one weekday", f"{field_prefix}weekdays"
        )
    for day in entry.weekdays:
        if day not in WEEKDAYS:
            raise Refused(
                "invalid_break", f"unknown weekday {day!r}; use mon..sun", f"{field_prefix}weekdays"
            )
    if len(set(entry.weekdays)) != len(entry.weekdays):
        raise Refused("invalid_break", "a weekday is listed twice", f"{field_prefix}weekdays")
    if entry.label is not None and len(entry.label) > MAX_LABEL_LENGTH:
        raise Refused(
            "invalid_break", "a break's label is at most 60 characters", f"{field_prefix}label"
        )


def first_overlap(breaks: Sequence[RotaBreak]) -> tuple[int, int] | None:
    """Positions of two breaks of one window that overlap on a weekday they share, if any."""
    for i, first in enumerate(breaks):
        for j in range(i + 1, len(breaks)):
            second = breaks[j]
            if first.window_id != second.window_id:
                continue
            if not set(first.weekdays) & set(second.weekdays):
                continue
            if first.start_minute < second.end_minute and second.start_minute < first.end_minute:
                return i, j
    return None


def in_weekday_order(weekdays: Iterable[str]) -> tuple[str, ...]:
    wanted = set(weekdays)
    return tuple(day for day in WEEKDAYS if day in wanted)


@dataclass(frozen=True)
class LastBreak:
    """The rota break a window last paused for, and when that pause began."""

    break_id: int
    began_at: datetime


@dataclass(frozen=True)
class _DayBreak:
    """One of a window's breaks today: when it begins and ends, and when its next one begins."""

    entry: RotaBreak
    start: datetime
    end: datetime
    next_start: datetime | None

    def owed_until(self) -> datetime:
        """Until when the break, not begun, is still expected (see the module's docstring)."""
        until = self.end + (self.end - self.start)
        return until if self.next_start is None else min(until, self.next_start)


def todays_breaks(
    breaks: Iterable[RotaBreak], now: datetime, time_zone: str
) -> list[tuple[RotaBreak, datetime, datetime]]:
    """The breaks that apply on the hall's local day of `now`, with when each begins and ends."""
    today = now.astimezone(ZoneInfo(time_zone)).date()
    found = []
    for entry in breaks:
        if entry.applies_on(today):
            start, end = entry.span_on(today, time_zone)
            found.append((entry, start, end))
    found.sort(key=lambda item: (item[1], item[0].window_id))
    return found


def _windows_days(
    breaks: Iterable[RotaBreak], now: datetime, time_zone: str
) -> dict[int, list[_DayBreak]]:
    """Today's breaks by window, in order of their start."""
    by_window: dict[int, list[tuple[RotaBreak, datetime, datetime]]] = {}
    for entry, start, end in todays_breaks(breaks, now, time_zone):
        by_window.setdefault(entry.window_id, []).append((entry, start, end))
    return {
        window_id: [
            _DayBreak(entry, start, end, day[i + 1][1] if i + 1 < len(day) else None)
            for i, (entry, start, end) in enumerate(day)
        ]
        for window_id, day in by_window.items()
    }


def _still_to_take(
    day: Sequence[_DayBreak], last: LastBreak | None, now: datetime, time_zone: str
) -> list[_DayBreak]:
    """A window's breaks today less the one it last took today and every one before that: a
    window that has gone to lunch is not expected to go back for the morning break it skipped."""
    if last is None:
        return list(day)
    local = ZoneInfo(time_zone)
    if last.began_at.astimezone(local).date() != now.astimezone(local).date():
        return list(day)
    taken = next((i for i, item in enumerate(day) if item.entry.id == last.break_id), None)
    return list(day) if taken is None else list(day[taken + 1 :])


def _clearly_shorter(planned_minutes: int | None, entry: RotaBreak) -> bool:
    return planned_minutes is not None and planned_minutes < entry.minutes * SHORTEST_SHARE_TAKEN


def break_being_started(
    breaks: Iterable[RotaBreak],
    window_id: int,
    now: datetime,
    time_zone: str,
    last: LastBreak | None = None,
    planned_minutes: int | None = None,
) -> RotaBreak | None:
    """The rota break of `window_id` that a break pause begun at `now` is, if any.

    Of the window's breaks still to take today (not the one it last took, `last`, nor any
    before that): the one whose time it is; else the next one, if it starts within
    EARLY_START; else the latest one still owed (begun late: its time has passed but the
    window has not taken it). A pause the clerk plans for clearly less than a break
    (`planned_minutes`, less than half of it) is not that break.
    """
    day = _windows_days((b for b in breaks if b.window_id == window_id), now, time_zone)
    candidates = [
        item
        for item in _still_to_take(day.get(window_id, ()), last, now, time_zone)
        if not _clearly_shorter(planned_minutes, item.entry)
    ]
    for item in candidates:
        if item.start <= now < item.end:
            return item.entry
    for item in candidates:
        if now < item.start <= now + EARLY_START:
            return item.entry
    for item in reversed(candidates):
        if item.end <= now < item.owed_until():
            return item.entry
    return None


def planned_pauses(
    breaks: Iterable[RotaBreak],
    now: datetime,
    time_zone: str,
    last_breaks: Mapping[int, LastBreak | None],
) -> tuple[PlannedPause, ...]:
    """Today's rota breaks still to come for the forecast, as aware datetimes in `now`'s zone.

    Left out: the break each window last took today (`last_breaks`, by window) and every
    earlier one of that window (the pause, or the pause that was, stands for it), and a break
    no longer owed. A break whose time has come but that the window has not begun (its clerk
    is still serving) stays in: the window takes it as soon as it is free, for its full length;
    one past its scheduled end is planned from `now` (offset 0) until it is no longer owed.
    """
    found = []
    for window_id, day in _windows_days(breaks, now, time_zone).items():
        for item in _still_to_take(day, last_breaks.get(window_id), now, time_zone):
            if now < item.end:
                start = item.start
            elif now < item.owed_until():
                start = now
            else:
                continue
            found.append(PlannedPause(window_id, start.astimezone(now.tzinfo), item.entry.minutes))
    found.sort(key=lambda pause: (pause.start, pause.window_id))
    return tuple(found)
