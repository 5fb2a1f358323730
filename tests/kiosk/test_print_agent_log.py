"""What the print agent's log says when something outside it is wrong: a printer that stays
unreachable is logged when that starts, then only as a reminder every few minutes (not at every
check, 17,000 lines a day), and its return is logged; so is a server the agent cannot reach (not
a line at every attempt); a server whose TLS certificate the agent does not trust is named as
such, not as a bare "Connection error"."""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.simulated_printer import SimulatedPrinter
from hardware.ticket_printer import TicketPrinter
from kiosk import print_agent
from kiosk.print_agent import Backoff, PrintAgent
from tests.kiosk.conftest import free_port, wait_for


def printer_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "kiosk.print_agent" and r.getMessage().startswith("printer ")
    ]


def test_an_offline_printer_is_logged_once_then_as_a_reminder_and_its_return_too(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_agent, "UNAVAILABLE_REMINDER_SECONDS", 3.0)
    caplog.set_level(logging.WARNING, logger="kiosk.print_agent")
    printer = TicketPrinter.from_spec("simulated:offline")
    # Nobody listens at the server's address: the printer is checked all the same, every
    # second here (the health interval bounds the check's), every 5 s by default.
    agent = PrintAgent(
        f"http://127.0.0.1:{free_port()}",
        "d_token",
        printer,
        health_interval=1.0,
        backoff=Backoff(first=5, longest=5),
    ).start()
    try:
        wait_for(lambda: printer_lines(caplog), "the first line about the printer")
        time.sleep(4.5)  # four checks or so more, and one reminder's time
        while_offline = printer_lines(caplog)
        backend = printer.backend
        assert isinstance(backend, SimulatedPrinter)
        backend.set_state("ok")
        wait_for(
            lambda: any("available again" in line for line in printer_lines(caplog)),
            "the printer's return to be logged",
        )
    finally:
        agent.stop()

    assert while_offline[0].startswith("printer unavailable: cannot open the printer")
    reminders = [line for line in while_offline[1:] if line.startswith("printer still unavailable")]
    assert len(while_offline) - 1 == len(reminders) == 1


def test_a_server_that_stays_unreachable_is_logged_once_then_as_a_reminder(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_agent, "UNAVAILABLE_REMINDER_SECONDS", 3.0)
    caplog.set_level(logging.WARNING, logger="kiosk.print_agent")
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens
    # An attempt every 0.2 s or so: some twenty in the 4.5 s below.
    agent = PrintAgent(
        url, "d_token", TicketPrinter.from_spec("simulated"), backoff=Backoff(0.2, 0.2)
    ).start()
    try:

        def server_lines() -> list[str]:
            return [r.getMessage() for r in caplog.records if "reach" in r.getMessage()]

        wait_for(server_lines, "the first line about the server")
        time.sleep(4.5)
        lines = server_lines()
    finally:
        agent.stop()

    assert lines[0].startswith(f"cannot reach {url} (retrying every 0.2 s at most): ")
    assert "ConnectionRefusedError" in lines[0]
    assert len(lines) == 2
    assert lines[1].startswith(f"still cannot reach {url} after 0 min: ConnectionRefusedError")


@pytest.fixture
def untrusted_tls_server(tmp_path: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with a self-signed certificate, which handshakes and closes."""
    key, certificate = tmp_path / "key.pem", tmp_path / "certificate.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass  # the client refused the certificate, as it should

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()


def test_an_untrusted_certificate_is_named_in_the_log(
    caplog: pytest.LogCaptureFixture, untrusted_tls_server: int
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.print_agent")
    agent = PrintAgent(
        f"https://127.0.0.1:{untrusted_tls_server}",
        "d_token",
        TicketPrinter.from_spec("simulated"),
        backoff=Backoff(first=5, longest=5),
    ).start()
    try:
        line = wait_for(
            lambda: [r.getMessage() for r in caplog.records if "cannot reach" in r.getMessage()],
            "the agent to say it cannot connect",
        )[0]
    finally:
        agent.stop()

    assert "TLS certificate not trusted" in line
    assert "self-signed certificate" in line
