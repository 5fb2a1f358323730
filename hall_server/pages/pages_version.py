"""Which version of the pages this server hands out: a hash of what browsers run and read.

Boards, window displays, kiosks and rating pads stay open for weeks. After an upgrade they
would go on running the old JavaScript against the new server; the version goes with every
live snapshot, so a page that reconnects to a server with other pages can reload itself (or,
where a person is at work, say that a reload is due). See hall_server/pages/static/live_client.js.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The packages whose static files, templates and translations make up the pages.
PAGE_PACKAGES = ("hall_server", "kiosk", "display", "counter_client")
PAGE_FILE_SUFFIXES = frozenset({".js", ".css", ".html", ".po"})


@functools.cache
def pages_version(override: str = "") -> str:
    """12 hex digits that change when any page file changes; `override` (the setting
    PAGES_VERSION) replaces it, e.g. to make every screen reload without an upgrade."""
    if override:
        return override
    digest = hashlib.sha256()
    for package in PAGE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in PAGE_FILE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
