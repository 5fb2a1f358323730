"""The browser pages every device and person uses, registered on the app.

Each device package (kiosk, display, counter_client) owns its blueprint, templates, static files
and translations; this package holds what they share: the base template, the live client and
the vendored Socket.IO client (halls are often offline, so nothing comes from a CDN).
"""

from __future__ import annotations

from flask import Blueprint, Flask

shared = Blueprint(
    "hallq_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/shared/static",
)


def register_pages(app: Flask) -> None:
    from counter_client.pages import blueprint as counter_pages
    from display.pages import blueprint as display_pages
    from hall_server.manager.pages import blueprint as manager_pages
    from hall_server.pages.home import blueprint as home
    from hall_server.pages.home import not_found
    from kiosk.pages import blueprint as kiosk_pages
    from kiosk.remote_take_page import blueprint as remote_take_pages

    app.register_blueprint(shared)
    app.register_blueprint(home)
    app.register_error_handler(404, not_found)
    app.register_blueprint(kiosk_pages)
    app.register_blueprint(remote_take_pages)
    app.register_blueprint(display_pages)
    app.register_blueprint(counter_pages)
    app.register_blueprint(manager_pages)
