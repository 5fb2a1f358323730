"""Wait forecasts for a hall: its true state read from the database, forecast, kept briefly.

A forecast of a whole hall costs tens of milliseconds of CPU, far more than issuing a ticket.
Each process keeps the latest one per hall, made from a read-only snapshot and labelled with the
hall's `seq` (which every change raises) and its plan version `plan_seq` (which a change of plan
raises: the break rota, the calling policy, what windows serve, how long a service takes; see
`raise_plan_seq`):

- Reads (phones, boards, the dashboard, the kiosk's preview) see the hall at its current `seq`:
  the kept forecast if it is of that `seq`, else one made now and kept, so every reader after a
  change shares one forecast.
- Issuing a plain walk-in never forecasts the hall inside its write transaction: the ticket
  stands where the kept forecast's hypothetical new ticket stood, behind the tickets issued since
  (core.later_tickets). Not so if the hall's plan changed since that forecast was made (it is of
  an older `plan_seq`): no process uses a kept forecast of an older plan, and the walk-in is
  forecast afresh. Once the ticket is committed the forecast is made anew from a read-only
  snapshot (`refresh_if_due`) if it is `HALLQ_FORECAST_REFRESH_SECONDS` (30 s) old, so the
  write lock is never held for it and a city of busy halls with nobody reading does not spend
  its CPU on forecasts; where boards and phones read after every change (they do), the kept
  forecast is exact almost always.
- After `CACHE_SECONDS` a kept forecast is not read at all: the cases in progress have run long
  enough to change the picture even if nothing happened.

A ticket the forecast did not reach before its cut-off (it may not even have read it: a hall with
thousands waiting, see forecast_inputs) is told it waits longer ("over 2 hours"), and the people
ahead of it are counted in the database, where every ticket is.

Every process computes the same forecast from the same state (the runs are seeded), so what is
kept here is only saved work, never queue state. Only read-only sessions keep a forecast: a write
transaction may see changes that are not committed yet (and may never be). A forecast made from
an older snapshot never replaces a kept one of a later `seq`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hall_server.core.calling_policy import CallingPolicy, QueueHead
from hall_server.core.later_tickets import behind_later_tickets
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.core.wait_forecast import HallPrediction, WaitForecast
from hall_server.core.wait_prediction import (
    predict_hall,
)
from hall_server.core.window_life import WindowStatus
from hall_server.operations.forecast_inputs import (
    database_key,
    forecast_inputs,
    forget_histories,
)
from hall_server.operations.waiting_heads import count_waiting_ahead, queue_head
from hall_server.storage.models import (
    Hall,
    Ticket,
    Window,
    WindowService,
)

CACHE_SECONDS = 90.0  # > the refresh interval, so issuing finds one
DEFAULT_REFRESH_SECONDS = 30.0
# A ticket issued this long before a forecast was made may still be missing from it (the
# forecast read a snapshot taken before that ticket's commit).
LATER_TICKET_MARGIN = timedelta(seconds=5)
MAX_LATER_TICKETS = 25
# Even far behind, a hall's forecast is made at most this often: in a burst of issues (a kiosk
# bank at opening, a benchmark) placing walk-ins behind the later tickets is cheap and close,
# while a forecast of a large hall costs a tenth of a second each time.
MIN_REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class _HallVersion:
    """How far a hall has changed: every change raises `seq`, a change of plan `plan_seq` too."""

    seq: int
    plan_seq: int


@dataclass(frozen=True)
class _Cached:
    """A hall's forecast as kept: the `seq` and plan version it saw, and what placing later
    tickets needs."""

    seq: int
    plan_seq: int
    prediction: HallPrediction
    computed: float  # time.monotonic() when it was made
    windows_for: Mapping[int, tuple[int, ...]]  # service -> windows (not closed) serving it
    services_of: Mapping[int, tuple[int, ...]]  # window -> its services
    mean_handling: Mapping[int, float]  # service -> learned mean handling seconds
    # Waiting tickets it knows that were issued within LATER_TICKET_MARGIN before it was made,
    # by service: the query for later tickets counts them too.
    known_near_its_making: Mapping[int, int]
    # How many tickets issued since this forecast the latest walk-in stood behind: past
    # MAX_LATER_TICKETS, placing by it costs more than making a new one.
    later_seen: list[int] = field(default_factory=lambda: [0])


_lock = threading.Lock()
# Keyed by database and hall: one process may serve (or test) several databases.
_forecasts: dict[tuple[str, int], _Cached] = {}
# Halls whose forecast a request of this process is making after its commit: the requests that
# commit meanwhile (a kiosk bank issuing at once) leave it to that one instead of each making the
# same forecast.
_refreshing: set[tuple[str, int]] = set()


def forget_cached_forecasts() -> None:
    """Drop every cached forecast and history (tests; a hall whose settings changed)."""
    with _lock:
        _forecasts.clear()
    forget_histories()


def raise_plan_seq(session: Session, hall_id: int) -> None:
    """A change of the hall's plan (its break rota, calling policy, what its windows serve, how
    long a service is expected to take): raise its plan version in this transaction, so once it
    commits no process places a walk-in by a forecast it kept from before (those are of an
    older plan version), whichever process made the change."""
    session.execute(
        update(Hall)
        .where(Hall.id == hall_id)
        .values(plan_seq=Hall.plan_seq + 1)
        # Nothing in a write reads the loaded Hall's plan_seq: skip matching the identity map.
        .execution_options(synchronize_session=False)
    )


def _database_key(session: Session) -> str:
    return database_key(session)


def _read_only(session: Session) -> bool:
    return bool(session.get_bind().get_execution_options().get("hallq_read_only"))


def compute_prediction(
    session: Session,
    hall: Hall,
    policy: CallingPolicy,
    now: datetime,
    extra: tuple[QueueHead, ...] = (),
) -> HallPrediction:
    """Forecast the hall from the state this session sees, without the cache."""
    state, handling, services = forecast_inputs(session, hall, now)
    return predict_hall(state, policy, handling, new_ticket_services=services, extra=extra)


def _current_version(session: Session, hall: Hall) -> _HallVersion:
    """The hall's `seq` and plan version as this session sees them, read together."""
    row = session.execute(select(Hall.event_seq, Hall.plan_seq).where(Hall.id == hall.id)).one()
    return _HallVersion(int(row.event_seq or 0), int(row.plan_seq or 0))


def _compute_and_keep(
    session: Session, hall: Hall, policy: CallingPolicy, now: datetime, version: _HallVersion
) -> _Cached:
    """A fresh forecast; kept for others only when it saw nothing uncommitted, and never in
    place of a kept one of a later `seq` (made from a snapshot newer than this session's)."""
    state, handling, services = forecast_inputs(session, hall, now)
    prediction = predict_hall(state, policy, handling, new_ticket_services=services)
    services_of = {w.id: w.service_ids for w in state.windows if w.status != "closed"}
    windows_for: dict[int, list[int]] = {}
    for window_id, service_ids in services_of.items():
        for service_id in service_ids:
            windows_for.setdefault(service_id, []).append(window_id)
    entry = _Cached(
        seq=version.seq,
        plan_seq=version.plan_seq,
        prediction=prediction,
        computed=time.monotonic(),
        windows_for={s: tuple(ids) for s, ids in windows_for.items()},
        services_of=services_of,
        mean_handling={s: handling.for_service(s).mean for s in windows_for},
        known_near_its_making=_issued_near(state.waiting, prediction.made_at),
    )
    if _read_only(session):
        key = (_database_key(session), hall.id)
        with _lock:
            if not _newer_kept(_forecasts.get(key), entry):
                _forecasts[key] = entry
    return entry


def _newer_kept(kept: _Cached | None, entry: _Cached) -> bool:
    """Is a forecast of a later `seq` than `entry` kept, and still young enough to be read?"""
    if kept is None or time.monotonic() - kept.computed > CACHE_SECONDS:
        return False
    return (kept.plan_seq, kept.seq) > (entry.plan_seq, entry.seq)


def _issued_near(waiting: Sequence[QueueHead], made_at: datetime) -> dict[int, int]:
    near: dict[int, int] = {}
    for head in waiting:
        if head.issued_at is not None and head.issued_at >= made_at - LATER_TICKET_MARGIN:
            near[head.service_id] = near.get(head.service_id, 0) + 1
    return near


def _usable_entry(
    session: Session, hall: Hall, now: datetime
) -> tuple[_Cached | None, _HallVersion]:
    """The hall's kept forecast if it may still be read at `now`, and the hall's current `seq`
    and plan version (a kept forecast of that `seq` is exact; one of another plan version is
    never used).

    A kept forecast of an older plan is dropped here, so the next change in this process
    finds nothing kept and has the forecast made anew once it commits (`may_need_refresh`)."""
    version = _current_version(session, hall)
    key = (_database_key(session), hall.id)
    with _lock:
        entry = _forecasts.get(key)
        if entry is not None and entry.plan_seq < version.plan_seq:
            del _forecasts[key]
            return None, version
    if entry is None or entry.plan_seq != version.plan_seq:
        return None, version
    age = (now - entry.prediction.made_at).total_seconds()
    if not 0 <= age <= CACHE_SECONDS:
        return None, version
    return entry, version


def _due_for_refresh(session: Session, entry: _Cached, seq: int) -> bool:
    if entry.seq == seq:
        return False
    return _old_or_far_behind(session, entry)


def _old_or_far_behind(session: Session, entry: _Cached) -> bool:
    age = time.monotonic() - entry.computed
    interval = _refresh_seconds(session)
    if entry.later_seen[0] > MAX_LATER_TICKETS:
        interval = min(interval, MIN_REFRESH_SECONDS)
    return age >= interval


def _refresh_seconds(session: Session) -> float:
    options = session.get_bind().get_execution_options()
    return float(options.get("hallq_forecast_refresh_seconds", DEFAULT_REFRESH_SECONDS))


def hall_prediction(
    session: Session, hall: Hall, policy: CallingPolicy, now: datetime
) -> HallPrediction:
    """The hall's forecast at its current `seq`: the kept one, else computed (and kept)."""
    return _exact_entry(session, hall, policy, now).prediction


def _exact_entry(session: Session, hall: Hall, policy: CallingPolicy, now: datetime) -> _Cached:
    entry, version = _usable_entry(session, hall, now)
    if entry is not None and entry.seq == version.seq:
        return entry
    return _compute_and_keep(session, hall, policy, now, version)


def may_need_refresh(session: Session, hall: Hall) -> bool:
    """Could the hall's kept forecast be due for a refresh after this change? (No query: a
    recent forecast that placed the last walk-in behind few later tickets is never due.)"""
    with _lock:
        entry = _forecasts.get((_database_key(session), hall.id))
    return entry is None or _old_or_far_behind(session, entry)


def refresh_if_due(
    reading: Callable[[], AbstractContextManager[Session]],
    hall_id: int,
    policy: CallingPolicy,
    now: datetime,
) -> None:
    """After a change commits: make the hall's forecast anew if the kept one is behind and old
    enough (at most one forecast per hall per refresh interval, one at a time in a process),
    outside any write lock."""
    with reading() as session:
        key = (_database_key(session), hall_id)
        with _lock:
            if key in _refreshing:
                return
            _refreshing.add(key)
        try:
            hall = session.get(Hall, hall_id)
            if hall is None:
                return
            entry, version = _usable_entry(session, hall, now)
            if entry is None or _due_for_refresh(session, entry, version.seq):
                _compute_and_keep(session, hall, policy, now, version)
        finally:
            with _lock:
                _refreshing.discard(key)


def _is_plain_walk_in(ticket: Ticket) -> bool:
    """A walk-in for any window of its service, queued when it was issued: it stands last."""
    return (
        ticket.visitor_class == VisitorClass.WALK_IN
        and ticket.target_window_id is None
        and not ticket.transfer_count
        and (ticket.issued_at is None or ticket.queue_key == ticket.issued_at)
    )


def _later_tickets_ahead(
    session: Session, hall: Hall, entry: _Cached, service_id: int, before_ticket_id: int | None
) -> tuple[list[float], list[float]]:
    """Mean handling of tickets issued since the kept forecast that the windows serving
    `service_id` would call before a walk-in issued now (or before ticket `before_ticket_id`),
    and for each the share of its service's windows that are among those: a ticket of a service
    other windows serve too is as often called there, ahead of nobody at these.

    Counted per service in the database: during a burst of issues there may be hundreds."""
    made_at = entry.prediction.made_at
    windows = entry.windows_for.get(service_id, ())
    pool = set(windows)
    services = {s for w in windows for s in entry.services_of.get(w, ())}
    query = (
        select(Ticket.service_id, func.count())
        .where(
            Ticket.hall_id == hall.id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.issued_at >= made_at - LATER_TICKET_MARGIN,
            Ticket.service_id.in_(services),
        )
        .group_by(Ticket.service_id)
    )
    if before_ticket_id is not None:
        query = query.where(Ticket.id < before_ticket_id)
    later: list[float] = []
    shares: list[float] = []
    for other_service, count in session.execute(query):
        # Less those the forecast knows. One of them called since is subtracted though no longer
        # counted: a slight underestimate, only until the next forecast.
        count = max(count - entry.known_near_its_making.get(other_service, 0), 0)
        serving = entry.windows_for.get(other_service, ())
        share = len(pool.intersection(serving)) / len(serving) if serving else 1.0
        later.extend([entry.mean_handling.get(other_service, 0.0)] * count)
        shares.extend([share] * count)
    return later, shares


def _new_walk_in_forecast(
    session: Session,
    hall: Hall,
    entry: _Cached,
    seq: int,
    service_id: int,
    now: datetime,
    before_ticket_id: int | None = None,
) -> WaitForecast | None:
    forecast = entry.prediction.for_new_ticket(service_id, now)
    if forecast is None:
        return None
    if entry.seq == seq:
        return forecast  # nothing committed since the forecast was made
    later, shares = _later_tickets_ahead(session, hall, entry, service_id, before_ticket_id)
    entry.later_seen[0] = max(entry.later_seen[0], len(later))
    windows = len(entry.windows_for.get(service_id, ())) or 1
    return behind_later_tickets(forecast, later, windows, shares)


def forecast_for_ticket(
    session: Session, hall: Hall, policy: CallingPolicy, ticket: Ticket, now: datetime
) -> WaitForecast | None:
    """The forecast for a waiting ticket, or for one about to be issued (the kiosk's preview).

    Reads see the hall at its current `seq`. Issuing a plain walk-in (a write) does not forecast
    the hall while a forecast of its current plan is kept: the ticket stands where the kept
    forecast's new ticket stood, behind the tickets issued since. Any other ticket a write
    changes (a transfer, a re-queue, a booked visitor checking in) is forecast afresh from what
    the transaction sees. A ticket behind where the forecast cut its queue (all the tickets it
    did not read) waits beyond the cut-off, as the forecast says for that queue.
    """
    forecast, entry = _forecast_and_entry(session, hall, policy, ticket, now)
    if forecast is not None and forecast.beyond_cutoff:
        ahead = _people_ahead_counted(session, hall, policy, entry, ticket, now)
        forecast = replace(forecast, people_ahead=ahead)
    return forecast


def _forecast_and_entry(
    session: Session, hall: Hall, policy: CallingPolicy, ticket: Ticket, now: datetime
) -> tuple[WaitForecast | None, _Cached]:
    """The ticket's forecast as forecast_for_ticket finds it, and the kept forecast it used."""
    if _read_only(session):
        entry = _exact_entry(session, hall, policy, now)
        seq = entry.seq
    else:
        kept, version = _usable_entry(session, hall, now)
        seq = version.seq
        if kept is not None and (
            kept.seq == seq
            or (_is_plain_walk_in(ticket) and _same_windows_serve(session, kept, ticket))
        ):
            entry = kept
        else:
            entry = _compute_and_keep(session, hall, policy, now, version)
    prediction = entry.prediction
    if ticket.id is not None and ticket.id in prediction.tickets:
        return prediction.for_ticket(ticket.id, now), entry
    issued = ticket.issued_at or now
    place = (ticket.service_id, ticket.visitor_class, ticket.queue_key or issued, ticket.id)
    cut = prediction.cut_before(*place)
    if cut is not None:
        return prediction.read_at(cut.forecast, now), entry
    if _is_plain_walk_in(ticket) and issued >= prediction.made_at - LATER_TICKET_MARGIN:
        forecast = _new_walk_in_forecast(
            session, hall, entry, seq, ticket.service_id, now, before_ticket_id=ticket.id
        )
        return forecast, entry
    if ticket.id is not None and session.get(Ticket, ticket.id) is ticket:
        # Stored (perhaps in this very transaction): part of the state this session sees.
        fresh = compute_prediction(session, hall, policy, now)
        if ticket.id in fresh.tickets:
            return fresh.for_ticket(ticket.id, now), entry
        cut = fresh.cut_before(*place)
        if cut is not None:
            return fresh.read_at(cut.forecast, now), entry
    head = queue_head(ticket)
    fresh = compute_prediction(session, hall, policy, now, extra=(head,))
    return fresh.for_ticket(head.ticket_id, now), entry


def _same_windows_serve(session: Session, entry: _Cached, ticket: Ticket) -> bool:
    """Do the windows (not closed) that serve the ticket's service still as the kept forecast
    saw them? A window opening or closing is no change of plan (a clerk comes or goes), so a
    kept forecast may be of a hall where it was otherwise: a walk-in placed by it would be told
    a wait at a window now closed (and its status page, a moment later, that no window serves
    it), or be told nothing although a window now opened serves it. One indexed read."""
    serving = session.scalars(
        select(WindowService.window_id)
        .join(Window, Window.id == WindowService.window_id)
        .where(WindowService.service_id == ticket.service_id, Window.status != WindowStatus.CLOSED)
    )
    return set(serving) == set(entry.windows_for.get(ticket.service_id, ()))


def _people_ahead_counted(
    session: Session,
    hall: Hall,
    policy: CallingPolicy,
    entry: _Cached,
    ticket: Ticket,
    now: datetime,
) -> int:
    """The people ahead of a ticket beyond the forecast's cut-off, whose forecast knows only
    some of them: counted in the database as the ticket page counts them where no window
    serves a ticket (queue_reads.people_ahead), over the services the windows serving it serve."""
    windows = entry.windows_for.get(ticket.service_id, ())
    services = {s for w in windows for s in entry.services_of.get(w, ())} or {ticket.service_id}
    key = ticket.queue_key or ticket.issued_at or now
    return count_waiting_ahead(
        session, hall.id, services, policy, ticket.visitor_class, key, ticket.id
    )


def new_ticket_forecasts(
    session: Session, hall: Hall, policy: CallingPolicy, now: datetime
) -> dict[int, WaitForecast | None]:
    """A walk-in's forecast if issued now, for every service the hall offers."""
    entry = _exact_entry(session, hall, policy, now)
    return {s: entry.prediction.for_new_ticket(s, now) for s in entry.prediction.new_ticket}
