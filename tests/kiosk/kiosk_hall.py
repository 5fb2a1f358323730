"""A hall with a Chinese service catalogue, as a kiosk shows it, built straight through the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hall_server.operations.access import Actor
from hall_server.operations.credentials import enrol_device, hash_password
from hall_server.storage.database import Database
from hall_server.storage.models import Department, Hall, Service, User, Window, WindowService

PASSWORD = "kiosk test password"

# department name, English, prefix, [(service name, English, stored pinyin initials, quota)]
CATALOGUE: list[tuple[str, str, str, list[tuple[str, str, str | None, int | None]]]] = [
    ("住房公积金管理中心", "Housing Provident Fund", "A", [
        ("公积金提取", "Provident fund withdrawal", "gjjtq", None),
        ("公积金贷款", "Provident fund loan", None, None),  # imported without initials
    ]),
    ("市场监督管理局", "Market Regulation", "B", [
        ("企业设立登记", "Company registration", "qysldj", None),
        ("食品经营许可", "Food business licence", None, 1),
    ]),
    ("人力资源和社会保障局", "Human Resources and Social Security", "C", [
        ("社会保障卡办理", "Social security card", "shbzkbl", None),
    ]),
]  # fmt: skip


@dataclass
class KioskHall:
    id: int
    services: dict[str, int] = field(default_factory=dict)  # Chinese name -> id
    windows: dict[int, int] = field(default_factory=dict)  # number -> id
    clerk_numbers: dict[int, str] = field(default_factory=dict)
    manager_id: int = 0
    manager_number: str = ""

    def manager(self) -> Actor:
        return Actor(kind="user", id=self.manager_id, role="manager", hall_id=self.id)


def build_kiosk_hall(database: Database) -> KioskHall:
    """Three departments, five services; window n serves department n's services, all open."""
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(code="kiosk-hall", name="市民中心", name_en="Civic Centre", level="city",
                    time_zone="Asia/Shanghai", opening_hours=None, notice_lines=["请保管好号票"],
                    calling_policy="fcfs", max_recalls=3, no_show_grace_minutes=30,
                    requeue_behind=3, target_wait_minutes=15, event_seq=0)  # fmt: skip
        session.add(hall)
        session.flush()
        built = KioskHall(id=hall.id)
        for number, (name, name_en, prefix, services) in enumerate(CATALOGUE, start=1):
            department = Department(hall_id=hall.id, code=f"d{number}", name=name, name_en=name_en)
            session.add(department)
            session.flush()
            clerk = User(staff_number=f"K-C{number}", name=f"窗口{number}", role="clerk",
                         password_hash=hash_password(PASSWORD), hall_id=hall.id)  # fmt: skip
            session.add(clerk)
            session.flush()
            window = Window(hall_id=hall.id, number=number, name=f"{number}号窗口",
                            name_en=f"Window {number}", kind="comprehensive", status="open",
                            clerk_id=clerk.id)  # fmt: skip
            session.add(window)
            session.flush()
            built.windows[number] = window.id
            built.clerk_numbers[number] = clerk.staff_number
            for position, (service_name, service_en, initials, quota) in enumerate(services):
                service = Service(hall_id=hall.id, department_id=department.id,
                                  code=f"s{number}{position}", name=service_name,
                                  name_en=service_en, pinyin_initials=initials, prefix=prefix,
                                  expected_handling_minutes=10, daily_quota=quota,
                                  active=True)  # fmt: skip
                session.add(service)
                session.flush()
                built.services[service_name] = service.id
                session.add(
                    WindowService(window_id=window.id, service_id=service.id, position=position)
                )
        manager = User(staff_number="K-M", name="值班主任", role="manager",
                       password_hash=hash_password(PASSWORD), hall_id=hall.id)  # fmt: skip
        session.add(manager)
        session.flush()
        built.manager_id = manager.id
        built.manager_number = manager.staff_number
    return built


def enrol_kiosk(
    database: Database, hall: KioskHall, now: datetime, name: str, **settings: Any
) -> tuple[str, int]:
    """A new kiosk of the hall; `settings` are its policy (identification, idle_seconds, ...)."""
    with database.transaction() as uow:
        enrolled = enrol_device(
            uow, hall.manager(), hall.id, "kiosk", name, now, settings=settings or {}
        )
    return str(enrolled["token"]), int(enrolled["device"]["id"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
