"""Call-to-board latency with 100 boards on one server, under eventlet and under gevent.

For each async mode a fresh `hallq serve` runs on a SQLite file with one hall: a service,
several windows with their clerks, enough waiting tickets, and 100 enrolled boards. The
boards are python-socketio clients connected with their device tokens (as board pages
connect), plus real Chromium board pages when asked. Each call is one counter's HTTP
call-next; its latency is from just before that request is sent to the moment each board
receives `ticket.called` (Socket.IO clients) or has the call on screen (Chromium: the page's
window.hallqBoard.renders, taken after the DOM update). Calls go one at a time and the next
starts once every board has the last one, so each figure is one call's fan-out.

    .venv/bin/python bench/board_latency.py --boards 100 --calls 100 --chromium 2

prints a table and one JSON line. All boards and the server share this machine's cores, so
the slowest board's figure includes the time the 100 clients in this one process take to be
scheduled.
"""

from __future__ import annotations

import argparse
import json
import os
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
import socketio  # noqa: E402

from hall_server.operations.access import Actor  # noqa: E402
from hall_server.operations.credentials import enrol_device, hash_password  # noqa: E402
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket  # noqa: E402
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

HALLQ = ROOT / ".venv" / "bin" / "hallq"
PASSWORD = "bench-password"
WINDOWS = 6
RECEIPT_TIMEOUT = 10.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(database: Database, boards: int, tickets: int) -> dict[str, Any]:
    """One hall: a service, WINDOWS open windows with clerks, waiting tickets, boards."""
    now = datetime.now(UTC)
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(code="bench", name="基准大厅", level="city", time_zone="Asia/Shanghai",
                    notice_lines=[], calling_policy="fcfs", max_recalls=3,
                    no_show_grace_minutes=30, requeue_behind=3, target_wait_minutes=15,
                    event_seq=0)  # fmt: skip
        session.add(hall)
        session.flush()
        department = Department(hall_id=hall.id, code="d", name="综合部门")
        session.add(department)
        session.flush()
        service = Service(hall_id=hall.id, department_id=department.id, code="s", name="综合业务",
                          prefix="A", expected_handling_minutes=10, active=True)  # fmt: skip
        session.add(service)
        manager = User(staff_number="M", name="manager", role="manager", hall_id=hall.id,
                       password_hash=hash_password(PASSWORD))  # fmt: skip
        session.add(manager)
        session.flush()
        windows = []
        for number in range(1, WINDOWS + 1):
            clerk = User(staff_number=f"C{number}", name=f"clerk{number}", role="clerk",
                         hall_id=hall.id, password_hash=hash_password(PASSWORD))  # fmt: skip
            session.add(clerk)
            session.flush()
            window = Window(hall_id=hall.id, number=number, name=f"窗口{number}",
                            status="open", clerk_id=clerk.id)  # fmt: skip
            session.add(window)
            session.flush()
            session.add(WindowService(window_id=window.id, service_id=service.id, position=0))
            windows.append((window.id, clerk.staff_number))
        hall_id, service_id, manager_id = hall.id, service.id, manager.id
    manager_actor = Actor(kind="user", id=manager_id, role="manager", hall_id=hall_id)
    for _ in range(tickets):
        with database.transaction() as uow:
            issue_ticket(uow, manager_actor, IssueRequest(hall_id=hall_id, service_id=service_id),
                         now, "bench-identity", "http://127.0.0.1")  # fmt: skip
    board_tokens = []
    with database.transaction() as uow:
        for index in range(boards):
            enrolled = enrol_device(uow, manager_actor, hall_id, "board", f"board{index}", now)
            board_tokens.append(enrolled["token"])
    return {"hall_id": hall_id, "windows": windows, "board_tokens": board_tokens}


class Server:
    def __init__(self, directory: Path, mode: str) -> None:
        self.url_db = f"sqlite:///{directory / f'bench-{mode}.sqlite'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = mode
        self.log = directory / f"server-{mode}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        environment = {
            **os.environ,
            "HALLQ_DATABASE_URL": self.url_db,
            "HALLQ_SECRET_KEY": "bench-session-key-0123456789abcdef0123",
            "HALLQ_IDENTITY_SECRET": "bench-identity-key-0123456789abcdef",
            "HALLQ_RATELIMIT_LOGIN": "1000 per minute",
            "HALLQ_RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
            "HALLQ_LOG_JSON": "false",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(HALLQ), "serve", "--port", str(self.port), "--async-mode", self.mode],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace"))
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class SocketBoards:
    """Many boards as Socket.IO clients; records when each received each called ticket."""

    def __init__(self, url: str, tokens: list[str]) -> None:
        self.lock = threading.Lock()
        self.received: dict[int, list[float]] = {}
        self.clients: list[socketio.Client] = []
        self.connect_retries = 0
        for token in tokens:
            client = socketio.Client(reconnection=False)
            client.on("ticket.called", self._on_called)
            for attempt in range(5):  # as a board page does, try again when a connect fails
                try:
                    client.connect(
                        url, auth={"token": token}, transports=["websocket"], wait_timeout=10
                    )
                    break
                except socketio.exceptions.ConnectionError:
                    if attempt == 4:
                        raise
                    self.connect_retries += 1
                    time.sleep(0.5 * (attempt + 1))
            self.clients.append(client)

    def _on_called(self, message: dict[str, Any]) -> None:
        at = time.perf_counter()
        with self.lock:
            self.received.setdefault(message["ticket"]["id"], []).append(at)

    def arrivals(self, ticket_id: int) -> list[float]:
        with self.lock:
            return list(self.received.get(ticket_id, []))

    def close(self) -> None:
        for client in self.clients:
            client.disconnect()


class ChromiumBoards:
    """Real board pages; each reports when a call was on its screen (Date.now(), ms)."""

    def __init__(self, url: str, tokens: list[str]) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        self.pages = []
        for token in tokens:
            context = self.browser.new_context(viewport={"width": 1920, "height": 1080})
            page = context.new_page()
            page.goto(f"{url}/board/?token={token}")
            page.wait_for_function("window.hallqLiveReady && window.hallqLiveReady()")
            self.pages.append(page)

    def renders(self, ticket_id: int) -> list[float]:
        """Seconds since the epoch at which each page showed the ticket (None if not yet)."""
        found = []
        for page in self.pages:
            at = page.evaluate(
                "id => (window.hallqBoard.renders.find(r => r.ticketId === id) || {}).at || null",
                ticket_id,
            )
            found.append(None if at is None else at / 1000.0)
        return found

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies_ms: list[float]) -> dict[str, float]:
    if not latencies_ms:
        return {}
    return {
        "p50_ms": round(percentile(latencies_ms, 0.50), 1),
        "p90_ms": round(percentile(latencies_ms, 0.90), 1),
        "p99_ms": round(percentile(latencies_ms, 0.99), 1),
        "max_ms": round(max(latencies_ms), 1),
        "mean_ms": round(statistics.fmean(latencies_ms), 1),
        "samples": len(latencies_ms),
    }


def run_mode(mode: str, boards: int, calls: int, chromium: int, workdir: Path) -> dict[str, Any]:
    server = Server(workdir, mode)
    database = Database(server.url_db)
    Base.metadata.create_all(database.engine)
    migrations.stamp(server.url_db)  # the head's schema: `hallq serve`'s /healthz checks it
    hall = seed(database, boards + chromium, calls + WINDOWS)
    database.dispose()
    server.start()
    socket_boards: SocketBoards | None = None
    chromium_boards: ChromiumBoards | None = None
    try:
        session = requests.Session()
        tokens = {}
        for window_id, staff_number in hall["windows"]:
            response = session.post(
                f"{server.url}/api/v1/auth/login",
                json={"staff_number": staff_number, "password": PASSWORD},
            )
            response.raise_for_status()
            tokens[window_id] = response.json()["token"]
        connect_started = time.perf_counter()
        socket_boards = SocketBoards(server.url, hall["board_tokens"][:boards])
        connect_seconds = time.perf_counter() - connect_started
        if chromium:
            chromium_boards = ChromiumBoards(server.url, hall["board_tokens"][boards:])
        in_hand: dict[int, int] = {}
        first_board, every_board, http, on_screen = [], [], [], []
        for index in range(calls):
            window_id = hall["windows"][index % WINDOWS][0]
            headers = {"Authorization": f"Bearer {tokens[window_id]}"}
            if window_id in in_hand:  # free the window: the previous visitor did not come
                session.post(
                    f"{server.url}/api/v1/windows/{window_id}/tickets/{in_hand[window_id]}/no-show",
                    headers=headers,
                ).raise_for_status()
            wall_start, started = time.time(), time.perf_counter()
            response = session.post(
                f"{server.url}/api/v1/windows/{window_id}/call-next", headers=headers
            )
            answered = time.perf_counter()
            response.raise_for_status()
            ticket_id = response.json()["id"]
            in_hand[window_id] = ticket_id
            deadline = time.monotonic() + RECEIPT_TIMEOUT
            while len(socket_boards.arrivals(ticket_id)) < boards:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"only {len(socket_boards.arrivals(ticket_id))} boards got it"
                    )
                time.sleep(0.002)
            arrivals = socket_boards.arrivals(ticket_id)
            http.append((answered - started) * 1000)
            first_board.append((min(arrivals) - started) * 1000)
            every_board.extend((at - started) * 1000 for at in arrivals)
            if chromium_boards is not None:
                while None in (renders := chromium_boards.renders(ticket_id)):
                    if time.monotonic() > deadline:
                        raise RuntimeError("a Chromium board did not show the call")
                    time.sleep(0.005)
                on_screen.extend((at - wall_start) * 1000 for at in renders)
        return {
            "mode": mode,
            "boards": boards,
            "chromium_boards": chromium,
            "calls": calls,
            "connect_all_boards_s": round(connect_seconds, 2),
            "connect_retries": socket_boards.connect_retries,
            "http_call_next": summary(http),
            "every_board_receipt": summary(every_board),
            "first_board_receipt": summary(first_board),
            "chromium_on_screen": summary(on_screen),
        }
    except Exception:
        print(f"--- {mode} server log (tail) ---", file=sys.stderr)
        print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        if chromium_boards is not None:
            chromium_boards.close()
        if socket_boards is not None:
            socket_boards.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=100, help="Socket.IO board clients")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--chromium", type=int, default=2, help="real board pages (0 for none)")
    parser.add_argument("--modes", nargs="+", default=["eventlet", "gevent"])
    arguments = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="hallq-board-bench-") as workdir:
        for mode in arguments.modes:
            results.append(
                run_mode(mode, arguments.boards, arguments.calls, arguments.chromium, Path(workdir))
            )
    header = (
        f"{'mode':<9} {'boards':>6} {'calls':>5}  {'receipt p50':>11} {'p99':>7} {'max':>7}"
        f"  {'http p50':>8}  {'chromium p50':>12} {'p99':>7}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        every, chrome = result["every_board_receipt"], result["chromium_on_screen"]
        print(
            f"{result['mode']:<9} {result['boards']:>6} {result['calls']:>5}"
            f"  {every['p50_ms']:>9.1f}ms {every['p99_ms']:>5.1f}ms {every['max_ms']:>5.1f}ms"
            f"  {result['http_call_next']['p50_ms']:>6.1f}ms"
            + (
                f"  {chrome['p50_ms']:>10.1f}ms {chrome['p99_ms']:>5.1f}ms"
                if chrome
                else f"  {'-':>12} {'-':>7}"
            )
        )
    print(json.dumps({"bench": "board_latency", "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
