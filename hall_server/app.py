"""The application factory: configuration, database, API, live events and pages in one place."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from hall_server.api import (
    administration_routes,
    auth_routes,
    counter_routes,
    device_routes,
    device_settings_routes,
    hall_routes,
    manager_routes,
    platform_routes,
    print_job_routes,
    remote_ticket_routes,
    report_routes,
    ticket_routes,
)
from hall_server.api.errors import register_error_handlers
from hall_server.config import (
    DEFAULTS,
    LOCAL_BASE_URL,
    check_fit_to_serve,
    check_required,
    from_environment,
)
from hall_server.extensions import api, babel, limiter, retry_after_only_when_refused, socketio
from hall_server.i18n import compile_catalogues, translation_directories
from hall_server.live.publisher import SocketIOPublisher
from hall_server.live.socket_handlers import register_socket_handlers
from hall_server.logging_setup import configure_logging, throttle_redis_faults
from hall_server.pages.pages_version import pages_version
from hall_server.storage.database import Database
from hall_server.storage.models import Base


def utc_now() -> datetime:
    return datetime.now(UTC)


def select_locale() -> str:
    """?lang= wins, then the page's cookie, then the browser; Chinese by default."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get("hallq_lang")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    # ./instance of the working directory (as `make demo` and docs/deploy.md use it), not
    # Flask's default, which for an installed package lies inside the virtual environment.
    instance_path = os.environ.get("HALLQ_INSTANCE_PATH") or os.path.abspath("instance")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("hallq.cfg", silent=True)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    check_required(app.config)
    if app.config.get("CHECK_FIT_TO_SERVE"):
        check_fit_to_serve(app.config)
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"] or LOCAL_BASE_URL
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind nginx: per-address rate limits and logs need the client's address, not nginx's.
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    configure_logging(app.config["LOG_JSON"])
    throttle_redis_faults(app.config["SOCKETIO_MESSAGE_QUEUE"], app.config["RATELIMIT_STORAGE_URI"])

    database = Database(
        app.config["DATABASE_URL"],
        forecast_refresh_seconds=float(app.config["FORECAST_REFRESH_SECONDS"]),
    )
    if app.config["CREATE_TABLES"]:
        Base.metadata.create_all(database.engine)
    clock: Callable[[], datetime] = app.config.get("CLOCK") or utc_now
    app.extensions["hallq_db"] = database
    app.extensions["hallq_clock"] = clock

    app.config.update(
        API_TITLE="HallQ",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        RATELIMIT_STORAGE_URI=app.config["RATELIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_TRANSLATION_DIRECTORIES=translation_directories(),
    )
    compile_catalogues()
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(retry_after_only_when_refused)  # runs after the limiter's own
    limiter.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "login or device token"}
    )
    for blueprint in (ticket_routes.blueprint, hall_routes.blueprint, auth_routes.blueprint):
        api.register_blueprint(blueprint)
    api.register_blueprint(print_job_routes.blueprint)
    api.register_blueprint(device_routes.blueprint)
    api.register_blueprint(counter_routes.blueprint)
    api.register_blueprint(platform_routes.blueprint)
    api.register_blueprint(device_settings_routes.blueprint)
    api.register_blueprint(manager_routes.blueprint)
    api.register_blueprint(report_routes.blueprint)
    api.register_blueprint(administration_routes.blueprint)
    api.register_blueprint(remote_ticket_routes.blueprint)
    register_error_handlers(app)

    socketio.init_app(
        app,
        async_mode=app.config.get("ASYNC_MODE"),
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=[],
    )
    register_socket_handlers(socketio)
    pages_version(app.config["PAGES_VERSION"])  # hashed now, not in a live connection's turn
    database.publish = SocketIOPublisher(socketio).publish
    _register_pages(app)

    @app.teardown_appcontext
    def _noop(_error: BaseException | None) -> None:
        return None

    return app


def _register_pages(app: Flask) -> None:
    """The kiosk, boards, counter and manager pages live in their own packages."""
    from hall_server.pages import register_pages

    register_pages(app)
