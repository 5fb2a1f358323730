"""A whole number written as a decimal (4.0) is an integer, as JSON Schema and the OpenAPI
document have it: every integer field of every request takes it as 4, ids too, and still
refuses a fraction (4.5) rather than cutting it down."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
from marshmallow import ValidationError, fields

import hall_server.api
from hall_server.api.schemas import StrictSchema
from tests.conftest import login_headers


def request_schemas() -> Iterator[type[StrictSchema]]:
    seen = set()
    for module_info in pkgutil.iter_modules(hall_server.api.__path__):
        module = importlib.import_module(f"hall_server.api.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, StrictSchema) and value is not StrictSchema and value not in seen:
                seen.add(value)
                yield value


def integer_fields() -> Iterator[tuple[type[StrictSchema], str, bool]]:
    for schema_class in request_schemas():
        for name, field in schema_class().load_fields.items():
            if isinstance(field, fields.Integer):
                yield schema_class, field.data_key or name, False
            elif isinstance(field, fields.List) and isinstance(field.inner, fields.Integer):
                yield schema_class, field.data_key or name, True


def _field_errors(schema_class: type[StrictSchema], key: str, value: object) -> list[str]:
    try:
        schema_class().load({key: value}, partial=True)
    except ValidationError as error:
        found = error.messages.get(key, []) if isinstance(error.messages, dict) else []
        return found if isinstance(found, list) else [str(found)]
    return []


def test_every_integer_field_of_every_request_takes_a_whole_decimal_and_refuses_a_fraction():
    walked = list(integer_fields())
    assert len(walked) > 30  # the walk reaches the API's request schemas
    for schema_class, key, is_list in walked:
        whole, fraction = ([7.0], [7.5]) if is_list else (7.0, 7.5)
        where = f"{schema_class.__name__}.{key}"
        assert "Not a valid integer." not in _field_errors(schema_class, key, whole), where
        assert "Not a valid integer." in _field_errors(schema_class, key, fraction), where


@pytest.fixture
def admin(client, hall):
    from tests.manager.conftest import add_user

    add_user(client.application.extensions["hallq_db"], "whole-admin", "admin", hall.id)
    return login_headers(client, "whole-admin")


def test_a_hall_takes_max_recalls_written_as_4_0_and_refuses_4_5(client, hall, admin):
    path = f"/api/v1/halls/{hall.id}"

    taken = client.patch(path, json={"max_recalls": 4.0}, headers=admin)
    refused = client.patch(path, json={"max_recalls": 4.5}, headers=admin)

    assert taken.status_code == 200, taken.get_json()
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "max_recalls"


def test_ids_written_as_decimals_issue_a_ticket(client, hall):
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": float(hall.services["housing"])},
        headers=kiosk,
    )
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["service"]["id"] == hall.services["housing"]
