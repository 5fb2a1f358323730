"""Managers follow up every poor rating (差评): the report's period lists the rated cases behind its
averages, with the ticket, service, window, clerk, level, reasons and the visitor's comment, for
managers only, and the XLSX export carries them on a second sheet (评价明细).

The hand-worked day (tests/manager/hand_worked_day.py) has A001 rated very satisfied at 09:21 and
A002 dissatisfied at 09:36 (on the phone, no reasons); here A004 is also rated very dissatisfied
at 09:56 on the pad, with two reasons and a comment, A003 basically satisfied at 10:03, Tuesday's
A001 very dissatisfied, and a township hall below has one poor rating of its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy import func, select

from hall_server.operations.ratings import RatingChannel, rate_case
from hall_server.storage.models import Rating, Ticket
from tests.conftest import login_headers
from tests.factories import build_hall
from tests.manager.conftest import ok, refused
from tests.manager.hand_worked_day import (
    MONDAY_0900,
    TUESDAY_0030,
    PlayedDay,
    Player,
    at,
    play_hand_worked_day,
)

MONDAY = "period=day&date=2026-11-30"
COMMENT = "等了半小时，态度也不好"


@dataclass
class RatedDay:
    day: PlayedDay
    township_id: int
    township_manager: str


def _rate(database: Any, ticket_id: int, level: str, when: Any, **rating: Any) -> None:
    with database.transaction() as uow:
        rate_case(
            uow,
            uow.session.get(Ticket, ticket_id),
            level,
            rating.get("reasons", []),
            rating.get("comment"),
            rating.get("channel", RatingChannel.MOBILE),
            when,
        )


@pytest.fixture
def rated(any_app: Any) -> RatedDay:
    database = any_app.extensions["hallq_db"]
    day = play_hand_worked_day(database)
    t = day.tickets
    _rate(
        database,
        t["A004"],
        "very_dissatisfied",
        at(56),
        reasons=["long_wait", "poor_attitude"],
        comment=COMMENT,
        channel=RatingChannel.RATING_PAD,
    )
    _rate(database, t["A003"], "basically_satisfied", at(63), reasons=["slow_handling"])
    with database.reading() as session:
        tuesday = session.scalar(
            select(Ticket.id).where(Ticket.hall_id == day.hall.id, Ticket.local_date > "2026-11-30")
        )
    _rate(database, tuesday, "very_dissatisfied", at(16, TUESDAY_0030))
    township = build_hall(
        database, MONDAY_0900, code="township", parent_id=day.hall.id, level="township"
    )
    player = Player(database, township)
    issued = player.issue("housing", at(0))
    player.serve(1, issued["id"], 1, 2, 8)
    _rate(database, issued["id"], "dissatisfied", at(9), comment="没有座位")
    return RatedDay(day, township.id, township.manager_number)


@pytest.fixture
def client(any_app: Any) -> Any:
    return any_app.test_client()


@pytest.fixture
def manager(client: Any, rated: RatedDay) -> dict[str, str]:
    return login_headers(client, rated.day.hall.manager_number)


def ratings_of(client: Any, hall_id: int, query: str, headers: dict[str, str]) -> Any:
    return client.get(f"/api/v1/reports/halls/{hall_id}/ratings?{query}", headers=headers)


def _conforms_to_the_document(client: Any, response: Any) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/v1/reports/halls/{hall_id}/ratings"]["get"]
    schema = operation["responses"][str(response.status_code)]["content"]["application/json"]
    validator = Draft202012Validator({**schema["schema"], "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, errors[0]


def test_a_manager_sees_the_poor_ratings_of_the_day_newest_first_with_reasons_and_comment(
    client, rated, manager
):
    hall = rated.day.hall
    response = ratings_of(client, hall.id, MONDAY, manager)
    listed = ok(response)

    assert (listed["start"], listed["end"]) == ("2026-11-30", "2026-11-30")
    assert listed["levels"] == ["dissatisfied", "very_dissatisfied"]
    assert (listed["total"], listed["next_before"]) == (2, None)
    assert [row["ticket_number"] for row in listed["ratings"]] == ["A004", "A002"]
    worst = listed["ratings"][0]
    assert worst["rated_at"] == "2026-11-30T09:56:00+08:00"  # on the hall's clock
    assert worst["local_date"] == "2026-11-30"
    assert worst["hall"]["id"] == hall.id
    assert worst["service"]["name"] == "housing"
    assert worst["window"] == {"id": hall.windows[2], "number": 2, "name": "窗口2"}
    assert worst["clerk"] == {
        "id": hall.clerks[2],
        "name": "clerk2",
        "staff_number": hall.clerk_numbers[2],
    }
    assert worst["level"] == {"code": "very_dissatisfied", "label": "非常不满意", "score": 1}
    assert worst["reasons"] == [
        {"code": "long_wait", "label": "等候时间长"},
        {"code": "poor_attitude", "label": "服务态度差"},
    ]
    assert worst["comment"] == COMMENT
    assert worst["channel"] == {"code": "rating_pad", "label": "评价器"}
    phone = listed["ratings"][1]
    assert (phone["level"]["label"], phone["reasons"], phone["comment"]) == ("不满意", [], None)
    assert phone["channel"] == {"code": "mobile", "label": "手机"}
    _conforms_to_the_document(client, response)


def test_the_labels_follow_the_language_of_the_request(client, rated, manager):
    english = {**manager, "Accept-Language": "en"}
    worst = ok(ratings_of(client, rated.day.hall.id, MONDAY, english))["ratings"][0]

    assert worst["level"]["label"] == "Very dissatisfied"
    assert [reason["label"] for reason in worst["reasons"]] == [
        "Waited too long",
        "Unfriendly service",
    ]
    assert worst["channel"]["label"] == "Rating pad"
    assert worst["comment"] == COMMENT  # the visitor's words stay as written
    by_parameter = ok(ratings_of(client, rated.day.hall.id, f"{MONDAY}&lang=en", manager))
    assert by_parameter["ratings"][0]["level"]["label"] == "Very dissatisfied"


def test_levels_choose_which_ratings_are_listed(client, rated, manager):
    hall_id = rated.day.hall.id

    every = ok(ratings_of(client, hall_id, f"{MONDAY}&levels=all", manager))
    assert [row["ticket_number"] for row in every["ratings"]] == ["A003", "A004", "A002", "A001"]
    assert every["total"] == 4 and len(every["levels"]) == 5
    for query in (
        "levels=very_satisfied,basically_satisfied",
        "levels=very_satisfied&levels=basically_satisfied",
    ):
        chosen = ok(ratings_of(client, hall_id, f"{MONDAY}&{query}", manager))
        assert [row["ticket_number"] for row in chosen["ratings"]] == ["A003", "A001"], query
        assert chosen["levels"] == ["very_satisfied", "basically_satisfied"]
    week = ok(ratings_of(client, hall_id, "period=week&date=2026-12-02", manager))
    assert [(row["ticket_number"], row["local_date"]) for row in week["ratings"]] == [
        ("A001", "2026-12-01"),
        ("A004", "2026-11-30"),
        ("A002", "2026-11-30"),
    ]


def test_the_list_comes_in_pages_newest_first(client, rated, manager):
    hall_id = rated.day.hall.id
    seen = []
    query = f"{MONDAY}&levels=all&limit=3"
    page = ok(ratings_of(client, hall_id, query, manager))
    seen += [row["ticket_number"] for row in page["ratings"]]
    assert page["total"] == 4 and page["next_before"] == page["ratings"][-1]["id"]
    page = ok(ratings_of(client, hall_id, f"{query}&before={page['next_before']}", manager))
    seen += [row["ticket_number"] for row in page["ratings"]]
    assert page["next_before"] is None and page["total"] == 4
    assert seen == ["A003", "A004", "A002", "A001"]

    one = ok(ratings_of(client, hall_id, f"{MONDAY}&limit=1", manager))
    assert [row["ticket_number"] for row in one["ratings"]] == ["A004"]
    after = ok(
        ratings_of(client, hall_id, f"{MONDAY}&limit=1&before={one['next_before']}", manager)
    )
    assert [row["ticket_number"] for row in after["ratings"]] == ["A002"]
    assert after["next_before"] is None


def test_the_halls_below_are_listed_when_asked_and_each_row_names_its_hall(client, rated, manager):
    city = rated.day.hall.id
    own = ok(ratings_of(client, city, MONDAY, manager))
    assert {row["hall"]["id"] for row in own["ratings"]} == {city}

    tree = ok(ratings_of(client, city, f"{MONDAY}&include_halls_below=true", manager))
    assert tree["total"] == 3 and tree["include_halls_below"] is True
    township_rows = [row for row in tree["ratings"] if row["hall"]["id"] == rated.township_id]
    assert [row["comment"] for row in township_rows] == ["没有座位"]
    assert township_rows[0]["hall"]["name"] == "township 政务服务中心"

    # The city's manager may open the township's own list, as its report.
    below = ok(ratings_of(client, rated.township_id, MONDAY, manager))
    assert [row["comment"] for row in below["ratings"]] == ["没有座位"]


def test_only_managers_of_the_hall_or_above_read_the_ratings(any_app, client, rated):
    day = rated.day
    clerk = login_headers(client, day.hall.clerk_numbers[1])
    refused(ratings_of(client, day.hall.id, MONDAY, clerk), 403, "forbidden_role")
    township = login_headers(client, rated.township_manager)
    refused(ratings_of(client, day.hall.id, MONDAY, township), 403, "forbidden_hall")
    other = play_hand_worked_day(any_app.extensions["hallq_db"], code="elsewhere")
    stranger = login_headers(client, other.hall.manager_number)
    refused(ratings_of(client, day.hall.id, MONDAY, stranger), 403, "forbidden_hall")
    refused(ratings_of(any_app.test_client(), day.hall.id, MONDAY, {}), 401, "unauthorized")
    # An unknown hall is as closed as another's, as for the report.
    refused(ratings_of(client, 999_999, MONDAY, stranger), 403, "forbidden_hall")
    # The township manager's later page cannot reach into the city through `before`.
    city_rating = ok(
        ratings_of(client, day.hall.id, MONDAY, login_headers(client, day.hall.manager_number))
    )
    refused(
        ratings_of(
            client,
            rated.township_id,
            f"{MONDAY}&before={city_rating['ratings'][0]['id']}",
            township,
        ),
        422,
        "validation_failed",
    )


BAD_QUERIES = [
    ("levels=great", "levels"),
    ("levels=dissatisfied,awful", "levels"),
    ("levels=dissatisfied&levels=awful", "levels"),
    ("date=2026-13-01", "date"),
    ("date=yesterday", "date"),
    ("period=year", "period"),
    ("limit=0", "limit"),
    ("limit=201", "limit"),
    ("before=abc", "before"),
    ("before=999999", "before"),
    ("include_halls_below=perhaps", "include_halls_below"),
]


def test_bad_input_is_refused_with_its_field_and_changes_nothing(client, rated, manager):
    count = _rating_count(client)
    for query, field in BAD_QUERIES:
        response = ratings_of(client, rated.day.hall.id, query, manager)

        assert response.status_code == 422, (query, response.get_json())
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == ("validation_failed", field), query
        assert any("\u4e00" <= character <= "\u9fff" for character in error["message"]), error
    assert _rating_count(client) == count


def test_an_unknown_level_is_explained_in_english_on_request(client, rated, manager):
    response = ratings_of(
        client, rated.day.hall.id, "levels=great", {**manager, "Accept-Language": "en"}
    )
    error = response.get_json()["error"]
    assert error["field"] == "levels"
    assert error["message"].startswith("unknown rating level; choose from: very_satisfied")


def _rating_count(client: Any) -> int:
    with client.application.extensions["hallq_db"].reading() as session:
        return int(session.scalar(select(func.count(Rating.id))))


def test_the_xlsx_export_lists_the_poor_ratings_on_a_second_sheet(client, rated, manager):
    export = f"/api/v1/reports/halls/{rated.day.hall.id}/export?{MONDAY}&by=service&format=xlsx"
    workbook = load_workbook(io.BytesIO(ok_file(client.get(export, headers=manager))))

    assert workbook.sheetnames == ["报表", "评价明细"]
    sheet = workbook["评价明细"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[2][0] == "评价等级：不满意、非常不满意"
    header = values[4]
    assert header[:4] == ("评价时间", "大厅", "号码", "事项")
    rows = [dict(zip(header, row, strict=True)) for row in values[5:]]
    assert [row["号码"] for row in rows] == ["A004", "A002"]
    assert rows[0]["评价等级"] == "非常不满意" and rows[0]["留言"] == COMMENT
    assert rows[0]["原因"] == "等候时间长、服务态度差"
    assert rows[0]["窗口"] == 2 and rows[0]["工号"] == rated.day.hall.clerk_numbers[2]
    assert rows[0]["评价时间"].strftime("%Y-%m-%d %H:%M") == "2026-11-30 09:56"
    assert sheet.cell(row=6, column=1).number_format == "yyyy-mm-dd hh:mm"

    english = load_workbook(
        io.BytesIO(ok_file(client.get(f"{export}&lang=en&levels=all", headers=manager)))
    )
    assert english.sheetnames == ["Report", "Rating details"]
    values = list(english["Rating details"].iter_rows(values_only=True))
    header = values[4]
    rows = [dict(zip(header, row, strict=True)) for row in values[5:]]
    assert [row["Ticket number"] for row in rows] == ["A003", "A004", "A002", "A001"]
    assert rows[1]["Rating"] == "Very dissatisfied" and rows[1]["Rated with"] == "Rating pad"


def test_a_comment_that_looks_like_a_formula_stays_words_in_the_xlsx(
    any_app, client, rated, manager
):
    database = any_app.extensions["hallq_db"]
    player = Player(database, rated.day.hall)
    issued = player.issue("business", at(70))
    player.serve(1, issued["id"], 71, 72, 80)
    formula = '=HYPERLINK("http://example.com","点我")'
    _rate(database, issued["id"], "dissatisfied", at(81), comment=formula)
    export = f"/api/v1/reports/halls/{rated.day.hall.id}/export?{MONDAY}&format=xlsx"

    sheet = load_workbook(io.BytesIO(ok_file(client.get(export, headers=manager))))["评价明细"]
    comment = sheet.cell(row=6, column=10)
    assert (comment.value, comment.data_type) == (formula, "s")


def test_the_export_by_hall_lists_the_halls_below_and_an_empty_period_says_so(
    client, rated, manager
):
    base = f"/api/v1/reports/halls/{rated.day.hall.id}/export?format=xlsx&lang=en"
    by_hall = load_workbook(
        io.BytesIO(ok_file(client.get(f"{base}&{MONDAY}&by=hall", headers=manager)))
    )
    values = list(by_hall["Rating details"].iter_rows(values_only=True))
    assert [row[2] for row in values[5:]] == ["A004", "A002", "A001"]  # the township's A001

    empty = load_workbook(
        io.BytesIO(ok_file(client.get(f"{base}&period=day&date=2026-11-01", headers=manager)))
    )
    values = list(empty["Rating details"].iter_rows(values_only=True))
    assert values[5] == ("No ratings at these levels in this period.",) + (None,) * 10
    refused(client.get(f"{base}&levels=awful", headers=manager), 422, "validation_failed")


def ok_file(response: Any) -> bytes:
    assert response.status_code == 200, response.get_json()
    return bytes(response.data)
