"""Reports by day, week and month, per hall, service, window, clerk or day: volumes, waits,
handling times, service level, no-shows, transfers and ratings, on the halls' local days.

Definitions, as halls publish them:
- wait = first call − issue, for every ticket that was called (never-called tickets have none);
- handling = call → finish, for every finished ticket; where a ticket was called again (after a
  transfer, or resumed after parking) the last call counts;
- service level = the share of called tickets whose wait was within the hall's target;
- p90 = nearest rank: the smallest value that at least 90% of the values do not exceed;
- a no-show is a ticket that ended as one (a late arrival re-queued and then served is not);
- transfers = the times cases were handed on; cancelled includes tickets expired at day end.
A ticket counts on its hall's local day (`Ticket.local_date`) and for the service it was issued
for; for windows and clerks it counts where it was last called, a transfer where it was handed
on, a rating where the case was finished.
"""

from __future__ import annotations

import calendar
import enum
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.storage.models import (
    Department,
    Hall,
    Rating,
    Service,
    Ticket,
    TicketEvent,
    User,
    Window,
)

GOOD_MIN_SCORE = 3  # 好评: "basically satisfied" or better (as hall_server/operations/ratings.py)


class Period(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"


class Dimension(enum.StrEnum):
    HALL = "hall"  # the hall and every hall below it
    SERVICE = "service"
    WINDOW = "window"
    CLERK = "clerk"
    DAY = "day"


@dataclass(frozen=True)
class TicketRow:
    id: int
    hall_id: int
    service_id: int  # the service it was issued for
    window_id: int | None  # the window of its last call
    clerk_id: int | None  # who last called it
    local_date: date
    status: str
    issued_at: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    # Worked out once here: a report adds every ticket to its row and to the total.
    wait_seconds: float | None = field(init=False)
    handling_seconds: float | None = field(init=False)

    def __post_init__(self) -> None:
        wait = handling = None
        if self.first_called_at is not None:
            wait = (self.first_called_at - self.issued_at).total_seconds()
        if self.status == TicketStatus.FINISHED and self.called_at and self.finished_at:
            handling = (self.finished_at - self.called_at).total_seconds()
        object.__setattr__(self, "wait_seconds", wait)
        object.__setattr__(self, "handling_seconds", handling)


@dataclass(frozen=True)
class RatingRow:
    hall_id: int
    service_id: int
    window_id: int | None
    clerk_id: int | None
    local_date: date
    score: int


@dataclass(frozen=True)
class TransferRow:
    hall_id: int
    service_id: int
    window_id: int | None  # the window that handed it on
    clerk_id: int | None
    local_date: date


# ----- the arithmetic -----


def nearest_rank_percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_of(
    tickets: Iterable[TicketRow],
    ratings: Iterable[RatingRow],
    transfers: int,
    target_wait_seconds: float,
    count_issued: bool = True,
) -> dict[str, Any]:
    """The report's figures over a set of tickets (and the ratings and transfers that go with
    them). Times are in seconds."""
    tickets = list(tickets)
    waits = [w for t in tickets if (w := t.wait_seconds) is not None]
    handling = [h for t in tickets if (h := t.handling_seconds) is not None]
    scores = [r.score for r in ratings]
    statuses = [t.status for t in tickets]
    return {
        "issued": len(tickets) if count_issued else None,
        "called": len(waits),
        "served": statuses.count(TicketStatus.FINISHED),
        "no_shows": statuses.count(TicketStatus.NO_SHOW),
        "cancelled": statuses.count(TicketStatus.CANCELLED),
        "transfers": transfers,
        "wait_mean_seconds": _mean(waits),
        "wait_p90_seconds": nearest_rank_percentile(waits, 0.9),
        "wait_max_seconds": max(waits) if waits else None,
        "handling_mean_seconds": _mean(handling),
        "handling_p90_seconds": nearest_rank_percentile(handling, 0.9),
        "handling_max_seconds": max(handling) if handling else None,
        "within_target": sum(1 for w in waits if w <= target_wait_seconds),
        "service_level": _share(sum(1 for w in waits if w <= target_wait_seconds), len(waits)),
        "ratings": len(scores),
        "rating_average": round(sum(scores) / len(scores), 2) if scores else None,
        "rating_good_share": _share(sum(1 for s in scores if s >= GOOD_MIN_SCORE), len(scores)),
    }


# ----- periods and the hall tree -----


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last local day of the day, week (Monday–Sunday) or month holding `day`."""
    if period == Period.DAY:
        return day, day
    if period == Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == Period.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise Refused("invalid_period", f"period must be one of {[p.value for p in Period]}", "period")


def hall_subtree(session: Session, hall_id: int) -> list[tuple[Hall, int]]:
    """The hall and every hall below it, depth first, each with its depth below `hall_id`."""
    halls = list(session.scalars(select(Hall).order_by(Hall.id)))
    children: dict[int | None, list[Hall]] = defaultdict(list)
    for hall in halls:
        children[hall.parent_id].append(hall)
    root = next((h for h in halls if h.id == hall_id), None)
    if root is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    ordered: list[tuple[Hall, int]] = []
    stack = [(root, 0)]
    seen: set[int] = set()
    while stack:
        hall, depth = stack.pop()
        if hall.id in seen:
            continue
        seen.add(hall.id)
        ordered.append((hall, depth))
        stack.extend((child, depth + 1) for child in reversed(children[hall.id]))
    return ordered


# ----- reading the rows -----


def read_ticket_rows(
    session: Session, hall_ids: list[int], start: date, end: date
) -> list[TicketRow]:
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.hall_id,
            Ticket.original_service_id,
            Ticket.window_id,
            Ticket.served_by_user_id,
            Ticket.local_date,
            Ticket.status,
            Ticket.issued_at,
            Ticket.first_called_at,
            Ticket.called_at,
            Ticket.finished_at,
        ).where(Ticket.hall_id.in_(hall_ids), Ticket.local_date >= start, Ticket.local_date <= end)
    ).all()
    return [TicketRow(*row) for row in rows]


def read_rating_rows(
    session: Session, hall_ids: list[int], start: date, end: date
) -> list[RatingRow]:
    rows = session.execute(
        select(
            Rating.hall_id,
            Ticket.original_service_id,
            Rating.window_id,
            Rating.clerk_id,
            Rating.local_date,
            Rating.score,
        )
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Rating.hall_id.in_(hall_ids), Rating.local_date >= start, Rating.local_date <= end)
    ).all()
    return [RatingRow(*row) for row in rows]


def read_transfer_rows(
    session: Session, hall_ids: list[int], start: date, end: date
) -> list[TransferRow]:
    rows = session.execute(
        select(
            TicketEvent.hall_id,
            Ticket.original_service_id,
            TicketEvent.detail,
            TicketEvent.user_id,
            Ticket.local_date,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.hall_id.in_(hall_ids),
            TicketEvent.action == "transferred",
            Ticket.local_date >= start,
            Ticket.local_date <= end,
        )
    ).all()
    # The event is written after the ticket left the window; the window is in its detail.
    return [
        TransferRow(hall_id, service_id, (detail or {}).get("from_window_id"), user_id, day)
        for hall_id, service_id, detail, user_id, day in rows
    ]


# ----- the report -----


def _entities(
    session: Session,
    dimension: str,
    hall: Hall,
    halls: list[tuple[Hall, int]],
    days: list[date],
    active_clerks: set[Any],
) -> list[tuple[Hashable, dict[str, Any]]]:
    """Every row the report shows, in order, with its label, even the ones with no activity."""
    if dimension == Dimension.HALL:
        return [
            (h.id, {"label": h.name, "label_en": h.name_en, "level": h.level, "depth": depth})
            for h, depth in halls
        ]
    if dimension == Dimension.SERVICE:
        services = session.execute(
            select(Service, Department)
            .join(Department, Department.id == Service.department_id)
            .where(Service.hall_id == hall.id)
            .order_by(Department.id, Service.id)
        ).all()
        return [
            (
                s.id,
                {
                    "label": s.name,
                    "label_en": s.name_en,
                    "prefix": s.prefix,
                    "department": d.name,
                    "department_en": d.name_en,
                },
            )
            for s, d in services
        ]
    if dimension == Dimension.WINDOW:
        windows = session.scalars(
            select(Window).where(Window.hall_id == hall.id).order_by(Window.number)
        )
        return [
            (w.id, {"label": w.name, "label_en": w.name_en, "number": w.number}) for w in windows
        ]
    if dimension == Dimension.CLERK:
        users = session.scalars(
            select(User).where(User.id.in_(active_clerks)).order_by(User.staff_number)
        )
        return [
            (u.id, {"label": u.name, "label_en": None, "staff_number": u.staff_number})
            for u in users
        ]
    return [(d, {"label": d.isoformat(), "label_en": None}) for d in days]


_TICKET_KEYS: dict[str, Callable[[TicketRow], Hashable]] = {
    Dimension.HALL: lambda t: t.hall_id,
    Dimension.SERVICE: lambda t: t.service_id,
    Dimension.WINDOW: lambda t: t.window_id,
    Dimension.CLERK: lambda t: t.clerk_id,
    Dimension.DAY: lambda t: t.local_date,
}
_OTHER_KEYS: dict[str, Callable[[Any], Hashable]] = {
    Dimension.HALL: lambda r: r.hall_id,
    Dimension.SERVICE: lambda r: r.service_id,
    Dimension.WINDOW: lambda r: r.window_id,
    Dimension.CLERK: lambda r: r.clerk_id,
    Dimension.DAY: lambda r: r.local_date,
}


def _grouped(items: Iterable[Any], key: Callable[[Any], Hashable]) -> dict[Hashable, list[Any]]:
    groups: dict[Hashable, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def build_report(
    session: Session, actor: Actor, hall_id: int, period: str, day: date, dimension: str
) -> dict[str, Any]:
    """The report of one hall (or, by hall, of its whole tree) over one period."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    if dimension not in set(Dimension):
        allowed = [d.value for d in Dimension]
        raise Refused("invalid_dimension", f"by must be one of {allowed}", "by")
    start, end = period_bounds(period, day)
    tree = hall_subtree(session, hall_id)
    hall = tree[0][0]
    halls = tree if dimension == Dimension.HALL else tree[:1]
    hall_ids = [h.id for h, _depth in halls]
    target = hall.target_wait_minutes * 60
    tickets = read_ticket_rows(session, hall_ids, start, end)
    ratings = read_rating_rows(session, hall_ids, start, end)
    transfers = read_transfer_rows(session, hall_ids, start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]

    by_ticket = _grouped(tickets, _TICKET_KEYS[dimension])
    by_rating = _grouped(ratings, _OTHER_KEYS[dimension])
    by_transfer = _grouped(transfers, _OTHER_KEYS[dimension])
    per_person = dimension in (Dimension.WINDOW, Dimension.CLERK)
    targets = {h.id: h.target_wait_minutes * 60 for h, _depth in halls}
    rows = []
    # Clerks appear when they did something in the period (a manager may have stepped in).
    active_clerks = (set(by_ticket) | set(by_rating) | set(by_transfer)) - {None}
    for key, label in _entities(session, dimension, hall, halls, days, active_clerks):
        figures = figures_of(
            by_ticket.get(key, []),
            by_rating.get(key, []),
            len(by_transfer.get(key, [])),
            targets.get(key, target) if dimension == Dimension.HALL else target,
            count_issued=not per_person,
        )
        rows.append({"key": _key_text(key), **label, **figures})
    total = figures_of(tickets, ratings, len(transfers), target)
    if dimension == Dimension.HALL and len(halls) > 1:
        # Each hall has its own target: the tree's service level adds up each hall's own.
        within = sum(row["within_target"] for row in rows)
        total["within_target"] = within
        total["service_level"] = _share(within, total["called"])
    return {
        "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
        "period": period,
        "start": start,
        "end": end,
        "by": dimension,
        "target_wait_minutes": hall.target_wait_minutes,
        "rows": rows,
        "total": {"key": "total", "label": None, "label_en": None, **total},
    }


def _key_text(key: Hashable) -> str:
    return key.isoformat() if isinstance(key, date) else str(key)
