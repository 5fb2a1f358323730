"""A lease in the database: one holder at a time for a named piece of background work.

A process takes a free or expired lease, renews it well before it expires, and does its work in
"fenced" transactions that first prove, inside the same transaction, that it still holds the
lease. On PostgreSQL that proof is an UPDATE of the lease row, whose row lock lasts until the
work commits, so another process cannot take the lease over half-way through; on SQLite every
write transaction is serialised anyway. A holder that dies simply stops renewing: once the lease
has expired, the next process to ask takes it, with a higher `token`, and anything the old holder
still tries to commit under its old token is refused.

Expiry is judged by the database's clock, so servers on several machines need not agree on time.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hall_server.storage.database import Database, UnitOfWork
from hall_server.storage.models import BackgroundRun, Lease

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """This process no longer holds the lease: another took it over after it expired."""


def new_holder_id() -> str:
    """Names the process in the lease table and the logs: host, pid and a random part, so a
    restarted process with a reused pid is still a different holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def database_now(session: Session) -> datetime:
    """The database's clock (aware UTC); SQLite lives on this machine, so ours is the same."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.scalar(select(func.clock_timestamp()))
        assert found is not None
        return found.astimezone(UTC)
    return datetime.now(UTC)


@dataclass
class HeldLease:
    name: str
    holder: str
    token: int
    seconds: float
    expires_at: datetime


def _upsert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def try_acquire(database: Database, name: str, holder: str, seconds: float) -> HeldLease | None:
    """Take the lease if nobody holds it or its holder let it expire; None if it is held.

    One statement decides: an insert that, on conflict, takes the row over only where it has
    expired. Two processes asking at once cannot both win, because the row lock makes the second
    re-check the condition against the first one's fresh expiry.
    """
    with database.transaction() as uow:
        session = uow.session
        now = database_now(session)
        expires_at = now + timedelta(seconds=seconds)
        insert = _upsert(session)
        statement = (
            insert(Lease)
            .values(name=name, holder=holder, token=1, acquired_at=now, expires_at=expires_at)
            .on_conflict_do_update(
                index_elements=[Lease.name],
                set_={
                    "holder": holder,
                    "token": Lease.token + 1,
                    "acquired_at": now,
                    "expires_at": expires_at,
                },
                where=Lease.expires_at <= now,
            )
            .returning(Lease.token)
        )
        token = session.execute(statement).scalar_one_or_none()
    if token is None:
        return None
    return HeldLease(name, holder, int(token), seconds, expires_at)


def _extend(session: Session, lease: HeldLease) -> bool:
    now = database_now(session)
    expires_at = now + timedelta(seconds=lease.seconds)
    renewed = session.execute(
        update(Lease)
        .where(
            Lease.name == lease.name,
            Lease.holder == lease.holder,
            Lease.token == lease.token,
            Lease.expires_at > now,
        )
        .values(expires_at=expires_at)
        .returning(Lease.expires_at)
    ).scalar_one_or_none()
    if renewed is None:
        return False
    lease.expires_at = expires_at
    return True


def renew(database: Database, lease: HeldLease) -> bool:
    """Push the expiry on; False if the lease was lost (expired and possibly taken over)."""
    with database.transaction() as uow:
        return _extend(uow.session, lease)


def release(database: Database, lease: HeldLease) -> None:
    """Give the lease up at once (a clean shutdown), so another process need not wait it out."""
    with database.transaction() as uow:
        session = uow.session
        session.execute(
            update(Lease)
            .where(
                Lease.name == lease.name,
                Lease.holder == lease.holder,
                Lease.token == lease.token,
            )
            .values(expires_at=database_now(session))
        )


@contextmanager
def fenced_transaction(database: Database, lease: HeldLease) -> Iterator[UnitOfWork]:
    """One transaction of background work that commits only while the lease is still ours.

    Raises LeaseLost before any work is done if it is not.
    """
    with database.transaction() as uow:
        if not _extend(uow.session, lease):
            raise LeaseLost(f"lease {lease.name!r} (token {lease.token}) is no longer held")
        yield uow


def record_run(
    uow: UnitOfWork, lease: HeldLease, started_at: datetime, detail: dict[str, object]
) -> None:
    uow.session.add(
        BackgroundRun(
            job=lease.name,
            holder=lease.holder,
            lease_token=lease.token,
            started_at=started_at,
            finished_at=database_now(uow.session),
            detail=detail,
        )
    )


def current_holder(database: Database, name: str) -> Lease | None:
    """The lease row as stored (holder may have expired): for operators and tests."""
    with database.reading() as session:
        lease = session.get(Lease, name)
        if lease is not None:
            session.expunge(lease)
        return lease
