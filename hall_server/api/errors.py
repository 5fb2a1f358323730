"""Every failure becomes {"error": {"code", "message", "field"?}} with a fitting status.

The message is in the request's language (hall_server/api/error_translation.py); the code and
field stay as they are, for clients that key on them.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from hall_server.api.documentation import (
    PLATFORM_SECURITY_SCHEMES,
    WriteConventionsPlugin,
    null_in_nullable_enums,
)
from hall_server.api.error_translation import translate_error
from hall_server.api.schemas import MAX_RECORD_ID, ErrorResponse
from hall_server.core.refusals import Refused
from hall_server.storage.database import CommitOutcomeUnknown, DatabaseUnavailable

log = logging.getLogger(__name__)

# A refusal's code decides its HTTP status; a code not listed is a conflict with the state of
# things (409): an invalid transition, a window busy, a booking already used.
STATUS_BY_CODE = {
    "validation_failed": 422,
    "bad_request": 400,
    "not_found": 404,
    "unauthorized": 401,
    "bad_credentials": 401,
    "forbidden_hall": 403,
    "forbidden_role": 403,
    "not_your_window": 403,
    "invalid_outcome": 422,
    "invalid_visitor_class": 422,
    "invalid_id_number": 422,
    "invalid_pause_reason": 422,
    "invalid_change": 422,
    "invalid_device_kind": 422,
    "invalid_prefix": 422,
    "transfer_target_missing": 422,
    "window_required": 422,
    "duplicate_service": 422,
    "idempotency_key_reused": 422,
    # online platforms (hall_server/operations/online_platform.py) and calling settings
    "bad_signature": 401,
    "stale_request": 401,
    "replayed_request": 401,
    "invalid_slot": 422,
    "invalid_webhook": 422,
    "invalid_calling_settings": 422,
    "unexpected_idempotency_key": 422,
    # administration and reports (hall_server/operations/administration.py, reports.py)
    "invalid_level": 422,
    "invalid_time_zone": 422,
    "invalid_opening_hours": 422,
    "invalid_parent": 422,
    "invalid_role": 422,
    "invalid_file": 422,
    "invalid_period": 422,
    "invalid_dimension": 422,
    "too_many_lines": 422,
    "weak_password": 422,
    # ratings and print results (hall_server/operations/ratings.py, print_jobs.py)
    "invalid_rating_level": 422,
    "invalid_rating_reason": 422,
    "comment_too_long": 422,
    "invalid_printer_status": 422,
    "invalid_print_result": 422,
    # the break rota and planned pauses (hall_server/operations/break_rota.py)
    "invalid_break": 422,
    "break_overlap": 422,
    "window_not_in_hall": 422,
    "invalid_pause_minutes": 422,
    # tickets taken remotely (hall_server/core/remote_issuing.py)
    "invalid_phone": 422,
    "remote_tickets_off": 403,
    "service_not_remote": 403,
    "invalid_remote_settings": 422,
}
CODE_BY_HTTP_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return {"error": detail}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """The JSON answer, its English `message` translated for the reader."""
    response = jsonify(error_body(code, translate_error(message), field))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def status_for(refusal: Refused) -> int:
    return STATUS_BY_CODE.get(refusal.code, 409)


def _first_validation_error(messages: Any, path: str = "") -> tuple[str | None, str]:
    """webargs nests errors by location then field; report the first field and its message."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            location_names = {"json", "query", "form", "headers", "files", "view_args"}
            inner_path = path if key in location_names else (f"{path}.{key}" if path else str(key))
            return _first_validation_error(value, inner_path)
    if isinstance(messages, list) and messages:
        first = messages[0]
        if isinstance(first, (dict, list)):
            return _first_validation_error(first, path)
        return (path or None, str(first))
    return (path or None, str(messages))


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every path is a stored row's id: one beyond MAX_RECORD_ID names no row,
    so the path matches no route (404), rather than reaching the database (SQLite raises on an
    integer wider than 64 bits)."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_RECORD_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class HallqApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, answering and documenting errors in HallQ's one error format."""

    ERROR_SCHEMA = ErrorResponse

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        # Before any route is added, so every `<int:...>`, pages' too, is a bounded id; the
        # OpenAPI document gives its maximum.
        app.url_map.converters["int"] = RecordIdConverter
        plugins = [WriteConventionsPlugin(app, STATUS_BY_CODE)]
        # Paths are absolute from the server's root ("/api/v1/…"): the document's own server.
        spec_kwargs = {"extra_plugins": plugins, "servers": [{"url": "/"}], **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.ma_plugin.converter.add_attribute_function(null_in_nullable_enums)
        for name, scheme in PLATFORM_SECURITY_SCHEMES.items():
            self.spec.components.security_scheme(name, scheme)

    def handle_http_exception(self, error: HTTPException) -> Any:
        return http_error_response(error)


# marshmallow's answer to a body that is a list, a string or a number where an object belongs.
_NOT_AN_OBJECT = ("_schema", "Invalid input type.")
NOT_AN_OBJECT = "the body must be a JSON object: {...} holding the fields this request takes"
TOO_LARGE = (
    "the request body is over %(limit)s KiB, the most the server accepts; nothing was "
    "changed: send less (shorter texts, or a large file in several parts)"
)


def http_error_response(error: HTTPException) -> Any:
    status = error.code or 500
    code = CODE_BY_HTTP_STATUS.get(status, "error")
    message = error.description or error.name
    field = None
    headers: dict[str, str] = {}
    data = getattr(error, "data", None) or {}
    if "messages" in data or "errors" in data:
        field, message = _first_validation_error(data.get("errors") or data.get("messages"))
        if field is None and message.startswith("Invalid JSON"):
            code, status = "malformed_json", 400
        if status == 422 and field and message == "Unknown field.":
            code = "unknown_field"
        if (field, message) == _NOT_AN_OBJECT:  # the whole body, not a field, is at fault
            field, message = None, NOT_AN_OBJECT
    elif "message" in data:
        message = data["message"]
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        message = TOO_LARGE % {"limit": limit}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # as HTTP requires of a 405
    if status == 429:
        message = f"too many requests ({error.description}); please wait a moment and retry"
        headers["Retry-After"] = "60"
    if status >= 500:
        code, message = "internal_error", "something went wrong on the server; please retry"
    return error_response(status, code, message, field, headers)


DATABASE_UNAVAILABLE = (
    "the server cannot reach its database right now; nothing was changed, "
    "please try again in a few seconds"
)
COMMIT_OUTCOME_UNKNOWN = (
    "the connection to the database was lost while the change was being saved: it is not "
    "known whether it was made. Retry with the same Idempotency-Key (if it was made, the "
    "first result is answered), or check before doing it again"
)


def unavailable_message(error: DatabaseUnavailable) -> str:
    """What a 503 says (in English, translated on the way out): "nothing was changed" only
    when that is known; a connection lost during COMMIT leaves it unknown."""
    return (
        COMMIT_OUTCOME_UNKNOWN if isinstance(error, CommitOutcomeUnknown) else DATABASE_UNAVAILABLE
    )


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Refused)
    def _refused(refusal: Refused) -> Any:
        return error_response(status_for(refusal), refusal.code, refusal.message, refusal.field)

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(error: DatabaseUnavailable) -> Any:
        log.warning("database unavailable: %s", _first_line(error))
        return error_response(
            503, "service_unavailable", unavailable_message(error), headers={"Retry-After": "5"}
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if error.response is not None:
            return error.response  # a page's own answer, such as its "busy" page on a 429
        return http_error_response(error)

    @app.errorhandler(OverflowError)
    def _overflowing_id(error: OverflowError) -> Any:
        # An id in a body that no schema bounds (record_id) reached SQLite, which cannot even
        # compare an integer that wide; PostgreSQL finds no row. Either way: no such thing.
        if "too large to convert to SQLite INTEGER" not in str(error):
            return _unexpected(error)
        return error_response(404, "not_found", "no such record: the id is too large")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("unhandled error")
        return error_response(
            500, "internal_error", "something went wrong on the server; please retry"
        )
