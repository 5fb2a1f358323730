"""The recorded median comes with `hallq db upgrade`, and goes with a downgrade of its revision."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from hall_server.storage import migrations


def ticket_columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("tickets")}
    finally:
        engine.dispose()


def test_upgrade_adds_the_predicted_median_beside_the_predicted_range(sqlite_url):
    migrations.upgrade(sqlite_url)

    assert {
        "predicted_wait_low_minutes",
        "predicted_wait_p50_minutes",
        "predicted_wait_high_minutes",
    } <= ticket_columns(sqlite_url)


def test_downgrading_the_predictions_revision_drops_only_its_column(sqlite_url):
    migrations.upgrade(sqlite_url)
    migrations.downgrade(sqlite_url, "0006_predictions-1")

    columns = ticket_columns(sqlite_url)
    assert "predicted_wait_p50_minutes" not in columns
    assert {"predicted_wait_low_minutes", "predicted_wait_high_minutes"} <= columns
