"""What the server gives the phone page for taking a ticket remotely, without a browser: the
page in both languages, its poster's QR code, the status page's remote note, and every text in
Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
import qrcode

from kiosk.ticket_qr import ERROR_CORRECTION, QUIET_ZONE_MODULES
from tests import factories
from tests.conftest import login_headers
from tests.kiosk.test_kiosk_server_side import _strings, svg_modules

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_page_says_in_chinese_or_english_that_the_hall_gives_no_tickets_online(
    client: Any, hall: factories.TestHall
) -> None:
    chinese = client.get("/h/test-hall/take", headers={"Accept-Language": "zh-CN"})
    english = client.get("/h/test-hall/take?lang=en")

    assert chinese.status_code == english.status_code == 200
    assert "本大厅不提供线上取号。" in chinese.get_data(as_text=True)
    assert "This hall does not give tickets online." in english.get_data(as_text=True)
    assert chinese.headers["Cache-Control"] == "no-store"
    assert client.get("/h/no-such-hall/take").status_code == 404
    assert client.get("/h/not%20a%20code/take").status_code == 404


def qr_dark_modules(text: str) -> set[tuple[int, int]]:
    expected = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    expected.add_data(text)
    expected.make(fit=True)
    return {(x, y) for y, row in enumerate(expected.get_matrix()) for x, on in enumerate(row) if on}


def test_the_poster_qr_code_encodes_the_halls_phone_page(
    client: Any, app: Any, hall: factories.TestHall
) -> None:
    response = client.get("/h/test-hall/take/qr.svg")

    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    page_url = f"{app.config['PUBLIC_BASE_URL']}/h/test-hall/take"
    assert svg_modules(response.data) == qr_dark_modules(page_url)
    assert client.get("/h/no-such-hall/take/qr.svg").status_code == 404


@pytest.mark.parametrize(
    ("code", "in_the_url"),
    [("xh.street", "xh.street"), ("城东 大厅", "%E5%9F%8E%E4%B8%9C%20%E5%A4%A7%E5%8E%85")],
)
def test_a_hall_code_with_any_characters_has_a_phone_page_and_a_poster_that_leads_to_it(
    client: Any, app: Any, clock: Any, code: str, in_the_url: str
) -> None:
    hall = factories.build_hall(app.extensions["hallq_db"], clock(), code=code)
    manager = login_headers(client, hall.manager_number)
    settings = client.put(
        f"/api/v1/manager/halls/{hall.id}/remote-issuing", json={"enabled": True}, headers=manager
    ).get_json()
    page_url = f"{app.config['PUBLIC_BASE_URL']}/h/{in_the_url}/take"

    page = client.get(f"/h/{in_the_url}/take")
    poster = client.get(f"/h/{in_the_url}/take/qr.svg")

    assert settings["take_page_url"] == page_url
    assert page.status_code == 200
    assert f"{code} 政务服务中心" in page.get_data(as_text=True)  # the hall's own page
    assert poster.status_code == 200
    assert svg_modules(poster.data) == qr_dark_modules(page_url)
    path = page_url.removeprefix(app.config["PUBLIC_BASE_URL"])
    assert client.get(path).status_code == 200  # the poster's QR leads to the page


def test_only_a_remote_tickets_status_page_shows_the_note_to_come_in_time(
    client: Any, hall: factories.TestHall
) -> None:
    client.put(
        f"/api/v1/manager/halls/{hall.id}/remote-issuing",
        json={"enabled": True},
        headers=login_headers(client, hall.manager_number),
    )
    remote = client.post(
        "/api/v1/remote/halls/test-hall/tickets",
        json={"service_id": hall.services["housing"], "phone": "13800138000"},
    ).get_json()
    at_kiosk = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    ).get_json()

    remote_page = client.get(f"/t/{remote['status_token']}?lang=zh").get_data(as_text=True)
    kiosk_page = client.get(f"/t/{at_kiosk['status_token']}?lang=zh").get_data(as_text=True)

    assert '<div id="status-remote" class="status-remote">' in remote_page
    assert "叫到您的号时不在场，将按过号处理" in remote_page
    assert '<div id="status-remote" class="status-remote" hidden>' in kiosk_page


def test_every_text_of_remote_tickets_has_its_chinese_translation(app: Any) -> None:
    from flask_babel import force_locale

    from hall_server.manager.page_text import manager_page_text
    from kiosk.page_text import remote_take_page_text, status_page_text

    with app.test_request_context(), force_locale("zh"):
        texts = _strings(remote_take_page_text()) + _strings(status_page_text())
        texts += _strings(manager_page_text()["remote"])
        texts.append(manager_page_text()["refusals"]["invalid_remote_settings"])
    assert [text for text in texts if not CHINESE.search(text)] == []
