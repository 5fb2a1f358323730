"""Fixtures for the counter: API steps a clerk takes, rating pads, and a live server process."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from hall_server.operations.credentials import enrol_device
from hall_server.storage.database import Database
from tests.conftest import login_headers, page_without_script_errors
from tests.factories import PASSWORD, TestHall, build_hall
from tests.live.live_server import running_server


class Counter:
    """One clerk's counter, driven through the HTTP API as the page and the terminal drive it."""

    def __init__(self, client: Any, hall: TestHall, window_number: int, headers: dict[str, str]):
        self.client = client
        self.hall = hall
        self.window = hall.windows[window_number]
        self.headers = headers

    def post(self, path: str, json: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers)

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def ok(self, response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def call_next(self) -> dict[str, Any]:
        return self.ok(self.post(f"/windows/{self.window}/call-next"))

    def act(self, ticket_id: int, action: str, json: dict[str, Any] | None = None) -> Any:
        return self.post(f"/windows/{self.window}/tickets/{ticket_id}/{action}", json)

    def desk(self) -> dict[str, Any]:
        return self.ok(self.get(f"/windows/{self.window}/desk"))

    def queue(self) -> dict[str, Any]:
        return self.ok(self.get(f"/windows/{self.window}/queue"))

    def figures(self) -> dict[str, Any]:
        return self.ok(self.get("/me/figures"))


@pytest.fixture
def issue(client: Any, hall: TestHall) -> Any:
    def issue_ticket(service: str = "housing", **extra: Any) -> dict[str, Any]:
        response = client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services[service], **extra},
            # A kiosk issues walk-ins; the hall's staff give a ticket another class.
            headers={"Authorization": f"Bearer {hall.kiosk_token}"}
            if extra.get("visitor_class", "walk_in") == "walk_in"
            else login_headers(client, hall.manager_number),
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    return issue_ticket


@pytest.fixture
def counter1(client: Any, hall: TestHall) -> Counter:
    return Counter(client, hall, 1, login_headers(client, hall.clerk_numbers[1]))


@pytest.fixture
def counter2(client: Any, hall: TestHall) -> Counter:
    return Counter(client, hall, 2, login_headers(client, hall.clerk_numbers[2]))


def enrol_rating_pad(database: Database, hall: TestHall, window_number: int, now: datetime) -> str:
    with database.transaction() as uow:
        enrolled = enrol_device(
            uow,
            hall.manager(),
            hall.id,
            "rating_pad",
            f"rating pad {window_number}",
            now,
            window_id=hall.windows[window_number],
        )
    return str(enrolled["token"])


@pytest.fixture
def pad_headers(app: Any, hall: TestHall, clock: Any) -> dict[str, str]:
    token = enrol_rating_pad(app.extensions["hallq_db"], hall, 1, clock())
    return {"Authorization": f"Bearer {token}"}


# ----- a real server process, for the browser and the terminal client -----


@dataclass
class LiveHall:
    url: str
    hall: TestHall
    database: Database
    rating_pad_token: str
    process: subprocess.Popen[bytes]

    def kiosk_issue(self, service: str = "housing", **extra: Any) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/api/v1/halls/{self.hall.id}/tickets",
            json={"service_id": self.hall.services[service], **extra},
            headers={"Authorization": f"Bearer {self.hall.kiosk_token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def login(self, window_number: int) -> dict[str, str]:
        response = requests.post(
            f"{self.url}/api/v1/auth/login",
            json={"staff_number": self.hall.clerk_numbers[window_number], "password": PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def api(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kwargs
        )

    def transferred_from_window_2(self, reason: str = "材料需综合窗口复核") -> dict[str, Any]:
        """A ticket issued, called and started at window 2, then transferred to window 1."""
        ticket = self.kiosk_issue()
        other = self.login(2)
        window_2 = self.hall.windows[2]
        assert self.api("POST", f"/windows/{window_2}/call-next", other).status_code == 200
        self.api("POST", f"/windows/{window_2}/tickets/{ticket['id']}/start", other)
        moved = self.api(
            "POST",
            f"/windows/{window_2}/tickets/{ticket['id']}/transfer",
            other,
            json={"to_window_id": self.hall.windows[1], "reason": reason},
        )
        assert moved.status_code == 200, moved.text
        return ticket


@dataclass
class LiveServer:
    url: str
    database: Database
    process: Any


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`hallq serve` (gevent, as in production) on a SQLite file migrated by `hallq db upgrade`,
    shared by a module's tests; each test gets a hall of its own. A traceback on the server's
    stderr fails the module (tests/live/live_server.running_server)."""
    directory = tmp_path_factory.mktemp("counter-live")
    url = f"sqlite:///{directory / 'live.sqlite'}"
    with running_server(url, "gevent", directory) as server:
        database = Database(url)
        try:
            yield LiveServer(server.url, database, server.process)
        finally:
            database.dispose()


@pytest.fixture
def live_hall(live_server: LiveServer) -> LiveHall:
    """A hall of its own on the shared server: numbers start at A001, windows held by clerks."""
    code = f"live-{uuid.uuid4().hex[:8]}"
    hall = build_hall(live_server.database, datetime.now(UTC), code=code)
    pad_token = enrol_rating_pad(live_server.database, hall, 1, datetime.now(UTC))
    return LiveHall(live_server.url, hall, live_server.database, pad_token, live_server.process)


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    from playwright.sync_api import expect

    # The machine is shared: give pages time. These are deadlines for state to appear, never
    # assertions about how fast it appears.
    expect.set_options(timeout=20_000)
    return chromium_browser


@contextmanager
def counter_browser_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a context of its own (1366×900, English unless `context_options` say
    otherwise); a script error on the page fails the test."""
    options = {"viewport": {"width": 1366, "height": 900}, "locale": "en-US", **context_options}
    with page_without_script_errors(browser, 20_000, **options) as page:
        yield page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with counter_browser_page(browser) as page:
        yield page


def open_counter(page: Any, live_hall: LiveHall, window_number: int, clerk: int | None = None):
    """Log in as the clerk of `clerk` (default: the window's own) and take the window."""
    page.goto(f"{live_hall.url}/counter/?lang=en")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[clerk or window_number])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.click(f"#window-list li[data-window-number='{window_number}'] button")


def wait_for_desk(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#desk-view")).to_be_visible()
    expect(page.locator("#live-state")).to_have_attribute("data-online", "true")
