"""The arrivals a forecast expects: tickets not yet issued that may still be called before
someone waiting now (the priority lane, booked and pre-reviewed visitors, and under a policy
that weighs backlogs, walk-ins of other services too). Each becomes a few candidate tickets
spread over the horizon as its expected number of arrivals is; a candidate comes in a run
with its probability, so runs differ in how many come, as days do."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hall_server.core.calling_policy import QueueHead
from hall_server.core.handling_time_model import HandlingTimes
from hall_server.core.queue_forward_runs import EXPECTED, RunItem, RunWindow, run_item
from hall_server.core.ticket_life import VisitorClass

if TYPE_CHECKING:
    from hall_server.core.wait_prediction import HallState

MAX_EXPECTED_ARRIVALS = 400
CANDIDATES_PER_ARRIVAL = 4.0
ARRIVAL_LOOKBACK = timedelta(minutes=60)
MIN_ARRIVAL_LOOKBACK = timedelta(minutes=15)
# Invented tickets get ids above every real one: a policy breaks ties of queue key by id, and
# an expected arrival stands behind a real ticket issued at the same moment.
_EXPECTED_IDS = 2**61  # expected arrivals count down from here


@dataclass(frozen=True)
class ExpectedArrival:
    """A visitor who will probably take a ticket: a booking, with the chance that it shows."""

    service_id: int
    visitor_class: str
    at: datetime
    probability: float = 1.0
    appointment_due_at: datetime | None = None


def arrivals_per_hour(
    issued: Iterable[tuple[int, str, datetime]],
    now: datetime,
    first_issue_today: datetime | None = None,
) -> dict[tuple[int, str], float]:
    """Tickets issued per hour by (service, visitor class) over the last hour (less just after
    opening): the arrivals the forward runs expect. `issued` holds (service, class, issued at)."""
    recent = [(s, c, at) for s, c, at in issued if at <= now]
    if not recent:
        return {}
    first = min(at for _s, _c, at in recent)
    if first_issue_today is not None:
        first = min(first, first_issue_today)
    since = max(now - ARRIVAL_LOOKBACK, first)
    hours = max(now - since, MIN_ARRIVAL_LOOKBACK).total_seconds() / 3600
    counts: dict[tuple[int, str], int] = {}
    for service_id, visitor_class, at in recent:
        if at >= since:
            counts[(service_id, visitor_class)] = counts.get((service_id, visitor_class), 0) + 1
    return {key: count / hours for key, count in counts.items()}


Piece = tuple[float, float, float]  # from, to (seconds from now), arrivals per second


def _arrival_rates(state: HallState, horizon: float) -> dict[tuple[int, str], list[Piece]]:
    """Each (service, class)'s expected arrivals as piecewise-constant rates over the horizon."""
    pieces: dict[tuple[int, str], list[Piece]] = {}
    if state.arrival_periods:
        for period in sorted(state.arrival_periods, key=lambda p: p.start):
            first = max((period.start - state.now).total_seconds(), 0.0)
            last = min((period.end - state.now).total_seconds(), horizon)
            if last > first:
                for key, per_hour in period.per_hour.items():
                    if per_hour > 0:
                        pieces.setdefault(key, []).append((first, last, per_hour / 3600))
        return pieces
    for key, per_hour in state.arrivals_per_hour.items():
        if per_hour > 0:
            pieces[key] = [(0.0, horizon, per_hour / 3600)]
    return pieces


def _spread(pieces: list[Piece], until: float, count: int) -> tuple[list[float], float]:
    """`count` moments that split the expected arrivals before `until` into equal shares."""
    clipped = [(a, min(b, until), rate) for a, b, rate in pieces if a < until]
    total = sum((b - a) * rate for a, b, rate in clipped)
    moments = []
    piece, passed = 0, 0.0  # the piece the next moment falls in, and the arrivals before it
    for k in range(count):
        wanted = (k + 0.5) / count * total
        while piece < len(clipped) - 1:
            a, b, rate = clipped[piece]
            if wanted - passed <= (b - a) * rate:
                break
            passed += (b - a) * rate
            piece += 1
        if not clipped:
            break
        a, _b, rate = clipped[piece]
        moments.append(a + (wanted - passed) / rate)
    return moments, total


def expected_arrivals(
    state: HallState,
    handling: HandlingTimes,
    windows: Sequence[RunWindow],
    horizon: float,
    walk_in_horizon: float,
) -> list[RunItem]:
    """Candidate tickets for the arrivals expected over the horizon (walk-ins over their own).

    Where the hall knows its bookings (`state.bookings_known`), they stand for every
    appointment to come, in place of appointments at the usual rate.
    """
    served = {s for window in windows for s in window.view.service_ids}
    plans: list[tuple[int, str, list[Piece], float, float]] = []
    for (service_id, visitor_class), pieces in sorted(_arrival_rates(state, horizon).items()):
        if state.bookings_known and visitor_class == VisitorClass.APPOINTMENT:
            continue
        until = walk_in_horizon if visitor_class == VisitorClass.WALK_IN else horizon
        if until > 0 and service_id in served:
            expected = sum((min(b, until) - a) * rate for a, b, rate in pieces if a < until)
            if expected > 0:
                plans.append((service_id, visitor_class, pieces, until, expected))
    lead = timedelta(
        minutes=max((p.booked_lead_minutes for p in state.arrival_periods), default=0.0)
    )
    expected_total = sum(plan[4] for plan in plans)
    # More candidates than expected arrivals, each present with its share, keeps the number of
    # arrivals in a run random (near Poisson with many candidates each rarely present); fewer
    # candidates when a hall is very busy.
    density = 1.0
    for candidates in (CANDIDATES_PER_ARRIVAL, 2.0):
        if candidates * expected_total <= MAX_EXPECTED_ARRIVALS:
            density = candidates
            break
    items: list[RunItem] = []
    next_id = _EXPECTED_IDS
    for service_id, visitor_class, pieces, until, expected in plans:
        count = max(1, math.ceil(density * expected))
        moments, _total = _spread(pieces, until, count)
        case = handling.for_service(service_id, visitor_class)  # alike for all of them
        for offset in moments:
            at = state.now + timedelta(seconds=offset)
            key, due = at, None
            if visitor_class == VisitorClass.APPOINTMENT:
                key = due = at + lead  # an early check-in queues at its slot
            head = QueueHead(next_id, service_id, visitor_class, key, at, None, due)
            next_id -= 1
            items.append(RunItem(head, EXPECTED, offset, expected / count, case.mu, case.sigma))
    for booking in state.bookings:
        offset = (booking.at - state.now).total_seconds()
        if offset < 0 or offset > horizon or booking.service_id not in served:
            continue
        key = booking.at
        if booking.appointment_due_at is not None and booking.appointment_due_at > key:
            key = booking.appointment_due_at
        head = QueueHead(
            next_id,
            booking.service_id,
            booking.visitor_class,
            key,
            booking.at,
            None,
            booking.appointment_due_at,
        )
        next_id -= 1
        items.append(
            run_item(head, EXPECTED, handling, arrives=offset, probability=booking.probability)
        )
    return items
