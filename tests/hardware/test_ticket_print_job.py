"""The print job's JSON form: round trip and validation of every field."""

from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from hardware.print_job import TicketPrintJob

MakePayload = Callable[..., dict[str, Any]]


def test_payload_round_trips(make_payload: MakePayload) -> None:
    payload = make_payload(visitor_class="pre_reviewed", language="en")

    job = TicketPrintJob.from_dict(payload)

    assert job.to_dict() == payload
    assert TicketPrintJob.from_dict(job.to_dict()) == job


def test_a_payload_from_an_older_server_without_wait_kind_reads_as_a_range(
    make_payload: MakePayload,
) -> None:
    payload = make_payload()
    del payload["wait_kind"]

    assert TicketPrintJob.from_dict(payload).wait_kind == "range"


def test_an_appointment_slot_round_trips_and_older_payloads_without_it_still_read(
    make_payload: MakePayload,
) -> None:
    booked = make_payload(visitor_class="appointment", appointment_due_local="10:40")
    older = make_payload()  # no slot: every payload before the field existed, and walk-ins

    job = TicketPrintJob.from_dict(booked)

    assert job.appointment_due_local == "10:40"
    assert job.to_dict() == booked
    assert TicketPrintJob.from_dict(older).appointment_due_local is None
    assert "appointment_due_local" not in TicketPrintJob.from_dict(older).to_dict()


def test_json_lists_become_tuples_and_the_job_is_frozen(make_payload: MakePayload) -> None:
    job = TicketPrintJob.from_dict(make_payload(notice_lines=["甲", "乙"]))

    assert job.estimated_wait_minutes == (10, 15)
    assert job.notice_lines == ("甲", "乙")
    with pytest.raises(FrozenInstanceError):
        job.people_ahead = 0  # type: ignore[misc]


def test_optional_fields_default_and_unknown_fields_are_ignored(
    make_payload: MakePayload,
) -> None:
    payload = make_payload(window_hint="3号窗口")
    del payload["notice_lines"], payload["language"]

    job = TicketPrintJob.from_dict(payload)

    assert job.notice_lines == () and job.language == "zh"


@pytest.mark.parametrize("field", ["job_id", "ticket_id", "ticket_number", "status_url"])
def test_missing_field_is_named(make_payload: MakePayload, field: str) -> None:
    payload = make_payload()
    del payload[field]

    with pytest.raises(ValueError, match=f"missing field.*{field}"):
        TicketPrintJob.from_dict(payload)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("job_id", ""),
        ("ticket_id", "23"),
        ("ticket_id", True),
        ("ticket_id", 0),
        ("hall_name", "   "),
        ("service_name", None),
        ("ticket_number", "A 023"),
        ("ticket_number", "号023"),
        ("visitor_class", "vip"),
        ("people_ahead", -1),
        ("people_ahead", 2.0),
        ("estimated_wait_minutes", [15, 10]),
        ("estimated_wait_minutes", [10]),
        ("estimated_wait_minutes", [-5, 10]),
        ("estimated_wait_minutes", "10-15"),
        ("issued_at_local", "2026-11-30T09:12:00+08:00"),
        ("issued_at_local", "2026-13-30 09:12"),
        ("status_url", "javascript:alert(1)"),
        ("notice_lines", "one line"),
        ("notice_lines", ["ok", 3]),
        ("language", "fr"),
        ("appointment_due_local", "9:5"),
        ("appointment_due_local", "25:00"),
        ("appointment_due_local", "2026-11-30 10:40"),
        ("appointment_due_local", ""),
        ("appointment_due_local", 1040),
    ],
)
def test_invalid_field_is_named(make_payload: MakePayload, field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        TicketPrintJob.from_dict(make_payload(**{field: value}))


def test_payload_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        TicketPrintJob.from_dict(["A023"])  # type: ignore[arg-type]
