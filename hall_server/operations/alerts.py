"""Alerts a hall manager must see at once: a wait over the threshold, many waiting while a
window idles or is paused, a kiosk printer out of paper, a board or other device gone silent.

The rules (`evaluate_alerts`) read plain facts and `now`, so the dashboard can show what holds
this very moment. `sync_hall_alerts` keeps the record: it writes when each alert was raised and
cleared and tells the hall (`alert.raised`, `alert.cleared`); a background job runs it for every
hall, so conditions that arise only as time passes (a wait growing long, a board falling
silent) are raised even when nothing else happens in the hall.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.core.window_life import WindowStatus
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.live_events import record_event
from hall_server.operations.print_jobs import device_health_changed
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import (
    Device,
    Hall,
    HallAlert,
    Service,
    Ticket,
    TicketEvent,
    Window,
    WindowService,
)

CRITICAL = "critical"
WARNING = "warning"
# Devices that make the hall stop working when they go silent; a rating pad only loses ratings.
VITAL_DEVICE_KINDS = frozenset({"kiosk", "board", "window_display"})
PRINTER_ALERTS = {
    "paper_out": ("paper_out", CRITICAL),
    "offline": ("printer_offline", CRITICAL),
    "paper_near_end": ("paper_near_end", WARNING),
}
# Hands at the window: a parked case waits aside and leaves the clerk free to call.
IN_HAND = (TicketStatus.CALLED, TicketStatus.SERVING)
HISTORY_LIMIT = 500
# A window's last action is looked for this far back (an index on the events' hall and time
# keeps the look short however long the hall's history); older, its status change stands.
ACTIVITY_HORIZON = timedelta(hours=24)


@dataclass(frozen=True)
class AlertSettings:
    """A hall's thresholds; what a manager does not set keeps these defaults."""

    long_wait_minutes: int = 30  # halls open "tidal" windows beyond 30 minutes of waiting
    many_waiting: int = 10  # waiting for a window's services while it idles or is paused
    idle_window_minutes: int = 3  # an open window with nobody at it for this long is idle
    device_offline_minutes: int = 3  # devices say they are alive every minute

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> AlertSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in (stored or {}).items() if k in known})

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class ServiceQueue:
    service_id: int
    name: str
    name_en: str | None
    waiting: int
    oldest_issued_at: datetime | None
    oldest_number: str | None


@dataclass(frozen=True)
class WindowFacts:
    id: int
    number: int
    name: str
    status: str
    pause_reason: str | None
    service_ids: frozenset[int]
    has_ticket_in_hand: bool
    last_activity_at: datetime | None  # the later of its last state change and last ticket action
    # A pause with planned minutes (a rota break, a clerk's "back in 15 minutes"): when it ends.
    pause_planned_until: datetime | None = None


@dataclass(frozen=True)
class DeviceFacts:
    id: int
    kind: str
    name: str
    printer_status: str | None
    last_seen_at: datetime | None
    printer_reported_at: datetime | None = None


@dataclass(frozen=True)
class HallFacts:
    queues: list[ServiceQueue] = field(default_factory=list)
    windows: list[WindowFacts] = field(default_factory=list)
    devices: list[DeviceFacts] = field(default_factory=list)


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    severity: str
    since: datetime | None
    detail: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


def _long_waits(facts: HallFacts, settings: AlertSettings, now: datetime) -> list[Alert]:
    threshold = timedelta(minutes=settings.long_wait_minutes)
    alerts = []
    for queue in facts.queues:
        if queue.oldest_issued_at is None or now - queue.oldest_issued_at < threshold:
            continue
        alerts.append(
            Alert(
                "long_wait",
                f"service:{queue.service_id}",
                CRITICAL,
                queue.oldest_issued_at + threshold,
                {
                    "service_id": queue.service_id,
                    "service_name": queue.name,
                    "service_name_en": queue.name_en,
                    "ticket_number": queue.oldest_number,
                    "waited_minutes": int((now - queue.oldest_issued_at).total_seconds() // 60),
                    "waiting": queue.waiting,
                    "threshold_minutes": settings.long_wait_minutes,
                },
            )
        )
    return alerts


def _idle_windows(facts: HallFacts, settings: AlertSettings, now: datetime) -> list[Alert]:
    waiting = {queue.service_id: queue.waiting for queue in facts.queues}
    idle_after = timedelta(minutes=settings.idle_window_minutes)
    alerts = []
    for window in facts.windows:
        queue_length = sum(waiting.get(service_id, 0) for service_id in window.service_ids)
        if queue_length < settings.many_waiting:
            continue
        severity = CRITICAL
        planned_until = window.pause_planned_until
        if window.status == WindowStatus.PAUSED:
            since = window.last_activity_at
            if planned_until is not None and now < planned_until:
                # A planned break (the rota keeps enough windows open): worth seeing, not an
                # emergency, until it runs past its planned end.
                severity = WARNING
        elif window.status == WindowStatus.OPEN and not window.has_ticket_in_hand:
            quiet_since = window.last_activity_at
            if quiet_since is not None and now - quiet_since < idle_after:
                continue
            since = None if quiet_since is None else quiet_since + idle_after
        else:
            continue
        alerts.append(
            Alert(
                "idle_window",
                f"window:{window.id}",
                severity,
                since,
                {
                    "window_id": window.id,
                    "window_number": window.number,
                    "window_name": window.name,
                    "window_status": window.status,
                    "pause_reason": window.pause_reason,
                    "waiting": queue_length,
                    "pause_planned_until": planned_until.isoformat()
                    if planned_until is not None and window.status == WindowStatus.PAUSED
                    else None,
                },
            )
        )
    return alerts


def _device_alerts(facts: HallFacts, settings: AlertSettings, now: datetime) -> list[Alert]:
    silent_after = timedelta(minutes=settings.device_offline_minutes)
    alerts = []
    for device in facts.devices:
        detail = {"device_id": device.id, "device_kind": device.kind, "device_name": device.name}
        # A device never seen has not been installed yet; the device list shows it as such.
        if device.last_seen_at is not None and now - device.last_seen_at >= silent_after:
            severity = CRITICAL if device.kind in VITAL_DEVICE_KINDS else WARNING
            alerts.append(
                Alert(
                    "device_offline",
                    f"device:{device.id}",
                    severity,
                    device.last_seen_at + silent_after,
                    {**detail, "last_seen_at": device.last_seen_at.isoformat()},
                )
            )
            continue  # what it last said about its printer may be long out of date
        reported = device.printer_reported_at
        if device.kind == Role.KIOSK and reported is not None and now - reported >= silent_after:
            # The kiosk's page is alive but its print agent is not: tickets do not come out.
            alerts.append(
                Alert(
                    "printer_silent",
                    f"device:{device.id}",
                    CRITICAL,
                    reported + silent_after,
                    {**detail, "printer_reported_at": reported.isoformat()},
                )
            )
            continue
        if device.kind == Role.KIOSK and device.printer_status in PRINTER_ALERTS:
            kind, severity = PRINTER_ALERTS[device.printer_status]
            alerts.append(Alert(kind, f"device:{device.id}", severity, None, detail))
    return alerts


def evaluate_alerts(facts: HallFacts, settings: AlertSettings, now: datetime) -> list[Alert]:
    """Every alert that holds at `now`, critical ones first."""
    found = [
        *_long_waits(facts, settings, now),
        *_idle_windows(facts, settings, now),
        *_device_alerts(facts, settings, now),
    ]
    return sorted(found, key=lambda alert: (alert.severity != CRITICAL, alert.key))


def read_hall_facts(session: Session, hall_id: int, now: datetime) -> HallFacts:
    # One pass over who waits (a few dozen rows even in a busy hall), oldest last per service.
    waiting: dict[int, tuple[int, datetime, str]] = {}
    for service_id, issued_at, number in session.execute(
        select(Ticket.service_id, Ticket.issued_at, Ticket.number)
        .where(Ticket.hall_id == hall_id, Ticket.status == TicketStatus.WAITING)
        .order_by(Ticket.issued_at.desc())
    ):
        count = waiting[service_id][0] if service_id in waiting else 0
        waiting[service_id] = (count + 1, issued_at, number)
    names = {
        service_id: (name, name_en)
        for service_id, name, name_en in session.execute(
            select(Service.id, Service.name, Service.name_en).where(Service.hall_id == hall_id)
        )
    }
    queues = [
        ServiceQueue(service_id, *names[service_id], count, oldest, number)
        for service_id, (count, oldest, number) in sorted(waiting.items())
    ]
    served_by: dict[int, set[int]] = {}
    for window_id, service_id in session.execute(
        select(WindowService.window_id, WindowService.service_id)
        .join(Window, Window.id == WindowService.window_id)
        .where(Window.hall_id == hall_id)
    ):
        served_by.setdefault(window_id, set()).add(service_id)
    in_hand = set(
        session.scalars(
            select(Ticket.window_id).where(Ticket.hall_id == hall_id, Ticket.status.in_(IN_HAND))
        )
    )
    last_action = dict(
        session.execute(
            select(TicketEvent.window_id, func.max(TicketEvent.at))
            .where(
                TicketEvent.hall_id == hall_id,
                TicketEvent.at >= now - ACTIVITY_HORIZON,
                TicketEvent.window_id.is_not(None),
            )
            .group_by(TicketEvent.window_id)
        ).all()
    )
    windows = []
    for window in session.scalars(select(Window).where(Window.hall_id == hall_id)):
        moments = [m for m in (window.status_changed_at, last_action.get(window.id)) if m]
        windows.append(
            WindowFacts(
                window.id,
                window.number,
                window.name,
                window.status,
                window.pause_reason,
                frozenset(served_by.get(window.id, set())),
                window.id in in_hand,
                max(_as_utc(m) for m in moments) if moments else None,
                _pause_planned_until(window),
            )
        )
    devices = [
        DeviceFacts(d.id, d.kind, d.name, d.printer_status, d.last_seen_at, d.printer_reported_at)
        for d in session.scalars(
            select(Device).where(Device.hall_id == hall_id, Device.revoked_at.is_(None))
        )
    ]
    return HallFacts(queues, windows, devices)


def _as_utc(moment: datetime | str) -> datetime:
    """min() and max() keep the column's type, but be safe where a driver hands back text."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def alert_view(alert: Alert, raised_at: datetime | None) -> dict[str, Any]:
    return {
        "key": alert.key,
        "kind": alert.kind,
        "subject": alert.subject,
        "severity": alert.severity,
        "since": alert.since,
        "raised_at": raised_at,
        "cleared_at": None,
        "detail": alert.detail,
    }


def _record_view(row: HallAlert) -> dict[str, Any]:
    return {
        "key": f"{row.kind}:{row.subject}",
        "kind": row.kind,
        "subject": row.subject,
        "severity": row.severity,
        "since": None,
        "raised_at": row.raised_at,
        "cleared_at": row.cleared_at,
        "detail": dict(row.detail or {}),
    }


def _open_records(session: Session, hall_id: int) -> dict[str, HallAlert]:
    rows = session.scalars(
        select(HallAlert).where(HallAlert.hall_id == hall_id, HallAlert.cleared_at.is_(None))
    )
    return {f"{row.kind}:{row.subject}": row for row in rows}


def current_alerts(
    session: Session, hall: Hall, now: datetime, facts: HallFacts | None = None
) -> list[dict[str, Any]]:
    """What holds now, with when each was first recorded if the background check saw it."""
    facts = facts or read_hall_facts(session, hall.id, now)
    alerts = evaluate_alerts(facts, AlertSettings.of(hall.alert_settings), now)
    recorded = _open_records(session, hall.id)
    return [
        alert_view(alert, recorded[alert.key].raised_at if alert.key in recorded else None)
        for alert in alerts
    ]


def sync_hall_alerts(uow: UnitOfWork, hall_id: int, now: datetime) -> dict[str, list[str]]:
    """Record the alerts raised and cleared since the last check, and tell the hall."""
    session = uow.session
    hall = session.get(Hall, hall_id)
    if hall is None:
        return {"raised": [], "cleared": []}
    alerts = {
        alert.key: alert
        for alert in evaluate_alerts(
            read_hall_facts(session, hall_id, now), AlertSettings.of(hall.alert_settings), now
        )
    }
    recorded = _open_records(session, hall_id)
    raised, cleared = [], []
    for key, alert in alerts.items():
        row = recorded.get(key)
        if row is not None:
            row.detail = alert.detail  # e.g. the wait grew; not worth an event
            if row.severity != alert.severity:
                # E.g. a planned break ran past its end: the hall hears it again, now critical.
                row.severity = alert.severity
                record_event(
                    uow, "alert.raised", hall_id, {"alert": alert_view(alert, row.raised_at)}
                )
            continue
        row = HallAlert(
            hall_id=hall_id,
            kind=alert.kind,
            subject=alert.subject,
            severity=alert.severity,
            detail=alert.detail,
            raised_at=now,
        )
        session.add(row)
        session.flush()
        raised.append(key)
        record_event(uow, "alert.raised", hall_id, {"alert": alert_view(alert, now)})
        if alert.kind in ("device_offline", "printer_silent"):
            _printer_no_longer_known(uow, alert.detail["device_id"])
    for key, row in recorded.items():
        if key in alerts:
            continue
        row.cleared_at = now
        cleared.append(key)
        record_event(uow, "alert.cleared", hall_id, {"alert": _record_view(row)})
    return {"raised": raised, "cleared": cleared}


def _printer_no_longer_known(uow: UnitOfWork, device_id: int) -> None:
    """A kiosk whose print agent fell silent cannot be said to print: its page tells visitors
    (device.changed) until the agent reports again."""
    device = uow.session.get(Device, device_id)
    if device is not None and device.kind == "kiosk" and device.printer_status != "unknown":
        device.printer_status = "unknown"
        device_health_changed(uow, device)


def check_all_halls(context: Any) -> dict[str, Any]:
    """The background job: one short transaction per hall (see hall_server/background/jobs.py)."""
    now = context.clock()
    with context.database.reading() as session:
        hall_ids = list(session.scalars(select(Hall.id).order_by(Hall.id)))
    raised = cleared = 0
    for hall_id in hall_ids:
        # Most checks change nothing: look first, and write (a lock on SQLite) only if needed.
        with context.database.reading() as session:
            changed = _alerts_changed(session, hall_id, now)
        if not changed:
            context.yield_to_requests()
            continue
        with context.transaction() as uow:
            changes = sync_hall_alerts(uow, hall_id, now)
        raised += len(changes["raised"])
        cleared += len(changes["cleared"])
        context.yield_to_requests()
    return {"halls": len(hall_ids), "raised": raised, "cleared": cleared}


def _alerts_changed(session: Session, hall_id: int, now: datetime) -> bool:
    hall = session.get(Hall, hall_id)
    if hall is None:
        return False
    alerts = evaluate_alerts(
        read_hall_facts(session, hall_id, now), AlertSettings.of(hall.alert_settings), now
    )
    return {alert.key for alert in alerts} != set(_open_records(session, hall_id))


def alert_history(
    session: Session, actor: Actor, hall_id: int, day: date | None, now: datetime
) -> list[dict[str, Any]]:
    """The alerts open at any moment of one local day of the hall (today by default), newest
    first: those raised that day, and those raised before and still open then. A printer out of
    paper since yesterday evening is today's alert too, as the dashboard's banners say."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    zone = ZoneInfo(hall.time_zone)
    day = day or now.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)  # 23 or 25 h at DST
    if start > now:
        return []  # a day still to come has had no alerts yet
    rows = session.scalars(
        select(HallAlert)
        .where(
            HallAlert.hall_id == hall_id,
            HallAlert.raised_at < end,
            or_(HallAlert.cleared_at.is_(None), HallAlert.cleared_at >= start),
        )
        .order_by(HallAlert.raised_at.desc(), HallAlert.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return [_record_view(row) for row in rows]


def read_alert_settings(session: Session, actor: Actor, hall_id: int) -> dict[str, int]:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    return AlertSettings.of(hall.alert_settings).to_dict()


def change_alert_settings(
    uow: UnitOfWork, actor: Actor, hall_id: int, changes: dict[str, int]
) -> dict[str, int]:
    """A manager tunes the thresholds of their hall; the next check applies them."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(uow.session, actor, hall_id)
    hall = uow.session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    settings = {**AlertSettings.of(hall.alert_settings).to_dict(), **changes}
    hall.alert_settings = AlertSettings.of(settings).to_dict()
    return dict(hall.alert_settings)


def _pause_planned_until(window: Window) -> datetime | None:
    if window.status != WindowStatus.PAUSED or window.paused_at is None:
        return None
    if not window.pause_minutes:
        return None
    return _as_utc(window.paused_at) + timedelta(minutes=window.pause_minutes)
