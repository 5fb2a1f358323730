"""The ratings table comes with `hallq db upgrade`, and goes with a downgrade of its revision."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from hall_server.storage import migrations


def test_upgrade_creates_the_ratings_table_with_one_rating_per_ticket(sqlite_url):
    migrations.upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        schema = inspect(engine)
        columns = {column["name"] for column in schema.get_columns("ratings")}
        unique = schema.get_unique_constraints("ratings")
        indexes = {index["name"] for index in schema.get_indexes("ratings")}
    finally:
        engine.dispose()
    assert {"ticket_id", "window_id", "clerk_id", "level", "score", "reasons"} <= columns
    assert [constraint["column_names"] for constraint in unique] == [["ticket_id"]]
    assert "ix_ratings_clerk_day" in indexes


def test_downgrading_the_ratings_revision_drops_only_its_table(sqlite_url):
    migrations.upgrade(sqlite_url)
    migrations.downgrade(sqlite_url, "0002_ratings-1")
    engine = create_engine(sqlite_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert "ratings" not in tables
    assert "tickets" in tables
