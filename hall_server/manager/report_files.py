"""A report as a table people keep: the columns in the page's language, and the same table as
CSV (UTF-8 with a BOM, so spreadsheet programs on Chinese desktops read it right) and XLSX. The
XLSX file has a second sheet with the rated cases behind the ratings (评价明细); the CSV file
stays one table, as spreadsheet imports expect."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hall_server.operations.ratings import LEVELS

MINUTES_FORMAT = "0.0"
SHARE_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text, count, minutes (from seconds), share (0..1), score, time
    value: Callable[[dict[str, Any]], Any] | None = None

    def raw(self, row: dict[str, Any]) -> Any:
        return self.value(row) if self.value else row.get(self.key)


def _named(row: dict[str, Any], english: bool) -> Any:
    return (row.get("label_en") if english else None) or row.get("label")


def label_columns(by: str, english: bool) -> list[Column]:
    """The columns that say what a row is about."""
    name = Column("label", "", "text", lambda row: _named(row, english))
    if by == "hall":
        indented = Column(
            "label",
            _("Hall"),
            "text",
            lambda row: "  " * row.get("depth", 0) + _named(row, english),
        )
        return [indented]
    if by == "service":

        def department(row: dict[str, Any]) -> Any:
            return (row.get("department_en") if english else None) or row.get("department")

        return [
            Column("department", _("Department"), "text", department),
            Column("prefix", _("Prefix"), "text"),
            Column("label", _("Service"), "text", name.value),
        ]
    if by == "window":
        return [
            Column("number", _("Window"), "count"),
            Column("label", _("Name"), "text", name.value),
        ]
    if by == "clerk":
        return [
            Column("staff_number", _("Staff number"), "text"),
            Column("label", _("Clerk"), "text", name.value),
        ]
    return [Column("label", _("Day"), "text")]


def figure_columns() -> list[Column]:
    return [
        Column("issued", _("Issued"), "count"),
        Column("called", _("Called"), "count"),
        Column("served", _("Served"), "count"),
        Column("no_shows", _("No-shows"), "count"),
        Column("cancelled", _("Cancelled"), "count"),
        Column("transfers", _("Transfers"), "count"),
        Column("wait_mean_seconds", _("Mean wait (min)"), "minutes"),
        Column("wait_p90_seconds", _("P90 wait (min)"), "minutes"),
        Column("wait_max_seconds", _("Longest wait (min)"), "minutes"),
        Column("handling_mean_seconds", _("Mean handling (min)"), "minutes"),
        Column("handling_p90_seconds", _("P90 handling (min)"), "minutes"),
        Column("handling_max_seconds", _("Longest handling (min)"), "minutes"),
        Column("service_level", _("Within target"), "share"),
        Column("ratings", _("Ratings"), "count"),
        Column("rating_average", _("Average rating"), "score"),
        Column("rating_good_share", _("Satisfied"), "share"),
    ]


def report_columns(by: str, english: bool) -> list[Column]:
    return [*label_columns(by, english), *figure_columns()]


def rounded(value: float, digits: int) -> float:
    """Rounded as people round (15.25 → 15.3), not to the nearest even digit."""
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def plain_value(column: Column, row: dict[str, Any]) -> Any:
    """The value as a person reads it: minutes with one decimal, shares in per cent."""
    value = column.raw(row)
    if value is None:
        return None
    if column.kind == "minutes":
        return rounded(value / 60, 1)
    if column.kind == "share":
        return rounded(value * 100, 1)
    if column.kind == "score":
        return rounded(value, 2)
    return value


def display_value(column: Column, row: dict[str, Any]) -> str:
    value = plain_value(column, row)
    if value is None:
        return "—"
    if column.kind == "share":
        return f"{value:.1f}%"
    if column.kind == "minutes":
        return f"{value:.1f}"
    return str(value)


def title_lines(report: dict[str, Any], english: bool) -> list[str]:
    hall = report["hall"]
    name = (hall.get("name_en") if english else None) or hall["name"]
    period = {"day": _("Day"), "week": _("Week"), "month": _("Month")}[report["period"]]
    return [
        f"{name} · {_('Service report')}",
        f"{period}: {report['start'].isoformat()} – {report['end'].isoformat()}",
        _("Target wait: %(minutes)s minutes", minutes=report["target_wait_minutes"]),
    ]


def _table(report: dict[str, Any], english: bool) -> tuple[list[Column], list[dict[str, Any]]]:
    columns = report_columns(report["by"], english)
    total = {**report["total"], "label": _("Total"), "label_en": None, "depth": 0}
    return columns, [*report["rows"], total]


def report_csv(report: dict[str, Any], english: bool) -> bytes:
    columns, rows = _table(report, english)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in title_lines(report, english):
        writer.writerow([csv_cell(line)])
    writer.writerow([])
    writer.writerow([csv_cell(_csv_header(c)) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(plain_value(c, row)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# What makes a spreadsheet program take a CSV cell for a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A figure as it is (a negative one stays a number); words that Excel or WPS would take
    for a formula, such as a hall an admin named `=HYPERLINK(…)`, behind a single quote. A sign
    after leading spaces (a hall indented below its parent) counts too."""
    if value is None:
        return ""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_header(column: Column) -> str:
    return f"{column.header} (%)" if column.kind == "share" else column.header


def report_xlsx(
    report: dict[str, Any], english: bool, rated: dict[str, Any] | None = None
) -> bytes:
    """The report's sheet and, given the rated cases (rating_reads.list_ratings), theirs.

    Every name is a string cell: an admin's hall or window named "=HYPERLINK(…)" stays words.
    Cells are written by their row number: `sheet.max_row` and `sheet[row]` look at every cell
    written so far, which for a city network's month by clerk took seconds."""
    columns, rows = _table(report, english)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Report")
    lines = title_lines(report, english)
    _title(sheet, lines)
    header_row = len(lines) + 2
    bold = Font(bold=True)
    heading = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(columns, start=1):
        cell = _words(sheet.cell(row=header_row, column=index, value=column.header))
        cell.font = bold
        cell.alignment = heading
    formats = {"minutes": MINUTES_FORMAT, "share": SHARE_FORMAT, "score": SCORE_FORMAT}
    total_row = header_row + len(rows)
    for number, row in enumerate(rows, start=header_row + 1):
        for index, column in enumerate(columns, start=1):
            value = column.raw(row)
            if value is not None and column.kind == "minutes":
                value = round(value / 60, 2)
            cell = sheet.cell(row=number, column=index, value=value)
            if column.kind == "text":
                _words(cell)
            elif column.kind in formats:
                cell.number_format = formats[column.kind]
            if number == total_row:
                cell.font = bold
    sheet.freeze_panes = sheet.cell(
        row=header_row + 1, column=len(label_columns(report["by"], english)) + 1
    )
    for index, column in enumerate(columns, start=1):
        width = 24 if column.kind == "text" else 11
        sheet.column_dimensions[get_column_letter(index)].width = width
    if rated is not None:
        _ratings_sheet(workbook, rated, english)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _words(cell: Cell) -> Cell:
    """Words stay words: openpyxl makes a string starting with "=" a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def _title(sheet: Worksheet, lines: list[str]) -> None:
    """The title lines from the sheet's first row, the first one large."""
    for number, line in enumerate(lines, start=1):
        _words(sheet.cell(row=number, column=1, value=line))
    sheet["A1"].font = Font(bold=True, size=14)


def rating_columns(english: bool) -> list[Column]:
    """The columns of the rated cases, as the reports page lists them."""

    def named(key: str) -> Callable[[dict[str, Any]], Any]:
        return lambda row: _named_item(row[key], english)

    return [
        # Excel keeps no time zone: the hall's local time, as the page shows it.
        Column("rated_at", _("Rated at"), "time", lambda row: row["rated_at"].replace(tzinfo=None)),
        Column("hall", _("Hall"), "text", named("hall")),
        Column("ticket_number", _("Ticket number"), "text"),
        Column("service", _("Service"), "text", named("service")),
        Column("window", _("Window"), "count", lambda row: (row["window"] or {}).get("number")),
        Column("clerk", _("Clerk"), "text", lambda row: (row["clerk"] or {}).get("name")),
        Column(
            "staff_number",
            _("Staff number"),
            "text",
            lambda row: (row["clerk"] or {}).get("staff_number"),
        ),
        Column("level", _("Rating"), "text", lambda row: row["level"]["label"]),
        Column(
            "reasons",
            _("Reasons"),
            "text",
            lambda row: _list(english).join(reason["label"] for reason in row["reasons"]) or None,
        ),
        Column("comment", _("Comment"), "text"),
        Column("channel", _("Rated with"), "text", lambda row: row["channel"]["label"]),
    ]


def _list(english: bool) -> str:
    return ", " if english else "、"


def _named_item(item: dict[str, Any] | None, english: bool) -> Any:
    if item is None:
        return None
    return (item.get("name_en") if english else None) or item.get("name")


def _ratings_sheet(workbook: Workbook, rated: dict[str, Any], english: bool) -> None:
    sheet = workbook.create_sheet(_("Rating details"))
    shown, total = len(rated["ratings"]), rated["total"]
    levels = _list(english).join(
        LEVELS[code][1].label_en if english else LEVELS[code][1].label_zh
        for code in rated["levels"]
    )
    lines = [
        f"{_named_item(rated['hall'], english)} · {_('Rating details')}",
        f"{rated['start'].isoformat()} – {rated['end'].isoformat()}",
        _("Levels: %(levels)s", levels=levels),
    ]
    if shown < total:
        lines.append(_("The newest %(shown)s of %(total)s ratings", shown=shown, total=total))
    _title(sheet, lines)
    sheet.append([])
    columns = rating_columns(english)
    sheet.append([column.header for column in columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    if not rated["ratings"]:
        sheet.append([_("No ratings at these levels in this period.")])
    # Named styles, and cells written by their row number: setting a format or an alignment
    # cell by cell, or `sheet[sheet.max_row]`, costs seconds for a month's ratings.
    workbook.add_named_style(NamedStyle("rated_time", number_format=TIME_FORMAT))
    wrapped = Alignment(wrap_text=True, vertical="top")
    workbook.add_named_style(NamedStyle("rated_words", alignment=wrapped))
    styles = {
        index: "rated_time" if column.kind == "time" else "rated_words"
        for index, column in enumerate(columns, start=1)
        if column.kind == "time" or column.key in ("reasons", "comment")
    }
    for number, row in enumerate(rated["ratings"], start=header_row + 1):
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=number, column=index, value=column.raw(row))
            if column.kind == "text":
                _words(cell)  # a visitor's comment "=HYPERLINK(…)" stays words
            if index in styles:
                cell.style = styles[index]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for index, column in enumerate(columns, start=1):
        width = {"time": 17, "count": 8}.get(column.kind, 14)
        if column.key in ("reasons", "comment"):
            width = 40
        sheet.column_dimensions[
            sheet.cell(row=header_row, column=index).column_letter
        ].width = width


def export_filename(report: dict[str, Any], extension: str) -> str:
    return (
        f"hallq-report-{report['hall']['id']}-{report['by']}-{report['period']}-"
        f"{report['start'].isoformat()}.{extension}"
    )
