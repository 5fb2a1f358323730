"""Paper widths the kiosks use, with the python-escpos printer profile assumed for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaperProfile:
    """A paper roll width and the printer model it is assumed to run in."""

    name: str
    columns: int  # Font A (12x24 dots) cells per line; a CJK character takes two
    printable_dots: int
    escpos_profile: str  # a profile name from python-escpos's capabilities database
    qr_module_dots: int


# The python-escpos profiles were chosen for their width and capabilities in
# escpos-printer-db: TM-T20II is a 576-dot, 48-column printer with native QR (GS ( k)
# and a cutter; POS-5890 is the generic 384-dot, 32-column Chinese 58 mm printer,
# listed without native QR (the QR is sent as a raster image) and without a cutter.
PAPER_PROFILES: dict[str, PaperProfile] = {
    "58mm": PaperProfile("58mm", 32, 384, "POS-5890", 5),
    "80mm": PaperProfile("80mm", 48, 576, "TM-T20II", 6),
}


def paper_profile(name: str) -> PaperProfile:
    """Return the paper profile called `name` ("58mm" or "80mm")."""
    try:
        return PAPER_PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown paper {name!r}; expected one of {', '.join(PAPER_PROFILES)}"
        ) from None
