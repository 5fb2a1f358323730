"""Runs the periodic jobs in every server process; each job's lease lets only one of them work.

Every process keeps one green thread per job. A thread without the lease asks for it every
quarter of the lease time (at least every 5 s); the one holding it runs the job when due and
renews the lease every third of the lease time, so a holder that dies is replaced within about
1.25 lease times, and a holder that stops cleanly (SIGTERM, SIGINT) hands its leases back at once.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask

from hall_server.background.jobs import JobContext, PeriodicJob, standard_jobs
from hall_server.background.lease import (
    HeldLease,
    LeaseLost,
    database_now,
    fenced_transaction,
    new_holder_id,
    record_run,
    release,
    renew,
    try_acquire,
)
from hall_server.storage.database import Database

log = logging.getLogger(__name__)
# A lease handed back on a clean stop is taken within this, however long the lease time.
ASK_AT_LEAST_EVERY_SECONDS = 5.0
# A step that keeps failing (the database down or not migrated) logs its traceback once, then
# at most one line this often, so the log stays readable (it was a traceback per job per cycle).
REPEAT_FAILURE_LOG_SECONDS = 60.0
# A job that could not be run or recorded (the database away) is tried again after 1 s, then 2,
# 4 … up to its interval (30 s at most), and at its interval again once a run is recorded: not
# at once, which during an outage was a storm of connection attempts (hundreds a minute)
# against a database trying to recover.
RETRY_FIRST_SECONDS = 1.0
RETRY_AT_MOST_SECONDS = 30.0


def _when(moment: Any) -> str:
    return moment.isoformat(timespec="seconds") if isinstance(moment, datetime) else str(moment)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


class FailureLog:
    """How one repeating failure is logged: the first in full, then one line at most every
    `every_seconds` saying since when it keeps failing, and one line when it works again."""

    def __init__(
        self,
        what: str,
        clock: Callable[[], Any],
        monotonic: Callable[[], float] = time.monotonic,
        every_seconds: float = REPEAT_FAILURE_LOG_SECONDS,
    ) -> None:
        self.what = what
        self.clock = clock
        self.monotonic = monotonic
        self.every_seconds = every_seconds
        self.failing_since: Any = None
        self.failures = 0
        self.last_logged = 0.0

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        if self.failures == 1:
            self.failing_since = self.clock()
            self.last_logged = self.monotonic()
            log.error("%s failed", self.what, exc_info=error)
            return
        if self.monotonic() - self.last_logged >= self.every_seconds:
            self.last_logged = self.monotonic()
            log.error(
                "%s still failing since %s (%d times): %s",
                self.what,
                _when(self.failing_since),
                self.failures,
                _first_line(error),
            )

    def worked(self) -> None:
        if not self.failures:
            return
        log.info(
            "%s works again after failing %d times since %s",
            self.what,
            self.failures,
            _when(self.failing_since),
        )
        self.failing_since, self.failures = None, 0


class BackgroundRunner:
    def __init__(
        self,
        database: Database,
        jobs: list[PeriodicJob],
        clock: Callable[[], Any],
        lease_seconds: float,
        settings: dict[str, Any] | None = None,
        holder: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        start_task: Callable[..., Any] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.jobs = jobs
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.settings = settings or {}
        self.holder = holder or new_holder_id()
        self.sleep = sleep
        self.start_task = start_task
        self.held: dict[str, HeldLease] = {}
        self.stopping = False
        self.step_failures = {
            job.name: FailureLog(f"background job {job.name}: step", clock, monotonic)
            for job in jobs
        }
        self.run_failures = {
            job.name: FailureLog(f"background job {job.name}", clock, monotonic) for job in jobs
        }
        self.monotonic = monotonic
        # The pause before a failed job's next attempt, doubling while it keeps failing.
        self.retry_after: dict[str, float] = {}

    def start(self) -> None:
        assert self.start_task is not None, "give start_task (e.g. socketio.start_background_task)"
        log.info("background work starting as %s", self.holder)
        for job in self.jobs:
            self.start_task(self.keep_running, job)

    def stop(self) -> None:
        """Stop asking for leases and hand back the ones held, so others take over at once."""
        self.stopping = True
        for name, lease in list(self.held.items()):
            try:
                release(self.database, lease)
                log.info("released lease %s (token %s)", name, lease.token)
            except Exception:
                log.exception("could not release lease %s; it expires by itself", name)
            self.held.pop(name, None)

    def keep_running(self, job: PeriodicJob) -> None:
        next_run = 0.0
        while not self.stopping:
            try:
                next_run = self.step(job, next_run)
            except Exception as error:
                # The database may be down; the lease expires by itself if we cannot renew it.
                self.step_failures[job.name].failed(error)
                if job.name in self.held and self.monotonic() >= next_run:
                    # The run (or its record) failed: not again at once, but after a pause
                    # that doubles while it keeps failing.
                    next_run = self.monotonic() + self._until_next_run(job, failed=True)
            else:
                self.step_failures[job.name].worked()
            self.sleep(self.pause(job, next_run))

    def step(self, job: PeriodicJob, next_run: float) -> float:
        """Acquire, run or renew once; returns when the job is next due (monotonic seconds)."""
        lease = self.held.get(job.name)
        if lease is None:
            lease = try_acquire(self.database, job.name, self.holder, self.lease_seconds)
            if lease is None:
                return next_run
            log.info("took lease %s (token %s) as %s", job.name, lease.token, self.holder)
            self.held[job.name] = lease
            next_run = self.monotonic()
        try:
            if self.monotonic() >= next_run:
                self.run_once(job, lease)  # its own failure is recorded, due again as usual
                return self.monotonic() + self._until_next_run(job, failed=False)
            if not renew(self.database, lease):
                raise LeaseLost(job.name)
        except LeaseLost:
            log.warning("lost lease %s (token %s)", job.name, lease.token)
            self.held.pop(job.name, None)
        return next_run

    def _until_next_run(self, job: PeriodicJob, failed: bool) -> float:
        """The job's interval after a run that was recorded; after one that could not be run or
        recorded (the database away), 1 s, then twice the last pause, up to the interval or
        RETRY_AT_MOST_SECONDS."""
        if not failed:
            self.retry_after.pop(job.name, None)
            return job.every_seconds
        at_most = min(job.every_seconds, RETRY_AT_MOST_SECONDS)
        pause = min(self.retry_after.get(job.name, RETRY_FIRST_SECONDS), at_most)
        self.retry_after[job.name] = min(pause * 2, at_most)
        return pause

    def run_once(self, job: PeriodicJob, lease: HeldLease) -> dict[str, Any]:
        with fenced_transaction(self.database, lease) as uow:
            started_at = database_now(uow.session)
        try:
            detail = job.run(
                JobContext(self.database, lease, self.clock, self.settings, self.sleep)
            )
        except LeaseLost:
            raise
        except Exception as error:
            self.run_failures[job.name].failed(error)
            detail = {"error": f"{type(error).__name__}: {error}"}
        else:
            self.run_failures[job.name].worked()
        with fenced_transaction(self.database, lease) as uow:
            record_run(uow, lease, started_at, detail)
        log.info("background job %s ran: %s", job.name, detail, extra={"event": job.name})
        return detail

    def pause(self, job: PeriodicJob, next_run: float) -> float:
        if job.name in self.held:
            until_due = max(0.05, next_run - self.monotonic())
            return min(self.lease_seconds / 3, until_due)
        return min(self.lease_seconds / 4, ASK_AT_LEAST_EVERY_SECONDS)


def start_background_work(app: Flask, socketio: Any) -> BackgroundRunner | None:
    """Start the jobs in this serving process unless HALLQ_BACKGROUND_WORK is off."""
    if not app.config["BACKGROUND_WORK"]:
        return None
    runner = BackgroundRunner(
        database=app.extensions["hallq_db"],
        jobs=standard_jobs(app.config),
        clock=app.extensions["hallq_clock"],
        lease_seconds=app.config["BACKGROUND_LEASE_SECONDS"],
        settings=dict(app.config),
        sleep=socketio.sleep,
        start_task=socketio.start_background_task,
    )
    runner.start()
    app.extensions["hallq_background"] = runner
    return runner


def hand_back_leases_on_exit(
    runner: BackgroundRunner, grace_seconds: float = 5.0, exit: Callable[[int], Any] = os._exit
) -> None:
    """On SIGTERM or SIGINT release the leases first, so another process takes over at once.

    A signal handler runs inside the event loop, where nothing may block: it starts a task that
    releases the leases and ends the process (after `grace_seconds` at most, if the database
    does not answer), as the default SIGTERM would have.
    """
    assert runner.start_task is not None

    def _release_then_exit() -> None:
        log.info("stopping: handing back leases")
        runner.stop()
        exit(0)

    def _exit_anyway() -> None:
        runner.sleep(grace_seconds)
        log.warning("leases not released within %s s; exiting", grace_seconds)
        exit(0)

    def _on_signal(signum: int, _frame: Any) -> None:
        assert runner.start_task is not None
        runner.start_task(_exit_anyway)
        runner.start_task(_release_then_exit)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _on_signal)
