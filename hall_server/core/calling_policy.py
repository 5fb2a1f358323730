"""Which waiting ticket a window calls next; a small interface so halls can swap policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


@dataclass(frozen=True)
class WindowView:
    id: int
    service_ids: tuple[int, ...]  # in the window's order of preference


class CallingPolicy(Protocol):
    name: str

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        """Pick one of `candidates` (waiting tickets of the window's services) or None."""
        ...

    def class_rank(self, visitor_class: str) -> int:
        """A static rank (lower is served first) the store uses to count people ahead."""
        ...


def eligible(window: WindowView, head: QueueHead) -> bool:
    if head.service_id not in window.service_ids:
        return False
    return head.target_window_id is None or head.target_window_id == window.id


class FirstComeFirstServed:
    """Priority lane first, then everyone in order of queue time across the window's services."""

    name = "fcfs"

    def class_rank(self, visitor_class: str) -> int:
        return 0 if visitor_class == VisitorClass.PRIORITY else 1

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


POLICIES: dict[str, type[FirstComeFirstServed]] = {"fcfs": FirstComeFirstServed}


def policy_named(name: str) -> CallingPolicy:
    try:
        return POLICIES[name]()
    except KeyError:
        raise ValueError(f"unknown calling policy {name!r}; known: {sorted(POLICIES)}") from None
