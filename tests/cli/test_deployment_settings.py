"""Settings an operations engineer gets wrong, and the database commands on a database that is
missing or unusable: each ends in one plain line saying what to do, never a traceback, and the
common forms that work elsewhere (postgres:// from hosting providers) work here too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hall_server.cli import cli
from hall_server.config import CONFIGURATION_EXIT_STATUS
from hall_server.storage import migrations
from tests import conftest
from tests.live.live_server import serve_until_it_stops, server_environment

SESSION_KEY = "a-session-key-of-forty-characters-123456"


def settings_with(tmp_path: Path, **settings: str | None) -> dict[str, str]:
    """The environment systemd gives `hallq serve`, with these settings changed."""
    environment = server_environment(f"sqlite:///{tmp_path / 'serve.sqlite'}", 8998)
    for name, value in settings.items():
        key = name if name == "DATABASE_URL" else f"HALLQ_{name}"
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    if "DATABASE_URL" in settings:
        environment.pop("HALLQ_DATABASE_URL")
    return environment


def serve_with(tmp_path: Path, **settings: str | None) -> tuple[int, str]:
    """`hallq serve` in its own process, as systemd starts it: its status and stderr."""
    started = serve_until_it_stops(settings_with(tmp_path, **settings), 8998)
    return started.returncode, started.stderr


def serve_here_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str | None
) -> tuple[int, str]:
    """The same command run in this process (it stops before serving): faster, same answer."""
    for name in [name for name in os.environ if name.startswith("HALLQ_")] + ["DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings_with(tmp_path, **settings).items():
        if name.startswith("HALLQ_") or name == "DATABASE_URL":
            monkeypatch.setenv(name, value)

    def started(*_arguments: object) -> None:
        raise AssertionError("hallq serve started with these settings")

    monkeypatch.setattr("hall_server.background.runner.start_background_work", started)
    monkeypatch.setattr("hall_server.live.serving.run_server", started)
    result = CliRunner().invoke(cli, ["serve", "--async-mode", "threading"])
    return result.exit_code, result.output


def test_serve_refuses_the_reported_public_address_queue_example(tmp_path: Path) -> None:
    status, stderr = serve_with(tmp_path, PUBLIC_BASE_URL="queue example")

    assert status == CONFIGURATION_EXIT_STATUS
    assert stderr.startswith("hallq: HALLQ_PUBLIC_BASE_URL 'queue example' is not an absolute")
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("queue example", "HALLQ_PUBLIC_BASE_URL 'queue example' is not an absolute http://"),
        ("queue.city.gov.cn", "is not an absolute http:// or https:// address with a host"),
        ("ftp://queue.city.gov.cn", "is not an absolute http:// or https:// address with a host"),
        ("https://", "is not an absolute http:// or https:// address with a host"),
        (
            "https://queue.city.gov.cn/hallq",
            "has a path (or a query); HallQ serves only at the root",
        ),
        ("https://queue.city.gov.cn:port", "is not a URL"),
    ],
)
def test_serve_refuses_a_public_address_phones_could_not_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str, said: str
) -> None:
    status, stderr = serve_here_with(tmp_path, monkeypatch, PUBLIC_BASE_URL=address)

    assert status == CONFIGURATION_EXIT_STATUS
    assert said in stderr
    assert "https://queue.<your city>.gov.cn" in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_a_public_address_at_the_root_of_its_host_is_accepted(migrated_url: str) -> None:
    for address in (
        "https://queue.city.gov.cn",
        "https://queue.city.gov.cn/",
        "http://10.0.0.5:8080",
    ):
        app = conftest.make_app(
            migrated_url, conftest.TestClock(), CREATE_TABLES=False, PUBLIC_BASE_URL=address
        )
        assert app.config["PUBLIC_BASE_URL"] == address


def test_a_missing_public_address_gets_its_own_hint_not_the_secrets_one(tmp_path: Path) -> None:
    status, stderr = serve_with(tmp_path, PUBLIC_BASE_URL=None)

    assert status == CONFIGURATION_EXIT_STATUS
    assert "HALLQ_PUBLIC_BASE_URL is not set" in stderr
    assert "secrets" not in stderr and "token_urlsafe" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_serve_refuses_one_secret_given_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, stderr = serve_here_with(
        tmp_path, monkeypatch, SECRET_KEY=SESSION_KEY, IDENTITY_SECRET=SESSION_KEY
    )

    assert status == CONFIGURATION_EXIT_STATUS
    assert "HALLQ_SECRET_KEY and HALLQ_IDENTITY_SECRET are the same" in stderr
    assert "token_urlsafe(48)" in stderr  # this one is about secrets: how to make them
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://hallq@127.0.0.1/hallq", "HallQ runs on PostgreSQL or SQLite, not mysql"),
        ("postgresql+asyncpg://hallq@127.0.0.1/hallq", "its driver postgresql+asyncpg"),
        ("hallq database", "it is not a URL"),
        ("postgres://hallq@127.0.0.1:5432", "it names no database"),
    ],
)
def test_an_unusable_database_url_ends_serve_and_db_upgrade_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    status, stderr = serve_here_with(tmp_path, monkeypatch, DATABASE_URL=url)
    monkeypatch.delenv("HALLQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade = CliRunner().invoke(cli, ["db", "upgrade"])

    for code, output in ((status, stderr), (upgrade.exit_code, upgrade.output)):
        assert code == CONFIGURATION_EXIT_STATUS
        assert f"DATABASE_URL) cannot be used: {said}" in output
        assert "Traceback" not in output and "NoSuchModuleError" not in output
        assert len(output.strip().splitlines()) == 1, output


def test_a_postgres_url_as_hosting_providers_give_it_serves_on_postgresql(
    postgres_url: str,
) -> None:
    given = postgres_url.replace("postgresql+psycopg2://", "postgres://", 1)
    app = conftest.make_app(given, conftest.TestClock())

    assert app.config["DATABASE_URL"].startswith("postgresql+psycopg2://")
    assert app.extensions["hallq_db"].engine.dialect.name == "postgresql"
    answer = app.test_client().get("/healthz")
    assert (answer.status_code, answer.get_json()["database"]) == (200, "ok")
    app.extensions["hallq_db"].dispose()


def test_db_upgrade_on_a_database_that_does_not_exist_says_to_create_it(
    postgres_available: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hallq_never_created")
    monkeypatch.delenv("HALLQ_DATABASE_URL", raising=False)

    upgrade = CliRunner().invoke(cli, ["db", "upgrade"])

    assert upgrade.exit_code == 1
    assert "the database hallq_never_created does not exist on 127.0.0.1" in upgrade.output
    assert "create it first" in upgrade.output and "createdb" in upgrade.output
    assert "Traceback" not in upgrade.output
    assert len(upgrade.output.strip().splitlines()) == 1, upgrade.output


def test_db_upgrade_on_a_server_out_of_reach_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HALLQ_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/test")

    upgrade = CliRunner().invoke(cli, ["db", "upgrade"])

    assert upgrade.exit_code == 1
    assert "cannot reach the database (" in upgrade.output
    assert len(upgrade.output.strip().splitlines()) == 1, upgrade.output


def test_db_current_names_the_revision_and_its_first_line_only(migrated_url: str) -> None:
    head, _known = migrations.known_revisions()

    shown = CliRunner().invoke(cli, ["db", "current"])

    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{head} (head): ")
    assert len(shown.output.strip().splitlines()) == 1, shown.output
    assert "Revision ID" not in shown.output and "Create Date" not in shown.output


def test_db_current_says_when_the_database_was_never_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALLQ_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")

    shown = CliRunner().invoke(cli, ["db", "current"])

    assert shown.exit_code == 0, shown.output
    assert "never been migrated (run `hallq db upgrade`)" in shown.output


def test_healthz_tells_a_refused_connection_from_a_database_out_of_reach(
    postgres_available: bool, migrated_url: str
) -> None:
    def health(url: str) -> tuple[int, str]:
        app = conftest.make_app(url, conftest.TestClock(), CREATE_TABLES=False)
        answer = app.test_client().get("/healthz")
        app.extensions["hallq_db"].dispose()
        return answer.status_code, answer.get_json()["database"]

    assert health("postgresql://postgres@127.0.0.1:5432/hallq_never_created") == (
        503,
        'refused: database "hallq_never_created" does not exist',
    )
    assert health("postgresql://no_such_role@127.0.0.1:5432/test") == (
        503,
        'refused: role "no_such_role" does not exist',
    )
    assert health("postgresql://postgres@127.0.0.1:9/test") == (503, "unreachable")
