"""A board is never stale: it survives a server restart without anyone touching it, says
discreetly when the server is gone while keeping the last state, catches up on calls it missed
and resyncs when an event's seq shows a gap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.display.conftest import CALL_SHOWN_MS, HallServer, LiveHall, ScreenPages, build_live_hall
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def test_the_board_keeps_working_across_a_server_restart(tmp_path: Path, browser: Any) -> None:
    with server_of_its_own(tmp_path, browser) as (server, screens):
        live_hall = build_live_hall(server)
        board = screens.open(server, live_hall.add_screen("board"))
        live_hall.issue("housing")
        live_hall.issue("housing")
        before = live_hall.call_next(1)
        board.wait_for_selector(f'.latest-call[data-ticket-id="{before["id"]}"]')
        assert board.is_hidden(".connection-lost")

        server.stop(hard=True)  # as a crash or a power cut would

        board.wait_for_function("document.body.classList.contains('offline')")
        assert board.is_visible(".connection-lost")
        assert "连接已中断" in board.inner_text(".connection-lost")
        # The last state stays on screen.
        assert board.is_visible(f'.latest-call[data-ticket-id="{before["id"]}"]')

        server.start()  # same port, same database

        board.wait_for_function(
            "!document.body.classList.contains('offline') && window.hallqBoard.live.connected"
        )
        after = live_hall.call_next(2)
        board.wait_for_selector(
            f'.latest-call[data-ticket-id="{after["id"]}"]', timeout=CALL_SHOWN_MS
        )
        assert board.is_visible(f'.latest-call[data-ticket-id="{before["id"]}"]')
        assert board.evaluate("window.hallqBoard.live.stats.connects") >= 2


def test_a_call_made_while_the_board_was_away_is_shown_and_announced_on_reconnect(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board", voice={"enabled": False}))
    live_hall.issue("housing")
    board.evaluate("window.hallqBoard.live.socket.disconnect()")

    missed = live_hall.call_next(1)
    board.evaluate("window.hallqBoard.live.socket.connect()")

    board.wait_for_selector(f'.latest-call[data-ticket-id="{missed["id"]}"]')
    announced = board.evaluate("window.hallqAnnouncer.log.map(entry => entry.ticketId)")
    assert announced == [missed["id"]]


def test_a_gap_in_the_event_seq_makes_the_board_take_a_fresh_snapshot(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board"))
    snapshots = board.evaluate("window.hallqBoard.live.stats.snapshots")
    # The first ticket's event goes missing on the way to the board (only there: the server
    # sent it); the second one's arrives with a seq that shows the gap.
    board.evaluate(
        """() => {
          const live = window.hallqBoard.live;
          const receive = live.receive.bind(live);
          window.lostOnTheWay = [];
          live.receive = (name, message) => {
            if (name === 'ticket.issued' && window.lostOnTheWay.length === 0) {
              window.lostOnTheWay.push(message.seq);
              return;
            }
            receive(name, message);
          };
        }"""
    )
    live_hall.issue("housing")
    board.wait_for_function("window.lostOnTheWay.length === 1")
    live_hall.issue("housing")

    board.wait_for_function(f"window.hallqBoard.live.stats.snapshots > {snapshots}")
    stats = board.evaluate("window.hallqBoard.live.stats")
    assert stats["gaps"] == 1 and stats["resyncs"] == 1
    # Only the snapshot can have brought the first ticket: its event never arrived.
    housing_row = f'tr[data-row="s{live_hall.hall.services["housing"]}"] td.count .primary'
    board.wait_for_function(f"document.querySelector({housing_row!r})?.textContent === '2 人'")


def test_after_an_upgrade_the_board_reloads_itself_and_the_dashboard_offers_a_reload(
    tmp_path: Path, browser: Any
) -> None:
    """Boards stay open for weeks: when the server comes back with other pages (an upgrade;
    here PAGES_VERSION stands for one), the board loads them by itself, while the manager's
    dashboard, where someone may be typing, says so and offers the reload."""
    with server_of_its_own(tmp_path, browser) as (server, screens):
        live_hall = build_live_hall(server)
        board = screens.open(server, live_hall.add_screen("board"))
        board.evaluate("window.loadedBeforeTheUpgrade = true")
        dashboard = screens.browser.new_context(locale="zh-CN").new_page()
        screens.contexts.append(dashboard.context)
        manager_page(dashboard, server, live_hall)
        server.stop()
        server.start(PAGES_VERSION="after-the-upgrade")

        board.wait_for_function(
            "window.loadedBeforeTheUpgrade === undefined && !!window.hallqLiveReady"
            " && window.hallqLiveReady()",
            timeout=30_000,
        )
        notice = dashboard.wait_for_selector("#hallq-pages-updated", timeout=30_000)
        assert "系统已更新" in notice.inner_text()
        live_hall.issue("housing")
        called = live_hall.call_next(1)
        board.wait_for_selector(
            f'.latest-call[data-ticket-id="{called["id"]}"]', timeout=CALL_SHOWN_MS
        )


@contextmanager
def server_of_its_own(directory: Path, browser: Any) -> Iterator[tuple[HallServer, ScreenPages]]:
    """A server for one test that stops and starts it, and screens on it; a script error on a
    screen fails the test."""
    server = HallServer(directory)
    server.start()
    screens = ScreenPages(browser)
    try:
        yield server, screens
    finally:
        screens.close()
        server.close()
    assert not screens.errors, screens.errors


def manager_page(page: Any, server: HallServer, live_hall: LiveHall) -> None:
    """The hall's dashboard, logged in as its manager, following the hall live."""
    page.goto(f"{server.url}/manager/")
    page.fill("#staff-number", live_hall.hall.manager_number)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#live-state[data-online=true]", timeout=15_000)
