"""URL table for reports: the figures of a day, week or month as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_babel import get_locale

from hall_server.api.documentation import BEARER, READ_ERRORS, documented_errors
from hall_server.api.edge import now, read, require_actor
from hall_server.api.manager_schemas import ExportQuery, ReportQuery, ReportSchema
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.core.numbering import local_business_date
from hall_server.manager.report_files import export_filename, report_csv, report_xlsx
from hall_server.operations import reports
from hall_server.operations.hall_reads import require_hall

blueprint = ApiBlueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Reports by day, week and month per hall, service, window, clerk or day",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(hall_id: int, query: dict[str, Any]) -> dict[str, Any]:
    actor = require_actor()

    def build(session: Any) -> dict[str, Any]:
        day: date = query.get("date") or local_business_date(
            now(), require_hall(session, hall_id).time_zone
        )
        return reports.build_report(session, actor, hall_id, query["period"], day, query["by"])

    return read(build)  # type: ignore[no-any-return]


@blueprint.route("/reports/halls/<int:hall_id>", methods=["GET"])
@blueprint.arguments(ReportQuery, location="query")
@blueprint.response(200, ReportSchema)
@documented_errors(blueprint, 422, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def report(query: dict[str, Any], hall_id: int) -> Any:
    """Managers: volumes, waits (mean, p90, max), handling, service level, no-shows, transfers
    and ratings over one period, a row per service, window, clerk, day or hall below.

    Wait is first call minus issue; handling is the last call to the finish; the service
    level is the share of called tickets that waited no longer than the hall's target."""
    return _report(hall_id, query)


@blueprint.route("/reports/halls/<int:hall_id>/export", methods=["GET"])
@blueprint.arguments(ExportQuery, location="query")
@documented_errors(blueprint, 422, *READ_ERRORS)
@blueprint.doc(
    security=BEARER,
    responses={
        "200": {
            "description": "the report as a file (CSV in UTF-8 with a BOM, or XLSX)",
            "content": {"text/csv": {}, XLSX: {}},
        }
    },
)
def export_report(query: dict[str, Any], hall_id: int) -> Any:
    """Managers: the same report as a CSV or XLSX file, in the page's language."""
    built = _report(hall_id, query)
    english = str(get_locale() or "zh") == "en"
    if query["format"] == "xlsx":
        body, mimetype = report_xlsx(built, english), XLSX
    else:
        body, mimetype = report_csv(built, english), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    filename = export_filename(built, query["format"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
