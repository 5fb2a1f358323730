"""Managers look after the departments, services, windows and devices of their hall; the
service catalogue can be uploaded as CSV or XLSX and is applied all or nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.manager.conftest import ok, refused

HEADER = "department_code,department_name,service_code,service_name,prefix,daily_quota\n"


def upload(client, hall_id, headers, content: bytes, name: str, dry_run: bool = False):
    return client.post(
        f"/api/v1/halls/{hall_id}/services/import?dry_run={'true' if dry_run else 'false'}",
        data={"file": (io.BytesIO(content), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_manager_adds_a_department_a_service_and_a_window_that_serves_it(
    app, client, hall, manager
):
    events = []
    app.extensions["hallq_db"].publish = events.append
    department = ok(
        client.post(
            f"/api/v1/halls/{hall.id}/departments",
            json={"code": "tax", "name": "税务局", "name_en": "Tax bureau"},
            headers=manager,
        ),
        201,
    )
    service = ok(
        client.post(
            f"/api/v1/halls/{hall.id}/services",
            json={
                "department_id": department["id"],
                "code": "tax-invoice",
                "name": "发票领用",
                "prefix": "T",
                "daily_quota": 50,
                "issuing_hours": "mon-fri 09:00-16:00",
            },
            headers=manager,
        ),
        201,
    )
    assert service["department"]["name"] == "税务局" and service["active"] is True
    window = ok(
        client.post(
            f"/api/v1/halls/{hall.id}/windows",
            json={"number": 9, "name": "税务窗口", "kind": "dedicated"},
            headers=manager,
        ),
        201,
    )
    assert (window["status"], window["services"]) == ("closed", [])
    ok(
        client.put(
            f"/api/v1/windows/{window['id']}/services",
            json={"service_ids": [service["id"]]},
            headers=manager,
        )
    )
    renamed = ok(
        client.patch(
            f"/api/v1/windows/{window['id']}", json={"name": "税务综合窗口"}, headers=manager
        )
    )
    assert renamed["name"] == "税务综合窗口" and renamed["services"][0]["prefix"] == "T"
    assert (
        ok(
            client.patch(
                f"/api/v1/departments/{department['id']}",
                json={"name": "税务局（分局）"},
                headers=manager,
            )
        )["name"]
        == "税务局（分局）"
    )
    listed = ok(client.get(f"/api/v1/halls/{hall.id}/departments", headers=manager))
    assert "tax" in [d["code"] for d in listed]
    assert {"service.changed", "window.changed"} <= {e.name for e in events}


def test_administration_refuses_bad_values_with_the_field_at_fault(client, hall, manager):
    department_id = ok(client.get(f"/api/v1/halls/{hall.id}/departments", headers=manager))[0]["id"]
    base = {"department_id": department_id, "code": "x", "name": "x"}
    response = client.post(
        f"/api/v1/halls/{hall.id}/services", json={**base, "prefix": "a1"}, headers=manager
    )
    refused(response, 422, "invalid_prefix")
    response = client.post(
        f"/api/v1/halls/{hall.id}/services",
        json={**base, "prefix": "X", "issuing_hours": "always"},
        headers=manager,
    )
    refused(response, 422, "invalid_opening_hours")
    assert response.get_json()["error"]["field"] == "issuing_hours"
    refused(
        client.post(
            f"/api/v1/halls/{hall.id}/windows", json={"number": 1, "name": "dup"}, headers=manager
        ),
        409,
        "duplicate",
    )
    refused(
        client.patch(
            f"/api/v1/services/{hall.services['housing']}",
            json={"code": "test-hall-business"},
            headers=manager,
        ),
        409,
        "duplicate",
    )


def test_the_catalogue_upload_is_checked_first_and_applied_all_or_nothing(client, hall, manager):
    good = HEADER + "tax,税务局,tax-invoice,发票领用,T,50\ntax,税务局,tax-declare,纳税申报,T,\n"
    checked = ok(upload(client, hall.id, manager, good.encode(), "catalogue.csv", dry_run=True))
    assert (checked["created"], checked["applied"], checked["problems"]) == (2, False, [])
    services = ok(client.get(f"/api/v1/halls/{hall.id}/services"))
    assert "tax-invoice" not in [s["code"] for s in services]

    bad = HEADER + "tax,税务局,tax-invoice,发票领用,T,50\ntax,税务局,tax-bad,坏行,t1,\n"
    answer = ok(upload(client, hall.id, manager, bad.encode(), "catalogue.csv"))
    assert answer["applied"] is False
    assert answer["problems"][0]["line"] == 3 and "prefix" in answer["problems"][0]["message"]
    services = ok(client.get(f"/api/v1/halls/{hall.id}/services"))
    assert "tax-invoice" not in [s["code"] for s in services]

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["tax", "税务局", "tax-invoice", "发票领用", "T", 50])
    buffer = io.BytesIO()
    book.save(buffer)
    applied = ok(upload(client, hall.id, manager, buffer.getvalue(), "目录.xlsx"))
    assert (applied["created"], applied["applied"]) == (1, True)
    invoice = next(
        s for s in ok(client.get(f"/api/v1/halls/{hall.id}/services")) if s["code"] == "tax-invoice"
    )
    assert (invoice["prefix"], invoice["daily_quota"]) == ("T", 50)


def test_a_file_that_is_not_a_catalogue_is_refused(client, hall, manager):
    refused(
        upload(client, hall.id, manager, b"not a spreadsheet", "list.xlsx"), 422, "invalid_file"
    )
    refused(upload(client, hall.id, manager, b"a,b\n1,2\n", "list.csv"), 422, "invalid_file")
    refused(upload(client, hall.id, manager, b"hello", "list.txt"), 422, "invalid_file")


def test_devices_are_enrolled_listed_and_revoked_by_the_hall_manager(client, hall, manager):
    enrolled = ok(
        client.post(
            f"/api/v1/halls/{hall.id}/devices",
            json={"kind": "window_display", "name": "窗口屏 2", "window_id": hall.windows[2]},
            headers=manager,
        ),
        201,
    )
    device_headers = {"Authorization": f"Bearer {enrolled['token']}"}
    ok(client.get(f"/api/v1/halls/{hall.id}/board", headers=device_headers))
    ok(client.post(f"/api/v1/devices/{enrolled['device']['id']}/revoke", headers=manager))
    refused(client.get("/api/v1/auth/me", headers=device_headers), 401, "unauthorized")
    listed = ok(client.get(f"/api/v1/halls/{hall.id}/devices", headers=manager))
    revoked = next(d for d in listed if d["id"] == enrolled["device"]["id"])
    assert revoked["revoked_at"] is not None
