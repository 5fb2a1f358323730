"""A device's own view of itself over HTTP: who it is, and its report that it is alive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor
from hall_server.operations.print_jobs import report_device_health
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Device, Hall


def device_self(session: Session, actor: Actor) -> dict[str, Any]:
    """The calling device: its id, kind, name, hall, window (a window display's) and health as
    the server knows it. Its token names it; a person's token is refused."""
    if actor.kind != "device":
        raise Refused("forbidden_role", "devices only")
    device = session.get(Device, actor.id)
    assert device is not None  # the token was just found for it
    hall = session.get(Hall, device.hall_id)
    assert hall is not None
    return {
        "id": device.id,
        "kind": device.kind,
        "name": device.name,
        "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
        "window_id": device.window_id,
        "last_seen_at": device.last_seen_at,
        "printer_status": device.printer_status,
    }


def report_health_over_http(
    uow: UnitOfWork, actor: Actor, printer_status: str | None, now: datetime
) -> dict[str, Any]:
    """The device's heartbeat sent over HTTP (what `device.health` is over Socket.IO): it is
    seen now, and a kiosk's printer status is recorded; the device as it now stands."""
    report_device_health(uow, actor, printer_status, now)
    return device_self(uow.session, actor)
