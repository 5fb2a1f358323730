"""Background work runs exactly once across processes, and moves on when its holder dies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hall_server.background.lease import current_holder, database_now
from hall_server.storage.database import Database
from hall_server.storage.models import BackgroundRun, Ticket, TicketEvent
from tests.live.hall_listener import HallListener
from tests.live.live_server import seed_hall
from tests.multiprocess.cluster import ClusterServer, wait_until

pytestmark = [pytest.mark.live_server, pytest.mark.postgres]
LEASE_SECONDS = 3
JOBS = ("daily_rollover", "housekeeping")
FAST_JOBS = {
    "BACKGROUND_LEASE_SECONDS": str(LEASE_SECONDS),
    "ROLLOVER_EVERY_SECONDS": "1",
    "HOUSEKEEPING_EVERY_SECONDS": "1",
}


def runs(database: Database, job: str) -> list[BackgroundRun]:
    with database.reading() as session:
        found = list(
            session.scalars(
                select(BackgroundRun)
                .where(BackgroundRun.job == job)
                .order_by(BackgroundRun.started_at)
            )
        )
        session.expunge_all()
        return found


def holding(servers: list[ClusterServer], holder: str) -> ClusterServer:
    return next(server for server in servers if f":{server.pid}:" in holder)


def assert_one_holder_at_a_time(logged: list[BackgroundRun]) -> None:
    """Runs of different holders never overlap, and each new holder has a higher token."""
    for earlier, later in zip(logged, logged[1:], strict=False):
        assert later.started_at >= earlier.finished_at, (earlier.holder, later.holder)
        assert later.lease_token >= earlier.lease_token
        if later.holder != earlier.holder:
            assert later.lease_token > earlier.lease_token


def test_a_killed_holder_is_replaced_within_the_lease_time(
    cluster: Callable[..., list[ClusterServer]], shared_database: Database
) -> None:
    servers = cluster(2, **FAST_JOBS)
    for job in JOBS:
        wait_until(lambda job=job: len(runs(shared_database, job)) >= 2, f"{job} to run twice")
    first = {job: current_holder(shared_database, job) for job in JOBS}
    victim = holding(servers, first["daily_rollover"].holder)
    survivor = next(server for server in servers if server is not victim)

    victim.kill()
    with shared_database.reading() as session:
        killed_at = database_now(session)
    for job in JOBS:
        wait_until(
            lambda job=job: (
                sum(
                    run.holder.split(":")[1] == str(survivor.pid)
                    for run in runs(shared_database, job)
                )
                >= 2
            ),
            f"the survivor to run {job} twice",
        )

    for job in JOBS:
        second = current_holder(shared_database, job)
        logged = runs(shared_database, job)
        assert_one_holder_at_a_time(logged)
        assert second.holder.split(":")[1] == str(survivor.pid)
        if first[job].holder == second.holder:
            continue  # the survivor held this one all along
        assert second.token == first[job].token + 1
        # The dead holder renewed at most a lease time before it died; the survivor asks every
        # quarter lease time. One second more is for a busy test machine.
        assert second.acquired_at - killed_at <= timedelta(seconds=LEASE_SECONDS * 1.25 + 1)
        holders = [run.holder for run in logged]
        assert holders == sorted(holders, key=lambda holder: holder != first[job].holder)


def test_a_cleanly_stopped_holder_hands_over_at_once(
    cluster: Callable[..., list[ClusterServer]], shared_database: Database
) -> None:
    servers = cluster(2, BACKGROUND_LEASE_SECONDS="600", ROLLOVER_EVERY_SECONDS="1")
    first = wait_until(lambda: current_holder(shared_database, "daily_rollover"), "a holder")
    victim = holding(servers, first.holder)

    victim.stop()  # SIGTERM, as systemd stops a unit

    second = wait_until(
        lambda: (
            (lease := current_holder(shared_database, "daily_rollover"))
            and lease.token > first.token
            and lease
        ),
        "the other process to take over",
    )
    # Far sooner than the 600 s lease: the stopping process released it.
    assert second.holder != first.holder
    assert_one_holder_at_a_time(runs(shared_database, "daily_rollover"))


def test_yesterdays_ticket_is_expired_once_with_a_live_event(
    cluster: Callable[..., list[ClusterServer]], shared_database: Database
) -> None:
    a, b = cluster(2, **FAST_JOBS)
    hall = seed_hall(a, shared_database)
    today = hall.issue()
    yesterday = hall.issue()
    with shared_database.transaction() as uow:
        uow.session.execute(
            update(Ticket)
            .where(Ticket.id == yesterday["id"])
            .values(local_date=Ticket.local_date - timedelta(days=1))
        )

    with HallListener(b.url, {"hall_id": hall.hall.id}) as board:
        board.wait_for_snapshots(1)
        cancelled = board.wait_for_message("ticket.cancelled")
        runs_then = len(runs(shared_database, "daily_rollover"))
        wait_until(
            lambda: len(runs(shared_database, "daily_rollover")) >= runs_then + 3,
            "three more rollover runs",
        )

    assert cancelled[0]["ticket"]["id"] == yesterday["id"]
    assert len(board.messages("ticket.cancelled")) == 1
    with shared_database.reading() as session:
        assert session.get(Ticket, today["id"]).status == "waiting"
        assert session.get(Ticket, yesterday["id"]).status == "cancelled"
        expired_events = session.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .where(TicketEvent.ticket_id == yesterday["id"], TicketEvent.action == "expired")
        )
    assert expired_events == 1
    assert_one_holder_at_a_time(runs(shared_database, "daily_rollover"))
