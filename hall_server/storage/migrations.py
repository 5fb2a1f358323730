"""Running Alembic from the `hallq db` commands, with the app's database URL."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """To the one head by default. A database left at the former separate heads (0002..0006
    side by side) upgrades too: Alembic applies what is missing and then the joining revision."""
    command.upgrade(alembic_config(database_url), revision)


def stamp(database_url: str, revision: str = "head") -> None:
    """Record `revision` without running it: for a schema made from the models
    (`Base.metadata.create_all`, as test fixtures do), which is the head's."""
    command.stamp(alembic_config(database_url), revision)


@functools.cache
def known_revisions() -> tuple[str, tuple[str, ...]]:
    """This code's head revision, and every revision it knows (head first)."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    assert head is not None
    return head, tuple(script.revision for script in scripts.walk_revisions())


def schema_state(stored_revision: str | None) -> str:
    """ "ok", "newer" (a later version migrated it: this code may still serve) or "behind"
    (`hallq db upgrade` is due), for the revision a database says it is at."""
    head, known = known_revisions()
    if stored_revision == head:
        return "ok"
    if stored_revision is not None and stored_revision not in known:
        return "newer"
    return "behind"


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str:
    """The database's revision with the first line of its description, and where it stands
    against this code: `0014_printer_reported_at (head): when a kiosk's print agent …`."""
    from alembic.runtime.migration import MigrationContext

    from hall_server.storage.database import build_engine

    engine = build_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            stored = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    if not stored:
        return "no revision: the database has never been migrated (run `hallq db upgrade`)"
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    lines = []
    for revision in stored:
        state = schema_state(revision)
        if state == "newer":
            lines.append(f"{revision}: made by a later version of HallQ than this one")
            continue
        summary = (scripts.get_revision(revision).doc or "").strip().splitlines()
        marker = " (head)" if state == "ok" else " (behind: run `hallq db upgrade`)"
        lines.append(f"{revision}{marker}: {summary[0] if summary else ''}".rstrip(": "))
    return "\n".join(lines)


def autogenerate(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
