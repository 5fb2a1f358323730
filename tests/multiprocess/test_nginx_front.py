"""deploy/nginx/hallq.conf in front of two processes: TLS, sticky Socket.IO sessions, and the
clients' own addresses for rate limits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from hall_server.storage.database import Database
from tests.factories import PASSWORD
from tests.live.live_server import migrate, private_postgres_schema, seed_hall
from tests.multiprocess.cluster import (
    ClusterServer,
    deployment_settings,
    flush_own_redis,
    running_cluster,
    wait_until,
)
from tests.multiprocess.nginx_proxy import (
    RunningNginx,
    check_config,
    main_config,
    nginx_binary,
    render_site,
    running_nginx,
)
from tests.multiprocess.routed_listener import RoutedListener

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]


@pytest.fixture(scope="module")
def nginx_installed() -> None:
    if nginx_binary() is None:
        message = "nginx is not installed (scripts/ensure-system-packages installs it)"
        if shutil.which("apt-get") is None:
            pytest.skip(message)
        pytest.fail(message)


@pytest.fixture(scope="module")
def front(
    nginx_installed: None,
    postgres_available: bool,
    redis_available: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningNginx, list[ClusterServer]]]:
    """nginx and two processes, shared by this module's tests (each seeds a hall of its own)."""
    directory = tmp_path_factory.mktemp("front")
    flush_own_redis()  # rate-limit counters of an earlier run
    with (
        private_postgres_schema("front") as url,
        running_cluster(
            migrated(url),
            directory / "servers",
            2,
            **deployment_settings(
                RATELIMIT_LOGIN_ADDRESS="3 per minute", RATELIMIT_ISSUE="4 per minute"
            ),
        ) as servers,
        running_nginx([server.port for server in servers], directory / "nginx") as nginx,
    ):
        yield nginx, servers


@pytest.fixture
def front_database(front: tuple[RunningNginx, list[ClusterServer]]) -> Iterator[Database]:
    database = Database(front[1][0].database_url)
    yield database
    database.dispose()


def migrated(url: str) -> str:
    migrate(url)
    return url


class FromAddress(HTTPAdapter):
    """Sends from one loopback address (127.0.0.2, ...), as a device of its own would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def test_the_example_site_passes_nginx_t(nginx_installed: None, tmp_path: Path) -> None:
    site = render_site([8001, 8002, 8003, 8004], 8080, 8443, tmp_path)

    checked = check_config(main_config(site, tmp_path))

    assert checked.returncode == 0, checked.stderr


def test_plain_http_is_sent_to_https(front: tuple[RunningNginx, list[ClusterServer]]) -> None:
    nginx, _ = front

    answer = requests.get(
        f"http://127.0.0.1:{nginx.http_port}/healthz", allow_redirects=False, timeout=10
    )

    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://")


def test_polling_clients_stick_to_their_process_and_spread_over_both(
    front: tuple[RunningNginx, list[ClusterServer]], front_database: Database
) -> None:
    """Long-polling sends many requests per session: each must reach the process holding it."""
    nginx, servers = front
    hall = seed_hall(servers[0], front_database)
    listeners: list[RoutedListener] = []
    try:
        for _ in range(16):
            listener = RoutedListener(
                nginx.url, {"hall_id": hall.hall.id}, nginx.session(), transports=("polling",)
            )
            listeners.append(listener.connect())
            listener.wait_for_snapshots(1)
        sids = {listener.sid for listener in listeners}
        wait_until(
            lambda: sids <= servers[0].connected_sids() | servers[1].connected_sids(),
            "every connection in the servers' logs",
        )
        on_each = [len(sids & server.connected_sids()) for server in servers]

        hall.issue()
        for listener in listeners:
            listener.wait_for_seq(1)
    finally:
        for listener in listeners:
            listener.disconnect()

    assert all(count > 0 for count in on_each), on_each
    assert all(listener.gaps == [] and listener.connects == 1 for listener in listeners)


def test_login_limits_count_each_client_address_not_nginxs(
    front: tuple[RunningNginx, list[ClusterServer]], front_database: Database
) -> None:
    nginx, servers = front
    hall = seed_hall(servers[0], front_database)
    body = {"staff_number": hall.hall.clerk_numbers[1], "password": PASSWORD}

    def logins(address: str, count: int) -> list[int]:
        session = nginx.session()
        session.mount("https://", FromAddress(address))
        return [
            session.post(f"{nginx.url}/api/v1/auth/login", json=body, timeout=10).status_code
            for _ in range(count)
        ]

    # 3 per minute, counted in Redis across both processes (nginx alternates between them).
    assert logins("127.0.0.2", 4) == [200, 200, 200, 429]
    assert logins("127.0.0.3", 1) == [200]


def test_the_issue_limit_is_counted_once_across_processes(
    front: tuple[RunningNginx, list[ClusterServer]], front_database: Database
) -> None:
    """With the limits in Redis a kiosk gets 4 tickets a minute in all, not 4 per process."""
    _, (a, b) = front
    hall = seed_hall(a, front_database)
    statuses = []
    for server in (a, b, a, b, a, b):
        answer = requests.post(
            f"{server.url}/api/v1/halls/{hall.hall.id}/tickets",
            headers={"Authorization": f"Bearer {hall.hall.kiosk_token}"},
            json={"service_id": hall.hall.services["housing"]},
            timeout=10,
        )
        statuses.append(answer.status_code)

    assert statuses == [201, 201, 201, 201, 429, 429]
