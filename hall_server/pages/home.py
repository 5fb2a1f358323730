"""The start page: links to every page of the hall, for a new user finding their way."""

from __future__ import annotations

from flask import Blueprint, jsonify

blueprint = Blueprint("home", __name__)


@blueprint.get("/healthz")
def health() -> object:
    """For load balancers: the process answers. (Database problems show as 503 on real calls.)
    Also says which server loop answers and whether its monkey patching took, so operators
    and the live tests can see that `--async-mode` was honoured."""
    from hall_server.entry import is_patched
    from hall_server.extensions import socketio

    mode = socketio.server.eio.async_mode if socketio.server else "none"
    return jsonify({"ok": True, "async_mode": mode, "patched": is_patched(mode)})
