"""Handling-time distributions learned from finished cases: lognormal per service, with effects.

A case's log handling time is modelled as

    ln T = mu(service) + day effect + window effect + class effect + sigma(service) * Z

The service's distribution starts at the prior every hall configures (expected_handling_minutes,
coefficient of variation near 1) and is updated with earlier days' cases (a normal-inverse-gamma
update in log space). Today's cases then move it twice: a hall-wide day effect (a slow system,
a new form: everything takes longer) that even rare services feel, and the service's own cases,
against which earlier days count only as much as `HISTORY_WEIGHT_CASES` cases, so a day unlike
the learned ones is recognised within a morning. Visitor classes (pre-reviewed cases are
quicker) get a shrunk multiplicative effect; windows (the clerk at the desk) get one as far as
they differ beyond chance, so a hall whose clerks are alike gets none.

Today's finished cases alone lean quick: of the cases called lately, only the short ones are
done, the long ones are still at the windows. The cases in progress, each with how long it has
run, enter as censored observations (CaseInProgress; the forecast adds the ones in the windows'
hands). And what the model does not know about a service (few cases, or a day that may differ
from the learned ones) is kept as `HandlingTimes.uncertainty`, which the forward runs draw.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from random import Random
from statistics import NormalDist
from typing import Generic, TypeVar

PRIOR_CV = 1.0
PRIOR_CASES = 5.0  # how many cases the configured expectation counts as
# At most this much weight for earlier days against a service's cases today: a service is
# seldom more than some ten per cent off its usual beyond what the whole hall is (the day
# effect), and more weight for today would only follow the luck of its few cases.
HISTORY_WEIGHT_CASES = 60.0
DAY_EFFECT_SHRINK_CASES = 10.0
CLASS_EFFECT_SHRINK_CASES = 8.0
# Rounds of expectation-maximisation that fold the cases in progress into the model.
CENSORED_ROUNDS = 2
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

    def residual_median(self, elapsed: float) -> float:
        """The median time still to go for a case that has run `elapsed` seconds: a long-tailed
        case in hand is as likely as not over within this, though its mean is far longer."""
        return self.residual_at(elapsed, None)

    def residual_at(self, elapsed: float, share: float | None) -> float:
        """The time still to go when `share` (a probability above `share_done(elapsed)`) of
        all such cases are over; None: halfway between those over now and all of them."""
        below = self.share_done(elapsed)
        if below > 1 - 1e-9:
            return self.residual_mean(elapsed) * math.log(2.0)
        if share is None:
            share = below + (1 - below) / 2
        share = min(max(share, below, 1e-12), 1 - 1e-12)
        total = math.exp(self.mu + self.sigma * _STANDARD_NORMAL.inv_cdf(share))
        return max(total - elapsed, 0.0)

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
    # How uncertain each service's log-scale location is (standard deviation): a service
    # learned from few cases, or a day that may be unlike the earlier ones. Forward runs draw
    # it once per run, so that all of a service's cases in a run are slow or quick together.
    uncertainty: Mapping[int, float] = field(default_factory=dict)
    # What the model was fitted from (update_with_today), for given_cases_in_progress.
    basis: _Basis | None = field(default=None, compare=False, repr=False)

    def given_cases_in_progress(self, cases: Iterable[CaseInProgress]) -> HandlingTimes:
        """The model moved by the cases still in clerks' hands: each has run so long already.

        They correct the lean of the cases finished today (of the cases called lately, only
        the quick ones are done), so they count for the services with cases finished today;
        a service with none has no such lean, and its first cases say what they say when done
        (a case running four minutes of a usual ten is no news, and would only unsettle the
        forecast). A model not fitted from today's cases (no `basis`) stays as it is."""
        if self.basis is None:
            return self
        finished = self.basis.today.by_service
        cases = tuple(c for c in cases if c.service_id in finished and finished[c.service_id].count)
        if not cases:
            return self
        return _with_cases_in_progress(self, self.basis, cases)

    def uncertainty_of(self, service_id: int) -> float:
        """How uncertain a service's log-scale location is; a service never seen today or on
        earlier days is as uncertain as the fallback's prior (worth PRIOR_CASES cases)."""
        if service_id in self.uncertainty:
            return self.uncertainty[service_id]
        if self.basis is None:
            return 0.0
        return self.fallback.sigma / math.sqrt(PRIOR_CASES)

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

    def add(self, value: float, square: float | None = None) -> None:
        """One case's log handling time (or, for a case in progress, its expectation and that
        of its square)."""
        self.count += 1
        self.total += value
        self.squares += value * value if square is None else square

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


@dataclass(frozen=True)
class CaseInProgress:
    """A case still in a clerk's hands: it has run `elapsed_seconds` so far, and runs longer."""

    service_id: int
    elapsed_seconds: float
    window_id: int | None = None
    visitor_class: str | None = None


Group = TypeVar("Group", int, str)


class _Sums(Generic[Group]):
    """Counts and sums of log handling times by (group, service): what the effects need."""

    def __init__(self) -> None:
        self.counts: dict[Group, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.totals: dict[Group, dict[int, float]] = defaultdict(lambda: defaultdict(float))

    def add(self, group: Group, service_id: int, value: float) -> None:
        self.counts[group][service_id] += 1
        self.totals[group][service_id] += value

    def residuals(self, mu: Mapping[int, LogNormal]) -> dict[Group, tuple[float, int]]:
        """Each group's summed residuals against the services' `mu`, and its number of cases."""
        found = {}
        for group, counts in self.counts.items():
            totals = self.totals[group]
            total = sum(totals[s] - n * mu[s].mu for s, n in counts.items())
            found[group] = (total, sum(counts.values()))
        return found


@dataclass
class _Today:
    """Today's cases summed: per service, the day's residuals, by window and by class."""

    by_service: dict[int, _LogStats] = field(default_factory=lambda: defaultdict(_LogStats))
    day_total: float = 0.0
    day_count: int = 0
    by_window: _Sums[int] = field(default_factory=_Sums)
    by_class: _Sums[str] = field(default_factory=_Sums)

    def add(
        self,
        earlier: Mapping[int, tuple[LogNormal, float]],
        service_id: int,
        window_id: int | None,
        visitor_class: str | None,
        value: float,
        square: float | None = None,
    ) -> None:
        self.by_service[service_id].add(value, square)
        # One very long or very short case says little about the day: residuals count up to
        # a factor of e either way.
        self.day_total += max(-1.0, min(1.0, value - earlier[service_id][0].mu))
        self.day_count += 1
        if window_id is not None:
            self.by_window.add(window_id, service_id, value)
        if visitor_class is not None:
            self.by_class.add(visitor_class, service_id, value)

    def copy(self) -> _Today:
        copied = _Today(day_total=self.day_total, day_count=self.day_count)
        for service_id, stats in self.by_service.items():
            copied.by_service[service_id] = _LogStats(stats.count, stats.total, stats.squares)
        _copy_sums(self.by_window, copied.by_window)
        _copy_sums(self.by_class, copied.by_class)
        return copied


def _copy_sums(source: _Sums[Group], target: _Sums[Group]) -> None:
    for group, counts in source.counts.items():
        target.counts[group].update(counts)
        target.totals[group].update(source.totals[group])


@dataclass(frozen=True)
class _Basis:
    """What a model was fitted from, so that cases in progress can move it later."""

    learned: Mapping[int, tuple[LogNormal, float]]
    class_residuals: Mapping[str, tuple[float, int]]
    fallback: LogNormal
    today: _Today


def _between_variance(groups: Sequence[tuple[float, float]]) -> float:
    """How much groups truly differ from zero, beyond the noise of their means (DerSimonian
    and Laird's moment estimate): `groups` holds each group's mean deviation and that mean's
    sampling variance."""
    if len(groups) < 2:
        return 0.0
    weights = [1.0 / variance for _mean, variance in groups]
    excess = sum(mean * mean / variance for mean, variance in groups) - len(groups)
    return max(excess, 0.0) / sum(weights)


def _fit(basis: _Basis, today: _Today) -> HandlingTimes:
    """A hall-wide day effect, then each service's own cases (earlier days weigh at most
    HISTORY_WEIGHT_CASES), then the effects of visitor classes and of windows (today only).

    Windows get an effect only as far as they differ beyond chance: a hall whose clerks are
    alike gets none, rather than each clerk's luck of the day's cases."""
    day_effect = _clamp_effect(today.day_total / (today.day_count + DAY_EFFECT_SHRINK_CASES))
    by_service: dict[int, LogNormal] = {}
    uncertainty: dict[int, float] = {}
    for service_id, (distribution, weight) in basis.learned.items():
        by_service[service_id], worth = _update(
            distribution.shifted(day_effect),
            min(weight, HISTORY_WEIGHT_CASES),
            today.by_service.get(service_id, _LogStats()),
        )
        uncertainty[service_id] = by_service[service_id].sigma / math.sqrt(worth)
    class_totals = dict(basis.class_residuals)
    for name, (total, count) in today.by_class.residuals(by_service).items():
        earlier_total, earlier_count = class_totals.get(name, (0.0, 0))
        class_totals[name] = (earlier_total + total, earlier_count + count)
    class_effect = {
        name: _clamp_effect(total / (count + CLASS_EFFECT_SHRINK_CASES))
        for name, (total, count) in class_totals.items()
    }
    window_residuals = today.by_window.residuals(by_service)
    noise = {
        window_id: sum(
            n * by_service[service_id].sigma ** 2
            for service_id, n in today.by_window.counts[window_id].items()
        )
        / count**2
        for window_id, (_total, count) in window_residuals.items()
    }
    between = _between_variance(
        [
            (total / count, noise[window_id])
            for window_id, (total, count) in window_residuals.items()
        ]
    )
    window_effect = {
        window_id: _clamp_effect(total / count * between / (between + noise[window_id]))
        for window_id, (total, count) in window_residuals.items()
        if between > 0
    }
    return HandlingTimes(
        by_service=by_service,
        window_effect=window_effect,
        class_effect=class_effect,
        fallback=basis.fallback.shifted(day_effect),
        uncertainty=uncertainty,
        basis=basis,
    )


def _beyond(distribution: LogNormal, log_elapsed: float) -> tuple[float, float]:
    """E[ln T] and E[(ln T)^2] given T > elapsed: what a case in progress says, for now."""
    alpha = (log_elapsed - distribution.mu) / distribution.sigma
    survival = 1.0 - _STANDARD_NORMAL.cdf(alpha)
    # The inverse Mills ratio; far in the tail, its asymptote.
    mills = _STANDARD_NORMAL.pdf(alpha) / survival if survival > 1e-12 else alpha + 1.0 / alpha
    mean = distribution.mu + distribution.sigma * mills
    variance = distribution.sigma**2 * max(1.0 + alpha * mills - mills * mills, 1e-4)
    return mean, mean * mean + variance


def _with_cases_in_progress(
    fitted: HandlingTimes, basis: _Basis, cases: Sequence[CaseInProgress]
) -> HandlingTimes:
    """Censored observations, by expectation-maximisation: each case in progress counts as a
    case of the length expected of one that has already run so long, and the model is fitted
    again; a few rounds settle it."""
    learned = _with_priors_for(basis.learned, [c.service_id for c in cases], basis.fallback)
    basis = replace(basis, learned=learned)
    for _round in range(CENSORED_ROUNDS):
        today = basis.today.copy()
        for case in cases:
            log_elapsed = _clamped_log(case.elapsed_seconds)
            distribution = fitted.for_case(case.service_id, case.window_id, case.visitor_class)
            mean, square = _beyond(distribution, log_elapsed)
            today.add(learned, case.service_id, case.window_id, case.visitor_class, mean, square)
        fitted = _fit(basis, today)
    return replace(fitted, basis=basis)


def _with_priors_for(
    learned: Mapping[int, tuple[LogNormal, float]], service_ids: Iterable[int], fallback: LogNormal
) -> dict[int, tuple[LogNormal, float]]:
    extended = dict(learned)
    for service_id in service_ids:
        extended.setdefault(service_id, (fallback, PRIOR_CASES))
    return extended


def update_with_today(
    earlier: EarlierDays,
    today: Iterable[FinishedCase],
    in_progress: Iterable[CaseInProgress] = (),
) -> HandlingTimes:
    """Move what earlier days taught by today's cases: a hall-wide day effect, then each
    service's own cases (earlier days weigh at most HISTORY_WEIGHT_CASES), then the effects of
    windows (today only: the clerk at a desk changes) and of visitor classes.

    The cases finished so far today are biased quick: of the cases called in the last half
    hour, only the short ones are done. The cases `in_progress` correct that (they are also
    what `HandlingTimes.given_cases_in_progress` adds later, from the hall's windows).
    """
    today = list(today)
    learned = _with_priors_for(
        earlier.by_service, (case.service_id for case in today), earlier.fallback
    )
    sums = _Today()
    for case in today:
        sums.add(
            learned,
            case.service_id,
            case.window_id,
            case.visitor_class,
            _clamped_log(case.handling_seconds),
        )
    basis = _Basis(learned, earlier.class_residuals, earlier.fallback, sums)
    return _fit(basis, sums).given_cases_in_progress(in_progress)


def learn_handling_times(
    cases: Iterable[FinishedCase], expected_minutes: Mapping[int, float]
) -> HandlingTimes:
    """Fit each service's lognormal from its prior, earlier days and today, plus the effects."""
    cases = list(cases)
    earlier = fit_earlier_days([c for c in cases if not c.today], expected_minutes)
    return update_with_today(earlier, [c for c in cases if c.today])
