"""The ticket print job the hall server sends to a kiosk, and its JSON form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

VisitorClass = Literal["walk_in", "appointment", "pre_reviewed", "priority"]
Language = Literal["zh", "en"]
WaitKind = Literal["range", "over_limit", "unknown"]

VISITOR_CLASSES: tuple[str, ...] = get_args(VisitorClass)
LANGUAGES: tuple[str, ...] = get_args(Language)
WAIT_KINDS: tuple[str, ...] = get_args(WaitKind)
ISSUED_AT_FORMAT = "%Y-%m-%d %H:%M"
SLOT_FORMAT = "%H:%M"

# The number is printed in the largest text size, which only works for ASCII cells.
_TICKET_NUMBER = re.compile(r"[A-Za-z0-9-]{1,10}")
_CLOCK_TIME = re.compile(r"[0-9]{2}:[0-9]{2}")  # strptime alone would take "9:5"


@dataclass(frozen=True)
class TicketPrintJob:
    """Everything printed on one queue ticket; validated on construction."""

    job_id: str
    ticket_id: int
    hall_name: str
    service_name: str
    ticket_number: str
    visitor_class: VisitorClass
    people_ahead: int
    estimated_wait_minutes: tuple[int, int]
    issued_at_local: str
    status_url: str
    notice_lines: tuple[str, ...] = ()
    language: Language = "zh"
    # "range": the minutes above; "over_limit": over two hours, however many; "unknown": no
    # window can serve the ticket now, so no wait is promised (the minutes are then 0, 0).
    wait_kind: WaitKind = "range"
    # An appointment ticket's slot in the hall's time ("10:40"); None for every other ticket.
    appointment_due_local: str | None = None

    def __post_init__(self) -> None:
        for name in ("job_id", "hall_name", "service_name", "issued_at_local", "status_url"):
            _require_text(name, getattr(self, name))
        _require_int("ticket_id", self.ticket_id, minimum=1)
        _require_int("people_ahead", self.people_ahead, minimum=0)
        if not isinstance(self.ticket_number, str) or not _TICKET_NUMBER.fullmatch(
            self.ticket_number
        ):
            raise ValueError(
                f"ticket_number must be 1-10 ASCII letters, digits or '-', "
                f"got {self.ticket_number!r}"
            )
        if self.visitor_class not in VISITOR_CLASSES:
            raise ValueError(
                f"visitor_class must be one of {', '.join(VISITOR_CLASSES)}, "
                f"got {self.visitor_class!r}"
            )
        if self.language not in LANGUAGES:
            raise ValueError(
                f"language must be one of {', '.join(LANGUAGES)}, got {self.language!r}"
            )
        _require_wait_range(self.estimated_wait_minutes)
        if self.wait_kind not in WAIT_KINDS:
            raise ValueError(
                f"wait_kind must be one of {', '.join(WAIT_KINDS)}, got {self.wait_kind!r}"
            )
        try:
            datetime.strptime(self.issued_at_local, ISSUED_AT_FORMAT)
        except ValueError:
            raise ValueError(
                f"issued_at_local must look like '2026-11-30 09:12', got {self.issued_at_local!r}"
            ) from None
        if self.appointment_due_local is not None:
            _require_clock_time("appointment_due_local", self.appointment_due_local)
        if not self.status_url.startswith(("https://", "http://")):
            raise ValueError(f"status_url must be an http(s) URL, got {self.status_url!r}")
        if not isinstance(self.notice_lines, tuple) or not all(
            isinstance(line, str) for line in self.notice_lines
        ):
            raise ValueError("notice_lines must be a tuple of strings")

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> TicketPrintJob:
        """Build a job from the server's JSON payload; raise ValueError naming the bad field.

        Unknown keys are ignored so the server can add fields before every kiosk is updated.
        """
        if not isinstance(payload, Mapping):
            raise ValueError(f"print job must be a JSON object, got {type(payload).__name__}")
        required = (
            "job_id", "ticket_id", "hall_name", "service_name", "ticket_number",
            "visitor_class", "people_ahead", "estimated_wait_minutes", "issued_at_local",
            "status_url",
        )  # fmt: skip
        missing = [name for name in required if name not in payload]
        if missing:
            raise ValueError(f"print job is missing field(s): {', '.join(missing)}")
        wait = payload["estimated_wait_minutes"]
        if not isinstance(wait, list | tuple) or len(wait) != 2:
            raise ValueError(f"estimated_wait_minutes must be a [low, high] pair, got {wait!r}")
        notice_lines = payload.get("notice_lines", [])
        if not isinstance(notice_lines, list | tuple):
            raise ValueError(f"notice_lines must be a list of strings, got {notice_lines!r}")
        return cls(
            job_id=payload["job_id"],
            ticket_id=payload["ticket_id"],
            hall_name=payload["hall_name"],
            service_name=payload["service_name"],
            ticket_number=payload["ticket_number"],
            visitor_class=cast(VisitorClass, payload["visitor_class"]),
            people_ahead=payload["people_ahead"],
            estimated_wait_minutes=(wait[0], wait[1]),
            issued_at_local=payload["issued_at_local"],
            status_url=payload["status_url"],
            notice_lines=tuple(notice_lines),
            language=cast(Language, payload.get("language", "zh")),
            wait_kind=cast(WaitKind, payload.get("wait_kind", "range")),
            appointment_due_local=payload.get("appointment_due_local"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready payload that `from_dict` reads back."""
        payload: dict[str, Any] = {
            "job_id": self.job_id,
            "ticket_id": self.ticket_id,
            "hall_name": self.hall_name,
            "service_name": self.service_name,
            "ticket_number": self.ticket_number,
            "visitor_class": self.visitor_class,
            "people_ahead": self.people_ahead,
            "estimated_wait_minutes": list(self.estimated_wait_minutes),
            "issued_at_local": self.issued_at_local,
            "status_url": self.status_url,
            "notice_lines": list(self.notice_lines),
            "language": self.language,
            "wait_kind": self.wait_kind,
        }
        if self.appointment_due_local is not None:
            payload["appointment_due_local"] = self.appointment_due_local
        return payload


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


def _require_clock_time(name: str, value: object) -> None:
    message = f"{name} must look like '10:40', got {value!r}"
    if not isinstance(value, str) or not _CLOCK_TIME.fullmatch(value):
        raise ValueError(message)
    try:
        datetime.strptime(value, SLOT_FORMAT)
    except ValueError:
        raise ValueError(message) from None


def _require_int(name: str, value: object, *, minimum: int) -> None:
    # bool is an int subclass; JSON true must not pass as ticket 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _require_wait_range(value: object) -> None:
    message = f"estimated_wait_minutes must be (low, high) minutes, 0 <= low <= high; got {value!r}"
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError(message)
    low, high = value
    for minutes in (low, high):
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            raise ValueError(message)
    if low > high:
        raise ValueError(message)
