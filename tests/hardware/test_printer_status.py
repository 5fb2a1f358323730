"""Parsing the printer's DLE EOT 1 (printer) and DLE EOT 4 (paper sensor) answers."""

import pytest

from hardware.printer_status import PrinterStatus, parse_printer_status, status_byte
from hardware.simulated_printer import PrinterState, device_status_answer


@pytest.mark.parametrize(
    ("printer_answer", "paper_answer", "status"),
    [
        (b"\x12", b"\x12", PrinterStatus.OK),
        (b"\x12", b"\x1e", PrinterStatus.PAPER_NEAR_END),  # bits 2-3
        (b"\x12", b"\x16", PrinterStatus.PAPER_NEAR_END),  # one near-end bit is enough
        (b"\x1a", b"\x7e", PrinterStatus.PAPER_OUT),  # bits 5-6, printer offline because of it
        (b"\x1a", b"\x72", PrinterStatus.PAPER_OUT),  # TM-T20II: no near-end sensor
        (b"\x1a", b"\x12", PrinterStatus.OFFLINE),  # bit 3: e.g. cover open
        (None, None, PrinterStatus.OFFLINE),  # no answer at all: device gone
        (b"", b"", PrinterStatus.OFFLINE),  # pyserial's timeout
        (b"\x12", None, PrinterStatus.UNKNOWN),
        (b"0", b"0", PrinterStatus.UNKNOWN),  # not a status byte (CUPS backend's "0")
        (b"\xff", b"\x12", PrinterStatus.UNKNOWN),
    ],
)
def test_dle_eot_answers_parse_to_status(
    printer_answer: bytes | None, paper_answer: bytes | None, status: PrinterStatus
) -> None:
    assert parse_printer_status(printer_answer, paper_answer) is status


def test_latest_byte_of_an_answer_counts() -> None:
    assert status_byte(b"\x1a\x12") == 0x12


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("ok", PrinterStatus.OK),
        ("near_end", PrinterStatus.PAPER_NEAR_END),
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("offline", PrinterStatus.OFFLINE),
    ],
)
def test_simulated_device_answers_parse_to_its_state(
    state: PrinterState, status: PrinterStatus
) -> None:
    answers = (device_status_answer(state, 1), device_status_answer(state, 4))

    assert parse_printer_status(*answers) is status
