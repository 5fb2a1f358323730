"""Fixtures for the managers' API: a city hall with a township below it, and logins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hall_server.operations.credentials import hash_password
from hall_server.storage.models import User
from tests.conftest import login_headers
from tests.factories import PASSWORD, TestHall, build_hall


@dataclass
class Network:
    city: TestHall
    township: TestHall
    admin_number: str


def add_user(database: Any, staff_number: str, role: str, hall_id: int) -> int:
    with database.transaction() as uow:
        user = User(
            staff_number=staff_number,
            name=staff_number,
            password_hash=hash_password(PASSWORD),
            role=role,
            hall_id=hall_id,
            active=True,
        )
        uow.session.add(user)
        uow.session.flush()
        return user.id


@pytest.fixture
def network(app: Any, hall: TestHall, clock: Any) -> Network:
    """The conftest's hall as the city hall, a township hall below it, and a city admin."""
    database = app.extensions["hallq_db"]
    township = build_hall(database, clock(), code="township", parent_id=hall.id, level="township")
    add_user(database, "city-admin", "admin", hall.id)
    return Network(city=hall, township=township, admin_number="city-admin")


@pytest.fixture
def manager(client: Any, hall: TestHall) -> dict[str, str]:
    return login_headers(client, hall.manager_number)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
