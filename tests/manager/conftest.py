"""Fixtures for the managers' API (a city hall with a township below it, and logins) and for
their pages (a live server of each test module's own)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hall_server.operations.credentials import hash_password
from hall_server.storage.database import Database
from hall_server.storage.models import User
from tests.conftest import login_headers
from tests.factories import PASSWORD, TestHall, build_hall
from tests.live.live_server import LiveHall, LiveServer, database_for, running_server, seed_hall


@dataclass
class Network:
    city: TestHall
    township: TestHall
    admin_number: str


def add_user(database: Any, staff_number: str, role: str, hall_id: int) -> int:
    with database.transaction() as uow:
        user = User(
            staff_number=staff_number,
            name=staff_number,
            password_hash=hash_password(PASSWORD),
            role=role,
            hall_id=hall_id,
            active=True,
        )
        uow.session.add(user)
        uow.session.flush()
        return user.id


@pytest.fixture
def network(app: Any, hall: TestHall, clock: Any) -> Network:
    """The conftest's hall as the city hall, a township hall below it, and a city admin."""
    database = app.extensions["hallq_db"]
    township = build_hall(database, clock(), code="township", parent_id=hall.id, level="township")
    add_user(database, "city-admin", "admin", hall.id)
    return Network(city=hall, township=township, admin_number="city-admin")


@pytest.fixture
def manager(client: Any, hall: TestHall) -> dict[str, str]:
    return login_headers(client, hall.manager_number)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Database]]:
    """A live server on a SQLite file, one per test module that drives a manager page."""
    directory = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with database_for("sqlite", directory) as url, running_server(url, "gevent", directory) as live:
        database = Database(url)
        try:
            yield live, database
        finally:
            database.dispose()


@pytest.fixture
def live(server: tuple[LiveServer, Database]) -> LiveHall:
    return seed_hall(*server)


def manager_token(live: LiveHall) -> str:
    """A bearer token of the hall's manager, logged in apart from the page."""
    response = live.api(
        "POST",
        "/auth/login",
        json={"staff_number": live.hall.manager_number, "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


PAGE_WAIT_MS = 20_000  # how long a page may take on a loaded machine (not a speed limit)


def open_manager_page(
    browser: Any,
    width: int = 1400,
    height: int = 900,
    locale: str = "en-US",
    permissions: tuple[str, ...] = (),
) -> Iterator[Page]:
    """A page in its own browser context; the test fails if the page's script raised."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    if permissions:
        context.grant_permissions(list(permissions))
    page = context.new_page()
    page.set_default_timeout(PAGE_WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def log_in(
    page: Page, live: LiveHall, lang: str, path: str = "/manager/", who: str | None = None
) -> None:
    """Log in on a manager page (the hall's manager unless `who`); the dashboard goes live."""
    page.goto(f"{live.url}{path}?lang={lang}")
    page.fill("#staff-number", who or live.hall.manager_number)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#page-view")).to_be_visible()
    if path == "/manager/":
        expect(page.locator("#live-state")).to_have_attribute("data-online", "true")


def pause_window_with_people_waiting_alerted(
    live: LiveHall, window_number: int, **pause: Any
) -> Any:
    """The hall alerts on a paused window from one person waiting; the window's clerk pauses it
    (`pause`: its reason and perhaps its minutes). Returns the pause's answer."""
    manager = manager_token(live)
    settings = live.api(
        "PUT", f"/manager/halls/{live.hall.id}/alert-settings", manager, json={"many_waiting": 1}
    )
    assert settings.status_code == 200, settings.text
    paused = live.api(
        "POST",
        f"/windows/{live.hall.windows[window_number]}/state",
        live.login(window_number),
        json={"change": "pause", **pause},
    )
    assert paused.status_code == 200, paused.text
    return paused
