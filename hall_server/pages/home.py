"""The start page at `/`: where each person in the hall finds their page, and what a browser
gets for an address that is no page (an HTML page, where the API answers JSON)."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import get_locale
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import NotFound

from hall_server.api.edge import database
from hall_server.api.errors import http_error_response
from hall_server.core.remote_issuing import RemoteIssuingSettings
from hall_server.operations.remote_issuing import take_page_url
from hall_server.storage.connection_problems import refusal_reason
from hall_server.storage.database import DatabaseUnavailable
from hall_server.storage.migrations import schema_state
from hall_server.storage.models import Hall

log = logging.getLogger(__name__)
blueprint = Blueprint("home", __name__, template_folder="templates")

# A "Q" on the halls' blue: browsers ask every page's site for /favicon.ico.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="12" fill="#0b1f3a"/>'
    '<circle cx="30" cy="30" r="17" fill="none" stroke="#ffd200" stroke-width="7"/>'
    '<path d="M38 38l12 12" stroke="#ffd200" stroke-width="8" stroke-linecap="round"/></svg>'
)


def _locale() -> str:
    return str(get_locale() or "zh")


def _page(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    if request.args.get("lang") == _locale():
        # The language chosen here sticks for the pages it links to, as on every page.
        response.set_cookie("hallq_lang", _locale(), max_age=365 * 24 * 3600, samesite="Lax")
    return response


@blueprint.get("/")
def start_page() -> Any:
    """Links for clerks, managers and visitors; how devices are set up; the API."""
    database = current_app.extensions["hallq_db"]
    base_url = current_app.config["PUBLIC_BASE_URL"]
    with database.reading() as session:
        halls = session.scalars(select(Hall).order_by(Hall.parent_id.is_not(None), Hall.id)).all()
        remote = [
            {"name": hall.name, "name_en": hall.name_en, "url": take_page_url(base_url, hall.code)}
            for hall in halls
            if RemoteIssuingSettings.of(hall.remote_issuing_settings).enabled
        ]
    return _page(
        render_template(
            "home.html",
            locale=_locale(),
            remote_halls=remote,
            # `hallq demo` only: its devices' pages with their tokens, and its accounts.
            demo_pages=current_app.config.get("DEMO_PAGES"),
            demo_accounts=current_app.config.get("DEMO_ACCOUNTS"),
        )
    )


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    response = Response(FAVICON_SVG, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def wants_a_page() -> bool:
    """A browser asking for a page (it prefers HTML), not a program asking the API."""
    if request.path.startswith("/api/"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def not_found(error: NotFound) -> Any:
    """For a browser, a page that says so and links the start page; for the rest, the API's
    JSON error."""
    if error.response is not None:
        return error.response  # a page's own answer, such as the kiosk's "unknown token"
    if not wants_a_page():
        return http_error_response(error)
    return _page(render_template("not_found.html", locale=_locale()), 404)


@blueprint.get("/healthz")
def health() -> object:
    """For load balancers, monitoring and the upgrade steps in docs/deploy.md: 200 when this
    process answers and can use its database, 503 with the reason when it cannot (unreachable,
    or a schema that `hallq db upgrade` has not brought up to this code's version yet).
    Also says which server loop answers and whether its monkey patching took, so operators
    and the live tests can see that `--async-mode` was honoured."""
    from hall_server.entry import is_patched
    from hall_server.extensions import socketio

    mode = socketio.server.eio.async_mode if socketio.server else "none"
    database_state = _database_state()
    # Reported, never a reason for 503: every process shares the one Redis, so a load balancer
    # that dropped the processes for it would drop them all, and serving without it works
    # (live events reach this process's own clients; the others resync once it is back).
    queue_state = _message_queue_state(current_app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    ok = database_state in ("ok", "newer")
    response = jsonify(
        {
            "ok": ok,
            "database": database_state,
            "message_queue": queue_state,
            "async_mode": mode,
            "patched": is_patched(mode),
        }
    )
    response.status_code = 200 if ok else 503
    return response


def _database_state() -> str:
    """One of: ok; newer (migrated by a later version, still served); behind (run `hallq db
    upgrade`); unreachable; refused: <what the database server said, such as database "x" does
    not exist>; error (e.g. a role without rights to the tables)."""
    try:
        with database().reading() as session:
            if current_app.config["CREATE_TABLES"]:  # tests and the demo: no migrations
                session.execute(text("SELECT 1"))
                return "ok"
            revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    except (DatabaseUnavailable, SQLAlchemyError):
        return _why_the_version_is_unknown()
    return schema_state(revision)


MESSAGE_QUEUE_PING_TIMEOUT_SECONDS = 0.5
MESSAGE_QUEUE_STATE_KEPT_SECONDS = 5.0
_message_queue_checked: dict[str, tuple[float, str]] = {}  # url -> (when, state)
_message_queue_clients: dict[str, Any] = {}


def _message_queue_state(url: str | None) -> str:
    """ "not used" (one process, no message queue), "ok" or "unreachable": a PING with a short
    timeout, its answer kept a few seconds, so a health check polled often stays cheap."""
    if not url:
        return "not used"
    checked = _message_queue_checked.get(url)
    if checked is not None and time.monotonic() - checked[0] < MESSAGE_QUEUE_STATE_KEPT_SECONDS:
        return checked[1]
    client = _message_queue_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url,
            socket_timeout=MESSAGE_QUEUE_PING_TIMEOUT_SECONDS,
            socket_connect_timeout=MESSAGE_QUEUE_PING_TIMEOUT_SECONDS,
        )
        _message_queue_clients[url] = client
    try:
        state = "ok" if client.ping() else "unreachable"
    except Exception as error:  # redis.RedisError, OSError: out of reach either way
        log.debug("health check: message queue unreachable: %s", error)
        state = "unreachable"
    _message_queue_checked[url] = (time.monotonic(), state)
    return state


def _why_the_version_is_unknown() -> str:
    """The version could not be read: never migrated, out of reach, or another error."""
    try:
        with database().reading() as session:
            if not inspect(session.connection()).has_table("alembic_version"):
                return "behind"  # `hallq db upgrade` has never run on it
    except DatabaseUnavailable as error:
        # A server that answered but refused (no such database, a wrong password) needs a
        # person to mend the settings; one out of reach may come back by itself.
        reason = refusal_reason(str(error))
        return f"refused: {reason}" if reason else "unreachable"
    except SQLAlchemyError:
        log.exception("health check: the database answered with an error")
        return "error"
    log.warning("health check: the database has a version table this process cannot read")
    return "error"
