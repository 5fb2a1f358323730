"""A hall where far more wait than its windows can call in a few hours: the forecast reads only
the tickets its runs reach, and a ticket beyond its cut-off reads "over 2 hours" with everyone
ahead of it counted, on its status page, on the board and at the kiosk, on either database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hall_server.core.numbering import format_ticket_number, local_business_date
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.operations import wait_predictions
from hall_server.operations.forecast_inputs import forecast_inputs
from hall_server.storage.models import DailyCounter, Hall, Ticket
from tests.factories import build_hall

WAITING = 300  # at ten minutes a case, one window calls them in two days


@pytest.fixture
def long_queue_hall(any_app, clock):
    """Window 1 serves housing, 300 walk-ins waiting for it; window 2 serves business, three
    waiting; permits has no window."""
    database = any_app.extensions["hallq_db"]
    now = clock()
    hall = build_hall(
        database,
        now,
        services={"housing": "A", "business": "B", "permits": "C"},
        windows={1: ["housing"], 2: ["business"]},
    )
    today = local_business_date(now, "Asia/Shanghai")
    queues = {"housing": ("A", WAITING), "business": ("B", 3)}
    with database.transaction() as uow:
        for service, (prefix, count) in queues.items():
            for n in range(1, count + 1):
                queued = now - timedelta(seconds=count - n)
                uow.session.add(
                    Ticket(
                        hall_id=hall.id,
                        service_id=hall.services[service],
                        original_service_id=hall.services[service],
                        local_date=today,
                        sequence=n,
                        number=format_ticket_number(prefix, n),
                        visitor_class=VisitorClass.WALK_IN.value,
                        priority_rank=1,
                        status=TicketStatus.WAITING.value,
                        status_token=f"{service}-{n}",
                        issued_at=queued,
                        queue_key=queued,
                    )
                )
            uow.session.add(
                DailyCounter(hall_id=hall.id, prefix=prefix, local_date=today, last_sequence=count)
            )
    return hall


def test_the_forecast_reads_only_the_tickets_its_runs_reach(any_app, long_queue_hall, clock):
    with any_app.extensions["hallq_db"].reading() as session:
        hall = session.get(Hall, long_queue_hall.id)
        state, _handling, _services = forecast_inputs(session, hall, clock())

    housing = long_queue_hall.services["housing"]
    read = [head for head in state.waiting if head.service_id == housing]
    (tail,) = state.queue_tails
    assert 0 < len(read) < 100
    assert (tail.service_id, tail.count, tail.last_queue_key) == (
        housing,
        WAITING - len(read),
        clock(),
    )
    # The long queue is read from its start, the short one whole.
    assert sorted(head.queue_key for head in read) == [
        clock() - timedelta(seconds=WAITING - n) for n in range(1, len(read) + 1)
    ]
    assert len(state.waiting) == len(read) + 3


def test_a_ticket_beyond_the_cutoff_reads_over_two_hours_with_everyone_ahead_counted(
    any_app, long_queue_hall, monkeypatch
):
    client = any_app.test_client()
    read: list[int] = []  # tickets each forecast was given
    predict_hall = wait_predictions.predict_hall

    def counting(state, *args, **kwargs):
        read.append(len(state.waiting))
        return predict_hall(state, *args, **kwargs)

    monkeypatch.setattr(wait_predictions, "predict_hall", counting)

    far = client.get("/api/v1/ticket-status/housing-250").get_json()
    near = client.get("/api/v1/ticket-status/housing-2").get_json()

    assert far["estimated_wait"]["over_limit"] is True
    assert far["people_ahead"] == 249
    assert near["estimated_wait"]["over_limit"] is False and near["people_ahead"] == 1
    # One forecast, of the tickets its runs reach: the 250th was not even read.
    assert len(read) == 1 and read[0] < 100

    board = client.get(f"/api/v1/halls/{long_queue_hall.id}/board").get_json()
    wait_for = {row["service_id"]: row["estimated_wait_for_new_ticket"] for row in board["waiting"]}
    assert wait_for[long_queue_hall.services["housing"]]["over_limit"] is True
    assert wait_for[long_queue_hall.services["business"]]["over_limit"] is False
    assert wait_for[long_queue_hall.services["permits"]] is None

    issued = client.post(
        f"/api/v1/halls/{long_queue_hall.id}/tickets",
        json={"service_id": long_queue_hall.services["housing"]},
        headers={"Authorization": f"Bearer {long_queue_hall.kiosk_token}"},
    ).get_json()
    assert issued["estimated_wait"]["over_limit"] is True
    assert issued["people_ahead"] == WAITING
    assert issued["print_job"]["payload"]["wait_kind"] == "over_limit"
