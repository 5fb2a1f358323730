"""The periodic jobs a HallQ deployment runs once across all its server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from hall_server.background.lease import HeldLease, fenced_transaction
from hall_server.operations.alerts import check_all_halls
from hall_server.operations.booked_arrival import run_no_show_sweep
from hall_server.operations.daily_rollover import halls_due_for_rollover, roll_over_hall
from hall_server.operations.outbox import forget_delivered, run_platform_outbox
from hall_server.storage.database import Database, UnitOfWork
from hall_server.storage.models import BackgroundRun, IdempotentResponse


@dataclass
class JobContext:
    """What a job gets: the database, the app's clock, and transactions fenced by its lease."""

    database: Database
    lease: HeldLease
    clock: Callable[[], datetime]
    settings: dict[str, Any]
    # The serving process's green-thread sleep: jobs run beside the requests, and a job that
    # goes through a city's halls without yielding would hold every request up meanwhile.
    sleep: Callable[[float], None] | None = None

    def yield_to_requests(self) -> None:
        """Let waiting requests run; called between halls (or batches) of a job."""
        if self.sleep is not None:
            self.sleep(0)

    def transaction(self) -> AbstractContextManager[UnitOfWork]:
        """Commit only while this process still holds the job's lease (raises LeaseLost)."""
        return fenced_transaction(self.database, self.lease)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[JobContext], dict[str, Any]]


def run_daily_rollover(context: JobContext) -> dict[str, Any]:
    """Close yesterday's leftovers in every hall whose local midnight has passed."""
    now = context.clock()
    with context.database.reading() as session:
        due = halls_due_for_rollover(session, now)
    totals = {"halls": len(due), "expired": 0, "no_show": 0, "left_open": 0}
    for hall_id in due:
        for result in _batches(context, hall_id, now):
            for key in ("expired", "no_show"):
                totals[key] += result[key]
            context.yield_to_requests()
        totals["left_open"] += result["left_open"]
    return totals


def _batches(context: JobContext, hall_id: int, now: datetime) -> Iterator[dict[str, Any]]:
    while True:
        with context.transaction() as uow:
            result = roll_over_hall(uow, hall_id, now)
        yield result
        if not result["more"]:
            return


def _deleted(result: Any) -> int:
    """Rows a DELETE removed (a CursorResult's rowcount; None where a driver cannot tell)."""
    return int(result.rowcount or 0)


def run_housekeeping(context: JobContext) -> dict[str, Any]:
    """Forget stored Idempotency-Key answers once no client would still retry, old run logs,
    and outbox messages the platforms acknowledged long ago."""
    now = context.clock()
    keep_answers = timedelta(hours=context.settings["IDEMPOTENCY_KEEP_HOURS"])
    keep_runs = timedelta(days=context.settings["BACKGROUND_RUNS_KEEP_DAYS"])
    keep_delivered = timedelta(days=context.settings["OUTBOX_DELIVERED_KEEP_DAYS"])
    with context.transaction() as uow:
        answers = _deleted(
            uow.session.execute(
                delete(IdempotentResponse).where(IdempotentResponse.created_at < now - keep_answers)
            )
        )
        runs = _deleted(
            uow.session.execute(
                delete(BackgroundRun).where(BackgroundRun.started_at < now - keep_runs)
            )
        )
    delivered = forget_delivered(context.transaction, now, keep_delivered)
    return {
        "idempotent_responses_deleted": answers,
        "runs_deleted": runs,
        "outbox_messages_deleted": delivered,
    }


def standard_jobs(settings: dict[str, Any]) -> list[PeriodicJob]:
    return [
        PeriodicJob("daily_rollover", settings["ROLLOVER_EVERY_SECONDS"], run_daily_rollover),
        PeriodicJob("housekeeping", settings["HOUSEKEEPING_EVERY_SECONDS"], run_housekeeping),
        PeriodicJob("hall_alerts", settings["ALERTS_EVERY_SECONDS"], check_all_halls),
        PeriodicJob("platform_outbox", settings["OUTBOX_EVERY_SECONDS"], run_platform_outbox),
        PeriodicJob("appointment_no_shows", 60, run_no_show_sweep),
    ]
