"""A background step that keeps failing (a server started on a database not migrated yet, or
one out of reach) logs its traceback once, then one line at most a minute saying since when,
and one line when it works again: not a traceback per job per cycle."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hall_server.background.jobs import JobContext, PeriodicJob
from hall_server.background.runner import BackgroundRunner
from hall_server.storage.database import Database
from hall_server.storage.models import Base
from tests import conftest

RUNNER_LOG = "hall_server.background.runner"
CYCLE_SECONDS = 5.0  # how far the monotonic clock moves between two steps here


def test_a_step_failing_for_five_minutes_logs_one_traceback_a_line_a_minute_and_its_recovery(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'never-migrated.sqlite'}")  # no tables at all
    ran: list[str] = []

    def count_runs(_context: JobContext) -> dict[str, int]:
        ran.append("ran")
        return {"runs": len(ran)}

    job = PeriodicJob("counter", 3600, count_runs)
    seconds = [0.0]
    steps = [0]

    def sleep(_pause: float) -> None:
        seconds[0] += CYCLE_SECONDS
        steps[0] += 1
        if steps[0] == 60:  # 300 s of failures; then `hallq db upgrade` has run
            Base.metadata.create_all(database.engine)
        if steps[0] == 63:
            runner.stopping = True

    clock = conftest.TestClock()
    runner = BackgroundRunner(
        database,
        [job],
        clock=clock,
        lease_seconds=30,
        sleep=sleep,
        monotonic=lambda: seconds[0],
    )
    caplog.set_level(logging.INFO, logger=RUNNER_LOG)

    runner.keep_running(job)
    runner.stop()
    database.dispose()

    records = [record for record in caplog.records if record.name == RUNNER_LOG]
    tracebacks = [record for record in records if record.exc_info]
    still = [record.getMessage() for record in records if "still failing" in record.getMessage()]
    again = [record.getMessage() for record in records if "works again" in record.getMessage()]
    assert len(tracebacks) == 1
    assert tracebacks[0].getMessage() == "background job counter: step failed"
    assert 4 <= len(still) <= 5, still  # one a minute over 300 s
    since = clock().isoformat(timespec="seconds")
    assert still[0].startswith(f"background job counter: step still failing since {since} (")
    assert still[0].endswith("DatabaseUnavailable: no such table: leases")
    assert again == [
        f"background job counter: step works again after failing 60 times since {since}"
    ]
    assert ran == ["ran"]
