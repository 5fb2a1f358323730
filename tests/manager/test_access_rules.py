"""Who may see and change what: clerks see no dashboard and change no window but their own;
a township's manager sees nothing above the township; admins alone manage halls and staff."""

from __future__ import annotations

from tests.conftest import login_headers
from tests.factories import PASSWORD
from tests.manager.conftest import ok, refused


def test_a_clerk_cannot_open_any_dashboard_report_or_network(app, client, network):
    clerk = login_headers(client, network.city.clerk_numbers[1])
    for hall in (network.city, network.township):
        refused(
            client.get(f"/api/v1/manager/halls/{hall.id}/dashboard", headers=clerk),
            403,
            "forbidden_role",
        )
        refused(
            client.get(f"/api/v1/reports/halls/{hall.id}", headers=clerk), 403, "forbidden_role"
        )
    refused(client.get("/api/v1/manager/network", headers=clerk), 403, "forbidden_role")
    stranger = app.test_client()  # no token and no login cookie
    refused(stranger.get(f"/api/v1/manager/halls/{network.city.id}/dashboard"), 401, "unauthorized")


def test_a_clerk_cannot_change_a_window_they_do_not_hold(client, network):
    city = network.city
    clerk = login_headers(client, city.clerk_numbers[1])
    refused(
        client.post(
            f"/api/v1/windows/{city.windows[2]}/state", json={"change": "close"}, headers=clerk
        ),
        403,
        "not_your_window",
    )
    refused(
        client.put(
            f"/api/v1/windows/{city.windows[1]}/services",
            json={"service_ids": [city.services["housing"]]},
            headers=clerk,
        ),
        403,
        "forbidden_role",
    )
    township_window = network.township.windows[1]
    refused(
        client.post(
            f"/api/v1/windows/{township_window}/state", json={"change": "close"}, headers=clerk
        ),
        403,
        "forbidden_hall",
    )
    refused(
        client.post(f"/api/v1/halls/{city.id}/notice", json={"lines": ["x"]}, headers=clerk),
        403,
        "forbidden_role",
    )


def test_a_township_manager_cannot_see_the_city_hall(client, network):
    township = login_headers(client, network.township.manager_number)
    city_id = network.city.id
    refused(
        client.get(f"/api/v1/manager/halls/{city_id}/dashboard", headers=township),
        403,
        "forbidden_hall",
    )
    refused(client.get(f"/api/v1/reports/halls/{city_id}", headers=township), 403, "forbidden_hall")
    refused(
        client.post(f"/api/v1/halls/{city_id}/notice", json={"lines": []}, headers=township),
        403,
        "forbidden_hall",
    )
    seen = ok(client.get("/api/v1/manager/network", headers=township))
    assert [h["hall"]["id"] for h in seen["halls"]] == [network.township.id]
    ok(client.get(f"/api/v1/manager/halls/{network.township.id}/dashboard", headers=township))


def test_the_city_manager_sees_and_acts_in_the_halls_below(client, network):
    city = login_headers(client, network.city.manager_number)
    seen = ok(client.get("/api/v1/manager/network", headers=city))
    assert {h["hall"]["id"] for h in seen["halls"]} == {network.city.id, network.township.id}
    depth = {h["hall"]["id"]: h["hall"]["depth"] for h in seen["halls"]}
    assert depth == {network.city.id: 0, network.township.id: 1}
    ok(client.get(f"/api/v1/manager/halls/{network.township.id}/dashboard", headers=city))
    ok(
        client.post(
            f"/api/v1/windows/{network.township.windows[2]}/state",
            json={"change": "pause", "reason": "break"},
            headers=city,
        )
    )


def test_the_network_lists_the_worst_off_hall_first(client, network, clock):
    client.put(
        f"/api/v1/manager/halls/{network.township.id}/alert-settings",
        json={"long_wait_minutes": 20, "device_offline_minutes": 240},
        headers=login_headers(client, network.city.manager_number),
    )
    response = client.post(
        f"/api/v1/halls/{network.township.id}/tickets",
        json={"service_id": network.township.services["housing"]},
        headers={"Authorization": f"Bearer {network.township.kiosk_token}"},
    )
    ok(response, 201)
    clock.advance(minutes=25)

    seen = ok(
        client.get(
            "/api/v1/manager/network",
            headers=login_headers(client, network.city.manager_number),
        )
    )

    worst = seen["halls"][0]
    assert worst["hall"]["id"] == network.township.id
    assert worst["critical_alerts"] == 1 and worst["total_waiting"] == 1
    assert worst["longest_wait_seconds"] == 25 * 60
    assert seen["totals"]["total_waiting"] == 1 and seen["totals"]["issued"] == 1


def test_only_admins_manage_halls_and_staff(client, network):
    manager = login_headers(client, network.city.manager_number)
    admin = login_headers(client, network.admin_number)
    new_hall = {
        "parent_id": network.city.id,
        "code": "community-1",
        "name": "便民服务站",
        "level": "community",
    }
    refused(client.post("/api/v1/halls", json=new_hall, headers=manager), 403, "forbidden_role")
    refused(
        client.get(f"/api/v1/halls/{network.city.id}/users", headers=manager), 403, "forbidden_role"
    )
    created = ok(client.post("/api/v1/halls", json=new_hall, headers=admin), 201)
    assert created["parent_id"] == network.city.id and created["time_zone"] == "Asia/Shanghai"
    township_admin_hall = network.township.id
    refused(
        client.patch(
            f"/api/v1/halls/{network.city.id}",
            json={"parent_id": township_admin_hall},
            headers=admin,
        ),
        422,
        "invalid_parent",
    )


def test_a_staff_number_is_what_a_clerk_can_type_at_login(client, network):
    """Letters and digits, as printed on a badge: spaces and symbols are refused, naming the
    field; a code of a service or department has no spaces either."""
    admin = login_headers(client, network.admin_number)
    for typed in ("C 1017 !!", " C1017", "王芳"):
        response = client.post(
            f"/api/v1/halls/{network.township.id}/users",
            json={"staff_number": typed, "name": "王芳", "role": "clerk"},
            headers=admin,
        )
        refused(response, 422, "validation_failed")
        assert response.get_json()["error"]["field"] == "staff_number"
    department = ok(client.get(f"/api/v1/halls/{network.township.id}/departments", headers=admin))[
        0
    ]["id"]
    spaced = client.post(
        f"/api/v1/halls/{network.township.id}/services",
        json={"department_id": department, "code": "电子 证照", "name": "电子证照", "prefix": "Z"},
        headers=admin,
    )
    refused(spaced, 422, "validation_failed")
    assert spaced.get_json()["error"]["field"] == "code"
    assert "空格" in spaced.get_json()["error"]["message"]


def test_an_admin_creates_deactivates_and_resets_a_staff_account(client, network):
    admin = login_headers(client, network.admin_number)
    created = ok(
        client.post(
            f"/api/v1/halls/{network.township.id}/users",
            json={"staff_number": "C9001", "name": "王芳", "role": "clerk"},
            headers=admin,
        ),
        201,
    )
    made_up = created["password"]
    assert made_up and created["user"]["active"] is True
    clerk = login_headers(client, "C9001", made_up)
    ok(client.get("/api/v1/auth/me", headers=clerk))

    ok(
        client.patch(
            f"/api/v1/users/{created['user']['id']}", json={"active": False}, headers=admin
        )
    )
    refused(client.get("/api/v1/auth/me", headers=clerk), 401, "unauthorized")
    refused(
        client.post("/api/v1/auth/login", json={"staff_number": "C9001", "password": made_up}),
        401,
        "bad_credentials",
    )

    ok(client.patch(f"/api/v1/users/{created['user']['id']}", json={"active": True}, headers=admin))
    reset = ok(
        client.post(
            f"/api/v1/users/{created['user']['id']}/password",
            json={"password": "a-new-long-password"},
            headers=admin,
        )
    )
    assert reset["password"] is None  # chosen by the admin: not echoed back
    login_headers(client, "C9001", "a-new-long-password")
    refused(
        client.post(
            f"/api/v1/users/{created['user']['id']}/password",
            json={"password": "short"},
            headers=admin,
        ),
        422,
        "weak_password",
    )
    users = ok(client.get(f"/api/v1/halls/{network.township.id}/users", headers=admin))
    assert "C9001" in [u["staff_number"] for u in users]


def test_admins_cannot_lock_themselves_out_and_staff_numbers_are_unique(client, network):
    admin = login_headers(client, network.admin_number)
    me = ok(client.get("/api/v1/auth/me", headers=admin))
    refused(
        client.patch(f"/api/v1/users/{me['id']}", json={"active": False}, headers=admin),
        409,
        "own_account",
    )
    refused(
        client.post(
            f"/api/v1/halls/{network.city.id}/users",
            json={
                "staff_number": network.city.manager_number,
                "name": "x",
                "role": "clerk",
                "password": PASSWORD,
            },
            headers=admin,
        ),
        409,
        "duplicate",
    )
