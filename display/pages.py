"""The lobby board and window display pages, and the voice clips they chain into calls.

Both pages are opened by a screen's browser with the device token in the address
(`/board/?token=d_…`); they then live on Socket.IO through HallLive and never need a reload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_from_directory, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import select

from display.page_text import display_page_text, refused_text
from display.voice_clips import CHIME, PACKAGED_CLIPS
from hall_server.api.edge import database, now
from hall_server.operations.access import Role
from hall_server.operations.credentials import actor_for_token
from hall_server.operations.display_settings import read_device_settings
from hall_server.operations.hall_reads import hall_view, require_hall
from hall_server.storage.models import Department

blueprint = Blueprint(
    "display_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/display/static",
)
VOICE_CACHE_SECONDS = 3600


def hall_voice_directory() -> Path:
    """Where a hall keeps its own recordings; a file here replaces the generated clip.

    instance/voice/ by default (beside instance/hallq.cfg, so upgrades leave it alone), or the
    VOICE_DIRECTORY setting in instance/hallq.cfg."""
    configured = current_app.config.get("VOICE_DIRECTORY")
    return Path(configured) if configured else Path(current_app.instance_path) / "voice"


@blueprint.get("/board/")
def board() -> Any:
    """The lobby board (综合屏): latest calls large, recent calls, waiting, notices, clock."""
    return _display_page(Role.BOARD, "board.html")


@blueprint.get("/window-display/")
def window_display() -> Any:
    """The small screen above one window (窗口屏)."""
    return _display_page(Role.WINDOW_DISPLAY, "window_display.html")


@blueprint.get("/display/voice/<path:name>")
def voice_clip(name: str) -> Any:
    """A clip of the voice library: the hall's own recording if it has one, else the generated."""
    own = hall_voice_directory()
    directory = own if (own / name).is_file() else PACKAGED_CLIPS
    return send_from_directory(directory, name, max_age=VOICE_CACHE_SECONDS)


def screen_locale() -> str:
    """Chinese unless the address says ?lang=en: a screen speaks to the hall, so the language
    of the browser on the board PC (often English) must not decide it."""
    chosen = request.args.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else "zh"


def _display_page(kind: Role, template: str) -> Any:
    with force_locale(screen_locale()):
        return _render_display_page(kind, template)


def _render_display_page(kind: Role, template: str) -> Any:
    locale = str(get_locale() or "zh")
    token = request.args.get("token", "")
    with database().reading() as session:
        actor = actor_for_token(session, token, now()) if token else None
        if actor is None or actor.kind != "device" or actor.role != kind:
            return render_template(
                "display_refused.html", locale=locale, page_text=refused_text()
            ), 403
        settings = read_device_settings(session, actor, actor.id)
        hall = hall_view(require_hall(session, actor.hall_id))
        departments = [
            {"id": d.id, "name": d.name, "name_en": d.name_en}
            for d in session.scalars(
                select(Department)
                .where(Department.hall_id == actor.hall_id)
                .order_by(Department.id)
            )
        ]
    effective = settings["effective_settings"]
    config = {
        "kind": str(kind),
        "token": token,
        "device_id": actor.id,
        "hall_id": actor.hall_id,
        "window_id": actor.window_id,
        "hall": hall,
        "departments": departments,
        "settings": effective,
        "settings_url": url_for("display_settings.own_settings"),
        "board_url": url_for("halls.board", hall_id=actor.hall_id),
        "voice_url": url_for("display_pages.voice_clip", name=CHIME).removesuffix(CHIME),
        "language": locale,
    }
    return render_template(
        template,
        locale=locale,
        # English labels go along even when hidden: a manager may switch them on live.
        page_text=display_page_text(locale),
        display_config=config,
    )
