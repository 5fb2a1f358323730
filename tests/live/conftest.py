"""Live-server fixtures: a real `hallq serve` process under eventlet or gevent, on SQLite or on
PostgreSQL, migrated by `hallq db upgrade` and seeded through tests/factories.build_hall.

Fixtures
--------
live_server
    A running server (tests/live/live_server.LiveServer: `.url`, `.port`, `.async_mode`,
    `.database_url`, `.health`, `.restart()`), parametrized over the four combinations
    gevent/eventlet x sqlite/postgres (ids `gevent-sqlite`, ... ). One process per combination
    and test module; the test fails if the server writes a traceback to stderr while it runs.
live_hall
    A fresh hall of its own on that server (tests/live/live_server.LiveHall: `.hall` is the
    TestHall of tests/factories, `.database` the in-process Database on the same URL, and HTTP
    helpers `.api()`, `.issue()`, `.login()`, `.window_action()`, `.serve_next()`, `.board()`).
seed_live_hall
    `seed(windows={1: ["housing", "business"], ...})` seeds another hall with the windows asked
    for (services housing/A and business/B) on the same server.
live_server_factory
    `start(async_mode="gevent", database="sqlite", **settings)` starts a server of its own for
    this test (e.g. to restart it); `settings` become HALLQ_<NAME> variables. Stopped with
    SIGTERM (then SIGKILL) at the end; a traceback on its stderr fails the test.

Reuse from another test folder (a browser test, say): re-export the fixtures in that folder's
conftest.py, e.g. `from tests.live.conftest import live_hall, live_server  # noqa: F401`, or use
the plain context managers in tests/live/live_server.py (`running_server`, `database_for`,
`seed_hall`) without pytest. The server runs on a random free port on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from hall_server.storage.database import Database
from tests.live.live_server import (
    LiveHall,
    LiveServer,
    database_for,
    running_server,
    seed_hall,
)

COMBINATIONS = [
    pytest.param(("gevent", "sqlite"), id="gevent-sqlite"),
    pytest.param(("gevent", "postgres"), id="gevent-postgres", marks=pytest.mark.postgres),
    pytest.param(("eventlet", "sqlite"), id="eventlet-sqlite"),
    pytest.param(("eventlet", "postgres"), id="eventlet-postgres", marks=pytest.mark.postgres),
]


def _require_database(request: pytest.FixtureRequest, kind: str) -> None:
    if kind == "postgres":
        # Skips with the reason outside CI when PostgreSQL is absent; fails the run in CI.
        request.getfixturevalue("postgres_available")


class _ModuleServer:
    def __init__(self, server: LiveServer, database: Database) -> None:
        self.server = server
        self.database = database


@pytest.fixture(scope="module", params=COMBINATIONS)
def _module_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_ModuleServer]:
    async_mode, kind = request.param
    _require_database(request, kind)
    directory = tmp_path_factory.mktemp(f"live-{async_mode}-{kind}")
    with (
        database_for(kind, directory) as url,
        running_server(url, async_mode, directory) as server,
    ):
        database = Database(url)
        try:
            yield _ModuleServer(server, database)
        finally:
            database.dispose()


def _check_stderr(server: LiveServer, since: int) -> None:
    failures = server.failures_in_stderr(since)
    if failures:
        pytest.fail(f"the server wrote a traceback to stderr during this test:\n{failures}")


@pytest.fixture
def live_server(_module_server: _ModuleServer) -> Iterator[LiveServer]:
    server = _module_server.server
    if server.process is None:  # a test before this one stopped it
        server.start()
    since = server.stderr_size()
    yield server
    _check_stderr(server, since)


@pytest.fixture
def live_hall(live_server: LiveServer, _module_server: _ModuleServer) -> LiveHall:
    return seed_hall(live_server, _module_server.database)


@pytest.fixture
def seed_live_hall(
    live_server: LiveServer, _module_server: _ModuleServer
) -> Callable[..., LiveHall]:
    """`seed(windows={number: [service names]})` builds another hall on the running server."""

    def seed(windows: dict[int, list[str]] | None = None) -> LiveHall:
        return seed_hall(live_server, _module_server.database, windows)

    return seed


@pytest.fixture
def live_server_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., LiveServer]]:
    with ExitStack() as started:

        def start(
            async_mode: str = "gevent", database: str = "sqlite", **settings: str
        ) -> LiveServer:
            _require_database(request, database)
            url = started.enter_context(database_for(database, tmp_path / "databases"))
            return started.enter_context(
                running_server(url, async_mode, tmp_path / "logs", **settings)
            )

        yield start


@pytest.fixture
def database_of() -> Iterator[Callable[[LiveServer], Database]]:
    """An in-process Database on a live server's URL (for seeding and for checking rows)."""
    opened: list[Database] = []

    def open_database(server: LiveServer) -> Database:
        opened.append(Database(server.database_url))
        return opened[-1]

    yield open_database
    for database in opened:
        database.dispose()
