"""A device a manager revokes while it is connected: its live connection is told at once
(`device.revoked`) and closed, the print agent stops with the reason instead of retrying for
ever, and a client that missed the message is disconnected at its next report."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import socketio

from hall_server.storage.models import Device
from tests.kiosk.conftest import HALLQ, ROOT, LiveKioskHall, wait_for

pytestmark = pytest.mark.live_server


def revoke(live: LiveKioskHall, device_id: int) -> None:
    manager = live.login(live.hall.manager_number)
    response = live.api("POST", f"/devices/{device_id}/revoke", manager)
    assert response.status_code == 200, response.text


def device_client(live: LiveKioskHall, token: str) -> tuple[socketio.Client, list[Any]]:
    heard: list[Any] = []
    client = socketio.Client(reconnection=False, handle_sigint=False)
    client.on("device.revoked", heard.append)
    client.connect(live.url, auth={"token": token}, transports=["websocket"])
    return client, heard


def test_a_connected_device_hears_it_was_revoked_and_cannot_come_back(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("revoked while connected")
    other_token, _ = live.new_kiosk("not revoked")
    client, heard = device_client(live, token)
    other, other_heard = device_client(live, other_token)
    try:
        revoke(live, device_id)
        wait_for(lambda: heard, "the revoked kiosk to hear it")
        assert heard == [{"device_id": device_id}]
        with pytest.raises(socketio.exceptions.ConnectionError):
            socketio.Client(reconnection=False).connect(
                live.url, auth={"token": token}, transports=["websocket"]
            )
        assert other.connected and other_heard == []
    finally:
        client.disconnect()
        other.disconnect()


def test_a_device_that_missed_the_message_is_disconnected_at_its_next_report(
    live_kiosk_hall: LiveKioskHall,
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("missed the revocation")
    client, heard = device_client(live, token)
    gone = threading.Event()
    client.on("disconnect", gone.set)
    try:
        # Revoked where no message is sent (as if it was lost on its way): only the database
        # knows. The device's next report ends its connection, and says why.
        with live.database.transaction() as uow:
            uow.session.get(Device, device_id).revoked_at = datetime.now(UTC)
        assert not gone.wait(1) and heard == []
        client.emit("device.health", {"printer_status": "ok"})
        assert gone.wait(10), "the server should close a revoked device's connection"
        assert heard == [{"device_id": device_id}]
    finally:
        client.disconnect()


def test_the_print_agent_stops_with_the_reason_when_its_kiosk_is_revoked(
    live_kiosk_hall: LiveKioskHall, tmp_path: Path
) -> None:
    live = live_kiosk_hall
    token, device_id = live.new_kiosk("agent revoked")
    log = tmp_path / "agent.log"
    with log.open("wb") as log_file:
        agent = subprocess.Popen(
            [str(HALLQ), "kiosk", "--server", live.url, "--token", token,
             "--printer", "dummy", "--verbose"],
            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: "connected to" in log.read_text(errors="replace"), "the agent to connect")
        revoke(live, device_id)
        assert agent.wait(timeout=30) == 2
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
    output = log.read_text(errors="replace")
    assert "revoked this kiosk's token" in output and "enrol the kiosk again" in output
