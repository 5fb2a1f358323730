"""What a hall's wait forecast costs, by how many wait in the hall.

The server forecasts every waiting ticket inside a request (a phone, a board, or after an
issue commits), and under gevent the whole process waits meanwhile; it must stay cheap however
long the queue (wait_prediction.CUTOFF_SECONDS, QueueReach). Measured on a bench hall of
`--windows` windows over `--services` services, `--services-per-window` each, with `--waiting`
walk-ins seeded: reading the forecast's inputs (`forecast_inputs`, in a read session) and the
forecast itself (`predict_hall`). The first forecast also reads earlier days (kept for half an
hour after); then the median of `--repeats` more, in wall time and in CPU time.

    .venv/bin/python -m bench.forecast_cost
    .venv/bin/python -m bench.forecast_cost --databases sqlite --waiting 2000,50000
    .venv/bin/python -m bench.forecast_cost --policies fcfs,due_time
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bench.bench_hall import build_bench_hall, seed_waiting_tickets
from bench.json_line import print_json_line
from hall_server.core.calling_policy import policy_named
from hall_server.core.wait_prediction import predict_hall
from hall_server.operations.forecast_inputs import forecast_inputs, forget_histories
from hall_server.storage.database import Database
from hall_server.storage.migrations import upgrade
from hall_server.storage.models import Hall
from tests.live.live_server import database_for

Result = TypeVar("Result")


def timed(work: Callable[[], Result]) -> tuple[Result, float, float]:
    """What `work` returns, and the wall and CPU milliseconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(
    kind: str, waiting: int, policy_name: str, options: argparse.Namespace
) -> dict[str, Any]:
    policy = policy_named(policy_name)
    with (
        tempfile.TemporaryDirectory(prefix="hallq-forecast-cost-") as directory,
        database_for(kind, Path(directory)) as url,
    ):
        upgrade(url)
        database = Database(url)
        forget_histories()
        try:
            now = datetime.now(UTC)
            hall = build_bench_hall(
                database,
                now,
                f"cost-{kind}-{waiting}",
                windows=options.windows,
                services=options.services,
                services_per_window=options.services_per_window,
            )
            seed_waiting_tickets(database, hall, waiting, now, "Asia/Shanghai")
            samples: list[tuple[float, float, float, float]] = []
            for _ in range(1 + options.repeats):
                with database.reading() as session:
                    row = session.get(Hall, hall.id)
                    assert row is not None
                    (state, handling, services), inputs_ms, inputs_cpu = timed(
                        lambda: forecast_inputs(session, row, now)  # noqa: B023
                    )
                prediction, predict_ms, predict_cpu = timed(
                    lambda: predict_hall(state, policy, handling, new_ticket_services=services)  # noqa: B023
                )
                samples.append((inputs_ms, inputs_cpu, predict_ms, predict_cpu))
        finally:
            database.dispose()
    first, rest = samples[0], samples[1:] or samples
    beyond = sum(1 for f in prediction.tickets.values() if f is not None and f.beyond_cutoff)
    return {
        "database": kind,
        "policy": policy_name,
        "waiting": waiting,
        "read": len(state.waiting),
        "beyond_cutoff": beyond,
        "first_inputs_ms": round(first[0], 1),
        "first_predict_ms": round(first[2], 1),
        "inputs_ms": round(statistics.median(s[0] for s in rest), 1),
        "inputs_cpu_ms": round(statistics.median(s[1] for s in rest), 1),
        "predict_ms": round(statistics.median(s[2] for s in rest), 1),
        "predict_cpu_ms": round(statistics.median(s[3] for s in rest), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--waiting", default="500,2000,5000,20000,50000")
    parser.add_argument("--policies", default="fcfs", help="fcfs, due_time (comma-separated)")
    parser.add_argument("--windows", type=int, default=30)
    parser.add_argument("--services", type=int, default=25)
    parser.add_argument("--services-per-window", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    rows = []
    for kind in [kind for kind in options.databases.split(",") if kind]:
        for policy_name in options.policies.split(","):
            for waiting in [int(part) for part in options.waiting.split(",")]:
                rows.append(measure(kind, waiting, policy_name, options))
                row = rows[-1]
                print(
                    f"{kind} {policy_name} waiting={waiting} inputs={row['inputs_ms']}ms "
                    f"predict={row['predict_ms']}ms",
                    file=sys.stderr,
                    flush=True,
                )
    print(
        f"{'database':10}{'policy':9}{'waiting':>8}{'read':>7}{'beyond':>8}"
        f"{'1st inputs':>11}{'1st predict':>12}{'inputs ms':>10}{'(cpu)':>7}"
        f"{'predict ms':>11}{'(cpu)':>7}"
    )
    for row in rows:
        print(
            f"{row['database']:10}{row['policy']:9}{row['waiting']:>8}{row['read']:>7}"
            f"{row['beyond_cutoff']:>8}{row['first_inputs_ms']:>11}{row['first_predict_ms']:>12}"
            f"{row['inputs_ms']:>10}{row['inputs_cpu_ms']:>7}{row['predict_ms']:>11}"
            f"{row['predict_cpu_ms']:>7}"
        )
    print_json_line("hallq_forecast_cost", options, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
