"""Voice: every call is announced (chime, then 请 A001 号 到 1 号窗口 办理), one announcement
after another in the order of the calls, never two at once; a recall says 再次 (again); each
board has its own volume and mute. Checked on the page's announcement queue, not on the speakers."""

from __future__ import annotations

from typing import Any

import pytest

from display.voice_clips import PACKAGED_CLIPS, clip_names
from tests.display.conftest import SOUND_NOT_ALLOWED, WAIT_MS, LiveHall, ScreenPages

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

ANNOUNCEMENTS = """() => window.hallqAnnouncer.log.map(entry => ({
    ticketId: entry.ticketId, number: entry.number, window: entry.window, kind: entry.kind,
    state: entry.state, text: entry.text, clips: entry.clips,
    startedAt: entry.startedAt, endedAt: entry.endedAt}))"""


def wait_for_announcements(page: Any, count: int) -> list[dict[str, Any]]:
    page.wait_for_function(
        f"""window.hallqAnnouncer.log.length >= {count}
            && window.hallqAnnouncer.log.every(entry => entry.endedAt !== null)""",
        timeout=WAIT_MS * 2,
    )
    return page.evaluate(ANNOUNCEMENTS)  # type: ignore[no-any-return]


def test_calls_are_announced_one_after_another_in_the_order_they_were_made(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board"))
    live_hall.issue("housing")
    live_hall.issue("housing")

    first = live_hall.call_next(1)
    second = live_hall.call_next(2)
    live_hall.act(1, first["id"], "recall")

    log = wait_for_announcements(board, 3)
    assert [e["ticketId"] for e in log] == [first["id"], second["id"], first["id"]]
    assert [(e["number"], e["window"], e["kind"]) for e in log] == [
        ("A001", 1, "call"),
        ("A002", 2, "call"),
        ("A001", 1, "recall"),
    ]
    assert [e["state"] for e in log] == ["done", "done", "done"]
    for earlier, later in zip(log, log[1:], strict=False):
        assert later["startedAt"] >= earlier["endedAt"], "two announcements overlapped"
    assert log[0]["text"] == "请 A001 号 到 1 号窗口 办理"
    assert log[0]["clips"] == [
        "chime.wav", "pause:0.2",
        "zh/qing.wav", "zh/letter-a.wav", "zh/digit-0.wav", "zh/digit-0.wav", "zh/digit-1.wav",
        "zh/hao.wav", "pause:0.1", "zh/dao.wav", "zh/digit-1.wav", "zh/hao.wav",
        "zh/chuangkou.wav", "zh/banli.wav",
    ]  # fmt: skip
    # A recall says it again, as a repeat: 请 A001 号 再次到 1 号窗口 办理.
    assert log[2]["text"] == "请 A001 号 再次到 1 号窗口 办理"
    assert [c for c in log[2]["clips"] if c != "zh/zaici.wav"] == log[0]["clips"]


def test_a_muted_board_queues_calls_silently_and_volume_and_mute_change_live(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    screen = live_hall.add_screen("board", voice={"enabled": False})
    board = screens.open(live_hall.server, screen)
    live_hall.issue("housing")
    live_hall.issue("housing")

    quiet = live_hall.call_next(1)
    log = wait_for_announcements(board, 1)
    assert [(e["ticketId"], e["state"]) for e in log] == [(quiet["id"], "muted")]

    live_hall.server.ok(
        "PUT",
        f"/devices/{screen.device_id}/settings",
        live_hall.tokens["manager"],
        json={"voice": {"enabled": True, "volume": 0.3, "english": True}},
    )
    board.wait_for_function("window.hallqAnnouncer.settings.enabled === true")
    assert board.evaluate("window.hallqAnnouncer.gain.gain.value") == pytest.approx(0.3)

    heard = live_hall.call_next(2)
    log = wait_for_announcements(board, 2)
    assert (log[1]["ticketId"], log[1]["state"]) == (heard["id"], "done")
    assert log[1]["text"].endswith("Number A002, please go to window 2")


def test_numbers_are_read_digit_by_digit_and_every_clip_a_call_needs_exists(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(live_hall.server, live_hall.add_screen("board"))
    phrase = board.evaluate(
        """() => HallAnnouncer.phraseFor({number: 'B012', window: 12},
                                         {english: true, chime: false}).clips"""
    )
    assert phrase == [
        "zh/qing.wav", "zh/letter-b.wav", "zh/digit-0.wav", "zh/digit-1.wav", "zh/digit-2.wav",
        "zh/hao.wav", "pause:0.1", "zh/dao.wav", "zh/shi.wav", "zh/digit-2.wav", "zh/hao.wav",
        "zh/chuangkou.wav", "zh/banli.wav",
        "pause:0.5", "en/number.wav", "en/letter-b.wav", "en/n-0.wav", "en/n-1.wav", "en/n-2.wav",
        "pause:0.15", "en/please-go-to-window.wav", "en/n-12.wav",
    ]  # fmt: skip
    windows = board.evaluate(
        """() => Object.fromEntries([3, 10, 20, 23, 45, 105].map(n => [n,
                 HallAnnouncer.phraseFor({number: 'A1', window: n}, {chime: false}).clips
                   .slice(6, -3)]))"""
    )
    assert windows == {
        "3": ["zh/digit-3.wav"],
        "10": ["zh/shi.wav"],
        "20": ["zh/digit-2.wav", "zh/shi.wav"],
        "23": ["zh/digit-2.wav", "zh/shi.wav", "zh/digit-3.wav"],
        "45": ["zh/digit-4.wav", "zh/shi.wav", "zh/digit-5.wav"],
        "105": ["zh/digit-1.wav", "zh/digit-0.wav", "zh/digit-5.wav"],
    }
    needed = board.evaluate(
        """() => {
          const names = new Set();
          const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
          for (let n = 0; n < 130; n++) {
            const number = letters[n % 26] + letters[(n * 7) % 26] + String(n).padStart(3, '0');
            HallAnnouncer.phraseFor({number: number, window: n}, {english: true}).clips
              .filter(clip => !clip.startsWith('pause:')).forEach(clip => names.add(clip));
          }
          return [...names].sort();
        }"""
    )
    assert set(needed) <= set(clip_names())
    missing = [name for name in needed if not (PACKAGED_CLIPS / name).is_file()]
    assert not missing, f"clips a call needs but the library lacks: {missing}"


def test_where_sound_needs_a_tap_the_board_asks_for_one_and_its_queue_keeps_moving(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    board = screens.open(
        live_hall.server, live_hall.add_screen("board"), init_script=SOUND_NOT_ALLOWED
    )
    live_hall.issue("housing")
    live_hall.issue("housing")
    first = live_hall.call_next(1)
    second = live_hall.call_next(2)

    log = wait_for_announcements(board, 2)
    assert [(e["ticketId"], e["state"]) for e in log] == [
        (first["id"], "blocked"),
        (second["id"], "blocked"),
    ]
    assert board.is_visible("#sound-blocked")
    assert "轻触屏幕" in board.inner_text("#sound-blocked")
    # The calls themselves are on the board regardless.
    board.wait_for_selector(f'.latest-call[data-ticket-id="{second["id"]}"]')
