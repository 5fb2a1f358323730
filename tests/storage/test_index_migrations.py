"""The index-only revisions on SQLite and PostgreSQL: 0009 (by hall and time), 0012 (for
issuing), 0013 (a queue's order, which replaces an index) and 0015 (booking and pre-review codes
upper-cased). Their indexes come with the upgrade (built concurrently on PostgreSQL, outside the
migration's transaction) and go with the downgrade, and an index a revision replaces goes and
comes back, leaving the rows alone."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hall_server.storage import migrations

REVISIONS = {
    # revision: (the one before it, [(table, index it adds)], [(table, index it drops)])
    "0009_ticket_issue_time_index": (
        "0008_break_rota",
        [("tickets", "ix_tickets_hall_issued"), ("ticket_events", "ix_ticket_events_hall_at")],
        [],
    ),
    "0012_issuing_indexes": (
        "0011_plan_version",
        [("tickets", "ix_tickets_day_quota"), ("tickets", "ix_tickets_waiting_issued")],
        [],
    ),
    "0013_queue_order_index": (
        "0012_issuing_indexes",
        [("tickets", "ix_tickets_queue_order")],
        [("tickets", "ix_tickets_queue")],
    ),
    "0015_code_lookup_indexes": (
        "0014_printer_reported_at",
        [
            ("appointments", "ix_appointments_hall_id_upper_booking_code"),
            ("pre_reviews", "ix_pre_reviews_hall_id_upper_code"),
        ],
        [],
    ),
}


def index_names(url: str, table: str) -> set[str]:
    """From the database's catalogue: SQLAlchemy does not reflect SQLite's indexes on an
    expression (0015's upper-cased codes)."""
    engine = create_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            return {index["name"] for index in inspect(engine).get_indexes(table)}
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"),
                {"table": table},
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


def hall_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM halls")).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", sorted(REVISIONS))
def test_the_indexes_come_with_the_upgrade_and_go_with_the_downgrade(
    database_url: str, revision: str
) -> None:
    before, added, dropped = REVISIONS[revision]
    migrations.upgrade(database_url, before)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO halls (code, name, level, time_zone, notice_lines, calling_policy,"
                " max_recalls, no_show_grace_minutes, requeue_behind, target_wait_minutes,"
                " event_seq, display_settings, calling_settings, alert_settings)"
                " VALUES ('h', '大厅', 'city', 'Asia/Shanghai', '[]', 'fcfs', 3, 30, 3, 15, 0,"
                " '{}', '{}', '{}')"
            )
        )
    engine.dispose()
    assert not any(name in index_names(database_url, table) for table, name in added)
    assert all(name in index_names(database_url, table) for table, name in dropped)

    migrations.upgrade(database_url, revision)
    for table, name in added:
        assert name in index_names(database_url, table)
    assert not any(name in index_names(database_url, table) for table, name in dropped)

    migrations.downgrade(database_url, before)
    assert not any(name in index_names(database_url, table) for table, name in added)
    assert all(name in index_names(database_url, table) for table, name in dropped)
    assert hall_count(database_url) == 1


def test_an_index_left_invalid_by_a_failed_concurrent_build_is_built_again(
    postgres_url: str,
) -> None:
    """A CREATE INDEX CONCURRENTLY that fails leaves an invalid index of that name behind,
    which IF NOT EXISTS alone would take for done."""
    migrations.upgrade(postgres_url, "0011_plan_version")
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for code in ("a", "b"):
                connection.execute(
                    text(
                        "INSERT INTO halls (code, name, level, time_zone, notice_lines,"
                        " calling_policy, max_recalls, no_show_grace_minutes, requeue_behind,"
                        " target_wait_minutes, event_seq, display_settings, calling_settings,"
                        " alert_settings) VALUES (:code, '大厅', 'city', 'Asia/Shanghai', '[]',"
                        " 'fcfs', 3, 30, 3, 15, 0, '{}', '{}', '{}')"
                    ),
                    {"code": code},
                )
            with pytest.raises(IntegrityError):  # two halls share a level: it fails half-way
                connection.execute(
                    text("CREATE UNIQUE INDEX CONCURRENTLY ix_tickets_day_quota ON halls (level)")
                )
            invalid = text(
                "SELECT count(*) FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid"
                " WHERE relname = 'ix_tickets_day_quota' AND NOT indisvalid"
            )
            assert connection.execute(invalid).scalar() == 1

        migrations.upgrade(postgres_url, "0012_issuing_indexes")

        with engine.connect() as connection:
            assert connection.execute(invalid).scalar() == 0
        assert "ix_tickets_day_quota" in index_names(postgres_url, "tickets")
    finally:
        engine.dispose()
