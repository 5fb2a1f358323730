"""What the server gives the kiosk: its page, catalogue with pinyin initials, the preview before
a ticket exists, the on-screen QR code, the status page, and print jobs to retry or cancel."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
import qrcode
from flask_socketio import SocketIOTestClient
from sqlalchemy import update

from hall_server.extensions import socketio
from hall_server.storage.models import Service
from kiosk.pages import KioskPolicy
from kiosk.service_catalogue import pinyin_initials
from kiosk.ticket_qr import ERROR_CORRECTION, QUIET_ZONE_MODULES
from tests import factories
from tests.conftest import login_headers
from tests.kiosk.kiosk_hall import KioskHall, bearer


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("住房公积金提取", "zfgjjtq"),
        ("个体工商户设立登记（含变更）", "gtgshsldjhbg"),  # brackets never break a search
        ("ETC办理", "etcbl"),
        ("银行开户", "yhkh"),  # 行 read as háng in a phrase, not xíng
    ],
)
def test_pinyin_initials_are_what_a_visitor_types(name: str, initials: str) -> None:
    assert pinyin_initials(name) == initials


def test_catalogue_lists_departments_with_initials_made_for_services_without_them(
    client: Any, app: Any, kiosk_hall: KioskHall, kiosk_token: str
) -> None:
    with app.extensions["hallq_db"].transaction() as uow:
        uow.session.execute(
            update(Service)
            .where(Service.id == kiosk_hall.services["企业设立登记"])
            .values(active=False)
        )
    response = client.get("/kiosk/catalogue.json", headers=bearer(kiosk_token))

    assert response.status_code == 200
    departments = response.get_json()["departments"]
    assert [d["name"] for d in departments] == [
        "住房公积金管理中心", "市场监督管理局", "人力资源和社会保障局"
    ]  # fmt: skip
    assert departments[0]["initials"] == ["zfgjjglzx"]
    services = {s["name"]: s for d in departments for s in d["services"]}
    assert services["公积金提取"]["initials"] == ["gjjtq"]  # as the catalogue keeps it
    assert services["公积金贷款"]["initials"] == ["gjjdk"]  # made from its name
    assert "企业设立登记" not in services  # inactive services are not offered


def test_kiosk_data_is_for_kiosks_only(
    client: Any, hall: factories.TestHall, kiosk_token: str
) -> None:
    assert client.get("/kiosk/catalogue.json").status_code == 401
    refused = client.get("/kiosk/catalogue.json", headers=bearer(hall.board_token))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden_role"
    assert (
        client.get("/kiosk/preview.json?service_id=1", headers=bearer(hall.board_token)).status_code
        == 403
    )


def test_preview_counts_people_ahead_as_the_issued_ticket_will(
    client: Any, kiosk_hall: KioskHall, kiosk_token: str, clock: Any
) -> None:
    service_id = kiosk_hall.services["公积金提取"]
    issue = f"/api/v1/halls/{kiosk_hall.id}/tickets"
    for _ in range(2):
        assert (
            client.post(
                issue, json={"service_id": service_id}, headers=bearer(kiosk_token)
            ).status_code
            == 201
        )
        clock.advance(minutes=1)

    preview = client.get(
        f"/kiosk/preview.json?service_id={service_id}", headers=bearer(kiosk_token)
    ).get_json()
    ticket = client.post(
        issue, json={"service_id": service_id}, headers=bearer(kiosk_token)
    ).get_json()

    assert preview["refusal"] is None
    assert preview["people_ahead"] == ticket["people_ahead"] == 2
    assert preview["estimated_wait"] == ticket["estimated_wait"]


def test_preview_refuses_outside_issuing_hours_and_once_the_quota_is_reached(
    app: Any, client: Any, kiosk_hall: KioskHall, kiosk_token: str
) -> None:
    # The clock says Monday 09:00 in Shanghai.
    with app.extensions["hallq_db"].transaction() as uow:
        uow.session.execute(
            update(Service)
            .where(Service.id == kiosk_hall.services["企业设立登记"])
            .values(issuing_hours="mon-fri 13:30-17:00")
        )
    afternoon_only = client.get(
        f"/kiosk/preview.json?service_id={kiosk_hall.services['企业设立登记']}",
        headers=bearer(kiosk_token),
    ).get_json()
    quota_of_one = kiosk_hall.services["食品经营许可"]
    client.post(
        f"/api/v1/halls/{kiosk_hall.id}/tickets",
        json={"service_id": quota_of_one},
        headers=bearer(kiosk_token),
    )
    sold_out = client.get(
        f"/kiosk/preview.json?service_id={quota_of_one}", headers=bearer(kiosk_token)
    ).get_json()

    assert afternoon_only["refusal"]["code"] == "outside_issuing_hours"
    assert sold_out["refusal"]["code"] == "daily_quota_reached"


def test_preview_of_another_halls_service_is_not_found(
    client: Any, hall: factories.TestHall, kiosk_token: str
) -> None:
    response = client.get(
        f"/kiosk/preview.json?service_id={hall.services['housing']}", headers=bearer(kiosk_token)
    )
    assert response.status_code == 404


def test_kiosk_page_opens_only_with_a_kiosk_token_and_speaks_chinese_first(
    client: Any, hall: factories.TestHall
) -> None:
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    page = client.get(f"/kiosk/?token={hall.kiosk_token}", headers=english_browser)
    english = client.get(f"/kiosk/?token={hall.kiosk_token}&lang=en")

    assert page.status_code == 200
    assert '<h1 id="start-title">取号</h1>' in page.get_data(as_text=True)
    assert '<h1 id="start-title">Take a ticket</h1>' in english.get_data(as_text=True)
    assert client.get("/kiosk/").status_code == 403
    assert client.get(f"/kiosk/?token={hall.board_token}").status_code == 403


def test_kiosk_policy_comes_from_the_device_settings_and_ignores_nonsense() -> None:
    assert KioskPolicy.from_settings(None) == KioskPolicy()
    policy = KioskPolicy.from_settings(
        {"identification": "required", "identify_by": ["phone", "fingerprint"], "idle_seconds": 30}
    )
    assert policy == KioskPolicy("required", ("phone",), 30)
    nonsense = KioskPolicy.from_settings(
        {"identification": "always", "identify_by": "phone", "idle_seconds": -5}
    )
    assert nonsense == KioskPolicy()


def svg_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules (x, y) of qrcode's SVG path image."""
    root = ElementTree.fromstring(svg)
    path = next(element for element in root.iter() if element.tag.endswith("path"))
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", path.attrib["d"])}


def test_on_screen_qr_code_encodes_the_tickets_status_link(
    client: Any, hall: factories.TestHall
) -> None:
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=bearer(hall.kiosk_token),
    ).get_json()

    response = client.get(f"/kiosk/qr/{ticket['status_token']}.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    expected = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    expected.add_data(ticket["status_url"])
    expected.make(fit=True)
    dark = {
        (x, y) for y, row in enumerate(expected.get_matrix()) for x, dark in enumerate(row) if dark
    }
    assert svg_modules(response.data) == dark
    assert client.get("/kiosk/qr/not%20a%20token.svg").status_code == 404


def test_status_page_shows_the_ticket_and_an_unknown_link_is_not_found(
    client: Any, hall: factories.TestHall
) -> None:
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=bearer(hall.kiosk_token),
    ).get_json()

    page = client.get(f"/t/{ticket['status_token']}?lang=zh")
    body = page.get_data(as_text=True)

    assert page.status_code == 200
    assert f'id="status-number" class="status-number">{ticket["number"]}<' in body
    assert ticket["status_token"] not in body.split("window.HALLQ.ticket")[1].split(";")[0]
    assert client.get("/t/unknown-token").status_code == 404


def kiosk_socket(app: Any, token: str) -> SocketIOTestClient:
    return socketio.test_client(app, auth={"token": token})


def test_failed_print_job_is_retried_to_its_kiosk_and_can_be_cancelled(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    kiosk = kiosk_socket(app, hall.kiosk_token)
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=bearer(hall.kiosk_token),
    ).get_json()
    job_id = ticket["print_job"]["id"]
    answer = kiosk.emit(
        "print.result",
        {"job_id": job_id, "result": "failed", "error": "paper_out", "printer_status": "paper_out"},
        callback=True,
    )
    assert answer["ok"]
    kiosk.get_received()

    read = client.get(f"/api/v1/print-jobs/{job_id}", headers=bearer(hall.kiosk_token))
    retried = client.post(f"/api/v1/print-jobs/{job_id}/retry", headers=bearer(hall.kiosk_token))
    resent = [m for m in kiosk.get_received() if m["name"] == "print.job"]
    cancelled = client.post(f"/api/v1/print-jobs/{job_id}/cancel", headers=bearer(hall.kiosk_token))
    kiosk.disconnect()

    assert read.status_code == 200
    assert read.get_json()["status"] == "failed" and read.get_json()["error"] == "paper_out"
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    assert [m["args"][0]["job_id"] for m in resent] == [job_id]
    assert cancelled.get_json()["status"] == "cancelled"
    status = client.get(f"/api/v1/ticket-status/{ticket['status_token']}").get_json()
    assert status["status"] == "waiting"  # giving up the print never loses the ticket


def test_print_jobs_are_seen_by_their_kiosk_and_the_halls_staff_only(
    app: Any, client: Any, hall: factories.TestHall, kiosk_hall: KioskHall, kiosk_token: str
) -> None:
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=bearer(hall.kiosk_token),
    ).get_json()
    path = f"/api/v1/print-jobs/{ticket['print_job']['id']}"

    clerk = login_headers(client, hall.clerk_numbers[1])
    assert client.get(path, headers=clerk).status_code == 200
    assert client.get(path, headers=bearer(kiosk_token)).status_code == 404  # another kiosk
    assert app.test_client().get(path).status_code == 401  # no token, no login cookie
    printed = client.post(f"{path}/cancel", headers=clerk)
    assert printed.get_json()["status"] == "cancelled"
    assert client.post(f"{path}/retry", headers=clerk).status_code == 409


def test_print_routes_are_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/print-jobs/{job_id}"])
    assert paths["/api/v1/print-jobs/{job_id}/retry"]["post"]["security"] == [{"bearerAuth": []}]
    assert "409" in paths["/api/v1/print-jobs/{job_id}/cancel"]["post"]["responses"]


def _strings(texts: Any) -> list[str]:
    if isinstance(texts, dict):
        return [s for value in texts.values() for s in _strings(value)]
    return [texts]


def test_every_kiosk_text_has_its_chinese_translation(app: Any) -> None:
    from flask_babel import force_locale

    from kiosk.page_text import kiosk_page_text, out_of_service_text, status_page_text

    with app.test_request_context(), force_locale("zh"):
        texts = _strings(kiosk_page_text()) + _strings(status_page_text())
        texts += _strings(out_of_service_text())
    untranslated = [text for text in texts if not re.search(r"[\u4e00-\u9fff]", text)]
    assert untranslated == []


def test_booked_preview_names_the_service_and_counts_as_the_appointment_ticket_will(
    client: Any, app: Any, kiosk_hall: KioskHall, kiosk_token: str, clock: Any
) -> None:
    from datetime import timedelta

    from hall_server.operations.online_platform import AppointmentPush, push_appointment
    from hall_server.storage.models import Hall, Platform

    with app.extensions["hallq_db"].transaction() as uow:
        # Under due times an early booking is called just in time, not at once: the preview
        # must place it as the issued ticket will be placed, not merely count by class.
        uow.session.execute(
            update(Hall).where(Hall.id == kiosk_hall.id).values(calling_policy="due_time")
        )
        platform = Platform(code="gov", name="gov", hall_id=kiosk_hall.id, secret="s",
                            webhook_url=None, active=True, created_at=clock())  # fmt: skip
        uow.session.add(platform)
        uow.session.flush()
        booking = AppointmentPush(appointment_id="A-1", hall_code="kiosk-hall",
                                  service_code="s10", slot_start=clock() + timedelta(minutes=5),
                                  booking_code="YY0001", applicant_name="李四")  # fmt: skip
        push_appointment(uow, platform, booking, clock())
    withdrawal = kiosk_hall.services["公积金提取"]
    issue = f"/api/v1/halls/{kiosk_hall.id}/tickets"
    for _ in range(3):
        client.post(issue, json={"service_id": withdrawal}, headers=bearer(kiosk_token))
        clock.advance(minutes=1)

    preview = client.post(
        "/kiosk/preview.json", json={"code": "YY0001"}, headers=bearer(kiosk_token)
    )
    assert preview.status_code == 200, preview.get_json()
    found = preview.get_json()
    assert found["service"]["id"] == withdrawal
    assert found["booking"]["issue_field"] == "booking_code"
    assert found["booking"]["punctuality"] == "early"
    assert found["booking"]["visitor_class"] == "appointment"
    assert found["booking"]["applicant_name"] == "李*"
    ticket = client.post(
        issue,
        json={"service_id": withdrawal, "booking_code": "YY0001"},
        headers=bearer(kiosk_token),
    ).get_json()
    assert ticket["visitor_class"] == "appointment"
    assert found["people_ahead"] == ticket["people_ahead"]

    unknown = client.post("/kiosk/preview.json", json={"code": "NOPE"}, headers=bearer(kiosk_token))
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "not_found")
    bad_card = client.post(
        "/kiosk/preview.json", json={"id_number": "123"}, headers=bearer(kiosk_token)
    )
    assert (bad_card.get_json()["error"]["code"], bad_card.get_json()["error"]["field"]) == (
        "bad_request",
        "id_number",
    )
    nobody = client.post(
        "/kiosk/preview.json", json={"id_number": "110105194912310038"}, headers=bearer(kiosk_token)
    )
    assert nobody.get_json()["error"]["code"] == "no_booking_for_id_card"
