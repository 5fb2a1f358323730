"""A ticket's whole life through the real HTTP stack: issue, call, recall, start, finish."""

from __future__ import annotations

from tests.conftest import login_headers


def kiosk_headers(hall) -> dict[str, str]:
    return {"Authorization": f"Bearer {hall.kiosk_token}"}


def issue(client, hall, service="housing", **extra):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service], **extra},
        headers=kiosk_headers(hall),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_kiosk_issues_numbered_ticket_with_position_estimate_and_print_job(client, hall):
    first = issue(client, hall)
    second = issue(client, hall)
    business = issue(client, hall, "business")

    assert (first["number"], second["number"], business["number"]) == ("A001", "A002", "B001")
    assert first["status"] == "waiting"
    assert second["people_ahead"] == 1
    assert second["estimated_wait"]["low_minutes"] >= 0
    assert second["print_job"]["payload"]["ticket_number"] == "A002"
    assert second["print_job"]["payload"]["status_url"].endswith(second["status_token"])


def test_window_serves_a_ticket_from_call_to_finish(client, hall):
    ticket = issue(client, hall)
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]

    called = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).get_json()
    assert called["id"] == ticket["id"] and called["status"] == "called"
    assert called["window"]["number"] == 1

    base = f"/api/v1/windows/{window}/tickets/{ticket['id']}"
    recalled = client.post(f"{base}/recall", headers=clerk).get_json()
    assert recalled["recall_count"] == 1
    assert client.post(f"{base}/start", headers=clerk).get_json()["status"] == "serving"
    finished = client.post(
        f"{base}/finish", json={"outcome": "completed", "case_number": "SZ-1"}, headers=clerk
    ).get_json()
    assert finished["status"] == "finished" and finished["outcome"] == "completed"


def test_only_the_issuer_gets_the_secret_of_the_tickets_status_page(client, hall):
    """With it a visitor follows, cancels and rates their ticket: a clerk who had it could rate
    their own case. No answer but the issuing one carries it."""
    ticket = issue(client, hall)
    assert ticket["status_token"] and ticket["status_url"].endswith(ticket["status_token"])
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    base = f"/api/v1/windows/{window}/tickets/{ticket['id']}"
    answers = [
        client.get(f"/api/v1/tickets/{ticket['id']}", headers=clerk),
        client.post(f"/api/v1/windows/{window}/call-next", headers=clerk),
        client.post(f"{base}/start", headers=clerk),
        client.post(f"{base}/finish", json={"outcome": "completed"}, headers=clerk),
        client.get(f"/api/v1/ticket-status/{ticket['status_token']}"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["id"] == ticket["id"]
        assert not {"status_token", "status_url", "print_job"} & set(answer.get_json())

    document = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "status_token" not in document["Ticket"]["properties"]
    assert "status_token" in document["IssuedTicket"]["properties"]


def test_finish_before_start_is_refused_and_changes_nothing(client, hall):
    ticket = issue(client, hall)
    clerk = login_headers(client, hall.clerk_numbers[1])
    client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)

    response = client.post(
        f"/api/v1/windows/{hall.windows[1]}/tickets/{ticket['id']}/finish",
        json={"outcome": "completed"},
        headers=clerk,
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_transition"
    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=clerk).get_json()
    assert after["status"] == "called"


def test_a_service_no_window_serves_gives_no_ticket_until_a_window_serves_it(app, client, hall):
    """A manager adds a service before any window handles it: a ticket would wait to be called
    by nobody. Refused with the reason (and greyed out on the kiosk) until a window serves it."""
    from hall_server.storage.models import Service, WindowService

    with app.extensions["hallq_db"].transaction() as uow:
        housing = uow.session.get(Service, hall.services["housing"])
        new = Service(
            hall_id=hall.id,
            department_id=housing.department_id,
            code="new-licence",
            name="新证照",
            name_en="New licence",
            prefix="N",
            expected_handling_minutes=10,
            active=True,
        )
        uow.session.add(new)
        uow.session.flush()
        new_id = new.id
    refused = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": new_id}, headers=kiosk_headers(hall)
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_window_serves"
    assert "暂无窗口办理" in refused.get_json()["error"]["message"]
    figures = client.get("/kiosk/service-figures.json", headers=kiosk_headers(hall)).get_json()
    tile = next(s for s in figures["services"] if s["service_id"] == new_id)
    assert tile["refusal"]["code"] == "no_window_serves"

    with app.extensions["hallq_db"].transaction() as uow:
        uow.session.add(WindowService(window_id=hall.windows[2], service_id=new_id, position=9))
    issued = issue(client, hall, service="housing")  # others unaffected meanwhile
    assert issued["status"] == "waiting"
    taken = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": new_id}, headers=kiosk_headers(hall)
    )
    assert taken.status_code == 201 and taken.get_json()["number"] == "N001"
