"""What a visitor reads of any forecast: low <= median <= high, never past the cap, and a wait
that would read "about 120 minutes" reads "over 2 hours" (the wait text's rule)."""

from __future__ import annotations

import random

from hall_server.core.later_tickets import behind_later_tickets
from hall_server.core.wait_forecast import CAP_MINUTES, WaitForecast, WaitRange


def shown(low: float, median: float, high: float) -> WaitRange:
    return WaitForecast(0, low * 60, median * 60, high * 60, median * 60).display()


def holds(reading: WaitRange) -> None:
    assert 0 <= reading.low_minutes <= reading.median_minutes <= reading.high_minutes
    assert reading.high_minutes <= CAP_MINUTES
    if reading.over_limit:
        assert (reading.low_minutes, reading.median_minutes) == (CAP_MINUTES, CAP_MINUTES)
    else:
        # Not "about 120 minutes": a point at the cap is over the limit.
        assert reading.median_minutes < CAP_MINUTES
        assert not reading.low_minutes == reading.high_minutes == CAP_MINUTES


def test_a_narrow_long_wait_reads_with_its_median_inside_the_range():
    # The issue answer that said {low: 105, high: 105, median: 106}.
    reading = shown(104, 106.4, 108)
    assert reading == WaitRange(105, 105, 105)
    holds(reading)


def test_a_wait_that_rounds_to_the_cap_reads_over_two_hours():
    # "约 120 分钟" at the kiosk: a narrow forecast whose median rounds to 120.
    for low, median, high in [(112, 118, 125), (115, 119.6, 121), (119, 119.7, 119.9)]:
        reading = shown(low, median, high)
        assert reading.over_limit, (low, median, high, reading)
        holds(reading)


def test_every_reading_of_many_forecasts_keeps_its_order_and_its_cap():
    rng = random.Random(20261207)
    for _ in range(20000):
        median = rng.choice([rng.uniform(0, 30), rng.uniform(0, 200), rng.uniform(110, 125)])
        low = median * rng.uniform(0, 1)
        high = median + rng.choice([0.0, rng.uniform(0, 5), rng.uniform(0, 120)])
        forecast = WaitForecast(0, low * 60, median * 60, high * 60, median * 60)
        holds(forecast.display())
        # Read later, or moved behind tickets issued since: the same rules hold.
        holds(forecast.aged(rng.uniform(0, 3600)).display())
        later = [rng.uniform(60, 1800) for _ in range(rng.randrange(4))]
        holds(behind_later_tickets(forecast, later, rng.randrange(1, 4)).display())
