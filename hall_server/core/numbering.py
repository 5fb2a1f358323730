"""Ticket numbers: a service prefix plus a sequence that restarts every local day of the hall."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hall_server.core.refusals import Refused

_PREFIX = re.compile(r"^[A-Z]{1,2}$")


def local_business_date(now: datetime, time_zone: str) -> date:
    """The hall's calendar day at `now` (an aware datetime), which is when numbering restarts."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(time_zone)).date()


def local_time(now: datetime, time_zone: str) -> datetime:
    return now.astimezone(ZoneInfo(time_zone))


def validate_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise Refused(
            "invalid_prefix", "a ticket prefix is one or two capital letters", field="prefix"
        )
    return prefix


def format_ticket_number(prefix: str, sequence: int) -> str:
    """A023: at least three digits, more once a busy day passes 999."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{prefix}{sequence:03d}"
