"""Structured logs: one JSON object a line, naming the hall, window and ticket concerned."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

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


def keep_the_terminal_for_warnings(log_file: Path) -> None:
    """Everything to `log_file`; only warnings and errors to the terminal.

    For the demo: its terminal shows the pages, accounts and codes a new user needs, and the
    robot clerks and visitors would bury them under a line per event."""
    root = logging.getLogger("hall_server")
    for handler in root.handlers:
        handler.setLevel(logging.WARNING)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(to_file)
