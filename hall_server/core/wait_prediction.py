"""Each waiting ticket's remaining wait, forecast from the hall's true state by forward runs.

The state is what the hall is now: the tickets waiting (with class, queue key, due slot, target
window), every window's services, whether it is paused and since when, the case in hand and
how long it has run. Arrivals still to come matter too, because the priority lane and booked
visitors who check in later are called before walk-ins already waiting: they enter the runs
as expected arrivals, present in a run with their probability.

The hall's calling policy orders the calls (queue_forward_runs.plan_order); handling times
drawn from the learned distributions (handling_time_model) time them, many times with a
fixed seed, so every server process computes the same forecast from the same state. The
learned distributions are first corrected by the cases in the windows' hands (the cases
finished today alone lean quick), and each run draws how slow or quick each service is within
what the model does not know. A forecast holds the median and the 10th and 90th percentiles
(wait_forecast.WaitForecast; its `display()` is what visitors read).

The runs stop calling at a cut-off (CUTOFF_SECONDS): a ticket the typical run has not called by
then is told it waits longer, "over 2 hours". A queue longer than its windows could call by then
is run only as far as they could (QueueReach), and read only so far (forecast_inputs): a hall of
fifty thousand waiting costs what one of a few thousand does, and a hall whose every ticket is
called before the cut-off gets the very forecast it would get without one.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from random import Random

from hall_server.core.arrival_forecast import ArrivalPeriod
from hall_server.core.calling_policy import CallingPolicy, QueueHead, WindowView
from hall_server.core.expected_arrivals import ExpectedArrival, expected_arrivals
from hall_server.core.handling_time_model import CaseInProgress, HandlingTimes, LogNormal
from hall_server.core.order_replay import timed_runs
from hall_server.core.queue_forward_runs import (
    EXPECTED,
    HYPOTHETICAL,
    PAUSE_SPREAD,
    PLANNED_PAUSE_SPREAD,
    REAL,
    PlannedOrder,
    QueueCuts,
    RunItem,
    RunWindow,
    plan_order,
    run_item,
)
from hall_server.core.ticket_life import VisitorClass
from hall_server.core.wait_forecast import (
    HallPrediction,
    QueueCut,
    WaitForecast,
    forecast_from_sample,
)

# Runs per forecast: every run asking the policy, or a planned order replayed (cheaper runs,
# so a large hall affords fewer; the percentiles read all draws, see sample_quantile).
POLICY_RUNS = 40
MIN_POLICY_RUNS = 16
REPLAY_RUNS = 24
# A forecast asks the policy for every call of every run while the queue heads it would weigh
# stay within this budget: as many runs as it affords, up to POLICY_RUNS. Where it affords
# fewer than MIN_POLICY_RUNS, the policy orders one planned run and that order is replayed
# with drawn times (order_replay.timed_runs), many times quicker but blind to what turns on
# timing (a booked visitor called in time or, having missed it, queued with the walk-ins).
# The budget counts work (queue heads weighed), not time, so every process chooses alike;
# a unit costs some 2-4 microseconds, so a forecast stays within some 50 ms.
POLICY_WORK_BUDGET = 12000
SEED = 20261130
MAX_HORIZON_SECONDS = 3 * 3600.0
HORIZON_STEP_SECONDS = 1800.0  # the horizon's steps (see _horizon_seconds)
# The runs stop calling this long after now: as far as they expect arrivals. A ticket the
# typical run has not called by then is told it waits longer (WaitForecast.beyond), which a
# visitor reads as "over 2 hours" for as long as a server keeps a forecast (a few minutes).
CUTOFF_SECONDS = MAX_HORIZON_SECONDS
# How far a queue is run (QueueReach): beyond what its windows could call before the cut-off
# were each of its cases as quick as its service's mean at that window, and the service this
# many of the standard deviations the model does not know of it quicker than that.
REACH_SIGMAS = 2.0
# How long a pause lasts, by reason, when nothing better is known (minutes).
PAUSE_MINUTES = {"break": 15.0, "meeting": 40.0, "other": 20.0}
MIN_PAUSE_LEFT_MINUTES = 3.0
# Draws of each case in hand, at stratified quantiles, that place the planned run's frees.
FREE_TIME_STRATA = 6  # even: the middle two stand for the median
BOOKED_CLASSES = frozenset({VisitorClass.APPOINTMENT, VisitorClass.PRE_REVIEWED})
# Hypothetical new tickets get ids above every real one (and every expected arrival): a policy
# breaks ties of queue key by id, and a new ticket stands behind one issued at the same moment.
_NEW_TICKET_IDS = 2**62  # hypothetical new tickets count down from here


@dataclass(frozen=True)
class WindowState:
    """A window as it is now: what it serves, whether it is paused, the case in its hands."""

    id: int
    service_ids: tuple[int, ...]  # in the window's order of preference
    status: str = "open"  # open, paused or closed
    case_service_id: int | None = None  # the case in hand (called or serving), if any
    case_visitor_class: str | None = None
    case_called_at: datetime | None = None
    paused_at: datetime | None = None
    pause_reason: str | None = None
    pause_minutes: float | None = None  # how long this pause was meant to last, if known


@dataclass(frozen=True)
class PlannedPause:
    """A pause in the hall's rota (lunch, a short break): the window stops when it is free."""

    window_id: int
    start: datetime
    minutes: float


@dataclass(frozen=True)
class QueueTail:
    """The end of one (service, visitor class) queue, not read: the tickets waiting behind
    those of that queue in `HallState.waiting`, more than the runs could reach (QueueReach)."""

    service_id: int
    visitor_class: str
    count: int
    last_queue_key: datetime  # how far ahead a booked slot is queued, for the arrivals to expect


@dataclass(frozen=True)
class HallState:
    """Everything the forecast starts from: the windows, the queue, the arrivals to expect."""

    now: datetime
    windows: tuple[WindowState, ...]
    waiting: tuple[QueueHead, ...]
    # Tickets issued per hour lately, by (service, visitor class): the arrivals still to come.
    arrivals_per_hour: Mapping[tuple[int, str], float] = field(default_factory=dict)
    bookings: tuple[ExpectedArrival, ...] = ()
    # The hall takes bookings through HallQ: `bookings` are then all the appointments to come,
    # and none are expected at the usual rate.
    bookings_known: bool = False
    planned_pauses: tuple[PlannedPause, ...] = ()
    # Arrivals expected by time of day (arrival_forecast.arrival_periods); when given, they
    # replace `arrivals_per_hour`.
    arrival_periods: tuple[ArrivalPeriod, ...] = ()
    # Where `waiting` holds only the start of a queue (forecast_inputs reads no further than
    # the runs reach), how many wait behind. They count as waiting for any window.
    queue_tails: tuple[QueueTail, ...] = ()


def _pause_left_seconds(window: WindowState, now: datetime) -> float:
    expected = window.pause_minutes or PAUSE_MINUTES.get(
        window.pause_reason or "other", PAUSE_MINUTES["other"]
    )
    expected *= 60
    elapsed = (now - window.paused_at).total_seconds() if window.paused_at else 0.0
    return max(expected - elapsed, MIN_PAUSE_LEFT_MINUTES * 60)


def cases_in_progress(state: HallState) -> tuple[CaseInProgress, ...]:
    """The cases in the windows' hands now, with how long each has run."""
    return tuple(
        CaseInProgress(
            window.case_service_id,
            max((state.now - window.case_called_at).total_seconds(), 0.0),
            window.id,
            window.case_visitor_class,
        )
        for window in state.windows
        if window.case_service_id is not None and window.case_called_at is not None
    )


def _typical_free_times(cases: Sequence[tuple[LogNormal, float]]) -> list[float]:
    """When the planned run has each busy window free: the typical moments at which the cases
    in hand end, one by one, given the distributions of the cases and how long they have run.

    A planned run stands for all runs; giving each window the mean of what its case still
    needs would have every window busy far longer than most are (a long-tailed residual's
    mean is its tail's), and one window's median is still late for the first of many windows
    to free. So the k-th of n windows frees at the (k - 1/2)/n quantile of the mixture of the
    cases' residuals (read off a few stratified draws of each), the windows taking those
    moments in the order of their own medians."""
    if not cases:
        return []
    pooled: list[float] = []
    medians: list[float] = []
    middle = FREE_TIME_STRATA // 2
    for case, elapsed in cases:
        below = case.share_done(elapsed)
        strata = [
            case.residual_at(elapsed, below + (1.0 - below) * (k + 0.5) / FREE_TIME_STRATA)
            for k in range(FREE_TIME_STRATA)
        ]
        pooled.extend(strata)
        medians.append((strata[middle - 1] + strata[middle]) / 2)
    pooled.sort()
    count, last = len(cases), len(pooled) - 1
    moments = []
    for k in range(count):
        position = min(max((k + 0.5) / count * len(pooled) - 0.5, 0.0), float(last))
        low = int(position)
        high = min(low + 1, last)
        moments.append(pooled[low] + (pooled[high] - pooled[low]) * (position - low))
    free = [0.0] * count
    for rank, j in enumerate(sorted(range(count), key=medians.__getitem__)):
        free[j] = moments[rank]
    return free


def _run_windows(state: HallState, handling: HandlingTimes) -> list[RunWindow]:
    planned: dict[int, list[tuple[float, float]]] = {}
    for pause in sorted(state.planned_pauses, key=lambda p: p.start):
        offset = (pause.start - state.now).total_seconds()
        if offset + pause.minutes * 60 > 0:
            planned.setdefault(pause.window_id, []).append((max(offset, 0.0), pause.minutes * 60))
    windows: list[RunWindow] = []
    busy: list[int] = []  # windows with a case in hand
    cases: list[tuple[LogNormal, float]] = []
    for window in state.windows:
        if window.status == "closed" or not window.service_ids:
            continue
        effect = handling.window_effect.get(window.id, 0.0)
        view = WindowView(id=window.id, service_ids=tuple(window.service_ids))
        pauses = tuple(planned.get(window.id, ()))
        if window.status == "paused":
            left = _pause_left_seconds(window, state.now)
            spread = PLANNED_PAUSE_SPREAD if window.pause_minutes else PAUSE_SPREAD
            windows.append(
                RunWindow(view, effect, left, paused_mean=left, pause_spread=spread, pauses=pauses)
            )
        elif window.case_service_id is not None and window.case_called_at is not None:
            case = handling.for_case(window.case_service_id, window.id, window.case_visitor_class)
            elapsed = max((state.now - window.case_called_at).total_seconds(), 0.0)
            busy.append(len(windows))
            cases.append((case, elapsed))
            windows.append(
                RunWindow(
                    view,
                    effect,
                    busy_mean=case.residual_mean(elapsed),
                    case_mu=case.mu,
                    case_service_id=window.case_service_id,
                    case_sigma=case.sigma,
                    case_elapsed=elapsed,
                    case_share_done=case.share_done(elapsed),
                    pauses=pauses,
                )
            )
        else:
            windows.append(RunWindow(view, effect, pauses=pauses))
    for j, free in zip(busy, _typical_free_times(cases), strict=True):
        windows[j] = replace(windows[j], busy_typical=free)
    return windows


def _pool(head: QueueHead, windows: Sequence[RunWindow]) -> frozenset[int]:
    return frozenset(
        j
        for j, window in enumerate(windows)
        if head.service_id in window.view.service_ids
        and head.target_window_id in (None, window.view.id)
    )


class _Pools:
    """Which run windows may call a ticket, by (service, target window), worked out once."""

    def __init__(self, windows: Sequence[RunWindow]) -> None:
        self.windows = windows
        self.known: dict[tuple[int, int | None], frozenset[int]] = {}

    def __call__(self, head: QueueHead) -> frozenset[int]:
        key = (head.service_id, head.target_window_id)
        if key not in self.known:
            self.known[key] = _pool(head, self.windows)
        return self.known[key]


def _horizon_seconds(
    items: Sequence[RunItem],
    pools: Sequence[frozenset[int]],
    left_out: Iterable[tuple[frozenset[int], float]] = (),
) -> float:
    """Long enough for the last waiting ticket to be called, by a generous reckoning (those the
    runs leave out, `left_out` as their pools and handling seconds, included), in whole steps
    of HORIZON_STEP_SECONDS.

    Hypothetical tickets take no window time and count for nothing here; and the arrivals a
    forecast expects are the same whether or not one more ticket waits (most of the time: but
    at a step), so a ticket reads once issued what its preview said, not a forecast of other
    arrivals."""
    work: dict[frozenset[int], float] = {}
    for item, pool in zip(items, pools, strict=True):
        if pool and item.kind != HYPOTHETICAL:
            work[pool] = work.get(pool, 0.0) + item.mean_handling
    for pool, seconds in left_out:
        if pool:
            work[pool] = work.get(pool, 0.0) + seconds
    load: dict[int, float] = {}
    for pool, seconds in work.items():
        for j in pool:
            load[j] = load.get(j, 0.0) + seconds / len(pool)
    busiest = max(load.values(), default=0.0)
    steps = math.ceil((1800.0 + 1.5 * busiest) / HORIZON_STEP_SECONDS)
    return min(steps * HORIZON_STEP_SECONDS, MAX_HORIZON_SECONDS)


class QueueReach:
    """How many tickets of each (service, visitor class) queue the runs hold: more than the
    windows serving it could call before the cut-off. Each window calls one at once and then
    one per case, each case of the queue as quick as its mean at that window, the service
    REACH_SIGMAS of what the model does not know of it quicker still (as a run may draw it).

    The typical run (each case its expected time) can neither reach the tickets behind nor
    call all it holds before the cut-off, so leaving them out changes nothing it does; and a
    hall whose every ticket that run calls in time is held whole. A drawn run seldom calls a
    queue through (only a run far quicker than the typical one, and near the cut-off): its
    windows then call other queues or wait. A queue no window serves is held not at all: its
    tickets have no forecast, whoever stands before them."""

    def __init__(self, windows: Sequence[RunWindow], handling: HandlingTimes) -> None:
        self._handling = handling
        self._effects: dict[int, list[float]] = {}
        for window in windows:
            for service_id in window.view.service_ids:
                self._effects.setdefault(service_id, []).append(window.log_effect)

    def __call__(self, service_id: int, visitor_class: str) -> int:
        """How many of the queue's tickets waiting for any window the runs hold; those for
        one window (transferred to it) among them are held too."""
        effects = self._effects.get(service_id)
        if not effects:
            return 0
        mean = self._handling.for_service(service_id, visitor_class).mean
        quicker = REACH_SIGMAS * self._handling.uncertainty_of(service_id)
        # One at once, then one per case begun before the cut-off (rounded up: never fewer).
        return 1 + sum(
            1 + math.ceil(CUTOFF_SECONDS / (mean * math.exp(effect - quicker)))
            for effect in effects
        )


def queue_reach(state: HallState, handling: HandlingTimes) -> QueueReach:
    """How far the forecast of this hall runs each queue (whatever `state.waiting` holds): how
    far forecast_inputs reads it."""
    handling = handling.given_cases_in_progress(cases_in_progress(state))
    return QueueReach(_run_windows(state, handling), handling)


@dataclass(frozen=True)
class _HeldQueue:
    """The waiting tickets the runs hold (indices into `HallState.waiting`), those they leave
    out, and the cuts the runs must respect."""

    held: list[int]
    left_out: list[int]
    cuts: QueueCuts


def _hold_within_reach(state: HallState, reach: QueueReach) -> _HeldQueue:
    """Each queue's tickets up to its reach: those with fewer than `reach` tickets for any
    window ahead of them in their queue (its order: queue key, then id)."""
    waiting = state.waiting
    queues: dict[tuple[int, str], list[int]] = {}
    for i, head in enumerate(waiting):
        queues.setdefault((head.service_id, head.visitor_class), []).append(i)
    held = bytearray(len(waiting))
    last_run: dict[tuple[int, str], tuple[datetime, int] | None] = {}
    untargeted: dict[tuple[int, str], float] = {}
    targeted: dict[tuple[int, str, int], float] = {}
    tails = {(tail.service_id, tail.visitor_class): tail.count for tail in state.queue_tails}
    for key, members in queues.items():
        limit = reach(*key)
        if len(members) <= limit and not tails.get(key):
            for i in members:
                held[i] = 1
            continue
        members.sort(key=lambda i: (waiting[i].queue_key, waiting[i].ticket_id))
        ahead = 0
        last: tuple[datetime, int] | None = None
        for i in members:
            if ahead >= limit:
                break
            head = waiting[i]
            held[i] = 1
            last = (head.queue_key, head.ticket_id)
            ahead += head.target_window_id is None
        else:
            if not tails.get(key):
                continue  # the whole queue is held
        last_run[key] = last
    for key, count in tails.items():
        if count > 0:
            last_run.setdefault(key, None)
            untargeted[key] = untargeted.get(key, 0.0) + count
    left_out = [i for i in range(len(waiting)) if not held[i]]
    for i in left_out:
        head = waiting[i]
        if head.target_window_id is None:
            key = (head.service_id, head.visitor_class)
            untargeted[key] = untargeted.get(key, 0.0) + 1
        else:
            where = (head.service_id, head.visitor_class, head.target_window_id)
            targeted[where] = targeted.get(where, 0.0) + 1
    return _HeldQueue(
        [i for i in range(len(waiting)) if held[i]],
        left_out,
        QueueCuts(last_run, untargeted, targeted),
    )


def _policy_runs(
    items: Sequence[RunItem],
    windows: Sequence[RunWindow],
    policy: CallingPolicy,
    now: datetime,
    runs: int,
    seed: int,
    uncertainty: Mapping[int, float],
    cuts: QueueCuts,
) -> dict[int, list[float]]:
    """Every run asks the policy for every call: the most faithful forecast, where affordable."""
    rng = Random(seed)
    times: dict[int, list[float]] = {}
    for _ in range(runs):
        run = plan_order(items, windows, policy, now, rng, uncertainty, CUTOFF_SECONDS, cuts)
        for i, at in run.called_at.items():
            times.setdefault(i, []).append(at)
    for sample in times.values():
        sample.sort()
    return times


def _real_items(heads: Sequence[QueueHead], handling: HandlingTimes) -> list[RunItem]:
    """The waiting tickets as run items (run_item, each distribution worked out once)."""
    cases: dict[tuple[int, str], LogNormal] = {}
    items = []
    for head in heads:
        key = (head.service_id, head.visitor_class)
        case = cases.get(key)
        if case is None:
            case = cases[key] = handling.for_service(*key)
        items.append(RunItem(head, REAL, 0.0, 1.0, case.mu, case.sigma))
    return items


def predict_hall(
    state: HallState,
    policy: CallingPolicy,
    handling: HandlingTimes,
    new_ticket_services: Iterable[int] = (),
    extra: Sequence[QueueHead] = (),
    seed: int = SEED,
) -> HallPrediction:
    """Forecast every waiting ticket, a new walk-in ticket of each service, and `extra` tickets.

    A new ticket or an `extra` one is hypothetical: it is called like any other but takes no
    window time, so forecasting it changes nobody else's forecast. A ticket no open or paused
    window can serve gets None: no estimate rather than a wrong one. One the typical run has
    not called by the cut-off waits longer: WaitForecast.beyond.
    """
    now = state.now
    # The cases finished today are the quick ones of those called lately: the cases still in
    # hand, each with how long it has run, correct the learned handling times for that.
    handling = handling.given_cases_in_progress(cases_in_progress(state))
    windows = _run_windows(state, handling)
    queue = _hold_within_reach(state, QueueReach(windows, handling))
    cuts = queue.cuts
    real = [state.waiting[i] for i in queue.held]
    left_out = [state.waiting[i] for i in queue.left_out]
    items: list[RunItem] = _real_items(real, handling)
    items += [run_item(head, HYPOTHETICAL, handling) for head in extra]

    # One hypothetical new ticket per set of windows able to serve it stands for every service
    # those windows serve alike: its wait does not depend on its own handling time. (Not for
    # a service whose walk-in queue is cut: its new ticket stands behind tickets left out.)
    # Only a policy that orders a class by queue key alone serves them alike: one that weighs
    # the service (the due-time policy at a comprehensive window weighs its backlog and its
    # handling minutes) calls a new ticket of each service when it calls a ticket of that
    # service issued now, so each gets its own, or the kiosk's preview would not be what the
    # ticket then reads. (Services nobody waits for or is expected at are alike but for their
    # handling minutes: a hall of thousands of services forecasts a few new tickets, not one
    # for each.)
    pool_of = _Pools(windows)
    new_ticket_index: dict[int, int | None] = {}
    alike_by_service = policy.orders_classes_by_queue_key
    busy_services = set() if alike_by_service else _services_in_demand(state)
    by_pool: dict[tuple[frozenset[int], bool, object], int] = {}
    next_id = _NEW_TICKET_IDS
    for service_id in new_ticket_services:
        probe = QueueHead(0, service_id, VisitorClass.WALK_IN, now, now)
        pool = pool_of(probe)
        if not pool:
            new_ticket_index[service_id] = None
            continue
        alike = (
            pool,
            (service_id, VisitorClass.WALK_IN) in cuts.last_run,
            None if alike_by_service else _new_ticket_kind(policy, service_id, busy_services),
        )
        if alike not in by_pool:
            by_pool[alike] = len(items)
            items.append(run_item(replace(probe, ticket_id=next_id), HYPOTHETICAL, handling))
            next_id -= 1
        new_ticket_index[service_id] = by_pool[alike]

    pools = [pool_of(item.head) for item in items]
    # The tickets the runs leave out wait all the same: their work and their slots count.
    behind = [(head, 1) for head in left_out] + [
        (QueueHead(0, tail.service_id, tail.visitor_class, tail.last_queue_key, now), tail.count)
        for tail in state.queue_tails
    ]
    horizon = _horizon_seconds(
        items,
        pools,
        [
            (pool_of(head), count * handling.for_service(head.service_id, head.visitor_class).mean)
            for head, count in behind
        ],
    )
    walk_in_horizon = horizon
    if policy.orders_classes_by_queue_key:
        # Walk-ins who come later are behind everyone waiting now, except a booked visitor
        # queued at a slot still ahead: only until then do they matter.
        booked_keys = [
            (head.queue_key - now).total_seconds()
            for head in [item.head for item in items] + [head for head, _count in behind]
            if head.visitor_class in BOOKED_CLASSES
        ]
        walk_in_horizon = min(max(booked_keys) + 900.0, horizon) if booked_keys else 0.0
    expected = expected_arrivals(state, handling, windows, horizon, walk_in_horizon)
    all_items = items + expected

    planned = plan_order(all_items, windows, policy, now, cutoff=CUTOFF_SECONDS, cuts=cuts)
    services = {item.head.service_id for item in all_items}
    services.update(head.service_id for head, _count in behind)
    services.update(w.case_service_id for w in windows if w.case_service_id is not None)
    uncertainty = {s: handling.uncertainty_of(s) for s in sorted(services)}
    runs = min(POLICY_RUNS, POLICY_WORK_BUDGET // max(planned.policy_work, 1))
    if runs >= MIN_POLICY_RUNS:
        times = _policy_runs(all_items, windows, policy, now, runs, seed, uncertainty, cuts)
    else:
        runs = REPLAY_RUNS
        times = timed_runs(all_items, windows, planned, runs, seed, uncertainty, CUTOFF_SECONDS)

    # People ahead: waiting tickets the windows able to serve this one call before it. Not
    # those other windows call meanwhile, of services these windows also serve: a booked
    # visitor its window calls next has nobody ahead, however many the hall calls elsewhere.
    ahead: dict[int, int] = {}
    called_by = planned.called_by
    for pool in set(pools):
        count = 0
        for i in planned.order:
            item = all_items[i]
            if i < len(pools) and pools[i] == pool and item.kind != EXPECTED:
                ahead[i] = count
            if item.kind == REAL and called_by.get(i) in pool:
                count += 1
    beyond = _BeyondTheCutOff(planned, all_items, windows, left_out, state.queue_tails, cuts)

    def forecast_of(i: int) -> WaitForecast | None:
        if not pools[i]:
            return None
        sample = times.get(i, [])
        missing = runs - len(sample)
        if i in planned.uncalled or 2 * missing >= runs:
            return beyond.forecast(items[i].head, pools[i], items[i].kind == REAL)
        if missing:  # not called before the cut-off in a few runs: at least so long in those
            sample = sample + [CUTOFF_SECONDS] * missing
        return forecast_from_sample(sample, ahead.get(i, 0))

    tickets = {items[i].head.ticket_id: forecast_of(i) for i in range(len(real))}
    for head in left_out:
        pool = pool_of(head)
        tickets[head.ticket_id] = beyond.forecast(head, pool, True) if pool else None
    extras = {
        items[i].head.ticket_id: forecast_of(i) for i in range(len(real), len(real) + len(extra))
    }
    new_ticket = {
        service_id: None if index is None else forecast_of(index)
        for service_id, index in new_ticket_index.items()
    }
    cut_queues = {}
    for key, after in cuts.last_run.items():
        pool = pool_of(QueueHead(0, *key, now, now))
        cut_queues[key] = QueueCut(after, beyond.at_queue_end(key, pool) if pool else None)
    return HallPrediction(
        made_at=now, tickets=tickets, new_ticket=new_ticket, extra=extras, cut_queues=cut_queues
    )


def _services_in_demand(state: HallState) -> set[int]:
    """Services someone waits for or is expected at: a new ticket of each is called by when
    its queue is, under a policy that weighs a service's backlog."""
    services = {head.service_id for head in state.waiting}
    services.update(tail.service_id for tail in state.queue_tails)
    services.update(booking.service_id for booking in state.bookings)
    services.update(s for (s, _c), rate in state.arrivals_per_hour.items() if rate > 0)
    for period in state.arrival_periods:
        services.update(s for (s, _c), rate in period.per_hour.items() if rate > 0)
    return services


def _new_ticket_kind(policy: CallingPolicy, service_id: int, busy: set[int]) -> object:
    """What tells a new ticket of `service_id` from another of the same windows under a policy
    that weighs services: the service itself where there is demand for it, else only how long
    the policy takes its cases to be (the due-time policy's handling minutes), if it says."""
    if service_id in busy:
        return service_id
    weight = policy.service_weight(service_id)
    return service_id if weight is None else ("quiet", weight)


class _BeyondTheCutOff:
    """What a ticket the typical run did not call before the cut-off is told: it waits longer,
    behind at least the waiting tickets its windows called by then and those of its own queue
    still waiting ahead of it. (It may wait behind more, of other queues: the server counts
    them in the database, where it knows every ticket.)"""

    def __init__(
        self,
        planned: PlannedOrder,
        items: Sequence[RunItem],
        windows: Sequence[RunWindow],
        left_out: Sequence[QueueHead],
        tails: Sequence[QueueTail],
        cuts: QueueCuts,
    ) -> None:
        self.planned, self.items, self.windows, self.cuts = planned, items, windows, cuts
        self.tails = {(tail.service_id, tail.visitor_class): tail.count for tail in tails}
        self._called: dict[frozenset[int], int] = {}
        # Each queue's waiting tickets not called, in queue order.
        self.queues: dict[tuple[int, str], list[tuple[datetime, int]]] = {}
        called = set(planned.order)
        uncalled = [
            item.head for i, item in enumerate(items) if item.kind == REAL and i not in called
        ]
        for head in (*uncalled, *left_out):
            key = (head.service_id, head.visitor_class)
            self.queues.setdefault(key, []).append((head.queue_key, head.ticket_id))
        for queue in self.queues.values():
            queue.sort()

    def called_by(self, pool: frozenset[int]) -> int:
        """Waiting tickets the planned run had these windows call."""
        if pool not in self._called:
            by = self.planned.called_by
            self._called[pool] = sum(
                1 for i in self.planned.order if self.items[i].kind == REAL and by.get(i) in pool
            )
        return self._called[pool]

    def forecast(self, head: QueueHead, pool: frozenset[int], real: bool) -> WaitForecast:
        """For a ticket (`real`: a waiting one) the runs did not call in time."""
        key = (head.service_id, head.visitor_class)
        place = (head.queue_key, head.ticket_id)
        ahead = bisect_left(self.queues.get(key, []), place)
        if not real and key in self.cuts.last_run:
            last = self.cuts.last_run[key]
            if last is None or place > last:
                ahead += self.tails.get(key, 0)  # it stands behind the tickets not read, too
        return WaitForecast.beyond(CUTOFF_SECONDS, self.called_by(pool) + ahead)

    def at_queue_end(self, key: tuple[int, str], pool: frozenset[int]) -> WaitForecast:
        """For the tickets not read behind a cut queue: behind all of its tickets read."""
        ahead = len(self.queues.get(key, []))
        return WaitForecast.beyond(CUTOFF_SECONDS, self.called_by(pool) + ahead)
