"""The break rota's API on a SQLite file and on PostgreSQL: managers read and change it, every
change is one `rota.changed` event, and a refused change leaves the rota and `seq` as they were."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import login_headers, make_app
from tests.factories import build_hall

LUNCH = {"start": "11:30", "minutes": 60, "weekdays": ["mon", "tue", "wed", "thu", "fri"]}


class RotaHall:
    """A built hall, its API client with a manager's login, and the events it published."""

    def __init__(self, app: Any, built: Any, other: Any) -> None:
        self.app = app
        self.built = built
        self.other = other
        self.client = app.test_client()
        self.manager = login_headers(self.client, built.manager_number)
        self.events: list[Any] = []
        database = app.extensions["hallq_db"]
        publish = database.publish

        def keep(event: Any) -> None:
            self.events.append(event)
            if publish is not None:
                publish(event)

        database.publish = keep

    def path(self, tail: str = "") -> str:
        return f"/api/v1/manager/halls/{self.built.id}/break-rota{tail}"

    def window(self, number: int) -> int:
        return self.built.windows[number]

    def call(self, method: str, tail: str = "", body: Any = None, **headers: str) -> Any:
        return self.client.open(
            self.path(tail), method=method, json=body, headers={**self.manager, **headers}
        )

    def rota(self) -> dict[str, Any]:
        response = self.call("GET")
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def seq(self) -> int:
        return int(self.client.get(f"/api/v1/halls/{self.built.id}/board").get_json()["seq"])


@pytest.fixture
def hall(database_url: str, clock: Any) -> Iterator[RotaHall]:
    app = make_app(database_url, clock)
    database = app.extensions["hallq_db"]
    try:
        built = build_hall(database, clock())
        other = build_hall(database, clock(), code="other-hall")
        yield RotaHall(app, built, other)
    finally:
        database.dispose()


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    return dict(response.get_json())


def slots(rota: dict[str, Any]) -> list[tuple[int, str, str, int, str | None]]:
    return [
        (b["window_number"], b["start"], b["end"], b["minutes"], b["label"]) for b in rota["breaks"]
    ]


def test_a_manager_sets_reads_and_changes_the_rota_one_event_each(hall: RotaHall) -> None:
    assert hall.rota() == {"hall_id": hall.built.id, "time_zone": "Asia/Shanghai", "breaks": []}
    seq = hall.seq()

    whole = ok(
        hall.call(
            "PUT",
            body={
                "breaks": [
                    {"window_id": hall.window(2), **LUNCH, "start": "12:30"},
                    {"window_id": hall.window(1), **LUNCH, "label": "午休 lunch"},
                ]
            },
        )
    )
    added = ok(
        hall.call(
            "POST", "/breaks", {"window_id": hall.window(1), "start": "10:00", "minutes": 15}
        ),
        201,
    )
    window_two = ok(
        hall.call(
            "PUT",
            f"/windows/{hall.window(2)}",
            {"breaks": [{"start": "12:00", "minutes": 45}, {"start": "9:45", "minutes": 15}]},
        )
    )
    morning = next(b for b in added["breaks"] if b["start"] == "10:00")
    removed = ok(hall.call("DELETE", f"/breaks/{morning['id']}"))

    assert slots(whole) == [
        (1, "11:30", "12:30", 60, "午休 lunch"),
        (2, "12:30", "13:30", 60, None),
    ]
    assert whole["breaks"][0]["weekdays"] == LUNCH["weekdays"]
    assert morning["weekdays"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert slots(window_two) == [
        (1, "10:00", "10:15", 15, None),
        (1, "11:30", "12:30", 60, "午休 lunch"),
        (2, "09:45", "10:00", 15, None),
        (2, "12:00", "12:45", 45, None),
    ]
    assert slots(removed) == slots(window_two)[1:]
    assert hall.rota() == removed
    assert [(e.name, e.payload) for e in hall.events] == [
        ("rota.changed", {"window_ids": [hall.window(1), hall.window(2)]}),
        ("rota.changed", {"window_ids": [hall.window(1)]}),
        ("rota.changed", {"window_ids": [hall.window(2)]}),
        ("rota.changed", {"window_ids": [hall.window(1)]}),
    ]
    assert hall.seq() == seq + 4
    assert ok(hall.call("PUT", body={"breaks": []})) == {**removed, "breaks": []}


BAD_CHANGES = {
    "overlap in one request": (
        "PUT",
        "",
        lambda h: {
            "breaks": [
                {"window_id": h.window(1), **LUNCH},
                {"window_id": h.window(1), "start": "12:00", "minutes": 30},
            ]
        },
        422,
        "break_overlap",
        "breaks",
    ),
    "overlap with the rota": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(1), "start": "11:00", "minutes": 45},
        422,
        "break_overlap",
        "breaks",
    ),
    "unknown window": (
        "PUT",
        "",
        lambda h: {"breaks": [{"window_id": h.window(2), **LUNCH}, {"window_id": 99999, **LUNCH}]},
        422,
        "window_not_in_hall",
        "breaks.1.window_id",
    ),
    "another hall's window": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.other.windows[1], **LUNCH},
        422,
        "window_not_in_hall",
        "window_id",
    ),
    "another hall's window, by path": (
        "PUT",
        "/windows/{other_window}",
        lambda h: {"breaks": [LUNCH]},
        422,
        "window_not_in_hall",
        "window_id",
    ),
    "not a time": (
        "PUT",
        "/windows/{window_2}",
        lambda h: {"breaks": [{"start": "noon", "minutes": 30}]},
        422,
        "invalid_break",
        "breaks.0.start",
    ),
    "a digit that is no ASCII digit": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(2), "start": "²:30", "minutes": 30},
        422,
        "invalid_break",
        "start",
    ),
    "too long": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(2), "start": "13:00", "minutes": 241},
        422,
        "invalid_break",
        "minutes",
    ),
    "past midnight": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(2), "start": "23:30", "minutes": 60},
        422,
        "invalid_break",
        "minutes",
    ),
    "unknown weekday": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(2), "start": "13:00", "minutes": 30, "weekdays": ["mo"]},
        422,
        "invalid_break",
        "weekdays",
    ),
    "another hall's break": (
        "DELETE",
        "/breaks/{other_break}",
        lambda h: None,
        404,
        "not_found",
        None,
    ),
    "a field that is not there": (
        "POST",
        "/breaks",
        lambda h: {"window_id": h.window(2), "start": "13:00", "minutes": 30, "colour": "red"},
        422,
        "unknown_field",
        "colour",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CHANGES))
def test_a_bad_change_is_refused_clearly_and_changes_nothing(hall: RotaHall, case: str) -> None:
    method, tail, body, status, code, field = BAD_CHANGES[case]
    ok(hall.call("PUT", body={"breaks": [{"window_id": hall.window(1), **LUNCH}]}))
    other_manager = login_headers(hall.client, hall.other.manager_number)
    other_rota = hall.client.post(
        f"/api/v1/manager/halls/{hall.other.id}/break-rota/breaks",
        json={"window_id": hall.other.windows[1], **LUNCH},
        headers=other_manager,
    )
    other_break = ok(other_rota, 201)["breaks"][0]["id"]
    before, seq, events = hall.rota(), hall.seq(), len(hall.events)
    tail = tail.format(
        other_window=hall.other.windows[1], window_2=hall.window(2), other_break=other_break
    )

    response = hall.call(method, tail, body(hall))

    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"])  # Chinese by default
    assert hall.rota() == before
    assert hall.seq() == seq
    assert len(hall.events) == events


def test_an_overlap_is_explained_in_english_on_request(hall: RotaHall) -> None:
    body = {"breaks": [{"start": "11:30", "minutes": 60}, {"start": "12:00", "minutes": 15}]}

    response = hall.call("PUT", f"/windows/{hall.window(1)}", body, **{"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == (
        "two breaks of window 1 overlap: 11:30-12:30 and 12:00-12:15"
    )


def test_only_the_halls_managers_may_read_or_change_its_rota(hall: RotaHall) -> None:
    clerk = login_headers(hall.client, hall.built.clerk_numbers[1])
    stranger = login_headers(hall.client, hall.other.manager_number)
    body = {"breaks": [{"window_id": hall.window(1), **LUNCH}]}

    assert hall.app.test_client().get(hall.path()).status_code == 401  # no login at all
    for headers, code in ((clerk, "forbidden_role"), (stranger, "forbidden_hall")):
        for response in (
            hall.client.get(hall.path(), headers=headers),
            hall.client.put(hall.path(), json=body, headers=headers),
        ):
            assert response.status_code == 403
            assert response.get_json()["error"]["code"] == code
    assert hall.rota()["breaks"] == []


def test_the_rota_and_the_planned_pause_are_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    rota = "/api/v1/manager/halls/{hall_id}/break-rota"

    assert {"get", "put"} <= set(paths[rota])
    assert "put" in paths[rota + "/windows/{window_id}"]
    assert "post" in paths[rota + "/breaks"]
    assert "delete" in paths[rota + "/breaks/{break_id}"]
    pause = paths["/api/v1/windows/{window_id}/state"]["post"]["requestBody"]
    schema_name = pause["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "pause_minutes" in schemas[schema_name]["properties"]
