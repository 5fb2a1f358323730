"""The break rota's rules, which rota break a break pause is, and today's breaks as the forecast
plans with them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from hall_server.core.break_rota import (
    LastBreak,
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
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(2, time(11, 30), 60, id=21)]
    now = shanghai(11, 40)

    # Window 1's break is long over; window 2's has come but its clerk is still serving.
    assert planned_pauses(rota, now, SHANGHAI, {}) == (PlannedPause(2, shanghai(11, 30), 60),)
    # Window 2 paused for this break five minutes early: that pause is this break.
    assert planned_pauses(rota, now, SHANGHAI, {2: LastBreak(21, shanghai(11, 25))}) == ()
    # Having taken it yesterday does not count today.
    yesterday = LastBreak(21, shanghai(11, 25) - timedelta(days=1))
    assert len(planned_pauses(rota, now, SHANGHAI, {2: yesterday})) == 1
    # Nor does having taken another window's break.
    assert len(planned_pauses(rota, now, SHANGHAI, {2: LastBreak(11, shanghai(10, 0))})) == 1


def test_an_untaken_break_stays_planned_past_its_end_from_when_the_window_is_free():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(2, time(11, 30), 60, id=21)]

    def planned(hour: int, minute: int) -> tuple[PlannedPause, ...]:
        return planned_pauses(rota, shanghai(hour, minute), SHANGHAI, {})

    # The clerk was still serving at 10:15: the break is still to come, in full, from now.
    assert planned(10, 20)[0] == PlannedPause(1, shanghai(10, 20), 15)
    assert planned(10, 29)[0] == PlannedPause(1, shanghai(10, 29), 15)
    # As long again after its end, it was skipped.
    assert all(pause.window_id == 2 for pause in planned(10, 30))
    # An hour's lunch not begun at 12:30 is still expected until 13:30.
    assert planned(13, 29) == (PlannedPause(2, shanghai(13, 29), 60),)
    assert planned(13, 30) == ()


def test_an_untaken_break_is_not_expected_once_the_windows_next_break_is_due():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(1, time(10, 20), 60, id=12)]

    assert planned_pauses(rota, shanghai(10, 18), SHANGHAI, {}) == (
        PlannedPause(1, shanghai(10, 18), 15),
        PlannedPause(1, shanghai(10, 20), 60),
    )
    assert planned_pauses(rota, shanghai(10, 21), SHANGHAI, {}) == (
        PlannedPause(1, shanghai(10, 20), 60),
    )


def test_only_the_break_taken_and_those_before_it_leave_the_plan():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(1, time(10, 20), 60, id=12)]
    lunch_taken = {1: LastBreak(12, shanghai(10, 12))}
    morning_taken = {1: LastBreak(11, shanghai(10, 0))}

    # Gone to lunch early: the morning break it skipped is not expected after lunch.
    assert planned_pauses(rota, shanghai(10, 14), SHANGHAI, lunch_taken) == ()
    # The morning break taken, lunch is still to come.
    assert planned_pauses(rota, shanghai(10, 14), SHANGHAI, morning_taken) == (
        PlannedPause(1, shanghai(10, 20), 60),
    )


def test_a_break_pause_near_a_rota_break_is_that_break():
    rota = [
        RotaBreak(1, time(10, 0), 15, id=11),
        RotaBreak(1, time(11, 30), 60, id=12),
        RotaBreak(2, time(9, 0), 30, id=21),
    ]

    def started(hour: int, minute: int) -> RotaBreak | None:
        return break_being_started(rota, 1, shanghai(hour, minute), SHANGHAI)

    assert started(11, 22) == rota[1]  # a little early
    assert started(12, 29) == rota[1]  # late, but within it
    assert started(11, 15) is None
    assert started(9, 55) == rota[0]
    assert started(9, 5) is None  # window 2's break is not window 1's


def test_a_break_pause_begun_after_the_rotas_end_is_that_break_while_it_is_owed():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(1, time(11, 30), 60, id=12)]

    def started(hour: int, minute: int, last: LastBreak | None = None) -> RotaBreak | None:
        return break_being_started(rota, 1, shanghai(hour, minute), SHANGHAI, last)

    assert started(10, 18) == rota[0]  # the clerk was serving until 10:18
    assert started(10, 29) == rota[0]
    assert started(10, 30) is None  # as long again after its end: skipped
    assert started(13, 0) == rota[1]  # lunch not begun by 12:30 is still owed until 13:30
    assert started(13, 30) is None
    # A break already taken is not begun again.
    assert started(10, 18, LastBreak(11, shanghai(10, 1))) is None


def test_a_break_pause_within_one_break_is_that_one_not_the_one_starting_nearer():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(1, time(10, 20), 60, id=12)]

    def started(hour: int, minute: int, last: LastBreak | None = None) -> RotaBreak | None:
        return break_being_started(rota, 1, shanghai(hour, minute), SHANGHAI, last)

    assert started(10, 12) == rota[0]  # in the morning break, though lunch starts nearer
    # Once the morning break is taken, a break pause soon before lunch is lunch.
    assert started(10, 12, LastBreak(11, shanghai(10, 0))) == rota[1]
    # Between the two, the next one starting within ten minutes comes before the one owed.
    assert started(10, 16) == rota[1]


def test_a_pause_planned_clearly_shorter_than_a_break_is_not_that_break():
    rota = [RotaBreak(1, time(10, 0), 15, id=11), RotaBreak(1, time(10, 20), 60, id=12)]

    def started(hour: int, minute: int, planned: int | None) -> RotaBreak | None:
        moment = shanghai(hour, minute)
        return break_being_started(rota, 1, moment, SHANGHAI, planned_minutes=planned)

    assert started(10, 14, None) == rota[0]
    assert started(10, 14, 10) == rota[0]  # ten of fifteen minutes is that break
    assert started(10, 14, 5) is None
    assert started(10, 15, None) == rota[1]  # lunch starts within ten minutes
    # Ten minutes just before lunch: lunch is still to come, and the morning break owed is it.
    assert started(10, 15, 10) == rota[0]
    assert started(10, 15, 30) == rota[1]  # a short lunch is still lunch
    assert started(10, 15, 90) == rota[1]
    lunch_only = [RotaBreak(1, time(11, 30), 60, id=13)]
    before_lunch = shanghai(11, 25)
    assert break_being_started(lunch_only, 1, before_lunch, SHANGHAI, planned_minutes=10) is None


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
    # ASCII digits only: "²" and Arabic-Indic digits pass str.isdigit().
    for wrong in ("24:00", "11:60", "noon", "11.30", "1130", "11:3", "²:30", "1²:30", "١١:٣٠"):
        with pytest.raises(Refused):
            parse_time_of_day(wrong)
