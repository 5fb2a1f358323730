"""Read models: the hall list, its services and windows, and the live board snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import AT_WINDOW_STATUSES, TicketStatus
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
