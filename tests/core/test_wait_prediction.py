"""The wait predictor: forecasts from the hall's true state, run forward under its own policy."""

from __future__ import annotations

import random
import statistics
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hall_server.core import wait_prediction
from hall_server.core.arrival_forecast import (
    arrival_periods,
    learn_arrival_profile,
    todays_level,
)
from hall_server.core.calling_policy import FirstComeFirstServed, QueueHead
from hall_server.core.due_time_policy import DueTimePolicy
from hall_server.core.expected_arrivals import ExpectedArrival
from hall_server.core.handling_time_model import (
    CaseInProgress,
    FinishedCase,
    LogNormal,
    fit_earlier_days,
    learn_handling_times,
    update_with_today,
)
from hall_server.core.wait_forecast import CAP_MINUTES, WaitForecast, WaitRange
from hall_server.core.wait_prediction import HallState, PlannedPause, WindowState, predict_hall

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HOUSING, BUSINESS, PERMITS = 1, 2, 3
TEN_MINUTES = learn_handling_times([], {HOUSING: 10, BUSINESS: 10, PERMITS: 10})


@pytest.fixture(params=["every run asks the policy", "one planned run, replayed"])
def engine(request, monkeypatch):
    """Small halls ask the policy in every run; large ones replay one planned order. Both
    must keep every promise below."""
    if request.param == "one planned run, replayed":
        monkeypatch.setattr(wait_prediction, "POLICY_WORK_BUDGET", 0)
    return request.param


def waiting(ticket_id, service_id=HOUSING, minutes_ago=0.0, visitor_class="walk_in", **more):
    at = NOW - timedelta(minutes=minutes_ago)
    return QueueHead(ticket_id, service_id, visitor_class, more.pop("queue_key", at), at, **more)


def window(window_id, *services, **more):
    return WindowState(window_id, tuple(services or (HOUSING,)), **more)


def busy(window_id, *services, minutes=2.0, case_service=HOUSING, **more):
    return window(
        window_id,
        *services,
        case_service_id=case_service,
        case_called_at=NOW - timedelta(minutes=minutes),
        **more,
    )


def forecast(state, policy=None, handling=TEN_MINUTES, **more):
    return predict_hall(state, policy or FirstComeFirstServed(), handling, **more)


def minutes(value: WaitForecast | None) -> float:
    assert value is not None
    return value.median_seconds / 60


def test_later_in_the_queue_never_means_a_shorter_wait(engine):
    queue = tuple(waiting(n, minutes_ago=30 - n) for n in range(1, 13))
    state = HallState(NOW, (busy(1), busy(2, minutes=7)), queue)

    prediction = forecast(state)

    medians = [minutes(prediction.tickets[n]) for n in range(1, 13)]
    highs = [prediction.tickets[n].high_seconds for n in range(1, 13)]
    assert medians == sorted(medians) and highs == sorted(highs)
    assert [prediction.tickets[n].people_ahead for n in range(1, 13)] == list(range(12))
    # Twelve ten-minute cases over two windows: the last waits about an hour, not 120 minutes.
    assert 40 < medians[-1] < 80


def test_the_priority_lane_goes_ahead_of_walk_ins_who_came_earlier(engine):
    queue = (
        waiting(1, minutes_ago=20),
        waiting(2, minutes_ago=15),
        waiting(3, minutes_ago=1, visitor_class="priority"),
    )
    prediction = forecast(HallState(NOW, (busy(1),), queue))

    assert prediction.tickets[3].people_ahead == 0
    assert prediction.tickets[1].people_ahead == 1
    assert minutes(prediction.tickets[3]) < minutes(prediction.tickets[1])


def test_the_halls_own_policy_orders_the_queue_not_a_class_ranking(engine):
    # Under the due-time policy a booked visitor whose slot is 40 minutes away is called after
    # the walk-ins waiting now, although its class ranks before theirs for counting.
    booked_slot = NOW + timedelta(minutes=40)
    queue = (
        waiting(1, minutes_ago=5),
        waiting(2, minutes_ago=4),
        waiting(
            3,
            visitor_class="appointment",
            queue_key=booked_slot,
            appointment_due_at=booked_slot,
        ),
    )
    prediction = forecast(HallState(NOW, (busy(1),), queue), DueTimePolicy())

    assert prediction.tickets[3].people_ahead == 2
    assert minutes(prediction.tickets[2]) < minutes(prediction.tickets[3])


def test_a_case_in_progress_delays_the_next_call_by_what_it_still_needs(engine):
    idle = forecast(HallState(NOW, (window(1),), (waiting(1),)))
    just_started = forecast(HallState(NOW, (busy(1, minutes=0.5),), (waiting(1),)))

    assert idle.tickets[1].high_seconds == 0
    assert 5 < minutes(just_started.tickets[1]) < 15


def test_a_pre_reviewed_visitor_is_called_within_the_promise_while_cases_run_long(engine):
    # Three windows whose cases have run twenty minutes (the mean is ten): each is likely over
    # within minutes, though the mean of what is left is long. The pre-reviewed visitor who
    # just came is due within ten minutes and is called as soon as one frees; the planned run
    # (and every run replaying its order) must see a window free that soon, too.
    queue = tuple(waiting(n, minutes_ago=15 - n) for n in range(1, 11))
    queue += (waiting(11, visitor_class="pre_reviewed"),)
    windows = tuple(busy(number, minutes=20) for number in (1, 2, 3))

    prediction = forecast(HallState(NOW, windows, queue), DueTimePolicy())

    assert minutes(prediction.tickets[11]) < 12


def test_residual_of_a_running_case_is_the_conditional_lognormal_tail():
    case = LogNormal.from_mean(600.0)
    rng = random.Random(3)
    draws = [case.sample(rng) for _ in range(60000)]
    for elapsed in (120.0, 600.0, 1800.0):
        beyond = [d - elapsed for d in draws if d > elapsed]
        assert case.residual_mean(elapsed) == pytest.approx(statistics.fmean(beyond), rel=0.08)
    # Long-tailed: a case that has run long is expected to run longer still, not to end now.
    assert case.residual_mean(1800.0) > case.residual_mean(120.0)


def test_a_paused_window_serves_only_after_its_pause(engine):
    paused_at = NOW - timedelta(minutes=5)
    state = HallState(
        NOW,
        (window(1, status="paused", paused_at=paused_at, pause_reason="break"),),
        (waiting(1),),
    )
    on_break = minutes(forecast(state).tickets[1])
    planned = replace(
        state, windows=(replace(state.windows[0], pause_minutes=45.0),)
    )  # lunch, as the rota says

    assert 5 <= on_break <= 20  # a 15-minute break, 5 minutes gone
    assert 30 <= minutes(forecast(planned).tickets[1]) <= 50


def test_a_planned_pause_holds_the_queue_when_it_comes(engine):
    queue = tuple(waiting(n, minutes_ago=10 - n) for n in range(1, 4))
    state = HallState(NOW, (busy(1, minutes=1),), queue)
    lunch = PlannedPause(1, NOW + timedelta(minutes=5), 45.0)

    before = forecast(state).tickets[3]
    after = forecast(replace(state, planned_pauses=(lunch,))).tickets[3]

    assert minutes(after) > minutes(before) + 30


def test_no_window_for_the_service_means_no_estimate_rather_than_a_wrong_one(engine):
    state = HallState(
        NOW,
        (window(1, HOUSING), window(2, BUSINESS, status="closed")),
        (waiting(1, BUSINESS), waiting(2, HOUSING)),
    )
    prediction = forecast(state, new_ticket_services=(HOUSING, BUSINESS, PERMITS))

    assert prediction.tickets[1] is None
    assert prediction.tickets[2] is not None
    assert prediction.new_ticket[BUSINESS] is None and prediction.new_ticket[PERMITS] is None
    assert prediction.new_ticket[HOUSING] is not None


def test_forecasts_are_never_negative_and_an_absurd_wait_is_said_in_words(engine):
    queue = tuple(waiting(n, minutes_ago=1) for n in range(1, 31))
    prediction = forecast(HallState(NOW, (busy(1),), queue))

    for ticket_forecast in prediction.tickets.values():
        assert ticket_forecast is not None
        assert 0 <= ticket_forecast.low_seconds <= ticket_forecast.median_seconds
        assert ticket_forecast.median_seconds <= ticket_forecast.high_seconds
    last = prediction.tickets[30].display()
    assert last.over_limit and last.low_minutes == last.high_minutes == CAP_MINUTES
    # Read long after it was made, a forecast runs down to zero, never below.
    late = prediction.for_ticket(1, NOW + timedelta(hours=9))
    assert late is not None and late.high_seconds == 0 and late.display().high_minutes == 0


def test_the_same_state_gives_the_same_forecast_in_every_process(engine):
    queue = tuple(waiting(n, minutes_ago=20 - n) for n in range(1, 9))
    state = HallState(
        NOW,
        (busy(1), busy(2, BUSINESS, HOUSING, minutes=9)),
        queue,
        arrivals_per_hour={(HOUSING, "priority"): 2.0, (HOUSING, "walk_in"): 20.0},
    )

    first = forecast(state, new_ticket_services=(HOUSING,))
    second = forecast(state, new_ticket_services=(HOUSING,))
    other_seed = forecast(state, new_ticket_services=(HOUSING,), seed=99)

    assert first == second
    assert first.tickets != other_seed.tickets


def test_a_new_ticket_forecast_changes_no_one_elses_and_matches_the_issued_ticket(engine):
    queue = tuple(waiting(n, minutes_ago=20 - n) for n in range(1, 6))
    state = HallState(NOW, (busy(1), busy(2, minutes=6)), queue)

    without = forecast(state)
    with_new = forecast(state, new_ticket_services=(HOUSING,))
    issued = forecast(replace(state, waiting=(*queue, waiting(6))))

    assert with_new.tickets == without.tickets
    new = with_new.new_ticket[HOUSING]
    assert new is not None and new.people_ahead == 5
    assert minutes(new) == pytest.approx(minutes(issued.tickets[6]), rel=0.2)


def test_a_comprehensive_window_shortens_the_wait_of_every_service_it_serves(engine):
    queue = tuple(waiting(n, BUSINESS, minutes_ago=10 - n) for n in range(1, 5))
    alone = HallState(NOW, (busy(1, BUSINESS, case_service=BUSINESS),), queue)
    helped = replace(alone, windows=(*alone.windows, busy(2, HOUSING, BUSINESS, minutes=8)))

    assert minutes(forecast(helped).tickets[4]) < minutes(forecast(alone).tickets[4])


def test_expected_priority_arrivals_lengthen_a_walk_ins_wait(engine):
    queue = tuple(waiting(n, minutes_ago=10 - n) for n in range(1, 6))
    quiet = HallState(NOW, (busy(1),), queue)
    busy_lane = replace(quiet, arrivals_per_hour={(HOUSING, "priority"): 6.0})

    assert minutes(forecast(busy_lane).tickets[5]) > minutes(forecast(quiet).tickets[5])


def test_a_transferred_ticket_waits_only_for_its_target_window(engine):
    # Ticket 2 was handed to window 1, which is busy; window 2 is free but may not call it.
    queue = (waiting(1, minutes_ago=9), waiting(2, minutes_ago=1, target_window_id=1))
    state = HallState(NOW, (busy(1, minutes=1), window(2)), queue)

    prediction = forecast(state)

    assert prediction.tickets[1].high_seconds == 0  # window 2 takes it at once
    assert minutes(prediction.tickets[2]) > 3  # the rest of window 1's case


# ---- what a visitor reads --------------------------------------------------------------------


def shown(low, median, high):
    return WaitForecast(0, low * 60, median * 60, high * 60, median * 60).display()


def test_a_narrow_forecast_reads_as_one_number_and_a_wide_one_as_a_range():
    assert shown(0, 0.2, 0.6) == WaitRange(0, 0, 0)
    assert shown(6, 7, 8) == WaitRange(7, 7, 7)
    # A long wait is never to the minute, and the median read is the number shown.
    assert shown(34, 37, 41) == WaitRange(35, 35, 35)
    wide = shown(11, 17, 24)
    assert (wide.low_minutes, wide.high_minutes, wide.median_minutes) == (10, 25, 17)
    assert wide.is_range


def test_the_shown_range_always_holds_the_median_and_stops_at_the_cap():
    for low, median, high in [(0, 3, 30), (2, 9, 14), (50, 100, 190), (0, 0.6, 9)]:
        reading = shown(low, median, high)
        assert 0 <= reading.low_minutes <= reading.median_minutes <= reading.high_minutes
        assert reading.high_minutes <= CAP_MINUTES
    assert shown(100, 130, 200).over_limit


# ---- learning handling times and arrivals ----------------------------------------------------


def test_a_new_service_leans_on_its_configured_expectation():
    learned = learn_handling_times([FinishedCase(HOUSING, 60.0)], {HOUSING: 10, BUSINESS: 20})

    # (Today's one quick case hints that the whole hall is quick today, a little.)
    assert learned.for_service(BUSINESS).mean == pytest.approx(1200, rel=0.1)
    assert 200 < learned.for_service(HOUSING).mean < 600  # one quick case moves it, not all the way
    assert learned.for_service(HOUSING).sigma == pytest.approx(0.83, abs=0.2)  # CV near 1


def test_a_day_unlike_the_learned_ones_is_recognised_from_todays_cases():
    rng = random.Random(1)
    usual = LogNormal.from_mean(600.0)
    earlier = fit_earlier_days(
        [FinishedCase(s, usual.sample(rng), today=False) for s in (HOUSING, BUSINESS) * 200],
        {HOUSING: 10, BUSINESS: 10, PERMITS: 10},
    )
    slow = usual.shifted(0.4)  # everything takes half as long again today
    today = update_with_today(earlier, [FinishedCase(HOUSING, slow.sample(rng)) for _ in range(40)])

    assert update_with_today(earlier, []).for_service(HOUSING).mean == pytest.approx(600, rel=0.15)
    assert today.for_service(HOUSING).mean > 800
    assert today.for_service(PERMITS).mean > 700  # the whole hall is slow, even unseen services


def test_quicker_clerks_and_pre_reviewed_cases_are_learned_where_data_allow():
    rng = random.Random(5)
    base = LogNormal.from_mean(600.0)
    cases = [FinishedCase(HOUSING, base.sample(rng), window_id=1) for _ in range(100)]
    cases += [
        FinishedCase(HOUSING, base.shifted(-0.5).sample(rng), window_id=2) for _ in range(100)
    ]
    cases += [FinishedCase(HOUSING, base.sample(rng), window_id=3) for _ in range(100)]
    cases += [
        FinishedCase(HOUSING, base.shifted(-0.5).sample(rng), visitor_class="pre_reviewed")
        for _ in range(60)
    ]
    learned = learn_handling_times(cases, {HOUSING: 10})

    # The clerk at window 2 takes 0.61 times as long; learned, though shrunk a little.
    assert learned.for_case(HOUSING, 2).mean < 0.8 * learned.for_case(HOUSING, 1).mean
    assert learned.for_service(HOUSING, "pre_reviewed").mean < learned.for_service(HOUSING).mean


def test_clerks_alike_get_no_effect_from_the_luck_of_their_cases():
    # Six windows, forty cases each, all from the same distribution: any window would show
    # some ten per cent quicker or slower by chance; a window effect learned from that would
    # only add error to every forecast at that window.
    rng = random.Random(8)
    same = LogNormal.from_mean(600.0)
    cases = [
        FinishedCase(HOUSING, same.sample(rng), window_id=window)
        for window in range(1, 7)
        for _ in range(40)
    ]
    learned = learn_handling_times(cases, {HOUSING: 10})

    means = [learned.for_case(HOUSING, window).mean for window in range(1, 7)]
    assert max(means) / min(means) < 1.05


def test_cases_still_in_hand_keep_the_learned_times_from_leaning_quick():
    # A service of ten minutes on average, called once a minute for the last hour: the cases
    # finished by now are mostly the quick ones, the long ones are still at the windows.
    rng = random.Random(4)
    truth = LogNormal.from_mean(600.0)
    earlier = fit_earlier_days([], {HOUSING: 10})
    finished, in_hand = [], []
    for minutes_ago in range(60):
        length = truth.sample(rng)
        if length <= minutes_ago * 60:
            finished.append(FinishedCase(HOUSING, length))
        else:
            in_hand.append(CaseInProgress(HOUSING, minutes_ago * 60.0))

    quick = update_with_today(earlier, finished)
    corrected = update_with_today(earlier, finished, in_hand)

    assert quick.for_service(HOUSING).mean < 0.8 * truth.mean
    assert corrected.for_service(HOUSING).mean == pytest.approx(truth.mean, rel=0.15)
    # The forecast does the same from the hall's windows: their cases are the ones in hand.
    assert quick.given_cases_in_progress(in_hand).for_service(HOUSING).mean == pytest.approx(
        corrected.for_service(HOUSING).mean
    )
    # Before any case of the day is done there is no quick lean to correct: the first cases in
    # hand say what they say when done, rather than unsettle every forecast meanwhile.
    first_of_the_day = update_with_today(earlier, [], in_hand[:2])
    assert first_of_the_day.for_service(HOUSING) == update_with_today(earlier, []).for_service(
        HOUSING
    )


def test_a_service_known_only_by_its_expectation_gets_a_wider_forecast(engine):
    # The same expected ten minutes, once from 600 cases and once from the configuration
    # alone: where the hall has never seen the service, its promise must be wider.
    rng = random.Random(6)
    usual = LogNormal.from_mean(600.0)
    learned = learn_handling_times(
        [FinishedCase(HOUSING, usual.sample(rng), today=False) for _ in range(600)],
        {HOUSING: 10},
    )
    configured = learn_handling_times([], {HOUSING: 10})
    queue = tuple(waiting(n, minutes_ago=30 - n) for n in range(1, 16))
    state = HallState(NOW, (busy(1), busy(2, minutes=7)), queue)

    well_known = forecast(state, handling=learned).tickets[15]
    unknown = forecast(state, handling=configured).tickets[15]
    assert well_known is not None and unknown is not None

    def spread(value: WaitForecast) -> float:
        return value.high_seconds - value.low_seconds

    assert spread(unknown) > 1.2 * spread(well_known)


def test_arrivals_follow_the_usual_day_scaled_to_today():
    # Earlier days: 60 an hour from 9:00 to 11:00, 10 an hour over lunch.
    usual = [(HOUSING, "walk_in", 540 + k) for k in range(120)] * 2
    usual += [(HOUSING, "walk_in", 720 + k * 6) for k in range(20)] * 2
    profile = learn_arrival_profile(usual, days=2)

    busier = todays_level(profile, issued_recently=90, local_minute=600, minutes_open=60)
    quiet_start = todays_level(profile, issued_recently=0, local_minute=545, minutes_open=5)
    periods = arrival_periods(profile, NOW, 600, busier, timedelta(hours=3))

    assert 1.2 < busier < 1.5 and quiet_start < 1.0
    assert periods[0].per_hour[(HOUSING, "walk_in")] == pytest.approx(60 * busier)
    lunch = [p for p in periods if p.start >= NOW + timedelta(minutes=120)]
    assert lunch and all(p.per_hour[(HOUSING, "walk_in")] < 20 for p in lunch)


def test_the_opening_rush_is_not_expected_again_later_in_the_first_half_hour():
    # Every earlier day: twelve visitors who waited at the door take tickets at 9:00 sharp,
    # then one every three minutes (20 an hour).
    day = [(HOUSING, "walk_in", 540.0 + k / 60) for k in range(12)]
    day += [(HOUSING, "walk_in", 541.0 + 3 * k) for k in range(60)]
    profile = learn_arrival_profile(day * 3, days=3)

    at_ten_past = arrival_periods(profile, NOW, 550, 1.0, timedelta(minutes=20))
    assert at_ten_past[0].per_hour[(HOUSING, "walk_in")] == pytest.approx(20, rel=0.1)
    # The rush still counts for how busy today is: twelve at the door and three since is usual.
    assert todays_level(profile, issued_recently=15, local_minute=550, minutes_open=10) == (
        pytest.approx(1.0, abs=0.05)
    )


def test_todays_mix_of_services_and_classes_leans_on_todays_tickets():
    profile = learn_arrival_profile([(HOUSING, "walk_in", 540 + k) for k in range(120)], days=1)
    periods = arrival_periods(
        profile, NOW, 600, 1.0, timedelta(hours=1), issued_today={(BUSINESS, "walk_in"): 100}
    )

    rates = periods[0].per_hour
    assert rates[(BUSINESS, "walk_in")] > rates[(HOUSING, "walk_in")] > 0


def test_an_expected_booking_cuts_in_only_around_its_slot(engine):
    # Booked visitors check in 15 minutes before their slot: until then walk-ins go first.
    # (Twelve bookings an hour at two windows; the third walk-in is called in a quarter hour
    # when they wait for their slots.)
    profile = learn_arrival_profile(
        [(HOUSING, "appointment", 540 + 5 * k) for k in range(24)],
        days=1,
        booked_leads_minutes=[15],
    )
    queue = tuple(waiting(n, minutes_ago=3 - n * 0.1) for n in range(1, 4))
    state = HallState(
        NOW,
        (busy(1, minutes=8), busy(2, minutes=3)),
        queue,
        arrival_periods=arrival_periods(profile, NOW, 600, 1.0, timedelta(hours=2)),
    )
    at_once = replace(
        state,
        arrival_periods=tuple(replace(p, booked_lead_minutes=0) for p in state.arrival_periods),
    )

    policy = DueTimePolicy()
    assert minutes(forecast(state, policy).tickets[3]) + 3 < minutes(
        forecast(at_once, policy).tickets[3]
    )


def test_known_bookings_cut_in_and_replace_the_usual_rate_of_appointments(engine):
    queue = tuple(waiting(n, minutes_ago=3 - n * 0.1) for n in range(1, 4))
    base = HallState(NOW, (busy(1, minutes=8),), queue)
    slot = NOW + timedelta(minutes=5)
    booking = ExpectedArrival(HOUSING, "appointment", NOW + timedelta(minutes=1), 1.0, slot)
    booked = replace(base, bookings=(booking,) * 3, bookings_known=True)
    usual_rate = replace(base, arrivals_per_hour={(HOUSING, "appointment"): 30.0})
    policy = DueTimePolicy()

    assert minutes(forecast(booked, policy).tickets[3]) > minutes(forecast(base, policy).tickets[3])
    # With the bookings known and none left, no appointment is expected at the usual rate.
    none_left = replace(usual_rate, bookings_known=True)
    assert forecast(none_left, policy).tickets == forecast(base, policy).tickets
    assert forecast(usual_rate, policy).tickets != forecast(base, policy).tickets


def test_a_booked_visitor_called_next_has_nobody_ahead_however_busy_the_other_windows(engine):
    # Window 1 serves housing and business and is busy for a few more minutes; windows 2 and
    # 3 serve business alone and call its walk-ins meanwhile. The booked housing visitor, due
    # now, is the next window 1 calls: those windows 2 and 3 call are not ahead of it.
    queue = (
        waiting(1, visitor_class="appointment", appointment_due_at=NOW),
        *(waiting(10 + n, BUSINESS, minutes_ago=20 - n) for n in range(12)),
    )
    windows = (
        busy(1, HOUSING, BUSINESS, minutes=6),
        window(2, BUSINESS),
        window(3, BUSINESS),
    )
    quick = learn_handling_times([], {HOUSING: 10, BUSINESS: 2})

    prediction = forecast(HallState(NOW, windows, queue), DueTimePolicy(), handling=quick)

    assert prediction.tickets[1].people_ahead == 0
    assert minutes(prediction.tickets[1]) < 8  # window 1's case, not the business queue
    # The business walk-ins count those windows 1-3 call first, as before.
    assert [prediction.tickets[10 + n].people_ahead for n in range(3)] == [0, 1, 2]
