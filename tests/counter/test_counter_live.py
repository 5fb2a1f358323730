"""What the clerk's live connection hears: other windows, transfers to it, a manager's changes."""

from __future__ import annotations

from hall_server.extensions import socketio
from tests.conftest import login_headers


def _events(live, name):
    return [event["args"][0] for event in live.get_received() if event["name"] == name]


def test_clerk_connection_hears_other_windows_transfers_and_manager_changes(
    app, client, hall, counter1, counter2, issue
):
    token = counter1.headers["Authorization"].split()[1]
    live = socketio.test_client(app, auth={"token": token})
    assert live.is_connected()
    snapshot = _events(live, "snapshot")[0]
    assert snapshot["hall"]["id"] == hall.id

    ticket = issue()
    called = counter2.call_next()
    heard = _events(live, "ticket.called")
    assert heard[-1]["ticket"]["window"]["id"] == counter2.window

    counter2.ok(counter2.act(called["id"], "start"))
    counter2.ok(counter2.act(ticket["id"], "transfer", {"to_window_id": counter1.window}))
    transferred = _events(live, "ticket.transferred")[-1]
    assert transferred["ticket"]["target_window_id"] == counter1.window

    manager = login_headers(client, hall.manager_number)
    client.post(
        f"/api/v1/windows/{counter1.window}/state",
        json={"change": "pause", "reason": "meeting"},
        headers=manager,
    )
    changed = _events(live, "window.changed")[-1]
    assert changed["window"]["id"] == counter1.window
    assert changed["window"]["pause_reason"] == "meeting"
    live.disconnect()


def test_a_revoked_or_unknown_token_cannot_listen(app):
    live = socketio.test_client(app, auth={"token": "u_not-a-real-token"})
    assert not live.is_connected()
