"""The Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_socketio import SocketIO

from hall_server.api.errors import HallqApi

socketio = SocketIO()
babel = Babel()
api = HallqApi()


def _client_address() -> str:
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_address, default_limits=[])
