"""Reads of the live queue: heads for calling, people ahead, wait estimates, ticket views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import Session

from hall_server.core import wait_estimate
from hall_server.core.calling_policy import CallingPolicy, QueueHead, policy_named
from hall_server.core.numbering import local_business_date
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import AT_WINDOW_STATUSES, TicketStatus, VisitorClass
from hall_server.core.window_life import WindowStatus
from hall_server.storage.models import Hall, Service, Ticket, Window, WindowService


def get_or_refuse(session: Session, model: Any, object_id: int, what: str) -> Any:
    found = session.get(model, object_id)
    if found is None:
        raise Refused("not_found", f"no {what} with id {object_id}")
    return found


def policy_for(hall: Hall) -> CallingPolicy:
    return policy_named(hall.calling_policy)


def window_service_ids(session: Session, window_id: int) -> tuple[int, ...]:
    rows = session.scalars(
        select(WindowService.service_id)
        .where(WindowService.window_id == window_id)
        .order_by(WindowService.position)
    )
    return tuple(rows)


def _head_from_row(ticket: Ticket) -> QueueHead:
    return QueueHead(
        ticket_id=ticket.id,
        service_id=ticket.service_id,
        visitor_class=ticket.visitor_class,
        queue_key=ticket.queue_key,
        issued_at=ticket.issued_at,
        target_window_id=ticket.target_window_id,
        appointment_due_at=ticket.appointment_due_at,
    )


def queue_heads(
    session: Session,
    hall_id: int,
    service_ids: tuple[int, ...],
    window_id: int,
    excluded_ids: frozenset[int] = frozenset(),
) -> list[QueueHead]:
    """The first waiting ticket of every (service, visitor class) queue this window may call.

    Each is one index seek, so calling stays fast however many people wait.
    """
    if not service_ids:
        return []
    heads = []
    for service_id in service_ids:
        for visitor_class in VisitorClass:
            conditions = [
                Ticket.hall_id == hall_id,
                Ticket.status == TicketStatus.WAITING,
                Ticket.service_id == service_id,
                Ticket.visitor_class == visitor_class.value,
                or_(Ticket.target_window_id.is_(None), Ticket.target_window_id == window_id),
            ]
            if excluded_ids:
                conditions.append(Ticket.id.not_in(excluded_ids))
            heads.append(select(Ticket.id).where(*conditions).order_by(Ticket.queue_key).limit(1))
    ids = list(session.scalars(union_all(*[h.subquery().select() for h in heads])))
    if not ids:
        return []
    rows = session.scalars(select(Ticket).where(Ticket.id.in_(ids)))
    return [_head_from_row(row) for row in rows]


def lock_waiting_ticket(session: Session, ticket_id: int, use_row_locks: bool) -> Ticket | None:
    """Lock a ticket we mean to call; None if another window holds it or already called it."""
    query = select(Ticket).where(Ticket.id == ticket_id, Ticket.status == TicketStatus.WAITING)
    if use_row_locks:
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def serving_pool(session: Session, service_id: int) -> list[int]:
    """Ids of windows (not closed) that serve this service."""
    rows = session.scalars(
        select(Window.id)
        .join(WindowService, WindowService.window_id == Window.id)
        .where(WindowService.service_id == service_id, Window.status != WindowStatus.CLOSED)
    )
    return list(rows)


def pool_service_ids(session: Session, window_ids: list[int]) -> list[int]:
    if not window_ids:
        return []
    rows = session.scalars(
        select(WindowService.service_id).where(WindowService.window_id.in_(window_ids)).distinct()
    )
    return list(rows)


def people_ahead(session: Session, ticket: Ticket, policy: CallingPolicy) -> int:
    """Waiting tickets that the windows able to serve this one would call first."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    pool = serving_pool(session, ticket.service_id)
    services = pool_service_ids(session, pool) or [ticket.service_id]
    rank = policy.class_rank(ticket.visitor_class)
    higher_classes = [c.value for c in VisitorClass if policy.class_rank(c) < rank]
    same_classes = [c.value for c in VisitorClass if policy.class_rank(c) == rank]
    count = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.hall_id == ticket.hall_id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id.in_(services),
            Ticket.id != ticket.id,
            or_(
                Ticket.visitor_class.in_(higher_classes),
                and_(
                    Ticket.visitor_class.in_(same_classes),
                    or_(
                        Ticket.queue_key < ticket.queue_key,
                        and_(Ticket.queue_key == ticket.queue_key, Ticket.id < ticket.id),
                    ),
                ),
            ),
        )
    )
    return int(count or 0)


def learned_handling_seconds(
    session: Session, service: Service, hall: Hall, now: datetime
) -> float:
    """Today's finished cases of this service, blended with its expected handling time."""
    today = local_business_date(now, hall.time_zone)
    rows = session.execute(
        select(Ticket.called_at, Ticket.finished_at).where(
            Ticket.hall_id == hall.id,
            Ticket.service_id == service.id,
            Ticket.local_date == today,
            Ticket.status == TicketStatus.FINISHED,
        )
    ).all()
    durations = [(f - c).total_seconds() for c, f in rows if c is not None and f is not None]
    return wait_estimate.learned_handling_seconds(
        durations, service.expected_handling_minutes * 60.0
    )


def estimate_for(
    session: Session, ticket: Ticket, hall: Hall, service: Service, ahead: int, now: datetime
) -> wait_estimate.WaitEstimate | None:
    pool = serving_pool(session, ticket.service_id)
    open_pool = list(
        session.scalars(
            select(Window.id).where(Window.id.in_(pool), Window.status == WindowStatus.OPEN)
        )
    )
    busy = 0
    if open_pool:
        busy = int(
            session.scalar(
                select(func.count(func.distinct(Ticket.window_id))).where(
                    Ticket.window_id.in_(open_pool), Ticket.status.in_(AT_WINDOW_STATUSES)
                )
            )
            or 0
        )
    mean = learned_handling_seconds(session, service, hall, now)
    return wait_estimate.estimate_wait(ahead, len(open_pool), busy, mean)


def ticket_view(
    session: Session, ticket: Ticket, now: datetime, with_position: bool = True
) -> dict[str, Any]:
    """The public picture of a ticket, as the API returns it and live events carry it."""
    hall = session.get(Hall, ticket.hall_id)
    service = session.get(Service, ticket.service_id)
    assert hall is not None and service is not None
    window = session.get(Window, ticket.window_id) if ticket.window_id else None
    view: dict[str, Any] = {
        "id": ticket.id,
        "hall_id": ticket.hall_id,
        "number": ticket.number,
        "status": ticket.status,
        "visitor_class": ticket.visitor_class,
        "service": {"id": service.id, "name": service.name, "name_en": service.name_en},
        "status_token": ticket.status_token,
        "holder_display_name": ticket.holder_display_name,
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "finished_at": ticket.finished_at,
        "recall_count": ticket.recall_count,
        "outcome": ticket.outcome,
        "transfer_count": ticket.transfer_count,
        "target_window_id": ticket.target_window_id,
        "window": None
        if window is None
        else {"id": window.id, "number": window.number, "name": window.name},
        "people_ahead": None,
        "estimated_wait": None,
    }
    if with_position and ticket.status == TicketStatus.WAITING:
        ahead = people_ahead(session, ticket, policy_for(hall))
        estimate = estimate_for(session, ticket, hall, service, ahead, now)
        view["people_ahead"] = ahead
        view["estimated_wait"] = None if estimate is None else estimate.to_dict()
    return view


def public_ticket(view: dict[str, Any]) -> dict[str, Any]:
    """What every screen in the hall may see of a ticket: no tokens, no print payloads."""
    return {k: v for k, v in view.items() if k not in {"status_token", "status_url", "print_job"}}
