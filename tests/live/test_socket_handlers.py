"""The Socket.IO handlers in-process, through Flask-SocketIO's test client: what each event
answers, who may send it, and which room hears what."""

from __future__ import annotations

from typing import Any

import pytest

from hall_server.extensions import socketio
from hall_server.pages.pages_version import pages_version
from tests import factories
from tests.conftest import login_headers


def _received(listener: Any, name: str) -> list[Any]:
    return [message["args"][0] for message in listener.get_received() if message["name"] == name]


def _issue(client: Any, hall: factories.TestHall, token: str | None = None) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers={"Authorization": f"Bearer {token or hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_a_board_snapshot_matches_the_board_endpoint(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    _issue(client, hall)
    board = socketio.test_client(app, auth={"hall_id": hall.id})
    [snapshot] = _received(board, "snapshot")
    over_http = client.get(
        f"/api/v1/halls/{hall.id}/board", headers={"Authorization": f"Bearer {hall.board_token}"}
    ).get_json()
    # The live snapshot also says which pages the server hands out (screens reload on a change).
    assert snapshot.pop("pages_version") == pages_version()
    assert snapshot == over_http
    assert snapshot["seq"] == 1


def test_a_staff_token_listens_to_its_own_hall_without_naming_it(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    token = login_headers(client, hall.clerk_numbers[1])["Authorization"].split()[1]
    counter = socketio.test_client(app, auth={"token": token})
    assert counter.is_connected()
    [snapshot] = _received(counter, "snapshot")
    assert snapshot["hall"]["id"] == hall.id


@pytest.mark.parametrize(
    "auth", [None, {}, {"hall_id": 424242}, {"hall_id": None}, {"token": "d_nope"}, "text"]
)
def test_connecting_without_a_hall_or_a_good_token_is_refused(
    app: Any, hall: factories.TestHall, auth: Any
) -> None:
    listener = socketio.test_client(app, auth=auth)
    assert not listener.is_connected()


def test_resync_sends_a_fresh_snapshot_and_acknowledges(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    board = socketio.test_client(app, auth={"hall_id": hall.id})
    board.get_received()
    _issue(client, hall)
    [event] = _received(board, "ticket.issued")

    answer = board.emit("resync", {}, callback=True)

    assert answer == {"ok": True}
    [snapshot] = _received(board, "snapshot")
    assert snapshot["seq"] == event["seq"] == 1


def test_events_reach_every_listener_of_the_hall_and_no_other_hall(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    other = factories.build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    here = socketio.test_client(app, auth={"hall_id": hall.id})
    there = socketio.test_client(app, auth={"hall_id": other.id})
    here.get_received(), there.get_received()

    _issue(client, hall)

    assert [m["seq"] for m in _received(here, "ticket.issued")] == [1]
    assert there.get_received() == []


def test_a_kiosk_is_sent_its_print_job_but_a_board_is_not(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})
    board = socketio.test_client(app, auth={"token": hall.board_token})
    kiosk.get_received(), board.get_received()

    ticket = _issue(client, hall)

    names = [message["name"] for message in kiosk.get_received()]
    assert sorted(names) == ["print.job", "ticket.issued"]
    assert [message["name"] for message in board.get_received()] == ["ticket.issued"]
    assert ticket["print_job"]["status"] == "pending"


def test_pending_print_jobs_are_sent_again_after_the_snapshot_on_connect(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    first, second = _issue(client, hall), _issue(client, hall)
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})
    received = kiosk.get_received()
    assert [message["name"] for message in received] == ["snapshot", "print.job", "print.job"]
    assert [message["args"][0]["job_id"] for message in received[1:]] == [
        first["print_job"]["id"],
        second["print_job"]["id"],
    ]


def test_a_print_result_is_recorded_and_a_printer_change_is_announced(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    ticket = _issue(client, hall)
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})
    kiosk.get_received()
    job_id = ticket["print_job"]["id"]

    answer = kiosk.emit(
        "print.result",
        {"job_id": job_id, "result": "failed", "error": "paper out", "printer_status": "paper_out"},
        callback=True,
    )

    assert answer["ok"] is True
    assert answer["job"]["status"] == "failed"
    assert answer["job"]["error"] == "paper out"
    [changed] = _received(kiosk, "device.changed")
    assert changed["device"]["printer_status"] == "paper_out"
    assert changed["seq"] == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"result": "printed"}, "bad_request"),
        ("printed", "bad_request"),
        ({"job_id": "no-such-job", "result": "printed"}, "not_found"),
        ({"job_id": "{job}", "result": "exploded"}, "invalid_print_result"),
        (
            {"job_id": "{job}", "result": "printed", "printer_status": "on fire"},
            "invalid_printer_status",
        ),
    ],
)
def test_a_bad_print_result_is_refused_with_a_reason(
    app: Any, client: Any, hall: factories.TestHall, data: Any, code: str
) -> None:
    job_id = _issue(client, hall)["print_job"]["id"]
    if isinstance(data, dict) and data.get("job_id") == "{job}":
        data = {**data, "job_id": job_id}
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})

    answer = kiosk.emit("print.result", data, callback=True)

    assert answer["ok"] is False
    assert answer["error"]["code"] == code


@pytest.mark.parametrize("auth_kind", ["board-token", "hall-id-only", "clerk"])
def test_only_a_kiosk_may_report_print_results(
    app: Any, client: Any, hall: factories.TestHall, auth_kind: str
) -> None:
    job_id = _issue(client, hall)["print_job"]["id"]
    auth: dict[str, Any] = {
        "board-token": {"token": hall.board_token},
        "hall-id-only": {"hall_id": hall.id},
        "clerk": {
            "token": login_headers(client, hall.clerk_numbers[1])["Authorization"].split()[1]
        },
    }[auth_kind]
    listener = socketio.test_client(app, auth=auth)

    answer = listener.emit("print.result", {"job_id": job_id, "result": "printed"}, callback=True)

    assert answer["error"]["code"] == "forbidden_role"


def test_device_health_is_for_devices_only(app: Any, hall: factories.TestHall) -> None:
    anonymous = socketio.test_client(app, auth={"hall_id": hall.id})
    board = socketio.test_client(app, auth={"token": hall.board_token})

    refused = anonymous.emit("device.health", {"printer_status": "ok"}, callback=True)
    accepted = board.emit("device.health", {}, callback=True)

    assert refused["error"]["code"] == "forbidden_role"
    assert accepted == {"ok": True}


def test_window_changes_are_announced_to_the_hall(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    headers = login_headers(client, hall.clerk_numbers[2])
    board = socketio.test_client(app, auth={"hall_id": hall.id})
    board.get_received()

    response = client.post(
        f"/api/v1/windows/{hall.windows[2]}/state",
        json={"change": "pause", "reason": "break"},
        headers=headers,
    )

    assert response.status_code == 200, response.get_json()
    [changed] = _received(board, "window.changed")
    assert changed["window"]["id"] == hall.windows[2]
    assert changed["window"]["status"] == "paused"
    assert changed["seq"] == 1


def test_a_kiosk_hears_its_printer_as_the_server_sees_it_in_every_snapshot(
    app: Any, hall: factories.TestHall, clock: Any
) -> None:
    from hall_server.operations import print_jobs

    database = app.extensions["hallq_db"]
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, hall.kiosk(), "paper_out", clock())
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})
    [snapshot] = _received(kiosk, "snapshot")
    assert snapshot["device"] == {
        "id": hall.kiosk_id,
        "kind": "kiosk",
        "printer_status": "paper_out",
    }

    with database.transaction() as uow:  # a change this kiosk missed while away
        print_jobs.report_device_health(uow, hall.kiosk(), "ok", clock())
    kiosk.get_received()
    assert kiosk.emit("resync", callback=True) == {"ok": True}
    [snapshot] = _received(kiosk, "snapshot")
    assert snapshot["device"]["printer_status"] == "ok"
    board = socketio.test_client(app, auth={"hall_id": hall.id})
    assert "device" not in _received(board, "snapshot")[0]


def test_a_refusal_is_worded_in_chinese_unless_the_client_asked_for_english(
    app: Any, hall: factories.TestHall
) -> None:
    default = socketio.test_client(app, auth={"hall_id": hall.id})
    english = socketio.test_client(app, auth={"hall_id": hall.id}, query_string="lang=en")

    in_chinese = default.emit("device.health", {"printer_status": "ok"}, callback=True)
    in_english = english.emit("device.health", {"printer_status": "ok"}, callback=True)

    assert in_chinese["error"] == {"code": "forbidden_role", "message": "仅限设备使用"}
    assert in_english["error"] == {"code": "forbidden_role", "message": "devices only"}
