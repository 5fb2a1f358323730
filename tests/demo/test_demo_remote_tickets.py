"""`hallq demo` lets visitors of the city centre take tickets on their phones and prints the
page's address with the other pages; the township centre keeps the default (off)."""

from __future__ import annotations

import re
from typing import Any

from hall_server.demo.demo_hall import print_directory, seed_demo


def test_the_printed_phone_page_of_the_city_centre_gives_tickets(
    app: Any, client: Any, clock: Any, capsys: Any
) -> None:
    database = app.extensions["hallq_db"]
    seed_demo(database, clock())
    print_directory(database, 5000, clock())
    printout = capsys.readouterr().out

    found = re.search(r"^  Phone ticket \(线上取号\)\s+http://127\.0\.0\.1:5000(/h/\S+)$", printout,
                      re.MULTILINE)  # fmt: skip
    assert found is not None, printout
    page = client.get(found.group(1))
    assert page.status_code == 200
    assert "线上取号" in page.get_data(as_text=True)
    offer = client.get("/api/v1/remote/halls/city-centre").get_json()
    assert offer["enabled"] is True and offer["refusal"] is None
    service = next(s for s in offer["services"] if s["refusal"] is None)

    taken = client.post(
        "/api/v1/remote/halls/city-centre/tickets",
        json={"service_id": service["service_id"], "phone": "13800138000"},
    )

    assert taken.status_code == 201, taken.get_json()
    assert taken.get_json()["issued_remotely"] is True
    township = client.get("/api/v1/remote/halls/qiaotou-town").get_json()
    assert township["refusal"]["code"] == "remote_tickets_off"
