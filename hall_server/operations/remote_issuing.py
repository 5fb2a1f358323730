"""Remote tickets (线上取号): a hall's settings, what its phone page offers, and the checks a
remote ticket passes before issue_ticket numbers it like any walk-in.

The public page and API act as a `Role.REMOTE_VISITOR` of the hall (`remote_visitor`); issue_ticket
calls `check_remote_issue` for that role, so no path issues a remote ticket around these rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hall_server.core.numbering import local_business_date
from hall_server.core.privacy import holder_hash
from hall_server.core.refusals import Refused
from hall_server.core.remote_issuing import (
    RemoteIssuingContext,
    RemoteIssuingSettings,
    check_may_issue_remotely,
    mainland_mobile,
    nothing_offered_online,
)
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.daily_quota import (
    check_service_may_issue,
    quota_tickets_today,
    services_with_windows,
)
from hall_server.operations.hall_reads import new_ticket_figures
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Department, Hall, Service, Ticket

# The first key of PostgreSQL's advisory lock that lines up one hall's remote tickets (the
# second is the hall's id); any constant no other lock in HallQ uses.
REMOTE_ISSUING_LOCK = 4_817_001


def take_page_url(public_base_url: str, hall_code: str) -> str:
    """The hall's phone page, the target of the QR poster at its entrance. A code written
    through the API is letters, digits, '-' and '_' (manager_schemas.HALL_CODE); one stored
    before that rule (`xh.street`, `城东`) is encoded, so it stays one path segment."""
    return f"{public_base_url.rstrip('/')}/h/{quote(hall_code, safe='')}/take"


def phone_holder(phone: str, identity_secret: str) -> str:
    """The keyed hash a remote ticket's holder is known by: that of the number's 11 digits,
    as issue_ticket stores it."""
    return holder_hash(identity_secret, "phone", mainland_mobile(phone))


def remote_visitor(hall_id: int, phone: str, identity_secret: str) -> Actor:
    """Who takes a ticket through the hall's public page or API: nobody logged in, known only by
    the mobile number typed, so that two visitors' Idempotency-Keys never meet."""
    return Actor(
        kind="remote_visitor",
        id=hall_id,
        role=Role.REMOTE_VISITOR,
        hall_id=hall_id,
        holder=phone_holder(phone, identity_secret),
    )


def hall_for_code(session: Session, hall_code: str) -> Hall:
    hall = session.scalar(select(Hall).where(Hall.code == hall_code))
    if hall is None:
        raise Refused("not_found", "no hall with this code")
    return hall


def hall_id_for_code(session: Session, hall_code: str) -> int:
    return hall_for_code(session, hall_code).id


def _remote_waiting(session: Session, hall_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.hall_id == hall_id,
                Ticket.status == TicketStatus.WAITING,
                Ticket.issued_remotely.is_(True),
            )
        )
        or 0
    )


def _phone_remote_tickets(session: Session, hall_id: int, holder: str, today: date) -> int:
    """Remote tickets the number took in the hall today, whatever became of them."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.hall_id == hall_id,
                Ticket.holder_hash == holder,
                Ticket.local_date == today,
                Ticket.issued_remotely.is_(True),
            )
        )
        or 0
    )


def _line_up_remote_tickets(session: Session, hall_id: int) -> None:
    """One remote ticket of a hall at a time, so two cannot both take the last place under the
    cap or both pass as the phone's first ticket. SQLite writers already go one at a time; on
    PostgreSQL the lock is taken before any row lock and held until the commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:lock_class, :hall_id)"),
            {"lock_class": REMOTE_ISSUING_LOCK, "hall_id": hall_id},
        )


def check_remote_issue(
    session: Session, hall: Hall, service: Service, holder: str, now: datetime
) -> None:
    """The hall's remote rules for one more remote ticket of `service` for the number known by
    `holder`; issue_ticket goes on with the hall's ordinary issuing rules after this."""
    _line_up_remote_tickets(session, hall.id)
    today = local_business_date(now, hall.time_zone)
    remote_today = quota_tickets_today(
        session, hall.id, today, service_id=service.id, remote_only=True
    )
    check_may_issue_remotely(
        RemoteIssuingSettings.of(hall.remote_issuing_settings),
        RemoteIssuingContext(
            service_id=service.id,
            service_daily_quota=service.daily_quota,
            remote_waiting_in_hall=_remote_waiting(session, hall.id),
            remote_issued_today_for_service=remote_today.get(service.id, 0),
            phone_remote_tickets_today=_phone_remote_tickets(session, hall.id, holder, today),
        ),
    )


def remote_offer(
    session: Session,
    hall_code: str,
    now: datetime,
    translate: Callable[[str], str] = str,
) -> dict[str, Any]:
    """What the hall's phone page shows: the services one may take remotely, each with the
    people waiting for it, the people a ticket taken now would have ahead (those of other
    services at shared windows too: the figure its status page then shows), the estimated wait
    for a new ticket and why it cannot be taken now, if so.

    Refusals are those issuing would give, in the same order, without the visitor's identity
    (so not "already holds a ticket"). One that holds for every service (remote tickets off,
    the cap reached, the hall closed, no service offered online) is the hall's `refusal`; the
    page then says only that. `translate` puts the refusals' messages in the reader's language.
    """

    def _refusal(error: Refused) -> dict[str, str]:
        return {"code": error.code, "message": translate(error.message)}

    hall = hall_for_code(session, hall_code)
    settings = RemoteIssuingSettings.of(hall.remote_issuing_settings)
    offer: dict[str, Any] = {
        "hall": {"id": hall.id, "code": hall.code, "name": hall.name, "name_en": hall.name_en},
        "enabled": settings.enabled,
        "max_waiting": settings.max_waiting,
        "remote_waiting": 0,
        "refusal": None,
        "services": [],
    }
    if not settings.enabled:
        try:
            check_may_issue_remotely(settings, RemoteIssuingContext(0, None, 0, 0))
        except Refused as off:
            offer["refusal"] = _refusal(off)
        return offer
    remote_waiting = offer["remote_waiting"] = _remote_waiting(session, hall.id)
    today = local_business_date(now, hall.time_zone)
    issued_today = quota_tickets_today(session, hall.id, today)
    remote_today = quota_tickets_today(session, hall.id, today, remote_only=True)
    waiting = dict(
        session.execute(
            select(Ticket.service_id, func.count())
            .where(Ticket.hall_id == hall.id, Ticket.status == TicketStatus.WAITING)
            .group_by(Ticket.service_id)
        ).all()
    )
    figures = new_ticket_figures(session, hall, now)
    served = services_with_windows(session, hall.id)
    rows = session.execute(
        select(Service, Department)
        .join(Department, Department.id == Service.department_id)
        .where(Service.hall_id == hall.id, Service.active.is_(True))
        .order_by(Department.id, Service.id)
    ).all()
    for service, department in rows:
        if not settings.offers(service.id) or settings.remote_quota(service.daily_quota) == 0:
            continue  # the page lists only what may be taken online
        refusal = None
        try:
            check_may_issue_remotely(
                settings,
                RemoteIssuingContext(
                    service.id,
                    service.daily_quota,
                    remote_waiting,
                    remote_today.get(service.id, 0),
                ),
            )
            check_service_may_issue(
                hall,
                service,
                issued_today.get(service.id, 0),
                now,
                served_by_a_window=service.id in served,
            )
        except Refused as refused:
            refusal = _refusal(refused)
        figure = figures.get(service.id, {"people_ahead": 0, "estimated_wait": None})
        offer["services"].append(
            {
                "service_id": service.id,
                "name": service.name,
                "name_en": service.name_en,
                "prefix": service.prefix,
                "department": {
                    "id": department.id,
                    "name": department.name,
                    "name_en": department.name_en,
                },
                "waiting": int(waiting.get(service.id, 0)),
                "people_ahead": figure["people_ahead"],
                "estimated_wait_for_new_ticket": figure["estimated_wait"],
                "refusal": refusal,
            }
        )
    codes = {None if s["refusal"] is None else s["refusal"]["code"] for s in offer["services"]}
    if not offer["services"]:
        offer["refusal"] = _refusal(nothing_offered_online())
    elif len(codes) == 1 and None not in codes:
        offer["refusal"] = offer["services"][0]["refusal"]
    return offer


# ----- the managers' settings -----


def _managed_hall(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    return hall


def _settings_view(hall: Hall) -> dict[str, Any]:
    return {
        "hall_code": hall.code,
        **RemoteIssuingSettings.of(hall.remote_issuing_settings).to_dict(),
    }


def read_remote_settings(session: Session, actor: Actor, hall_id: int) -> dict[str, Any]:
    return _settings_view(_managed_hall(session, actor, hall_id))


def change_remote_settings(
    uow: UnitOfWork, actor: Actor, hall_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """A manager switches remote tickets on or off and tunes them; the next ticket obeys."""
    hall = _managed_hall(uow.session, actor, hall_id)
    service_ids = changes.get("service_ids")
    if service_ids:
        known = set(uow.session.scalars(select(Service.id).where(Service.hall_id == hall.id)))
        for service_id in service_ids:
            if service_id not in known:
                raise Refused(
                    "invalid_remote_settings",
                    f"service {service_id} is not offered in this hall",
                    field="service_ids",
                )
    stored = {**RemoteIssuingSettings.of(hall.remote_issuing_settings).to_dict(), **changes}
    hall.remote_issuing_settings = RemoteIssuingSettings.of(stored).to_dict()
    return _settings_view(hall)
