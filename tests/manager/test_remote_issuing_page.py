"""Managers switch tickets taken on phones (线上取号) on and tune them on the administration
page, in headless Chromium against a real `hallq serve`; the page links the hall's phone page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hall_server.storage.database import Database
from tests.factories import PASSWORD
from tests.live.live_server import LiveServer, seed_hall
from tests.manager.test_dashboard_browser import WAIT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_manager_switches_online_tickets_on_for_chosen_services(
    page: Page, server: tuple[LiveServer, Database]
) -> None:
    live = seed_hall(*server)
    code = next(h["code"] for h in live.api("GET", "/halls").json() if h["id"] == live.hall.id)
    log_in(page, live.url, live.hall.manager_number, "/manager/admin")
    page.click("[data-tab='hall']")
    facts = page.locator("#remote-facts")
    expect(facts).to_contain_text("Visitors may take tickets on their phones", timeout=WAIT_MS)
    switched = facts.locator("dd").first
    expect(switched).to_have_text("off")
    expect(page.locator("#remote-page-link")).to_have_attribute("href", f"{live.url}/h/{code}/take")

    page.click("#edit-remote")
    page.check("#field-enabled")
    page.fill("#field-max_waiting", "5")
    page.uncheck(f"#dialog-fields input[value='{live.hall.services['business']}']")
    page.click("#dialog-ok")

    expect(switched).to_have_text("on", timeout=WAIT_MS)
    expect(facts).to_contain_text("A housing")
    expect(facts).not_to_contain_text("B business")
    token = live.api(
        "POST", "/auth/login", json={"staff_number": live.hall.manager_number, "password": PASSWORD}
    ).json()["token"]
    settings = live.api("GET", f"/manager/halls/{live.hall.id}/remote-issuing", token).json()
    assert (settings["enabled"], settings["max_waiting"]) == (True, 5)
    assert settings["service_ids"] == [live.hall.services["housing"]]
    offer = live.api("GET", f"/remote/halls/{code}").json()
    assert [s["name"] for s in offer["services"]] == ["housing"]

    page.click("#edit-remote")  # every service ticked again: "all", new ones included
    page.check(f"#dialog-fields input[value='{live.hall.services['business']}']")
    page.click("#dialog-ok")
    expect(facts).to_contain_text("all active services", timeout=WAIT_MS)
    settings = live.api("GET", f"/manager/halls/{live.hall.id}/remote-issuing", token).json()
    assert settings["service_ids"] is None
