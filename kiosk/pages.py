"""The kiosk pages (being built; see the issue tracker)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "kiosk_pages",
    __name__,
    url_prefix="/kiosk",
    template_folder="templates",
    static_folder="static",
)
