"""What a hall manager's second trial of the dashboard and the administration found, in headless
Chromium against a real `hallq serve`: a flood of alerts ordered and folded, planned breaks
worded as such, device enrolment that gives the device's page and the print agent's command,
a revoke dialog naming its device, and a new service's department chosen, never assumed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hall_server.storage.models import Department, OutboxMessage, Platform, Service, Window
from tests.factories import PASSWORD
from tests.hall_clock import hall_clock
from tests.live.live_server import LiveHall
from tests.manager.conftest import (
    add_user,
    log_in,
    manager_token,
    open_manager_page,
    pause_window_with_people_waiting_alerted,
)

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    yield from open_manager_page(
        chromium_browser, permissions=("clipboard-read", "clipboard-write")
    )


def log_in_as_admin(page: Page, live: LiveHall, lang: str) -> None:
    admin_number = f"admin-{live.hall.id}-{lang}"
    add_user(live.database, admin_number, "admin", live.hall.id)
    log_in(page, live, lang, path="/manager/admin", who=admin_number)


# ----- 1. a flood of alerts: critical first, the oldest first, the rest folded -----


def long_wait(number: int, severity: str, since: datetime) -> dict[str, Any]:
    return {
        "key": f"long_wait:ticket:{number}",
        "kind": "long_wait",
        "subject": f"ticket:{number}",
        "severity": severity,
        "since": since.isoformat(),
        "raised_at": None,
        "cleared_at": None,
        "detail": {
            "service_name": "户籍",
            "ticket_number": f"A{number:03d}",
            "waited_minutes": 40,
            "threshold_minutes": 30,
        },
    }


def test_a_flood_of_alerts_shows_critical_first_oldest_first_and_folds_the_rest(
    page: Page, live: LiveHall
) -> None:
    """Thirteen alerts in the server's order (critical first, by key): the page puts the
    critical ones first, each severity the longest-standing first, shows four, and folds nine."""
    start = datetime.now(UTC) - timedelta(hours=2)
    # (number, severity, minutes after `start`): keys in an order unlike their ages.
    made = [
        (1, "critical", 50),
        (2, "critical", 10),
        (3, "warning", 5),
        (4, "critical", 30),
        (5, "warning", 1),
        (6, "critical", 20),
        (7, "warning", 40),
        (8, "critical", 60),
        (9, "warning", 2),
        (10, "critical", 70),
        (11, "warning", 3),
        (12, "critical", 80),
        (13, "warning", 4),
    ]
    alerts = [long_wait(n, severity, start + timedelta(minutes=m)) for n, severity, m in made]

    def flooded(route: Any) -> None:
        answer = route.fetch()
        data = answer.json()
        data["alerts"] = alerts
        route.fulfill(response=answer, json=data)

    page.route("**/api/v1/manager/halls/*/dashboard", flooded)
    log_in(page, live, "zh")

    expected = [2, 6, 4, 1, 8, 10, 12, 5, 9, 11, 13, 3, 7]
    items = page.locator("#alert-list li")
    expect(items).to_have_count(13)
    keys = items.evaluate_all("items => items.map(item => item.dataset.key)")
    assert keys == [f"long_wait:ticket:{n}" for n in expected]
    visible = page.locator("#alert-list li:visible")
    expect(visible).to_have_count(4)
    more = page.locator("#alert-more")
    expect(more).to_have_text("另有 9 条报警")
    expect(more).to_have_attribute("aria-expanded", "false")
    # The figures stay on the screen under the folded alerts.
    assert page.eval_on_selector(
        "#figure-waiting", "card => card.getBoundingClientRect().bottom <= innerHeight"
    )
    # A warning looks calmer than a critical alert: plain weight, a thinner edge.
    critical, warning = (
        page.locator(f"#alert-list li[data-severity='{severity}']").first.evaluate(
            "item => [getComputedStyle(item).fontWeight, getComputedStyle(item).borderLeftWidth]"
        )
        for severity in ("critical", "warning")
    )
    assert int(warning[0]) < int(critical[0])
    assert float(warning[1].removesuffix("px")) < float(critical[1].removesuffix("px"))

    more.click()
    expect(visible).to_have_count(13)
    expect(more).to_have_text("收起报警")
    expect(more).to_have_attribute("aria-expanded", "true")
    more.click()
    expect(visible).to_have_count(4)

    # Three alerts left: all show, and nothing is folded.
    del alerts[3:]
    live.issue("housing")  # a change in the hall: the page reads its figures again
    expect(items).to_have_count(3)
    expect(visible).to_have_count(3)
    expect(more).to_be_hidden()


# ----- 2. a planned break reads as one, until it runs over -----


def test_a_planned_break_says_until_when_and_then_that_it_has_run_over(
    page: Page, live: LiveHall
) -> None:
    pause_window_with_people_waiting_alerted(live, 2, reason="break", pause_minutes=30)
    window_2 = live.hall.windows[2]
    with live.database.reading() as session:
        paused_at = session.get(Window, window_2).paused_at
    paused_at = paused_at if paused_at.tzinfo else paused_at.replace(tzinfo=UTC)
    live.issue("housing")
    log_in(page, live, "zh")

    alert = page.locator(f"#alert-list li[data-key='idle_window:window:{window_2}']")
    until = hall_clock(paused_at + timedelta(minutes=30))
    expect(alert).to_have_attribute("data-severity", "warning")
    expect(alert).to_contain_text(f"2 号窗口计划休息至 {until}，仍有 1 人在等候")

    # The break began 40 minutes ago: it ended 10 minutes ago and the window is still paused.
    began = datetime.now(UTC) - timedelta(minutes=40)
    with live.database.transaction() as uow:
        uow.session.get(Window, window_2).paused_at = began
    live.issue("housing")  # a change in the hall: the page reads its figures again
    ended = hall_clock(began + timedelta(minutes=30))
    expect(alert).to_have_attribute("data-severity", "critical")
    expect(alert).to_contain_text(f"2 号窗口计划休息已于 {ended} 结束，仍未恢复，2 人在等候")


def test_a_planned_break_in_english(page: Page, live: LiveHall) -> None:
    pause_window_with_people_waiting_alerted(live, 2, reason="break", pause_minutes=15)
    window_2 = live.hall.windows[2]
    with live.database.reading() as session:
        paused_at = session.get(Window, window_2).paused_at
    paused_at = paused_at if paused_at.tzinfo else paused_at.replace(tzinfo=UTC)
    live.issue("housing")
    log_in(page, live, "en")
    alert = page.locator(f"#alert-list li[data-key='idle_window:window:{window_2}']")
    until = hall_clock(paused_at + timedelta(minutes=15))
    expect(alert).to_contain_text(f"Window 2 is on a planned break until {until} while 1 wait")


# ----- 3. an enrolled device: its page, a kiosk's print agent command, each to copy -----


def test_an_enrolled_kiosk_gets_its_page_and_print_agent_command_to_copy(
    page: Page, live: LiveHall
) -> None:
    log_in_as_admin(page, live, "zh")
    page.click("[data-tab='devices']")
    page.click("#add-device")
    page.select_option("#field-kind", "kiosk")
    page.fill("#field-name", "一楼取号机")
    page.click("#dialog-ok")

    box = page.locator("#device-token")
    expect(box).to_be_visible()
    expect(box).to_contain_text("设备令牌仅显示这一次")
    token = page.locator("#device-token-value").inner_text()
    assert token.startswith("d_")
    address = f"{live.url}/kiosk/?token={token}"
    command = f"hallq kiosk --server {live.url} --token {token} --printer usb:VID:PID"
    expect(page.locator("#device-page-address")).to_have_text(address)
    expect(page.locator("#device-agent-command")).to_have_text(command)
    expect(box).to_contain_text("usb:0416:5011")
    # The token shown is the device's: the hall's board answers it.
    board = live.api("GET", f"/halls/{live.hall.id}/board", token)
    assert board.status_code == 200, board.text

    for source, text in (("device-page-address", address), ("device-agent-command", command)):
        copy = page.locator(f"button[data-copy='{source}']")
        expect(copy).to_have_text("复制")
        copy.click()
        expect(copy).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == text


@pytest.mark.parametrize(
    ("kind", "path"),
    [("board", "/board/"), ("window_display", "/window-display/"), ("rating_pad", "/rating/")],
)
def test_an_enrolled_screen_gets_its_page_and_no_print_agent(
    page: Page, live: LiveHall, kind: str, path: str
) -> None:
    log_in_as_admin(page, live, "en")
    page.click("[data-tab='devices']")
    page.click("#add-device")
    page.select_option("#field-kind", kind)
    page.fill("#field-name", f"new {kind}")
    page.select_option("#field-window_id", str(live.hall.windows[1]))
    page.click("#dialog-ok")

    box = page.locator("#device-token")
    expect(box).to_contain_text("shown only now")
    token = page.locator("#device-token-value").inner_text()
    expect(page.locator("#device-page-address")).to_have_text(f"{live.url}{path}?token={token}")
    expect(page.locator("#device-agent-command")).to_have_count(0)


@pytest.mark.parametrize(("lang", "kinds"), [("zh", ("取号机", "综合屏")), ("en", ("kiosk",))])
def test_the_revoke_dialog_names_the_device_it_revokes(
    page: Page, live: LiveHall, lang: str, kinds: tuple[str, ...]
) -> None:
    devices = live.api("GET", f"/halls/{live.hall.id}/devices", manager_token(live)).json()
    log_in_as_admin(page, live, lang)
    page.click("[data-tab='devices']")
    expect(page.locator("#devices-body tr")).to_have_count(len(devices))
    words = page.evaluate("HALLQ.text.device_kinds")
    checked = set()
    for device in devices:
        kind = words[device["kind"]]
        if kind not in kinds:
            continue
        page.locator(
            f"#devices-body tr[data-device='{device['id']}'] button[data-action='revoke-device']"
        ).click()
        title = (
            f"撤销{kind}“{device['name']}”？"
            if lang == "zh"
            else f"Revoke the {kind} “{device['name']}”?"
        )
        expect(page.locator("#dialog-title")).to_have_text(title)
        page.click("#dialog-cancel")
        checked.add(kind)
    assert checked == set(kinds)


def test_a_tab_chosen_while_the_halls_load_stays_chosen(page: Page, live: LiveHall) -> None:
    """The administration opens on the hall's tab once the halls have come; a tab the manager
    picked before then is the one that shows, and loads."""
    held: list[Any] = []
    released: list[bool] = []
    asked: list[str] = []

    def hold(route: Any) -> None:
        # The first asking is the login's (the hall's clock; the tabs answer once it is in);
        # the second is the administration's list of halls, held back here.
        asked.append(route.request.url)
        if released or len(asked) == 1:
            route.continue_()
        else:
            held.append(route)

    admin_number = f"admin-{live.hall.id}-early"
    add_user(live.database, admin_number, "admin", live.hall.id)
    page.route("**/api/v1/halls", hold)
    page.goto(f"{live.url}/manager/admin?lang=en")
    page.fill("#staff-number", admin_number)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#page-view")).to_be_visible()
    for _ in range(400):  # the page asks for them once its tabs are wired
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the administration's halls were asked for"
    page.click("[data-tab='devices']")
    released.append(True)
    for route in held:
        route.continue_()
    devices = live.api("GET", f"/halls/{live.hall.id}/devices", manager_token(live)).json()
    expect(page.locator("#devices-body tr")).to_have_count(len(devices))
    expect(page.locator("[data-panel='devices']")).to_be_visible()
    expect(page.locator("[data-tab='devices']")).to_have_attribute("aria-selected", "true")


# ----- 4. a new service's department is chosen, never assumed -----


def departments_services(live: LiveHall) -> list[tuple[str, int]]:
    with live.database.reading() as session:
        return list(
            session.execute(
                select(Service.code, Service.department_id).where(Service.hall_id == live.hall.id)
            ).all()
        )


@pytest.mark.parametrize(
    ("lang", "placeholder", "problem"),
    [
        ("zh", "请选择部门", "部门：请选择一项。"),
        ("en", "Choose a department", "Department: choose one."),
    ],
)
def test_a_new_service_waits_for_its_department_to_be_chosen(
    page: Page, live: LiveHall, lang: str, placeholder: str, problem: str
) -> None:
    added = live.api(
        "POST",
        f"/halls/{live.hall.id}/departments",
        manager_token(live),
        json={"code": f"tax-{live.hall.id}", "name": "税务"},
    )
    assert added.status_code == 201, added.text
    tax = added.json()["id"]
    before = departments_services(live)
    log_in_as_admin(page, live, lang)
    page.click("[data-tab='services']")
    page.click("#add-service")
    department = page.locator("#field-department_id")
    expect(department).to_have_value("")
    expect(department.locator("option").first).to_have_text(placeholder)
    page.fill("#field-code", f"invoice-{lang}")
    page.fill("#field-name", "发票领用")
    page.fill("#field-prefix", "T")
    page.click("#dialog-ok")

    expect(department).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem-department_id")).to_have_text(problem)
    expect(page.locator("#dialog-note")).to_have_attribute("data-error", "true")
    expect(page.locator("#form-dialog")).to_be_visible()
    assert departments_services(live) == before

    page.select_option("#field-department_id", str(tax))
    page.click("#dialog-ok")
    expect(page.locator("#form-dialog")).to_be_hidden()
    assert set(departments_services(live)) - set(before) == {(f"invoice-{lang}", tax)}
    with live.database.reading() as session:
        assert session.get(Department, tax).name == "税务"


# ----- 5. the platform outbox: what waits to be acknowledged, and why -----


def queue_messages(live: LiveHall) -> tuple[int, int, datetime, datetime]:
    """Two messages for a platform whose webhook failed: the second waits behind the first.
    The first's next attempt is an hour away, so the server's delivery job leaves them alone."""
    now = datetime.now(UTC)
    next_attempt = now + timedelta(hours=1)
    with live.database.transaction() as uow:
        platform = Platform(
            code=f"gov-{live.hall.id}",
            name="网上办事平台",
            hall_id=live.hall.id,
            secret="s" * 32,
            webhook_url="http://127.0.0.1:9/hook",
            active=True,
            created_at=now,
        )
        uow.session.add(platform)
        uow.session.flush()
        first = OutboxMessage(
            platform_id=platform.id,
            hall_id=live.hall.id,
            kind="case.finished",
            payload={"ticket": "A001"},
            status="pending",
            attempts=3,
            next_attempt_at=next_attempt,
            last_error="HTTP 503",
            created_at=now - timedelta(minutes=5),
        )
        second = OutboxMessage(
            platform_id=platform.id,
            hall_id=live.hall.id,
            kind="appointment.no_show",
            payload={"ticket": "A002"},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        uow.session.add_all([first, second])
        uow.session.flush()
        return first.id, second.id, next_attempt, first.created_at


def test_the_dashboard_lists_the_platform_messages_waiting_and_what_holds_them(
    page: Page, live: LiveHall
) -> None:
    log_in(page, live, "en")
    expect(page.locator("#outbox-empty")).to_have_text("Nothing is waiting to be sent.")
    expect(page.locator("#outbox-table")).to_be_hidden()

    first, second, next_attempt, created = queue_messages(live)
    page.goto(f"{live.url}/manager/?lang=zh")
    expect(page.locator("#outbox-title")).to_contain_text("平台回传")
    expect(page.locator("#outbox-count")).to_have_text("2 条待发送")
    rows = page.locator("#outbox-body tr")
    expect(rows).to_have_count(2)
    head = page.locator(f"#outbox-body tr[data-message='{first}']")
    expect(head.locator("td")).to_have_text(
        [
            str(first),
            f"gov-{live.hall.id}",
            "办结结果",
            hall_clock(created),
            "3",
            "HTTP 503",
            hall_clock(next_attempt),
        ]
    )
    behind = page.locator(f"#outbox-body tr[data-message='{second}']")
    expect(behind).to_have_attribute("data-held-back", "true")
    expect(behind.locator(".kind")).to_have_text("预约未到")
    expect(behind.locator(".attempts")).to_have_text("0")
    expect(behind.locator(".last-error")).to_have_text("—")
    expect(behind.locator(".next-attempt")).to_have_text(f"等待 {first} 号消息送达后发送")
    expect(page.locator("#outbox-empty")).to_be_hidden()
