"""`hallq counter`: the clerk's caller in a plain terminal, for a window without a browser.

The same actions as the counter page on the same single keys, so a physical call keypad that
types keys works too. Live events from the hall are printed as they arrive; every refusal is
printed with the server's reason. Run: `hallq counter --server URL --window 3`.
"""

from __future__ import annotations

import contextlib
import gettext as gettext_module
import os
import re
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from counter_client.counter_api import CounterApi, CounterRefused, new_idempotency_key
from counter_client.key_input import EndOfInput, KeyInput
from counter_client.page_text import (
    check_in_text,
    leaving_text,
    refusal_message,
    transfer_text,
    vocabulary,
)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
OUTCOMES = ("completed", "accepted", "needs_correction", "rejected", "enquiry")
PAUSE_REASONS = ("break", "meeting", "other")
# The counter page's choices; None: as the rota says (a break at its rota time lasts the
# rota's minutes, any other pause has no planned length).
PAUSE_MINUTES = (None, 10, 15, 30, 60)
ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
ACTION_KEYS = {
    "n": "call_next",
    "c": "call_number",
    "r": "recall",
    "s": "start",
    "f": "finish",
    "x": "no_show",
    "t": "transfer",
    "p": "park",
    "u": "resume_parked",
    "b": "pause",
    "o": "resume_window",
    "l": "release",
    "i": "show_desk",
    "k": "check_in",
    "?": "show_help",
    "q": "quit",
}
_translations: gettext_module.NullTranslations = gettext_module.NullTranslations()


def refusal_line(summaries: dict[str, str], refusal: CounterRefused) -> str:
    """A refusal in one message: the summary of its code, then the server's reason (none for a
    lost answer: only the client's own words, in English, would be left)."""
    summary = summaries.get(refusal.code, summaries["error"])
    return refusal_message(summary, None if refusal.code == "network" else refusal.message)


def _(message: str) -> str:
    return _translations.gettext(message)


def use_language(language: str) -> None:
    global _translations
    try:
        from hall_server.i18n import compile_catalogues

        compile_catalogues()  # a fresh checkout has only the .po files
    except Exception:  # a read-only install ships compiled catalogues
        pass
    _translations = gettext_module.translation(
        "messages", localedir=str(TRANSLATIONS), languages=[language], fallback=True
    )


def fill(template: str, **values: Any) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def help_text() -> str:
    return "\n".join(
        [
            _("Keys:"),
            "  N  " + _("call the next ticket the hall's policy picks"),
            "  C  " + _("call a number, e.g. A023"),
            "  R  " + _("recall (limited)"),
            "  S  " + _("start: the visitor is here"),
            "  F  " + _("finish: 1–5 picks the outcome, Enter confirms"),
            "  X  " + _("no-show"),
            "  T  " + _("transfer to a service or window, with a reason"),
            "  P  " + _("park the case"),
            "  U  " + _("resume a parked case (1–9 picks it)"),
            "  B  "
            + _("pause: 1 break, 2 meeting, 3 other; then how long (Enter: as the rota says)"),
            "  O  " + _("resume the window after a pause"),
            "  L  " + _("leave the window (it closes)"),
            "  I  " + _("show the window, its queue and my figures"),
            "  K  " + _("check in a booking or pre-review: its code or the ID number"),
            "  ?  " + _("show these shortcuts"),
            "  Q  " + _("quit (the window stays yours)"),
        ]
    )


class TerminalCounter:
    """One clerk at one window: reads keys, calls the API, prints what happened or why not."""

    def __init__(
        self,
        api: CounterApi,
        window: dict[str, Any],
        keys: KeyInput,
        echo: Callable[[str], None],
        language: str = "zh",
    ) -> None:
        self.api = api
        self.language = language
        self.window = window
        self.keys = keys
        self._echo = echo
        self.words = vocabulary(_)
        self.print_lock = threading.Lock()
        self.services: list[dict[str, Any]] = []
        self.windows: list[dict[str, Any]] = []
        self.running = True
        self.hall_zone: ZoneInfo | None = None  # read when a time of the hall is first shown
        # Live lines wait while the clerk answers a prompt, so the prompt stays readable.
        self.prompting = False
        self.held_lines: list[str] = []

    # ----- output -----

    def say(self, text: str) -> None:
        with self.print_lock:
            self._echo(text)

    def refused(
        self,
        refusal: CounterRefused,
        specific: dict[str, str] | None = None,
        advised: dict[str, str] | None = None,
    ) -> None:
        """The summary and the server's reason, as the page shows them. `specific`: what a
        refusal means for this action, in full, where it says more than the server can (the
        check-in's words, for the clerk rather than the visitor); `advised`: what to do, said
        after the server's reason. Neither for a lost answer, which the general words name."""
        lost = refusal.status == 0 or refusal.status >= 500
        advice = (advised or {}).get(refusal.code) if not lost else None
        if specific and not lost and refusal.code in specific:
            text = specific[refusal.code]
        elif advice and refusal.message:
            text = refusal_message(refusal.message, advice)
        else:
            text = refusal_line(self.words["refusals"], refusal)
        self.say("✗ " + _("Refused") + f": {text} [{refusal.code}]")

    def named(self, item: dict[str, Any]) -> str:
        if self.language == "en" and item.get("name_en"):
            return str(item["name_en"])
        return str(item["name"])

    def ticket_line(self, ticket: dict[str, Any]) -> str:
        status = self.words["status"].get(ticket["status"], ticket["status"])
        visitor = self.words["visitor_class"].get(ticket["visitor_class"], ticket["visitor_class"])
        parts = [ticket["number"], self.named(ticket["service"]), visitor]
        if ticket.get("holder_display_name"):
            parts.append(ticket["holder_display_name"])
        waited = ticket.get("waited_seconds")
        if waited is not None:
            parts.append(fill(_("waited {minutes} min"), minutes=round(waited / 60)))
        if ticket.get("recall_count"):
            parts.append(fill(_("recalled {count} times"), count=ticket["recall_count"]))
        return f"{' · '.join(parts)} [{status}]"

    def hall_time(self, moment: str) -> str:
        """The time of day on the hall's clock (10:29), as the page shows it, whatever zone
        this PC's own clock runs on."""
        at = datetime.fromisoformat(moment)
        if self.hall_zone is None:
            hall_id = self.window.get("hall_id", self.api.user.get("hall_id"))
            with contextlib.suppress(CounterRefused, ZoneInfoNotFoundError, KeyError):
                zones = {hall["id"]: hall["time_zone"] for hall in self.api.halls()}
                self.hall_zone = ZoneInfo(zones[hall_id])
        return f"{at.astimezone(self.hall_zone):%H:%M}"

    def transfer_origin_line(self, origin: dict[str, Any]) -> str:
        """Where the case in hand came from and why, as the page shows it: "Transferred from
        window 1: materials need checking · clerk1 · housing · 10:29"."""
        words = transfer_text(_)
        if origin.get("from_window"):
            source = fill(words["transferred_from_window"], window=origin["from_window"]["number"])
        elif origin.get("from_service"):
            source = fill(
                words["transferred_from_service"], service=self.named(origin["from_service"])
            )
        else:
            source = words["transferred_from_elsewhere"]
        if origin.get("reason"):
            # One fill: a reason that happens to contain "{reason}" is not filled again.
            source = words["transferred_with_reason"].replace("{from}", source, 1)
            source = source.replace("{reason}", origin["reason"], 1)
        details = []
        if origin.get("from_clerk"):
            details.append(origin["from_clerk"]["name"])
        if origin.get("from_service"):
            details.append(self.named(origin["from_service"]))
        if origin.get("at"):
            details.append(self.hall_time(origin["at"]))
        return " · ".join([source, *details])

    # ----- one key, one action -----

    def run(self) -> None:
        """Call inside `keys.single_keys()`, entered before saying the counter is ready."""
        self.say(help_text())
        self.show_desk()
        while self.running:
            try:
                key = self.keys.key().lower()
            except EndOfInput:
                break
            action = ACTION_KEYS.get(key)
            if action is None:
                continue
            try:
                getattr(self, action)()
            except CounterRefused as refusal:
                self.refused(refusal)
            except EndOfInput:
                break

    def _current_ticket(self) -> dict[str, Any] | None:
        """Read afresh before acting: a manager or a transfer may have changed the window."""
        ticket = self.api.desk(self.window["id"])["ticket"]
        if ticket is None:
            self.refused(CounterRefused("no_ticket", ""))
        return ticket  # type: ignore[no-any-return]

    def _ask(self, prompt: str) -> str:
        with self.print_lock:
            self.prompting = True
            self._echo_inline(prompt)
        try:
            return self.keys.line()
        finally:
            self._release_held_lines()

    def _release_held_lines(self) -> None:
        with self.print_lock:
            self.prompting = False
            held, self.held_lines = self.held_lines, []
            for line in held:
                self._echo(line)

    def _echo_inline(self, text: str) -> None:
        click.echo(text, nl=False)
        sys.stdout.flush()

    def _choose(
        self, prompt: str, count: int, default: int | None = None, cancelled: str | None = None
    ) -> int | None:
        """A digit 1..count (Enter takes the default); Esc or another key cancels, which says
        `cancelled` (else "Cancelled.")."""
        with self.print_lock:
            self.prompting = True
            self._echo_inline(prompt)
        try:
            key = self.keys.key(skip_blanks=False)
        finally:
            with self.print_lock:
                self._echo(key if key not in ("\n", "escape") else "")
            self._release_held_lines()
        if key == "\n" and default is not None:
            return default
        if key.isdigit() and 1 <= int(key) <= count:
            return int(key)
        self.say(cancelled or _("Cancelled."))
        return None

    def _done(self, ticket: dict[str, Any]) -> None:
        self.say("✓ " + self.ticket_line(ticket))

    def _called(self, ticket: dict[str, Any]) -> None:
        """A ticket just called here; one handed on from elsewhere says where from and why (the
        desk's reading: the call's answer is the public view, which never carries the reason)."""
        self._done(ticket)
        if not ticket.get("transfer_count"):
            return
        try:
            in_hand = self.api.desk(self.window["id"])["ticket"]
        except CounterRefused:  # the call stands; I (the desk) shows the origin once read
            return
        if in_hand and in_hand["id"] == ticket["id"] and in_hand.get("last_transfer"):
            self.say("  ↪ " + self.transfer_origin_line(in_hand["last_transfer"]))

    def call_next(self) -> None:
        self._called(self.api.call_next(self.window["id"]))

    def call_number(self) -> None:
        number = self._ask(_("Ticket number (e.g. A023): "))
        if not number:
            self.say(_("Cancelled."))
            return
        self._called(self.api.call_number(self.window["id"], number))

    def _simple(self, action: str) -> None:
        ticket = self._current_ticket()
        if ticket is not None:
            self._done(self.api.act(self.window["id"], ticket["id"], action))

    def recall(self) -> None:
        self._simple("recall")

    def start(self) -> None:
        self._simple("start")

    def no_show(self) -> None:
        self._simple("no-show")

    def park(self) -> None:
        self._simple("park")

    def finish(self) -> None:
        ticket = self._current_ticket()
        if ticket is None:
            return
        outcomes = self.words["outcomes"]
        menu = "  ".join(f"{i}={outcomes[o]}" for i, o in enumerate(OUTCOMES, start=1))
        choice = self._choose(
            fill(_("Finish {number}: outcome {menu} [1]: "), number=ticket["number"], menu=menu),
            len(OUTCOMES),
            default=1,
        )
        if choice is None:
            return
        body: dict[str, Any] = {"outcome": OUTCOMES[choice - 1]}
        case_number = self._ask(_("Case number (Enter for none): "))
        note = self._ask(_("Note (Enter for none): "))
        if case_number:
            body["case_number"] = case_number
        if note:
            body["note"] = note
        finished = self.api.act(self.window["id"], ticket["id"], "finish", body)
        self.say(
            "✓ "
            + fill(
                _("{number} finished: {outcome}."),
                number=finished["number"],
                outcome=outcomes[finished["outcome"]],
            )
        )

    def transfer(self) -> None:
        ticket = self._current_ticket()
        if ticket is None:
            return
        kind = self._choose(_("Transfer to: 1=a service  2=a window: "), 2)
        if kind is None:
            return
        body: dict[str, Any] = {}
        if kind == 1:
            self.services = self.services or [s for s in self.api.services() if s["active"]]
            for service in self.services:
                self.say(f"  {service['prefix']}  {service['id']:>4}  {self.named(service)}")
            answer = self._ask(_("Service id: "))
            if not answer.isdigit():
                self.say(_("Cancelled."))
                return
            body["to_service_id"] = int(answer)
        else:
            self.windows = self.api.windows()
            numbers = {w["number"]: w["id"] for w in self.windows if w["id"] != self.window["id"]}
            answer = self._ask(_("Window number: "))
            if not answer.isdigit() or int(answer) not in numbers:
                self.say(_("Cancelled."))
                return
            body["to_window_id"] = numbers[int(answer)]
        reason = self._ask(_("Reason: "))
        if not reason:
            self.say(_("Give a reason for the transfer."))
            return
        body["reason"] = reason
        moved = self.api.act(self.window["id"], ticket["id"], "transfer", body)
        self.say("✓ " + fill(_("{number} transferred."), number=moved["number"]))

    def resume_parked(self) -> None:
        parked = self.api.queue(self.window["id"])["parked"]
        if not parked:
            self.refused(CounterRefused("no_parked", ""))
            return
        for index, ticket in enumerate(parked[:9], start=1):
            self.say(f"  {index}  {self.ticket_line(ticket)}")
        choice = 1 if len(parked) == 1 else self._choose(_("Resume which? "), min(9, len(parked)))
        if choice is not None:
            self._called(self.api.act(self.window["id"], parked[choice - 1]["id"], "resume"))

    def pause(self) -> None:
        reasons = self.words["pause_reasons"]
        menu = "  ".join(f"{i}={reasons[r]}" for i, r in enumerate(PAUSE_REASONS, start=1))
        choice = self._choose(fill(_("Pause: {menu}: "), menu=menu), len(PAUSE_REASONS))
        if choice is None:
            return
        lengths = [self._pause_length(minutes) for minutes in PAUSE_MINUTES]
        menu = "  ".join(f"{i}={length}" for i, length in enumerate(lengths, start=1))
        length = self._choose(
            fill(_("How long: {menu} [1]: "), menu=menu), len(PAUSE_MINUTES), default=1
        )
        if length is None:
            return
        window = self.api.change_window(
            self.window["id"], "pause", PAUSE_REASONS[choice - 1], PAUSE_MINUTES[length - 1]
        )
        self.say("✓ " + self.window_line(window))

    @staticmethod
    def _pause_length(minutes: int | None) -> str:
        return (
            _("as the rota says") if minutes is None else fill(_("{minutes} min"), minutes=minutes)
        )

    def resume_window(self) -> None:
        self.say("✓ " + self.window_line(self.api.change_window(self.window["id"], "resume")))

    def release(self) -> None:
        """As the page's dialog: what is still at the window is said up front (the server
        refuses to close a window with a case at it, parked ones included)."""
        words = leaving_text(_)
        ticket = self.api.desk(self.window["id"])["ticket"]
        parked = self.api.queue(self.window["id"])["parked"]
        if ticket is not None or parked:
            self.say("✗ " + fill(words["release_blocked_title"], number=self.window["number"]))
            if ticket is not None:
                blocked = (
                    "release_blocked_serving"
                    if ticket["status"] == "serving"
                    else ("release_blocked_called")
                )
                self.say("  " + fill(words[blocked], number=ticket["number"]))
            if parked:
                numbers = ("、" if self.language == "zh" else ", ").join(
                    t["number"] for t in parked
                )
                self.say("  " + fill(words["release_blocked_parked"], numbers=numbers))
            return
        question = fill(words["confirm_release"], number=self.window["number"])
        choice = self._choose(question + " [1=" + _("yes") + "]: ", 1)
        if choice is None:
            return
        self.api.release_window(self.window["id"])
        self.say("✓ " + _("You left the window."))
        self.running = False

    def quit(self) -> None:
        self.running = False

    # ----- a booked or pre-reviewed visitor who came straight to the window -----

    def check_in(self) -> None:
        """As the counter page's check-in panel (counter_check_in.js): what the code or ID
        number gives, nothing changed; then the ticket the kiosk would give; then, if this
        window can take it now, an offer to call it at once."""
        words = check_in_text(_)
        brought = self._ask(_("Booking or pre-review code, or ID number: "))
        if not brought:
            self.say(_("Cancelled."))
            return
        is_id_number = ID_NUMBER.fullmatch(brought) is not None
        if is_id_number:
            brought = brought.upper()
        try:
            if is_id_number:
                preview = self.api.check_in_preview(id_number=brought)
            else:
                preview = self.api.check_in_preview(code=brought)
            self.say(self._check_in_found(preview, words))
            if self._choose(_("Issue the ticket") + " [Enter]: ", 1, default=1) is None:
                return
            # A fresh key per issue: the server issues it once even if the request arrives twice.
            ticket = self.api.check_in(preview, brought, new_idempotency_key())
        except CounterRefused as refusal:
            self.refused(refusal, words["refusals"], words["refusal_advice"])
            return
        visitor = self.words["visitor_class"].get(ticket["visitor_class"], ticket["visitor_class"])
        issued = [fill(words["issued"], number=ticket["number"]), visitor]
        if ticket.get("people_ahead") is not None:
            issued.append(fill(words["people_ahead"], count=ticket["people_ahead"]))
        self.say("✓ " + " · ".join(issued))
        self._offer_call(ticket, preview["booking"].get("slot_local"), words)

    def _check_in_found(self, preview: dict[str, Any], words: dict[str, Any]) -> str:
        booking = preview["booking"]
        found = [f"{preview['service']['prefix']} {self.named(preview['service'])}"]
        if booking["kind"] == "appointment":
            found.append(fill(words["appointment"], time=booking.get("slot_local")))
        if booking.get("pre_review_result") == "passed":
            found.append(words["pre_review_passed"])
        elif booking.get("pre_review_result"):
            found.append(words["pre_review_to_correct"])
        if booking.get("applicant_name"):
            found.append(booking["applicant_name"])
        visitor = booking["visitor_class"]
        found.append(self.words["visitor_class"].get(visitor, visitor))
        values = {"time": booking.get("slot_local"), "grace": booking.get("grace_minutes")}
        notes = []
        if booking["kind"] == "appointment":
            punctuality = booking.get("punctuality")
            if punctuality == "early":
                notes.append(fill(words["note_early"], **values))
            elif punctuality == "on_time":
                notes.append(words["note_on_time"])
            else:
                notes.append(fill(words["note_too_late"], **values))
        if booking["kind"] == "pre_review" or booking.get("punctuality") == "too_late":
            if booking.get("pre_review_result") == "passed":
                notes.append(words["note_pre_review_passed"])
            elif booking.get("pre_review_result"):
                notes.append(words["note_pre_review_to_correct"])
        return "\n".join(["  " + " · ".join(found), *(["  " + " ".join(notes)] if notes else [])])

    def _offer_call(
        self, ticket: dict[str, Any], slot_local: str | None, words: dict[str, Any]
    ) -> None:
        """Call the ticket just issued, if this window can now: not before an early arrival's
        slot, only for a service it handles, while it is open and has no case."""
        desk = self.api.desk(self.window["id"])
        window = desk["window"]
        values = {
            "number": ticket["number"],
            "service": self.named(ticket["service"]),
            "time": slot_local,
        }
        due = ticket.get("appointment_due_at")
        served = ticket["service"]["id"] in {s["id"] for s in window.get("services", [])}
        blocker = None
        if due and datetime.fromisoformat(due) > datetime.now(UTC):
            blocker = words["wait_for_slot"]
        elif not served:
            blocker = words["service_elsewhere"]
        elif window["status"] != "open":
            blocker = words["window_not_open"]
        elif desk["ticket"] is not None:
            blocker = words["window_busy"]
        if blocker is not None:
            self.say("  " + fill(blocker, **values))
            return
        waits = fill(_("{number} waits in the queue."), number=ticket["number"])
        call_now = fill(words["call_now"], **values) + " [Enter]: "
        if self._choose(call_now, 1, default=1, cancelled=waits) is None:
            return
        self._called(self.api.call_ticket(self.window["id"], ticket["id"]))

    def show_help(self) -> None:
        self.say(help_text())

    def window_line(self, window: dict[str, Any]) -> str:
        status = self.words["window_status"].get(window["status"], window["status"])
        if window.get("pause_reason"):
            about = [self.words["pause_reasons"].get(window["pause_reason"], "")]
            if window.get("pause_minutes"):
                about.append(self._pause_length(window["pause_minutes"]))
            status += f" ({', '.join(about)})"
        clerk = window["clerk"]["name"] if window.get("clerk") else "—"
        label = _("Window")
        return f"{label} {window['number']} · {self.named(window)} · {status} · {clerk}"

    def show_desk(self) -> None:
        desk = self.api.desk(self.window["id"])
        queue = self.api.queue(self.window["id"])
        figures = self.api.figures()
        self.window = desk["window"]
        lines = [self.window_line(desk["window"])]
        ticket = desk["ticket"]
        lines.append("  " + (self.ticket_line(ticket) if ticket else _("No ticket at the window.")))
        if ticket and ticket.get("last_transfer"):
            lines.append("  ↪ " + self.transfer_origin_line(ticket["last_transfer"]))
        waiting = ", ".join(
            f"{s['prefix']} {self.named(s)}: {s['waiting']}"
            for s in queue["waiting"]
            if s["waiting"]
        )
        lines.append("  " + _("Waiting") + f": {queue['total_waiting']} ({waiting})")
        upcoming = queue["next_ticket"]
        lines.append(
            "  " + _("Next by policy:") + " " + (upcoming["number"] if upcoming else _("nobody"))
        )
        if queue["parked"]:
            parked = ", ".join(t["number"] for t in queue["parked"])
            lines.append("  " + _("Parked here") + f": {parked}")
        ratings = figures["ratings"]
        lines.append(
            "  "
            + fill(
                _("Today: served {served}, no-shows {no_shows}, ratings {ratings}"),
                served=figures["served"],
                no_shows=figures["no_shows"],
                ratings=ratings["count"],
            )
        )
        self.say("\n".join(lines))

    # ----- live events -----

    def describe(self, name: str, message: dict[str, Any]) -> str | None:
        template = self.words["events"].get(name)
        if template is None:
            return None
        if name == "window.changed":
            window = message["window"]
            status = self.words["window_status"].get(window["status"], window["status"])
            return fill(template, window=window["number"], status=status)
        if name == "ticket.rated":
            rating = message["rating"]
            level = self.words["rating_levels"].get(rating["level"], rating["level"])
            return fill(template, number=rating["ticket_number"], level=level)
        ticket = message.get("ticket")
        if not ticket:
            return None
        window = ticket.get("window") or {}
        target = self.named(ticket["service"])
        if ticket.get("target_window_id"):
            target = fill(
                _("window {number}"), number=self._window_number(ticket["target_window_id"])
            )
        return fill(
            template,
            number=ticket["number"],
            window=window.get("number", ""),
            service=self.named(ticket["service"]),
            target=target,
        )

    def service_ids(self) -> set[int]:
        return {service["id"] for service in self.window.get("services", [])}

    def _window_number(self, window_id: int) -> Any:
        for window in self.windows:
            if window["id"] == window_id:
                return window["number"]
        return window_id

    def on_live_event(self, name: str, message: dict[str, Any]) -> None:
        """Print what concerns this window: its own tickets, transfers to it, changes to it,
        and calls at other windows (they take people from this window's queue too)."""
        ticket = message.get("ticket") or {}
        window = message.get("window") or {}
        rating = message.get("rating") or {}
        mine = self.window["id"] in (
            ticket.get("target_window_id"),
            (ticket.get("window") or {}).get("id"),
            window.get("id"),
            rating.get("window_id"),
        )
        served_here = (ticket.get("service") or {}).get("id") in self.service_ids()
        if not (mine or name in ("ticket.called", "ticket.recalled") or served_here):
            return
        line = self.describe(name, message)
        if line is None:
            return
        stamp = datetime.now().strftime("%H:%M:%S")
        text = f"{'»' if mine else ' '} [{stamp}] {line}"
        with self.print_lock:
            if self.prompting:
                self.held_lines.append(text)
            else:
                self._echo(text)
        if window.get("id") == self.window["id"]:
            self.window = window
            clerk = window.get("clerk")
            if self.running and (not clerk or clerk.get("id") != self.api.user.get("id")):
                self.say("! " + _("This window is no longer held by you."))


class LiveListener:
    """The hall's events over Socket.IO, in seq order; a gap asks the server for a snapshot."""

    def __init__(self, server: str, token: str, counter: TerminalCounter) -> None:
        import socketio

        self.server = server
        self.token = token
        self.counter = counter
        self.seq: int | None = None
        self.client = socketio.Client(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=10
        )
        self.client.on("snapshot", self._snapshot)
        self.client.on("*", self._event)
        self.client.on("disconnect", self._disconnected)

    def start(self) -> bool:
        try:
            self.client.connect(
                self.server,
                auth={"token": self.token},
                transports=["websocket", "polling"],
                wait_timeout=10,
            )
        except Exception as error:  # the counter still works without live updates
            self.counter.say("! " + _("No live updates:") + f" {error}")
            return False
        return True

    def _snapshot(self, snapshot: dict[str, Any]) -> None:
        self.seq = snapshot.get("seq")
        self.counter.windows = snapshot.get("windows", self.counter.windows)

    def _disconnected(self, *_args: Any) -> None:
        self.seq = None
        self.counter.say("! " + _("offline: reconnecting"))

    def _event(self, name: str, message: Any = None) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("seq"), int):
            return
        if self.seq is not None:
            if message["seq"] <= self.seq:
                return
            if message["seq"] > self.seq + 1:
                self.client.emit("resync", {})  # the snapshot that follows brings what we missed
        self.seq = message["seq"]
        self.counter.on_live_event(name, message)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()


def _find_window(api: CounterApi, number: int) -> dict[str, Any]:
    for window in api.windows():
        if window["number"] == number:
            return window
    raise click.UsageError(fill(_("This hall has no window {number}."), number=number))


@click.command(name="counter", help="The clerk's caller in a terminal (single keys; ? for help).")
@click.option("--server", required=True, envvar="HALLQ_SERVER", help="e.g. http://10.0.0.5:5000")
@click.option("--window", "window_number", required=True, type=int, help="the window's number")
@click.option("--staff-number", help="asked for when not given")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    envvar="HALLQ_LANG",
)
@click.option("--no-live", is_flag=True, help="do not listen for the hall's live events")
def command(
    server: str, window_number: int, staff_number: str | None, language: str, no_live: bool
) -> None:
    use_language(language)
    keys = KeyInput()
    api = CounterApi(server, language=language)
    try:
        if not staff_number:
            click.echo(_("Staff number: "), nl=False)
            staff_number = keys.line()
        password = os.environ.get("HALLQ_PASSWORD")
        if password is None:
            if keys.is_terminal:
                password = click.prompt(_("Password"), hide_input=True)
            else:
                password = keys.line()
        api.log_in(staff_number, password)
        window = _find_window(api, window_number)
        window = api.take_window(window["id"])
    except CounterRefused as refusal:
        text = refusal_line(vocabulary(_)["refusals"], refusal)
        click.echo(f"✗ {text} [{refusal.code}]", err=True)
        sys.exit(1)
    except EndOfInput:
        sys.exit(1)
    counter = TerminalCounter(api, window, keys, lambda text: click.echo(text), language)
    counter.windows = api.windows()
    listener = None if no_live else LiveListener(server, str(api.token), counter)
    try:
        # Single keys from here on, before we say we are ready: no key typed ahead is lost.
        with keys.single_keys():
            if listener is not None:
                listener.start()  # connected before we say we are ready: no event slips by
            click.echo("✓ " + fill(_("You now hold window {number}."), number=window["number"]))
            counter.run()
    finally:
        if listener is not None:
            listener.stop()
        with contextlib.suppress(CounterRefused):
            api.log_out()
        click.echo(_("Bye."))
