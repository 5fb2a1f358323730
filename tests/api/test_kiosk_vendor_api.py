"""What a third-party kiosk does through the public API alone, as the first-party kiosk page does
it through its own JSON: each service's figures for a ticket taken now, a code or ID card
previewed before a service is chosen, its own identity, its heartbeat, and printing by itself.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import update

from hall_server.storage.models import Device, Platform, Window
from tests import factories
from tests.conftest import login_headers, make_app
from tests.factories import build_hall
from tests.kiosk.kiosk_hall import KioskHall, bearer, build_kiosk_hall, enrol_kiosk
from tests.prereview.conftest import (
    ID_NUMBER,
    SECRET,
    PlatformClient,
    appointment_fields,
    pre_review_fields,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Running:
    app: Any
    client: Any
    clock: Any

    def device(self, device_id: int) -> Device:
        with self.app.extensions["hallq_db"].reading() as session:
            device = session.get(Device, device_id)
            assert device is not None
            session.expunge(device)
            return device


@pytest.fixture
def running(database_url: str, clock: Any) -> Iterator[Running]:
    application = make_app(database_url, clock)
    yield Running(application, application.test_client(), clock)
    application.extensions["hallq_db"].dispose()


@pytest.fixture
def kiosk_hall(running: Running) -> KioskHall:
    return build_kiosk_hall(running.app.extensions["hallq_db"])


@pytest.fixture
def hall(running: Running) -> factories.TestHall:
    """The test hall (housing A, business B) with its kiosk and board, and an online platform."""
    built = build_hall(running.app.extensions["hallq_db"], running.clock())
    with running.app.extensions["hallq_db"].transaction() as uow:
        uow.session.add(
            Platform(code="gov-online", name="一网通办", hall_id=built.id, secret=SECRET,
                     webhook_url=None, active=True, created_at=running.clock())
        )  # fmt: skip
    return built


def issue(client: Any, hall_id: int, token: str, service_id: int) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/halls/{hall_id}/tickets", json={"service_id": service_id}, headers=bearer(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def public_preview(client: Any, hall_id: int, headers: dict[str, str]) -> Any:
    return client.get(f"/api/v1/halls/{hall_id}/services/preview", headers=headers)


def test_the_public_preview_of_each_service_is_what_the_kiosk_page_shows(
    running: Running, kiosk_hall: KioskHall
) -> None:
    """Queues on shared windows, a closed window (no wait promised), a used-up quota: per
    service the API's figures are the first-party kiosk's, and the ticket then reads them."""
    client, clock = running.client, running.clock
    token, _ = enrol_kiosk(running.app.extensions["hallq_db"], kiosk_hall, clock(), "kiosk")
    for service in ("公积金贷款", "公积金贷款", "公积金提取", "食品经营许可"):
        issue(client, kiosk_hall.id, token, kiosk_hall.services[service])
        clock.advance(minutes=1)
    with running.app.extensions["hallq_db"].transaction() as uow:
        uow.session.execute(
            update(Window).where(Window.id == kiosk_hall.windows[3]).values(status="closed")
        )
    issue(client, kiosk_hall.id, token, kiosk_hall.services["社会保障卡办理"])
    clock.advance(minutes=1)

    page = client.get("/kiosk/service-figures.json", headers=bearer(token)).get_json()
    answer = public_preview(client, kiosk_hall.id, bearer(token))
    clerk = login_headers(client, kiosk_hall.clerk_numbers[1], "kiosk test password")
    by_clerk = public_preview(client, kiosk_hall.id, clerk)

    assert answer.status_code == 200, answer.get_json()
    api = answer.get_json()
    assert by_clerk.get_json() == api
    assert api["now"] == page["now"]
    assert api["hall"] == page["hall"] == {"refusal": None, "opening_hours": None}
    page_services = {entry["service_id"]: entry for entry in page["services"]}
    assert {entry["service_id"] for entry in api["services"]} == set(kiosk_hall.services.values())
    for entry in api["services"]:
        shown = page_services[entry["service_id"]]
        for key in ("people_ahead", "estimated_wait", "issuing_hours"):
            assert entry[key] == shown[key], (entry["service_id"], key)
        assert (entry["refusal"] or {}).get("code") == (shown["refusal"] or {}).get("code")
    figures = {entry["service_id"]: entry for entry in api["services"]}
    withdrawal = figures[kiosk_hall.services["公积金提取"]]
    assert withdrawal["people_ahead"] == 3  # behind the loans at the shared window too
    assert withdrawal["estimated_wait"] is not None
    assert figures[kiosk_hall.services["社会保障卡办理"]]["estimated_wait"] is None
    used_up = figures[kiosk_hall.services["食品经营许可"]]["refusal"]
    assert used_up["code"] == "daily_quota_reached"
    assert CHINESE.search(used_up["message"]), used_up  # for people: Chinese by default
    ticket = issue(client, kiosk_hall.id, token, kiosk_hall.services["公积金提取"])
    assert ticket["people_ahead"] == withdrawal["people_ahead"]
    assert ticket["estimated_wait"] == withdrawal["estimated_wait"]


def test_the_public_preview_is_for_the_halls_own_devices_and_staff(
    running: Running, hall: factories.TestHall
) -> None:
    client = running.client
    other = build_hall(running.app.extensions["hallq_db"], running.clock(), code="other-hall")
    assert public_preview(client, hall.id, {}).status_code == 401
    refused = public_preview(client, hall.id, bearer(other.kiosk_token))
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden_hall")
    assert public_preview(client, hall.id, bearer(hall.board_token)).status_code == 200
    assert public_preview(client, 999999, bearer(hall.kiosk_token)).status_code == 404


def kiosk_page_preview(client: Any, token: str, **brought: Any) -> dict[str, Any]:
    response = client.post("/kiosk/preview.json", json=brought, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def check_in_preview(client: Any, hall_id: int, headers: dict[str, str], **brought: Any) -> Any:
    return client.post(f"/api/v1/halls/{hall_id}/check-in-preview", json=brought, headers=headers)


def test_a_kiosk_previews_a_code_or_id_card_as_its_page_does_and_sees_nothing_staff_only(
    running: Running, hall: factories.TestHall
) -> None:
    client, clock = running.client, running.clock
    platform = PlatformClient(client, clock, "gov-online", SECRET)
    pushed = platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-77"))
    assert pushed.status_code == 200, pushed.get_json()
    booked = platform.push_appointment(
        "APT-1", **appointment_fields(clock, 20, service_code="test-hall-business",
                                      id_number_hash="0" * 64)
    )  # fmt: skip
    assert booked.status_code == 200, booked.get_json()
    issue(client, hall.id, hall.kiosk_token, hall.services["housing"])  # one waits ahead
    kiosk = bearer(hall.kiosk_token)

    for brought in ({"code": "PR-77"}, {"id_number": ID_NUMBER}, {"code": "B-2026-0001"}):
        answer = check_in_preview(client, hall.id, kiosk, **brought)
        assert answer.status_code == 200, (brought, answer.get_json())
        found = answer.get_json()
        page = kiosk_page_preview(client, hall.kiosk_token, **brought)
        assert found["service"]["id"] == page["service_id"], brought
        assert found["booking"] == page["booking"], brought
        for key in ("people_ahead", "estimated_wait"):
            assert found[key] == page[key], (brought, key)
        assert found["refusal"] == page["refusal"] is None
        text = json.dumps(found, ensure_ascii=False)
        for staff_only in ("materials", "购房合同", "张小明", "李四", ID_NUMBER, "APP-1"):
            assert staff_only not in text, (brought, staff_only)
        assert set(found) == {"service", "booking", "people_ahead", "estimated_wait", "refusal"}
    pre_reviewed = check_in_preview(client, hall.id, kiosk, code="PR-77").get_json()
    assert pre_reviewed["booking"]["issue_field"] == "prereview_code"
    assert pre_reviewed["booking"]["applicant_name"] == "张*明"  # masked, as the screen shows

    # The clerk reads the same figures at the window.
    clerk = login_headers(client, hall.clerk_numbers[1])
    assert check_in_preview(client, hall.id, clerk, code="PR-77").get_json() == pre_reviewed


def test_only_the_halls_own_kiosks_preview_a_code(
    running: Running, hall: factories.TestHall
) -> None:
    client = running.client
    other = build_hall(running.app.extensions["hallq_db"], running.clock(), code="other-hall")
    stranger = check_in_preview(client, hall.id, bearer(other.kiosk_token), id_number=ID_NUMBER)
    assert (stranger.status_code, stranger.get_json()["error"]["code"]) == (403, "forbidden_hall")
    board = check_in_preview(client, hall.id, bearer(hall.board_token), id_number=ID_NUMBER)
    assert (board.status_code, board.get_json()["error"]["code"]) == (403, "forbidden_role")
    nothing = check_in_preview(client, hall.id, bearer(hall.kiosk_token), id_number=ID_NUMBER)
    assert (nothing.status_code, nothing.get_json()["error"]["code"]) == (
        409, "no_booking_for_id_card"
    )  # fmt: skip


def test_a_device_reads_who_it_is(running: Running, hall: factories.TestHall) -> None:
    client = running.client
    kiosk = client.get("/api/v1/devices/self", headers=bearer(hall.kiosk_token))
    assert kiosk.status_code == 200, kiosk.get_json()
    assert kiosk.get_json() == {
        "id": hall.kiosk_id, "kind": "kiosk", "name": "kiosk",
        "hall": {"id": hall.id, "name": "test-hall 政务服务中心", "name_en": "test-hall"},
        "window_id": None, "last_seen_at": None, "printer_status": None,
    }  # fmt: skip
    board = client.get("/api/v1/devices/self", headers=bearer(hall.board_token)).get_json()
    assert (board["kind"], board["hall"]["id"]) == ("board", hall.id)
    clerk = login_headers(client, hall.clerk_numbers[1])
    refused = client.get("/api/v1/devices/self", headers=clerk)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden_role")
    assert running.app.test_client().get("/api/v1/devices/self").status_code == 401


def test_health_over_http_marks_the_device_seen_and_records_its_printer(
    running: Running, hall: factories.TestHall
) -> None:
    client, clock = running.client, running.clock
    kiosk = bearer(hall.kiosk_token)
    assert running.device(hall.kiosk_id).last_seen_at is None

    answer = client.post("/api/v1/devices/self/health", json={"printer_status": "paper_out"},
                         headers=kiosk)  # fmt: skip

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["printer_status"] == "paper_out"
    device = running.device(hall.kiosk_id)
    assert device.last_seen_at == clock() and device.printer_status == "paper_out"
    clock.advance(minutes=1)
    board = client.post("/api/v1/devices/self/health", json={}, headers=bearer(hall.board_token))
    assert board.status_code == 200 and board.get_json()["printer_status"] is None
    wrong = client.post("/api/v1/devices/self/health", json={"printer_status": "burning"},
                        headers=kiosk)  # fmt: skip
    assert wrong.status_code == 422
    clerk = login_headers(client, hall.clerk_numbers[1])
    by_clerk = client.post("/api/v1/devices/self/health", json={}, headers=clerk)
    assert (by_clerk.status_code, by_clerk.get_json()["error"]["code"]) == (403, "forbidden_role")


def report(client: Any, job_id: str, token: str, key: str | None = None, **body: Any) -> Any:
    headers = bearer(token) | ({"Idempotency-Key": key} if key else {})
    return client.post(f"/api/v1/print-jobs/{job_id}/result", json=body, headers=headers)


def test_a_kiosk_that_prints_itself_reports_the_job_printed_once_and_is_seen(
    running: Running, hall: factories.TestHall
) -> None:
    client, clock = running.client, running.clock
    ticket = issue(client, hall.id, hall.kiosk_token, hall.services["housing"])
    job = ticket["print_job"]
    assert job["payload"]["ticket_number"] == ticket["number"]
    assert running.device(hall.kiosk_id).last_seen_at is None  # issuing is not a sign of life
    clock.advance(seconds=5)
    printed_at = clock()

    first = report(client, job["id"], hall.kiosk_token, "job-1", result="printed",
                   printer_status="ok")  # fmt: skip
    replayed = report(client, job["id"], hall.kiosk_token, "job-1", result="printed",
                      printer_status="ok")  # fmt: skip
    clock.advance(seconds=5)
    late = report(client, job["id"], hall.kiosk_token, result="failed", error="缺纸")

    assert first.status_code == replayed.status_code == late.status_code == 200, late.get_json()
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    for answer in (first, replayed, late):
        assert answer.get_json() | {"updated_at": None} == first.get_json() | {"updated_at": None}
    stored = client.get(f"/api/v1/print-jobs/{job['id']}", headers=bearer(hall.kiosk_token))
    assert (stored.get_json()["status"], stored.get_json()["attempts"]) == ("printed", 1)
    assert stored.get_json()["error"] is None
    assert stored.get_json()["payload"] == job["payload"]
    device = running.device(hall.kiosk_id)
    assert (device.last_seen_at, device.printer_status) == (printed_at, "ok")


def test_only_the_jobs_own_kiosk_reports_it(running: Running, hall: factories.TestHall) -> None:
    client = running.client
    job = issue(client, hall.id, hall.kiosk_token, hall.services["housing"])["print_job"]
    other = build_hall(running.app.extensions["hallq_db"], running.clock(), code="other-hall")
    stranger = report(client, job["id"], other.kiosk_token, result="printed")
    assert (stranger.status_code, stranger.get_json()["error"]["code"]) == (404, "not_found")
    clerk = login_headers(client, hall.clerk_numbers[1])
    by_clerk = client.post(f"/api/v1/print-jobs/{job['id']}/result", json={"result": "printed"},
                           headers=clerk)  # fmt: skip
    assert (by_clerk.status_code, by_clerk.get_json()["error"]["code"]) == (403, "forbidden_role")
    unknown = report(client, job["id"], hall.kiosk_token, result="smudged")
    assert unknown.status_code == 422
    failed = report(client, job["id"], hall.kiosk_token, result="failed", error="缺纸",
                    printer_status="paper_out")  # fmt: skip
    assert (failed.get_json()["status"], failed.get_json()["error"]) == ("failed", "缺纸")
    assert running.device(hall.kiosk_id).printer_status == "paper_out"


def test_the_openapi_document_lists_the_devices_operations_with_their_schemas(
    running: Running,
) -> None:
    document = running.client.get("/api/openapi.json").get_json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    def answer_schema(path: str, method: str) -> dict[str, Any]:
        operation = paths[path][method]
        assert operation["security"] == [{"bearerAuth": []}], path
        content = operation["responses"]["200"]["content"]["application/json"]["schema"]
        return schemas[content["$ref"].rsplit("/", 1)[1]]  # type: ignore[no-any-return]

    preview = answer_schema("/api/v1/halls/{hall_id}/services/preview", "get")
    service = schemas[preview["properties"]["services"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"service_id", "people_ahead", "estimated_wait", "refusal"} <= set(service["required"])
    assert {"id", "kind", "name", "hall"} <= set(answer_schema("/api/v1/devices/self", "get")
                                                 ["properties"])  # fmt: skip
    health = paths["/api/v1/devices/self/health"]["post"]
    assert "requestBody" in health and {"401", "403", "422"} <= set(health["responses"])
    result = paths["/api/v1/print-jobs/{job_id}/result"]["post"]
    body = result["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = schemas[body.rsplit("/", 1)[1]]
    assert request_schema["properties"]["result"]["enum"] == ["failed", "printed"]
    assert any(p["name"] == "Idempotency-Key" for p in result["parameters"])
    job = answer_schema("/api/v1/print-jobs/{job_id}/result", "post")
    payload = schemas["TicketPrintPayload"]
    assert job["properties"]["payload"]["$ref"].endswith("/TicketPrintPayload")
    assert {"job_id", "ticket_number", "people_ahead", "estimated_wait_minutes", "wait_kind",
            "status_url"} <= set(payload["required"])  # fmt: skip
    check_in = answer_schema("/api/v1/halls/{hall_id}/check-in-preview", "post")
    assert {"people_ahead", "estimated_wait", "refusal"} <= set(check_in["properties"])
