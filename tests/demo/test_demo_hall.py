"""`hallq demo` seeds an online platform and today's appointments and pre-reviews for the city
centre, which calls by due times; the codes its printout lists work at the demo kiosk."""

from __future__ import annotations

import json
import re
from typing import Any

from hall_server.demo.demo_bookings import DEMO_ID_NUMBER
from hall_server.demo.demo_hall import print_directory, seed_demo
from hall_server.operations.online_platform import signed_headers
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
    headers = signed_headers(
        "demo-platform", "demo-platform-secret-not-for-production", body, clock()
    )
    pushed = client.put(
        "/api/v1/platform/appointments/TRY-1",
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
