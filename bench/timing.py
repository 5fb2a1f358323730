"""Timing a piece of work in process: the median and worst of a few runs, in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(
    action: Callable[[], Any], repeat: int, warm: bool = False, digits: int = 1
) -> dict[str, float]:
    """Run `action` `repeat` times (after one untimed run if `warm`, to fill the caches)."""
    if warm:
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), digits),
        "worst_ms": round(max(times), digits),
    }
