"""Eight windows calling next at the same instant against a live server, on SQLite and on
PostgreSQL, under gevent and eventlet: no ticket is called twice and none is lost."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from hall_server.storage.models import Ticket, TicketEvent
from tests.live.hall_listener import HallListener
from tests.live.live_server import LiveHall

pytestmark = pytest.mark.live_server

WINDOWS = 8
ISSUED_BEFORE = 200  # waiting when the windows start
ISSUED_DURING = 100  # issued by two kiosks while the windows call
SERVICES = ("housing", "business")


@dataclass
class RaceLog:
    lock: threading.Lock = field(default_factory=threading.Lock)
    called: list[tuple[int, int]] = field(default_factory=list)  # (window number, ticket id)
    refusals: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def unexpected_answer(self, what: str, response: requests.Response) -> None:
        with self.lock:
            self.unexpected.append(f"{what}: {response.status_code} {response.text[:300]}")


def _post(session: requests.Session, url: str, token: str, **kwargs: Any) -> requests.Response:
    return session.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=60, **kwargs)


def _issue_many(live: LiveHall, count: int, offset: int = 0) -> list[int]:
    session = requests.Session()
    ids = []
    for index in range(count):
        service = SERVICES[(offset + index) % 2]
        response = _post(
            session,
            f"{live.url}/api/v1/halls/{live.hall.id}/tickets",
            live.hall.kiosk_token,
            json={"service_id": live.hall.services[service]},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _window_worker(
    live: LiveHall,
    number: int,
    token: str,
    start: threading.Barrier,
    issuing_done: threading.Event,
    log: RaceLog,
) -> Callable[[], None]:
    window = live.hall.windows[number]
    base = f"{live.url}/api/v1/windows/{window}"

    def run() -> None:
        session = requests.Session()
        start.wait()
        for _ in range(ISSUED_BEFORE + ISSUED_DURING + 200):  # bounded, whatever happens
            called = _post(session, f"{base}/call-next", token)
            if called.status_code == 409 and called.json()["error"]["code"] == "queue_empty":
                with log.lock:
                    log.refusals["queue_empty"] += 1
                if issuing_done.is_set():
                    return
                continue
            if called.status_code != 200:
                log.unexpected_answer(f"window {number} call-next", called)
                return
            ticket_id = called.json()["id"]
            with log.lock:
                log.called.append((number, ticket_id))
            for action, body in (("start", None), ("finish", {"outcome": "completed"})):
                answer = _post(session, f"{base}/tickets/{ticket_id}/{action}", token, json=body)
                if answer.status_code != 200:
                    log.unexpected_answer(f"window {number} {action} {ticket_id}", answer)
                    return
        log.unexpected.append(f"window {number} never saw an empty queue")

    return run


def test_eight_windows_calling_at_once_call_every_ticket_exactly_once(
    seed_live_hall: Callable[..., LiveHall],
) -> None:
    live = seed_live_hall({number: list(SERVICES) for number in range(1, WINDOWS + 1)})
    tokens = {number: live.login(number) for number in range(1, WINDOWS + 1)}
    issued = _issue_many(live, ISSUED_BEFORE)
    log = RaceLog()
    start = threading.Barrier(WINDOWS + 2)
    issuing_done = threading.Event()
    issued_during: list[list[int]] = [[], []]

    def kiosk(index: int) -> None:
        start.wait()
        issued_during[index] = _issue_many(live, ISSUED_DURING // 2, offset=index)

    with HallListener(live.url, {"hall_id": live.hall.id}) as board:
        board.wait_for_snapshots()
        workers = [
            threading.Thread(
                target=_window_worker(live, number, tokens[number], start, issuing_done, log)
            )
            for number in tokens
        ]
        kiosks = [threading.Thread(target=kiosk, args=(index,)) for index in (0, 1)]
        for thread in workers + kiosks:
            thread.start()
        for thread in kiosks:
            thread.join()
        issuing_done.set()
        for thread in workers:
            thread.join()
        every_ticket = issued + issued_during[0] + issued_during[1]
        final_seq = live.board()["seq"]
        board.wait_for_seq(final_seq)
        followed_seq, board_gaps = board.seq, len(board.gaps)

    assert log.unexpected == []
    called_ids = [ticket_id for _, ticket_id in log.called]
    assert len(called_ids) == len(set(called_ids)), "a ticket was called twice"
    assert sorted(called_ids) == sorted(every_ticket), "a ticket was lost or invented"
    assert len(every_ticket) == ISSUED_BEFORE + ISSUED_DURING
    assert log.refusals["queue_empty"] >= WINDOWS  # every window ended on a clean 409

    with live.database.reading() as session:
        statuses = Counter(
            session.scalars(select(Ticket.status).where(Ticket.hall_id == live.hall.id))
        )
        actions = Counter(
            session.execute(
                select(TicketEvent.ticket_id, TicketEvent.action).where(
                    TicketEvent.hall_id == live.hall.id
                )
            ).all()
        )
    assert statuses == {"finished": len(every_ticket)}
    for ticket_id in every_ticket:
        assert actions[(ticket_id, "called")] == 1, f"ticket {ticket_id} called twice"
        assert actions[(ticket_id, "finished")] == 1
    # issued, called, started, finished: four numbered events a ticket (alerts may add more).
    assert final_seq >= len(every_ticket) * 4
    # A board following the race ends at the last change (resyncing if events overtook).
    assert followed_seq == final_seq, f"{board_gaps} gaps"


def _race(count: int, send: Callable[[requests.Session], requests.Response]) -> list[Any]:
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def run(index: int) -> None:
        session = requests.Session()
        barrier.wait()
        answers[index] = send(session)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_one_issue_request_retried_at_once_issues_one_ticket(live_hall: LiveHall) -> None:
    url = f"{live_hall.url}/api/v1/halls/{live_hall.hall.id}/tickets"
    body = {"service_id": live_hall.hall.services["housing"]}
    headers = {
        "Authorization": f"Bearer {live_hall.hall.kiosk_token}",
        "Idempotency-Key": "kiosk-press-0001",
    }

    with HallListener(live_hall.url, {"hall_id": live_hall.hall.id}) as board:
        board.wait_for_snapshots()
        answers = _race(
            8, lambda session: session.post(url, json=body, headers=headers, timeout=60)
        )
        board.wait_for_seq(live_hall.board()["seq"])
        announced = board.messages("ticket.issued")

    assert [answer.status_code for answer in answers] == [201] * 8, [a.text for a in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 7
    with live_hall.database.reading() as session:
        tickets = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.hall_id == live_hall.hall.id)
        )
    assert tickets == 1
    # One announcement: the losers' transactions were rolled back before anything was sent.
    assert [message["ticket"]["id"] for message in announced] == [answers[0].json()["id"]]


def test_one_call_next_retried_at_once_calls_one_ticket(live_hall: LiveHall) -> None:
    first, _second = live_hall.issue(), live_hall.issue()
    token = live_hall.login(1)
    url = f"{live_hall.url}/api/v1/windows/{live_hall.hall.windows[1]}/call-next"

    answers = _race(
        8,
        lambda session: session.post(
            url,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "clerk-click-0001"},
            timeout=60,
        ),
    )

    assert [answer.status_code for answer in answers] == [200] * 8, [a.text for a in answers]
    assert {answer.json()["id"] for answer in answers} == {first["id"]}
    with live_hall.database.reading() as session:
        called = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.hall_id == live_hall.hall.id, Ticket.status == "called")
        )
    assert called == 1
