"""A booking or pre-review code scanned at a kiosk is found by an index on the hall and the code
upper-cased (migration 0015), on SQLite and on PostgreSQL, instead of reading every appointment
or pre-review of the hall: the query the look-up really sends is explained on a hall holding
thousands of them, in the schema the migrations make."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from hall_server.operations.booked_arrival import _appointment_with_code, _pre_review_with_code
from hall_server.storage import migrations
from hall_server.storage.database import Database
from hall_server.storage.models import Appointment, Platform, PreReview
from tests.factories import build_hall

NINE = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
ROWS = 20_000  # of each; enough for PostgreSQL's planner to weigh a scan against the index


@pytest.fixture
def codes(database_url: str) -> Iterator[tuple[Database, Any]]:
    migrations.upgrade(database_url)
    database = Database(database_url)
    hall = build_hall(database, NINE)
    service = hall.services["housing"]
    with database.transaction() as uow:
        platform = Platform(
            code="gov", name="gov", hall_id=hall.id, secret="s", active=True, created_at=NINE
        )
        uow.session.add(platform)
        uow.session.flush()
        common = {
            "platform_id": platform.id,
            "hall_id": hall.id,
            "service_id": service,
            "status": "booked",
            "revision": 0,
            "created_at": NINE,
            "updated_at": NINE,
        }
        uow.session.execute(
            insert(Appointment),
            [
                {
                    **common,
                    "appointment_id": f"APT-{n}",
                    # as platforms push them: some in lower case
                    "booking_code": f"yy{n:06d}" if n % 2 else f"YY{n:06d}",
                    "slot_start": NINE + timedelta(minutes=n % 480),
                }
                for n in range(ROWS)
            ],
        )
        uow.session.execute(
            insert(PreReview),
            [
                {
                    **common,
                    "status": "active",
                    "application_id": f"APP-{n}",
                    "code": f"pr-{n}",
                    "id_number_hash": f"{n:064x}",
                    "result": "passed",
                    "materials": [],
                    "valid_until": NINE + timedelta(days=30),
                }
                for n in range(ROWS)
            ],
        )
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    yield database, hall
    database.dispose()


def sent_while(database: Database, action: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """What `action` returned and the statements it sent, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.transaction() as uow:
            found = action(uow.session)
            result = None if found is None else found.id
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return result, sent


def plan(database: Database, statement: str, parameters: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def the_lookup(sent: list[tuple[str, Any]], table: str) -> tuple[str, Any]:
    [found] = [(s, p) for s, p in sent if f"FROM {table}" in s and "upper" in s.lower()]
    return found


def test_a_booking_code_is_looked_up_by_the_index(codes: tuple[Database, Any]) -> None:
    database, hall = codes
    found, sent = sent_while(
        database, lambda session: _appointment_with_code(session, hall.id, " Yy 012345 ")
    )

    assert found is not None
    explained = plan(database, *the_lookup(sent, "appointments"))
    assert "ix_appointments_hall_id_upper_booking_code" in explained, explained
    assert "Seq Scan" not in explained and "SCAN appointments" not in explained


def test_a_pre_review_code_is_looked_up_by_the_index(codes: tuple[Database, Any]) -> None:
    database, hall = codes
    found, sent = sent_while(
        database, lambda session: _pre_review_with_code(session, hall.id, "PR-12345")
    )

    assert found is not None
    explained = plan(database, *the_lookup(sent, "pre_reviews"))
    assert "ix_pre_reviews_hall_id_upper_code" in explained, explained
    assert "Seq Scan" not in explained and "SCAN pre_reviews" not in explained
