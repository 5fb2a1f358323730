"""Fixtures for the kiosk: a real server process with a Chinese catalogue, kiosks enrolled on
demand, print agents on simulated printers, and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from hall_server.storage import migrations
from hall_server.storage.database import Database
from hall_server.storage.models import Base
from hardware.simulated_printer import SimulatedPrinter
from hardware.ticket_printer import TicketPrinter
from kiosk.print_agent import Backoff, PrintAgent
from tests.conftest import page_without_script_errors
from tests.kiosk.kiosk_hall import PASSWORD, KioskHall, build_kiosk_hall, enrol_kiosk

ROOT = Path(__file__).resolve().parents[2]
HALLQ = ROOT / ".venv" / "bin" / "hallq"
WAIT_SECONDS = 20  # how long a test waits for something that must happen (not a speed limit)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll until `condition()` is truthy and return it; fail naming `what` otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)


@dataclass
class RunningAgent:
    agent: PrintAgent
    printer: TicketPrinter
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def simulated(self) -> SimulatedPrinter:
        backend = self.printer.backend
        assert isinstance(backend, SimulatedPrinter)
        return backend

    def result_for(self, job_id: str, count: int = 1) -> dict[str, Any]:
        """Wait for the agent's `count`-th answer to this job and return it."""
        answers = wait_for(
            lambda: (
                len(found := [r for r in self.results if r["job_id"] == job_id]) >= count and found
            ),
            f"the agent to answer job {job_id} ({count}x)",
        )
        return answers[count - 1]  # type: ignore[no-any-return]


@dataclass
class LiveKioskHall:
    """`hallq serve` on a fresh SQLite file with the kiosk hall; helpers drive it over HTTP."""

    url: str
    hall: KioskHall
    database: Database
    log: Path

    def new_kiosk(self, name: str = "kiosk", **settings: Any) -> tuple[str, int]:
        return enrol_kiosk(self.database, self.hall, datetime.now(UTC), name, **settings)

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kwargs
        )

    def issue(self, token: str, service: str, **extra: Any) -> dict[str, Any]:
        response = self.api(
            "POST",
            f"/halls/{self.hall.id}/tickets",
            token,
            json={"service_id": self.hall.services[service], **extra},
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def login(self, staff_number: str) -> str:
        response = self.api(
            "POST", "/auth/login", json={"staff_number": staff_number, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def print_job(self, token: str, job_id: str) -> dict[str, Any]:
        response = self.api("GET", f"/print-jobs/{job_id}", token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    @contextmanager
    def print_agent(
        self, token: str, printer_spec: str = "simulated", **options: Any
    ) -> Iterator[RunningAgent]:
        """An in-process print agent for the kiosk, on a printer the test can inspect;
        the block starts once it is connected and has reported its printer."""
        with self.print_agent_unconnected(token, printer_spec, **options) as running:
            wait_for(running.agent.connected.is_set, "the print agent to connect")
            wait_for(lambda: running.agent.printer_status is not None, "the first report")
            yield running

    @contextmanager
    def print_agent_unconnected(
        self, token: str, printer_spec: str = "simulated", **options: Any
    ) -> Iterator[RunningAgent]:
        """The print agent, started but maybe not yet connected."""
        printer = TicketPrinter.from_spec(printer_spec, "80mm")
        running = RunningAgent(agent=None, printer=printer)  # type: ignore[arg-type]
        agent = PrintAgent(
            self.url,
            token,
            printer,
            backoff=Backoff(first=0.1, longest=0.5),
            on_result=running.results.append,
            **options,
        )
        running.agent = agent
        agent.start()
        try:
            yield running
        finally:
            agent.stop()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer /healthz:\n{log.read_text(errors='replace')}")


def prepare_kiosk_hall(directory: Path) -> tuple[str, Database, KioskHall]:
    """A fresh SQLite file holding the kiosk hall, for a server to be started on."""
    url = f"sqlite:///{directory / 'kiosk.sqlite'}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    migrations.stamp(url)  # the models' schema is the head's; /healthz checks the version
    return url, database, build_kiosk_hall(database)


@contextmanager
def run_server(
    url: str, directory: Path, port: int, log_name: str = "server.log", **settings: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`hallq serve` on the database at `url` until the block ends; `settings` are HALLQ_ ones
    (e.g. ALERTS_EVERY_SECONDS="1")."""
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_SECRET_KEY": "kiosk-test-session-key-0123456789abcdef",
        "HALLQ_IDENTITY_SECRET": "kiosk-test-identity-key-0123456789abcdef",
        "HALLQ_PUBLIC_BASE_URL": base,
        "HALLQ_RATELIMIT_ISSUE": "1000 per minute",
        "HALLQ_RATELIMIT_LOGIN": "1000 per minute",
        "HALLQ_RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
        "HALLQ_LOG_JSON": "false",
        **{f"HALLQ_{name}": value for name, value in settings.items()},
    }
    log = directory / log_name
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(HALLQ), "serve", "--port", str(port), "--async-mode", "threading"],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serve_kiosk_hall(directory: Path, **settings: str) -> Iterator[LiveKioskHall]:
    url, database, hall = prepare_kiosk_hall(directory)
    port = free_port()
    try:
        with run_server(url, directory, port, **settings):
            yield LiveKioskHall(
                f"http://127.0.0.1:{port}", hall, database, directory / "server.log"
            )
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def live_kiosk_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKioskHall]:
    """One server per test module; each test enrols its own kiosk, so tests do not meet."""
    with serve_kiosk_hall(tmp_path_factory.mktemp("kiosk-live")) as live:
        yield live


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    return chromium_browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A kiosk-sized touch screen (1280×1024)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_SECONDS * 1000)
    with page_without_script_errors(
        browser, WAIT_SECONDS * 1000, viewport={"width": 1280, "height": 1024}, has_touch=True
    ) as kiosk_page:
        yield kiosk_page


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone set to Chinese."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_SECONDS * 1000)
    with page_without_script_errors(
        browser,
        WAIT_SECONDS * 1000,
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        has_touch=True,
        is_mobile=True,
    ) as phone_page:
        yield phone_page


@pytest.fixture
def kiosk_hall(app: Any) -> KioskHall:
    """The kiosk hall in the in-process app (server-side tests; live tests use live_kiosk_hall)."""
    return build_kiosk_hall(app.extensions["hallq_db"])


@pytest.fixture
def kiosk_token(app: Any, kiosk_hall: KioskHall, clock: Any) -> str:
    return enrol_kiosk(app.extensions["hallq_db"], kiosk_hall, clock(), "kiosk")[0]
