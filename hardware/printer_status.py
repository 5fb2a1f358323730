"""Printer states and the parser of the ESC/POS real-time status answers (DLE EOT 1 and 4)."""

from __future__ import annotations

from enum import Enum

DLE_EOT = b"\x10\x04"
PRINTER_STATUS_QUERY = DLE_EOT + b"\x01"  # DLE EOT 1: printer status
PAPER_SENSOR_QUERY = DLE_EOT + b"\x04"  # DLE EOT 4: roll paper sensor status

# Every DLE EOT answer byte has bit 1 and bit 4 set and bits 0 and 7 clear; anything
# else is not a status byte (line noise, an automatic status block, another protocol).
_FIXED_BITS_MASK = 0b1001_0011
_FIXED_BITS_VALUE = 0b0001_0010

OFFLINE_BIT = 0b0000_1000  # DLE EOT 1, bit 3
PAPER_NEAR_END_BITS = 0b0000_1100  # DLE EOT 4, bits 2-3
PAPER_END_BITS = 0b0110_0000  # DLE EOT 4, bits 5-6


class PrinterStatus(Enum):
    """What the kiosk needs to know before printing a ticket."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


def status_byte(answer: bytes | None) -> int | None:
    """Return the status byte of a DLE EOT answer, or None when there is no valid one.

    The last byte is taken: a slow read can also return an earlier, unread answer.
    """
    if not answer:
        return None
    value = answer[-1]
    if value & _FIXED_BITS_MASK != _FIXED_BITS_VALUE:
        return None
    return value


def parse_printer_status(printer_answer: bytes | None, paper_answer: bytes | None) -> PrinterStatus:
    """Combine the answers to DLE EOT 1 and DLE EOT 4 into one `PrinterStatus`.

    None or b"" means the printer did not answer in time.
    """
    if not printer_answer and not paper_answer:
        # DLE EOT is executed even while the printer is offline or in error, so
        # silence means the device itself is gone.
        return PrinterStatus.OFFLINE
    printer = status_byte(printer_answer)
    paper = status_byte(paper_answer)
    if printer is None or paper is None:
        return PrinterStatus.UNKNOWN
    # Paper end puts the printer offline too; report the cause, not the symptom.
    if paper & PAPER_END_BITS:
        return PrinterStatus.PAPER_OUT
    if printer & OFFLINE_BIT:
        return PrinterStatus.OFFLINE
    if paper & PAPER_NEAR_END_BITS:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK
