"""`hallq demo` as a new user runs it: it serves, its kiosks' tickets print (on simulated
printers, through a real print agent process per kiosk), stopping it stops the agents, and its
terminal keeps the pages and accounts readable (the event log goes to a file)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.display.conftest import HALLQ, free_port

pytestmark = pytest.mark.live_server


def _agents_of(port: int) -> list[str]:
    found = subprocess.run(
        ["pgrep", "-f", f"kiosk --server http://127.0.0.1:{port} "],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()


def test_a_ticket_taken_at_a_demo_kiosk_prints_and_the_agents_stop_with_the_demo(
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(
        [
            str(HALLQ),
            "demo",
            "--fresh",
            "--port",
            str(port),
            "--database",
            str(tmp_path / "d.sqlite"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HALLQ_ASYNC_MODE": "gevent"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            pytest.fail((tmp_path / "demo.log").read_text())
        # The start page links the demo's devices with their tokens, and gives its accounts.
        start = requests.get(f"{base}/?lang=en", timeout=10).text
        assert 'href="/kiosk/?token=d_demo-kiosk-1"' in start
        assert 'href="/board/?token=d_demo-board"' in start
        assert "<code>demo-manager</code>" in start and "Hall manager" in start
        kiosk = {"Authorization": "Bearer d_demo-kiosk-1"}
        hall = requests.get(f"{base}/api/v1/halls", headers=kiosk, timeout=10).json()[0]
        service = requests.get(
            f"{base}/api/v1/halls/{hall['id']}/services", headers=kiosk, timeout=10
        ).json()[0]

        issued = requests.post(
            f"{base}/api/v1/halls/{hall['id']}/tickets",
            json={"service_id": service["id"]},
            headers=kiosk,
            timeout=10,
        )
        assert issued.status_code == 201, issued.text
        job_id = issued.json()["print_job"]["id"]

        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and status != "printed":
            job = requests.get(f"{base}/api/v1/print-jobs/{job_id}", headers=kiosk, timeout=10)
            status = job.json()["status"]
            time.sleep(0.3)
        assert status == "printed", job.json()
        assert len(_agents_of(port)) == 3  # the city's two kiosks and the township's
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl+C, as a user stops it
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
        log.close()
    deadline = time.monotonic() + 10
    while _agents_of(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _agents_of(port) == []

    terminal = (tmp_path / "demo.log").read_text()
    server_log = tmp_path / "demo-logs" / "server.log"
    assert str(server_log) in terminal
    assert " INFO hall_server" not in terminal
    assert "ticket.issued" in server_log.read_text()
    number = issued.json()["number"]
    agent_logs = "".join(log.read_text() for log in (tmp_path / "demo-logs").glob("print-agent-*"))
    assert f"printed: ticket {number}" in agent_logs  # a new user can see what printed
