"""SQL statements per request: what each use case asks of the database, on SQLite and PostgreSQL.

On PostgreSQL every statement is a round trip (about 0.25 ms on an idle loopback, more under
load) plus the ORM's CPU to build it and read its rows. Unlike latency, the count does not move
with what else the machine is doing, so it shows a change's effect where timings cannot.

    .venv/bin/python -m bench.round_trips                       # both databases
    .venv/bin/python -m bench.round_trips --databases sqlite

The server runs in this process (Flask's test client, the app as `hallq serve` builds it, rate
limits and all) on a migrated database; the hall is the HTTP benchmark's, with 10 windows and
`--waiting` walk-ins waiting. Counted: the statements SQLAlchemy sends; not COMMIT, nor
PostgreSQL's BEGIN and the pool's connection check (SQLite's BEGIN IMMEDIATE is a statement,
counted, as is the read of the caller before it). Also printed: this process's CPU per request,
a median (noisy on a shared machine; the statements are the figure to compare).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.bench_hall import PASSWORD, BenchHall, build_bench_hall, seed_waiting_tickets
from bench.json_line import print_json_line
from hall_server.app import create_app
from hall_server.storage.migrations import upgrade
from tests.live.live_server import database_for

HALL_TIME_ZONE = "Asia/Shanghai"
FINISH = {"outcome": "completed"}
USE_CASES = ("issue", "call-next", "start", "finish")


@contextmanager
def served_hall(kind: str, waiting: int) -> Iterator[tuple[Any, BenchHall]]:
    with (
        tempfile.TemporaryDirectory(prefix="hallq-round-trips-") as directory,
        database_for(kind, Path(directory)) as url,
    ):
        upgrade(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-secret",
                "IDENTITY_SECRET": "bench-identity",
                "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
                "ASYNC_MODE": "threading",
                "LOG_JSON": False,
                "RATELIMIT_ISSUE": "1000000 per minute",
                "RATELIMIT_LOGIN": "1000000 per minute",
            }
        )
        logging.getLogger("hall_server").setLevel(logging.WARNING)  # not a line per event
        database = app.extensions["hallq_db"]
        now = datetime.now(UTC)
        hall = build_bench_hall(database, now, f"trips-{kind}", windows=10)
        seed_waiting_tickets(database, hall, waiting, now, HALL_TIME_ZONE)
        try:
            yield app, hall
        finally:
            database.dispose()


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


class Counter:
    """One clerk at one window, and one kiosk, driving the API as the clients do."""

    def __init__(self, app: Any, hall: BenchHall) -> None:
        self.client = app.test_client()
        self.hall = hall
        self.window = hall.windows[1]
        login = self.client.post(
            "/api/v1/auth/login",
            json={"staff_number": hall.clerk_numbers[1], "password": PASSWORD},
        )
        self.clerk = {"Authorization": f"Bearer {login.get_json()['token']}"}
        self.kiosk = {"Authorization": f"Bearer {hall.kiosk_tokens[0]}"}
        self.ticket_id: int | None = None

    def _post(self, path: str, headers: dict[str, str], body: Any = None) -> Any:
        response = self.client.post(path, json=body, headers=headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)}")
        return response.get_json()

    def issue(self) -> None:
        service = self.hall.services[1]  # served by window 1
        self._post(f"/api/v1/halls/{self.hall.id}/tickets", self.kiosk, {"service_id": service})

    def call_next(self) -> None:
        self.ticket_id = self._post(f"/api/v1/windows/{self.window}/call-next", self.clerk)["id"]

    def start(self) -> None:
        self._post(f"/api/v1/windows/{self.window}/tickets/{self.ticket_id}/start", self.clerk)

    def finish(self) -> None:
        path = f"/api/v1/windows/{self.window}/tickets/{self.ticket_id}/finish"
        self._post(path, self.clerk, FINISH)

    def step(self, use_case: str) -> Callable[[], None]:
        return {
            "issue": self.issue,
            "call-next": self.call_next,
            "start": self.start,
            "finish": self.finish,
        }[use_case]


def measure(kind: str, waiting: int, rounds: int) -> list[dict[str, Any]]:
    with served_hall(kind, waiting) as (app, hall):
        counter = Counter(app, hall)
        statements = StatementCounter(app.extensions["hallq_db"].engine)
        seen: dict[str, list[int]] = {use_case: [] for use_case in USE_CASES}
        cpu: dict[str, list[float]] = {use_case: [] for use_case in USE_CASES}
        for round_number in range(rounds):
            for use_case in USE_CASES:
                before, started = statements.count, time.process_time()
                counter.step(use_case)()
                if round_number >= 3:  # the first rounds compile statements and fill caches
                    cpu[use_case].append(time.process_time() - started)
                seen[use_case].append(statements.count - before)
    rows = []
    for use_case in USE_CASES:
        counts = seen[use_case][3:]
        rows.append(
            {
                "database": kind,
                "waiting": waiting,
                "use_case": use_case,
                "statements": max(counts),
                "statements_min": min(counts),
                "cpu_ms_median": round(statistics.median(cpu[use_case]) * 1000, 2),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--waiting", type=int, default=500, help="walk-ins waiting beforehand")
    parser.add_argument("--rounds", type=int, default=40)
    options = parser.parse_args(argv)
    rows = []
    for kind in [kind for kind in options.databases.split(",") if kind]:
        rows.extend(measure(kind, options.waiting, options.rounds))
    print(f"{'database':10}{'use case':12}{'statements':>12}{'cpu ms (median)':>18}")
    for row in rows:
        spread = (
            f"{row['statements']}"
            if row["statements"] == row["statements_min"]
            else f"{row['statements_min']}-{row['statements']}"
        )
        print(f"{row['database']:10}{row['use_case']:12}{spread:>12}{row['cpu_ms_median']:>18}")
    print_json_line("hallq_round_trips", options, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
