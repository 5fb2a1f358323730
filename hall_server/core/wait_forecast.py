"""What a wait forecast says, and how a visitor reads it: "about 5 min", "10–25 min", "over
2 hours". A forecast is seconds from the moment it was made, so it can be read a little later
(cached) and still say what is left, never less than nothing. A ticket the forecast's runs did
not reach before their cut-off is told it waits longer than that (`WaitForecast.beyond`): over
2 hours, however much longer."""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

CAP_MINUTES = 120  # beyond this a visitor reads "over 2 hours", not a number


@dataclass(frozen=True)
class WaitForecast:
    """Seconds from the forecast's moment until the ticket is called, and who is ahead."""

    people_ahead: int
    low_seconds: float  # 10th percentile
    median_seconds: float
    high_seconds: float  # 90th percentile: the promise
    mean_seconds: float
    # The runs stopped calling at their cut-off before they reached this ticket: it waits longer
    # than the seconds above (all the cut-off), however much longer, and `people_ahead` counts
    # only those it surely waits behind.
    beyond_cutoff: bool = False

    @classmethod
    def beyond(cls, cutoff_seconds: float, people_ahead: int) -> WaitForecast:
        """A ticket not reached within `cutoff_seconds`: it waits at least that long."""
        return cls(
            people_ahead, cutoff_seconds, cutoff_seconds, cutoff_seconds, cutoff_seconds, True
        )

    def aged(self, seconds: float) -> WaitForecast:
        """The same forecast read `seconds` later: the wait left, never below zero."""
        if seconds <= 0:
            return self
        return replace(
            self,
            low_seconds=max(self.low_seconds - seconds, 0.0),
            median_seconds=max(self.median_seconds - seconds, 0.0),
            high_seconds=max(self.high_seconds - seconds, 0.0),
            mean_seconds=max(self.mean_seconds - seconds, 0.0),
        )

    def display(self) -> WaitRange:
        return WaitRange.from_forecast(self)


@dataclass(frozen=True)
class WaitRange:
    """What a visitor reads: "about 5 min", "10–25 min", or "over 2 hours" (`over_limit`)."""

    low_minutes: int
    high_minutes: int
    median_minutes: int
    over_limit: bool = False

    @property
    def is_range(self) -> bool:
        return self.high_minutes > self.low_minutes

    def to_dict(self) -> dict[str, int | bool]:
        return {
            "low_minutes": self.low_minutes,
            "high_minutes": self.high_minutes,
            "median_minutes": self.median_minutes,
            "over_limit": self.over_limit,
        }

    @classmethod
    def from_forecast(cls, forecast: WaitForecast) -> WaitRange:
        median = max(forecast.median_seconds, 0.0) / 60
        low = min(max(forecast.low_seconds, 0.0) / 60, median)
        high = max(forecast.high_seconds / 60, median)
        if median >= CAP_MINUTES:
            return cls.over_cap()
        if high < 1:
            return cls(0, 0, 0)
        high = min(high, CAP_MINUTES)
        point = round(median)
        if point >= CAP_MINUTES:
            return cls.over_cap()  # a median that reads as 120 minutes is at the cap
        if high - low <= max(3.0, 0.25 * median):
            # A long wait is never known to the minute: "about 35 min", not "about 37 min".
            # The median read is the number shown, so low <= median <= high holds.
            shown = point if median <= 20 else 5 * round(median / 5)
            if shown >= CAP_MINUTES:
                # "about 120 minutes" is a wait at the cap: it reads "over 2 hours".
                return cls.over_cap()
            return cls(shown, shown, shown)
        if high <= 10:
            low_shown, high_shown = math.floor(low), math.ceil(high)
        else:
            low_shown, high_shown = 5 * math.floor(low / 5), 5 * math.ceil(high / 5)
        high_shown = min(high_shown, CAP_MINUTES)
        return cls(min(low_shown, point), max(high_shown, point), point)

    @classmethod
    def over_cap(cls) -> WaitRange:
        """A wait at or beyond the cap: "over 2 hours"."""
        return cls(CAP_MINUTES, CAP_MINUTES, CAP_MINUTES, over_limit=True)


@dataclass(frozen=True)
class QueueCut:
    """Where the forecast stopped running one (service, visitor class) queue: the tickets behind
    the last one it ran (`after`, its queue key and id; None: it ran none) wait behind tickets
    no run could reach before the cut-off, and are told `forecast` (None: no window serves the
    queue)."""

    after: tuple[datetime, int] | None
    forecast: WaitForecast | None


@dataclass(frozen=True)
class HallPrediction:
    """Forecasts for every waiting ticket and for a new ticket of each service, at `made_at`.

    A hall whose queues run longer than its windows can call before the forecast's cut-off is
    not read to the end of them: `tickets` then holds the tickets it read, and `cut_queues`
    answers for the others (`cut_before`)."""

    made_at: datetime
    tickets: Mapping[int, WaitForecast | None]
    new_ticket: Mapping[int, WaitForecast | None]
    extra: Mapping[int, WaitForecast | None] = field(default_factory=dict)
    cut_queues: Mapping[tuple[int, str], QueueCut] = field(default_factory=dict)

    def for_ticket(self, ticket_id: int, now: datetime) -> WaitForecast | None:
        return self.read_at(self.tickets.get(ticket_id) or self.extra.get(ticket_id), now)

    def for_new_ticket(self, service_id: int, now: datetime) -> WaitForecast | None:
        return self.read_at(self.new_ticket.get(service_id), now)

    def read_at(self, forecast: WaitForecast | None, now: datetime) -> WaitForecast | None:
        """One of this prediction's forecasts read at `now`: the wait left then."""
        return None if forecast is None else forecast.aged((now - self.made_at).total_seconds())

    def cut_before(
        self, service_id: int, visitor_class: str, queue_key: datetime, ticket_id: int | None
    ) -> QueueCut | None:
        """The cut of this ticket's queue if the ticket stands behind it, else None. A ticket
        the forecast did not read stands behind one; so does one queued since at the end of a
        queue that was cut (`ticket_id` None: after every ticket queued at the same moment)."""
        cut = self.cut_queues.get((service_id, visitor_class))
        if cut is None:
            return None
        place = (queue_key, math.inf if ticket_id is None else ticket_id)
        if cut.after is not None and place <= cut.after:
            return None
        return cut


@functools.lru_cache(maxsize=64)
def _harrell_davis_weights(count: int, fraction: float) -> tuple[float, ...]:
    """Weights of the ordered draws in the Harrell-Davis estimate of a quantile: the mass of
    Beta(fraction*(n+1), (1-fraction)*(n+1)) over each of n equal slices of [0, 1]."""
    a, b = fraction * (count + 1), (1 - fraction) * (count + 1)
    steps = 32  # midpoints per slice: exact enough, and safe where the density is unbounded
    masses = []
    for i in range(count):
        mass = 0.0
        for step in range(steps):
            x = (i + (step + 0.5) / steps) / count
            mass += x ** (a - 1) * (1 - x) ** (b - 1)
        masses.append(mass)
    total = sum(masses)
    return tuple(mass / total for mass in masses)


def sample_quantile(ordered: Sequence[float], fraction: float) -> float:
    """A quantile of the distribution an ordered sample was drawn from.

    Harrell and Davis (1982): a weighted mean of all the ordered draws rather than one or two
    of them, so 24 or 40 runs give steady percentiles, and a "90th percentile" promise is kept
    about 90% of the time rather than what one order statistic happens to say.
    """
    if not ordered:
        raise ValueError("no values")
    if len(ordered) == 1:
        return ordered[0]
    weights = _harrell_davis_weights(len(ordered), fraction)
    return float(sum(map(operator.mul, weights, ordered)))


def forecast_from_sample(times: list[float], ahead: int) -> WaitForecast:
    """The 10th, 50th and 90th percentiles of a sorted sample of waits (seconds)."""
    return WaitForecast(
        people_ahead=ahead,
        low_seconds=sample_quantile(times, 0.1),
        median_seconds=sample_quantile(times, 0.5),
        high_seconds=sample_quantile(times, 0.9),
        mean_seconds=sum(times) / len(times),
    )
