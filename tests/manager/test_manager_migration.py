"""`hallq db upgrade` builds the managers' tables exactly as the models describe them, on
SQLite and PostgreSQL; downgrading the revision removes only what it added."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from hall_server.storage import migrations
from tests.storage.test_migrations import model_differences

OURS = {"hall_alerts", "board_notices"}


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            diff = model_differences(connection)
    finally:
        engine.dispose()

    def concerns_us(entry) -> bool:
        flat = str(entry)
        return any(name in flat for name in OURS) or "alert_settings" in flat

    return [entry for entry in diff if concerns_us(entry)]


def test_the_migration_matches_the_models(database_url):
    migrations.upgrade(database_url)
    assert _differences(database_url) == []


def test_downgrading_the_manager_revision_removes_only_its_tables(sqlite_url):
    migrations.upgrade(sqlite_url)
    migrations.downgrade(sqlite_url, "0004_manager-1")
    engine = create_engine(sqlite_url)
    try:
        schema = inspect(engine)
        tables = set(schema.get_table_names())
        hall_columns = {column["name"] for column in schema.get_columns("halls")}
    finally:
        engine.dispose()
    assert not OURS & tables
    assert "alert_settings" not in hall_columns
    assert {"tickets", "halls"} <= tables
