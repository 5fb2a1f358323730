"""The break rota page: it renders in Chinese (the default) and English, and in headless
Chromium against a real `hallq serve` a manager adds, changes and removes breaks, is told why an
overlapping one is refused, and sees another manager's change arrive live."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hall_server.storage.database import Database
from tests.live.live_server import LiveHall, LiveServer, seed_hall
from tests.manager.conftest import manager_token
from tests.manager.test_dashboard_browser import WAIT_MS, log_in, wait_live


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rota_page_renders_in_both_languages(client: Any, lang: str) -> None:
    response = client.get(f"/manager/rota?lang={lang}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-locale="{lang}"' in html and "rota.js" in html
    assert 'id="nav-rota"' in html and 'aria-current="page" id="nav-rota"' in html
    text = json.loads(re.search(r"text: (\{.*\}),\n", html).group(1))
    if lang == "zh":
        assert "休息安排" in html
        assert text["weekdays"]["mon"] == "周一"
        assert text["refusals"]["break_overlap"] == "未保存。"  # the server says which breaks
    else:
        assert "Break rota" in html
        assert text["weekdays"]["mon"] == "Mon"


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    # No timed refreshes: whatever changes on the page must have come over the live connection.
    context.add_init_script("window.setInterval = function () { return 0; };")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def window_row(page: Page, live: LiveHall, number: int) -> Any:
    return page.locator(f"#rota-body tr[data-window='{live.hall.windows[number]}']")


def fill_break(page: Page, start: str, minutes: int, label: str | None = None) -> None:
    page.fill("#field-start", start)
    page.fill("#field-minutes", str(minutes))
    if label is not None:
        page.fill("#field-label", label)


@pytest.mark.browser
@pytest.mark.live_server
def test_a_manager_keeps_the_rota_on_the_page(
    page: Page, server: tuple[LiveServer, Database]
) -> None:
    live = seed_hall(*server)
    log_in(page, live.url, live.hall.manager_number, "/manager/rota")
    wait_live(page)
    first, second = window_row(page, live, 1), window_row(page, live, 2)
    expect(first).to_contain_text("no breaks planned", timeout=WAIT_MS)

    first.locator("button[data-action='add-break']").click()
    fill_break(page, "11:30", 60, "午休 lunch")
    for day in ("sat", "sun"):
        page.uncheck(f"#dialog-fields input[name='weekdays'][value='{day}']")
    page.click("#dialog-ok")
    expect(first).to_contain_text("11:30–12:30 午休 lunch Mon–Fri", timeout=WAIT_MS)

    first.locator("button[data-action='add-break']").click()
    fill_break(page, "12:00", 30)
    page.click("#dialog-ok")
    expect(page.locator("#dialog-note")).to_have_text(
        "Not saved. Two breaks of window 1 overlap: 11:30-12:30 and 12:00-12:30."
    )
    page.click("#dialog-cancel")

    # Another manager gives window 2 its lunch: the page shows it without being asked.
    other = manager_token(live)
    added = live.api(
        "POST",
        f"/manager/halls/{live.hall.id}/break-rota/breaks",
        other,
        json={"window_id": live.hall.windows[2], "start": "12:30", "minutes": 60},
    )
    assert added.status_code == 201, added.text
    expect(second).to_contain_text("12:30–13:30 every day", timeout=WAIT_MS)

    first.locator("button[data-action='edit-break']").click()
    page.fill("#field-minutes", "45")
    page.click("#dialog-ok")
    expect(first).to_contain_text("11:30–12:15 午休 lunch Mon–Fri", timeout=WAIT_MS)
    second.locator("button[data-action='remove-break']").click()
    expect(second).to_contain_text("no breaks planned", timeout=WAIT_MS)

    rota = live.api("GET", f"/manager/halls/{live.hall.id}/break-rota", other).json()
    assert [
        (b["window_number"], b["start"], b["minutes"], b["weekdays"]) for b in rota["breaks"]
    ] == [(1, "11:30", 45, ["mon", "tue", "wed", "thu", "fri"])]
