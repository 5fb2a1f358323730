"""Redis away (a redis-server of the test's own, stopped and started again): `/healthz` stays 200
and says the message queue is unreachable, then ok again; and the server's log says so once
when publishing and rate limiting start failing and once when they work again, instead of two
ERROR lines per event and a traceback per rate-limited request."""

from __future__ import annotations

import time

import pytest
import requests

from hall_server.storage.database import Database
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.own_redis import OwnRedis

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]

PUBLISHING = "publishing live events to Redis"
RATE_LIMITS = "rate limiting through Redis (requests pass unlimited meanwhile)"


def health(server: ClusterServer) -> tuple[int, dict]:
    answer = requests.get(f"{server.url}/healthz", timeout=10)
    return answer.status_code, answer.json()


def test_redis_away_is_logged_once_each_way_and_shown_by_healthz_without_failing_it(
    pair_on_own_redis: list[ClusterServer], shared_database: Database, own_redis: OwnRedis
) -> None:
    server, _other = pair_on_own_redis
    hall = seed_hall(server, shared_database)
    hall.issue()
    before = health(server)
    logged_before = server.stderr_size()

    own_redis.stop()
    while_away = [hall.issue()["number"] for _ in range(8)]  # each: a rate limit and events
    time.sleep(5.5)  # past the health check's kept answer
    away = health(server)
    own_redis.start()
    time.sleep(5.5)
    back = wait_until(
        lambda: (answer := health(server))[1]["message_queue"] == "ok" and answer,
        "healthz to see the message queue again",
    )
    # The next lines logged after the recheck interval find both faults over.
    wait_until(
        lambda: (
            hall.issue()
            and "works again" in server.stderr_text(logged_before)
            and server.stderr_text(logged_before).count("works again") >= 2
        ),
        "the log to say Redis works again",
        seconds=30,
        every=1.0,
    )
    written = server.stderr_text(logged_before)

    assert before == (200, before[1]) and before[1]["message_queue"] == "ok"
    assert away[0] == 200 and away[1]["message_queue"] == "unreachable", away
    assert away[1]["ok"] is True and away[1]["database"] == "ok"
    assert back[0] == 200
    assert while_away == ["A002", "A003", "A004", "A005", "A006", "A007", "A008", "A009"]
    lines = written.splitlines()
    assert all(line.startswith("{") for line in lines if line.strip()), written  # JSON lines
    assert "Cannot publish to redis" not in written
    assert "Cannot receive from redis" not in written
    assert "Swallowing error" not in written
    # The rate limiter's first failure only, its traceback a field of its one record.
    assert len([line for line in lines if "Traceback" in line]) == 1
    assert len([line for line in lines if f"{PUBLISHING} is failing" in line]) == 1
    assert len([line for line in lines if f"{RATE_LIMITS} is failing" in line]) == 1
    assert len([line for line in lines if f"{PUBLISHING} works again" in line]) == 1
    assert len([line for line in lines if f"{RATE_LIMITS} works again" in line]) == 1
