"""The hours given beside a refusal, for the kiosk, the phone page and the public API's services
preview to show: when a service issues tickets (`outside_issuing_hours`), when the hall is open
(`hall_closed`).

A weekly schedule goes to the page as each weekday's spans, Monday first, as the issuing rules
read it (hall_server/core/opening_hours.py): the page shows today's spans in the hall's time zone
and, for a closed hall, when tickets are given again (kiosk/static/hours_text.js).
"""

from __future__ import annotations

from datetime import datetime

from hall_server.core.issuing_rules import check_hall_open
from hall_server.core.opening_hours import parse_weekly_hours
from hall_server.core.refusals import Refused
from hall_server.storage.models import Hall

WeeklySpans = list[list[list[str]]]  # [weekday][span] -> ["08:30", "11:30"]


def weekly_spans(text: str | None) -> WeeklySpans | None:
    """Each weekday's spans (Monday first) of a schedule; None for one that is always open."""
    hours = parse_weekly_hours(text)
    if hours.always_open:
        return None
    return [[[f"{start:%H:%M}", f"{end:%H:%M}"] for start, end in day] for day in hours.intervals]


def hall_issuing_state(hall: Hall, now: datetime) -> dict[str, object]:
    """Whether the hall itself refuses every ticket now (`hall_closed`, as issuing would say it)
    and, if so, its opening hours, so a page says it once rather than on every service."""
    refusal = None
    try:
        check_hall_open(hall.time_zone, hall.opening_hours, now)
    except Refused as refused:
        refusal = {"code": refused.code, "message": refused.message}
    return {
        "refusal": refusal,
        "opening_hours": None if refusal is None else weekly_spans(hall.opening_hours),
    }
