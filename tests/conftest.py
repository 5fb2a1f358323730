"""Fixtures shared by the whole suite: a controllable clock, real SQLite and PostgreSQL databases,
a fresh app per test, and a demo-like hall built through the ORM."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hall_server.app import create_app
from hall_server.storage.database import Database
from hall_server.storage.models import Base
from tests.factories import PASSWORD, TestHall, build_hall

POSTGRES_URL = os.environ.get(
    "HALLQ_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
# Monday 30 November 2026, 09:00 in Shanghai: a working morning.
MONDAY_MORNING = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


class TestClock:
    """The time the app believes it is; tests move it on explicitly."""

    def __init__(self, start: datetime = MONDAY_MORNING) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "not available here"
        return str(error).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    problem = _postgres_reachable()
    if problem is None:
        return True
    if os.environ.get("CI"):
        pytest.fail(f"CI must have PostgreSQL at {POSTGRES_URL}: {problem}")
    pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); CI runs these")
    return False


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A private schema on the real PostgreSQL for one test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hallq.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on a SQLite file and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def database_with_tables(url: str) -> Iterator[Database]:
    """A Database at `url` with the models' tables, disposed afterwards."""
    db = Database(url)
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    yield from database_with_tables(sqlite_url)


@pytest.fixture
def any_database(database_url: str) -> Iterator[Database]:
    yield from database_with_tables(database_url)


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[Database]:
    yield from database_with_tables(postgres_url)


class EventLog:
    """Collects the live events a use case publishes after commit (the publisher's seam)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [event.name for event in self.events]


@pytest.fixture
def published(database: Database) -> EventLog:
    log = EventLog()
    database.publish = log
    return log


def make_app(url: str, clock: TestClock, **overrides: Any) -> Any:
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "IDENTITY_SECRET": "test-identity",
        "CREATE_TABLES": True,
        "CLOCK": clock,
        "ASYNC_MODE": "threading",
        "LOG_JSON": False,
        "RATELIMIT_ENABLED": False,
        # Forecasts made anew after every change, so a test reads exactly what the hall is;
        # tests/estimates checks the refresh interval itself.
        "FORECAST_REFRESH_SECONDS": 0.0,
        **overrides,
    }
    return create_app(config)


def app_on(url: str, clock: TestClock) -> Iterator[Any]:
    """The app on the database at `url`, its connections closed afterwards."""
    application = make_app(url, clock)
    yield application
    application.extensions["hallq_db"].dispose()


@pytest.fixture
def app(sqlite_url: str, clock: TestClock) -> Iterator[Any]:
    yield from app_on(sqlite_url, clock)


@pytest.fixture
def any_app(database_url: str, clock: TestClock) -> Iterator[Any]:
    """The app on a SQLite file and, in a second run, on PostgreSQL."""
    yield from app_on(database_url, clock)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def hall(app: Any, clock: TestClock) -> TestHall:
    """Two services (housing A, business B); window 1 serves both, window 2 housing only."""
    return build_hall(app.extensions["hallq_db"], clock())


def login_headers(client: Any, staff_number: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/login", json={"staff_number": staff_number, "password": password}
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


@contextmanager
def page_without_script_errors(
    browser: Any, timeout_ms: float, **context_options: Any
) -> Iterator[Any]:
    """A page in a browser context of its own; a script error on the page fails the test."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One Playwright and one Debian Chromium for the whole run: Playwright's sync API cannot
    be started twice in one process, so every browser test folder borrows this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
