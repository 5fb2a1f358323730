"""Shared OpenAPI decorations: the bearer and platform-signature schemes, the error answers
every write can give, and the headers the edge sends."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from apispec import BasePlugin
from flask import Flask
from flask_smorest import Blueprint

from hall_server.api.schemas import ErrorResponse
from hall_server.core import platform_signature

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

# The online platforms' HMAC signature (core/platform_signature.py, docs/online_platform.md):
# four headers, all required together, so one requirement names the four schemes.
STRING_TO_SIGN = "`<timestamp>\\n<nonce>\\n<METHOD>\\n<path[?query]>\\n<raw body>`"
PLATFORM_SECURITY_SCHEMES = {
    "platformCode": {
        "type": "apiKey",
        "in": "header",
        "name": platform_signature.PLATFORM_HEADER,
        "description": "the platform's code, as registered with `hallq add-platform --code`. "
        "One of four signature headers, all required: "
        + ", ".join(f"`{header}`" for header in platform_signature.SIGNED_HEADERS),
    },
    "platformTimestamp": {
        "type": "apiKey",
        "in": "header",
        "name": platform_signature.TIMESTAMP_HEADER,
        "description": "Unix seconds when the request was signed (digits only); refused "
        "(`stale_request`) when more than 5 minutes from the server's clock",
    },
    "platformNonce": {
        "type": "apiKey",
        "in": "header",
        "name": platform_signature.NONCE_HEADER,
        "description": "8 to 64 letters, digits, `-` or `_`, new for every signed request; "
        "a signature seen before is refused (`replayed_request`)",
    },
    "platformSignature": {
        "type": "apiKey",
        "in": "header",
        "name": platform_signature.SIGNATURE_HEADER,
        "description": "`sha256=` + hex HMAC-SHA256, keyed with the platform's shared secret "
        "(printed once by `hallq add-platform`), of the string to sign "
        f"{STRING_TO_SIGN} (`\\n`: one line feed): the timestamp and nonce as sent, the "
        "method in upper case, the path from `/api/v1/` on, percent-decoded, with `?` and "
        "the query as sent if there is one, then the body's bytes exactly as sent (empty for "
        "a DELETE). A wrong one is refused (`bad_signature`). docs/online_platform.md "
        "(Signing) has a worked example.",
    },
}
PLATFORM_SIGNED: list[dict[str, list[str]]] = [{name: [] for name in PLATFORM_SECURITY_SCHEMES}]


def documented_errors(
    blueprint: Blueprint, *statuses: int, descriptions: dict[int, str] | None = None
) -> Callable[[Any], Any]:
    """The error answers a view gives; `descriptions` says more than the usual for a status."""
    chosen = {**ERROR_DESCRIPTIONS, **(descriptions or {})}

    def decorate(view: Any) -> Any:
        for status in statuses:
            view = blueprint.alt_response(status, schema=ErrorResponse, description=chosen[status])(
                view
            )
        return view

    return decorate


# The codes of issuing's 409 refusals (core/issuing_rules.py, operations/booked_arrival.py,
# core/remote_issuing.py), so that a client can tell a visitor why without trying each case.
ISSUING_CONFLICTS = (
    "hall_closed",
    "outside_issuing_hours",
    "daily_quota_reached",
    "already_holds_ticket",
    "no_window_serves",
    "service_not_offered",
    "booking_cancelled",
    "booking_used",
    "booking_not_today",
    "booking_for_other_service",
    "no_booking_for_id_card",
    "pre_review_cancelled",
    "pre_review_expired",
    "pre_review_used",
    "pre_review_for_other_service",
)
REMOTE_ISSUING_CONFLICTS = (
    "phone_daily_limit_reached",
    "remote_tickets_full",
    "remote_share_reached",
)


def conflicts_description(codes: tuple[str, ...]) -> str:
    listed = ", ".join(f"`{code}`" for code in codes)
    return (
        f"refused by the issuing rules; nothing changed. `error.code` is one of {listed} "
        "(docs/kiosk_vendors.md, docs/remote_tickets.md); `error.message` says why, for the visitor"
    )


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
RETRY_AFTER = {
    "description": "seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}
IDEMPOTENT_REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "Idempotency-Key (nothing was done again); absent on a first answer",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_LATER_STATUSES = ("429", "503")
# What a view calls (api/edge.py) to reach the database, which may be unreachable (503).
_DATABASE_USERS = {"perform", "read", "database", "require_actor", "current_actor"}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


def _code_objects(code: Any) -> Any:
    yield code
    for constant in code.co_consts:
        if inspect.iscode(constant):
            yield from _code_objects(constant)


def refusal_codes_in(view: Any) -> set[str]:
    """The refusal codes a view raises itself (`Refused("forbidden_role", ...)`, in it or in a
    function defined inside it): those it names in its own code. Refusals of the use cases it
    calls are declared on the route."""
    return {
        constant
        for code in _code_objects(view.__code__)
        for constant in code.co_consts
        if isinstance(constant, str)
    }


def _rate_limited(view: Any) -> bool:
    """Whether flask-limiter's decorator is among the view's wrappers (it keeps the wrapped
    view's name, so only where its code lives tells it apart)."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "flask_limiter" in code.co_filename:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


class WriteConventionsPlugin(BasePlugin):  # type: ignore[misc]
    """Documents what the edge does for every route rather than what each route declares, read
    off the view itself so that the document cannot drift from the code:

    - on every write, a body over the size limit (413) and one that is not JSON (415) are
      refused, and a write that runs its use case through `edge.perform` honours an
      Idempotency-Key, its answers marked `Idempotent-Replayed` when replayed;
    - a refusal the view raises itself has its status (e.g. 403 for `forbidden_role`);
    - a rate-limited view answers 429, one that reaches the database 503 when it is
      unreachable; 429 and 503 carry `Retry-After`.
    """

    def __init__(self, app: Flask, status_by_code: dict[str, int]) -> None:
        self.app = app
        self.status_by_code = status_by_code

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        wrapped = self.app.view_functions[rule.endpoint]
        view = inspect.unwrap(wrapped)
        honours_idempotency_key = "perform" in view.__code__.co_names
        refusal_statuses = {
            self.status_by_code[code]
            for code in refusal_codes_in(view)
            if code in self.status_by_code
        }
        if _rate_limited(wrapped):
            refusal_statuses.add(429)
        if _DATABASE_USERS & {
            name for code in _code_objects(view.__code__) for name in code.co_names
        }:
            refusal_statuses.add(503)  # errors.py: the database unreachable
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            documented = {str(status) for status in responses}  # apispec keeps ints and strs
            for status in sorted(refusal_statuses):
                if str(status) not in documented:
                    responses[str(status)] = _error_response(status)
            if method in _WRITE_METHODS:
                responses.setdefault("413", _error_response(413))
                if "requestBody" in operation:
                    responses.setdefault("415", _error_response(415))
            if method in _WRITE_METHODS and honours_idempotency_key:
                parameters = operation.setdefault("parameters", [])
                parameters[:] = [p for p in parameters if p.get("name") != "Idempotency-Key"]
                parameters.append(IDEMPOTENCY_KEY)
                for status, response in responses.items():
                    if str(status).startswith("2") and "$ref" not in response:
                        response.setdefault("headers", {})["Idempotent-Replayed"] = (
                            IDEMPOTENT_REPLAYED
                        )
            for status, response in responses.items():
                if str(status) in RETRY_LATER_STATUSES and "$ref" not in response:
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER


def null_in_nullable_enums(_converter: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict:
    """An apispec attribute function: a field that may be null and lists its values (`enum`)
    lists null among them, as JSON Schema requires for null to be valid (OpenAPI 3.1)."""
    if field.allow_none and "enum" in ret and None not in ret["enum"]:
        return {"enum": [*ret["enum"], None]}
    return {}
