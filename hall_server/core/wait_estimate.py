"""A first estimate of a waiting ticket's wait: people ahead shared over the windows serving it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PRIOR_WEIGHT_CASES = 3  # how many finished cases the configured expectation counts as


@dataclass(frozen=True)
class WaitEstimate:
    low_minutes: int
    high_minutes: int

    @property
    def is_range(self) -> bool:
        return self.high_minutes > self.low_minutes

    def to_dict(self) -> dict[str, int]:
        return {"low_minutes": self.low_minutes, "high_minutes": self.high_minutes}


def learned_handling_seconds(finished_handling: Sequence[float], expected_seconds: float) -> float:
    """Mean handling time of today's finished cases, pulled toward the configured expectation.

    With few cases the expectation dominates, so one quick enquiry does not promise everyone
    a short wait.
    """
    total = sum(finished_handling) + expected_seconds * PRIOR_WEIGHT_CASES
    return total / (len(finished_handling) + PRIOR_WEIGHT_CASES)


def estimate_wait(
    people_ahead: int,
    open_windows: int,
    busy_windows: int,
    mean_handling_seconds: float,
) -> WaitEstimate | None:
    """Minutes until this ticket is likely called, or None when no window can serve it.

    People ahead are served by `open_windows` in parallel; if every window is busy the ticket
    also waits for the residual of a case in progress (half a case on average).
    """
    if open_windows <= 0:
        return None
    people_ahead = max(0, people_ahead)
    seconds = people_ahead * mean_handling_seconds / open_windows
    if busy_windows >= open_windows:
        seconds += mean_handling_seconds / 2
    minutes = seconds / 60
    if minutes < 1:
        return WaitEstimate(0, 0)
    if minutes < 10:
        point = round(minutes)
        return WaitEstimate(point, point)
    # Long waits are uncertain: show a 5-minute-aligned range around the estimate.
    low = 5 * math.floor(minutes * 0.8 / 5)
    high = 5 * math.ceil(minutes * 1.2 / 5)
    return WaitEstimate(max(low, 5), max(high, low + 5))
