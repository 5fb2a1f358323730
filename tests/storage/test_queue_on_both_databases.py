"""The use cases on a real SQLite file and a real PostgreSQL: numbering, order, seq, side paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from hall_server.core.refusals import Refused
from hall_server.operations import queue_reads, ticket_handling, window_operations
from hall_server.operations.queue_reads import people_ahead
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.models import Hall, Ticket
from tests.factories import build_hall

MONDAY_0900_SHANGHAI = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def issue(db, hall, service="housing", now=MONDAY_0900_SHANGHAI, **extra):
    # A kiosk issues walk-ins; the hall's staff give a ticket another class.
    walk_in = extra.get("visitor_class", "walk_in") == "walk_in"
    with db.transaction() as uow:
        return issue_ticket(
            uow,
            hall.kiosk() if walk_in else hall.manager(),
            IssueRequest(hall_id=hall.id, service_id=hall.services[service], **extra),
            now,
            "secret",
            "http://hall",
        )


def act(db, use_case, *args):
    with db.transaction() as uow:
        return use_case(uow, *args)


def call_in_turn(db, hall, times, now):
    """Window 1 calls next `times` times, each called visitor failing to come (a no-show)."""
    called = []
    for _ in range(times):
        ticket = act(db, ticket_handling.call_next_ticket, hall.clerk(1), hall.windows[1], now)
        called.append(ticket["id"])
        act(db, ticket_handling.mark_no_show, hall.clerk(1), hall.windows[1], ticket["id"], now)
    return called


@pytest.fixture
def hall(any_database):
    return build_hall(any_database, MONDAY_0900_SHANGHAI)


def test_numbers_restart_at_local_midnight_and_never_repeat_within_a_day(any_database, hall):
    late_evening = datetime(2026, 11, 30, 15, 58, tzinfo=UTC)  # 23:58 in Shanghai
    after_midnight = datetime(2026, 11, 30, 16, 1, tzinfo=UTC)  # 00:01 on 1 December
    numbers = [issue(any_database, hall, now=late_evening)["number"] for _ in range(3)]
    numbers += [issue(any_database, hall, now=after_midnight)["number"] for _ in range(2)]
    assert numbers == ["A001", "A002", "A003", "A001", "A002"]
    with any_database.reading() as session:
        days = sorted({t.local_date.isoformat() for t in session.scalars(select(Ticket))})
    assert days == ["2026-11-30", "2026-12-01"]  # history is kept across days


def test_services_sharing_a_prefix_share_one_sequence(any_database):
    hall = build_hall(
        any_database,
        MONDAY_0900_SHANGHAI,
        code="shared-prefix",
        services={"withdraw": "A", "loan": "A"},
        windows={1: ["withdraw", "loan"]},
    )
    numbers = [issue(any_database, hall, s)["number"] for s in ("withdraw", "loan", "withdraw")]
    assert numbers == ["A001", "A002", "A003"]


def test_window_calls_in_order_with_priority_lane_first(any_database, hall):
    first = issue(any_database, hall)
    second = issue(any_database, hall, now=MONDAY_0900_SHANGHAI + timedelta(minutes=1))
    elderly = issue(
        any_database,
        hall,
        now=MONDAY_0900_SHANGHAI + timedelta(minutes=2),
        visitor_class="priority",
    )
    called = call_in_turn(any_database, hall, 3, MONDAY_0900_SHANGHAI + timedelta(minutes=5))
    assert called == [elderly["id"], first["id"], second["id"]]


def test_every_change_raises_the_halls_seq_by_one(any_database, hall):
    events = []
    any_database.publish = events.append
    issue(any_database, hall)
    ticket = act(
        any_database,
        ticket_handling.call_next_ticket,
        hall.clerk(1),
        hall.windows[1],
        MONDAY_0900_SHANGHAI,
    )
    act(
        any_database,
        ticket_handling.start_ticket,
        hall.clerk(1),
        hall.windows[1],
        ticket["id"],
        MONDAY_0900_SHANGHAI,
    )
    hall_events = [event for event in events if hasattr(event, "seq")]
    seqs = [event.seq for event in hall_events]
    assert [e.name for e in events] == [
        "print.job",
        "ticket.issued",
        "ticket.called",
        "ticket.started",
    ]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    with any_database.reading() as session:
        assert session.get(Hall, hall.id).event_seq == seqs[-1]


def test_a_refused_action_publishes_nothing_and_keeps_seq(any_database, hall):
    ticket = issue(any_database, hall)
    events = []
    any_database.publish = events.append
    with any_database.reading() as session:
        seq_before = session.get(Hall, hall.id).event_seq
    with pytest.raises(Refused):
        act(
            any_database,
            ticket_handling.start_ticket,
            hall.clerk(1),
            hall.windows[1],
            ticket["id"],
            MONDAY_0900_SHANGHAI,
        )
    with any_database.reading() as session:
        assert session.get(Hall, hall.id).event_seq == seq_before
    assert events == []


def test_late_no_show_is_requeued_behind_three_waiting(any_database, hall):
    t0 = MONDAY_0900_SHANGHAI
    late = issue(any_database, hall, now=t0)
    others = [issue(any_database, hall, now=t0 + timedelta(minutes=i + 1))["id"] for i in range(5)]
    act(any_database, ticket_handling.call_next_ticket, hall.clerk(2), hall.windows[2], t0)
    act(any_database, ticket_handling.mark_no_show, hall.clerk(2), hall.windows[2], late["id"], t0)
    act(
        any_database,
        ticket_handling.requeue_late_arrival,
        hall.manager(),
        late["id"],
        t0 + timedelta(minutes=10),
    )

    order = []
    for _ in range(6):
        called = act(
            any_database,
            ticket_handling.call_next_ticket,
            hall.clerk(2),
            hall.windows[2],
            t0 + timedelta(minutes=20),
        )
        order.append(called["id"])
        act(
            any_database,
            ticket_handling.mark_no_show,
            hall.clerk(2),
            hall.windows[2],
            called["id"],
            t0 + timedelta(minutes=20),
        )
    assert order == others[:3] + [late["id"]] + others[3:]


def test_transfer_to_a_window_keeps_the_original_issue_time(any_database, hall):
    t0 = MONDAY_0900_SHANGHAI
    transferred = issue(any_database, hall, "business", now=t0)
    later = issue(any_database, hall, "housing", now=t0 + timedelta(minutes=5))
    act(any_database, ticket_handling.call_next_ticket, hall.clerk(1), hall.windows[1], t0)
    act(
        any_database,
        ticket_handling.start_ticket,
        hall.clerk(1),
        hall.windows[1],
        transferred["id"],
        t0,
    )
    moved = act(
        any_database,
        ticket_handling.transfer_ticket,
        hall.clerk(1),
        hall.windows[1],
        transferred["id"],
        t0 + timedelta(minutes=10),
        hall.services["housing"],
        hall.windows[2],
        "needs housing fund check",
    )
    assert moved["status"] == "waiting" and moved["issued_at"] == t0
    called = act(
        any_database,
        ticket_handling.call_next_ticket,
        hall.clerk(2),
        hall.windows[2],
        t0 + timedelta(minutes=11),
    )
    assert called["id"] == transferred["id"] != later["id"]


def test_paused_and_closed_windows_do_not_call(any_database, hall):
    issue(any_database, hall)
    act(
        any_database,
        window_operations.change_window_state,
        hall.clerk(1),
        hall.windows[1],
        "pause",
        MONDAY_0900_SHANGHAI,
        "break",
    )
    with pytest.raises(Refused) as refusal:
        act(
            any_database,
            ticket_handling.call_next_ticket,
            hall.clerk(1),
            hall.windows[1],
            MONDAY_0900_SHANGHAI,
        )
    assert refusal.value.code == "window_paused"
    act(
        any_database,
        window_operations.change_window_state,
        hall.clerk(1),
        hall.windows[1],
        "resume",
        MONDAY_0900_SHANGHAI,
        None,
    )
    ticket = act(
        any_database,
        ticket_handling.call_next_ticket,
        hall.clerk(1),
        hall.windows[1],
        MONDAY_0900_SHANGHAI,
    )
    with pytest.raises(Refused) as refusal:
        act(
            any_database,
            window_operations.change_window_state,
            hall.clerk(1),
            hall.windows[1],
            "close",
            MONDAY_0900_SHANGHAI,
            None,
        )
    assert refusal.value.code == "window_busy"
    assert ticket["status"] == "called"


def test_a_window_with_a_called_ticket_cannot_call_another(any_database, hall):
    issue(any_database, hall)
    issue(any_database, hall)
    act(
        any_database,
        ticket_handling.call_next_ticket,
        hall.clerk(1),
        hall.windows[1],
        MONDAY_0900_SHANGHAI,
    )
    with pytest.raises(Refused) as refusal:
        act(
            any_database,
            ticket_handling.call_next_ticket,
            hall.clerk(1),
            hall.windows[1],
            MONDAY_0900_SHANGHAI,
        )
    assert refusal.value.code == "window_busy"


def test_daily_quota_and_one_active_ticket_per_person(any_database):
    hall = build_hall(any_database, MONDAY_0900_SHANGHAI, code="quota", quotas={"housing": 2})
    issue(any_database, hall, id_number="11010519491231002X")
    with pytest.raises(Refused) as refusal:
        issue(any_database, hall, id_number="11010519491231002x")
    assert refusal.value.code == "already_holds_ticket"
    issue(any_database, hall)
    with pytest.raises(Refused) as refusal:
        issue(any_database, hall)
    assert refusal.value.code == "daily_quota_reached"
    with any_database.reading() as session:
        stored = [t.holder_hash for t in session.scalars(select(Ticket))]
    assert all(h is None or "11010519491231002X" not in h for h in stored)


def test_parked_case_is_resumed_at_its_window(any_database, hall):
    t0 = MONDAY_0900_SHANGHAI
    first = issue(any_database, hall)
    second = issue(any_database, hall)
    act(any_database, ticket_handling.call_next_ticket, hall.clerk(1), hall.windows[1], t0)
    act(any_database, ticket_handling.start_ticket, hall.clerk(1), hall.windows[1], first["id"], t0)
    act(any_database, ticket_handling.park_ticket, hall.clerk(1), hall.windows[1], first["id"], t0)
    other = act(any_database, ticket_handling.call_next_ticket, hall.clerk(1), hall.windows[1], t0)
    assert other["id"] == second["id"]
    with pytest.raises(Refused) as refusal:
        act(
            any_database,
            ticket_handling.resume_parked_ticket,
            hall.clerk(1),
            hall.windows[1],
            first["id"],
            t0,
        )
    assert refusal.value.code == "window_busy"
    act(
        any_database, ticket_handling.mark_no_show, hall.clerk(1), hall.windows[1], second["id"], t0
    )
    resumed = act(
        any_database,
        ticket_handling.resume_parked_ticket,
        hall.clerk(1),
        hall.windows[1],
        first["id"],
        t0,
    )
    assert resumed["status"] == "called"


def test_the_queue_heads_a_window_sees_are_the_same_on_both_databases(any_database):
    """The heads are read by one statement on SQLite and another on PostgreSQL (a lateral join
    over arrays): both give the first waiting ticket of every (service, visitor class) queue the
    window may call, in the window's order of services, then the classes' order."""
    hall = build_hall(
        any_database,
        MONDAY_0900_SHANGHAI,
        code="heads",
        services={"housing": "A", "business": "B", "tax": "C", "social": "D"},
        windows={1: ["tax", "housing", "business"], 2: ["housing"]},
    )
    window, other_window = hall.windows[1], hall.windows[2]
    layout = [  # (service, visitor class, minutes after opening, targeted at, status)
        ("housing", "walk_in", 3, None, "waiting"),
        ("housing", "walk_in", 1, other_window, "waiting"),  # earlier, but for window 2 only
        ("housing", "walk_in", 2, None, "called"),  # earlier, but not waiting
        ("housing", "priority", 8, window, "waiting"),  # for this window only: its head
        ("housing", "priority", 9, None, "waiting"),
        ("business", "appointment", 5, None, "waiting"),
        ("business", "appointment", 4, None, "waiting"),  # excluded below
        ("tax", "pre_reviewed", 7, None, "waiting"),
        ("social", "walk_in", 0, None, "waiting"),  # a service window 1 does not serve
    ]
    ids = {}
    with any_database.transaction() as uow:
        for sequence, (service, visitor_class, minutes, target, status) in enumerate(layout, 1):
            issued_at = MONDAY_0900_SHANGHAI + timedelta(minutes=minutes)
            ticket = Ticket(
                hall_id=hall.id,
                service_id=hall.services[service],
                original_service_id=hall.services[service],
                local_date=issued_at.date(),
                sequence=sequence,
                number=f"H{sequence:03d}",
                visitor_class=visitor_class,
                status=status,
                status_token=f"heads-{sequence}",
                issued_at=issued_at,
                queue_key=issued_at,
                target_window_id=target,
            )
            uow.session.add(ticket)
            uow.session.flush()
            ids[sequence] = ticket.id
    service_ids = tuple(hall.services[name] for name in ("tax", "housing", "business"))

    with any_database.reading() as session:
        heads = queue_reads.queue_heads(session, hall.id, service_ids, window, count_waiting=False)
        without_one = queue_reads.queue_heads(
            session, hall.id, service_ids, window, frozenset({ids[7]}), count_waiting=False
        )
        counted = queue_reads.queue_heads(session, hall.id, service_ids, window)

    assert [head.ticket_id for head in heads] == [ids[8], ids[1], ids[4], ids[7]]
    assert [head.ticket_id for head in without_one] == [ids[8], ids[1], ids[4], ids[6]]
    assert {head.ticket_id: head.waiting_count for head in counted} == {
        ids[8]: 1,
        ids[1]: 1,
        ids[4]: 2,
        ids[7]: 2,
    }


def test_tickets_of_one_queue_time_are_called_in_the_order_of_their_ids(any_database, hall):
    """Tickets share a queue time (booked visitors of one slot queue at the slot; two kiosks
    may issue in the same instant). Among equals a queue goes by id, as each visitor's "people
    ahead" counts, however the rows happen to lie. On PostgreSQL a row rewritten by an update
    of an indexed column lies after the others, and the index returned equals in that order."""
    ids = [issue(any_database, hall)["id"] for _ in range(3)]  # one queue time, MONDAY_0900
    for status in ("parked", "waiting"):  # the first ticket's row now lies last
        with any_database.transaction() as uow:
            uow.session.execute(update(Ticket).where(Ticket.id == ids[0]).values(status=status))
    with any_database.reading() as session:
        policy = queue_reads.policy_for(session.get(Hall, hall.id))
        ahead = [people_ahead(session, session.get(Ticket, id_), policy) for id_ in ids]
    assert ahead == [0, 1, 2]

    assert call_in_turn(any_database, hall, 3, MONDAY_0900_SHANGHAI) == ids


@pytest.mark.parametrize("policy_counts_queues", [False, True])
def test_a_window_serving_hundreds_of_services_calls_from_the_last_of_them(
    any_database, policy_counts_queues
):
    """A comprehensive window may serve every matter of a hall (hundreds): 4 queues a service
    passed SQLite's limit of 500 terms in one compound SELECT, and call-next failed."""
    services = {f"matter-{index}": "ABCDEFGH"[index % 8] for index in range(150)}
    hall = build_hall(
        any_database,
        MONDAY_0900_SHANGHAI,
        code="one-window-for-all",
        services=services,
        windows={1: list(services)},
    )
    if policy_counts_queues:
        with any_database.transaction() as uow:
            uow.session.get(Hall, hall.id).calling_policy = "due_time"
    first = issue(any_database, hall, "matter-0")
    waiting = issue(any_database, hall, "matter-149", visitor_class="pre_reviewed")
    with any_database.reading() as session:
        heads = queue_reads.queue_heads(
            session,
            hall.id,
            tuple(hall.services[name] for name in services),
            hall.windows[1],
            excluded_ids=frozenset({first["id"]}),  # as after a lost race for it
            count_waiting=policy_counts_queues,
        )
    assert [head.ticket_id for head in heads] == [waiting["id"]]
    called = call_in_turn(any_database, hall, 2, MONDAY_0900_SHANGHAI + timedelta(minutes=1))
    assert sorted(called) == sorted([first["id"], waiting["id"]])
