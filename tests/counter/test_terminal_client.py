"""`hallq counter` driven as a real process against a real server: on a terminal and a pipe."""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hall_server.operations.online_platform import PreReviewPush, id_number_hash, push_pre_review
from hall_server.storage.models import Hall, Platform
from tests.counter.conftest import LiveHall
from tests.factories import PASSWORD
from tests.live.live_server import HALLQ, ROOT

pytestmark = pytest.mark.live_server
PATIENCE_SECONDS = 30  # generous: the machine is shared; this is a deadline, not a measurement


class TerminalSession:
    """A `hallq counter` process, on a pseudo-terminal (single keys) or on plain pipes."""

    def __init__(self, arguments: list[str], on_terminal: bool, password: str | None) -> None:
        environment = {**os.environ, "HALLQ_LANG": "en", "COLUMNS": "160"}
        environment.pop("HALLQ_PASSWORD", None)
        if password is not None:
            environment["HALLQ_PASSWORD"] = password
        command = [str(HALLQ), "counter", *arguments]
        self.output = ""
        if on_terminal:
            controller, terminal = os.openpty()
            self.process = subprocess.Popen(
                command,
                stdin=terminal,
                stdout=terminal,
                stderr=terminal,
                cwd=ROOT,
                env=environment,
                start_new_session=True,
            )
            os.close(terminal)
            self.read_fd, self.write_fd = controller, controller
        else:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=environment,
            )
            assert self.process.stdout is not None and self.process.stdin is not None
            self.read_fd = self.process.stdout.fileno()
            self.write_fd = self.process.stdin.fileno()

    def send(self, text: str) -> None:
        os.write(self.write_fd, text.encode())

    def _read_some(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.read_fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.read_fd, 65536)
        except OSError:  # the terminal closed with the process
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return True

    def expect(self, pattern: str, start: int = 0) -> re.Match[str]:
        """Wait until `pattern` appears in the output after position `start`."""
        deadline = time.monotonic() + PATIENCE_SECONDS
        compiled = re.compile(pattern)
        while True:
            found = compiled.search(self.output, start)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {pattern!r}; output was:\n{self.output}")
            if not self._read_some(0.2) and self.process.poll() is not None:
                self._read_some(0)
                found = compiled.search(self.output, start)
                if found:
                    return found
                raise AssertionError(f"process ended before {pattern!r}:\n{self.output}")

    def mark(self) -> int:
        return len(self.output)

    def finish(self) -> int:
        try:
            return self.process.wait(timeout=PATIENCE_SECONDS)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.close()

    def close(self) -> None:
        if self.process.stdout is not None:  # pipes: their file objects own the descriptors
            self.process.stdout.close()
            if not self.process.stdin.closed:
                self.process.stdin.close()
        elif self.read_fd >= 0:
            os.close(self.read_fd)
        self.read_fd = -1


@pytest.fixture
def terminal_sessions():
    sessions: list[TerminalSession] = []

    def start(arguments: list[str], on_terminal: bool = True, password: str | None = PASSWORD):
        session = TerminalSession(arguments, on_terminal, password)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        if session.process.poll() is None:
            session.process.kill()
            session.process.wait()
        if session.read_fd >= 0:
            session.close()


def test_terminal_calls_and_finishes_a_ticket_and_shows_a_refusal(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    ticket = live_hall.kiosk_issue()
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")
    session.expect(r"Next by policy: A001")

    at = session.mark()
    session.send("n")
    session.expect(r"✓ A001 · housing · walk-in .*\[called\]", at)

    at = session.mark()
    session.send("f")  # finishing before starting: the server refuses, nothing changes
    session.expect(r"outcome 1=completed", at)
    session.send("1")
    session.expect(r"Case number", at)
    session.send("\r")
    session.expect(r"Note", at)
    session.send("\r")
    session.expect(
        r"✗ Refused: This ticket is not in a state that allows this\. Cannot finish a ticket "
        r"that is called; it must be serving\. \[invalid_transition\]",
        at,
    )

    at = session.mark()
    session.send("s")
    session.expect(r"✓ A001 .*\[serving\]", at)
    session.send("f")
    session.expect(r"outcome 1=completed", at)
    session.send("2")
    session.expect(r"Case number", at)
    session.send("SZ-2026-7\r")
    session.expect(r"Note", at)
    session.send("缺身份证复印件\r")
    session.expect(r"✓ A001 finished: accepted\.", at)

    clerk = live_hall.login(1)
    stored = live_hall.api("GET", f"/tickets/{ticket['id']}", clerk).json()
    assert (stored["status"], stored["outcome"]) == ("finished", "accepted")

    at = session.mark()
    session.send("q")
    session.expect(r"Bye\.", at)
    assert session.finish() == 0


def test_terminal_prints_live_calls_and_a_transfer_to_its_window(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")
    at = session.mark()
    ticket = live_hall.kiosk_issue()
    session.expect(r"A001 issued \(housing\)", at)

    other = live_hall.login(2)
    window_2 = hall.windows[2]
    called = live_hall.api("POST", f"/windows/{window_2}/call-next", other)
    assert called.status_code == 200, called.text
    session.expect(r"A001 called to window 2", at)
    live_hall.api("POST", f"/windows/{window_2}/tickets/{ticket['id']}/start", other)
    moved = live_hall.api(
        "POST",
        f"/windows/{window_2}/tickets/{ticket['id']}/transfer",
        other,
        json={"to_window_id": hall.windows[1], "reason": "综合窗口办理"},
    )
    assert moved.status_code == 200, moved.text
    session.expect(r"» \[[0-9:]+\] A001 transferred to window 1", at)

    at = session.mark()
    session.send("n")
    session.expect(r"✓ A001 .*\[called\]", at)
    session.send("q")
    assert session.finish() == 0


def test_keypad_on_a_pipe_logs_in_calls_marks_a_no_show_and_sees_refusals(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    live_hall.kiosk_issue()
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "2"], on_terminal=False, password=None
    )
    session.expect(r"Staff number: ")
    session.send(f"{hall.clerk_numbers[2]}\n{PASSWORD}\n")
    session.expect(r"You now hold window 2")

    at = session.mark()
    session.send("r")  # nothing called yet
    session.expect(r"✗ Refused: There is no ticket at the window\. \[no_ticket\]", at)
    session.send("n\n")  # a keypad bridge may send Enter after each key: it is ignored
    session.expect(r"✓ A001 .*\[called\]", at)
    session.send("x")
    session.expect(r"✓ A001 .*\[no-show\]", at)
    session.send("n")
    session.expect(
        r"✗ Refused: Nobody to call\. No one is waiting for the services of this window\. "
        r"\[queue_empty\]",
        at,
    )
    session.process.stdin.close()  # the keypad is unplugged: the client ends cleanly
    session.expect(r"Bye\.", at)
    assert session.finish() == 0


def test_leaving_with_a_ticket_at_the_window_says_what_is_left_to_do_and_asks_nothing(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    live_hall.kiosk_issue()
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")
    at = session.mark()
    session.send("n")
    session.expect(r"✓ A001 .*\[called\]", at)

    at = session.mark()
    session.send("l")
    session.expect(r"✗ You cannot leave window 1 yet", at)
    session.expect(
        r"A001 has been called to this window: mark a no-show \(X\), or start the case \(S\) "
        r"and finish or transfer it\. Then leave the window\.",
        at,
    )
    session.send("x")  # not an answer to a question: the next key is an action again
    session.expect(r"✓ A001 .*\[no-show\]", at)
    at = session.mark()
    session.send("l")
    session.expect(r"Leave window 1\? It closes for calling\. \[1=yes\]: ", at)
    session.send("1")
    session.expect(r"✓ You left the window\.", at)
    assert session.finish() == 0
    window = live_hall.api("GET", f"/halls/{hall.id}/windows", live_hall.login(2)).json()[0]
    assert (window["status"], window["clerk"]) == ("closed", None)


def test_taking_a_window_someone_holds_ends_with_the_reason(live_hall: LiveHall, terminal_sessions):
    hall = live_hall.hall
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[2]]
    )
    session.expect(
        r"✗ Another clerk holds this window\. Window 1 is held by clerk1\. \[window_taken\]"
    )
    assert session.finish() == 1


def test_a_wrong_password_is_refused(live_hall: LiveHall, terminal_sessions):
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", "nobody"],
        password="wrong",
    )
    session.expect(r"Wrong staff number or password\. .*\[bad_credentials\]")
    assert session.finish() == 1


def push_passed_pre_review(live_hall: LiveHall, code: str) -> None:
    """The online platform tells the hall that `code`'s materials passed pre-review."""
    now = datetime.now(UTC)
    with live_hall.database.transaction() as uow:
        hall_code = uow.session.get(Hall, live_hall.hall.id).code
        platform = Platform(code=f"p-{hall_code}", name="一网通办", hall_id=live_hall.hall.id,
                            secret="terminal-secret", webhook_url=None, active=True,
                            created_at=now)  # fmt: skip
        uow.session.add(platform)
        uow.session.flush()
        push = PreReviewPush(
            application_id=f"APP-{code}",
            code=code,
            hall_code=hall_code,
            service_code=f"{hall_code}-housing",
            id_number_hash=id_number_hash("terminal-secret", "110105197001010011"),
            result="passed",
            valid_until=now + timedelta(days=30),
            applicant_name="王小明",
        )
        push_pre_review(uow, platform, push, now)


def test_terminal_checks_in_a_pre_review_calls_it_and_refuses_unknown_codes(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    push_passed_pre_review(live_hall, "PR-T1")
    clerk = live_hall.login(1)
    window_1 = hall.windows[1]
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"K  check in a booking or pre-review")
    session.expect(r"You now hold window 1")

    at = session.mark()
    session.send("k")
    session.expect(r"Booking or pre-review code, or ID number: ", at)
    session.send("NO-SUCH-CODE\r")
    session.expect(
        r"✗ Refused: No booking or pre-review in this hall has this code\. Check the code with "
        r"the visitor, or issue an ordinary ticket\. \[not_found\]",
        at,
    )
    at = session.mark()
    session.send("k")
    session.expect(r"ID number: ", at)
    session.send("11010519491231002x\r")  # typed in lower case: sent as the card has it
    session.expect(
        r"✗ Refused: No booking for today or pre-review matches this ID number\. .*"
        r"\[no_booking_for_id_card\]",
        at,
    )
    queue = live_hall.api("GET", f"/windows/{window_1}/queue", clerk).json()
    assert queue["total_waiting"] == 0  # refusals issue nothing

    at = session.mark()
    session.send("k")
    session.expect(r"ID number: ", at)
    session.send("PR-T1\r")
    session.expect(r"A housing · Pre-review passed · .* · pre-reviewed\n", at)
    session.expect(r"Pre-review passed: a pre-reviewed ticket, called first\.", at)
    session.expect(r"Issue the ticket \[Enter\]: ", at)
    session.send("\r")
    session.expect(r"✓ Ticket A001 issued\. Tell the visitor the number\. · pre-reviewed", at)
    session.expect(r"Call A001 now \[Enter\]: ", at)
    session.send("\r")
    session.expect(r"✓ A001 · housing · pre-reviewed .*\[called\]", at)
    desk = live_hall.api("GET", f"/windows/{window_1}/desk", clerk).json()
    ticket = desk["ticket"]
    assert (ticket["number"], ticket["visitor_class"], ticket["status"]) == (
        "A001",
        "pre_reviewed",
        "called",
    )

    at = session.mark()
    session.send("k")  # the pre-review has its ticket in the queue: not a second one
    session.expect(r"ID number: ", at)
    session.send("PR-T1\r")
    session.expect(
        r"✗ Refused: This pre-review already has ticket A001 in the queue\. The visitor keeps "
        r"that ticket: call it, do not issue another\. \[pre_review_used\]",
        at,
    )
    session.send("q")
    assert session.finish() == 0
    tickets = live_hall.api("GET", f"/windows/{window_1}/queue", clerk).json()
    assert tickets["total_waiting"] == 0


def test_terminal_checks_in_but_leaves_the_call_while_a_case_is_at_the_window(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    push_passed_pre_review(live_hall, "PR-T2")
    live_hall.kiosk_issue()
    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")
    at = session.mark()
    session.send("n")
    session.expect(r"✓ A001 .*\[called\]", at)

    session.send("k")
    session.expect(r"ID number: ", at)
    session.send("PR-T2\r")
    session.expect(r"Issue the ticket \[Enter\]: ", at)
    session.send("\r")
    session.expect(r"✓ Ticket A002 issued\.", at)
    session.expect(r"A case is at this window: finish or park it, then call A002\.", at)
    clerk = live_hall.login(1)
    queue = live_hall.api("GET", f"/windows/{hall.windows[1]}/queue", clerk).json()
    assert queue["next_ticket"]["number"] == "A002"  # first in line, as a pre-reviewed ticket
    assert queue["next_ticket"]["status"] == "waiting"
    session.send("q")
    assert session.finish() == 0


def test_terminal_pauses_for_a_planned_length_that_reaches_the_server(
    live_hall: LiveHall, terminal_sessions
):
    hall = live_hall.hall
    clerk = live_hall.login(1)
    window_id = hall.windows[1]

    def stored() -> tuple[str, Any, Any]:
        windows = live_hall.api("GET", f"/halls/{hall.id}/windows", clerk).json()
        window = next(w for w in windows if w["id"] == window_id)
        return window["status"], window["pause_reason"], window["pause_minutes"]

    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")

    at = session.mark()
    session.send("b")
    session.expect(r"Pause: 1=break  2=meeting  3=other: ", at)
    session.send("1")
    session.expect(
        r"How long: 1=as the rota says  2=10 min  3=15 min  4=30 min  5=60 min \[1\]: ", at
    )
    session.send("4")
    session.expect(r"✓ Window 1 · .* · paused \(break, 30 min\)", at)
    assert stored() == ("paused", "break", 30)

    at = session.mark()
    session.send("o")
    session.expect(r"✓ Window 1 · .* · open", at)
    assert stored() == ("open", None, None)

    at = session.mark()
    session.send("b")  # a key that is no length cancels: the window stays open
    session.expect(r"Pause: ", at)
    session.send("2")
    session.expect(r"How long: ", at)
    session.send("x")
    session.expect(r"Cancelled\.", at)
    assert stored() == ("open", None, None)

    at = session.mark()
    session.send("b")  # Enter: as the rota says, which for a meeting plans no length
    session.expect(r"Pause: ", at)
    session.send("2")
    session.expect(r"How long: ", at)
    session.send("\r")
    session.expect(r"✓ Window 1 · .* · paused \(meeting\)", at)
    assert stored() == ("paused", "meeting", None)
    session.send("q")
    assert session.finish() == 0


def test_a_case_transferred_here_says_where_from_and_why_in_english_and_chinese(
    live_hall: LiveHall, terminal_sessions
):
    """As the page's "Transferred from window 2: …": on calling it, on the desk (I), and in
    Chinese by default; the time is on the hall's clock."""
    hall = live_hall.hall
    live_hall.transferred_from_window_2()
    with live_hall.database.reading() as session:
        zone = ZoneInfo(session.get(Hall, hall.id).time_zone)

    session = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
    )
    session.expect(r"You now hold window 1")
    at = session.mark()
    session.send("n")
    session.expect(r"✓ A001 .*\[called\]", at)
    desk = live_hall.api("GET", f"/windows/{hall.windows[1]}/desk", live_hall.login(1)).json()
    sent_at = datetime.fromisoformat(desk["ticket"]["last_transfer"]["at"]).astimezone(zone)
    origin = (
        r"↪ Transferred from window 2: 材料需综合窗口复核 · clerk2 · housing · "
        + f"{sent_at:%H:%M}"
    )
    session.expect(origin, at)
    at = session.mark()
    session.send("i")
    session.expect(r"A001 · housing .*\[called\]\n  " + origin, at)
    session.send("q")
    assert session.finish() == 0

    chinese = terminal_sessions(
        ["--server", live_hall.url, "--window", "1", "--staff-number", hall.clerk_numbers[1]]
        + ["--lang", "zh"]
    )
    chinese.expect(r"A001 · housing .*\[已呼叫\]\n  ↪ 由 2 号窗口转来：材料需综合窗口复核 · clerk2")
    chinese.send("q")
    assert chinese.finish() == 0
