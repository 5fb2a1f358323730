"""Revision 0009 on SQLite and PostgreSQL: the indexes by hall and time come with the upgrade
(built concurrently on PostgreSQL, outside the migration's transaction) and go with the
downgrade, leaving the rows alone."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from hall_server.storage import migrations

ADDED = {"tickets": "ix_tickets_hall_issued", "ticket_events": "ix_ticket_events_hall_at"}


def index_names(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {index["name"] for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def hall_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM halls")).scalar_one())
    finally:
        engine.dispose()


def test_the_indexes_come_with_the_upgrade_and_go_with_the_downgrade(database_url: str) -> None:
    migrations.upgrade(database_url, "0008_break_rota")
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
    assert not any(name in index_names(database_url, table) for table, name in ADDED.items())

    migrations.upgrade(database_url, "0009_ticket_issue_time_index")
    for table, name in ADDED.items():
        assert name in index_names(database_url, table)

    migrations.downgrade(database_url, "0008_break_rota")
    assert not any(name in index_names(database_url, table) for table, name in ADDED.items())
    assert hall_count(database_url) == 1
