"""How long reading a window's queue heads takes, by how many services the window serves.

Call-next and the counter page read, for the window, the first waiting ticket of every
(service, visitor class) queue it may call. A comprehensive window serves many services (up to
23 in the demo's city hall; "a city hall: 14 comprehensive intake windows, 800+ matters", says
DOMAIN.md), so the read must stay cheap as they grow, and as the queues grow, on each database:
on PostgreSQL one lateral join over arrays, on SQLite a union of one index seek per queue (in
parts of at most 400). Measured: the read alone (`queue_heads`, as call-next runs it, `--ways`
below), in a read session, on a migrated database whose statistics are up to date, with
`--waiting` walk-ins spread over `--hall-services` services. The median and p99 of `--reads`
reads, after 10 not counted.

    .venv/bin/python -m bench.queue_heads
    .venv/bin/python -m bench.queue_heads --databases postgres --services-per-window 3,25
    .venv/bin/python -m bench.queue_heads --hall-services 25 --waiting 50000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.bench_hall import build_bench_hall, seed_waiting_tickets
from bench.json_line import print_json_line
from hall_server.operations.queue_reads import queue_heads, window_service_ids
from hall_server.storage.database import Database
from hall_server.storage.migrations import upgrade
from tests.live.live_server import database_for

WARM_UP_READS = 10
# How call-next reads them, by the hall's policy: "uncounted" (first come, first served: a seek
# for each of the window's 4 queues per service), "counted" (due times, which reads how many
# wait in each queue: the count, then a seek for each queue someone waits in).
WAYS = {"uncounted": False, "counted": True}


def measure(kind: str, per_window: int, options: argparse.Namespace, way: str) -> dict[str, Any]:
    waiting, reads = options.waiting, options.reads
    with (
        tempfile.TemporaryDirectory(prefix="hallq-queue-heads-") as directory,
        database_for(kind, Path(directory)) as url,
    ):
        upgrade(url)
        database = Database(url)
        try:
            now = datetime.now(UTC)
            hall = build_bench_hall(
                database,
                now,
                f"heads-{kind}-{per_window}",
                windows=4,
                services=max(options.hall_services, per_window),
                services_per_window=per_window,
            )
            seed_waiting_tickets(database, hall, waiting, now, "Asia/Shanghai")
            window = hall.windows[1]
            timings = []
            heads = 0
            for read in range(WARM_UP_READS + reads):
                with database.reading() as session:
                    service_ids = window_service_ids(session, window)
                    started = time.perf_counter()
                    heads = len(
                        queue_heads(session, hall.id, service_ids, window, count_waiting=WAYS[way])
                    )
                    if read >= WARM_UP_READS:
                        timings.append((time.perf_counter() - started) * 1000)
        finally:
            database.dispose()
    timings.sort()
    return {
        "database": kind,
        "way": way,
        "services_per_window": per_window,
        "hall_services": max(options.hall_services, per_window),
        "waiting": waiting,
        "heads": heads,
        "median_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[max(0, int(len(timings) * 0.99) - 1)], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--services-per-window", default="3,10,25")
    parser.add_argument(
        "--hall-services",
        type=int,
        default=800,
        help='the walk-ins are spread over these ("a city hall: 14 comprehensive windows, 800+ '
        'matters", DOMAIN.md)',
    )
    parser.add_argument("--waiting", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument(
        "--ways", default="uncounted,counted", help="uncounted, counted (comma-separated)"
    )
    options = parser.parse_args(argv)
    rows = []
    for kind in [kind for kind in options.databases.split(",") if kind]:
        for per_window in [int(part) for part in options.services_per_window.split(",")]:
            for way in options.ways.split(","):
                rows.append(measure(kind, per_window, options, way))
    print(f"{'database':10}{'way':7}{'services':>10}{'heads':>7}{'median ms':>11}{'p99 ms':>9}")
    for row in rows:
        print(
            f"{row['database']:10}{row['way']:7}{row['services_per_window']:>10}{row['heads']:>7}"
            f"{row['median_ms']:>11}{row['p99_ms']:>9}"
        )
    print_json_line("hallq_queue_heads", options, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
