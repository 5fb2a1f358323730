"""A process killed (SIGKILL) while kiosks issue and clerks call through nginx: no acknowledged
ticket is lost, none is called twice, and its boards reconnect to the other process and resync."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from hall_server.storage.database import Database
from hall_server.storage.models import Hall, Ticket, TicketEvent
from tests.factories import PASSWORD
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until
from tests.multiprocess.nginx_proxy import RunningNginx, nginx_binary, running_nginx
from tests.multiprocess.routed_listener import RoutedListener

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]
WINDOWS = {number: ["housing", "business"] for number in range(1, 5)}
TICKETS_PER_KIOSK = 30
LOAD_SECONDS = 60  # an upper bound for the whole load; it normally ends far sooner


@pytest.fixture
def front(
    cluster: Callable[..., list[ClusterServer]], tmp_path: Path
) -> Iterator[tuple[RunningNginx, list[ClusterServer]]]:
    if nginx_binary() is None:
        pytest.fail("nginx is not installed (scripts/ensure-system-packages installs it)")
    servers = cluster(2)
    with running_nginx([server.port for server in servers], tmp_path / "nginx") as nginx:
        yield nginx, servers


@dataclass
class Load:
    """What the kiosks and clerks were told, and what went wrong on the way."""

    acknowledged: list[int] = field(default_factory=list)  # ids of tickets answered with 201
    called: list[int] = field(default_factory=list)  # ids of calls answered with 200
    failures: list[str] = field(default_factory=list)
    kiosks_done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def post(session: requests.Session, url: str, token: str, **kwargs: Any) -> Any:
    try:
        return session.post(
            url, headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
            timeout=10, **kwargs,
        )  # fmt: skip
    except requests.RequestException as error:
        return error


def kiosk(nginx: RunningNginx, hall_id: int, service_id: int, token: str, load: Load) -> None:
    """Issues tickets; a failed attempt is retried with the same Idempotency-Key, as kiosks do."""
    session = nginx.session()
    for _ in range(TICKETS_PER_KIOSK):
        key = uuid.uuid4().hex
        for _attempt in range(20):
            answer = post(
                session, f"{nginx.url}/api/v1/halls/{hall_id}/tickets", token,
                json={"service_id": service_id}, headers={"Idempotency-Key": key},
            )  # fmt: skip
            if isinstance(answer, requests.Response) and answer.status_code == 201:
                with load.lock:
                    load.acknowledged.append(answer.json()["id"])
                break
            load.note(f"issue: {getattr(answer, 'status_code', answer)}")
            time.sleep(0.1)


def clerk(
    nginx: RunningNginx, hall_id: int, window_id: int, token: str, load: Load, deadline: float
) -> None:
    """Calls, starts and finishes until the kiosks are done and the queue is empty. After a
    failed call it looks at the board to finish whatever the call may have left at its window."""
    session = nginx.session()
    base = f"{nginx.url}/api/v1/windows/{window_id}"
    while time.monotonic() < deadline:
        answer = post(session, f"{base}/call-next", token)
        if isinstance(answer, requests.Response) and answer.status_code == 200:
            ticket_id = answer.json()["id"]
            with load.lock:
                load.called.append(ticket_id)
            finish(session, base, token, ticket_id, "called", load)
            continue
        if isinstance(answer, requests.Response) and answer.status_code == 409:
            code = answer.json()["error"]["code"]
            if code == "queue_empty":
                if load.kiosks_done.is_set():
                    return
                time.sleep(0.05)
                continue
        load.note(f"call: {getattr(answer, 'status_code', answer)}")
        time.sleep(0.1)
        left = ticket_at_window(session, nginx, hall_id, window_id, token)
        if left is not None:
            finish(session, base, token, left["id"], left["status"], load)


def finish(
    session: requests.Session, base: str, token: str, ticket_id: int, status: str, load: Load
) -> None:
    steps = [("start", None), ("finish", {"outcome": "completed"})]
    if status == "serving":
        steps = steps[1:]
    for action, body in steps:
        for _attempt in range(20):
            answer = post(session, f"{base}/tickets/{ticket_id}/{action}", token, json=body)
            if isinstance(answer, requests.Response) and answer.status_code in (200, 409):
                break  # 409: a lost answer had already done it
            load.note(f"{action}: {getattr(answer, 'status_code', answer)}")
            time.sleep(0.1)


def ticket_at_window(
    session: requests.Session, nginx: RunningNginx, hall_id: int, window_id: int, token: str
) -> dict[str, Any] | None:
    for _attempt in range(20):
        try:
            board = session.get(
                f"{nginx.url}/api/v1/halls/{hall_id}/board",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            if board.status_code == 200:
                window = next(w for w in board.json()["windows"] if w["id"] == window_id)
                return window["current_ticket"]  # type: ignore[no-any-return]
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return None


def test_a_process_killed_under_load_loses_no_acknowledged_ticket(
    front: tuple[RunningNginx, list[ClusterServer]], shared_database: Database
) -> None:
    nginx, (victim, survivor) = front
    hall = seed_hall(victim, shared_database, windows=WINDOWS)
    session = nginx.session()
    tokens = {
        number: session.post(
            f"{nginx.url}/api/v1/auth/login",
            json={"staff_number": hall.hall.clerk_numbers[number], "password": PASSWORD},
            timeout=10,
        ).json()["token"]
        for number in WINDOWS
    }
    boards = connect_boards_on_both(nginx, hall.hall.id, victim, survivor)
    on_victim = [board for board in boards if board.sid in victim.connected_sids()]
    load = Load()
    deadline = time.monotonic() + LOAD_SECONDS
    kiosks = [
        threading.Thread(
            target=kiosk,
            args=(nginx, hall.hall.id, hall.hall.services[service], hall.hall.kiosk_token, load),
        )
        for service in ("housing", "business")
    ]
    clerks = [
        threading.Thread(
            target=clerk,
            args=(nginx, hall.hall.id, hall.hall.windows[n], tokens[n], load, deadline),
        )
        for n in WINDOWS
    ]
    try:
        for thread in kiosks + clerks:
            thread.start()
        wait_until(lambda: len(load.acknowledged) >= 10, "ten tickets issued under load")
        victim.kill()
        for thread in kiosks:
            thread.join()
        load.kiosks_done.set()
        for thread in clerks:
            thread.join()
        with shared_database.reading() as session_db:
            final_seq = session_db.get(Hall, hall.hall.id).event_seq
        for board in boards:
            board.wait_for_seq(final_seq)
        now_at = {board.sid for board in on_victim}
    finally:
        for board in boards:
            board.disconnect()

    with shared_database.reading() as session_db:
        stored = set(session_db.scalars(select(Ticket.id).where(Ticket.id.in_(load.acknowledged))))
        calls_per_ticket = dict(
            session_db.execute(
                select(TicketEvent.ticket_id, func.count())
                .where(TicketEvent.hall_id == hall.hall.id, TicketEvent.action == "called")
                .group_by(TicketEvent.ticket_id)
            ).all()
        )
        statuses = set(
            session_db.scalars(select(Ticket.status).where(Ticket.hall_id == hall.hall.id))
        )
    assert len(load.acknowledged) == 2 * TICKETS_PER_KIOSK
    assert stored == set(load.acknowledged)  # every 201 is in the database
    assert len(set(load.acknowledged)) == len(load.acknowledged)  # retries issued nothing twice
    assert max(calls_per_ticket.values()) == 1  # no ticket called twice
    assert len(set(load.called)) == len(load.called)
    assert statuses == {"finished"}  # every ticket was served in the end
    for board in on_victim:
        assert board.connects >= 2 and len(board.snapshots) >= 2  # reconnected, resynced
    assert now_at <= survivor.connected_sids()


def connect_boards_on_both(
    nginx: RunningNginx, hall_id: int, *servers: ClusterServer
) -> list[RoutedListener]:
    """Boards through nginx until each process holds at least two (the route is random)."""
    boards: list[RoutedListener] = []
    for _ in itertools.repeat(None, 40):
        board = RoutedListener(nginx.url, {"hall_id": hall_id}, nginx.session()).connect()
        board.wait_for_snapshots(1)
        boards.append(board)
        sids = {b.sid for b in boards}
        wait_until(
            lambda sids=sids: sids <= set().union(*(s.connected_sids() for s in servers)),
            "the connections in the servers' logs",
        )
        if all(len(sids & server.connected_sids()) >= 2 for server in servers):
            return boards
    raise AssertionError("nginx sent 40 boards to one process only")
