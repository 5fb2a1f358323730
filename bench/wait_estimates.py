"""Wait forecasts against the waits that followed, on simulated days of a district hall.

Each day is drawn from the planning priors (hall_server/core/simulated_demand.py) and run by
the discrete-event simulator (hall_server/core/hall_simulation.py) under the due-time policy.
For every ticket, at the moment it is issued, each predictor forecasts its wait from what the
hall knows then; the simulated day says what the wait (issue to call) turned out to be.

Predictors:
- forecast: HallQ's predictor (core/wait_prediction.py), learning handling times from earlier
  simulated days and today's finished cases, arrivals from the last hour, and the break rota.
- forecast_no_rota: the same without the rota and without planned pause lengths: what a hall
  gets that keeps no break rota in HallQ (the server feeds both to the forecast: the rota from
  the manager's rota page, a pause's planned length from the clerk's pause).
- oracle: re-simulates the hall with run_hall from the true state: true handling-time
  distributions (cases in progress drawn conditional on how long they have run), the true rota,
  fresh arrivals drawn from the true demand; median and p90 of its runs. The floor; run on
  every `--oracle-every`th ticket, and "forecast@oracle" is ours on those same tickets.
- ahead_x_mean: HallQ's first estimate, people ahead × mean handling time ÷ open windows
  (+ half a case when all are busy).
- queue_length: (people ahead + 1) ÷ the calls per minute its windows made in the last 30 min.
- last_to_enter_service, head_of_line, rolling_average (last 10 called): per service.

Metrics: relative RMSE = RMSE ÷ mean actual wait over tickets that waited (wait > 0); MAE in
minutes; share within ±5 minutes; share under-predicted by more than 10 minutes; share whose
wait stayed under the promised 90th percentile, over the tickets promised a wait ("p90 kept":
a ticket issued to an idle window is called at once, its promise 0 and trivially kept) and
over all ("(all)"). Then the time to forecast every waiting ticket of a hall with 300 waiting
and 30 windows.

    .venv/bin/python bench/wait_estimates.py --days 3 --history-days 10 --seed 1

(about 12 minutes on one core; --days 1 for a quick look).

prints a table per scenario, the timing, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall_server.core.arrival_forecast import (  # noqa: E402
    LEVEL_WINDOW_MINUTES,
    ArrivalPeriod,
    ArrivalProfile,
    arrival_periods,
    learn_arrival_profile,
    todays_level,
)
from hall_server.core.calling_policy import CallingPolicy, FirstComeFirstServed  # noqa: E402
from hall_server.core.due_time_policy import DueTimePolicy, DueTimeSettings  # noqa: E402
from hall_server.core.expected_arrivals import arrivals_per_hour  # noqa: E402
from hall_server.core.hall_simulation import (  # noqa: E402
    SimTicket,
    WindowPlan,
    WindowStart,
    run_hall,
)
from hall_server.core.handling_time_model import (  # noqa: E402
    EarlierDays,
    FinishedCase,
    HandlingTimes,
    LogNormal,
    fit_earlier_days,
    update_with_today,
)
from hall_server.core.simulated_demand import (  # noqa: E402
    DemandModel,
    SimulatedDay,
    district_demand,
    district_windows,
    draw_day,
    tickets_for_day,
)
from hall_server.core.ticket_life import VisitorClass  # noqa: E402
from hall_server.core.wait_estimate import learned_handling_seconds  # noqa: E402
from hall_server.core.wait_forecast import sample_quantile  # noqa: E402
from hall_server.core.wait_prediction import (  # noqa: E402
    HallState,
    PlannedPause,
    WindowState,
    predict_hall,
)

FIRST_DAY = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # midnight in Shanghai, Monday 30 Nov
# A day unlike the learned ones: some services slower (a new form, a slow system), one quicker.
DRIFT = {1: 1.30, 2: 1.10, 3: 1.25, 4: 0.85, 5: 1.20}
SCENARIOS: dict[str, tuple[float, dict[int, float] | None]] = {
    "normal": (1.00, None),
    "overload_10pct": (1.10, None),
    "underload_15pct": (0.85, None),
    "handling_drift": (1.00, DRIFT),
}
PREDICTORS = (
    "forecast",
    "forecast_no_rota",
    "oracle",
    "forecast@oracle",
    "ahead_x_mean",
    "queue_length",
    "last_to_enter_service",
    "head_of_line",
    "rolling_average",
)
ROLLING_COUNT = 10
THROUGHPUT_WINDOW = timedelta(minutes=30)


# ---- the simulated day -------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    window_id: int
    planned: datetime
    start: datetime  # when the window actually stopped (its case in hand finished)
    length: timedelta


@dataclass
class Day:
    model: DemandModel
    day: SimulatedDay
    drift: dict[int, float] | None
    plans: list[WindowPlan]
    tickets: list[SimTicket]  # in issue order, with called_at, finished_at, window_id
    breaks: list[Break]
    appointment_pre_reviewed: dict[int, bool] = field(default_factory=dict)


def _drifted(day: SimulatedDay, drift: dict[int, float] | None) -> SimulatedDay:
    if not drift:
        return day
    visits = tuple(
        replace(v, handling_seconds=v.handling_seconds * drift[v.service_id]) for v in day.visits
    )
    return replace(day, visits=visits)


def actual_breaks(plans: list[WindowPlan], tickets: list[SimTicket]) -> list[Break]:
    """When each planned break really began: at its time if the window was free, else when
    the case in hand finished (as run_hall takes breaks)."""
    cases: dict[int, list[SimTicket]] = {}
    for ticket in tickets:
        if ticket.window_id is not None:
            cases.setdefault(ticket.window_id, []).append(ticket)
    found = []
    for plan in plans:
        for planned in plan.breaks:
            start = planned.start
            for case in cases.get(plan.id, ()):
                assert case.called_at is not None and case.finished_at is not None
                if case.called_at <= start < case.finished_at:
                    start = case.finished_at
            found.append(Break(plan.id, planned.start, start, planned.length))
    return found


def simulate_day(
    model: DemandModel,
    date_start: datetime,
    seed: int,
    drift: dict[int, float] | None,
    policy: Callable[[], CallingPolicy],
    settings: DueTimeSettings,
) -> Day:
    drawn = _drifted(draw_day(model, date_start, random.Random(seed)), drift)
    tickets = tickets_for_day(drawn, True, settings.appointment_grace)
    plans = district_windows(date_start)
    run_hall(policy(), plans, model.opens_at(date_start), to_issue=tickets)
    tickets.sort(key=lambda ticket: ticket.id)
    return Day(model, drawn, drift, plans, tickets, actual_breaks(plans, tickets))


def finished_cases(day: Day, today: bool) -> list[FinishedCase]:
    return [
        FinishedCase(
            service_id=t.service_id,
            handling_seconds=t.handling_seconds,
            window_id=t.window_id,
            visitor_class=t.visitor_class,
            today=today,
        )
        for t in day.tickets
    ]


# ---- what the hall knows when a ticket is issued ---------------------------------------------


@dataclass
class Moment:
    ticket: SimTicket
    at: datetime
    waiting: list[SimTicket]
    in_hand: dict[int, SimTicket]  # window id -> case
    on_break: dict[int, Break]
    pending_breaks: list[Break]


def moment_of(day: Day, ticket: SimTicket) -> Moment:
    at = ticket.issued_at
    waiting, in_hand = [], {}
    for other in day.tickets:
        if other.id > ticket.id:
            break
        assert other.called_at is not None and other.finished_at is not None
        if other.id == ticket.id or other.called_at > at:
            waiting.append(other)
        elif other.finished_at > at and other.window_id is not None:
            in_hand[other.window_id] = other
    on_break = {b.window_id: b for b in day.breaks if b.start <= at < b.start + b.length}
    pending = [b for b in day.breaks if b.start > at]
    return Moment(ticket, at, waiting, in_hand, on_break, pending)


def arrival_profile(days: list[Day]) -> ArrivalProfile:
    return learn_arrival_profile(
        (
            (t.service_id, t.visitor_class, (t.issued_at - d.day.date_start).total_seconds() / 60)
            for d in days
            for t in d.tickets
        ),
        len(days),
        (
            (t.appointment_due_at - t.issued_at).total_seconds() / 60
            for d in days
            for t in d.tickets
            if t.appointment_due_at is not None
        ),
    )


def hall_state(
    day: Day, moment: Moment, with_rota: bool, profile: ArrivalProfile | None = None
) -> HallState:
    windows = []
    for plan in day.plans:
        pause = moment.on_break.get(plan.id)
        case = moment.in_hand.get(plan.id)
        windows.append(
            WindowState(
                id=plan.id,
                service_ids=plan.service_ids,
                status="paused" if pause else "open",
                case_service_id=None if case is None else case.service_id,
                case_visitor_class=None if case is None else case.visitor_class,
                case_called_at=None if case is None else case.called_at,
                paused_at=None if pause is None else pause.start,
                pause_reason=None if pause is None else "break",
                pause_minutes=pause.length.total_seconds() / 60 if pause and with_rota else None,
            )
        )
    issued = [
        (t.service_id, t.visitor_class, t.issued_at)
        for t in day.tickets
        if t.id <= moment.ticket.id and t.issued_at >= moment.at - timedelta(hours=1)
    ]
    rota = tuple(
        PlannedPause(b.window_id, b.planned, b.length.total_seconds() / 60)
        for b in moment.pending_breaks
    )
    periods: tuple[ArrivalPeriod, ...] = ()
    if profile is not None:
        minute = (moment.at - day.day.date_start).total_seconds() / 60
        opened = (moment.at - day.model.opens_at(day.day.date_start)).total_seconds() / 60
        since = moment.at - timedelta(minutes=LEVEL_WINDOW_MINUTES)
        recently = sum(1 for t in day.tickets[: moment.ticket.id] if t.issued_at >= since)
        level = todays_level(profile, recently, minute, opened)
        today: dict[tuple[int, str], int] = {}
        for t in day.tickets[: moment.ticket.id]:
            today[(t.service_id, t.visitor_class)] = (
                today.get((t.service_id, t.visitor_class), 0) + 1
            )
        periods = arrival_periods(
            profile, moment.at, minute, level, timedelta(hours=4), issued_today=today
        )
    return HallState(
        now=moment.at,
        windows=tuple(windows),
        waiting=tuple(t.head for t in moment.waiting),
        arrivals_per_hour=arrivals_per_hour(issued, moment.at, day.tickets[0].issued_at),
        planned_pauses=rota if with_rota else (),
        arrival_periods=periods,
    )


# ---- the oracle: run_hall from the true state ------------------------------------------------


def _true_lognormal(day: Day, service_id: int, factor: float) -> LogNormal:
    service = next(s for s in day.model.services if s.id == service_id)
    drift = (day.drift or {}).get(service_id, 1.0)
    return LogNormal.from_mean(service.mean_handling_minutes * 60 * factor * drift, 1.0)


def _true_components(day: Day, ticket: SimTicket) -> list[tuple[float, LogNormal]]:
    """The handling-time distribution the simulated visitor's case was drawn from."""
    model = day.model
    quick = model.pre_reviewed_handling_factor
    if ticket.visitor_class == VisitorClass.PRE_REVIEWED:
        return [(1.0, _true_lognormal(day, ticket.service_id, quick))]
    if ticket.visitor_class == VisitorClass.APPOINTMENT:
        share = model.booked_also_pre_reviewed
        return [
            (1 - share, _true_lognormal(day, ticket.service_id, 1.0)),
            (share, _true_lognormal(day, ticket.service_id, quick)),
        ]
    return [(1.0, _true_lognormal(day, ticket.service_id, 1.0))]


def _draw(components: list[tuple[float, LogNormal]], elapsed: float, rng: random.Random) -> float:
    """A handling time (or, with `elapsed`, the time still to go) from a lognormal mixture."""
    weights = [w * _survival(dist, elapsed) for w, dist in components]
    total = sum(weights)
    pick = rng.random() * total if total > 0 else 0.0
    for weight, (_share, dist) in zip(weights, components, strict=True):
        pick -= weight
        if pick <= 0:
            return dist.sample_residual(elapsed, rng)
    return components[-1][1].sample_residual(elapsed, rng)


def _survival(dist: LogNormal, elapsed: float) -> float:
    if elapsed <= 0:
        return 1.0
    z = (math.log(elapsed) - dist.mu) / dist.sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def oracle_waits(
    day: Day,
    moment: Moment,
    policy: Callable[[], CallingPolicy],
    settings: DueTimeSettings,
    runs: int,
    horizon: timedelta,
    rng: random.Random,
) -> list[float]:
    """Minutes until the ticket is called, in each of `runs` re-simulations (sorted)."""
    at = moment.at
    pending_planned = {(b.window_id, b.planned) for b in moment.pending_breaks}
    plans = [
        replace(plan, breaks=tuple(b for b in plan.breaks if (plan.id, b.start) in pending_planned))
        for plan in day.plans
    ]
    waits = []
    for _run in range(runs):
        waiting = [
            SimTicket(
                id=t.id,
                service_id=t.service_id,
                visitor_class=t.visitor_class,
                issued_at=t.issued_at,
                queue_key=t.queue_key,
                handling_seconds=_draw(_true_components(day, t), 0.0, rng),
                appointment_due_at=t.appointment_due_at,
            )
            for t in moment.waiting
        ]
        starts = {}
        for window_id, case in moment.in_hand.items():
            assert case.called_at is not None
            elapsed = (at - case.called_at).total_seconds()
            left = _draw(_true_components(day, case), elapsed, rng)
            starts[window_id] = WindowStart(busy_until=at + timedelta(seconds=left))
        for window_id, pause in moment.on_break.items():
            starts[window_id] = WindowStart(on_break_until=pause.start + pause.length)
        future_day = _drifted(
            draw_day(day.model, day.day.date_start, random.Random(rng.random())), day.drift
        )
        future = [
            replace_id(t, 1_000_000 + t.id)
            for t in tickets_for_day(future_day, True, settings.appointment_grace)
            if at < t.issued_at <= at + horizon
        ]
        run = run_hall(policy(), plans, at, to_issue=future, waiting=waiting, window_starts=starts)
        mine = next(t for t in run.tickets if t.id == moment.ticket.id)
        assert mine.called_at is not None
        waits.append((mine.called_at - at).total_seconds() / 60)
    return sorted(waits)


def replace_id(ticket: SimTicket, new_id: int) -> SimTicket:
    return SimTicket(
        id=new_id,
        service_id=ticket.service_id,
        visitor_class=ticket.visitor_class,
        issued_at=ticket.issued_at,
        queue_key=ticket.queue_key,
        handling_seconds=ticket.handling_seconds,
        appointment_due_at=ticket.appointment_due_at,
    )


# ---- the baselines -------------------------------------------------------------------------


@dataclass
class ServiceHistory:
    """Calls of one service so far today, by call time: for the history-based baselines."""

    called_at: list[datetime] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # minutes


def service_histories(day: Day) -> dict[int, ServiceHistory]:
    histories: dict[int, ServiceHistory] = {}
    for ticket in sorted(day.tickets, key=lambda t: (t.called_at, t.id)):
        assert ticket.called_at is not None
        history = histories.setdefault(ticket.service_id, ServiceHistory())
        history.called_at.append(ticket.called_at)
        history.waits.append((ticket.called_at - ticket.issued_at).total_seconds() / 60)
    return histories


def baselines(
    day: Day,
    moment: Moment,
    policy: CallingPolicy,
    histories: dict[int, ServiceHistory],
    today_handling: dict[int, list[float]],
    calls_by_window: dict[int, list[datetime]],
) -> dict[str, float]:
    ticket, at = moment.ticket, moment.at
    pool = [plan for plan in day.plans if ticket.service_id in plan.service_ids]
    pool_ids = {plan.id for plan in pool}
    services = {s for plan in pool for s in plan.service_ids}
    rank = policy.class_rank(ticket.visitor_class)
    ahead = sum(
        1
        for other in moment.waiting
        if other.id != ticket.id
        and other.service_id in services
        and (
            policy.class_rank(other.visitor_class) < rank
            or (
                policy.class_rank(other.visitor_class) == rank
                and (other.queue_key, other.id) < (ticket.queue_key, ticket.id)
            )
        )
    )
    open_ids = [w for w in pool_ids if w not in moment.on_break]
    busy = sum(1 for w in open_ids if w in moment.in_hand)
    service = next(s for s in day.model.services if s.id == ticket.service_id)
    mean = learned_handling_seconds(
        today_handling.get(ticket.service_id, []), service.mean_handling_minutes * 60
    )
    serving = len(open_ids) or len(pool_ids)
    first = ahead * mean / serving + (mean / 2 if busy >= len(open_ids) else 0.0)
    recent_calls = sum(
        1
        for w in pool_ids
        for called in calls_by_window.get(w, ())
        if at - THROUGHPUT_WINDOW < called <= at
    )
    per_minute = recent_calls / (THROUGHPUT_WINDOW.total_seconds() / 60)
    queue_length = (ahead + 1) / per_minute if per_minute > 0 else (ahead + 1) * mean / 60 / serving
    history = histories.get(ticket.service_id, ServiceHistory())
    known = bisect_right(history.called_at, at)
    last = history.waits[known - 1] if known else 0.0
    rolling = history.waits[max(0, known - ROLLING_COUNT) : known]
    same_service = [
        t for t in moment.waiting if t.service_id == ticket.service_id and t.id != ticket.id
    ]
    head = min(same_service, key=lambda t: (t.queue_key, t.id)) if same_service else None
    return {
        "ahead_x_mean": first / 60,
        "queue_length": queue_length,
        "last_to_enter_service": last,
        "head_of_line": 0.0 if head is None else (at - head.issued_at).total_seconds() / 60,
        "rolling_average": statistics.fmean(rolling) if rolling else 0.0,
    }


# ---- evaluating a day ----------------------------------------------------------------------


@dataclass
class Outcome:
    actual: list[float] = field(default_factory=list)
    median: list[float] = field(default_factory=list)
    promise: list[float | None] = field(default_factory=list)

    def add(self, actual: float, median: float, promise: float | None = None) -> None:
        self.actual.append(actual)
        self.median.append(median)
        self.promise.append(promise)


def evaluate_day(
    day: Day,
    earlier: EarlierDays,
    profile: ArrivalProfile,
    policy: Callable[[], CallingPolicy],
    settings: DueTimeSettings,
    outcomes: dict[str, Outcome],
    oracle_every: int,
    oracle_runs: int,
    rng: random.Random,
) -> None:
    histories = service_histories(day)
    calls_by_window: dict[int, list[datetime]] = {}
    for t in day.tickets:
        if t.window_id is not None and t.called_at is not None:
            calls_by_window.setdefault(t.window_id, []).append(t.called_at)
    by_finish = sorted(day.tickets, key=lambda t: (t.finished_at, t.id))
    finish_times = [t.finished_at for t in by_finish]
    cache: dict[int, HandlingTimes] = {}
    judge = policy()
    for index, ticket in enumerate(day.tickets):
        moment = moment_of(day, ticket)
        assert ticket.called_at is not None
        actual = (ticket.called_at - moment.at).total_seconds() / 60
        done = bisect_right(finish_times, moment.at)
        if done not in cache:
            cache.clear()
            today = [
                FinishedCase(t.service_id, t.handling_seconds, t.window_id, t.visitor_class)
                for t in by_finish[:done]
            ]
            cache[done] = update_with_today(earlier, today)
        handling = cache[done]
        forecasts = {}
        for name, with_rota in (("forecast", True), ("forecast_no_rota", False)):
            state = hall_state(day, moment, with_rota, profile)
            forecast = predict_hall(state, judge, handling).tickets[ticket.id]
            assert forecast is not None, "every service has a window in the district hall"
            forecasts[name] = forecast
            outcomes[name].add(actual, forecast.median_seconds / 60, forecast.high_seconds / 60)
        today_handling: dict[int, list[float]] = {}
        for t in by_finish[:done]:
            today_handling.setdefault(t.service_id, []).append(t.handling_seconds)
        for name, minutes in baselines(
            day, moment, judge, histories, today_handling, calls_by_window
        ).items():
            outcomes[name].add(actual, minutes)
        if oracle_every and index % oracle_every == 0:
            ours = forecasts["forecast"]
            horizon = timedelta(minutes=min(300.0, max(45.0, 2.5 * ours.high_seconds / 60 + 30)))
            waits = oracle_waits(day, moment, policy, settings, oracle_runs, horizon, rng)
            outcomes["oracle"].add(actual, sample_quantile(waits, 0.5), sample_quantile(waits, 0.9))
            outcomes["forecast@oracle"].add(
                actual, ours.median_seconds / 60, ours.high_seconds / 60
            )


def metrics(outcome: Outcome) -> dict[str, float | int | None]:
    pairs = list(zip(outcome.median, outcome.actual, strict=True))
    waited = [(p, a) for p, a in pairs if a > 0]
    if not pairs or not waited:
        return {"n": len(pairs)}
    rmse = math.sqrt(statistics.fmean((p - a) ** 2 for p, a in waited))
    promised = [
        (a, p90) for a, p90 in zip(outcome.actual, outcome.promise, strict=True) if p90 is not None
    ]
    # A ticket issued while a window stands idle for it is called at once, in every run of
    # every forecast (the oracle's too): its "90th percentile" is 0 and trivially kept. Such
    # tickets (from a sixth to over half of a day's) say nothing about how well a promised
    # wait is kept, so the promise is judged on the tickets promised a wait; p90_kept_all
    # counts them all.
    promised_a_wait = [(a, p90) for a, p90 in promised if p90 > 0]
    return {
        "n": len(pairs),
        "n_waited": len(waited),
        "mean_wait": round(statistics.fmean(a for _p, a in pairs), 2),
        "relative_rmse": round(rmse / statistics.fmean(a for _p, a in waited), 4),
        "mae_minutes": round(statistics.fmean(abs(p - a) for p, a in pairs), 3),
        "within_5_minutes": round(statistics.fmean(abs(p - a) <= 5 for p, a in pairs), 4),
        "under_by_10_minutes": round(statistics.fmean(a - p > 10 for p, a in pairs), 4),
        "p90_kept": round(statistics.fmean(a <= p90 for a, p90 in promised_a_wait), 4)
        if promised_a_wait
        else None,
        "n_promised_a_wait": len(promised_a_wait),
        "p90_kept_all": round(statistics.fmean(a <= p90 for a, p90 in promised), 4)
        if promised
        else None,
    }


def verdict(figures: dict[str, dict]) -> dict[str, bool]:
    ours, oracle = figures["forecast"], figures["oracle"]
    ours_on_oracle_tickets = figures["forecast@oracle"]
    checks = {
        "half_the_error_of_ahead_x_mean": ours["relative_rmse"]
        <= 0.5 * figures["ahead_x_mean"]["relative_rmse"],
        "65pct_within_5_minutes": ours["within_5_minutes"] >= 0.65,
        "at_most_10pct_under_by_10": ours["under_by_10_minutes"] <= 0.10,
        "p90_kept_88_to_92pct": 0.88 <= ours["p90_kept"] <= 0.92,
    }
    if "relative_rmse" in oracle:  # skipped with --oracle-every 0
        checks["within_10pct_of_oracle"] = (
            ours_on_oracle_tickets["relative_rmse"] <= 1.10 * oracle["relative_rmse"]
        )
    return checks


# ---- timing: a large hall -----------------------------------------------------------------


def large_hall_state(now: datetime, waiting_count: int, window_count: int) -> HallState:
    """A city hall at its worst: `window_count` windows (a third dedicated to one service, the
    rest comprehensive over all five), every window busy, `waiting_count` waiting."""
    rng = random.Random(7)
    services = (1, 2, 3, 4, 5)
    windows = []
    for number in range(1, window_count + 1):
        serves = (services[number % 5],) if number % 3 == 0 else tuple(rng.sample(services, 5))
        windows.append(
            WindowState(
                id=number,
                service_ids=serves,
                case_service_id=serves[0],
                case_visitor_class=VisitorClass.WALK_IN,
                case_called_at=now - timedelta(minutes=rng.uniform(0, 15)),
            )
        )
    classes = ["walk_in"] * 16 + ["appointment"] * 2 + ["pre_reviewed", "priority"]
    waiting = []
    for ticket_id in range(1, waiting_count + 1):
        issued = now - timedelta(minutes=rng.uniform(0, 90))
        visitor_class = rng.choice(classes)
        key = issued
        due = None
        if visitor_class == "appointment":
            due = key = now + timedelta(minutes=rng.choice((-15, 0, 15, 30)))
        waiting.append(
            SimTicket(ticket_id, rng.choice(services), visitor_class, issued, key, 600.0, due).head
        )
    rates = {
        (s, c): 36.0 * share
        for s in services
        for c, share in (
            ("walk_in", 0.8),
            ("appointment", 0.1),
            ("pre_reviewed", 0.07),
            ("priority", 0.03),
        )
    }
    return HallState(now, tuple(windows), tuple(waiting), arrivals_per_hour=rates)


def time_large_hall(repeats: int) -> dict[str, dict[str, float]]:
    now = FIRST_DAY + timedelta(hours=10)
    state = large_hall_state(now, 300, 30)
    handling = update_with_today(
        fit_earlier_days([], {s.id: s.mean_handling_minutes for s in district_demand().services}),
        [],
    )
    results = {}
    for name, policy in (("due_time", DueTimePolicy()), ("fcfs", FirstComeFirstServed())):
        walls, cpus = [], []
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            prediction = predict_hall(state, policy, handling, new_ticket_services=range(1, 6))
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        assert all(prediction.tickets[t.ticket_id] is not None for t in state.waiting)
        results[name] = {
            "median_ms": round(statistics.median(walls), 1),
            "min_ms": round(min(walls), 1),
            "median_cpu_ms": round(statistics.median(cpus), 1),
        }
    return results


# ---- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    settings = DueTimeSettings()

    def policy() -> CallingPolicy:
        return DueTimePolicy(settings)

    expected = {s.id: round(s.mean_handling_minutes) for s in district_demand().services}
    past_days = [
        simulate_day(
            district_demand(),
            FIRST_DAY + timedelta(days=index),
            args.seed * 1000 + index,
            None,
            policy,
            settings,
        )
        for index in range(args.history_days)
    ]
    earlier = fit_earlier_days(
        [case for past in past_days for case in finished_cases(past, today=False)], expected
    )
    profile = arrival_profile(past_days)
    rng = random.Random(args.seed)
    results: dict[str, dict] = {}
    for scenario, (load, drift) in SCENARIOS.items():
        model = district_demand().scaled(load)
        outcomes = {name: Outcome() for name in PREDICTORS}
        for index in range(args.days):
            number = args.history_days + index
            day = simulate_day(
                model,
                FIRST_DAY + timedelta(days=number),
                args.seed * 1000 + 100 + number,
                drift,
                policy,
                settings,
            )
            evaluate_day(
                day,
                earlier,
                profile,
                policy,
                settings,
                outcomes,
                args.oracle_every,
                args.oracle_runs,
                rng,
            )
        figures = {name: metrics(outcome) for name, outcome in outcomes.items()}
        results[scenario] = {"figures": figures, "targets": verdict(figures)}
    return results


def print_table(results: dict, timing: dict) -> None:
    header = (
        f"{'predictor':<22} {'n':>5} {'rel RMSE':>9} {'MAE min':>8} {'±5 min':>7}"
        f" {'under>10':>9} {'p90 kept':>9} {'(all)':>7}"
    )
    for scenario, result in results.items():
        mean_wait = result["figures"]["forecast"].get("mean_wait")
        print(f"\n== {scenario} (mean actual wait {mean_wait} min) ==")
        print(header)
        print("-" * len(header))
        for name, figures in result["figures"].items():
            if "relative_rmse" not in figures:
                continue
            kept, kept_all = figures["p90_kept"], figures["p90_kept_all"]
            print(
                f"{name:<22} {figures['n']:>5} {figures['relative_rmse']:>9.3f}"
                f" {figures['mae_minutes']:>8.2f} {figures['within_5_minutes']:>7.1%}"
                f" {figures['under_by_10_minutes']:>9.1%}"
                f" {'' if kept is None else format(kept, '.1%'):>9}"
                f" {'' if kept_all is None else format(kept_all, '.1%'):>7}"
            )
        checks = ", ".join(f"{k}={v}" for k, v in result["targets"].items())
        print(f"targets: {checks}")
    print("\n== forecasting every waiting ticket: 300 waiting, 30 windows ==")
    for name, figures in timing.items():
        print(
            f"{name:<10} median {figures['median_ms']:.1f} ms, min {figures['min_ms']:.1f} ms"
            f" (CPU {figures['median_cpu_ms']:.1f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3, help="simulated days per scenario")
    parser.add_argument("--history-days", type=int, default=10, help="earlier days to learn from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--oracle-every", type=int, default=4, help="0 skips the oracle")
    parser.add_argument("--oracle-runs", type=int, default=20)
    parser.add_argument("--timing-repeats", type=int, default=9)
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args)
    timing = time_large_hall(args.timing_repeats)
    elapsed = time.perf_counter() - started
    print_table(results, timing)
    fast = all(figures["median_ms"] < 50 for figures in timing.values())
    print(
        json.dumps(
            {
                "bench": "wait_estimates",
                "args": vars(args),
                "results": results,
                "timing_300_waiting_30_windows": timing,
                "timing_under_50ms": fast,
                "all_targets_met": fast
                and all(all(r["targets"].values()) for r in results.values()),
                "seconds": round(elapsed, 1),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
