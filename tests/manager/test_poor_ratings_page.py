"""The reports page lists, under the report, the poor ratings (差评) of the same period, case by
case with the visitor's reasons and comment, shows every rating on request, says when there are
none, pages through many, and puts them in the XLSX file; in Chinese (the default) and English,
in headless Chromium against a real `hallq serve`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.live.live_server import LiveHall
from tests.manager.conftest import log_in, open_manager_page

pytestmark = [pytest.mark.browser, pytest.mark.live_server]
COMMENT = "等了很久<b>没人管</b>"  # shown as written, never as markup
EMPTY_DAY = "2020-01-06"


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    yield from open_manager_page(chromium_browser)


def rate_a_case(
    live: LiveHall, clerk: str, level: str, reasons: list[str], comment: str | None = None
) -> dict[str, Any]:
    """A visitor takes a ticket, window 2 serves it, and the visitor rates it on the phone."""
    ticket = live.issue("housing")
    live.serve_next(clerk, 2)
    body: dict[str, Any] = {"level": level, "reasons": reasons}
    if comment is not None:
        body["comment"] = comment
    rated = live.api("POST", f"/ticket-status/{ticket['status_token']}/rating", json=body)
    assert rated.status_code == 201, rated.text
    return ticket


def cell(row: Any, column: str) -> Any:
    return row.locator(f"[data-column='{column}']")


def test_the_poor_ratings_are_listed_under_the_report_in_chinese(
    page: Page, live: LiveHall, tmp_path: Path
) -> None:
    clerk = live.login(2)
    poor = rate_a_case(live, clerk, "very_dissatisfied", ["long_wait", "poor_attitude"], COMMENT)
    good = rate_a_case(live, clerk, "very_satisfied", ["efficient"])
    log_in(page, live, "zh", "/manager/reports")

    section = page.locator("#rated-cases")
    expect(section).to_have_attribute("data-loaded", re.compile(r"^poor:"))
    expect(page.locator("#rated-title")).to_have_text("差评明细")
    rows = page.locator("#rated-body tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(cell(row, "ticket_number")).to_have_text(poor["number"])
    expect(cell(row, "level")).to_have_text("非常不满意")
    expect(cell(row, "reasons")).to_have_text("等候时间长、服务态度差")
    expect(cell(row, "comment")).to_have_text(COMMENT)
    expect(cell(row, "service")).to_have_text("housing")
    expect(cell(row, "window")).to_have_text("2 窗口2")
    expect(cell(row, "clerk")).to_have_text(f"clerk2 ({live.hall.clerk_numbers[2]})")
    expect(cell(row, "channel")).to_have_text("手机")
    expect(cell(row, "rated_at")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
    expect(row).to_have_attribute("data-bad", "true")
    expect(page.locator("#rated-count")).to_have_text("已显示 1 条，共 1 条")
    expect(page.locator("#rated-table thead")).to_contain_text("留言")
    expect(page.locator("#rated-table thead")).not_to_contain_text("大厅")  # one hall only
    expect(page.locator("#rated-more")).to_be_hidden()

    page.check("#rated-all")
    expect(page.locator("#rated-title")).to_have_text("评价明细")
    expect(rows).to_have_count(2)
    expect(cell(rows.first, "ticket_number")).to_have_text(good["number"])  # newest first
    expect(cell(rows.first, "level")).to_have_text("非常满意")
    expect(rows.first).not_to_have_attribute("data-bad", "true")

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    saved = tmp_path / "report.xlsx"
    download_info.value.save_as(saved)
    sheet = load_workbook(io.BytesIO(saved.read_bytes()))["评价明细"]
    numbers = [row[2] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert numbers == [good["number"], poor["number"]]  # every level, as the page shows

    page.fill("#report-date", EMPTY_DAY)
    page.click("#report-run")
    expect(page.locator("#rated-empty")).to_have_text("本期间没有评价。")
    expect(page.locator("#rated-table")).to_be_hidden()
    page.uncheck("#rated-all")
    expect(page.locator("#rated-empty")).to_have_text("本期间没有差评。")
    expect(page.locator("#rated-title")).to_have_text("差评明细")


def test_the_poor_ratings_come_in_english_and_page_by_fifty(page: Page, live: LiveHall) -> None:
    clerk = live.login(2)
    first = rate_a_case(live, clerk, "dissatisfied", ["unclear_requirements"], "no forms")
    for _ in range(50):
        rate_a_case(live, clerk, "very_dissatisfied", [])
    rate_a_case(live, clerk, "satisfied", [])
    log_in(page, live, "en", "/manager/reports")

    expect(page.locator("#rated-title")).to_have_text("Poor ratings")
    rows = page.locator("#rated-body tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#rated-count")).to_have_text("50 of 51")
    expect(cell(rows.first, "level")).to_have_text("Very dissatisfied")
    expect(cell(rows.first, "reasons")).to_have_text("—")
    expect(cell(rows.first, "channel")).to_have_text("Phone")

    page.click("#rated-more")
    expect(rows).to_have_count(51)
    oldest = rows.last
    expect(cell(oldest, "ticket_number")).to_have_text(first["number"])
    expect(cell(oldest, "level")).to_have_text("Dissatisfied")
    expect(cell(oldest, "reasons")).to_have_text("Requirements were unclear")
    expect(cell(oldest, "comment")).to_have_text("no forms")
    expect(page.locator("#rated-count")).to_have_text("51 of 51")
    expect(page.locator("#rated-more")).to_be_hidden()

    page.check("#rated-all")
    expect(page.locator("#rated-title")).to_have_text("Rating details")
    expect(page.locator("#rated-count")).to_have_text("50 of 52")
    expect(cell(rows.first, "level")).to_have_text("Satisfied")

    page.fill("#report-date", EMPTY_DAY)
    page.click("#report-run")
    expect(page.locator("#rated-empty")).to_have_text("No ratings in this period.")
