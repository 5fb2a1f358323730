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
