"""A connected print agent prints the jobs whose `print.job` message never reached it (with
several server processes and Redis away, a ticket issued through another process is stored but
its message is lost): it asks for what it owes every few seconds. A job that reaches it twice
before it has printed is printed once."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from hall_server.storage.models import PrintJob
from hardware.paper_profile import paper_profile
from hardware.simulated_printer import SimulatedPrinter
from hardware.ticket_printer import TicketPrinter
from kiosk.print_agent import PENDING_POLL_SECONDS, Backoff, PrintAgent
from tests.hardware.escpos_decoder import decode, printed_lines
from tests.kiosk.conftest import LiveKioskHall, wait_for

pytestmark = pytest.mark.live_server


def store_job_never_sent(live: LiveKioskHall, kiosk_id: int, ticket: dict[str, Any]) -> str:
    """A pending job for `ticket`, committed as issuing commits one, whose print.job message is
    never published (what another process does while Redis is away)."""
    job_id = uuid.uuid4().hex
    payload = {**ticket["print_job"]["payload"], "job_id": job_id}
    now = datetime.now(UTC)
    with live.database.transaction() as uow:
        uow.session.add(
            PrintJob(
                id=job_id,
                ticket_id=ticket["id"],
                device_id=kiosk_id,
                payload=payload,
                status="pending",
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
    return job_id


def test_a_job_whose_message_was_lost_prints_within_the_polling_interval(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("message lost")
    with live.print_agent(token) as running:
        ticket = live.issue(token, "公积金提取")  # delivered as usual
        running.result_for(ticket["print_job"]["id"])
        stored_at = time.monotonic()
        job_id = store_job_never_sent(live, kiosk_id, ticket)

        answer = wait_for(
            lambda: [r for r in running.results if r["job_id"] == job_id],
            "the agent to print the job it was never sent",
            seconds=PENDING_POLL_SECONDS * 2 + 5,
        )[0]
        took = time.monotonic() - stored_at
        wait_for(lambda: live.print_job(token, job_id)["status"] == "printed", "job printed")
        time.sleep(PENDING_POLL_SECONDS * 1.5)  # it asks again meanwhile: nothing more prints

    assert answer["result"] == "printed"
    assert took < PENDING_POLL_SECONDS + 5  # a job sent by print.job takes well under 1 s
    assert printed_lines(decode(running.simulated.received)).count(ticket["number"]) == 2
    assert [r["job_id"] for r in running.results].count(job_id) == 1


class SlowPrinter(SimulatedPrinter):
    """A simulated printer that takes `seconds` over each ticket."""

    seconds = PENDING_POLL_SECONDS + 1

    def _raw(self, msg: bytes) -> None:
        if b"\x1dV" in msg:  # a ticket (it ends with a cut), not a status query
            time.sleep(self.seconds)
        super()._raw(msg)


def test_a_job_sent_and_then_owed_before_it_printed_prints_once(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("slow printer")
    backend = SlowPrinter()
    results: list[dict[str, Any]] = []
    agent = PrintAgent(
        live.url,
        token,
        TicketPrinter(backend, paper_profile("80mm")),
        backoff=Backoff(first=0.1, longest=0.5),
        on_result=results.append,
    ).start()
    try:
        wait_for(lambda: agent.printer_status is not None, "the agent's first report")
        # The first ticket keeps the printer busy past the polling interval; the second, sent
        # meanwhile, waits its turn, and is still pending when the agent asks what it owes.
        first, second = live.issue(token, "公积金提取"), live.issue(token, "公积金提取")
        wait_for(
            lambda: {r["job_id"] for r in results} >= {first["print_job"]["id"],
                                                        second["print_job"]["id"]},
            "both tickets to print",
            seconds=4 * SlowPrinter.seconds,
        )  # fmt: skip
        time.sleep(PENDING_POLL_SECONDS + 1)
    finally:
        agent.stop()

    lines = printed_lines(decode(backend.received))
    assert lines.count(first["number"]) == 1
    assert lines.count(second["number"]) == 1
    assert len(results) == 2
