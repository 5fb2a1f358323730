"""Revision 0010_remote_issuing on SQLite and PostgreSQL: halls get their remote settings (off)
and tickets the mark of a remote one (false for every ticket already issued), and a downgrade
takes only those columns away."""

from __future__ import annotations

from hall_server.storage import migrations
from tests.storage.test_break_rota_migration import columns, run
from tests.storage.test_migrations import recorded_revisions, schema_differences, the_one_head


def test_the_upgrade_keeps_halls_off_and_tickets_issued_in_the_hall(database_url: str) -> None:
    migrations.upgrade(database_url, "0009_ticket_issue_time_index")
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
        "INSERT INTO departments (hall_id, code, name) SELECT id, 'd', '部门' FROM halls",
    )
    run(
        database_url,
        "INSERT INTO services (hall_id, department_id, code, name, prefix,"
        " expected_handling_minutes, active)"
        " SELECT hall_id, id, 's', '事项', 'A', 10, true FROM departments",
    )
    run(
        database_url,
        "INSERT INTO tickets (hall_id, service_id, original_service_id, local_date, sequence,"
        " number, visitor_class, priority_rank, status, status_token, issued_at, queue_key,"
        " recall_count, transfer_count)"
        " SELECT hall_id, id, id, '2026-11-30', 1, 'A001', 'walk_in', 1, 'waiting', 'tok',"
        " '2026-11-30 01:00:00', '2026-11-30 01:00:00', 0, 0 FROM services",
    )

    migrations.upgrade(database_url)

    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []
    assert run(database_url, "SELECT number, issued_remotely FROM tickets") == [("A001", False)]
    (settings,) = run(database_url, "SELECT remote_issuing_settings FROM halls")[0]
    assert settings in ({}, "{}")  # PostgreSQL hands JSON back decoded, SQLite as text


def test_downgrading_the_remote_issuing_revision_drops_only_its_columns(
    database_url: str,
) -> None:
    migrations.upgrade(database_url)

    migrations.downgrade(database_url, "0009_ticket_issue_time_index")

    assert recorded_revisions(database_url) == ["0009_ticket_issue_time_index"]
    assert "remote_issuing_settings" not in columns(database_url, "halls")
    assert {"alert_settings", "calling_settings"} <= columns(database_url, "halls")
    ticket_columns = columns(database_url, "tickets")
    assert "issued_remotely" not in ticket_columns
    assert {"issued_by_device_id", "issued_at", "predicted_wait_p50_minutes"} <= ticket_columns
