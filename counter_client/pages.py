"""The clerk's counter page at /counter/ and the window's rating pad at /rating/.

One blueprint without a prefix serves both: the rating pad belongs to the counter (it rates the
case the counter just finished) but stands at its own short address on a tablet. Both pages
talk to the public API and listen to the hall's live events; nothing here writes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, render_template, request
from flask_babel import get_locale

from counter_client.page_text import counter_page_text, rating_pad_page_text
from hall_server.operations.ratings import rating_options

blueprint = Blueprint(
    "counter_client_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/counter/static",
)


def _render(template: str, page_text: dict[str, Any], **context: Any) -> Any:
    locale = str(get_locale() or "zh")
    response = make_response(
        render_template(template, page_text=page_text, locale=locale, **context)
    )
    if request.args.get("lang") == locale:
        # The language chosen with ?lang= sticks for this browser's next visits.
        response.set_cookie("hallq_lang", locale, max_age=365 * 24 * 3600, samesite="Lax")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/counter/")
def counter_page() -> Any:
    """The clerk's caller: log in, take a window, call and serve; everything on keys too."""
    return _render("counter_client/counter.html", counter_page_text())


@blueprint.get("/rating/")
def rating_pad_page() -> Any:
    """The tablet facing the visitor: five levels after each finished case (its device token)."""
    locale = str(get_locale() or "zh")
    return _render(
        "counter_client/rating_pad.html",
        rating_pad_page_text(rating_options(), locale),
        token=request.args.get("token", ""),
    )
