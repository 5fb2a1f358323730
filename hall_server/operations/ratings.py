"""Satisfaction ratings (好差评): five levels, optional reasons, one rating per finished case.

A visitor rates at the window's rating pad (a tablet facing them) or on their phone through the
ticket's status link. The rating is linked to the case, the window and the clerk who served it;
cases nobody rates simply stay unrated.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations.access import Actor, Role, require_role
from hall_server.operations.live_events import record_event
from hall_server.operations.record_refs import clerk_ref, name_ref, window_ref
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Hall, Rating, Service, Ticket, User, Window

# How long after a finish the window's pad keeps offering the case (the visitor is still there).
PAD_OFFER_MINUTES = 10
MAX_COMMENT = 200


class SatisfactionLevel(enum.StrEnum):
    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意


class RatingChannel(enum.StrEnum):
    RATING_PAD = "rating_pad"
    MOBILE = "mobile"


@dataclass(frozen=True)
class Choice:
    code: str
    label_zh: str
    label_en: str


LEVELS: dict[str, tuple[int, Choice]] = {
    SatisfactionLevel.VERY_SATISFIED: (5, Choice("very_satisfied", "非常满意", "Very satisfied")),
    SatisfactionLevel.SATISFIED: (4, Choice("satisfied", "满意", "Satisfied")),
    SatisfactionLevel.BASICALLY_SATISFIED: (
        3,
        Choice("basically_satisfied", "基本满意", "Fairly satisfied"),
    ),
    SatisfactionLevel.DISSATISFIED: (2, Choice("dissatisfied", "不满意", "Dissatisfied")),
    SatisfactionLevel.VERY_DISSATISFIED: (
        1,
        Choice("very_dissatisfied", "非常不满意", "Very dissatisfied"),
    ),
}
# Praise for the two top levels; what went wrong for the rest (基本满意 may still complain).
PRAISE = (
    Choice("friendly_service", "服务热情", "Friendly service"),
    Choice("efficient", "办事高效", "Quick and efficient"),
    Choice("done_in_one_trip", "一次办好", "Done in one trip"),
    Choice("clear_guidance", "指引清楚", "Clear guidance"),
)
COMPLAINTS = (
    Choice("long_wait", "等候时间长", "Waited too long"),
    Choice("slow_handling", "办理时间长", "Handling took too long"),
    Choice("poor_attitude", "服务态度差", "Unfriendly service"),
    Choice("unclear_requirements", "材料要求不清", "Requirements were unclear"),
    Choice("repeated_trips", "多次跑动", "Had to come more than once"),
    Choice("complicated_procedure", "流程繁琐", "Procedure too complicated"),
)
PRAISE_MIN_SCORE = 4
GOOD_MIN_SCORE = 3  # 好评: basically satisfied or better; 差评: below


def score_of(level: str) -> int:
    if level not in LEVELS:
        raise Refused("invalid_rating_level", f"unknown rating level {level!r}", field="level")
    return LEVELS[level][0]


def allowed_reasons(level: str) -> tuple[str, ...]:
    choices = PRAISE if score_of(level) >= PRAISE_MIN_SCORE else COMPLAINTS
    return tuple(choice.code for choice in choices)


def check_rating(level: str, reasons: list[str], comment: str | None) -> None:
    """The rating's own rules, before anything is looked up or written."""
    allowed = allowed_reasons(level)
    wrong = [reason for reason in reasons if reason not in allowed]
    if wrong:
        raise Refused(
            "invalid_rating_reason",
            f"reasons {wrong} do not fit the level {level!r}; choose from {list(allowed)}",
            field="reasons",
        )
    if len(set(reasons)) != len(reasons):
        raise Refused("invalid_rating_reason", "a reason is given twice", field="reasons")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Refused("comment_too_long", f"at most {MAX_COMMENT} characters", field="comment")


def rating_options() -> dict[str, Any]:
    """The five levels (best first) and the reasons each may carry, with labels for pages."""

    def choice(item: Choice) -> dict[str, str]:
        return {"code": item.code, "label_zh": item.label_zh, "label_en": item.label_en}

    return {
        "levels": [
            {**choice(item), "score": score, "reasons": list(allowed_reasons(code))}
            for code, (score, item) in LEVELS.items()
        ],
        "reasons": [choice(item) for item in (*PRAISE, *COMPLAINTS)],
    }


def rating_choices_in(locale: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The levels (best first, each with the reasons it may carry) and the reasons' labels, in
    one page's language: what the window's rating pad and the phone's status page offer."""
    options = options if options is not None else rating_options()
    label = "label_zh" if locale == "zh" else "label_en"
    return {
        "levels": [
            {"code": level["code"], "label": level[label], "reasons": level["reasons"]}
            for level in options["levels"]
        ],
        "reasons": {reason["code"]: reason[label] for reason in options["reasons"]},
    }


def rating_view(rating: Rating, ticket_number: str) -> dict[str, Any]:
    return {
        "id": rating.id,
        "ticket_id": rating.ticket_id,
        "ticket_number": ticket_number,
        "hall_id": rating.hall_id,
        "window_id": rating.window_id,
        "clerk_id": rating.clerk_id,
        "level": rating.level,
        "score": rating.score,
        "reasons": list(rating.reasons or []),
        "comment": rating.comment,
        "channel": rating.channel,
        "rated_at": rating.rated_at,
    }


def _public_rating(view: dict[str, Any]) -> dict[str, Any]:
    """What the hall's screens hear: no comment, which may hold personal words."""
    return {key: value for key, value in view.items() if key != "comment"}


def _existing_rating(session: Session, ticket_id: int) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))


def _require_rateable(session: Session, ticket: Ticket) -> None:
    if ticket.status != TicketStatus.FINISHED:
        raise Refused(
            "not_rateable", f"ticket {ticket.number} is {ticket.status}; only finished cases"
        )
    if _existing_rating(session, ticket.id) is not None:
        raise Refused("already_rated", f"the case of ticket {ticket.number} is already rated")


def rate_case(
    uow: UnitOfWork,
    ticket: Ticket,
    level: str,
    reasons: list[str],
    comment: str | None,
    channel: str,
    now: datetime,
    device_id: int | None = None,
) -> dict[str, Any]:
    """Record the one rating of a finished case and tell the hall (the pad resets, figures move)."""
    check_rating(level, reasons, comment)
    session = uow.session
    _require_rateable(session, ticket)
    rating = Rating(
        ticket_id=ticket.id,
        hall_id=ticket.hall_id,
        window_id=ticket.window_id,
        clerk_id=ticket.served_by_user_id,
        local_date=ticket.local_date,
        level=level,
        score=score_of(level),
        reasons=list(reasons),
        comment=comment or None,
        channel=channel,
        device_id=device_id,
        rated_at=now,
    )
    try:
        # A phone and the pad may rate at the same instant; the unique ticket_id decides.
        with session.begin_nested():
            session.add(rating)
            session.flush()
    except IntegrityError:
        raise Refused(
            "already_rated", f"the case of ticket {ticket.number} is already rated"
        ) from None
    view = rating_view(rating, ticket.number)
    record_event(
        uow, "ticket.rated", ticket.hall_id, {"rating": _public_rating(view)}, (ticket.window_id,)
    )
    return view


def ticket_by_status_token(session: Session, token: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.status_token == token))
    if ticket is None:
        raise Refused("not_found", "no ticket with this link; it may be from another day")
    return ticket


def rate_by_visitor(
    uow: UnitOfWork,
    token: str,
    level: str,
    reasons: list[str],
    comment: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The visitor rates on their phone, through the secret link of their ticket."""
    ticket = ticket_by_status_token(uow.session, token)
    return rate_case(uow, ticket, level, reasons, comment, RatingChannel.MOBILE, now)


def visitor_rating_state(session: Session, token: str) -> dict[str, Any]:
    """For the ticket's status page: may this case be rated, and how it was rated."""
    ticket = ticket_by_status_token(session, token)
    existing = _existing_rating(session, ticket.id)
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.number,
        "rateable": ticket.status == TicketStatus.FINISHED and existing is None,
        "rating": None if existing is None else rating_view(existing, ticket.number),
    }


def _pad_window(session: Session, actor: Actor) -> Window:
    require_role(actor, Role.RATING_PAD)
    window = session.get(Window, actor.window_id) if actor.window_id else None
    if window is None:
        raise Refused("window_required", "this rating pad is not assigned to a window")
    return window


def rate_at_pad(
    uow: UnitOfWork,
    actor: Actor,
    ticket_id: int,
    level: str,
    reasons: list[str],
    comment: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The visitor taps a level on the pad of the window that just served them."""
    session = uow.session
    window = _pad_window(session, actor)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.hall_id != window.hall_id:
        raise Refused("not_found", f"no ticket with id {ticket_id} in this hall")
    if ticket.window_id != window.id:
        raise Refused(
            "ticket_at_other_window",
            f"ticket {ticket.number} was not served at window {window.number}",
        )
    hall = session.get(Hall, window.hall_id)
    assert hall is not None
    if ticket.local_date != local_business_date(now, hall.time_zone):
        raise Refused("not_rateable", "the pad rates today's cases; older ones rate by phone")
    return rate_case(
        uow, ticket, level, reasons, comment, RatingChannel.RATING_PAD, now, device_id=actor.id
    )


def rating_pad_state(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """What the pad shows: its window and clerk, and the just-finished case awaiting a rating."""
    window = _pad_window(session, actor)
    clerk = session.get(User, window.clerk_id) if window.clerk_id else None
    latest = session.scalar(
        select(Ticket)
        .where(
            Ticket.window_id == window.id,
            Ticket.status == TicketStatus.FINISHED,
            Ticket.finished_at >= now - timedelta(minutes=PAD_OFFER_MINUTES),
        )
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    pending = None
    if latest is not None and _existing_rating(session, latest.id) is None:
        pending = pad_ticket(session, latest)
    return {
        "device_id": actor.id,
        "window": window_ref(window),
        "clerk": clerk_ref(clerk),
        "pending_ticket": pending,
        "offer_minutes": PAD_OFFER_MINUTES,
    }


def pad_ticket(session: Session, ticket: Ticket) -> dict[str, Any]:
    service = session.get(Service, ticket.service_id)
    assert service is not None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": name_ref(service),
        "finished_at": ticket.finished_at,
        "outcome": ticket.outcome,
    }
