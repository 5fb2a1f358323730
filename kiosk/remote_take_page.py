"""The hall's page for taking a ticket on a phone (线上取号, /h/<hall_code>/take), opened from a
QR poster at the entrance or the hall's web page, and that poster's QR code.

The page is a shell around the public API (/api/v1/remote/halls/<code>): it shows the offer the
server read when it opened (so a hall that gives no tickets online says so without a script) and
takes the ticket through the API, then opens the ticket's status page. New hall codes are letters,
digits, `-` and `_` (the API refuses others); a code stored before that rule (a dot, Chinese) is
looked up as it is, and an unknown one is a 404 page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import get_locale
from flask_limiter import RequestLimit
from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.api.edge import database, now
from hall_server.api.error_translation import translate_error
from hall_server.core.refusals import Refused
from hall_server.extensions import limiter
from hall_server.operations.issuing_hours import weekly_spans
from hall_server.operations.remote_issuing import hall_for_code, remote_offer, take_page_url
from hall_server.storage.models import Service
from kiosk.page_text import remote_take_page_text
from kiosk.ticket_qr import qr_svg

blueprint = Blueprint("remote_take_pages", __name__, template_folder="templates")


def _hours(session: Session, hall_code: str) -> dict[str, Any]:
    """The hall's opening hours and its services' issuing hours (each weekday's spans), for the
    page to say when a closed hall or a service outside its hours gives tickets; the offer the
    page reads again every half minute says whether they do now."""
    hall = hall_for_code(session, hall_code)
    services = session.execute(
        select(Service.id, Service.issuing_hours).where(
            Service.hall_id == hall.id, Service.active.is_(True), Service.issuing_hours.is_not(None)
        )
    )
    return {
        "time_zone": hall.time_zone,
        "opening_hours": weekly_spans(hall.opening_hours),
        "services": {str(row.id): weekly_spans(row.issuing_hours) for row in services},
    }


def _offer(hall_code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    try:
        with database().reading() as session:
            return remote_offer(session, hall_code, now(), translate_error), _hours(
                session, hall_code
            )
    except Refused:
        return None


def _busy_page(_limit: RequestLimit) -> Response:
    """Too many openings from one address: a page that says so, not the API's JSON error."""
    locale = str(get_locale() or "zh")
    body = render_template("remote_take_busy.html", locale=locale, page_text={})
    response = Response(body, status=429)
    response.headers["Retry-After"] = "60"
    return response


@blueprint.get("/h/<string:hall_code>/take")
@limiter.limit(lambda: current_app.config["RATELIMIT_REMOTE_READ"], on_breach=_busy_page)
def remote_take_page(hall_code: str) -> Any:
    """The hall's services with the people ahead and the wait, a mobile number, a ticket."""
    locale = str(get_locale() or "zh")
    text = remote_take_page_text()
    found = _offer(hall_code)
    if found is None:
        body = render_template("remote_take_unknown.html", locale=locale, page_text={})
        return Response(body, status=404)
    offer, hours = found
    refusal = offer["refusal"]
    shown = None
    if refusal is not None:
        refusals: dict[str, dict[str, str]] = text["refusals"]  # type: ignore[assignment]
        shown = refusals.get(refusal["code"], {"title": refusal["message"], "advice": ""})
    response = Response(
        render_template(
            "remote_take.html",
            locale=locale,
            offer=offer,
            hours=hours,
            refusal=shown,
            hall_code=hall_code,
            page_text=text,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/h/<string:hall_code>/take/qr.svg")
def remote_take_qr(hall_code: str) -> Any:
    """The QR code of the page, for the poster at the hall's entrance."""
    with database().reading() as session:
        try:
            hall_for_code(session, hall_code)
        except Refused:
            abort(404)
    svg = qr_svg(take_page_url(current_app.config["PUBLIC_BASE_URL"], hall_code))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
