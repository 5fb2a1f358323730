"""The rules of taking a ticket remotely, without a database: the visitor's mobile number, the
hall's settings as stored, and which refusal comes first."""

from __future__ import annotations

import pytest

from hall_server.core.refusals import Refused
from hall_server.core.remote_issuing import (
    TICKETS_PER_PHONE_PER_DAY,
    RemoteIssuingContext,
    RemoteIssuingSettings,
    check_may_issue_remotely,
    mainland_mobile,
)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086 19912345678", "19912345678"),
        ("8615012345678", "15012345678"),
        ("１３８００１３８０００", "13800138000"),  # full-width, from a Chinese keyboard
    ],
)
def test_a_mobile_number_is_its_eleven_digits_however_it_is_typed(typed: str, digits: str) -> None:
    assert mainland_mobile(typed) == digits


@pytest.mark.parametrize(
    "typed",
    ["", "1380013800", "138001380001", "12800138000", "10086", "23800138000", "+1 650 253 0000",
     "1380013800x", "١٣٨٠٠١٣٨٠٠٠"],
)  # fmt: skip
def test_anything_else_is_not_a_mainland_mobile_number(typed: str) -> None:
    with pytest.raises(Refused) as refused:
        mainland_mobile(typed)
    assert (refused.value.code, refused.value.field) == ("invalid_phone", "phone")


def test_settings_are_off_by_default_and_stored_nonsense_is_ignored() -> None:
    assert RemoteIssuingSettings.of(None) == RemoteIssuingSettings()
    assert RemoteIssuingSettings().enabled is False
    stored = {"enabled": "yes", "service_ids": [3, "4", True, 3, 1], "max_waiting": -5,
              "quota_share_percent": 250, "colour": "red"}  # fmt: skip
    settings = RemoteIssuingSettings.of(stored)
    assert settings == RemoteIssuingSettings(  # a cap of none is no cap: `enabled` is the switch
        enabled=False, service_ids=(1, 3), max_waiting=1, quota_share_percent=100
    )
    assert RemoteIssuingSettings.of(settings.to_dict()) == settings


def test_the_online_share_of_a_quota_is_rounded_down_and_unlimited_services_have_none() -> None:
    settings = RemoteIssuingSettings(enabled=True, quota_share_percent=30)
    assert settings.remote_quota(10) == 3
    assert settings.remote_quota(3) == 0
    assert settings.remote_quota(None) is None


def refusal(settings: RemoteIssuingSettings, **context: int | None) -> str | None:
    facts = {"service_id": 1, "service_daily_quota": None, "remote_waiting_in_hall": 0,
             "remote_issued_today_for_service": 0, **context}  # fmt: skip
    try:
        check_may_issue_remotely(settings, RemoteIssuingContext(**facts))  # type: ignore[arg-type]
    except Refused as refused:
        return refused.code
    return None


def test_each_rule_refuses_in_turn() -> None:
    on = RemoteIssuingSettings(enabled=True, service_ids=(1,), max_waiting=2)

    assert refusal(RemoteIssuingSettings(), remote_waiting_in_hall=5) == "remote_tickets_off"
    assert refusal(on, service_id=2, remote_waiting_in_hall=5) == "service_not_remote"
    assert refusal(on, service_daily_quota=1) == "service_not_remote"  # 50% of 1 is none
    assert refusal(on, remote_waiting_in_hall=2) == "remote_tickets_full"
    assert refusal(on, remote_waiting_in_hall=1) is None
    assert refusal(on, service_daily_quota=10, remote_issued_today_for_service=5) == (
        "remote_share_reached"
    )
    assert refusal(on, service_daily_quota=10, remote_issued_today_for_service=4) is None
    assert refusal(RemoteIssuingSettings(enabled=True)) is None  # every service by default


def test_one_number_takes_only_a_few_tickets_online_a_day() -> None:
    on = RemoteIssuingSettings(enabled=True, service_ids=(1,), max_waiting=2)
    limit = TICKETS_PER_PHONE_PER_DAY

    assert refusal(on, phone_remote_tickets_today=limit - 1) is None
    assert refusal(on, phone_remote_tickets_today=limit) == "phone_daily_limit_reached"
    # A number at its limit is told so before the hall's cap, which may free up later today.
    assert refusal(on, phone_remote_tickets_today=limit, remote_waiting_in_hall=2) == (
        "phone_daily_limit_reached"
    )
    assert refusal(on, service_id=2, phone_remote_tickets_today=limit) == "service_not_remote"
