"""The ticket's life: every allowed transition, checked before anything changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hall_server.core.refusals import Refused


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED}
)
AT_WINDOW_STATUSES = frozenset({TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED})


class VisitorClass(enum.StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"
    PRE_REVIEWED = "pre_reviewed"
    PRIORITY = "priority"  # 绿色通道: elderly, disabled, pregnant, military


class Outcome(enum.StrEnum):
    COMPLETED = "completed"  # 办结
    ACCEPTED = "accepted"  # 受理
    NEEDS_CORRECTION = "needs_correction"  # 补正告知
    REJECTED = "rejected"  # 不予受理
    ENQUIRY = "enquiry"  # 咨询


class TicketLike(Protocol):
    """What the transitions read and write; both the core's Ticket and the stored row have it."""

    status: str
    window_id: int | None
    service_id: int
    issued_at: datetime
    queue_key: datetime
    target_window_id: int | None
    first_called_at: datetime | None
    called_at: datetime | None
    recall_count: int
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    no_show_at: datetime | None
    parked_at: datetime | None
    cancelled_at: datetime | None
    transfer_count: int


@dataclass
class Ticket:
    """A ticket held in memory, for the simulator and for tests of the rules."""

    service_id: int
    issued_at: datetime
    queue_key: datetime
    visitor_class: str = VisitorClass.WALK_IN
    status: str = TicketStatus.WAITING
    id: int = 0
    window_id: int | None = None
    target_window_id: int | None = None
    first_called_at: datetime | None = None
    called_at: datetime | None = None
    recall_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    no_show_at: datetime | None = None
    parked_at: datetime | None = None
    cancelled_at: datetime | None = None
    transfer_count: int = 0


def _require_status(ticket: TicketLike, allowed: set[TicketStatus], action: str) -> None:
    if ticket.status not in allowed:
        wanted = " or ".join(sorted(allowed))
        raise Refused(
            "invalid_transition",
            f"cannot {action} a ticket that is {ticket.status}; it must be {wanted}",
        )


def _require_own_window(ticket: TicketLike, window_id: int) -> None:
    if ticket.window_id != window_id:
        raise Refused(
            "ticket_at_other_window",
            f"this ticket is handled at window {ticket.window_id}, not window {window_id}",
        )


def call(ticket: TicketLike, window_id: int, now: datetime) -> None:
    """Call a waiting ticket to a window; the last call is the one that counts for waits."""
    _require_status(ticket, {TicketStatus.WAITING}, "call")
    if ticket.target_window_id is not None and ticket.target_window_id != window_id:
        raise Refused(
            "ticket_reserved_for_other_window",
            f"this ticket was transferred to window {ticket.target_window_id}",
        )
    ticket.status = TicketStatus.CALLED
    ticket.window_id = window_id
    ticket.called_at = now
    if ticket.first_called_at is None:
        ticket.first_called_at = now
    ticket.recall_count = 0


def recall(ticket: TicketLike, window_id: int, now: datetime, max_recalls: int) -> None:
    """Announce a called ticket again, at most `max_recalls` times."""
    _require_status(ticket, {TicketStatus.CALLED}, "recall")
    _require_own_window(ticket, window_id)
    if ticket.recall_count >= max_recalls:
        raise Refused(
            "recall_limit_reached",
            f"already recalled {ticket.recall_count} times (limit {max_recalls}); "
            "start the case or mark a no-show",
        )
    ticket.recall_count += 1


def start(ticket: TicketLike, window_id: int, now: datetime) -> None:
    """The visitor arrived at the window; handling begins."""
    _require_status(ticket, {TicketStatus.CALLED}, "start")
    _require_own_window(ticket, window_id)
    ticket.status = TicketStatus.SERVING
    ticket.started_at = now


def finish(ticket: TicketLike, window_id: int, outcome: str, now: datetime) -> None:
    """Close the case with how it ended."""
    _require_status(ticket, {TicketStatus.SERVING}, "finish")
    _require_own_window(ticket, window_id)
    if outcome not in set(Outcome):
        raise Refused("invalid_outcome", f"unknown outcome {outcome!r}", field="outcome")
    ticket.status = TicketStatus.FINISHED
    ticket.outcome = outcome
    ticket.finished_at = now


def mark_no_show(ticket: TicketLike, window_id: int, now: datetime) -> None:
    """The called visitor did not come."""
    _require_status(ticket, {TicketStatus.CALLED}, "mark as no-show")
    _require_own_window(ticket, window_id)
    ticket.status = TicketStatus.NO_SHOW
    ticket.no_show_at = now


def requeue_late_arrival(
    ticket: TicketLike, now: datetime, grace: timedelta, queue_key: datetime
) -> None:
    """A no-show who turns up within the grace period waits again at `queue_key`.

    The caller picks `queue_key` (behind a configured number of people) because only it sees
    the queue.
    """
    _require_status(ticket, {TicketStatus.NO_SHOW}, "re-queue")
    assert ticket.no_show_at is not None
    if now - ticket.no_show_at > grace:
        minutes = int(grace.total_seconds() // 60)
        raise Refused(
            "grace_period_over",
            f"the ticket was missed more than {minutes} minutes ago; please take a new ticket",
        )
    ticket.status = TicketStatus.WAITING
    ticket.queue_key = queue_key
    ticket.window_id = None
    ticket.no_show_at = None


def transfer(
    ticket: TicketLike,
    window_id: int,
    now: datetime,
    to_service_id: int,
    to_window_id: int | None = None,
) -> None:
    """Hand a case to another service or window; it keeps its original issue time."""
    _require_status(ticket, {TicketStatus.SERVING}, "transfer")
    _require_own_window(ticket, window_id)
    if to_window_id == window_id:
        raise Refused("transfer_to_same_window", "cannot transfer a ticket to its own window")
    ticket.status = TicketStatus.WAITING
    ticket.service_id = to_service_id
    ticket.target_window_id = to_window_id
    ticket.window_id = None
    ticket.queue_key = ticket.issued_at
    ticket.started_at = None
    ticket.transfer_count += 1


def park(ticket: TicketLike, window_id: int, now: datetime) -> None:
    """Set a case aside (the visitor fetches a document) to call it back later."""
    _require_status(ticket, {TicketStatus.SERVING}, "park")
    _require_own_window(ticket, window_id)
    ticket.status = TicketStatus.PARKED
    ticket.parked_at = now


def resume_parked(ticket: TicketLike, window_id: int, now: datetime) -> None:
    """Call a parked case back to the window that parked it."""
    _require_status(ticket, {TicketStatus.PARKED}, "resume")
    _require_own_window(ticket, window_id)
    ticket.status = TicketStatus.CALLED
    ticket.called_at = now
    ticket.parked_at = None
    ticket.recall_count = 0


def cancel(ticket: TicketLike, now: datetime) -> None:
    """The visitor gives up a ticket that has not been called yet."""
    _require_status(ticket, {TicketStatus.WAITING}, "cancel")
    ticket.status = TicketStatus.CANCELLED
    ticket.cancelled_at = now


def wait_seconds(ticket: TicketLike) -> float | None:
    """Wait as halls define it: last call minus issue."""
    if ticket.called_at is None:
        return None
    return (ticket.called_at - ticket.issued_at).total_seconds()


def handling_seconds(ticket: TicketLike) -> float | None:
    """Handling as halls define it: last call to finish."""
    if ticket.called_at is None or ticket.finished_at is None:
        return None
    return (ticket.finished_at - ticket.called_at).total_seconds()
