"""What an integrator reads in the OpenAPI document about the platform endpoints: they are not
public (every one requires the four signature headers, each described, with the string that
is signed), and their answers list every field as required, as they always carry them."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hall_server.core import platform_signature
from tests.prereview.conftest import appointment_fields, pre_review_fields

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def _platform_operations(document):
    for path, operations in document["paths"].items():
        if path.startswith("/api/v1/platform/"):
            for method, operation in operations.items():
                if method not in METHODS:
                    continue
                yield path, method, operation


def test_every_platform_operation_requires_the_four_signature_headers(document):
    schemes = document["components"]["securitySchemes"]
    by_header = {
        scheme["name"]: name
        for name, scheme in schemes.items()
        if scheme["type"] == "apiKey" and scheme["in"] == "header"
    }
    assert set(platform_signature.SIGNED_HEADERS) <= set(by_header)
    required_together = {by_header[header]: [] for header in platform_signature.SIGNED_HEADERS}

    operations = list(_platform_operations(document))
    assert len(operations) == 4
    for path, method, operation in operations:
        assert operation.get("security") == [required_together], (method, path)

    signature = schemes[by_header[platform_signature.SIGNATURE_HEADER]]["description"]
    assert "HMAC-SHA256" in signature
    assert "<timestamp>\\n<nonce>\\n<METHOD>\\n<path[?query]>\\n<raw body>" in signature


def test_no_other_operation_asks_for_the_signature(document):
    signature_schemes = {
        name
        for name, scheme in document["components"]["securitySchemes"].items()
        if scheme.get("name") in platform_signature.SIGNED_HEADERS
    }
    for path, operations in document["paths"].items():
        if path.startswith("/api/v1/platform/"):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for requirement in operation.get("security", []):
                assert not signature_schemes & set(requirement), (method, path)


@pytest.mark.parametrize("name", ["PreReview", "Appointment", "Service", "PrintJob"])
def test_answers_that_always_carry_every_field_require_them(document, name):
    schema = document["components"]["schemas"][name]
    assert set(schema.get("required", [])) == set(schema["properties"])


def _conforms(document, path, method, response) -> None:
    documented = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    assert not list(validator.iter_errors(response.get_json()))


def test_platform_answers_carry_every_required_field(document, platform, clock):
    pushed = platform.push_pre_review("APP-9", **pre_review_fields(clock))
    booked = platform.push_appointment("APT-9", **appointment_fields(clock, slot_in_minutes=60))

    assert pushed.status_code == booked.status_code == 200, (pushed.get_json(), booked.get_json())
    _conforms(document, "/api/v1/platform/pre-reviews/{application_id}", "put", pushed)
    _conforms(document, "/api/v1/platform/appointments/{appointment_id}", "put", booked)
