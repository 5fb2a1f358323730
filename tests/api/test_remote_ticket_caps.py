"""What keeps remote tickets (线上取号) from being used up from outside the hall, on SQLite and
PostgreSQL: a cancelled ticket gives its place in the quota and the online share back; one
mobile number takes only a few tickets a day; Idempotency-Keys are each number's own; the
per-address limits sit well below the cap; a hall that offers nothing online says so."""

from __future__ import annotations

from typing import Any

import pytest

from hall_server.config import DEFAULTS
from hall_server.core.remote_issuing import TICKETS_PER_PHONE_PER_DAY
from tests import factories
from tests.api.test_remote_tickets_api import PHONE, allow, error_of, take, tickets_in
from tests.conftest import login_headers, make_app
from tests.factories import build_hall

PHONES = ["13900139000", "15012345678", "18612345678", "19912345678", "13312345678", "17712345678"]


@pytest.fixture
def app(any_app: Any) -> Any:
    return any_app


@pytest.fixture
def limited_hall(app: Any, clock: Any) -> factories.TestHall:
    """The test hall, but its business service (B) gives 4 tickets a day."""
    return build_hall(app.extensions["hallq_db"], clock(), code="test-hall", quotas={"business": 4})


def cancel(client: Any, ticket: Any) -> None:
    response = client.post(f"/api/v1/ticket-status/{ticket.get_json()['status_token']}/cancel")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"


def offered(client: Any, service_id: int) -> dict[str, Any]:
    offer = client.get("/api/v1/remote/halls/test-hall").get_json()
    return next(s for s in offer["services"] if s["service_id"] == service_id)  # type: ignore[no-any-return]


def test_a_cancelled_ticket_gives_its_place_in_the_online_share_and_the_quota_back(
    app: Any, client: Any, limited_hall: factories.TestHall
) -> None:
    hall = limited_hall
    business = hall.services["business"]
    allow(client, hall, quota_share_percent=50)  # 2 of the 4 online
    first, second = (take(client, business, phone) for phone in PHONES[:2])
    assert (first.status_code, second.status_code) == (201, 201)
    assert error_of(take(client, business, PHONES[2])) == (409, "remote_share_reached")

    cancel(client, first)
    freed = offered(client, business)
    third = take(client, business, PHONES[2])

    assert freed["refusal"] is None
    assert third.status_code == 201, third.get_json()
    assert error_of(take(client, business, PHONES[3])) == (409, "remote_share_reached")

    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}

    def at_the_kiosk() -> Any:
        return client.post(
            f"/api/v1/halls/{hall.id}/tickets", json={"service_id": business}, headers=kiosk
        )

    walk_ins = [at_the_kiosk() for _ in range(3)]
    assert [w.status_code for w in walk_ins] == [201, 201, 409]  # 2 online + 2 here = 4
    assert walk_ins[2].get_json()["error"]["code"] == "daily_quota_reached"

    cancel(client, walk_ins[0])
    preview = client.get(f"/kiosk/preview.json?service_id={business}", headers=kiosk).get_json()
    last = at_the_kiosk()

    assert preview["refusal"] is None  # the kiosk's confirmation counts the same way
    assert last.status_code == 201, last.get_json()
    numbers = [t.number for t in tickets_in(app)]
    assert numbers == ["B001", "B002", "B003", "B004", "B005", "B006"]  # none given twice


def test_one_number_takes_only_a_few_tickets_online_a_day_cancelled_ones_included(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    allow(client, hall)
    services = [hall.services["housing"], hall.services["business"]]
    for number in range(TICKETS_PER_PHONE_PER_DAY):
        taken = take(client, services[number % 2], "138 0013 8000")
        assert taken.status_code == 201, taken.get_json()
        cancel(client, taken)

    refused = take(client, services[0], PHONE)
    in_english = take(client, services[1], PHONE, **{"Accept-Language": "en"})

    assert error_of(refused) == (409, "phone_daily_limit_reached")
    assert refused.get_json()["error"]["field"] == "phone"
    assert refused.get_json()["error"]["message"].startswith(
        f"该手机号码今天已在本大厅线上取号 {TICKETS_PER_PHONE_PER_DAY} 次"
    )
    assert in_english.get_json()["error"]["message"].startswith(
        f"this mobile number has taken {TICKETS_PER_PHONE_PER_DAY} tickets online in this hall "
        "today"
    )
    assert take(client, services[0], PHONES[0]).status_code == 201  # other numbers still may
    kiosk = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": services[0], "phone": PHONE},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert kiosk.status_code == 201  # in the hall, the number is no longer limited

    clock.advance(days=1)
    assert take(client, services[1], PHONE).status_code == 201  # a new day


def test_a_hall_that_offers_no_service_online_says_so(
    app: Any, client: Any, limited_hall: factories.TestHall
) -> None:
    hall = limited_hall
    allow(client, hall, service_ids=[])
    none_chosen = client.get("/api/v1/remote/halls/test-hall").get_json()
    page = client.get("/h/test-hall/take").get_data(as_text=True)

    assert (none_chosen["services"], none_chosen["refusal"]["code"]) == ([], "no_remote_services")
    assert "线上取号" in none_chosen["refusal"]["message"]
    assert "本大厅目前没有可以线上取号的事项。" in page
    assert error_of(take(client, hall.services["housing"])) == (403, "service_not_remote")

    # Only business is chosen, and 10% of its 4 tickets is none.
    allow(client, hall, service_ids=[hall.services["business"]], quota_share_percent=10)
    rounded_away = client.get("/api/v1/remote/halls/test-hall?lang=en").get_json()

    assert rounded_away["services"] == []
    assert rounded_away["refusal"] == {
        "code": "no_remote_services",
        "message": "no service can be taken online in this hall now; please take a ticket at a "
        "kiosk in the hall",
    }


def test_a_cap_of_no_remote_tickets_is_refused_switching_them_off_is_the_way(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    manager = login_headers(client, hall.manager_number)
    path = f"/api/v1/manager/halls/{hall.id}/remote-issuing"

    refused = client.put(path, json={"enabled": True, "max_waiting": 0}, headers=manager)

    assert error_of(refused) == (422, "validation_failed")
    assert refused.get_json()["error"]["field"] == "max_waiting"
    assert client.get(path, headers=manager).get_json()["enabled"] is False


def test_by_default_one_address_takes_far_fewer_tickets_than_the_cap(
    sqlite_url: str, clock: Any
) -> None:
    app = make_app(sqlite_url, clock, RATELIMIT_ENABLED=True)
    try:
        hall = build_hall(app.extensions["hallq_db"], clock())
        client = app.test_client()
        settings = allow(client, hall)
        per_minute = int(DEFAULTS["RATELIMIT_REMOTE_ISSUE"].split(" per minute")[0])

        answers = [take(client, hall.services["housing"], phone).status_code for phone in PHONES]

        assert per_minute * 4 <= settings["max_waiting"]
        assert answers == [201] * per_minute + [429] * (len(PHONES) - per_minute)
    finally:
        app.extensions["hallq_db"].dispose()


def test_reading_the_offer_and_opening_the_phone_page_are_limited_per_address(
    sqlite_url: str, clock: Any
) -> None:
    app = make_app(sqlite_url, clock, RATELIMIT_ENABLED=True, RATELIMIT_REMOTE_READ="3 per minute")
    try:
        build_hall(app.extensions["hallq_db"], clock())
        client = app.test_client()

        reads = [client.get("/api/v1/remote/halls/test-hall").status_code for _ in range(4)]
        pages = [client.get("/h/test-hall/take") for _ in range(4)]

        assert reads == [200, 200, 200, 429]
        assert [p.status_code for p in pages] == [200, 200, 200, 429]
        busy = pages[3]
        assert busy.mimetype == "text/html"
        # The minute's window started at the first read: 60 s on, or 59 if a second has turned.
        assert busy.headers["Retry-After"] in ("59", "60")
        assert "目前打开此页面的人较多。" in busy.get_data(as_text=True)
    finally:
        app.extensions["hallq_db"].dispose()
