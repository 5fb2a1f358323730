"""The words the managers' pages show, translated for the page's language.

The scripts read them from `window.HALLQ.text`; `{name}` marks a value the script fills in.
Refusals are keyed by the API's error codes: a short summary of what happened, then the server's
reason in the page's language (staff_client.js joinRefusal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

Translate = Callable[[str], str]


def refusal_text(_: Translate = gettext) -> dict[str, str]:
    """A refusal's summary: what happened, in a few words and without advice of its own. The
    server's reason follows it (staff_client.js joinRefusal) and says why and what to do; a
    summary that said so too would repeat it or contradict it."""
    not_saved = _("Not saved.")
    return {
        "unauthorized": _("Your login has expired."),
        "bad_credentials": _("Wrong staff number or password."),
        "forbidden_role": _("Your role may not do this."),
        "forbidden_hall": _("You have no access to this hall."),
        "not_your_window": _("Only the window's clerk or a manager may do this."),
        "not_found": _("Not found."),
        "invalid_transition": _("Not possible in the current state."),
        "window_busy": _("A ticket is still at this window."),
        "no_clerk": _("Not opened."),
        "duplicate": not_saved,
        "duplicate_service": not_saved,
        "invalid_prefix": not_saved,
        "invalid_opening_hours": _(
            "Opening hours are written like mon-fri 09:00-12:00 13:30-17:00."
        ),
        "invalid_time_zone": not_saved,
        "invalid_parent": _("A hall cannot move there."),
        "invalid_role": not_saved,
        "invalid_file": _("The file cannot be imported."),
        "weak_password": not_saved,
        "own_account": not_saved,
        "too_many_lines": _("Not sent to the boards."),
        "invalid_break": not_saved,
        "break_overlap": not_saved,
        "window_not_in_hall": not_saved,
        "invalid_pause_minutes": _("Not done."),
        "invalid_remote_settings": not_saved,
        "validation_failed": _("What was entered was not accepted."),
        "unknown_field": _("What was entered was not accepted."),
        "too_many_requests": _("Too many attempts."),
        # The server's reason follows: nothing changed, or (cut off during the commit) unknown.
        "service_unavailable": _("The server cannot reach its database."),
        "network": _("The server cannot be reached; nothing changed."),
        "error": _("The server refused this."),
    }


def _vocabulary(_: Translate) -> dict[str, Any]:
    return {
        "roles": {"clerk": _("clerk"), "manager": _("manager"), "admin": _("administrator")},
        "levels": {
            "city": _("city hall"),
            "district": _("district hall"),
            "township": _("township hall"),
            "community": _("community station"),
        },
        "window_status": {"open": _("open"), "paused": _("paused"), "closed": _("closed")},
        "window_kinds": {"comprehensive": _("comprehensive"), "dedicated": _("dedicated")},
        "pause_reasons": {"break": _("break"), "meeting": _("meeting"), "other": _("other")},
        "ticket_status": {
            "called": _("called"),
            "serving": _("serving"),
            "parked": _("parked"),
        },
        "device_kinds": {
            "kiosk": _("kiosk"),
            "board": _("lobby board"),
            "window_display": _("window display"),
            "rating_pad": _("rating pad"),
        },
        "printer_status": {
            "ok": _("ok"),
            "paper_near_end": _("paper low"),
            "paper_out": _("out of paper"),
            "offline": _("printer offline"),
            "unknown": _("unknown"),
        },
        "alerts": {
            "long_wait": _("{service}: {number} has waited {minutes} min (limit {threshold})"),
            "idle_window": _("Window {window} is idle while {waiting} wait for its services"),
            "paused_window": _("Window {window} is paused ({reason}) while {waiting} wait"),
            "planned_break": _(
                "Window {window} is on a planned break until {until} while {waiting} wait"
            ),
            "planned_break_overrun": _(
                "Window {window}'s planned break ended at {until} and it is still paused "
                "while {waiting} wait"
            ),
            "paper_out": _("{device}: the printer is out of paper"),
            "paper_near_end": _("{device}: the paper is running low"),
            "printer_offline": _("{device}: the printer is offline"),
            "device_offline": _("{kind} {device} is offline"),
            "printer_silent": _(
                "{device}: its print agent has stopped reporting; tickets may not print"
            ),
        },
    }


def _figures(_: Translate) -> dict[str, Any]:
    return {
        "report_columns": {
            "issued": _("Issued"),
            "called": _("Called"),
            "served": _("Served"),
            "no_shows": _("No-shows"),
            "cancelled": _("Cancelled"),
            "transfers": _("Transfers"),
            "wait_mean_seconds": _("Mean wait (min)"),
            "wait_p90_seconds": _("P90 wait (min)"),
            "wait_max_seconds": _("Longest wait (min)"),
            "handling_mean_seconds": _("Mean handling (min)"),
            "handling_p90_seconds": _("P90 handling (min)"),
            "handling_max_seconds": _("Longest handling (min)"),
            "service_level": _("Within target"),
            "ratings": _("Ratings"),
            "rating_average": _("Average rating"),
            "rating_good_share": _("Satisfied"),
        },
        "report_labels": {
            "service": [_("Department"), _("Prefix"), _("Service")],
            "window": [_("Window"), _("Name")],
            "clerk": [_("Staff number"), _("Clerk")],
            "day": [_("Day")],
            "hall": [_("Hall")],
        },
        "report_title": _("{hall}: {start} – {end} (target wait {target} min)"),
        "total": _("Total"),
        "within_target": _("Within {minutes} min"),
        "ratings_note": _("{count} ratings, {good} satisfied"),
        "window_counts": _("{open} open · {paused} paused · {closed} closed"),
        "alert_counts": _("{critical} critical, {warning} warnings"),
        # A new ticket's wait, as the lobby board and the kiosk word it (kiosk/static/wait_text.js).
        "wait_words": {
            "no_window_now": _("no window open"),
            "over_limit": _("over 2 hours"),
            "under_a_minute": _("no wait"),
            "minutes_point": _("about {n} min"),
            "minutes_range": _("about {low}–{high} min"),
        },
        "minutes": _("{minutes} min"),
        "seconds": _("{seconds} s"),
        "hours_minutes": _("{hours} h {minutes} min"),
        "since": _("since {time}"),
        "updated_at": _("updated {time}"),
        "cleared_at": _("cleared {time}"),
        "still_open": _("still open"),
        "never_seen": _("never seen"),
        "offline": _("offline"),
        "no_quota": _("no limit"),
        "fully_booked": _("fully booked today"),
        "not_issuing_today": _("not issuing today"),
        "no_data": _("Nothing yet today"),
        "arrivals": _("Arrivals"),
        "served": _("Served"),
        "tickets": _("Tickets"),
        "none": _("None."),
    }


def _forms(_: Translate) -> dict[str, Any]:
    return {
        "hall_fields": {
            "code": _("Code"),
            "name": _("Name"),
            "name_en": _("English name"),
            "level": _("Level"),
            "time_zone": _("Time zone"),
            "opening_hours": _("Opening hours"),
            "target_wait_minutes": _("Target wait (min)"),
        },
        "alert_fields": {
            "long_wait_minutes": _("Alert when someone has waited (min)"),
            "many_waiting": _("Alert when this many wait at an idle or paused window"),
            "idle_window_minutes": _("A window without a call for (min) is idle"),
            "device_offline_minutes": _("A device silent for (min) is offline"),
        },
        "service_fields": {
            "department": _("Department"),
            "code": _("Code"),
            "name": _("Name"),
            "name_en": _("English name"),
            "prefix": _("Prefix"),
            "expected_handling_minutes": _("Handling (min)"),
            "daily_quota": _("Daily quota"),
            "issuing_hours": _("Issuing hours"),
            "active": _("Active"),
        },
        "window_fields": {
            "number": _("Number"),
            "name": _("Name"),
            "name_en": _("English name"),
            "kind": _("Kind"),
        },
        "device_fields": {"kind": _("Kind"), "name": _("Name"), "window": _("Window")},
        "user_fields": {
            "staff_number": _("Staff number"),
            "name": _("Name"),
            "role": _("Role"),
            "password": _("Password"),
        },
        "add_hall": _("Open a hall below this one"),
        "add_department": _("Add a department"),
        "add_service": _("Add a service"),
        "add_window": _("Add a window"),
        "add_device": _("Enrol a device"),
        "add_user": _("Create an account"),
        "alert_title": _("Alert thresholds"),
        "edit": _("Edit"),
        "revoke": _("Revoke"),
        "revoke_title": _("Revoke the {kind} “{name}”?"),
        "revoke_note": _("Its token stops working at once; enrol it again to bring it back."),
        "deactivate": _("Deactivate"),
        "activate": _("Reactivate"),
        "reset_password": _("Reset password"),
        "reset_title": _("New password for {name}"),
        "password_made_up": _("leave empty to have one made up"),
        "password_once": _("The new password (shown only now): {password}"),
        "token_once": _(
            "The device's token is shown only now: copy what the device needs before you leave "
            "this page. A lost token cannot be shown again; revoke the device and enrol it anew."
        ),
        "device_page": _("The device's page"),
        "print_agent": _("Print agent on the kiosk PC"),
        "printer_spec_note": _(
            "Replace usb:VID:PID with the printer's own: its USB vendor and product ids in hex "
            "(lsusb shows them, e.g. usb:0416:5011), or network:HOST[:PORT], serial:DEVICE:BAUD, "
            "file:/dev/usb/lp0 or cups:NAME."
        ),
        "device_token": _("Token"),
        "copy": _("Copy"),
        "copied": _("Copied"),
        "copy_by_hand": _("Selected: press Ctrl+C"),
        "import_checked": _(
            "Checked: {created} new and {updated} changed services; nothing saved."
        ),
        "import_done": _("Imported: {created} new and {updated} changed services."),
        "import_problems": _("{problems} rows have problems; nothing was imported."),
        "import_line": _("line {line}: {message}"),
    }


def _rota(_: Translate) -> dict[str, Any]:
    return {
        "weekdays": {
            "mon": _("Mon"),
            "tue": _("Tue"),
            "wed": _("Wed"),
            "thu": _("Thu"),
            "fri": _("Fri"),
            "sat": _("Sat"),
            "sun": _("Sun"),
        },
        "rota_fields": {
            "window": _("Window"),
            "start": _("Starts at"),
            "minutes": _("Minutes"),
            "label": _("Label"),
            "weekdays": _("Days"),
        },
        "every_day": _("every day"),
        "add_break": _("Add a break"),
        "edit_break": _("Change the break"),
        "remove_break": _("Remove"),
        "no_breaks": _("no breaks planned"),
        "rota_zone": _("Times of day are the hall's local time ({zone})."),
        "label_example": _("e.g. 午休 lunch"),
    }


def _remote_tickets(_: Translate) -> dict[str, Any]:
    """The hall's settings for tickets taken on phones (线上取号)."""
    return {
        "remote": {
            "title": _("Online tickets"),
            "enabled": _("Visitors may take tickets on their phones"),
            "service_ids": _("Services that may be taken online"),
            "max_waiting": _("Online tickets waiting at once, at most"),
            "quota_share_percent": _(
                "Share of a limited service's daily quota for online tickets, in percent"
            ),
            "all_services": _("all active services"),
            "on": _("on"),
            "off": _("off"),
            "page": _("Phone page"),
            "poster": _("QR code for the entrance poster"),
            "note": _(
                "Tickets taken online queue like the kiosk's. The caps keep places for visitors "
                "who come in person; the hall's issuing hours and quotas apply as well."
            ),
        }
    }


def _rated_cases(_: Translate) -> dict[str, Any]:
    """The reports page's list of rated cases under the report, the poor ones (差评) first."""
    return {
        "rated_cases": {
            "poor_title": _("Poor ratings"),
            "all_title": _("Rating details"),
            "show_all": _("Show all ratings"),
            "no_poor": _("No poor ratings in this period."),
            "no_ratings": _("No ratings in this period."),
            "count": _("{shown} of {total}"),
            "more": _("Show more"),
            "note": _(
                "Comments are the visitors' own words: for following up, never for public screens."
            ),
            "columns": {
                "rated_at": _("Rated at"),
                "hall": _("Hall"),
                "ticket_number": _("Ticket number"),
                "service": _("Service"),
                "window": _("Window"),
                "clerk": _("Clerk"),
                "level": _("Rating"),
                "reasons": _("Reasons"),
                "comment": _("Comment"),
                "channel": _("Rated with"),
            },
        }
    }


def manager_page_text(_: Translate = gettext) -> dict[str, Any]:
    return {
        "refusals": refusal_text(_),
        **_vocabulary(_),
        **_figures(_),
        **_forms(_),
        **_rota(_),
        **_remote_tickets(_),
        **_rated_cases(_),
        "signed_in_as": _("{name} ({role})"),
        "pages_updated": _("HallQ has been updated: reload this page once you have finished."),
        "reload_now": _("Reload now"),
        "managers_only": _("These pages are for hall managers and administrators."),
        "live_online": _("live"),
        "live_offline": _("offline: reconnecting"),
        "done": _("Done."),
        "save": _("Save"),
        "login_expired": _("Your login has expired; please log in again."),
        "whole_number": _("{field}: enter a whole number."),
        "whole_number_between": _("{field}: enter a whole number from {min} to {max}."),
        "choose_one": _("{field}: choose one."),
        "choose_department": _("Choose a department"),
        "back_to_city": _("← all halls"),
        "open_window": _("Open window"),
        "pause_window": _("Pause"),
        "resume_window": _("Resume window"),
        "close_window": _("Close window"),
        "close_blocked": _(
            "{number} is at this window: its clerk finishes, transfers or no-shows it first. To "
            "let another clerk take over, free the window."
        ),
        "free_window": _("Free the window"),
        "free_window_title": _("Free window {number} from {clerk}?"),
        "free_window_closes": _("Nothing is at the window: it closes, and any clerk can take it."),
        "free_window_keeps_case": _(
            "{ticket} is at the window. It stays there for the next clerk who takes the window; "
            "until then the window is paused."
        ),
        "change_services": _("Services…"),
        "change_quota": _("Quota…"),
        "pause_title": _("Pause window {number}"),
        "reason": _("Reason"),
        "services_title": _("What window {number} serves"),
        "services_label": _("Services"),
        "services_note": _("Open a tidal window at the peak by giving it the busiest services."),
        "quota_title": _("Daily quota of {service}"),
        "quota_label": _("Tickets a day (empty: no limit; 0 stops issuing)"),
        "notice_sent": _("The notice is on the boards."),
        "no_clerk_reason": _(
            "Nobody holds this window: a clerk takes it at the counter, and it opens there."
        ),
        "pause_length": _("Planned length"),
        "no_set_time": _("no set time"),
        "no_alerts": _("No alerts."),
        "more_alerts": _("{count} more"),
        "outbox_kinds": {
            "case.finished": _("case outcome"),
            "appointment.no_show": _("appointment no-show"),
        },
        "outbox_waiting": _("{count} waiting"),
        "outbox_held_back": _("after no. {id} is delivered"),
        "fewer_alerts": _("Show fewer alerts"),
        "rating_of_five": _("{average} / 5"),
        "field_problem": _("{field}: {problem}"),
    }
