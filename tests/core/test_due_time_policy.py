"""The due-time policy: booked and pre-reviewed visitors just in time, walk-ins bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hall_server.core.calling_policy import QueueHead, WindowView, policy_named
from hall_server.core.due_time_policy import DueTimePolicy, DueTimeSettings

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HOUSING, BUSINESS = 10, 20
# Target 10, urgent 8 minutes before due (so after 2 minutes of a pre-review's wait) however
# long walk-ins wait, bound 45: the order of the rules, without the call-ahead moving.
POLICY = DueTimePolicy(
    DueTimeSettings(
        priority_target_minutes=10,
        call_ahead_minutes=8,
        busy_call_ahead_minutes=8,
        walk_in_bound_minutes=45,
    )
)
# The call-ahead moving: 10 minutes while nobody waits, 4 once a walk-in has waited 45 or more.
ADAPTIVE = DueTimePolicy(
    DueTimeSettings(
        call_ahead_minutes=10,
        busy_call_ahead_minutes=4,
        busy_walk_in_wait_minutes=45,
        walk_in_bound_minutes=60,
    )
)
DEDICATED = WindowView(id=1, service_ids=(HOUSING,))


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def walk_in(ticket_id: int, waited: float, service: int = HOUSING, waiting: int = 1) -> QueueHead:
    return QueueHead(ticket_id, service, "walk_in", ago(waited), ago(waited), waiting_count=waiting)


def pre_reviewed(ticket_id: int, waited: float, service: int = HOUSING) -> QueueHead:
    return QueueHead(ticket_id, service, "pre_reviewed", ago(waited), ago(waited))


def appointment(ticket_id: int, arrived_ago: float, slot_in: float) -> QueueHead:
    """Slot `slot_in` minutes from now (negative: in the past), checked in `arrived_ago` ago."""
    slot = NOW + timedelta(minutes=slot_in)
    arrival = ago(arrived_ago)
    return QueueHead(
        ticket_id, HOUSING, "appointment", max(slot, arrival), arrival, appointment_due_at=slot
    )


def chosen(
    candidates: list[QueueHead], window: WindowView = DEDICATED, policy: DueTimePolicy = POLICY
) -> int | None:
    choice = policy.choose_next(window, candidates, NOW)
    return None if choice is None else choice.ticket_id


def test_walk_ins_go_first_while_a_pre_review_still_has_time():
    assert chosen([walk_in(1, waited=20), pre_reviewed(2, waited=1)]) == 1


def test_a_pre_review_becomes_urgent_before_its_promise_runs_out():
    assert chosen([walk_in(1, waited=20), pre_reviewed(2, waited=3)]) == 2


def test_an_early_appointment_waits_for_its_slot_while_walk_ins_wait():
    early = appointment(2, arrived_ago=20, slot_in=5)  # due 10 minutes after its slot
    assert chosen([walk_in(1, waited=4), early]) == 1


def test_an_early_appointment_is_called_near_its_slot():
    not_yet = appointment(2, arrived_ago=20, slot_in=-1)  # due in 9 minutes
    assert chosen([walk_in(1, waited=30), not_yet]) == 1
    urgent = appointment(3, arrived_ago=20, slot_in=-3)  # due in 7: within the 8 called ahead
    assert chosen([walk_in(1, waited=30), urgent]) == 3


def test_an_idle_window_calls_an_early_appointment_rather_than_wait_for_its_slot():
    assert chosen([appointment(2, arrived_ago=5, slot_in=40)]) == 2


def test_a_late_appointment_within_its_grace_is_owed_from_its_arrival():
    late = appointment(2, arrived_ago=1, slot_in=-12)  # slot passed, arrived a minute ago
    assert POLICY.due_at(late) == ago(1) + timedelta(minutes=10)
    assert chosen([walk_in(1, waited=30), late]) == 1  # 9 minutes left: not urgent yet


def test_while_walk_ins_wait_little_a_pre_review_is_urgent_for_the_whole_call_ahead():
    # A minute into its promise (due in 9), the walk-in beside it has waited half a minute.
    assert chosen([walk_in(1, waited=0.5), pre_reviewed(2, waited=1)], policy=ADAPTIVE) == 2


def test_when_walk_ins_wait_long_a_pre_review_is_held_back_while_its_promise_is_safe():
    long_wait = walk_in(1, waited=44)  # under the bound of 60
    assert chosen([long_wait, pre_reviewed(2, waited=5)], policy=ADAPTIVE) == 1  # due in 5
    assert chosen([long_wait, pre_reviewed(3, waited=6.5)], policy=ADAPTIVE) == 3  # due in 3.5


def test_the_call_ahead_shrinks_in_step_with_the_longest_walk_in_wait():
    settings = ADAPTIVE.settings
    assert settings.call_ahead(timedelta(0)) == timedelta(minutes=10)
    assert settings.call_ahead(timedelta(minutes=22.5)) == timedelta(minutes=7)
    assert settings.call_ahead(timedelta(minutes=45)) == timedelta(minutes=4)
    assert settings.call_ahead(timedelta(minutes=200)) == timedelta(minutes=4)
    # A busy call-ahead above the quiet one counts as the quiet one.
    reversed_minutes = DueTimeSettings(call_ahead_minutes=6, busy_call_ahead_minutes=8)
    assert reversed_minutes.call_ahead(timedelta(minutes=60)) == timedelta(minutes=6)


def test_only_walk_ins_this_window_could_call_make_it_hold_booked_tickets_back():
    elsewhere = walk_in(3, waited=50, service=BUSINESS)  # not served at the housing window
    candidates = [walk_in(1, waited=1), pre_reviewed(2, waited=2), elsewhere]  # due in 8
    assert chosen(candidates, policy=ADAPTIVE) == 2
    both = WindowView(id=5, service_ids=(HOUSING, BUSINESS))
    assert chosen(candidates, both, policy=ADAPTIVE) == 3  # it serves both: held back


def test_a_walk_in_past_the_bound_goes_before_an_urgent_pre_review():
    assert chosen([walk_in(1, waited=46), pre_reviewed(2, waited=9)]) == 1


def test_a_walk_in_just_under_the_bound_does_not():
    assert chosen([walk_in(1, waited=44), pre_reviewed(2, waited=9)]) == 2


def test_among_tickets_over_the_bound_the_longest_over_goes_first():
    # Nobody is starved in a long overload: a booked visitor 50 minutes past the start of
    # the promise is further over the bound than a walk-in who waited 47.
    assert chosen([walk_in(1, waited=47), pre_reviewed(2, waited=50)]) == 2


def test_the_priority_lane_goes_first():
    lane = QueueHead(3, HOUSING, "priority", ago(1), ago(1))
    assert chosen([walk_in(1, waited=50), pre_reviewed(2, waited=9), lane]) == 3


def test_booked_tickets_that_can_still_be_saved_go_before_those_already_late():
    late = pre_reviewed(2, waited=15)
    savable = pre_reviewed(3, waited=6)
    assert chosen([late, savable, walk_in(1, waited=20)]) == 3


def test_a_broken_promise_keeps_its_place_in_the_queue_but_no_longer_overtakes():
    late = pre_reviewed(2, waited=15)  # due 5 minutes ago
    assert chosen([late, walk_in(1, waited=20)]) == 1  # the walk-in came first
    assert chosen([late, walk_in(1, waited=12)]) == 2  # the pre-review came first


def test_a_late_appointment_stands_in_the_queue_from_its_slot():
    late = appointment(2, arrived_ago=30, slot_in=-12)  # came early, its slot 12 minutes ago
    assert chosen([late, walk_in(1, waited=13)]) == 1
    assert chosen([late, walk_in(1, waited=11)]) == 2


def test_a_comprehensive_window_relieves_the_service_with_the_longest_queue_per_window():
    window = WindowView(id=5, service_ids=(HOUSING, BUSINESS), windows_serving={10: 4, 20: 1})
    housing = walk_in(1, waited=12, service=HOUSING, waiting=3)  # 3 people, 4 windows
    business = walk_in(2, waited=8, service=BUSINESS, waiting=4)  # 4 people, this window only
    assert chosen([housing, business], window) == 2
    # Without the counts it is first-come-first-served across the window's services.
    plain = WindowView(id=5, service_ids=(HOUSING, BUSINESS))
    assert chosen([walk_in(1, waited=12), walk_in(2, waited=8, service=BUSINESS)], plain) == 1


def test_a_comprehensive_window_serves_short_cases_sooner_when_the_hall_gives_handling_minutes():
    window = WindowView(id=5, service_ids=(HOUSING, BUSINESS), windows_serving={10: 2, 20: 2})
    housing = walk_in(1, waited=10, service=HOUSING, waiting=3)
    business = walk_in(2, waited=8, service=BUSINESS, waiting=3)
    assert chosen([housing, business], window) == 1  # without handling minutes: the older
    short_business = DueTimePolicy(
        DueTimeSettings(service_handling_minutes={HOUSING: 18, BUSINESS: 7})
    )
    choice = short_business.choose_next(window, [housing, business], NOW)
    assert choice is not None and choice.ticket_id == 2
    # A dedicated window keeps first-come-first-served whatever the minutes.
    single = WindowView(id=6, service_ids=(BUSINESS,))
    older = walk_in(3, waited=9, service=BUSINESS)
    choice = short_business.choose_next(single, [business, older], NOW)
    assert choice is not None and choice.ticket_id == 3


def test_the_walk_in_bound_holds_whatever_the_handling_minutes():
    window = WindowView(id=5, service_ids=(HOUSING, BUSINESS), windows_serving={10: 2, 20: 2})
    handling = {HOUSING: 60, BUSINESS: 1}
    policy = DueTimePolicy(
        DueTimeSettings(walk_in_bound_minutes=45, service_handling_minutes=handling)
    )
    long_wait = walk_in(1, waited=46, service=HOUSING)
    crowded = walk_in(2, waited=40, service=BUSINESS, waiting=20)
    choice = policy.choose_next(window, [long_wait, crowded], NOW)
    assert choice is not None and choice.ticket_id == 1


def test_a_dedicated_window_calls_its_walk_ins_in_order_of_arrival():
    assert chosen([walk_in(2, waited=3, waiting=5), walk_in(1, waited=4, waiting=5)]) == 1


def test_tickets_of_other_services_or_reserved_for_other_windows_are_not_called_here():
    elsewhere = QueueHead(2, HOUSING, "walk_in", ago(30), ago(30), target_window_id=9)
    other_service = walk_in(3, waited=40, service=BUSINESS)
    assert chosen([walk_in(1, waited=1), elsewhere, other_service]) == 1
    assert chosen([elsewhere, other_service]) is None


def test_settings_come_from_the_hall_and_are_checked():
    policy = policy_named("due_time", {"walk_in_bound_minutes": 30})
    assert isinstance(policy, DueTimePolicy)
    assert policy.settings.walk_in_bound_minutes == 30
    assert policy.settings.priority_target_minutes == 10  # the default
    with pytest.raises(ValueError, match="unknown calling settings"):
        policy_named("due_time", {"walk_in_bound": 30})
    with pytest.raises(ValueError, match="number of minutes"):
        DueTimeSettings(walk_in_bound_minutes=-5)
    with pytest.raises(ValueError, match="cannot exceed"):
        DueTimeSettings(priority_target_minutes=5, call_ahead_minutes=8)
    with pytest.raises(ValueError, match="busy_walk_in_wait_minutes must be positive"):
        DueTimeSettings(busy_walk_in_wait_minutes=0)
    with pytest.raises(ValueError, match="number of minutes"):
        DueTimeSettings(busy_call_ahead_minutes=-1)


def test_a_hall_that_promises_less_gets_a_call_ahead_of_its_whole_promise():
    settings = DueTimeSettings.from_mapping({"priority_target_minutes": 8})
    assert settings.call_ahead_minutes == 8
    assert DueTimeSettings.from_mapping({}).call_ahead_minutes == 10


def test_handling_minutes_come_as_json_and_are_checked():
    settings = DueTimeSettings.from_mapping({"service_handling_minutes": {"20": 7, "10": 18.5}})
    assert settings.service_handling_minutes == {10: 18.5, 20: 7.0}
    assert settings.handling_minutes(30) == pytest.approx(12.75)  # not given: the mean
    assert DueTimeSettings().handling_minutes(30) == 1.0  # none given: all the same
    stored = settings.to_mapping()
    assert stored["service_handling_minutes"] == {"10": 18.5, "20": 7.0}
    assert DueTimeSettings.from_mapping(stored) == settings
    for wrong in ({"x": 5}, {"10": 0}, {"10": "five"}, [10, 5], {"10": True}):
        with pytest.raises(ValueError, match="service_handling_minutes"):
            DueTimeSettings.from_mapping({"service_handling_minutes": wrong})


def test_booked_visitors_count_as_ahead_of_walk_ins_when_estimating():
    assert POLICY.class_rank("priority") < POLICY.class_rank("appointment")
    assert POLICY.class_rank("appointment") == POLICY.class_rank("pre_reviewed")
    assert POLICY.class_rank("pre_reviewed") < POLICY.class_rank("walk_in")
