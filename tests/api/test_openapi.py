"""The OpenAPI document is complete: every API route is in it, with schemas and errors."""

from __future__ import annotations

from tests.conftest import login_headers


def test_every_api_route_is_documented(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "delete", "patch"}
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<string:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from OpenAPI"


def test_writes_document_their_errors_and_security(client):
    document = client.get("/api/openapi.json").get_json()
    call_next = document["paths"]["/api/v1/windows/{window_id}/call-next"]["post"]
    assert {"200", "401", "403", "404", "409"} <= set(call_next["responses"])
    assert call_next["security"] == [{"bearerAuth": []}]
    error_schema = document["components"]["schemas"]["ErrorResponse"]
    assert "error" in error_schema["properties"]
    issue = document["paths"]["/api/v1/halls/{hall_id}/tickets"]["post"]
    assert "requestBody" in issue and "429" in issue["responses"]


def _writes(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_write_documents_the_size_limit_and_json_bodies(client):
    document = client.get("/api/openapi.json").get_json()
    for path, method, operation in _writes(document):
        assert "413" in operation["responses"], (method, path)
        if "requestBody" in operation and "application/json" in operation["requestBody"]["content"]:
            assert "415" in operation["responses"], (method, path)


def test_every_write_that_honours_an_idempotency_key_documents_it(client, hall):
    """Finishing a case honours the key (a retry gets the first answer back): it says so."""
    document = client.get("/api/openapi.json").get_json()
    keyed = {
        (path, method)
        for path, method, operation in _writes(document)
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert ("/api/v1/windows/{window_id}/tickets/{ticket_id}/finish", "post") in keyed
    assert ("/api/v1/halls/{hall_id}/tickets", "post") in keyed
    assert ("/api/v1/windows/{window_id}/call-next", "post") in keyed
    # Platform pushes are idempotent by their id and refuse the header.
    assert not any(path.startswith("/api/v1/platform/") for path, _method in keyed)

    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clerk = login_headers(client, hall.clerk_numbers[1])
    client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    )
    window = f"/api/v1/windows/{hall.windows[1]}"
    ticket = client.post(f"{window}/call-next", headers=clerk).get_json()
    client.post(f"{window}/tickets/{ticket['id']}/start", headers=clerk)
    finish = f"{window}/tickets/{ticket['id']}/finish"
    keyed_clerk = {**clerk, "Idempotency-Key": "finish-once"}
    first = client.post(finish, json={"outcome": "completed"}, headers=keyed_clerk)
    again = client.post(finish, json={"outcome": "completed"}, headers=keyed_clerk)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
