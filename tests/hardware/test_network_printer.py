"""Printing over a real TCP socket to a fake network printer that answers like the device."""

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from hardware.print_job import TicketPrintJob
from hardware.printer_errors import PaperOut
from hardware.printer_status import PrinterStatus
from hardware.simulated_printer import PrinterState, SimulatedPrinter
from hardware.ticket_printer import TicketPrinter
from tests.hardware.escpos_decoder import (
    Cut,
    Initialize,
    QrCode,
    StatusQuery,
    decode,
    printed_lines,
)

MakeJob = Callable[..., TicketPrintJob]


class FakeNetworkPrinter:
    """A one-connection TCP server on 127.0.0.1 with a simulated printer behind it."""

    def __init__(self, state: PrinterState, *, answers: bool = True) -> None:
        self.device = SimulatedPrinter(state)
        self.device.open()
        self._answers = answers
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(5)
        self.port: int = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with self._server, self._server.accept()[0] as connection:
            connection.settimeout(5)
            while chunk := connection.recv(4096):
                self.device._raw(chunk)
                while self._answers and (answer := self._next_answer()):
                    connection.sendall(answer)

    def _next_answer(self) -> bytes:
        try:
            return bytes(self.device._read())
        except TimeoutError:
            return b""

    def received(self) -> bytes:
        """Everything sent, once the client has closed the connection."""
        self._thread.join(timeout=5)
        assert not self._thread.is_alive()
        return self.device.received


@pytest.fixture
def fake_printer() -> Iterator[Callable[..., FakeNetworkPrinter]]:
    started: list[FakeNetworkPrinter] = []

    def start(state: PrinterState = "ok", **options: bool) -> FakeNetworkPrinter:
        started.append(FakeNetworkPrinter(state, **options))
        return started[-1]

    yield start
    for printer in started:
        printer.received()


def test_ticket_printed_over_tcp_arrives_whole(
    make_job: MakeJob, fake_printer: Callable[..., FakeNetworkPrinter]
) -> None:
    server = fake_printer("ok")
    job = make_job(visitor_class="appointment")

    with TicketPrinter.from_spec(f"network:127.0.0.1:{server.port}") as printer:
        status = printer.print_ticket(job)

    elements = decode(server.received())
    lines = printed_lines(elements)
    assert status is PrinterStatus.OK
    assert elements[:3] == [StatusQuery(1), StatusQuery(4), Initialize()]
    assert lines[:2] == ["南山区政务服务中心", "住房公积金提取"]
    assert "【预约】" in lines and "前面还有 12 人" in lines
    assert [e.payload for e in elements if isinstance(e, QrCode)] == [job.status_url]
    assert isinstance(elements[-1], Cut)


def test_network_printer_out_of_paper_gets_only_status_queries(
    make_job: MakeJob, fake_printer: Callable[..., FakeNetworkPrinter]
) -> None:
    server = fake_printer("paper_out")

    with (
        TicketPrinter.from_spec(f"network:127.0.0.1:{server.port}") as printer,
        pytest.raises(PaperOut),
    ):
        printer.print_ticket(make_job())

    assert decode(server.received()) == [StatusQuery(1), StatusQuery(4)]


def test_network_printer_that_never_answers_is_offline(
    fake_printer: Callable[..., FakeNetworkPrinter],
) -> None:
    server = fake_printer("ok", answers=False)
    printer = TicketPrinter.from_spec(f"network:127.0.0.1:{server.port}")
    printer.backend.timeout = 0.2  # the 5 s production timeout would only slow the test

    with printer:
        assert printer.status() is PrinterStatus.OFFLINE

    # After the first silent query the second is not worth another timeout.
    assert decode(server.received()) == [StatusQuery(1)]
