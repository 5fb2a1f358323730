"""The ratings behind a report's averages, one row per rated case, so that managers can follow up
every poor rating (差评): which case, at which window and by which clerk, the level, the reasons
chosen and the visitor's comment.

Comments may hold personal words: only managers and administrators read them, here and in the
report's XLSX file; no event and no public screen carries them (ratings.py leaves them out of
`ticket.rated`). A rating belongs to its case's local day (`Rating.local_date`), as it counts in
the report; its service is the one the case was finished under, at the window that was rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hall_server.core.numbering import local_time
from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.ratings import (
    COMPLAINTS,
    GOOD_MIN_SCORE,
    LEVELS,
    PRAISE,
    Choice,
    RatingChannel,
)
from hall_server.operations.record_refs import clerk_ref, name_ref, window_ref
from hall_server.operations.reports import hall_subtree, period_bounds
from hall_server.storage.models import Hall, Rating, Service, Ticket, User, Window

ALL_LEVELS = "all"
# 差评: the levels below 好评 (不满意, 非常不满意), worst last as ratings.LEVELS lists them.
POOR_LEVELS = tuple(code for code, (score, _choice) in LEVELS.items() if score < GOOD_MIN_SCORE)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CHANNELS: dict[str, Choice] = {
    RatingChannel.RATING_PAD: Choice("rating_pad", "评价器", "Rating pad"),
    RatingChannel.MOBILE: Choice("mobile", "手机", "Phone"),
}
_REASONS = {choice.code: choice for choice in (*PRAISE, *COMPLAINTS)}


@dataclass(frozen=True)
class RatingSelection:
    """Which ratings of a period: their levels, whether the halls below count, and one page."""

    levels: tuple[str, ...] = POOR_LEVELS
    include_halls_below: bool = False
    limit: int = PAGE_SIZE
    before: int | None = None  # the id of the last rating of the previous page


def chosen_levels(levels: list[str] | None) -> tuple[str, ...]:
    """The level codes asked for: the poor ones when none are given, every one for `all`."""
    if not levels:
        return POOR_LEVELS
    unknown = sorted({level for level in levels if level not in LEVELS and level != ALL_LEVELS})
    if unknown:
        raise Refused(
            "invalid_rating_level",
            f"unknown rating levels {unknown}; choose from {[*LEVELS, ALL_LEVELS]}",
            field="levels",
        )
    if ALL_LEVELS in levels:
        return tuple(LEVELS)
    return tuple(code for code in LEVELS if code in levels)


def _label(choice: Choice, english: bool) -> str:
    return choice.label_en if english else choice.label_zh


def _row(
    rating: Rating,
    ticket_number: str,
    hall: Hall,
    service: Service,
    window: Window | None,
    clerk: User | None,
    english: bool,
) -> dict[str, Any]:
    _score, level = LEVELS[rating.level]
    channel = CHANNELS.get(rating.channel)
    return {
        "id": rating.id,
        "rated_at": local_time(rating.rated_at, hall.time_zone),
        "local_date": rating.local_date,
        "hall": name_ref(hall),
        "ticket_id": rating.ticket_id,
        "ticket_number": ticket_number,
        "service": name_ref(service),
        "window": window_ref(window),
        "clerk": clerk_ref(clerk),
        "level": {"code": rating.level, "label": _label(level, english), "score": rating.score},
        "reasons": [
            {
                "code": code,
                "label": _label(_REASONS[code], english) if code in _REASONS else code,
            }
            for code in rating.reasons or []
        ],
        "comment": rating.comment,
        "channel": {
            "code": rating.channel,
            "label": _label(channel, english) if channel else rating.channel,
        },
    }


def list_ratings(
    session: Session,
    actor: Actor,
    hall_id: int,
    period: str,
    day: date,
    selection: RatingSelection,
    english: bool = False,
) -> dict[str, Any]:
    """The ratings of one hall (and, if asked, the halls below it) over the report's period,
    newest first, one page at a time; labels in Chinese, or English when `english`."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    start, end = period_bounds(period, day)
    tree = hall_subtree(session, hall_id)
    halls = tree if selection.include_halls_below else tree[:1]
    hall_ids = [hall.id for hall, _depth in halls]
    levels = selection.levels
    chosen = and_(
        Rating.hall_id.in_(hall_ids),
        Rating.local_date >= start,
        Rating.local_date <= end,
        Rating.level.in_(levels),
    )
    total = session.scalar(select(func.count(Rating.id)).where(chosen)) or 0
    page = select(Rating, Ticket.number, Hall, Service, Window, User).where(chosen)
    if selection.before is not None:
        last = session.get(Rating, selection.before)
        if last is None or last.hall_id not in hall_ids:
            raise Refused(
                "validation_failed",
                f"rating {selection.before} is not in this list; "
                "use next_before from the previous page",
                field="before",
            )
        page = page.where(
            or_(
                Rating.rated_at < last.rated_at,
                and_(Rating.rated_at == last.rated_at, Rating.id < last.id),
            )
        )
    rows = session.execute(
        page.join(Ticket, Ticket.id == Rating.ticket_id)
        .join(Hall, Hall.id == Rating.hall_id)
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Window, Window.id == Rating.window_id)
        .outerjoin(User, User.id == Rating.clerk_id)
        .order_by(Rating.rated_at.desc(), Rating.id.desc())
        .limit(selection.limit + 1)
    ).all()
    more = len(rows) > selection.limit
    rows = rows[: selection.limit]
    root = tree[0][0]
    return {
        "hall": name_ref(root),
        "period": period,
        "start": start,
        "end": end,
        "levels": list(levels),
        "include_halls_below": selection.include_halls_below,
        "total": total,
        "next_before": rows[-1][0].id if more else None,
        "ratings": [_row(*row, english=english) for row in rows],
    }
