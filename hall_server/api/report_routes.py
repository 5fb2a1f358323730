"""URL table for reports: the figures of a day, week or month as JSON, CSV or XLSX, and the
rated cases behind their ratings (the poor ones by default), for managers to follow up."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_babel import get_locale

from hall_server.api.documentation import BEARER, READ_ERRORS, documented_errors
from hall_server.api.edge import now, read, require_actor
from hall_server.api.manager_schemas import ReportQuery, ReportSchema
from hall_server.api.rating_report_schemas import (
    ExportWithRatingsQuery,
    RatingListQuery,
    RatingListSchema,
)
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.core.numbering import local_business_date
from hall_server.manager.report_files import export_filename, report_csv, report_xlsx
from hall_server.operations import rating_reads, reports
from hall_server.operations.hall_reads import require_hall

blueprint = ApiBlueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Reports by day, week and month per hall, service, window, clerk or day",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED_RATINGS = 10_000  # at most, in the XLSX file's sheet of ratings (it says if cut short)


def _english() -> bool:
    """Labels in English? The locale already follows `?lang=` (app.select_locale)."""
    return str(get_locale() or "zh") == "en"


def _day(session: Any, hall_id: int, query: dict[str, Any]) -> date:
    day: date = query.get("date") or local_business_date(
        now(), require_hall(session, hall_id).time_zone
    )
    return day


def _report(hall_id: int, query: dict[str, Any]) -> dict[str, Any]:
    actor = require_actor()

    def build(session: Any) -> dict[str, Any]:
        day = _day(session, hall_id, query)
        return reports.build_report(session, actor, hall_id, query["period"], day, query["by"])

    return read(build)  # type: ignore[no-any-return]


def _report_with_ratings(
    hall_id: int, query: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report and, read in the same transaction, the ratings of its period that the file
    lists: of the halls the report counts, at the levels asked for (the poor ones if none)."""
    actor = require_actor()

    def build(session: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        day = _day(session, hall_id, query)
        built = reports.build_report(session, actor, hall_id, query["period"], day, query["by"])
        selection = rating_reads.RatingSelection(
            levels=rating_reads.chosen_levels(query.get("levels")),
            include_halls_below=query["by"] == reports.Dimension.HALL,
            limit=EXPORTED_RATINGS,
        )
        rated = rating_reads.list_ratings(
            session, actor, hall_id, query["period"], day, selection, _english()
        )
        return built, rated

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


@blueprint.route("/reports/halls/<int:hall_id>/ratings", methods=["GET"])
@blueprint.arguments(RatingListQuery, location="query")
@blueprint.response(200, RatingListSchema)
@documented_errors(blueprint, 422, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def rating_list(query: dict[str, Any], hall_id: int) -> Any:
    """Managers: the rated cases of the report's period, newest first, to follow up every poor
    rating (差评): when, which ticket, service, window and clerk, the level, the reasons chosen
    and the visitor's comment. The poor levels unless `levels` says otherwise.

    A rating counts on its case's local day, as in the report. Labels are in the request's
    language. Comments are the visitor's own words: they are for managers only and appear on
    no public screen and in no event. Page with `limit` and `before` (the `next_before` of the
    previous page)."""
    actor = require_actor()

    def build(session: Any) -> dict[str, Any]:
        selection = rating_reads.RatingSelection(
            levels=rating_reads.chosen_levels(query.get("levels")),
            include_halls_below=query["include_halls_below"],
            limit=query["limit"],
            before=query.get("before"),
        )
        day = _day(session, hall_id, query)
        return rating_reads.list_ratings(
            session, actor, hall_id, query["period"], day, selection, _english()
        )

    return read(build)


@blueprint.route("/reports/halls/<int:hall_id>/export", methods=["GET"])
@blueprint.arguments(ExportWithRatingsQuery, location="query")
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
    """Managers: the same report as a CSV or XLSX file, in the page's language. The XLSX file
    has a second sheet, 评价明细: the rated cases of the period (as `/ratings` lists them, the
    poor ones unless `levels` says otherwise, of the halls below too when by hall). The CSV file
    stays one table."""
    english = _english()
    if query["format"] == "xlsx":
        built, rated = _report_with_ratings(hall_id, query)
        body, mimetype = report_xlsx(built, english, rated), XLSX
    else:
        built = _report(hall_id, query)
        body, mimetype = report_csv(built, english), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    filename = export_filename(built, query["format"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
