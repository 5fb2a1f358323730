"""The interface the kiosk print agent uses: open a printer, check it, print tickets on it."""

from __future__ import annotations

import logging
from dataclasses import replace
from types import TracebackType

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import CupsPrinter, Network, Serial, Usb

from hardware.paper_profile import PaperProfile, paper_profile
from hardware.print_job import TicketPrintJob
from hardware.printer_errors import PaperOut, PrinterError, PrinterUnavailable
from hardware.printer_spec import create_printer, parse_printer_spec
from hardware.printer_status import (
    PAPER_SENSOR_QUERY,
    PRINTER_STATUS_QUERY,
    PrinterStatus,
    parse_printer_status,
)
from hardware.simulated_printer import SimulatedPrinter
from hardware.ticket_layout import render_ticket

logger = logging.getLogger(__name__)

# Backends with a channel back from the printer. File and Dummy have none, and
# CupsPrinter's _read answers with the CUPS queue state, not the device's.
_STATUS_READING_BACKENDS = (Usb, Serial, Network, SimulatedPrinter)


class TicketPrinter:
    """A thermal printer for queue tickets, opened and closed explicitly.

    After PrinterUnavailable, close() and open() again to reconnect.
    """

    def __init__(self, printer: Escpos, paper: PaperProfile) -> None:
        self._printer = printer
        self._paper = paper
        self._is_open = False

    @classmethod
    def from_spec(
        cls, spec: str, paper: str = "80mm", escpos_profile: str | None = None
    ) -> TicketPrinter:
        """Build an unopened printer from a SPEC such as "usb:0416:5011" or "simulated".

        `escpos_profile` overrides the python-escpos profile the paper width assumes,
        which decides between native and image QR codes and whether to cut.
        """
        profile = paper_profile(paper)
        if escpos_profile is not None:
            profile = replace(profile, escpos_profile=escpos_profile)
        return cls(create_printer(parse_printer_spec(spec), profile.escpos_profile), profile)

    @property
    def backend(self) -> Escpos:
        """The python-escpos printer underneath."""
        return self._printer

    @property
    def paper(self) -> PaperProfile:
        return self._paper

    @property
    def is_open(self) -> bool:
        return self._is_open

    def open(self) -> None:
        """Connect to the printer; raise PrinterUnavailable if it cannot be reached."""
        if self._is_open:
            return
        try:
            self._printer.open()
        except (EscposError, OSError) as error:
            raise PrinterUnavailable(f"cannot open the printer: {error}") from error
        self._is_open = True

    def close(self) -> None:
        """Disconnect; never raises, as it runs while handling the error that ended the job."""
        if not self._is_open:
            return
        self._is_open = False
        try:
            self._printer.close()
        except (EscposError, OSError):
            logger.warning("closing the printer failed", exc_info=True)

    def __enter__(self) -> TicketPrinter:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1 and 4); UNKNOWN for backends that cannot answer."""
        self._require_open()
        if not isinstance(self._printer, _STATUS_READING_BACKENDS):
            return PrinterStatus.UNKNOWN
        printer_answer = self._query(PRINTER_STATUS_QUERY)
        if printer_answer is None:
            # A printer that does not answer the first query will not answer the
            # second; do not wait out a second timeout.
            return parse_printer_status(None, None)
        return parse_printer_status(printer_answer, self._query(PAPER_SENSOR_QUERY))

    def print_ticket(self, job: TicketPrintJob) -> PrinterStatus:
        """Print `job` and return the printer status seen just before printing.

        Raises PaperOut or PrinterUnavailable, before sending any ticket byte, when the
        printer says so; PrinterUnavailable when the connection fails while writing.
        PAPER_NEAR_END is returned, not raised: the ticket prints, staff should refill.
        """
        data = render_ticket(job, self._paper)
        status = self.status()
        if status is PrinterStatus.PAPER_OUT:
            raise PaperOut(f"the printer is out of paper; ticket {job.ticket_number} not printed")
        if status is PrinterStatus.OFFLINE:
            raise PrinterUnavailable(
                f"the printer is offline; ticket {job.ticket_number} not printed"
            )
        try:
            self._printer._raw(data)
            if isinstance(self._printer, CupsPrinter):
                # CUPS queues the bytes as one job only when it is sent.
                self._printer.send()
                self._printer.open(job_name="HallQ ticket")
        except (EscposError, OSError) as error:
            raise PrinterUnavailable(
                f"writing ticket {job.ticket_number} to the printer failed: {error}"
            ) from error
        return status

    def _query(self, query: bytes) -> bytes | None:
        """Send one DLE EOT query and return the answer, or None if none came."""
        try:
            answer = self._printer.query_status(query)
        except OSError:
            # A timeout (socket, pyusb) or a lost connection: either way, no answer.
            return None
        return bytes(answer) or None  # pyusb answers with an array, pyserial with b"" on timeout

    def _require_open(self) -> None:
        # python-escpos would open the device by itself on first use; a kiosk should
        # know when it connects, so refuse instead.
        if not self._is_open:
            raise PrinterError("the printer is not open; call open() first")
