"""A Redis restart interrupts live events only while Redis is away; boards then resync by seq.
(The test runs a redis-server of its own; the shared one is never stopped.)"""

from __future__ import annotations

import pytest
import requests

from hall_server.storage.database import Database
from hall_server.storage.models import Hall
from tests.live.hall_listener import HallListener
from tests.live.live_server import LiveHall, seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.own_redis import OwnRedis

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]


def test_boards_resync_after_redis_comes_back(
    pair_on_own_redis: list[ClusterServer], shared_database: Database, own_redis: OwnRedis
) -> None:
    a, b = pair_on_own_redis
    via_a = seed_hall(a, shared_database)
    via_b = LiveHall(b, via_a.hall, shared_database, requests.Session())
    with HallListener(b.url, {"hall_id": via_a.hall.id}) as board:
        board.wait_for_snapshots(1)
        via_a.issue()
        board.wait_for_seq(1)

        own_redis.stop()
        # Issuing goes on without Redis: the ticket is stored, only its live event is lost,
        # and the rate limit pauses instead of failing the request.
        while_away = [via_a.issue(), via_b.issue()]
        own_redis.start()

        def board_caught_up() -> bool:
            via_a.issue()
            with shared_database.reading() as session:
                seq = session.get(Hall, via_a.hall.id).event_seq
            return board.seq == seq

        # Each issue after the restart is a chance for the servers' subscribers to be back.
        wait_until(board_caught_up, "the board to follow the hall again", seconds=60, every=0.5)
        latest = board.snapshots[-1]

    assert [ticket["number"] for ticket in while_away] == ["A002", "A003"]
    assert board.gaps and board.gaps[0][0] == 2  # it noticed what it missed ...
    assert len(board.snapshots) >= 2  # ... and asked for a fresh picture
    assert latest["seq"] >= 3
    assert latest["total_waiting"] >= 3
