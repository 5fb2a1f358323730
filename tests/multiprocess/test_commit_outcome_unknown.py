"""The connection to PostgreSQL lost while it commits (a real TCP proxy that passes the COMMIT
on, lets PostgreSQL commit, then resets the connection before its answer is back): the server
cannot know whether the change was made, so its 503 must not say "nothing was changed". It says
so, and that a retry with the same Idempotency-Key answers the first result; which it does."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import suppress

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hall_server.storage.database import Database
from hall_server.storage.models import Ticket
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer
from tests.multiprocess.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]


class DropsTheAnswerToCommit(CuttableProxy):
    """Once armed: on the first connection that inserts a ticket, its COMMIT reaches PostgreSQL
    but the connection is reset before the answer comes back (a network failing at that
    moment)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port)
        self.armed = False
        self.inserting: set[int] = set()
        self.answers_swallowed: set[int] = set()  # clients whose answers no longer arrive
        self.dropped = 0

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        upstream_port = self.target[1]
        from_client = source.getpeername()[1] != upstream_port
        try:
            while data := source.recv(65536):
                if from_client and self.armed:
                    if b"INSERT INTO tickets" in data:
                        self.inserting.add(id(source))
                    if id(source) in self.inserting and b"COMMIT" in data:
                        self.armed = False
                        self.answers_swallowed.add(id(source))
                        sink.sendall(data)  # PostgreSQL commits ...
                        time.sleep(0.5)
                        self.dropped += 1
                        for end in (source, sink):  # ... and its answer never arrives
                            with suppress(OSError):
                                end.setsockopt(
                                    socket.SOL_SOCKET,
                                    socket.SO_LINGER,
                                    b"\x01\x00\x00\x00\x00\x00\x00\x00",
                                )
                                end.shutdown(socket.SHUT_RDWR)
                        break
                if not from_client and id(sink) in self.answers_swallowed:
                    continue
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


@pytest.fixture
def database_proxy(shared_database_url: str) -> Iterator[DropsTheAnswerToCommit]:
    target = make_url(shared_database_url)
    proxy = DropsTheAnswerToCommit(target.host or "127.0.0.1", target.port or 5432).start()
    yield proxy
    proxy.stop()


def test_a_connection_lost_during_commit_says_the_outcome_is_unknown_and_the_retry_answers(
    cluster: Callable[..., list[ClusterServer]],
    shared_database: Database,
    shared_database_url: str,
    database_proxy: DropsTheAnswerToCommit,
) -> None:
    url = make_url(shared_database_url).set(host="127.0.0.1", port=database_proxy.port)
    (server,) = cluster(
        1,
        database_url=url.render_as_string(hide_password=False),
        BACKGROUND_WORK="false",  # only the request's own COMMIT goes through the trap
    )
    hall = seed_hall(server, shared_database)

    def issue(language: str) -> dict:
        answer = hall.api(
            "POST",
            f"/halls/{hall.hall.id}/tickets",
            hall.hall.kiosk_token,
            json={"service_id": hall.hall.services["housing"]},
            headers={"Idempotency-Key": "kiosk-1-attempt-9", "Accept-Language": language},
        )
        return {"status": answer.status_code, "body": answer.json()}

    database_proxy.armed = True
    lost = issue("zh")
    retried = issue("en")
    with shared_database.reading() as session:
        tickets = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.hall_id == hall.hall.id)
        )

    assert database_proxy.dropped == 1
    assert lost["status"] == 503, lost
    error = lost["body"]["error"]
    assert error["code"] == "service_unavailable"
    assert "未做任何更改" not in error["message"]  # not "nothing was changed": unknown
    assert "无法确定" in error["message"] and "Idempotency-Key" in error["message"], error
    # It was made: the same key answers the first result, and there is one ticket.
    assert retried["status"] == 201, retried
    assert retried["body"]["number"] == "A001"
    assert tickets == 1
