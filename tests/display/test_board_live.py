"""The lobby board in headless Chromium against a real server: calls appear at once, names are
masked or left out, each board shows its own windows or services, and a manager's change of a
board's settings applies live."""

from __future__ import annotations

from typing import Any

import pytest

from tests.display.conftest import CALL_SHOWN_MS, LiveHall, ScreenPages

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def shown_ticket_ids(page: Any) -> set[int]:
    ids = page.eval_on_selector_all(
        ".latest-call, .recent-call", "elements => elements.map(e => e.dataset.ticketId)"
    )
    return {int(i) for i in ids}


def wait_until_caught_up(page: Any, live_hall: LiveHall) -> None:
    """The board has applied every event the hall has had so far."""
    page.wait_for_function(f"window.hallqBoard.live.seq >= {live_hall.seq()}")


def test_a_call_reaches_the_board_and_the_window_display_within_a_second(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    server = live_hall.server
    board = screens.open(server, live_hall.add_screen("board"))
    window_display = screens.open(
        server, live_hall.add_screen("window_display", window=1), kind="window_display"
    )
    live_hall.issue("housing")

    ticket = live_hall.call_next(1)

    latest = board.wait_for_selector(
        f'.latest-call[data-ticket-id="{ticket["id"]}"]', timeout=CALL_SHOWN_MS
    )
    window_display.wait_for_function(
        f"document.getElementById('serving-number').textContent === {ticket['number']!r}",
        timeout=CALL_SHOWN_MS,
    )
    assert latest.query_selector(".call-number").inner_text() == ticket["number"]
    assert latest.query_selector(".call-window .primary").inner_text() == "1号窗口"
    assert latest.query_selector(".call-window .secondary").inner_text() == "Window 1"
    # The newest call is the largest text on the board, to be read from across the hall.
    sizes = board.evaluate(
        """() => [...document.querySelectorAll('body *')]
              .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert float(
        latest.query_selector(".call-number").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
    ) == max(sizes)


def test_the_board_shows_waiting_counts_notices_and_the_clock(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board", waiting_by="service"))
    live_hall.issue("housing")
    live_hall.issue("housing")
    live_hall.issue("business")

    housing_row = f'tr[data-row="s{live_hall.hall.services["housing"]}"] td.count .primary'
    board.wait_for_function(f"document.querySelector({housing_row!r})?.textContent === '2 人'")
    business_row = f'tr[data-row="s{live_hall.hall.services["business"]}"]'
    assert board.inner_text(f"{business_row} td.count .primary") == "1 人"
    estimate = board.inner_text(f"{business_row} td.estimate .primary")
    assert estimate.startswith("约") or estimate == "无需等候"
    assert board.inner_text("#notice-text") == "请保管好号票"
    assert board.inner_text("#clock-time").count(":") == 1
    assert "年" in board.inner_text("#clock-date .primary")


def test_names_are_masked_and_a_hall_can_choose_numbers_only(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    server = live_hall.server
    board = screens.open(server, live_hall.add_screen("board"))
    window_display = screens.open(
        server, live_hall.add_screen("window_display", window=1), kind="window_display"
    )
    live_hall.issue("housing", holder_name="张小明")
    first = live_hall.call_next(1)

    name = board.wait_for_selector(f'.latest-call[data-ticket-id="{first["id"]}"] .call-name')
    assert name.inner_text() == "张*明"
    window_display.wait_for_function(
        "document.getElementById('serving-name').textContent === '张*明'"
    )
    assert "小明" not in board.content()
    assert "小明" not in window_display.content()

    server.ok(
        "PUT",
        f"/halls/{live_hall.hall.id}/display-settings",
        live_hall.tokens["manager"],
        json={"numbers_only": True},
    )

    board.wait_for_function("document.body.classList.contains('numbers-only')")
    window_display.wait_for_function("document.body.classList.contains('numbers-only')")
    assert board.query_selector(".call-name") is None
    assert "张" not in board.inner_text("body")
    assert window_display.inner_text("#serving-name") == ""
    assert (
        board.inner_text(f'.latest-call[data-ticket-id="{first["id"]}"] .call-number')
        == (first["number"])
    )


def test_each_board_shows_only_its_windows_or_services(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    server, hall = live_hall.server, live_hall.hall
    upstairs = screens.open(
        server, live_hall.add_screen("board", window_ids=[hall.windows[2]], title="二楼 B区")
    )
    business_only = screens.open(
        server, live_hall.add_screen("board", service_ids=[hall.services["business"]])
    )
    whole_hall = screens.open(server, live_hall.add_screen("board"))
    live_hall.issue("business")
    live_hall.issue("housing")

    at_window_2 = live_hall.call_next(2)  # window 2 serves housing only
    at_window_1 = live_hall.call_next(1)  # what is left: the business ticket
    assert at_window_1["service"]["id"] == hall.services["business"]

    for page in (upstairs, business_only, whole_hall):
        wait_until_caught_up(page, live_hall)
    assert shown_ticket_ids(upstairs) == {at_window_2["id"]}
    assert shown_ticket_ids(business_only) == {at_window_1["id"]}
    assert shown_ticket_ids(whole_hall) == {at_window_1["id"], at_window_2["id"]}
    assert upstairs.inner_text("#board-title") == "二楼 B区"
    business_rows = business_only.eval_on_selector_all(
        "#waiting-body tr", "rows => rows.map(r => r.dataset.row)"
    )
    assert business_rows == [f"s{hall.services['business']}"]
    # The window-2 board's waiting panel covers what window 2 serves: housing.
    upstairs_rows = upstairs.eval_on_selector_all(
        "#waiting-body tr", "rows => rows.map(r => r.dataset.row)"
    )
    assert upstairs_rows == [f"s{hall.services['housing']}"]


def test_a_managers_change_of_a_boards_settings_applies_live(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    server, hall = live_hall.server, live_hall.hall
    screen = live_hall.add_screen("board")
    board = screens.open(server, screen)
    assert board.evaluate("document.body.classList.contains('bilingual')")

    server.ok(
        "PUT",
        f"/devices/{screen.device_id}/settings",
        live_hall.tokens["manager"],
        json={
            "title": "一楼 A区",
            "window_ids": [hall.windows[1]],
            "panels": ["latest", "recent", "clock"],
            "english": False,
        },
    )

    board.wait_for_function("document.getElementById('board-title').textContent === '一楼 A区'")
    assert board.is_hidden("section.waiting")
    assert not board.evaluate("document.body.classList.contains('bilingual')")
    assert board.is_hidden(".latest .panel-title .secondary")
    live_hall.issue("housing")
    live_hall.issue("housing")
    elsewhere = live_hall.call_next(2)
    here = live_hall.call_next(1)
    board.wait_for_selector(f'.latest-call[data-ticket-id="{here["id"]}"]', timeout=CALL_SHOWN_MS)
    wait_until_caught_up(board, live_hall)
    assert elsewhere["id"] not in shown_ticket_ids(board)


def test_an_unknown_token_gets_a_page_that_says_so(live_hall: LiveHall, browser: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(f"{live_hall.server.url}/board/?token=d_not-a-real-token")
        assert response.status == 403
        assert "未登记" in page.inner_text("h1")
    finally:
        context.close()


def test_a_wait_over_two_hours_is_shown_as_such_not_as_a_number(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board", waiting_by="service"))
    for _ in range(16):  # one window serves business, ten minutes a case
        live_hall.issue("business")

    business_row = f'tr[data-row="s{live_hall.hall.services["business"]}"]'
    board.wait_for_function(
        f"document.querySelector({business_row + ' td.count .primary'!r})?.textContent === '16 人'"
    )
    board.wait_for_function(
        f"document.querySelector({business_row + ' td.estimate .primary'!r})?.textContent"
        " === '超过 2 小时'"
    )
    assert board.inner_text(f"{business_row} td.estimate .secondary") == "Over 2 hours"


@pytest.mark.parametrize(
    "change",
    [
        "rota",
        "calling_policy",
    ],
)
def test_a_change_of_the_halls_plan_makes_the_board_fetch_its_estimates_again(
    live_hall: LiveHall, screens: ScreenPages, change: str
) -> None:
    """Not at its minute's refresh: the estimates it shows were made for the old plan."""
    board = screens.open(live_hall.server, live_hall.add_screen("board"))
    wait_until_caught_up(board, live_hall)  # nothing since: no fetch of its own is due
    board_url = board.evaluate("HallDisplay.config.board_url")
    hall = live_hall.hall
    if change == "rota":
        path = f"/manager/halls/{hall.id}/break-rota"
        body: dict[str, Any] = {
            "breaks": [{"window_id": hall.windows[1], "start": "12:00", "minutes": 30}]
        }
    else:
        path, body = f"/halls/{hall.id}/calling-policy", {"policy": "due_time"}

    with board.expect_request(
        lambda request: request.method == "GET" and request.url.endswith(board_url),
        timeout=8_000,  # the board waits 1.5 to 4 s so that boards do not all ask at once
    ):
        live_hall.server.ok("PUT", path, live_hall.tokens["manager"], json=body)
