"""A discrete-event simulation of a hall's windows calling tickets through a real calling policy.

The engine knows nothing about where visitors come from: it runs a hall forward from a given
moment and state (tickets already waiting, windows busy until some time, breaks ahead) with
the tickets still to be issued, and records when each ticket is called and finished. The same
`CallingPolicy` objects the server uses choose every call, over the same view the server gives
them: the head of each (service, visitor class) queue the window may call.

Handling times travel with each ticket, so the same day replayed under two policies differs
only in the order of calls (common random numbers).
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hall_server.core.calling_policy import CallingPolicy, QueueHead, WindowView
from hall_server.core.ticket_life import VisitorClass


@dataclass(frozen=True)
class WindowBreak:
    """A planned pause; it starts once the case in hand is finished and lasts its length."""

    start: datetime
    length: timedelta


@dataclass(frozen=True)
class WindowPlan:
    id: int
    service_ids: tuple[int, ...]  # in the window's order of preference
    breaks: tuple[WindowBreak, ...] = ()
    closes_at: datetime | None = None  # stops calling (finishes the case in hand); None: never


@dataclass(frozen=True)
class WindowStart:
    """A window's situation when a run starts: busy with a case until `busy_until`, or not."""

    busy_until: datetime | None = None
    on_break_until: datetime | None = None


@dataclass
class SimTicket:
    """One ticket in the simulated hall; `called_at` and the rest are filled in by the run."""

    id: int
    service_id: int
    visitor_class: str
    issued_at: datetime
    queue_key: datetime
    handling_seconds: float
    appointment_due_at: datetime | None = None
    target_window_id: int | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    window_id: int | None = None
    head: QueueHead = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.head = QueueHead(
            ticket_id=self.id,
            service_id=self.service_id,
            visitor_class=self.visitor_class,
            queue_key=self.queue_key,
            issued_at=self.issued_at,
            target_window_id=self.target_window_id,
            appointment_due_at=self.appointment_due_at,
        )

    @property
    def wait_seconds(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds()


@dataclass
class SimRun:
    """What happened: every ticket (called or not), and when the last window went quiet."""

    tickets: list[SimTicket]
    ended_at: datetime
    calls: int = 0

    def waiting(self) -> list[SimTicket]:
        return [ticket for ticket in self.tickets if ticket.called_at is None]


_ISSUE, _FREE, _BREAK, _CLOSE = 1, 0, 2, 3  # at equal times windows free up before tickets arrive


class _Window:
    def __init__(self, plan: WindowPlan) -> None:
        self.plan = plan
        self.view = WindowView(id=plan.id, service_ids=plan.service_ids)
        self.busy = False
        self.on_break = False
        self.closed = False
        self.breaks_due: list[WindowBreak] = []  # started on paper, waiting for free hands

    @property
    def idle(self) -> bool:
        return not (self.busy or self.on_break or self.closed)


class _Queues:
    """Waiting tickets per (service, visitor class), each list ordered by queue key."""

    def __init__(self) -> None:
        self.lines: dict[tuple[int, str], list[tuple[datetime, int, SimTicket]]] = {}

    def add(self, ticket: SimTicket) -> None:
        line = self.lines.setdefault((ticket.service_id, ticket.visitor_class), [])
        insort(line, (ticket.queue_key, ticket.id, ticket))

    def remove(self, ticket: SimTicket) -> None:
        line = self.lines[(ticket.service_id, ticket.visitor_class)]
        line.remove((ticket.queue_key, ticket.id, ticket))

    def heads(self, window: WindowView) -> list[QueueHead]:
        """What the server's queue_heads gives a policy: each queue's first callable ticket,
        with how many in that queue this window may call."""
        found = []
        for service_id in window.service_ids:
            for visitor_class in VisitorClass:
                line = self.lines.get((service_id, visitor_class))
                if not line:
                    continue
                callable_here = [t for _k, _i, t in line if t.target_window_id in (None, window.id)]
                if callable_here:
                    found.append(replace(callable_here[0].head, waiting_count=len(callable_here)))
        return found


def run_hall(
    policy: CallingPolicy,
    windows: Sequence[WindowPlan],
    start: datetime,
    to_issue: Iterable[SimTicket] = (),
    waiting: Iterable[SimTicket] = (),
    window_starts: Mapping[int, WindowStart] | None = None,
    until: datetime | None = None,
) -> SimRun:
    """Run the hall from `start` until every ticket is called and finished, or until `until`.

    `waiting` are tickets already in the queue at `start`; `to_issue` are issued later, at
    their `issued_at`. Tickets no open window serves stay uncalled.
    """
    window_starts = window_starts or {}
    by_id = {plan.id: _Window(plan) for plan in windows}
    queues = _Queues()
    tickets: dict[int, SimTicket] = {}
    events: list[tuple[datetime, int, int, int]] = []  # time, kind, order, window or ticket id
    order = 0

    def schedule(at: datetime, kind: int, subject: int) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, kind, order, subject))

    for ticket in waiting:
        tickets[ticket.id] = ticket
        queues.add(ticket)
    for ticket in to_issue:
        tickets[ticket.id] = ticket
        schedule(max(ticket.issued_at, start), _ISSUE, ticket.id)
    for window in by_id.values():
        situation = window_starts.get(window.plan.id, WindowStart())
        for planned in window.plan.breaks:
            if planned.start + planned.length > start:
                schedule(max(planned.start, start), _BREAK, window.plan.id)
                window.breaks_due.append(planned)
        if window.plan.closes_at is not None:
            schedule(max(window.plan.closes_at, start), _CLOSE, window.plan.id)
        if situation.on_break_until is not None and situation.on_break_until > start:
            window.on_break = True
            schedule(situation.on_break_until, _FREE, window.plan.id)
        elif situation.busy_until is not None and situation.busy_until > start:
            window.busy = True
            schedule(situation.busy_until, _FREE, window.plan.id)
        else:
            schedule(start, _FREE, window.plan.id)

    run = SimRun(tickets=list(tickets.values()), ended_at=start)

    def view_of(window: _Window) -> WindowView:
        serving = dict.fromkeys(window.plan.service_ids, 0)
        for other in by_id.values():
            if other is window or not (other.closed or other.on_break):
                for service_id in other.plan.service_ids:
                    if service_id in serving:
                        serving[service_id] += 1
        return replace(window.view, windows_serving=serving)

    def try_call(window: _Window, now: datetime) -> bool:
        view = view_of(window)
        choice = policy.choose_next(view, queues.heads(view), now)
        if choice is None:
            return False
        ticket = tickets[choice.ticket_id]
        queues.remove(ticket)
        ticket.called_at = now
        ticket.window_id = window.plan.id
        ticket.finished_at = now + timedelta(seconds=ticket.handling_seconds)
        window.busy = True
        run.calls += 1
        schedule(ticket.finished_at, _FREE, window.plan.id)
        return True

    def take_due_break(window: _Window, now: datetime) -> bool:
        due = [planned for planned in window.breaks_due if planned.start <= now]
        if not due:
            return False
        planned = due[0]
        window.breaks_due.remove(planned)
        window.on_break = True
        schedule(now + planned.length, _FREE, window.plan.id)
        return True

    while events:
        now, kind, _order, subject = heapq.heappop(events)
        if until is not None and now > until:
            break
        run.ended_at = max(run.ended_at, now)
        if kind == _ISSUE:
            ticket = tickets[subject]
            queues.add(ticket)
            for window in sorted(by_id.values(), key=lambda w: w.plan.id):
                serves = window.idle and ticket.service_id in window.plan.service_ids
                if serves and try_call(window, now):
                    break
            continue
        window = by_id[subject]
        if kind == _CLOSE:
            window.closed = True
            continue
        if kind == _BREAK:
            if window.idle:
                take_due_break(window, now)
            continue
        window.busy = False  # _FREE: a case or a break ended
        window.on_break = False
        if window.closed or take_due_break(window, now):
            continue
        try_call(window, now)
    return run
