"""Turning a booked slot into a place in the queue when its holder checks in at the hall."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from hall_server.core.ticket_life import VisitorClass


class Punctuality(enum.StrEnum):
    EARLY = "early"  # before the slot: waits until the slot comes near
    ON_TIME = "on_time"  # within the grace period after the slot
    TOO_LATE = "too_late"  # beyond the grace period: an ordinary walk-in


@dataclass(frozen=True)
class CheckIn:
    """What the ticket issued for a booking looks like."""

    visitor_class: str
    queue_key: datetime
    appointment_due_at: datetime | None
    punctuality: Punctuality


def check_in_appointment(slot: datetime, now: datetime, grace: timedelta) -> CheckIn:
    """Early arrivals queue at their slot, punctual ones at arrival, late ones lose the booking.

    The queue key is the moment the promise to serve starts: the slot, or the arrival if later.
    A priority policy orders booked tickets by it; first-come-first-served places an early
    arrival among those who come at its slot, so early arrivals never push walk-ins back.
    """
    if now > slot + grace:
        return CheckIn(VisitorClass.WALK_IN, now, None, Punctuality.TOO_LATE)
    if now < slot:
        return CheckIn(VisitorClass.APPOINTMENT, slot, slot, Punctuality.EARLY)
    return CheckIn(VisitorClass.APPOINTMENT, now, slot, Punctuality.ON_TIME)
