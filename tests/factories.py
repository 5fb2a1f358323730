"""Builds halls, services, windows, staff and devices for tests, straight through the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hall_server.operations.access import Actor
from hall_server.operations.credentials import enrol_device, hash_password
from hall_server.storage.database import Database
from hall_server.storage.models import Department, Hall, Service, User, Window, WindowService

PASSWORD = "correct horse battery staple"


@dataclass
class TestHall:
    """A built hall: ids by friendly name, so tests read like the hall they describe."""

    id: int
    services: dict[str, int] = field(default_factory=dict)
    windows: dict[int, int] = field(default_factory=dict)  # window number -> id
    clerks: dict[int, int] = field(default_factory=dict)  # window number -> clerk user id
    clerk_numbers: dict[int, str] = field(default_factory=dict)
    manager_id: int = 0
    manager_number: str = ""
    kiosk_token: str = ""
    kiosk_id: int = 0
    board_token: str = ""

    def clerk(self, window_number: int) -> Actor:
        return Actor(kind="user", id=self.clerks[window_number], role="clerk", hall_id=self.id)

    def manager(self) -> Actor:
        return Actor(kind="user", id=self.manager_id, role="manager", hall_id=self.id)

    def kiosk(self) -> Actor:
        return Actor(kind="device", id=self.kiosk_id, role="kiosk", hall_id=self.id)


def build_hall(
    database: Database,
    now: datetime,
    code: str = "test-hall",
    services: dict[str, str] | None = None,
    windows: dict[int, list[str]] | None = None,
    time_zone: str = "Asia/Shanghai",
    opening_hours: str | None = None,
    parent_id: int | None = None,
    level: str = "city",
    quotas: dict[str, int] | None = None,
    requeue_behind: int = 3,
    max_recalls: int = 2,
) -> TestHall:
    """services: name -> prefix; windows: number -> service names it serves, in order."""
    services = services if services is not None else {"housing": "A", "business": "B"}
    windows = windows if windows is not None else {1: ["housing", "business"], 2: ["housing"]}
    quotas = quotas or {}
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(
            code=code,
            name=f"{code} 政务服务中心",
            name_en=code,
            level=level,
            parent_id=parent_id,
            time_zone=time_zone,
            opening_hours=opening_hours,
            notice_lines=["请保管好号票"],
            calling_policy="fcfs",
            max_recalls=max_recalls,
            no_show_grace_minutes=30,
            requeue_behind=requeue_behind,
            target_wait_minutes=15,
            event_seq=0,
        )
        session.add(hall)
        session.flush()
        department = Department(hall_id=hall.id, code=f"{code}-dept", name="综合部门")
        session.add(department)
        session.flush()
        built = TestHall(id=hall.id)
        for name, prefix in services.items():
            service = Service(
                hall_id=hall.id,
                department_id=department.id,
                code=f"{code}-{name}",
                name=name,
                name_en=name,
                prefix=prefix,
                expected_handling_minutes=10,
                daily_quota=quotas.get(name),
                active=True,
            )
            session.add(service)
            session.flush()
            built.services[name] = service.id
        for number, served in windows.items():
            clerk = User(
                staff_number=f"{code}-c{number}",
                name=f"clerk{number}",
                password_hash=hash_password(PASSWORD),
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
            for position, name in enumerate(served):
                session.add(
                    WindowService(
                        window_id=window.id, service_id=built.services[name], position=position
                    )
                )
            built.windows[number] = window.id
            built.clerks[number] = clerk.id
            built.clerk_numbers[number] = clerk.staff_number
        manager = User(
            staff_number=f"{code}-m",
            name="manager",
            password_hash=hash_password(PASSWORD),
            role="manager",
            hall_id=hall.id,
        )
        session.add(manager)
        session.flush()
        built.manager_id = manager.id
        built.manager_number = manager.staff_number
    with database.transaction() as uow:
        kiosk = enrol_device(uow, built.manager(), built.id, "kiosk", "kiosk", now)
        board = enrol_device(uow, built.manager(), built.id, "board", "board", now)
    built.kiosk_token, built.kiosk_id = kiosk["token"], kiosk["device"]["id"]
    built.board_token = board["token"]
    return built
