"""A kiosk's reports (`device.health`, `print.result`) and a `resync` while PostgreSQL is out of
reach (a real TCP proxy between the server and PostgreSQL, cut): answered at once with
`service_unavailable` and a reason in the client's language, as `print.pending` is, not left
to time out; the server logs one JSON line for each, not a traceback over many lines; and the
print agent logs the server's reason."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import pytest

from hall_server.storage.database import Database
from hardware.ticket_printer import TicketPrinter
from kiosk.print_agent import PrintAgent
from tests.live.hall_listener import HallListener
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.tcp_proxy import CuttableProxy, through_proxy

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]

UNAVAILABLE_IN_CHINESE = "服务器暂时无法连接数据库，请稍后重试"


def test_device_reports_and_resync_are_answered_service_unavailable_on_one_log_line(
    cluster: Callable[..., list[ClusterServer]],
    shared_database: Database,
    shared_database_url: str,
    database_proxy: CuttableProxy,
) -> None:
    (server,) = cluster(
        1,
        database_url=through_proxy(shared_database_url, database_proxy),
        BACKGROUND_WORK="false",  # its jobs would log the outage too (with a traceback)
    )
    hall = seed_hall(server, shared_database)
    kiosk = HallListener(server.url, {"token": hall.hall.kiosk_token})
    with kiosk:
        kiosk.wait_for_snapshots(1)
        logged_before = server.stderr_size()
        database_proxy.cut()
        answers = {}
        for event, data in (
            ("device.health", {"printer_status": "ok"}),
            ("print.result", {"job_id": "job-1", "result": "printed"}),
            ("resync", {}),
        ):
            started = time.monotonic()
            answers[event] = (kiosk.client.call(event, data, timeout=8), time.monotonic() - started)
        database_proxy.restore()
        healthy = wait_until(
            lambda: (
                (answer := kiosk.client.call("device.health", {"printer_status": "ok"})).get("ok")
                and answer
            ),
            "device.health to be recorded once the database is back",
        )

    for event, (answer, seconds) in answers.items():
        assert answer == {
            "ok": False,
            "error": {"code": "service_unavailable", "message": UNAVAILABLE_IN_CHINESE},
        }, event
        assert seconds < 5, event  # answered, not waited out
    assert healthy == {"ok": True}
    written = server.stderr_text(logged_before)
    lines = [line for line in written.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), written  # HALLQ_LOG_JSON
    records = [json.loads(line) for line in lines]
    unavailable = [r["message"] for r in records if "database unavailable" in r["message"]]
    assert [message.split(":")[0] for message in unavailable] == [
        "device.health",
        "print.result",
        "resync",
    ], unavailable
    assert server.failures_in_stderr(logged_before) is None, written


def test_the_print_agent_logs_the_servers_reason_for_refusing_its_report(
    cluster: Callable[..., list[ClusterServer]],
    shared_database: Database,
    shared_database_url: str,
    database_proxy: CuttableProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (server,) = cluster(
        1,
        database_url=through_proxy(shared_database_url, database_proxy),
        BACKGROUND_WORK="false",  # its jobs would log the outage too (with a traceback)
    )
    hall = seed_hall(server, shared_database)
    caplog.set_level(logging.INFO, logger="kiosk.print_agent")
    agent = PrintAgent(
        server.url, hall.hall.kiosk_token, TicketPrinter.from_spec("simulated"), health_interval=1.0
    ).start()
    try:
        assert agent.connected.wait(20)
        database_proxy.cut()
        refused = wait_until(
            lambda: [
                record.getMessage()
                for record in caplog.records
                if record.getMessage().startswith("server refused device.health")
            ],
            "the agent to log the server's refusal",
            seconds=8,  # within the agent's answer timeout (10 s): answered, not waited out
        )
        not_sent = [m for r in caplog.records if (m := r.getMessage()).startswith("could not send")]
    finally:
        database_proxy.restore()
        agent.stop()

    # The agent's connection asks for English (its log is for whoever keeps the kiosk).
    assert refused[0] == (
        "server refused device.health: service_unavailable: "
        "the server cannot reach its database; retry shortly"
    )
    assert not_sent == []
