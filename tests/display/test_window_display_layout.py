"""The window display's layout on real screen sizes: with a long window name, in Chinese and
bilingual, with the "connection lost" note showing, every part is whole on the screen and none
is drawn over another (measured on the element boxes in Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from hall_server.storage.models import Window
from tests.display.conftest import LiveHall, ScreenPages

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

LONG_NAME = "不动产登记与抵押权变更综合受理窗口"
LONG_NAME_EN = "Real estate registration and mortgage changes, all-in-one counter"

# Every problem of the picture as a readable line: a part outside the screen, two parts over
# each other, a ticket's line outside the middle of the screen, a text cut by its own box.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const shown = e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      && e.textContent.trim() !== '';
  };
  const box = e => e.getBoundingClientRect();
  const name = e => '#' + (e.id || e.className.split(' ')[0]) + ' "' +
    e.textContent.trim().slice(0, 14) + '"';
  const within = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1
    && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const parts = [...document.querySelectorAll(
    '#window-number, #window-name, #window-state, #serving-label, #serving-number, ' +
    '#serving-name, #serving-status, #closed-notice > *, .connection-lost, #sound-blocked, ' +
    '#clerk, #services')].filter(shown);
  parts.forEach((part, i) => {
    if (!within(box(part), screen)) problems.push(name(part) + ' is not whole on the screen');
    parts.slice(i + 1).forEach(other => {
      if (overlap(box(part), box(other))) problems.push(name(part) + ' overlaps ' + name(other));
    });
    // A box that hides what overflows it (or ends it in "…") must hold its whole text.
    [part, ...part.querySelectorAll('*')].forEach(e => {
      const style = getComputedStyle(e);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') return;
      if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) {
        problems.push(name(part) + ' is cut');
      }
    });
  });
  const main = box(document.querySelector('.window-main'));
  document.querySelectorAll('#serving > *, #closed-notice > *').forEach(line => {
    if (shown(line) && !within(box(line), main)) {
      problems.push(name(line) + ' leaves the middle of the screen');
    }
  });
  [['.window-header', '.window-main'], ['.window-main', '.screen-status'],
   ['.screen-status', '.window-footer']].forEach(([above, below]) => {
    if (box(document.querySelector(above)).bottom > box(document.querySelector(below)).top + 1) {
      problems.push(above + ' runs into ' + below);
    }
  });
  return problems;
}"""


def open_display(
    live_hall: LiveHall, screens: ScreenPages, size: tuple[int, int], english: bool
) -> Any:
    with live_hall.server.database.transaction() as uow:
        uow.session.execute(
            update(Window)
            .where(Window.id == live_hall.hall.windows[1])
            .values(name=LONG_NAME, name_en=LONG_NAME_EN)
        )
    return screens.open(
        live_hall.server,
        live_hall.add_screen("window_display", window=1, english=english),
        kind="window_display",
        size=size,
    )


def problems_of(page: Any, offline: bool) -> list[str]:
    if offline:  # what the page does after 4 s without the server
        page.evaluate("document.body.classList.add('offline')")
        page.wait_for_selector(".connection-lost", state="visible")
    return page.evaluate(LAYOUT_PROBLEMS)  # type: ignore[no-any-return]


@pytest.mark.parametrize("english", [False, True], ids=["zh", "bilingual"])
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=["1920x1080", "1280x720"])
def test_the_window_display_fits_every_state_whole_on_the_screen(
    live_hall: LiveHall, screens: ScreenPages, size: tuple[int, int], english: bool
) -> None:
    page = open_display(live_hall, screens, size, english)
    assert not problems_of(page, offline=False), "waiting"
    live_hall.issue("housing", holder_name="欧阳明华")
    ticket = live_hall.call_next(1)
    page.wait_for_function(
        f"document.getElementById('serving-number').textContent === {ticket['number']!r}"
    )

    problems = problems_of(page, offline=False)
    assert not problems, "called:\n" + "\n".join(problems)
    problems = problems_of(page, offline=True)
    assert not problems, "called, offline:\n" + "\n".join(problems)

    live_hall.act(1, ticket["id"], "start")
    page.wait_for_function(
        "document.querySelector('#serving-status .primary').textContent === '办理中'"
    )
    problems = problems_of(page, offline=True)
    assert not problems, "serving, offline:\n" + "\n".join(problems)

    live_hall.window_state(1, "pause", "meeting")
    page.wait_for_function("document.getElementById('window-state').dataset.status === 'paused'")
    problems = problems_of(page, offline=True)
    assert not problems, "paused with a case, offline:\n" + "\n".join(problems)

    live_hall.act(1, ticket["id"], "finish", outcome="completed")
    page.wait_for_selector("#closed-notice", state="visible")
    problems = problems_of(page, offline=True)
    assert not problems, "paused, offline:\n" + "\n".join(problems)
