"""A real `hallq serve` process on a migrated database, for live tests, browser tests and bench/.

Plain functions and classes (no pytest here), so bench/ and other test folders can use them;
tests/live/conftest.py wraps them in fixtures.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from hall_server.storage.database import Database
from tests.factories import PASSWORD, TestHall, build_hall

ROOT = Path(__file__).resolve().parents[2]
HALLQ = ROOT / ".venv" / "bin" / "hallq"
POSTGRES_URL = os.environ.get(
    "HALLQ_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
ASYNC_MODES = ("gevent", "eventlet")
DATABASES = ("sqlite", "postgres")
START_SECONDS = 60  # how long a start may take on a loaded machine (not a speed limit)
STOP_SECONDS = 10
WAIT_SECONDS = 20  # how long a test waits for something that must happen (not a speed limit)
# A healthy server never writes this to its stderr (a crashed greenlet or a logged exception).
FAILURE_MARKERS = ("Traceback (most recent call last)",)

_hall_numbers = count(1)


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
        time.sleep(0.02)


@contextmanager
def private_postgres_schema(prefix: str = "live") -> Iterator[str]:
    """A schema of its own on the real PostgreSQL, dropped afterwards; yields its URL."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def serve_until_it_stops(
    environment: dict[str, str], port: int
) -> subprocess.CompletedProcess[str]:
    """`hallq serve` that is expected to refuse to start: what it printed and its status."""
    return subprocess.run(
        [str(HALLQ), "serve", "--port", str(port), "--async-mode", "threading"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def server_environment(database_url: str, port: int, **settings: str) -> dict[str, str]:
    """The parent's environment without any HALLQ_ setting of its own, plus the server's."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("HALLQ_") and name != "DATABASE_URL"
    }
    environment.update(
        {
            "HALLQ_DATABASE_URL": database_url,
            "HALLQ_SECRET_KEY": "live-test-session-key-0123456789abcdef",
            "HALLQ_IDENTITY_SECRET": "live-test-identity-key-0123456789abcdef",
            "HALLQ_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            # Tests and benchmarks issue and log in far faster than any kiosk or clerk.
            "HALLQ_RATELIMIT_ISSUE": "1000000 per minute",
            "HALLQ_RATELIMIT_LOGIN": "1000000 per minute",
            "HALLQ_RATELIMIT_LOGIN_ADDRESS": "1000000 per minute",
            "HALLQ_LOG_JSON": "false",
            **{f"HALLQ_{name}": value for name, value in settings.items()},
        }
    )
    return environment


def migrate(database_url: str) -> None:
    """The real migrations, through the command an operator runs."""
    result = subprocess.run(
        [str(HALLQ), "db", "upgrade"],
        cwd=ROOT,
        env=server_environment(database_url, 0),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"hallq db upgrade failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class LiveServer:
    """One `hallq serve` process; it can be stopped and started again on the same port and
    database, and tells whether it ever wrote a traceback to its stderr."""

    database_url: str
    async_mode: str
    log_dir: Path
    port: int = field(default_factory=free_port)
    settings: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    health: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"server-{self.port}.stderr.log"

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        command = [str(HALLQ), "serve", "--port", str(self.port), "--async-mode", self.async_mode]
        with (
            self.stderr_path.open("ab") as stderr,
            (self.log_dir / f"server-{self.port}.stdout.log").open("ab") as stdout,
        ):
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_environment(self.database_url, self.port, **self.settings),
                stdout=stdout,
                stderr=stderr,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.stderr_text()}")
            try:
                answer = requests.get(f"{self.url}/healthz", timeout=2)
                if answer.status_code == 200:
                    self.health = answer.json()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz:\n{self.stderr_text()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def stderr_text(self, since: int = 0) -> str:
        if not self.stderr_path.exists():
            return ""
        with self.stderr_path.open("rb") as stderr:
            stderr.seek(since)
            return stderr.read().decode(errors="replace")

    def stderr_size(self) -> int:
        return self.stderr_path.stat().st_size if self.stderr_path.exists() else 0

    def failures_in_stderr(self, since: int = 0) -> str | None:
        """The server's stderr from `since` on if it holds a traceback or logged exception."""
        written = self.stderr_text(since)
        if any(marker in written for marker in FAILURE_MARKERS):
            return written
        return None


@dataclass
class LiveHall:
    """A hall seeded on a live server's database, with HTTP helpers as its devices use them."""

    server: LiveServer
    hall: TestHall
    database: Database
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def issue(
        self, service: str = "housing", token: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Issue a ticket from the hall's kiosk (or with `token`) and return the answer."""
        response = self.api(
            "POST",
            f"/halls/{self.hall.id}/tickets",
            token or self.hall.kiosk_token,
            json={"service_id": self.hall.services[service], **extra},
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def login(self, window_number: int) -> str:
        """A clerk's bearer token for the given window."""
        response = self.api(
            "POST",
            "/auth/login",
            json={"staff_number": self.hall.clerk_numbers[window_number], "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def window_action(
        self, token: str, window_number: int, action: str, ticket_id: int | None = None, **body: Any
    ) -> Any:
        window = self.hall.windows[window_number]
        path = f"/windows/{window}/{action}"
        if ticket_id is not None:
            path = f"/windows/{window}/tickets/{ticket_id}/{action}"
        return self.api("POST", path, token, json=body if body else None)

    def serve_next(self, token: str, window_number: int) -> dict[str, Any]:
        """Call, start and finish the next ticket at a window; returns the called ticket."""
        called = self.window_action(token, window_number, "call-next")
        assert called.status_code == 200, called.text
        ticket = called.json()
        for action, body in (("start", {}), ("finish", {"outcome": "completed"})):
            answer = self.window_action(token, window_number, action, ticket["id"], **body)
            assert answer.status_code == 200, answer.text
        return ticket  # type: ignore[no-any-return]

    def board(self) -> dict[str, Any]:
        response = self.api("GET", f"/halls/{self.hall.id}/board", self.hall.board_token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def seed_hall(
    server: LiveServer, database: Database, windows: dict[int, list[str]] | None = None
) -> LiveHall:
    """A new hall (unique code) on the server's database, built like tests/factories does."""
    code = f"live-{next(_hall_numbers)}-{uuid.uuid4().hex[:6]}"
    hall = build_hall(database, datetime.now(UTC), code=code, windows=windows)
    return LiveHall(server, hall, database)


@contextmanager
def running_server(
    database_url: str, async_mode: str, log_dir: Path, **settings: str
) -> Iterator[LiveServer]:
    """Migrate `database_url` with `hallq db upgrade`, serve it, and stop it afterwards.

    Raises AssertionError at the end if the server wrote a traceback to its stderr.
    """
    migrate(database_url)
    server = LiveServer(database_url, async_mode, log_dir, settings=settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    failures = server.failures_in_stderr()
    if failures:
        raise AssertionError(f"the server wrote a traceback to stderr:\n{failures}")


@contextmanager
def database_for(kind: str, directory: Path) -> Iterator[str]:
    """A fresh database URL of the given kind: a SQLite file, or a private PostgreSQL schema."""
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{directory / f'live-{uuid.uuid4().hex[:8]}.sqlite'}"
    elif kind == "postgres":
        with private_postgres_schema() as url:
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}")
