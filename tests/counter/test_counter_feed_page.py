"""The counter's hall feed survives a reload and a fresh login: the page reads the hall's recent
events (today, newest first) and goes on with the live ones, none of them twice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, open_counter, wait_for_desk

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

FEED_LENGTH = 8  # counter.js


def feed_lines(page: Page) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in page.locator("#feed-list li").all_inner_texts()
    ]


def test_a_reload_keeps_the_hall_feed_and_goes_on_live_without_repeats(
    page: Page, live_hall: LiveHall
) -> None:
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    live_hall.transferred_from_window_2()
    for_me = page.locator("#feed-list li.for-me")
    expect(for_me).to_contain_text("A001 transferred to window 1")
    expect(page.locator("#feed-list li")).to_have_count(4)
    before = feed_lines(page)

    page.reload()
    wait_for_desk(page)
    expect(page.locator("#feed-list li")).to_have_count(4)
    expect(for_me).to_have_count(1)
    expect(for_me).to_contain_text("A001 transferred to window 1")
    after = feed_lines(page)
    assert [line.split(" ", 1)[1] for line in after] == [
        "A001 transferred to window 1",
        "A001 being served at window 2",
        "A001 called to window 2",
        "A001 issued (housing)",
    ]
    # The same lines as heard live before the reload, each at its time on the hall's clock.
    assert [line.split(" ", 1)[1] for line in before] == [line.split(" ", 1)[1] for line in after]
    assert all(re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", line.split(" ", 1)[0]) for line in after)

    live_hall.kiosk_issue("business")  # live again, above the read's seq
    expect(page.locator("#feed-list li").first).to_contain_text("B001 issued (business)")
    expect(page.locator("#feed-list li")).to_have_count(5)
    assert feed_lines(page)[1:] == after

    for _ in range(FEED_LENGTH):
        live_hall.kiosk_issue()
    expect(page.locator("#feed-list li").first).to_contain_text("A009 issued (housing)")
    expect(page.locator("#feed-list li")).to_have_count(FEED_LENGTH)
    page.reload()
    wait_for_desk(page)
    expect(page.locator("#feed-list li").first).to_contain_text("A009 issued (housing)")
    expect(page.locator("#feed-list li")).to_have_count(FEED_LENGTH)
    expect(page.locator("#feed-list li").last).to_contain_text("A002 issued (housing)")


def test_events_heard_live_while_the_feed_is_read_are_shown_once(
    page: Page, live_hall: LiveHall
) -> None:
    """A fresh login: the live connection is up before the read of the recent events answers,
    and an event heard meanwhile is also among what the read returns."""
    live_hall.transferred_from_window_2()
    held: list[Any] = []
    page.route("**/api/v1/halls/*/recent-events*", lambda route: held.append(route))
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.wait_for_function("() => window.HallqCounter !== undefined")
    expect(page.locator("#feed-list li")).to_have_count(0)  # not read yet

    live_hall.kiosk_issue("business")
    page.wait_for_function("() => window.HallqCounter.state.feedEarly.length === 1")
    assert len(held) == 1
    held[0].continue_()

    expect(page.locator("#feed-list li").first).to_contain_text("B001 issued (business)")
    expect(page.locator("#feed-list li")).to_have_count(5)
    expect(page.locator("#feed-list li.for-me")).to_contain_text("A001 transferred to window 1")
    lines = [line.split(" ", 1)[1] for line in feed_lines(page)]
    assert lines.count("B001 issued (business)") == 1, lines
