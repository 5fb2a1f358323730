"""Bad input gets a clear JSON error with the right status and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from hall_server.operations.credentials import enrol_device
from hall_server.storage.models import Device, Hall, Rating, RotaBreak, Service, Ticket, User
from tests.conftest import login_headers, make_app
from tests.factories import build_hall
from tests.manager.conftest import add_user


def ticket_count(app) -> int:
    with app.extensions["hallq_db"].reading() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


@pytest.fixture
def kiosk(hall):
    return {"Authorization": f"Bearer {hall.kiosk_token}"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ('{"service_id": "one"}', "application/json", 422, "validation_failed"),
        ('{"service_id": 1.5}', "application/json", 422, "validation_failed"),
        ('{"service_id": 1, "colour": "red"}', "application/json", 422, "unknown_field"),
        ('{"service_id": 1, "visitor_class": "vip"}', "application/json", 422, "validation_failed"),
        ('{"service_id": 1, "id_number": "123"}', "application/json", 422, "validation_failed"),
        ("[1, 2, 3]", "application/json", 422, "validation_failed"),
        ('"just a string"', "application/json", 422, "validation_failed"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "malformed_json"),
        ('{"service_id": 1}', "text/plain", 415, "unsupported_media_type"),
        ("service_id=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ('{"service_id": 1}', "", 415, "unsupported_media_type"),
    ],
)
def test_malformed_issue_requests_are_refused_without_a_ticket(
    app, client, hall, kiosk, body, content_type, status, code
):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets", data=body, content_type=content_type, headers=kiosk
    )
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert ticket_count(app) == 0


def test_a_body_that_is_not_json_is_told_what_to_send(client, hall, kiosk):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets?lang=en",
        data=f'{{"service_id": {hall.services["housing"]}}}',
        content_type="text/plain",
        headers=kiosk,
    )
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.get_json()["error"]["message"]
    zh = client.post(
        f"/api/v1/halls/{hall.id}/tickets", data="x", content_type="text/plain", headers=kiosk
    )
    assert "JSON 格式" in zh.get_json()["error"]["message"]


def test_the_field_at_fault_is_named(client, hall, kiosk):
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": "x"}, headers=kiosk
    )
    assert response.get_json()["error"]["field"] == "service_id"


def test_oversized_body_is_refused_with_413(app, client, hall, kiosk):
    huge = '{"service_id": 1, "holder_name": "' + "张" * 200_000 + '"}'
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        data=huge,
        content_type="application/json",
        headers=kiosk,
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_too_large"
    assert ticket_count(app) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tickets/999999"),
        ("post", "/api/v1/windows/999999/call-next"),
        ("post", "/api/v1/windows/999999/tickets/1/start"),
        ("get", "/api/v1/halls/999999/board"),
        ("get", "/api/v1/halls/999999/services"),
        ("get", "/api/v1/ticket-status/no-such-token"),
    ],
)
def test_unknown_ids_give_404(client, hall, method, path):
    headers = login_headers(client, hall.manager_number)
    response = getattr(client, method)(path, headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_issue_for_a_service_of_another_hall_is_404(app, client, hall, kiosk, clock):
    from tests.factories import build_hall

    other = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": other.services["housing"]},
        headers=kiosk,
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "service_id"
    unknown = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": 999999}, headers=kiosk
    )
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["field"] == "service_id"  # the one field at fault


def test_unknown_url_and_wrong_method_are_json_errors(client):
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"
    response = client.get("/api/v1/windows/1/call-next")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_writes_without_credentials_are_401(client, hall):
    response = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next")
    assert response.status_code == 401
    response = client.post(
        f"/api/v1/windows/{hall.windows[1]}/call-next",
        headers={"Authorization": "Bearer u_forged"},
    )
    assert response.status_code == 401
    assert "请重新登录" in response.get_json()["error"]["message"]  # Chinese unless asked otherwise


def test_a_board_token_cannot_issue_or_call(client, hall):
    board = {"Authorization": f"Bearer {hall.board_token}"}
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=board,
    )
    called = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=board)
    assert (issued.status_code, called.status_code) == (403, 403)


def test_a_clerk_cannot_call_at_another_clerks_window(client, hall, kiosk):
    client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    )
    clerk_one = login_headers(client, hall.clerk_numbers[1])
    response = client.post(f"/api/v1/windows/{hall.windows[2]}/call-next", headers=clerk_one)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_your_window"


def test_staff_of_another_hall_are_forbidden(app, client, hall, clock):
    from tests.factories import build_hall

    other = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    outsider = login_headers(client, other.manager_number)
    response = client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=outsider)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden_hall"


def test_revoked_kiosk_token_stops_working(client, hall):
    manager = login_headers(client, hall.manager_number)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    body = {"service_id": hall.services["housing"]}
    assert (
        client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=kiosk).status_code == 201
    )

    revoked = client.post(f"/api/v1/devices/{hall.kiosk_id}/revoke", headers=manager)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    assert (
        client.post(f"/api/v1/halls/{hall.id}/tickets", json=body, headers=kiosk).status_code == 401
    )


def test_wrong_password_is_401_and_does_not_say_which_part_was_wrong(client, hall):
    wrong_password = client.post(
        "/api/v1/auth/login", json={"staff_number": hall.manager_number, "password": "nope"}
    )
    unknown_user = client.post(
        "/api/v1/auth/login", json={"staff_number": "nobody", "password": "nope"}
    )
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.get_json() == unknown_user.get_json()


def test_logout_revokes_the_token(client, hall):
    headers = login_headers(client, hall.manager_number)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    client.post("/api/v1/auth/logout", headers=headers)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_board_cannot_put_a_missed_ticket_back_in_the_queue(client, hall):
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    ticket = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    ).get_json()
    clerk = login_headers(client, hall.clerk_numbers[1])
    client.post(f"/api/v1/windows/{hall.windows[1]}/call-next", headers=clerk)
    client.post(f"/api/v1/windows/{hall.windows[1]}/tickets/{ticket['id']}/no-show", headers=clerk)

    board = {"Authorization": f"Bearer {hall.board_token}"}
    refused = client.post(f"/api/v1/tickets/{ticket['id']}/requeue", headers=board)
    assert refused.status_code == 403
    requeued = client.post(f"/api/v1/tickets/{ticket['id']}/requeue", headers=kiosk)
    assert requeued.status_code == 200 and requeued.get_json()["status"] == "waiting"


HUGE_ID = 2**70  # wider than any integer column; SQLite cannot even compare it


@pytest.fixture
def on_both_databases(database_url: str, clock: Any) -> Iterator[Any]:
    """The app on SQLite and on PostgreSQL, with the test hall (remote tickets on)."""
    application = make_app(database_url, clock)
    hall = build_hall(application.extensions["hallq_db"], clock())
    client = application.test_client()
    manager = login_headers(client, hall.manager_number)
    client.put(
        f"/api/v1/manager/halls/{hall.id}/remote-issuing", json={"enabled": True}, headers=manager
    )
    yield application, client, hall, manager
    application.extensions["hallq_db"].dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/99999999999999999999999",
        f"/api/v1/tickets/{HUGE_ID}",
        f"/api/v1/tickets/{2**31}",
        f"/api/v1/halls/{HUGE_ID}/board",
        f"/api/v1/windows/{HUGE_ID}/queue",
        f"/api/v1/manager/halls/{HUGE_ID}/remote-issuing",
        f"/api/v1/reports/halls/{HUGE_ID}",
    ],
)
def test_an_id_in_a_path_too_large_for_any_row_is_not_found(on_both_databases, path):
    _, client, _, manager = on_both_databases
    response = client.get(path, headers=manager)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_write_to_a_path_id_too_large_for_any_row_is_not_found(on_both_databases):
    app, client, hall, manager = on_both_databases
    for path in (
        f"/api/v1/windows/{HUGE_ID}/call-next",
        f"/api/v1/windows/{hall.windows[1]}/tickets/{HUGE_ID}/start",
        f"/api/v1/tickets/{HUGE_ID}/cancel",
    ):
        response = client.post(path, headers=manager)
        assert response.status_code == 404, (path, response.get_json())
    assert ticket_count(app) == 0


@pytest.mark.parametrize("service_id", [HUGE_ID, 2**31, 0, -1])
def test_a_service_id_outside_the_range_of_ids_is_refused_as_invalid(on_both_databases, service_id):
    app, client, hall, _ = on_both_databases
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    at_the_kiosk = client.post(
        f"/api/v1/halls/{hall.id}/tickets", json={"service_id": service_id}, headers=kiosk
    )
    on_a_phone = client.post(
        "/api/v1/remote/halls/test-hall/tickets",
        json={"service_id": service_id, "phone": "13800138000"},
    )
    for response in (at_the_kiosk, on_a_phone):
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["field"] == "service_id"
    assert ticket_count(app) == 0


def test_an_id_in_a_query_string_too_large_for_any_row_is_not_found(
    on_both_databases,
):
    _, client, hall, manager = on_both_databases
    # A query-string id, read without a schema: SQLite raises, PostgreSQL finds no row.
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    preview = client.get(f"/kiosk/preview.json?service_id={HUGE_ID}", headers=kiosk)
    assert preview.status_code == 404, preview.get_json()
    assert preview.get_json()["error"]["code"] == "not_found"


def test_path_ids_are_documented_with_their_maximum(client):
    document = client.get("/api/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/tickets/{ticket_id}"]["parameters"]
    parameter = next(p for p in parameters if p["name"] == "ticket_id")
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


# ----- ids in request bodies: held to the range of ids (schemas.record_id) -----


def admin_headers(app: Any, client: Any, hall: Any) -> dict[str, str]:
    add_user(app.extensions["hallq_db"], "bad-input-admin", "admin", hall.id)
    return login_headers(client, "bad-input-admin")


def hall_rows(app: Any) -> list[tuple[Any, ...]]:
    """What the refused writes below could have changed, to show that none did."""
    with app.extensions["hallq_db"].reading() as session:
        return [
            *session.execute(select(Hall.id, Hall.parent_id, Hall.code).order_by(Hall.id)),
            *session.execute(select(Service.id, Service.department_id).order_by(Service.id)),
            *session.execute(select(User.id, User.hall_id).order_by(User.id)),
            *session.execute(select(Device.id, Device.settings).order_by(Device.id)),
            *session.execute(select(func.count()).select_from(RotaBreak)),
            *session.execute(select(func.count()).select_from(Rating)),
        ]


def assert_refused_as_invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("validation_failed", field)


@pytest.mark.parametrize("huge", [HUGE_ID, 2**31])
def test_a_huge_id_in_an_administration_request_is_refused_as_invalid(on_both_databases, huge):
    app, client, hall, manager = on_both_databases
    admin = admin_headers(app, client, hall)
    clerk_id = hall.clerks[1]
    before = hall_rows(app)
    new_hall = {
        "parent_id": huge,
        "code": "community-1",
        "name": "便民服务站",
        "level": "community",
    }
    new_service = {"department_id": huge, "code": "tax", "name": "税务", "prefix": "T"}
    for response, field in (
        (client.post("/api/v1/halls", json=new_hall, headers=admin), "parent_id"),
        (client.patch(f"/api/v1/halls/{hall.id}", json={"parent_id": huge}, headers=admin),
         "parent_id"),
        (client.post(f"/api/v1/halls/{hall.id}/services", json=new_service, headers=manager),
         "department_id"),
        (client.patch(f"/api/v1/services/{hall.services['housing']}",
                      json={"department_id": huge}, headers=manager), "department_id"),
        (client.patch(f"/api/v1/users/{clerk_id}", json={"hall_id": huge}, headers=admin),
         "hall_id"),
    ):  # fmt: skip
        assert_refused_as_invalid(response, field)
    assert hall_rows(app) == before


@pytest.mark.parametrize("huge", [HUGE_ID, 2**31])
def test_a_huge_window_id_in_a_rota_break_is_refused_as_invalid(on_both_databases, huge):
    app, client, hall, manager = on_both_databases
    before = hall_rows(app)
    rota = f"/api/v1/manager/halls/{hall.id}/break-rota"
    a_break = {"window_id": huge, "start": "12:00", "minutes": 30}
    added = client.post(f"{rota}/breaks", json=a_break, headers=manager)
    replaced = client.put(rota, json={"breaks": [a_break]}, headers=manager)
    assert_refused_as_invalid(added, "window_id")
    assert replaced.status_code == 422, replaced.get_json()
    assert replaced.get_json()["error"]["code"] == "validation_failed"
    assert hall_rows(app) == before


@pytest.mark.parametrize("huge", [HUGE_ID, 2**31])
def test_a_huge_ticket_id_from_a_rating_pad_is_refused_as_invalid(on_both_databases, huge):
    app, client, hall, _ = on_both_databases
    with app.extensions["hallq_db"].transaction() as uow:
        pad = enrol_device(
            uow, hall.manager(), hall.id, "rating_pad", "评价器", datetime.now(UTC),
            window_id=hall.windows[1],
        )  # fmt: skip
    before = hall_rows(app)
    rated = client.post(
        "/api/v1/rating-pad/ratings",
        json={"ticket_id": huge, "level": "very_satisfied"},
        headers={"Authorization": f"Bearer {pad['token']}"},
    )
    assert_refused_as_invalid(rated, "ticket_id")
    assert hall_rows(app) == before


@pytest.mark.parametrize("huge", [HUGE_ID, 2**31])
def test_a_huge_id_in_a_screens_settings_is_refused_as_invalid(on_both_databases, huge):
    app, client, hall, manager = on_both_databases
    with app.extensions["hallq_db"].reading() as session:
        board_id = session.scalar(
            select(Device.id).where(Device.hall_id == hall.id, Device.kind == "board")
        )
    before = hall_rows(app)
    path = f"/api/v1/devices/{board_id}/settings"
    for field in ("service_ids", "window_ids"):
        response = client.put(path, json={field: [huge]}, headers=manager)
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["code"] == "validation_failed"
    assert hall_rows(app) == before


# ----- a field's error is a sentence: what is wrong, and what is expected -----


@pytest.mark.parametrize(
    ("path", "body", "field", "chinese", "english"),
    [
        (
            "/api/v1/halls/{hall}/tickets",
            {"service_id": 1, "phone": "abc"},
            "phone",
            "手机号码应为 11 位大陆手机号，以 13 至 19 开头，如 13800138000",
            "a mobile number has 11 digits and starts with 13 to 19, e.g. 13800138000",
        ),
        (
            "/api/v1/halls/{hall}/tickets",
            {"service_id": 1, "phone": "12000000000"},  # 11 digits, but no mainland mobile
            "phone",
            "手机号码应为 11 位大陆手机号，以 13 至 19 开头，如 13800138000",
            "a mobile number has 11 digits and starts with 13 to 19, e.g. 13800138000",
        ),
        (
            "/api/v1/halls/{hall}/tickets",
            {"service_id": 1, "id_number": "123"},
            "id_number",
            "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X",
            "an ID number has 18 characters: 17 digits, then a digit or X",
        ),
        (
            "/api/v1/windows/{window}/call-number",
            {"number": ""},
            "number",
            "号码应为一到两个字母加最多五位数字，如 A023",
            "a ticket number is one or two letters and up to five digits, e.g. A023",
        ),
        (
            "/api/v1/halls/{hall}/check-in-preview",
            {"id_number": "12345"},
            "id_number",
            "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X",
            "an ID number has 18 characters: 17 digits, then a digit or X",
        ),
    ],
    ids=["phone-letters", "phone-not-mobile", "id-number-short", "call-number-empty", "preview-id"],
)
def test_a_field_error_says_what_is_wrong_and_what_is_expected(
    on_both_databases, path, body, field, chinese, english
):
    app, client, hall, _ = on_both_databases
    clerk = login_headers(client, hall.clerk_numbers[1])
    headers = {"Authorization": f"Bearer {hall.kiosk_token}"} if "tickets" in path else clerk
    url = path.format(hall=hall.id, window=hall.windows[1])

    in_chinese = client.post(url, json=body, headers=headers)
    in_english = client.post(url, json=body, headers={**headers, "Accept-Language": "en"})

    assert in_chinese.status_code == in_english.status_code == 422, in_chinese.get_json()
    assert in_chinese.get_json()["error"] == {
        "code": "validation_failed",
        "field": field,
        "message": chinese,
    }
    assert in_english.get_json()["error"]["message"] == english
    assert ticket_count(app) == 0


def test_no_pattern_in_the_api_schemas_answers_with_a_bare_label():
    """A pattern's error is the only text the reader gets: "手机号码" alone says neither what
    is wrong nor what to type. Each must be a sentence with an example or a rule."""
    from marshmallow import validate

    from tests.api.test_error_translations import _api_schemas, _fields_within

    errors = {
        validator.error
        for schema_class in _api_schemas()
        for declared in schema_class().fields.values()
        for field in _fields_within(declared)
        for validator in field.validators
        if isinstance(validator, validate.Regexp)
    }

    assert len(errors) >= 5
    bare = [
        error
        for error in errors
        if len(error.split()) < 6 or not {"is", "are", "has"} & set(error.split())
    ]
    assert bare == []


WRONG_CHECK_DIGIT = "110105194912310021"  # 11010519491231002X with its last character misread


def test_an_id_number_with_a_wrong_check_digit_is_refused_wherever_it_is_taken(
    on_both_databases,
):
    app, client, hall, _ = on_both_databases
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    clerk = login_headers(client, hall.clerk_numbers[1])
    housing = hall.services["housing"]
    answers = {
        "issue at the kiosk": client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": housing, "id_number": WRONG_CHECK_DIGIT},
            headers=kiosk,
        ),
        "issue at the counter": client.post(
            f"/api/v1/halls/{hall.id}/tickets",
            json={"service_id": housing, "id_number": WRONG_CHECK_DIGIT.lower()},
            headers=clerk,
        ),
        "kiosk's booking check": client.post(
            "/kiosk/preview.json", json={"id_number": WRONG_CHECK_DIGIT}, headers=kiosk
        ),
        "kiosk's preview for a service": client.post(
            "/kiosk/preview.json",
            json={"id_number": WRONG_CHECK_DIGIT, "service_id": housing},
            headers=kiosk,
        ),
        "counter's check-in preview": client.post(
            f"/api/v1/halls/{hall.id}/check-in-preview",
            json={"id_number": WRONG_CHECK_DIGIT},
            headers=clerk,
        ),
    }

    for where, response in answers.items():
        assert response.status_code == 422, (where, response.get_json())
        assert response.get_json()["error"] == {
            "code": "invalid_id_number",
            "field": "id_number",
            "message": "身份证号校验位不符，请核对后重新输入",
        }, where
    assert ticket_count(app) == 0

    valid = WRONG_CHECK_DIGIT[:17] + "X"
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": housing, "id_number": valid},
        headers=kiosk,
    )
    assert issued.status_code == 201, issued.get_json()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_day_beyond_a_halls_working_life_is_refused_not_a_server_error(on_both_databases, day):
    """Year 1 or 9999 once overflowed the time-zone arithmetic: a 500 with a traceback."""
    _, client, hall, _ = on_both_databases
    manager = login_headers(client, hall.manager_number)
    for path in (
        f"/api/v1/manager/halls/{hall.id}/alerts?date={day}",
        f"/api/v1/reports/halls/{hall.id}?date={day}",
        f"/api/v1/reports/halls/{hall.id}/ratings?date={day}&period=month",
    ):
        response = client.get(path, headers=manager)
        assert response.status_code == 422, (path, response.get_json())
        assert response.get_json()["error"] == {
            "code": "validation_failed",
            "field": "date",
            "message": "日期应在 2000-01-01 到 2099-12-31 之间",
        }


def test_a_body_too_large_names_the_limit_and_what_to_do(client, hall, kiosk):
    huge = '{"service_id": 1, "holder_name": "' + "x" * 300_000 + '"}'
    path = f"/api/v1/halls/{hall.id}/tickets"
    kwargs = {"data": huge, "content_type": "application/json"}

    english = client.post(path, headers={**kiosk, "Accept-Language": "en"}, **kwargs)
    chinese = client.post(path, headers=kiosk, **kwargs)

    assert english.status_code == chinese.status_code == 413
    message = english.get_json()["error"]["message"]
    assert "256 KiB" in message and "send less" in message
    assert "256 KiB" in chinese.get_json()["error"]["message"]
    assert "上限" in chinese.get_json()["error"]["message"]


@pytest.mark.parametrize("body", ["[1, 2, 3]", '"just a string"', "42", "null"])
def test_a_body_that_is_not_an_object_is_told_so_without_a_field(client, hall, kiosk, body):
    path = f"/api/v1/halls/{hall.id}/tickets"
    english = client.post(
        path, data=body, content_type="application/json", headers={**kiosk, "Accept-Language": "en"}
    )
    chinese = client.post(path, data=body, content_type="application/json", headers=kiosk)

    assert english.status_code == chinese.status_code == 422
    assert english.get_json()["error"] == {
        "code": "validation_failed",
        "message": "the body must be a JSON object: {...} holding the fields this request takes",
    }
    assert "JSON 对象" in chinese.get_json()["error"]["message"]
    assert "field" not in chinese.get_json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/v1/windows/1/call-next", {"POST"}),
        ("delete", "/api/v1/halls/1/tickets", {"POST"}),
        ("post", "/api/v1/services/1", {"PATCH"}),
    ],
)
def test_a_wrong_method_names_the_allowed_ones_in_the_allow_header(
    client, hall, method, path, allowed
):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.get_json()["error"]["code"] == "method_not_allowed"
