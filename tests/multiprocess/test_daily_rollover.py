"""The daily rollover closes the day before at each hall's local midnight, with live events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hall_server.background.jobs import JobContext, run_daily_rollover
from hall_server.background.lease import release, try_acquire
from hall_server.operations.daily_rollover import halls_due_for_rollover, roll_over_hall
from hall_server.operations.ticket_handling import call_next_ticket, start_ticket
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Hall, Ticket, TicketEvent
from tests.factories import build_hall

if TYPE_CHECKING:
    from tests.conftest import EventLog, TestClock
    from tests.factories import TestHall


def issue(database: Database, hall: TestHall, clock: TestClock, service: str = "housing") -> int:
    with database.transaction() as uow:
        view = issue_ticket(
            uow,
            hall.kiosk(),
            IssueRequest(hall_id=hall.id, service_id=hall.services[service]),
            clock(),
            identity_secret="test",
            public_base_url="http://hall.test",
        )
    return int(view["id"])


def call(database: Database, hall: TestHall, clock: TestClock, window: int) -> int:
    with database.transaction() as uow:
        view = call_next_ticket(uow, hall.clerk(window), hall.windows[window], clock())
    return int(view["id"])


def statuses(database: Database) -> dict[int, str]:
    with database.reading() as session:
        return dict(session.execute(select(Ticket.id, Ticket.status)).all())


def run_rollover(database: Database, clock: TestClock) -> dict[str, Any]:
    lease = try_acquire(database, "daily_rollover", "test", 30)
    assert lease is not None
    try:
        return run_daily_rollover(JobContext(database, lease, clock, {}))
    finally:
        release(database, lease)


def test_yesterdays_waiting_tickets_expire_after_local_midnight(
    database: Database, clock: TestClock, published: EventLog
) -> None:
    hall = build_hall(database, clock())
    waiting = [issue(database, hall, clock) for _ in range(3)]
    called = call(database, hall, clock, window=2)
    serving = call(database, hall, clock, window=1)
    with database.transaction() as uow:
        start_ticket(uow, hall.clerk(1), hall.windows[1], serving, clock())
    published.events.clear()

    clock.advance(hours=15, minutes=30)  # 00:30 the next day in Shanghai
    totals = run_rollover(database, clock)

    after = statuses(database)
    assert totals == {"halls": 1, "expired": 1, "no_show": 1, "left_open": 1}
    assert after[called] == "no_show"
    assert after[serving] == "serving"  # the clerk records its outcome
    assert [after[ticket] for ticket in waiting if ticket not in (called, serving)] == ["cancelled"]
    assert sorted(published.names()) == ["ticket.cancelled", "ticket.no_show"]
    seqs = [event.seq for event in published.events]
    with database.reading() as session:
        assert seqs == list(range(seqs[0], seqs[0] + 2))
        assert session.get(Hall, hall.id).event_seq == seqs[-1]
        actions = session.scalars(
            select(TicketEvent.action).where(
                TicketEvent.detail["by"].as_string() == "daily_rollover"
            )
        ).all()
        assert sorted(actions) == ["expired", "no_show"]


def test_nothing_is_closed_before_the_halls_own_midnight(
    database: Database, clock: TestClock, published: EventLog
) -> None:
    shanghai = build_hall(database, clock(), code="shanghai")
    urumqi = build_hall(database, clock(), code="urumqi", time_zone="Asia/Urumqi")
    issue(database, shanghai, clock)
    urumqi_ticket = issue(database, urumqi, clock)

    clock.advance(hours=15, minutes=30)  # 00:30 in Shanghai, still 22:30 in Urumqi
    with database.reading() as session:
        assert halls_due_for_rollover(session, clock()) == [shanghai.id]
    run_rollover(database, clock)

    assert statuses(database)[urumqi_ticket] == "waiting"


def test_todays_tickets_are_left_alone(database: Database, clock: TestClock) -> None:
    hall = build_hall(database, clock())
    ticket = issue(database, hall, clock)

    clock.advance(hours=3)
    totals = run_rollover(database, clock)

    assert totals["halls"] == 0
    assert statuses(database)[ticket] == "waiting"


def test_a_second_rollover_finds_nothing_to_do(
    database: Database, clock: TestClock, published: EventLog
) -> None:
    hall = build_hall(database, clock())
    issue(database, hall, clock)
    clock.advance(days=1)
    run_rollover(database, clock)
    published.events.clear()

    totals = run_rollover(database, clock)

    assert totals == {"halls": 0, "expired": 0, "no_show": 0, "left_open": 0}
    assert published.events == []


def test_a_long_queue_is_closed_in_batches(any_database: Database, clock: TestClock) -> None:
    hall = build_hall(any_database, clock())
    tickets = [issue(any_database, hall, clock) for _ in range(5)]
    clock.advance(days=1)

    with any_database.transaction() as uow:
        first = roll_over_hall(uow, hall.id, clock(), limit=3)
    with any_database.transaction() as uow:
        second = roll_over_hall(uow, hall.id, clock(), limit=3)

    assert (first["expired"], first["more"]) == (3, True)
    assert (second["expired"], second["more"]) == (2, False)
    assert {statuses(any_database)[ticket] for ticket in tickets} == {"cancelled"}
