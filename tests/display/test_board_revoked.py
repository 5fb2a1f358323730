"""A board a manager revokes stops showing the hall at once and says why, whether it was
connected when that happened or came back afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.display.conftest import LiveHall, ScreenPages

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

REFUSED = "本屏幕未登记"


def revoke(live_hall: LiveHall, device_id: int) -> None:
    live_hall.server.ok("POST", f"/devices/{device_id}/revoke", live_hall.tokens["manager"])


def expect_refused(board: Any) -> None:
    board.wait_for_function(
        f"document.body && document.body.innerText.includes({REFUSED!r})", timeout=10_000
    )
    assert board.locator(".latest-call").count() == 0


def test_a_board_revoked_while_connected_says_so_at_once(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    screen = live_hall.add_screen("board")
    board = screens.open(live_hall.server, screen)
    live_hall.issue("housing")
    called = live_hall.call_next(1)
    board.wait_for_selector(f'.latest-call[data-ticket-id="{called["id"]}"]')

    revoke(live_hall, screen.device_id)

    expect_refused(board)


def test_a_board_revoked_while_away_says_so_when_it_comes_back(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    screen = live_hall.add_screen("board")
    board = screens.open(live_hall.server, screen)
    board.evaluate("window.hallqBoard.live.socket.disconnect()")
    revoke(live_hall, screen.device_id)

    board.evaluate("window.hallqBoard.live.socket.connect()")

    expect_refused(board)
