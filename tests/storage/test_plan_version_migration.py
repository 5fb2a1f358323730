"""Revision 0011_plan_version on SQLite and PostgreSQL: halls get their plan version (0), windows
when their pause began (a window paused at the upgrade keeps when its status last changed) and
the rota break they last took (none yet, and none once that break leaves the rota); a downgrade
takes only those columns away."""

from __future__ import annotations

from sqlalchemy import text

from hall_server.storage import migrations
from hall_server.storage.database import Database
from tests.storage.test_break_rota_migration import columns, run
from tests.storage.test_migrations import recorded_revisions, schema_differences, the_one_head


def _hall_with_two_windows(url: str) -> None:
    run(
        url,
        "INSERT INTO halls (code, name, level, time_zone, notice_lines, calling_policy,"
        " max_recalls, no_show_grace_minutes, requeue_behind, target_wait_minutes, event_seq,"
        " display_settings, calling_settings, alert_settings)"
        " VALUES ('h', '大厅', 'city', 'Asia/Shanghai', '[]', 'fcfs', 3, 30, 3, 15, 7,"
        " '{}', '{}', '{}')",
    )
    run(
        url,
        "INSERT INTO windows (hall_id, number, name, kind, status, pause_reason,"
        " status_changed_at, pause_minutes)"
        " SELECT id, 1, '窗口1', 'comprehensive', 'paused', 'break', '2026-11-30 03:30:00', 60"
        " FROM halls",
    )
    run(
        url,
        "INSERT INTO windows (hall_id, number, name, kind, status, status_changed_at)"
        " SELECT id, 2, '窗口2', 'comprehensive', 'open', '2026-11-30 01:00:00' FROM halls",
    )
    run(
        url,
        "INSERT INTO rota_breaks (window_id, weekdays, start, minutes, label)"
        " SELECT id, '[\"mon\"]', '11:30:00', 60, '午休 lunch' FROM windows WHERE number = 1",
    )


def test_the_upgrade_numbers_plans_from_zero_and_keeps_a_pause_begun_before_it(
    database_url: str,
) -> None:
    migrations.upgrade(database_url, "0010_remote_issuing")
    _hall_with_two_windows(database_url)

    migrations.upgrade(database_url)

    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []
    assert run(database_url, "SELECT event_seq, plan_seq FROM halls") == [(7, 0)]
    rows = run(
        database_url,
        "SELECT number, status, paused_at, pause_minutes, last_break_id FROM windows"
        " ORDER BY number",
    )
    assert [(number, status, minutes, taken) for number, status, _, minutes, taken in rows] == [
        (1, "paused", 60, None),
        (2, "open", None, None),
    ]
    paused_at = rows[0][2]
    assert str(paused_at).startswith("2026-11-30 03:30:00")  # SQLite hands back text
    assert rows[1][2] is None


def test_a_window_forgets_the_break_it_took_once_that_break_leaves_the_rota(
    database_url: str,
) -> None:
    migrations.upgrade(database_url, "0010_remote_issuing")
    _hall_with_two_windows(database_url)
    migrations.upgrade(database_url)
    database = Database(database_url)  # as the server connects (SQLite enforces foreign keys)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text("UPDATE windows SET last_break_id = (SELECT max(id) FROM rota_breaks)")
            )
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM rota_breaks"))
        with database.engine.begin() as connection:
            taken = connection.execute(text("SELECT last_break_id FROM windows")).all()
    finally:
        database.dispose()

    assert [tuple(row) for row in taken] == [(None,), (None,)]


def test_downgrading_the_plan_version_revision_drops_only_its_columns(database_url: str) -> None:
    migrations.upgrade(database_url)

    migrations.downgrade(database_url, "0010_remote_issuing")

    assert recorded_revisions(database_url) == ["0010_remote_issuing"]
    assert "plan_seq" not in columns(database_url, "halls")
    assert {"event_seq", "remote_issuing_settings"} <= columns(database_url, "halls")
    window_columns = columns(database_url, "windows")
    assert not {"paused_at", "last_break_id"} & window_columns
    assert {"pause_minutes", "last_break_started_at", "status_changed_at"} <= window_columns
    # And up again: the downgrade left nothing behind that the upgrade trips over.
    migrations.upgrade(database_url)
    assert schema_differences(database_url) == []
