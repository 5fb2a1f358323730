"""The lobby board's layout on real screen sizes: every call row whole on the screen, masked
names on one line, nothing drawn over anything else (the "tap for sound" notice included)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.display.conftest import SOUND_NOT_ALLOWED, HallServer, LiveHall, ScreenPages
from tests.factories import build_hall

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

WINDOWS = range(10, 17)  # two-digit windows, as in a city hall: "16号窗口" is the widest label
# Seven services with the long names halls give them: the waiting panel's seven rows.
SERVICES = {
    "住房公积金提取": "A",
    "人力资源和社会保障局社会保障卡办理": "B",
    "市场监督管理局企业设立登记": "C",
    "不动产登记中心抵押登记": "D",
    "医疗保障局异地就医备案": "E",
    "公安局户籍业务": "F",
    "税务局发票领用": "G",
}
MORE_SERVICES = {
    "公积金贷款提前还款申请": "H",
    "企业变更登记（名称、住所、经营范围）": "J",
    "个体工商户注册登记": "K",
    "城乡居民养老保险参保登记": "L",
    "机动车驾驶证换证": "M",
    "出入境证件办理": "N",
    "残疾人证办理": "P",
}
# Full names as kiosks take them; the board shows them masked (周*华, 欧**华, 李*).
NAMES = ["周小华", "欧阳明华", "李娜", "王芳芳", "张伟", "刘德华", "陈晓明", "杨洋", "赵丽颖"]

# Every problem the board's picture has, as readable lines: a box outside the screen or its
# row, two boxes over each other, a name on more than one line, a number or window label cut.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const shown = e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  };
  const label = e => (e.id ? '#' + e.id
    : e.className ? '.' + e.className.split(' ')[0] : e.tagName.toLowerCase()) +
    ' "' + e.textContent.trim().slice(0, 16) + '"';
  const within = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1
    && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const box = e => e.getBoundingClientRect();

  // The board's blocks: each whole on the screen, none over another.
  const blocks = [...document.querySelectorAll(
    '.board-header, .calls-column .panel-title, .latest-call, .also-calling-call, .recent-call, ' +
    '.waiting, ' +
    '.notices-label, .ticker, #sound-blocked')].filter(shown);
  blocks.forEach((block, i) => {
    if (!within(box(block), screen)) problems.push(label(block) + ' is not whole on the screen');
    blocks.slice(i + 1).forEach(other => {
      if (overlap(box(block), box(other))) {
        problems.push(label(block) + ' overlaps ' + label(other));
      }
    });
  });
  // A recent call is shown whole or not at all: never cut by the bottom of its panel; the
  // waiting panel holds its rows and its total.
  document.querySelectorAll('.recent-call').forEach(row => {
    if (shown(row) && !within(box(row), box(document.querySelector('.recent')))) {
      problems.push(label(row) + ' is cut by the recent calls panel');
    }
  });
  document.querySelectorAll('.waiting-table tr, .waiting-foot').forEach(row => {
    if (shown(row) && !within(box(row), box(document.querySelector('.waiting')))) {
      problems.push(label(row) + ' sticks out of the waiting panel');
    }
  });
  document.querySelectorAll('.also-calling-call').forEach(row => {
    if (shown(row) && !within(box(row), box(document.querySelector('.latest')))) {
      problems.push(label(row) + ' is cut by the now calling panel');
    }
  });
  // Inside a call: number, window and name side by side, each inside the row.
  document.querySelectorAll('.latest-call, .also-calling-call, .recent-call').forEach(row => {
    if (!shown(row)) return;
    const parts = [...row.children].filter(shown);
    parts.forEach((part, i) => {
      if (!within(box(part), box(row))) problems.push(label(part) + ' sticks out of ' + label(row));
      parts.slice(i + 1).forEach(other => {
        if (overlap(box(part), box(other))) {
          problems.push(label(part) + ' overlaps ' + label(other));
        }
      });
    });
    row.querySelectorAll('.call-number, .call-window .primary').forEach(text => {
      if (text.scrollWidth > text.clientWidth + 1) problems.push(label(text) + ' is cut');
    });
    const name = row.querySelector('.call-name');
    if (name) {
      const lineHeight = parseFloat(getComputedStyle(name).fontSize) * 1.6;
      if (box(name).height > lineHeight) problems.push(label(name) + ' wraps onto several lines');
      // A masked name of up to three characters fits whole; a longer one may end in "…".
      if ([...name.textContent].length <= 3 && name.scrollWidth > name.clientWidth + 1) {
        problems.push(label(name) + ' is cut');
      }
    }
  });
  return problems;
}"""


def crowded_hall(server: HallServer, services: dict[str, str] = SERVICES) -> LiveHall:
    hall = build_hall(
        server.database,
        datetime.now(UTC),
        code=f"h{uuid.uuid4().hex[:8]}",
        services=services,
        windows={number: list(services) for number in WINDOWS},
    )
    tokens = {f"clerk{number}": server.login(hall.clerk_numbers[number]) for number in WINDOWS}
    return LiveHall(server, hall, tokens)


def make_calls(live_hall: LiveHall, count: int) -> None:
    """`count` calls with names, round the windows (a window's last visitor did not come), and
    someone still waiting for every service."""
    services = list(live_hall.hall.services)
    in_hand: dict[int, dict[str, Any]] = {}
    for index in range(count + len(services)):
        live_hall.issue(services[index % len(services)], holder_name=NAMES[index % len(NAMES)])
    for index in range(count):
        window = WINDOWS[index % len(WINDOWS)]
        if window in in_hand:
            live_hall.act(window, in_hand[window]["id"], "no-show")
        in_hand[window] = live_hall.call_next(window)


def open_board_with_calls(
    live_hall: LiveHall, screens: ScreenPages, size: tuple[int, int], **settings: Any
) -> Any:
    """A board that cannot play sound until tapped, after 16 calls made while it watched."""
    board = screens.open(
        live_hall.server,
        live_hall.add_screen("board", **settings),
        init_script=SOUND_NOT_ALLOWED,
        size=size,
    )
    make_calls(live_hall, 16)
    board.wait_for_function(f"window.hallqBoard.live.seq >= {live_hall.seq()}")
    board.wait_for_selector("#sound-blocked", state="visible")
    return board


def shown_calls(board: Any, selector: str) -> int:
    return int(
        board.eval_on_selector_all(
            selector, "rows => rows.filter(row => row.getClientRects().length > 0).length"
        )
    )


@pytest.mark.parametrize(
    "size", [(1920, 1080), (1366, 768), (1280, 1024)], ids=["1920x1080", "1366x768", "1280x1024"]
)
def test_a_full_board_shows_every_call_whole_and_nothing_over_anything_else(
    hall_server: HallServer, screens: ScreenPages, size: tuple[int, int]
) -> None:
    live_hall = crowded_hall(hall_server)

    board = open_board_with_calls(live_hall, screens, size)

    problems = board.evaluate(LAYOUT_PROBLEMS)
    assert not problems, "\n".join(problems)
    # All seven windows are calling: the three newest large, the other four smaller but still
    # under "now calling"; the recent calls (those no-shows) get whole rows of what is left.
    assert shown_calls(board, ".latest-call") == 3
    assert shown_calls(board, ".also-calling-call") == 4
    recent = shown_calls(board, ".recent-call")
    assert recent >= 4 and recent % 2 == 0
    names = board.eval_on_selector_all(".latest-call .call-name", "e => e.map(n => n.innerText)")
    assert names == ["陈*明", "刘*华", "张*"]  # the newest first, each whole on one line


def test_a_board_asked_for_more_than_fits_leaves_out_whole_rows_never_half_ones(
    hall_server: HallServer, screens: ScreenPages
) -> None:
    live_hall = crowded_hall(hall_server, SERVICES | MORE_SERVICES)

    board = open_board_with_calls(
        live_hall,
        screens,
        (1920, 1080),
        latest_count=4,
        recent_count=12,
        waiting_by="service",
        waiting_rows=14,
    )

    problems = board.evaluate(LAYOUT_PROBLEMS)
    assert not problems, "\n".join(problems)
    assert shown_calls(board, ".latest-call") == 4
    # The three other windows still calling come before any recent call.
    assert shown_calls(board, ".also-calling-call") == 3
    recent = shown_calls(board, ".recent-call")
    assert recent < 12
    assert recent % 2 == 0  # whole rows of two columns
    # Fourteen services with long names take more than one page: the panel turns its pages.
    rows = shown_calls(board, ".waiting-table tbody tr")
    assert 4 <= rows < 14
    pages = -(-14 // rows)
    assert board.inner_text("#waiting-pages").endswith(f" / {pages}")


def test_the_window_displays_tap_for_sound_note_stands_clear_of_the_clerks_name(
    live_hall: LiveHall, screens: ScreenPages
) -> None:
    window_display = screens.open(
        live_hall.server,
        live_hall.add_screen("window_display", window=1, voice={"enabled": True}),
        kind="window_display",
        init_script=SOUND_NOT_ALLOWED,
    )
    live_hall.issue("housing", holder_name="周小华")
    live_hall.call_next(1)
    window_display.wait_for_selector("#sound-blocked", state="visible")

    problems = window_display.evaluate(
        """() => {
          const box = e => e.getBoundingClientRect();
          const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          const note = box(document.getElementById('sound-blocked'));
          const problems = ['.window-header', '#serving', '#clerk', '#services']
            .filter(selector => overlap(note, box(document.querySelector(selector))));
          if (note.bottom > innerHeight || note.top < 0) problems.push('off the screen');
          return problems;
        }"""
    )
    assert problems == []
