"""A new deployment's first steps: `hallq create-admin` opens the top hall and its first admin,
`hallq serve` refuses the example file's secrets with one plain line, and /healthz tells a
migrated, current database from one that is behind or out of reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hall_server.cli import cli
from hall_server.config import CONFIGURATION_EXIT_STATUS
from hall_server.storage import migrations
from tests import conftest
from tests.live.live_server import serve_until_it_stops, server_environment


def create_admin(*arguments: str) -> Any:
    return CliRunner().invoke(cli, ["create-admin", *arguments], input="")


def test_create_admin_opens_the_top_hall_whose_admin_then_opens_a_hall_below(
    migrated_url: str,
) -> None:
    made = create_admin(
        "--hall-code", "city-centre", "--hall-name", "市政务服务中心",
        "--staff-number", "A0001", "--name", "王主任",
    )  # fmt: skip

    assert made.exit_code == 0, made.output
    assert "hall city-centre (市政务服务中心, opened); admin A0001 created" in made.output
    password = made.output.split("password (shown only now): ")[1].split()[0]
    client = conftest.make_app(
        migrated_url, conftest.TestClock(), CREATE_TABLES=False
    ).test_client()
    login = client.post("/api/v1/auth/login", json={"staff_number": "A0001", "password": password})
    assert login.status_code == 200, login.get_json()
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    halls = client.get("/api/v1/halls", headers=headers).get_json()
    top = next(hall for hall in halls if hall["code"] == "city-centre")
    assert (top["level"], top["parent_id"], top["time_zone"]) == ("city", None, "Asia/Shanghai")
    below = client.post(
        "/api/v1/halls",
        headers=headers,
        json={"parent_id": top["id"], "code": "east-district", "name": "东区政务服务中心",
              "level": "district"},
    )  # fmt: skip
    assert below.status_code == 201, below.get_json()


def test_a_second_admin_joins_the_existing_hall_and_a_taken_staff_number_is_refused(
    migrated_url: str,
) -> None:
    first = ("--hall-code", "city-centre", "--hall-name", "市政务服务中心", "--name", "王主任")
    assert create_admin(*first, "--staff-number", "A0001").exit_code == 0

    second = create_admin("--hall-code", "city-centre", "--staff-number", "A0002", "--name", "李")
    again = create_admin("--hall-code", "city-centre", "--staff-number", "A0001", "--name", "李")
    unknown = create_admin("--hall-code", "nowhere", "--staff-number", "A0003", "--name", "赵")

    assert second.exit_code == 0 and "(市政务服务中心, existing)" in second.output
    assert again.exit_code == 1 and "this staff number is already taken" in again.output
    assert unknown.exit_code == 1
    assert "no hall has the code nowhere; give its name to open it" in unknown.output
    assert "Traceback" not in again.output + unknown.output


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        (
            {"SECRET_KEY": "CHANGE-ME", "IDENTITY_SECRET": "CHANGE-ME"},
            "HALLQ_SECRET_KEY is still a placeholder; HALLQ_IDENTITY_SECRET is still a placeholder",
        ),
        ({"SECRET_KEY": "short-key-0123"}, "HALLQ_SECRET_KEY is shorter than 32 characters"),
        ({"PUBLIC_BASE_URL": ""}, "HALLQ_PUBLIC_BASE_URL is not set"),
    ],
)
def test_serve_refuses_example_secrets_and_a_missing_public_address_in_one_line(
    tmp_path: Path, settings: dict[str, str], said: str
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    environment = server_environment(url, 8999)
    environment.update({f"HALLQ_{name}": value for name, value in settings.items()})
    if settings.get("PUBLIC_BASE_URL") == "":
        del environment["HALLQ_PUBLIC_BASE_URL"]
    started = serve_until_it_stops(environment, 8999)

    assert started.returncode == CONFIGURATION_EXIT_STATUS
    assert said in started.stderr
    assert "Traceback" not in started.stderr
    assert len(started.stderr.strip().splitlines()) == 1, started.stderr


def test_healthz_says_ok_only_for_a_reachable_database_at_this_codes_version(
    migrated_url: str,
) -> None:
    def health(url: str) -> tuple[int, str]:
        client = conftest.make_app(url, conftest.TestClock(), CREATE_TABLES=False).test_client()
        answer = client.get("/healthz")
        return answer.status_code, answer.get_json()["database"]

    never_migrated = migrated_url.replace("hallq.sqlite", "empty.sqlite")
    assert health(never_migrated) == (503, "behind")
    assert health(migrated_url) == (200, "ok")
    migrations.downgrade(migrated_url, "-1")
    assert health(migrated_url) == (503, "behind")
    # Nothing listens on port 9 (discard) here: the connection is refused at once.
    assert health("postgresql+psycopg2://postgres@127.0.0.1:9/test") == (503, "unreachable")
