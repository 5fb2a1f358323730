"""The browser pages every device and person uses, registered on the app."""

from __future__ import annotations

from flask import Flask


def register_pages(app: Flask) -> None:
    from hall_server.pages.home import blueprint as home

    app.register_blueprint(home)
