"""Names typed by an admin reach the report files as words, never as formulas: a hall, department,
service, window or clerk named `=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)` or `-2+3` is a string cell in
the XLSX file and, in the CSV file, starts with a single quote (OWASP's CSV injection advice), so a
manager opening the file in Excel or WPS runs nothing. The figures stay numbers in both."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from hall_server.manager.report_files import csv_cell
from tests.conftest import login_headers
from tests.manager.conftest import add_user, ok
from tests.manager.hand_worked_day import play_hand_worked_day

HALL = '=HYPERLINK("http://x","点此")'
DEPARTMENT = "+cmd|' /C calc'!A0"
HOUSING = "@SUM(1+1)*cmd|' /C calc'!A0"
BUSINESS = "-2+3"
WINDOW = "\t=1+1"
CLERK = "\r=1+1"
HALL_TITLE = f"{HALL} · Service report"


def named(name: str) -> dict[str, str]:
    return {"name": name, "name_en": name}


@pytest.fixture
def day(app, client):
    """The hand-worked day, its names (Chinese and English) then changed through the admin's
    API."""
    database = app.extensions["hallq_db"]
    played = play_hand_worked_day(database)
    hall = played.hall
    add_user(database, "formula-admin", "admin", hall.id)
    admin = login_headers(client, "formula-admin")
    ok(client.patch(f"/api/v1/halls/{hall.id}", json=named(HALL), headers=admin))
    departments = ok(client.get(f"/api/v1/halls/{hall.id}/departments", headers=admin))
    ok(
        client.patch(
            f"/api/v1/departments/{departments[0]['id']}", json=named(DEPARTMENT), headers=admin
        )
    )
    for service, name in (("housing", HOUSING), ("business", BUSINESS)):
        ok(
            client.patch(
                f"/api/v1/services/{hall.services[service]}", json=named(name), headers=admin
            )
        )
    ok(client.patch(f"/api/v1/windows/{hall.windows[1]}", json=named(WINDOW), headers=admin))
    users = ok(client.get(f"/api/v1/halls/{hall.id}/users", headers=admin))
    clerk = next(u for u in users if u["staff_number"] == hall.clerk_numbers[1])
    ok(client.patch(f"/api/v1/users/{clerk['id']}", json={"name": CLERK}, headers=admin))
    return played


@pytest.fixture
def headers(client, day):
    return login_headers(client, day.hall.manager_number)


def export(client, day, headers, by: str, kind: str) -> bytes:
    response = client.get(
        f"/api/v1/reports/halls/{day.hall.id}/export"
        f"?period=day&date=2026-11-30&by={by}&format={kind}&lang=en",
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.data


# by: the names the report's rows and title carry
NAMES = {
    "service": {HALL_TITLE, DEPARTMENT, HOUSING, BUSINESS},
    "window": {HALL_TITLE, WINDOW},
    "clerk": {HALL_TITLE, CLERK},
    "hall": {HALL_TITLE, HALL},
}


@pytest.mark.parametrize("by", sorted(NAMES))
def test_every_name_in_the_xlsx_file_is_a_string_cell(client, day, headers, by):
    workbook = load_workbook(io.BytesIO(export(client, day, headers, by, "xlsx")))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]

    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    strings = {cell.value for cell in cells if cell.data_type == "s"}
    # Kept word for word, no quote added; XML reads a carriage return as a line feed.
    assert {name.replace("\r", "\n") for name in NAMES[by]} <= strings
    report = workbook.worksheets[0]
    values = list(report.iter_rows(values_only=True))
    header = values[4]
    total = dict(zip(header, values[-1], strict=True))
    assert total["Issued"] == 6 and total["Mean wait (min)"] == 18.6  # figures stay numbers


@pytest.mark.parametrize("by", sorted(NAMES))
def test_no_cell_of_the_csv_file_starts_a_formula(client, day, headers, by):
    data = export(client, day, headers, by, "csv")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for line in lines for cell in line]

    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert {f"'{name}" for name in NAMES[by]} <= set(cells)
    header = lines[4]
    total = dict(zip(header, lines[-1], strict=True))
    assert total["Issued"] == "6" and total["Mean wait (min)"] == "18.6"


def test_a_negative_figure_in_the_csv_file_stays_a_number():
    assert csv_cell(-3) == -3 and csv_cell(-1.5) == -1.5 and csv_cell(None) == ""
    assert csv_cell("-1.5") == "'-1.5"  # words that look like a figure are still words
    assert csv_cell("  =1+1") == "'  =1+1"
    assert csv_cell("二-1") == "二-1" and csv_cell("2026-11-30") == "2026-11-30"
