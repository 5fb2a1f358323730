"""Revision 0014_printer_reported_at on SQLite and PostgreSQL: devices learn when a kiosk's print
agent last reported its printer. A kiosk whose printer was ever reported starts from when it was
last seen; a kiosk never reported and other devices start with none; a downgrade takes only
that column away."""

from __future__ import annotations

from hall_server.storage import migrations
from tests.storage.test_break_rota_migration import columns, run
from tests.storage.test_migrations import recorded_revisions, schema_differences, the_one_head

BEFORE = "0013_queue_order_index"


def _hall_with_devices(url: str) -> None:
    run(
        url,
        "INSERT INTO halls (code, name, level, time_zone, notice_lines, calling_policy,"
        " max_recalls, no_show_grace_minutes, requeue_behind, target_wait_minutes, event_seq,"
        " display_settings, calling_settings, alert_settings)"
        " VALUES ('h', '大厅', 'city', 'Asia/Shanghai', '[]', 'fcfs', 3, 30, 3, 15, 0,"
        " '{}', '{}', '{}')",
    )
    for name, kind, status, seen in (
        ("kiosk with printer", "kiosk", "'ok'", "'2026-11-30 01:05:00'"),
        ("kiosk never printed", "kiosk", "NULL", "'2026-11-30 01:06:00'"),
        ("board", "board", "NULL", "'2026-11-30 01:07:00'"),
    ):
        run(
            url,
            "INSERT INTO devices (hall_id, kind, name, token_hash, settings, created_at,"
            f" last_seen_at, printer_status) SELECT id, '{kind}', '{name}', '{name}', '{{}}',"
            f" '2026-11-30 00:00:00', {seen}, {status} FROM halls",
        )


def test_a_kiosk_whose_printer_was_reported_starts_from_when_it_was_last_seen(
    database_url: str,
) -> None:
    migrations.upgrade(database_url, BEFORE)
    _hall_with_devices(database_url)

    migrations.upgrade(database_url)

    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []
    rows = run(database_url, "SELECT name, printer_reported_at FROM devices ORDER BY id")
    assert [name for name, _ in rows] == ["kiosk with printer", "kiosk never printed", "board"]
    assert str(rows[0][1]).startswith("2026-11-30 01:05:00")  # SQLite hands back text
    assert rows[1][1] is None and rows[2][1] is None


def test_the_downgrade_takes_only_the_new_column(database_url: str) -> None:
    migrations.upgrade(database_url, BEFORE)
    _hall_with_devices(database_url)
    migrations.upgrade(database_url)

    migrations.downgrade(database_url, BEFORE)

    assert "printer_reported_at" not in columns(database_url, "devices")
    assert run(database_url, "SELECT count(*) FROM devices") == [(3,)]
