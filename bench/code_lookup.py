"""How long a kiosk's look-up of a booking or pre-review code takes in a city hall holding tens of
thousands of appointments and pre-reviews, with migration 0015's indexes on the code upper-cased
and, for comparison, without them (downgraded to 0014, as before that revision).

    .venv/bin/python bench/code_lookup.py --database sqlite --rows 50000
    .venv/bin/python bench/code_lookup.py --database postgres --rows 50000

prints a table (median and worst of the look-ups, in milliseconds) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench.manager_figures import database_for  # noqa: E402
from bench.timing import measure  # noqa: E402
from hall_server.operations.booked_arrival import (  # noqa: E402
    _appointment_with_code,
    _pre_review_with_code,
)
from hall_server.storage import migrations  # noqa: E402
from hall_server.storage.database import Database  # noqa: E402
from hall_server.storage.models import Appointment, Platform, PreReview  # noqa: E402
from tests.factories import build_hall  # noqa: E402

NINE = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def seed(database: Database, rows: int) -> int:
    hall = build_hall(database, NINE, code="bench-city")
    with database.transaction() as uow:
        platform = Platform(
            code="gov", name="gov", hall_id=hall.id, secret="s", active=True, created_at=NINE
        )
        uow.session.add(platform)
        uow.session.flush()
        common = {
            "platform_id": platform.id,
            "hall_id": hall.id,
            "service_id": hall.services["housing"],
            "revision": 0,
            "created_at": NINE,
            "updated_at": NINE,
        }
        for start in range(0, rows, 10_000):
            numbers = range(start, min(start + 10_000, rows))
            uow.session.execute(
                insert(Appointment),
                [
                    {
                        **common,
                        "status": "booked",
                        "appointment_id": f"APT-{n}",
                        "booking_code": f"YY{n:07d}",
                        "slot_start": NINE + timedelta(minutes=n % 480),
                    }
                    for n in numbers
                ],
            )
            uow.session.execute(
                insert(PreReview),
                [
                    {
                        **common,
                        "status": "active",
                        "application_id": f"APP-{n}",
                        "code": f"PR-{n}",
                        "id_number_hash": f"{n:064x}",
                        "result": "passed",
                        "materials": [],
                        "valid_until": NINE + timedelta(days=30),
                    }
                    for n in numbers
                ],
            )
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return hall.id


def lookups(database: Database, hall_id: int, rows: int, repeat: int) -> dict[str, Any]:
    rng = random.Random(3)

    def booking() -> None:
        with database.reading() as session:
            code = f"yy{rng.randrange(rows):07d}"  # typed in lower case
            assert _appointment_with_code(session, hall_id, code) is not None

    def pre_review() -> None:
        with database.reading() as session:
            code = f"pr-{rng.randrange(rows)}"
            assert _pre_review_with_code(session, hall_id, code) is not None

    return {
        "booking code": measure(booking, repeat, digits=2),
        "pre-review code": measure(pre_review, repeat, digits=2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    options = parser.parse_args()
    results = {}
    with database_for(options.database) as url:
        migrations.upgrade(url)
        database = Database(url)
        hall_id = seed(database, options.rows)
        results["with 0015's indexes"] = lookups(database, hall_id, options.rows, options.repeat)
        database.dispose()
        migrations.downgrade(url, "0014_printer_reported_at")
        database = Database(url)
        results["without (0014)"] = lookups(database, hall_id, options.rows, options.repeat)
        database.dispose()
    print(f"database {options.database}; {options.rows} appointments and pre-reviews in a hall")
    print(f"{'look-up':38} {'median ms':>10} {'worst ms':>10}")
    for schema, figures in results.items():
        for name, figure in figures.items():
            label = f"{name}, {schema}"
            print(f"{label:38} {figure['median_ms']:>10} {figure['worst_ms']:>10}")
    print(
        json.dumps(
            {
                "bench": "code_lookup",
                "database": options.database,
                "rows": options.rows,
                "repeat": options.repeat,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
