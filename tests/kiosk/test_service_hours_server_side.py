"""What the server tells an open kiosk page about hours, without a browser: a service outside
its issuing hours is refused with those hours, a closed hall is refused once for the whole page
with its opening hours, and both come back as the clock moves into the hours; the phone page
carries the same hours. The clock starts on Monday 09:00 in Shanghai."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import update

from hall_server.operations.issuing_hours import weekly_spans
from hall_server.storage.models import Hall, Service
from tests.kiosk.kiosk_hall import KioskHall, bearer

AFTERNOON = "mon-fri 13:30-17:00"
WEEKDAYS_AFTERNOON = [[["13:30", "17:00"]]] * 5 + [[], []]


def set_hours(app: Any, kiosk_hall: KioskHall, service: str | None, hours: str | None) -> None:
    with app.extensions["hallq_db"].transaction() as uow:
        if service is None:
            statement = update(Hall).where(Hall.id == kiosk_hall.id).values(opening_hours=hours)
        else:
            statement = (
                update(Service)
                .where(Service.id == kiosk_hall.services[service])
                .values(issuing_hours=hours)
            )
        uow.session.execute(statement)


def figures(client: Any, token: str) -> dict[str, Any]:
    response = client.get("/kiosk/service-figures.json", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def by_service(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {entry["service_id"]: entry for entry in answer["services"]}


def test_weekly_spans_are_each_weekdays_hours_and_none_when_always_open() -> None:
    assert weekly_spans(None) is None
    assert weekly_spans("  ") is None
    assert weekly_spans("mon-fri 13:30-17:00 08:30-12:00; sat 09:00-12:00") == (
        [[["08:30", "12:00"], ["13:30", "17:00"]]] * 5 + [[["09:00", "12:00"]], []]
    )


def test_a_service_outside_its_issuing_hours_is_refused_with_them_until_they_start(
    client: Any, app: Any, kiosk_hall: KioskHall, kiosk_token: str, clock: Any
) -> None:
    set_hours(app, kiosk_hall, "企业设立登记", AFTERNOON)
    afternoon_only = kiosk_hall.services["企业设立登记"]

    morning = figures(client, kiosk_token)
    clock.advance(hours=4, minutes=29)  # 13:29
    just_before = by_service(figures(client, kiosk_token))[afternoon_only]
    clock.advance(minutes=1)  # 13:30
    open_now = by_service(figures(client, kiosk_token))[afternoon_only]

    refused = by_service(morning)[afternoon_only]
    assert refused["refusal"]["code"] == "outside_issuing_hours"
    assert refused["issuing_hours"] == WEEKDAYS_AFTERNOON
    assert morning["hall"] == {"refusal": None, "opening_hours": None}
    assert morning["now"] == "2026-11-30T01:00:00+00:00"
    other = by_service(morning)[kiosk_hall.services["公积金提取"]]
    assert other["refusal"] is None and other["issuing_hours"] is None
    assert just_before["refusal"]["code"] == "outside_issuing_hours"
    assert open_now["refusal"] is None and open_now["issuing_hours"] is None


def test_a_closed_hall_is_refused_once_with_its_opening_hours(
    client: Any, app: Any, kiosk_hall: KioskHall, kiosk_token: str, clock: Any
) -> None:
    set_hours(app, kiosk_hall, None, "mon-fri 10:00-17:00")
    set_hours(app, kiosk_hall, "企业设立登记", AFTERNOON)

    closed = figures(client, kiosk_token)
    clock.advance(hours=1)  # 10:00
    opened = figures(client, kiosk_token)
    refused = client.post(
        f"/api/v1/halls/{kiosk_hall.id}/tickets",
        json={"service_id": kiosk_hall.services["企业设立登记"]},
        headers=bearer(kiosk_token),
    )

    assert closed["hall"]["refusal"]["code"] == "hall_closed"
    assert closed["hall"]["opening_hours"] == [[["10:00", "17:00"]]] * 5 + [[], []]
    # Every service is refused for the hall, before its own hours are looked at.
    assert {entry["refusal"]["code"] for entry in closed["services"]} == {"hall_closed"}
    assert all(entry["issuing_hours"] is None for entry in closed["services"])
    assert opened["hall"] == {"refusal": None, "opening_hours": None}
    afternoon_only = by_service(opened)[kiosk_hall.services["企业设立登记"]]
    assert afternoon_only["refusal"]["code"] == "outside_issuing_hours"
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "outside_issuing_hours"


def test_the_phone_page_carries_the_halls_and_services_hours(
    client: Any, app: Any, kiosk_hall: KioskHall
) -> None:
    set_hours(app, kiosk_hall, None, "mon-fri 10:00-17:00")
    set_hours(app, kiosk_hall, "企业设立登记", AFTERNOON)

    page = client.get("/h/kiosk-hall/take").get_data(as_text=True)

    found = re.search(r"window\.HALLQ\.hours = (.*);", page)
    assert found is not None
    assert json.loads(found.group(1)) == {
        "time_zone": "Asia/Shanghai",
        "opening_hours": [[["10:00", "17:00"]]] * 5 + [[], []],
        "services": {str(kiosk_hall.services["企业设立登记"]): WEEKDAYS_AFTERNOON},
    }
