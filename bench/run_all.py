"""`make bench`: HTTP throughput and latency of a live `hallq serve` on SQLite and PostgreSQL,
under gevent and eventlet; call-next and issuing at 500 and at 50,000 waiting tickets. Prints a
table, the issue's targets, and one JSON line.

    .venv/bin/python -m bench.run_all                 # everything (15-20 minutes)
    .venv/bin/python -m bench.run_all --quick         # small numbers, to see that it runs
    .venv/bin/python -m bench.run_all --modes gevent --databases sqlite
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.bench_hall import build_bench_hall, log_in_clerks, seed_waiting_tickets
from bench.http_load import Timings
from bench.scenarios import (
    call_at_steady_rate,
    call_one_at_a_time,
    call_rounds,
    issue_tickets,
)
from hall_server.entry import DEFAULT_ASYNC_MODE
from hall_server.storage.database import Database
from tests.live.live_server import POSTGRES_URL, database_for, running_server

TARGET_CALL_P99_MS = 20.0
TARGET_ISSUE_PER_SECOND = 500.0
TARGET_DEPTH_RATIO = 2.0
HALL_TIME_ZONE = "Asia/Shanghai"


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "not here"
        return str(error).splitlines()[0]


def _row(mode: str, database: str, workload: str, timings: Timings) -> dict[str, Any]:
    return {"mode": mode, "database": database, "workload": workload, **timings.summary()}


def _warm_up(port: int, hall: Any) -> None:
    """First requests compile queries and fill caches; measure the server as it runs all day."""
    issue_tickets(port, hall, len(hall.kiosk_tokens) * 10)
    call_rounds(port, hall, rounds=2)


def measure(mode: str, kind: str, options: argparse.Namespace, depth: bool) -> list[dict]:
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hallq-bench-")))
        url = stack.enter_context(database_for(kind, directory))
        try:
            with running_server(url, mode, directory / "logs") as server:
                assert server.process is not None
                meter = ServerMeter(server.process.pid)
                database = Database(url)
                try:
                    where = (server.port, database, meter, mode, kind, options)
                    if "http" in options.workloads:
                        rows.extend(_measure_server(*where))
                    if depth and "depth" in options.workloads:
                        rows.extend(_measure_depth(*where))
                finally:
                    database.dispose()
        except AssertionError as error:  # the server wrote a traceback: say so, go on
            print(f"!! {mode}/{kind}: {str(error)[:2000]}", file=sys.stderr)
            for row in rows:
                row["server_traceback"] = True
    return rows


class ServerMeter:
    """The server process's CPU time (user + system) from /proc: unlike latency, what one
    request costs the server hardly depends on what else the machine is doing."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.ticks

    def row(
        self, mode: str, kind: str, workload: str, run: Callable[[], Timings], requests_per: int = 1
    ) -> dict[str, Any]:
        """Run a workload; `requests_per` says how many requests each timed one stands for."""
        before = self.cpu_seconds()
        timings = run()
        spent = self.cpu_seconds() - before
        row = _row(mode, kind, workload, timings)
        row["server_cpu_ms_per_request"] = round(
            spent * 1000 / max(1, len(timings.latencies) * requests_per), 2
        )
        return row


def _measure_server(
    port: int,
    database: Database,
    meter: ServerMeter,
    mode: str,
    kind: str,
    options: argparse.Namespace,
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    hall = build_bench_hall(database, now, f"bench-{kind}", windows=options.windows)
    log_in_clerks(port, hall)
    _warm_up(port, hall)
    kiosks = len(hall.kiosk_tokens)
    rows = [
        meter.row(
            mode,
            kind,
            f"issue ({kiosks} kiosks at once)",
            lambda: issue_tickets(port, hall, options.tickets),
        )
    ]
    rounds = math.ceil(options.tickets / options.windows) + 1
    burst: dict[str, Timings] = {}

    def calls() -> Timings:
        burst["calls"], burst["closing"] = call_rounds(port, hall, rounds=rounds)
        return burst["calls"]

    rows.append(meter.row(mode, kind, f"call-next ({options.windows} windows at once)", calls, 3))
    rows.append(_row(mode, kind, "start+finish (between those rounds)", burst["closing"]))
    steady_calls = int(options.steady_rate * options.steady_seconds)
    seed_waiting_tickets(database, hall, steady_calls + 50, now, HALL_TIME_ZONE)
    rows.append(
        meter.row(
            mode,
            kind,
            f"call-next, {options.steady_rate:g}/s steady ({options.windows} windows)",
            lambda: call_at_steady_rate(port, hall, options.steady_rate, options.steady_seconds),
            3,
        )
    )
    return rows


def _measure_depth(
    port: int,
    database: Database,
    meter: ServerMeter,
    mode: str,
    kind: str,
    options: argparse.Namespace,
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    hall = build_bench_hall(database, now, f"depth-{kind}", windows=10, kiosks=1)
    log_in_clerks(port, hall)
    rows = []
    waiting = 0
    for depth in (options.shallow, options.deep):
        seed_waiting_tickets(database, hall, depth - waiting, now, HALL_TIME_ZONE)
        call_one_at_a_time(port, hall, 20)  # warm up at this depth
        rows.append(
            meter.row(
                mode,
                kind,
                f"call-next at {depth:,} waiting (one at a time)",
                lambda: call_one_at_a_time(port, hall, options.depth_calls),
                3,
            )
        )
        called = 20 + rows[-1]["requests"]
        # Issuing late in a long day: what a kiosk's ticket costs once the hall has issued
        # `depth` tickets today (its quota and the forecast count today's tickets).
        rows.append(
            meter.row(
                mode,
                kind,
                f"issue at {depth:,} waiting (one at a time)",
                lambda: issue_tickets(port, hall, options.depth_calls),
            )
        )
        waiting = depth - called + rows[-1]["requests"]
    return rows


def _check(
    mode: str, kind: str, figure: str, value: float, relation: str, limit: float
) -> dict[str, Any]:
    met = {"<": value < limit, "<=": value <= limit, ">=": value >= limit}[relation]
    return {
        "mode": mode,
        "database": kind,
        "figure": figure,
        "value": value,
        "target": f"{relation} {limit:g}",
        "met": met,
    }


def _targets(rows: list[dict[str, Any]], mode: str, kind: str) -> list[dict[str, Any]]:
    mine = [row for row in rows if row["mode"] == mode and row["database"] == kind]

    def find(prefix: str) -> dict[str, Any] | None:
        return next((row for row in mine if row["workload"].startswith(prefix)), None)

    checks = []
    if calls := find("call-next, "):
        checks.append(
            _check(mode, kind, "call-next p99 ms", calls["p99_ms"], "<", TARGET_CALL_P99_MS)
        )
    if issues := find("issue ("):
        checks.append(
            _check(
                mode, kind, "issue tickets/s", issues["per_second"], ">=", TARGET_ISSUE_PER_SECOND
            )
        )
    for action in ("call-next", "issue"):
        depth = [row for row in mine if row["workload"].startswith(f"{action} at ")]
        if len(depth) == 2:
            ratio = round(depth[1]["p50_ms"] / depth[0]["p50_ms"], 2)
            checks.append(
                _check(mode, kind, f"{action} p50 deep/shallow", ratio, "<=", TARGET_DEPTH_RATIO)
            )
    return checks


def _print_table(rows: list[dict[str, Any]], targets: list[dict[str, Any]]) -> None:
    header = f"{'mode':9} {'database':9} {'workload':44} {'requests':>8} {'req/s':>8} "
    header += f"{'p50 ms':>8} {'p99 ms':>8} {'bad':>4} {'cpu ms/req':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['mode']:9} {row['database']:9} {row['workload']:44} {row['requests']:>8} "
            f"{row['per_second']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8} {row['unexpected']:>4} "
            f"{row.get('server_cpu_ms_per_request') or '':>10}"
        )
    if targets:
        print()
        print(f"{'targets':9} {'database':9} {'figure':30} {'value':>10} {'target':>9}  met")
        for check in targets:
            print(
                f"{check['mode']:9} {check['database']:9} {check['figure']:30} "
                f"{check['value']:>10} {check['target']:>9}  {'yes' if check['met'] else 'NO'}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="gevent,eventlet")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--windows", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--shallow", type=int, default=500)
    parser.add_argument("--deep", type=int, default=50_000)
    parser.add_argument("--depth-calls", type=int, default=200)
    parser.add_argument("--steady-rate", type=float, default=10.0, help="calls per second")
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument("--depth-modes", default=DEFAULT_ASYNC_MODE, help="modes to measure depth")
    parser.add_argument(
        "--workloads", default="http,depth", help="http (issue, call-next), depth, or both"
    )
    parser.add_argument("--quick", action="store_true", help="small numbers, to see that it runs")
    options = parser.parse_args(argv)
    if options.quick:
        options.windows, options.tickets = 20, 200
        options.shallow, options.deep, options.depth_calls = 100, 2000, 30
        options.steady_seconds = 5.0
    modes = [mode for mode in options.modes.split(",") if mode]
    kinds = [kind for kind in options.databases.split(",") if kind]
    skipped = {}
    if "postgres" in kinds and (problem := _postgres_problem()):
        skipped["postgres"] = problem
        kinds.remove("postgres")
        print(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); measuring without it")

    load_before = os.getloadavg()
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    for mode in modes:
        for kind in kinds:
            print(f"... {mode} on {kind}", file=sys.stderr, flush=True)
            rows.extend(measure(mode, kind, options, depth=mode in options.depth_modes))
    targets = [check for kind in kinds for check in _targets(rows, DEFAULT_ASYNC_MODE, kind)]
    _print_table(rows, targets)
    summary = {
        "bench": "hallq_http",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "default_async_mode": DEFAULT_ASYNC_MODE,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        },
        "options": {key: value for key, value in vars(options).items()},
        "seconds": round(time.monotonic() - started, 1),
        "skipped": skipped,
        "results": rows,
        "targets": targets,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
