"""A background job whose run cannot reach the database (PostgreSQL cut off by a real TCP proxy)
while its process holds the lease is tried again after a pause that doubles, not at once: the
chaos trial saw "hall_alerts failing 460 times in 30 s", a storm of connection attempts
against a database trying to recover."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from hall_server.background.jobs import JobContext, PeriodicJob
from hall_server.background.runner import BackgroundRunner
from hall_server.storage.database import Database
from tests import conftest
from tests.multiprocess.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.postgres]


def test_a_job_that_cannot_reach_the_database_backs_off_then_runs_once_it_is_back(
    shared_database_url: str, database_proxy: CuttableProxy
) -> None:
    url = make_url(shared_database_url).set(host="127.0.0.1", port=database_proxy.port)
    database = Database(url.render_as_string(hide_password=False))
    ran: list[float] = []
    seconds = [0.0]  # the runner's monotonic clock, moved by the pauses it asks for
    pauses: list[float] = []
    attempts_while_away: list[float] = []  # each cycle of the runner asks the database once
    outage = (1.0, 121.0)  # two minutes away, from the first run's next cycle

    def alerts(_context: JobContext) -> dict[str, int]:
        ran.append(seconds[0])
        return {"runs": len(ran)}

    job = PeriodicJob("hall_alerts", 60, alerts)

    def sleep(pause: float) -> None:
        pauses.append(pause)
        before = seconds[0]
        if outage[0] <= before < outage[1]:
            attempts_while_away.append(before)
        seconds[0] += pause
        if before < outage[0] <= seconds[0]:
            database_proxy.cut()
        if before < outage[1] <= seconds[0]:
            database_proxy.restore()
        if len(ran) == 2 or seconds[0] > 400:
            runner.stopping = True

    runner = BackgroundRunner(
        database,
        [job],
        clock=conftest.TestClock(),
        lease_seconds=30,
        sleep=sleep,
        monotonic=lambda: seconds[0],
    )
    try:
        runner.keep_running(job)
    finally:
        runner.stop()
        database.dispose()

    assert len(ran) == 2, (ran, pauses)
    # Due at 60 s, while away: tried after 1, 2, 4, 8, 16, 30, 30 … s (lease renewals between),
    # not every 0.05 s (which would be over a thousand attempts in the minute it was away).
    assert 5 <= len(attempts_while_away) <= 20, (attempts_while_away, pauses)
    assert min(pauses) >= 0.05
    # Back within the longest pause (30 s) of the database's return.
    assert outage[1] <= ran[1] <= outage[1] + 30 + 10, (ran, pauses)
