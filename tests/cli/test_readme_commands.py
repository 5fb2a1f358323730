"""The README's command table lists every `hallq` command, and says what the platform
commands need: a reader sets up a deployment from it."""

from __future__ import annotations

import re
from pathlib import Path

from hall_server.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def command_rows() -> dict[str, str]:
    """The command table's rows by the command each starts with (`hallq NAME ...`)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\| `hallq ([a-z-]+)", line)
        if found:
            rows[found.group(1)] = line
    return rows


def test_every_command_is_in_the_readme_table() -> None:
    rows = command_rows()
    assert sorted(set(cli.commands) - set(rows)) == []


def test_add_platform_says_which_settings_it_needs() -> None:
    row = command_rows()["add-platform"]
    for setting in ("HALLQ_DATABASE_URL", "HALLQ_SECRET_KEY", "HALLQ_IDENTITY_SECRET"):
        assert setting in row
    assert "--code" in row and "--hall" in row and "docs/online_platform.md" in row
