"""Handling-time distributions learned from finished cases: lognormal per service, with effects.

A case's log handling time is modelled as

    ln T = mu(service) + day effect + window effect + class effect + sigma(service) * Z

The service's distribution starts at the prior every hall configures (expected_handling_minutes,
coefficient of variation near 1) and is updated with earlier days' cases (a normal-inverse-gamma
update in log space). Today's cases then move it twice: a hall-wide day effect (a slow system,
a new form: everything takes longer) that even rare services feel, and the service's own cases,
against which earlier days count only as much as `HISTORY_WEIGHT_CASES` cases, so a day unlike
the learned ones is recognised within a morning. Windows (the clerk at the desk) and visitor
classes (pre-reviewed cases are quicker) get a shrunk multiplicative effect where data allow.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from random import Random
from statistics import NormalDist

PRIOR_CV = 1.0
PRIOR_CASES = 5.0  # how many cases the configured expectation counts as
HISTORY_WEIGHT_CASES = 30.0  # at most this much weight for earlier days against today's cases
DAY_EFFECT_SHRINK_CASES = 10.0
WINDOW_EFFECT_SHRINK_CASES = 8.0
CLASS_EFFECT_SHRINK_CASES = 8.0
MIN_HANDLING_SECONDS = 10.0  # a case closed within seconds is a slip of the finger
MAX_HANDLING_SECONDS = 4 * 3600.0
MAX_EFFECT = math.log(3.0)  # no clerk or class is more than three times quicker or slower

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class LogNormal:
    """A lognormal distribution of seconds: ln T ~ Normal(mu, sigma)."""

    mu: float
    sigma: float

    @classmethod
    def from_mean(cls, mean_seconds: float, cv: float = PRIOR_CV) -> LogNormal:
        variance = math.log1p(cv * cv)
        return cls(math.log(mean_seconds) - variance / 2, math.sqrt(variance))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma * self.sigma / 2)

    def shifted(self, log_factor: float) -> LogNormal:
        return LogNormal(self.mu + log_factor, self.sigma)

    def sample(self, rng: Random) -> float:
        return math.exp(self.mu + self.sigma * rng.gauss(0.0, 1.0))

    def _z(self, elapsed: float) -> float:
        return (math.log(max(elapsed, 1e-9)) - self.mu) / self.sigma

    def share_done(self, elapsed: float) -> float:
        """P(T <= elapsed): the share of such cases finished by now."""
        return _STANDARD_NORMAL.cdf(self._z(elapsed)) if elapsed > 0 else 0.0

    def residual_mean(self, elapsed: float) -> float:
        """Expected time still to go for a case that has run `elapsed` seconds."""
        if elapsed <= 0:
            return self.mean
        z = self._z(elapsed)
        survival = 1.0 - _STANDARD_NORMAL.cdf(z)
        if survival < 1e-9:
            # Far in the tail the lognormal's residual grows like elapsed * sigma / z.
            return elapsed * self.sigma / max(z, 1.0)
        conditional_mean = self.mean * _STANDARD_NORMAL.cdf(self.sigma - z) / survival
        return max(conditional_mean - elapsed, 0.0)

    def sample_residual(self, elapsed: float, rng: Random, below: float | None = None) -> float:
        """Time still to go, drawn from the distribution conditional on T > elapsed.

        `below` is P(T <= elapsed) if already known (`share_done`): runs drawing the same
        case many times need not work it out each time.
        """
        if elapsed <= 0:
            return self.sample(rng)
        if below is None:
            below = self.share_done(elapsed)
        if below > 1 - 1e-9:
            return rng.expovariate(1.0 / self.residual_mean(elapsed))
        u = below + (1.0 - below) * rng.random()
        u = min(max(u, 1e-12), 1 - 1e-12)
        total = math.exp(self.mu + self.sigma * _STANDARD_NORMAL.inv_cdf(u))
        return max(total - elapsed, 0.0)


@dataclass(frozen=True)
class FinishedCase:
    """One finished case: handling as halls define it, last call to finish."""

    service_id: int
    handling_seconds: float
    window_id: int | None = None
    visitor_class: str | None = None
    today: bool = True


@dataclass(frozen=True)
class HandlingTimes:
    """What the predictor asks: the distribution of one case of a service at a window."""

    by_service: Mapping[int, LogNormal]
    window_effect: Mapping[int, float] = field(default_factory=dict)
    class_effect: Mapping[str, float] = field(default_factory=dict)
    fallback: LogNormal = field(default_factory=lambda: LogNormal.from_mean(600.0))

    def for_service(self, service_id: int, visitor_class: str | None = None) -> LogNormal:
        base = self.by_service.get(service_id, self.fallback)
        return base.shifted(self.class_effect.get(visitor_class or "", 0.0))

    def for_case(
        self, service_id: int, window_id: int | None, visitor_class: str | None = None
    ) -> LogNormal:
        return self.for_service(service_id, visitor_class).shifted(
            self.window_effect.get(window_id or 0, 0.0)
        )


@dataclass
class _LogStats:
    count: int = 0
    total: float = 0.0
    squares: float = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.squares += value * value

    @property
    def mean(self) -> float:
        return self.total / self.count

    @property
    def sum_squared_deviation(self) -> float:
        return max(self.squares - self.total * self.total / self.count, 0.0)


def _update(prior: LogNormal, weight: float, stats: _LogStats) -> tuple[LogNormal, float]:
    """Normal-inverse-gamma update in log space; `weight` is the prior's worth in cases."""
    if stats.count == 0:
        return prior, weight
    n = stats.count
    mu = (weight * prior.mu + stats.total) / (weight + n)
    spread = (
        weight * prior.sigma**2
        + stats.sum_squared_deviation
        + weight * n / (weight + n) * (stats.mean - prior.mu) ** 2
    )
    sigma = math.sqrt(max(spread / (weight + n), 0.01))
    return LogNormal(mu, sigma), weight + n


def _clamped_log(seconds: float) -> float:
    return math.log(min(max(seconds, MIN_HANDLING_SECONDS), MAX_HANDLING_SECONDS))


def _clamp_effect(value: float) -> float:
    return max(-MAX_EFFECT, min(MAX_EFFECT, value))


@dataclass(frozen=True)
class EarlierDays:
    """What earlier days taught: each service's distribution and its worth in cases, and the
    visitor classes' log residuals (sum, count). Fitted once a day; today's cases move it."""

    by_service: Mapping[int, tuple[LogNormal, float]]
    class_residuals: Mapping[str, tuple[float, int]]
    fallback: LogNormal


def fit_earlier_days(
    cases: Iterable[FinishedCase], expected_minutes: Mapping[int, float]
) -> EarlierDays:
    """Each service's prior (its expected handling time, CV near 1) updated with earlier cases."""
    cases = list(cases)
    default_prior = LogNormal.from_mean(600.0)
    priors = {
        service_id: LogNormal.from_mean(max(float(minutes), 0.5) * 60.0)
        for service_id, minutes in expected_minutes.items()
    }
    history: dict[int, _LogStats] = defaultdict(_LogStats)
    for case in cases:
        priors.setdefault(case.service_id, default_prior)
        history[case.service_id].add(_clamped_log(case.handling_seconds))
    learned = {
        service_id: _update(prior, PRIOR_CASES, history[service_id])
        for service_id, prior in priors.items()
    }
    residuals: dict[str, tuple[float, int]] = {}
    for case in cases:
        if case.visitor_class is not None:
            residual = _clamped_log(case.handling_seconds) - learned[case.service_id][0].mu
            total, count = residuals.get(case.visitor_class, (0.0, 0))
            residuals[case.visitor_class] = (total + residual, count + 1)
    return EarlierDays(learned, residuals, default_prior)


def update_with_today(earlier: EarlierDays, today: Iterable[FinishedCase]) -> HandlingTimes:
    """Move what earlier days taught by today's cases: a hall-wide day effect, then each
    service's own cases (earlier days weigh at most HISTORY_WEIGHT_CASES), then the effects of
    windows (today only: the clerk at a desk changes) and of visitor classes."""
    today = list(today)
    learned = dict(earlier.by_service)
    for case in today:
        learned.setdefault(case.service_id, (earlier.fallback, PRIOR_CASES))
    # One very long or very short case says little about the day: residuals count up to a
    # factor of e either way.
    day_residuals = [
        max(-1.0, min(1.0, _clamped_log(case.handling_seconds) - learned[case.service_id][0].mu))
        for case in today
    ]
    day_effect = sum(day_residuals) / (len(day_residuals) + DAY_EFFECT_SHRINK_CASES)
    day_effect = max(-MAX_EFFECT, min(MAX_EFFECT, day_effect))

    today_stats: dict[int, _LogStats] = defaultdict(_LogStats)
    for case in today:
        today_stats[case.service_id].add(_clamped_log(case.handling_seconds))
    by_service: dict[int, LogNormal] = {}
    for service_id, (distribution, weight) in learned.items():
        moved = distribution.shifted(day_effect)
        by_service[service_id], _ = _update(
            moved, min(weight, HISTORY_WEIGHT_CASES), today_stats[service_id]
        )

    window_residuals: dict[int, list[float]] = defaultdict(list)
    class_totals = dict(earlier.class_residuals)
    for case in today:
        residual = _clamped_log(case.handling_seconds) - by_service[case.service_id].mu
        if case.visitor_class is not None:
            total, count = class_totals.get(case.visitor_class, (0.0, 0))
            class_totals[case.visitor_class] = (total + residual, count + 1)
        if case.window_id is not None:
            window_residuals[case.window_id].append(residual)
    class_effect = {
        name: _clamp_effect(total / (count + CLASS_EFFECT_SHRINK_CASES))
        for name, (total, count) in class_totals.items()
    }
    window_effect = {
        window_id: _clamp_effect(sum(values) / (len(values) + WINDOW_EFFECT_SHRINK_CASES))
        for window_id, values in window_residuals.items()
    }
    return HandlingTimes(
        by_service=by_service,
        window_effect=window_effect,
        class_effect=class_effect,
        fallback=earlier.fallback.shifted(day_effect),
    )


def learn_handling_times(
    cases: Iterable[FinishedCase], expected_minutes: Mapping[int, float]
) -> HandlingTimes:
    """Fit each service's lognormal from its prior, earlier days and today, plus the effects."""
    cases = list(cases)
    earlier = fit_earlier_days([c for c in cases if not c.today], expected_minutes)
    return update_with_today(earlier, [c for c in cases if c.today])
