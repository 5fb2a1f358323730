"""A new ticket's wait when the hall's forecast is a moment older than the ticket.

A forecast of the whole hall costs tens of milliseconds, so a server makes one per hall at most
every second or so and reads it in between (hall_server.operations.wait_predictions). A walk-in
issued in between stands behind the hypothetical new ticket of that forecast *and* behind the
tickets issued since, which the forecast does not know. Their handling, shared among the windows
that can serve the new ticket, is what they add to its wait: a fluid reckoning, right on average,
and only ever applied to the few tickets of one such second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from hall_server.core.wait_forecast import WaitForecast


def behind_later_tickets(
    forecast: WaitForecast,
    later_handling_seconds: Iterable[float],
    windows: int,
    shares: Iterable[float] | None = None,
) -> WaitForecast:
    """`forecast` (a new ticket's, made earlier) moved behind tickets issued since then.

    `later_handling_seconds` holds the mean handling time of each ticket issued since the
    forecast that the new ticket's windows would call first; `windows` is how many windows can
    serve the new ticket (at least one, or it has no forecast at all). `shares` holds, for each,
    the share of its windows that are the new ticket's (1 where all are: left out, every one):
    a ticket of a service that other windows serve too is called there as often, and then
    neither stands ahead of the new ticket nor takes its windows' time, as a fresh forecast
    counts the people ahead (those its windows call first).
    """
    if windows < 1:
        raise ValueError("a ticket with a forecast has at least one window")
    seconds = list(later_handling_seconds)
    if not seconds:
        return forecast
    if any(value < 0 for value in seconds):
        raise ValueError("handling times are never negative")
    weights = [1.0] * len(seconds) if shares is None else list(shares)
    if len(weights) != len(seconds) or any(not 0 <= share <= 1 for share in weights):
        raise ValueError("one share between 0 and 1 for each later ticket")
    added = sum(value * share for value, share in zip(seconds, weights, strict=True)) / windows
    return replace(
        forecast,
        people_ahead=forecast.people_ahead + round(sum(weights)),
        low_seconds=forecast.low_seconds + added,
        median_seconds=forecast.median_seconds + added,
        high_seconds=forecast.high_seconds + added,
        mean_seconds=forecast.mean_seconds + added,
    )
