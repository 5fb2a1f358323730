"""The OpenAPI document is complete: every API route is in it, with schemas and errors."""

from __future__ import annotations


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
