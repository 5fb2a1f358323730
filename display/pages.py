"""The display pages (being built; see the issue tracker)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "display_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/display/static",
)
