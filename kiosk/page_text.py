"""The words the kiosk screen, the status page and the hall's page for taking a ticket on a
phone show, translated for the page's language.

The pages' scripts read them from `window.HALLQ.text`; `{name}` marks a value the script fills in.
Refusals are keyed by the API's error codes, each with what happened and what to do instead.
Every message has the context "kiosk": the device packages share one translation domain, and a
short word such as "Back" or "Waiting" must not take another package's translation.
"""

from __future__ import annotations

from flask_babel import pgettext

from hall_server.operations.ratings import MAX_COMMENT, rating_choices_in


def refusal_text() -> dict[str, dict[str, str]]:
    return {
        "hall_closed": {
            "title": pgettext("kiosk", "The hall is closed now."),
            "advice": pgettext(
                "kiosk", "Please come back during opening hours, or book an appointment online."
            ),
        },
        "outside_issuing_hours": {
            "title": pgettext("kiosk", "Tickets for this service are not issued at this time."),
            "advice": pgettext(
                "kiosk", "Please come back during its issuing hours, or book an appointment online."
            ),
        },
        "daily_quota_reached": {
            "title": pgettext("kiosk", "Today's tickets for this service are all taken."),
            "advice": pgettext(
                "kiosk", "Please book an appointment online, or come back tomorrow."
            ),
        },
        "already_holds_ticket": {
            "title": pgettext("kiosk", "You already hold a ticket for this service."),
            "advice": pgettext(
                "kiosk",
                "Please keep that ticket and wait to be called; scan its QR code to see "
                "your place in the queue.",
            ),
        },
        "service_not_offered": {
            "title": pgettext("kiosk", "This service is not offered here at the moment."),
            "advice": pgettext("kiosk", "Please ask at the service desk."),
        },
        "no_window_serves": {
            "title": pgettext("kiosk", "No window handles this service yet."),
            "advice": pgettext("kiosk", "Please ask at the service desk."),
        },
        "too_many_requests": {
            "title": pgettext("kiosk", "Many tickets were just taken at this kiosk."),
            "advice": pgettext("kiosk", "Please wait a moment and try again."),
        },
        "code_not_recognised": {
            "title": pgettext("kiosk", "This code was not recognised."),
            "advice": pgettext(
                "kiosk", "Take an ordinary ticket instead, or ask at the service desk."
            ),
        },
        "booking_used": {
            "title": pgettext("kiosk", "This appointment has already been used."),
            "advice": pgettext(
                "kiosk",
                "An appointment gives one ticket. If you lost yours, please ask at the service "
                "desk.",
            ),
        },
        "booking_cancelled": {
            "title": pgettext("kiosk", "This appointment was cancelled."),
            "advice": pgettext("kiosk", "Please book again online, or take an ordinary ticket."),
        },
        "booking_not_today": {
            "title": pgettext("kiosk", "This appointment is for another day."),
            "advice": pgettext(
                "kiosk", "Please come on the day you booked, or take an ordinary ticket today."
            ),
        },
        "pre_review_cancelled": {
            "title": pgettext("kiosk", "This pre-review was withdrawn."),
            "advice": pgettext(
                "kiosk", "Please check your application online, or take an ordinary ticket."
            ),
        },
        "pre_review_expired": {
            "title": pgettext("kiosk", "This pre-review has expired."),
            "advice": pgettext(
                "kiosk",
                "Please have your materials pre-reviewed online again, or take an ordinary ticket.",
            ),
        },
        "pre_review_used": {
            "title": pgettext("kiosk", "This pre-review already has a ticket in the queue."),
            "advice": pgettext("kiosk", "Please keep that ticket and wait to be called."),
        },
        "no_booking_for_id_card": {
            "title": pgettext("kiosk", "No appointment or pre-review was found for this ID card."),
            "advice": pgettext(
                "kiosk",
                "Take an ordinary ticket, or scan the code in your booking message.",
            ),
        },
        "invalid_id_number": {
            "title": pgettext(
                "kiosk", "This ID number is not valid: its check digit or date does not match."
            ),
            "advice": pgettext(
                "kiosk", "Please check the number and enter it again, or use the card reader."
            ),
        },
        # The server answered 503: its database is away for a moment (a restart, a failover).
        # Nothing was issued; the same request (the same key) may be tried again.
        "server_busy": {
            "title": pgettext("kiosk", "The queue system is busy for a moment."),
            "advice": pgettext("kiosk", "Please try again in a few seconds."),
        },
        "kiosk_offline": {
            "title": pgettext("kiosk", "This kiosk cannot reach the server."),
            "advice": pgettext("kiosk", "Please use another kiosk or ask at the service desk."),
        },
        "error": {
            "title": pgettext("kiosk", "Sorry, no ticket could be issued."),
            "advice": pgettext("kiosk", "Please try again, or ask at the service desk."),
        },
    }


def kiosk_page_text() -> dict[str, object]:
    return {
        "take_ticket_title": pgettext("kiosk", "Take a ticket"),
        "choose_department": pgettext("kiosk", "Choose a department"),
        "choose_service": pgettext("kiosk", "Choose a service"),
        "search": pgettext("kiosk", "Search"),
        "search_hint": pgettext("kiosk", "Type a name or its pinyin initials, e.g. gjj"),
        "no_match": pgettext(
            "kiosk", "Nothing matches. Try fewer letters, or choose a department."
        ),
        # A service's button: the people a ticket taken now would have ahead, the figure the
        # confirmation then shows; never the service's own waiting count, which reads as it.
        "ahead_count": ahead_count_text(),
        "fully_booked_today": fully_booked_text(),
        **hours_text(),
        "larger_text": pgettext("kiosk", "Larger text"),
        "normal_text": pgettext("kiosk", "Normal text"),
        "back": pgettext("kiosk", "Back"),
        "start_over": pgettext("kiosk", "Start over"),
        "clear": pgettext("kiosk", "Clear"),
        "delete": pgettext("kiosk", "Delete"),
        "printer_paper_out": pgettext(
            "kiosk",
            "The printer is out of paper. You can still take a ticket: it is shown on screen "
            "with a QR code for your phone.",
        ),
        "printer_offline": pgettext(
            "kiosk",
            "The printer is not working. You can still take a ticket: it is shown on screen "
            "with a QR code for your phone.",
        ),
        # Its print agent has fallen silent (alerts.py): the printer may work, but nobody knows.
        "printer_unknown": pgettext(
            "kiosk",
            "The printer is not responding, so your ticket may not print. You can still take a "
            "ticket: it is shown on screen with a QR code for your phone. Please tell a member "
            "of staff.",
        ),
        # No print agent has ever reported from this kiosk: nothing will print.
        "printer_none": pgettext(
            "kiosk",
            "This kiosk has no printer connected. You can still take a ticket: it is shown on "
            "screen with a QR code for your phone.",
        ),
        "identify_title": pgettext("kiosk", "Who is the ticket for?"),
        "identify_optional": pgettext(
            "kiosk", "Optional: it lets the clerk find your case faster."
        ),
        "identify_required": pgettext("kiosk", "This hall asks every visitor to identify."),
        "identify_id_card": pgettext("kiosk", "ID card"),
        "identify_id_card_hint": pgettext(
            "kiosk", "Place your ID card on the reader, or type the number on the keypad."
        ),
        "identify_phone": pgettext("kiosk", "Mobile number"),
        "identify_phone_hint": pgettext("kiosk", "Type your 11-digit mobile number."),
        "identify_code": pgettext("kiosk", "Appointment or pre-review code"),
        "identify_code_hint": pgettext("kiosk", "Hold the code under the scanner."),
        "identify_skip": pgettext("kiosk", "Continue without"),
        "identify_other_way": pgettext("kiosk", "Identify another way"),
        "continue": pgettext("kiosk", "Continue"),
        "invalid_phone": pgettext(
            "kiosk", "That is not a mobile number: 11 digits starting with 1."
        ),
        "invalid_id_number": pgettext(
            "kiosk", "That is not an ID number: 18 characters, the last may be X."
        ),
        "code_scanned": pgettext("kiosk", "Code scanned: {code}"),
        "code_entered": pgettext("kiosk", "Code entered: {code}"),
        "booking_open": pgettext("kiosk", "I have an appointment or a pre-review"),
        "booking_hint": pgettext(
            "kiosk", "Hold the code under the scanner, or type it on the keys below."
        ),
        "booking_hint_with_id_card": pgettext(
            "kiosk",
            "Hold the code under the scanner, or type it on the keys below; or place your ID "
            "card on the reader.",
        ),
        "booking_checking": pgettext("kiosk", "Checking…"),
        "booking_enter_code": pgettext("kiosk", "Please scan or type your code first."),
        "take_ordinary_ticket": pgettext("kiosk", "Take an ordinary ticket"),
        "booking_appointment": pgettext("kiosk", "Appointment at {time}"),
        "booking_pre_review_passed": pgettext("kiosk", "Pre-review passed"),
        "booking_pre_review_to_correct": pgettext("kiosk", "Pre-review: materials to correct"),
        "note_early": pgettext(
            "kiosk",
            "You are early: you will be called first once your slot ({time}) comes near. "
            "Please wait nearby.",
        ),
        "note_on_time": pgettext("kiosk", "Your appointment is valid: you will be called first."),
        "note_too_late": pgettext(
            "kiosk",
            "You are more than {grace} minutes past your slot ({time}), so the appointment has "
            "lapsed: you queue as an ordinary visitor.",
        ),
        "note_pre_review_passed": pgettext(
            "kiosk", "Your pre-review passed: you will be called first."
        ),
        "note_pre_review_to_correct": pgettext(
            "kiosk",
            "Your pre-review asks for corrected materials: you queue as an ordinary visitor, "
            "and the clerk sees what to correct.",
        ),
        "ticket_note_early": pgettext(
            "kiosk", "Your slot is {time}: you will be called first from about then."
        ),
        "ticket_note_lapsed": pgettext(
            "kiosk", "Your appointment has lapsed: this is an ordinary ticket."
        ),
        "tag_appointment": pgettext("kiosk", "[Appointment]"),
        "tag_pre_reviewed": pgettext("kiosk", "[Pre-reviewed]"),
        "tag_priority": pgettext("kiosk", "[Priority lane]"),
        "try_again": pgettext("kiosk", "Try again"),
        "confirm_title": pgettext("kiosk", "Please confirm"),
        "service": pgettext("kiosk", "Service"),
        "people_ahead": pgettext("kiosk", "People ahead"),
        "estimated_wait": pgettext("kiosk", "Estimated wait"),
        "minutes_range": pgettext("kiosk", "{low}–{high} minutes"),
        "over_limit": over_limit_text(),
        "minutes_point": pgettext("kiosk", "about {n} minutes"),
        "under_a_minute": pgettext("kiosk", "less than a minute"),
        "no_window_now": pgettext("kiosk", "no window serves this right now"),
        "identified_as": pgettext("kiosk", "Identified by"),
        "confirm_take": pgettext("kiosk", "Take ticket"),
        "your_number": pgettext("kiosk", "Your number"),
        "wait_to_be_called": pgettext("kiosk", "Please wait until your number is called."),
        "scan_to_follow": pgettext(
            "kiosk", "Scan with your phone to follow your place in the queue."
        ),
        "printing": pgettext("kiosk", "Printing your ticket…"),
        "printed": pgettext("kiosk", "Please take your printed ticket."),
        "print_failed": pgettext("kiosk", "The ticket could not be printed: {reason}"),
        "ticket_still_valid": pgettext(
            "kiosk", "Your ticket is valid: scan the QR code with your phone, or note your number."
        ),
        "print_reason_paper_out": pgettext("kiosk", "the printer is out of paper."),
        "print_reason_offline": pgettext("kiosk", "the printer is not working."),
        "print_reason_no_answer": pgettext("kiosk", "the printer did not answer."),
        "print_reason_no_printer": pgettext("kiosk", "this kiosk has no printer connected."),
        "print_reason_other": pgettext("kiosk", "a printer fault."),
        "print_again": pgettext("kiosk", "Print again"),
        "on_screen_only": pgettext("kiosk", "Show on screen only"),
        "on_screen_chosen": pgettext(
            "kiosk", "Your ticket is shown here: take a photo or scan the QR code."
        ),
        "done": pgettext("kiosk", "Done"),
        "refusal_heading": pgettext("kiosk", "No ticket was issued"),
        "refusals": refusal_text(),
    }


def ahead_count_text() -> str:
    return str(pgettext("kiosk", "Ahead of you: {n}"))


def fully_booked_text() -> str:
    """A service whose daily quota is used up, on its button: it cannot be taken today."""
    return str(pgettext("kiosk", "Fully booked today"))


def hours_text() -> dict[str, str]:
    """What a service's button says outside its issuing hours, and the line under "the hall is
    closed" (kiosk/static/hours_text.js fills in the hours, e.g. "08:30–11:30 13:30–16:00")."""
    return {
        "issuing_hours_today": pgettext("kiosk", "Tickets {hours}"),
        "no_tickets_today": pgettext("kiosk", "No tickets today"),
        # The service's hours are not at hand (an old page, a schedule that could not be read).
        "not_issuing_now": pgettext("kiosk", "Not issuing tickets now"),
        "opening_hours_today": pgettext("kiosk", "Opening hours today: {hours}"),
        "closed_today": pgettext("kiosk", "Closed today"),
        "tickets_again_from": pgettext("kiosk", "Tickets again from {when} {time}"),
        "today": pgettext("kiosk", "today"),
        "tomorrow": pgettext("kiosk", "tomorrow"),
    }


def out_of_service_text() -> dict[str, str]:
    """What a kiosk whose token the server refuses (revoked, unknown) shows, in the page once
    it learns so and on every reload: visitors go elsewhere, staff learn what to do."""
    return {
        "title": pgettext("kiosk", "This kiosk is out of service."),
        "advice": pgettext("kiosk", "Please use another kiosk or ask at the service desk."),
        "staff": pgettext(
            "kiosk",
            "For staff: this kiosk's device token was revoked or is not recognised. A manager "
            "must enrol the kiosk again and open this page with its new token.",
        ),
    }


def rating_choices(locale: str) -> dict[str, object]:
    """The five levels (best first) with the reasons each may carry, labelled as the window's
    rating pad labels them (ratings.py holds both languages)."""
    return {**rating_choices_in(locale), "max_comment": MAX_COMMENT}


def rating_text() -> dict[str, str]:
    """The rating part of the status page, once the case is finished."""
    return {
        "rate_title": pgettext("kiosk", "How satisfied are you with this visit?"),
        "rate_reasons_title": pgettext("kiosk", "What stood out? (optional)"),
        "rate_comment_label": pgettext(
            "kiosk", "Anything else you would like to tell us? (optional)"
        ),
        "rate_submit": pgettext("kiosk", "Submit rating"),
        "rate_sending": pgettext("kiosk", "Sending…"),
        "rate_thanks": pgettext("kiosk", "Thank you for your rating!"),
        "rate_given": pgettext("kiosk", "Your rating: {level}"),
        "rate_already": pgettext(
            "kiosk", "This visit has already been rated: each visit is rated once."
        ),
        "rate_failed": pgettext("kiosk", "Your rating could not be sent; please try again."),
        "rate_offline": pgettext(
            "kiosk", "Your rating could not be sent: no connection. Please try again."
        ),
    }


def status_page_text() -> dict[str, object]:
    return {
        "status_waiting": pgettext("kiosk", "Waiting"),
        "status_called": pgettext("kiosk", "Called: please go to {window} now"),
        "called_title": pgettext("kiosk", "{number} called: go to {window}"),
        "status_serving": pgettext("kiosk", "Being served at {window}"),
        "status_parked": pgettext("kiosk", "Set aside at {window}; you will be called back"),
        "status_finished": pgettext("kiosk", "Finished. Thank you for your visit!"),
        "status_no_show": pgettext(
            "kiosk", "You were called but did not come. Please ask at the service desk."
        ),
        "status_missed": pgettext("kiosk", "Missed: you were called but did not come."),
        "status_cancelled": pgettext("kiosk", "Cancelled"),
        # The line under the state: what the visitor may still do once the queue is behind them.
        "come_back_behind": pgettext(
            "kiosk",
            "If you are back in the hall by {time}, ask at a window or the service desk to queue "
            "again: at most {n} people will be ahead of you. After that, please take a new ticket.",
        ),
        "come_back_at_end": pgettext(
            "kiosk",
            "If you are back in the hall by {time}, ask at a window or the service desk to queue "
            "again, at the end of the queue. After that, please take a new ticket.",
        ),
        "come_back_too_late": pgettext(
            "kiosk",
            "The time to come back has passed; if you still need this service, please take a "
            "new ticket.",
        ),
        "nothing_to_wait_for": pgettext(
            "kiosk",
            "Nothing more to wait for; if you still need this service, please take a new ticket.",
        ),
        "people_ahead": pgettext("kiosk", "People ahead"),
        "estimated_wait": pgettext("kiosk", "Estimated wait"),
        "minutes_range": pgettext("kiosk", "{low}–{high} minutes"),
        "minutes_point": pgettext("kiosk", "about {n} minutes"),
        "under_a_minute": pgettext("kiosk", "less than a minute"),
        "over_limit": over_limit_text(),
        "no_window_now": pgettext("kiosk", "no window serves this right now"),
        "cancel": pgettext("kiosk", "Cancel my ticket"),
        "cancel_confirm": pgettext(
            "kiosk", "Cancel this ticket? You will lose your place in the queue."
        ),
        "cancel_yes": pgettext("kiosk", "Yes, cancel it"),
        "cancel_no": pgettext("kiosk", "No, keep it"),
        "cancel_failed": pgettext(
            "kiosk", "The ticket could not be cancelled: it may already be called."
        ),
        "offline": pgettext("kiosk", "Connection lost; reconnecting…"),
        "window_number": pgettext("kiosk", "window {n}"),
        "remote_tag": pgettext("kiosk", "Taken online"),
        "remote_note": come_in_time_text(),
        **rating_text(),
    }


def over_limit_text() -> str:
    """A wait the forecast puts beyond its cap (`over_limit`): not "about 120 minutes"."""
    return str(pgettext("kiosk", "over 2 hours"))


def come_in_time_text() -> str:
    """A remote ticket's holder is not in the hall yet: both its pages say so."""
    return str(
        pgettext(
            "kiosk",
            "Please come to the hall in time: if you are not there when your number is called, "
            "it counts as a no-show.",
        )
    )


def remote_refusal_text() -> dict[str, dict[str, str]]:
    """What the phone page says when no ticket can be taken, keyed by the API's codes."""
    at_the_kiosk = pgettext("kiosk", "You can still take a ticket at a kiosk in the hall.")
    return {
        "remote_tickets_off": {
            "title": pgettext("kiosk", "This hall does not give tickets online."),
            "advice": at_the_kiosk,
        },
        "service_not_remote": {
            "title": pgettext("kiosk", "Tickets for this service are not given online."),
            "advice": at_the_kiosk,
        },
        "no_remote_services": {
            "title": pgettext("kiosk", "No service can be taken online here now."),
            "advice": at_the_kiosk,
        },
        "phone_daily_limit_reached": {
            "title": pgettext(
                "kiosk", "This mobile number has taken as many tickets online today as it may."
            ),
            "advice": at_the_kiosk,
        },
        "remote_tickets_full": {
            "title": pgettext("kiosk", "Many visitors who took a ticket online are waiting now."),
            "advice": pgettext(
                "kiosk",
                "To keep places for visitors in the hall, no more tickets are given online "
                "for the moment. Please try again later, or take a ticket at a kiosk in the hall.",
            ),
        },
        "remote_share_reached": {
            "title": pgettext("kiosk", "Today's online tickets for this service are all taken."),
            "advice": at_the_kiosk,
        },
        "hall_closed": refusal_text()["hall_closed"],
        "outside_issuing_hours": refusal_text()["outside_issuing_hours"],
        "daily_quota_reached": refusal_text()["daily_quota_reached"],
        "service_not_offered": refusal_text()["service_not_offered"],
        "no_window_serves": refusal_text()["no_window_serves"],
        "already_holds_ticket": {
            "title": pgettext(
                "kiosk", "This mobile number already holds a ticket for this service."
            ),
            "advice": pgettext(
                "kiosk", "Please keep that ticket: its page shows your place in the queue."
            ),
        },
        "phone_missing": {
            "title": pgettext("kiosk", "Please enter your mobile number."),
            "advice": pgettext(
                "kiosk", "It keeps your place: one mobile number holds one ticket per service."
            ),
        },
        "invalid_phone": {
            "title": pgettext(
                "kiosk", "That is not a mainland mobile number: 11 digits starting with 13 to 19."
            ),
            "advice": pgettext("kiosk", "Please check the number and try again."),
        },
        "too_many_requests": {
            "title": pgettext("kiosk", "Many tickets were just taken from this network."),
            "advice": pgettext("kiosk", "Please wait a moment and try again."),
        },
        "offline": {
            "title": pgettext("kiosk", "The server cannot be reached."),
            "advice": pgettext("kiosk", "Please check your connection and try again."),
        },
        "error": refusal_text()["error"],
    }


def remote_take_page_text() -> dict[str, object]:
    return {
        "take_title": pgettext("kiosk", "Take a ticket online"),
        "take_intro": pgettext(
            "kiosk",
            "Choose a service and give your mobile number. Your ticket queues with the tickets "
            "taken in the hall; follow it on your phone.",
        ),
        "choose_service": pgettext("kiosk", "Choose a service"),
        "ahead_count": ahead_count_text(),
        "estimated_wait": pgettext("kiosk", "Estimated wait"),
        "minutes_range": pgettext("kiosk", "{low}–{high} minutes"),
        "minutes_point": pgettext("kiosk", "about {n} minutes"),
        "under_a_minute": pgettext("kiosk", "less than a minute"),
        "over_limit": over_limit_text(),
        "no_window_now": pgettext("kiosk", "no window serves this right now"),
        "people_ahead": pgettext("kiosk", "People ahead"),
        "phone_label": pgettext("kiosk", "Mobile number"),
        "phone_hint": pgettext("kiosk", "Type your 11-digit mobile number."),
        "phone_privacy": pgettext(
            "kiosk",
            "Your number is kept only as a code that marks your ticket: one number holds one "
            "ticket per service.",
        ),
        "come_in_time": come_in_time_text(),
        "take": pgettext("kiosk", "Take ticket"),
        "taking": pgettext("kiosk", "Taking your ticket…"),
        "back": pgettext("kiosk", "Back"),
        "refusal_heading": pgettext("kiosk", "No ticket was issued"),
        "refusals": remote_refusal_text(),
        **hours_text(),
    }
