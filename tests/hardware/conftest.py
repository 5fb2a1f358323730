"""Fixtures for the printer tests: factories of print-job payloads and jobs."""

from collections.abc import Callable
from typing import Any

import pytest

from hardware.print_job import TicketPrintJob


def _payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "job_id": "job-20261130-0023",
        "ticket_id": 23,
        "hall_name": "南山区政务服务中心",
        "service_name": "住房公积金提取",
        "ticket_number": "A023",
        "visitor_class": "walk_in",
        "people_ahead": 12,
        "estimated_wait_minutes": [10, 15],
        "issued_at_local": "2026-11-30 09:12",
        "status_url": "https://hallq.example.cn/q/nanshan/t/8f3a2c91",
        "notice_lines": ["请留意叫号，过号请到服务台登记。"],
        "language": "zh",
        "wait_kind": "range",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def make_payload() -> Callable[..., dict[str, Any]]:
    """Build the server's JSON payload of a valid job; keyword arguments replace fields."""
    return _payload


@pytest.fixture
def make_job() -> Callable[..., TicketPrintJob]:
    """Build a valid print job; keyword arguments replace fields of its JSON payload."""

    def make(**overrides: Any) -> TicketPrintJob:
        return TicketPrintJob.from_dict(_payload(**overrides))

    return make
