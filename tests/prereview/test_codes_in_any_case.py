"""A booking or pre-review code typed in lower case, or with spaces, finds its booking: at the
counter's check-in preview, at the kiosk's look-up and when a ticket is issued with it."""

from __future__ import annotations

from tests.conftest import login_headers
from tests.prereview.conftest import appointment_fields, pre_review_fields


def test_a_booking_code_in_lower_case_checks_in_at_the_counter_and_the_kiosk(
    client, hall, platform, clock
):
    pushed = platform.push_appointment(
        "APT-1", **appointment_fields(clock, 10, booking_code="YY120801")
    )
    assert pushed.status_code == 200, pushed.get_json()
    clerk = login_headers(client, hall.clerk_numbers[1])
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}

    preview = client.post(
        f"/api/v1/halls/{hall.id}/check-in-preview", json={"code": " yy120801 "}, headers=clerk
    )
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["booking"]["kind"] == "appointment"

    looked_up = client.get(f"/api/v1/halls/{hall.id}/booking-codes/yy120801", headers=kiosk)
    assert looked_up.status_code == 200, looked_up.get_json()
    assert looked_up.get_json()["kind"] == "appointment"

    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "booking_code": "yy 120801"},
        headers=kiosk,
    )
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["visitor_class"] == "appointment"


def test_a_pre_review_code_in_lower_case_is_found(client, hall, platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-77"))
    clerk = login_headers(client, hall.clerk_numbers[1])
    preview = client.post(
        f"/api/v1/halls/{hall.id}/check-in-preview", json={"code": "pr-77"}, headers=clerk
    )
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["booking"]["issue_field"] == "prereview_code"
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "prereview_code": "pr-77"},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["visitor_class"] == "pre_reviewed"
