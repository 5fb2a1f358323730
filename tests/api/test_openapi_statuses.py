"""Every status the API answers is in the OpenAPI document for that operation, with the headers
it carries: the test walks every /api/v1 route with each kind of caller (none, a kiosk, a
board, a clerk, a manager) and with bodies a client gets wrong, and checks each answer's
status against the document. Found this way: 403 on GET /auth/me for a device's token, and
422 on the device settings."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from hall_server.api.errors import STATUS_BY_CODE
from tests.conftest import login_headers

ROOT = Path(__file__).resolve().parents[2]
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def _openapi_path(rule: str) -> str:
    return PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _concrete(rule: str, hall: Any, ticket_id: int) -> str:
    ids = {
        "hall_id": hall.id,
        "window_id": hall.windows[1],
        "service_id": hall.services["housing"],
        "device_id": hall.kiosk_id,
        "ticket_id": ticket_id,
        "user_id": hall.manager_id,
    }
    return PARAMETER.sub(lambda match: str(ids.get(match.group(2), 1)), rule)


def _answers(app, client, hall) -> list[tuple[str, str, int, Any]]:
    """(documented path, method, status, response) for every route and caller."""
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()
    callers = {
        "nobody": {},
        "kiosk": kiosk,
        "board": {"Authorization": f"Bearer {hall.board_token}"},
        "clerk": login_headers(client, hall.clerk_numbers[1]),
        "manager": login_headers(client, hall.manager_number),
    }
    bodies = [None, {}, {"no_such_field": 1}, []]
    answers = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        url = _concrete(rule.rule, hall, ticket["id"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for caller, headers in callers.items():
                for body in bodies if method in WRITE_METHODS else [None]:
                    response = client.open(url, method=method, json=body, headers=headers)
                    answers.append((_openapi_path(rule.rule), method.lower(), caller, response))
    return answers


def test_every_status_the_api_answers_is_documented(app, client, hall, document):
    undocumented = set()
    statuses = set()
    for path, method, caller, response in _answers(app, client, hall):
        statuses.add(response.status_code)
        assert response.status_code < 500, (method, path, caller, response.get_json())
        documented = document["paths"][path][method]["responses"]
        if str(response.status_code) not in documented:
            undocumented.add(f"{method.upper()} {path} {response.status_code} ({caller})")
    assert {200, 401, 403, 404, 422} <= statuses  # the walk reaches refusals of each kind
    assert sorted(undocumented) == [], "\n".join(sorted(undocumented))


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            yield path, method, operation


def test_refusals_that_say_when_to_retry_document_retry_after(document):
    statuses_seen = set()
    for path, method, operation in _operations(document):
        for status in ("429", "503"):
            if status in operation["responses"]:
                statuses_seen.add(status)
                headers = operation["responses"][status].get("headers", {})
                assert "Retry-After" in headers, (method, path, status)
    assert statuses_seen == {"429", "503"}


def test_every_rate_limited_operation_documents_429(document):
    """Issuing, logging in and the remote ticket pages are limited per caller."""
    for path, method in [
        ("/api/v1/halls/{hall_id}/tickets", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/remote/halls/{hall_code}", "get"),
        ("/api/v1/remote/halls/{hall_code}/tickets", "post"),
    ]:
        assert "429" in document["paths"][path][method]["responses"], (method, path)


def test_answers_that_may_be_replays_document_idempotent_replayed(document):
    keyed = 0
    for path, method, operation in _operations(document):
        if not any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
            continue
        keyed += 1
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                assert "Idempotent-Replayed" in response.get("headers", {}), (method, path)
    assert keyed > 10


def test_the_document_names_its_server_so_relative_paths_resolve(document):
    assert document["servers"] == [{"url": "/"}]


ISSUING_SOURCES = [
    "hall_server/core/issuing_rules.py",
    "hall_server/core/remote_issuing.py",
    "hall_server/operations/booked_arrival.py",
]


def _conflict_codes_raised_in(relative: str) -> set[str]:
    """The codes of the 409 refusals a module raises (`Refused("code", ...)`)."""
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
    return {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) == "Refused"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and STATUS_BY_CODE.get(call.args[0].value, 409) == 409
    }


@pytest.mark.parametrize(
    ("path", "sources"),
    [
        ("/api/v1/halls/{hall_id}/tickets", ISSUING_SOURCES[::2]),
        ("/api/v1/remote/halls/{hall_code}/tickets", ISSUING_SOURCES),
    ],
)
def test_issuings_409_lists_every_conflict_code_it_can_answer(document, path, sources):
    description = document["paths"][path]["post"]["responses"]["409"]["description"]
    codes = set().union(*(_conflict_codes_raised_in(source) for source in sources))
    codes -= {"no_remote_services"}  # the offer's reason only (docs/remote_tickets.md)
    assert {"daily_quota_reached", "booking_used", "hall_closed"} <= codes
    assert sorted(code for code in codes if f"`{code}`" not in description) == []
