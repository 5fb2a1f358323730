"""`hallq demo` as a new user runs it: it serves, its kiosks' tickets print (on simulated
printers, through a real print agent process per kiosk), stopping it stops the agents, and its
terminal keeps the pages and accounts readable (the event log goes to a file). It runs the
background jobs of `hallq serve` under their leases, handed back when it stops, and the demo
platform's results reach the webhook receiver inside the demo."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from hall_server.background.jobs import standard_jobs
from hall_server.config import DEFAULTS
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


@contextmanager
def running_demo(tmp_path: Path, port: int) -> Iterator[str]:
    """`hallq demo --fresh` on `port` with its files in tmp_path, stopped with Ctrl+C (SIGINT)
    at the end; yields its address. Its terminal is tmp_path / demo.log."""
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
        yield base
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl+C, as a user stops it
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
        log.close()


def test_a_ticket_taken_at_a_demo_kiosk_prints_and_the_agents_stop_with_the_demo(
    tmp_path: Path,
) -> None:
    port = free_port()
    with running_demo(tmp_path, port) as base:
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


def _read(database: Path, query: str, *parameters: object) -> list[tuple[object, ...]]:
    """A look into the running demo's SQLite file (its write-ahead log lets readers in)."""
    connection = sqlite3.connect(database)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


def test_the_demo_runs_the_serve_jobs_and_its_platform_gets_results_at_its_webhook(
    tmp_path: Path,
) -> None:
    port = free_port()
    database = tmp_path / "d.sqlite"
    with running_demo(tmp_path, port) as base:
        kiosk = {"Authorization": "Bearer d_demo-kiosk-1"}
        ((hall_id, window_id),) = _read(
            database,
            "SELECT halls.id, windows.id FROM halls JOIN windows ON windows.hall_id = halls.id"
            " WHERE halls.code = 'city-centre' AND windows.number = 1",
        )
        # Today's on-time booking (社会保障卡办理, served at window 1), as printed at start.
        ((code, appointment_id, service_id),) = _read(
            database,
            "SELECT booking_code, appointment_id, service_id FROM appointments"
            " WHERE appointment_id LIKE 'DEMO-%-A2' ORDER BY id DESC LIMIT 1",
        )
        # A visitor checks in with it at the kiosk; a clerk at window 1 serves the case.
        issued = requests.post(
            f"{base}/api/v1/halls/{hall_id}/tickets",
            json={"service_id": service_id, "booking_code": code},
            headers=kiosk,
            timeout=10,
        )
        assert issued.status_code == 201, issued.text
        ticket_id = issued.json()["id"]
        login = requests.post(
            f"{base}/api/v1/auth/login",
            json={"staff_number": "C1001", "password": "demo-clerk"},
            timeout=10,
        )
        clerk = {"Authorization": f"Bearer {login.json()['token']}"}
        window = f"{base}/api/v1/windows/{window_id}"
        for step, body in (
            ("take", None),
            ("call", {"ticket_id": ticket_id}),
            (f"tickets/{ticket_id}/start", None),
            (f"tickets/{ticket_id}/finish", {"outcome": "completed"}),
        ):
            answer = requests.post(f"{window}/{step}", json=body, headers=clerk, timeout=10)
            assert answer.status_code == 200, (step, answer.text)

        # The outbox job posts the case's outcome to the receiver in the demo within seconds.
        webhook = f"{base}/demo/platform-webhook"
        received: list[dict[str, object]] = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not received:
            got = requests.get(webhook, timeout=10).json()["received"]
            received = [
                entry
                for entry in got
                if entry["message"]["kind"] == "case.finished"
                and entry["message"]["data"].get("appointment_id") == appointment_id
            ]
            time.sleep(0.5)
        assert received, got
        headers = {name.lower() for name in received[0]["headers"]}  # type: ignore[union-attr]
        assert {"x-hallq-platform", "x-hallq-signature"} <= headers
        ((status,),) = _read(
            database,
            "SELECT status FROM outbox_messages WHERE kind = 'case.finished'"
            " AND json_extract(payload, '$.appointment_id') = ?",
            appointment_id,
        )
        assert status == "delivered"

        # Every job of `hallq serve` ran, each under its lease.
        jobs = {job.name for job in standard_jobs(DEFAULTS)}
        ran = {job for (job,) in _read(database, "SELECT DISTINCT job FROM background_runs")}
        assert ran == jobs
        held = _read(database, "SELECT name, holder FROM leases")
        assert {name for name, _holder in held} == jobs
        assert len({holder for _name, holder in held}) == 1

    # Stopped with Ctrl+C, the demo hands its leases back at once, as `hallq serve` does.
    now = datetime.now(UTC).replace(tzinfo=None)
    expiries = [
        datetime.fromisoformat(str(expires))
        for (expires,) in _read(database, "SELECT expires_at FROM leases")
    ]
    assert expiries and all(expires <= now for expires in expiries), (expiries, now)
    deadline = time.monotonic() + 10
    while _agents_of(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _agents_of(port) == []
    terminal = (tmp_path / "demo.log").read_text()
    assert re.search(rf"^  Webhook \(its results\) +{base}/demo/platform-webhook$", terminal, re.M)
    assert "open around the clock" in terminal
