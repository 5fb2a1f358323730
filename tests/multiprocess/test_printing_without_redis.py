"""Two server processes and Redis away: a kiosk ticket issued through the process its print agent
is not connected to is stored, but its `print.job` message cannot cross. The agent asks for the
jobs it owes every few seconds, so every ticket still prints, once, while Redis is away.
(The test runs a redis-server of its own; the shared one is never stopped.)"""

from __future__ import annotations

import time
from typing import Any

import pytest

from hall_server.storage.database import Database
from hardware.ticket_printer import TicketPrinter
from kiosk.print_agent import PENDING_POLL_SECONDS, Backoff, PrintAgent
from tests.hardware.escpos_decoder import decode, printed_lines
from tests.live.live_server import LiveHall, seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.own_redis import OwnRedis

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]


def test_every_kiosk_ticket_prints_once_while_redis_is_away(
    pair_on_own_redis: list[ClusterServer], shared_database: Database, own_redis: OwnRedis
) -> None:
    a, b = pair_on_own_redis
    via_a = seed_hall(a, shared_database)
    via_b = LiveHall(b, via_a.hall, shared_database)
    printer = TicketPrinter.from_spec("simulated")
    results: list[dict[str, Any]] = []
    agent = PrintAgent(
        a.url,
        via_a.hall.kiosk_token,
        printer,
        backoff=Backoff(first=0.1, longest=0.5),
        on_result=results.append,
    ).start()
    try:
        wait_until(lambda: agent.printer_status is not None, "the agent's first report")
        own_redis.stop()
        issued_at = time.monotonic()
        tickets = [via_b.issue(), via_a.issue(), via_b.issue()]
        job_ids = {ticket["print_job"]["id"] for ticket in tickets}
        wait_until(
            lambda: job_ids <= {r["job_id"] for r in results if r["result"] == "printed"},
            "every ticket issued while Redis is away to print",
            seconds=PENDING_POLL_SECONDS * 2 + 10,
        )
        took = time.monotonic() - issued_at
        time.sleep(PENDING_POLL_SECONDS + 1)  # asked again meanwhile: nothing prints twice
    finally:
        agent.stop()
        own_redis.start()

    lines = printed_lines(decode(printer.backend.received))
    assert [lines.count(ticket["number"]) for ticket in tickets] == [1, 1, 1]
    assert sorted(r["job_id"] for r in results) == sorted(job_ids)
    assert took < PENDING_POLL_SECONDS + 5
