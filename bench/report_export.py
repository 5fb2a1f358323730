"""How long the report files take to write for a big report: a city network's month by clerk
(a city with its districts, townships and communities: thousands of clerks) and by service.

The report is built as `reports.build_report` returns it, with made-up figures; only the files
(report_files.report_xlsx and report_csv) are measured, not the database.

    .venv/bin/python bench/report_export.py --rows 3000 --repeat 3

prints a table (median and worst of the repeats, in milliseconds) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import measure  # noqa: E402
from hall_server.app import create_app  # noqa: E402
from hall_server.manager.report_files import report_csv, report_xlsx  # noqa: E402


def figures(rng: random.Random) -> dict[str, Any]:
    issued = rng.randrange(0, 900)
    served = int(issued * 0.9)
    rated = served // 3
    has_cases = served > 0
    return {
        "issued": issued,
        "called": served + 5,
        "served": served,
        "no_shows": rng.randrange(0, 20),
        "cancelled": rng.randrange(0, 10),
        "transfers": rng.randrange(0, 15),
        "wait_mean_seconds": rng.uniform(60, 2400) if has_cases else None,
        "wait_p90_seconds": rng.uniform(600, 3600) if has_cases else None,
        "wait_max_seconds": rng.uniform(1800, 7200) if has_cases else None,
        "handling_mean_seconds": rng.uniform(120, 1200) if has_cases else None,
        "handling_p90_seconds": rng.uniform(300, 2400) if has_cases else None,
        "handling_max_seconds": rng.uniform(1200, 5400) if has_cases else None,
        "service_level": rng.random() if has_cases else None,
        "ratings": rated,
        "rating_average": rng.uniform(3, 5) if rated else None,
        "rating_good_share": rng.random() if rated else None,
    }


def big_report(by: str, rows: int) -> dict[str, Any]:
    rng = random.Random(11)
    lines = []
    for n in range(rows):
        if by == "clerk":
            label = {"label": f"办事员{n}", "label_en": None, "staff_number": f"C{n:06d}"}
        else:
            label = {
                "label": f"事项{n}",
                "label_en": f"matter {n}",
                "prefix": "ABCDEFGH"[n % 8],
                "department": f"部门{n % 31}",
                "department_en": f"department {n % 31}",
            }
        lines.append({"key": n, **label, **figures(rng)})
    return {
        "hall": {"id": 1, "name": "市政务服务中心", "name_en": "City service centre"},
        "period": "month",
        "by": by,
        "start": date(2026, 11, 1),
        "end": date(2026, 11, 30),
        "target_wait_minutes": 15,
        "rows": lines,
        "total": {"key": "total", "label": None, "label_en": None, **figures(rng)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    app = create_app(
        {"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench", "IDENTITY_SECRET": "bench"}
    )
    results = {}
    with app.test_request_context("/?lang=en"):
        for by in ("clerk", "service"):
            report = big_report(by, options.rows)
            results[f"month by {by} as XLSX"] = measure(
                lambda report=report: report_xlsx(report, True), options.repeat
            )
            results[f"month by {by} as CSV"] = measure(
                lambda report=report: report_csv(report, True), options.repeat
            )
    print(f"{options.rows} rows a report")
    print(f"{'file':32} {'median ms':>10} {'worst ms':>10}")
    for name, figures_ in results.items():
        print(f"{name:32} {figures_['median_ms']:>10} {figures_['worst_ms']:>10}")
    print(
        json.dumps(
            {
                "bench": "report_export",
                "rows": options.rows,
                "repeat": options.repeat,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
