"""How a view names a record it points to: the few fields a page shows of a hall, service,
window or clerk, written the same way in every view that carries one."""

from __future__ import annotations

from typing import Any

from hall_server.storage.models import Hall, Service, User, Window


def name_ref(record: Hall | Service) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "name_en": record.name_en}


def window_ref(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"id": window.id, "number": window.number, "name": window.name}


def clerk_ref(clerk: User | None) -> dict[str, Any] | None:
    if clerk is None:
        return None
    return {"id": clerk.id, "name": clerk.name, "staff_number": clerk.staff_number}
