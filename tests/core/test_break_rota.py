"""The break rota's rules, and today's breaks as the forecast plans with them."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from hall_server.core.break_rota import (
    RotaBreak,
    break_being_started,
    check_break,
    first_overlap,
    parse_time_of_day,
    planned_pauses,
)
from hall_server.core.refusals import Refused
from hall_server.core.wait_prediction import PlannedPause

SHANGHAI = "Asia/Shanghai"
# Monday 30 November 2026, 09:00 in Shanghai.
MONDAY_0900 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
WORKING_DAYS = ("mon", "tue", "wed", "thu", "fri")


def shanghai(hour: int, minute: int = 0) -> datetime:
    """That time of day on Monday 30 November 2026 in Shanghai, as UTC."""
    return datetime(2026, 11, 30, hour - 8, minute, tzinfo=UTC)


def test_todays_breaks_become_planned_pauses_at_the_halls_local_time():
    rota = [
        RotaBreak(1, time(11, 30), 60, WORKING_DAYS, "午休 lunch"),
        RotaBreak(2, time(12, 30), 60, WORKING_DAYS),
        RotaBreak(1, time(10, 0), 15, ("sat", "sun")),  # not on a Monday
    ]

    found = planned_pauses(rota, MONDAY_0900, SHANGHAI, {})

    assert found == (
        PlannedPause(1, datetime(2026, 11, 30, 3, 30, tzinfo=UTC), 60),
        PlannedPause(2, datetime(2026, 11, 30, 4, 30, tzinfo=UTC), 60),
    )
    # The same rota in a hall further west starts later in UTC.
    (lunch, _) = planned_pauses(rota, MONDAY_0900, "Asia/Urumqi", {})
    assert lunch.start == datetime(2026, 11, 30, 5, 30, tzinfo=UTC)


def test_a_break_that_is_over_or_already_begun_is_not_planned_again():
    rota = [RotaBreak(1, time(10, 0), 15), RotaBreak(2, time(11, 30), 60)]
    now = shanghai(11, 40)

    # Window 1's break is over; window 2's has come but its clerk is still serving.
    assert planned_pauses(rota, now, SHANGHAI, {}) == (PlannedPause(2, shanghai(11, 30), 60),)
    # Window 2 paused for a break five minutes early: that pause is this break.
    assert planned_pauses(rota, now, SHANGHAI, {2: shanghai(11, 25)}) == ()
    # A break pause long before (the morning break) does not stand for lunch.
    assert len(planned_pauses(rota, now, SHANGHAI, {2: shanghai(10, 0)})) == 1


def test_a_break_pause_near_a_rota_break_is_that_break():
    rota = [
        RotaBreak(1, time(10, 0), 15),
        RotaBreak(1, time(11, 30), 60),
        RotaBreak(2, time(9, 0), 30),
    ]

    def started(hour: int, minute: int) -> RotaBreak | None:
        return break_being_started(rota, 1, shanghai(hour, minute), SHANGHAI)

    assert started(11, 22) == rota[1]  # a little early
    assert started(12, 29) == rota[1]  # late, but within it
    assert started(11, 15) is None and started(12, 30) is None
    assert started(9, 55) == rota[0]
    assert started(9, 5) is None  # window 2's break is not window 1's


def test_overlapping_breaks_of_one_window_are_found_on_shared_weekdays_only():
    lunch = RotaBreak(1, time(11, 30), 60, WORKING_DAYS)

    assert first_overlap([lunch, RotaBreak(1, time(12, 0), 30)]) == (0, 1)
    assert first_overlap([lunch, RotaBreak(1, time(12, 30), 15)]) is None  # touching is fine
    assert first_overlap([lunch, RotaBreak(1, time(12, 0), 30, ("sat",))]) is None
    assert first_overlap([lunch, RotaBreak(2, time(12, 0), 30)]) is None  # another window


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (RotaBreak(1, time(11, 0), 0), "minutes"),
        (RotaBreak(1, time(11, 0), 241), "minutes"),
        (RotaBreak(1, time(23, 30), 60), "minutes"),  # past midnight
        (RotaBreak(1, time(11, 0), 30, ()), "weekdays"),
        (RotaBreak(1, time(11, 0), 30, ("monday",)), "weekdays"),
        (RotaBreak(1, time(11, 0), 30, ("mon", "mon")), "weekdays"),
        (RotaBreak(1, time(11, 0), 30, label="午" * 61), "label"),
    ],
)
def test_a_break_that_makes_no_sense_is_refused_naming_the_field(entry, field):
    with pytest.raises(Refused) as refused:
        check_break(entry, "breaks.3.")

    assert (refused.value.code, refused.value.field) == ("invalid_break", f"breaks.3.{field}")


def test_times_of_day_are_read_as_written_on_a_rota():
    assert parse_time_of_day("11:30") == time(11, 30)
    assert parse_time_of_day("9:05") == time(9, 5)
    for wrong in ("24:00", "11:60", "noon", "11.30", "1130", "11:3"):
        with pytest.raises(Refused):
            parse_time_of_day(wrong)
