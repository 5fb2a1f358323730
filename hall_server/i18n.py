"""Translation catalogues: where they live, and compiling .po to .mo when a .po is newer."""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIRECTORIES = [
    ROOT / "hall_server" / "translations",
    ROOT / "kiosk" / "translations",
    ROOT / "display" / "translations",
    ROOT / "counter_client" / "translations",
    ROOT / "hall_server" / "manager" / "translations",
    ROOT / "hall_server" / "pages" / "translations",
]


def translation_directories() -> str:
    return ";".join(str(d) for d in CATALOGUE_DIRECTORIES if d.is_dir())


def compile_catalogues() -> list[Path]:
    """Compile every stale messages.po; returns what it wrote. Safe to call at every start."""
    written = []
    for directory in CATALOGUE_DIRECTORIES:
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            try:
                with po_path.open("rb") as po_file:
                    catalogue = read_po(po_file)
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalogue)
                written.append(mo_path)
            except OSError as error:  # a read-only install ships compiled catalogues
                log.warning("cannot compile %s: %s", po_path, error)
    return written
