"""The managers' pages: the live dashboard of one hall (/manager/), all halls of the network
(/city/), reports (with a printable page), administration and the break rota.

The pages are shells: their scripts log in through the API (a bearer token kept in the tab's
sessionStorage, as the counter does), read and act through the API and follow the hall's live
events. Only the printable report is drawn here, for the person the login's session cookie
names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError

from hall_server.api.edge import current_actor, database, now
from hall_server.api.manager_schemas import ReportQuery
from hall_server.core.numbering import local_business_date, local_time
from hall_server.core.refusals import Refused
from hall_server.manager.page_text import manager_page_text
from hall_server.manager.report_files import display_value, report_columns, title_lines
from hall_server.operations import reports
from hall_server.operations.access import Role
from hall_server.operations.hall_reads import require_hall

blueprint = Blueprint(
    "manager_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/manager/static",
)


def _locale() -> str:
    return str(get_locale() or "zh")


def _render(template: str, status: int = 200, **context: Any) -> Any:
    locale = _locale()
    response = make_response(
        render_template(template, page_text=manager_page_text(), locale=locale, **context), status
    )
    if request.args.get("lang") == locale:
        # The language chosen with ?lang= sticks for this browser's next visits.
        response.set_cookie("hallq_lang", locale, max_age=365 * 24 * 3600, samesite="Lax")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/manager/")
def dashboard_page() -> Any:
    """One hall live: waiting, windows, devices, today so far, charts, alerts and actions."""
    return _render("manager/dashboard.html", page="dashboard")


@blueprint.get("/city/")
def city_page() -> Any:
    """Every hall the manager looks after, the worst off first; each opens its dashboard."""
    return _render("manager/city.html", page="city")


@blueprint.get("/manager/reports")
def reports_page() -> Any:
    """Reports by day, week or month; exports to CSV and XLSX; a printable page."""
    return _render("manager/reports.html", page="reports")


@blueprint.get("/manager/admin")
def administration_page() -> Any:
    """Halls, departments, services, windows, devices and staff accounts."""
    return _render("manager/admin.html", page="admin")


@blueprint.get("/manager/rota")
def rota_page() -> Any:
    """The hall's break rota: each window's planned breaks, to see and change."""
    return _render("manager/rota.html", page="rota")


@blueprint.get("/manager/reports/print")
def printable_report() -> Any:
    """The report as a page to print, for the manager logged in in this browser."""
    try:
        query = ReportQuery().load(
            {k: v for k, v in request.args.items() if k in ("period", "date", "by")}
        )
        hall_id = int(request.args.get("hall_id", ""))
    except (ValidationError, ValueError):
        return _render("manager/report_print.html", 400, problem="bad_request")
    actor = current_actor(optional=True)
    if actor is None or actor.role not in (Role.MANAGER, Role.ADMIN):
        return _render("manager/report_print.html", 401, problem="log_in")
    try:
        with database().reading() as session:
            time_zone = require_hall(session, hall_id).time_zone
            day: date = query.get("date") or local_business_date(now(), time_zone)
            built = reports.build_report(session, actor, hall_id, query["period"], day, query["by"])
    except Refused as refusal:
        return _render("manager/report_print.html", 403, problem=refusal.code)
    english = _locale() == "en"
    columns = report_columns(built["by"], english)
    total = {**built["total"], "label": _("Total"), "label_en": None, "depth": 0}
    return _render(
        "manager/report_print.html",
        problem=None,
        report=built,
        titles=title_lines(built, english),
        columns=columns,
        rows=[[display_value(c, row) for c in columns] for row in built["rows"]],
        total=[display_value(c, total) for c in columns],
        printed_at=local_time(now(), time_zone),
    )
