"""The forecast's cut-off: its runs stop calling a few hours ahead, so a hall's forecast costs the
same however many wait, a hall whose every ticket is called before then gets the forecast it
always got, and a ticket beyond it is told so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hall_server.core import wait_prediction
from hall_server.core.calling_policy import FirstComeFirstServed, QueueHead, WindowView
from hall_server.core.due_time_policy import DueTimePolicy, DueTimeSettings
from hall_server.core.expected_arrivals import ExpectedArrival
from hall_server.core.handling_time_model import learn_handling_times
from hall_server.core.queue_forward_runs import (
    HYPOTHETICAL,
    REAL,
    QueueCuts,
    RunWindow,
    plan_order,
    run_item,
)
from hall_server.core.wait_forecast import CAP_MINUTES
from hall_server.core.wait_prediction import (
    CUTOFF_SECONDS,
    HallState,
    QueueTail,
    WindowState,
    predict_hall,
    queue_reach,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HOUSING, BUSINESS, PERMITS, LICENCES = 1, 2, 3, 4
TEN_MINUTES = learn_handling_times([], {HOUSING: 10, BUSINESS: 10, PERMITS: 10, LICENCES: 10})


@pytest.fixture(params=["every run asks the policy", "one planned run, replayed"])
def engine(request, monkeypatch):
    if request.param == "one planned run, replayed":
        monkeypatch.setattr(wait_prediction, "POLICY_WORK_BUDGET", 0)
    return request.param


def waiting(ticket_id, service_id=HOUSING, queued=NOW, visitor_class="walk_in", **more):
    return QueueHead(ticket_id, service_id, visitor_class, queued, queued, **more)


def long_queue(count: int) -> HallState:
    """Six windows serving three services alike, `count` walk-ins queued since yesterday one a
    second, spread over the services: the first tickets are the same however many follow."""
    windows = tuple(WindowState(number, (HOUSING, BUSINESS, PERMITS)) for number in range(1, 7))
    start = NOW - timedelta(days=1)
    queue = tuple(
        waiting(n, (HOUSING, BUSINESS, PERMITS)[n % 3], start + timedelta(seconds=n))
        for n in range(1, count + 1)
    )
    return HallState(NOW, windows, queue)


def test_a_longer_queue_costs_the_forecast_no_more_work_and_changes_no_forecast_ahead(
    engine, monkeypatch
):
    held: dict[int, list[int]] = {}  # run items, per forecast's run
    weighed: dict[int, list[int]] = {}  # queue heads the policy weighed, per run
    replayed: dict[int, list[int]] = {}  # calls replayed, per replay
    plan_order, timed_runs = wait_prediction.plan_order, wait_prediction.timed_runs

    def counting_plan(items, *args, **kwargs):
        run = plan_order(items, *args, **kwargs)
        held[size].append(len(items))
        weighed[size].append(run.policy_work)
        return run

    def counting_replay(items, windows, planned, *args, **kwargs):
        replayed[size].append(len(planned.order))
        return timed_runs(items, windows, planned, *args, **kwargs)

    monkeypatch.setattr(wait_prediction, "plan_order", counting_plan)
    monkeypatch.setattr(wait_prediction, "timed_runs", counting_replay)
    predictions = {}
    for size in (2_000, 50_000):
        held[size], weighed[size], replayed[size] = [], [], []
        predictions[size] = predict_hall(
            long_queue(size), FirstComeFirstServed(), TEN_MINUTES, new_ticket_services=(HOUSING,)
        )

    # Six windows call some 110 tickets in three hours: the runs hold a few hundred of each
    # queue (QueueReach's margin), whether 2,000 or 50,000 wait, and do the very same work.
    assert max(held[50_000]) < 1_000
    assert (held[50_000], weighed[50_000], replayed[50_000]) == (
        held[2_000],
        weighed[2_000],
        replayed[2_000],
    )
    small, large = predictions[2_000], predictions[50_000]
    assert len(large.tickets) == 50_000
    front = [n for n in range(1, 2_001) if not small.tickets[n].beyond_cutoff]
    assert len(front) > 100
    assert [large.tickets[n] for n in front] == [small.tickets[n] for n in front]
    assert large.tickets[49_999].beyond_cutoff and large.new_ticket[HOUSING].beyond_cutoff


def a_realistic_hall() -> HallState:
    """Five windows (one on a break, one transferred-to), four services, booked and priority
    visitors, bookings and arrivals to come: everyone is promised a call within two hours."""
    windows = (
        WindowState(1, (HOUSING, BUSINESS), "open", HOUSING, "walk_in", NOW - timedelta(minutes=4)),
        WindowState(2, (HOUSING,), "open", HOUSING, "priority", NOW - timedelta(minutes=12)),
        WindowState(3, (LICENCES, BUSINESS, PERMITS), "open"),
        WindowState(
            4,
            (PERMITS, HOUSING),
            "paused",
            paused_at=NOW - timedelta(minutes=5),
            pause_reason="break",
        ),
        WindowState(5, (LICENCES, PERMITS), "open", PERMITS, "walk_in", NOW - timedelta(minutes=1)),
    )
    services = (HOUSING, BUSINESS, PERMITS, LICENCES)
    queue = [
        waiting(n, services[n % 4], NOW - timedelta(minutes=30 - n)) for n in range(1, 21) if n % 9
    ]
    queue += [
        waiting(40, HOUSING, NOW - timedelta(minutes=2), "priority"),
        waiting(
            41,
            BUSINESS,
            NOW + timedelta(minutes=20),
            "appointment",
            appointment_due_at=NOW + timedelta(minutes=20),
        ),
        waiting(42, PERMITS, NOW - timedelta(minutes=30), target_window_id=5),
        waiting(43, LICENCES, NOW - timedelta(minutes=8), "pre_reviewed"),
    ]
    booking = ExpectedArrival(
        HOUSING, "appointment", NOW + timedelta(minutes=25), 0.9, NOW + timedelta(minutes=30)
    )
    rates = {(s, "walk_in"): 2.0 for s in services} | {(HOUSING, "priority"): 1.0}
    return HallState(NOW, windows, tuple(queue), rates, (booking,))


@pytest.mark.parametrize("policy", [FirstComeFirstServed(), DueTimePolicy()], ids=["fcfs", "due"])
def test_a_hall_whose_every_ticket_is_called_in_time_gets_the_forecast_it_always_got(
    engine, policy, monkeypatch
):
    state = a_realistic_hall()
    extra = (waiting(99, BUSINESS, NOW - timedelta(minutes=35)),)

    def forecast():
        return predict_hall(state, policy, TEN_MINUTES, new_ticket_services=services, extra=extra)

    services = (HOUSING, BUSINESS, PERMITS, LICENCES)
    with_cutoff = forecast()
    monkeypatch.setattr(wait_prediction, "CUTOFF_SECONDS", 1e9)  # thirty years: none at all
    without = forecast()

    everyone = [*with_cutoff.tickets.values(), *with_cutoff.new_ticket.values()]
    assert all(f is not None and f.high_seconds < CAP_MINUTES * 60 for f in everyone)
    assert not with_cutoff.cut_queues
    assert with_cutoff == without


def test_a_ticket_beyond_the_cutoff_is_told_it_waits_over_two_hours(engine):
    # One window, forty ten-minute cases: the 35th waits some six hours. A fifth service no
    # window serves still gets no forecast at all.
    queue = tuple(waiting(n, queued=NOW - timedelta(minutes=40 - n)) for n in range(1, 41))
    state = HallState(NOW, (WindowState(1, (HOUSING,)),), (*queue, waiting(50, PERMITS)))

    prediction = predict_hall(
        state, FirstComeFirstServed(), TEN_MINUTES, new_ticket_services=(HOUSING, PERMITS)
    )

    first, far = prediction.tickets[1], prediction.tickets[35]
    assert first is not None and not first.beyond_cutoff and first.high_seconds == 0
    assert far is not None and far.beyond_cutoff and far.people_ahead == 34
    shown = far.display()
    assert shown.over_limit and shown.low_minutes == shown.high_minutes == CAP_MINUTES
    # Read as a server reads a kept forecast, minutes later: still over two hours.
    assert prediction.for_ticket(35, NOW + timedelta(minutes=10)).display().over_limit
    new = prediction.new_ticket[HOUSING]
    assert new is not None and new.beyond_cutoff and new.people_ahead == 40
    assert prediction.tickets[50] is None and prediction.new_ticket[PERMITS] is None


def test_reading_a_queue_only_as_far_as_the_runs_reach_changes_no_forecast(monkeypatch):
    # As forecast_inputs reads it: each queue up to its reach, the rest counted. The due-time
    # policy weighs how many wait in each queue (here for hours: its bound on a walk-in's wait
    # is ten), so the counts of those not read must be right.
    windows = tuple(WindowState(number, (HOUSING, BUSINESS, PERMITS)) for number in range(1, 7))
    mix = (HOUSING, HOUSING, HOUSING, BUSINESS, BUSINESS, PERMITS)
    queue = tuple(
        waiting(n, mix[n % 6], NOW - timedelta(minutes=30) + timedelta(seconds=n / 2))
        for n in range(1, 3_001)
    )
    state = HallState(NOW, windows, queue, {(HOUSING, "priority"): 2.0})
    reach = queue_reach(state, TEN_MINUTES)
    held, tails = [], []
    for service_id in (HOUSING, BUSINESS, PERMITS):
        line = sorted(
            (head for head in state.waiting if head.service_id == service_id),
            key=lambda head: (head.queue_key, head.ticket_id),
        )
        limit = reach(service_id, "walk_in")
        held += line[:limit]
        tails.append(QueueTail(service_id, "walk_in", len(line) - limit, line[-1].queue_key))
    read = replace(state, waiting=tuple(held), queue_tails=tuple(tails))
    policy = DueTimePolicy(DueTimeSettings(walk_in_bound_minutes=600.0))
    # One engine throughout (the cut-off halves the planned run's work, which may buy runs
    # asking the policy; their shared random stream then runs on differently after the first
    # run stopped at the cut-off).
    monkeypatch.setattr(wait_prediction, "POLICY_WORK_BUDGET", 0)

    def forecast(of):
        return predict_hall(of, policy, TEN_MINUTES, new_ticket_services=(HOUSING, BUSINESS))

    whole, part = forecast(state), forecast(read)
    monkeypatch.setattr(wait_prediction, "CUTOFF_SECONDS", 1e9)
    uncut = forecast(state)

    assert len(held) < 1_000
    assert {head.ticket_id: whole.tickets[head.ticket_id] for head in held} == part.tickets
    assert part.new_ticket == whole.new_ticket
    # Those called within the hour or so are told what they would be with no cut-off at all.
    early = [n for n, told in part.tickets.items() if told.high_seconds < 5400]
    assert len(early) > 30
    assert [part.tickets[n] for n in early] == [uncut.tickets[n] for n in early]
    for head in state.waiting[-50:]:  # not read: answered by its queue's cut
        cut = part.cut_before(head.service_id, "walk_in", head.queue_key, head.ticket_id)
        assert cut is not None and cut.forecast is not None
        assert cut.forecast.display() == whole.tickets[head.ticket_id].display()
        assert cut.forecast.display() == uncut.tickets[head.ticket_id].display()
    assert part.cut_before(HOUSING, "walk_in", held[0].queue_key, held[0].ticket_id) is None


def test_the_runs_call_nothing_behind_where_a_queue_is_cut():
    # Two of a long queue in the runs, the rest left out: a ticket queued behind them (a new
    # one, say) waits behind those left out, however idle the windows.
    queue = [waiting(1), waiting(2, queued=NOW + timedelta(seconds=1))]
    behind = waiting(3, queued=NOW + timedelta(seconds=2))
    items = [run_item(head, REAL, TEN_MINUTES) for head in queue]
    items.append(run_item(behind, HYPOTHETICAL, TEN_MINUTES))
    windows = [RunWindow(WindowView(number, (HOUSING,))) for number in (1, 2, 3)]
    cuts = QueueCuts({(HOUSING, "walk_in"): (queue[1].queue_key, 2)}, {(HOUSING, "walk_in"): 500})

    open_queue = plan_order(items, windows, FirstComeFirstServed(), NOW, cutoff=CUTOFF_SECONDS)
    cut_queue = plan_order(
        items, windows, FirstComeFirstServed(), NOW, None, None, CUTOFF_SECONDS, cuts
    )

    assert open_queue.called_at == {0: 0.0, 1: 0.0, 2: 0.0}
    assert cut_queue.called_at == {0: 0.0, 1: 0.0} and cut_queue.uncalled == {2}
