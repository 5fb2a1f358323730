"""A catalogue uploaded in the browser reports its bad rows in the page's language: Chinese by
default, English on request, through the catalogue the API's validation messages use."""

from __future__ import annotations

import io

from tests.manager.conftest import ok

HEADER = (
    "department_code,department_name,service_code,service_name,prefix,"
    "expected_handling_minutes,active\n"
)
BAD_ROWS = (
    "tax,税务局,tax-invoice,发票领用,T,0,yes\n"  # line 2: minutes below 1
    "tax,税务局,tax-declare,纳税申报,t1,10,perhaps\n"  # line 3: prefix, and not a boolean
    "tax,税务局,tax-refund,退税,T,10,true\n"
    "tax,税务局,tax-refund,退税,T,10,true\n"  # line 5: a service code again
)


def upload(client, hall_id, headers, language: str):
    return client.post(
        f"/api/v1/halls/{hall_id}/services/import?dry_run=true&lang={language}",
        data={"file": (io.BytesIO((HEADER + BAD_ROWS).encode()), "catalogue.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )


def problems(answer) -> dict[int, str]:
    return {problem["line"]: problem["message"] for problem in ok(answer)["problems"]}


def test_bad_rows_are_reported_in_chinese_by_default(client, hall, manager):
    found = problems(upload(client, hall.id, manager, "zh"))

    assert found == {
        2: "expected_handling_minutes: 必须大于或等于 1 且小于或等于 480。",
        3: "active: 不是有效的布尔值。; prefix: 应为一到两个大写字母，如 A 或 BC",
        5: "service_code 'tax-refund' 与第 4 行重复",
    }


def test_bad_rows_are_reported_in_english_on_request(client, hall, manager):
    found = problems(upload(client, hall.id, manager, "en"))

    assert found == {
        2: "expected_handling_minutes: Must be greater than or equal to 1 and less than or "
        "equal to 480.",
        3: "active: Not a valid boolean.; prefix: one or two capital letters, e.g. A or BC",
        5: "service_code 'tax-refund' repeats line 4",
    }
