"""A city's morning peak on this machine, with one server process and with two.

100 halls of 15 windows (1,500 windows), each window with a visitor already called and each
hall with about 25 more waiting; 1,000
Socket.IO clients stay connected (per hall one lobby board and nine counters, i.e. window
clients with a clerk's token), spread evenly over the processes as nginx would. Kiosks issue
50 tickets a second in all (random halls) and windows call 50 a second in all (round robin over
the 1,500 windows, so each window calls every 30 s). Before each call the window closes its
previous case (start, then finish with an outcome), as a clerk does: 50 issues + 50 calls +
50 starts + 50 finishes = 200 writes a second in all.

Measured over the load window: call-to-board latency (from just before the call-next request
is sent to the moment the hall's lobby board receives `ticket.called`, and to each of the
hall's ten clients), errors, the rates achieved, seq gaps the clients saw, and the CPU each
process used (from /proc). Servers are started as deploy/ describes (tests/multiprocess/
cluster.py) on a private PostgreSQL schema and the shared Redis (database 9, emptied before and
after); everything runs on loopback and stops by itself.

    .venv/bin/python bench/city_peak.py                        # 1 and 2 processes, 30 s each
    .venv/bin/python bench/city_peak.py --processes 2 --seconds 60
    .venv/bin/python bench/city_peak.py --halls 10 --clients 100 --seconds 10   # a quick look

The load generator (1,000 clients under gevent) shares the two cores with the servers,
PostgreSQL and Redis; its own CPU is shown too. PostgreSQL and Redis are the machine's shared
ones: their CPU includes whatever else runs on them at the time.
"""

from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402

patch_psycopg()

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gevent  # noqa: E402
import gevent.pool  # noqa: E402
import requests  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.bench_hall import PASSWORD, BenchHall, build_bench_hall, seed_waiting_tickets  # noqa: E402
from hall_server.operations.credentials import log_in  # noqa: E402
from hall_server.storage.database import Database  # noqa: E402
from hall_server.storage.models import Ticket  # noqa: E402
from tests.live.hall_listener import InOrderClient  # noqa: E402
from tests.live.live_server import migrate, private_postgres_schema  # noqa: E402
from tests.multiprocess.cluster import (  # noqa: E402
    REDIS_URL,
    ClusterServer,
    deployment_settings,
    flush_own_redis,
    running_cluster,
)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MAX_IN_FLIGHT = 400  # concurrent requests from the load generator; more are counted as shed


# ----- the city -----


@dataclass
class City:
    halls: list[BenchHall]
    windows: list[tuple[int, int, str]] = field(default_factory=list)  # (hall, window, token)
    in_hand: dict[int, int] = field(default_factory=dict)  # window id -> called ticket id


def build_city(database: Database, halls: int, windows: int, waiting: int) -> City:
    now = datetime.now(UTC)
    built = [
        build_bench_hall(
            database,
            now,
            f"city-{number:03d}",
            windows=windows,
            services=2,
            services_per_window=2,
            kiosks=1,
        )
        for number in range(1, halls + 1)
    ]
    city = City(built)
    with database.transaction() as uow:
        for hall in built:
            for number, staff_number in hall.clerk_numbers.items():
                token = log_in(uow, staff_number, PASSWORD, now, 12)["token"]
                hall.clerk_tokens[number] = token
                city.windows.append((hall.id, hall.windows[number], token))
    for hall in built:
        seed_waiting_tickets(database, hall, waiting, now, "Asia/Shanghai")
    city.in_hand = put_a_case_at_every_window(database, city, now)
    return city


def put_a_case_at_every_window(database: Database, city: City, now: datetime) -> dict[int, int]:
    """Mid-morning: every window already has a called visitor, so each call of the run first
    closes a case, from the first second on (window id -> ticket id)."""
    in_hand: dict[int, int] = {}
    with database.transaction() as uow:
        session = uow.session
        for hall_id, window_id, _token in city.windows:
            ticket = session.scalars(
                select(Ticket)
                .where(Ticket.hall_id == hall_id, Ticket.status == "waiting")
                .order_by(Ticket.queue_key)
                .limit(1)
            ).one()
            ticket.status, ticket.window_id = "called", window_id
            ticket.called_at = ticket.first_called_at = now
            session.flush()
            in_hand[window_id] = ticket.id
    return in_hand


# ----- CPU from /proc -----


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """utime + stime (+ the reaped children's, for a parent whose children come and go)."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """Every PostgreSQL process, and the backends that ended (counted in the postmaster's
    children's time), so connections closing during the run do not make the sum drop."""
    pids = pids_named("postgres")
    total = 0.0
    for pid in pids:
        parent = _stat(pid)[1] if _stat(pid) else "0"
        is_postmaster = int(parent) not in pids
        total += cpu_seconds(pid, with_children=is_postmaster)
    return total


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def cpu_snapshot(servers: list[ClusterServer]) -> dict[str, float]:
    snapshot = {f"server {index + 1}": cpu_seconds(s.pid) for index, s in enumerate(servers)}
    snapshot["postgres (all)"] = postgres_cpu_seconds()
    snapshot["redis-server"] = sum(cpu_seconds(pid) for pid in pids_named("redis-server"))
    snapshot["load generator"] = cpu_seconds(os.getpid())
    busy, total = machine_busy_seconds()
    snapshot["machine busy"] = busy
    snapshot["machine total"] = total
    return snapshot


# ----- clients -----


@dataclass
class Measurements:
    board_ms: list[float] = field(default_factory=list)  # each call to its lobby board
    client_ms: list[float] = field(default_factory=list)  # each call to each client of its hall
    gaps: int = 0
    issued: int = 0
    called: int = 0
    closed: int = 0
    queue_empty: int = 0
    shed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


@dataclass
class Calls:
    """When each window's latest call-next was sent (perf_counter), by window id."""

    sent_at: dict[int, float] = field(default_factory=dict)
    measuring: bool = False


def connect_clients(
    city: City, servers: list[ClusterServer], count: int, calls: Calls, found: Measurements
) -> list[Any]:
    per_hall = max(1, count // len(city.halls))
    plans = []
    for hall in city.halls:
        plans.append((hall.id, {"hall_id": hall.id}, True))
        for number in list(hall.clerk_tokens)[: per_hall - 1]:
            plans.append((hall.id, {"token": hall.clerk_tokens[number]}, False))
    plans = plans[:count]
    clients: list[Any] = []
    pool = gevent.pool.Pool(50)

    def connect(index: int, plan: tuple[int, dict[str, Any], bool]) -> None:
        _hall_id, auth, is_board = plan
        client = InOrderClient(reconnection=False)
        last_seq: list[int | None] = [None]

        def on_any(name: str, message: Any = None) -> None:
            if not isinstance(message, dict) or "seq" not in message:
                if name == "snapshot" and isinstance(message, dict):
                    last_seq[0] = message.get("seq")
                return
            if last_seq[0] is not None and message["seq"] > last_seq[0] + 1 and calls.measuring:
                found.gaps += 1
            last_seq[0] = max(last_seq[0] or 0, message["seq"])
            if name != "ticket.called" or not calls.measuring:
                return
            window = (message.get("ticket") or {}).get("window") or {}
            sent = calls.sent_at.get(window.get("id"))
            if sent is None:
                return
            elapsed = (time.perf_counter() - sent) * 1000
            found.client_ms.append(elapsed)
            if is_board:
                found.board_ms.append(elapsed)

        client.on("*", on_any)
        server = servers[index % len(servers)]
        client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=60)
        clients.append(client)

    for index, plan in enumerate(plans):
        pool.spawn(connect, index, plan)
    pool.join()
    return clients


# ----- load -----


def http_sessions(servers: list[ClusterServer]) -> list[requests.Session]:
    sessions = []
    for _ in servers:
        session = requests.Session()
        session.trust_env = False
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=MAX_IN_FLIGHT)
        session.mount("http://", adapter)
        sessions.append(session)
    return sessions


def run_load(
    city: City,
    servers: list[ClusterServer],
    seconds: float,
    issue_rate: float,
    call_rate: float,
    calls: Calls,
    found: Measurements,
) -> float:
    sessions = http_sessions(servers)
    pool = gevent.pool.Pool(MAX_IN_FLIGHT)
    in_hand = dict(city.in_hand)
    busy_windows: set[int] = set()
    next_server = itertools.count()
    windows = itertools.cycle(city.windows)

    def request(path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        index = next(next_server) % len(servers)
        try:
            return sessions[index].post(
                f"{servers[index].url}/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
        except requests.RequestException as error:
            found.error(type(error).__name__)
            return None

    def issue() -> None:
        hall = random.choice(city.halls)
        answer = request(
            f"/halls/{hall.id}/tickets",
            hall.kiosk_tokens[0],
            {"service_id": random.choice(hall.services)},
        )
        if answer is not None and answer.status_code == 201:
            found.issued += 1
        elif answer is not None:
            found.error(f"issue {answer.status_code}")

    def call(window_id: int, token: str) -> None:
        try:
            held = in_hand.pop(window_id, None)
            if held is not None:
                for action, body in (("start", None), ("finish", {"outcome": "completed"})):
                    answer = request(f"/windows/{window_id}/tickets/{held}/{action}", token, body)
                    if answer is None or answer.status_code != 200:
                        found.error(f"{action} {getattr(answer, 'status_code', '-')}")
                        break
                else:
                    found.closed += 1
            calls.sent_at[window_id] = time.perf_counter()
            answer = request(f"/windows/{window_id}/call-next", token)
            if answer is not None and answer.status_code == 200:
                found.called += 1
                in_hand[window_id] = answer.json()["id"]
            elif answer is not None and answer.status_code == 409:
                if answer.json()["error"]["code"] == "queue_empty":
                    found.queue_empty += 1
                else:
                    found.error(f"call 409 {answer.json()['error']['code']}")
            elif answer is not None:
                found.error(f"call {answer.status_code}")
        finally:
            busy_windows.discard(window_id)

    def schedule(rate: float, start_one: Any) -> None:
        started = time.perf_counter()
        for tick in itertools.count():
            due = started + tick / rate
            if due - started >= seconds:
                return
            pause = due - time.perf_counter()
            if pause > 0:
                gevent.sleep(pause)
            if pool.full():
                found.shed += 1
                continue
            start_one()

    def next_call() -> None:
        _hall_id, window_id, token = next(windows)
        if window_id in busy_windows:
            found.shed += 1
            return
        busy_windows.add(window_id)
        pool.spawn(call, window_id, token)

    calls.measuring = True
    began = time.perf_counter()
    schedulers = [
        gevent.spawn(schedule, issue_rate, lambda: pool.spawn(issue)),
        gevent.spawn(schedule, call_rate, next_call),
    ]
    gevent.joinall(schedulers)
    pool.join(timeout=30)
    elapsed = time.perf_counter() - began
    gevent.sleep(1.0)  # the last calls' events on their way
    calls.measuring = False
    return elapsed


# ----- one configuration -----


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run_configuration(args: argparse.Namespace, processes: int, log_dir: Path) -> dict[str, Any]:
    flush_own_redis()
    with private_postgres_schema("city") as url:
        migrate(url)
        database = Database(url)
        seeding = time.perf_counter()
        city = build_city(database, args.halls, args.windows_per_hall, args.waiting_per_hall)
        seeding = time.perf_counter() - seeding
        settings = deployment_settings(REDIS_URL, ROLLOVER_EVERY_SECONDS="60")
        with running_cluster(url, log_dir / f"p{processes}", processes, **settings) as servers:
            calls, found = Calls(), Measurements()
            connecting = time.perf_counter()
            clients = connect_clients(city, servers, args.clients, calls, found)
            connecting = time.perf_counter() - connecting
            before = cpu_snapshot(servers)
            elapsed = run_load(
                city, servers, args.seconds, args.issue_rate, args.call_rate, calls, found
            )
            after = cpu_snapshot(servers)
            for client in clients:
                client.disconnect()
        database.dispose()
    flush_own_redis()
    wall = after["machine total"] - before["machine total"]
    cores = wall / elapsed if elapsed else 1
    cpu = {
        name: round(100 * (after[name] - before[name]) / elapsed, 1)
        for name in after
        if not name.startswith("machine")
    }
    cpu["machine"] = round(
        100 * cores * (after["machine busy"] - before["machine busy"]) / wall if wall else 0, 1
    )
    return {
        "processes": processes,
        "halls": args.halls,
        "windows": len(city.windows),
        "clients": len(clients),
        "seconds": round(elapsed, 1),
        "issue_per_s": round(found.issued / elapsed, 1),
        "call_per_s": round(found.called / elapsed, 1),
        "close_per_s": round(found.closed / elapsed, 1),
        "board_p50_ms": percentile(found.board_ms, 0.50),
        "board_p99_ms": percentile(found.board_ms, 0.99),
        "clients_p50_ms": percentile(found.client_ms, 0.50),
        "clients_p99_ms": percentile(found.client_ms, 0.99),
        "client_receipts": len(found.client_ms),
        "errors": sum(found.errors.values()),
        "error_kinds": found.errors,
        "queue_empty": found.queue_empty,
        "shed": found.shed,
        "seq_gaps_seen": found.gaps,
        "cpu_percent": cpu,
        "seed_s": round(seeding, 1),
        "connect_s": round(connecting, 1),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'procs':>5} {'clients':>7} {'issue/s':>8} {'call/s':>7} {'close/s':>7} "
        f"{'board p50':>10} {'board p99':>10} {'all p50':>8} {'all p99':>8} "
        f"{'errors':>6} {'gaps':>5} {'shed':>5}"
    )
    for row in rows:
        print(
            f"{row['processes']:>5} {row['clients']:>7} {row['issue_per_s']:>8} "
            f"{row['call_per_s']:>7} {row['close_per_s']:>7} "
            f"{row['board_p50_ms']!s:>10} {row['board_p99_ms']!s:>10} "
            f"{row['clients_p50_ms']!s:>8} {row['clients_p99_ms']!s:>8} {row['errors']:>6} "
            f"{row['seq_gaps_seen']:>5} {row['shed']:>5}"
        )
    print()
    print("CPU per process over the load window (% of one core):")
    for row in rows:
        parts = ", ".join(f"{name} {value}" for name, value in row["cpu_percent"].items())
        print(f"  {row['processes']} process(es): {parts}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--halls", type=int, default=100)
    parser.add_argument("--windows-per-hall", type=int, default=15)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--waiting-per-hall", type=int, default=40)
    parser.add_argument("--issue-rate", type=float, default=50.0)
    parser.add_argument("--call-rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", default="1,2", help="comma-separated, e.g. 1,2")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="city-peak-") as directory:
        for processes in [int(part) for part in args.processes.split(",")]:
            print(f"running with {processes} process(es) ...", file=sys.stderr)
            rows.append(run_configuration(args, processes, Path(directory)))
    print_table(rows)
    load = os.getloadavg()
    summary = {
        "bench": "city_peak",
        "target": {"issue_per_s": args.issue_rate, "call_per_s": args.call_rate},
        "cores": os.cpu_count(),
        "load_average_after": [round(value, 2) for value in load],
        "runs": rows,
    }
    if len(rows) == 2 and rows[0]["board_p99_ms"] and rows[1]["board_p99_ms"]:
        summary["board_p99_ratio_2_to_1"] = round(
            rows[1]["board_p99_ms"] / rows[0]["board_p99_ms"], 2
        )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
