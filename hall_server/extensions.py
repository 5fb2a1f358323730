"""The Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from flask import Response, request
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

# Statuses that tell a client to come back later; Retry-After means nothing on any other answer.
RETRY_LATER_STATUSES = (429, 503)


def retry_after_only_when_refused(response: Response) -> Response:
    """The limiter's headers give every limited answer a Retry-After (RFC 9110 gives it to 429,
    503 and redirects only): a client or proxy reading it on a 201 would wait for nothing.
    Registered before the limiter, so it runs after the limiter added its headers."""
    if response.status_code not in RETRY_LATER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response
