"""Running a hall forward from its present state, asking its own calling policy every call.

Each run starts from the hall as it is (cases in hand with what they still need, windows on a
pause, the tickets waiting) and lets every window that frees up ask the policy, over the same
queue heads the server gives it, whom to call next, until every ticket of interest is called.
Without a random source a run is the planned run, a typical run: the windows busy now free at
typical moments, each case then takes its expected time, and as many expected arrivals come as
are expected; its order of calls is what order_replay.timed_runs replays in a large hall. With
one, handling times (each service as slow or quick as the run draws it), residuals and pauses
are drawn and an expected arrival comes or not: one run of the Monte-Carlo forecast. A run
stops calling at its cut-off (wait_prediction.CUTOFF_SECONDS): a ticket not called by then waits
longer, however much, and a long queue costs no more than the calls its windows make until then.

This engine differs from `hall_simulation.run_hall` in what it must do quickly: stop as soon as
the tickets of interest are called, let hypothetical tickets be "called" without taking a
window, and let expected arrivals exist in some runs and not in others.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from random import Random

from hall_server.core.calling_policy import CallingPolicy, QueueHead, WindowView
from hall_server.core.handling_time_model import HandlingTimes, LogNormal

REAL, HYPOTHETICAL, EXPECTED = 0, 1, 2
# Sigma of the lognormal factor on a pause's remaining length: a clerk on a break of unknown
# length, or on one the rota sets.
PAUSE_SPREAD = 0.5
PLANNED_PAUSE_SPREAD = 0.2


@dataclass(frozen=True)
class RunItem:
    """A ticket in the forward runs. Times are seconds from the start."""

    head: QueueHead
    kind: int
    arrives: float = 0.0
    probability: float = 1.0
    mu: float = 0.0  # log handling seconds, before the window's effect
    sigma: float = 1.0
    mean_handling: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_handling", math.exp(self.mu + self.sigma**2 / 2))


def run_item(
    head: QueueHead,
    kind: int,
    handling: HandlingTimes,
    arrives: float = 0.0,
    probability: float = 1.0,
) -> RunItem:
    """A ticket for the runs, with its service's and class's handling-time distribution."""
    case = handling.for_service(head.service_id, head.visitor_class)
    return RunItem(head, kind, arrives, probability, case.mu, case.sigma)


@dataclass(frozen=True)
class RunWindow:
    """A window able to call: when it is first free (expected and how to draw it)."""

    view: WindowView
    log_effect: float = 0.0
    busy_mean: float = 0.0  # expected seconds until free (case in hand or pause)
    # When the planned run has the window free: a typical moment for its case in hand to end
    # (wait_prediction._typical_free_times). With the mean, every busy window would stay busy
    # far longer than most of them do (the mean of a long-tailed residual is its tail's).
    busy_typical: float | None = None
    case_mu: float | None = None  # the case in hand, for drawing its residual
    case_service_id: int | None = None
    case_sigma: float = 1.0
    case_elapsed: float = 0.0
    case_share_done: float = 0.0  # P(such a case is over by now): drawn from above it
    paused_mean: float = 0.0  # expected remaining pause, seconds
    pause_spread: float = PAUSE_SPREAD
    # Pauses the hall has planned (its break rota): (start, length) in seconds, in order. A
    # window takes one once its case in hand is finished, as clerks do.
    pauses: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class QueueCuts:
    """Queues whose end the runs leave out: the tickets waiting there are more than the windows
    serving them could call before the cut-off. The runs call none of a queue past its last
    ticket they hold (`last_run`, queue key and id; None: none at all), and count those behind
    in the waiting counts the policy weighs, as the server counts them."""

    last_run: Mapping[tuple[int, str], tuple[datetime, int] | None] = field(default_factory=dict)
    untargeted_behind: Mapping[tuple[int, str], float] = field(default_factory=dict)
    targeted_behind: Mapping[tuple[int, str, int], float] = field(default_factory=dict)


NO_CUTS = QueueCuts()


@dataclass(frozen=True)
class PlannedOrder:
    order: list[int]  # item indices in the order the planned run called them
    uncalled: frozenset[int]  # targets not called (no window reached them before the cut-off)
    called_at: dict[int, float]  # seconds from the start until each target was called
    policy_work: int = 0  # queue heads the policy weighed, over all its calls
    # Which window (its index among the run's windows) called each target: the people ahead of
    # a ticket are those the windows able to serve it call first, not those other windows
    # call meanwhile.
    called_by: dict[int, int] = field(default_factory=dict)


def eligible_at(item: RunItem, view: WindowView, services: frozenset[int]) -> bool:
    head = item.head
    return head.service_id in services and head.target_window_id in (None, view.id)


class _WaitingLines:
    """The waiting tickets of a planned run, kept as the server keeps them: one line per
    (service, visitor class), ordered by queue key, with how many wait in each."""

    def __init__(self, items: Sequence[RunItem], cuts: QueueCuts = NO_CUTS) -> None:
        self.items = items
        self.called = bytearray(len(items))
        self.lines: dict[tuple[int, str], list[tuple[datetime, int, int]]] = {}
        self.starts: dict[tuple[int, str], int] = {}
        self.classes_by_service: dict[int, set[str]] = {}
        # Waiting per line, for any window (untargeted) and for one window (transferred to it);
        # an expected arrival counts with its probability, so backlogs are what is expected.
        # The tickets behind a cut count too, as they wait.
        self.untargeted: dict[tuple[int, str], float] = dict(cuts.untargeted_behind)
        self.targeted: dict[tuple[int, str, int], float] = dict(cuts.targeted_behind)
        # A cut line stops at its last ticket in the runs: what stands behind waits behind
        # tickets no run reaches (the new ticket of a long queue, say).
        self.walls = cuts.last_run
        self._counted_heads: dict[tuple[int, int], QueueHead] = {}

    def add(self, i: int) -> None:
        head = self.items[i].head
        key = (head.service_id, head.visitor_class)
        line = self.lines.setdefault(key, [])
        entry = (head.queue_key, head.ticket_id, i)
        position = bisect_left(line, entry)
        line.insert(position, entry)
        if position < self.starts.get(key, 0):
            self.starts[key] = position
        self.classes_by_service.setdefault(head.service_id, set()).add(head.visitor_class)
        if self.items[i].kind != HYPOTHETICAL:
            self._count(head, 1.0)

    def call(self, i: int) -> None:
        self.called[i] = 1
        if self.items[i].kind != HYPOTHETICAL:
            self._count(self.items[i].head, -1.0)

    def _count(self, head: QueueHead, change: float) -> None:
        if head.target_window_id is None:
            key = (head.service_id, head.visitor_class)
            self.untargeted[key] = self.untargeted.get(key, 0) + change
        else:
            targeted = (head.service_id, head.visitor_class, head.target_window_id)
            self.targeted[targeted] = self.targeted.get(targeted, 0) + change

    def heads(
        self, view: WindowView, services: frozenset[int], oldest_only: bool
    ) -> list[QueueHead]:
        """The head of each (service, class) line this window may call: what the server sends.

        With `oldest_only`, only each class's oldest heads (for policies that order a class by
        queue key alone, nothing else can be chosen).
        """
        found: list[QueueHead] = []
        present_services = self.classes_by_service
        if len(present_services) < len(services):
            candidates = [s for s in present_services if s in services]
        else:
            candidates = [s for s in view.service_ids if s in present_services]
        called, items, lines, starts = self.called, self.items, self.lines, self.starts
        untargeted, any_targeted = self.untargeted, bool(self.targeted)
        counted_heads, walls = self._counted_heads, self.walls
        window_id = view.id
        for service_id in candidates:
            present = present_services[service_id]
            for visitor_class in tuple(present):
                key = (service_id, visitor_class)
                line = lines[key]
                end = len(line)
                position = starts.get(key, 0)
                while position < end and called[line[position][2]]:
                    position += 1
                starts[key] = position
                if position == end:
                    present.discard(visitor_class)
                    if not present:
                        del present_services[service_id]
                    continue
                cut = key in walls
                wall = walls[key] if cut else None
                for index in range(position, end):
                    entry = line[index]
                    i = entry[2]
                    if called[i]:
                        continue
                    if cut and (wall is None or (entry[0], entry[1]) > wall):
                        break  # the rest of the line waits behind tickets the runs leave out
                    head = items[i].head
                    if head.target_window_id is None or head.target_window_id == window_id:
                        expected = untargeted.get(key, 0.0)
                        if any_targeted:
                            expected += self.targeted.get((*key, window_id), 0.0)
                        # A hypothetical ticket (a new one, the kiosk's preview) waits in no
                        # one else's count, or forecasting it would move the others (a policy
                        # weighing backlogs would call its service sooner): it counts only
                        # at the head of its own line, as itself.
                        count = round(expected) + (items[i].kind == HYPOTHETICAL)
                        count = max(1, count)
                        counted = counted_heads.get((i, count))
                        if counted is None:
                            counted = counted_heads[(i, count)] = _with_count(head, count)
                        found.append(counted)
                        break
        if not oldest_only or len(found) <= 4:
            return found
        oldest: dict[str, datetime] = {}
        for head in found:
            known = oldest.get(head.visitor_class)
            if known is None or head.queue_key < known:
                oldest[head.visitor_class] = head.queue_key
        return [head for head in found if head.queue_key == oldest[head.visitor_class]]


def _with_count(head: QueueHead, count: int) -> QueueHead:
    """The head with how many wait in its line: `dataclasses.replace` without re-running every
    field through __init__, which costs more than anything else in the planned run's calls."""
    counted: QueueHead = object.__new__(QueueHead)
    counted.__dict__.update(head.__dict__, waiting_count=count)
    return counted


class _WindowViews:
    """Each window as the policy sees it: with how many windows, itself included, serve each of
    its services right now (a window on a pause does not), as the server and run_hall tell it."""

    def __init__(self, windows: Sequence[RunWindow]) -> None:
        self.windows = windows
        self.paused = [window.paused_mean > 0 for window in windows]
        self.serving: dict[int, int] = {}
        for j, window in enumerate(windows):
            if not self.paused[j]:
                for service_id in window.view.service_ids:
                    self.serving[service_id] = self.serving.get(service_id, 0) + 1
        self._known: dict[tuple[int, tuple[int, ...]], WindowView] = {}
        # Each window's view as last asked, valid while no window has paused or resumed since.
        self._current: list[WindowView | None] = [None] * len(windows)

    def set_paused(self, j: int, paused: bool) -> None:
        if self.paused[j] != paused:
            self.paused[j] = paused
            for service_id in self.windows[j].view.service_ids:
                self.serving[service_id] = self.serving.get(service_id, 0) + (-1 if paused else 1)
            self._current = [None] * len(self.windows)

    def __getitem__(self, j: int) -> WindowView:
        current = self._current[j]
        if current is None:
            current = self._current[j] = self._view(j)
        return current

    def _view(self, j: int) -> WindowView:
        view = self.windows[j].view
        own = 1 if self.paused[j] else 0
        counts = tuple(self.serving.get(s, 0) + own for s in view.service_ids)
        known = self._known.get((j, counts))
        if known is None:
            serving = dict(zip(view.service_ids, counts, strict=True))
            known = self._known[(j, counts)] = replace(view, windows_serving=serving)
        return known


NORMALS_SIZE = 1 << 16
NORMALS_MASK = NORMALS_SIZE - 1
_normals: list[float] = []


def standard_normals() -> list[float]:
    """A fixed table of standard normal draws: the same runs in every process, drawn fast."""
    if not _normals:
        rng = Random(20261130)
        _normals.extend(rng.gauss(0.0, 1.0) for _ in range(NORMALS_SIZE))
    return _normals


def draw_shifts(uncertainty: Mapping[int, float], rng: Random) -> dict[int, float]:
    """One run's log-scale shift of each service's handling times: what the learned model
    does not know (HandlingTimes.uncertainty), the same for every case of the run."""
    return {
        service_id: rng.gauss(0.0, spread) for service_id, spread in sorted(uncertainty.items())
    }


def plan_order(
    items: Sequence[RunItem],
    windows: Sequence[RunWindow],
    policy: CallingPolicy,
    start: datetime,
    rng: Random | None = None,
    uncertainty: Mapping[int, float] | None = None,
    cutoff: float = math.inf,
    cuts: QueueCuts = NO_CUTS,
) -> PlannedOrder:
    """Call with the real policy until every target is called or the cut-off (seconds from
    the start) has passed.

    Without `rng` each case takes its expected time and the expected arrivals come as many as
    are expected (`planned_presence`): the planned run. With it, times are drawn and each
    expected arrival comes or not (one run of a Monte-Carlo forecast), and each service's
    handling times are shifted by a draw of how uncertain they are (`uncertainty`).
    """
    shifts = draw_shifts(uncertainty or {}, rng) if rng is not None else {}
    present = planned_presence(items) if rng is None else None
    # Each ticket's handling draw in a run is read off a fixed table at a place its id gives
    # (common random numbers): a ticket more or less in the hall, or called in another order,
    # moves no other ticket's draws, so two forecasts of nearly the same hall differ by what
    # differs, not by the noise of a reshuffled stream.
    normals = standard_normals()
    run_draw = rng.randrange(NORMALS_SIZE) if rng is not None else 0
    index_of = {item.head.ticket_id: i for i, item in enumerate(items)}
    service_sets = [frozenset(w.view.service_ids) for w in windows]
    waiting = _WaitingLines(items, cuts)
    events: list[tuple[float, int, int, int]] = []  # time, kind (0 free, 1 arrival), order, who
    sequence = 0

    def push(at: float, kind: int, who: int) -> None:
        nonlocal sequence
        sequence += 1
        heapq.heappush(events, (at, kind, sequence, who))

    targets = 0
    servable: dict[tuple[int, int | None], bool] = {}  # by (service, target window)
    for i, item in enumerate(items):
        if item.kind != EXPECTED:
            where = (item.head.service_id, item.head.target_window_id)
            if where not in servable:
                servable[where] = any(
                    eligible_at(item, w.view, service_sets[j]) for j, w in enumerate(windows)
                )
            targets += servable[where]
        if item.kind == EXPECTED:
            if present is not None and not present[i]:
                continue
            if rng is not None and rng.random() >= item.probability:
                continue
        if item.arrives <= 0:
            waiting.add(i)
        else:
            push(item.arrives, 1, i)

    # A class-ordered policy only ever picks a class's oldest ticket, so a window serving many
    # services looks at the few oldest rather than at every line's head.
    oldest_only = policy.orders_classes_by_queue_key
    views = _WindowViews(windows)
    order: list[int] = []
    called_at: dict[int, float] = {}
    called_by: dict[int, int] = {}
    work = 0
    idle = [False] * len(windows)
    next_pause = [0] * len(windows)
    wake = [0.0] * len(windows)  # when each window's one valid event is due

    def occupy(j: int, until: float) -> None:
        idle[j] = False
        wake[j] = until
        push(until, 0, j)

    def try_call(j: int, at: float) -> bool:
        nonlocal targets, work
        view, services = views[j], service_sets[j]
        while True:
            heads = waiting.heads(view, services, oldest_only)
            work += len(heads) + 1
            when = start + timedelta(seconds=at)
            choice = policy.choose_next(view, heads, when) if heads else None
            if choice is None:
                idle[j] = True
                pauses = windows[j].pauses
                if next_pause[j] < len(pauses):
                    wake[j] = max(pauses[next_pause[j]][0], at)
                    push(wake[j], 0, j)  # an idle window still starts its pause on time
                return False
            i = index_of[choice.ticket_id]
            waiting.call(i)
            order.append(i)
            item = items[i]
            if item.kind != EXPECTED:
                targets -= 1
                called_at[i] = at
                called_by[i] = j
            if item.kind == HYPOTHETICAL:
                continue  # a hypothetical ticket never takes the window's time
            if rng is None:
                handling = item.mean_handling * math.exp(windows[j].log_effect)
            else:
                handling = math.exp(
                    item.mu
                    + shifts.get(item.head.service_id, 0.0)
                    + windows[j].log_effect
                    + item.sigma * normals[(run_draw + item.head.ticket_id * 40503) & NORMALS_MASK]
                )
            occupy(j, at + handling)
            return True

    def free(j: int, at: float) -> None:
        pauses = windows[j].pauses
        if next_pause[j] < len(pauses) and pauses[next_pause[j]][0] <= at:
            occupy(j, at + pauses[next_pause[j]][1])
            next_pause[j] += 1
            views.set_paused(j, True)
            return
        views.set_paused(j, False)
        try_call(j, at)

    for j, window in enumerate(windows):
        if rng is not None:
            occupy(j, first_free(window, rng, shifts))
        else:
            occupy(j, window.busy_mean if window.busy_typical is None else window.busy_typical)
    while events and targets > 0 and events[0][0] <= cutoff:
        at, kind, _sequence, who = heapq.heappop(events)
        if kind == 1:
            waiting.add(who)
            service_id = items[who].head.service_id
            for j in range(len(windows)):
                if idle[j] and service_id in service_sets[j] and try_call(j, at):
                    break
            continue
        if at == wake[who]:  # not an event an earlier call or pause has overtaken
            free(who, at)
    uncalled = frozenset(
        i for i, item in enumerate(items) if item.kind != EXPECTED and not waiting.called[i]
    )
    if present is not None:
        order = _with_absent_arrivals(order, items, present)
    return PlannedOrder(
        order=order, uncalled=uncalled, called_at=called_at, policy_work=work, called_by=called_by
    )


def planned_presence(items: Sequence[RunItem]) -> bytearray:
    """Which expected arrivals come in the planned run: as many as are expected, spread as
    they are. Of each (service, visitor class) in order of arrival, one comes whenever the
    running sum of their probabilities passes the next half.

    Every candidate coming with a share of a case would have the planned run's policy see
    all of them (several times as many as are expected): a booked or priority visitor
    cutting in at every turn, and walk-ins pushed back by cut-ins that mostly never come."""
    present = bytearray(len(items))
    running: dict[tuple[int, str], float] = {}
    for i in sorted(range(len(items)), key=lambda i: (items[i].arrives, i)):
        item = items[i]
        if item.kind != EXPECTED:
            present[i] = 1
            continue
        key = (item.head.service_id, item.head.visitor_class)
        before = running.get(key, 0.0)
        running[key] = after = before + item.probability
        if math.floor(after + 0.5) > math.floor(before + 0.5):
            present[i] = 1
    return present


def _with_absent_arrivals(
    order: list[int], items: Sequence[RunItem], present: bytearray
) -> list[int]:
    """The planned order with the expected arrivals the planned run left out placed among
    those of their kind that came (a timed run may have them come instead)."""

    def kind_of(i: int) -> tuple[int, str]:
        return (items[i].head.service_id, items[i].head.visitor_class)

    came: dict[tuple[int, str], list[int]] = {}
    for i in order:
        if items[i].kind == EXPECTED:
            came.setdefault(kind_of(i), []).append(i)
    for kind in came.values():
        kind.sort(key=lambda i: (items[i].arrives, i))
    arrivals = {key: [items[i].arrives for i in kind] for key, kind in came.items()}
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    rest: list[int] = []
    for i, item in enumerate(items):
        if item.kind != EXPECTED or present[i]:
            continue
        same = came.get(kind_of(i), [])
        if not same:
            rest.append(i)
            continue
        # Just before the first of its kind that came after it: by then it has come, too (so
        # a timed run need not step over it, not yet there, at every call before).
        position = bisect_left(arrivals[kind_of(i)], item.arrives)
        if position < len(same):
            before.setdefault(same[position], []).append(i)
        else:
            after.setdefault(same[-1], []).append(i)
    placed: list[int] = []
    for i in order:
        placed.extend(before.get(i, ()))
        placed.append(i)
        placed.extend(after.get(i, ()))
    return placed + rest


def first_free(window: RunWindow, rng: Random, shifts: Mapping[int, float]) -> float:
    """When a window is first free in one run: its case's residual or its pause, drawn (the
    case's service as slow or quick as `shifts` has it in this run)."""
    if window.case_mu is not None:
        return _draw_residual(window, rng, shifts.get(window.case_service_id or 0, 0.0))
    if window.paused_mean > 0:
        sigma = window.pause_spread
        return window.paused_mean * math.exp(sigma * rng.gauss(0.0, 1.0) - sigma * sigma / 2)
    return 0.0


def _draw_residual(window: RunWindow, rng: Random, shift: float) -> float:
    assert window.case_mu is not None
    case = LogNormal(window.case_mu + shift, window.case_sigma)
    share_done = window.case_share_done if shift == 0.0 else None
    return case.sample_residual(window.case_elapsed, rng, share_done)
