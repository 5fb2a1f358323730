"""Seeds and runs the demo: halls, services, windows, staff, devices and a morning's tickets."""

from __future__ import annotations

import functools
import os
import random
import secrets
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import select

from hall_server.core.numbering import local_time
from hall_server.demo.demo_bookings import (
    DEMO_PLATFORM_SECRET,
    add_demo_platform,
    push_morning_booking,
    seed_todays_bookings,
    todays_codes,
)
from hall_server.demo.demo_catalogue import (
    CITY_WINDOWS,
    DEPARTMENTS,
    NOTICE_LINES,
    TOWNSHIP_DEPARTMENTS,
    TOWNSHIP_WINDOWS,
)
from hall_server.demo.demo_rota import seed_demo_rota
from hall_server.demo.robot_clerks import serve_some
from hall_server.operations import window_operations
from hall_server.operations.access import Actor
from hall_server.operations.credentials import enrol_device, hash_password
from hall_server.operations.remote_issuing import change_remote_settings
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Department, Hall, Service, User, Window, WindowService

DEMO_PASSWORDS = {"admin": "demo-admin", "manager": "demo-manager", "clerk": "demo-clerk"}
DEMO_IDENTITY_SECRET = "demo-identity-secret-not-for-production"
# The demo's pages, its devices' with their tokens (predictable only in the demo): printed when
# it starts, and listed on its start page. (English label, Chinese label, path.)
DEMO_PAGES: tuple[tuple[str, str, str], ...] = (
    ("Start page (every page)", "首页（所有页面）", "/"),
    ("Kiosk (取号机)", "取号机", "/kiosk/?token=d_demo-kiosk-1"),
    ("Lobby board (综合屏)", "大厅综合屏", "/board/?token=d_demo-board"),
    ("Window display, window 1", "1号窗口屏", "/window-display/?token=d_demo-window-1"),
    ("Counter (呼叫器), window 1-2", "呼叫器（1、2号窗口）", "/counter/"),
    ("Rating pad, window 1", "1号窗口评价器", "/rating/?token=d_demo-rating-1"),
    ("Manager dashboard", "管理看板", "/manager/"),
    ("All halls (city view)", "全市大厅总览", "/city/"),
    ("Township kiosk", "乡镇中心取号机", "/kiosk/?token=d_demo-town-kiosk"),
    ("Phone ticket (线上取号)", "线上取号", "/h/city-centre/take"),
    ("API (OpenAPI 3)", "接口（OpenAPI 3）", "/api/openapi.json"),
)


@dataclass
class DemoDirectory:
    """What the demo prints: where each page is and how to log in."""

    hall_ids: dict[str, int] = field(default_factory=dict)
    device_tokens: dict[str, str] = field(default_factory=dict)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # number, pw, role, who


def _seed_hall(
    database: Database,
    code: str,
    name: str,
    name_en: str,
    level: str,
    parent_id: int | None,
    departments: list[str],
    windows: list[tuple[int, str, str, str, list[str]]],
    opening_hours: str | None,
    calling_policy: str = "fcfs",
) -> int:
    with database.transaction() as uow:
        session = uow.session
        hall = Hall(
            code=code,
            name=name,
            name_en=name_en,
            level=level,
            parent_id=parent_id,
            time_zone="Asia/Shanghai",
            opening_hours=opening_hours,
            notice_lines=NOTICE_LINES,
            calling_policy=calling_policy,
            calling_settings={},  # the defaults of docs/calling_policy.md
            max_recalls=3,
            no_show_grace_minutes=30,
            requeue_behind=3,
            target_wait_minutes=15,
            event_seq=0,
        )
        session.add(hall)
        session.flush()
        services_by_department: dict[str, list[int]] = {}
        for dept_code, dept_name, dept_en, prefix, services in DEPARTMENTS:
            if dept_code not in departments:
                continue
            department = Department(
                hall_id=hall.id, code=dept_code, name=dept_name, name_en=dept_en
            )
            session.add(department)
            session.flush()
            for service_code, service_name, service_en, initials, minutes in services:
                service = Service(
                    hall_id=hall.id,
                    department_id=department.id,
                    code=service_code,
                    name=service_name,
                    name_en=service_en,
                    pinyin_initials=initials,
                    prefix=prefix,
                    expected_handling_minutes=minutes,
                    daily_quota=300 if level == "city" else 80,
                    active=True,
                )
                session.add(service)
                session.flush()
                services_by_department.setdefault(dept_code, []).append(service.id)
        for number, window_name, window_en, kind, dept_codes in windows:
            window = Window(
                hall_id=hall.id,
                number=number,
                name=window_name,
                name_en=window_en,
                kind=kind,
                status="closed",
            )
            session.add(window)
            session.flush()
            position = 0
            for dept_code in dept_codes:
                for service_id in services_by_department.get(dept_code, []):
                    session.add(
                        WindowService(window_id=window.id, service_id=service_id, position=position)
                    )
                    position += 1
        return hall.id


@functools.cache
def _demo_password_hash(role: str) -> str:
    """One hash per demo password, shared by the accounts that have it (each hash takes a fifth
    of a second on purpose; the passwords are printed anyway)."""
    return hash_password(DEMO_PASSWORDS[role])


def _add_user(
    database: Database, directory: DemoDirectory, number: str, name: str, role: str, hall_id: int
) -> int:
    with database.transaction() as uow:
        user = User(
            staff_number=number,
            name=name,
            password_hash=_demo_password_hash(role),
            role=role,
            hall_id=hall_id,
            active=True,
        )
        uow.session.add(user)
        uow.session.flush()
        directory.accounts.append((number, DEMO_PASSWORDS[role], role, name))
        return user.id


CLERK_NAMES = [
    "王芳",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄涛",
    "周婷",
    "吴刚",
    "徐丽",
    "孙浩",
    "胡蓉",
    "朱军",
    "高燕",
    "林峰",
]


def seed_demo(database: Database, now: datetime) -> DemoDirectory:
    """A city centre (10 departments, 40 services, 16 windows; calling by due times, with an
    online platform and today's bookings) and a township centre under it."""
    directory = DemoDirectory()
    city = _seed_hall(
        database,
        "city-centre",
        "市政务服务中心",
        "City Government Service Centre",
        "city",
        None,
        [d[0] for d in DEPARTMENTS],
        CITY_WINDOWS,
        None,
        calling_policy="due_time",
    )
    township = _seed_hall(
        database,
        "qiaotou-town",
        "桥头镇为民服务中心",
        "Qiaotou Township Service Centre",
        "township",
        city,
        TOWNSHIP_DEPARTMENTS,
        TOWNSHIP_WINDOWS,
        None,
    )
    directory.hall_ids = {"city-centre": city, "qiaotou-town": township}
    admin_id = _add_user(database, directory, "A0001", "系统管理员", "admin", city)
    _add_user(database, directory, "M1001", "陈主任", "manager", city)
    _add_user(database, directory, "M2001", "李站长", "manager", township)
    clerk_ids = [
        _add_user(database, directory, f"C1{i + 1:03d}", CLERK_NAMES[i], "clerk", city)
        for i in range(len(CITY_WINDOWS))
    ]
    township_clerks = [
        _add_user(database, directory, f"C2{i + 1:03d}", name, "clerk", township)
        for i, name in enumerate(["郑秀英", "冯建国", "蒋梅"])
    ]
    admin = Actor(kind="user", id=admin_id, role="admin", hall_id=city, name="系统管理员")
    _enrol_devices(database, directory, admin, city, township, now)
    seed_demo_rota(database, admin, [city, township])
    _open_windows(database, city, clerk_ids, now)
    _open_windows(database, township, township_clerks, now)
    with database.transaction() as uow:  # the city centre gives tickets on phones (线上取号)
        change_remote_settings(uow, admin, city, {"enabled": True})
    add_demo_platform(database, city, now)  # before the morning: its bookings come from it
    _morning_so_far(database, city, admin, now)
    seed_todays_bookings(database, now)
    return directory


def _enrol_devices(
    database: Database,
    directory: DemoDirectory,
    admin: Actor,
    city: int,
    township: int,
    now: datetime,
) -> None:
    def enrol(label: str, hall_id: int, kind: str, name: str, window_id: int | None = None) -> None:
        token = f"d_demo-{label}"  # predictable only in the demo, so its URLs can be printed
        with database.transaction() as uow:
            enrol_device(uow, admin, hall_id, kind, name, now, window_id=window_id, token=token)
        directory.device_tokens[label] = token

    enrol("kiosk-1", city, "kiosk", "一楼取号机1")
    enrol("kiosk-2", city, "kiosk", "一楼取号机2")
    enrol("board", city, "board", "大厅综合屏")
    enrol("town-kiosk", township, "kiosk", "镇中心取号机")
    enrol("town-board", township, "board", "镇中心综合屏")
    with database.reading() as session:
        windows = session.execute(
            select(Window.id, Window.number).where(Window.hall_id == city).order_by(Window.number)
        ).all()
    for window_id, number in windows:
        enrol(f"window-{number}", city, "window_display", f"{number}号窗口屏", window_id)
        if number <= 8:
            enrol(f"rating-{number}", city, "rating_pad", f"{number}号窗口评价器", window_id)


def _open_windows(database: Database, hall_id: int, clerk_ids: list[int], now: datetime) -> None:
    with database.reading() as session:
        windows = list(
            session.scalars(
                select(Window.id).where(Window.hall_id == hall_id).order_by(Window.number)
            )
        )
    # Windows 1 and 2 stay free for whoever tries the counter page; the rest have a clerk.
    for window_id, clerk_id in list(zip(windows, clerk_ids, strict=False))[2:]:
        clerk = Actor(kind="user", id=clerk_id, role="clerk", hall_id=hall_id)
        with database.transaction() as uow:
            window_operations.take_window(uow, clerk, window_id, now)


MORNING_TICKETS = 45
MORNING_SPAN = timedelta(hours=1)


def morning_arrivals(now: datetime, time_zone: str) -> list[datetime]:
    """When the tickets the demo starts with were taken: evenly over the last hour, but never
    before the hall's local midnight. The halls are open around the clock, and a hall's numbers,
    quotas and bookings are per local day, which the daily rollover closes at midnight: a demo
    started at 00:10 starts with the same busy hall, its tickets taken over those ten minutes."""
    midnight = local_time(now, time_zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - MORNING_SPAN, midnight)
    return [start + (now - start) * i / MORNING_TICKETS for i in range(MORNING_TICKETS)]


def _morning_so_far(database: Database, hall_id: int, admin: Actor, now: datetime) -> None:
    """The tickets of the last hour (morning_arrivals), some served, some being served, most
    still waiting. Appointment and pre-reviewed tickets are checked in with a booking or
    pre-review the platform pushed, as at the kiosk, so the counter shows their records."""
    rng = random.Random(20261130)
    with database.reading() as session:
        service_ids = list(session.scalars(select(Service.id).where(Service.hall_id == hall_id)))
        time_zone = session.scalar(select(Hall.time_zone).where(Hall.id == hall_id))
    assert time_zone is not None
    for i, issued_at in enumerate(morning_arrivals(now, time_zone)):
        visitor_class = rng.choices(
            ["walk_in", "appointment", "pre_reviewed", "priority"], [80, 10, 6, 4]
        )[0]
        service_id = rng.choice(service_ids)
        booked: dict[str, str] = {}
        if visitor_class in ("appointment", "pre_reviewed"):
            booked = push_morning_booking(
                database, hall_id, service_id, visitor_class, issued_at, i + 1
            )
            visitor_class = "walk_in"  # the booking gives the class when it is checked in
        with database.transaction() as uow:
            issue_ticket(
                uow,
                admin,
                IssueRequest(
                    hall_id=hall_id, service_id=service_id, visitor_class=visitor_class, **booked
                ),
                issued_at,
                DEMO_IDENTITY_SECRET,
                "http://127.0.0.1:5000",
            )
    serve_some(database, hall_id, now, rng, rounds=2)


def run_demo(
    port: int, database_path: Path, fresh: bool, async_mode: str, printer: str = "simulated"
) -> None:
    """Serve the demo as `hallq serve` serves a hall, background jobs included, plus what only
    the demo has: its seed, print agents, robot visitors and clerks, and a platform webhook."""
    from hall_server.app import create_app, utc_now
    from hall_server.background.runner import hand_back_leases_on_exit, start_background_work
    from hall_server.demo.demo_activity import start_demo_activity
    from hall_server.demo.demo_bookings import use_webhook_receiver
    from hall_server.demo.demo_database import prepare_demo_file, seed_or_keep
    from hall_server.demo.demo_print_agents import start_print_agents
    from hall_server.demo.demo_webhook import add_webhook_receiver
    from hall_server.extensions import socketio
    from hall_server.live.serving import run_server
    from hall_server.logging_setup import keep_the_terminal_for_warnings

    url = prepare_demo_file(database_path, fresh)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(16),
            "IDENTITY_SECRET": DEMO_IDENTITY_SECRET,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ASYNC_MODE": async_mode,
            "LOG_JSON": False,
        }
    )
    server_log = database_path.parent / "demo-logs" / "server.log"
    keep_the_terminal_for_warnings(server_log)
    database: Database = app.extensions["hallq_db"]
    seed_or_keep(database, utc_now())
    add_webhook_receiver(app, DEMO_PLATFORM_SECRET)
    use_webhook_receiver(database, app.config["PUBLIC_BASE_URL"], utc_now())
    print_directory(database, port, utc_now())
    # The start page lists the same pages and accounts (only a demo's app has these).
    app.config["DEMO_PAGES"] = DEMO_PAGES
    app.config["DEMO_ACCOUNTS"] = demo_accounts(database)
    agents = start_print_agents(port, printer, database_path.parent / "demo-logs")
    click.echo("\n".join(agents.lines))
    click.echo(f"The server's log (every call, ticket, print and job): {server_log}")
    click.echo("Only warnings and errors appear here. Ctrl+C stops the demo.")
    # The same jobs and leases as `hallq serve`: the daily rollover, bookings not kept, alerts,
    # the platform outbox, housekeeping.
    runner = start_background_work(app, socketio)
    if runner is not None:

        def stop_agents_and_exit(status: int) -> None:
            agents.stop()
            sys.stdout.flush()  # os._exit writes nothing still buffered
            sys.stderr.flush()
            os._exit(status)

        hand_back_leases_on_exit(runner, exit=stop_agents_and_exit)
    start_demo_activity(app, socketio)
    run_server(socketio, app, "127.0.0.1", port)


def demo_accounts(database: Database) -> list[tuple[str, str, str, str, str]]:
    """The accounts to try the demo with: staff number, password, role, name, hall (every admin
    and manager, and the first clerks: the rest share the clerk password)."""
    with database.reading() as session:
        rows = session.execute(
            select(User.staff_number, User.role, User.name, Hall.name)
            .join(Hall, Hall.id == User.hall_id)
            .order_by(User.staff_number)
        ).all()
    accounts = []
    clerks = 0
    for staff_number, role, name, hall_name in rows:
        clerks += role == "clerk"
        if clerks <= 3 or role != "clerk":
            accounts.append((staff_number, DEMO_PASSWORDS[role], role, name, hall_name))
    return accounts


def _hours_lines(database: Database) -> list[str]:
    with database.reading() as session:
        time_zone = session.scalar(select(Hall.time_zone).where(Hall.code == "city-centre"))
    return [
        "The demo halls have no opening hours: they are open around the clock, so visitors keep",
        f"arriving at night too. At the halls' midnight ({time_zone}) numbers start again from 1",
        "and the daily rollover closes yesterday's waiting tickets, as under `hallq serve`.",
    ]


def print_directory(database: Database, port: int, now: datetime) -> None:
    base = f"http://127.0.0.1:{port}"
    lines = [
        "",
        "HallQ demo is running. Open these pages (Chinese by default; add ?lang=en for English):",
        *(f"  {label:<29}{base}{path}" for label, _label_zh, path in DEMO_PAGES),
        "",
        "Demo accounts (staff number / password):",
        *(
            f"  {number:<6} / {password:<13} {role:<8} {name} ({hall})"
            for number, password, role, name, hall in demo_accounts(database)
        ),
    ]
    lines.append("  … clerks C1001–C1016 and C2001–C2003 share the clerk password.")
    lines.append("Windows 3–16 are staffed by robot clerks so the board moves; 1 and 2 are yours.")
    lines.extend(_hours_lines(database))
    lines.extend(todays_codes(database, now))
    lines.append("Stop with Ctrl+C. `make demo` keeps the data; `make demo-fresh` starts over.")
    click.echo("\n".join(lines))
