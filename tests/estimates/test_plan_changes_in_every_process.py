"""A change of a hall's plan (its break rota, what its windows serve, how long a service takes,
its calling policy) reaches the walk-ins that every server process issues: no process places a
new ticket by a forecast it kept from before the change, even one made from a snapshot taken
before the change committed.

Two apps on one SQLite file stand for two server processes; each keeps its own forecasts, as a
process keeps them in its module (operations/wait_predictions.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from hall_server.core.calling_policy import FirstComeFirstServed
from hall_server.operations import forecast_inputs, wait_predictions
from hall_server.storage.models import Hall
from tests import factories
from tests.conftest import login_headers, make_app
from tests.factories import build_hall
from tests.manager.conftest import add_user

# The clock starts on Monday 30 November 2026 at 09:00 in Shanghai (tests/conftest.py).
BOTH_WINDOWS_BREAK_NOW = [{"window_number": n, "start": "09:00", "minutes": 60} for n in (1, 2)]


class ServerProcess:
    """One server process: an app of its own, and the wait forecasts it alone keeps."""

    def __init__(self, url: str, clock: Any, **config: Any) -> None:
        self.app = make_app(url, clock, **config)
        self.client = self.app.test_client()
        self.forecasts: dict[Any, Any] = {}
        self.histories: dict[Any, Any] = {}

    @contextmanager
    def running(self) -> Iterator[Any]:
        """While this process serves a request, the module's caches are its own."""
        kept = wait_predictions._forecasts, forecast_inputs._histories
        wait_predictions._forecasts, forecast_inputs._histories = self.forecasts, self.histories
        try:
            yield self.client
        finally:
            wait_predictions._forecasts, forecast_inputs._histories = kept

    def call(self, method: str, path: str, body: Any = None, headers: Any = None) -> Any:
        with self.running() as client:
            response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    def login(self, staff_number: str) -> dict[str, str]:
        with self.running() as client:
            return login_headers(client, staff_number)

    def issue(self, hall: factories.TestHall, service: str = "housing") -> dict[str, Any]:
        kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
        return dict(
            self.call(
                "POST", f"/halls/{hall.id}/tickets", {"service_id": hall.services[service]}, kiosk
            )
        )

    def estimate(self, ticket: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("GET", f"/ticket-status/{ticket['status_token']}")["estimated_wait"])

    def close(self) -> None:
        self.app.extensions["hallq_db"].dispose()


@pytest.fixture
def processes(sqlite_url: str, clock: Any) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    # Process A refreshes its kept forecast only every hour, as a busy server between refreshes.
    first = ServerProcess(sqlite_url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    second = ServerProcess(sqlite_url, clock)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


@pytest.fixture
def busy_hall(processes: tuple[ServerProcess, ServerProcess], clock: Any) -> factories.TestHall:
    """Six housing tickets waiting at two windows, issued through process A, which keeps a
    forecast of the hall (a phone read it)."""
    first, _ = processes
    hall = build_hall(first.app.extensions["hallq_db"], clock())
    tickets = [first.issue(hall) for _ in range(6)]
    first.estimate(tickets[-1])
    return hall


def set_rota(
    process: ServerProcess, hall: factories.TestHall, breaks: list[dict[str, Any]]
) -> None:
    body = {
        "breaks": [
            {
                "window_id": hall.windows[b["window_number"]],
                "start": b["start"],
                "minutes": b["minutes"],
            }
            for b in breaks
        ]
    }
    manager = process.login(hall.manager_number)
    process.call("PUT", f"/manager/halls/{hall.id}/break-rota", body, manager)


def test_a_rota_change_in_one_process_reaches_the_next_walk_in_of_another(
    processes: tuple[ServerProcess, ServerProcess], busy_hall: factories.TestHall
) -> None:
    first, second = processes
    before = first.issue(busy_hall)["estimated_wait"]

    set_rota(second, busy_hall, BOTH_WINDOWS_BREAK_NOW)
    walk_in = first.issue(busy_hall)

    promised = walk_in["estimated_wait"]
    # Both windows are away for the next hour: nobody is called before 10:00.
    assert promised["low_minutes"] >= 60
    assert promised["median_minutes"] >= before["median_minutes"] + 45
    # What a process with nothing kept makes of the same hall.
    assert promised == second.estimate(walk_in)
    # Once that walk-in committed, process A kept a forecast of the new plan for the next ones.
    with first.app.extensions["hallq_db"].reading() as session:
        plan_seq = session.scalar(select(Hall.plan_seq).where(Hall.id == busy_hall.id))
    assert [kept.plan_seq for kept in first.forecasts.values()] == [plan_seq]


def test_a_change_of_what_windows_serve_in_one_process_reaches_another(
    processes: tuple[ServerProcess, ServerProcess], busy_hall: factories.TestHall
) -> None:
    first, second = processes
    before = first.issue(busy_hall)["estimated_wait"]

    manager = second.login(busy_hall.manager_number)
    only_business = {"service_ids": [busy_hall.services["business"]]}
    second.call("PUT", f"/windows/{busy_hall.windows[2]}/services", only_business, manager)
    walk_in = first.issue(busy_hall)

    # One window left for eight housing tickets instead of two.
    assert walk_in["estimated_wait"]["median_minutes"] >= before["median_minutes"] + 20
    assert walk_in["estimated_wait"] == second.estimate(walk_in)


def test_a_services_expected_minutes_changed_in_one_process_reach_another(
    processes: tuple[ServerProcess, ServerProcess], busy_hall: factories.TestHall
) -> None:
    first, second = processes
    before = first.issue(busy_hall)["estimated_wait"]

    manager = second.login(busy_hall.manager_number)
    housing = busy_hall.services["housing"]
    second.call("PATCH", f"/services/{housing}", {"expected_handling_minutes": 40}, manager)
    walk_in = first.issue(busy_hall)

    # With no earlier days to learn from, the expected minutes are the handling time.
    assert walk_in["estimated_wait"]["median_minutes"] >= 2 * before["median_minutes"]
    assert walk_in["estimated_wait"] == second.estimate(walk_in)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_forecast_made_from_a_snapshot_before_a_rota_change_is_not_used_after_it(
    request: pytest.FixtureRequest, clock: Any, database: str
) -> None:
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_url")
    process = ServerProcess(url, clock, FORECAST_REFRESH_SECONDS=3600.0)
    try:
        hall = build_hall(process.app.extensions["hallq_db"], clock())
        for _ in range(6):
            process.issue(hall)
        with process.running(), process.app.extensions["hallq_db"].reading() as session:
            # A phone's read begins its snapshot; the rota changes (and commits) meanwhile.
            stale = session.scalars(select(Hall).where(Hall.id == hall.id)).one()
            set_rota(process, hall, BOTH_WINDOWS_BREAK_NOW)
            # The read goes on and keeps a forecast of the hall as it was before the change.
            wait_predictions.hall_prediction(session, stale, FirstComeFirstServed(), clock())

        walk_in = process.issue(hall)

        assert walk_in["estimated_wait"]["low_minutes"] >= 60
        assert walk_in["estimated_wait"] == process.estimate(walk_in)
    finally:
        process.close()


def test_every_change_of_plan_raises_the_plan_version_and_nothing_else_does(
    processes: tuple[ServerProcess, ServerProcess], clock: Any
) -> None:
    process, _ = processes
    hall = build_hall(process.app.extensions["hallq_db"], clock())
    add_user(process.app.extensions["hallq_db"], "city-admin", "admin", hall.id)
    manager = process.login(hall.manager_number)
    admin = process.login("city-admin")
    clerk = process.login(hall.clerk_numbers[1])
    housing = hall.services["housing"]

    def plan_seq() -> int:
        with process.app.extensions["hallq_db"].reading() as session:
            return int(session.scalar(select(Hall.plan_seq).where(Hall.id == hall.id)))

    plans = [
        lambda: set_rota(process, hall, [{"window_number": 1, "start": "11:30", "minutes": 60}]),
        lambda: process.call(
            "PUT", f"/halls/{hall.id}/calling-policy", {"policy": "due_time"}, manager
        ),
        lambda: process.call(
            "PUT", f"/windows/{hall.windows[2]}/services", {"service_ids": [housing]}, manager
        ),
        lambda: process.call(
            "PATCH", f"/services/{housing}", {"expected_handling_minutes": 25}, manager
        ),
        lambda: process.call("PATCH", f"/services/{housing}", {"active": False}, manager),
        # The rota's times of day, and the hall's day, are its local time.
        lambda: process.call("PATCH", f"/halls/{hall.id}", {"time_zone": "Asia/Urumqi"}, admin),
    ]
    not_plans = [
        lambda: process.issue(hall, "business"),
        lambda: process.call("PATCH", f"/services/{housing}", {"name": "住房公积金"}, manager),
        lambda: process.call("PATCH", f"/halls/{hall.id}", {"name": "新城大厅"}, admin),
        lambda: process.call(
            "POST",
            f"/windows/{hall.windows[1]}/state",
            {"change": "pause", "reason": "other"},
            clerk,
        ),
    ]

    for change in plans:
        before = plan_seq()
        change()
        assert plan_seq() == before + 1
    for change in not_plans:
        before = plan_seq()
        change()
        assert plan_seq() == before


def test_a_catalogue_upload_that_changes_how_long_a_service_takes_is_a_change_of_plan(
    processes: tuple[ServerProcess, ServerProcess], clock: Any
) -> None:
    process, _ = processes
    hall = build_hall(process.app.extensions["hallq_db"], clock())
    manager = process.login(hall.manager_number)

    def upload(minutes: int, name: str, dry_run: bool = False) -> int:
        catalogue = (
            "department_code,department_name,service_code,service_name,prefix,"
            "expected_handling_minutes\n"
            f"test-hall-dept,综合部门,test-hall-housing,{name},A,{minutes}\n"
        )
        with process.running() as client:
            response = client.post(
                f"/api/v1/halls/{hall.id}/services/import?dry_run={str(dry_run).lower()}",
                data={"file": (io.BytesIO(catalogue.encode()), "catalogue.csv")},
                headers=manager,
                content_type="multipart/form-data",
            )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["updated"] == 1
        with process.app.extensions["hallq_db"].reading() as session:
            return int(session.scalar(select(Hall.plan_seq).where(Hall.id == hall.id)))

    assert upload(10, "住房公积金") == 0  # a new name only
    assert upload(30, "住房公积金", dry_run=True) == 0
    assert upload(30, "住房公积金") == 1
