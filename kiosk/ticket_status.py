"""What a ticket's status page shows when it opens: the public ticket and its hall."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.live.publisher import json_ready
from hall_server.operations.queue_reads import public_ticket, ticket_view
from hall_server.storage.models import Hall, Ticket


def ticket_for_status_page(
    session: Session, status_token: str, now: datetime
) -> dict[str, Any] | None:
    """The ticket behind a status link (None for an unknown link), ready for the page's JSON.

    The hall id lets the page listen to the hall's live events; the token itself stays out of
    what the page embeds, as the URL already carries it.
    """
    ticket = session.scalar(select(Ticket).where(Ticket.status_token == status_token))
    if ticket is None:
        return None
    hall = session.get(Hall, ticket.hall_id)
    assert hall is not None
    view = public_ticket(ticket_view(session, ticket, now))
    view["hall"] = {
        "id": hall.id,
        "name": hall.name,
        "name_en": hall.name_en,
        "time_zone": hall.time_zone,  # a no-show's time to come back is shown in hall time
    }
    return json_ready(view)  # type: ignore[no-any-return]
