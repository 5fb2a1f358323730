"""The print agent against a real server: it receives the kiosk's jobs over the live connection,
prints them through a simulated ESC/POS printer (bytes read back by the decoder), answers, and
reports the printer's state; faults keep the ticket valid, and no job ever prints twice."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy import update

from hall_server.storage.models import PrintJob
from kiosk.print_agent import PrintedJobs
from tests.hardware.escpos_decoder import Cut, QrCode, decode, printed_lines
from tests.kiosk.conftest import HALLQ, ROOT, LiveKioskHall, wait_for

pytestmark = pytest.mark.live_server


@pytest.fixture
def manager_events(live_kiosk_hall: LiveKioskHall) -> Iterator[list[dict[str, Any]]]:
    """The `device.changed` events a hall manager's dashboard receives."""
    token = live_kiosk_hall.login(live_kiosk_hall.hall.manager_number)
    received: list[dict[str, Any]] = []
    client = socketio.Client(reconnection=False, handle_sigint=False)
    client.on("device.changed", received.append)
    client.connect(live_kiosk_hall.url, auth={"token": token}, transports=["websocket"])
    try:
        yield received
    finally:
        client.disconnect()


def printer_statuses(events: list[dict[str, Any]], device_id: int) -> list[str]:
    return [e["device"]["printer_status"] for e in events if e["device"]["id"] == device_id]


def test_agent_prints_the_kiosk_ticket_and_the_server_records_it_printed(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("prints")
    with live.print_agent(token) as running:
        ticket = live.issue(token, "公积金提取")
        job_id = ticket["print_job"]["id"]
        answer = running.result_for(job_id)
        wait_for(lambda: live.print_job(token, job_id)["status"] == "printed", "job printed")

    assert answer == {"job_id": job_id, "result": "printed", "error": None, "printer_status": "ok"}
    printout = decode(running.simulated.received)
    lines = printed_lines(printout)
    assert ticket["number"] in lines and "公积金提取" in lines and "市民中心" in lines
    assert [e.payload for e in printout if isinstance(e, QrCode)] == [ticket["status_url"]]
    assert sum(isinstance(e, Cut) for e in printout) == 1


def test_paper_out_fails_the_job_keeps_the_ticket_reaches_managers_and_retry_prints_once(
    live_kiosk_hall: LiveKioskHall, manager_events: list[dict[str, Any]]
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("paper out")
    with live.print_agent(token, "simulated:paper_out") as running:
        wait_for(
            lambda: "paper_out" in printer_statuses(manager_events, kiosk_id),
            "managers to hear the printer is out of paper",
        )
        ticket = live.issue(token, "公积金贷款")
        job_id = ticket["print_job"]["id"]
        failed = running.result_for(job_id)
        assert failed["result"] == "failed" and failed["printer_status"] == "paper_out"
        wait_for(lambda: live.print_job(token, job_id)["status"] == "failed", "job failed")
        status = live.api("GET", f"/ticket-status/{ticket['status_token']}").json()
        assert status["status"] == "waiting"  # the ticket stays valid
        assert running.simulated.tickets_cut == 0

        running.simulated.set_state("ok")  # the roll is refilled
        retried = live.api("POST", f"/print-jobs/{job_id}/retry", token)
        assert retried.status_code == 200, retried.text
        assert running.result_for(job_id, count=2)["result"] == "printed"
        job = wait_for(
            lambda: (job := live.print_job(token, job_id))["status"] == "printed" and job,
            "the retried job printed",
        )
        again = live.api("POST", f"/print-jobs/{job_id}/retry", token)

    assert job["attempts"] == 2
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert running.simulated.tickets_cut == 1
    assert printed_lines(decode(running.simulated.received)).count(ticket["number"]) == 1
    wait_for(lambda: printer_statuses(manager_events, kiosk_id)[-1] == "ok", "printer ok again")


def test_job_sent_again_after_a_lost_answer_is_confirmed_without_printing_twice(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("resend")
    with live.print_agent(token) as running:
        job_id = live.issue(token, "企业设立登记")["print_job"]["id"]
        running.result_for(job_id)
        wait_for(lambda: live.print_job(token, job_id)["status"] == "printed", "job printed")
        # The answer is lost on the way: the server still has the job pending, and sends it
        # again when the kiosk reconnects.
        with live.database.transaction() as uow:
            uow.session.execute(
                update(PrintJob).where(PrintJob.id == job_id).values(status="pending")
            )
        running.agent._client.disconnect()
        confirmed = running.result_for(job_id, count=2)
        wait_for(lambda: live.print_job(token, job_id)["status"] == "printed", "job confirmed")

    assert confirmed["result"] == "printed"
    assert running.simulated.tickets_cut == 1


def test_agent_coming_back_prints_only_the_ticket_a_visitor_may_still_wait_for(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    """Tickets taken while no agent ran used to come out in a burst when it started, days old
    ones first; now only the one taken moments ago prints, and the others are marked expired."""
    live = live_kiosk_hall
    token, _ = live.new_kiosk("comes back")
    days_ago, gave_up, just_now = (live.issue(token, "公积金提取") for _ in range(3))
    long_ago = datetime.now(UTC) - timedelta(days=3)
    with live.database.transaction() as uow:
        uow.session.execute(
            update(PrintJob)
            .where(PrintJob.id == days_ago["print_job"]["id"])
            .values(created_at=long_ago, updated_at=long_ago)
        )
    assert live.api("POST", f"/ticket-status/{gave_up['status_token']}/cancel").status_code == 200

    with live.print_agent(token) as running:
        assert running.result_for(just_now["print_job"]["id"])["result"] == "printed"
        left_out = [ticket["print_job"]["id"] for ticket in (days_ago, gave_up)]
        wait_for(
            lambda: [live.print_job(token, job)["status"] for job in left_out] == ["expired"] * 2,
            "the jobs left out marked expired",
        )

    assert [answer["job_id"] for answer in running.results] == [just_now["print_job"]["id"]]
    assert running.simulated.tickets_cut == 1
    lines = printed_lines(decode(running.simulated.received))
    assert just_now["number"] in lines
    assert days_ago["number"] not in lines and gave_up["number"] not in lines


def test_restarted_agent_remembers_printed_jobs_in_its_file(
    live_kiosk_hall: LiveKioskHall, tmp_path: Path
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("restart")
    remembered = tmp_path / "printed-jobs.json"
    with live.print_agent(token, printed=PrintedJobs(remembered)) as first:
        job_id = live.issue(token, "企业设立登记")["print_job"]["id"]
        first.result_for(job_id)
    with live.database.transaction() as uow:
        uow.session.execute(update(PrintJob).where(PrintJob.id == job_id).values(status="pending"))

    with live.print_agent(token, printed=PrintedJobs(remembered)) as second:
        assert second.result_for(job_id)["result"] == "printed"

    assert first.simulated.tickets_cut == 1
    assert second.simulated.tickets_cut == 0


def test_agent_keeps_printing_after_the_printer_was_offline(
    live_kiosk_hall: LiveKioskHall, manager_events: list[dict[str, Any]]
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("offline")
    with live.print_agent(token) as running:
        running.simulated.set_state("offline")  # the cable is pulled
        lost = live.issue(token, "社会保障卡办理")["print_job"]["id"]
        failed = running.result_for(lost)
        assert failed["result"] == "failed" and failed["printer_status"] == "offline"
        wait_for(lambda: "offline" in printer_statuses(manager_events, kiosk_id), "managers told")

        running.simulated.set_state("ok")  # plugged back in
        later = live.issue(token, "社会保障卡办理")
        assert running.result_for(later["print_job"]["id"])["result"] == "printed"

    assert printed_lines(decode(running.simulated.received)).count(later["number"]) == 1
    assert running.simulated.tickets_cut == 1


def test_hallq_kiosk_process_prints_to_a_file_printer(
    live_kiosk_hall: LiveKioskHall, tmp_path: Path
) -> None:
    live = live_kiosk_hall
    token, _ = live.new_kiosk("process")
    output = tmp_path / "printer.bin"
    output.touch()
    log = tmp_path / "agent.log"
    with log.open("wb") as log_file:
        agent = subprocess.Popen(
            [str(HALLQ), "kiosk", "--server", live.url, "--token", token,
             "--printer", f"file:{output}", "--paper", "58mm", "--verbose"],
            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        ticket = live.issue(token, "公积金提取")
        job_id = ticket["print_job"]["id"]
        wait_for(
            lambda: live.print_job(token, job_id)["status"] == "printed",
            f"the agent process to print:\n{log.read_text(errors='replace')}",
        )
    finally:
        agent.terminate()
        agent.wait(timeout=20)

    printout = decode(output.read_bytes())
    assert ticket["number"] in printed_lines(printout)
    # A 58 mm printer's profile has no native QR code: the code is printed as an image.
    assert not [e for e in printout if isinstance(e, QrCode)]


def test_hallq_kiosk_stops_when_the_server_refuses_its_token(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    finished = subprocess.run(
        [str(HALLQ), "kiosk", "--server", live_kiosk_hall.url, "--token", "d_not-a-kiosk",
         "--printer", "dummy"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert finished.returncode == 2
    assert "refused" in finished.stderr and "token" in finished.stderr


def test_paper_running_out_between_visitors_reaches_the_managers(
    live_kiosk_hall: LiveKioskHall, manager_events: list[dict[str, Any]]
) -> None:
    live = live_kiosk_hall
    token, kiosk_id = live.new_kiosk("idle paper out")
    with live.print_agent(token, health_interval=1.0) as running:
        running.simulated.set_state("paper_out")  # no ticket is being printed
        wait_for(
            lambda: printer_statuses(manager_events, kiosk_id)[-1:] == ["paper_out"],
            "managers to hear the printer ran out of paper",
        )
        running.simulated.set_state("near_end")
        wait_for(
            lambda: printer_statuses(manager_events, kiosk_id)[-1:] == ["paper_near_end"],
            "managers to hear the paper was refilled (a nearly empty roll)",
        )
