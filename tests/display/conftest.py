"""Fixtures for boards and window displays: `hallq serve` as a real process on a SQLite file
(restartable on the same port and database), halls with their screens, and headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from hall_server.operations.credentials import enrol_device
from hall_server.storage import migrations
from hall_server.storage.database import Database
from hall_server.storage.models import Base
from tests.factories import PASSWORD, TestHall, build_hall

ROOT = Path(__file__).resolve().parents[2]
HALLQ = ROOT / ".venv" / "bin" / "hallq"
WAIT_MS = 20_000  # how long a test waits for something that must happen eventually
CALL_SHOWN_MS = 1_500  # the issue's bound for a call to reach the screens (about a second)

# What Chromium does on a board PC started without --autoplay-policy=no-user-gesture-required:
# the audio context stays suspended and resume() waits for a tap that never comes. (Headless
# Chromium under Playwright always allows sound, so the policy is emulated here.)
SOUND_NOT_ALLOWED = """
  const Allowed = window.AudioContext;
  window.AudioContext = class extends Allowed {
    get state() { return 'suspended'; }
    resume() { return new Promise(() => {}); }
  };
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Screen:
    token: str
    device_id: int


class HallServer:
    """One `hallq serve` process; stop() and start() again keep its port and database."""

    def __init__(self, directory: Path, async_mode: str = "gevent") -> None:
        self.directory = directory
        self.database_url = f"sqlite:///{directory / 'display.sqlite'}"
        self.database = Database(self.database_url)
        Base.metadata.create_all(self.database.engine)
        migrations.stamp(self.database_url)  # the head's schema; /healthz checks the version
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.async_mode = async_mode
        self.log = directory / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, **settings: str) -> None:
        """`settings`: more HALLQ_ settings, without the prefix."""
        environment = {
            **os.environ,
            "HALLQ_DATABASE_URL": self.database_url,
            "HALLQ_SECRET_KEY": "display-test-session-key-0123456789abcdef",
            "HALLQ_IDENTITY_SECRET": "display-test-identity-key-0123456789abcdef",
            "HALLQ_PUBLIC_BASE_URL": self.url,
            "HALLQ_RATELIMIT_ISSUE": "1000 per minute",
            "HALLQ_RATELIMIT_LOGIN": "1000 per minute",
            "HALLQ_RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
            "HALLQ_LOG_JSON": "false",
            **{f"HALLQ_{name}": value for name, value in settings.items()},
        }
        with self.log.open("ab") as log_file:
            self.process = subprocess.Popen(
                [str(HALLQ), "serve", "--port", str(self.port), "--async-mode", self.async_mode],
                cwd=ROOT,
                env=environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text(errors='replace')}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"no /healthz answer:\n{self.log.read_text(errors='replace')}")

    def stop(self, hard: bool = False) -> None:
        """hard: SIGKILL, as a crash or power cut would; otherwise a normal shutdown."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self.database.dispose()

    # --- driving the hall over HTTP, as counters and managers do ---

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kwargs
        )

    def ok(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        response = self.api(method, path, token, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def login(self, staff_number: str) -> str:
        body = self.ok(
            "POST", "/auth/login", json={"staff_number": staff_number, "password": PASSWORD}
        )
        return str(body["token"])


@dataclass
class LiveHall:
    """A hall of its own on the shared server: tests never see each other's calls."""

    server: HallServer
    hall: TestHall
    tokens: dict[str, str]  # "manager", "clerk1", "clerk2" -> bearer token

    def add_screen(self, kind: str = "board", window: int | None = None, **settings: Any) -> Screen:
        with self.server.database.transaction() as uow:
            enrolled = enrol_device(
                uow,
                self.hall.manager(),
                self.hall.id,
                kind,
                f"{kind}-{uuid.uuid4().hex[:6]}",
                datetime.now(UTC),
                window_id=self.hall.windows[window] if window is not None else None,
                settings=settings,
            )
        return Screen(enrolled["token"], enrolled["device"]["id"])

    def issue(self, service: str, **extra: Any) -> dict[str, Any]:
        return self.server.ok(  # type: ignore[no-any-return]
            "POST",
            f"/halls/{self.hall.id}/tickets",
            self.hall.kiosk_token,
            json={"service_id": self.hall.services[service], **extra},
        )

    def call_next(self, window: int) -> dict[str, Any]:
        return self.server.ok(  # type: ignore[no-any-return]
            "POST", f"/windows/{self.hall.windows[window]}/call-next", self.tokens[f"clerk{window}"]
        )

    def act(self, window: int, ticket_id: int, action: str, **body: Any) -> dict[str, Any]:
        return self.server.ok(  # type: ignore[no-any-return]
            "POST",
            f"/windows/{self.hall.windows[window]}/tickets/{ticket_id}/{action}",
            self.tokens[f"clerk{window}"],
            json=body or None,
        )

    def window_state(self, window: int, change: str, reason: str | None = None) -> None:
        body = {"change": change, **({"reason": reason} if reason else {})}
        self.server.ok(
            "POST",
            f"/windows/{self.hall.windows[window]}/state",
            self.tokens[f"clerk{window}"],
            json=body,
        )

    def seq(self) -> int:
        return int(self.server.ok("GET", f"/halls/{self.hall.id}/board")["seq"])


def build_live_hall(server: HallServer) -> LiveHall:
    hall = build_hall(server.database, datetime.now(UTC), code=f"h{uuid.uuid4().hex[:8]}")
    tokens = {
        "manager": server.login(hall.manager_number),
        "clerk1": server.login(hall.clerk_numbers[1]),
        "clerk2": server.login(hall.clerk_numbers[2]),
    }
    return LiveHall(server, hall, tokens)


@pytest.fixture(scope="session")
def hall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallServer]:
    """One server for the display tests (under gevent, the serving default)."""
    server = HallServer(tmp_path_factory.mktemp("display-live"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def live_hall(hall_server: HallServer) -> LiveHall:
    return build_live_hall(hall_server)


@pytest.fixture(scope="session")
def browser(chromium_browser: Any) -> Any:
    return chromium_browser


class ScreenPages:
    """Opens boards and window displays in their own browser contexts; checks for JS errors."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(
        self,
        server: HallServer,
        screen: Screen,
        kind: str = "board",
        query: str = "",
        init_script: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> Any:
        """`size`: the screen's (width, height); a 1920×1080 TV for a board, 1280×720 else."""
        path = "/board/" if kind == "board" else "/window-display/"
        width, height = size or ((1920, 1080) if kind == "board" else (1280, 720))
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, locale="en-US"
        )
        context.set_default_timeout(WAIT_MS)
        self.contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(f"{server.url}{path}?token={screen.token}{query}")
        # Ready once the first snapshot is applied: from then on events apply live.
        page.wait_for_function("window.hallqLiveReady && window.hallqLiveReady()")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def screens(browser: Any) -> Iterator[ScreenPages]:
    pages = ScreenPages(browser)
    try:
        yield pages
    finally:
        pages.close()
    assert not pages.errors, f"a screen's page raised: {pages.errors}"
