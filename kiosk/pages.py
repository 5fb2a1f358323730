"""The kiosk's pages: the visitor's touch screen (/kiosk/) and a ticket's live status (/t/...).

One blueprint without a prefix serves both, so the QR code's short /t/ link needs no second
registration. The JSON routes here feed the kiosk screen only (its catalogue, what each
service's button says, and the preview before a ticket exists, with what a scanned booking or
pre-review code or an ID card would give); issuing, cancelling, print jobs and the status page's
rating go through the public API, which answers the same figures to other vendors' kiosks
(hall_server/operations/issue_preview.py; docs/kiosk_vendors.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import force_locale, get_locale

from hall_server.api.edge import database, now, require_actor
from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role
from hall_server.operations.credentials import actor_for_token
from hall_server.operations.hall_reads import hall_view
from hall_server.operations.issue_preview import (
    booked_issue_preview,
    hall_issue_preview,
    issue_preview,
)
from hall_server.storage.models import Device, Hall, Service
from kiosk.page_text import (
    kiosk_page_text,
    out_of_service_text,
    rating_choices,
    status_page_text,
)
from kiosk.service_catalogue import kiosk_catalogue
from kiosk.ticket_qr import qr_svg, status_url
from kiosk.ticket_status import ticket_for_status_page

blueprint = Blueprint(
    "kiosk_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kiosk/static",
)

IDENTIFICATION_MODES = ("off", "optional", "required")
IDENTIFY_BY = ("id_card", "phone", "code")
DEFAULT_IDLE_SECONDS = 60
MAX_STATUS_TOKEN = 40
KIOSK_LOCALE = "zh"
MAX_CODE = 64
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")


@dataclass(frozen=True)
class KioskPolicy:
    """How this kiosk treats visitors, from the device's settings (set when it is enrolled)."""

    identification: str = "optional"
    identify_by: tuple[str, ...] = IDENTIFY_BY
    idle_seconds: int = DEFAULT_IDLE_SECONDS

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> KioskPolicy:
        settings = settings or {}
        mode = settings.get("identification", cls.identification)
        methods = settings.get("identify_by", IDENTIFY_BY)
        idle = settings.get("idle_seconds", DEFAULT_IDLE_SECONDS)
        return cls(
            identification=mode if mode in IDENTIFICATION_MODES else cls.identification,
            identify_by=tuple(m for m in IDENTIFY_BY if isinstance(methods, list) and m in methods)
            or IDENTIFY_BY,
            idle_seconds=idle if isinstance(idle, int) and 1 <= idle <= 3600 else 60,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "identification": self.identification,
            "identify_by": list(self.identify_by),
            "idle_seconds": self.idle_seconds,
        }


def _kiosk_for_page_token(token: str | None) -> dict[str, Any] | None:
    """The kiosk and its hall as the page shows them; None for any other or unknown token."""
    if not token:
        return None
    with database().reading() as session:
        actor = actor_for_token(session, token, now())
        if actor is None or actor.kind != "device" or actor.role != Role.KIOSK:
            return None
        device = session.get(Device, actor.id)
        hall = session.get(Hall, actor.hall_id)
        assert device is not None and hall is not None
        return {
            "hall": hall_view(hall),
            "kiosk": {
                "device_id": device.id,
                "name": device.name,
                "hall_id": hall.id,
                "printer_status": device.printer_status,
                "policy": KioskPolicy.from_settings(device.settings).to_dict(),
            },
        }


def _require_kiosk() -> Actor:
    actor = require_actor()
    if actor.kind != "device" or actor.role != Role.KIOSK:
        raise Refused("forbidden_role", "only a kiosk uses this")
    return actor


@blueprint.get("/kiosk/")
def kiosk_page() -> Any:
    """The visitor's screen; the kiosk's browser opens it with the device token in the URL."""
    # A kiosk speaks Chinese to every new visitor, whatever its browser is set to; English
    # only for the visitor who chose it (?lang=en, until the screen returns to the start).
    chosen = request.args.get("lang")
    locale = chosen if chosen in current_app.config["LANGUAGES"] else KIOSK_LOCALE
    token = request.args.get("token")
    found = _kiosk_for_page_token(token)
    with force_locale(locale):
        if found is None:
            # No token: nobody has set this kiosk up. A token the server refuses (revoked,
            # unknown, another device's): out of service, for visitors to go elsewhere, and
            # for staff to enrol it again, as the open page says once it learns the same.
            if token:
                body = render_template(
                    "kiosk_out_of_service.html",
                    locale=locale,
                    page_text={},
                    out_of_service=out_of_service_text(),
                )
            else:
                body = render_template("kiosk_unknown.html", locale=locale, page_text={})
            return Response(body, status=403)
        return render_template(
            "kiosk.html",
            locale=locale,
            hall=found["hall"],
            kiosk=found["kiosk"],
            page_text=kiosk_page_text(),
            out_of_service=out_of_service_text(),
        )


@blueprint.get("/kiosk/catalogue.json")
def kiosk_catalogue_data() -> Any:
    """The kiosk's hall with its services by department (search initials included)."""
    actor = _require_kiosk()
    with database().reading() as session:
        hall = session.get(Hall, actor.hall_id)
        assert hall is not None
        return jsonify(
            {"hall": hall_view(hall), "departments": kiosk_catalogue(session, actor.hall_id)}
        )


@blueprint.get("/kiosk/service-figures.json")
def kiosk_service_figures() -> Any:
    """What each service's button says now (people ahead of a ticket taken now, the wait, a
    refusal such as a used-up quota or issuing hours, with those hours), whether the hall
    itself gives no tickets now (closed, with its opening hours, for the page to say once), the
    moment read (the hall's day and time of day the hours are read against) and this kiosk's
    printer as the server knows it. The page asks when a visitor opens a list of services and
    every half minute, so a service or a hall that opens comes back without a reload; a 401
    here is how an open page learns that its token was revoked."""
    actor = _require_kiosk()
    moment = now()
    with database().reading() as session:
        hall = session.get(Hall, actor.hall_id)
        device = session.get(Device, actor.id)
        assert hall is not None and device is not None
        return jsonify(
            {**hall_issue_preview(session, hall, moment), "printer_status": device.printer_status}
        )


@blueprint.get("/kiosk/preview.json")
def kiosk_issue_preview() -> Any:
    """People ahead, the estimated wait and any refusal for a ticket the visitor may take."""
    actor = _require_kiosk()
    service_id = request.args.get("service_id", type=int)
    if service_id is None:
        raise Refused("bad_request", "give service_id", field="service_id")
    with database().reading() as session:
        hall = session.get(Hall, actor.hall_id)
        service = session.get(Service, service_id)
        if hall is None or service is None or service.hall_id != hall.id:
            raise Refused("not_found", "this service is not offered in this hall", "service_id")
        return jsonify(issue_preview(session, hall, service, now()))


@blueprint.post("/kiosk/preview.json")
def kiosk_booked_issue_preview() -> Any:
    """The preview for what the visitor brings: `code` (a booking or pre-review code, which
    names its service) or `id_number` (the ID card; with `service_id` once one is chosen).
    POST, so an ID number never lands in a URL or an access log."""
    actor = _require_kiosk()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("bad_request", "send a JSON object")
    code = body.get("code")
    id_number = body.get("id_number")
    service_id = body.get("service_id")
    if code is not None and not (isinstance(code, str) and 0 < len(code.strip()) <= MAX_CODE):
        raise Refused("bad_request", f"a code has 1 to {MAX_CODE} characters", field="code")
    if id_number is not None and not (isinstance(id_number, str) and ID_NUMBER.match(id_number)):
        raise Refused("bad_request", "an ID number has 18 characters", field="id_number")
    if service_id is not None and (isinstance(service_id, bool) or not isinstance(service_id, int)):
        raise Refused("bad_request", "service_id is a number", field="service_id")
    with database().reading() as session:
        hall = session.get(Hall, actor.hall_id)
        assert hall is not None
        service = None
        if service_id is not None:
            service = session.get(Service, service_id)
            if service is None or service.hall_id != hall.id:
                raise Refused("not_found", "this service is not offered in this hall", "service_id")
        return jsonify(
            booked_issue_preview(
                session, hall, now(), code=code, id_number=id_number, service=service
            )
        )


def _valid_status_token(token: str) -> bool:
    return 0 < len(token) <= MAX_STATUS_TOKEN and all(c.isalnum() or c in "-_" for c in token)


@blueprint.get("/kiosk/qr/<string:status_token>.svg")
def ticket_qr(status_token: str) -> Any:
    """The QR code of a ticket's status link, drawn on the server so the kiosk needs no library."""
    if not _valid_status_token(status_token):
        abort(404)
    svg = qr_svg(status_url(current_app.config["PUBLIC_BASE_URL"], status_token))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@blueprint.get("/t/<string:status_token>")
def ticket_status_page(status_token: str) -> Any:
    """The visitor's phone: number, place in the queue, the window when called, cancel, and
    the rating once the case is finished."""
    locale = str(get_locale() or "zh")
    ticket = None
    if _valid_status_token(status_token):
        with database().reading() as session:
            ticket = ticket_for_status_page(session, status_token, now())
    if ticket is None:
        body = render_template("ticket_unknown.html", locale=locale, page_text={})
        return Response(body, status=404)
    return render_template(
        "ticket_status.html",
        locale=locale,
        ticket=ticket,
        status_token=status_token,
        page_text=status_page_text(),
        rating_choices=rating_choices(locale),
    )
