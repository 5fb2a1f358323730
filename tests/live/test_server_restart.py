"""A server restart (same database, same port): tickets survive, clients come back by themselves
and resync from a fresh snapshot."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hall_server.storage.database import Database
from tests.live.conftest import COMBINATIONS
from tests.live.hall_listener import HallListener
from tests.live.live_server import LiveServer, seed_hall

pytestmark = pytest.mark.live_server


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_a_board_survives_a_server_restart_and_resyncs(
    live_server_factory: Callable[..., LiveServer],
    database_of: Callable[[LiveServer], Database],
    combination: tuple[str, str],
) -> None:
    async_mode, database = combination
    server = live_server_factory(async_mode, database)
    live = seed_hall(server, database_of(server))
    clerk = live.login(1)
    before = [live.issue(), live.issue("business"), live.issue()]
    called = live.window_action(clerk, 1, "call-next").json()

    with HallListener(live.url, {"hall_id": live.hall.id}) as board:
        first = board.wait_for_snapshots()
        assert first["seq"] >= 4

        server.restart()
        live.session.close()  # its pooled connections went with the old process

        second = board.wait_for_snapshots(2)  # the client reconnected by itself
        after = live.issue()
        board.wait_for_message("ticket.issued")
        applied = board.applied_tickets()

    assert board.disconnects >= 1 and board.connects == 2
    assert second["seq"] >= first["seq"]  # (a background job may have announced something)
    assert second["total_waiting"] == first["total_waiting"] == 2
    [window_one] = [w for w in second["windows"] if w["id"] == live.hall.windows[1]]
    assert window_one["current_ticket"]["id"] == called["id"]
    assert [(name, message["ticket"]["id"]) for name, message in applied] == [
        ("ticket.issued", after["id"])
    ]
    # The tickets are intact, and the clerk's login (a stored token) still works.
    for ticket in before:
        stored = live.api("GET", f"/tickets/{ticket['id']}", clerk)
        assert stored.status_code == 200, stored.text
        assert stored.json()["number"] == ticket["number"]
    assert live.api("GET", f"/tickets/{called['id']}", clerk).json()["status"] == "called"
    assert after["number"] == "A003"  # the day's numbering went on where it stopped
    assert server.starts == 2
    assert server.health["async_mode"] == async_mode
