"""Who comes to a simulated hall on a given day, drawn from the planning priors in DOMAIN.md.

A day is drawn once, as visits independent of any calling policy (arrival time, service,
whether booked or pre-reviewed, the slot, the handling time), so every policy is measured on
exactly the same days. `tickets_for_day` then turns the visits into tickets the way the hall
issues them: with the online pre-review integration (booked visitors check in with their
code) or as the hall was before it (everyone takes an ordinary ticket on arrival).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hall_server.core.appointment_check_in import Punctuality, check_in_appointment
from hall_server.core.hall_simulation import SimTicket, WindowBreak, WindowPlan
from hall_server.core.ticket_life import VisitorClass


@dataclass(frozen=True)
class ServiceDemand:
    id: int
    name: str
    share: float  # of the day's visits
    mean_handling_minutes: float


@dataclass(frozen=True)
class DemandModel:
    """The priors: hourly arrival profile, class mix, punctuality and handling times."""

    services: tuple[ServiceDemand, ...]
    visits_per_day: float
    # (first minute after midnight, last minute, relative arrival rate); the mean rate is 1.
    hourly_profile: tuple[tuple[int, int, float], ...]
    day_factor_sd: float = 0.10
    day_factor_limit: float = 0.20
    appointment_share: tuple[float, float] = (0.10, 0.30)  # drawn per day
    appointment_no_show: tuple[float, float] = (0.05, 0.15)  # drawn per day
    pre_reviewed_share: tuple[float, float] = (0.05, 0.15)  # drawn per day
    priority_lane_share: float = 0.03
    handling_cv: float = 1.0
    pre_reviewed_handling_factor: float = 0.6  # the materials were checked online
    booked_also_pre_reviewed: float = 0.3  # of appointments
    slot_minutes: int = 15
    # Arrival relative to the slot: early (minutes before, exponential), on time (± minutes),
    # late (minutes after, exponential); the three shares sum to 1.
    early_share: float = 0.70
    early_mean_minutes: float = 12.0
    on_time_spread_minutes: float = 3.0
    late_share: float = 0.15
    late_mean_minutes: float = 10.0

    def opens_at(self, date_start: datetime) -> datetime:
        return date_start + timedelta(minutes=min(start for start, _, _ in self.hourly_profile))

    def scaled(self, load_factor: float) -> DemandModel:
        return replace(self, visits_per_day=self.visits_per_day * load_factor)


@dataclass(frozen=True)
class Visit:
    """One person's visit: independent of the policy that will call them."""

    id: int
    arrival: datetime
    service_id: int
    kind: str  # walk_in, appointment, pre_reviewed or priority (the lane)
    handling_seconds: float
    slot: datetime | None = None  # appointments only


@dataclass(frozen=True)
class SimulatedDay:
    date_start: datetime  # midnight, local time of the hall (any aware datetime)
    visits: tuple[Visit, ...]
    appointments_booked: int
    appointment_no_shows: int
    day_factor: float


def _profile_minute(model: DemandModel, rng: random.Random) -> int:
    """A minute of the day drawn with the arrival profile's weights."""
    weights = [(end - start) * rate for start, end, rate in model.hourly_profile]
    start, end, _rate = rng.choices(model.hourly_profile, weights=weights)[0]
    return rng.randrange(start, end)


def _handling_seconds(mean_minutes: float, cv: float, rng: random.Random) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    mu = math.log(mean_minutes * 60) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def _appointment_arrival(model: DemandModel, slot: datetime, rng: random.Random) -> datetime:
    draw = rng.random()
    if draw < model.early_share:
        minutes = -min(rng.expovariate(1 / model.early_mean_minutes), 90.0)
    elif draw < model.early_share + model.late_share:
        minutes = min(rng.expovariate(1 / model.late_mean_minutes), 90.0)
    else:
        minutes = rng.uniform(-model.on_time_spread_minutes, model.on_time_spread_minutes)
    return slot + timedelta(minutes=minutes)


def draw_day(model: DemandModel, date_start: datetime, rng: random.Random) -> SimulatedDay:
    """One day's visits: volume by hour with a day-level factor, then classes and slots."""
    factor = min(
        max(rng.gauss(1.0, model.day_factor_sd), 1 - model.day_factor_limit),
        1 + model.day_factor_limit,
    )
    appointment_share = rng.uniform(*model.appointment_share)
    no_show_rate = rng.uniform(*model.appointment_no_show)
    pre_reviewed_share = rng.uniform(*model.pre_reviewed_share)
    expected = model.visits_per_day * factor
    total = max(0, round(rng.gauss(expected, math.sqrt(expected))))  # Poisson-like count
    opening = min(start for start, _end, _rate in model.hourly_profile)
    last_slot = max(end for _start, end, _rate in model.hourly_profile) - model.slot_minutes
    services = model.services
    service_weights = [service.share for service in services]
    visits: list[Visit] = []
    booked = no_shows = 0
    for _ in range(total):
        service = rng.choices(services, weights=service_weights)[0]
        draw = rng.random()
        mean = service.mean_handling_minutes
        if draw < appointment_share:
            booked += 1
            minute = _profile_minute(model, rng)
            minute = max(opening, min(last_slot, minute - minute % model.slot_minutes))
            slot = date_start + timedelta(minutes=minute)
            if rng.random() < no_show_rate:
                no_shows += 1
                continue
            if rng.random() < model.booked_also_pre_reviewed:
                mean *= model.pre_reviewed_handling_factor
            # Whoever comes before opening takes a ticket when the doors open.
            arrival = max(_appointment_arrival(model, slot, rng), model.opens_at(date_start))
            seconds = _handling_seconds(mean, model.handling_cv, rng)
            visits.append(Visit(0, arrival, service.id, VisitorClass.APPOINTMENT, seconds, slot))
            continue
        if draw < appointment_share + pre_reviewed_share:
            kind = VisitorClass.PRE_REVIEWED
            mean *= model.pre_reviewed_handling_factor
        elif draw < appointment_share + pre_reviewed_share + model.priority_lane_share:
            kind = VisitorClass.PRIORITY
        else:
            kind = VisitorClass.WALK_IN
        arrival = date_start + timedelta(minutes=_profile_minute(model, rng) + rng.random())
        seconds = _handling_seconds(mean, model.handling_cv, rng)
        visits.append(Visit(0, arrival, service.id, kind, seconds))
    visits.sort(key=lambda visit: visit.arrival)
    numbered = tuple(
        Visit(index + 1, v.arrival, v.service_id, v.kind, v.handling_seconds, v.slot)
        for index, v in enumerate(visits)
    )
    return SimulatedDay(date_start, numbered, booked, no_shows, factor)


def tickets_for_day(
    day: SimulatedDay, with_online_integration: bool, appointment_grace: timedelta
) -> list[SimTicket]:
    """The tickets the hall issues for the day's visits.

    With the integration, booked visitors check in with their code (`check_in_appointment`) and
    pre-reviewed ones are recognised; without it, everyone but the priority lane is a walk-in
    queued at arrival.
    """
    tickets = []
    for visit in day.visits:
        visitor_class: str = VisitorClass.WALK_IN
        queue_key, due = visit.arrival, None
        if visit.kind == VisitorClass.PRIORITY:
            visitor_class = VisitorClass.PRIORITY
        elif with_online_integration and visit.kind == VisitorClass.PRE_REVIEWED:
            visitor_class = VisitorClass.PRE_REVIEWED
        elif with_online_integration and visit.slot is not None:
            check_in = check_in_appointment(visit.slot, visit.arrival, appointment_grace)
            visitor_class, queue_key = check_in.visitor_class, check_in.queue_key
            due = check_in.appointment_due_at
        tickets.append(
            SimTicket(
                id=visit.id,
                service_id=visit.service_id,
                visitor_class=visitor_class,
                issued_at=visit.arrival,
                queue_key=queue_key,
                handling_seconds=visit.handling_seconds,
                appointment_due_at=due,
            )
        )
    return tickets


def lost_booking(visit: Visit, grace: timedelta) -> bool:
    """A booked visitor who came too late and was issued an ordinary ticket."""
    if visit.slot is None:
        return False
    return check_in_appointment(visit.slot, visit.arrival, grace).punctuality == (
        Punctuality.TOO_LATE
    )


# A district service centre: five services, eight dedicated and six comprehensive windows.
DISTRICT_SERVICES = (
    ServiceDemand(1, "social security", 0.25, 8.0),
    ServiceDemand(2, "housing fund", 0.20, 12.0),
    ServiceDemand(3, "business registration", 0.20, 15.0),
    ServiceDemand(4, "real estate registration", 0.15, 18.0),
    ServiceDemand(5, "medical insurance", 0.20, 7.0),
)

# Issuing 9:00-16:30; 9-11 at 1.5x the day's mean, a lunch dip, a smaller afternoon bump.
DISTRICT_PROFILE = (
    (540, 600, 1.50),
    (600, 660, 1.50),
    (660, 720, 1.05),
    (720, 780, 0.55),
    (780, 840, 0.75),
    (840, 900, 0.95),
    (900, 960, 0.80),
    (960, 990, 0.60),
)


def district_demand(visits_per_day: float = 410.0) -> DemandModel:
    weighted = sum((end - start) * rate for start, end, rate in DISTRICT_PROFILE)
    minutes = sum(end - start for start, end, _rate in DISTRICT_PROFILE)
    mean_rate = weighted / minutes
    profile = tuple((start, end, rate / mean_rate) for start, end, rate in DISTRICT_PROFILE)
    return DemandModel(
        services=DISTRICT_SERVICES, visits_per_day=visits_per_day, hourly_profile=profile
    )


def district_windows(date_start: datetime) -> list[WindowPlan]:
    """Eight dedicated windows (two per busy service), six comprehensive ones serving all five.

    Lunch is staggered in three shifts of 45 minutes (11:30, 12:15, 13:00), so two thirds of
    the windows stay open at noon, and every window has one quarter-hour break, mid-morning or
    mid-afternoon.
    """

    def at(hour: int, minute: int = 0) -> datetime:
        return date_start + timedelta(hours=hour, minutes=minute)

    dedicated = {1: (4,), 2: (4,), 3: (3,), 4: (3,), 5: (2,), 6: (2,), 7: (1,), 8: (1,)}
    orders = [(1, 5, 2, 3, 4), (5, 1, 2, 4, 3), (2, 1, 5, 3, 4), (3, 4, 1, 5, 2)]
    lunches = (at(11, 30), at(12, 15), at(13, 0))
    shorts = (at(10, 30), at(15, 0), at(16, 0))
    plans = []
    for number in range(1, 15):
        services = dedicated.get(number) or orders[number % len(orders)]
        breaks = (
            WindowBreak(lunches[number % 3], timedelta(minutes=45)),
            WindowBreak(shorts[(number // 3) % 3], timedelta(minutes=15)),
        )
        plans.append(
            WindowPlan(
                id=number,
                service_ids=tuple(services),
                breaks=tuple(sorted(breaks, key=lambda planned: planned.start)),
            )
        )
    return plans
