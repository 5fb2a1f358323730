"""Checking in with a booking: early arrivals queue at their slot, late ones lose the booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hall_server.core.appointment_check_in import Punctuality, check_in_appointment

SLOT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
GRACE = timedelta(minutes=15)


def test_an_early_arrival_queues_at_its_slot():
    check_in = check_in_appointment(SLOT, SLOT - timedelta(minutes=25), GRACE)
    assert check_in.visitor_class == "appointment"
    assert check_in.queue_key == SLOT
    assert check_in.appointment_due_at == SLOT
    assert check_in.punctuality == Punctuality.EARLY


def test_a_late_arrival_within_the_grace_queues_at_arrival():
    arrival = SLOT + timedelta(minutes=14)
    check_in = check_in_appointment(SLOT, arrival, GRACE)
    assert (check_in.visitor_class, check_in.queue_key) == ("appointment", arrival)
    assert check_in.punctuality == Punctuality.ON_TIME


def test_beyond_the_grace_the_booking_is_lost_and_the_visitor_is_a_walk_in():
    arrival = SLOT + timedelta(minutes=16)
    check_in = check_in_appointment(SLOT, arrival, GRACE)
    assert (check_in.visitor_class, check_in.queue_key) == ("walk_in", arrival)
    assert check_in.appointment_due_at is None
    assert check_in.punctuality == Punctuality.TOO_LATE
