"""Reads of the live queue: heads for calling, people ahead, wait estimates, ticket views."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, all_, bindparam, func, or_, select, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from hall_server.core.calling_policy import CallingPolicy, QueueHead, WindowView, policy_named
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.core.window_life import WindowStatus
from hall_server.operations import wait_predictions
from hall_server.operations.record_refs import name_ref, window_ref
from hall_server.operations.waiting_heads import HEAD_COLUMNS, count_waiting_ahead, queue_head
from hall_server.storage.database import is_postgresql
from hall_server.storage.models import Hall, Service, Ticket, Window, WindowService


def get_or_refuse(session: Session, model: Any, object_id: int, what: str) -> Any:
    found = session.get(model, object_id)
    if found is None:
        raise Refused("not_found", f"no {what} with id {object_id}")
    return found


def policy_for(hall: Hall) -> CallingPolicy:
    return policy_named(hall.calling_policy, hall.calling_settings)


def window_service_ids(session: Session, window_id: int) -> tuple[int, ...]:
    rows = session.scalars(
        select(WindowService.service_id)
        .where(WindowService.window_id == window_id)
        .order_by(WindowService.position)
    )
    return tuple(rows)


@functools.cache
def _window_calling_statement() -> Any:
    """A window's services in order, each with how many open windows serve it; built once (its
    correlated count cost more CPU to build than to run). Bound: window_id."""
    other_link = aliased(WindowService)
    open_windows_serving = (
        select(func.count())
        .select_from(other_link)
        .join(Window, Window.id == other_link.window_id)
        .where(
            other_link.service_id == WindowService.service_id, Window.status == WindowStatus.OPEN
        )
        .correlate(WindowService)
        .scalar_subquery()
    )
    return (
        select(Service, open_windows_serving)
        .join(WindowService, WindowService.service_id == Service.id)
        .where(WindowService.window_id == bindparam("window_id"))
        .order_by(WindowService.position)
    )


def window_calling_view(session: Session, window_id: int) -> WindowView:
    """The window as a calling policy sees it: its services in order, with how many open windows
    serve each, in one read. The services stay in the session: the event of a call names one."""
    rows = session.execute(_window_calling_statement(), {"window_id": window_id}).all()
    return WindowView(
        id=window_id,
        service_ids=tuple(service.id for service, _ in rows),
        windows_serving={service.id: int(count) for service, count in rows if count},
    )


def _queue_conditions(service: Any, visitor_class: Any) -> list[Any]:
    """A waiting ticket of one queue that this window may call. Bound: hall_id, window_id."""
    return [
        Ticket.hall_id == bindparam("hall_id"),
        Ticket.status == TicketStatus.WAITING,
        Ticket.service_id == service,
        Ticket.visitor_class == visitor_class,
        or_(Ticket.target_window_id.is_(None), Ticket.target_window_id == bindparam("window_id")),
    ]


@functools.lru_cache(maxsize=64)
def _heads_statement(queue_count: int, with_exclusions: bool) -> Any:
    """SQLite: the union of one index seek per queue, built once per shape: building it anew
    cost more CPU than running it. Bound: hall_id, window_id, service_<i>, class_<i>,
    excluded."""
    parts = []
    for index in range(queue_count):
        conditions = _queue_conditions(bindparam(f"service_{index}"), bindparam(f"class_{index}"))
        if with_exclusions:
            conditions.append(Ticket.id.not_in(bindparam("excluded", expanding=True)))
        head = (
            select(*HEAD_COLUMNS).where(*conditions).order_by(Ticket.queue_key, Ticket.id).limit(1)
        )
        parts.append(head.subquery().select())
    return union_all(*parts)


@functools.cache
def _heads_statement_on_postgresql() -> Any:
    """PostgreSQL: the same index seeks as one lateral join over the queues, passed as two
    arrays (services and visitor classes, pair by pair). One small statement of one shape for
    any window: PostgreSQL plans it in a fraction of the time a union of a seek per queue took
    to plan (the plan, not the seeks, was most of call-next's time in the database). Bound:
    hall_id, window_id, service_ids, visitor_classes, excluded (an array, perhaps empty)."""
    queues = (
        func.unnest(
            bindparam("service_ids", type_=ARRAY(Integer)),
            bindparam("visitor_classes", type_=ARRAY(String)),
        )
        .table_valued("service_id", "visitor_class", with_ordinality="position", name="queues")
        .render_derived()
    )
    conditions = _queue_conditions(queues.c.service_id, queues.c.visitor_class)
    conditions.append(Ticket.id != all_(bindparam("excluded", type_=ARRAY(Integer))))
    head = (
        select(*HEAD_COLUMNS)
        .where(*conditions)
        .order_by(Ticket.queue_key, Ticket.id)
        .limit(1)
        .lateral("head")
    )
    return select(head).select_from(queues).join(head, true()).order_by(queues.c.position)


# SQLite refuses a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT): a
# comprehensive window may serve hundreds of services, 4 queues each, so its union is split.
# (Each part binds about 6 parameters a queue, far below SQLite's 32,766 since 3.32.)
QUEUES_PER_UNION = 400
# A queue no ticket is in: it fills a part up to one of a few sizes, so the few shapes of union
# stay built (the queues sought vary from call to call where the policy counts them).
_NO_QUEUE = (0, "")


def _union_size(queue_count: int) -> int:
    size = 1
    while size < queue_count:
        size *= 2
    return min(size, QUEUES_PER_UNION)


def _heads(
    session: Session,
    hall_id: int,
    queues: list[tuple[int, str]],
    window_id: int,
    excluded_ids: frozenset[int],
) -> list[Any]:
    """The first waiting ticket callable here of each (service, visitor class) queue, as rows
    of HEAD_COLUMNS, in the order of `queues`."""
    if not queues:
        return []
    parameters: dict[str, Any] = {"hall_id": hall_id, "window_id": window_id}
    if is_postgresql(session):
        parameters["service_ids"] = [service for service, _ in queues]
        parameters["visitor_classes"] = [visitor_class for _, visitor_class in queues]
        parameters["excluded"] = sorted(excluded_ids)
        return list(session.execute(_heads_statement_on_postgresql(), parameters))
    if excluded_ids:
        parameters["excluded"] = sorted(excluded_ids)
    heads: list[Any] = []
    for start in range(0, len(queues), QUEUES_PER_UNION):
        part = queues[start : start + QUEUES_PER_UNION]
        size = _union_size(len(part))
        part = part + [_NO_QUEUE] * (size - len(part))
        bound = dict(parameters)
        for index, (service, visitor_class) in enumerate(part):
            bound[f"service_{index}"] = service
            bound[f"class_{index}"] = visitor_class
        heads.extend(session.execute(_heads_statement(size, bool(excluded_ids)), bound))
    return heads


def queue_heads(
    session: Session,
    hall_id: int,
    service_ids: tuple[int, ...],
    window_id: int,
    excluded_ids: frozenset[int] = frozenset(),
    count_waiting: bool = True,
) -> list[QueueHead]:
    """The first waiting ticket of every (service, visitor class) queue this window may call,
    in the window's order of services, then VisitorClass's order.

    Each is one index seek, so calling stays fast however many people wait. Counting how many
    wait in each queue reads them all; `count_waiting=False` skips it for policies that do not
    look at `QueueHead.waiting_count` (it is then 1). Where counted, only the queues someone
    waits in are sought: a comprehensive window may serve hundreds of services, most of whose
    queues are empty at any moment. (On PostgreSQL the count and the seeks are two statements,
    each seeing what was committed when it began: a ticket issued into an empty queue between
    the two, milliseconds apart, is not seen, as if it had come just after the clerk's click.)
    """
    if not service_ids:
        return []
    queues = [
        (service, visitor_class.value) for service in service_ids for visitor_class in VisitorClass
    ]
    waiting: dict[tuple[int, str], int] = {}
    if count_waiting:
        callable_here = [
            Ticket.hall_id == hall_id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id.in_(service_ids),
            or_(Ticket.target_window_id.is_(None), Ticket.target_window_id == window_id),
        ]
        if excluded_ids:
            callable_here.append(Ticket.id.not_in(excluded_ids))
        waiting = {
            (service_id, visitor_class): int(count)
            for service_id, visitor_class, count in session.execute(
                select(Ticket.service_id, Ticket.visitor_class, func.count())
                .where(*callable_here)
                .group_by(Ticket.service_id, Ticket.visitor_class)
            )
        }
        queues = [queue for queue in queues if queue in waiting]
    rows = _heads(session, hall_id, queues, window_id, excluded_ids)
    return [queue_head(row, waiting.get((row.service_id, row.visitor_class), 1)) for row in rows]


def lock_waiting_ticket(session: Session, ticket_id: int, use_row_locks: bool) -> Ticket | None:
    """Lock a ticket we mean to call; None if another window holds it or already called it.

    The ticket is read afresh (populate_existing): the session may hold an older copy (the
    counter page's, say), and another transaction may have changed it (a transfer) since."""
    query = (
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.WAITING)
        .execution_options(populate_existing=True)
    )
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
    return count_waiting_ahead(
        session,
        ticket.hall_id,
        services,
        policy,
        ticket.visitor_class,
        ticket.queue_key,
        ticket.id,
    )


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
        "service": name_ref(service),
        "status_token": ticket.status_token,
        "holder_display_name": ticket.holder_display_name,
        "issued_remotely": ticket.issued_remotely,
        "issued_at": ticket.issued_at,
        "appointment_due_at": ticket.appointment_due_at,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "finished_at": ticket.finished_at,
        "recall_count": ticket.recall_count,
        "outcome": ticket.outcome,
        "transfer_count": ticket.transfer_count,
        "target_window_id": ticket.target_window_id,
        "window": window_ref(window),
        "people_ahead": None,
        "estimated_wait": None,
        "requeue_until": None,
        "requeue_behind": None,
    }
    if ticket.status == TicketStatus.NO_SHOW and ticket.no_show_at is not None:
        # What a visitor who missed the call may still do: come back by then, and wait
        # behind at most this many people (POST /tickets/<id>/requeue).
        view["requeue_until"] = ticket.no_show_at + timedelta(minutes=hall.no_show_grace_minutes)
        view["requeue_behind"] = hall.requeue_behind
    if with_position and ticket.status == TicketStatus.WAITING:
        policy = policy_for(hall)
        forecast = wait_predictions.forecast_for_ticket(session, hall, policy, ticket, now)
        if forecast is None:  # no window can serve it now: count, but promise nothing
            view["people_ahead"] = people_ahead(session, ticket, policy)
        else:
            view["people_ahead"] = forecast.people_ahead
            view["estimated_wait"] = forecast.display().to_dict()
    return view


def public_ticket(view: dict[str, Any]) -> dict[str, Any]:
    """What every screen in the hall may see of a ticket: no tokens, no print payloads."""
    return {k: v for k, v in view.items() if k not in {"status_token", "status_url", "print_job"}}
