"""Every transition of a ticket, allowed and refused, on the core's in-memory Ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hall_server.core import ticket_life
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import Ticket, TicketStatus

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def waiting_ticket(service_id: int = 1) -> Ticket:
    return Ticket(service_id=service_id, issued_at=T0, queue_key=T0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_call_start_finish_records_every_time_stamp():
    ticket = waiting_ticket()
    ticket_life.call(ticket, window_id=3, now=at(10))
    ticket_life.start(ticket, 3, at(11))
    ticket_life.finish(ticket, 3, "completed", at(20))

    assert ticket.status == TicketStatus.FINISHED
    assert (ticket.first_called_at, ticket.called_at) == (at(10), at(10))
    assert ticket.started_at == at(11) and ticket.finished_at == at(20)
    assert ticket_life.wait_seconds(ticket) == 600
    assert ticket_life.handling_seconds(ticket) == 600


@pytest.mark.parametrize(
    ("action", "arguments"),
    [
        (ticket_life.start, (3, at(1))),
        (ticket_life.finish, (3, "completed", at(1))),
        (ticket_life.recall, (3, at(1), 3)),
        (ticket_life.mark_no_show, (3, at(1))),
        (ticket_life.park, (3, at(1))),
        (ticket_life.resume_parked, (3, at(1))),
        (ticket_life.transfer, (3, at(1), 2)),
    ],
)
def test_actions_on_a_waiting_ticket_are_refused_without_change(action, arguments):
    ticket = waiting_ticket()
    before = vars(ticket).copy()

    with pytest.raises(Refused) as refusal:
        action(ticket, *arguments)

    assert refusal.value.code == "invalid_transition"
    assert vars(ticket) == before


def test_finish_before_start_is_refused():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    with pytest.raises(Refused, match="cannot finish a ticket that is called"):
        ticket_life.finish(ticket, 3, "completed", at(2))
    assert ticket.status == TicketStatus.CALLED


def test_another_window_cannot_act_on_a_called_ticket():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    with pytest.raises(Refused) as refusal:
        ticket_life.start(ticket, 4, at(2))
    assert refusal.value.code == "ticket_at_other_window"


def test_recall_stops_at_the_limit():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    ticket_life.recall(ticket, 3, at(2), max_recalls=2)
    ticket_life.recall(ticket, 3, at(3), max_recalls=2)
    with pytest.raises(Refused) as refusal:
        ticket_life.recall(ticket, 3, at(4), max_recalls=2)
    assert refusal.value.code == "recall_limit_reached"
    assert ticket.recall_count == 2


def test_unknown_outcome_is_refused():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    ticket_life.start(ticket, 3, at(2))
    with pytest.raises(Refused) as refusal:
        ticket_life.finish(ticket, 3, "lost", at(3))
    assert refusal.value.code == "invalid_outcome"
    assert ticket.status == TicketStatus.SERVING


def test_no_show_within_grace_waits_again_at_the_given_place():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    ticket_life.mark_no_show(ticket, 3, at(2))
    ticket_life.requeue_late_arrival(ticket, at(20), timedelta(minutes=30), queue_key=at(15))

    assert ticket.status == TicketStatus.WAITING
    assert ticket.queue_key == at(15)
    assert ticket.window_id is None


def test_no_show_after_grace_cannot_requeue():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    ticket_life.mark_no_show(ticket, 3, at(2))
    with pytest.raises(Refused) as refusal:
        ticket_life.requeue_late_arrival(ticket, at(40), timedelta(minutes=30), at(40))
    assert refusal.value.code == "grace_period_over"
    assert ticket.status == TicketStatus.NO_SHOW


def test_transfer_waits_at_the_new_service_with_the_original_issue_time():
    ticket = waiting_ticket(service_id=1)
    ticket_life.call(ticket, 3, at(30))
    ticket_life.start(ticket, 3, at(31))
    ticket_life.transfer(ticket, 3, at(40), to_service_id=2, to_window_id=5)

    assert ticket.status == TicketStatus.WAITING
    assert (ticket.service_id, ticket.target_window_id) == (2, 5)
    assert ticket.queue_key == T0
    assert ticket.transfer_count == 1
    with pytest.raises(Refused) as refusal:
        ticket_life.call(ticket, 4, at(41))
    assert refusal.value.code == "ticket_reserved_for_other_window"
    ticket_life.call(ticket, 5, at(42))
    assert ticket.first_called_at == at(30) and ticket.called_at == at(42)


def test_park_and_resume_returns_to_the_same_window():
    ticket = waiting_ticket()
    ticket_life.call(ticket, 3, at(1))
    ticket_life.start(ticket, 3, at(2))
    ticket_life.park(ticket, 3, at(5))
    with pytest.raises(Refused):
        ticket_life.resume_parked(ticket, 4, at(6))
    ticket_life.resume_parked(ticket, 3, at(10))
    assert ticket.status == TicketStatus.CALLED and ticket.called_at == at(10)


def test_only_a_waiting_ticket_can_be_cancelled():
    ticket = waiting_ticket()
    ticket_life.cancel(ticket, at(3))
    assert ticket.status == TicketStatus.CANCELLED
    with pytest.raises(Refused):
        ticket_life.cancel(ticket, at(4))
