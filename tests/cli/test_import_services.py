"""`hallq import-services` loads a catalogue from CSV or XLSX, reporting bad rows by line."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select

from hall_server.cli import cli
from hall_server.storage.database import Database
from hall_server.storage.models import Service
from tests.factories import build_hall

HEADER = [
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
]
GOOD_ROWS = [
    [
        "gjj",
        "住房公积金管理中心",
        "gjj-withdraw",
        "公积金提取",
        "Fund withdrawal",
        "A",
        "8",
        "300",
        "mon-fri 08:30-16:30",
        "gjjtq",
    ],
    ["gjj", "住房公积金管理中心", "gjj-loan", "公积金贷款", "", "A", "20", "", "", "gjjdk"],
    [
        "scjg",
        "市场监督管理局",
        "biz-setup",
        "企业设立登记",
        "Company registration",
        "B",
        "",
        "",
        "",
        "",
    ],
]


@pytest.fixture
def migrated(migrated_url: str) -> Database:
    database = Database(migrated_url)
    build_hall(
        database, datetime(2026, 11, 30, 1, tzinfo=UTC), code="city", services={}, windows={}
    )
    return database


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def services(database: Database) -> dict[str, Service]:
    with database.reading() as session:
        return {s.code: s for s in session.scalars(select(Service))}


def test_a_good_csv_creates_departments_and_services(migrated, tmp_path):
    result = CliRunner().invoke(
        cli, ["import-services", str(write_csv(tmp_path / "c.csv", GOOD_ROWS)), "--hall", "city"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 3 new and 0 updated services; 0 bad rows" in result.output
    loaded = services(migrated)
    assert loaded["gjj-withdraw"].daily_quota == 300
    assert loaded["gjj-loan"].daily_quota is None
    assert loaded["biz-setup"].expected_handling_minutes == 10


def test_importing_again_updates_instead_of_duplicating(migrated, tmp_path):
    path = write_csv(tmp_path / "c.csv", GOOD_ROWS)
    CliRunner().invoke(cli, ["import-services", str(path), "--hall", "city"])
    changed = [row.copy() for row in GOOD_ROWS]
    changed[0][6] = "12"
    result = CliRunner().invoke(
        cli, ["import-services", str(write_csv(tmp_path / "d.csv", changed)), "--hall", "city"]
    )
    assert "imported 0 new and 3 updated" in result.output
    assert services(migrated)["gjj-withdraw"].expected_handling_minutes == 12


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(migrated, tmp_path):
    bad = GOOD_ROWS + [
        ["gjj", "公积金", "gjj-x", "坏前缀", "", "a1", "8", "", "", ""],
        ["gjj", "公积金", "gjj-y", "坏时间", "", "A", "-3", "", "monday 9-5", ""],
        ["gjj", "公积金", "gjj-withdraw", "重复", "", "A", "8", "", "", ""],
    ]
    result = CliRunner().invoke(
        cli, ["import-services", str(write_csv(tmp_path / "bad.csv", bad)), "--hall", "city"]
    )
    assert result.exit_code == 1
    assert "line 5: prefix: one or two capital letters" in result.output
    assert "line 6: expected_handling_minutes" in result.output
    assert "issuing_hours" in result.output
    assert "line 7: service_code 'gjj-withdraw' repeats line 2" in result.output
    assert services(migrated) == {}


def test_an_xlsx_catalogue_loads_like_a_csv(migrated, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in GOOD_ROWS:
        sheet.append([int(v) if v.isdigit() else (v or None) for v in row])
    path = tmp_path / "catalogue.xlsx"
    workbook.save(path)
    result = CliRunner().invoke(cli, ["import-services", str(path), "--hall", "city"])
    assert result.exit_code == 0, result.output
    assert services(migrated)["gjj-withdraw"].daily_quota == 300


def test_a_dry_run_checks_but_changes_nothing(migrated, tmp_path):
    path = write_csv(tmp_path / "c.csv", GOOD_ROWS)
    result = CliRunner().invoke(cli, ["import-services", str(path), "--hall", "city", "--dry-run"])
    assert "would import 3 new" in result.output
    assert services(migrated) == {}


def test_a_missing_column_is_named(migrated, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("department_code,service_name\ngjj,公积金提取\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-services", str(path), "--hall", "city"])
    assert result.exit_code != 0
    assert "missing columns department_name, service_code, prefix" in result.output


def test_a_large_catalogue_shows_progress(migrated, tmp_path):
    rows = [
        ["dept", "部门", f"svc-{i}", f"事项{i}", "", "C", "10", "", "", ""] for i in range(2251)
    ]
    result = CliRunner().invoke(
        cli, ["import-services", str(write_csv(tmp_path / "big.csv", rows)), "--hall", "city"]
    )
    assert result.exit_code == 0, result.output
    assert "Importing services" in result.output
    assert len(services(migrated)) == 2251


def test_a_csv_saved_by_a_chinese_excel_in_gbk_loads_like_utf8(migrated, tmp_path):
    gbk = write_csv(tmp_path / "gbk.csv", GOOD_ROWS, encoding="gbk")
    result = CliRunner().invoke(cli, ["import-services", str(gbk), "--hall", "city"])
    assert result.exit_code == 0, result.output
    assert services(migrated)["gjj-withdraw"].name == "公积金提取"


def test_a_file_that_is_not_text_is_refused_in_a_sentence(migrated, tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    result = CliRunner().invoke(cli, ["import-services", str(binary), "--hall", "city"])
    assert result.exit_code == 2
    assert "neither UTF-8 nor GBK" in result.output
    assert services(migrated) == {}


def test_a_quota_of_zero_imports_as_the_api_takes_it_a_service_that_issues_nothing(
    migrated, tmp_path
):
    """docs/service_catalogue.md: 0–100000, as the manager's API and pages allow."""
    stopped = [row.copy() for row in GOOD_ROWS]
    stopped[0][7] = "0"
    result = CliRunner().invoke(
        cli, ["import-services", str(write_csv(tmp_path / "z.csv", stopped)), "--hall", "city"]
    )
    assert result.exit_code == 0, result.output
    assert services(migrated)["gjj-withdraw"].daily_quota == 0
