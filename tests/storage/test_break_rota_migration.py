"""Revision 0008_break_rota on SQLite and PostgreSQL: the rota table and the windows' pause
columns come with the upgrade, the windows already there are kept, and a downgrade takes only
what it added away."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from hall_server.storage import migrations
from tests.storage.test_migrations import recorded_revisions, schema_differences, the_one_head


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def run(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_the_upgrade_adds_the_rota_and_keeps_the_windows(database_url: str) -> None:
    migrations.upgrade(database_url, "0007_one_head")
    run(
        database_url,
        "INSERT INTO halls (code, name, level, time_zone, notice_lines, calling_policy,"
        " max_recalls, no_show_grace_minutes, requeue_behind, target_wait_minutes, event_seq,"
        " display_settings, calling_settings, alert_settings)"
        " VALUES ('h', '大厅', 'city', 'Asia/Shanghai', '[]', 'fcfs', 3, 30, 3, 15, 0,"
        " '{}', '{}', '{}')",
    )
    run(
        database_url,
        "INSERT INTO windows (hall_id, number, name, kind, status, pause_reason)"
        " SELECT id, 3, '窗口3', 'comprehensive', 'paused', 'break' FROM halls",
    )

    migrations.upgrade(database_url)

    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []
    assert {"pause_minutes", "last_break_started_at"} <= columns(database_url, "windows")
    assert columns(database_url, "rota_breaks") == {
        "id",
        "window_id",
        "weekdays",
        "start",
        "minutes",
        "label",
    }
    assert run(database_url, "SELECT number, status, pause_reason, pause_minutes FROM windows") == [
        (3, "paused", "break", None)
    ]
    run(
        database_url,
        "INSERT INTO rota_breaks (window_id, weekdays, start, minutes, label)"
        " SELECT id, '[\"mon\"]', '11:30:00', 60, '午休 lunch' FROM windows",
    )
    assert run(database_url, "SELECT minutes, label FROM rota_breaks") == [(60, "午休 lunch")]


def test_downgrading_the_rota_revision_drops_only_what_it_added(database_url: str) -> None:
    migrations.upgrade(database_url)

    migrations.downgrade(database_url, "0007_one_head")

    assert recorded_revisions(database_url) == ["0007_one_head"]
    assert "rota_breaks" not in tables(database_url)
    window_columns = columns(database_url, "windows")
    assert not {"pause_minutes", "last_break_started_at"} & window_columns
    assert {"pause_reason", "status_changed_at", "clerk_id"} <= window_columns
