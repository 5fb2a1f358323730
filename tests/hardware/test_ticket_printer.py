"""TicketPrinter against the simulated device and the file backend: status, errors, bytes sent."""

import errno
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware.paper_profile import paper_profile
from hardware.print_job import TicketPrintJob
from hardware.printer_errors import PaperOut, PrinterError, PrinterUnavailable
from hardware.printer_status import PrinterStatus
from hardware.simulated_printer import SimulatedPrinter
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
STATUS_QUERIES = [StatusQuery(1), StatusQuery(4)]


def simulated(state: str = "ok", **options: int) -> tuple[TicketPrinter, SimulatedPrinter]:
    device = SimulatedPrinter(state, profile="TM-T20II", **options)  # type: ignore[arg-type]
    return TicketPrinter(device, paper_profile("80mm")), device


def test_ok_printer_prints_the_ticket_after_checking_status(make_job: MakeJob) -> None:
    printer, device = simulated("ok")
    job = make_job()

    with printer:
        status = printer.print_ticket(job)

    elements = decode(device.received)
    assert status is PrinterStatus.OK
    assert elements[:3] == [*STATUS_QUERIES, Initialize()]
    assert QrCode(job.status_url, 6, "M") in elements
    assert "前面还有 12 人" in printed_lines(elements)
    assert isinstance(elements[-1], Cut)


def test_paper_out_raises_paper_out_and_writes_no_ticket_bytes(make_job: MakeJob) -> None:
    printer, device = simulated("paper_out")

    with printer, pytest.raises(PaperOut):
        printer.print_ticket(make_job())

    assert decode(device.received) == STATUS_QUERIES


def test_near_end_prints_and_reports_near_end(make_job: MakeJob) -> None:
    printer, device = simulated("near_end")

    with printer:
        assert printer.status() is PrinterStatus.PAPER_NEAR_END
        assert printer.print_ticket(make_job()) is PrinterStatus.PAPER_NEAR_END

    assert device.tickets_cut == 1


def test_offline_printer_cannot_be_opened() -> None:
    printer = TicketPrinter.from_spec("simulated:offline")

    with pytest.raises(PrinterUnavailable, match="offline"):
        printer.open()
    assert not printer.is_open


def test_printer_going_offline_mid_run_reports_offline_and_refuses(make_job: MakeJob) -> None:
    printer, device = simulated("ok")

    with printer:
        printer.print_ticket(make_job())
        device.set_state("offline")
        device.clear()

        assert printer.status() is PrinterStatus.OFFLINE
        with pytest.raises(PrinterUnavailable):
            printer.print_ticket(make_job())

    assert device.received == b""


def test_cable_pulled_while_writing_the_ticket_raises_printer_unavailable(
    make_job: MakeJob,
) -> None:
    class CablePulledAfterStatus(SimulatedPrinter):
        def _raw(self, msg: bytes) -> None:
            if len(msg) > 3:  # longer than a status query: the ticket itself
                self.set_state("offline")
            super()._raw(msg)

    printer = TicketPrinter(CablePulledAfterStatus(profile="TM-T20II"), paper_profile("80mm"))

    with printer, pytest.raises(PrinterUnavailable, match="writing ticket A023") as raised:
        printer.print_ticket(make_job())

    assert isinstance(raised.value.__cause__, BrokenPipeError)


def test_paper_runs_out_after_the_configured_number_of_tickets(make_job: MakeJob) -> None:
    printer, device = simulated("ok", paper_out_after_tickets=2)

    with printer:
        printer.print_ticket(make_job(ticket_number="A001"))
        printer.print_ticket(make_job(ticket_number="A002"))
        with pytest.raises(PaperOut, match="A003"):
            printer.print_ticket(make_job(ticket_number="A003"))

    assert device.tickets_cut == 2
    assert "A003" not in printed_lines(decode(device.received))


def test_status_and_printing_need_an_open_printer(make_job: MakeJob) -> None:
    printer, device = simulated("ok")

    with pytest.raises(PrinterError, match="not open"):
        printer.status()
    with pytest.raises(PrinterError, match="not open"):
        printer.print_ticket(make_job())
    assert device.received == b""


def test_context_manager_closes_the_device(make_job: MakeJob) -> None:
    printer, device = simulated("ok")

    with printer:
        assert printer.is_open
    assert not printer.is_open

    with pytest.raises(OSError) as raised:
        device._raw(b"\x1b@")
    assert raised.value.errno == errno.EBADF


def test_file_backend_cannot_report_status_but_prints(make_job: MakeJob, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()

    with TicketPrinter.from_spec(f"file:{device}") as printer:
        assert printer.status() is PrinterStatus.UNKNOWN
        assert printer.print_ticket(make_job()) is PrinterStatus.UNKNOWN

    elements = decode(device.read_bytes())
    assert elements[0] == Initialize()
    assert "南山区政务服务中心" in printed_lines(elements)


def test_missing_device_file_is_unavailable(tmp_path: Path) -> None:
    printer = TicketPrinter.from_spec(f"file:{tmp_path / 'missing' / 'lp0'}")

    with pytest.raises(PrinterUnavailable, match="cannot open"):
        printer.open()


def test_refused_network_connection_is_unavailable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    printer = TicketPrinter.from_spec(f"network:127.0.0.1:{port}")

    with pytest.raises(PrinterUnavailable, match="cannot open"):
        printer.open()
