"""A refusal on the counter page is one message: the page's short summary of what happened,
then the server's reason in the page's language, said once, as sentences (capital letter and
full stop in English); never the same advice twice, never two pieces of advice that differ."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, counter_browser_page, wait_for_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

CJK = re.compile(r"[\u3400-\u9fff]")


def repeated_phrases(text: str) -> list[str]:
    """Any run of three words (English) or four characters (Chinese) said twice."""
    if CJK.search(text):
        plain = re.sub(r"[\s\W]", "", text)
        runs = [plain[i : i + 4] for i in range(len(plain) - 3)]
    else:
        words = re.findall(r"[a-z0-9-]+", text.lower())
        runs = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    return sorted({run for run in runs if runs.count(run) > 1})


def assert_one_message(text: str) -> None:
    assert repeated_phrases(text) == [], text
    assert " — " not in text, text
    if CJK.search(text):
        assert text.endswith("。"), text
        assert text.count("请") <= 1, text  # advice, once
    else:
        assert text[0].isupper() and text.endswith("."), text


def open_counter_in(page: Page, live_hall: LiveHall, language: str) -> None:
    page.goto(f"{live_hall.url}/counter/?lang={language}")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[1])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.click("#window-list li[data-window-number='1'] button")
    wait_for_desk(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "A001 has been recalled as often as the hall allows: start the case (S) or mark a "
            "no-show (X).",
        ),
        ("zh", "A001 号已达重呼次数上限：请开始办理（S）或标记过号（X）。"),
    ],
)
def test_the_recall_limit_is_said_once_and_nothing_is_asked_of_the_server(
    browser: Any, live_hall: LiveHall, language: str, expected: str
):
    """The desk carries the hall's limit: at it, the page says so itself, in one message."""
    ticket = live_hall.kiosk_issue()
    with counter_browser_page(browser) as page:
        open_counter_in(page, live_hall, language)
        page.keyboard.press("n")
        expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
        for count in ("1", "2"):  # the test hall allows two recalls
            page.keyboard.press("r")
            expect(page.locator("#ticket-recalls")).to_contain_text(count)

        page.keyboard.press("r")

        message = page.locator("#message")
        expect(message).to_have_text(expected)
        expect(message).to_have_attribute("data-kind", "info")
        assert_one_message(message.inner_text())
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", live_hall.login(1)).json()
    assert stored["recall_count"] == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Not found. No ticket ZZ9 today in this hall."),
        ("zh", "未找到。本大厅今天没有 ZZ9 号。"),
    ],
)
def test_an_unknown_number_is_not_found_in_one_sentence_pair(
    browser: Any, live_hall: LiveHall, language: str, expected: str
):
    with counter_browser_page(browser) as page:
        open_counter_in(page, live_hall, language)
        page.keyboard.press("c")
        page.fill("#call-number-input", "ZZ9")
        page.keyboard.press("Enter")

        message = page.locator("#call-number-error")  # in the dialog, which stays open
        expect(message).to_have_attribute("data-code", "not_found")
        expect(message).to_have_text(expected)


def real_refusals(live_hall: LiveHall, language: str) -> dict[str, dict[str, Any]]:
    """The server's own answers, in `language`, to what a clerk may still send when the page's
    picture is a moment old (another tab, a keypad): each a refusal the page must word."""
    hall = live_hall.hall
    clerk = live_hall.login(1)
    window = f"/windows/{hall.windows[1]}"

    def refused(method: str, path: str, body: Any = None, headers=clerk) -> dict[str, Any]:
        response = live_hall.api(method, path, headers, json=body, params={"lang": language})
        assert response.status_code >= 400, response.text
        return response.json()["error"]  # type: ignore[no-any-return]

    answers = {"queue_empty": refused("POST", f"{window}/call-next")}
    live_hall.kiosk_issue()
    called = live_hall.api("POST", f"{window}/call-next", clerk).json()
    ticket = f"{window}/tickets/{called['id']}"
    answers["leave_with_a_ticket"] = refused("POST", f"{window}/release")
    answers["call_with_a_ticket"] = refused("POST", f"{window}/call-next")
    answers["park_when_called"] = refused("POST", f"{ticket}/park")
    answers["unknown_number"] = refused("POST", f"{window}/call-number", {"number": "ZZ9"})
    answers["window_taken"] = refused(
        "POST", f"/windows/{hall.windows[2]}/take", headers=live_hall.login(1)
    )
    for _ in range(2):
        live_hall.api("POST", f"{ticket}/recall", clerk)
    answers["recall_limit"] = refused("POST", f"{ticket}/recall")
    # Reset for the next language: the ticket goes, the window stays open.
    live_hall.api("POST", f"{ticket}/no-show", clerk)
    answers["resume_an_open_window"] = refused("POST", f"{window}/state", {"change": "resume"})
    return answers


WINDOW_CHANGES = {"resume_an_open_window", "leave_with_a_ticket"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_real_refusals_read_as_one_message_each(browser: Any, live_hall: LiveHall, language: str):
    answers = real_refusals(live_hall, language)
    with counter_browser_page(browser) as page:
        page.goto(f"{live_hall.url}/counter/?lang={language}")
        shown = page.evaluate(
            """([answers, windowChanges]) => {
                 const client = new HallqStaffClient({refusals: HALLQ.text.refusals,
                   token: () => null, messageBox: () => null});
                 return Object.fromEntries(Object.entries(answers).map(([what, error]) =>
                   [what, client.refusalText(error,
                     windowChanges.includes(what) ? HALLQ.text.window_refusals : undefined)]));
               }""",
            [answers, sorted(WINDOW_CHANGES)],
        )
    for text in shown.values():
        assert_one_message(text)
    if language == "en":
        assert shown["leave_with_a_ticket"] == (
            "A ticket is still in hand. Finish, transfer or mark the current ticket as no-show "
            "before closing."
        )
        assert shown["park_when_called"] == (
            "This ticket is not in a state that allows this. Cannot park a ticket that is "
            "called; it must be serving."
        )
        assert (
            shown["window_taken"] == "Another clerk holds this window. Window 2 is held by clerk2."
        )
    else:
        assert shown["leave_with_a_ticket"] == (
            "还有号未办完。关闭前请先办结、转移当前的号或将其标记为过号。"
        )
        assert shown["call_with_a_ticket"] == (
            "还有号未办完。A001 号仍在本窗口，请先办结、转移、挂起或标记过号。"
        )
        assert shown["queue_empty"] == "没有可叫的号。本窗口办理的事项当前无人等候。"


def test_the_checks_catch_the_old_way_of_joining() -> None:
    """The old page said the summary's advice and then the server's: the checks above see it."""
    old = (
        "已达重呼次数上限：请开始办理或标记过号。 — 已重呼 3 次（上限 3 次），请开始办理或标记过号"
    )
    assert repeated_phrases(old)
    with pytest.raises(AssertionError):
        assert_one_message("Not found. — no ticket ZZ9 today in this hall")


def test_a_page_that_went_with_its_window_shows_the_reason_once(page: Page, live_hall: LiveHall):
    """Taking a window another clerk took after the picker was read, on the page itself (a
    window already held when it is read is not offered)."""
    window_1 = live_hall.hall.windows[1]
    clerk1 = live_hall.login(1)
    assert live_hall.api("POST", f"/windows/{window_1}/release", clerk1).status_code == 200
    page.goto(f"{live_hall.url}/counter/?lang=en")
    page.fill("#staff-number", live_hall.hall.clerk_numbers[2])
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    take = page.locator("#window-list li[data-window-number='1'] button")
    expect(take).to_be_visible()
    assert live_hall.api("POST", f"/windows/{window_1}/take", clerk1).status_code == 200
    take.click()
    message = page.locator("#message")
    expect(message).to_have_attribute("data-code", "window_taken")
    expect(message).to_have_text("Another clerk holds this window. Window 1 is held by clerk1.")
