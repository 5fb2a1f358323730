"""A clerk's own figures for today: cases served, handling time, no-shows and ratings."""

from __future__ import annotations

from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core import ticket_life
from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import Outcome, TicketStatus
from hall_server.operations.access import STAFF_ROLES, Actor
from hall_server.operations.ratings import GOOD_MIN_SCORE, LEVELS
from hall_server.storage.models import Hall, Rating, Ticket, TicketEvent, User


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 1) if values else None


def _event_count(session: Session, user_id: int, hall_id: int, day: Any, actions: tuple) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.user_id == user_id,
            TicketEvent.action.in_(actions),
            Ticket.hall_id == hall_id,
            Ticket.local_date == day,
        )
    )
    return int(count or 0)


def _rating_figures(session: Session, user_id: int, day: Any) -> dict[str, Any]:
    scores = dict(
        session.execute(
            select(Rating.level, func.count())
            .where(Rating.clerk_id == user_id, Rating.local_date == day)
            .group_by(Rating.level)
        ).all()
    )
    by_level = {level: int(scores.get(level, 0)) for level in LEVELS}
    count = sum(by_level.values())
    total = sum(LEVELS[level][0] * n for level, n in by_level.items())
    good = sum(n for level, n in by_level.items() if LEVELS[level][0] >= GOOD_MIN_SCORE)
    return {
        "count": count,
        "average_score": round(total / count, 2) if count else None,
        "good": good,
        "poor": count - good,
        "by_level": by_level,
    }


def clerk_figures_today(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """Counted over the hall's local day of `now`, for the person asking."""
    if actor.kind != "user" or actor.role not in STAFF_ROLES:
        raise Refused("forbidden_role", "figures belong to a person; log in as staff")
    user = session.get(User, actor.id)
    hall = session.get(Hall, actor.hall_id)
    if user is None or hall is None:
        raise Refused("not_found", "unknown staff member")
    today = local_business_date(now, hall.time_zone)
    finished = list(
        session.scalars(
            select(Ticket).where(
                Ticket.served_by_user_id == user.id,
                Ticket.status == TicketStatus.FINISHED,
                Ticket.local_date == today,
            )
        )
    )
    handling = [s for t in finished if (s := ticket_life.handling_seconds(t)) is not None]
    waits = [s for t in finished if (s := ticket_life.wait_seconds(t)) is not None]
    by_outcome = {outcome.value: 0 for outcome in Outcome}
    for ticket in finished:
        if ticket.outcome in by_outcome:
            by_outcome[ticket.outcome] += 1
    ratings = _rating_figures(session, user.id, today)
    return {
        "date": today,
        "user": {"id": user.id, "name": user.name, "staff_number": user.staff_number},
        "served": len(finished),
        "by_outcome": by_outcome,
        "average_handling_seconds": _mean(handling),
        "average_wait_seconds": _mean(waits),
        "calls": _event_count(session, user.id, hall.id, today, ("called", "resumed")),
        "no_shows": _event_count(session, user.id, hall.id, today, ("no_show",)),
        "transferred": _event_count(session, user.id, hall.id, today, ("transferred",)),
        "parked": _event_count(session, user.id, hall.id, today, ("parked",)),
        "ratings": ratings,
        "rated_share": round(ratings["count"] / len(finished), 3) if finished else None,
    }
