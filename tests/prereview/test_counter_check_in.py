"""A booked or pre-reviewed visitor who walks straight to a window: the clerk previews the code or
ID number (POST /halls/{id}/check-in-preview) and issues with it through the one issue endpoint,
so the ticket is the kiosk's: same class, same queue place, each booking used once."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from hall_server.storage.models import Appointment, PreReview, Ticket
from tests.conftest import login_headers
from tests.factories import build_hall
from tests.prereview.conftest import ID_NUMBER, appointment_fields, pre_review_fields

CHINESE = re.compile(r"[\u4e00-\u9fff]")
STRANGER_ID_NUMBER = "110105194912310038"  # valid (GB 11643), and nobody booked with it


@pytest.fixture
def clerk(client, hall):
    return login_headers(client, hall.clerk_numbers[1])


def preview(client, hall, headers, **brought):
    return client.post(f"/api/v1/halls/{hall.id}/check-in-preview", json=brought, headers=headers)


def issue(client, hall, headers, key, found, brought):
    body = {"service_id": found["service"]["id"], found["booking"]["issue_field"]: brought}
    return client.post(
        f"/api/v1/halls/{hall.id}/tickets", json=body, headers={**headers, "Idempotency-Key": key}
    )


def ticket_count(app) -> int:
    with app.extensions["hallq_db"].reading() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_an_early_booking_previews_as_the_kiosk_and_issues_once_however_often_retried(
    app, client, hall, clerk, booked, clock
):
    slot = datetime.fromisoformat(booked(slot_in=20)["slot_start"])
    answer = preview(client, hall, clerk, code="B-2026-0001")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    assert found["service"] == {
        "id": hall.services["housing"], "name": "housing", "name_en": "housing", "prefix": "A"
    }  # fmt: skip
    booking = found["booking"]
    assert (booking["kind"], booking["issue_field"], booking["punctuality"]) == (
        "appointment", "booking_code", "early"
    )  # fmt: skip
    assert booking["visitor_class"] == "appointment"
    assert booking["slot_local"] == "09:20"  # the test clock's 09:00 in Asia/Shanghai, plus 20
    assert booking["applicant_name"] == "李*"
    assert ticket_count(app) == 0  # a preview changes nothing

    first = issue(client, hall, clerk, "check-in-1", found, "B-2026-0001")
    again = issue(client, hall, clerk, "check-in-1", found, "B-2026-0001")
    assert first.status_code == again.status_code == 201, first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert ticket_count(app) == 1
    ticket = first.get_json()
    assert ticket["visitor_class"] == "appointment"
    assert datetime.fromisoformat(ticket["appointment_due_at"]) == slot  # waits for its slot
    with app.extensions["hallq_db"].reading() as session:
        appointment = session.scalar(select(Appointment))
        assert appointment is not None
        assert (appointment.status, appointment.ticket_id) == ("checked_in", ticket["id"])

    used = preview(client, hall, clerk, code="B-2026-0001")
    assert used.status_code == 409
    assert used.get_json()["error"]["code"] == "booking_used"
    assert CHINESE.search(used.get_json()["error"]["message"])  # the clerk reads Chinese
    fresh_key = issue(client, hall, clerk, "check-in-2", found, "B-2026-0001")
    assert fresh_key.get_json()["error"]["code"] == "booking_used"
    assert ticket_count(app) == 1


def test_beyond_the_grace_the_preview_says_walk_in_and_so_does_the_ticket(
    client, hall, clerk, booked
):
    booked(slot_in=-16)  # the default grace is 15 minutes
    found = preview(client, hall, clerk, code="B-2026-0001").get_json()
    assert found["booking"]["punctuality"] == "too_late"
    assert found["booking"]["visitor_class"] == "walk_in"
    ticket = issue(client, hall, clerk, "late-1", found, "B-2026-0001").get_json()
    assert (ticket["visitor_class"], ticket["appointment_due_at"]) == ("walk_in", None)


def test_a_pre_review_is_found_by_its_code_and_by_the_id_number(
    app, client, hall, clerk, platform, clock
):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-77"))
    by_code = preview(client, hall, clerk, code="PR-77").get_json()
    assert by_code["booking"]["issue_field"] == "prereview_code"
    assert by_code["booking"]["pre_review_result"] == "passed"
    assert by_code["booking"]["visitor_class"] == "pre_reviewed"
    by_card = preview(client, hall, clerk, id_number=ID_NUMBER.lower()).get_json()
    assert by_card["booking"]["issue_field"] == "id_number"
    assert by_card["booking"]["kind"] == "pre_review"

    ticket = issue(client, hall, clerk, "card-1", by_card, ID_NUMBER).get_json()
    assert ticket["visitor_class"] == "pre_reviewed"
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(PreReview.ticket_id)) == ticket["id"]
    in_use = preview(client, hall, clerk, code="PR-77")
    assert in_use.get_json()["error"]["code"] == "pre_review_used"


def test_a_code_or_card_that_finds_nothing_is_refused_and_nothing_is_issued(
    app, client, hall, clerk, platform
):
    unknown = preview(client, hall, clerk, code="NO-SUCH-CODE")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "not_found"
    stranger = preview(client, hall, clerk, id_number=STRANGER_ID_NUMBER)
    assert stranger.status_code == 409
    assert stranger.get_json()["error"]["code"] == "no_booking_for_id_card"
    assert ticket_count(app) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "validation_failed"), ({"code": "  "}, "validation_failed"),
     ({"code": "B-1", "id_number": ID_NUMBER}, "validation_failed"),
     ({"id_number": "12345"}, "validation_failed"),
     ({"code": "B-1", "service_id": 1}, "unknown_field")],
)  # fmt: skip
def test_the_preview_takes_one_code_or_one_id_number(client, hall, clerk, body, code):
    answer = preview(client, hall, clerk, **body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] == code


def test_only_the_halls_staff_and_kiosks_may_preview(app, client, clock, hall, booked):
    booked(slot_in=5)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    assert preview(client, hall, kiosk, code="B-2026-0001").status_code == 200
    board = {"Authorization": f"Bearer {hall.board_token}"}
    assert preview(client, hall, board, code="B-2026-0001").get_json()["error"]["code"] == (
        "forbidden_role"
    )
    other = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    stranger = login_headers(client, other.clerk_numbers[1])
    answer = preview(client, hall, stranger, code="B-2026-0001")
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (403, "forbidden_hall")
    assert preview(client, hall, {}, code="B-2026-0001").status_code == 401
    manager = login_headers(client, hall.manager_number)
    assert preview(client, hall, manager, code="B-2026-0001").status_code == 200


def test_a_used_booking_gets_the_same_answer_by_its_id_card_as_by_its_code(
    app, client, hall, clerk, booked
):
    booked(slot_in=5)
    found = preview(client, hall, clerk, code="B-2026-0001").get_json()
    assert issue(client, hall, clerk, "use-1", found, "B-2026-0001").status_code == 201

    by_code = preview(client, hall, clerk, code="B-2026-0001")
    by_card = preview(client, hall, clerk, id_number=ID_NUMBER)
    in_english = client.post(
        f"/api/v1/halls/{hall.id}/check-in-preview",
        json={"id_number": ID_NUMBER},
        headers={**clerk, "Accept-Language": "en"},
    )

    assert by_code.status_code == by_card.status_code == 409
    code_error, card_error = by_code.get_json()["error"], by_card.get_json()["error"]
    assert code_error["code"] == card_error["code"] == "booking_used"
    assert code_error["message"] == card_error["message"] == "此预约已经使用过"
    assert card_error["field"] == "id_number"
    assert in_english.get_json()["error"]["message"] == "this booking was already used"
    assert ticket_count(app) == 1


def test_a_booking_checked_in_late_is_used_too_and_beats_a_cancelled_one(
    app, client, hall, clerk, booked, platform, clock
):
    booked(slot_in=-16)  # beyond the grace: checked in as a walk-in, the booking is `late`
    found = preview(client, hall, clerk, code="B-2026-0001").get_json()
    assert issue(client, hall, clerk, "late-1", found, "B-2026-0001").status_code == 201
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(Appointment.status)) == "late"
    late = preview(client, hall, clerk, id_number=ID_NUMBER).get_json()["error"]
    assert late["code"] == "booking_used"

    rebooked = platform.push_appointment(
        "APT-2", **appointment_fields(clock, 30, booking_code="B-2")
    )
    assert rebooked.status_code == 200, rebooked.get_json()
    platform.send("DELETE", "/api/v1/platform/appointments/APT-2")
    # Used beats cancelled: the visitor was served today; nothing else is waiting for them.
    assert preview(client, hall, clerk, id_number=ID_NUMBER).get_json()["error"]["code"] == (
        "booking_used"
    )


def test_a_cancelled_booking_is_named_by_the_id_card_as_by_its_code(
    client, hall, clerk, booked, platform
):
    booked(slot_in=5)
    platform.send("DELETE", "/api/v1/platform/appointments/APT-1")

    by_code = preview(client, hall, clerk, code="B-2026-0001").get_json()["error"]
    by_card = preview(client, hall, clerk, id_number=ID_NUMBER).get_json()["error"]
    assert by_code["code"] == by_card["code"] == "booking_cancelled"
    assert by_code["message"] == by_card["message"]


def test_yesterdays_used_booking_is_not_todays_answer(client, hall, clerk, booked, clock):
    booked(slot_in=5)
    found = preview(client, hall, clerk, code="B-2026-0001").get_json()
    assert issue(client, hall, clerk, "used-1", found, "B-2026-0001").status_code == 201
    clock.advance(days=1)
    next_morning = login_headers(client, hall.clerk_numbers[1])
    answer = preview(client, hall, next_morning, id_number=ID_NUMBER).get_json()["error"]
    assert answer["code"] == "no_booking_for_id_card"


def test_an_id_number_with_a_wrong_check_digit_is_refused_before_any_look_up(
    app, client, hall, clerk, booked
):
    booked(slot_in=5)
    wrong = ID_NUMBER[:17] + "1"  # 11010519491231002X with its check character mistyped

    answer = preview(client, hall, clerk, id_number=wrong)
    in_english = client.post(
        f"/api/v1/halls/{hall.id}/check-in-preview",
        json={"id_number": wrong},
        headers={**clerk, "Accept-Language": "en"},
    )
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"], "id_number": wrong},
        headers=clerk,
    )

    for response in (answer, issued):
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == ("invalid_id_number", "id_number")
        assert error["message"] == "身份证号校验位不符，请核对后重新输入"
    assert in_english.get_json()["error"]["message"] == (
        "the ID number's check digit does not match; please check the number and enter it again"
    )
    assert ticket_count(app) == 0
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(Appointment.status)) == "booked"  # still there to use


def test_every_word_of_the_counters_check_in_panel_has_its_chinese(app):
    from flask_babel import force_locale

    from counter_client.page_text import counter_page_text

    def strings(value):
        if isinstance(value, dict):
            return [text for item in value.values() for text in strings(item)]
        return [value]

    with app.test_request_context(), force_locale("zh"):
        texts = strings(counter_page_text()["check_in"])
        page = app.test_client().get("/counter/?lang=zh").get_data(as_text=True)
    assert len(texts) > 20
    assert [text for text in texts if not CHINESE.search(text)] == []
    assert "预约 / 预审签到" in page and "确认取号" in page and "预约时段" in page
