"""How many SQL statements the busiest use cases send, on SQLite and PostgreSQL.

On PostgreSQL each statement is a round trip and the ORM's CPU to build it: call-next's latency
is mostly these. The budgets are what the use cases need today (bench/round_trips.py prints the
same through HTTP); a change that needs one more statement should raise a budget knowingly, and
one that reads the same row twice (a window's hall, a ticket's service) should fail here.
SQLite's BEGIN IMMEDIATE is sent as a statement: one more there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from hall_server.operations import ticket_handling
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from tests import factories

MONDAY_0900_SHANGHAI = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)

# Statements on PostgreSQL, without the caller's authentication (the HTTP edge adds one).
# Issuing reads which open windows serve the service (one indexed read) since a window opened or
# closed after the kept forecast was made had a walk-in promised a wait at a closed window.
BUDGET = {"issue": 9, "call-next": 8, "start": 5, "finish": 6}


class Statements:
    def __init__(self, database: Database) -> None:
        self.sent: list[str] = []
        event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sent.append(statement)

    def during(self, work: Callable[[], Any]) -> tuple[Any, list[str]]:
        start = len(self.sent)
        result = work()
        return result, self.sent[start:]


@pytest.fixture
def counted(any_database: Database) -> Iterator[tuple[Database, factories.TestHall, Statements]]:
    hall = factories.build_hall(any_database, MONDAY_0900_SHANGHAI)
    yield any_database, hall, Statements(any_database)


def test_issue_call_start_and_finish_stay_within_their_statement_budgets(counted) -> None:
    database, hall, statements = counted
    at = MONDAY_0900_SHANGHAI
    extra = 1 if database.is_sqlite else 0  # BEGIN IMMEDIATE

    def issue(second: int) -> dict[str, Any]:
        with database.transaction() as uow:
            request = IssueRequest(hall_id=hall.id, service_id=hall.services["housing"])
            return issue_ticket(
                uow, hall.kiosk(), request, at + timedelta(seconds=second), "s", "http://hall"
            )

    def act(use_case: Callable[..., Any], *args: Any) -> dict[str, Any]:
        with database.transaction() as uow:
            return use_case(uow, hall.clerk(1), hall.windows[1], *args)

    # A queue, issued within the forecast's refresh interval (30 s): issuing places a walk-in by
    # the kept forecast, as it does all day between refreshes.
    for second in range(20):
        issue(second)
    sent: dict[str, list[str]] = {}
    _, sent["issue"] = statements.during(lambda: issue(21))
    called, sent["call-next"] = statements.during(
        lambda: act(ticket_handling.call_next_ticket, at + timedelta(minutes=22))
    )
    _, sent["start"] = statements.during(
        lambda: act(ticket_handling.start_ticket, called["id"], at + timedelta(minutes=22))
    )
    _, sent["finish"] = statements.during(
        lambda: act(
            ticket_handling.finish_ticket, called["id"], at + timedelta(minutes=30), "completed"
        )
    )

    over = {
        use_case: [statement.split("\n")[0] for statement in statements_sent]
        for use_case, statements_sent in sent.items()
        if len(statements_sent) > BUDGET[use_case] + extra
    }
    assert not over, f"over budget {BUDGET} (+{extra}): {over}"
