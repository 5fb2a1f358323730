"""Two transactions at once on PostgreSQL (READ COMMITTED, row locks): what one commits while the
other is half-way must not slip past the other's checks. SQLite takes its one write lock at
BEGIN, so there the second simply waits for the first."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations import ticket_handling
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Ticket
from tests import factories

pytestmark = pytest.mark.postgres

MONDAY_0900_SHANGHAI = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.fixture
def database(postgres_database: Database) -> Database:
    return postgres_database


def issue_in(uow: Any, hall: factories.TestHall, service: str = "housing") -> dict[str, Any]:
    request = IssueRequest(hall_id=hall.id, service_id=hall.services[service])
    return issue_ticket(uow, hall.kiosk(), request, MONDAY_0900_SHANGHAI, "s", "http://hall")


def wait_until_blocked_on_a_lock(database: Database, statement_start: str) -> None:
    """Until another connection's statement that starts so waits for a row lock."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND query LIKE :start"
                ),
                {"start": statement_start + "%"},
            )
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError(f"no statement starting {statement_start!r} came to wait for a lock")


def test_two_kiosks_issuing_the_last_place_of_a_quota_at_once_give_it_once(database) -> None:
    hall = factories.build_hall(
        database, MONDAY_0900_SHANGHAI, code="last-place", quotas={"housing": 1}
    )
    second: dict[str, Any] = {}

    def second_kiosk() -> None:
        try:
            with database.transaction() as uow:
                second["number"] = issue_in(uow, hall)["number"]
        except Refused as refusal:
            second["refused"] = refusal.code

    with database.transaction() as uow:
        first = issue_in(uow, hall)
        other = threading.Thread(target=second_kiosk)
        other.start()
        # The second kiosk's issue waits for the first's number before it counts the quota.
        wait_until_blocked_on_a_lock(database, "INSERT INTO daily_counters")
    other.join(timeout=10)

    assert first["number"] == "A001"
    assert second == {"refused": "daily_quota_reached"}
    with database.reading() as session:
        issued = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.hall_id == hall.id)
        )
    assert issued == 1


def test_call_next_skips_a_ticket_sent_to_another_window_after_it_read_the_queue(
    database, monkeypatch
) -> None:
    hall = factories.build_hall(database, MONDAY_0900_SHANGHAI, code="sent-away")
    with database.transaction() as uow:
        sent_away = issue_in(uow, hall)
    with database.transaction() as uow:
        next_in_line = issue_in(uow, hall)
    other_connection = create_engine(database.url, isolation_level="AUTOCOMMIT")
    read_heads = ticket_handling.queue_heads
    reads: list[int] = []

    def heads_then_a_transfer_elsewhere(*args: Any, **kwargs: Any) -> Any:
        heads = read_heads(*args, **kwargs)
        reads.append(len(heads))
        if len(reads) == 1:
            # A manager sends the first ticket to window 2 while window 1 is choosing.
            with other_connection.connect() as connection:
                connection.execute(
                    text("UPDATE tickets SET target_window_id = :window WHERE id = :ticket"),
                    {"window": hall.windows[2], "ticket": sent_away["id"]},
                )
        return heads

    monkeypatch.setattr(ticket_handling, "queue_heads", heads_then_a_transfer_elsewhere)
    try:
        with database.transaction() as uow:
            called = ticket_handling.call_next_ticket(
                uow, hall.clerk(1), hall.windows[1], MONDAY_0900_SHANGHAI
            )
    finally:
        other_connection.dispose()

    assert called["id"] == next_in_line["id"]
    assert len(reads) == 2  # the queue was read again without the ticket sent away
    with database.reading() as session:
        still_waiting = session.get(Ticket, sent_away["id"])
        assert still_waiting is not None
        assert (still_waiting.status, still_waiting.window_id, still_waiting.target_window_id) == (
            TicketStatus.WAITING,
            None,
            hall.windows[2],
        )
