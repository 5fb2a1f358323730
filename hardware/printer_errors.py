"""Errors the kiosk print agent handles, independent of the printer library underneath."""


class PrinterError(Exception):
    """The ticket could not be printed."""


class PrinterUnavailable(PrinterError):
    """The printer cannot be reached: not connected, switched off, cover open or not opened."""


class PaperOut(PrinterError):
    """The printer reports that its paper roll has run out."""
