"""Administration of halls: the halls themselves, departments, services (and the catalogue
import), windows, and the notices a manager sends to the boards. Staff accounts are in
staff_accounts.py; devices are enrolled and revoked in credentials.py.

Who may do what: admins look after halls; managers (and admins) look after the departments,
services, windows and notices of their hall and the halls below it. Every change that a screen
shows is announced to the hall after the commit.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.hall_code import check_new_hall_code
from hall_server.core.numbering import validate_prefix
from hall_server.core.opening_hours import parse_weekly_hours
from hall_server.core.refusals import Refused
from hall_server.operations import catalogue_import
from hall_server.operations.access import (
    Actor,
    Role,
    hall_ancestors,
    require_hall_access,
    require_role,
)
from hall_server.operations.hall_reads import hall_view, list_services, require_hall
from hall_server.operations.live_events import record_event
from hall_server.operations.wait_predictions import raise_plan_seq
from hall_server.operations.window_operations import window_view
from hall_server.storage.database import Database, UnitOfWork
from hall_server.storage.models import (
    BoardNotice,
    Department,
    Hall,
    Service,
    User,
    Window,
)

HALL_LEVELS = ("city", "district", "township", "community")
MAX_NOTICE_LINES = 10
MAX_CATALOGUE_BYTES = 5 * 1024 * 1024


def _require_manager(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    return require_hall(session, hall_id)


def require_admin(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_role(actor, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    return require_hall(session, hall_id)


def require_found(session: Session, model: Any, object_id: int, what: str) -> Any:
    found = session.get(model, object_id)
    if found is None:
        raise Refused("not_found", f"no {what} with id {object_id}")
    return found


def require_unique(session: Session, query: Any, what: str, field: str) -> None:
    if session.scalar(query) is not None:
        raise Refused("duplicate", f"{what} is already taken", field=field)


def _apply(target: Any, values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name in values:
            setattr(target, name, values[name])


# ----- halls -----


def _check_hall_values(session: Session, values: dict[str, Any], hall: Hall | None) -> None:
    if "level" in values and values["level"] not in HALL_LEVELS:
        raise Refused("invalid_level", f"level must be one of {list(HALL_LEVELS)}", "level")
    if "time_zone" in values:
        try:
            ZoneInfo(values["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise Refused("invalid_time_zone", "unknown time zone", "time_zone") from error
    if values.get("opening_hours"):
        try:
            parse_weekly_hours(values["opening_hours"])
        except ValueError as error:
            raise Refused("invalid_opening_hours", str(error), "opening_hours") from error
    if "code" in values and (hall is None or values["code"] != hall.code):
        check_new_hall_code(values["code"])
        require_unique(session, select(Hall.id).where(Hall.code == values["code"]), "code", "code")


HALL_FIELDS = (
    "code",
    "name",
    "name_en",
    "level",
    "time_zone",
    "opening_hours",
    "target_wait_minutes",
    "max_recalls",
    "no_show_grace_minutes",
    "requeue_behind",
)


def create_hall(uow: UnitOfWork, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """An admin opens a hall below one they look after (a new township centre, say)."""
    session = uow.session
    require_admin(session, actor, values["parent_id"])
    return hall_view(new_hall(session, values))


def new_hall(session: Session, values: dict[str, Any]) -> Hall:
    """A hall below `values["parent_id"]` (None: at the top), its values checked."""
    _check_hall_values(session, values, None)
    hall = Hall(
        parent_id=values["parent_id"],
        notice_lines=[],
        calling_policy="fcfs",
        event_seq=0,
        display_settings={},
        alert_settings={},
    )
    _apply(hall, {"time_zone": "Asia/Shanghai", **values}, HALL_FIELDS)
    session.add(hall)
    session.flush()
    return hall


def update_hall(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    session = uow.session
    hall = require_admin(session, actor, hall_id)
    _check_hall_values(session, values, hall)
    if "parent_id" in values and values["parent_id"] != hall.parent_id:
        parent_id = values["parent_id"]
        if parent_id is None or hall.id == actor.hall_id:
            raise Refused("invalid_parent", "only a hall below yours can move", "parent_id")
        require_hall_access(session, actor, parent_id)
        if hall.id in hall_ancestors(session, parent_id):
            raise Refused("invalid_parent", "a hall cannot move below itself", "parent_id")
        hall.parent_id = parent_id
    time_zone = hall.time_zone
    _apply(hall, values, HALL_FIELDS)
    session.flush()
    record_event(uow, "hall.changed", hall.id, {"hall": hall_view(hall)})
    if hall.time_zone != time_zone:
        raise_plan_seq(session, hall.id)  # the rota's breaks and the hall's day move with it
    return hall_view(hall)


def send_notice(
    uow: UnitOfWork, actor: Actor, hall_id: int, lines: list[str], now: datetime
) -> dict[str, Any]:
    """A manager puts a notice on every board of the hall at once (empty lines clear it)."""
    session = uow.session
    hall = _require_manager(session, actor, hall_id)
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) > MAX_NOTICE_LINES:
        raise Refused("too_many_lines", f"at most {MAX_NOTICE_LINES} lines", "lines")
    hall.notice_lines = lines
    session.add(
        BoardNotice(
            hall_id=hall.id,
            lines=lines,
            sent_by_user_id=actor.id if actor.kind == "user" else None,
            sent_at=now,
        )
    )
    session.flush()
    record_event(uow, "hall.changed", hall.id, {"hall": hall_view(hall)})
    return hall_view(hall)


def notice_history(
    session: Session, actor: Actor, hall_id: int, limit: int = 20
) -> list[dict[str, Any]]:
    _require_manager(session, actor, hall_id)
    rows = session.execute(
        select(BoardNotice, User.name)
        .outerjoin(User, User.id == BoardNotice.sent_by_user_id)
        .where(BoardNotice.hall_id == hall_id)
        .order_by(BoardNotice.sent_at.desc(), BoardNotice.id.desc())
        .limit(limit)
    ).all()
    return [
        {"id": n.id, "lines": list(n.lines or []), "sent_at": n.sent_at, "sent_by": name}
        for n, name in rows
    ]


# ----- departments and services -----


def department_view(department: Department) -> dict[str, Any]:
    return {
        "id": department.id,
        "hall_id": department.hall_id,
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
    }


def list_departments(session: Session, actor: Actor, hall_id: int) -> list[dict[str, Any]]:
    _require_manager(session, actor, hall_id)
    rows = session.scalars(
        select(Department).where(Department.hall_id == hall_id).order_by(Department.id)
    )
    return [department_view(d) for d in rows]


def create_department(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    session = uow.session
    _require_manager(session, actor, hall_id)
    require_unique(
        session,
        select(Department.id).where(
            Department.hall_id == hall_id, Department.code == values["code"]
        ),
        "this department code",
        "code",
    )
    department = Department(hall_id=hall_id)
    _apply(department, values, ("code", "name", "name_en"))
    session.add(department)
    session.flush()
    return department_view(department)


def update_department(
    uow: UnitOfWork, actor: Actor, department_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    session = uow.session
    department: Department = require_found(session, Department, department_id, "department")
    _require_manager(session, actor, department.hall_id)
    if "code" in values and values["code"] != department.code:
        require_unique(
            session,
            select(Department.id).where(
                Department.hall_id == department.hall_id, Department.code == values["code"]
            ),
            "this department code",
            "code",
        )
    _apply(department, values, ("code", "name", "name_en"))
    session.flush()
    return department_view(department)


SERVICE_FIELDS = (
    "code",
    "name",
    "name_en",
    "pinyin_initials",
    "prefix",
    "expected_handling_minutes",
    "daily_quota",
    "issuing_hours",
    "active",
    "department_id",
)


def _check_service_values(session: Session, hall_id: int, values: dict[str, Any]) -> None:
    if "prefix" in values:
        validate_prefix(values["prefix"])
    if values.get("issuing_hours"):
        try:
            parse_weekly_hours(values["issuing_hours"])
        except ValueError as error:
            raise Refused("invalid_opening_hours", str(error), "issuing_hours") from error
    if "department_id" in values:
        department = session.get(Department, values["department_id"])
        if department is None or department.hall_id != hall_id:
            raise Refused("not_found", "no such department in this hall", "department_id")


def _service_view(session: Session, service: Service) -> dict[str, Any]:
    session.flush()
    return next(s for s in list_services(session, service.hall_id) if s["id"] == service.id)


def create_service(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    session = uow.session
    _require_manager(session, actor, hall_id)
    _check_service_values(session, hall_id, values)
    require_unique(
        session,
        select(Service.id).where(Service.hall_id == hall_id, Service.code == values["code"]),
        "this service code",
        "code",
    )
    service = Service(hall_id=hall_id, expected_handling_minutes=10, active=True)
    _apply(service, values, SERVICE_FIELDS)
    session.add(service)
    view = _service_view(session, service)
    record_event(uow, "service.changed", hall_id, {"service": view})
    return view


def update_service(
    uow: UnitOfWork, actor: Actor, service_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Rename, re-prefix, set the daily quota or hours, or withdraw (inactive) a service."""
    session = uow.session
    service: Service = require_found(session, Service, service_id, "service")
    _require_manager(session, actor, service.hall_id)
    _check_service_values(session, service.hall_id, values)
    if "code" in values and values["code"] != service.code:
        require_unique(
            session,
            select(Service.id).where(
                Service.hall_id == service.hall_id, Service.code == values["code"]
            ),
            "this service code",
            "code",
        )
    planned = (service.expected_handling_minutes, service.active)
    _apply(service, values, SERVICE_FIELDS)
    view = _service_view(session, service)
    record_event(uow, "service.changed", service.hall_id, {"service": view})
    if (service.expected_handling_minutes, service.active) != planned:
        # How long its cases are expected to take, or whether it is offered: a change of plan.
        raise_plan_seq(session, service.hall_id)
    return view


def import_service_catalogue(
    database: Database,
    actor: Actor,
    hall_id: int,
    filename: str,
    content: bytes,
    dry_run: bool,
) -> dict[str, Any]:
    """The uploaded catalogue (CSV or XLSX), checked row by row and applied all or nothing."""
    with database.reading() as session:
        hall = _require_manager(session, actor, hall_id)
        hall_code = hall.code
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise Refused("invalid_file", "upload a .csv or .xlsx file", "file")
    if len(content) > MAX_CATALOGUE_BYTES:
        raise Refused("invalid_file", "the file is larger than 5 MB", "file")
    with tempfile.TemporaryDirectory(prefix="hallq-catalogue-") as directory:
        path = Path(directory) / f"catalogue{suffix}"
        path.write_bytes(content)
        try:
            report = catalogue_import.import_catalogue(database, path, hall_code, dry_run=dry_run)
        except click.UsageError as error:
            raise Refused("invalid_file", error.message, "file") from error
        except (ValueError, KeyError, BadZipFile, InvalidFileException) as error:
            # A file that is not what its name says: a broken XLSX, a CSV not in UTF-8.
            raise Refused("invalid_file", f"cannot read the file: {error}", "file") from error
    return {
        "created": report.created,
        "updated": report.updated,
        "dry_run": dry_run,
        "applied": not report.problems and not dry_run,
        "problems": [{"line": p.line, "message": p.message} for p in report.problems],
    }


# ----- windows -----


def create_window(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A new window starts closed and serves nothing until a manager says what it serves."""
    session = uow.session
    _require_manager(session, actor, hall_id)
    require_unique(
        session,
        select(Window.id).where(Window.hall_id == hall_id, Window.number == values["number"]),
        f"window number {values['number']}",
        "number",
    )
    window = Window(hall_id=hall_id, status="closed", kind="comprehensive", status_changed_at=now)
    _apply(window, values, ("number", "name", "name_en", "kind"))
    session.add(window)
    session.flush()
    view = window_view(session, window)
    record_event(uow, "window.changed", hall_id, {"window": view}, (window.id,))
    return view


def update_window(
    uow: UnitOfWork, actor: Actor, window_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    session = uow.session
    window: Window = require_found(session, Window, window_id, "window")
    _require_manager(session, actor, window.hall_id)
    if "number" in values and values["number"] != window.number:
        require_unique(
            session,
            select(Window.id).where(
                Window.hall_id == window.hall_id, Window.number == values["number"]
            ),
            f"window number {values['number']}",
            "number",
        )
    _apply(window, values, ("number", "name", "name_en", "kind"))
    session.flush()
    view = window_view(session, window)
    record_event(uow, "window.changed", window.hall_id, {"window": view}, (window.id,))
    return view
