"""Printer SPEC strings: what they parse to, what they reject, and that building never connects."""

import socket
from pathlib import Path

import pytest
from escpos.printer import Dummy, File, Network, Usb

from hardware.printer_errors import PrinterUnavailable
from hardware.printer_spec import (
    CupsSpec,
    DummySpec,
    FileSpec,
    NetworkSpec,
    PrinterSpec,
    SerialSpec,
    SimulatedSpec,
    UsbSpec,
    create_printer,
    parse_printer_spec,
)
from hardware.simulated_printer import SimulatedPrinter
from hardware.ticket_printer import TicketPrinter


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("usb:0416:5011", UsbSpec(0x0416, 0x5011)),
        ("usb:0x04B8:0x0202", UsbSpec(0x04B8, 0x0202)),
        ("serial:/dev/ttyS0:9600", SerialSpec("/dev/ttyS0", 9600)),
        ("serial:COM3:115200", SerialSpec("COM3", 115200)),
        ("network:192.168.1.87:9100", NetworkSpec("192.168.1.87", 9100)),
        ("network:printer-3.hall.local", NetworkSpec("printer-3.hall.local", 9100)),
        ("file:/dev/usb/lp0", FileSpec("/dev/usb/lp0")),
        ("cups:Kiosk_Printer", CupsSpec("Kiosk_Printer")),
        ("dummy", DummySpec()),
        ("simulated", SimulatedSpec("ok")),
        ("simulated:paper_out", SimulatedSpec("paper_out")),
        (" network:10.0.0.7:9101 ", NetworkSpec("10.0.0.7", 9101)),
    ],
)
def test_spec_parses(text: str, spec: PrinterSpec) -> None:
    assert parse_printer_spec(text) == spec


@pytest.mark.parametrize(
    "text",
    [
        "",
        "lpt1",
        "usb:0416",
        "usb:0416:50110",
        "usb:xyz1:5011",
        "serial:/dev/ttyS0",
        "serial:/dev/ttyS0:fast",
        "network:",
        "network:10.0.0.7:http",
        "network:10.0.0.7:70000",
        "file:",
        "cups:",
        "dummy:extra",
        "simulated:jammed",
    ],
)
def test_bad_spec_raises_value_error_listing_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="accepted: usb:VID:PID .* simulated"):
        parse_printer_spec(text)


def test_building_a_network_printer_does_not_connect() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)
        port = server.getsockname()[1]

        printer = create_printer(NetworkSpec("127.0.0.1", port), "TM-T20II")

        assert isinstance(printer, Network)
        assert printer.timeout <= 5
        with pytest.raises(TimeoutError):
            server.accept()


def test_building_a_file_printer_does_not_open_the_file(tmp_path: Path) -> None:
    device = tmp_path / "lp0"

    printer = create_printer(FileSpec(str(device)), "TM-T20II")

    assert isinstance(printer, File)
    assert not device.exists()


def test_backend_without_its_library_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))

    with pytest.raises(PrinterUnavailable, match="pyusb"):
        create_printer(UsbSpec(0x0416, 0x5011), "TM-T20II")


def test_unknown_escpos_profile_is_rejected() -> None:
    with pytest.raises(ValueError, match="TM-NOPE"):
        create_printer(DummySpec(), "TM-NOPE")


def test_from_spec_takes_the_escpos_profile_of_the_paper() -> None:
    printer = TicketPrinter.from_spec("dummy", paper="58mm")

    assert isinstance(printer.backend, Dummy)
    assert printer.paper.columns == 32
    assert printer.backend.profile.profile_data["name"] == "POS5890 Series"


def test_from_spec_can_override_the_escpos_profile() -> None:
    printer = TicketPrinter.from_spec("simulated:near_end", paper="80mm", escpos_profile="TM-T88V")

    assert isinstance(printer.backend, SimulatedPrinter)
    assert printer.backend.state == "near_end"
    assert printer.paper.columns == 48 and printer.paper.escpos_profile == "TM-T88V"


def test_unknown_paper_is_rejected() -> None:
    with pytest.raises(ValueError, match="58mm, 80mm"):
        TicketPrinter.from_spec("dummy", paper="76mm")
