"""The start page: links to every page of the hall, for a new user finding their way."""

from __future__ import annotations

from flask import Blueprint, jsonify

blueprint = Blueprint("home", __name__)


@blueprint.get("/healthz")
def health() -> object:
    """For load balancers: the process answers. (Database problems show as 503 on real calls.)"""
    return jsonify({"ok": True})
