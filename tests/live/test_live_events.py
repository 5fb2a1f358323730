"""Live events through the real stack: a `hallq serve` process under gevent and eventlet, on
SQLite and PostgreSQL, and real python-socketio clients."""

from __future__ import annotations

import pytest
import socketio

from tests.factories import PASSWORD
from tests.live.hall_listener import HallListener
from tests.live.live_server import LiveHall, LiveServer

pytestmark = pytest.mark.live_server


def test_the_server_runs_under_the_async_mode_it_was_asked_for(live_server: LiveServer) -> None:
    assert live_server.health["async_mode"] == live_server.async_mode
    assert live_server.health["patched"] is True
    assert f"({live_server.async_mode})" in live_server.stderr_text()


def test_a_board_gets_a_snapshot_then_every_change_in_seq_order(live_hall: LiveHall) -> None:
    clerk = live_hall.login(1)
    with HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board:
        snapshot = board.wait_for_snapshots()
        assert snapshot["hall"]["id"] == live_hall.hall.id
        start = snapshot["seq"]
        issued = [live_hall.issue("housing"), live_hall.issue("business"), live_hall.issue()]
        served = live_hall.serve_next(clerk, 1)

        tickets = board.wait_for_applied_tickets(6)
        applied = list(board.applied)

    assert [name for name, _ in tickets] == [
        "ticket.issued",
        "ticket.issued",
        "ticket.issued",
        "ticket.called",
        "ticket.started",
        "ticket.finished",
    ]
    # Every event of the hall, ours and any a background job made, in seq order, no gap.
    assert [message["seq"] for _, message in applied] == list(
        range(start + 1, start + 1 + len(applied))
    )
    assert board.gaps == []
    assert all(message["hall_id"] == live_hall.hall.id for _, message in applied)
    assert [message["ticket"]["id"] for _, message in tickets[:3]] == [t["id"] for t in issued]
    assert {message["ticket"]["id"] for _, message in tickets[3:]} == {served["id"]}
    assert tickets[3][1]["ticket"]["window"]["id"] == live_hall.hall.windows[1]
    assert tickets[5][1]["ticket"]["outcome"] == "completed"


def test_the_snapshot_has_the_shape_of_the_board_endpoint(live_hall: LiveHall) -> None:
    live_hall.issue()
    with HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board:
        snapshot = board.wait_for_snapshots()
    board_over_http = live_hall.board()
    assert set(snapshot) == set(board_over_http) | {"pages_version"}
    assert len(snapshot["pages_version"]) == 12
    assert 1 <= snapshot["seq"] <= board_over_http["seq"]
    assert snapshot["total_waiting"] == board_over_http["total_waiting"] == 1


def test_a_dropped_connection_comes_back_with_a_fresh_snapshot(live_hall: LiveHall) -> None:
    board = HallListener(live_hall.url, {"hall_id": live_hall.hall.id}).connect()
    first = board.wait_for_snapshots()
    board.disconnect()

    missed = [live_hall.issue(), live_hall.issue()]

    board.connect()
    try:
        second = board.wait_for_snapshots(2)
        after = live_hall.issue()
        board.wait_for_message("ticket.issued")
    finally:
        board.disconnect()
    assert second["seq"] >= first["seq"] + len(missed)
    assert second["total_waiting"] == first["total_waiting"] + len(missed)
    # The events issued while away were never delivered: the snapshot brought them.
    assert [m["ticket"]["id"] for m in board.messages("ticket.issued")] == [after["id"]]
    assert board.applied_tickets()[-1][1]["ticket"]["id"] == after["id"]


def test_a_lost_event_shows_as_a_gap_and_resync_answers_with_a_snapshot(
    live_hall: LiveHall,
) -> None:
    with HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board:
        start = board.wait_for_snapshots()["seq"]
        board.lose_seqs = {start + 1}  # the network eats the next event

        live_hall.issue(), live_hall.issue()
        latest = live_hall.board()["seq"]

        resynced = board.wait_for_snapshots(2)
        board.wait_for_seq(latest)
        followed = board.seq
    assert len(board.gaps) == 1 and board.gaps[0][0] == start + 1
    assert resynced["seq"] >= start + 2
    # What the fresh snapshot holds is not applied again on top of it.
    assert all(message["seq"] > resynced["seq"] for _, message in board.applied)
    assert followed is not None and followed >= latest


def test_resync_is_acknowledged_and_answered_with_the_current_snapshot(
    live_hall: LiveHall,
) -> None:
    with HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board:
        board.wait_for_snapshots()
        live_hall.issue()
        board.wait_for_message("ticket.issued")
        answer = board.client.call("resync", {}, timeout=20)
        again = board.wait_for_snapshots(2)
    assert answer == {"ok": True}
    assert again["seq"] >= 1
    assert again["total_waiting"] == 1


@pytest.mark.parametrize(
    "auth",
    [
        {"token": "d_not-a-device-token"},
        {"token": "u_not-a-login-token"},
        {"token": "plainly wrong"},
        {"hall_id": 987654},
        {"hall_id": "1"},
        {},
    ],
    ids=["unknown-device", "unknown-login", "malformed", "no-such-hall", "hall-id-text", "none"],
)
def test_a_connection_without_a_valid_token_or_hall_is_refused(
    live_hall: LiveHall, auth: dict[str, object]
) -> None:
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_hall.url, auth=auth, transports=["websocket"], wait_timeout=20)
    client.disconnect()


@pytest.mark.parametrize(
    ("auth", "code"),
    [({"token": "d_not-a-device"}, "unauthorized"), ({"hall_id": 987654}, "not_found")],
)
def test_a_refused_connection_says_why_with_a_code_to_key_on(
    live_hall: LiveHall, auth: dict[str, object], code: str
) -> None:
    client = socketio.Client(reconnection=False)
    refusals: list[object] = []
    client.on("connect_error", lambda data: refusals.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_hall.url, auth=auth, transports=["websocket"], wait_timeout=20)
    client.disconnect()
    [refusal] = refusals
    assert isinstance(refusal, dict) and refusal["data"] == {"code": code}
    assert refusal["message"]  # in the connection's language (Chinese by default)


def test_a_revoked_device_token_is_refused_at_connect(live_hall: LiveHall) -> None:
    manager = live_hall.api(
        "POST",
        "/auth/login",
        json={"staff_number": live_hall.hall.manager_number, "password": PASSWORD},
    ).json()["token"]
    with HallListener(live_hall.url, {"token": live_hall.hall.board_token}) as board:
        assert board.wait_for_snapshots()["hall"]["id"] == live_hall.hall.id
    board_id = next(
        device["id"]
        for device in live_hall.api("GET", f"/halls/{live_hall.hall.id}/devices", manager).json()
        if device["kind"] == "board"
    )
    assert live_hall.api("POST", f"/devices/{board_id}/revoke", manager).status_code == 200

    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            live_hall.url,
            auth={"token": live_hall.hall.board_token},
            transports=["websocket"],
            wait_timeout=20,
        )
    client.disconnect()


def test_a_kiosk_gets_its_print_job_and_its_print_result_is_recorded(
    live_hall: LiveHall,
) -> None:
    with (
        HallListener(live_hall.url, {"token": live_hall.hall.kiosk_token}) as kiosk,
        HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board,
    ):
        kiosk.wait_for_snapshots()
        board.wait_for_snapshots()
        ticket = live_hall.issue()
        job = kiosk.wait_for_message("print.job")[0]
        answer = kiosk.client.call(
            "print.result",
            {"job_id": job["job_id"], "result": "printed", "error": None, "printer_status": "ok"},
            timeout=20,
        )
        board.wait_for_seq(1)
    assert job["job_id"] == ticket["print_job"]["id"]
    assert job["ticket_number"] == ticket["number"]
    assert answer["ok"] is True
    assert answer["job"]["status"] == "printed"
    stored = live_hall.api("GET", f"/print-jobs/{job['job_id']}", live_hall.hall.kiosk_token)
    assert stored.json()["status"] == "printed"
    assert stored.json()["attempts"] == 1
    # Print jobs go to the kiosk's own room only.
    assert "print.job" not in board.names()


def test_a_kiosk_that_reconnects_gets_the_print_jobs_it_never_answered(
    live_hall: LiveHall,
) -> None:
    ticket = live_hall.issue()  # no kiosk listening: the job waits
    with HallListener(live_hall.url, {"token": live_hall.hall.kiosk_token}) as kiosk:
        job = kiosk.wait_for_message("print.job")[0]
        assert kiosk.names()[:2] == ["snapshot", "print.job"]
        kiosk.client.call("print.result", {"job_id": job["job_id"], "result": "printed"})
    assert job["job_id"] == ticket["print_job"]["id"]
    with HallListener(live_hall.url, {"token": live_hall.hall.kiosk_token}) as kiosk:
        kiosk.wait_for_snapshots()
        live_hall.issue()  # a later job arrives; the printed one is not sent again
        later = kiosk.wait_for_message("print.job")
    assert job["job_id"] not in [found["job_id"] for found in later]


def test_no_event_or_snapshot_carries_a_ticket_status_token(live_hall: LiveHall) -> None:
    clerk = live_hall.login(1)
    with (
        HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board,
        HallListener(live_hall.url, {"token": clerk}) as counter,
    ):
        board.wait_for_snapshots()
        counter.wait_for_snapshots()
        tickets = [live_hall.issue(), live_hall.issue("business")]
        live_hall.serve_next(clerk, 1)
        board.client.call("resync", {}, timeout=20)
        board.wait_for_snapshots(2)
        board.wait_for_seq(5)
        counter.wait_for_seq(5)
    tokens = [ticket["status_url"].rsplit("/", 1)[1] for ticket in tickets]
    for listener in (board, counter):
        text = listener.text_received()
        assert "status_token" not in text
        assert "status_url" not in text
        assert "print_job" not in text
        for token in tokens:
            assert token not in text
