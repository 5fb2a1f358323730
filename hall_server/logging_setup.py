"""Structured logs: one JSON object a line, naming the hall, window and ticket concerned."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("hall_id", "window_id", "ticket_id", "seq", "event")


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("hall_server")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
