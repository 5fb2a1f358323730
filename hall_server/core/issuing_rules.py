"""Whether a ticket may be issued now: hours, quota and one active ticket per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hall_server.core.opening_hours import parse_weekly_hours
from hall_server.core.refusals import Refused


@dataclass(frozen=True)
class IssuingContext:
    hall_time_zone: str
    hall_opening_hours: str | None
    service_issuing_hours: str | None
    service_daily_quota: int | None
    service_active: bool
    issued_today_for_service: int
    holder_has_active_ticket_for_service: bool
    # Does any window serve the service? One no window serves would wait to be called by nobody.
    service_served_by_a_window: bool = True


def check_hall_open(time_zone: str, opening_hours: str | None, now: datetime) -> None:
    """The hall's own part of the rules: outside its opening hours it gives no ticket at all."""
    if not parse_weekly_hours(opening_hours).is_open(now, time_zone):
        raise Refused("hall_closed", "the hall is not open now; please come back in opening hours")


def check_may_issue(context: IssuingContext, now: datetime) -> None:
    """Raise Refused with the reason a visitor should read, or return when issuing is allowed."""
    if not context.service_active:
        raise Refused("service_not_offered", "this service is not offered in this hall")
    if not context.service_served_by_a_window:
        raise Refused(
            "no_window_serves",
            "no window handles this service yet; please ask at the information desk",
        )
    check_hall_open(context.hall_time_zone, context.hall_opening_hours, now)
    service_hours = parse_weekly_hours(context.service_issuing_hours)
    if not service_hours.is_open(now, context.hall_time_zone):
        raise Refused(
            "outside_issuing_hours",
            "tickets for this service are not issued at this time of day",
        )
    quota = context.service_daily_quota
    if quota == 0:  # a quota of 0 is how a manager stops a service issuing, for now
        raise Refused(
            "daily_quota_reached",
            "this service issues no tickets today; please book an appointment",
        )
    if quota is not None and context.issued_today_for_service >= quota:
        raise Refused(
            "daily_quota_reached",
            f"today's {quota} tickets for this service are all taken; please book an appointment",
        )
    if context.holder_has_active_ticket_for_service:
        raise Refused(
            "already_holds_ticket",
            "you already hold a ticket for this service; please keep that one",
        )
