"""`hallq counter`: the clerk's caller in a plain terminal, for a window without a browser.

The same actions as the counter page on the same single keys, so a physical call keypad that
types keys works too. Live events from the hall are printed as they arrive; every refusal is
printed with the server's reason. Run: `hallq counter --server URL --window 3`.
"""

from __future__ import annotations

import contextlib
import gettext as gettext_module
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from counter_client.counter_api import CounterApi, CounterRefused
from counter_client.key_input import EndOfInput, KeyInput
from counter_client.page_text import vocabulary

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
OUTCOMES = ("completed", "accepted", "needs_correction", "rejected", "enquiry")
PAUSE_REASONS = ("break", "meeting", "other")
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
    "?": "show_help",
    "q": "quit",
}
_translations: gettext_module.NullTranslations = gettext_module.NullTranslations()


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
            "  B  " + _("pause: 1 break, 2 meeting, 3 other"),
            "  O  " + _("resume the window after a pause"),
            "  L  " + _("leave the window (it closes)"),
            "  I  " + _("show the window, its queue and my figures"),
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
        # Live lines wait while the clerk answers a prompt, so the prompt stays readable.
        self.prompting = False
        self.held_lines: list[str] = []

    # ----- output -----

    def say(self, text: str) -> None:
        with self.print_lock:
            self._echo(text)

    def refused(self, refusal: CounterRefused) -> None:
        known = self.words["refusals"].get(refusal.code, self.words["refusals"]["error"])
        detail = f" — {refusal.message}" if refusal.message and refusal.message != known else ""
        self.say("✗ " + _("Refused") + f": {known}{detail} [{refusal.code}]")

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

    def _choose(self, prompt: str, count: int, default: int | None = None) -> int | None:
        """A digit 1..count (Enter takes the default); Esc or another key cancels."""
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
        self.say(_("Cancelled."))
        return None

    def _done(self, ticket: dict[str, Any]) -> None:
        self.say("✓ " + self.ticket_line(ticket))

    def call_next(self) -> None:
        self._done(self.api.call_next(self.window["id"]))

    def call_number(self) -> None:
        number = self._ask(_("Ticket number (e.g. A023): "))
        if not number:
            self.say(_("Cancelled."))
            return
        self._done(self.api.call_number(self.window["id"], number))

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
            self._done(self.api.act(self.window["id"], parked[choice - 1]["id"], "resume"))

    def pause(self) -> None:
        reasons = self.words["pause_reasons"]
        menu = "  ".join(f"{i}={reasons[r]}" for i, r in enumerate(PAUSE_REASONS, start=1))
        choice = self._choose(fill(_("Pause: {menu}: "), menu=menu), len(PAUSE_REASONS))
        if choice is not None:
            window = self.api.change_window(self.window["id"], "pause", PAUSE_REASONS[choice - 1])
            self.say("✓ " + self.window_line(window))

    def resume_window(self) -> None:
        self.say("✓ " + self.window_line(self.api.change_window(self.window["id"], "resume")))

    def release(self) -> None:
        question = fill(
            _("Leave window {number}? It closes for calling."), number=self.window["number"]
        )
        choice = self._choose(question + " [1=" + _("yes") + "]: ", 1)
        if choice is None:
            return
        self.api.release_window(self.window["id"])
        self.say("✓ " + _("You left the window."))
        self.running = False

    def quit(self) -> None:
        self.running = False

    def show_help(self) -> None:
        self.say(help_text())

    def window_line(self, window: dict[str, Any]) -> str:
        status = self.words["window_status"].get(window["status"], window["status"])
        if window.get("pause_reason"):
            status += f" ({self.words['pause_reasons'].get(window['pause_reason'], '')})"
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
        words = vocabulary(_)["refusals"]
        known = words.get(refusal.code, words["error"])
        click.echo(f"✗ {known} — {refusal.message} [{refusal.code}]", err=True)
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
