"""The words the counter page and the rating pad show, translated for the page's language.

The pages' scripts read them from `window.HALLQ.text`; `{name}` marks a value the script fills
in. Refusals are keyed by the API's error codes; the page shows the text with the server's own
message beside it, so a clerk always sees why nothing happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

Translate = Callable[[str], str]


def refusal_text(_: Translate = gettext) -> dict[str, str]:
    return {
        "invalid_transition": _("This ticket is not in a state that allows this."),
        "ticket_at_other_window": _("This ticket is being handled at another window."),
        "ticket_reserved_for_other_window": _("This ticket was transferred to another window."),
        "not_your_window": _("You do not hold this window; take it first."),
        "window_taken": _("Another clerk holds this window."),
        "window_busy": _("A ticket is still at this window: finish, transfer or park it first."),
        "window_paused": _("The window is paused; resume it before calling."),
        "window_closed": _("The window is closed; take it again to open it."),
        "recall_limit_reached": _("The recall limit is reached: start the case or mark a no-show."),
        "queue_empty": _("Nobody is waiting for this window."),
        "not_found": _("Not found."),
        "service_not_at_window": _("That service is not handled at this window."),
        "transfer_to_same_window": _("A ticket cannot be transferred to its own window."),
        "transfer_target_missing": _("Choose a service or a window to transfer to."),
        "invalid_outcome": _("Choose how the case ended."),
        "invalid_pause_reason": _("Choose a reason for the pause."),
        "unauthorized": _("Your login has expired; please log in again."),
        "bad_credentials": _("Wrong staff number or password."),
        "forbidden_role": _("Your role may not do this."),
        "forbidden_hall": _("You have no access to this hall."),
        "validation_failed": _("Please check what you entered."),
        "too_many_requests": _("Too many attempts; please wait a moment."),
        "service_unavailable": _("The server cannot reach its database; nothing changed."),
        "network": _("The server cannot be reached; nothing changed."),
        "no_ticket": _("There is no ticket at the window."),
        "no_parked": _("No case is parked at this window."),
        "error": _("The server refused this."),
    }


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


def counter_page_text(_: Translate = gettext) -> dict[str, Any]:
    return {
        **vocabulary(_),
        "waited": _("waited {minutes} min"),
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
        "confirm_release": _("Leave window {number}? It closes for calling."),
        "transfer_reason_required": _("Give a reason for the transfer."),
        "number_required": _("Type the ticket number, e.g. A023."),
    }


def rating_pad_page_text(
    options: dict[str, Any], locale: str, _: Translate = gettext
) -> dict[str, Any]:
    label = "label_zh" if locale == "zh" else "label_en"
    return {
        "levels": [
            {"code": level["code"], "label": level[label], "reasons": level["reasons"]}
            for level in options["levels"]
        ],
        "reasons": {reason["code"]: reason[label] for reason in options["reasons"]},
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
