"""What a hall's wait forecast starts from, read from the database: the hall as it is now
(windows with their services, cases in hand, pauses and the break rota still to come, the queue,
the arrivals to expect) and what earlier days taught (handling times, when visitors come).

Of the queue it reads only what the forecast runs: each queue as far as its windows could call
before the forecast's cut-off (wait_prediction.queue_reach), counting those behind. However
many wait, it reads about as many tickets as the windows can call in a few hours.

Earlier days are read again every half hour, on a new local day and after a change of the
hall's plan; each process keeps them for itself (wait_predictions keeps the forecasts)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hall_server.core.arrival_forecast import (
    LEVEL_WINDOW_MINUTES,
    ArrivalPeriod,
    ArrivalProfile,
    arrival_periods,
    learn_arrival_profile,
    todays_level,
)
from hall_server.core.break_rota import LastBreak, RotaBreak, planned_pauses
from hall_server.core.calling_policy import QueueHead
from hall_server.core.expected_arrivals import (
    ARRIVAL_LOOKBACK,
    ExpectedArrival,
    arrivals_per_hour,
)
from hall_server.core.handling_time_model import (
    EarlierDays,
    FinishedCase,
    HandlingTimes,
    fit_earlier_days,
    update_with_today,
)
from hall_server.core.numbering import local_business_date, local_time
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.core.wait_prediction import (
    HallState,
    PlannedPause,
    QueueReach,
    QueueTail,
    WindowState,
    queue_reach,
)
from hall_server.core.window_life import WindowStatus
from hall_server.operations.waiting_heads import HEAD_COLUMNS, queue_head
from hall_server.storage.models import (
    Appointment,
    Hall,
    Service,
    Ticket,
    Window,
    WindowService,
)
from hall_server.storage.models import RotaBreak as RotaBreakRow

HISTORY_DAYS = 28
HISTORY_CASES = 5000
HISTORY_CACHE_SECONDS = 1800.0
ARRIVAL_HORIZON = timedelta(hours=4)
BOOKING_SHOW_RATE = 0.9  # 5-15% of bookings do not come (DOMAIN.md)
BOOKING_GRACE = timedelta(minutes=15)  # a booking this late may still check in
IN_HAND_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)

_lock = threading.Lock()
# Keyed by database and hall: one process may serve (or test) several databases.
_histories: dict[tuple[str, int], HallHistory] = {}


def database_key(session: Session) -> str:
    return str(session.get_bind().url)


def forget_histories() -> None:
    with _lock:
        _histories.clear()


@dataclass(frozen=True)
class HallHistory:
    """What earlier days taught about a hall: handling times and when visitors come."""

    earlier_days: EarlierDays
    arrivals: ArrivalProfile
    fetched: float  # time.monotonic()
    # The hall's local day and plan version it was read for: another day, or a change of plan
    # (a service's expected minutes are the prior of its handling time), reads it again.
    read_for: tuple[date, int] = (date.min, 0)


def last_break_of(window: Window) -> LastBreak | None:
    """The rota break the window last paused for, and when, if it is known."""
    if window.last_break_id is None or window.last_break_started_at is None:
        return None
    return LastBreak(window.last_break_id, window.last_break_started_at)


def hall_state(
    session: Session,
    hall: Hall,
    now: datetime,
    handling: HandlingTimes,
    history: HallHistory | None = None,
) -> HallState:
    """The hall as it is: windows with their services, cases in hand and pauses; the queue as
    far as the forecast runs it (by `handling`, see queue_reach); and the arrivals to expect
    (by time of day where earlier days tell, else the last hour)."""
    services_of: dict[int, list[int]] = {}
    for window_id, service_id in session.execute(
        select(WindowService.window_id, WindowService.service_id)
        .join(Window, Window.id == WindowService.window_id)
        .where(Window.hall_id == hall.id)
        .order_by(WindowService.window_id, WindowService.position)
    ):
        services_of.setdefault(window_id, []).append(service_id)
    in_hand = {
        ticket.window_id: ticket
        for ticket in session.scalars(
            select(Ticket).where(Ticket.hall_id == hall.id, Ticket.status.in_(IN_HAND_STATUSES))
        )
    }
    windows = []
    last_breaks: dict[int, LastBreak | None] = {}
    for window in session.scalars(select(Window).where(Window.hall_id == hall.id)):
        case = in_hand.get(window.id)
        paused = window.status == WindowStatus.PAUSED
        last_breaks[window.id] = last_break_of(window)
        windows.append(
            WindowState(
                id=window.id,
                service_ids=tuple(services_of.get(window.id, ())),
                status=window.status,
                case_service_id=None if case is None else case.service_id,
                case_visitor_class=None if case is None else case.visitor_class,
                case_called_at=None if case is None else case.called_at,
                # Not status_changed_at: a change of services or a clerk taking the window
                # again moves that, and the pause would seem to have only just begun.
                paused_at=window.paused_at if paused else None,
                pause_reason=window.pause_reason,
                pause_minutes=window.pause_minutes if paused else None,
            )
        )
    today = local_business_date(now, hall.time_zone)
    first_today = session.scalar(
        select(func.min(Ticket.issued_at)).where(
            Ticket.hall_id == hall.id, Ticket.local_date == today
        )
    )
    issued = [
        (service_id, visitor_class, at)
        for service_id, visitor_class, at in session.execute(
            select(Ticket.service_id, Ticket.visitor_class, Ticket.issued_at).where(
                Ticket.hall_id == hall.id,
                Ticket.local_date == today,
                Ticket.issued_at >= now - ARRIVAL_LOOKBACK,
                Ticket.issued_at <= now,
            )
        )
    ]
    periods: tuple[ArrivalPeriod, ...] = ()
    if history is not None and first_today is not None:
        minute = _minute_of_day(now, hall.time_zone)
        opened = (now - first_today).total_seconds() / 60
        recently = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.hall_id == hall.id,
                Ticket.local_date == today,
                Ticket.issued_at >= now - timedelta(minutes=LEVEL_WINDOW_MINUTES),
                Ticket.issued_at <= now,
            )
        )
        level = todays_level(history.arrivals, int(recently or 0), minute, opened)
        mix = session.execute(
            select(Ticket.service_id, Ticket.visitor_class, func.count())
            .where(Ticket.hall_id == hall.id, Ticket.local_date == today, Ticket.issued_at <= now)
            .group_by(Ticket.service_id, Ticket.visitor_class)
        )
        periods = arrival_periods(
            history.arrivals,
            now,
            minute,
            level,
            ARRIVAL_HORIZON,
            issued_today={(service, visitor_class): n for service, visitor_class, n in mix},
        )
    state = HallState(
        now=now,
        windows=tuple(windows),
        waiting=(),
        bookings=_bookings(session, hall, now, history),
        bookings_known=session.scalar(
            select(Appointment.id)
            .where(
                Appointment.hall_id == hall.id, Appointment.slot_start >= now - timedelta(days=1)
            )
            .limit(1)
        )
        is not None,
        arrivals_per_hour=arrivals_per_hour(issued, now, first_today),
        arrival_periods=periods,
        planned_pauses=_todays_rota_pauses(session, hall, now, last_breaks),
    )
    waiting, tails = _queue_within_reach(session, hall, queue_reach(state, handling))
    return replace(state, waiting=waiting, queue_tails=tails)


def _queue_within_reach(
    session: Session, hall: Hall, reach: QueueReach
) -> tuple[tuple[QueueHead, ...], tuple[QueueTail, ...]]:
    """Each (service, visitor class) queue of the hall, as far as the forecast runs it, and
    the tails of those it runs in part: one count over the queues' index, a read of the
    queues held whole, and a seek into each longer one."""
    waiting = (Ticket.hall_id == hall.id, Ticket.status == TicketStatus.WAITING)
    whole: list[tuple[int, str]] = []
    longer: list[tuple[int, str, int, datetime, int]] = []
    for service_id, visitor_class, count, last_key in session.execute(
        select(Ticket.service_id, Ticket.visitor_class, func.count(), func.max(Ticket.queue_key))
        .where(*waiting)
        .group_by(Ticket.service_id, Ticket.visitor_class)
    ):
        limit = reach(service_id, visitor_class)
        if count <= limit:
            whole.append((service_id, visitor_class))
        else:
            longer.append((service_id, visitor_class, count, last_key, limit))
    rows: list[Any] = []
    if whole:
        query = select(*HEAD_COLUMNS).where(*waiting)
        if longer:
            query = query.where(tuple_(Ticket.service_id, Ticket.visitor_class).in_(whole))
        rows.extend(session.execute(query))
    tails = []
    for service_id, visitor_class, count, last_key, limit in longer:
        start = _queue_start(session, hall, service_id, visitor_class, limit) if limit else []
        rows.extend(start)
        tails.append(QueueTail(service_id, visitor_class, max(count - len(start), 0), last_key))
    return tuple(queue_head(row) for row in rows), tuple(tails)


def _queue_start(
    session: Session, hall: Hall, service_id: int, visitor_class: str, reach: int
) -> list[Any]:
    """The first tickets of one queue, in its order, up to the `reach`-th of those waiting for
    any window (those transferred to one window among them are read too)."""
    query = (
        select(*HEAD_COLUMNS)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id == service_id,
            Ticket.visitor_class == visitor_class,
        )
        .order_by(Ticket.queue_key, Ticket.id)
    )
    limit = reach
    while True:
        rows = list(session.execute(query.limit(limit)))
        untargeted = sum(1 for row in rows if row.target_window_id is None)
        if untargeted >= reach or len(rows) < limit:
            return rows
        limit = reach + len(rows) - untargeted


def rota_breaks(session: Session, hall_id: int) -> list[RotaBreak]:
    """The hall's break rota: every planned break of its windows."""
    rows = session.scalars(
        select(RotaBreakRow)
        .join(Window, Window.id == RotaBreakRow.window_id)
        .where(Window.hall_id == hall_id)
        .order_by(Window.number, RotaBreakRow.start, RotaBreakRow.id)
    )
    return [
        RotaBreak(
            window_id=row.window_id,
            start=row.start,
            minutes=row.minutes,
            weekdays=tuple(row.weekdays),
            label=row.label,
            id=row.id,
        )
        for row in rows
    ]


def _todays_rota_pauses(
    session: Session, hall: Hall, now: datetime, last_breaks: Mapping[int, LastBreak | None]
) -> tuple[PlannedPause, ...]:
    """Today's rota breaks the windows have still to take (core.break_rota.planned_pauses)."""
    return planned_pauses(rota_breaks(session, hall.id), now, hall.time_zone, last_breaks)


def _bookings(
    session: Session, hall: Hall, now: datetime, history: HallHistory | None
) -> tuple[ExpectedArrival, ...]:
    """Slots booked and not checked in yet: each comes (a little early) as most bookings do."""
    lead = timedelta(minutes=history.arrivals.booked_lead_minutes if history else 0.0)
    rows = session.execute(
        select(Appointment.service_id, Appointment.slot_start).where(
            Appointment.hall_id == hall.id,
            Appointment.status == "booked",
            Appointment.slot_start >= now - BOOKING_GRACE,
            Appointment.slot_start <= now + ARRIVAL_HORIZON,
        )
    )
    return tuple(
        ExpectedArrival(
            service_id=service_id,
            visitor_class=VisitorClass.APPOINTMENT,
            at=max(slot - lead, now),
            probability=BOOKING_SHOW_RATE,
            appointment_due_at=slot,
        )
        for service_id, slot in rows
    )


def _minute_of_day(moment: datetime, time_zone: str) -> float:
    local = local_time(moment, time_zone)
    return local.hour * 60 + local.minute + local.second / 60


def _cases(rows: object, today: bool) -> list[FinishedCase]:
    cases = []
    for service_id, window_id, visitor_class, called_at, finished_at in rows:  # type: ignore[attr-defined]
        if called_at is not None and finished_at is not None:
            cases.append(
                FinishedCase(
                    service_id=service_id,
                    handling_seconds=(finished_at - called_at).total_seconds(),
                    window_id=window_id,
                    visitor_class=visitor_class,
                    today=today,
                )
            )
    return cases


def _finished_query(hall: Hall):  # type: ignore[no-untyped-def]
    return select(
        Ticket.service_id,
        Ticket.window_id,
        Ticket.visitor_class,
        Ticket.called_at,
        Ticket.finished_at,
    ).where(Ticket.hall_id == hall.id, Ticket.status == TicketStatus.FINISHED)


def hall_history(session: Session, hall: Hall, now: datetime) -> HallHistory:
    """Earlier days' handling times and arrival profile, read again every half hour and after
    a change of plan (a service's expected minutes are the prior of its handling time)."""
    today = local_business_date(now, hall.time_zone)
    plan_seq = session.scalar(select(Hall.plan_seq).where(Hall.id == hall.id))
    read_for = (today, int(plan_seq or 0))
    key = (database_key(session), hall.id)
    with _lock:
        kept = _histories.get(key)
    if (
        kept is not None
        and kept.read_for == read_for
        and time.monotonic() - kept.fetched <= HISTORY_CACHE_SECONDS
    ):
        return kept
    earlier = (Ticket.local_date < today, Ticket.local_date >= today - timedelta(days=HISTORY_DAYS))
    rows = session.execute(
        _finished_query(hall)
        .where(*earlier)
        .order_by(Ticket.finished_at.desc())
        .limit(HISTORY_CASES)
    )
    expected = dict(
        session.execute(
            select(Service.id, Service.expected_handling_minutes).where(Service.hall_id == hall.id)
        ).all()
    )
    issued = session.execute(
        select(
            Ticket.service_id,
            Ticket.visitor_class,
            Ticket.issued_at,
            Ticket.local_date,
            Ticket.appointment_due_at,
        ).where(Ticket.hall_id == hall.id, *earlier)
    ).all()
    days = len({row.local_date for row in issued})
    profile = learn_arrival_profile(
        (
            (row.service_id, row.visitor_class, _minute_of_day(row.issued_at, hall.time_zone))
            for row in issued
        ),
        days,
        (
            (row.appointment_due_at - row.issued_at).total_seconds() / 60
            for row in issued
            if row.appointment_due_at is not None
        ),
    )
    kept = HallHistory(
        fit_earlier_days(_cases(rows, today=False), expected), profile, time.monotonic(), read_for
    )
    with _lock:
        _histories[key] = kept
    return kept


def learned_handling_times(
    session: Session, hall: Hall, now: datetime, history: HallHistory
) -> HandlingTimes:
    """Earlier days' handling times, moved by today's finished cases (read each time)."""
    today = local_business_date(now, hall.time_zone)
    rows = session.execute(_finished_query(hall).where(Ticket.local_date == today))
    return update_with_today(history.earlier_days, _cases(rows, today=True))


def _active_service_ids(session: Session, hall: Hall) -> list[int]:
    return list(
        session.scalars(
            select(Service.id)
            .where(Service.hall_id == hall.id, Service.active.is_(True))
            .order_by(Service.id)
        )
    )


def forecast_inputs(
    session: Session, hall: Hall, now: datetime
) -> tuple[HallState, HandlingTimes, list[int]]:
    history = hall_history(session, hall, now)
    handling = learned_handling_times(session, hall, now, history)
    return (
        hall_state(session, hall, now, handling, history),
        handling,
        _active_service_ids(session, hall),
    )
