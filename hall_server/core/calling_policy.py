"""Which waiting ticket a window calls next; a small interface so halls can swap policies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hall_server.core.due_time_policy import DueTimePolicy
from hall_server.core.ticket_life import VisitorClass


@dataclass(frozen=True)
class QueueHead:
    """A waiting ticket as the policy sees it: enough to order it, nothing more."""

    ticket_id: int
    service_id: int
    visitor_class: str
    queue_key: datetime
    issued_at: datetime
    target_window_id: int | None = None
    appointment_due_at: datetime | None = None
    # How many wait in this head's (service, visitor class) queue, itself included.
    waiting_count: int = 1


@dataclass(frozen=True)
class WindowView:
    id: int
    service_ids: tuple[int, ...]  # in the window's order of preference
    # For each of its services, how many open windows serve it (this one included); policies
    # that balance comprehensive windows across services read it, others may ignore it.
    windows_serving: Mapping[int, int] = field(default_factory=dict)


class CallingPolicy(Protocol):
    name: str
    # Does choose_next read QueueHead.waiting_count? If not, call-next need not count the
    # queues (an O(n) read).
    reads_waiting_counts: bool
    # Does it rank classes by class_rank alone and, within a class, always call the ticket
    # oldest by queue key (the window's service order only breaking ties)? Then the forecasts
    # may hand it each class's oldest heads, and treat a window's services alike.
    orders_classes_by_queue_key: bool

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        """Pick one of `candidates` (waiting tickets of the window's services) or None."""
        ...

    def class_rank(self, visitor_class: str) -> int:
        """A static rank (lower is served first) the store uses to count people ahead."""
        ...

    def service_weight(self, service_id: int) -> float | None:
        """How long it takes a service's cases to be, in minutes, where it weighs services
        when choosing (the due-time policy at a comprehensive window); None where it doesn't."""
        ...


def eligible(window: WindowView, head: QueueHead) -> bool:
    if head.service_id not in window.service_ids:
        return False
    return head.target_window_id is None or head.target_window_id == window.id


class FirstComeFirstServed:
    """Priority lane first, then everyone in order of queue time across the window's services."""

    name = "fcfs"
    reads_waiting_counts = False
    orders_classes_by_queue_key = True

    def class_rank(self, visitor_class: str) -> int:
        return 0 if visitor_class == VisitorClass.PRIORITY else 1

    def service_weight(self, service_id: int) -> float | None:
        return None

    def sort_key(self, window: WindowView, head: QueueHead) -> tuple[int, datetime, int, int]:
        return (
            self.class_rank(head.visitor_class),
            head.queue_key,
            window.service_ids.index(head.service_id),
            head.ticket_id,
        )

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        eligible_heads = [head for head in candidates if eligible(window, head)]
        if not eligible_heads:
            return None
        return min(eligible_heads, key=lambda head: self.sort_key(window, head))


def _first_come_first_served(_settings: Mapping[str, Any] | None) -> CallingPolicy:
    # Nothing to set; a hall's settings may still hold, e.g., the appointment grace period.
    return FirstComeFirstServed()


# Each builds the policy from a hall's calling settings (Hall.calling_settings).
POLICIES: dict[str, Callable[[Mapping[str, Any] | None], CallingPolicy]] = {
    "fcfs": _first_come_first_served,
    "due_time": DueTimePolicy.from_settings,
}


def policy_named(name: str, settings: Mapping[str, Any] | None = None) -> CallingPolicy:
    """The policy called `name`, with a hall's settings; ValueError for unknown or bad ones."""
    try:
        build = POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown calling policy {name!r}; known: {sorted(POLICIES)}") from None
    return build(settings)
