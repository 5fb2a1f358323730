"""First-come-first-served with the priority lane first, and the first wait estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hall_server.core.calling_policy import FirstComeFirstServed, QueueHead, WindowView
from hall_server.core.wait_estimate import estimate_wait, learned_handling_seconds

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def head(ticket_id, service_id, minutes, visitor_class="walk_in", target=None):
    at = T0 + timedelta(minutes=minutes)
    return QueueHead(ticket_id, service_id, visitor_class, at, at, target_window_id=target)


def test_earliest_ticket_across_the_windows_services_is_called_first():
    window = WindowView(id=1, service_ids=(10, 20))
    chosen = FirstComeFirstServed().choose_next(
        window, [head(1, 10, 5), head(2, 20, 2), head(3, 30, 0)], T0
    )
    assert chosen is not None and chosen.ticket_id == 2  # service 30 is not served here


def test_priority_lane_goes_first_even_if_later():
    window = WindowView(id=1, service_ids=(10,))
    chosen = FirstComeFirstServed().choose_next(
        window, [head(1, 10, 0), head(2, 10, 30, "priority")], T0
    )
    assert chosen is not None and chosen.ticket_id == 2


def test_a_ticket_transferred_to_another_window_is_not_called_here():
    window = WindowView(id=1, service_ids=(10,))
    chosen = FirstComeFirstServed().choose_next(
        window, [head(1, 10, 0, target=7), head(2, 10, 5)], T0
    )
    assert chosen is not None and chosen.ticket_id == 2


def test_empty_queue_gives_none():
    assert FirstComeFirstServed().choose_next(WindowView(1, (10,)), [], T0) is None


def test_ties_follow_the_windows_service_order():
    window = WindowView(id=1, service_ids=(20, 10))
    chosen = FirstComeFirstServed().choose_next(window, [head(1, 10, 0), head(2, 20, 0)], T0)
    assert chosen is not None and chosen.ticket_id == 2


def test_people_ahead_are_shared_over_open_windows():
    estimate = estimate_wait(
        people_ahead=12, open_windows=3, busy_windows=3, mean_handling_seconds=600
    )
    # 12 people × 10 min / 3 windows = 40 min, plus half a case in progress = 45 min.
    assert estimate is not None
    assert estimate.low_minutes <= 45 <= estimate.high_minutes
    assert estimate.is_range


def test_an_idle_window_and_nobody_ahead_means_no_wait():
    estimate = estimate_wait(0, open_windows=2, busy_windows=1, mean_handling_seconds=600)
    assert estimate is not None and (estimate.low_minutes, estimate.high_minutes) == (0, 0)


def test_no_open_window_gives_no_estimate_rather_than_a_wrong_one():
    assert estimate_wait(5, open_windows=0, busy_windows=0, mean_handling_seconds=600) is None


def test_learned_handling_time_leans_on_the_expectation_until_cases_accumulate():
    assert learned_handling_seconds([], 600) == 600
    one_quick_case = learned_handling_seconds([60], 600)
    assert 400 < one_quick_case < 600
    many_quick_cases = learned_handling_seconds([60] * 50, 600)
    assert many_quick_cases < 100
