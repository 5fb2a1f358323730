"""Ticket numbers restart on the hall's local day; opening hours are read as halls write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hall_server.core.issuing_rules import IssuingContext, check_may_issue
from hall_server.core.numbering import format_ticket_number, local_business_date
from hall_server.core.opening_hours import parse_weekly_hours
from hall_server.core.refusals import Refused


def test_the_local_day_changes_at_local_midnight_not_utc_midnight():
    # 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is already the next day there.
    assert local_business_date(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "Asia/Shanghai") == date(
        2026, 11, 30
    )
    assert local_business_date(datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "Asia/Shanghai") == date(
        2026, 12, 1
    )
    # The same instant is still 30 November in Urumqi's own time zone (UTC+6).
    assert local_business_date(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), "Asia/Urumqi") == date(
        2026, 11, 30
    )


def test_naive_now_is_rejected():
    with pytest.raises(ValueError):
        local_business_date(datetime(2026, 11, 30, 9, 0), "Asia/Shanghai")


def test_numbers_have_at_least_three_digits():
    assert format_ticket_number("A", 23) == "A023"
    assert format_ticket_number("GJ", 1234) == "GJ1234"


def test_weekly_hours_parse_and_answer_in_local_time():
    hours = parse_weekly_hours("mon-fri 08:30-12:00 13:30-17:30; sat 09:00-12:00")
    monday_0900_shanghai = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    monday_1230_shanghai = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
    sunday_1000_shanghai = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert hours.is_open(monday_0900_shanghai, "Asia/Shanghai")
    assert not hours.is_open(monday_1230_shanghai, "Asia/Shanghai")
    assert not hours.is_open(sunday_1000_shanghai, "Asia/Shanghai")
    assert hours.describe_day(5) == "09:00-12:00"


@pytest.mark.parametrize(
    "text", ["funday 08:00-09:00", "mon 8:00-9:00", "mon 12:00-11:00", "mon", "fri-mon 08:00-09:00"]
)
def test_unreadable_hours_are_rejected_with_the_part_named(text):
    with pytest.raises(ValueError):
        parse_weekly_hours(text)


def context(**overrides) -> IssuingContext:
    values = dict(
        hall_time_zone="Asia/Shanghai",
        hall_opening_hours="mon-fri 08:30-17:30",
        service_issuing_hours=None,
        service_daily_quota=100,
        service_active=True,
        issued_today_for_service=0,
        holder_has_active_ticket_for_service=False,
    )
    values.update(overrides)
    return IssuingContext(**values)


MONDAY_0900 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"hall_opening_hours": "sat 09:00-12:00"}, "hall_closed"),
        ({"service_issuing_hours": "mon-fri 13:00-17:00"}, "outside_issuing_hours"),
        ({"issued_today_for_service": 100}, "daily_quota_reached"),
        ({"holder_has_active_ticket_for_service": True}, "already_holds_ticket"),
        ({"service_active": False}, "service_not_offered"),
    ],
)
def test_issuing_refusals_name_the_reason(overrides, code):
    with pytest.raises(Refused) as refusal:
        check_may_issue(context(**overrides), MONDAY_0900)
    assert refusal.value.code == code


def test_issuing_is_allowed_in_hours_under_quota():
    check_may_issue(context(issued_today_for_service=99), MONDAY_0900)
