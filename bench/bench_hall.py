"""A hall to measure against: many windows and services, kiosks, and queues seeded in bulk."""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import generate_password_hash

from bench.http_load import Connection
from hall_server.core.calling_policy import policy_named
from hall_server.core.numbering import format_ticket_number, local_business_date
from hall_server.core.ticket_life import TicketStatus, VisitorClass
from hall_server.operations.access import Actor
from hall_server.operations.credentials import enrol_device
from hall_server.storage.database import Database
from hall_server.storage.models import (
    DailyCounter,
    Department,
    Hall,
    Service,
    Ticket,
    User,
    Window,
    WindowService,
)

PASSWORD = "bench-clerk-password"
# One cheap hash shared by every bench clerk: logging in 100 clerks should not dominate a run.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@dataclass
class BenchHall:
    id: int
    code: str
    services: list[int] = field(default_factory=list)  # ids
    prefixes: dict[int, str] = field(default_factory=dict)  # service id -> prefix
    windows: dict[int, int] = field(default_factory=dict)  # window number -> id
    clerk_numbers: dict[int, str] = field(default_factory=dict)
    clerk_tokens: dict[int, str] = field(default_factory=dict)  # filled by log_in_clerks
    kiosk_tokens: list[str] = field(default_factory=list)


def build_bench_hall(
    database: Database,
    now: datetime,
    code: str,
    windows: int = 100,
    services: int = 10,
    services_per_window: int = 3,
    kiosks: int = 8,
) -> BenchHall:
    """Window n serves services n, n+1, n+2 (mod `services`): every window comprehensive."""
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(
            code=code,
            name=f"{code} 政务服务中心",
            level="city",
            time_zone="Asia/Shanghai",
            notice_lines=[],
            calling_policy="fcfs",
            max_recalls=2,
            no_show_grace_minutes=30,
            requeue_behind=3,
            target_wait_minutes=15,
            event_seq=0,
        )
        session.add(hall)
        session.flush()
        department = Department(hall_id=hall.id, code=f"{code}-d", name="综合")
        session.add(department)
        session.flush()
        built = BenchHall(id=hall.id, code=code)
        for index in range(services):
            # A letter per service; past 26, services share letters (and a day's sequence).
            prefix = string.ascii_uppercase[index % len(string.ascii_uppercase)]
            service = Service(
                hall_id=hall.id,
                department_id=department.id,
                code=f"{code}-s{index}",
                name=f"事项{index}",
                prefix=prefix,
                expected_handling_minutes=10,
                active=True,
            )
            session.add(service)
            session.flush()
            built.services.append(service.id)
            built.prefixes[service.id] = prefix
        manager = User(
            staff_number=f"{code}-m",
            name="manager",
            password_hash=CHEAP_HASH,
            role="manager",
            hall_id=hall.id,
        )
        session.add(manager)
        for number in range(1, windows + 1):
            clerk = User(
                staff_number=f"{code}-c{number}",
                name=f"clerk{number}",
                password_hash=CHEAP_HASH,
                role="clerk",
                hall_id=hall.id,
            )
            session.add(clerk)
            session.flush()
            window = Window(
                hall_id=hall.id,
                number=number,
                name=f"窗口{number}",
                kind="comprehensive",
                status="open",
                clerk_id=clerk.id,
            )
            session.add(window)
            session.flush()
            for position in range(services_per_window):
                service_id = built.services[(number + position) % services]
                session.add(
                    WindowService(window_id=window.id, service_id=service_id, position=position)
                )
            built.windows[number] = window.id
            built.clerk_numbers[number] = clerk.staff_number
        session.flush()
        manager_actor = Actor(kind="user", id=manager.id, role="manager", hall_id=hall.id)
    with database.transaction() as uow:
        for index in range(kiosks):
            enrolled = enrol_device(uow, manager_actor, built.id, "kiosk", f"kiosk {index}", now)
            built.kiosk_tokens.append(enrolled["token"])
    return built


def log_in_clerks(port: int, hall: BenchHall) -> None:
    """Every clerk logs in over HTTP, as at the start of a working day."""
    connection = Connection(port)
    try:
        for number, staff_number in hall.clerk_numbers.items():
            connection.http.request(
                "POST",
                "/api/v1/auth/login",
                f'{{"staff_number": "{staff_number}", "password": "{PASSWORD}"}}',
                {"Content-Type": "application/json"},
            )
            response = connection.http.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"login of {staff_number} failed: {response.status} {body!r}")
            hall.clerk_tokens[number] = json.loads(body)["token"]
    finally:
        connection.close()


def seed_waiting_tickets(
    database: Database, hall: BenchHall, count: int, now: datetime, time_zone: str
) -> None:
    """Put `count` more walk-ins in the queues straight through SQL (HTTP would take minutes),
    spread over the services, each numbered after the day's last, as issuing would."""
    today = local_business_date(now, time_zone)
    rank = policy_named("fcfs").class_rank(VisitorClass.WALK_IN)
    with database.transaction() as uow:
        session = uow.session
        last = dict(
            session.execute(
                select(DailyCounter.prefix, DailyCounter.last_sequence).where(
                    DailyCounter.hall_id == hall.id, DailyCounter.local_date == today
                )
            ).all()
        )
        rows = []
        per_prefix: dict[str, int] = {}
        for index in range(count):
            service_id = hall.services[index % len(hall.services)]
            prefix = hall.prefixes[service_id]
            sequence = last.get(prefix, 0) + per_prefix.get(prefix, 0) + 1
            per_prefix[prefix] = per_prefix.get(prefix, 0) + 1
            issued_at = now - timedelta(seconds=count - index)
            rows.append(
                {
                    "hall_id": hall.id,
                    "service_id": service_id,
                    "original_service_id": service_id,
                    "local_date": today,
                    "sequence": sequence,
                    "number": format_ticket_number(prefix, sequence),
                    "visitor_class": VisitorClass.WALK_IN.value,
                    "priority_rank": rank,
                    "status": TicketStatus.WAITING.value,
                    "status_token": secrets.token_urlsafe(16),
                    "issued_at": issued_at,
                    "queue_key": issued_at,
                    "recall_count": 0,
                    "transfer_count": 0,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(insert(Ticket), rows[start : start + 5000])
        dialect = session.get_bind().dialect.name
        upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        for prefix, added in per_prefix.items():
            total = last.get(prefix, 0) + added
            session.execute(
                upsert(DailyCounter)
                .values(hall_id=hall.id, prefix=prefix, local_date=today, last_sequence=total)
                .on_conflict_do_update(
                    index_elements=["hall_id", "prefix", "local_date"],
                    set_={"last_sequence": total},
                )
            )
    if dialect == "postgresql":
        # Statistics as autovacuum keeps them in a database that has run for a while; without
        # them the planner takes every table for a few rows and may pick the wrong index. (In
        # a transaction that is rolled back, ANALYZE's statistics are rolled back with it.)
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
