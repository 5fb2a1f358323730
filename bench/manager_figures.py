"""How long the managers' figures take on a busy city hall: the live dashboard in the middle of
a working day, the network view, and reports (day, week, month) with their CSV and XLSX files.

The hall has 30 services and 20 windows and takes about 1,200 tickets every working day (the
street-level centre of DOMAIN.md); a month of history (22 working days, ~26,000 tickets with
their call events, transfers and ratings) is written straight into the database first, and the
day being measured is half over (~600 tickets, 60 waiting).

    .venv/bin/python bench/manager_figures.py --database sqlite --repeat 5
    .venv/bin/python bench/manager_figures.py --database postgres --repeat 5

prints a table (median and worst of the repeats, in milliseconds) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.timing import measure  # noqa: E402
from hall_server.app import create_app  # noqa: E402
from hall_server.manager.report_files import report_csv, report_xlsx  # noqa: E402
from hall_server.operations import hall_figures, reports  # noqa: E402
from hall_server.storage.database import Database  # noqa: E402
from hall_server.storage.models import Base, Rating, Ticket, TicketEvent  # noqa: E402
from tests.factories import TestHall, build_hall  # noqa: E402

SERVICES = 30
WINDOWS = 20
TICKETS_PER_DAY = 1200
WORKING_DAYS = 22
TODAY = date(2026, 11, 30)  # a Monday; the month before it is history
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 13:00 in Shanghai


def _prefix(n: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return (
        letters[n] if n < len(letters) else letters[n // len(letters)] + letters[n % len(letters)]
    )


def seed(database: Database) -> TestHall:
    services = {f"service-{n}": _prefix(n) for n in range(SERVICES)}
    names = list(services)
    windows = {n + 1: names[(n * 3) % SERVICES :][:6] or names[:6] for n in range(WINDOWS)}
    hall = build_hall(
        database, NOW - timedelta(days=40), code="bench-city", services=services, windows=windows
    )
    rng = random.Random(7)
    days = []
    day = TODAY - timedelta(days=1)
    while len(days) < WORKING_DAYS:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    ticket_rows: list[dict[str, Any]] = []
    next_id = 1
    for day in [*days, TODAY]:
        opening = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 09:00 local
        count = TICKETS_PER_DAY if day != TODAY else TICKETS_PER_DAY // 2
        for sequence in range(1, count + 1):
            service_name = rng.choice(names)
            service_id = hall.services[service_name]
            window_number = rng.randrange(1, WINDOWS + 1)
            issued = opening + timedelta(
                seconds=rng.uniform(0, 7 * 3600 if day != TODAY else 4 * 3600)
            )
            wait = timedelta(minutes=rng.lognormvariate(2.3, 0.7))
            handling = timedelta(minutes=rng.lognormvariate(2.0, 0.8))
            status = rng.choices(["finished", "no_show", "cancelled"], [0.9, 0.06, 0.04])[0]
            if day == TODAY and issued + wait > NOW:
                status = "waiting"
            called = issued + wait if status in ("finished", "no_show") else None
            ticket_rows.append(
                {
                    "id": next_id,
                    "hall_id": hall.id,
                    "service_id": service_id,
                    "original_service_id": service_id,
                    "local_date": day,
                    "sequence": sequence,
                    "number": f"Z{sequence:04d}",
                    "visitor_class": "walk_in",
                    "priority_rank": 1,
                    "status": status,
                    "status_token": f"bench-{next_id}",
                    "issued_at": issued,
                    "queue_key": issued,
                    "window_id": hall.windows[window_number] if called else None,
                    "first_called_at": called,
                    "called_at": called,
                    "finished_at": called + handling if status == "finished" else None,
                    "no_show_at": called + timedelta(minutes=3) if status == "no_show" else None,
                    "cancelled_at": issued + wait if status == "cancelled" else None,
                    "served_by_user_id": hall.clerks[window_number] if called else None,
                    "recall_count": 0,
                    "transfer_count": 0,
                }
            )
            next_id += 1
    events = [
        {
            "ticket_id": t["id"],
            "hall_id": hall.id,
            "action": "called",
            "at": t["called_at"],
            "window_id": t["window_id"],
            "user_id": t["served_by_user_id"],
            "detail": {},
        }
        for t in ticket_rows
        if t["called_at"]
    ]
    events += [
        {
            "ticket_id": t["id"],
            "hall_id": hall.id,
            "action": "transferred",
            "at": t["called_at"] + timedelta(minutes=2),
            "window_id": None,
            "user_id": t["served_by_user_id"],
            "detail": {"from_window_id": t["window_id"]},
        }
        for t in ticket_rows
        if t["status"] == "finished" and t["id"] % 50 == 0
    ]
    ratings = [
        {
            "ticket_id": t["id"],
            "hall_id": hall.id,
            "window_id": t["window_id"],
            "clerk_id": t["served_by_user_id"],
            "local_date": t["local_date"],
            "level": "satisfied",
            "score": rng.choice([5, 5, 4, 4, 3, 2]),
            "reasons": [],
            "channel": "rating_pad",
            "rated_at": t["finished_at"],
        }
        for t in ticket_rows
        if t["status"] == "finished" and t["id"] % 5 < 2
    ]
    with database.transaction() as uow:
        for table, rows in ((Ticket, ticket_rows), (TicketEvent, events), (Rating, ratings)):
            for start in range(0, len(rows), 2000):
                uow.session.execute(insert(table), rows[start : start + 2000])
    return hall


@contextmanager
def database_for(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite"
    else:
        from tests.live.live_server import private_postgres_schema

        with private_postgres_schema("bench") as url:
            yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with database_for(options.database) as url:
        database = Database(url)
        Base.metadata.create_all(database.engine)
        started = time.perf_counter()
        hall = seed(database)
        seeded_s = round(time.perf_counter() - started, 1)
        manager = hall.manager()
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "IDENTITY_SECRET": "bench",
                "LOG_JSON": False,
            }
        )

        def read(query: Callable[..., Any], *args: Any) -> Any:
            with database.reading() as session:
                return query(session, *args)

        def export(kind: str) -> bytes:
            built = read(
                reports.build_report,
                manager,
                hall.id,
                "month",
                TODAY - timedelta(days=5),
                "service",
            )
            with app.test_request_context("/?lang=en"):
                return report_csv(built, True) if kind == "csv" else report_xlsx(built, True)

        cases = {
            "dashboard (600 today, 60 waiting)": lambda: read(
                hall_figures.hall_dashboard, manager, hall.id, NOW
            ),
            "network view (1 hall)": lambda: read(hall_figures.network_figures, manager, NOW),
            "report day by service": lambda: read(
                reports.build_report, manager, hall.id, "day", TODAY - timedelta(days=3), "service"
            ),
            "report week by clerk": lambda: read(
                reports.build_report, manager, hall.id, "week", TODAY - timedelta(days=3), "clerk"
            ),
            "report month by service": lambda: read(
                reports.build_report,
                manager,
                hall.id,
                "month",
                TODAY - timedelta(days=5),
                "service",
            ),
            "report month by window": lambda: read(
                reports.build_report, manager, hall.id, "month", TODAY - timedelta(days=5), "window"
            ),
            "month by service as CSV": lambda: export("csv"),
            "month by service as XLSX": lambda: export("xlsx"),
        }
        results = {
            name: measure(action, options.repeat, warm=True) for name, action in cases.items()
        }
        month_tickets = read(
            reports.build_report, manager, hall.id, "month", TODAY - timedelta(days=5), "service"
        )["total"]["issued"]
        app.extensions["hallq_db"].dispose()
        database.dispose()
    print(f"database {options.database}; month of {month_tickets} tickets; seeded in {seeded_s} s")
    print(f"{'figure':38} {'median ms':>10} {'worst ms':>10}")
    for name, figures in results.items():
        print(f"{name:38} {figures['median_ms']:>10} {figures['worst_ms']:>10}")
    print(
        json.dumps(
            {
                "bench": "manager_figures",
                "database": options.database,
                "month_tickets": month_tickets,
                "repeat": options.repeat,
                "results": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
