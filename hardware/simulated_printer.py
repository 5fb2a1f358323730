"""A fake ESC/POS printer that records every byte and answers status queries like a real device."""

from __future__ import annotations

import errno
import re
from collections import deque
from typing import Literal, cast, get_args

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from hardware.printer_status import OFFLINE_BIT, PAPER_END_BITS, PAPER_NEAR_END_BITS

PrinterState = Literal["ok", "near_end", "paper_out", "offline"]
PRINTER_STATES: tuple[str, ...] = get_args(PrinterState)

_STATUS_BASE = 0b0001_0010  # the fixed bits of every DLE EOT answer
_PAPER_END_STOP_BIT = 0b0010_0000  # DLE EOT 2 (offline cause), bit 5

# Real-time commands are acted on wherever they appear in the stream, even inside
# image data, so the stream is scanned as raw bytes rather than parsed.
_SCANNED = re.compile(
    rb"\x10\x04(?P<query>[\x01-\x04])|\x1dV(?P<cut>[\x00\x01\x30\x31]|[\x41\x42].)", re.DOTALL
)
_LONGEST_SCANNED = 4  # GS V 66 n


def device_status_answer(state: PrinterState, query: int) -> bytes:
    """Return what a printer in `state` answers to DLE EOT `query`; b"" when it stays silent."""
    if state == "offline":
        return b""
    paper_out = state == "paper_out"
    if query == 1:  # printer status: paper end stops the printer, which goes offline
        return bytes([_STATUS_BASE | (OFFLINE_BIT if paper_out else 0)])
    if query == 2:  # offline cause
        return bytes([_STATUS_BASE | (_PAPER_END_STOP_BIT if paper_out else 0)])
    if query == 3:  # error cause: none simulated
        return bytes([_STATUS_BASE])
    if query == 4:  # roll paper sensor: an empty roll also trips the near-end sensor
        if paper_out:
            return bytes([_STATUS_BASE | PAPER_NEAR_END_BITS | PAPER_END_BITS])
        if state == "near_end":
            return bytes([_STATUS_BASE | PAPER_NEAR_END_BITS])
        return bytes([_STATUS_BASE])
    return b""


class SimulatedPrinter(Escpos):  # type: ignore[misc]  # python-escpos ships no type information
    """An in-memory printer in one of the states ok / near_end / paper_out / offline.

    Like a device, it answers DLE EOT queries (read them with `_read`), accepts data
    while out of paper without printing it, fails to open and to write while offline,
    and lets reads time out when there is nothing to answer. With
    `paper_out_after_tickets`, the roll runs out after that many cut commands.
    """

    def __init__(
        self,
        state: PrinterState = "ok",
        *,
        paper_out_after_tickets: int | None = None,
        profile: str | None = None,
    ) -> None:
        super().__init__(profile=profile)
        self._state: PrinterState = _checked_state(state)
        self._paper_out_after_tickets = paper_out_after_tickets
        self._received = bytearray()
        self._answers: deque[bytes] = deque()
        self._scan_tail = b""
        self._is_open = False
        self.tickets_cut = 0

    @property
    def state(self) -> PrinterState:
        """The simulated device state."""
        return self._state

    @property
    def received(self) -> bytes:
        """Every byte written since construction or the last `clear`."""
        return bytes(self._received)

    def set_state(self, state: PrinterState) -> None:
        """Change the device state, e.g. to pull the cable or empty the roll mid-run."""
        self._state = _checked_state(state)
        if state == "offline":
            # A disconnected device loses the answers it had not yet sent.
            self._answers.clear()

    def clear(self) -> None:
        """Forget the bytes received so far."""
        self._received.clear()

    def open(self, raise_not_found: bool = True) -> None:
        """Connect; fails like an unplugged device while offline."""
        if self._state == "offline":
            raise DeviceNotFoundError("simulated printer is offline")
        self._is_open = True
        self._answers.clear()
        self._scan_tail = b""

    def close(self) -> None:
        """Disconnect."""
        self._is_open = False

    def _raw(self, msg: bytes) -> None:
        if not self._is_open:
            raise OSError(errno.EBADF, "simulated printer connection is not open")
        if self._state == "offline":
            raise BrokenPipeError(errno.EPIPE, "simulated printer is disconnected")
        self._received += msg
        self._scan(msg)

    def _read(self) -> bytes:
        if not self._is_open:
            raise OSError(errno.EBADF, "simulated printer connection is not open")
        if self._state == "offline" or not self._answers:
            raise TimeoutError("timed out")
        return self._answers.popleft()

    def _scan(self, msg: bytes) -> None:
        # Keep the tail of the previous write: a command can be split across writes.
        data = self._scan_tail + msg
        for match in _SCANNED.finditer(data):
            if match.end() <= len(self._scan_tail):
                continue  # already acted on in the previous write
            if match.group("query") is not None:
                answer = device_status_answer(self._state, match.group("query")[0])
                if answer:
                    self._answers.append(answer)
            else:
                self._count_cut()
        self._scan_tail = data[-(_LONGEST_SCANNED - 1) :]

    def _count_cut(self) -> None:
        self.tickets_cut += 1
        limit = self._paper_out_after_tickets
        if limit is not None and self.tickets_cut >= limit and self._state != "offline":
            self._state = "paper_out"


def _checked_state(state: str) -> PrinterState:
    if state not in PRINTER_STATES:
        expected = ", ".join(PRINTER_STATES)
        raise ValueError(f"unknown simulated printer state {state!r}; expected one of {expected}")
    return cast(PrinterState, state)
