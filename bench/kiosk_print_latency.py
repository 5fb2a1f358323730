"""From the tap on "take ticket" to the last byte at the thermal printer, with the hall server
and the kiosk's print agent on this machine.

A fresh `hallq serve` runs on a SQLite file with one hall, one service, an open window and an
enrolled kiosk. The kiosk's print agent runs as its own process (`hallq kiosk`) with a network
printer: a TCP printer in this process that answers the real-time status queries (DLE EOT)
like a device with paper and notes when each ticket's cut command arrives. Each sample is one
ticket: its clock starts just before the kiosk's HTTP issue request is sent (what the screen
does on the tap) and stops when the printer has received the ticket's last byte (the cut).
Tickets go one at a time, the next once the last is printed.

    .venv/bin/python bench/kiosk_print_latency.py --tickets 200 --async-mode gevent

prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import socket
import statistics
import subprocess
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

from hall_server.operations.access import Actor  # noqa: E402
from hall_server.operations.credentials import enrol_device, hash_password  # noqa: E402
from hall_server.storage import migrations  # noqa: E402
from hall_server.storage.database import Database  # noqa: E402
from hall_server.storage.models import (  # noqa: E402
    Base,
    Department,
    Hall,
    Service,
    User,
    Window,
    WindowService,
)
from hardware.simulated_printer import device_status_answer  # noqa: E402

HALLQ = ROOT / ".venv" / "bin" / "hallq"
WARM_UP_TICKETS = 3
PRINT_TIMEOUT_SECONDS = 15.0
# DLE EOT n (a status query) and GS V m [n] (the cut that ends a ticket).
_COMMANDS = re.compile(
    rb"\x10\x04(?P<query>[\x01-\x04])|\x1dV(?P<cut>[\x00\x01\x30\x31]|[\x41\x42].)"
)


class NetworkPrinter:
    """A TCP printer on 127.0.0.1 that answers status queries and timestamps every cut."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts: queue.Queue[float] = queue.Queue()
        self.bytes_received = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tail = b""
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                received_at = time.perf_counter()
                if not chunk:
                    return
                self.bytes_received += len(chunk)
                data = tail + chunk
                for match in _COMMANDS.finditer(data):
                    if match.end() <= len(tail):
                        continue  # seen with the previous chunk
                    if match.group("query") is not None:
                        connection.sendall(device_status_answer("ok", match.group("query")[0]))
                    else:
                        self.cuts.put(received_at)
                tail = data[-3:]

    def close(self) -> None:
        self.listener.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(database: Database) -> tuple[int, int, str]:
    """One hall with one service served at one open window, and a kiosk; returns ids, token."""
    now = datetime.now(UTC)
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(code="bench", name="市政务服务中心", name_en="City Centre", level="city",
                    time_zone="Asia/Shanghai", notice_lines=["请保管好您的号票，过号请到咨询台登记"],  # noqa: E501
                    calling_policy="fcfs", max_recalls=3, no_show_grace_minutes=30,
                    requeue_behind=3, target_wait_minutes=15, event_seq=0)  # fmt: skip
        session.add(hall)
        session.flush()
        department = Department(hall_id=hall.id, code="gjj", name="住房公积金管理中心")
        session.add(department)
        session.flush()
        service = Service(hall_id=hall.id, department_id=department.id, code="gjj-withdraw",
                          name="公积金提取", pinyin_initials="gjjtq", prefix="A",
                          expected_handling_minutes=8, active=True)  # fmt: skip
        manager = User(staff_number="BM", name="主任", password_hash=hash_password("x"),
                       role="manager", hall_id=hall.id)  # fmt: skip
        clerk = User(staff_number="BC", name="窗口", password_hash=hash_password("x"),
                     role="clerk", hall_id=hall.id)  # fmt: skip
        session.add_all([service, manager, clerk])
        session.flush()
        window = Window(hall_id=hall.id, number=1, name="1号窗口", kind="comprehensive",
                        status="open", clerk_id=clerk.id)  # fmt: skip
        session.add(window)
        session.flush()
        session.add(WindowService(window_id=window.id, service_id=service.id, position=0))
        hall_id, service_id = hall.id, service.id
        manager_actor = Actor(kind="user", id=manager.id, role="manager", hall_id=hall.id)
    with database.transaction() as uow:
        kiosk = enrol_device(uow, manager_actor, hall_id, "kiosk", "bench kiosk", now)
    return hall_id, service_id, str(kiosk["token"])


def wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text(errors='replace')}")


def wait_for_printer_report(url: str, token: str, printer: NetworkPrinter) -> None:
    """The agent is ready once it has connected and asked the printer for its status."""
    deadline = time.monotonic() + 60
    while printer.bytes_received == 0:
        if time.monotonic() > deadline:
            raise SystemExit("the print agent never reached the printer")
        time.sleep(0.1)
    time.sleep(0.5)  # its health report reaches the server right after the query


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p90_ms": round(percentile(values, 0.90) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


def run(tickets: int, async_mode: str, paper: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hallq-kiosk-bench-") as directory:
        folder = Path(directory)
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        database = Database(url)
        Base.metadata.create_all(database.engine)
        migrations.stamp(url)  # the head's schema: `hallq serve`'s /healthz checks it
        hall_id, service_id, token = seed(database)
        database.dispose()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        environment = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_SECRET_KEY": "bench-session-key-0123456789abcdef0123",
            "HALLQ_IDENTITY_SECRET": "bench-identity-key-0123456789abcdef",
            "HALLQ_PUBLIC_BASE_URL": base,
            "HALLQ_RATELIMIT_ISSUE": "100000 per minute",
            "HALLQ_LOG_JSON": "false",
        }
        printer = NetworkPrinter()
        server_log = folder / "server.log"
        agent_log = folder / "agent.log"
        with server_log.open("wb") as server_out, agent_log.open("wb") as agent_out:
            server = subprocess.Popen(
                [str(HALLQ), "serve", "--port", str(port), "--async-mode", async_mode],
                cwd=ROOT, env=environment, stdout=server_out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            agent = None
            try:
                wait_for_health(base, server, server_log)
                agent = subprocess.Popen(
                    [str(HALLQ), "kiosk", "--server", base, "--token", token,
                     "--printer", f"network:127.0.0.1:{printer.port}", "--paper", paper],
                    cwd=ROOT, stdout=agent_out, stderr=subprocess.STDOUT,
                )  # fmt: skip
                wait_for_printer_report(base, token, printer)
                to_print, to_answer = [], []
                session = requests.Session()
                headers = {"Authorization": f"Bearer {token}"}
                for number in range(tickets + WARM_UP_TICKETS):
                    tapped = time.perf_counter()
                    answer = session.post(
                        f"{base}/api/v1/halls/{hall_id}/tickets",
                        json={"service_id": service_id},
                        headers=headers,
                        timeout=10,
                    )
                    answered = time.perf_counter()
                    if answer.status_code != 201:
                        raise SystemExit(f"issue failed: {answer.status_code} {answer.text}")
                    try:
                        printed = printer.cuts.get(timeout=PRINT_TIMEOUT_SECONDS)
                    except queue.Empty:
                        raise SystemExit(
                            f"ticket {number} never printed:\n{agent_log.read_text()}"
                        ) from None
                    if number >= WARM_UP_TICKETS:
                        to_print.append(printed - tapped)
                        to_answer.append(answered - tapped)
            finally:
                for process in (agent, server):
                    if process is not None:
                        process.terminate()
                        try:
                            process.wait(timeout=10)
                        except subprocess.TimeoutExpired:
                            process.kill()
                printer.close()
    return {
        "benchmark": "kiosk_print_latency",
        "tickets": tickets,
        "async_mode": async_mode,
        "paper": paper,
        "printer": "network (TCP on 127.0.0.1, answers DLE EOT)",
        "tap_to_last_printer_byte": summary(to_print),
        "tap_to_issue_answer": summary(to_answer),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument(
        "--async-mode", choices=["gevent", "eventlet", "threading"], default="gevent"
    )
    parser.add_argument("--paper", choices=["58mm", "80mm"], default="80mm")
    arguments = parser.parse_args()
    result = run(arguments.tickets, arguments.async_mode, arguments.paper)
    print(f"Kiosk print latency: {result['tickets']} tickets, server in {result['async_mode']} "
          f"mode, {result['paper']} paper, agent and server on this machine")  # fmt: skip
    print(f"{'from the tap to':<34}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'mean':>9}  (ms)")
    for label, key in (
        ("the issue answer (HTTP 201)", "tap_to_issue_answer"),
        ("the ticket's last byte at printer", "tap_to_last_printer_byte"),
    ):
        row = result[key]
        print(f"{label:<34}" + "".join(
            f"{row[k]:>9.1f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms")
        ))  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
