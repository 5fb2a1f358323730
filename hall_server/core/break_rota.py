"""A hall's break rota: each window's planned breaks (lunch, a short morning break) by weekday
and local time of day; the rules a rota must keep; and today's breaks as the moments the wait
forecast plans with (wait_prediction.PlannedPause).

A rota break is local time in the hall's time zone ("11:30 for 60 minutes, Monday to Friday").
A window's clerk who pauses for a break near its start is taking that break: the pause lasts
the rota's minutes unless the clerk says otherwise, and the forecast no longer expects the break
(it would otherwise count the same break twice: once as the pause, once as the rota's).
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class RotaBreak:
    """One planned break of one window, on the weekdays it applies to."""

    window_id: int
    start: time  # local time of day in the hall's time zone
    minutes: int
    weekdays: tuple[str, ...] = WEEKDAYS
    label: str | None = None

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
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise Refused(
            "invalid_break", f"a break starts at a time of day like 11:30, not {text!r}", field
        )
    if int(hours) > 23 or int(minutes) > 59:
        raise Refused("invalid_break", f"{text} is not a time of day", field)
    return time(int(hours), int(minutes))


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


def _taken(pause_began: datetime | None, start: datetime, end: datetime) -> bool:
    return pause_began is not None and start - EARLY_START <= pause_began < end


def break_being_started(
    breaks: Iterable[RotaBreak], window_id: int, now: datetime, time_zone: str
) -> RotaBreak | None:
    """The rota break of `window_id` that a break pause begun at `now` is: the one whose time
    it is (or nearly is), the nearest start if two are near."""
    near = [
        (abs((start - now).total_seconds()), entry)
        for entry, start, end in todays_breaks(
            (b for b in breaks if b.window_id == window_id), now, time_zone
        )
        if _taken(now, start, end)
    ]
    return min(near, key=lambda item: item[0])[1] if near else None


def planned_pauses(
    breaks: Iterable[RotaBreak],
    now: datetime,
    time_zone: str,
    break_began: Mapping[int, datetime | None],
) -> tuple[PlannedPause, ...]:
    """Today's rota breaks still to come for the forecast, as aware datetimes in `now`'s zone.

    A break already over is left out, and so is one the window has begun (`break_began`: when
    each window last began a break pause): that pause stands for it, with its own length. A
    break whose time has come but that the window has not begun (its clerk is still serving)
    stays in: the window takes it as soon as it is free, for its full length.
    """
    found = []
    for entry, start, end in todays_breaks(breaks, now, time_zone):
        if end <= now or _taken(break_began.get(entry.window_id), start, end):
            continue
        found.append(PlannedPause(entry.window_id, start.astimezone(now.tzinfo), entry.minutes))
    return tuple(found)
