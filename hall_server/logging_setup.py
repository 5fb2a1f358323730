"""Structured logs: one JSON object a line, naming the hall, window and ticket concerned."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("hall_id", "window_id", "ticket_id", "seq", "event")


# Libraries that give their loggers a bare stderr handler of their own unless a level is set
# first (python-socketio, python-engineio); at ERROR, as they would be by default.
LIBRARY_LOGGERS = ("socketio", "socketio.server", "socketio.client", "engineio", "engineio.server")
# Libraries log what is wrong (flask-limiter's "Failed to rate limit", a Redis that went away) at
# WARNING or above; their INFO lines (each request, each connection) would bury ours.
LIBRARY_LEVEL = logging.WARNING


class _OneHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure_logging installs, known by its type when it is installed again."""


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """Every logger, the libraries' included, writes through one handler on the root logger:
    with JSON on, each record is one JSON object on one line (a traceback is its `exc_info`
    field, not lines of its own), and no record is written twice."""
    handler = _OneHandler(sys.stderr)
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
    root = logging.getLogger()
    # Ours from an earlier app, and what logging.basicConfig() installs when a library logs
    # through logging.error() before anything is configured (its "ERROR:name:" lines). Others,
    # such as pytest's capture handlers, stay.
    root.handlers[:] = [
        existing
        for existing in root.handlers
        if not isinstance(existing, _OneHandler) and type(existing) is not logging.StreamHandler
    ]
    root.addHandler(handler)
    root.setLevel(LIBRARY_LEVEL)
    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if library_logger.level == logging.NOTSET:
            library_logger.setLevel(logging.ERROR)
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        # Bare handlers a library gave its own logger print plain lines, and again through the
        # root logger as it propagates: it only propagates now.
        for existing in list(logger.handlers):
            if type(existing) is logging.StreamHandler or isinstance(existing, _OneHandler):
                logger.removeHandler(existing)
        if not logger.handlers:
            logger.propagate = True
    ours = logging.getLogger("hall_server")
    ours.handlers[:] = []
    ours.setLevel(level)
    ours.propagate = True


def keep_the_terminal_for_warnings(log_file: Path) -> None:
    """Everything to `log_file`; only warnings and errors to the terminal.

    For the demo: its terminal shows the pages, accounts and codes a new user needs, and the
    robot clerks and visitors would bury them under a line per event."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _OneHandler):
            handler.setLevel(logging.WARNING)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("hall_server").addHandler(to_file)
