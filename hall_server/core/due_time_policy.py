"""Calling by due times: booked and pre-reviewed visitors served just in time, walk-ins bounded.

Every booked or pre-reviewed ticket carries a promise: called within `priority_target_minutes`
of its slot (appointments) or of its arrival (pre-reviewed). Calling such a ticket the moment it
arrives would push every waiting walk-in back by its handling time; calling it shortly before
the promise runs out pushes back only the walk-ins who are still waiting then. So booked
tickets stay in their queue until they become *urgent* and walk-ins are called until then.
How long before its due time a ticket becomes urgent depends on how long the walk-ins this
window could call have waited: `call_ahead_minutes` while nobody waits, shrinking to
`busy_call_ahead_minutes` as the longest wait grows to `busy_walk_in_wait_minutes`. A booked
visitor called early costs walk-ins little while their waits are short, and keeps the promise
safe; when walk-ins wait long, every minute it is held back (its promise still kept) serves
one of them sooner. A walk-in who has waited `walk_in_bound_minutes` overtakes everyone who
has not (the priority lane aside): that bound is hard.

Order in which a free window picks (ties by the window's service order, then ticket id):
1. the priority lane (绿色通道), oldest first;
2. anyone in the first-come-first-served order (below) who has waited the bound, oldest first:
   no one is starved, not even in an overload that lasts all afternoon;
3. urgent booked and pre-reviewed tickets whose promise can still be kept, earliest due first
   (urgent: due within the call-ahead, which shrinks as the longest walk-in wait grows);
4. the first-come-first-served order: walk-ins, and booked or pre-reviewed tickets whose
   promise could not be kept (they keep their place in the queue, from the slot or a later
   arrival, but no longer overtake: that would delay walk-ins and save no promise). At a window
   serving one service, oldest first; at a comprehensive window, the one with the highest
   *waiting time × waiting people per open window serving its service ÷ typical handling
   minutes of its service*: comprehensive windows relieve the services that need them most,
   leave dedicated windows their own queues, and serve short cases a little sooner (the
   generalised cμ rule: each short case frees a window for the next person sooner);
5. booked and pre-reviewed tickets that are not urgent yet, earliest due first (an idle
   window never waits for a slot).

docs/calling_policy.md explains the settings and what the simulated hall says about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from statistics import fmean
from typing import TYPE_CHECKING, Any

from hall_server.core.ticket_life import VisitorClass

if TYPE_CHECKING:
    from hall_server.core.calling_policy import QueueHead, WindowView

PROMISED_CLASSES = frozenset({VisitorClass.APPOINTMENT, VisitorClass.PRE_REVIEWED})

PRIORITY_LANE, OVER_BOUND, URGENT, FIRST_COME, NOT_YET_DUE = range(1, 6)

_MINUTE_SETTINGS = (
    "priority_target_minutes",
    "call_ahead_minutes",
    "busy_call_ahead_minutes",
    "busy_walk_in_wait_minutes",
    "walk_in_bound_minutes",
    "appointment_grace_minutes",
)


def _is_minutes(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and value >= 0


def _service_minutes(given: object) -> dict[int, float]:
    """`{service id: minutes}` from JSON (whose keys are strings); every value positive."""
    if not isinstance(given, Mapping):
        raise ValueError(f"service_handling_minutes must map service ids to minutes, not {given!r}")
    minutes: dict[int, float] = {}
    for key, value in given.items():
        if isinstance(key, bool) or not isinstance(key, int | str) or not str(key).isdigit():
            raise ValueError(f"service_handling_minutes: {key!r} is not a service id")
        if not _is_minutes(value) or value <= 0:
            raise ValueError(f"service_handling_minutes: {value!r} is not a number of minutes")
        minutes[int(key)] = float(value)
    return dict(sorted(minutes.items()))


@dataclass(frozen=True)
class DueTimeSettings:
    """A hall's settings for the due-time policy (Hall.calling_settings); minutes throughout."""

    priority_target_minutes: float = 10.0
    # Urgent this long before due while no walk-in waits, shrinking linearly to the busy
    # call-ahead (never more than call_ahead_minutes) as the longest walk-in wait at the window
    # grows to busy_walk_in_wait_minutes.
    call_ahead_minutes: float = 10.0
    busy_call_ahead_minutes: float = 4.0
    busy_walk_in_wait_minutes: float = 45.0
    walk_in_bound_minutes: float = 60.0
    appointment_grace_minutes: float = 15.0
    # The hall's typical handling minutes per service id (its own reports); services left out
    # count as the mean of those given, and with none given every service counts the same.
    service_handling_minutes: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in _MINUTE_SETTINGS:
            value = getattr(self, name)
            if not _is_minutes(value):
                raise ValueError(f"{name} must be a number of minutes, not {value!r}")
        if self.call_ahead_minutes > self.priority_target_minutes:
            raise ValueError("call_ahead_minutes cannot exceed priority_target_minutes")
        if self.walk_in_bound_minutes <= 0:
            raise ValueError("walk_in_bound_minutes must be positive")
        if self.busy_walk_in_wait_minutes <= 0:
            raise ValueError("busy_walk_in_wait_minutes must be positive")
        object.__setattr__(
            self, "service_handling_minutes", _service_minutes(self.service_handling_minutes)
        )

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any] | None) -> DueTimeSettings:
        """Settings as stored per hall; unknown names are an error, missing ones default."""
        given = dict(settings or {})
        known = {setting.name for setting in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"unknown calling settings {unknown}; known: {sorted(known)}")
        # Left out, the call-ahead is the whole promise, whatever promise the hall makes.
        if "priority_target_minutes" in given:
            given.setdefault("call_ahead_minutes", given["priority_target_minutes"])
        return cls(**given)

    def to_mapping(self) -> dict[str, Any]:
        """As stored and shown (JSON: service ids as strings)."""
        mapping: dict[str, Any] = {name: getattr(self, name) for name in _MINUTE_SETTINGS}
        mapping["service_handling_minutes"] = {
            str(service_id): minutes
            for service_id, minutes in self.service_handling_minutes.items()
        }
        return mapping

    @property
    def priority_target(self) -> timedelta:
        return timedelta(minutes=self.priority_target_minutes)

    def call_ahead(self, longest_walk_in_wait: timedelta) -> timedelta:
        """How long before its due time a promised ticket becomes urgent, given the longest
        wait among the walk-ins the window could call instead."""
        quiet = self.call_ahead_minutes
        # A busy call-ahead above the quiet one counts as the quiet one, so a hall that stored
        # a call-ahead below the busy default (before the busy one existed) keeps its own.
        busy = min(self.busy_call_ahead_minutes, quiet)
        waited = longest_walk_in_wait.total_seconds() / 60
        share = min(1.0, max(0.0, waited) / self.busy_walk_in_wait_minutes)
        return timedelta(minutes=quiet - (quiet - busy) * share)

    @property
    def walk_in_bound(self) -> timedelta:
        return timedelta(minutes=self.walk_in_bound_minutes)

    @property
    def appointment_grace(self) -> timedelta:
        return timedelta(minutes=self.appointment_grace_minutes)

    def handling_minutes(self, service_id: int) -> float:
        """The typical handling minutes of a service, as the comprehensive-window rule uses it."""
        known = self.service_handling_minutes
        if service_id in known:
            return known[service_id]
        return fmean(known.values()) if known else 1.0


def promise_start(head: QueueHead) -> datetime:
    """When the promise to a booked or pre-reviewed ticket starts: slot or arrival, if later."""
    if head.visitor_class == VisitorClass.APPOINTMENT and head.appointment_due_at is not None:
        return max(head.appointment_due_at, head.queue_key)
    return head.queue_key


class DueTimePolicy:
    """Booked and pre-reviewed visitors just in time; everyone else first-come, bounded."""

    name = "due_time"
    reads_waiting_counts = True
    orders_classes_by_queue_key = False

    def __init__(self, settings: DueTimeSettings | None = None) -> None:
        self.settings = settings or DueTimeSettings()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> DueTimePolicy:
        return cls(DueTimeSettings.from_mapping(settings))

    def class_rank(self, visitor_class: str) -> int:
        # For counting people ahead: booked tickets usually go before walk-ins (later than this
        # suggests when they came early, which makes the count a safe over-estimate).
        if visitor_class == VisitorClass.PRIORITY:
            return 0
        if visitor_class in PROMISED_CLASSES:
            return 1
        return 2

    def service_weight(self, service_id: int) -> float | None:
        return self.settings.handling_minutes(service_id)

    def due_at(self, head: QueueHead) -> datetime:
        """The latest call that keeps the promise to this booked or pre-reviewed ticket."""
        return promise_start(head) + self.settings.priority_target

    def choose_next(
        self, window: WindowView, candidates: Sequence[QueueHead], now: datetime
    ) -> QueueHead | None:
        callable_here = [
            head
            for head in candidates
            if head.service_id in window.service_ids
            and (head.target_window_id is None or head.target_window_id == window.id)
        ]
        if not callable_here:
            return None
        backlog: dict[int, int] = {}
        for head in callable_here:
            backlog[head.service_id] = backlog.get(head.service_id, 0) + head.waiting_count
        walk_in_waits = [
            now - head.queue_key
            for head in callable_here
            if head.visitor_class == VisitorClass.WALK_IN
        ]
        call_ahead = self.settings.call_ahead(max(walk_in_waits, default=timedelta(0)))
        return min(
            callable_here, key=lambda head: self._order(window, head, now, backlog, call_ahead)
        )

    def _order(
        self,
        window: WindowView,
        head: QueueHead,
        now: datetime,
        backlog: Mapping[int, int],
        call_ahead: timedelta,
    ) -> tuple[int, float, int, int]:
        preference = window.service_ids.index(head.service_id)
        if head.visitor_class == VisitorClass.PRIORITY:
            return (PRIORITY_LANE, head.queue_key.timestamp(), preference, head.ticket_id)
        if head.visitor_class in PROMISED_CLASSES:
            due = self.due_at(head)
            if now <= due:
                tier = URGENT if now >= due - call_ahead else NOT_YET_DUE
                return (tier, due.timestamp(), preference, head.ticket_id)
            # The promise is broken: back to its place in the first-come-first-served order.
        waited = now - head.queue_key
        if waited >= self.settings.walk_in_bound:
            return (OVER_BOUND, head.queue_key.timestamp(), preference, head.ticket_id)
        if len(window.service_ids) < 2:
            return (FIRST_COME, head.queue_key.timestamp(), preference, head.ticket_id)
        relief = self._relief(window, head, waited, backlog)
        return (FIRST_COME, -relief, preference, head.ticket_id)

    def _relief(
        self, window: WindowView, head: QueueHead, waited: timedelta, backlog: Mapping[int, int]
    ) -> float:
        """How much calling this head at a comprehensive window relieves the hall."""
        open_windows = max(1, window.windows_serving.get(head.service_id, 1))
        per_window = backlog.get(head.service_id, 1) / open_windows
        handling = self.settings.handling_minutes(head.service_id)
        return waited.total_seconds() * per_window / handling
