"""Loading a hall's service catalogue from CSV or XLSX: every row checked, all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from flask import has_request_context
from marshmallow import Schema, ValidationError, fields, validate
from openpyxl import load_workbook
from sqlalchemy import select

from hall_server.core.opening_hours import parse_weekly_hours
from hall_server.operations.wait_predictions import raise_plan_seq
from hall_server.storage.database import Database
from hall_server.storage.models import Department, Hall, Service

COLUMNS = (
    "department_code",
    "department_name",
    "service_code",
    "service_name",
    "service_name_en",
    "prefix",
    "expected_handling_minutes",
    "daily_quota",
    "issuing_hours",
    "pinyin_initials",
    "active",
)
REQUIRED_COLUMNS = ("department_code", "department_name", "service_code", "service_name", "prefix")
PROGRESS_FROM_ROWS = 200


def _valid_hours(text: str) -> None:
    try:
        parse_weekly_hours(text)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class CatalogueRow(Schema):
    department_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    department_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    service_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    service_name_en = fields.String(load_default=None, validate=validate.Length(max=200))
    prefix = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{1,2}$", error="one or two capital letters, e.g. A or BC"),
    )
    expected_handling_minutes = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=480)
    )
    daily_quota = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100_000))
    issuing_hours = fields.String(load_default=None, validate=_valid_hours)
    pinyin_initials = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[a-z]{1,40}$", error="lower-case letters only, e.g. gjjtq for 公积金提取"
        ),
    )
    active = fields.Boolean(load_default=True)


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def _csv_text(path: Path) -> str:
    """UTF-8 (with or without Excel's BOM), else GB 18030: Excel on a Chinese Windows saves
    "CSV" in GBK, which GB 18030 contains."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise click.UsageError("the CSV file is neither UTF-8 nor GBK text; save it as CSV (UTF-8)")


def _rows_from_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(_csv_text(path), newline=""))
    _check_header(reader.fieldnames or [])
    for row in reader:
        yield reader.line_num, row


def _rows_from_xlsx(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        _check_header(header)
        for line, values in enumerate(rows, start=2):
            if all(value is None for value in values):
                continue
            yield line, dict(zip(header, values, strict=False))
    finally:
        workbook.close()


def _check_header(header: list[str]) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise click.UsageError(
            f"line 1: missing columns {', '.join(missing)}; expected: {', '.join(COLUMNS)}"
        )


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Blank cells mean "use the default"; numbers typed in spreadsheets arrive as floats."""
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in COLUMNS or value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if text:
            cleaned[key] = text
    return cleaned


def _in_readers_language(message: str) -> str:
    """A manager uploading in the browser reads each message in the page's language (Chinese by
    default), through the catalogue the API translates its validation messages with; the
    `hallq import-services` command, like the other commands, stays English."""
    if not has_request_context():
        return message
    from hall_server.api.error_translation import translate_error

    return translate_error(message)


def _row_problem_text(error: ValidationError) -> str:
    """`column: message` for each bad cell, the column named as in the file's header."""
    return "; ".join(
        f"{name}: {' '.join(_in_readers_language(str(message)) for message in messages)}"
        for name, messages in sorted(error.normalized_messages().items())
    )


def read_catalogue(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        source = _rows_from_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _rows_from_xlsx(path)
    else:
        raise click.UsageError("the catalogue must be a .csv or .xlsx file")
    schema = CatalogueRow()
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    seen_codes: dict[str, int] = {}
    for line, raw in source:
        try:
            row = schema.load(_clean(raw))
        except ValidationError as error:
            problems.append(RowProblem(line, _row_problem_text(error)))
            continue
        if row["service_code"] in seen_codes:
            repeated = (
                f"service_code {row['service_code']!r} repeats line "
                f"{seen_codes[row['service_code']]}"
            )
            problems.append(RowProblem(line, _in_readers_language(repeated)))
            continue
        seen_codes[row["service_code"]] = line
        good.append((line, row))
    return good, problems


def import_catalogue(
    database: Database, path: Path, hall_code: str, dry_run: bool = False, progress: bool = False
) -> ImportReport:
    """Check every row; if any is bad, report them all and change nothing."""
    rows, problems = read_catalogue(path)
    report = ImportReport(problems=problems)
    if problems:
        return report
    try:
        with database.transaction() as uow:
            _apply_rows(uow.session, rows, hall_code, report, progress)
            if dry_run:
                raise _DryRunFinished
    except _DryRunFinished:
        pass
    return report


class _DryRunFinished(Exception):
    """Raised inside the transaction so a dry run rolls back everything it did."""


def _apply_rows(
    session: Any,
    rows: list[tuple[int, dict[str, Any]]],
    hall_code: str,
    report: ImportReport,
    progress: bool,
) -> None:
    hall = session.scalar(select(Hall).where(Hall.code == hall_code))
    if hall is None:
        raise click.UsageError(f"no hall with code {hall_code!r}")
    departments = {
        d.code: d for d in session.scalars(select(Department).where(Department.hall_id == hall.id))
    }
    services = {
        s.code: s for s in session.scalars(select(Service).where(Service.hall_id == hall.id))
    }
    show = progress and len(rows) >= PROGRESS_FROM_ROWS
    plan_changed = False
    with click.progressbar(
        rows, label="Importing services", file=None if show else _Silent()
    ) as bar:
        for _line, row in bar:
            department = departments.get(row["department_code"])
            if department is None:
                department = Department(
                    hall_id=hall.id, code=row["department_code"], name=row["department_name"]
                )
                session.add(department)
                session.flush()
                departments[department.code] = department
            values = {
                "department_id": department.id,
                "name": row["service_name"],
                "name_en": row["service_name_en"],
                "prefix": row["prefix"],
                "expected_handling_minutes": row["expected_handling_minutes"],
                "daily_quota": row["daily_quota"],
                "issuing_hours": row["issuing_hours"],
                "pinyin_initials": row["pinyin_initials"],
                "active": row["active"],
            }
            existing = services.get(row["service_code"])
            if existing is None:
                session.add(Service(hall_id=hall.id, code=row["service_code"], **values))
                report.created += 1
            else:
                planned = (existing.expected_handling_minutes, existing.active)
                for name, value in values.items():
                    setattr(existing, name, value)
                report.updated += 1
                plan_changed = plan_changed or planned != (
                    existing.expected_handling_minutes,
                    existing.active,
                )
    if plan_changed:
        raise_plan_seq(session, hall.id)  # kept wait forecasts expected the old minutes


class _Silent:
    """A file that swallows the progress bar for small imports and for tests."""

    def write(self, _text: str) -> None:
        return None

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False
