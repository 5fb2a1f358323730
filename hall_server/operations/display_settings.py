"""What lobby boards and window displays show: hall-wide defaults, per-device choices, merged.

A hall sets defaults for all its screens (English beside Chinese, numbers only, voice); each
board or window display may narrow what it shows (a floor's services or windows) and choose its
layout. A change is a hall event, so every screen applies it live and a missed one is resynced.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.credentials import device_view
from hall_server.operations.hall_reads import hall_view, require_hall
from hall_server.operations.live_events import record_event
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Device, Hall, Service, Window

DISPLAY_KINDS = (Role.BOARD, Role.WINDOW_DISPLAY)
PANELS = ("latest", "recent", "waiting", "notices", "clock")

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    Role.BOARD: {
        "title": None,
        "service_ids": None,  # None: every service of the hall
        "window_ids": None,  # None: calls to every window
        "panels": list(PANELS),
        "columns": 2,  # of the recent-calls grid
        "latest_count": 3,  # calls shown large
        "recent_count": 8,
        "waiting_by": "auto",  # service, department, or auto (departments when many services)
        "waiting_rows": 7,  # more rows turn into pages that rotate
        "english": True,
        "numbers_only": False,
        "voice": {"enabled": True, "volume": 0.8, "english": False, "chime": True},
    },
    Role.WINDOW_DISPLAY: {
        "title": None,
        "english": True,
        "numbers_only": False,
        # The lobby board speaks; a window display only where a hall has no board.
        "voice": {"enabled": False, "volume": 0.8, "english": False, "chime": True},
    },
}


def effective_settings(
    kind: str, hall_settings: dict[str, Any] | None, device_settings: dict[str, Any] | None
) -> dict[str, Any]:
    """Defaults, then the hall's, then the device's; a hall's "numbers only" cannot be undone."""
    if kind not in DEFAULT_SETTINGS:
        raise Refused(
            "invalid_device_kind", "only boards and window displays have display settings"
        )
    merged = copy.deepcopy(DEFAULT_SETTINGS[kind])
    for layer in (hall_settings or {}, device_settings or {}):
        for key, value in layer.items():
            if key not in merged:
                continue  # a key for the other kind of screen, or one no longer used
            if isinstance(merged[key], dict) and isinstance(value, dict):
                merged[key] = {
                    **merged[key],
                    **{k: v for k, v in value.items() if k in merged[key]},
                }
            else:
                merged[key] = copy.deepcopy(value)
    merged["numbers_only"] = bool(
        (hall_settings or {}).get("numbers_only") or (device_settings or {}).get("numbers_only")
    )
    return merged


def settings_view(device: Device, hall: Hall) -> dict[str, Any]:
    return {
        "device_id": device.id,
        "hall_id": device.hall_id,
        "kind": device.kind,
        "name": device.name,
        "window_id": device.window_id,
        "settings": dict(device.settings or {}),
        "hall_settings": dict(hall.display_settings or {}),
        "effective_settings": effective_settings(
            device.kind, hall.display_settings, device.settings
        ),
    }


def _display_device(uow_session: Any, device_id: int) -> Device:
    device = uow_session.get(Device, device_id)
    if device is None:
        raise Refused("not_found", f"no device with id {device_id}")
    if device.kind not in DISPLAY_KINDS:
        raise Refused(
            "invalid_device_kind", "only boards and window displays have display settings"
        )
    return device


def _require_ids_in_hall(
    uow_session: Any, model: Any, ids: list[int] | None, hall_id: int, field: str
) -> None:
    if not ids:
        return
    found = set(
        uow_session.scalars(select(model.id).where(model.id.in_(ids), model.hall_id == hall_id))
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise Refused("not_found", f"not in this hall: {missing}", field=field)


def read_device_settings(session: Any, actor: Actor, device_id: int) -> dict[str, Any]:
    """Managers read any screen's settings in their halls; a screen reads its own."""
    device = _display_device(session, device_id)
    if not (actor.kind == "device" and actor.id == device.id):
        require_role(actor, Role.MANAGER, Role.ADMIN)
        require_hall_access(session, actor, device.hall_id)
    return settings_view(device, require_hall(session, device.hall_id))


def change_device_settings(
    uow: UnitOfWork, actor: Actor, device_id: int, settings: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A manager sets what one board or window display shows; it applies the change live."""
    session = uow.session
    require_role(actor, Role.MANAGER, Role.ADMIN)
    device = _display_device(session, device_id)
    require_hall_access(session, actor, device.hall_id)
    if device.revoked_at is not None:
        raise Refused("device_revoked", "this device's token is revoked; enrol it again")
    _require_ids_in_hall(
        session, Service, settings.get("service_ids"), device.hall_id, "service_ids"
    )
    _require_ids_in_hall(session, Window, settings.get("window_ids"), device.hall_id, "window_ids")
    device.settings = copy.deepcopy(settings)
    session.flush()
    record_event(uow, "device.changed", device.hall_id, {"device": device_view(device)})
    return settings_view(device, require_hall(session, device.hall_id))


def read_hall_settings(session: Any, actor: Actor, hall_id: int) -> dict[str, Any]:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    hall = require_hall(session, hall_id)
    return {"hall_id": hall.id, "settings": dict(hall.display_settings or {})}


def change_hall_settings(
    uow: UnitOfWork, actor: Actor, hall_id: int, settings: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A manager sets the defaults of every screen in the hall, e.g. numbers only."""
    session = uow.session
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    hall = require_hall(session, hall_id)
    hall.display_settings = copy.deepcopy(settings)
    session.flush()
    record_event(
        uow,
        "hall.changed",
        hall.id,
        {"hall": hall_view(hall), "display_settings": dict(hall.display_settings)},
    )
    return {"hall_id": hall.id, "settings": dict(hall.display_settings)}
