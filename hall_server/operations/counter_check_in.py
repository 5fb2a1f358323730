"""Checking a booked or pre-reviewed visitor in at the window: what the code or ID number they
bring would give, read by the clerk before the ticket is issued.

The ticket itself comes from the one issue use case (ticket_issuing.issue_ticket) with the
field this preview names, so a visitor the clerk checks in gets exactly the ticket the kiosk
would have given: the same checks (a booking is used once; cancelled, other days' and expired
ones are refused), the same class and queue place (early arrivals wait for their slot, those
beyond the grace period become walk-ins). Staff at the windows read it, and so does a kiosk
of the hall (one of another vendor's, through the public API): the answer holds only what the
kiosk's own screen shows (expected_arrival_view: a masked name, no ID number, no materials).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.booked_arrival import (
    arrival_for_code,
    arrival_for_id_number,
    expected_arrival_view,
)
from hall_server.operations.queue_reads import get_or_refuse
from hall_server.storage.models import Hall


def check_in_preview(
    session: Session,
    actor: Actor,
    hall_id: int,
    now: datetime,
    code: str | None = None,
    id_number: str | None = None,
) -> dict[str, Any]:
    """The service and the booking or pre-review a visitor's code or ID card finds, with what
    the ticket would be now (`booking.issue_field` says how to issue with it). An unusable code
    is refused as issuing refuses it; an ID card that finds nothing is
    `no_booking_for_id_card`."""
    require_role(actor, Role.CLERK, Role.MANAGER, Role.ADMIN, Role.KIOSK)
    hall: Hall = get_or_refuse(session, Hall, hall_id, "hall")
    require_hall_access(session, actor, hall.id)
    if code:
        expected = arrival_for_code(session, hall, code, now)
    elif id_number:
        found = arrival_for_id_number(session, hall, None, id_number, now)
        assert found is not None  # before a service is chosen, no match is refused
        expected = found
    else:
        raise Refused("bad_request", "give a code or an ID number", field="code")
    service = expected.service
    return {
        "service": {
            "id": service.id,
            "name": service.name,
            "name_en": service.name_en,
            "prefix": service.prefix,
        },
        "booking": expected_arrival_view(hall, expected),
    }
