"""Read models: the hall list, its services and windows, and the live board snapshot."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hall_server.core.calling_policy import CallingPolicy
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import AT_WINDOW_STATUSES, TicketStatus, VisitorClass
from hall_server.core.wait_forecast import WaitForecast
from hall_server.core.window_life import WindowStatus
from hall_server.operations.queue_reads import policy_for, public_ticket, ticket_view
from hall_server.operations.wait_predictions import new_ticket_forecasts
from hall_server.operations.window_operations import window_view
from hall_server.storage.models import (
    Department,
    Hall,
    Service,
    Ticket,
    TicketEvent,
    Window,
    WindowService,
)

RECENT_CALLS = 12
CALL_ACTIONS = ("called", "recalled", "resumed")


def hall_view(hall: Hall) -> dict[str, Any]:
    return {
        "id": hall.id,
        "code": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "level": hall.level,
        "parent_id": hall.parent_id,
        "time_zone": hall.time_zone,
        "opening_hours": hall.opening_hours,
        "notice_lines": list(hall.notice_lines or []),
        "target_wait_minutes": hall.target_wait_minutes,
    }


def list_halls(session: Session) -> list[dict[str, Any]]:
    return [hall_view(h) for h in session.scalars(select(Hall).order_by(Hall.id))]


def require_hall(session: Session, hall_id: int) -> Hall:
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    return hall


def list_services(session: Session, hall_id: int) -> list[dict[str, Any]]:
    require_hall(session, hall_id)
    rows = session.execute(
        select(Service, Department)
        .join(Department, Department.id == Service.department_id)
        .where(Service.hall_id == hall_id)
        .order_by(Department.id, Service.id)
    ).all()
    return [
        {
            "id": s.id,
            "code": s.code,
            "name": s.name,
            "name_en": s.name_en,
            "pinyin_initials": s.pinyin_initials,
            "prefix": s.prefix,
            "expected_handling_minutes": s.expected_handling_minutes,
            "daily_quota": s.daily_quota,
            "issuing_hours": s.issuing_hours,
            "active": s.active,
            "department": {"id": d.id, "code": d.code, "name": d.name, "name_en": d.name_en},
        }
        for s, d in rows
    ]


def list_windows(session: Session, hall_id: int) -> list[dict[str, Any]]:
    require_hall(session, hall_id)
    windows = session.scalars(
        select(Window).where(Window.hall_id == hall_id).order_by(Window.number)
    )
    return [window_view(session, w) for w in windows]


def _waiting_by_service(session: Session, hall: Hall, now: datetime) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(
            select(Ticket.service_id, func.count())
            .where(Ticket.hall_id == hall.id, Ticket.status == TicketStatus.WAITING)
            .group_by(Ticket.service_id)
        ).all()
    )
    pools: dict[int, list[int]] = {}
    for service_id, window_id, status in session.execute(
        select(WindowService.service_id, Window.id, Window.status)
        .join(Window, Window.id == WindowService.window_id)
        .where(Window.hall_id == hall.id)
    ):
        if status == WindowStatus.OPEN:
            pools.setdefault(service_id, []).append(window_id)
    forecasts = new_ticket_forecasts(session, hall, policy_for(hall), now)
    result = []
    for service in session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.active.is_(True))
    ):
        pool = pools.get(service.id, [])
        forecast = forecasts.get(service.id)
        estimate = None if forecast is None else forecast.display()
        result.append(
            {
                "service_id": service.id,
                "name": service.name,
                "name_en": service.name_en,
                "department_id": service.department_id,
                "prefix": service.prefix,
                "waiting": counts.get(service.id, 0),
                "open_windows": len(pool),
                "estimated_wait_for_new_ticket": None if estimate is None else estimate.to_dict(),
            }
        )
    return result


def new_ticket_figures(session: Session, hall: Hall, now: datetime) -> dict[int, dict[str, Any]]:
    """For each active service: the people a walk-in ticket taken now would have ahead of it
    and its estimated wait, as the kiosk's confirmation (issue_preview.py) and the ticket
    once issued count them. "Ahead" is everyone waiting that the windows able to serve it would
    call first, other services' visitors at shared comprehensive windows included, so it is
    not the service's own waiting count.

    One forecast for the hall and, where a service has no forecast (no window serves it now)
    or its forecast ran past the cut-off, one count of the hall's waiting tickets split by
    pool: cheap enough for a kiosk to ask every half minute in a hall of thousands of
    services."""
    policy = policy_for(hall)
    forecasts = new_ticket_forecasts(session, hall, policy, now)
    service_ids = list(
        session.scalars(
            select(Service.id)
            .where(Service.hall_id == hall.id, Service.active.is_(True))
            .order_by(Service.id)
        )
    )
    counted: dict[int, int] | None = None
    figures = {}
    for service_id in service_ids:
        forecast = forecasts.get(service_id)
        if forecast is not None and not forecast.beyond_cutoff:
            ahead = forecast.people_ahead
        else:
            if counted is None:
                counted = _walk_ins_ahead_counted(session, hall, policy, now)
            ahead = counted.get(service_id, 0)
        figures[service_id] = {
            "people_ahead": ahead,
            "estimated_wait": _estimate(forecast),
        }
    return figures


def _estimate(forecast: WaitForecast | None) -> dict[str, Any] | None:
    return None if forecast is None else forecast.display().to_dict()


def _walk_ins_ahead_counted(
    session: Session, hall: Hall, policy: CallingPolicy, now: datetime
) -> dict[int, int]:
    """Per service, the waiting tickets a walk-in issued now would have ahead of it, by the rule
    waiting_heads.count_waiting_ahead counts one ticket's (the confirmation's, where no forecast
    places the ticket): of the services of the windows (not closed) that serve it, or of its
    own if none does; of a class the policy ranks first, or of the walk-ins' rank and queued no
    later than now. One grouped count for every service, rather than a count each."""
    services_of: dict[int, set[int]] = defaultdict(set)
    windows_for: dict[int, set[int]] = defaultdict(set)
    for service_id, window_id in session.execute(
        select(WindowService.service_id, Window.id)
        .join(Window, Window.id == WindowService.window_id)
        .where(Window.hall_id == hall.id, Window.status != WindowStatus.CLOSED)
    ):
        services_of[window_id].add(service_id)
        windows_for[service_id].add(window_id)
    rank = policy.class_rank(VisitorClass.WALK_IN)
    ahead_in: dict[int, int] = defaultdict(int)  # per service: its tickets a walk-in waits behind
    for service_id, visitor_class, waiting, queued_by_now in session.execute(
        select(
            Ticket.service_id,
            Ticket.visitor_class,
            func.count(),
            func.sum(case((Ticket.queue_key <= now, 1), else_=0)),
        )
        .where(Ticket.hall_id == hall.id, Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.service_id, Ticket.visitor_class)
    ):
        class_rank = policy.class_rank(visitor_class)
        if class_rank < rank:
            ahead_in[service_id] += int(waiting)
        elif class_rank == rank:
            ahead_in[service_id] += int(queued_by_now or 0)
    by_pool: dict[frozenset[int], int] = {}  # services sharing their windows share the count
    counted = {}
    for service_id in {*ahead_in, *windows_for}:
        pool = frozenset(windows_for.get(service_id, ()))
        if not pool:
            counted[service_id] = ahead_in.get(service_id, 0)
            continue
        if pool not in by_pool:
            served = {s for window_id in pool for s in services_of[window_id]}
            by_pool[pool] = sum(ahead_in.get(s, 0) for s in served)
        counted[service_id] = by_pool[pool]
    return counted


def recent_calls(session: Session, hall_id: int, limit: int = RECENT_CALLS) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            TicketEvent,
            Ticket.number,
            Window.number,
            Window.name,
            Ticket.service_id,
            Ticket.holder_display_name,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Window, Window.id == TicketEvent.window_id)
        .where(TicketEvent.hall_id == hall_id, TicketEvent.action.in_(CALL_ACTIONS))
        .order_by(TicketEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "ticket_id": event.ticket_id,
            "ticket_number": number,
            "window_id": event.window_id,
            "window_number": window_number,
            "window_name": window_name,
            "action": event.action,
            "at": event.at,
            # Boards filter calls by service and may show the (already masked) name.
            "service_id": service_id,
            "holder_display_name": holder_display_name,
        }
        for event, number, window_number, window_name, service_id, holder_display_name in rows
    ]


def board_snapshot(session: Session, hall_id: int, now: datetime) -> dict[str, Any]:
    """Everything a lobby board, window display or counter shows, with the hall's current seq."""
    hall = require_hall(session, hall_id)
    windows = []
    for window in session.scalars(
        select(Window).where(Window.hall_id == hall_id).order_by(Window.number)
    ):
        view = window_view(session, window)
        current = session.scalar(
            select(Ticket)
            .where(Ticket.window_id == window.id, Ticket.status.in_(AT_WINDOW_STATUSES))
            .order_by(Ticket.called_at.desc())
        )
        view["current_ticket"] = (
            None
            if current is None
            else public_ticket(ticket_view(session, current, now, with_position=False))
        )
        windows.append(view)
    return {
        "seq": hall.event_seq,
        "hall": hall_view(hall),
        "server_time": now,
        "windows": windows,
        "recent_calls": recent_calls(session, hall_id),
        "waiting": _waiting_by_service(session, hall, now),
        "total_waiting": int(
            session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.hall_id == hall_id, Ticket.status == TicketStatus.WAITING)
            )
            or 0
        ),
    }
