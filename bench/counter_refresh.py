"""What a counter page costs the server: the three reads it makes after each relevant event.

The clerk's page reads GET /windows/<id>/desk, /windows/<id>/queue and /me/figures whenever an
event concerns its window. In a comprehensive hall most events concern most windows, so after a
call every open counter reads at once. This runs a real `hallq serve` (gevent, SQLite, migrated)
with one hall of comprehensive windows that each serve every service, seeds waiting tickets, and
measures (1) one counter refreshing alone, each read separately, and (2) every counter refreshing
at the same moment, as after one event, at two queue depths.

    .venv/bin/python bench/counter_refresh.py --windows 20 --services 26 --waiting 500 5000

prints a table and one JSON line. Clients and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.bench_hall import build_bench_hall, log_in_clerks, seed_waiting_tickets  # noqa: E402
from hall_server.storage.database import Database  # noqa: E402
from tests.live.live_server import running_server  # noqa: E402

READS = ("desk", "queue", "figures")


def _paths(window_id: int) -> dict[str, str]:
    return {
        "desk": f"/api/v1/windows/{window_id}/desk",
        "queue": f"/api/v1/windows/{window_id}/queue",
        "figures": "/api/v1/me/figures",
    }


def _get(session: requests.Session, url: str, token: str) -> float:
    started = time.perf_counter()
    response = session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


def _ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return round(ordered[index] * 1000, 2)


def one_counter(base: str, window_id: int, token: str, rounds: int) -> dict[str, Any]:
    session = requests.Session()
    paths = _paths(window_id)
    timings: dict[str, list[float]] = {name: [] for name in READS}
    for _ in range(rounds):
        for name in READS:
            timings[name].append(_get(session, base + paths[name], token))
    session.close()
    return {
        name: {"p50_ms": _ms(values, 0.5), "p99_ms": _ms(values, 0.99)}
        for name, values in timings.items()
    }


def every_counter_at_once(
    base: str, windows: dict[int, int], tokens: dict[int, str], rounds: int
) -> dict[str, Any]:
    """All counters refresh together (one thread each, three reads in a row), `rounds` times."""
    sessions = {number: requests.Session() for number in windows}
    spans: list[float] = []
    per_counter: list[float] = []
    lock = threading.Lock()
    for _ in range(rounds):
        barrier = threading.Barrier(len(windows) + 1)

        def refresh(number: int, barrier: threading.Barrier) -> None:
            paths = _paths(windows[number])
            barrier.wait()
            started = time.perf_counter()
            for name in READS:
                _get(sessions[number], base + paths[name], tokens[number])
            with lock:
                per_counter.append(time.perf_counter() - started)

        threads = [threading.Thread(target=refresh, args=(number, barrier)) for number in windows]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        spans.append(time.perf_counter() - started)
    for session in sessions.values():
        session.close()
    return {
        "counters": len(windows),
        "all_refreshed_p50_ms": _ms(spans, 0.5),
        "all_refreshed_max_ms": round(max(spans) * 1000, 2),
        "one_counter_p50_ms": _ms(per_counter, 0.5),
        "one_counter_p99_ms": _ms(per_counter, 0.99),
        "reads_per_second": round(3 * len(per_counter) / sum(spans), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--services", type=int, default=26, help="at most 26 (one letter each)")
    parser.add_argument("--waiting", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--rounds", type=int, default=30)
    arguments = parser.parse_args()

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hallq-counter-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        with running_server(url, "gevent", Path(directory)) as server:
            database = Database(url)
            now = datetime.now(UTC)
            hall = build_bench_hall(
                database,
                now,
                "counter-bench",
                windows=arguments.windows,
                services=arguments.services,
                services_per_window=arguments.services,
                kiosks=1,
            )
            log_in_clerks(server.port, hall)
            seeded = 0
            for depth in arguments.waiting:
                seed_waiting_tickets(database, hall, depth - seeded, now, "Asia/Shanghai")
                seeded = depth
                alone = one_counter(
                    server.url, hall.windows[1], hall.clerk_tokens[1], arguments.rounds
                )
                together = every_counter_at_once(
                    server.url, hall.windows, hall.clerk_tokens, max(5, arguments.rounds // 3)
                )
                results.append({"waiting": depth, "alone": alone, "together": together})
            database.dispose()

    print(
        f"{'waiting':>8} | {'desk p50':>9} {'queue p50':>10} {'figures p50':>12} | "
        f"{'queue p99':>10} | {'all ' + str(arguments.windows) + ' refreshed p50':>22} "
        f"{'max':>8} | {'reads/s':>8}"
    )
    for row in results:
        alone, together = row["alone"], row["together"]
        desk, queue = alone["desk"]["p50_ms"], alone["queue"]["p50_ms"]
        print(
            f"{row['waiting']:>8} | {desk:>7} ms {queue:>7} ms "
            f"{alone['figures']['p50_ms']:>9} ms | {alone['queue']['p99_ms']:>7} ms | "
            f"{together['all_refreshed_p50_ms']:>19} ms {together['all_refreshed_max_ms']:>5} ms | "
            f"{together['reads_per_second']:>8}"
        )
    summary = {
        "bench": "counter_refresh",
        "server": "gevent+sqlite",
        "windows": arguments.windows,
        "services_per_window": arguments.services,
        "results": results,
        "queue_p50_ms_at_largest_depth": results[-1]["alone"]["queue"]["p50_ms"],
        "mean_all_refreshed_ms": round(
            statistics.fmean(r["together"]["all_refreshed_p50_ms"] for r in results), 2
        ),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
