"""The print agent beside the kiosk's thermal printer: it takes this kiosk's print jobs from the
server's live connection, prints them, answers with the result and reports the printer's state.

Two threads share the work: the live connection (python-socketio) only queues what arrives,
and one printer thread owns the printer, so a slow or jammed printer never blocks the
connection and two jobs never interleave on the paper. A job is printed at most once: its id
is remembered once printed, and a job the server sends again (after a reconnect, or a lost
answer) is answered "printed" without printing. Besides the jobs the server sends, the agent
asks for the ones it still owes every few seconds (`print.pending`): a job's `print.job`
message can be lost (several server processes with Redis away) while the job itself is stored.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio

from hardware.print_job import TicketPrintJob
from hardware.printer_errors import PaperOut, PrinterError, PrinterUnavailable
from hardware.printer_status import PrinterStatus
from hardware.ticket_printer import TicketPrinter

log = logging.getLogger(__name__)

DEFAULT_HEALTH_INTERVAL_SECONDS = 30.0
STATUS_POLL_SECONDS = 5.0
# How often a connected agent asks the server for the jobs it still owes. Well inside the 20 s
# the kiosk page waits for the printer; one small indexed query per kiosk on the server.
PENDING_POLL_SECONDS = 5.0
PENDING_POLL_AFTER_FAILURE_SECONDS = 60.0  # a server that does not answer (an older one)
PENDING_ANSWER_TIMEOUT_SECONDS = 5.0  # the printer thread waits for it: jobs wait meanwhile
# A printer or server that stays unreachable is logged when that starts and then at most this
# often (the printer is checked every few seconds, the server tried every 30 s at most).
UNAVAILABLE_REMINDER_SECONDS = 300.0
ANSWER_TIMEOUT_SECONDS = 10.0
REMEMBERED_JOBS = 2000  # a busy kiosk prints a few hundred tickets a day


REVOKED = (
    "a manager revoked this kiosk's token; enrol the kiosk again and start the agent with the "
    "new token"
)


def connection_failure(error: BaseException) -> str:
    """Why connecting failed, as specific as the libraries let us say: python-socketio words
    every network failure "Connection error" and keeps the cause (a refused port, a certificate
    the agent does not trust) only in the exception chain."""
    causes: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and seen not in causes:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cause in reversed(causes):  # the deepest cause is the most telling
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted: {cause.verify_message or cause}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause}"
        if isinstance(cause, OSError):
            return f"{type(cause).__name__}: {cause}"
    return str(error)


class OngoingFault:
    """A fault that lasts (a printer or server that cannot be reached): logged when it starts
    or its reason changes, then only as a reminder every UNAVAILABLE_REMINDER_SECONDS, and
    when it ends, rather than at every check or attempt."""

    def __init__(self, started: str, still: str, ended: str) -> None:
        self.started, self.still, self.ended = started, still, ended
        self._since: float | None = None
        self._reason: str | None = None
        self._logged_at = 0.0

    def note(self, reason: str) -> None:
        now = time.monotonic()
        if self._since is None:
            self._since = now
        elif reason == self._reason and now - self._logged_at < UNAVAILABLE_REMINDER_SECONDS:
            return
        if reason == self._reason:
            log.warning("%s after %.0f min: %s", self.still, (now - self._since) / 60, reason)
        else:
            log.warning("%s: %s", self.started, reason)
        self._reason = reason
        self._logged_at = now

    def clear(self) -> None:
        if self._since is None:
            return
        minutes = (time.monotonic() - self._since) / 60
        # At the warning's level: a log kept at WARNING shows when the fault ended too.
        log.warning("%s after %.1f min", self.ended, minutes)
        self._since = None
        self._reason = None


class AgentRefused(RuntimeError):
    """The server refused this kiosk's token; retrying will not help."""


@dataclass
class Backoff:
    """Waits between connection attempts: doubling from `first` up to `longest`, with jitter
    so that kiosks restarted together by a power cut do not all knock at once.

    `longest` is short: while the agent is away no ticket prints, and a server restarted in
    seconds waited up to 30 s for its agents (visitors were told "not printed" meanwhile). A
    try every few seconds per kiosk is nothing to a server."""

    first: float = 0.5
    longest: float = 5.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay = min(self.longest, self.first * 2.0**self.attempts)
        self.attempts += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempts = 0


class PrintedJobs:
    """Ids of jobs already printed, oldest forgotten first; optionally kept in a file so a
    restarted agent does not print again what it printed before the restart."""

    def __init__(self, path: Path | None = None, limit: int = REMEMBERED_JOBS) -> None:
        self.path = path
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for job_id in json.loads(path.read_text() or "[]")[-limit:]:
                self._ids[str(job_id)] = None
        else:
            # Written now: a place the agent cannot write fails at start-up, not after a ticket
            # has printed and could not be remembered (it would print again on a reconnect).
            self._save()

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, job_id: str) -> None:
        self._ids[job_id] = None
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        if self.path is not None:
            self._save()

    def _save(self) -> None:
        assert self.path is not None
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(list(self._ids)))
        temporary.replace(self.path)


_STOP = object()
_CHECK_HEALTH = object()


class PrintAgent:
    """Connects to the server as the kiosk, prints its jobs, reports the printer's status.

    `run()` blocks until `stop()`; `start()` runs it in a background thread.
    `on_result` (for tests and the benchmark) sees every answer the agent sends.
    """

    def __init__(
        self,
        server_url: str,
        device_token: str,
        printer: TicketPrinter,
        *,
        health_interval: float = DEFAULT_HEALTH_INTERVAL_SECONDS,
        printed: PrintedJobs | None = None,
        backoff: Backoff | None = None,
        on_result: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.device_token = device_token
        self.printer = printer
        self.health_interval = health_interval
        self.printed = printed if printed is not None else PrintedJobs()
        self.backoff = backoff or Backoff()
        self.on_result = on_result
        self.printer_status: PrinterStatus | None = None  # as last reported to the server
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._work: queue.Queue[object] = queue.Queue()
        self._refusal: str | None = None  # the server's reason for refusing, if it did
        self._ever_connected = False
        self._revoked = False  # a manager revoked this kiosk while the agent was connected
        # Jobs queued or being printed: one sent twice (its print.job, and an answer to
        # `print.pending`, or a reconnect) before it has printed is printed once.
        self._in_hand: set[str] = set()
        self._in_hand_lock = threading.Lock()
        # A printer that cannot tell its state (a file, dummy or CUPS printer) is judged by
        # what the agent saw: whether it opened, and whether the last ticket could be written.
        self._last_write_failed = False
        self._printer_fault = OngoingFault(
            "printer unavailable", "printer still unavailable", "printer available again"
        )
        self._server_fault = OngoingFault(
            f"cannot reach {self.server_url} (retrying every {self.backoff.longest:g} s at most)",
            f"still cannot reach {self.server_url}",
            f"reached {self.server_url} again",
        )
        self._next_ask = 0.0  # when to ask the server next for the jobs still owed
        self._client = self._new_client()
        self._printer_thread: threading.Thread | None = None
        self._run_thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> PrintAgent:
        self._run_thread = threading.Thread(target=self.run, name="print-agent", daemon=True)
        self._run_thread.start()
        return self

    def run(self) -> None:
        """Stay connected (with back-off between attempts) until stopped; print meanwhile."""
        self._printer_thread = threading.Thread(
            target=self._printer_loop, name="print-agent-printer", daemon=True
        )
        self._printer_thread.start()
        try:
            while not self._stopping.is_set():
                try:
                    self._client.connect(
                        self.server_url,
                        auth={"token": self.device_token},
                        # The agent writes its log in English: the server's reasons too.
                        headers={"Accept-Language": "en"},
                        transports=["websocket"],
                        wait_timeout=10,
                    )
                except socketio.exceptions.ConnectionError as error:
                    if self._refusal is not None and not self._ever_connected:
                        # Refused before ever getting in: a wrong or revoked token, which
                        # retrying will not mend. (Later refusals are retried: a restored
                        # server database may know the kiosk again.)
                        raise AgentRefused(self._refusal) from error
                    self._server_fault.note(self._refusal or connection_failure(error))
                    self._stopping.wait(self.backoff.next_delay())
                    continue
                self._server_fault.clear()
                self.backoff.reset()
                self._client.wait()  # returns when the connection ends
                self.connected.clear()
                if self._revoked:
                    raise AgentRefused(REVOKED)
                if not self._stopping.is_set():
                    delay = self.backoff.next_delay()
                    log.warning("connection lost; reconnecting in %.1f s", delay)
                    self._stopping.wait(delay)
                    self._client = self._new_client()
        finally:
            self._work.put(_STOP)
            self._printer_thread.join(timeout=ANSWER_TIMEOUT_SECONDS + 5)
            self.printer.close()

    def stop(self) -> None:
        self._stopping.set()
        try:
            self._client.disconnect()
        except Exception:  # already gone: nothing to close
            log.debug("disconnect while stopping", exc_info=True)
        if self._run_thread is not None:
            self._run_thread.join(timeout=ANSWER_TIMEOUT_SECONDS + 10)

    # ---- the live connection -----------------------------------------------------------
    def _new_client(self) -> socketio.Client:
        client = socketio.Client(reconnection=False, handle_sigint=False)
        client.on("connect", self._on_connect)
        client.on("connect_error", self._on_connect_error)
        client.on("print.job", self._on_print_job)
        client.on("device.revoked", self._on_revoked)
        return client

    def _on_connect(self) -> None:
        self._refusal = None
        self._ever_connected = True
        self.connected.set()
        log.info("connected to %s", self.server_url)
        # The connect itself sends the jobs owed; ask again after the usual interval.
        self._next_ask = time.monotonic() + PENDING_POLL_SECONDS
        self._work.put(_CHECK_HEALTH)  # the server learns the printer's state at once

    def _on_connect_error(self, data: Any = None) -> None:
        # The server's refusal comes as {"message": ...}; a network failure as a plain string
        # ("Connection error"), whose cause run() finds in the exception.
        if isinstance(data, dict):
            self._refusal = str(data.get("message") or "refused")
        else:
            self._refusal = None

    def _on_revoked(self, _data: Any = None) -> None:
        """A manager revoked this kiosk: its token will not connect again, so stop (the
        command says so and exits) rather than retry for ever."""
        log.error(REVOKED)
        self._revoked = True
        self._client.disconnect()

    def _on_print_job(self, payload: Any) -> None:
        job_id = payload.get("job_id") if isinstance(payload, dict) else None
        if isinstance(job_id, str):
            with self._in_hand_lock:
                if job_id in self._in_hand:
                    return  # queued already, or printing now: it prints once
                self._in_hand.add(job_id)
        self._work.put(payload)

    def _ask_for_owed_jobs(self) -> bool:
        """Ask the server for this kiosk's jobs still to print and queue those not in hand.
        True if the server answered."""
        try:
            answer = self._client.call("print.pending", {}, timeout=PENDING_ANSWER_TIMEOUT_SECONDS)
        except (socketio.exceptions.SocketIOError, OSError) as error:
            log.warning("could not ask for pending print jobs: %s", error)
            return False
        if not isinstance(answer, dict) or not answer.get("ok", False):
            reason = answer.get("error") if isinstance(answer, dict) else answer
            log.warning("server refused print.pending: %s", reason)
            return False
        for payload in answer.get("jobs") or []:
            self._on_print_job(payload)
        return True

    def _send(self, event: str, data: dict[str, Any]) -> bool:
        """Send and wait for the server's answer; False when it could not be delivered."""
        try:
            answer = self._client.call(event, data, timeout=ANSWER_TIMEOUT_SECONDS)
        except (socketio.exceptions.SocketIOError, OSError) as error:
            # A timeout's message is empty: name what happened rather than log nothing.
            log.warning("could not send %s: %s", event, str(error) or type(error).__name__)
            return False
        if isinstance(answer, dict) and not answer.get("ok", False):
            refusal = answer.get("error")
            if isinstance(refusal, dict):
                refusal = f"{refusal.get('code')}: {refusal.get('message')}"
            log.warning("server refused %s: %s", event, refusal)
        return True

    # ---- the printer thread ------------------------------------------------------------
    def _printer_loop(self) -> None:
        # The printer is asked often, so a roll that runs out between visitors shows on the
        # kiosk and reaches the managers within seconds; the server hears it at once when it
        # changes and every `health_interval` otherwise (its sign that the kiosk is alive).
        poll_seconds = min(STATUS_POLL_SECONDS, self.health_interval, PENDING_POLL_SECONDS)
        last_report = 0.0
        while True:
            try:
                item = self._work.get(timeout=poll_seconds)
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            try:
                # Asked from this thread, between jobs: an answer is in hand before the next
                # job prints, so a job answered just before is never taken for one owed.
                if self.connected.is_set() and time.monotonic() >= self._next_ask:
                    answered = self._ask_for_owed_jobs()
                    self._next_ask = time.monotonic() + (
                        PENDING_POLL_SECONDS if answered else PENDING_POLL_AFTER_FAILURE_SECONDS
                    )
                if item is None or item is _CHECK_HEALTH:
                    due = item is _CHECK_HEALTH or (
                        time.monotonic() - last_report >= self.health_interval
                    )
                    if self._report_health(self._check_printer(), always=due) and due:
                        last_report = time.monotonic()
                else:
                    self._print(item)
            except Exception:  # one bad job or report must not stop the kiosk's printing
                log.exception("print agent fault; carrying on")

    def _check_printer(self) -> PrinterStatus:
        try:
            self.printer.open()
            status = self.printer.status()
        except PrinterError as error:
            self._printer_fault.note(str(error))
            self.printer.close()  # open again on the next job or check
            # Gone (unplugged, switched off): when it opens again it is judged afresh.
            self._last_write_failed = False
            return PrinterStatus.OFFLINE
        self._printer_fault.clear()
        if status is PrinterStatus.UNKNOWN:
            # It cannot say (no channel back, or an answer that is no status): it opened, so
            # it is there; it is reported working unless the last ticket could not be written.
            # "unknown" is left to the server, for an agent that has fallen silent, which the
            # kiosk page shows as a printer not to be relied on.
            return PrinterStatus.OFFLINE if self._last_write_failed else PrinterStatus.OK
        return status

    def _report_health(self, status: PrinterStatus, always: bool = False) -> bool:
        """Tell the server the printer's status if it changed (or `always`); True if told."""
        if not always and status == self.printer_status:
            return False
        if not self.connected.is_set():
            return False
        if not self._send("device.health", {"printer_status": status.value}):
            return False
        if status != self.printer_status:
            log.info("printer status %s", status.value)
        self.printer_status = status
        return True

    def _print(self, payload: Any) -> None:
        job_id = payload.get("job_id") if isinstance(payload, dict) else None
        if not isinstance(job_id, str):
            log.warning("ignoring a print job without a job_id: %r", payload)
            return
        try:
            self._print_once(job_id, payload)
        finally:
            with self._in_hand_lock:
                self._in_hand.discard(job_id)

    def _print_once(self, job_id: str, payload: dict[str, Any]) -> None:
        if job_id in self.printed:
            log.info("job %s was printed already; confirming without printing", job_id)
            self._answer(job_id, "printed", None, self.printer_status or self._check_printer())
            return
        error: str | None = None
        try:
            job = TicketPrintJob.from_dict(payload)
            self.printer.open()
            self.printer.print_ticket(job)
        except ValueError as bad_job:
            error = f"bad print job: {bad_job}"
        except PaperOut as paper_out:
            error = f"paper_out: {paper_out}"
        except PrinterUnavailable as unavailable:
            error = f"offline: {unavailable}"
            self._last_write_failed = self.printer.is_open  # it opened, and then failed
            self.printer.close()
        except PrinterError as fault:
            error = f"printer error: {fault}"
            self._last_write_failed = self.printer.is_open
            self.printer.close()
        if error is None:
            self._last_write_failed = False
            self.printed.add(job_id)
            log.info("job %s printed: ticket %s", job_id, payload.get("ticket_number", "?"))
        status = self._check_printer()  # after a ticket the roll may have just run out
        self._report_health(status)
        self._answer(job_id, "failed" if error else "printed", error, status)

    def _answer(self, job_id: str, result: str, error: str | None, status: PrinterStatus) -> None:
        answer = {
            "job_id": job_id,
            "result": result,
            "error": error,
            "printer_status": status.value,
        }
        if error:
            log.warning("job %s failed: %s", job_id, error)
        # A job resent on reconnection can arrive before the client has finished connecting.
        if self.connected.wait(ANSWER_TIMEOUT_SECONDS):
            self._send("print.result", answer)
        if self.on_result is not None:
            self.on_result(answer)
