"""The start page at / and what a browser gets for an address that is no page: a page in the
reader's language (Chinese by default) with a way back, while programs and the API keep their
JSON errors."""

from __future__ import annotations

from typing import Any

from hall_server.operations.remote_issuing import change_remote_settings
from tests.factories import build_hall

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_the_start_page_links_every_persons_page_and_the_halls_taking_phone_tickets(
    app: Any, client: Any, clock: Any
) -> None:
    database = app.extensions["hallq_db"]
    on = build_hall(database, clock(), code="xh-street")
    build_hall(database, clock(), code="quiet-town")
    with database.transaction() as uow:
        change_remote_settings(uow, on.manager(), on.id, {"enabled": True})

    page = client.get("/", headers=BROWSER)

    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = page.get_data(as_text=True)
    assert "政务服务大厅排队叫号系统" in text
    for address in ("/counter/", "/manager/", "/city/", "/kiosk/?token=", "/board/?token="):
        assert address in text
    assert "/h/xh-street/take" in text  # remote tickets on
    assert "/h/quiet-town/take" not in text  # off, as a hall is until its manager says

    english = client.get("/?lang=en", headers=BROWSER).get_data(as_text=True)
    assert "Counter: call, serve and record cases at a window" in english
    assert "呼叫器" not in english
    # The choice sticks for the pages it links to.
    assert "Counter" in client.get("/counter/", headers=BROWSER).get_data(as_text=True)
    assert "呼叫器" not in client.get("/counter/", headers=BROWSER).get_data(as_text=True)


def test_a_browser_gets_a_page_for_an_unknown_address_and_a_program_gets_json(
    client: Any,
) -> None:
    page = client.get("/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "没有这个页面" in page.get_data(as_text=True)
    assert 'href="/"' in page.get_data(as_text=True)

    for path, headers in (("/no-such-page", {}), ("/api/v1/no-such-thing", BROWSER)):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"


def test_browsers_get_an_icon(client: Any) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.content_type.startswith("image/svg+xml")
    assert icon.get_data(as_text=True).startswith("<svg")
