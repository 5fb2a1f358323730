"""Fixtures for several server processes on one PostgreSQL and one Redis.

`shared_database` is a private PostgreSQL schema migrated with `hallq db upgrade`; `own_redis_db`
is this suite's Redis database (HALLQ_TEST_REDIS_URL, default db 9 on 127.0.0.1:6379), emptied
before and after each test and never anything else; `cluster` starts processes the way
deploy/ describes (tests/multiprocess/cluster.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hall_server.storage.database import Database
from tests.live.live_server import migrate, private_postgres_schema
from tests.multiprocess.cluster import (
    REDIS_URL,
    ClusterServer,
    deployment_settings,
    flush_own_redis,
    redis_problem,
    running_cluster,
)
from tests.multiprocess.own_redis import OwnRedis
from tests.multiprocess.tcp_proxy import CuttableProxy


@pytest.fixture(scope="session")
def redis_available() -> bool:
    problem = redis_problem()
    if problem is None:
        return True
    if os.environ.get("CI"):
        pytest.fail(f"CI must have Redis at {REDIS_URL}: {problem}")
    pytest.skip(f"Redis not reachable at {REDIS_URL} ({problem}); CI runs these")
    return False


@pytest.fixture
def own_redis_db(redis_available: bool) -> Iterator[str]:
    flush_own_redis()
    yield REDIS_URL
    flush_own_redis()


@pytest.fixture
def shared_database_url(postgres_available: bool) -> Iterator[str]:
    with private_postgres_schema("multi") as url:
        migrate(url)
        yield url


@pytest.fixture
def shared_database(shared_database_url: str) -> Iterator[Database]:
    database = Database(shared_database_url)
    yield database
    database.dispose()


@pytest.fixture
def cluster(
    shared_database_url: str, own_redis_db: str, tmp_path: Path
) -> Iterator[Callable[..., list[ClusterServer]]]:
    """`cluster(count=2, database_url=None, tracebacks_allowed=False, **settings)`: processes
    sharing the database and Redis; settings override the example env file's (names without
    HALLQ_). A traceback on a server's stderr fails the test, unless the test causes faults."""
    checked: list[tuple[ClusterServer, bool]] = []
    with ExitStack() as started:

        def start(
            count: int = 2,
            database_url: str | None = None,
            tracebacks_allowed: bool = False,
            **settings: str,
        ) -> list[ClusterServer]:
            servers = started.enter_context(
                running_cluster(
                    database_url or shared_database_url,
                    tmp_path / "servers",
                    count,
                    **deployment_settings(own_redis_db, **settings),
                )
            )
            checked.extend((server, tracebacks_allowed) for server in servers)
            return servers

        yield start
    for server, allowed in checked:
        failures = None if allowed else server.failures_in_stderr()
        if failures:
            pytest.fail(f"server {server.name} wrote a traceback to stderr:\n{failures[-4000:]}")


@pytest.fixture
def own_redis(redis_available: bool, tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server of the test's own, which it may stop and start (the shared one never is)."""
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def pair_on_own_redis(
    cluster: Callable[..., list[ClusterServer]], own_redis: OwnRedis
) -> list[ClusterServer]:
    """Two processes whose live events and rate limits go through `own_redis`."""
    return cluster(
        2,
        tracebacks_allowed=True,  # the rate limiter logs Redis being away, with a traceback
        SOCKETIO_MESSAGE_QUEUE=own_redis.url,
        RATELIMIT_STORAGE_URI=own_redis.url,
    )


@pytest.fixture
def database_proxy(shared_database_url: str) -> Iterator[CuttableProxy]:
    """A proxy in front of PostgreSQL that a test cuts and restores (tcp_proxy.through_proxy)."""
    target = make_url(shared_database_url)
    proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432).start()
    yield proxy
    proxy.stop()
