"""An elderly visitor's ticket in large text on a landscape kiosk (1920 x 1080): the number,
the QR code to follow the queue and the "Done" button all stay on the screen, with a long
service name, in Chinese and in English (before, the page was 1,542 px tall in Chinese and
1,651 px in English on the 1,080 px screen, "Done" below its edge)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from hall_server.storage.models import Service
from tests.conftest import page_without_script_errors
from tests.kiosk.conftest import WAIT_SECONDS, LiveKioskHall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

LONG_ZH = "住房公积金个人住房贷款提前部分还款及变更还款方式申请与材料核验"
LONG_EN = (
    "Housing provident fund loan: early partial repayment and change of repayment method, "
    "with checking of the materials"
)


@pytest.fixture
def landscape(browser: Any) -> Iterator[Any]:
    with page_without_script_errors(
        browser, WAIT_SECONDS * 1000, viewport={"width": 1920, "height": 1080}, has_touch=True
    ) as page:
        yield page


@pytest.fixture(scope="module")
def long_named(live_kiosk_hall: LiveKioskHall) -> LiveKioskHall:
    live = live_kiosk_hall
    with live.database.transaction() as uow:
        service = uow.session.get(Service, live.hall.services["公积金提取"])
        service.name, service.name_en = LONG_ZH, LONG_EN
    return live


def on_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1080


@pytest.mark.parametrize(
    ("language", "larger", "department", "service"),
    [
        ("zh", "大字模式", "住房公积金管理中心", LONG_ZH),
        ("en", "Larger text", "Housing Provident Fund", LONG_EN),
    ],
)
def test_a_large_text_ticket_with_a_long_name_fits_a_landscape_screen(
    landscape: Any, long_named: LiveKioskHall, language: str, larger: str, department: str,
    service: str,
) -> None:  # fmt: skip
    page = landscape
    token, _ = long_named.new_kiosk(f"landscape {language}", identification="off")
    page.goto(f"{long_named.url}/kiosk/?token={token}" + ("&lang=en" if language == "en" else ""))
    page.get_by_role("button", name=larger).click()
    page.get_by_role("button", name=department).click()
    page.get_by_role("button", name=service).click()
    page.get_by_role("button", name="确认取号" if language == "zh" else "Take ticket").click()
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-service")).to_have_text(service)

    for part in ("#ticket-number", "#ticket-qr", "#screen-ticket [data-action='done']"):
        assert on_screen(page, part), f"{part} is off the screen"
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
