"""Issuing a ticket: the rules, the day's number, the print job for the kiosk, the live event.

A ticket taken on the visitor's phone (线上取号, `issue_remote_ticket`) goes through the same
`issue_ticket`: the same numbering, queue and rules, plus the hall's remote rules."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hall_server.core.id_card_number import require_valid_id_number
from hall_server.core.numbering import format_ticket_number, local_business_date, local_time
from hall_server.core.privacy import holder_hash, mask_name
from hall_server.core.refusals import Refused
from hall_server.core.remote_issuing import mainland_mobile
from hall_server.core.ticket_life import ACTIVE_STATUSES, TicketStatus, VisitorClass
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.booked_arrival import check_in_booked_visitor
from hall_server.operations.daily_quota import check_service_may_issue, quota_tickets_today
from hall_server.operations.live_events import DeviceMessage, record_event
from hall_server.operations.queue_reads import (
    policy_for,
    public_ticket,
    ticket_view,
)
from hall_server.operations.remote_issuing import check_remote_issue
from hall_server.operations.wait_predictions import may_need_refresh, refresh_if_due
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import (
    DailyCounter,
    Hall,
    PrintJob,
    Service,
    Ticket,
    WindowService,
)


@dataclass(frozen=True)
class IssueRequest:
    hall_id: int
    service_id: int
    visitor_class: str = VisitorClass.WALK_IN
    id_number: str | None = None
    phone: str | None = None
    holder_name: str | None = None
    appointment_due_at: datetime | None = None
    booking_code: str | None = None  # an appointment's, or a pre-review's code (booked_arrival)
    prereview_code: str | None = None


def next_sequence(session: Session, hall_id: int, prefix: str, local_date: Any) -> int:
    """Atomically take the next number of the day for this prefix (an upsert that returns it)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(DailyCounter)
        .values(hall_id=hall_id, prefix=prefix, local_date=local_date, last_sequence=1)
        .on_conflict_do_update(
            index_elements=["hall_id", "prefix", "local_date"],
            set_={"last_sequence": DailyCounter.last_sequence + 1},
        )
        .returning(DailyCounter.last_sequence)
    )
    return int(session.execute(statement).scalar_one())


def _holder_identity(request: IssueRequest, secret: str) -> str | None:
    if request.id_number:
        return holder_hash(secret, "id", request.id_number)
    if request.phone:
        return holder_hash(secret, "phone", request.phone)
    return None


def _print_payload(
    job_id: str, ticket: Ticket, hall: Hall, service: Service, view: dict[str, Any], status_url: str
) -> dict[str, Any]:
    known = view["estimated_wait"]
    estimate = known or {"low_minutes": 0, "high_minutes": 0}
    wait_kind = "unknown" if known is None else "over_limit" if known["over_limit"] else "range"
    payload: dict[str, Any] = {
        "job_id": job_id,
        "ticket_id": ticket.id,
        "hall_name": hall.name,
        "service_name": service.name,
        "ticket_number": ticket.number,
        "visitor_class": ticket.visitor_class,
        "people_ahead": view["people_ahead"] or 0,
        "estimated_wait_minutes": [estimate["low_minutes"], estimate["high_minutes"]],
        "wait_kind": wait_kind,
        "issued_at_local": f"{local_time(ticket.issued_at, hall.time_zone):%Y-%m-%d %H:%M}",
        "status_url": status_url,
        "notice_lines": list(hall.notice_lines or []),
        "language": "zh",
    }
    if ticket.appointment_due_at is not None:
        # An early arrival holds a ticket long before its turn: the paper says when that is.
        due = local_time(ticket.appointment_due_at, hall.time_zone)
        payload["appointment_due_local"] = f"{due:%H:%M}"
    return payload


def _check_remote_request(request: IssueRequest) -> None:
    """A remote visitor takes a plain walk-in ticket, identified by their mobile number only."""
    plain = IssueRequest(
        hall_id=request.hall_id, service_id=request.service_id, phone=request.phone
    )
    if request.phone is None or request != plain:
        raise Refused(
            "forbidden_role", "a ticket taken online is a walk-in's, with a mobile number only"
        )
    if mainland_mobile(request.phone) != request.phone:
        # The holder is the number's 11 digits, whichever way it was typed.
        raise Refused("invalid_phone", "give the mobile number as its 11 digits", field="phone")


def issue_remote_ticket(
    uow: UnitOfWork,
    actor: Actor,
    service_id: int,
    phone: str,
    now: datetime,
    identity_secret: str,
    public_base_url: str,
) -> dict[str, Any]:
    """A visitor takes a walk-in ticket on their phone, for the hall of the `remote_visitor`
    actor: one active ticket per mobile number and service, like at the kiosk."""
    require_role(actor, Role.REMOTE_VISITOR)
    request = IssueRequest(
        hall_id=actor.hall_id, service_id=service_id, phone=mainland_mobile(phone)
    )
    return issue_ticket(uow, actor, request, now, identity_secret, public_base_url)


def issue_ticket(
    uow: UnitOfWork,
    actor: Actor,
    request: IssueRequest,
    now: datetime,
    identity_secret: str,
    public_base_url: str,
) -> dict[str, Any]:
    """Issue a ticket; a kiosk also gets a print job, sent to it once the ticket is committed."""
    session = uow.session
    require_role(actor, Role.KIOSK, Role.CLERK, Role.MANAGER, Role.ADMIN, Role.REMOTE_VISITOR)
    # The hall, the service asked for and whether a window serves it, in one read.
    served = exists().where(WindowService.service_id == Service.id)
    found = session.execute(
        select(Hall, Service, served)
        .outerjoin(Service, Service.id == request.service_id)
        .where(Hall.id == request.hall_id)
    ).first()
    if found is None:
        raise Refused("not_found", f"no hall with id {request.hall_id}")
    hall: Hall = found[0]
    require_hall_access(session, actor, hall.id)
    service: Service | None = found[1]
    if service is None:
        raise Refused("not_found", f"no service with id {request.service_id}", field="service_id")
    if service.hall_id != hall.id:
        raise Refused("not_found", "this service is not offered in this hall", field="service_id")
    if request.visitor_class not in set(VisitorClass):
        raise Refused("invalid_visitor_class", "unknown visitor class", field="visitor_class")
    if request.id_number:
        require_valid_id_number(request.id_number)  # a misread card is not a stranger's
    if actor.role == Role.KIOSK and request.visitor_class != VisitorClass.WALK_IN:
        # Whoever stands at a kiosk could tap "priority": a kiosk's ticket is a walk-in's
        # until a booking, a pre-review code or an ID card shows otherwise.
        raise Refused(
            "forbidden_role",
            "a kiosk's ticket takes its class from a booking code, a pre-review code or an "
            "ID card; the priority lane (绿色通道) is given by the hall's staff",
            field="visitor_class",
        )
    remote = actor.role == Role.REMOTE_VISITOR
    identity = _holder_identity(request, identity_secret)
    if remote:
        _check_remote_request(request)
        assert identity is not None  # a remote request always has a phone
        check_remote_issue(session, hall, service, identity, now)

    today = local_business_date(now, hall.time_zone)
    # Taking the number locks the service's counter of the day until this transaction ends (on
    # PostgreSQL; SQLite's write lock holds everything already), so the quota and the holder's
    # active tickets are counted after it: two kiosks issuing the last place at once cannot
    # both get it. A refusal below rolls the number back.
    sequence = next_sequence(session, hall.id, service.prefix, today)
    quota_taken = 0
    if service.daily_quota is not None:  # without a quota there is nothing to count
        taken = quota_tickets_today(session, hall.id, today, service_id=service.id)
        quota_taken = taken.get(service.id, 0)
    holder_active = identity is not None and (
        session.scalar(
            select(Ticket.id).where(
                Ticket.hall_id == hall.id,
                Ticket.holder_hash == identity,
                Ticket.service_id == service.id,
                Ticket.status.in_(ACTIVE_STATUSES),
            )
        )
        is not None
    )
    check_service_may_issue(
        hall,
        service,
        quota_taken,
        now,
        holder_has_active_ticket=holder_active,
        served_by_a_window=bool(found[2]),
    )

    policy = policy_for(hall)
    ticket = Ticket(
        hall_id=hall.id,
        service_id=service.id,
        original_service_id=service.id,
        local_date=today,
        sequence=sequence,
        number=format_ticket_number(service.prefix, sequence),
        visitor_class=request.visitor_class,
        priority_rank=policy.class_rank(request.visitor_class),
        status=TicketStatus.WAITING,
        status_token=secrets.token_urlsafe(16),
        holder_hash=identity,
        holder_display_name=mask_name(request.holder_name) if request.holder_name else None,
        issued_by_device_id=actor.id if actor.kind == "device" else None,
        issued_remotely=remote,
        issued_at=now,
        queue_key=request.appointment_due_at or now,
        appointment_due_at=request.appointment_due_at,
        recall_count=0,
        transfer_count=0,
    )
    session.add(ticket)
    session.flush()
    check_in_booked_visitor(session, hall, service, request, ticket, policy.class_rank, now)
    view = ticket_view(session, ticket, now)
    # The forecast this ticket was placed by may be a change or two behind: make it anew once
    # this ticket is committed (at most once per refresh interval), outside the write lock.
    if may_need_refresh(session, hall):
        uow.on_commit(partial(refresh_if_due, uow.reading, hall.id, policy, now))
    estimate = view["estimated_wait"]
    if estimate is not None:
        ticket.predicted_wait_low_minutes = estimate["low_minutes"]
        ticket.predicted_wait_high_minutes = estimate["high_minutes"]
        ticket.predicted_wait_p50_minutes = estimate["median_minutes"]

    status_url = f"{public_base_url.rstrip('/')}/t/{ticket.status_token}"
    view["status_url"] = status_url
    view["print_job"] = None
    if actor.kind == "device" and actor.role == Role.KIOSK:
        job_id = uuid.uuid4().hex
        payload = _print_payload(job_id, ticket, hall, service, view, status_url)
        session.add(
            PrintJob(
                id=job_id,
                ticket_id=ticket.id,
                device_id=actor.id,
                payload=payload,
                status="pending",
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
        view["print_job"] = {"id": job_id, "status": "pending", "payload": payload}
        # Not a sign of life: the page issues, but only the print agent's heartbeat says that
        # tickets come out of the printer (alerts.py marks a silent kiosk's printer unknown).
        uow.publish_after_commit(DeviceMessage("print.job", actor.id, payload))
    record_event(uow, "ticket.issued", hall.id, {"ticket": public_ticket(view)})
    return view
