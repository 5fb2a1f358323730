"""What the server tells an open kiosk page about its services and itself, without a browser:
each service's people ahead as the confirmation counts them (the whole pool of a shared window,
not the service's own waiting count), a daily quota used up before the visitor taps it, and a
token that no longer holds (401 to the open page, an out-of-service page on reload)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from hall_server.operations.credentials import revoke_device
from hall_server.storage.models import Window
from tests.kiosk.kiosk_hall import PASSWORD, KioskHall, bearer, build_kiosk_hall, enrol_kiosk

NOT_SET_UP = "本取号机尚未配置"
OUT_OF_SERVICE = "本机暂停取号"
STAFF_HINT = "本机的设备令牌已被吊销或无法识别"


@pytest.fixture
def kiosk_hall(any_app: Any) -> KioskHall:
    return build_kiosk_hall(any_app.extensions["hallq_db"])


@pytest.fixture
def kiosk(any_app: Any, kiosk_hall: KioskHall, clock: Any) -> tuple[str, int]:
    return enrol_kiosk(any_app.extensions["hallq_db"], kiosk_hall, clock(), "kiosk")


def figures_by_service(client: Any, token: str) -> dict[int, dict[str, Any]]:
    response = client.get("/kiosk/service-figures.json", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return {entry["service_id"]: entry for entry in response.get_json()["services"]}


def preview(client: Any, token: str, service_id: int) -> dict[str, Any]:
    response = client.get(f"/kiosk/preview.json?service_id={service_id}", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def issue(client: Any, hall: KioskHall, token: str, service: str) -> Any:
    return client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services[service]},
        headers=bearer(token),
    )


def test_each_service_says_the_people_ahead_the_confirmation_then_shows(
    any_app: Any, kiosk_hall: KioskHall, kiosk: tuple[str, int], clock: Any
) -> None:
    """Window 1 serves both provident fund services: a withdrawal taken now waits behind the
    loans too, though only one other withdrawal waits. On both databases (the count groups)."""
    client = any_app.test_client()
    token, _ = kiosk
    for service in ("公积金贷款", "公积金贷款", "公积金提取"):
        assert issue(client, kiosk_hall, token, service).status_code == 201
        clock.advance(minutes=1)
    # Window 3 closes: no forecast for its service, whose tickets still wait for it.
    with any_app.extensions["hallq_db"].transaction() as uow:
        uow.session.execute(
            update(Window).where(Window.id == kiosk_hall.windows[3]).values(status="closed")
        )
    assert issue(client, kiosk_hall, token, "社会保障卡办理").status_code == 201
    clock.advance(minutes=1)

    figures = figures_by_service(client, token)

    withdrawal = kiosk_hall.services["公积金提取"]
    assert figures[withdrawal]["people_ahead"] == 3
    for name, service_id in kiosk_hall.services.items():
        confirmation = preview(client, token, service_id)
        assert figures[service_id]["people_ahead"] == confirmation["people_ahead"], name
        assert figures[service_id]["estimated_wait"] == confirmation["estimated_wait"], name
    assert figures[kiosk_hall.services["社会保障卡办理"]]["people_ahead"] == 1
    assert figures[kiosk_hall.services["社会保障卡办理"]]["estimated_wait"] is None
    ticket = issue(client, kiosk_hall, token, "公积金提取").get_json()
    assert ticket["people_ahead"] == figures[withdrawal]["people_ahead"]


def test_a_service_whose_daily_quota_is_used_up_says_so_and_issuing_still_refuses(
    any_app: Any, kiosk_hall: KioskHall, kiosk: tuple[str, int]
) -> None:
    client = any_app.test_client()
    token, _ = kiosk
    quota_of_one = kiosk_hall.services["食品经营许可"]
    assert figures_by_service(client, token)[quota_of_one]["refusal"] is None
    assert issue(client, kiosk_hall, token, "食品经营许可").status_code == 201

    figures = figures_by_service(client, token)
    refused = issue(client, kiosk_hall, token, "食品经营许可")

    assert figures[quota_of_one]["refusal"]["code"] == "daily_quota_reached"
    assert figures[kiosk_hall.services["企业设立登记"]]["refusal"] is None
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "daily_quota_reached"


def test_the_figures_carry_the_kiosks_printer_and_are_for_kiosks_only(
    any_app: Any, kiosk_hall: KioskHall, kiosk: tuple[str, int]
) -> None:
    client = any_app.test_client()
    token, _ = kiosk
    answer = client.get("/kiosk/service-figures.json", headers=bearer(token)).get_json()
    assert answer["printer_status"] is None  # no print agent has reported yet
    assert client.get("/kiosk/service-figures.json").status_code == 401
    manager = client.post(
        "/api/v1/auth/login",
        json={"staff_number": kiosk_hall.manager_number, "password": PASSWORD},
    ).get_json()["token"]
    refused = client.get("/kiosk/service-figures.json", headers=bearer(manager))
    assert refused.status_code == 403


def revoke(app: Any, hall: KioskHall, device_id: int, clock: Any) -> None:
    with app.extensions["hallq_db"].transaction() as uow:
        revoke_device(uow, hall.manager(), device_id, clock())


def test_a_revoked_token_is_refused_to_the_open_page_and_the_page_reloads_out_of_service(
    any_app: Any, kiosk_hall: KioskHall, kiosk: tuple[str, int], clock: Any
) -> None:
    client = any_app.test_client()
    token, device_id = kiosk
    assert client.get(f"/kiosk/?token={token}").status_code == 200

    revoke(any_app, kiosk_hall, device_id, clock)
    figures = client.get("/kiosk/service-figures.json", headers=bearer(token))
    reloaded = client.get(f"/kiosk/?token={token}")
    english = client.get(f"/kiosk/?token={token}&lang=en")
    unknown = client.get("/kiosk/?token=d_no-such-token")
    never_set_up = client.get("/kiosk/")

    assert figures.status_code == 401
    assert figures.get_json()["error"]["code"] == "unauthorized"
    assert reloaded.status_code == unknown.status_code == never_set_up.status_code == 403
    for page in (reloaded, unknown):
        body = page.get_data(as_text=True)
        assert OUT_OF_SERVICE in body and STAFF_HINT in body
        assert "请使用其他取号机，或到咨询服务台取号。" in body
        assert NOT_SET_UP not in body
    assert "This kiosk is out of service." in english.get_data(as_text=True)
    assert "device token was revoked" in english.get_data(as_text=True)
    assert NOT_SET_UP in never_set_up.get_data(as_text=True)
    assert OUT_OF_SERVICE not in never_set_up.get_data(as_text=True)
