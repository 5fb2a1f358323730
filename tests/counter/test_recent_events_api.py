"""The hall's recent events for the counter's feed after a reload: today's ticket events,
newest first, named as the live events were, with the hall's `seq` they are part of; read in
one statement on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import login_headers
from tests.counter.conftest import Counter
from tests.factories import build_hall


def kiosk_issue(client: Any, hall: Any, service: str = "housing") -> dict[str, Any]:
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_recent_events_are_todays_newest_first_with_the_seq_they_are_part_of(
    any_app: Any, clock: Any
) -> None:
    client = any_app.test_client()
    database = any_app.extensions["hallq_db"]
    hall = build_hall(database, clock())
    counter1 = Counter(client, hall, 1, login_headers(client, hall.clerk_numbers[1]))
    counter2 = Counter(client, hall, 2, login_headers(client, hall.clerk_numbers[2]))
    first = kiosk_issue(client, hall)
    clock.advance(seconds=5)
    kiosk_issue(client, hall, "business")
    clock.advance(seconds=5)
    counter1.call_next()
    clock.advance(seconds=5)
    counter1.ok(counter1.act(first["id"], "start"))
    clock.advance(seconds=5)
    counter1.ok(
        counter1.act(
            first["id"], "transfer", {"to_window_id": counter2.window, "reason": "材料需复核"}
        )
    )

    answer = counter1.ok(counter1.get(f"/halls/{hall.id}/recent-events"))
    board = client.get(f"/api/v1/halls/{hall.id}/board").get_json()
    assert answer["seq"] == board["seq"]
    lines = [
        (
            item["name"],
            item["ticket"]["number"],
            (item["ticket"]["window"] or {}).get("number"),
            item["ticket"]["service"]["name"],
            item["ticket"]["target_window_id"],
        )
        for item in answer["events"]
    ]
    assert lines == [
        ("ticket.transferred", "A001", None, "housing", counter2.window),
        ("ticket.started", "A001", 1, "housing", None),
        ("ticket.called", "A001", 1, "housing", None),
        ("ticket.issued", "B001", None, "business", None),
        ("ticket.issued", "A001", None, "housing", None),
    ]
    assert answer["events"][0]["at"] > answer["events"][1]["at"]
    assert "材料需复核" not in str(answer)  # the reason is never in a hall-wide view

    two = counter1.ok(counter1.get(f"/halls/{hall.id}/recent-events?limit=2"))
    assert [item["name"] for item in two["events"]] == ["ticket.transferred", "ticket.started"]
    assert counter1.get(f"/halls/{hall.id}/recent-events?limit=0").status_code == 422

    clock.advance(days=1)  # the hall's next day: yesterday's events are not today's
    counter1.headers = login_headers(client, hall.clerk_numbers[1])
    tomorrow = counter1.ok(counter1.get(f"/halls/{hall.id}/recent-events"))
    assert (tomorrow["seq"], tomorrow["events"]) == (answer["seq"], [])


def test_a_service_transfer_names_the_service_it_went_to_and_others_halls_are_refused(
    app: Any, client: Any, hall: Any, counter1: Counter, clock: Any
) -> None:
    ticket = kiosk_issue(client, hall)
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    counter1.ok(
        counter1.act(
            ticket["id"],
            "transfer",
            {"to_service_id": hall.services["business"], "reason": "另需办理"},
        )
    )
    latest = counter1.ok(counter1.get(f"/halls/{hall.id}/recent-events"))["events"][0]
    assert latest["name"] == "ticket.transferred"
    assert latest["ticket"]["service"]["name"] == "business"
    assert latest["ticket"]["target_window_id"] is None

    other = build_hall(app.extensions["hallq_db"], clock(), code="other")
    refused = counter1.get(f"/halls/{other.id}/recent-events")
    assert refused.status_code == 403
    stranger = app.test_client()  # no login, no session cookie
    assert stranger.get(f"/api/v1/halls/{hall.id}/recent-events").status_code == 401


def test_recent_events_are_one_statement(any_app: Any, clock: Any) -> None:
    """The events and the seq in one statement: of one moment, and one round trip."""
    client = any_app.test_client()
    database = any_app.extensions["hallq_db"]
    hall = build_hall(database, clock())
    counter1 = Counter(client, hall, 1, login_headers(client, hall.clerk_numbers[1]))
    kiosk_issue(client, hall)
    counter1.call_next()

    from hall_server.operations.counter_reads import recent_hall_events

    sent: list[str] = []

    def seen(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.reading() as session:
            answer = recent_hall_events(session, hall.clerk(1), hall.id, clock())
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert [item["name"] for item in answer["events"]] == ["ticket.called", "ticket.issued"]
    selects = [statement for statement in sent if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, sent
