"""`hallq demo` seeds an online platform and today's appointments and pre-reviews for the city
centre, which calls by due times; the codes its printout lists work at the demo kiosk."""

from __future__ import annotations

import json
import re
from typing import Any

from hall_server.core.platform_signature import signed_headers
from hall_server.demo.demo_bookings import DEMO_ID_NUMBER
from hall_server.demo.demo_hall import print_directory, seed_demo
from tests.conftest import login_headers

KIOSK = {"Authorization": "Bearer d_demo-kiosk-1"}


def printed_codes(printout: str) -> dict[str, str]:
    """code -> what the printout says it gives, from lines such as
    `  YY113001   booked 09:45  公积金提取: early: a priority ticket that waits for its slot`."""
    return dict(re.findall(r"^  (Y[YS]\d{6})\s+(.+)$", printout, re.MULTILINE))


def check_in(client: Any, hall_id: int, **brought: str) -> Any:
    """What the kiosk does: ask what the code or card is, then issue with it."""
    preview = client.post("/kiosk/preview.json", json=brought, headers=KIOSK)
    if preview.status_code != 200:
        return preview
    found = preview.get_json()
    body = {"service_id": found["service"]["id"]}
    body[found["booking"]["issue_field"]] = next(iter(brought.values()))
    return client.post(f"/api/v1/halls/{hall_id}/tickets", json=body, headers=KIOSK)


def test_the_printed_codes_give_the_tickets_the_printout_promises(
    app: Any, client: Any, clock: Any, capsys: Any
) -> None:
    database = app.extensions["hallq_db"]
    directory = seed_demo(database, clock())
    city = directory.hall_ids["city-centre"]
    print_directory(database, 5000, clock())
    printout = capsys.readouterr().out

    assert "calling by the due_time policy" in printout
    assert "demo-platform / demo-platform-secret-not-for-production" in printout
    codes = printed_codes(printout)
    assert len(codes) == 6, printout
    by_id_card = re.search(rf"^  {DEMO_ID_NUMBER} \(ID card of (Y[YS]\d{{6}})\)$", printout, re.M)
    assert by_id_card is not None, printout

    expected = {
        "early": "appointment",
        "on time": "appointment",
        "becomes a walk-in": "walk_in",
        "passed": "pre_reviewed",
        "needs correction": "walk_in",
    }
    issued = {}
    for code, promise in codes.items():
        if code == by_id_card.group(1):
            answer = check_in(client, city, id_number=DEMO_ID_NUMBER)
        else:
            answer = check_in(client, city, code=code)
        if "cancelled" in promise:
            assert answer.status_code == 409
            assert answer.get_json()["error"]["code"] == "booking_cancelled"
            continue
        assert answer.status_code == 201, (code, answer.get_json())
        (visitor_class,) = [c for words, c in expected.items() if words in promise]
        assert answer.get_json()["visitor_class"] == visitor_class, (code, promise)
        issued[code] = answer.get_json()["number"]
    assert len(issued) == 5

    # The printout of a later start tells which codes were used meanwhile.
    print_directory(database, 5000, clock())
    again = printed_codes(capsys.readouterr().out)
    assert all("already used" in again[code] for code in codes if code.startswith("YY")
               and "cancelled" not in codes[code])  # fmt: skip
    assert "in use by ticket" in again[next(c for c in codes if "passed" in codes[c])]


def test_the_city_centre_calls_by_due_times_and_the_printed_platform_can_push(
    app: Any, client: Any, clock: Any
) -> None:
    seed_demo(app.extensions["hallq_db"], clock())
    manager = login_headers(client, "M1001", "demo-manager")
    hall_id = client.get("/api/v1/halls", headers=manager).get_json()
    city = next(hall["id"] for hall in hall_id if hall["code"] == "city-centre")
    policy = client.get(f"/api/v1/halls/{city}/calling-policy", headers=manager).get_json()
    assert policy["policy"] == "due_time"

    body = json.dumps(
        {
            "hall_code": "city-centre",
            "service_code": "gjj-withdraw",
            "slot_start": clock().isoformat(),
            "booking_code": "MYCODE1",
            "applicant_name": "试用者",
        }
    ).encode()
    path = "/api/v1/platform/appointments/TRY-1"
    headers = signed_headers(
        "demo-platform", "demo-platform-secret-not-for-production", "PUT", path, body, clock()
    )
    pushed = client.put(
        path,
        data=body,
        headers=headers,
        content_type="application/json",
    )
    assert pushed.status_code == 200, pushed.get_json()
    answer = check_in(client, city, code="MYCODE1")
    assert answer.get_json()["visitor_class"] == "appointment"


def test_a_kept_demo_database_gets_new_codes_each_day_and_keeps_them_within_it(
    app: Any, clock: Any, capsys: Any
) -> None:
    from hall_server.demo.demo_bookings import seed_todays_bookings

    database = app.extensions["hallq_db"]
    city = seed_demo(database, clock()).hall_ids["city-centre"]
    assert seed_todays_bookings(database, clock()) == 0  # a restart the same day
    print_directory(database, 5000, clock())
    monday = set(printed_codes(capsys.readouterr().out))

    clock.advance(days=1)
    assert seed_todays_bookings(database, clock()) == 6
    print_directory(database, 5000, clock())
    tuesday = set(printed_codes(capsys.readouterr().out))
    assert len(tuesday) == 6 and not tuesday & monday
    answer = check_in(app.test_client(), city, code=sorted(tuesday)[0])
    assert answer.status_code == 201, answer.get_json()


def test_every_booked_morning_ticket_has_its_booking_or_pre_review_and_the_counter_shows_it(
    app: Any, client: Any, clock: Any
) -> None:
    from sqlalchemy import select

    from hall_server.storage.models import Appointment, PreReview, Ticket, Window, WindowService

    database = app.extensions["hallq_db"]
    city = seed_demo(database, clock()).hall_ids["city-centre"]
    with database.reading() as session:
        booked = session.scalars(
            select(Ticket).where(
                Ticket.hall_id == city, Ticket.visitor_class.in_(("appointment", "pre_reviewed"))
            )
        ).all()
        assert {ticket.visitor_class for ticket in booked} == {"appointment", "pre_reviewed"}
        for ticket in booked:
            appointment = session.scalar(
                select(Appointment).where(Appointment.ticket_id == ticket.id)
            )
            pre_review = session.scalar(select(PreReview).where(PreReview.ticket_id == ticket.id))
            if ticket.visitor_class == "appointment":
                assert appointment is not None, ticket.number
                assert appointment.status == "checked_in"
                assert appointment.service_id == ticket.original_service_id
                assert ticket.appointment_due_at == appointment.slot_start
            else:
                assert pre_review is not None, ticket.number
                assert (pre_review.result, pre_review.status) == ("passed", "active")
                assert pre_review.service_id == ticket.original_service_id
        # Today's passed pre-review from the printout, not yet used: the visitor comes to a
        # window that serves it (which morning ticket is still waiting depends on the policy).
        today = session.scalar(
            select(PreReview).where(
                PreReview.hall_id == city,
                PreReview.application_id.like("DEMO-%"),
                PreReview.result == "passed",
                PreReview.ticket_id.is_(None),
            )
        )
        assert today is not None
        code, service_id = today.code, today.service_id
        serving = set(
            session.scalars(
                select(WindowService.window_id).where(WindowService.service_id == service_id)
            )
        )
        window = session.scalar(
            select(Window)
            .where(Window.hall_id == city, Window.id.in_(serving), Window.status == "open")
            .order_by(Window.number)
        )
        assert window is not None
        window_id = window.id
        in_hand = session.scalar(
            select(Ticket).where(
                Ticket.window_id == window_id, Ticket.status.in_(("called", "serving"))
            )
        )
        case_in_hand = None if in_hand is None else (in_hand.id, in_hand.status)

    # The clerk closes the case in hand, checks the visitor in by the code, calls the ticket
    # and sees the pre-review behind it.
    manager = login_headers(client, "M1001", "demo-manager")
    if case_in_hand is not None:
        case_id, status = case_in_hand
        if status == "called":
            assert client.post(
                f"/api/v1/windows/{window_id}/tickets/{case_id}/start", headers=manager
            ).ok
        finished = client.post(
            f"/api/v1/windows/{window_id}/tickets/{case_id}/finish",
            json={"outcome": "completed"},
            headers=manager,
        )
        assert finished.status_code == 200, finished.get_json()
    issued = client.post(
        f"/api/v1/halls/{city}/tickets",
        json={"service_id": service_id, "prereview_code": code},
        headers=manager,
    )
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["visitor_class"] == "pre_reviewed"
    called = client.post(
        f"/api/v1/windows/{window_id}/call",
        json={"ticket_id": issued.get_json()["id"]},
        headers=manager,
    )
    assert called.status_code == 200, called.get_json()
    desk = client.get(f"/api/v1/windows/{window_id}/desk", headers=manager).get_json()
    record = desk["ticket"]["pre_review"]
    assert record["result"] == "passed" and record["valid_until"] > clock().isoformat()
    assert [material["name"] for material in record["materials"]][0] == "身份证"
