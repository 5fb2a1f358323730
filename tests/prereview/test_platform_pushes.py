"""Pushes are idempotent by the platform's id, with updates and cancellations."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import func, select

from hall_server.storage.models import Appointment, PreReview
from tests.prereview.conftest import appointment_fields, pre_review_fields


def count(app, model):
    with app.extensions["hallq_db"].reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_pushing_the_same_pre_review_twice_keeps_one_record(app, platform, clock):
    fields = pre_review_fields(clock)
    first = platform.push_pre_review("APP-1", **fields)
    again = platform.push_pre_review("APP-1", **fields)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()  # unchanged, not even its revision
    assert count(app, PreReview) == 1


def test_a_pre_review_keeps_what_the_clerk_needs_and_no_raw_identity(platform, clock):
    body = platform.push_pre_review("APP-1", **pre_review_fields(clock)).get_json()
    assert body["result"] == "passed"
    assert [m["name"] for m in body["materials"]] == ["身份证", "购房合同"]
    assert body["applicant_name"] == "张*明"  # masked on arrival
    assert body["code"] == "APP-1"  # no code given: the application id is the code
    assert body["service"]["code"] == "test-hall-housing"
    assert "id_number_hash" not in body


def test_a_newer_revision_updates(platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=2))
    corrected = platform.push_pre_review(
        "APP-1", **pre_review_fields(clock, revision=3, result="needs_correction")
    ).get_json()
    assert (corrected["result"], corrected["revision"]) == ("needs_correction", 3)


def test_cancelling_twice_is_the_same_as_once_and_a_cancelled_pre_review_stays_so(platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    first = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-1")
    second = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-1")
    assert first.status_code == second.status_code == 200
    assert second.get_json()["status"] == "cancelled"
    revived = platform.push_pre_review("APP-1", **pre_review_fields(clock))
    assert revived.status_code == 409
    assert revived.get_json()["error"]["code"] == "pre_review_cancelled"


def test_cancelling_an_unknown_pre_review_is_not_found(platform):
    assert platform.send("DELETE", "/api/v1/platform/pre-reviews/NOPE").status_code == 404


def test_a_pre_review_with_a_naive_expiry_or_unknown_result_is_refused(platform, clock):
    naive = pre_review_fields(clock, valid_until="2026-12-31T00:00:00")
    assert platform.push_pre_review("APP-1", **naive).status_code == 422
    odd = pre_review_fields(clock, result="maybe")
    response = platform.push_pre_review("APP-1", **odd)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "result"


def test_pushing_the_same_appointment_twice_keeps_one_booking(app, platform, clock):
    fields = appointment_fields(clock, 30)
    first = platform.push_appointment("APT-1", **fields)
    again = platform.push_appointment("APT-1", **fields)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert again.get_json()["status"] == "booked"
    assert count(app, Appointment) == 1


def test_an_appointment_can_be_moved_to_another_slot(platform, clock):
    platform.push_appointment("APT-1", **appointment_fields(clock, 30))
    moved = platform.push_appointment("APT-1", **appointment_fields(clock, 90)).get_json()
    back = platform.push_appointment("APT-1", **appointment_fields(clock, 30)).get_json()
    assert moved["slot_start"] != back["slot_start"]
    assert moved["revision"] == back["revision"] == 0  # the platform sent none: none is made up


def test_a_booking_code_belongs_to_one_appointment_in_a_hall(platform, clock):
    platform.push_appointment("APT-1", **appointment_fields(clock, 30))
    clash = platform.push_appointment("APT-2", **appointment_fields(clock, 45))
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "code_taken"


def test_a_cancelled_appointment_stays_cancelled(platform, clock):
    platform.push_appointment("APT-1", **appointment_fields(clock, 30))
    cancelled = platform.send("DELETE", "/api/v1/platform/appointments/APT-1")
    assert cancelled.get_json()["status"] == "cancelled"
    assert platform.send("DELETE", "/api/v1/platform/appointments/APT-1").status_code == 200
    assert platform.push_appointment("APT-1", **appointment_fields(clock, 30)).status_code == 409


def test_a_slot_must_end_after_it_starts(platform, clock):
    fields = appointment_fields(clock, 30)
    fields["slot_end"] = fields["slot_start"]
    response = platform.push_appointment("APT-1", **fields)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "slot_end"


def test_a_push_without_revision_keeps_the_platforms_revision_so_its_next_one_applies(
    platform, clock
):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=1))
    unrevised = platform.push_pre_review(
        "APP-1", **pre_review_fields(clock, result="needs_correction")
    ).get_json()
    assert (unrevised["result"], unrevised["revision"]) == ("needs_correction", 1)
    second = platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=2))
    assert second.status_code == 200, second.get_json()
    assert (second.get_json()["result"], second.get_json()["revision"]) == ("passed", 2)


def test_a_push_no_newer_than_the_stored_revision_is_refused_as_stale(platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=3, result="passed"))
    late = platform.push_pre_review(
        "APP-1", **pre_review_fields(clock, revision=2, result="needs_correction")
    )
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "stale_revision"
    assert "3" in late.get_json()["error"]["message"]  # the stored revision, to resync from
    clash = platform.push_pre_review(
        "APP-1", **pre_review_fields(clock, revision=3, result="needs_correction")
    )
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "stale_revision"
    repeat = platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=3))
    assert repeat.status_code == 200  # the same push again: nothing to refuse
    assert (repeat.get_json()["result"], repeat.get_json()["revision"]) == ("passed", 3)


def test_an_older_revision_of_an_appointment_is_refused_as_stale(platform, clock):
    platform.push_appointment("APT-1", **appointment_fields(clock, 90, revision=5))
    late = platform.push_appointment("APT-1", **appointment_fields(clock, 30, revision=4))
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "stale_revision"
    unrevised = platform.push_appointment("APT-1", **appointment_fields(clock, 60)).get_json()
    assert unrevised["revision"] == 5
    newer = platform.push_appointment("APT-1", **appointment_fields(clock, 30, revision=6))
    assert newer.status_code == 200


def test_a_revision_too_large_to_store_is_a_validation_error(platform, clock):
    for push, fields in (
        (platform.push_pre_review, pre_review_fields(clock, revision=2**70)),
        (platform.push_appointment, appointment_fields(clock, 30, revision=2**70)),
    ):
        response = push("ID-1", **fields)
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == ("validation_failed", "revision")
    largest = platform.push_pre_review("APP-1", **pre_review_fields(clock, revision=2**31 - 1))
    assert largest.status_code == 200, largest.get_json()


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00"])
def test_a_time_beyond_a_halls_working_life_is_refused_not_a_server_error(platform, clock, moment):
    """Year 1 or 9999 once overflowed the conversion to UTC: a 500 with a traceback."""
    pushed = platform.push_pre_review(
        "APP-1", **{**pre_review_fields(clock), "valid_until": moment}
    )
    booked = platform.push_appointment(
        "APT-1", **{**appointment_fields(clock, 20), "slot_start": moment}
    )

    for response, field in ((pushed, "valid_until"), (booked, "slot_start")):
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["field"] == field
        assert response.get_json()["error"]["message"] == "时间应在 2000 年到 2099 年之间"


def test_the_first_answer_gives_times_as_every_later_answer_does(platform, clock):
    """Every answer is the stored record: the first one too, not the times as they were sent."""
    local = clock().astimezone(timezone(timedelta(hours=8)))
    fields = {**pre_review_fields(clock), "valid_until": (local + timedelta(days=3)).isoformat()}
    first = platform.push_pre_review("APP-1", **fields).get_json()
    again = platform.push_pre_review("APP-1", **fields).get_json()
    booked_fields = {
        **appointment_fields(clock, 20),
        "slot_start": (local + timedelta(minutes=20)).isoformat(),
    }
    booked = platform.push_appointment("APT-1", **booked_fields).get_json()
    booked_again = platform.push_appointment("APT-1", **booked_fields).get_json()

    assert first["valid_until"] == again["valid_until"]
    assert first["valid_until"].endswith("+00:00")
    assert booked["slot_start"] == booked_again["slot_start"]
    assert booked["slot_start"].endswith("+00:00")


def test_a_slot_already_over_is_refused_but_a_late_push_within_the_grace_is_taken(
    app, platform, clock
):
    over = platform.push_appointment("APT-OLD", **appointment_fields(clock, -24 * 60))
    assert over.status_code == 422, over.get_json()
    assert over.get_json()["error"]["code"] == "invalid_slot"
    assert over.get_json()["error"]["field"] == "slot_start"
    assert count(app, Appointment) == 0
    # A visitor booked for five minutes ago may be walking in: the grace period still runs.
    late = platform.push_appointment("APT-LATE", **appointment_fields(clock, -5))
    assert late.status_code == 200, late.get_json()
    moved_back = platform.push_appointment(
        "APT-LATE", **appointment_fields(clock, -24 * 60, revision=2)
    )
    assert moved_back.status_code == 422


def test_a_code_with_a_blank_inside_is_refused_as_it_could_never_be_found(app, platform, clock):
    """A code is looked up with the blanks a visitor types taken out: "YY 1208" pushed as it is
    would never match."""
    booked = platform.push_appointment(
        "APT-1", **appointment_fields(clock, 20, booking_code="YY 1208")
    )
    reviewed = platform.push_pre_review("APP-1", **pre_review_fields(clock), code="PR\t7")

    for response, field in ((booked, "booking_code"), (reviewed, "code")):
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["field"] == field
        assert response.get_json()["error"]["message"].startswith("代码中不能有空格")
    assert count(app, Appointment) == count(app, PreReview) == 0
