"""The demo's SQLite file: seeded once, and served only once its seeding has finished.

Seeding goes through the hall's own use cases, one transaction each, so a start that fails or is
stopped half-way leaves halls with part of their morning. The file's SQLite `user_version` says
how far seeding got: SEEDING from before the first seeded row, SEEDED after the last. A start
that finds a file left at SEEDING says so and starts it over; a file at SEEDED is served as it
is (with today's booking codes added); a file with neither, made by an older HallQ or not by the
demo at all, is served as before, never deleted, with a word on how to start over.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select, text

from hall_server.storage import migrations
from hall_server.storage.database import Database
from hall_server.storage.models import Hall

# PRAGMA user_version values: "HQ" and a step, so as not to be taken for another tool's numbers.
SEEDING = 0x4851_0001
SEEDED = 0x4851_0002


def _files(path: Path) -> list[Path]:
    """The database and the write-ahead log files SQLite keeps beside it."""
    return [path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")]


def _remove(path: Path) -> None:
    for file in _files(path):
        file.unlink(missing_ok=True)


def seeding_stage(path: Path) -> int:
    """The file's user_version (0 for no file, or one the demo never marked)."""
    if not path.exists():
        return 0
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def prepare_demo_file(path: Path, fresh: bool) -> str:
    """The URL of the demo's database file, migrated to this version; empty with `fresh`, and
    emptied if an earlier start left its seeding unfinished."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        _remove(path)
    elif seeding_stage(path) == SEEDING:
        click.echo(
            f"{path} was left half-seeded by a start of the demo that failed or was stopped "
            "while seeding; starting it over."
        )
        _remove(path)
    url = f"sqlite:///{path.resolve()}"
    migrations.upgrade(url)
    return url


def _mark(database: Database, stage: int) -> None:
    with database.transaction() as uow:
        uow.session.execute(text(f"PRAGMA user_version = {int(stage)}"))


def seed_or_keep(database: Database, now: datetime) -> None:
    """Seed an empty demo database, marking it SEEDING first and SEEDED once done; a seeded one
    only gets today's booking codes."""
    from hall_server.demo.demo_bookings import seed_todays_bookings
    from hall_server.demo.demo_hall import seed_demo

    with database.reading() as session:
        has_halls = session.scalar(select(Hall.id).limit(1)) is not None
        stage = int(session.execute(text("PRAGMA user_version")).scalar_one())
    if not has_halls:
        click.echo("Seeding the demo halls…")
        _mark(database, SEEDING)
        seed_demo(database, now)
        _mark(database, SEEDED)
        return
    seed_todays_bookings(database, now)  # a kept database gets today's codes
    if stage != SEEDED:
        click.echo(
            f"{database.engine.url.database} was not seeded by this version of `hallq demo`; "
            "if it looks incomplete, `make demo-fresh` starts it over."
        )
