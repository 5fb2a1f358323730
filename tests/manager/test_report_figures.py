"""Report figures against a small day worked out by hand (tests/manager/hand_worked_day.py).

Waits are first call minus issue; handling is the last call to the finish; the target is 15
minutes; p90 is the nearest rank (for five values the fifth, for four the fourth).

  ticket  wait (min)        handling (min)              outcome
  A001    10 (0 → 10)       10 (10 → 20)                finished, rated 5
  A002     3 (2 → 5)        30 (5 → 35)                 finished, rated 2
  B001    20 (4 → 24)       —                           no-show (recalled once)
  A003    34 (6 → 40)       12 (last call 50 → 62)      transferred once, finished at w1
  B002     —                —                           cancelled
  A004    26 (10 → 36)       9 (resumed 46 → 55)        parked, finished at w2

Waits 3, 10, 20, 26, 34: mean 93/5 = 18.6 min, p90 = max = 34; within 15 min: 2 of 5.
Handling 9, 10, 12, 30: mean 61/4 = 15.25 min, p90 = max = 30.
"""

from __future__ import annotations

from datetime import date

import pytest

from hall_server.core.refusals import Refused
from hall_server.operations import reports
from hall_server.operations.reports import nearest_rank_percentile, period_bounds
from tests.factories import build_hall
from tests.manager.hand_worked_day import MONDAY_0900, PlayedDay, play_hand_worked_day

MONDAY = date(2026, 11, 30)
MINUTE = 60.0


@pytest.fixture
def day(any_database) -> PlayedDay:
    return play_hand_worked_day(any_database)


def report(database, day: PlayedDay, by: str, period: str = "day", when: date = MONDAY) -> dict:
    with database.reading() as session:
        return reports.build_report(session, day.hall.manager(), day.hall.id, period, when, by)


def rows_by_label(built: dict) -> dict[str, dict]:
    return {row["label"]: row for row in built["rows"]}


def test_the_hall_total_of_the_hand_worked_day(any_database, day):
    total = report(any_database, day, "service")["total"]

    assert (total["issued"], total["called"], total["served"]) == (6, 5, 4)
    assert (total["no_shows"], total["cancelled"], total["transfers"]) == (1, 1, 1)
    assert total["wait_mean_seconds"] == 18.6 * MINUTE
    assert total["wait_p90_seconds"] == 34 * MINUTE
    assert total["wait_max_seconds"] == 34 * MINUTE
    assert total["handling_mean_seconds"] == 15.25 * MINUTE
    assert total["handling_p90_seconds"] == 30 * MINUTE
    assert total["handling_max_seconds"] == 30 * MINUTE
    assert total["within_target"] == 2
    assert total["service_level"] == 0.4
    assert (total["ratings"], total["rating_average"], total["rating_good_share"]) == (2, 3.5, 0.5)


def test_a_transferred_case_counts_for_the_service_it_was_issued_for(any_database, day):
    services = rows_by_label(report(any_database, day, "service"))
    housing, business = services["housing"], services["business"]

    # housing: A001, A002, A003, A004 — waits 10, 3, 34, 26; handling 10, 30, 12, 9
    assert (housing["issued"], housing["called"], housing["served"]) == (4, 4, 4)
    assert housing["transfers"] == 1
    assert housing["wait_mean_seconds"] == 18.25 * MINUTE  # 73 / 4
    assert housing["wait_p90_seconds"] == 34 * MINUTE
    assert housing["handling_mean_seconds"] == 15.25 * MINUTE
    assert housing["service_level"] == 0.5  # A001 and A002
    assert (housing["ratings"], housing["rating_average"]) == (2, 3.5)
    # business: B001 (no-show after 20 min) and B002 (cancelled, never called)
    assert (business["issued"], business["called"], business["served"]) == (2, 1, 0)
    assert (business["no_shows"], business["cancelled"]) == (1, 1)
    assert business["wait_mean_seconds"] == 20 * MINUTE
    assert business["handling_mean_seconds"] is None
    assert business["service_level"] == 0.0
    assert business["ratings"] == 0 and business["rating_average"] is None


def test_windows_and_clerks_count_where_the_ticket_was_last_called(any_database, day):
    windows = rows_by_label(report(any_database, day, "window"))
    clerks = rows_by_label(report(any_database, day, "clerk"))

    # window 1 (clerk 1): A001, B001 (no-show), A003 (called there last) — waits 10, 20, 34
    for row in (windows["窗口1"], clerks["clerk1"]):
        assert row["issued"] is None  # tickets are issued to services, not to windows
        assert (row["called"], row["served"], row["no_shows"], row["transfers"]) == (3, 2, 1, 0)
        assert row["wait_mean_seconds"] == 1280.0  # 64 min / 3
        assert row["wait_p90_seconds"] == 34 * MINUTE
        assert row["handling_mean_seconds"] == 11 * MINUTE  # A001 10, A003 12 (from the 2nd call)
        assert row["service_level"] == 0.3333
        assert (row["ratings"], row["rating_average"]) == (1, 5.0)
    # window 2 (clerk 2): A002, A004, and handed A003 on — waits 3, 26; handling 30, 9
    for row in (windows["窗口2"], clerks["clerk2"]):
        assert (row["called"], row["served"], row["no_shows"], row["transfers"]) == (2, 2, 0, 1)
        assert row["wait_mean_seconds"] == 14.5 * MINUTE
        assert row["wait_p90_seconds"] == 26 * MINUTE
        assert row["handling_mean_seconds"] == 19.5 * MINUTE
        assert row["handling_max_seconds"] == 30 * MINUTE
        assert row["service_level"] == 0.5
        assert (row["ratings"], row["rating_average"], row["rating_good_share"]) == (1, 2.0, 0.0)


def test_tickets_count_on_the_halls_local_day_not_the_utc_day(any_database, day):
    # The Tuesday ticket was issued at 00:30 in Shanghai, still Monday in UTC.
    assert report(any_database, day, "service")["total"]["issued"] == 6
    week = report(any_database, day, "day", period="week")
    assert (week["start"], week["end"]) == (date(2026, 11, 30), date(2026, 12, 6))
    issued = {row["key"]: row["issued"] for row in week["rows"]}
    assert issued["2026-11-30"] == 6 and issued["2026-12-01"] == 1
    assert sum(issued.values()) == week["total"]["issued"] == 7
    # The Tuesday case: issued 00:30, called 00:35, finished 00:45
    tuesday = next(row for row in week["rows"] if row["key"] == "2026-12-01")
    assert tuesday["wait_mean_seconds"] == 5 * MINUTE
    assert tuesday["handling_mean_seconds"] == 10 * MINUTE
    # November holds only Monday 30th; December only Tuesday 1st.
    assert report(any_database, day, "day", "month")["total"]["issued"] == 6
    assert report(any_database, day, "day", "month", date(2026, 12, 15))["total"]["issued"] == 1


def test_a_report_by_hall_covers_the_halls_below_with_their_own_target(any_database, day):
    township = build_hall(
        any_database, MONDAY_0900, code="township", parent_id=day.hall.id, level="township"
    )
    from tests.manager.hand_worked_day import Player, at

    player = Player(any_database, township)
    ticket = player.issue("housing", at(0))
    player.serve(2, ticket["id"], 12, 13, 20)  # waited 12 min: within the 15 min target

    built = report(any_database, day, "hall")
    halls = {row["key"]: row for row in built["rows"]}
    assert list(halls) == [str(day.hall.id), str(township.id)]
    assert halls[str(township.id)]["depth"] == 1
    assert halls[str(township.id)]["issued"] == 1
    assert halls[str(township.id)]["service_level"] == 1.0
    assert built["total"]["issued"] == 7
    assert built["total"]["within_target"] == 3
    assert built["total"]["service_level"] == 0.5  # 3 of 6 called
    # Other rows stay within the chosen hall.
    assert report(any_database, day, "service")["total"]["issued"] == 6


def test_nearest_rank_percentile_worked_by_hand():
    assert nearest_rank_percentile([], 0.9) is None
    assert nearest_rank_percentile([7], 0.9) == 7
    assert nearest_rank_percentile(list(range(1, 11)), 0.9) == 9  # ceil(9.0) = 9th of 10
    assert nearest_rank_percentile(list(range(1, 12)), 0.9) == 10  # ceil(9.9) = 10th of 11
    assert nearest_rank_percentile([30, 9, 12, 10], 0.9) == 30  # ceil(3.6) = 4th of 4


def test_periods_run_monday_to_sunday_and_over_whole_months():
    assert period_bounds("day", date(2026, 12, 2)) == (date(2026, 12, 2), date(2026, 12, 2))
    assert period_bounds("week", date(2026, 12, 2)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert period_bounds("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    with pytest.raises(Refused):
        period_bounds("year", date(2026, 12, 2))
