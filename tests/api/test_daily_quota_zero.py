"""A daily quota of 0 is how a manager stops a service issuing: the API takes it, and the
refusal says the service issues no tickets, not that "today's 0 tickets" are all taken."""

from __future__ import annotations

from tests.conftest import login_headers
from tests.factories import build_hall


def test_a_service_with_a_quota_of_zero_issues_nothing_and_says_so(app, client, clock):
    hall = build_hall(app.extensions["hallq_db"], clock(), quotas={"housing": 0})
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    path = f"/api/v1/halls/{hall.id}/tickets"
    body = {"service_id": hall.services["housing"]}

    in_chinese = client.post(path, json=body, headers=kiosk)
    in_english = client.post(path, json=body, headers={**kiosk, "Accept-Language": "en"})

    assert in_chinese.status_code == in_english.status_code == 409
    assert in_english.get_json()["error"] == {
        "code": "daily_quota_reached",
        "message": "this service issues no tickets today; please book an appointment",
    }
    assert in_chinese.get_json()["error"]["message"] == "此事项今日不取号，请预约办理"


def test_the_api_takes_a_quota_of_zero_as_its_document_says(client, hall):
    document = client.get("/api/openapi.json").get_json()
    quota = document["components"]["schemas"]["ServiceUpdateRequest"]["properties"]["daily_quota"]
    assert quota["minimum"] == 0
    manager = login_headers(client, hall.manager_number)
    path = f"/api/v1/services/{hall.services['housing']}"

    assert client.patch(path, json={"daily_quota": 0}, headers=manager).status_code == 200
    assert client.patch(path, json={"daily_quota": -1}, headers=manager).status_code == 422
