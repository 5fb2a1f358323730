"""Shared OpenAPI decorations: the bearer scheme and the error answers every write can give."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from apispec import BasePlugin
from flask import Flask
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
    413: "the request body is over 256 KiB; nothing changed",
    415: "the body is not JSON: send it with Content-Type: application/json",
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


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": (
        "Any unique string (e.g. a UUID) of 1 to 200 characters, chosen by the client for one "
        "intended change. A retry with the same key and credential gets the first answer back "
        "(with the header `Idempotent-Replayed: true`) instead of the change happening twice; "
        "the same key with a different request is refused (`idempotency_key_reused`). Answers "
        "are kept 48 hours (docs/deploy.md). Keys are per credential."
    ),
}
_WRITE_METHODS = ("post", "put", "patch", "delete")


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


class WriteConventionsPlugin(BasePlugin):  # type: ignore[misc]
    """Documents, on every write, what the edge does for every write rather than what each
    route declares: a body over the size limit (413) and one that is not JSON (415) are refused,
    and a write that runs its use case through `edge.perform` honours an Idempotency-Key. The
    last is read off the view itself, so the document cannot drift from the code."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = inspect.unwrap(self.app.view_functions[rule.endpoint])
        honours_idempotency_key = "perform" in view.__code__.co_names
        for method, operation in operations.items():
            if method not in _WRITE_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("413", _error_response(413))
            if "requestBody" in operation:
                responses.setdefault("415", _error_response(415))
            if honours_idempotency_key:
                parameters = operation.setdefault("parameters", [])
                parameters[:] = [p for p in parameters if p.get("name") != "Idempotency-Key"]
                parameters.append(IDEMPOTENCY_KEY)


def null_in_nullable_enums(_converter: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict:
    """An apispec attribute function: a field that may be null and lists its values (`enum`)
    lists null among them, as JSON Schema requires for null to be valid (OpenAPI 3.1)."""
    if field.allow_none and "enum" in ret and None not in ret["enum"]:
        return {"enum": [*ret["enum"], None]}
    return {}
