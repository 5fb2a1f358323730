"""Shared OpenAPI decorations: the bearer scheme and the error answers every write can give."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from hall_server.api.schemas import ErrorResponse

ERROR_DESCRIPTIONS = {
    400: "malformed request (e.g. invalid JSON)",
    401: "no valid credential",
    403: "the credential may not do this here",
    404: "unknown id",
    409: "refused by the queue's rules (e.g. finish before start); nothing changed",
    422: "invalid field; `field` names it",
    429: "too many requests; retry after the Retry-After seconds",
    503: "database unreachable; nothing changed, retry",
}
BEARER = [{"bearerAuth": []}]


def documented_errors(blueprint: Blueprint, *statuses: int) -> Callable[[Any], Any]:
    def decorate(view: Any) -> Any:
        for status in statuses:
            view = blueprint.alt_response(
                status, schema=ErrorResponse, description=ERROR_DESCRIPTIONS[status]
            )(view)
        return view

    return decorate


WRITE_ERRORS = (400, 401, 403, 404, 409, 422, 503)
READ_ERRORS = (401, 403, 404, 503)
