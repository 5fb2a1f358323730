"""Acknowledged outbox messages are forgotten after the configured number of days by the
housekeeping job, under its lease, on a real SQLite file and a real PostgreSQL; messages still
pending are never forgotten, however old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hall_server.background.jobs import PeriodicJob, standard_jobs
from hall_server.background.lease import LeaseLost, try_acquire
from hall_server.background.runner import BackgroundRunner
from hall_server.config import DEFAULTS, from_environment
from hall_server.operations.outbox import enqueue, forget_delivered
from hall_server.storage.database import Database
from hall_server.storage.models import Lease, OutboxMessage, Platform
from tests.factories import build_hall

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.fixture
def outbox(any_database: Database) -> Any:
    """Writes a message to the hall's platform, delivered `delivered_days_ago` (None: pending)."""
    hall = build_hall(any_database, NOW)
    with any_database.transaction() as uow:
        platform = Platform(code="gov", name="gov", hall_id=hall.id, secret="s",
                            webhook_url="http://platform.invalid/hook", active=True,
                            created_at=NOW - timedelta(days=400))  # fmt: skip
        uow.session.add(platform)
        uow.session.flush()
        platform_id = platform.id

    def write(delivered_days_ago: float | None, created_days_ago: float = 90) -> int:
        created = NOW - timedelta(days=created_days_ago)
        with any_database.transaction() as uow:
            message = enqueue(uow.session, platform_id, hall.id, "case.finished", {}, created)
            if delivered_days_ago is not None:
                message.status = "delivered"
                message.attempts = 1
                message.delivered_at = NOW - timedelta(days=delivered_days_ago)
            uow.session.flush()
            return message.id

    return write


def remaining(database: Database) -> list[int]:
    with database.reading() as session:
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def housekeeping(settings: dict[str, Any]) -> PeriodicJob:
    (job,) = [job for job in standard_jobs(settings) if job.name == "housekeeping"]
    return job


def test_housekeeping_forgets_messages_acknowledged_more_than_30_days_ago(
    any_database: Database, outbox: Any
) -> None:
    old_delivered = outbox(delivered_days_ago=31)
    recent_delivered = outbox(delivered_days_ago=29)
    at_the_limit = outbox(delivered_days_ago=30)
    still_pending = outbox(delivered_days_ago=None, created_days_ago=200)
    settings = dict(DEFAULTS)
    job = housekeeping(settings)
    lease = try_acquire(any_database, job.name, "process-a", 30)
    assert lease is not None
    runner = BackgroundRunner(any_database, [job], lambda: NOW, 30, settings, holder="process-a")

    detail = runner.run_once(job, lease)

    assert detail["outbox_messages_deleted"] == 1
    assert remaining(any_database) == [recent_delivered, at_the_limit, still_pending]
    assert old_delivered not in remaining(any_database)
    assert runner.run_once(job, lease)["outbox_messages_deleted"] == 0  # nothing left to forget


def test_the_keep_days_come_from_the_environment(any_database: Database, outbox: Any) -> None:
    outbox(delivered_days_ago=8)
    kept = outbox(delivered_days_ago=6)
    settings = {**DEFAULTS, **from_environment({"HALLQ_OUTBOX_DELIVERED_KEEP_DAYS": "7"})}
    assert settings["OUTBOX_DELIVERED_KEEP_DAYS"] == 7
    job = housekeeping(settings)
    lease = try_acquire(any_database, job.name, "process-a", 30)
    assert lease is not None
    runner = BackgroundRunner(any_database, [job], lambda: NOW, 30, settings, holder="process-a")

    assert runner.run_once(job, lease)["outbox_messages_deleted"] == 1
    assert remaining(any_database) == [kept]


def test_a_process_that_lost_the_lease_deletes_nothing(any_database: Database, outbox: Any) -> None:
    outbox(delivered_days_ago=40)
    before = remaining(any_database)
    settings = dict(DEFAULTS)
    job = housekeeping(settings)
    stale = try_acquire(any_database, job.name, "process-a", 30)
    assert stale is not None
    with any_database.transaction() as uow:  # process-a stalled past its lease …
        lease = uow.session.get(Lease, job.name)
        assert lease is not None
        lease.expires_at -= timedelta(hours=1)  # judged by the database's own clock
    assert try_acquire(any_database, job.name, "process-b", 30) is not None  # … b took over
    runner = BackgroundRunner(any_database, [job], lambda: NOW, 30, settings, holder="process-a")

    with pytest.raises(LeaseLost):
        runner.run_once(job, stale)

    assert remaining(any_database) == before


def test_a_large_backlog_goes_in_short_transactions(any_database: Database, outbox: Any) -> None:
    for _ in range(5):
        outbox(delivered_days_ago=45)
    kept = outbox(delivered_days_ago=1)

    forgotten = forget_delivered(any_database.transaction, NOW, timedelta(days=30), batch=2)

    assert forgotten == 5
    assert remaining(any_database) == [kept]
