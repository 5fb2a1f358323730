"""The one JSON line every benchmark ends with: its name, when, its options and its rows."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any


def print_json_line(bench: str, options: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    summary = {
        "bench": bench,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": vars(options),
        "results": results,
    }
    print(json.dumps(summary, ensure_ascii=False))
