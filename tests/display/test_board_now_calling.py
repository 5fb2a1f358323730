"""The board's "now calling" area is what the windows call now, not the latest calls: one call
a window, a ticket leaves it as soon as it is served, finished, not come, parked or
transferred, and a window still calling keeps its place there however many windows call after
it. The same after a reconnect (the snapshot) as on live events; a recall is announced as one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.display.conftest import HallServer, LiveHall, ScreenPages
from tests.factories import build_hall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

WINDOWS = (1, 2, 3, 23)

NOW_CALLING = """() => [...document.querySelectorAll('.latest-call, .also-calling-call')]
    .filter(e => e.getClientRects().length > 0)
    .map(e => [Number(e.dataset.ticketId), e.querySelector('.call-window .primary').textContent])"""
RECENT = """() => [...document.querySelectorAll('.recent-call')]
    .map(e => Number(e.dataset.ticketId))"""


def four_window_hall(server: HallServer) -> LiveHall:
    hall = build_hall(
        server.database,
        datetime.now(UTC),
        code=f"h{uuid.uuid4().hex[:8]}",
        services={"housing": "L"},
        windows={number: ["housing"] for number in WINDOWS},
    )
    tokens = {f"clerk{number}": server.login(hall.clerk_numbers[number]) for number in WINDOWS}
    tokens["manager"] = server.login(hall.manager_number)
    return LiveHall(server, hall, tokens)


def caught_up(page: Any, live_hall: LiveHall) -> None:
    page.wait_for_function(f"window.hallqBoard.live.seq >= {live_hall.seq()}")


def now_calling(page: Any) -> list[tuple[int, str]]:
    return [(ticket, window) for ticket, window in page.evaluate(NOW_CALLING)]


def test_now_calling_is_one_call_a_window_of_tickets_still_called(
    hall_server: HallServer, screens: ScreenPages
) -> None:
    live_hall = four_window_hall(hall_server)
    board = screens.open(hall_server, live_hall.add_screen("board"))
    for _ in range(9):
        live_hall.issue("housing")

    # Window 23 finishes one visitor and calls the next: only the new one is called there.
    served = live_hall.call_next(23)
    live_hall.act(23, served["id"], "start")
    live_hall.act(23, served["id"], "finish", outcome="completed")
    called_at_23 = live_hall.call_next(23)
    # Window 1's visitor does not come; then three more windows call, the last one window 1.
    absent = live_hall.call_next(1)
    live_hall.act(1, absent["id"], "no-show")
    at_2 = live_hall.call_next(2)
    at_3 = live_hall.call_next(3)
    at_1 = live_hall.call_next(1)
    caught_up(board, live_hall)

    expected = [
        (at_1["id"], "1号窗口"),
        (at_3["id"], "3号窗口"),
        (at_2["id"], "2号窗口"),
        # Three windows called after it, but window 23 still calls its visitor.
        (called_at_23["id"], "23号窗口"),
    ]
    assert now_calling(board) == expected
    recent = board.evaluate(RECENT)
    assert absent["id"] in recent and served["id"] in recent
    assert called_at_23["id"] not in recent

    # Served, parked or transferred: no longer called, out of "now calling" at once.
    live_hall.act(2, at_2["id"], "start")
    live_hall.act(3, at_3["id"], "start")
    live_hall.act(3, at_3["id"], "park")
    live_hall.act(23, called_at_23["id"], "start")
    live_hall.act(
        23, called_at_23["id"], "transfer", to_window_id=live_hall.hall.windows[2], reason="x"
    )
    caught_up(board, live_hall)
    assert now_calling(board) == [(at_1["id"], "1号窗口")]

    # A board that was away while things changed gets the same from its snapshot.
    board.evaluate("window.hallqBoard.live.socket.disconnect()")
    live_hall.act(1, at_1["id"], "no-show")
    live_hall.act(2, at_2["id"], "finish", outcome="completed")
    later = live_hall.call_next(2)
    board.evaluate("window.hallqBoard.live.socket.connect()")
    caught_up(board, live_hall)
    assert now_calling(board) == [(later["id"], "2号窗口")]
    fresh_board = screens.open(hall_server, live_hall.add_screen("board"))
    assert now_calling(fresh_board) == [(later["id"], "2号窗口")]
    assert at_1["id"] in fresh_board.evaluate(RECENT)

    live_hall.act(2, later["id"], "start")
    caught_up(board, live_hall)
    assert now_calling(board) == []
    assert "暂无呼叫" in board.inner_text("#latest-calls")


def test_a_board_that_reconnects_drops_calls_that_ended_while_it_was_away(
    hall_server: HallServer, screens: ScreenPages
) -> None:
    live_hall = four_window_hall(hall_server)
    live_hall.issue("housing")
    live_hall.issue("housing")
    earlier = live_hall.call_next(23)
    board = screens.open(hall_server, live_hall.add_screen("board"))
    assert now_calling(board) == [(earlier["id"], "23号窗口")]

    board.evaluate("window.hallqBoard.live.socket.disconnect()")
    live_hall.act(23, earlier["id"], "start")
    live_hall.act(23, earlier["id"], "finish", outcome="completed")
    board.evaluate("window.hallqBoard.live.socket.connect()")
    caught_up(board, live_hall)

    assert now_calling(board) == []
    assert board.evaluate(RECENT) == [earlier["id"]]


def test_a_recall_is_announced_as_a_repeat(live_hall: LiveHall, screens: ScreenPages) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board"))
    live_hall.issue("housing")
    ticket = live_hall.call_next(1)
    live_hall.act(1, ticket["id"], "recall")

    board.wait_for_function(
        "window.hallqAnnouncer.log.length >= 2"
        " && window.hallqAnnouncer.log.every(entry => entry.endedAt !== null)"
    )
    first, again = board.evaluate(
        "window.hallqAnnouncer.log.map(e => ({text: e.text, clips: e.clips, state: e.state}))"
    )
    assert first["text"] == "请 A001 号 到 1 号窗口 办理"
    assert again["text"] == "请 A001 号 再次到 1 号窗口 办理"
    assert "zh/zaici.wav" in again["clips"] and "zh/zaici.wav" not in first["clips"]
    assert again["clips"].index("zh/zaici.wav") == again["clips"].index("zh/dao.wav") - 1
    assert again["state"] == "done"
    english = board.evaluate(
        """() => HallAnnouncer.phraseFor({number: 'C008', window: 1, kind: 'recall'},
                                         {english: true, chime: false})"""
    )
    assert english["text"].endswith("Number C008, please go to window 1 again")
    assert english["clips"][-1] == "en/again.wav"


def test_with_nobody_waiting_the_board_shows_no_estimate(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board", waiting_by="service"))
    live_hall.issue("housing")
    live_hall.issue("housing")
    # Both windows that serve housing are busy and nobody waits: the server's figure for a new
    # ticket is then the end of those cases, which is no wait of anyone waiting.
    for window in (1, 2):
        live_hall.act(window, live_hall.call_next(window)["id"], "start")

    row = f'tr[data-row="s{live_hall.hall.services["housing"]}"]'
    board.wait_for_function(
        f"document.querySelector({row + ' td.count .primary'!r})?.textContent === '0 人'"
    )
    board.evaluate("window.hallqBoard.live.socket.disconnect()")
    board.evaluate("window.hallqBoard.live.socket.connect()")
    caught_up(board, live_hall)
    housing = board.evaluate(
        "window.hallqBoard.state.waiting.filter(r => r.waiting === 0 && r.name === 'housing')[0]"
    )
    assert housing["estimated_wait_for_new_ticket"]["high_minutes"] > 0  # what was shown before
    estimate = board.inner_text(f"{row} td.estimate")
    assert "约" not in estimate and "分钟" not in estimate and "min" not in estimate
    assert estimate.strip() == "—"
