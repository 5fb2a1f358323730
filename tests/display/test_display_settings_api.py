"""Managers set what each board shows (and the hall's defaults); boards read their settings
with their own token and are told live when they change. Screens' pages check their token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from hall_server.extensions import socketio
from hall_server.storage import migrations
from hall_server.storage.database import Database
from tests import conftest, factories
from tests.conftest import login_headers, make_app
from tests.factories import build_hall


def board_id(client: Any, hall: factories.TestHall) -> int:
    response = client.get(
        "/api/v1/devices/self/settings", headers={"Authorization": f"Bearer {hall.board_token}"}
    )
    assert response.status_code == 200, response.get_json()
    return int(response.get_json()["device_id"])


def test_a_manager_sets_a_boards_services_and_layout_and_the_board_reads_them(
    client: Any, hall: factories.TestHall
) -> None:
    manager = login_headers(client, hall.manager_number)
    device_id = board_id(client, hall)

    response = client.put(
        f"/api/v1/devices/{device_id}/settings",
        headers=manager,
        json={
            "title": "二楼",
            "service_ids": [hall.services["business"]],
            "columns": 3,
            "panels": ["latest", "waiting"],
            "voice": {"volume": 0.4},
        },
    )

    assert response.status_code == 200, response.get_json()
    effective = response.get_json()["effective_settings"]
    assert effective["service_ids"] == [hall.services["business"]]
    assert effective["columns"] == 3 and effective["panels"] == ["latest", "waiting"]
    # What was not set comes from the defaults, also inside the voice settings.
    assert effective["voice"] == {"enabled": True, "volume": 0.4, "english": False, "chime": True}
    assert effective["numbers_only"] is False
    as_board = client.get(
        "/api/v1/devices/self/settings", headers={"Authorization": f"Bearer {hall.board_token}"}
    ).get_json()
    assert as_board["effective_settings"] == effective
    assert (
        client.get(f"/api/v1/devices/{device_id}/settings", headers=manager).get_json()["settings"][
            "title"
        ]
        == "二楼"
    )


def test_the_board_is_told_live_when_its_settings_or_the_halls_change(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    manager = login_headers(client, hall.manager_number)
    device_id = board_id(client, hall)
    board = socketio.test_client(app, auth={"token": hall.board_token})
    board.get_received()  # the snapshot

    client.put(f"/api/v1/devices/{device_id}/settings", headers=manager, json={"columns": 1})
    client.put(
        f"/api/v1/halls/{hall.id}/display-settings", headers=manager, json={"numbers_only": True}
    )

    received = [(m["name"], m["args"][0]) for m in board.get_received()]
    names = [name for name, _ in received]
    assert names == ["device.changed", "hall.changed"]
    device_changed, hall_changed = received[0][1], received[1][1]
    assert device_changed["device"]["id"] == device_id
    assert device_changed["device"]["settings"] == {"columns": 1}
    assert hall_changed["display_settings"] == {"numbers_only": True}
    assert hall_changed["seq"] == device_changed["seq"] + 1
    board.disconnect()


def test_a_halls_numbers_only_wins_over_a_board_that_would_show_names(
    client: Any, hall: factories.TestHall
) -> None:
    manager = login_headers(client, hall.manager_number)
    device_id = board_id(client, hall)
    client.put(
        f"/api/v1/halls/{hall.id}/display-settings",
        headers=manager,
        json={"numbers_only": True, "english": False},
    )

    view = client.put(
        f"/api/v1/devices/{device_id}/settings",
        headers=manager,
        json={"numbers_only": False, "english": True},
    ).get_json()

    assert view["effective_settings"]["numbers_only"] is True  # privacy: the hall decides
    assert view["effective_settings"]["english"] is True  # a board may add English
    assert view["hall_settings"] == {"numbers_only": True, "english": False}


def test_only_managers_of_the_hall_change_screens(
    app: Any, client: Any, hall: factories.TestHall, clock: conftest.TestClock
) -> None:
    device_id = board_id(client, hall)
    clerk = login_headers(client, hall.clerk_numbers[1])
    other_hall = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    stranger = login_headers(client, other_hall.manager_number)

    by_clerk = client.put(f"/api/v1/devices/{device_id}/settings", headers=clerk, json={})
    by_stranger = client.put(f"/api/v1/devices/{device_id}/settings", headers=stranger, json={})
    by_board = client.put(
        f"/api/v1/devices/{device_id}/settings",
        headers={"Authorization": f"Bearer {hall.board_token}"},
        json={},
    )
    hall_by_clerk = client.put(
        f"/api/v1/halls/{hall.id}/display-settings", headers=clerk, json={"numbers_only": False}
    )

    assert (by_clerk.status_code, by_clerk.get_json()["error"]["code"]) == (403, "forbidden_role")
    assert (by_stranger.status_code, by_stranger.get_json()["error"]["code"]) == (
        403,
        "forbidden_hall",
    )
    assert by_board.status_code == 403
    assert hall_by_clerk.status_code == 403


def test_settings_that_make_no_sense_are_refused(
    app: Any, client: Any, hall: factories.TestHall, clock: conftest.TestClock
) -> None:
    manager = login_headers(client, hall.manager_number)
    device_id = board_id(client, hall)
    other_hall = build_hall(app.extensions["hallq_db"], clock(), code="elsewhere")

    def put(body: dict[str, Any], device: int = device_id) -> Any:
        return client.put(f"/api/v1/devices/{device}/settings", headers=manager, json=body)

    unknown_key = put({"colour": "red"})
    too_many_columns = put({"columns": 9})
    bad_panel = put({"panels": ["latest", "weather"]})
    loud = put({"voice": {"volume": 2}})
    foreign_service = put({"service_ids": [other_hall.services["housing"]]})
    kiosk = put({}, device=hall.kiosk_id)

    assert unknown_key.status_code == 422
    assert too_many_columns.status_code == 422
    assert bad_panel.status_code == 422
    assert loud.status_code == 422
    assert foreign_service.status_code == 404
    assert foreign_service.get_json()["error"]["field"] == "service_ids"
    assert (kiosk.status_code, kiosk.get_json()["error"]["code"]) == (422, "invalid_device_kind")


def test_a_screens_page_needs_its_own_kind_of_token(client: Any, hall: factories.TestHall) -> None:
    board = client.get(f"/board/?token={hall.board_token}")
    kiosk_on_board = client.get(f"/board/?token={hall.kiosk_token}")
    board_as_window_display = client.get(f"/window-display/?token={hall.board_token}")
    no_token = client.get("/board/")

    assert board.status_code == 200
    assert "HALLQ_DISPLAY" in board.get_data(as_text=True)
    for refused in (kiosk_on_board, board_as_window_display, no_token):
        assert refused.status_code == 403
        assert "本屏幕未登记" in refused.get_data(as_text=True)


def test_a_board_opened_on_an_english_browser_still_speaks_chinese_first(
    client: Any, hall: factories.TestHall
) -> None:
    page = client.get(
        f"/board/?token={hall.board_token}", headers={"Accept-Language": "en-US,en;q=0.9"}
    ).get_data(as_text=True)
    english = client.get(f"/board/?token={hall.board_token}&lang=en").get_data(as_text=True)

    assert '<html lang="zh-CN">' in page and "· 正在呼叫</title>" in page
    assert '<html lang="en">' in english and "· Now calling</title>" in english


def test_a_halls_own_recording_replaces_the_generated_clip(
    tmp_path: Path, sqlite_url: str, clock: conftest.TestClock
) -> None:
    recordings = tmp_path / "voice"
    (recordings / "zh").mkdir(parents=True)
    (recordings / "zh" / "qing.wav").write_bytes(b"RIFF-a-human-voice")
    app = make_app(sqlite_url, clock, VOICE_DIRECTORY=str(recordings))
    client = app.test_client()

    own = client.get("/display/voice/zh/qing.wav")
    generated = client.get("/display/voice/zh/hao.wav")
    outside = client.get("/display/voice/../pages.py")

    assert own.get_data() == b"RIFF-a-human-voice"
    assert generated.status_code == 200 and generated.get_data()[:4] == b"RIFF"
    assert generated.mimetype in ("audio/wav", "audio/x-wav", "audio/wave")
    assert outside.status_code == 404
    for response in (own, generated, outside):
        response.close()
    app.extensions["hallq_db"].dispose()


def test_the_migration_gives_halls_display_settings(database_url: str) -> None:
    migrations.upgrade(database_url)
    database = Database(database_url)
    try:
        columns = {c["name"]: c for c in inspect(database.engine).get_columns("halls")}
        assert "display_settings" in columns
        assert columns["display_settings"]["nullable"] is False
    finally:
        database.dispose()
