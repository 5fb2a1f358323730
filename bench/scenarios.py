"""The measured workloads: kiosks issuing, windows calling next, and calling at queue depth."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bench.bench_hall import BenchHall
from bench.http_load import Connection, Timings, run_workers, timed_post

FINISH = {"outcome": "completed"}


def issue_tickets(port: int, hall: BenchHall, tickets: int) -> Timings:
    """Every kiosk issues its share at once, services in turn; one keep-alive connection each."""
    timings = Timings()
    kiosks = hall.kiosk_tokens
    share = tickets // len(kiosks)

    def kiosk(index: int) -> Callable[[], None]:
        def run() -> None:
            connection = Connection(port)
            path = f"/api/v1/halls/{hall.id}/tickets"
            for count in range(share):
                service = hall.services[(index + count) % len(hall.services)]
                timed_post(
                    connection, timings, path, kiosks[index], {"service_id": service}, (201,)
                )
            connection.close()

        return run

    timings.wall_seconds = run_workers([kiosk(index) for index in range(len(kiosks))])
    return timings


def _split(items: list[int], parts: int) -> list[list[int]]:
    return [items[start::parts] for start in range(parts) if items[start::parts]]


def call_rounds(
    port: int, hall: BenchHall, rounds: int, threads: int = 16
) -> tuple[Timings, Timings]:
    """Each round every window calls next at the same time, then finishes the case it called.

    Returns the call-next timings (their wall time is the call phases only) and the timings of
    the start and finish requests between them.
    """
    calls, closing = Timings(), Timings()
    numbers = sorted(hall.windows)
    connections = [Connection(port) for _ in range(threads)]
    try:
        for _ in range(rounds):
            called: dict[int, int] = {}

            def caller(
                connection: Connection, mine: list[int], called: dict[int, int] = called
            ) -> Callable[[], None]:
                def run() -> None:
                    for number in mine:
                        status, answer = timed_post(
                            connection,
                            calls,
                            f"/api/v1/windows/{hall.windows[number]}/call-next",
                            hall.clerk_tokens[number],
                            expected=(200, 409),
                        )
                        if status == 200:
                            called[number] = answer["id"]

                return run

            groups = _split(numbers, threads)
            calls.wall_seconds += run_workers(
                [caller(connections[i], group) for i, group in enumerate(groups)]
            )

            def closer(
                connection: Connection, mine: list[int], called: dict[int, int] = called
            ) -> Callable[[], None]:
                def run() -> None:
                    for number in mine:
                        base = f"/api/v1/windows/{hall.windows[number]}/tickets/{called[number]}"
                        token = hall.clerk_tokens[number]
                        timed_post(connection, closing, f"{base}/start", token)
                        timed_post(connection, closing, f"{base}/finish", token, FINISH)

                return run

            busy = [number for number in numbers if number in called]
            if not busy:
                break
            groups = _split(busy, threads)
            closing.wall_seconds += run_workers(
                [closer(connections[i], group) for i, group in enumerate(groups)]
            )
    finally:
        for connection in connections:
            connection.close()
    return calls, closing


def call_one_at_a_time(port: int, hall: BenchHall, calls: int, windows: int = 10) -> Timings:
    """One counter after another calls next (no contention): latency as the queue alone makes it.
    The case is then started and finished untimed, so the window is free for its next call."""
    timings, untimed = Timings(), Timings()
    connection = Connection(port)
    numbers = sorted(hall.windows)[:windows]
    try:
        started = time.perf_counter()
        for index in range(calls):
            number = numbers[index % len(numbers)]
            token = hall.clerk_tokens[number]
            window = hall.windows[number]
            status, answer = timed_post(
                connection, timings, f"/api/v1/windows/{window}/call-next", token, expected=(200,)
            )
            if status != 200:
                break
            base = f"/api/v1/windows/{window}/tickets/{answer['id']}"
            timed_post(connection, untimed, f"{base}/start", token)
            timed_post(connection, untimed, f"{base}/finish", token, FINISH)
        timings.wall_seconds = time.perf_counter() - started
    finally:
        connection.close()
    timings.unexpected.extend(untimed.unexpected)
    return timings


def call_at_steady_rate(
    port: int, hall: BenchHall, per_second: float, seconds: float, workers: int = 16
) -> Timings:
    """Windows call next at a steady combined rate (open loop), each then starting and finishing
    the case at once. A call's latency counts from its scheduled moment, so time spent waiting
    for a free client worker counts too (no coordinated omission)."""
    timings, closing = Timings(), Timings()
    total = int(per_second * seconds)
    free_windows = sorted(hall.windows)
    lock = threading.Lock()
    slots = iter(range(total))
    begin = time.perf_counter() + 0.2

    def worker() -> None:
        connection = Connection(port)
        try:
            while True:
                with lock:
                    slot = next(slots, None)
                    if slot is None:
                        return
                    number = free_windows.pop(0)
                due = begin + slot / per_second
                if (pause := due - time.perf_counter()) > 0:
                    time.sleep(pause)
                token = hall.clerk_tokens[number]
                window = hall.windows[number]
                status, answer = connection.post(f"/api/v1/windows/{window}/call-next", token)
                timings.add(time.perf_counter() - due)
                if status != 200:
                    with timings.lock:
                        timings.unexpected.append(f"call-next: {status} {str(answer)[:200]}")
                else:
                    base = f"/api/v1/windows/{window}/tickets/{answer['id']}"
                    timed_post(connection, closing, f"{base}/start", token)
                    timed_post(connection, closing, f"{base}/finish", token, FINISH)
                with lock:
                    free_windows.append(number)
        finally:
            connection.close()

    timings.wall_seconds = run_workers([worker for _ in range(workers)])
    timings.unexpected.extend(closing.unexpected)
    return timings
