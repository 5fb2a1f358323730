"""The print agent outlives the server: started before it, and across a server restart, it
connects with back-off and goes on printing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.kiosk.conftest import (
    LiveKioskHall,
    free_port,
    prepare_kiosk_hall,
    run_server,
    wait_for,
)
from tests.kiosk.kiosk_hall import enrol_kiosk

pytestmark = pytest.mark.live_server


def test_agent_started_before_the_server_connects_and_reconnects_after_a_restart(
    tmp_path: Path,
) -> None:
    url, database, hall = prepare_kiosk_hall(tmp_path)
    token, _ = enrol_kiosk(database, hall, datetime.now(UTC), "reconnecting kiosk")
    port = free_port()
    live = LiveKioskHall(f"http://127.0.0.1:{port}", hall, database, tmp_path / "server.log")
    try:
        with live.print_agent_unconnected(token) as running:
            wait_for(lambda: running.agent.backoff.attempts >= 2, "two failed attempts")
            assert not running.agent.connected.is_set()

            with run_server(url, tmp_path, port, "first-server.log"):
                wait_for(running.agent.connected.is_set, "the agent to connect")
                first = live.issue(token, "公积金提取")
                assert running.result_for(first["print_job"]["id"])["result"] == "printed"
            wait_for(lambda: not running.agent.connected.is_set(), "the agent to notice")

            with run_server(url, tmp_path, port, "second-server.log"):
                wait_for(running.agent.connected.is_set, "the agent to reconnect")
                second = live.issue(token, "公积金提取")
                assert running.result_for(second["print_job"]["id"])["result"] == "printed"
    finally:
        database.dispose()

    assert running.simulated.tickets_cut == 2


def test_the_agent_tries_again_within_seconds_however_long_the_server_was_away() -> None:
    """While the agent is away no ticket prints: with tries up to 30 s apart, a server restarted
    in seconds waited half a minute for its agents and visitors were told "not printed"."""
    from kiosk.print_agent import Backoff

    backoff = Backoff()
    delays = [backoff.next_delay() for _ in range(50)]

    assert max(delays) <= 5.0
    assert delays[0] <= 0.5  # the first try again comes at once
    assert min(delays[10:]) >= 2.5  # jitter halves at most: a restarted hall is not knocked flat
