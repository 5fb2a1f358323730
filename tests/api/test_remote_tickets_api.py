"""Tickets taken remotely (线上取号) through the public API, on SQLite and PostgreSQL: off until a
manager switches it on; an ordinary walk-in in the queue, marked as taken remotely and announced
on the boards; refused, with nothing issued, for a bad phone, a second ticket of one number,
the cap of remote tickets waiting, the online share of a quota and the hall's issuing rules;
and a retry with the same Idempotency-Key gives the same ticket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hall_server.extensions import socketio
from hall_server.storage.models import Hall, Service, Ticket
from tests import factories
from tests.conftest import login_headers, make_app
from tests.factories import build_hall
from tests.manager.conftest import add_user

PHONE = "13800138000"
OTHER_PHONES = ["13900139000", "15012345678", "18612345678", "19912345678"]


@pytest.fixture
def app(database_url: str, clock: Any) -> Iterator[Any]:
    """The app on SQLite and on PostgreSQL (the shared `client` and `hall` build on it)."""
    application = make_app(database_url, clock)
    yield application
    application.extensions["hallq_db"].dispose()


def allow(client: Any, hall: factories.TestHall, **settings: Any) -> dict[str, Any]:
    """A manager switches remote tickets on, with `settings` on top."""
    response = client.put(
        f"/api/v1/manager/halls/{hall.id}/remote-issuing",
        json={"enabled": True, **settings},
        headers=login_headers(client, hall.manager_number),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def take(
    client: Any, service_id: int, phone: str = PHONE, key: str | None = None, **headers: str
) -> Any:
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(
        "/api/v1/remote/halls/test-hall/tickets",
        json={"service_id": service_id, "phone": phone},
        headers=headers,
    )


def tickets_in(app: Any) -> list[Ticket]:
    with app.extensions["hallq_db"].reading() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def error_of(response: Any) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_a_hall_gives_no_tickets_online_until_a_manager_switches_it_on(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    offer = client.get("/api/v1/remote/halls/test-hall").get_json()
    refused = take(client, hall.services["housing"])

    assert offer["enabled"] is False and offer["services"] == []
    assert offer["refusal"]["code"] == "remote_tickets_off"
    assert "线上取号" in offer["refusal"]["message"]  # Chinese by default
    assert error_of(refused) == (403, "remote_tickets_off")
    assert "线上取号" in refused.get_json()["error"]["message"]
    assert tickets_in(app) == []

    settings = allow(client, hall)
    taken = take(client, hall.services["housing"])

    assert settings["take_page_url"].endswith("/h/test-hall/take")
    assert settings["service_ids"] is None  # every active service
    assert taken.status_code == 201, taken.get_json()
    ticket = taken.get_json()
    assert ticket["issued_remotely"] is True
    assert ticket["status_url"].endswith(f"/t/{ticket['status_token']}")
    assert [t.issued_remotely for t in tickets_in(app)] == [True]


def test_a_remote_ticket_queues_as_a_walk_in_and_is_announced_on_the_boards(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    walk_in = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()  # fmt: skip
    board = socketio.test_client(app, auth={"hall_id": hall.id})
    board.get_received()

    remote = take(client, hall.services["housing"]).get_json()

    announced = [m["args"][0] for m in board.get_received() if m["name"] == "ticket.issued"]
    assert [m["ticket"]["number"] for m in announced] == ["A002"]
    assert announced[0]["ticket"]["issued_remotely"] is True
    assert "status_token" not in announced[0]["ticket"]
    assert (walk_in["number"], remote["number"]) == ("A001", "A002")  # one numbering
    assert remote["visitor_class"] == "walk_in" and remote["people_ahead"] == 1
    assert walk_in["issued_remotely"] is False
    clerk = login_headers(client, hall.clerk_numbers[2])
    window = hall.windows[2]
    first = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).get_json()
    assert first["number"] == "A001"
    for action, body in (("start", None), ("finish", {"outcome": "completed"})):
        path = f"/api/v1/windows/{window}/tickets/{first['id']}/{action}"
        assert client.post(path, json=body, headers=clerk).status_code == 200
    second = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).get_json()
    assert (second["number"], second["issued_remotely"]) == ("A002", True)
    status = client.get(f"/api/v1/ticket-status/{remote['status_token']}").get_json()
    assert status["status"] == "called" and status["issued_remotely"] is True


@pytest.mark.parametrize(
    "phone", ["1380013800", "138001380001", "12800138000", "23800138000", "1380013800a", "电话"]
)
def test_a_phone_that_is_not_a_mainland_mobile_number_is_refused(
    app: Any, client: Any, hall: factories.TestHall, phone: str
) -> None:
    allow(client, hall)

    response = take(client, hall.services["housing"], phone)

    assert error_of(response) == (422, "invalid_phone")
    assert response.get_json()["error"]["field"] == "phone"
    assert "手机号码" in response.get_json()["error"]["message"]
    assert tickets_in(app) == []


def test_one_number_holds_one_waiting_ticket_per_service_however_it_is_typed(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    at_the_kiosk = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["business"], "phone": "13900139000"},
        headers=kiosk,
    )
    assert at_the_kiosk.status_code == 201

    first = take(client, hall.services["housing"], "+86 138-0013-8000")
    again = take(client, hall.services["housing"], PHONE)
    other_service = take(client, hall.services["business"], PHONE)
    kiosk_holder = take(client, hall.services["business"], "139 0013 9000")

    assert first.status_code == 201, first.get_json()
    assert error_of(again) == (409, "already_holds_ticket")
    assert other_service.status_code == 201
    assert error_of(kiosk_holder) == (409, "already_holds_ticket")  # one holder, any channel
    assert len(tickets_in(app)) == 3
    cancelled = client.post(f"/api/v1/ticket-status/{first.get_json()['status_token']}/cancel")
    assert cancelled.status_code == 200
    assert take(client, hall.services["housing"], PHONE).status_code == 201


def test_a_retry_with_the_same_idempotency_key_gives_the_same_ticket(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall)

    first = take(client, hall.services["housing"], key="tap-1")
    again = take(client, hall.services["housing"], key="tap-1")
    other_service = take(client, hall.services["business"], key="tap-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["status_token"] == first.get_json()["status_token"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert error_of(other_service) == (422, "idempotency_key_reused")  # same number, new request
    assert len(tickets_in(app)) == 1


def test_two_visitors_who_send_the_same_idempotency_key_each_get_their_own_ticket(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall)

    mine = take(client, hall.services["housing"], PHONE, key="1")
    theirs = take(client, hall.services["housing"], OTHER_PHONES[0], key="1")
    their_retry = take(client, hall.services["housing"], OTHER_PHONES[0], key="1")

    assert mine.status_code == theirs.status_code == 201, theirs.get_json()
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert their_retry.get_json()["id"] == theirs.get_json()["id"]
    assert their_retry.headers["Idempotent-Replayed"] == "true"
    assert len(tickets_in(app)) == 2


def test_the_cap_of_remote_tickets_waiting_keeps_places_for_walk_ins(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall, max_waiting=2)
    for phone in OTHER_PHONES[:2]:
        assert take(client, hall.services["housing"], phone).status_code == 201

    refused = take(client, hall.services["business"], PHONE)
    offer = client.get("/api/v1/remote/halls/test-hall", headers={"Accept-Language": "en"})
    kiosk = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": hall.services["business"]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )  # fmt: skip

    assert error_of(refused) == (409, "remote_tickets_full")
    assert refused.get_json()["error"]["message"].startswith("本大厅已有 2 个线上取的号在等候")
    assert offer.get_json()["refusal"] == {
        "code": "remote_tickets_full",
        "message": "2 online tickets are already waiting in this hall; please try again later "
        "or take one at a kiosk in the hall",
    }
    assert offer.get_json()["remote_waiting"] == 2
    assert kiosk.status_code == 201  # walk-ins still get tickets
    assert len(tickets_in(app)) == 3

    clerk = login_headers(client, hall.clerk_numbers[2])
    called = client.post(f"/api/v1/windows/{hall.windows[2]}/call-next", headers=clerk)
    assert called.get_json()["issued_remotely"] is True  # no longer waiting
    assert take(client, hall.services["business"], PHONE).status_code == 201


def test_remote_tickets_take_only_their_share_of_a_limited_service_quota(
    database_url: str, clock: Any
) -> None:
    app = make_app(database_url, clock)
    try:
        hall = build_hall(app.extensions["hallq_db"], clock(), quotas={"business": 4})
        client = app.test_client()
        allow(client, hall, quota_share_percent=50)
        business = hall.services["business"]
        assert [take(client, business, p).status_code for p in OTHER_PHONES[:2]] == [201, 201]

        refused = take(client, business, PHONE)
        offer = client.get("/api/v1/remote/halls/test-hall").get_json()
        kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
        at_kiosk = [
            client.post(
                f"/api/v1/halls/{hall.id}/tickets", json={"service_id": business}, headers=kiosk
            ).status_code
            for _ in range(3)
        ]

        assert error_of(refused) == (409, "remote_share_reached")
        by_service = {s["service_id"]: s for s in offer["services"]}
        assert by_service[business]["refusal"]["code"] == "remote_share_reached"
        assert by_service[hall.services["housing"]]["refusal"] is None
        assert offer["refusal"] is None  # only one service is refused
        assert at_kiosk == [201, 201, 409]  # the quota of 4 holds for all tickets
    finally:
        app.extensions["hallq_db"].dispose()


def test_the_halls_issuing_rules_apply_unchanged_to_remote_tickets(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall)
    database = app.extensions["hallq_db"]
    with database.transaction() as uow:  # Monday 09:00: business issues in the afternoon only
        uow.session.execute(
            update(Service)
            .where(Service.id == hall.services["business"])
            .values(issuing_hours="mon-fri 13:00-16:00")
        )

    refused = take(client, hall.services["business"])
    offer = client.get("/api/v1/remote/halls/test-hall").get_json()

    assert error_of(refused) == (409, "outside_issuing_hours")
    refusals = {s["name"]: s["refusal"] and s["refusal"]["code"] for s in offer["services"]}
    assert refusals == {"housing": None, "business": "outside_issuing_hours"}

    with database.transaction() as uow:  # the hall opens on Saturdays only
        uow.session.execute(
            update(Hall).where(Hall.id == hall.id).values(opening_hours="sat 09:00-12:00")
        )
    closed = take(client, hall.services["housing"])
    offer = client.get("/api/v1/remote/halls/test-hall").get_json()

    assert error_of(closed) == (409, "hall_closed")
    assert offer["refusal"]["code"] == "hall_closed"
    assert tickets_in(app) == []


def test_only_the_chosen_services_are_offered_online(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    allow(client, hall, service_ids=[hall.services["housing"]])

    offer = client.get("/api/v1/remote/halls/test-hall").get_json()
    refused = take(client, hall.services["business"])

    assert [s["name"] for s in offer["services"]] == ["housing"]
    assert error_of(refused) == (403, "service_not_remote")
    assert take(client, hall.services["housing"]).status_code == 201


def test_only_the_halls_managers_change_the_settings_and_only_to_its_own_services(
    app: Any, client: Any, hall: factories.TestHall, clock: Any
) -> None:
    other = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    path = f"/api/v1/manager/halls/{hall.id}/remote-issuing"
    clerk = login_headers(client, hall.clerk_numbers[1])
    other_manager = login_headers(client, other.manager_number)
    manager = login_headers(client, hall.manager_number)

    assert error_of(client.put(path, json={"enabled": True}, headers=clerk)) == (
        403,
        "forbidden_role",
    )
    assert error_of(client.get(path, headers=other_manager)) == (403, "forbidden_hall")
    assert client.put(path, json={"enabled": True}).status_code == 401
    foreign = client.put(path, json={"service_ids": [other.services["housing"]]}, headers=manager)
    assert error_of(foreign) == (422, "invalid_remote_settings")
    assert foreign.get_json()["error"]["field"] == "service_ids"
    assert error_of(client.put(path, json={"max_waiting": -1}, headers=manager)) == (
        422,
        "validation_failed",
    )
    assert client.get(path, headers=manager).get_json()["enabled"] is False

    changed = client.put(path, json={"enabled": True, "max_waiting": 5}, headers=manager)
    kept = client.put(path, json={"quota_share_percent": 30}, headers=manager).get_json()

    assert changed.status_code == 200
    assert (kept["enabled"], kept["max_waiting"], kept["quota_share_percent"]) == (True, 5, 30)


def test_an_unknown_hall_code_is_not_found(app: Any, client: Any, hall: factories.TestHall) -> None:
    assert error_of(client.get("/api/v1/remote/halls/no-such-hall")) == (404, "not_found")
    response = client.post(
        "/api/v1/remote/halls/no-such-hall/tickets",
        json={"service_id": hall.services["housing"], "phone": PHONE},
    )
    assert error_of(response) == (404, "not_found")


def hall_admin(app: Any, client: Any, hall: factories.TestHall) -> dict[str, str]:
    add_user(app.extensions["hallq_db"], "hall-admin", "admin", hall.id)
    return login_headers(client, "hall-admin")


def hall_codes(app: Any) -> list[str]:
    with app.extensions["hallq_db"].reading() as session:
        return list(session.scalars(select(Hall.code).order_by(Hall.id)))


@pytest.mark.parametrize("code", ["xh/street", "a%2Fb", "城东", "city centre", "x" * 41, "ok\n"])
def test_a_hall_code_that_is_no_safe_path_segment_is_refused_and_nothing_changes(
    app: Any, client: Any, hall: factories.TestHall, code: str
) -> None:
    admin = hall_admin(app, client, hall)
    before = hall_codes(app)
    new_hall = {"parent_id": hall.id, "code": code, "name": "便民服务站", "level": "community"}

    created = client.post("/api/v1/halls", json=new_hall, headers=admin)
    renamed = client.patch(
        f"/api/v1/halls/{hall.id}", json={"code": code}, headers={**admin, "Accept-Language": "en"}
    )

    assert error_of(created) == error_of(renamed) == (422, "validation_failed")
    assert created.get_json()["error"]["field"] == renamed.get_json()["error"]["field"] == "code"
    assert "大厅编码" in created.get_json()["error"]["message"]  # Chinese by default
    assert "letters, digits, '-' or '_'" in renamed.get_json()["error"]["message"]
    assert hall_codes(app) == before
    assert client.get("/api/v1/remote/halls/test-hall").status_code == 200


def test_a_hall_whose_code_predates_the_rule_keeps_it_while_its_other_details_change(
    app: Any, client: Any
) -> None:
    """Its posters are printed: saving its name (the admin page sends the code along) must not
    force a new code; a new code must follow the rule."""
    database = app.extensions["hallq_db"]
    old = factories.build_hall(database, datetime(2026, 11, 30, 1, tzinfo=UTC), code="xh.street")
    admin = hall_admin(app, client, old)

    kept = client.patch(
        f"/api/v1/halls/{old.id}",
        json={"code": "xh.street", "name": "西湖街道便民服务中心"},
        headers=admin,
    )
    changed = client.patch(f"/api/v1/halls/{old.id}", json={"code": "xh.street2"}, headers=admin)

    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["code"] == "xh.street"
    assert kept.get_json()["name"] == "西湖街道便民服务中心"
    assert error_of(changed) == (422, "validation_failed")
    assert changed.get_json()["error"]["field"] == "code"
    assert hall_codes(app) == ["xh.street"]


def test_a_hall_given_a_safe_code_takes_remote_tickets_under_it(
    app: Any, client: Any, hall: factories.TestHall
) -> None:
    admin = hall_admin(app, client, hall)
    renamed = client.patch(f"/api/v1/halls/{hall.id}", json={"code": "XH_street-2"}, headers=admin)
    assert renamed.status_code == 200, renamed.get_json()

    settings = allow(client, hall)
    offer = client.get("/api/v1/remote/halls/XH_street-2")
    taken = client.post(
        "/api/v1/remote/halls/XH_street-2/tickets",
        json={"service_id": hall.services["housing"], "phone": PHONE},
    )

    assert settings["hall_code"] == "XH_street-2"
    assert settings["take_page_url"].endswith("/h/XH_street-2/take")
    assert offer.status_code == 200 and offer.get_json()["enabled"] is True
    assert taken.status_code == 201, taken.get_json()
    assert [(t.number, t.issued_remotely) for t in tickets_in(app)] == [("A001", True)]
    assert error_of(client.get("/api/v1/remote/halls/test-hall")) == (404, "not_found")


def test_two_phones_racing_for_the_last_remote_place_get_one_ticket(
    app: Any, hall: factories.TestHall
) -> None:
    client = app.test_client()
    allow(client, hall, max_waiting=1)
    barrier = threading.Barrier(4)
    answers: list[int] = []

    def race(phone: str) -> None:
        own = app.test_client()
        barrier.wait()
        answers.append(take(own, hall.services["housing"], phone).status_code)

    racers = [threading.Thread(target=race, args=(phone,)) for phone in OTHER_PHONES]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    assert sorted(answers) == [201, 409, 409, 409]
    with app.extensions["hallq_db"].reading() as session:
        remote = select(func.count()).select_from(Ticket).where(Ticket.issued_remotely.is_(True))
        assert session.scalar(remote) == 1


def test_a_flood_from_one_address_gets_429(sqlite_url: str, clock: Any) -> None:
    app = make_app(sqlite_url, clock, RATELIMIT_ENABLED=True, RATELIMIT_REMOTE_ISSUE="3 per minute")
    try:
        hall = build_hall(app.extensions["hallq_db"], clock())
        client = app.test_client()
        allow(client, hall)

        answers = [
            take(client, hall.services["housing"], phone).status_code for phone in OTHER_PHONES
        ]

        assert answers == [201, 201, 201, 429]
        assert len(tickets_in(app)) == 3
    finally:
        app.extensions["hallq_db"].dispose()
