"""A small HTTP load client: keep-alive connections, one per worker thread, timing each request."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class Connection:
    """One keep-alive HTTP/1.1 connection, as a kiosk or a counter holds one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        payload = json.dumps(body) if body is not None else ""
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            self.http.request("POST", path, payload, headers)
            response = self.http.getresponse()
        except (http.client.HTTPException, ConnectionError):
            # The server closed an idle keep-alive connection: open a new one, once.
            self.http.close()
            self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.http.request("POST", path, payload, headers)
            response = self.http.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None

    def close(self) -> None:
        self.http.close()


@dataclass
class Timings:
    """Latencies in seconds, the wall time they took, and any answer that was not expected."""

    latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def extend(self, other: Timings) -> None:
        self.latencies.extend(other.latencies)
        self.wall_seconds += other.wall_seconds
        self.unexpected.extend(other.unexpected)

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index] * 1000

    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else float("nan")

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "per_second": round(self.per_second(), 1),
            "p50_ms": round(self.percentile_ms(0.50), 2),
            "p99_ms": round(self.percentile_ms(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 2)
            if self.latencies
            else None,
            "unexpected": len(self.unexpected),
        }


def timed_post(
    connection: Connection,
    timings: Timings,
    path: str,
    token: str,
    body: dict[str, Any] | None = None,
    expected: Sequence[int] = (200, 201),
) -> tuple[int, Any]:
    started = time.perf_counter()
    status, answer = connection.post(path, token, body)
    timings.add(time.perf_counter() - started)
    if status not in expected:
        with timings.lock:
            timings.unexpected.append(f"{path}: {status} {str(answer)[:200]}")
    return status, answer


def run_workers(workers: Sequence[Callable[[], None]]) -> float:
    """Start every worker at once (a barrier), wait for all; returns the wall time."""
    barrier = threading.Barrier(len(workers) + 1)
    failures: list[BaseException] = []

    def wrap(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            try:
                work()
            except BaseException as error:  # reported below, so a broken run is not a figure
                failures.append(error)

        return run

    threads = [threading.Thread(target=wrap(work)) for work in workers]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} load workers failed") from failures[0]
    return elapsed
