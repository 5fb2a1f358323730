"""What a kiosk's print agent is sent when it (re)connects, on SQLite and on PostgreSQL: only the
pending jobs a visitor may still be waiting for at the kiosk (a ticket waiting for its first
call, printed asked for within RESEND_WINDOW). The others are marked expired, with the reason,
and never print: not Friday's tickets on Monday, not a cancelled or called ticket."""

from __future__ import annotations

from typing import Any

import pytest

from hall_server.extensions import socketio
from hall_server.operations.daily_rollover import roll_over_hall
from hall_server.operations.print_jobs import RESEND_WINDOW
from tests import factories
from tests.conftest import login_headers
from tests.kiosk.print_job_hall import issue, stored


@pytest.fixture
def app(any_app: Any) -> Any:
    return any_app


@pytest.fixture
def hall(app: Any, clock: Any) -> factories.TestHall:
    return factories.build_hall(app.extensions["hallq_db"], clock())


TOO_OLD = "not sent again: asked for over 2 min before the kiosk reconnected"


def jobs_sent_on_connect(app: Any, hall: factories.TestHall) -> list[str]:
    """The print agent connects, as its kiosk: the ids of the print jobs it is sent."""
    kiosk = socketio.test_client(app, auth={"token": hall.kiosk_token})
    try:
        received = kiosk.get_received()
    finally:
        kiosk.disconnect()
    return [m["args"][0]["job_id"] for m in received if m["name"] == "print.job"]


def test_only_jobs_asked_for_within_the_resend_window_are_sent_again(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    stale = issue(client, hall)  # the printer was away; the visitor has gone
    clock.advance(seconds=RESEND_WINDOW.total_seconds() - 60)
    fresh = issue(client, hall)  # the visitor may still be at the kiosk
    clock.advance(seconds=61)  # `stale` is just past the window, `fresh` a minute inside it

    sent = jobs_sent_on_connect(app, hall)

    assert sent == [fresh["print_job"]["id"]]
    assert stored(app, stale) == ("expired", TOO_OLD)
    assert stored(app, fresh) == ("pending", None)  # until the agent answers


def test_a_job_retried_lately_counts_from_its_retry_not_its_issue(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    retried, forgotten = issue(client, hall), issue(client, hall)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    job_id = retried["print_job"]["id"]
    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    agent.emit("print.result", {"job_id": job_id, "result": "failed", "error": "paper_out"})
    agent.disconnect()
    clock.advance(minutes=5)  # staff refill the roll and print it for the visitor beside them
    assert client.post(f"/api/v1/print-jobs/{job_id}/retry", headers=kiosk).status_code == 200

    sent = jobs_sent_on_connect(app, hall)  # the agent blipped meanwhile

    assert sent == [job_id]
    assert stored(app, retried) == ("pending", "paper_out")
    assert stored(app, forgotten) == ("expired", TOO_OLD)


def test_jobs_of_tickets_no_longer_waiting_for_their_first_call_are_not_sent(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    cancelled, called, requeued, waiting = (issue(client, hall) for _ in range(4))

    def act(path: str, window_number: int = 1, **body: Any) -> None:
        clerk = login_headers(client, hall.clerk_numbers[window_number])
        response = client.post(f"/api/v1{path}", json=body or None, headers=clerk)
        assert response.status_code == 200, response.get_json()

    one, two = hall.windows[1], hall.windows[2]
    act(f"/tickets/{cancelled['id']}/cancel")
    act(f"/windows/{one}/call", ticket_id=called["id"])
    act(f"/windows/{two}/call", 2, ticket_id=requeued["id"])
    act(f"/windows/{two}/tickets/{requeued['id']}/no-show", 2)
    act(f"/tickets/{requeued['id']}/requeue", 2)  # waiting again, but met a clerk already

    sent = jobs_sent_on_connect(app, hall)

    assert sent == [waiting["print_job"]["id"]]
    assert stored(app, cancelled) == ("expired", "not sent again: its ticket is cancelled")
    assert stored(app, called) == ("expired", "not sent again: its ticket is called")
    assert stored(app, requeued) == ("expired", "not sent again: its ticket has been called")
    assert stored(app, waiting) == ("pending", None)


def test_tickets_of_days_ago_closed_by_the_rollover_do_not_print_next_morning(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    """The trial: test tickets taken on a Friday while no agent ran, printed on Monday."""
    friday = [issue(client, hall) for _ in range(3)]
    clock.advance(days=3)
    with app.extensions["hallq_db"].transaction() as uow:
        assert roll_over_hall(uow, hall.id, clock())["expired"] == 3
    monday = issue(client, hall)

    assert jobs_sent_on_connect(app, hall) == [monday["print_job"]["id"]]
    assert {stored(app, ticket) for ticket in friday} == {
        ("expired", "not sent again: its ticket is cancelled")
    }


def test_an_expired_job_stays_expired_and_is_not_sent_on_later_connects(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    ticket = issue(client, hall)
    job_id = ticket["print_job"]["id"]
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clock.advance(hours=1)
    assert jobs_sent_on_connect(app, hall) == []
    expired_at = clock()
    clock.advance(minutes=1)

    # The kiosk page gives it up, staff try to print it, a late answer arrives: none revives it.
    cancel = client.post(f"/api/v1/print-jobs/{job_id}/cancel", headers=kiosk)
    retry = client.post(f"/api/v1/print-jobs/{job_id}/retry", headers=kiosk)
    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    late = agent.emit("print.result", {"job_id": job_id, "result": "failed"}, callback=True)
    sent_again = [m for m in agent.get_received() if m["name"] == "print.job"]
    agent.disconnect()

    assert cancel.status_code == 200 and cancel.get_json()["status"] == "expired"
    assert retry.status_code == 409 and retry.get_json()["error"]["code"] == "invalid_transition"
    assert retry.get_json()["error"]["message"] == "已失效的打印任务不能重试"
    assert late["ok"] and late["job"]["status"] == "expired"
    assert sent_again == []
    job = client.get(f"/api/v1/print-jobs/{job_id}", headers=kiosk).get_json()
    assert (job["status"], job["error"], job["attempts"]) == ("expired", TOO_OLD, 0)
    assert job["updated_at"] == expired_at.isoformat()


def test_staff_cannot_print_again_the_ticket_of_a_visitor_already_called(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    ticket = issue(client, hall)
    job_id = ticket["print_job"]["id"]
    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    agent.emit("print.result", {"job_id": job_id, "result": "failed", "error": "paper_out"})
    agent.get_received()
    clerk = login_headers(client, hall.clerk_numbers[1])
    called = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)
    assert called.get_json()["id"] == ticket["id"]

    retry = client.post(f"/api/v1/print-jobs/{job_id}/retry", headers=clerk)
    english = client.post(
        f"/api/v1/print-jobs/{job_id}/retry", headers={**clerk, "Accept-Language": "en"}
    )
    resent = [m for m in agent.get_received() if m["name"] == "print.job"]
    agent.disconnect()

    number = ticket["number"]
    assert retry.status_code == 409
    assert retry.get_json()["error"]["message"] == f"{number} 号的状态为已呼叫，不在等候中"
    assert english.get_json()["error"]["message"] == f"ticket {number} is called, not waiting"
    assert resent == []
    assert stored(app, ticket) == ("failed", "paper_out")


def test_staff_cannot_print_again_a_ticket_waiting_again_after_a_no_show(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    ticket = issue(client, hall)
    job_id = ticket["print_job"]["id"]
    agent = socketio.test_client(app, auth={"token": hall.kiosk_token})
    agent.emit("print.result", {"job_id": job_id, "result": "failed", "error": "paper_out"})
    agent.disconnect()
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    client.post(f"/api/v1/windows/{window}/tickets/{ticket['id']}/no-show", headers=clerk)
    requeued = client.post(f"/api/v1/tickets/{ticket['id']}/requeue", headers=clerk)
    assert requeued.get_json()["status"] == "waiting"

    retry = client.post(f"/api/v1/print-jobs/{job_id}/retry", headers=clerk)

    assert retry.status_code == 409
    assert retry.get_json()["error"]["message"] == f"{ticket['number']} 号已被呼叫过，不再打印"
    assert stored(app, ticket) == ("failed", "paper_out")
