"""The migrations end in one head: `hallq db upgrade` takes a new database there, and a
database left at the former separate heads (0002..0006 side by side, what `db upgrade heads`
made) upgrades to it too, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, create_engine, inspect, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.schema import CreateIndex

from hall_server.storage import migrations
from hall_server.storage.models import Base

ROOT = Path(__file__).resolve().parents[2]
HALLQ = ROOT / ".venv" / "bin" / "hallq"
FORMER_HEADS = [
    "0002_display_settings",
    "0002_ratings",
    "0003_prereview",
    "0004_manager",
    "0005_leases",
    "0006_predictions",
]


def the_one_head() -> str:
    heads = ScriptDirectory.from_config(migrations.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"the migrations have several heads {heads}; add a merge revision"
    return str(heads[0])


def recorded_revisions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return sorted(row[0] for row in rows)
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return model_differences(connection)
    finally:
        engine.dispose()


def model_differences(connection: Connection) -> list[object]:
    """What autogenerate finds between the database and the models. SQLite cannot reflect an
    index on an expression (the booking codes upper-cased), so autogenerate skips those there
    with a warning; they are compared here by the statement SQLite keeps for each."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="autogenerate skipping metadata-specified expression-based index",
            category=UserWarning,
        )
        warnings.filterwarnings(
            "ignore",
            message="Skipped unsupported reflection of expression-based index",
            category=SAWarning,
        )
        found = list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    if connection.dialect.name == "sqlite":
        found += _sqlite_expression_index_differences(connection)
    return found


def _sqlite_expression_index_differences(connection: Connection) -> list[object]:
    def plain(statement: str | None) -> str:
        return "".join((statement or "").split()).replace('"', "").lower()

    differences: list[object] = []
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if all(isinstance(expression, Column) for expression in index.expressions):
                continue
            wanted = str(CreateIndex(index).compile(dialect=connection.dialect))
            kept = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
                {"name": index.name},
            ).scalar()
            if plain(kept) != plain(wanted):
                differences.append(("expression_index", index.name, wanted, kept))
    return differences


def hallq_db_upgrade(url: str) -> subprocess.CompletedProcess[str]:
    """The command an operator runs, with its default revision."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("HALLQ_") and name != "DATABASE_URL"
    }
    environment["HALLQ_DATABASE_URL"] = url
    return subprocess.run(
        [str(HALLQ), "db", "upgrade"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_migrations_have_one_head_that_joins_every_branch() -> None:
    head = the_one_head()
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    below_head = {revision.revision for revision in script.iterate_revisions(head, "base")}

    assert set(FORMER_HEADS) | {"0001"} <= below_head


def test_hallq_db_upgrade_takes_a_new_database_to_the_head_matching_the_models(
    database_url: str,
) -> None:
    result = hallq_db_upgrade(database_url)

    assert result.returncode == 0, result.stderr
    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []


def test_a_database_at_the_former_separate_heads_upgrades_to_the_one_head(
    database_url: str,
) -> None:
    config = migrations.alembic_config(database_url)
    for head in FORMER_HEADS:  # as `hallq db upgrade` left it when its default was "heads"
        command.upgrade(config, head)
    assert recorded_revisions(database_url) == sorted(FORMER_HEADS)

    result = hallq_db_upgrade(database_url)

    assert result.returncode == 0, result.stderr
    assert recorded_revisions(database_url) == [the_one_head()]
    assert schema_differences(database_url) == []


def test_a_database_at_some_of_the_former_heads_gets_the_missing_ones_on_the_way(
    database_url: str,
) -> None:
    config = migrations.alembic_config(database_url)
    for head in FORMER_HEADS[:-1]:  # a database migrated before the predictions revision
        command.upgrade(config, head)

    migrations.upgrade(database_url)

    assert recorded_revisions(database_url) == [the_one_head()]
    engine = create_engine(database_url)
    try:
        ticket_columns = {column["name"] for column in inspect(engine).get_columns("tickets")}
    finally:
        engine.dispose()
    assert "predicted_wait_p50_minutes" in ticket_columns
