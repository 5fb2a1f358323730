"""Replaying one planned order of calls many times, with handling times drawn each time.

Asking the calling policy for every call of every run is the faithful forecast, but in a large
hall (hundreds waiting, dozens of windows) it costs too much for a page that must answer at
once. There the policy orders the calls once (queue_forward_runs.plan_order, each case taking
its expected time) and each timed run lets every window take the first ticket of that order it
may call, with case residuals, handling times, pauses and expected arrivals drawn anew. The
order keeps what the policy decided (the priority lane, due times, bounds on a walk-in's wait);
what it loses is how the policy would have answered a run that went differently. A run stops
calling at the cut-off, as the planned run did: a run quicker than the plan finds the order
called through by then, and its windows wait.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from random import Random

from hall_server.core.queue_forward_runs import (
    EXPECTED,
    HYPOTHETICAL,
    NORMALS_MASK,
    NORMALS_SIZE,
    PlannedOrder,
    RunItem,
    RunWindow,
    draw_shifts,
    eligible_at,
    first_free,
    standard_normals,
)


def timed_runs(
    items: Sequence[RunItem],
    windows: Sequence[RunWindow],
    planned: PlannedOrder,
    runs: int,
    seed: int,
    uncertainty: Mapping[int, float] | None = None,
    cutoff: float = math.inf,
) -> dict[int, list[float]]:
    """Seconds from the start until each target is called, once per run that called it before
    the cut-off (sorted). Each run shifts every service's handling times by a draw of how
    uncertain they are."""
    rng = Random(seed)
    normals = standard_normals()
    mask = NORMALS_MASK
    draw = rng.randrange(NORMALS_SIZE)
    service_sets = [frozenset(w.view.service_ids) for w in windows]
    targeted = {item.head.target_window_id for item in items} - {None}
    groups: dict[tuple[frozenset[int], int | None], int] = {}
    group_of = []
    group_windows: list[int] = []
    for j, window in enumerate(windows):
        key = (service_sets[j], window.view.id if window.view.id in targeted else None)
        if key not in groups:
            groups[key] = len(groups)
            group_windows.append(j)
        group_of.append(groups[key])
    lists = [
        [i for i in planned.order if eligible_at(items[i], windows[j].view, service_sets[j])]
        for j in group_windows
    ]
    arrives = [item.arrives for item in items]
    is_target = [item.kind != EXPECTED for item in items]
    hypothetical = [item.kind == HYPOTHETICAL for item in items]
    mus = [item.mu for item in items]
    # Each run shifts every service's handling times by one draw (draw_shifts); the items
    # read their service's shift through a small index.
    slot_of: dict[int, int] = {}
    slots = [slot_of.setdefault(item.head.service_id, len(slot_of)) for item in items]
    sigmas = [item.sigma for item in items]
    effects = [window.log_effect for window in windows]
    pauses = [window.pauses for window in windows]
    chance = [(i, item.probability) for i, item in enumerate(items) if item.kind == EXPECTED]
    in_plan = set(planned.order)
    target_count = sum(1 for i in in_plan if is_target[i])
    results: dict[int, list[float]] = {i: [] for i in in_plan if is_target[i]}
    infinity = math.inf
    exp = math.exp
    heappop, heapreplace = heapq.heappop, heapq.heapreplace

    for _run in range(runs):
        draw = rng.randrange(NORMALS_SIZE)
        taken = bytearray(len(items))
        for i, probability in chance:
            if rng.random() >= probability:
                taken[i] = 1
        shifts = draw_shifts(uncertainty or {}, rng)
        run_shifts = [shifts.get(service_id, 0.0) for service_id in slot_of]
        heap = [(first_free(window, rng, shifts), j) for j, window in enumerate(windows)]
        heapq.heapify(heap)
        starts = [0] * len(lists)
        next_pause = [0] * len(windows)
        remaining = target_count
        while heap and remaining:
            at, j = heap[0]
            if at > cutoff:
                break
            pending = pauses[j]
            if pending and next_pause[j] < len(pending) and pending[next_pause[j]][0] <= at:
                heapreplace(heap, (at + pending[next_pause[j]][1], j))
                next_pause[j] += 1
                continue
            g = group_of[j]
            line = lists[g]
            k = starts[g]
            end = len(line)
            while k < end and taken[line[k]]:
                k += 1
            starts[g] = k
            chosen = -1
            next_arrival = infinity
            while k < end:
                i = line[k]
                if not taken[i]:
                    if arrives[i] <= at:
                        chosen = i
                        break
                    if arrives[i] < next_arrival:
                        next_arrival = arrives[i]
                k += 1
            if chosen < 0:
                if pending and next_pause[j] < len(pending):
                    next_arrival = min(next_arrival, max(pending[next_pause[j]][0], at))
                if next_arrival < infinity:
                    heapreplace(heap, (next_arrival, j))
                else:
                    heappop(heap)  # nothing left this window may ever call
                continue
            taken[chosen] = 1
            if is_target[chosen]:
                results[chosen].append(at)
                remaining -= 1
                if hypothetical[chosen]:
                    continue  # the window is still free at `at`
            draw = (draw + 1) & mask
            handling = exp(
                mus[chosen]
                + run_shifts[slots[chosen]]
                + effects[j]
                + sigmas[chosen] * normals[draw]
            )
            heapreplace(heap, (at + handling, j))
    for times in results.values():
        times.sort()
    return results
