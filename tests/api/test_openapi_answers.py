"""The OpenAPI document is valid OpenAPI 3.1, and what the API answers matches it: each answer of
a ticket's life, a window's, the board's and an error validates against the schema the document
gives for it (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.conftest import login_headers


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def test_the_document_is_valid_openapi(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def _conforms(document: dict[str, Any], path: str, method: str, response: Any) -> None:
    """The answer's body against the schema documented for its status."""
    operation = document["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        name = documented["$ref"].rsplit("/", 1)[1]
        documented = document["components"]["responses"][name]
    schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, f"{method.upper()} {path} {response.status_code}: {errors[0]}"


def test_a_tickets_life_answers_as_documented(client, hall, document):
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    issue_path = "/api/v1/halls/{hall_id}/tickets"
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    )
    _conforms(document, issue_path, "post", issued)
    ticket = issued.get_json()
    waiting = client.get(f"/api/v1/tickets/{ticket['id']}", headers=clerk)
    _conforms(document, "/api/v1/tickets/{ticket_id}", "get", waiting)
    status = client.get(f"/api/v1/ticket-status/{ticket['status_token']}")
    _conforms(document, "/api/v1/ticket-status/{token}", "get", status)

    called = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    _conforms(document, "/api/v1/windows/{window_id}/call-next", "post", called)
    base = "/api/v1/windows/{window_id}/tickets/{ticket_id}"
    here = f"/api/v1/windows/{window}/tickets/{ticket['id']}"
    finish_early = client.post(f"{here}/finish", json={"outcome": "completed"}, headers=clerk)
    assert finish_early.status_code == 409
    _conforms(document, f"{base}/finish", "post", finish_early)
    for action in ("recall", "start"):
        _conforms(
            document, f"{base}/{action}", "post", client.post(f"{here}/{action}", headers=clerk)
        )
    finished = client.post(f"{here}/finish", json={"outcome": "completed"}, headers=clerk)
    _conforms(document, f"{base}/finish", "post", finished)

    board = client.get(f"/api/v1/halls/{hall.id}/board")
    _conforms(document, "/api/v1/halls/{hall_id}/board", "get", board)
    windows = client.get(f"/api/v1/halls/{hall.id}/windows", headers=clerk)
    _conforms(document, "/api/v1/halls/{hall_id}/windows", "get", windows)
    services = client.get(f"/api/v1/halls/{hall.id}/services", headers=clerk)
    _conforms(document, "/api/v1/halls/{hall_id}/services", "get", services)
    halls = client.get("/api/v1/halls", headers=clerk)
    _conforms(document, "/api/v1/halls", "get", halls)
    released = client.post(f"/api/v1/windows/{window}/release", headers=clerk)
    _conforms(document, "/api/v1/windows/{window_id}/release", "post", released)
    bad = client.post(f"/api/v1/halls/{hall.id}/tickets", json={"service_id": "x"}, headers=kiosk)
    _conforms(document, issue_path, "post", bad)


def test_a_clerks_desk_and_the_windows_answer_as_documented(client, hall, document):
    """With a case in hand and one parked: the ticket shapes the counter page reads."""
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    for _ in range(3):
        client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": hall.services["housing"]},
            headers=kiosk,
        )
    parked = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).get_json()
    here = f"/api/v1/windows/{window}/tickets/{parked['id']}"
    assert client.post(f"{here}/start", headers=clerk).status_code == 200
    assert client.post(f"{here}/park", headers=clerk).status_code == 200
    client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)

    desk = client.get(f"/api/v1/windows/{window}/desk", headers=clerk)
    assert desk.get_json()["ticket"]
    _conforms(document, "/api/v1/windows/{window_id}/desk", "get", desk)
    queue = client.get(f"/api/v1/windows/{window}/queue", headers=clerk)
    assert queue.get_json()["parked"] and queue.get_json()["next_ticket"]
    _conforms(document, "/api/v1/windows/{window_id}/queue", "get", queue)
    windows = client.get(f"/api/v1/halls/{hall.id}/windows", headers=clerk)
    _conforms(document, "/api/v1/halls/{hall_id}/windows", "get", windows)
    board = client.get(f"/api/v1/halls/{hall.id}/board")
    assert any(w["current_ticket"] for w in board.get_json()["windows"])
    _conforms(document, "/api/v1/halls/{hall_id}/board", "get", board)
