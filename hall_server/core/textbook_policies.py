"""Textbook calling policies the due-time policy is measured against in the simulated hall.

Each keeps the priority lane (绿色通道) first, as every hall must, and otherwise follows its
textbook rule over the same queue heads the server hands to a policy. Weighted round-robin
remembers which class it served last, so it lives only in the simulator (the server builds a
fresh policy for every call); the others could be registered for halls as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from hall_server.core.calling_policy import QueueHead, WindowView, eligible
from hall_server.core.ticket_life import VisitorClass

BOOKED_CLASSES = frozenset({VisitorClass.APPOINTMENT, VisitorClass.PRE_REVIEWED})


def _callable(window: WindowView, candidates: Sequence[QueueHead]) -> list[QueueHead]:
    return [head for head in candidates if eligible(window, head)]


class _ServicesUnweighed:
    """What the textbook policies share beyond their rule: none weighs a service."""

    def service_weight(self, service_id: int) -> float | None:
        return None


def _oldest(window: WindowView, heads: Sequence[QueueHead]) -> QueueHead:
    return min(
        heads,
        key=lambda h: (h.queue_key, window.service_ids.index(h.service_id), h.ticket_id),
    )


class StrictPriority(_ServicesUnweighed):
    """Priority lane, then every booked or pre-reviewed ticket, then walk-ins; each by key."""

    name = "strict_priority"
    reads_waiting_counts = False
    orders_classes_by_queue_key = False

    def class_rank(self, visitor_class: str) -> int:
        if visitor_class == VisitorClass.PRIORITY:
            return 0
        return 1 if visitor_class in BOOKED_CLASSES else 2

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        heads = _callable(window, candidates)
        if not heads:
            return None
        best_rank = min(self.class_rank(h.visitor_class) for h in heads)
        return _oldest(window, [h for h in heads if self.class_rank(h.visitor_class) == best_rank])


class AccumulatingPriority(_ServicesUnweighed):
    """Priority grows with waiting at a rate per class; the highest accumulated priority wins.

    (Stanford, Taylor and Ziedins, "Waiting time distributions in the accumulating priority
    queue", 2014.) A ticket whose key lies in the future (an early appointment) has negative
    priority until its slot.
    """

    name = "accumulating_priority"
    reads_waiting_counts = False
    orders_classes_by_queue_key = False

    DEFAULT_RATES: Mapping[str, float] = {
        VisitorClass.WALK_IN: 1.0,
        VisitorClass.APPOINTMENT: 4.0,
        VisitorClass.PRE_REVIEWED: 4.0,
    }

    def __init__(self, rates: Mapping[str, float] | None = None) -> None:
        self.rates = dict(rates or self.DEFAULT_RATES)

    def class_rank(self, visitor_class: str) -> int:
        return 0 if visitor_class == VisitorClass.PRIORITY else 1

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        heads = _callable(window, candidates)
        if not heads:
            return None
        lane = [h for h in heads if h.visitor_class == VisitorClass.PRIORITY]
        if lane:
            return _oldest(window, lane)

        def accumulated(head: QueueHead) -> tuple[float, int, int]:
            waited = (now - head.queue_key).total_seconds()
            rate = self.rates.get(head.visitor_class, 1.0)
            return (-rate * waited, window.service_ids.index(head.service_id), head.ticket_id)

        return min(heads, key=accumulated)


class WeightedRoundRobin(_ServicesUnweighed):
    """Classes take turns in proportion to their weights (smooth weighted round-robin).

    Only classes with someone waiting at this window take part in a turn, so no window idles
    while anyone waits. Within a class, the oldest ticket goes first.
    """

    name = "weighted_round_robin"
    reads_waiting_counts = False
    orders_classes_by_queue_key = False

    DEFAULT_WEIGHTS: Mapping[str, int] = {
        VisitorClass.WALK_IN: 2,
        VisitorClass.APPOINTMENT: 1,
        VisitorClass.PRE_REVIEWED: 1,
    }

    def __init__(self, weights: Mapping[str, int] | None = None) -> None:
        self.weights = dict(weights or self.DEFAULT_WEIGHTS)
        self.credit: dict[str, float] = {name: 0.0 for name in self.weights}

    def class_rank(self, visitor_class: str) -> int:
        return 0 if visitor_class == VisitorClass.PRIORITY else 1

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        heads = _callable(window, candidates)
        if not heads:
            return None
        lane = [h for h in heads if h.visitor_class == VisitorClass.PRIORITY]
        if lane:
            return _oldest(window, lane)
        present = sorted({h.visitor_class for h in heads})
        total = sum(self.weights.get(name, 1) for name in present)
        for name in present:
            self.credit[name] = self.credit.get(name, 0.0) + self.weights.get(name, 1)
        turn = max(present, key=lambda name: (self.credit[name], -present.index(name)))
        self.credit[turn] -= total
        return _oldest(window, [h for h in heads if h.visitor_class == turn])
