"""A small day in a hall, played through the real use cases at known times, so that every
report figure can be worked out by hand (see the table in tests/manager/test_report_figures.py).

Monday 30 November 2026 in Shanghai; 09:00 local is 01:00 UTC. Window 1 (clerk 1) serves
housing (A) and business (B); window 2 (clerk 2) serves housing. Minutes after 09:00:

  A001 housing   issued 0   called w1 10, started 11, finished 20            rated 5
  A002 housing   issued 2   called w2 5,  started 6,  finished 35            rated 2
  B001 business  issued 4   called w1 24, recalled 26, no-show 28
  A003 housing   issued 6   called w2 40, started 41, transferred to business 45,
                            called w1 50, started 51, finished 62
  B002 business  issued 8   cancelled by the visitor 15
  A004 housing   issued 10  called w2 36, started 37, parked 38, resumed 46, started 47,
                            finished 55

and on Tuesday 1 December, 00:30 local (still Monday 16:30 in UTC):

  A001 housing   issued 0   called w1 5, started 6, finished 15
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hall_server.operations import ticket_handling
from hall_server.operations.ratings import RatingChannel, rate_case
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Ticket
from tests.factories import TestHall, build_hall

MONDAY_0900 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
TUESDAY_0030 = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


def at(minutes: float, start: datetime = MONDAY_0900) -> datetime:
    return start + timedelta(minutes=minutes)


@dataclass
class PlayedDay:
    hall: TestHall
    tickets: dict[str, int] = field(default_factory=dict)  # "A003" -> ticket id (Monday)


class Player:
    """Runs use cases at given minutes as the hall's kiosk, clerks or visitors."""

    def __init__(self, database: Database, hall: TestHall) -> None:
        self.database = database
        self.hall = hall

    def issue(self, service: str, when: datetime) -> dict[str, Any]:
        with self.database.transaction() as uow:
            return issue_ticket(
                uow,
                self.hall.kiosk(),
                IssueRequest(hall_id=self.hall.id, service_id=self.hall.services[service]),
                when,
                "secret",
                "http://hall",
            )

    def window(self, number: int, action: str, ticket: int, when: datetime, **extra: Any) -> Any:
        clerk = self.hall.clerk(number)
        window_id = self.hall.windows[number]
        with self.database.transaction() as uow:
            if action == "call":
                return ticket_handling.call_specific_ticket(uow, clerk, window_id, ticket, when)
            use_case = {
                "recall": ticket_handling.recall_ticket,
                "start": ticket_handling.start_ticket,
                "no_show": ticket_handling.mark_no_show,
                "park": ticket_handling.park_ticket,
                "resume": ticket_handling.resume_parked_ticket,
            }.get(action)
            if use_case is not None:
                return use_case(uow, clerk, window_id, ticket, when)
            if action == "finish":
                return ticket_handling.finish_ticket(
                    uow, clerk, window_id, ticket, when, extra.get("outcome", "completed")
                )
            if action == "transfer":
                return ticket_handling.transfer_ticket(
                    uow, clerk, window_id, ticket, when, extra["to_service_id"], None
                )
        raise ValueError(action)

    def serve(
        self,
        number: int,
        ticket: int,
        called: float,
        started: float,
        done: float,
        start: datetime = MONDAY_0900,
    ) -> None:
        self.window(number, "call", ticket, at(called, start))
        self.window(number, "start", ticket, at(started, start))
        self.window(number, "finish", ticket, at(done, start))

    def cancel(self, ticket: int, when: datetime) -> None:
        with self.database.transaction() as uow:
            ticket_handling.cancel_ticket(uow, uow.session.get(Ticket, ticket), when, None)

    def rate(self, ticket: int, level: str, when: datetime) -> None:
        with self.database.transaction() as uow:
            rate_case(
                uow, uow.session.get(Ticket, ticket), level, [], None, RatingChannel.MOBILE, when
            )


def play_hand_worked_day(database: Database, code: str = "hand-worked") -> PlayedDay:
    hall = build_hall(database, MONDAY_0900, code=code)
    player = Player(database, hall)
    day = PlayedDay(hall)
    for number, service, minute in (
        ("A001", "housing", 0),
        ("A002", "housing", 2),
        ("B001", "business", 4),
        ("A003", "housing", 6),
        ("B002", "business", 8),
        ("A004", "housing", 10),
    ):
        issued = player.issue(service, at(minute))
        assert issued["number"] == number
        day.tickets[number] = issued["id"]
    t = day.tickets
    player.window(2, "call", t["A002"], at(5))
    player.window(2, "start", t["A002"], at(6))
    player.serve(1, t["A001"], 10, 11, 20)
    player.cancel(t["B002"], at(15))
    player.rate(t["A001"], "very_satisfied", at(21))
    player.window(1, "call", t["B001"], at(24))
    player.window(1, "recall", t["B001"], at(26))
    player.window(1, "no_show", t["B001"], at(28))
    player.window(2, "finish", t["A002"], at(35))
    player.rate(t["A002"], "dissatisfied", at(36))
    player.window(2, "call", t["A004"], at(36))
    player.window(2, "start", t["A004"], at(37))
    player.window(2, "park", t["A004"], at(38))
    player.window(2, "call", t["A003"], at(40))
    player.window(2, "start", t["A003"], at(41))
    player.window(2, "transfer", t["A003"], at(45), to_service_id=hall.services["business"])
    player.window(2, "resume", t["A004"], at(46))
    player.window(2, "start", t["A004"], at(47))
    player.window(2, "finish", t["A004"], at(55))
    player.serve(1, t["A003"], 50, 51, 62)
    tuesday = player.issue("housing", TUESDAY_0030)
    assert tuesday["number"] == "A001"
    player.serve(1, tuesday["id"], 5, 6, 15, start=TUESDAY_0030)
    return day
