"""The words boards and window displays show, in the page's language and optionally in English.

A board reads them from `window.HALLQ.text.primary` (the page's language) and
`window.HALLQ.text.secondary` (English beside Chinese, or null); `{name}` marks a value the
script fills in.
"""

from __future__ import annotations

from flask_babel import force_locale, pgettext

# Every string of the screens has the context "screen", so a kiosk or counter string with the
# same English (such as "Waiting") and another Chinese never replaces it.
CONTEXT = "screen"


def _(message: str) -> str:
    return pgettext(CONTEXT, message)


def _labels() -> dict[str, str]:
    return {
        "now_calling": _("Now calling"),
        "recent_calls": _("Recent calls"),
        "no_calls_now": _("No one is being called"),
        "waiting_title": _("Waiting"),
        "column_service": _("Service"),
        "column_department": _("Department"),
        "column_waiting": _("Waiting"),
        "column_estimate": _("Estimated wait"),
        # The number in the waiting column: just the number in English, "12 人" in Chinese.
        "people": _("{count}"),
        "total_waiting": _("Waiting in all: {count}"),
        "estimate_range": _("about {low}–{high} min"),
        "estimate_point": _("about {minutes} min"),
        "no_wait": _("No wait"),
        "over_limit": _("Over 2 hours"),
        "no_window_open": _("No window open"),
        "window_number": _("Window {number}"),
        "go_to_window": _("Please go to window {number}"),
        "notices": _("Notices"),
        "offline": _("Connection to the server lost; showing the last known state"),
        "sound_blocked": _("Tap the screen once to turn the sound on"),
        "now_serving": _("Now serving"),
        # Over a called ticket's number until the clerk starts the case.
        "come_to_this_window": _("Please come to this window"),
        # A paused or closed window finishing the case it had: no new number is called there.
        "last_case_paused": _("Pausing after this case"),
        "last_case_closed": _("Closing after this case"),
        "waiting_for_next": _("Waiting for the next number"),
        "status_open": _("Open"),
        "status_paused": _("Paused"),
        "status_closed": _("Closed"),
        "reason_break": _("Short break"),
        "reason_meeting": _("In a meeting"),
        "reason_other": _("Back soon"),
        "please_use_other_windows": _("Please use another window"),
        "clerk": _("Clerk"),
        "staff_number": _("Staff no."),
        "services": _("Services"),
        "more_services": _("and {count} more"),
        "ticket_called": _("Called"),
        "ticket_serving": _("Serving"),
    }


def display_page_text(locale: str) -> dict[str, object]:
    """Labels in the page's language, plus English ones for screens that show both."""
    primary = _labels()
    secondary = None
    if locale != "en":
        with force_locale("en"):
            secondary = _labels()
    return {"primary": primary, "secondary": secondary}


def refused_text() -> dict[str, str]:
    return {
        "title": _("This screen is not enrolled"),
        "advice": _(
            "Its token is unknown or revoked. Ask a hall manager to enrol it and open the "
            "address the manager gives you."
        ),
    }
