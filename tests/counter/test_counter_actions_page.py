"""The counter's buttons act exactly when the server would let them (each disabled one is
checked against the server's own refusal), leaving the window says up front what is still at
it, and logging out says what becomes of the window."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.counter.conftest import LiveHall, open_counter, wait_for_desk

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def enabled_actions(page: Page) -> set[str]:
    """The actions whose buttons may act now (leaving the window always opens its dialog)."""
    return ALL_ACTIONS & set(
        page.eval_on_selector_all(
            ".actions [data-action]",
            """buttons => buttons.filter(b => b.getAttribute('aria-disabled') !== 'true')
                               .map(b => b.dataset.action)""",
        )
    )


class ServerCheck:
    """What the server answers, for the same clerk at the same window, to what the page does
    not send: every disabled action must be one the server refuses."""

    def __init__(self, live_hall: LiveHall) -> None:
        self.live_hall = live_hall
        self.headers = live_hall.login(1)
        self.window = live_hall.hall.windows[1]
        self.housing = live_hall.hall.services["housing"]

    def request(self, action: str, ticket: dict[str, Any] | None, parked: dict[str, Any] | None):
        base = f"/windows/{self.window}"
        ticket_path = f"{base}/tickets/{ticket['id']}" if ticket else None
        requests = {
            "callNext": ("POST", f"{base}/call-next", None),
            "callNumber": ("POST", f"{base}/call-number", {"number": "A003"}),
            "pause": ("POST", f"{base}/state", {"change": "pause", "reason": "break"}),
            "resumeWindow": ("POST", f"{base}/state", {"change": "resume"}),
        }
        if parked is not None:
            requests["resumeParked"] = ("POST", f"{base}/tickets/{parked['id']}/resume", None)
        if ticket_path:
            requests.update(
                {
                    "recall": ("POST", f"{ticket_path}/recall", None),
                    "start": ("POST", f"{ticket_path}/start", None),
                    "finish": ("POST", f"{ticket_path}/finish", {"outcome": "completed"}),
                    "noShow": ("POST", f"{ticket_path}/no-show", None),
                    "park": ("POST", f"{ticket_path}/park", None),
                    "transfer": (
                        "POST",
                        f"{ticket_path}/transfer",
                        {"to_service_id": self.housing, "reason": "check"},
                    ),
                }
            )
        return requests.get(action)

    def refuses_all_but(
        self,
        enabled: set[str],
        ticket: dict[str, Any] | None = None,
        parked: dict[str, Any] | None = None,
    ) -> dict[str, str]:
        """The server's answer to each disabled action that has something to act on."""
        answers = {}
        for action in ALL_ACTIONS - enabled:
            request = self.request(action, ticket, parked)
            if request is None:
                continue  # nothing to act on (no ticket, nothing parked): not even sendable
            method, path, body = request
            response = self.live_hall.api(method, path, self.headers, json=body)
            assert response.status_code >= 400, (action, response.text)
            answers[action] = response.json()["error"]["code"]
        return answers


ALL_ACTIONS = {
    "callNext",
    "callNumber",
    "recall",
    "start",
    "finish",
    "noShow",
    "transfer",
    "park",
    "resumeParked",
    "pause",
    "resumeWindow",
}


def test_each_button_acts_exactly_when_the_server_allows_it(page: Page, live_hall: LiveHall):
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    server = ServerCheck(live_hall)
    status = page.locator("#ticket-status")

    # Nobody waiting: nobody to call next.
    expect(page.locator("#next-ticket")).to_have_text("nobody")
    assert enabled_actions(page) == {"callNumber", "pause"}
    assert server.refuses_all_but(enabled_actions(page)) == {
        "callNext": "queue_empty",
        "resumeWindow": "invalid_transition",
    }
    expect(page.locator("[data-action=callNext]")).to_have_attribute(
        "title", "Nobody is waiting for this window."
    )

    # Nothing at the window, people waiting.
    for _ in range(3):
        live_hall.kiosk_issue()
    expect(page.locator("#total-waiting")).to_have_text("3")
    assert enabled_actions(page) == {"callNext", "callNumber", "pause"}
    server.refuses_all_but(enabled_actions(page))

    # Called: recall, start or no-show; nothing else until the visitor comes.
    page.keyboard.press("n")
    expect(status).to_have_attribute("data-status", "called")
    a001 = {"id": int(page.evaluate("HallqCounter.state.ticket.id"))}
    assert enabled_actions(page) == {"recall", "start", "noShow", "pause"}
    assert server.refuses_all_but(enabled_actions(page), a001) == {
        "callNext": "window_busy",
        "callNumber": "window_busy",
        "finish": "invalid_transition",
        "transfer": "invalid_transition",
        "park": "invalid_transition",
        "resumeWindow": "invalid_transition",
    }
    park = page.locator("[data-action=park]")
    expect(park).to_have_attribute("title", "Park once the case has started: press S.")
    expect(page.locator("[data-action=callNext]")).to_have_attribute(
        "title",
        "A001 is called to this window: start the case (S) or mark a no-show (X) before "
        "calling another.",
    )

    # Served: finish, transfer or park.
    page.keyboard.press("s")
    expect(status).to_have_attribute("data-status", "serving")
    assert enabled_actions(page) == {"finish", "transfer", "park", "pause"}
    assert set(server.refuses_all_but(enabled_actions(page), a001)) == {
        "callNext",
        "callNumber",
        "recall",
        "start",
        "noShow",
        "resumeWindow",
    }

    # Parked: the hands are free again, and the parked case can be called back.
    page.keyboard.press("p")
    expect(page.locator("#parked-list li[data-ticket-number=A001]")).to_be_visible()
    assert enabled_actions(page) == {"callNext", "callNumber", "resumeParked", "pause"}
    server.refuses_all_but(enabled_actions(page), parked=a001)

    # Paused: only resuming the window.
    page.keyboard.press("b")
    page.keyboard.press("1")
    expect(page.locator("#window-state")).to_have_attribute("data-status", "paused")
    assert enabled_actions(page) == {"resumeWindow"}
    assert server.refuses_all_but(enabled_actions(page), parked=a001) == {
        "callNext": "window_paused",
        "callNumber": "window_paused",
        "resumeParked": "window_paused",
        "pause": "invalid_transition",
    }

    page.keyboard.press("o")
    expect(page.locator("#window-state")).to_have_attribute("data-status", "open")
    page.keyboard.press("u")
    expect(status).to_have_attribute("data-status", "called")
    assert enabled_actions(page) == {"recall", "start", "noShow", "pause"}


def test_park_pressed_while_a_ticket_is_only_called_says_why_and_sends_nothing(
    page: Page, live_hall: LiveHall
):
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")

    page.click("[data-action=park]", force=True)  # aria-disabled: the click is heard

    message = page.locator("#message")
    expect(message).to_have_text("Park once the case has started: press S.")
    expect(message).to_have_attribute("data-kind", "info")
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", live_hall.login(1)).json()
    assert stored["status"] == "called"


def window_1(live_hall: LiveHall) -> dict[str, Any]:
    windows = live_hall.api("GET", f"/halls/{live_hall.hall.id}/windows", live_hall.login(2))
    return next(w for w in windows.json() if w["id"] == live_hall.hall.windows[1])


def test_leaving_with_a_ticket_at_the_window_says_what_to_do_first_and_offers_no_confirm(
    page: Page, live_hall: LiveHall
):
    live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")

    page.keyboard.press("l")
    dialog = page.locator("#release-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#release-question")).to_have_text("You cannot leave window 1 yet")
    expect(page.locator("#release-todo")).to_have_text(
        "A001 has been called to this window: mark a no-show (X), or start the case (S) and "
        "finish or transfer it. Then leave the window."
    )
    expect(page.locator("#release-confirm")).to_be_hidden()
    page.keyboard.press("Enter")  # only Cancel is there to press
    expect(dialog).to_be_hidden()
    assert window_1(live_hall)["clerk"]["id"] == live_hall.hall.clerks[1]

    # Started and parked: a parked case keeps the window too.
    page.keyboard.press("s")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "serving")
    page.keyboard.press("p")
    expect(page.locator("#parked-list li[data-ticket-number=A001]")).to_be_visible()
    page.keyboard.press("l")
    expect(page.locator("#release-todo")).to_have_text(
        "Parked at this window: A001. Resume each (U), then finish, transfer or mark a "
        "no-show. Then leave the window."
    )
    expect(page.locator("#release-confirm")).to_be_hidden()

    # The case is dealt with elsewhere (another tab of the same clerk): the open dialog now
    # offers to leave.
    clerk = live_hall.login(1)
    base = f"/windows/{live_hall.hall.windows[1]}/tickets"
    ticket_id = page.evaluate("HallqCounter.state.queue.parked[0].id")
    assert live_hall.api("POST", f"{base}/{ticket_id}/resume", clerk).status_code == 200
    assert live_hall.api("POST", f"{base}/{ticket_id}/no-show", clerk).status_code == 200
    expect(page.locator("#release-question")).to_have_text("Leave window 1? It closes for calling.")
    expect(page.locator("#release-confirm")).to_be_visible()
    page.click("#release-confirm")
    expect(page.locator("#message")).to_have_text("You left the window.")
    assert (window_1(live_hall)["status"], window_1(live_hall)["clerk"]) == ("closed", None)


def test_logging_out_with_a_ticket_at_the_window_warns_that_the_window_stays_held(
    page: Page, live_hall: LiveHall
):
    ticket = live_hall.kiosk_issue()
    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    page.keyboard.press("n")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")

    page.click("#logout-button")
    expect(page.locator("#logout-dialog")).to_be_visible()
    expect(page.locator("#logout-in-hand")).to_have_text("Still at window 1: A001.")
    expect(page.locator("#logout-note")).to_have_text(
        "If you log out now, the window stays held by you, with these cases at it, until you "
        "come back or a manager frees it. To leave it free, finish, transfer or no-show them "
        "first."
    )
    expect(page.locator("#logout-confirm")).to_contain_text("Log out anyway")
    page.click("#logout-cancel")
    expect(page.locator("#desk-view")).to_be_visible()

    page.click("#logout-button")
    page.click("#logout-confirm")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#message")).to_have_text(
        "You logged out. Window 1 stays held by you until you come back or a manager frees it."
    )
    held = window_1(live_hall)
    assert (held["status"], held["clerk"]["id"]) == ("open", live_hall.hall.clerks[1])
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", live_hall.login(2)).json()
    assert stored["status"] == "called"


def test_logging_out_with_nothing_at_the_window_says_it_closes(page: Page, live_hall: LiveHall):
    open_counter(page, live_hall, 1)
    wait_for_desk(page)

    page.click("#logout-button")
    expect(page.locator("#logout-in-hand")).to_be_hidden()
    expect(page.locator("#logout-note")).to_have_text(
        "Nothing is at window 1: it closes and is free for another clerk."
    )
    expect(page.locator("#logout-confirm")).to_have_text("Log out Enter")
    page.click("#logout-confirm")

    expect(page.locator("#login-view")).to_be_visible()
    closed = window_1(live_hall)
    assert (closed["status"], closed["clerk"]) == ("closed", None)


def test_recall_greys_out_at_the_halls_limit_before_any_refusal(page: Page, live_hall: LiveHall):
    """The desk carries the hall's recall limit: the page knows it without first being refused."""
    live_hall.kiosk_issue()
    clerk = live_hall.login(1)
    base = f"/windows/{live_hall.hall.windows[1]}"
    called = live_hall.api("POST", f"{base}/call-next", clerk).json()
    limit = live_hall.api("GET", f"{base}/desk", clerk).json()["max_recalls"]
    for _ in range(limit):
        assert (
            live_hall.api("POST", f"{base}/tickets/{called['id']}/recall", clerk).status_code == 200
        )

    open_counter(page, live_hall, 1)
    wait_for_desk(page)
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called")
    assert "recall" not in enabled_actions(page)
    refused = live_hall.api("POST", f"{base}/tickets/{called['id']}/recall", clerk)
    assert refused.json()["error"]["code"] == "recall_limit_reached"
