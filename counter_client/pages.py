"""The counter_client pages (being built; see the issue tracker)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "counter_client_pages",
    __name__,
    url_prefix="/counter",
    template_folder="templates",
    static_folder="static",
)
