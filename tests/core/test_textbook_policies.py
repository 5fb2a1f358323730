"""The textbook policies the due-time policy is compared with, over the same queue heads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hall_server.core.calling_policy import QueueHead, WindowView
from hall_server.core.textbook_policies import (
    AccumulatingPriority,
    StrictPriority,
    WeightedRoundRobin,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WINDOW = WindowView(id=1, service_ids=(10,))


def head(ticket_id: int, visitor_class: str, waited: float) -> QueueHead:
    at = NOW - timedelta(minutes=waited)
    return QueueHead(ticket_id, 10, visitor_class, at, at)


def test_strict_priority_serves_any_booked_ticket_before_any_walk_in():
    chosen = StrictPriority().choose_next(
        WINDOW, [head(1, "walk_in", 60), head(2, "pre_reviewed", 0)], NOW
    )
    assert chosen is not None and chosen.ticket_id == 2


def test_accumulating_priority_lets_a_long_wait_outgrow_a_faster_rate():
    policy = AccumulatingPriority()  # booked tickets accumulate four times as fast
    candidates = [head(1, "walk_in", 30), head(2, "appointment", 5)]
    assert policy.choose_next(WINDOW, candidates, NOW).ticket_id == 1  # 30 > 4 x 5
    candidates = [head(1, "walk_in", 30), head(2, "appointment", 10)]
    assert policy.choose_next(WINDOW, candidates, NOW).ticket_id == 2  # 40 > 30


def test_weighted_round_robin_takes_turns_by_weight():
    policy = WeightedRoundRobin({"walk_in": 2, "appointment": 1})
    turns = []
    for _ in range(6):
        chosen = policy.choose_next(
            WINDOW, [head(1, "walk_in", 10), head(2, "appointment", 10)], NOW
        )
        assert chosen is not None
        turns.append(chosen.visitor_class)
    assert turns.count("walk_in") == 4 and turns.count("appointment") == 2


def test_every_textbook_policy_keeps_the_priority_lane_first():
    candidates = [head(1, "pre_reviewed", 30), head(2, "priority", 0)]
    for policy in (StrictPriority(), AccumulatingPriority(), WeightedRoundRobin()):
        assert policy.choose_next(WINDOW, candidates, NOW).ticket_id == 2
