"""Taking a ticket remotely (线上取号): whether a hall allows it now, and the visitor's phone.

A remote ticket is an ordinary walk-in ticket; these rules come on top of the hall's issuing
rules (core/issuing_rules.py), which apply unchanged. They protect the visitors who come in
person: the hall opts in, chooses the services, caps the remote tickets waiting at once, and
keeps a share of each limited service's daily quota for the kiosk. A number typed on a phone is
not proven to be the visitor's (no SMS code), so one number takes only a few tickets a day.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hall_server.core.refusals import Refused

MAINLAND_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")
MAX_WAITING_LIMIT = 10_000
# Remote tickets one mobile number may take in a hall in a day, across services, cancelled ones
# included: taking and cancelling under made-up numbers must not fill the online places.
TICKETS_PER_PHONE_PER_DAY = 3


def mainland_mobile(raw: str) -> str:
    """The 11 digits of a mainland mobile number as a visitor may type it (spaces, dashes,
    +86, full-width digits from a Chinese keyboard); refused otherwise. One number, one
    holder: the hash is taken of these digits."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    for country_code in ("+86", "0086"):
        digits = digits.removeprefix(country_code)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not MAINLAND_MOBILE.match(digits):
        raise Refused(
            "invalid_phone",
            "that is not a mainland mobile number: 11 digits starting with 13 to 19",
            field="phone",
        )
    return digits


@dataclass(frozen=True)
class RemoteIssuingSettings:
    """A hall's settings; what a manager does not set keeps these defaults (off)."""

    enabled: bool = False
    # The services that may be taken remotely; None: every active service, new ones too.
    service_ids: tuple[int, ...] | None = None
    # Remote tickets waiting in the hall at once (at least 1: `enabled` switches them off);
    # beyond it, visitors take a ticket in the hall.
    max_waiting: int = 20
    # The share of a service's daily quota that remote tickets may take (services without a
    # quota are limited by max_waiting only).
    quota_share_percent: int = 50

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> RemoteIssuingSettings:
        """The settings as stored (a JSON object); unknown keys and wrong types are ignored."""
        stored = stored or {}
        defaults = cls()
        service_ids = stored.get("service_ids")
        return cls(
            enabled=stored.get("enabled") is True,
            service_ids=None
            if not isinstance(service_ids, list)
            else tuple(sorted({i for i in service_ids if _is_int(i)})),
            max_waiting=_int_within(stored.get("max_waiting"), 1, MAX_WAITING_LIMIT)
            if _is_int(stored.get("max_waiting"))
            else defaults.max_waiting,
            quota_share_percent=_int_within(stored.get("quota_share_percent"), 0, 100)
            if _is_int(stored.get("quota_share_percent"))
            else defaults.quota_share_percent,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "service_ids": None if self.service_ids is None else list(self.service_ids),
            "max_waiting": self.max_waiting,
            "quota_share_percent": self.quota_share_percent,
        }

    def offers(self, service_id: int) -> bool:
        return self.service_ids is None or service_id in self.service_ids

    def remote_quota(self, daily_quota: int | None) -> int | None:
        """How many of the day's tickets of a limited service may be taken remotely."""
        if daily_quota is None:
            return None
        return daily_quota * self.quota_share_percent // 100


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_within(value: Any, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


@dataclass(frozen=True)
class RemoteIssuingContext:
    service_id: int
    service_daily_quota: int | None
    remote_waiting_in_hall: int
    # Remote tickets of the service issued today and not cancelled: a cancelled ticket takes no
    # place in the online share.
    remote_issued_today_for_service: int
    # Remote tickets the visitor's number took in the hall today, cancelled ones included; 0
    # when the visitor is not known yet (the phone page's offer).
    phone_remote_tickets_today: int = 0


def nothing_offered_online() -> Refused:
    """The phone page's refusal when the hall is on but offers no service online (none chosen,
    or every chosen one's online share of its quota rounds to nothing)."""
    return Refused(
        "no_remote_services",
        "no service can be taken online in this hall now; please take a ticket at a kiosk "
        "in the hall",
    )


def check_may_issue_remotely(
    settings: RemoteIssuingSettings, context: RemoteIssuingContext
) -> None:
    """Raise Refused with the reason a visitor should read, or return when the hall allows it."""
    if not settings.enabled:
        raise Refused(
            "remote_tickets_off",
            "this hall does not give tickets online; please take one at a kiosk in the hall",
        )
    share = settings.remote_quota(context.service_daily_quota)
    if not settings.offers(context.service_id) or share == 0:
        raise Refused(
            "service_not_remote",
            "tickets for this service are not given online; please take one at a kiosk in the hall",
            field="service_id",
        )
    if context.phone_remote_tickets_today >= TICKETS_PER_PHONE_PER_DAY:
        raise Refused(
            "phone_daily_limit_reached",
            f"this mobile number has taken {TICKETS_PER_PHONE_PER_DAY} tickets online in this "
            "hall today, the most one number may; please take one at a kiosk in the hall",
            field="phone",
        )
    if context.remote_waiting_in_hall >= settings.max_waiting:
        raise Refused(
            "remote_tickets_full",
            f"{settings.max_waiting} online tickets are already waiting in this hall; please "
            "try again later or take one at a kiosk in the hall",
        )
    if share is not None and context.remote_issued_today_for_service >= share:
        raise Refused(
            "remote_share_reached",
            f"today's {share} online tickets for this service are all taken; please take one "
            "at a kiosk in the hall",
        )
