"""The window display follows its window: number and name, the ticket being served, the clerk
and staff number, the services, and the state (open, paused with its reason, closed)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.display.conftest import CALL_SHOWN_MS, LiveHall, ScreenPages

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def state_of(page: Any) -> str:
    return str(page.get_attribute("#window-state", "data-status"))


def wait_for_state(page: Any, status: str) -> None:
    page.wait_for_function(f"document.getElementById('window-state').dataset.status === {status!r}")


def test_the_window_display_shows_its_window_clerk_and_services(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    page = screens.open(
        live_hall.server, live_hall.add_screen("window_display", window=1), kind="window_display"
    )
    hall = live_hall.hall
    assert page.inner_text("#window-number .primary") == "1号窗口"
    assert page.inner_text("#window-name .primary") == "窗口1"
    assert state_of(page) == "open"
    assert page.inner_text("#window-state .primary") == "正在服务"
    assert page.inner_text("#clerk .clerk-name") == "clerk1"
    assert hall.clerk_numbers[1] in page.inner_text("#clerk .clerk-number")
    assert page.eval_on_selector_all(
        "#services li .primary", "items => items.map(i => i.textContent)"
    ) == ["housing", "business"]
    assert page.inner_text("#serving-label .primary") == "等待叫号"


def test_the_window_display_follows_its_ticket_and_its_state(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    server = live_hall.server
    page = screens.open(
        server, live_hall.add_screen("window_display", window=2), kind="window_display"
    )
    other_window = live_hall.issue("housing")
    live_hall.issue("housing")
    live_hall.call_next(1)  # another window's call does not touch this display

    ticket = live_hall.call_next(2)
    page.wait_for_function(
        f"document.getElementById('serving-number').textContent === {ticket['number']!r}",
        timeout=CALL_SHOWN_MS,
    )
    assert ticket["id"] != other_window["id"]
    # Called, not yet served: the visitor is asked to come, nothing says "now serving".
    assert page.inner_text("#serving-label .primary") == "请到本窗口"
    assert page.inner_text("#serving-label .secondary") == "Please come to this window"
    assert page.inner_text("#serving-status .primary") == "已呼叫"

    live_hall.act(2, ticket["id"], "start")
    page.wait_for_function(
        "document.querySelector('#serving-status .primary').textContent === '办理中'"
    )
    assert page.inner_text("#serving-label .primary") == "正在办理"
    live_hall.act(2, ticket["id"], "finish", outcome="completed")
    page.wait_for_function(
        "document.querySelector('#serving-label .primary').textContent === '等待叫号'"
    )
    assert page.inner_text("#serving-number") == ""

    live_hall.window_state(2, "pause", "break")
    wait_for_state(page, "paused")
    assert page.inner_text("#window-state").split("\n")[:1] == ["暂停服务"]
    assert "休息片刻" in page.inner_text("#window-state")
    assert page.is_visible("#closed-notice") and page.is_hidden("#serving")

    live_hall.window_state(2, "resume")
    wait_for_state(page, "open")
    assert page.is_visible("#serving") and page.is_hidden("#closed-notice")

    live_hall.window_state(2, "close")
    wait_for_state(page, "closed")
    assert "窗口关闭" in page.inner_text("#window-state")
    assert "请到其他窗口办理" in page.inner_text("#closed-notice")


def test_a_window_display_in_english_only(live_hall: LiveHall, screens: ScreenPages) -> None:
    page = screens.open(
        live_hall.server,
        live_hall.add_screen("window_display", window=1),
        kind="window_display",
        query="&lang=en",
    )
    assert page.inner_text("#window-number .primary") == "Window 1"
    assert page.inner_text("#window-state .primary") == "Open"
    assert (
        page.is_hidden("#window-state .secondary")
        or page.query_selector("#window-state .secondary") is None
    )


def test_a_window_paused_during_a_case_says_it_pauses_after_that_case(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    page = screens.open(
        live_hall.server, live_hall.add_screen("window_display", window=1), kind="window_display"
    )
    live_hall.issue("housing")
    ticket = live_hall.call_next(1)
    live_hall.act(1, ticket["id"], "start")

    live_hall.window_state(1, "pause", "meeting")
    wait_for_state(page, "paused")

    assert "会议中" in page.inner_text("#window-state")
    # The case still at the window is shown, labelled as the last one before the pause.
    assert page.inner_text("#serving-number") == ticket["number"]
    assert page.inner_text("#serving-label .primary") == "办完本号后暂停服务"
    assert page.inner_text("#serving-label .secondary") == "Pausing after this case"
    assert "正在办理" not in page.inner_text("body")

    # Seen again from a snapshot (a display switched on now): the same words.
    again = screens.open(
        live_hall.server, live_hall.add_screen("window_display", window=1), kind="window_display"
    )
    assert again.inner_text("#serving-label .primary") == "办完本号后暂停服务"

    live_hall.act(1, ticket["id"], "finish", outcome="completed")
    page.wait_for_selector("#closed-notice", state="visible")
    assert page.is_hidden("#serving")
