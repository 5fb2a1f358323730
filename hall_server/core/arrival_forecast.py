"""Arrivals still to come: when a hall's visitors usually come, scaled by how busy today is.

Visitors who take a ticket later can still be called before someone waiting now (the priority
lane, booked and pre-reviewed visitors), so a forecast needs the arrivals ahead, and halls
have strong daily shapes: a morning peak at about 1.5 times the mean, a lunch dip. The profile
is the mean number of tickets per hour on earlier days by half hour of the local day, and the
share of each (service, visitor class) over those days: a few weeks of tickets spread over
every half hour, service and class would be too thin to read. Today's level is the tickets of
the last two hours against what the profile expected for them, and today's mix of services and
classes (appointments are 10% of one day and 30% of another) leans on today's tickets as they
accumulate; both are pulled toward the usual while there is little to go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

BUCKET_MINUTES = 30
LEVEL_WINDOW_MINUTES = 120
LEVEL_SHRINK_TICKETS = 30.0
MIX_SHRINK_TICKETS = 50.0
MIN_LEVEL, MAX_LEVEL = 0.5, 2.0
OPENING_RUSH_MINUTES = 1.0
MINUTES_A_DAY = 24 * 60

ArrivalKey = tuple[int, str]  # (service id, visitor class)


@dataclass(frozen=True)
class ArrivalPeriod:
    """Tickets expected per hour, by (service, visitor class), from `start` to `end`."""

    start: datetime
    end: datetime
    per_hour: Mapping[ArrivalKey, float]
    booked_lead_minutes: float = 0.0


@dataclass(frozen=True)
class ArrivalProfile:
    """Mean tickets per hour on earlier days by half hour of the local day, and their mix."""

    per_bucket: Mapping[int, float]
    mix: Mapping[ArrivalKey, float]  # shares of (service, visitor class), summing to 1
    # How long before their slot booked visitors check in, on average: until the slot they
    # wait behind walk-ins, so an expected booking cuts in only then.
    booked_lead_minutes: float = 0.0
    # Visitors who queued at the door take their tickets the minute the hall opens: so many a
    # day, at that minute, and not spread over the first half hour (after which they are
    # past, and at the same rate they would make the arrivals to come look busier).
    opening_minute: float | None = None
    opening_rush: float = 0.0

    def expected_between(self, first_minute: float, last_minute: float) -> float:
        """Tickets the profile expects between two local minutes of the day."""
        total = 0.0
        opening = self.opening_minute
        rush_within = (
            opening is not None
            and first_minute < opening + OPENING_RUSH_MINUTES
            and last_minute > opening
        )
        if rush_within:
            total += self.opening_rush
        minute = first_minute
        while minute < last_minute:
            bucket = int(minute // BUCKET_MINUTES)
            bucket_end = min((bucket + 1) * BUCKET_MINUTES, last_minute)
            total += self.per_bucket.get(bucket, 0.0) * (bucket_end - minute) / 60
            minute = bucket_end
        return total

    def todays_mix(self, issued_today: Mapping[ArrivalKey, int]) -> dict[ArrivalKey, float]:
        """The usual mix, moved toward today's tickets as they accumulate."""
        today = sum(issued_today.values())
        keys = set(self.mix) | set(issued_today)
        return {
            key: (issued_today.get(key, 0) + MIX_SHRINK_TICKETS * self.mix.get(key, 0.0))
            / (today + MIX_SHRINK_TICKETS)
            for key in keys
        }


def learn_arrival_profile(
    issued: Iterable[tuple[int, str, float]],
    days: int,
    booked_leads_minutes: Iterable[float] = (),
) -> ArrivalProfile:
    """`issued` holds (service, class, local minute of the day) of every ticket on `days` days;
    `booked_leads_minutes` how long before its slot each booked visitor checked in. Tickets
    of the first OPENING_RUSH_MINUTES after the earliest are the opening rush."""
    leads = [max(lead, 0.0) for lead in booked_leads_minutes]
    lead = sum(leads) / len(leads) if leads else 0.0
    if days <= 0:
        return ArrivalProfile({}, {}, lead)
    issued = list(issued)
    opening = min((minute for _s, _c, minute in issued), default=None)
    per_bucket: dict[int, float] = {}
    mix: dict[ArrivalKey, float] = {}
    rush = 0
    for service_id, visitor_class, minute in issued:
        mix[(service_id, visitor_class)] = mix.get((service_id, visitor_class), 0.0) + 1
        if opening is not None and minute < opening + OPENING_RUSH_MINUTES:
            rush += 1
            continue
        bucket = int(minute // BUCKET_MINUTES)
        per_bucket[bucket] = per_bucket.get(bucket, 0.0) + 1
    total = sum(mix.values())
    per_hour = 60 / BUCKET_MINUTES / days
    return ArrivalProfile(
        {bucket: count * per_hour for bucket, count in per_bucket.items()},
        {key: count / total for key, count in mix.items()},
        lead,
        opening,
        rush / days,
    )


def todays_level(
    profile: ArrivalProfile, issued_recently: int, local_minute: float, minutes_open: float
) -> float:
    """How busy today is against the profile: `issued_recently` counts the tickets of the last
    LEVEL_WINDOW_MINUTES (or since opening, if that is shorter)."""
    window = min(LEVEL_WINDOW_MINUTES, max(minutes_open, 0.0))
    expected = profile.expected_between(local_minute - window, local_minute)
    level = (issued_recently + LEVEL_SHRINK_TICKETS) / (expected + LEVEL_SHRINK_TICKETS)
    return min(max(level, MIN_LEVEL), MAX_LEVEL)


def arrival_periods(
    profile: ArrivalProfile,
    now: datetime,
    local_minute: float,
    level: float,
    horizon: timedelta,
    issued_today: Mapping[ArrivalKey, int] | None = None,
) -> tuple[ArrivalPeriod, ...]:
    """The profile's rates from now on, half hour by half hour, times today's level and mix."""
    mix = profile.todays_mix(issued_today or {})
    periods = []
    minute = local_minute
    last = min(local_minute + horizon.total_seconds() / 60, MINUTES_A_DAY)
    while minute < last:
        bucket = int(minute // BUCKET_MINUTES)
        bucket_end = min((bucket + 1) * BUCKET_MINUTES, last)
        total = profile.per_bucket.get(bucket, 0.0) * level
        if total > 0:
            periods.append(
                ArrivalPeriod(
                    start=now + timedelta(minutes=minute - local_minute),
                    end=now + timedelta(minutes=bucket_end - local_minute),
                    per_hour={key: total * share for key, share in mix.items() if share > 0},
                    booked_lead_minutes=profile.booked_lead_minutes,
                )
            )
        minute = bucket_end
    return tuple(periods)
