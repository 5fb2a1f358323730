"""`hallq add-platform` registers a platform on a migrated database and shows its secret once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hall_server.cli import cli
from hall_server.storage import migrations
from hall_server.storage.database import Database
from hall_server.storage.models import Platform
from tests.factories import build_hall


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = f"sqlite:///{tmp_path / 'platforms.sqlite'}"
    migrations.upgrade(url)  # every head, this feature's 0003_prereview among them
    for name, value in {
        "HALLQ_DATABASE_URL": url,
        "HALLQ_SECRET_KEY": "test",
        "HALLQ_IDENTITY_SECRET": "test",
        "HALLQ_LOG_JSON": "false",
    }.items():
        monkeypatch.setenv(name, value)
    database = Database(url)
    build_hall(database, datetime(2026, 11, 30, 1, tzinfo=UTC), code="city")
    return database


def test_a_platform_is_added_for_a_hall_and_its_secret_shown_once(migrated):
    arguments = ["add-platform", "--code", "gov-online", "--name", "一网通办", "--hall", "city"]
    result = CliRunner().invoke(cli, [*arguments, "--webhook", "https://gov.example/hallq"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().rsplit(" ", 1)[-1]
    with migrated.reading() as session:
        platform = session.scalars(select(Platform)).one()
    assert (platform.code, platform.secret, platform.webhook_url) == (
        "gov-online",
        secret,
        "https://gov.example/hallq",
    )
    again = CliRunner().invoke(cli, arguments)
    assert again.exit_code == 1
    assert "exists already" in again.output
    unknown_hall = CliRunner().invoke(
        cli, ["add-platform", "--code", "x", "--name", "x", "--hall", "nowhere"]
    )
    assert unknown_hall.exit_code == 1 and "no hall" in unknown_hall.output


def test_a_webhook_that_is_no_http_address_is_refused(migrated):
    arguments = ["add-platform", "--code", "p", "--name", "p", "--hall", "city"]
    for bad in ("ftp://gov.example/hallq", "gov.example/hallq", "https://"):
        result = CliRunner().invoke(cli, [*arguments, "--webhook", bad])
        assert result.exit_code == 1
        assert "must be an http:// or https:// address" in result.output
    with migrated.reading() as session:
        assert session.scalars(select(Platform)).all() == []


def test_a_platform_gets_a_new_webhook_a_new_secret_and_can_be_stopped(migrated):
    add = ["add-platform", "--code", "gov", "--name", "一网通办", "--hall", "city"]
    first_secret = CliRunner().invoke(cli, add).output.strip().rsplit(" ", 1)[-1]

    def update(*options: str):  # noqa: ANN202
        return CliRunner().invoke(cli, ["update-platform", "--code", "gov", *options])

    def stored() -> Platform:
        with migrated.reading() as session:
            return session.scalars(select(Platform)).one()

    assert update("--webhook", "https://gov.example/new").exit_code == 0
    assert stored().webhook_url == "https://gov.example/new"
    refused = update("--webhook", "ftp://gov.example")
    assert refused.exit_code == 1 and stored().webhook_url == "https://gov.example/new"
    assert update("--no-webhook").exit_code == 0 and stored().webhook_url is None

    renewed = update("--new-secret")
    assert renewed.exit_code == 0, renewed.output
    new_secret = renewed.output.strip().rsplit(" ", 1)[-1]
    assert new_secret != first_secret and stored().secret == new_secret

    assert update("--disable").exit_code == 0 and stored().active is False
    assert update("--enable").exit_code == 0 and stored().active is True

    nothing = update()
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output
    unknown = CliRunner().invoke(cli, ["update-platform", "--code", "nobody", "--disable"])
    assert unknown.exit_code == 1 and "no platform" in unknown.output
