"""The `hallq` commands: serve, database migrations, the demo hall and catalogue import."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click


def _app(**overrides: object):  # type: ignore[no-untyped-def]
    """The app as configured; wrong or missing settings end the command with one plain line
    (and status 78, so systemd does not restart a server whose settings need a person)."""
    from hall_server.app import create_app
    from hall_server.config import CONFIGURATION_EXIT_STATUS, ConfigurationError

    try:
        return create_app({k: v for k, v in overrides.items() if v is not None})
    except ConfigurationError as error:
        click.echo(f"hallq: {error}", err=True)
        sys.exit(CONFIGURATION_EXIT_STATUS)


@click.group(help="HallQ: queues and windows for public-service halls.")
def cli() -> None:
    pass


@cli.command(help="Serve the API, live events and pages (under gevent or eventlet).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--async-mode",
    type=click.Choice(["gevent", "eventlet", "threading"]),
    default=lambda: os.environ.get("HALLQ_ASYNC_MODE", "gevent"),
    show_default="gevent (HALLQ_ASYNC_MODE)",
)
def serve(host: str, port: int, async_mode: str) -> None:
    from hall_server.background.runner import hand_back_leases_on_exit, start_background_work
    from hall_server.extensions import socketio
    from hall_server.live.serving import run_server

    app = _app(ASYNC_MODE=async_mode, CHECK_FIT_TO_SERVE=True)
    runner = start_background_work(app, socketio)
    if runner is not None:
        hand_back_leases_on_exit(runner)
    serving = f"HallQ serving on http://{host}:{port} ({async_mode})"
    if app.config["LOG_JSON"]:
        # Journald and log shippers then read every line of the process as JSON.
        logging.getLogger("hall_server.serve").info(serving)
    else:
        click.echo(serving, err=True)
    run_server(socketio, app, host, port)


@cli.group(help="Database schema migrations (Alembic).")
def db() -> None:
    pass


def _database_url() -> str:
    """The configured database URL in the form SQLAlchemy takes; an unusable one ends the
    command with one line and status 78, as `hallq serve` does."""
    from hall_server.config import (
        CONFIGURATION_EXIT_STATUS,
        DATABASE_URL_HINT,
        DEFAULTS,
        from_environment,
    )
    from hall_server.storage.database import UnusableDatabaseUrl, normalise_database_url

    url = from_environment(os.environ).get("DATABASE_URL") or DEFAULTS["DATABASE_URL"]
    if not url:
        raise click.UsageError("set HALLQ_DATABASE_URL (or DATABASE_URL) first")
    try:
        return normalise_database_url(str(url))
    except UnusableDatabaseUrl as error:
        click.echo(
            f"hallq: HALLQ_DATABASE_URL (or DATABASE_URL) cannot be used: {error}"
            f" ({DATABASE_URL_HINT})",
            err=True,
        )
        sys.exit(CONFIGURATION_EXIT_STATUS)


@contextmanager
def _reaching_the_database(url: str) -> Iterator[None]:
    """A database that cannot be reached or refuses the connection ends the command with one
    line saying what to do, not a traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from hall_server.storage.connection_problems import (
        first_line,
        is_missing_database,
        refusal_reason,
    )

    try:
        yield
    except OperationalError as error:
        driver_message = str(error.orig)
        parsed = make_url(url)
        if is_missing_database(driver_message):
            raise click.ClickException(
                f"the database {parsed.database} does not exist on {parsed.host or 'localhost'};"
                f" create it first (as the postgres user: createdb -O {parsed.username or 'hallq'}"
                f" {parsed.database}), then run this again"
            ) from None
        reason = refusal_reason(driver_message)
        if reason:
            raise click.ClickException(
                f"the database server refused the connection: {reason};"
                " check the user, password and database in HALLQ_DATABASE_URL"
            ) from None
        raise click.ClickException(
            f"cannot reach the database ({first_line(driver_message)});"
            " check that it runs and that HALLQ_DATABASE_URL names its host and port"
        ) from None


def _run_on_the_database(action: Callable[[str], object]) -> None:
    url = _database_url()
    with _reaching_the_database(url):
        action(url)


@db.command(help="Bring the schema up to date.")
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    from hall_server.storage import migrations

    _run_on_the_database(lambda url: migrations.upgrade(url, revision))
    click.echo(f"database at {revision}")


@db.command(help="Step the schema back to a revision.")
@click.argument("revision")
def downgrade(revision: str) -> None:
    from hall_server.storage import migrations

    _run_on_the_database(lambda url: migrations.downgrade(url, revision))


@db.command(help="Show the schema revision.")
def current() -> None:
    from hall_server.storage import migrations

    _run_on_the_database(lambda url: click.echo(migrations.current(url)))


@cli.command(name="import-services", help="Load a service catalogue (CSV or XLSX) into a hall.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hall", "hall_code", required=True, help="the hall's code, e.g. city-centre")
@click.option("--dry-run", is_flag=True, help="check every row, change nothing")
def import_services(path: Path, hall_code: str, dry_run: bool) -> None:
    from hall_server.operations.catalogue_import import import_catalogue

    app = _app()
    with app.app_context():
        report = import_catalogue(
            app.extensions["hallq_db"], path, hall_code, dry_run=dry_run, progress=True
        )
    for problem in report.problems:
        click.echo(f"line {problem.line}: {problem.message}", err=True)
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"{verb} {report.created} new and {report.updated} updated services; "
        f"{len(report.problems)} bad rows"
    )
    if report.problems:
        sys.exit(1)


@cli.command(name="add-platform", help="Register an online platform; prints its secret once.")
@click.option("--code", required=True, help="how the platform signs, e.g. gov-online")
@click.option("--name", required=True)
@click.option("--hall", "hall_code", required=True, help="the top hall it serves (and all below)")
@click.option("--webhook", "webhook_url", default=None, help="where case outcomes are posted")
def add_platform(code: str, name: str, hall_code: str, webhook_url: str | None) -> None:
    from hall_server.core.refusals import Refused
    from hall_server.operations.online_platform import register_platform

    app = _app()
    try:
        with app.extensions["hallq_db"].transaction() as uow:
            secret = register_platform(
                uow, code, name, hall_code, webhook_url, app.extensions["hallq_clock"]()
            )
    except Refused as refusal:
        raise click.ClickException(refusal.message) from None
    click.echo(f"platform {code} added; its shared secret (shown only now): {secret}")


@cli.command(
    name="update-platform",
    help="Change a platform's webhook, give it a new secret, or stop or allow its pushes.",
)
@click.option("--code", required=True, help="the platform's code, as given to add-platform")
@click.option("--webhook", "webhook_url", default=None, help="a new address for case outcomes")
@click.option("--no-webhook", is_flag=True, help="post no outcomes (they wait in the outbox)")
@click.option(
    "--new-secret",
    is_flag=True,
    help="make a new shared secret (shown once); the old one is refused from then on",
)
@click.option("--disable/--enable", "disabled", default=None, help="refuse or allow its pushes")
def update_platform(
    code: str, webhook_url: str | None, no_webhook: bool, new_secret: bool, disabled: bool | None
) -> None:
    from hall_server.core.refusals import Refused
    from hall_server.operations import online_platform

    if webhook_url is not None and no_webhook:
        raise click.UsageError("give either --webhook or --no-webhook")
    change = online_platform.PlatformChange(
        webhook_url=webhook_url,
        remove_webhook=no_webhook,
        new_secret=new_secret,
        active=None if disabled is None else not disabled,
    )
    if change == online_platform.PlatformChange():
        raise click.UsageError("nothing to change: give --webhook, --no-webhook, --new-secret, "
                               "--disable or --enable")  # fmt: skip
    app = _app()
    try:
        with app.extensions["hallq_db"].transaction() as uow:
            secret = online_platform.update_platform(uow, code, change)
    except Refused as refusal:
        raise click.ClickException(refusal.message) from None
    click.echo(f"platform {code} updated")
    if secret is not None:
        click.echo(f"its new shared secret (shown only now): {secret}")


@cli.command(
    name="create-admin",
    help="Start a deployment: an admin account in a hall, opening that hall at the top of the "
    "tree if it is new. Asks for the password on a terminal; otherwise makes one up and prints "
    "it once.",
)
@click.option("--hall-code", required=True, help="e.g. city-centre (letters, digits, - and _)")
@click.option("--hall-name", default=None, help="needed when the hall is new, e.g. 市政务服务中心")
@click.option(
    "--level",
    type=click.Choice(["city", "district", "township", "community"]),
    default="city",
    show_default=True,
)
@click.option("--time-zone", default="Asia/Shanghai", show_default=True)
@click.option("--staff-number", required=True, help="what the admin logs in with")
@click.option("--name", required=True, help="the admin's name")
@click.option("--generate-password", is_flag=True, help="make one up even on a terminal")
def create_admin(
    hall_code: str,
    hall_name: str | None,
    level: str,
    time_zone: str,
    staff_number: str,
    name: str,
    generate_password: bool,
) -> None:
    from hall_server.core.refusals import Refused
    from hall_server.operations.first_admin import create_first_admin

    password = None
    if not generate_password and sys.stdin.isatty():
        password = click.prompt(
            "Password for the admin (8 characters or more)",
            hide_input=True,
            confirmation_prompt=True,
        )
    app = _app()
    hall_values = {"code": hall_code, "name": hall_name, "level": level, "time_zone": time_zone}
    try:
        with app.extensions["hallq_db"].transaction() as uow:
            made = create_first_admin(uow, hall_values, staff_number, name, password)
    except Refused as refusal:
        raise click.ClickException(refusal.message) from None
    hall = made["hall"]
    opened = "opened" if hall["created"] else "existing"
    click.echo(f"hall {hall['code']} ({hall['name']}, {opened}); admin {staff_number} created")
    if made["password"]:
        click.echo(f"password (shown only now): {made['password']}")
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    click.echo(f"log in at {base}/manager/admin to add halls below, windows, services, staff")


@cli.command(help="Run the demo hall on a local SQLite file, with demo accounts and devices.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--database", default="instance/hallq-demo.sqlite", show_default=True)
@click.option("--fresh", is_flag=True, help="start from an empty demo database")
@click.option(
    "--async-mode",
    type=click.Choice(["gevent", "eventlet", "threading"]),
    default=lambda: os.environ.get("HALLQ_ASYNC_MODE", "gevent"),
)
@click.option(
    "--printer",
    default="simulated",
    show_default=True,
    help="the printer of the city's first kiosk, as `hallq kiosk --printer` takes it (the "
    "other demo kiosks print on simulated printers); none: start no print agents",
)
def demo(port: int, database: str, fresh: bool, async_mode: str, printer: str) -> None:
    from hall_server.demo.demo_hall import run_demo

    run_demo(
        port=port,
        database_path=Path(database),
        fresh=fresh,
        async_mode=async_mode,
        printer=printer,
    )


def _register_device_commands() -> None:
    """The kiosk print agent and the terminal counter live in their own packages."""
    for module_name, command_name in (
        ("kiosk.print_agent_cli", "kiosk"),
        ("counter_client.terminal_cli", "counter"),
        ("display.voice_clips_cli", "voice-clips"),
    ):
        try:
            module = __import__(module_name, fromlist=["command"])
        except ModuleNotFoundError:
            continue
        cli.add_command(module.command, name=command_name)


_register_device_commands()
