"""At the kiosk a booking code, a pre-review code or the ID card turns into a priority ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from hall_server.operations.booked_arrival import record_no_shows
from hall_server.storage.models import Appointment, OutboxMessage, PrintJob, Ticket
from hardware.print_job import TicketPrintJob
from tests.conftest import login_headers
from tests.prereview.conftest import ID_NUMBER, pre_review_fields


def issue(client, hall, **fields):
    fields.setdefault("service_id", hall.services["housing"])
    return client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json=fields,
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )


def stored(app, model, **where):
    with app.extensions["hallq_db"].reading() as session:
        query = select(model).filter_by(**where)
        return session.scalars(query).one()


def test_an_early_arrival_queues_at_its_slot(app, client, hall, booked, clock):
    slot = datetime.fromisoformat(booked(slot_in=30)["slot_start"])
    response = issue(client, hall, booking_code="B-2026-0001")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visitor_class"] == "appointment"
    ticket = stored(app, Ticket, id=response.get_json()["id"])
    assert ticket.queue_key == ticket.appointment_due_at
    assert ticket.queue_key == slot > clock()
    booking = stored(app, Appointment, appointment_id="APT-1")
    assert (booking.status, booking.ticket_id) == ("checked_in", ticket.id)
    # The clerk's desk greets the visitor by the masked name the platform sent.
    assert response.get_json()["holder_display_name"] == booking.applicant_name == "李*"


def test_an_early_arrivals_print_job_and_ticket_carry_its_slot_in_the_halls_time(
    app, client, hall, booked, clock
):
    slot = datetime.fromisoformat(booked(slot_in=40)["slot_start"])  # 09:40 in Asia/Shanghai
    booked_ticket = issue(client, hall, booking_code="B-2026-0001").get_json()
    walk_in = issue(client, hall).get_json()

    payload = booked_ticket["print_job"]["payload"]
    assert payload["appointment_due_local"] == "09:40"
    assert stored(app, PrintJob, ticket_id=booked_ticket["id"]).payload == payload  # for resends
    assert TicketPrintJob.from_dict(payload).appointment_due_local == "09:40"  # the kiosk reads it
    assert datetime.fromisoformat(booked_ticket["appointment_due_at"]) == slot
    status = client.get(f"/api/v1/ticket-status/{booked_ticket['status_token']}").get_json()
    assert datetime.fromisoformat(status["appointment_due_at"]) == slot
    # A walk-in has no slot to print.
    assert "appointment_due_local" not in walk_in["print_job"]["payload"]
    assert walk_in["appointment_due_at"] is None


def test_a_late_arrival_within_the_grace_queues_at_arrival(app, client, hall, booked, clock):
    booked(slot_in=-10)
    response = issue(client, hall, booking_code="B-2026-0001")
    assert response.get_json()["visitor_class"] == "appointment"
    ticket = stored(app, Ticket, id=response.get_json()["id"])
    assert ticket.queue_key == clock()


def test_beyond_the_grace_the_visitor_gets_a_walk_in_ticket_and_the_booking_is_late(
    app, client, hall, booked
):
    booked(slot_in=-16)
    response = issue(client, hall, booking_code="B-2026-0001")
    assert response.status_code == 201
    assert response.get_json()["visitor_class"] == "walk_in"
    assert response.get_json()["appointment_due_at"] is None  # a lapsed slot is not printed
    assert "appointment_due_local" not in response.get_json()["print_job"]["payload"]
    assert stored(app, Appointment, appointment_id="APT-1").status == "late"


def test_a_booking_is_used_once(client, hall, booked):
    booked(slot_in=5)
    assert issue(client, hall, booking_code="B-2026-0001").status_code == 201
    again = issue(client, hall, booking_code="B-2026-0001")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "booking_used"


def test_an_unknown_code_issues_nothing(app, client, hall, platform):
    response = issue(client, hall, booking_code="NO-SUCH-CODE")
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "booking_code"
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalars(select(Ticket)).first() is None


def test_a_booking_for_another_service_or_day_or_a_cancelled_one_is_refused(
    client, hall, booked, platform
):
    booked(slot_in=5)
    business = hall.services["business"]
    other_service = issue(client, hall, booking_code="B-2026-0001", service_id=business)
    assert other_service.get_json()["error"]["code"] == "booking_for_other_service"
    booked(slot_in=24 * 60, revision=7)  # moved to tomorrow
    assert issue(client, hall, booking_code="B-2026-0001").get_json()["error"]["code"] == (
        "booking_not_today"
    )
    platform.send("DELETE", "/api/v1/platform/appointments/APT-1")
    assert issue(client, hall, booking_code="B-2026-0001").get_json()["error"]["code"] == (
        "booking_cancelled"
    )


def test_a_passed_pre_review_code_gives_a_pre_reviewed_ticket(client, hall, platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-77"))
    response = issue(client, hall, prereview_code="PR-77")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visitor_class"] == "pre_reviewed"


def test_a_pre_review_that_needs_correction_earns_no_priority(client, hall, platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, result="needs_correction"))
    response = issue(client, hall, prereview_code="APP-1")
    assert response.get_json()["visitor_class"] == "walk_in"


def test_an_expired_pre_review_is_refused(client, hall, platform, clock):
    expired = (clock() - timedelta(minutes=1)).isoformat()
    platform.push_pre_review("APP-1", **pre_review_fields(clock, valid_until=expired))
    response = issue(client, hall, prereview_code="APP-1")
    assert response.get_json()["error"]["code"] == "pre_review_expired"


def test_the_id_card_finds_the_pre_review_by_its_keyed_hash(client, hall, platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    response = issue(client, hall, id_number=ID_NUMBER)
    assert response.get_json()["visitor_class"] == "pre_reviewed"
    stranger = issue(client, hall, id_number="110105194912310038")
    assert stranger.get_json()["visitor_class"] == "walk_in"


def test_the_id_card_finds_todays_booking(app, client, hall, booked):
    booked(slot_in=20)
    response = issue(client, hall, id_number=ID_NUMBER.lower())
    assert response.get_json()["visitor_class"] == "appointment"
    assert stored(app, Appointment, appointment_id="APT-1").status == "checked_in"


def test_the_priority_lane_keeps_its_place_with_a_booking(client, hall, booked):
    """The hall's staff (the guide's desk) give the priority lane; a booking keeps it."""
    booked(slot_in=20)
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={
            "service_id": hall.services["housing"],
            "booking_code": "B-2026-0001",
            "visitor_class": "priority",
        },
        headers=login_headers(client, hall.manager_number),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visitor_class"] == "priority"


@pytest.mark.parametrize("asked", ["priority", "appointment", "pre_reviewed"])
def test_a_kiosk_cannot_give_its_ticket_a_class(app, client, hall, asked):
    """Whoever stands at a kiosk could ask for a faster lane: a kiosk's ticket takes its class
    only from a booking code, a pre-review code or an ID card."""
    response = issue(client, hall, visitor_class=asked)

    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "forbidden_role" and error["field"] == "visitor_class"
    assert "绿色通道" in error["message"] and "工作人员" in error["message"]
    with app.extensions["hallq_db"].reading() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert issue(client, hall, visitor_class="walk_in").status_code == 201


def test_a_scanned_code_can_be_looked_up_before_issuing(client, hall, booked, platform, clock):
    booked(slot_in=20)
    platform.push_pre_review("APP-9", **pre_review_fields(clock))
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    booking = client.get(f"/api/v1/halls/{hall.id}/booking-codes/B-2026-0001", headers=kiosk)
    assert booking.status_code == 200
    assert booking.get_json()["kind"] == "appointment"
    assert booking.get_json()["punctuality"] == "early"
    assert booking.get_json()["service"]["id"] == hall.services["housing"]
    pre_review = client.get(f"/api/v1/halls/{hall.id}/booking-codes/APP-9", headers=kiosk)
    assert pre_review.get_json()["kind"] == "pre_review"
    missing = client.get(f"/api/v1/halls/{hall.id}/booking-codes/NOPE", headers=kiosk)
    assert missing.status_code == 404


def test_the_clerk_sees_the_pre_review_and_its_materials_when_the_ticket_is_called(
    client, hall, platform, clock
):
    platform.push_pre_review("APP-1", **pre_review_fields(clock))
    ticket = issue(client, hall, prereview_code="APP-1").get_json()
    clerk = login_headers(client, hall.clerk_numbers[1])
    window_id = hall.windows[1]
    called = client.post(f"/api/v1/windows/{window_id}/call-next", headers=clerk)
    assert called.get_json()["id"] == ticket["id"]
    desk = client.get(f"/api/v1/windows/{window_id}/desk", headers=clerk).get_json()
    record = desk["ticket"]["pre_review"]
    assert record["application_id"] == "APP-1"
    assert [m["name"] for m in record["materials"]] == ["身份证", "购房合同"]
    booking = client.get(f"/api/v1/tickets/{ticket['id']}/booking", headers=clerk).get_json()
    assert booking["pre_review"]["result"] == "passed"
    assert booking["appointment"] is None
    # The public view of the ticket (boards, the visitor's phone) carries no pre-review record.
    assert "pre_review" not in called.get_json()


def test_bookings_not_kept_become_no_shows_and_the_platform_is_told(app, hall, booked, clock):
    booked(slot_in=10)
    database = app.extensions["hallq_db"]
    clock.advance(minutes=10 + 14)
    with database.transaction() as uow:
        assert record_no_shows(uow, clock()) == 0  # still within the grace period
    clock.advance(minutes=2)
    with database.transaction() as uow:
        assert record_no_shows(uow, clock()) == 1
    assert stored(app, Appointment, appointment_id="APT-1").status == "no_show"
    message = stored(app, OutboxMessage, kind="appointment.no_show")
    assert message.payload["appointment_id"] == "APT-1"
    with database.transaction() as uow:
        assert record_no_shows(uow, clock()) == 0  # recorded once


def test_a_pre_review_code_earns_one_place_in_the_queue_at_a_time(client, hall, platform, clock):
    platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-1"))
    first = issue(client, hall, prereview_code="PR-1")
    assert first.status_code == 201
    again = issue(client, hall, prereview_code="PR-1")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "pre_review_used"
    assert first.get_json()["number"] in again.get_json()["error"]["message"]

    # Once that case is over, the still-valid pre-review may bring its holder back.
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    assert client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).status_code == 200
    base = f"/api/v1/windows/{window}/tickets/{first.get_json()['id']}"
    assert client.post(f"{base}/start", headers=clerk).status_code == 200
    finished = client.post(f"{base}/finish", json={"outcome": "enquiry"}, headers=clerk)
    assert finished.status_code == 200, finished.get_json()
    assert issue(client, hall, prereview_code="PR-1").status_code == 201


def test_a_pre_review_is_not_cancelled_while_its_visitor_is_in_the_queue(
    app, client, hall, platform, clock
):
    from hall_server.storage.models import PreReview

    platform.push_pre_review("APP-1", **pre_review_fields(clock, code="PR-1"))
    ticket = issue(client, hall, prereview_code="PR-1").get_json()
    assert ticket["visitor_class"] == "pre_reviewed"
    refused = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-1")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "pre_review_used"
    assert ticket["number"] in refused.get_json()["error"]["message"]
    assert stored(app, PreReview, application_id="APP-1").status == "active"

    # Once the case is finished (and reported), the withdrawal stops any further visit.
    clerk = login_headers(client, hall.clerk_numbers[1])
    window = hall.windows[1]
    assert client.post(f"/api/v1/windows/{window}/call-next", headers=clerk).status_code == 200
    base = f"/api/v1/windows/{window}/tickets/{ticket['id']}"
    assert client.post(f"{base}/start", headers=clerk).status_code == 200
    finished = client.post(f"{base}/finish", json={"outcome": "enquiry"}, headers=clerk)
    assert finished.status_code == 200, finished.get_json()
    assert [m.kind for m in outbox(app)] == ["case.finished"]
    cancelled = platform.send("DELETE", "/api/v1/platform/pre-reviews/APP-1")
    assert cancelled.status_code == 200, cancelled.get_json()
    again = issue(client, hall, prereview_code="PR-1")
    assert again.get_json()["error"]["code"] == "pre_review_cancelled"


def outbox(app):
    with app.extensions["hallq_db"].reading() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
