"""The words the counter page and the rating pad show, translated for the page's language.

The pages' scripts read them from `window.HALLQ.text`; `{name}` marks a value the script fills
in. Refusals are keyed by the API's error codes: a short summary of what happened, then the
server's reason in the page's language (refusal_message), so a clerk always sees why nothing
happened and what to do, said once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext

from hall_server.operations.ratings import rating_choices_in

Translate = Callable[[str], str]


def refusal_text(_: Translate = gettext) -> dict[str, str]:
    """A refusal's summary: what happened, in a few words and without advice of its own. The
    server's reason follows it (staff_client.js joinRefusal, refusal_message here) and says
    what to do; a summary that gave advice too would repeat it or contradict it."""
    return {
        "invalid_transition": _("This ticket is not in a state that allows this."),
        "ticket_at_other_window": _("This ticket is being handled at another window."),
        "ticket_reserved_for_other_window": _("This ticket was transferred to another window."),
        "not_your_window": _("You do not hold this window."),
        "window_taken": _("Another clerk holds this window."),
        "window_busy": _("A ticket is still in hand."),
        "window_paused": _("The window is paused."),
        "window_closed": _("The window is closed."),
        "recall_limit_reached": _("The recall limit is reached."),
        "queue_empty": _("Nobody to call."),
        "not_found": _("Not found."),
        "service_not_at_window": _("Not called."),
        "transfer_to_same_window": _("Not transferred."),
        "transfer_target_missing": _("Not transferred."),
        "invalid_outcome": _("Not finished."),
        "invalid_pause_reason": _("Not paused."),
        "unauthorized": _("Your login has expired."),
        "bad_credentials": _("Wrong staff number or password."),
        "forbidden_role": _("Your role may not do this."),
        "forbidden_hall": _("You have no access to this hall."),
        "validation_failed": _("What was entered was not accepted."),
        "too_many_requests": _("Too many attempts."),
        # The server's reason follows: nothing changed, or (cut off during the commit) unknown.
        "service_unavailable": _("The server cannot reach its database."),
        "network": _("The server cannot be reached; nothing changed."),
        # A change sent twice (the same Idempotency-Key) and neither answer arrived.
        "outcome_unknown": _(
            "No answer from the server: it is not known whether this was done. Check the "
            "window's current state below before trying again."
        ),
        "grace_period_over": _("Too late to wait again."),
        # The page's own refusals: no server reason follows them.
        "no_ticket": _("There is no ticket at the window."),
        "no_parked": _("No case is parked at this window."),
        "error": _("The server refused this."),
    }


def _sentence(text: str) -> str:
    """A reason as a sentence of its own, as staff_client.js writes it: the server's English
    starts in lower case and ends without a stop; Chinese ends with 。."""
    text = text.strip()
    if not text:
        return ""
    first = re.match(r"[a-z]+\b", text)
    if first:
        text = text[0].upper() + text[1:]
    if not re.search(r"[.。!！?？…]$", text):
        text += "。" if _CJK.search(text) else "."
    return text


def _plain_words(text: str) -> str:
    return re.sub(r"[\s.。!！?？;；,，:：、]+$", "", text.strip()).lower()


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def refusal_message(summary: str, reason: str | None) -> str:
    """One message, as the pages show it (staff_client.js joinRefusal): the summary, then the
    server's reason; the reason alone where it begins with what the summary says, the
    summary alone where there is no reason or it says the same."""
    said, why = _plain_words(summary), _plain_words(reason or "")
    if not why or why == said:
        return _sentence(summary)
    if not said or why.startswith(said):
        return _sentence(reason or "")
    first, second = _sentence(summary), _sentence(reason or "")
    return first + ("" if _CJK.search(first[-1]) else " ") + second


def vocabulary(_: Translate = gettext) -> dict[str, Any]:
    """Names of states, outcomes and events: the page and the terminal client share them."""
    return {
        "refusals": refusal_text(_),
        "status": {
            "waiting": _("waiting"),
            "called": _("called"),
            "serving": _("serving"),
            "parked": _("parked"),
            "finished": _("finished"),
            "no_show": _("no-show"),
            "cancelled": _("cancelled"),
        },
        "window_status": {
            "open": _("open"),
            "paused": _("paused"),
            "closed": _("closed"),
        },
        "visitor_class": {
            "walk_in": _("walk-in"),
            "appointment": _("appointment"),
            "pre_reviewed": _("pre-reviewed"),
            "priority": _("priority lane"),
        },
        "outcomes": {
            "completed": _("completed"),
            "accepted": _("accepted"),
            "needs_correction": _("needs correction"),
            "rejected": _("rejected"),
            "enquiry": _("enquiry"),
        },
        # A ticket taken on the phone: its holder may still be on the way to the hall.
        "taken_remotely": _("taken online"),
        "taken_remotely_hint": _("Taken on the phone: the visitor may still be on the way."),
        "pause_reasons": {
            "break": _("break"),
            "meeting": _("meeting"),
            "other": _("other"),
        },
        "rating_levels": {
            "very_satisfied": _("very satisfied"),
            "satisfied": _("satisfied"),
            "basically_satisfied": _("fairly satisfied"),
            "dissatisfied": _("dissatisfied"),
            "very_dissatisfied": _("very dissatisfied"),
        },
        "events": {
            "ticket.issued": _("{number} issued ({service})"),
            "ticket.called": _("{number} called to window {window}"),
            "ticket.recalled": _("{number} recalled to window {window}"),
            "ticket.started": _("{number} being served at window {window}"),
            "ticket.finished": _("{number} finished at window {window}"),
            "ticket.no_show": _("{number} did not come to window {window}"),
            "ticket.requeued": _("{number} waits again"),
            "ticket.transferred": _("{number} transferred to {target}"),
            "ticket.parked": _("{number} parked at window {window}"),
            "ticket.cancelled": _("{number} cancelled by the visitor"),
            "ticket.rated": _("{number} rated: {level}"),
            "window.changed": _("window {window} is {status}"),
        },
    }


def check_in_text(_: Translate = gettext) -> dict[str, Any]:
    """The check-in panel: a booked or pre-reviewed visitor who came straight to the window.
    Each refusal says what the clerk can do next, in full (the server's reasons are worded for
    the visitor at a kiosk); `refusal_advice` follows the server's reason instead."""
    return {
        "appointment": _("Appointment at {time}"),
        "pre_review_passed": _("Pre-review passed"),
        "pre_review_to_correct": _("Pre-review: materials to correct"),
        "note_early": _(
            "Early: the ticket is called first from the slot ({time}) on; until then the "
            "visitor waits."
        ),
        "note_on_time": _("On time: an appointment ticket, called first."),
        "note_too_late": _(
            "More than {grace} min past the slot ({time}): the booking has lapsed and the "
            "ticket queues as a walk-in."
        ),
        "note_pre_review_passed": _("Pre-review passed: a pre-reviewed ticket, called first."),
        "note_pre_review_to_correct": _(
            "The pre-review asks for corrected materials: a walk-in ticket; its record shows "
            "what to correct."
        ),
        "issued": _("Ticket {number} issued. Tell the visitor the number."),
        "people_ahead": _("{count} waiting ahead"),
        "call_now": _("Call {number} now"),
        "wait_for_slot": _("{number} is called first from {time}: ask the visitor to wait nearby."),
        "window_busy": _("A case is at this window: finish or park it, then call {number}."),
        "window_not_open": _("The window is not open: {number} waits to be called."),
        "service_elsewhere": _(
            "This window does not handle {service}: {number} waits for a window that does."
        ),
        "try_again": _("Try again"),
        "refusals": {
            "not_found": _(
                "No booking or pre-review in this hall has this code. Check the code with the "
                "visitor, or issue an ordinary ticket."
            ),
            "booking_used": _(
                "This booking was already used: it gives one ticket. Ask for that ticket, or "
                "issue an ordinary one."
            ),
            "booking_cancelled": _(
                "This booking was cancelled online. The visitor may book again, or take an "
                "ordinary ticket."
            ),
            "booking_not_today": _(
                "This booking is for another day. The visitor may come that day, or take an "
                "ordinary ticket today."
            ),
            "pre_review_cancelled": _(
                "This pre-review was withdrawn. Issue an ordinary ticket; the visitor can check "
                "the application online."
            ),
            "pre_review_expired": _(
                "This pre-review has expired. Issue an ordinary ticket; the visitor can apply "
                "online again."
            ),
            "no_booking_for_id_card": _(
                "No booking for today or pre-review matches this ID number. Ask for the code in "
                "the booking message, or issue an ordinary ticket."
            ),
            "validation_failed": _("Enter a code, or an ID number of 18 characters."),
            "invalid_id_number": _(
                "This ID number's check digit does not match: check it with the card and enter "
                "it again."
            ),
            "hall_closed": _("The hall is closed now: no ticket can be issued."),
            "outside_issuing_hours": _(
                "Tickets for this service are not issued at this time. The visitor may book "
                "another slot."
            ),
            "daily_quota_reached": _(
                "Today's tickets for this service are all taken. The visitor may book another day."
            ),
            "already_holds_ticket": _(
                "The visitor already holds a ticket for this service: call that number instead."
            ),
            "service_not_offered": _("This service is not offered at the moment."),
        },
        # Said after the server's reason, which names what the page cannot know (the ticket
        # the pre-review already has).
        "refusal_advice": {
            "pre_review_used": _("The visitor keeps that ticket: call it, do not issue another."),
        },
    }


def counter_page_text(_: Translate = gettext) -> dict[str, Any]:
    return {
        **vocabulary(_),
        "waited": _("waited {minutes} min"),
        "pages_updated": _("HallQ has been updated: reload this page once you have finished."),
        "reload_now": _("Reload now"),
        "minutes": _("{minutes} min"),
        "seconds": _("{seconds} s"),
        "recalls": _("recalled {count} of {limit} times"),
        "recalled_times": _("recalled {count} times"),
        "no_ticket_in_hand": _("No ticket at the window. Press N to call the next."),
        "next_none": _("nobody"),
        "transfer_to_window": _("window {number}"),
        "taken_by": _("held by {name}"),
        "free": _("free"),
        "yours": _("yours"),
        "take": _("Take"),
        "window_in_use": _("in use"),
        "resume_button": _("Resume"),
        "done": _("Done."),
        "called_message": _("Called {number}."),
        "finished_message": _("{number} finished: {outcome}."),
        "transferred_message": _("{number} transferred."),
        "window_lost": _("This window is no longer held by you."),
        "window_taken_message": _("You now hold window {number}."),
        "released_message": _("You left the window."),
        "live_online": _("live"),
        "live_offline": _("offline: reconnecting"),
        "rated_message": _("The visitor rated {number}: {level}."),
        "awaiting_rating": _("{number}: waiting for the visitor's rating"),
        "pre_review_pending": _(
            "Pre-reviewed online. The pre-review record and its materials appear here once "
            "they are linked to this ticket."
        ),
        "pre_review_labels": {
            "application_id": _("Application"),
            "result": _("Result"),
            "valid_until": _("Valid until"),
            "status": _("Record"),
            "materials": _("Materials"),
        },
        "pre_review_values": {
            "passed": _("passed"),
            "needs_correction": _("needs correction"),
            "active": _("active"),
            "cancelled": _("cancelled"),
            "accepted": _("accepted"),
            "to_correct": _("to correct"),
            "missing": _("missing"),
        },
        "check_in": check_in_text(_),
        "transfer_reason_required": _("Give a reason for the transfer."),
        "number_required": _("Type the ticket number, e.g. A023."),
        "login_expired": _("Your login has expired; please log in again."),
        **action_text(_),
        **leaving_text(_),
        **window_text(_),
        **transfer_text(_),
        **requeue_text(_),
    }


def requeue_text(_: Translate = gettext) -> dict[str, Any]:
    """A no-show who comes back: from the call-a-number dialog, put back in the queue while the
    hall's grace lasts (POST /tickets/{id}/requeue)."""
    return {
        "requeue_offer": _(
            "{number} is a no-show. Until {time} it can wait again, behind at most {behind} people."
        ),
        "requeue_lapsed": _(
            "{number} is a no-show and its time to wait again ended at {time}: the visitor "
            "takes a new ticket."
        ),
        "requeued_message": _("{number} waits again."),
        "requeued_message_ahead": _("{number} waits again, {count} ahead."),
    }


def action_text(_: Translate = gettext) -> dict[str, Any]:
    """Why an action's button cannot act now (its title, and the message when pressed): the
    server's rules (core/ticket_life.py, core/window_life.py) and what to do instead."""
    return {
        "no_ticket_called": _("No ticket is called to the window: call one first (N)."),
        "no_case_served": _("No case is being served: call (N) and start (S) one first."),
        "already_serving": _("{number} is already being served."),
        "finish_needs_serving": _("Finish once the case has started: press S."),
        "park_needs_serving": _("Park once the case has started: press S."),
        "recall_limit_hint": _(
            "{number} has been recalled as often as the hall allows: start the case (S) or mark "
            "a no-show (X)."
        ),
        "call_blocked_called": _(
            "{number} is called to this window: start the case (S) or mark a no-show (X) before "
            "calling another."
        ),
        "call_blocked_serving": _(
            "{number} is being served: finish (F), transfer (T) or park (P) it before calling "
            "another."
        ),
        "window_paused_hint": _("The window is paused: resume it (O) before calling."),
        "window_closed_hint": _("The window is closed: take it again to open it."),
        "window_already_paused": _("The window is paused already."),
        "nobody_waiting": _("Nobody is waiting for this window."),
        "window_not_paused": _("The window is not paused."),
    }


def leaving_text(_: Translate = gettext) -> dict[str, Any]:
    """Leaving the window and logging out: what happens to the window and the cases at it. A
    window closes only with no case at it (parked ones included); logging out with a case at
    it leaves the window held by the clerk until they come back or a manager frees it."""
    return {
        "confirm_release": _("Leave window {number}? It closes for calling."),
        "release_blocked_title": _("You cannot leave window {number} yet"),
        "release_blocked_called": _(
            "{number} has been called to this window: mark a no-show (X), or start the case "
            "(S) and finish or transfer it. Then leave the window."
        ),
        "release_blocked_serving": _(
            "{number} is being served at this window: finish (F) or transfer (T) it. Then "
            "leave the window. Parking it does not free the window."
        ),
        "release_blocked_parked": _(
            "Parked at this window: {numbers}. Resume each (U), then finish, transfer or mark a "
            "no-show. Then leave the window."
        ),
        "log_out": _("Log out"),
        "logout_anyway": _("Log out anyway"),
        "logout_in_hand": _("Still at window {window}: {numbers}."),
        "logout_keeps_window": _(
            "If you log out now, the window stays held by you, with these cases at it, until "
            "you come back or a manager frees it. To leave it free, finish, transfer or no-show "
            "them first."
        ),
        "logout_closes_window": _(
            "Nothing is at window {window}: it closes and is free for another clerk."
        ),
        "logged_out_window_kept": _(
            "You logged out. Window {window} stays held by you until you come back or a "
            "manager frees it."
        ),
    }


def window_text(_: Translate = gettext) -> dict[str, Any]:
    """The window's own state: a pause's reason, planned length and return time (hall time)."""
    return {
        "status_with_details": _("{status} ({details})"),
        "pause_planned": _("{reason}, {minutes} min, back about {time}"),
        "window_paused_message": _("Window {number} is paused ({reason})."),
        "window_paused_for_message": _(
            "Window {number} is paused ({reason}, {minutes} min): back about {time}."
        ),
        "window_resumed_message": _("Window {number} is open again."),
        # A window's change refused: said of the window, not of a ticket.
        "window_refusals": {
            "invalid_transition": _("The window is not in a state that allows this."),
        },
    }


def transfer_text(_: Translate = gettext) -> dict[str, Any]:
    """Transfers: only of a case being served, never to a window where nobody is."""
    return {
        "transfer_needs_serving": _("Transfer once the case has started: press S."),
        "transfer_window_closed": _("{window} (closed: nobody there)"),
        "transfer_window_paused": _("{window} (paused)"),
        "no_open_window": _("No other window is open to take this case."),
        "transfer_window_closed_message": _("That window is closed: nobody serves there."),
        "choose_service": _("Choose…"),
        "choose_window": _("Choose…"),
        "transfer_service_required": _("Choose the service to transfer to."),
        "transfer_window_required": _("Choose the window to transfer to."),
        # Where the case in hand came from (staff only: the reason is never on a board).
        "transferred_from_window": _("Transferred from window {window}"),
        "transferred_from_service": _("Transferred from {service}"),
        "transferred_from_elsewhere": _("Transferred to this desk"),
        "transferred_with_reason": _("{from}: {reason}"),
        "transferred_here": _("Transferred to this window: {count}"),
        "transfer_refusals": {
            "window_closed": _("Not transferred."),
        },
    }


def rating_pad_page_text(
    options: dict[str, Any], locale: str, _: Translate = gettext
) -> dict[str, Any]:
    return {
        **rating_choices_in(locale, options),
        "welcome": _("Please rate our service"),
        "clerk": _("Clerk {name}, No. {staff_number}"),
        "no_clerk": _("This window is not staffed right now."),
        "rate_case": _("How satisfied are you with ticket {number} ({service})?"),
        "reasons_title": _("What stood out? (optional)"),
        "submit": _("Submit"),
        "back": _("Back"),
        "thanks": _("Thank you for your rating!"),
        "already_rated": _("This case has already been rated. Thank you!"),
        "unauthorised": _("This rating pad is not enrolled, or its token was revoked."),
        "offline": _("offline: reconnecting"),
        "error": _("The rating could not be saved; please try again."),
    }
