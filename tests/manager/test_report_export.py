"""Reports leave the building as CSV and XLSX files and as a printable page, with the same
figures as the report itself (the hand-worked day of tests/manager/hand_worked_day.py)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import login_headers
from tests.manager.conftest import ok, refused
from tests.manager.hand_worked_day import play_hand_worked_day

QUERY = "period=day&date=2026-11-30&by=service"


@pytest.fixture
def day(app):
    return play_hand_worked_day(app.extensions["hallq_db"])


@pytest.fixture
def headers(client, day):
    return login_headers(client, day.hall.manager_number)


def test_the_report_api_gives_the_hand_worked_figures(client, day, headers):
    built = ok(client.get(f"/api/v1/reports/halls/{day.hall.id}?{QUERY}", headers=headers))
    assert (built["start"], built["end"], built["by"]) == ("2026-11-30", "2026-11-30", "service")
    assert [row["label"] for row in built["rows"]] == ["housing", "business"]
    assert built["total"]["wait_mean_seconds"] == 1116.0
    refused(
        client.get(f"/api/v1/reports/halls/{day.hall.id}?period=year", headers=headers),
        422,
        "validation_failed",
    )


def test_the_csv_export_holds_the_report_in_minutes_and_per_cent(client, day, headers):
    response = client.get(
        f"/api/v1/reports/halls/{day.hall.id}/export?{QUERY}&format=csv&lang=en", headers=headers
    )

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="hallq-report-' in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # spreadsheet programs read UTF-8 then
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0] == ["hand-worked · Service report"]
    assert lines[1] == ["Day: 2026-11-30 – 2026-11-30"]
    header = lines[4]
    assert header[:5] == ["Department", "Prefix", "Service", "Issued", "Called"]
    rows = {line[2]: dict(zip(header, line, strict=True)) for line in lines[5:]}
    housing, total = rows["housing"], rows["Total"]
    assert housing["Issued"] == "4" and housing["Mean wait (min)"] == "18.3"  # 18.25 minutes
    assert housing["Within target (%)"] == "50.0"
    assert total["Issued"] == "6" and total["Served"] == "4" and total["No-shows"] == "1"
    assert total["Mean wait (min)"] == "18.6" and total["P90 wait (min)"] == "34.0"
    assert total["Mean handling (min)"] == "15.3"  # 15.25, rounded half up
    assert total["Within target (%)"] == "40.0"
    assert total["Average rating"] == "3.5" and total["Satisfied (%)"] == "50.0"
    assert rows["business"]["Mean handling (min)"] == ""  # nothing to measure


def test_the_xlsx_export_holds_numbers_with_formats(client, day, headers):
    response = client.get(
        f"/api/v1/reports/halls/{day.hall.id}/export?{QUERY}&format=xlsx&lang=en", headers=headers
    )

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[4]
    rows = {row[2]: dict(zip(header, row, strict=True)) for row in values[5:]}
    total = rows["Total"]
    assert total["Issued"] == 6 and total["Transfers"] == 1
    assert total["Mean wait (min)"] == 18.6
    assert total["Mean handling (min)"] == 15.25
    assert total["Within target"] == 0.4
    level_cell = sheet.cell(row=sheet.max_row, column=header.index("Within target") + 1)
    assert level_cell.number_format == "0.0%"
    assert rows["business"]["Mean handling (min)"] is None


def test_the_export_speaks_chinese_by_default(client, day, headers):
    response = client.get(
        f"/api/v1/reports/halls/{day.hall.id}/export?{QUERY}&format=csv", headers=headers
    )
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[4][:4] == ["部门", "前缀", "事项", "取号数"]
    assert lines[-1][2] == "合计"


def test_the_printable_page_shows_the_report_to_the_logged_in_manager(app, client, day, headers):
    page = client.get(f"/manager/reports/print?hall_id={day.hall.id}&{QUERY}&lang=en")
    assert page.status_code == 200  # the login above left its session cookie in this browser
    html = page.get_data(as_text=True)
    assert "hand-worked · Service report" in html
    assert '<td class="minutes">18.6</td>' in html
    assert "40.0%" in html
    stranger = app.test_client().get(f"/manager/reports/print?hall_id={day.hall.id}&{QUERY}")
    assert stranger.status_code == 401


def test_a_clerk_cannot_export_a_report(client, day):
    clerk = login_headers(client, day.hall.clerk_numbers[1])
    refused(
        client.get(f"/api/v1/reports/halls/{day.hall.id}/export?{QUERY}", headers=clerk),
        403,
        "forbidden_role",
    )
