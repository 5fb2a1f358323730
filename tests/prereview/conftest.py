"""A hall with an online platform, and a client that signs requests the way platforms do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from hall_server.core.platform_signature import signed_headers
from hall_server.operations.online_platform import id_number_hash
from hall_server.storage.models import Platform
from tests.factories import TestHall

SECRET = "platform-shared-secret-for-tests"
ID_NUMBER = "11010519491231002X"


@dataclass
class PlatformClient:
    """Sends signed requests as the online platform; `sign_with` and `at` let tests forge."""

    client: Any
    clock: Any
    code: str
    secret: str

    def signed(
        self,
        method: str,
        path: str,
        payload: Any = None,
        at: datetime | None = None,
        sign_with: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a request signed now (or `at`) with a fresh nonce, ready to
        send, or to replay."""
        body = b"" if payload is None else json.dumps(payload).encode()
        secret = sign_with or self.secret
        return body, signed_headers(self.code, secret, method, path, body, at or self.clock())

    def deliver(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Any:
        return self.client.open(
            path, method=method, data=body, headers=headers, content_type="application/json"
        )

    def send(
        self,
        method: str,
        path: str,
        payload: Any = None,
        at: datetime | None = None,
        sign_with: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        body, headers = self.signed(method, path, payload, at, sign_with)
        headers.update(extra_headers or {})
        return self.deliver(method, path, body, headers)

    def push_pre_review(self, application_id: str, **fields: Any) -> Any:
        return self.send("PUT", f"/api/v1/platform/pre-reviews/{application_id}", fields)

    def push_appointment(self, appointment_id: str, **fields: Any) -> Any:
        return self.send("PUT", f"/api/v1/platform/appointments/{appointment_id}", fields)


@pytest.fixture
def platform(app: Any, client: Any, clock: Any, hall: TestHall) -> PlatformClient:
    with app.extensions["hallq_db"].transaction() as uow:
        uow.session.add(
            Platform(
                code="gov-online",
                name="一网通办",
                hall_id=hall.id,
                secret=SECRET,
                webhook_url=None,
                active=True,
                created_at=clock(),
            )
        )
    return PlatformClient(client, clock, "gov-online", SECRET)


def pre_review_fields(clock: Any, **overrides: Any) -> dict[str, Any]:
    fields = {
        "hall_code": "test-hall",
        "service_code": "test-hall-housing",
        "id_number_hash": id_number_hash(SECRET, ID_NUMBER),
        "result": "passed",
        "valid_until": (clock() + timedelta(days=30)).isoformat(),
        "materials": [
            {"name": "身份证", "status": "accepted"},
            {"name": "购房合同", "status": "accepted"},
        ],
        "applicant_name": "张小明",
    }
    fields.update(overrides)
    return fields


def appointment_fields(clock: Any, slot_in_minutes: float, **overrides: Any) -> dict[str, Any]:
    fields = {
        "hall_code": "test-hall",
        "service_code": "test-hall-housing",
        "slot_start": (clock() + timedelta(minutes=slot_in_minutes)).isoformat(),
        "booking_code": "B-2026-0001",
        "applicant_name": "李四",
        "id_number_hash": id_number_hash(SECRET, ID_NUMBER),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def booked(platform: PlatformClient, clock: Any) -> Any:
    """Book a housing slot `slot_in` minutes from now under code B-2026-0001 (as APT-1). A slot
    already begun was booked before it began, as platforms do: a slot over is refused."""

    def book(slot_in: float, **overrides: Any) -> Any:
        fields = appointment_fields(clock, slot_in, **overrides)
        now = clock.current
        clock.current = now + timedelta(minutes=min(0.0, slot_in - 1))
        try:
            response = platform.push_appointment("APT-1", **fields)
        finally:
            clock.current = now
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return book
