"""The background lease on SQLite and PostgreSQL: one holder, takeover after expiry, fencing."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from hall_server.background.jobs import JobContext, PeriodicJob
from hall_server.background.lease import (
    LeaseLost,
    current_holder,
    fenced_transaction,
    release,
    renew,
    try_acquire,
)
from hall_server.background.runner import BackgroundRunner
from hall_server.storage.database import Database
from hall_server.storage.models import BackgroundRun, Lease


def expire_now(database: Database, name: str) -> None:
    """What a holder that died looks like once its lease time has passed."""
    with database.transaction() as uow:
        lease = uow.session.get(Lease, name)
        assert lease is not None
        lease.expires_at = lease.expires_at - timedelta(hours=1)


def test_only_one_process_gets_a_free_lease(any_database: Database) -> None:
    first = try_acquire(any_database, "daily_rollover", "process-a", 30)
    second = try_acquire(any_database, "daily_rollover", "process-b", 30)

    assert first is not None and first.token == 1
    assert second is None
    assert current_holder(any_database, "daily_rollover").holder == "process-a"


def test_an_expired_lease_is_taken_over_with_a_higher_token(any_database: Database) -> None:
    first = try_acquire(any_database, "daily_rollover", "process-a", 30)
    assert first is not None
    expire_now(any_database, "daily_rollover")

    second = try_acquire(any_database, "daily_rollover", "process-b", 30)

    assert second is not None and second.token == first.token + 1
    assert not renew(any_database, first)
    with pytest.raises(LeaseLost), fenced_transaction(any_database, first):
        pytest.fail("the old holder must not get to work")


def test_renewing_keeps_the_lease_from_others(any_database: Database) -> None:
    lease = try_acquire(any_database, "housekeeping", "process-a", 30)
    assert lease is not None
    before = lease.expires_at

    assert renew(any_database, lease)

    assert lease.expires_at >= before
    assert try_acquire(any_database, "housekeeping", "process-b", 30) is None


def test_a_released_lease_is_free_at_once(any_database: Database) -> None:
    lease = try_acquire(any_database, "housekeeping", "process-a", 30)
    assert lease is not None

    release(any_database, lease)

    taken = try_acquire(any_database, "housekeeping", "process-b", 30)
    assert taken is not None and taken.holder == "process-b"


def test_leases_of_different_jobs_are_independent(any_database: Database) -> None:
    assert try_acquire(any_database, "daily_rollover", "process-a", 30) is not None
    assert try_acquire(any_database, "housekeeping", "process-b", 30) is not None


def test_work_of_a_holder_that_lost_its_lease_is_not_committed(any_database: Database) -> None:
    lease = try_acquire(any_database, "daily_rollover", "process-a", 30)
    assert lease is not None
    expire_now(any_database, "daily_rollover")
    assert try_acquire(any_database, "daily_rollover", "process-b", 30) is not None

    with pytest.raises(LeaseLost), fenced_transaction(any_database, lease) as uow:
        uow.session.execute(update(Lease).values(holder="overwritten by a stale holder"))

    assert current_holder(any_database, "daily_rollover").holder == "process-b"


def test_many_processes_asking_at_once_get_exactly_one_holder(any_database: Database) -> None:
    winners: list[Any] = []
    barrier = threading.Barrier(8)

    def ask(index: int) -> None:
        barrier.wait()
        lease = try_acquire(any_database, "daily_rollover", f"process-{index}", 30)
        if lease is not None:
            winners.append(lease)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1


def test_the_runner_runs_a_due_job_once_and_logs_the_run(any_database: Database) -> None:
    runs: list[str] = []

    def count(context: JobContext) -> dict[str, Any]:
        with context.transaction():
            runs.append(context.lease.holder)
        return {"counted": len(runs)}

    job = PeriodicJob("counter", 3600, count)
    first = BackgroundRunner(any_database, [job], clock=lambda: None, lease_seconds=30)
    second = BackgroundRunner(any_database, [job], clock=lambda: None, lease_seconds=30)

    next_due = first.step(job, 0.0)
    second.step(job, 0.0)
    first.step(job, next_due)  # not due yet: only renews

    assert runs == [first.holder]
    with any_database.reading() as session:
        logged = session.scalars(select(BackgroundRun)).all()
        assert [(run.job, run.holder, run.detail) for run in logged] == [
            ("counter", first.holder, {"counted": 1})
        ]


def test_a_stopped_runner_hands_its_lease_to_the_next(any_database: Database) -> None:
    job = PeriodicJob("counter", 3600, lambda context: {})
    first = BackgroundRunner(any_database, [job], clock=lambda: None, lease_seconds=30)
    second = BackgroundRunner(any_database, [job], clock=lambda: None, lease_seconds=30)
    first.step(job, 0.0)

    first.stop()
    second.step(job, 0.0)

    assert current_holder(any_database, "counter").holder == second.holder
