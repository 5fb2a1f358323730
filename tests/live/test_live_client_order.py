"""live_client.js (HallLive) in Chromium, against a real server that takes its events from Redis
the way several processes share them: an event that overtakes the one before it is held for a
moment and both are applied in order, without a resync; a gap that persists still resyncs.

The out-of-order events are published to the server's Redis channel by this test, as another
server process would publish them, so the order the page sees them in is under the test's
control; the server passes them on to the page as it does any other process's events.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from hall_server.operations.live_events import hall_room
from hall_server.storage.database import Database
from tests.live.live_server import LiveHall, database_for, running_server, seed_hall
from tests.multiprocess.cluster import REDIS_URL, redis_problem

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

GAP_WAIT_MS = 250  # live_client.js's default gapWaitMs
WAIT_MS = 20_000  # how long the test waits for what must happen (not a speed limit)


@pytest.fixture(scope="module")
def redis_url() -> str:
    problem = redis_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Redis at {REDIS_URL}: {problem}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({problem}); CI runs these")
    return REDIS_URL


class RedisServer:
    """A `hallq serve` taking live events from Redis, a hall on it, and a publisher on the
    same channel standing in for another server process."""

    def __init__(self, hall: LiveHall, publisher: Any) -> None:
        self.hall = hall
        self.publisher = publisher

    def publish(self, seq: int) -> None:
        message = {"seq": seq, "hall_id": self.hall.hall.id, "ticket": {"id": -seq}}
        self.publisher.emit(
            "ticket.cancelled", message, room=hall_room(self.hall.hall.id), namespace="/"
        )


@pytest.fixture(scope="module")
def redis_server(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    directory: Path = tmp_path_factory.mktemp("live-client-order")
    channel = f"hallq-test-{uuid.uuid4().hex[:10]}"  # pub/sub channels span Redis databases
    with (
        database_for("sqlite", directory) as url,
        running_server(
            url, "gevent", directory, SOCKETIO_MESSAGE_QUEUE=redis_url, SOCKETIO_CHANNEL=channel
        ) as server,
    ):
        database = Database(url)
        try:
            hall = seed_hall(server, database)
            publisher = socketio.RedisManager(redis_url, channel=channel, write_only=True)
            yield RedisServer(hall, publisher)
        finally:
            database.dispose()


@pytest.fixture
def page(chromium_browser: Any, redis_server: RedisServer) -> Iterator[Any]:
    """A page of the server's origin running one HallLive on the hall, with a log of what it
    applied and of when events arrived and resyncs were asked."""
    context = chromium_browser.new_context()
    context.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{redis_server.hall.url}/healthz")
    page.add_script_tag(url="/shared/static/vendor/socket.io.min.js")
    page.add_script_tag(url="/shared/static/live_client.js")
    page.evaluate(
        """hallId => {
          window.applied = [];
          window.arrivals = {};
          window.resyncsAt = [];
          const live = new HallLive({url: location.origin, hallId: hallId});
          const resync = live.resync.bind(live);
          live.resync = () => { window.resyncsAt.push(performance.now()); resync(); };
          live.on("event", e => window.applied.push(e.message.seq));
          window.live = live.start();
          live.socket.onAny((name, message) => {
            if (message && typeof message.seq === "number") {
              window.arrivals[message.seq] = performance.now();
            }
          });
        }""",
        redis_server.hall.hall.id,
    )
    page.wait_for_function("window.live.seq !== null")
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def test_an_event_that_overtakes_the_one_before_it_is_applied_in_order_without_a_resync(
    page: Any, redis_server: RedisServer
) -> None:
    start = page.evaluate("window.live.seq")

    redis_server.publish(start + 2)  # came through a faster process
    redis_server.publish(start + 1)

    page.wait_for_function(f"window.live.seq === {start + 2}")
    page.wait_for_timeout(GAP_WAIT_MS * 3)  # long past the wait: nothing more happens
    stats = page.evaluate("window.live.stats")
    arrived = page.evaluate(f"[window.arrivals[{start + 1}], window.arrivals[{start + 2}]]")
    assert arrived[1] <= arrived[0]  # they did arrive the wrong way round
    assert page.evaluate("window.applied") == [start + 1, start + 2]
    assert (stats["resyncs"], stats["gaps"], stats["snapshots"]) == (0, 0, 1)
    assert stats["reordered"] == 1
    assert page.evaluate("window.resyncsAt") == []


def test_a_gap_that_persists_asks_for_a_resync_after_the_wait(
    page: Any, redis_server: RedisServer
) -> None:
    start = page.evaluate("window.live.seq")

    redis_server.publish(start + 2)  # start + 1 never comes

    page.wait_for_function("window.live.stats.snapshots === 2")
    stats = page.evaluate("window.live.stats")
    assert (stats["resyncs"], stats["gaps"]) == (1, 1)
    waited = page.evaluate(f"window.resyncsAt[0] - window.arrivals[{start + 2}]")
    assert waited >= GAP_WAIT_MS - 5  # timers never fire early (a little clock rounding aside)
    # The fresh snapshot is at the hall's real seq; the held event, newer, is applied after it.
    page.wait_for_function(f"window.live.seq === {start + 2}")
    assert page.evaluate("window.applied") == [start + 2]


def test_two_events_ahead_of_a_gap_wait_together_and_resync_once(
    page: Any, redis_server: RedisServer
) -> None:
    start = page.evaluate("window.live.seq")

    redis_server.publish(start + 3)
    redis_server.publish(start + 2)  # still missing start + 1

    page.wait_for_function("window.live.stats.snapshots === 2")
    page.wait_for_function(f"window.live.seq === {start + 3}")
    stats = page.evaluate("window.live.stats")
    assert (stats["resyncs"], stats["gaps"]) == (1, 1)
    assert page.evaluate("window.applied") == [start + 2, start + 3]
