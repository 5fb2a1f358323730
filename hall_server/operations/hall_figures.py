"""Live figures for hall managers: who waits where now, how today has gone so far, the day's
charts and the alerts of one hall; and the same in short for every hall of a network."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.numbering import local_business_date
from hall_server.core.ticket_life import TicketStatus
from hall_server.core.window_life import WindowStatus
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.alerts import (
    CRITICAL,
    AlertSettings,
    HallFacts,
    current_alerts,
    read_hall_facts,
)
from hall_server.operations.daily_quota import quota_tickets_today
from hall_server.operations.hall_reads import board_snapshot, require_hall
from hall_server.operations.reports import (
    TicketRow,
    figures_of,
    hall_subtree,
    read_rating_rows,
    read_ticket_rows,
    read_transfer_rows,
)
from hall_server.storage.models import Department, Device, Hall, Service, Ticket, TicketEvent

CHART_STEP_MINUTES = 15
WAIT_BUCKETS_MINUTES = (0, 5, 10, 15, 20, 30, 45, 60)
# How a ticket's history moves it into (+1) or out of (-1) the waiting queue; issue is +1.
WAITING_MOVES = {"called": -1, "cancelled": -1, "expired": -1, "requeued": 1, "transferred": 1}


def require_manager_of(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    return require_hall(session, hall_id)


# ----- now -----


def _device_view(device: Device, now: datetime, settings: AlertSettings) -> dict[str, Any]:
    silent_after = timedelta(minutes=settings.device_offline_minutes)
    return {
        "id": device.id,
        "kind": device.kind,
        "name": device.name,
        "window_id": device.window_id,
        "printer_status": device.printer_status,
        "last_seen_at": device.last_seen_at,
        "online": None if device.last_seen_at is None else now - device.last_seen_at < silent_after,
    }


def _now_figures(
    session: Session,
    hall: Hall,
    snapshot: dict[str, Any],
    tickets: list[TicketRow],
    facts: HallFacts,
    now: datetime,
) -> dict[str, Any]:
    oldest = {
        q.service_id: (q.oldest_issued_at, q.oldest_number)
        for q in facts.queues
        if q.oldest_issued_at is not None
    }
    issued = Counter(t.service_id for t in tickets)
    # What the daily quota counts (a cancelled ticket gives its place back), as issuing counts it.
    quota_taken = quota_tickets_today(session, hall.id, local_business_date(now, hall.time_zone))
    services = {s.id: s for s in session.scalars(select(Service).where(Service.hall_id == hall.id))}
    departments = {
        d.id: d for d in session.scalars(select(Department).where(Department.hall_id == hall.id))
    }
    service_rows = []
    by_department: dict[int, dict[str, Any]] = {}
    for row in snapshot["waiting"]:
        service = services[row["service_id"]]
        since = oldest.get(service.id)
        longest = None if since is None else (now - since[0]).total_seconds()
        service_rows.append(
            {
                **row,
                "longest_wait_seconds": longest,
                "issued_today": issued.get(service.id, 0),
                "quota_taken": quota_taken.get(service.id, 0),
                "daily_quota": service.daily_quota,
            }
        )
        department = departments[service.department_id]
        group = by_department.setdefault(
            department.id,
            {
                "department_id": department.id,
                "name": department.name,
                "name_en": department.name_en,
                "waiting": 0,
                "longest_wait_seconds": None,
            },
        )
        group["waiting"] += row["waiting"]
        if longest is not None:
            group["longest_wait_seconds"] = max(group["longest_wait_seconds"] or 0, longest)
    longest_overall = None
    if oldest:
        service_id, (issued_at, number) = min(oldest.items(), key=lambda item: item[1][0])
        service = services[service_id]
        longest_overall = {
            "ticket_number": number,
            "service_id": service_id,
            "service_name": service.name,
            "service_name_en": service.name_en,
            "issued_at": issued_at,
            "seconds": (now - issued_at).total_seconds(),
        }
    settings = AlertSettings.of(hall.alert_settings)
    devices = session.scalars(
        select(Device)
        .where(Device.hall_id == hall.id, Device.revoked_at.is_(None))
        .order_by(Device.kind, Device.id)
    )
    window_states = Counter(w["status"] for w in snapshot["windows"])
    return {
        "total_waiting": snapshot["total_waiting"],
        "longest_wait": longest_overall,
        "services": service_rows,
        "departments": sorted(by_department.values(), key=lambda d: d["department_id"]),
        "windows": snapshot["windows"],
        "window_states": {state.value: window_states.get(state.value, 0) for state in WindowStatus},
        "devices": [_device_view(d, now, settings) for d in devices],
    }


# ----- charts -----


def _local_slot(moment: datetime, zone: ZoneInfo, minutes: int) -> datetime:
    local = moment.astimezone(zone)
    return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)


def _waiting_through_day(
    session: Session, hall: Hall, tickets: list[TicketRow], today: date, now: datetime
) -> list[dict[str, Any]]:
    """How many were waiting at each quarter hour of the day so far."""
    if not tickets:
        return []
    moves = [(t.issued_at, 1) for t in tickets]
    for at, action in session.execute(
        select(TicketEvent.at, TicketEvent.action)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.local_date == today,
            TicketEvent.action.in_(tuple(WAITING_MOVES)),
        )
    ):
        moves.append((at, WAITING_MOVES[action]))
    moves.sort(key=lambda move: move[0])
    zone = ZoneInfo(hall.time_zone)
    step = timedelta(minutes=CHART_STEP_MINUTES)
    slot = _local_slot(moves[0][0], zone, CHART_STEP_MINUTES) + step
    points, waiting, index = [], 0, 0
    while True:
        moment = min(slot, now.astimezone(zone))
        while index < len(moves) and moves[index][0] <= moment:
            waiting += moves[index][1]
            index += 1
        points.append({"at": moment, "time": moment.strftime("%H:%M"), "waiting": waiting})
        if slot >= now:
            return points
        slot += step


def _per_hour(hall: Hall, tickets: list[TicketRow]) -> list[dict[str, Any]]:
    """Arrivals (tickets issued) against cases finished, per local hour."""
    zone = ZoneInfo(hall.time_zone)
    arrivals = Counter(t.issued_at.astimezone(zone).hour for t in tickets)
    served = Counter(
        t.finished_at.astimezone(zone).hour
        for t in tickets
        if t.status == TicketStatus.FINISHED and t.finished_at is not None
    )
    hours = set(arrivals) | set(served)
    if not hours:
        return []
    return [
        {"hour": hour, "arrivals": arrivals.get(hour, 0), "served": served.get(hour, 0)}
        for hour in range(min(hours), max(hours) + 1)
    ]


def wait_distribution(tickets: list[TicketRow]) -> list[dict[str, Any]]:
    """How many called tickets waited 0–5 minutes, 5–10, …, and an hour or more."""
    bounds = WAIT_BUCKETS_MINUTES
    counts = [0] * len(bounds)
    for ticket in tickets:
        wait = ticket.wait_seconds
        if wait is not None:
            counts[max(0, bisect_right(bounds, wait / 60) - 1)] += 1
    return [
        {
            "from_minutes": low,
            "to_minutes": bounds[i + 1] if i + 1 < len(bounds) else None,
            "count": counts[i],
        }
        for i, low in enumerate(bounds)
    ]


# ----- the dashboard -----


def _today(session: Session, hall: Hall, today: date) -> tuple[list[TicketRow], dict[str, Any]]:
    tickets = read_ticket_rows(session, [hall.id], today, today)
    figures = figures_of(
        tickets,
        read_rating_rows(session, [hall.id], today, today),
        len(read_transfer_rows(session, [hall.id], today, today)),
        hall.target_wait_minutes * 60,
    )
    figures["target_wait_minutes"] = hall.target_wait_minutes
    return tickets, figures


def hall_dashboard(session: Session, actor: Actor, hall_id: int, now: datetime) -> dict[str, Any]:
    """Everything the manager's dashboard shows for one hall, as of `now`."""
    hall = require_manager_of(session, actor, hall_id)
    snapshot = board_snapshot(session, hall_id, now)
    today = local_business_date(now, hall.time_zone)
    tickets, figures = _today(session, hall, today)
    figures["waiting"] = snapshot["total_waiting"]
    facts = read_hall_facts(session, hall.id, now)
    return {
        # Events up to this seq are in these figures; the page refreshes on later ones.
        "seq": snapshot["seq"],
        "hall": snapshot["hall"],
        "server_time": now,
        "date": today,
        "alert_settings": AlertSettings.of(hall.alert_settings).to_dict(),
        "now": _now_figures(session, hall, snapshot, tickets, facts, now),
        "today": figures,
        "charts": {
            "waiting_through_day": _waiting_through_day(session, hall, tickets, today, now),
            "per_hour": _per_hour(hall, tickets),
            "wait_distribution": wait_distribution(tickets),
        },
        "alerts": current_alerts(session, hall, now, facts),
    }


# ----- the network -----


def _hall_summary(session: Session, hall: Hall, depth: int, now: datetime) -> dict[str, Any]:
    today = local_business_date(now, hall.time_zone)
    _tickets, figures = _today(session, hall, today)
    facts = read_hall_facts(session, hall.id, now)
    alerts = current_alerts(session, hall, now, facts)
    oldest = [q.oldest_issued_at for q in facts.queues if q.oldest_issued_at is not None]
    states = Counter(w.status for w in facts.windows)
    longest = (now - min(oldest)).total_seconds() if oldest else None
    return {
        "hall": {
            "id": hall.id,
            "code": hall.code,
            "name": hall.name,
            "name_en": hall.name_en,
            "level": hall.level,
            "parent_id": hall.parent_id,
            "depth": depth,
        },
        "seq": hall.event_seq,
        "target_wait_minutes": hall.target_wait_minutes,
        "total_waiting": sum(q.waiting for q in facts.queues),
        "longest_wait_seconds": longest,
        "window_states": {state.value: states.get(state.value, 0) for state in WindowStatus},
        "today": figures,
        "alerts": alerts,
        "critical_alerts": sum(1 for a in alerts if a["severity"] == CRITICAL),
    }


def _worst_first(summary: dict[str, Any]) -> tuple[float, ...]:
    target = max(1, summary["target_wait_minutes"]) * 60
    return (
        -summary["critical_alerts"],
        -len(summary["alerts"]),
        -((summary["longest_wait_seconds"] or 0) / target),
        -summary["total_waiting"],
        summary["hall"]["id"],
    )


def network_figures(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """Every hall the actor looks after (their own and all below), the worst off first."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    tree = hall_subtree(session, actor.hall_id)
    summaries = [_hall_summary(session, hall, depth, now) for hall, depth in tree]
    totals = {
        "halls": len(summaries),
        "total_waiting": sum(s["total_waiting"] for s in summaries),
        "issued": sum(s["today"]["issued"] for s in summaries),
        "served": sum(s["today"]["served"] for s in summaries),
        "critical_alerts": sum(s["critical_alerts"] for s in summaries),
    }
    return {
        "server_time": now,
        "root_hall_id": actor.hall_id,
        "totals": totals,
        "halls": sorted(summaries, key=_worst_first),
    }
