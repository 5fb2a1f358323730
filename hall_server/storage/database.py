"""The database connection and the one-transaction-per-use-case unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database could not be reached or dropped the connection before the change was sent
    for commit: nothing was changed, and the request may be retried."""


class CommitOutcomeUnknown(DatabaseUnavailable):
    """The connection failed while the database was committing: the change may or may not have
    been made. A retry with the same Idempotency-Key answers the first result if it was made;
    without one, check before doing it again."""


@dataclass
class UnitOfWork:
    """One use case's session plus what to do once, and only once, its commit succeeded."""

    session: Session
    # Opens a read-only session (after commit, to read what was committed).
    reading: Callable[[], AbstractContextManager[Session]]
    events: list[Any] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def publish_after_commit(self, event: Any) -> None:
        self.events.append(event)

    def on_commit(self, action: Callable[[], None]) -> None:
        self.after_commit.append(action)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write takes the lock at BEGIN, so two counters can never read the same "next".
        if connection.get_execution_options().get("hallq_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# The driver HallQ runs PostgreSQL with (psycogreen makes it yield under gevent, see entry.py).
POSTGRESQL_DRIVER = "postgresql+psycopg2"
# "postgres://" is what Heroku-style hosting providers hand out; SQLAlchemy knows only
# "postgresql".
_POSTGRESQL_SCHEMES = ("postgres", "postgresql")


class UnusableDatabaseUrl(ValueError):
    """A database URL HallQ cannot use; the message says why in a few words."""


def normalise_database_url(url: str) -> str:
    """`url` as SQLAlchemy takes it: postgres:// and postgresql:// with HallQ's driver.

    Raises UnusableDatabaseUrl for anything else that is not PostgreSQL or SQLite with a driver
    installed here."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator:
        raise UnusableDatabaseUrl("it is not a URL")
    url = f"{POSTGRESQL_DRIVER}://{rest}" if scheme.lower() in _POSTGRESQL_SCHEMES else url.strip()
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UnusableDatabaseUrl(f"it cannot be read ({error})") from None
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise UnusableDatabaseUrl(
            f"HallQ runs on PostgreSQL or SQLite, not {parsed.get_backend_name()}"
        )
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as error:
        raise UnusableDatabaseUrl(
            f"its driver {parsed.drivername} is not installed here ({error}); "
            f"use {POSTGRESQL_DRIVER}:// or sqlite:///"
        ) from None
    if parsed.get_backend_name() == "postgresql" and not parsed.database:
        raise UnusableDatabaseUrl("it names no database (…/hallq at its end)")
    return url


def build_engine(url: str, pool_size: int = 20) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        # An unreachable server must fail the request quickly (503), not hang it.
        connect_args={"connect_timeout": 5},
    )


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def uses_row_locks(session: Session) -> bool:
    """PostgreSQL locks rows (FOR UPDATE, SKIP LOCKED); SQLite's one writer holds the whole
    database from BEGIN IMMEDIATE, so there a row lock is never needed."""
    return is_postgresql(session)


def _hold_until_the_session_ends(session: Session, instance: Any) -> None:
    """A use case's session keeps what it loaded until it ends (SQLAlchemy's recipe for strong
    references): a row read once, such as a window's hall read with the window, is not read again
    after the garbage collector has dropped it from the session's weak identity map."""
    session.info.setdefault("loaded", []).append(instance)


class Database:
    def __init__(self, url: str, forecast_refresh_seconds: float | None = None) -> None:
        self.url = url
        self.engine = build_engine(url)
        if forecast_refresh_seconds is not None:
            # Sessions carry it to the wait forecasts (operations/wait_predictions.py).
            self.engine = self.engine.execution_options(
                hallq_forecast_refresh_seconds=forecast_refresh_seconds
            )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # Set by the app: sends a committed use case's live events (Socket.IO, or a test's list).
        self.publish: Callable[[Any], None] | None = None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "loaded_as_persistent", _hold_until_the_session_ends)
        read_options: dict[str, Any] = {"hallq_read_only": True}
        if not self.is_sqlite:
            # A snapshot and its `seq` must come from one consistent view of the database.
            read_options["isolation_level"] = "REPEATABLE READ"
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**read_options), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Run one use case: commit at the end, then run its after-commit actions."""
        session = self._sessions()
        unit = UnitOfWork(session, self.reading)
        committing = False
        try:
            with session.begin():
                yield unit
                # Everything is sent but COMMIT; a connection lost after this point leaves
                # the outcome unknown (the database may have committed before it went).
                session.flush()
                committing = True
        except (OperationalError, DBAPIError) as error:
            if error.connection_invalidated or isinstance(error, OperationalError):
                unavailable = CommitOutcomeUnknown if committing else DatabaseUnavailable
                raise unavailable(str(error.orig)) from error
            raise
        except PoolTimeout as error:
            # Every connection busy for pool_timeout: overloaded, nothing begun; retry later.
            raise DatabaseUnavailable(str(error)) from error
        finally:
            session.close()
        # The change is committed; a failure to tell clients must not look like a failed change.
        # Clients that miss an event see the gap in `seq` and resync.
        for live_event in unit.events:
            if self.publish is None:
                break
            try:
                self.publish(live_event)
            except Exception:
                log.exception("could not publish a live event")
        for action in unit.after_commit:
            try:
                action()
            except Exception:
                log.exception("after-commit action failed")

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._read_sessions()
        try:
            with session.begin():
                yield session
        except (OperationalError, DBAPIError) as error:
            if error.connection_invalidated or isinstance(error, OperationalError):
                raise DatabaseUnavailable(str(error.orig)) from error
            raise
        except PoolTimeout as error:
            raise DatabaseUnavailable(str(error)) from error
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
