"""PostgreSQL going away (simulated by cutting a TCP proxy between the servers and the shared
PostgreSQL): requests fail with 503 "try again", nothing is half-written, and the servers
recover by themselves once it is back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import func, select

from hall_server.storage.database import Database
from hall_server.storage.models import DailyCounter, Hall, Ticket, TicketEvent
from tests.live.hall_listener import HallListener
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.tcp_proxy import CuttableProxy, through_proxy

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]


def everything_written(database: Database, hall_id: int) -> dict[str, Any]:
    with database.reading() as session:
        return {
            "tickets": session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.hall_id == hall_id)
            ),
            "history": session.scalar(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.hall_id == hall_id)
            ),
            "numbers": session.scalars(
                select(DailyCounter.last_sequence).where(DailyCounter.hall_id == hall_id)
            ).all(),
            "seq": session.get(Hall, hall_id).event_seq,
        }


def test_requests_fail_with_503_while_the_database_is_away_then_recover(
    cluster: Callable[..., list[ClusterServer]],
    shared_database: Database,
    shared_database_url: str,
    database_proxy: CuttableProxy,
) -> None:
    (server,) = cluster(
        1,
        database_url=through_proxy(shared_database_url, database_proxy),
        tracebacks_allowed=True,  # the outage is logged, with its traceback
    )
    hall = seed_hall(server, shared_database)  # seeded directly, not through the proxy
    clerk = hall.login(1)
    first = hall.issue()
    with HallListener(server.url, {"hall_id": hall.hall.id}) as board:
        board.wait_for_snapshots(1)
        before = everything_written(shared_database, hall.hall.id)

        database_proxy.cut()
        issue = hall.api(
            "POST",
            f"/halls/{hall.hall.id}/tickets",
            hall.hall.kiosk_token,
            json={"service_id": hall.hall.services["housing"]},
            headers={"Idempotency-Key": "kiosk-1-attempt-7"},
        )
        call = hall.window_action(clerk, 1, "call-next")
        board_read = hall.api("GET", f"/halls/{hall.hall.id}/board", hall.hall.board_token)
        during = everything_written(shared_database, hall.hall.id)

        database_proxy.restore()
        retried = wait_until(
            lambda: (
                (
                    answer := hall.api(
                        "POST",
                        f"/halls/{hall.hall.id}/tickets",
                        hall.hall.kiosk_token,
                        json={"service_id": hall.hall.services["housing"]},
                        headers={"Idempotency-Key": "kiosk-1-attempt-7"},
                    )
                ).status_code
                == 201
                and answer
            ),
            "the same request to succeed once the database is back",
        )
        called = hall.window_action(clerk, 1, "call-next")
        board.wait_for_seq(before["seq"] + 2)

    for answer in (issue, call, board_read):
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "service_unavailable"
        assert answer.headers["Retry-After"]
    assert during == before  # nothing half-written
    assert retried.json()["number"] == "A002"  # the failed attempt used up no number
    assert called.status_code == 200 and called.json()["id"] == first["id"]
    assert server.process is not None and server.starts == 1  # recovered without a restart
    assert [name for name, _ in board.applied] == ["ticket.issued", "ticket.called"]


def test_a_board_connecting_while_the_database_is_away_gets_in_once_it_is_back(
    cluster: Callable[..., list[ClusterServer]],
    shared_database: Database,
    shared_database_url: str,
    database_proxy: CuttableProxy,
) -> None:
    (server,) = cluster(
        1,
        database_url=through_proxy(shared_database_url, database_proxy),
        tracebacks_allowed=True,  # the outage is logged, with its traceback
    )
    hall = seed_hall(server, shared_database)
    hall.issue()

    database_proxy.cut()
    board = HallListener(server.url, {"hall_id": hall.hall.id})
    reasons: list[Any] = []
    board.client.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        board.connect()
    database_proxy.restore()
    wait_until(lambda: _connects(board), "the board to connect once the database is back")
    try:
        snapshot = board.wait_for_snapshots(1)
    finally:
        board.disconnect()

    # Refused at once with a reason (HallLive backs off and retries), not left to time out.
    assert "service_unavailable" in str(reasons[0])
    assert snapshot["seq"] == 1
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200


def _connects(board: HallListener) -> bool:
    try:
        board.connect()
        return True
    except socketio.exceptions.ConnectionError:
        return False
