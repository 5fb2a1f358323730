"""`print.pending`, on SQLite and on PostgreSQL: a connected print agent asks for the jobs it still
owes and gets what a reconnect would send (RESEND_WINDOW, tickets still waiting for their first
call); jobs left out are marked expired once; only a kiosk, and one not revoked, is answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hall_server.extensions import socketio
from hall_server.operations.print_jobs import RESEND_WINDOW
from hall_server.storage.models import Device
from tests import factories
from tests.conftest import login_headers
from tests.kiosk.print_job_hall import issue, stored


@pytest.fixture
def app(any_app: Any) -> Any:
    return any_app


@pytest.fixture
def hall(app: Any, clock: Any) -> factories.TestHall:
    return factories.build_hall(app.extensions["hallq_db"], clock())


def test_a_connected_agent_is_answered_the_jobs_a_reconnect_would_send(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    agent.get_received()  # the snapshot
    stale = issue(client, hall)  # its print.job was lost, and its visitor has gone
    clock.advance(seconds=RESEND_WINDOW.total_seconds() - 60)
    called, fresh = issue(client, hall), issue(client, hall)
    clerk = login_headers(client, hall.clerk_numbers[1])
    response = client.post(
        f"/api/v1/windows/{hall.windows[1]}/call", json={"ticket_id": called["id"]}, headers=clerk
    )
    assert response.status_code == 200, response.get_json()
    clock.advance(seconds=61)

    answer = agent.emit("print.pending", {}, callback=True)
    again = agent.emit("print.pending", {}, callback=True)
    agent.disconnect()

    assert answer["ok"] is True
    assert [job["job_id"] for job in answer["jobs"]] == [fresh["print_job"]["id"]]
    assert answer["jobs"][0] == fresh["print_job"]["payload"]
    assert again == answer  # asked again before it answered: the same job, printed once by it
    assert stored(app, fresh) == ("pending", None)
    assert stored(app, stale)[0] == "expired"
    assert stored(app, called) == ("expired", "not sent again: its ticket is called")


def test_only_a_kiosk_not_revoked_is_answered(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    issue(client, hall)
    staff = socketio.test_client(
        app, auth={"token": login_headers(client, hall.clerk_numbers[1])["Authorization"][7:]}
    )
    refused = staff.emit("print.pending", {}, callback=True)
    staff.disconnect()
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden_role"

    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    agent.get_received()
    with app.extensions["hallq_db"].transaction() as uow:
        uow.session.get(Device, hall.kiosk_id).revoked_at = clock() - timedelta(seconds=1)
    answer = agent.emit("print.pending", {}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "unauthorized"
    assert not agent.is_connected()  # as at any report of a revoked device
