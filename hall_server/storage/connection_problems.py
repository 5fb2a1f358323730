"""Why a database connection failed, in one line: the server is out of reach, or it answered
and refused (no such database, wrong role or password), which a person must mend."""

from __future__ import annotations

import re

# PostgreSQL's own refusal of a connection comes as "FATAL:  <reason>" in the driver's message;
# a server that is down or a wrong host or port never gets that far.
_REFUSAL = re.compile(r"FATAL:\s+(?P<reason>[^\n]+)")


def refusal_reason(driver_message: str) -> str | None:
    """What the database server said when it refused the connection; None if it never answered."""
    found = _REFUSAL.search(driver_message)
    return found.group("reason").strip() if found else None


def is_missing_database(driver_message: str) -> bool:
    reason = refusal_reason(driver_message) or ""
    return bool(re.fullmatch(r'database ".*" does not exist', reason))


def first_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else message.strip()
