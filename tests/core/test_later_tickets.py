"""A new walk-in placed by a forecast made a moment before it: behind the tickets issued since."""

from __future__ import annotations

import pytest

from hall_server.core.later_tickets import behind_later_tickets
from hall_server.core.wait_forecast import WaitForecast

FORECAST = WaitForecast(
    people_ahead=4, low_seconds=60, median_seconds=300, high_seconds=600, mean_seconds=320
)


def test_with_nothing_issued_since_the_forecast_stands():
    assert behind_later_tickets(FORECAST, [], windows=2) is FORECAST


def test_later_tickets_add_their_handling_shared_among_the_windows():
    moved = behind_later_tickets(FORECAST, [600.0, 300.0], windows=3)

    assert moved.people_ahead == 6
    assert (moved.low_seconds, moved.median_seconds, moved.high_seconds, moved.mean_seconds) == (
        360.0,
        600.0,
        900.0,
        620.0,
    )


@pytest.mark.parametrize(
    ("later", "windows"), [([300.0], 0), ([-1.0], 2)], ids=["no window", "negative handling"]
)
def test_impossible_inputs_are_refused(later, windows):
    with pytest.raises(ValueError):
        behind_later_tickets(FORECAST, later, windows)


def test_a_later_ticket_other_windows_also_serve_counts_by_its_share_of_these():
    # Two later tickets: one of the new ticket's own service (its windows alone serve it), one
    # of a service three windows serve, one of them the new ticket's: a third of it is here.
    moved = behind_later_tickets(FORECAST, [600.0, 900.0], windows=1, shares=[1.0, 1 / 3])

    assert moved.people_ahead == 5
    assert moved.median_seconds == pytest.approx(300 + 600 + 300)


def test_shares_must_match_the_later_tickets():
    with pytest.raises(ValueError):
        behind_later_tickets(FORECAST, [600.0], windows=1, shares=[1.0, 1.0])
    with pytest.raises(ValueError):
        behind_later_tickets(FORECAST, [600.0], windows=1, shares=[1.5])
