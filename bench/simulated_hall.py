"""Five calling policies on the same simulated days of a district hall, at normal load and 10% over.

Every policy is the object the server would use (or a textbook one over the same interface),
driven by the discrete-event simulator in hall_server/core/hall_simulation.py. Each simulated
day is drawn once per load and replayed under every policy (same visitors, same handling times).

Waits are measured from the moment the hall owes service: arrival, or for an appointment its
slot if the holder came early. "In time" means within 10 minutes for appointments and
pre-reviewed visitors (the promise) and within 15 minutes for everyone else (the hall target).

    .venv/bin/python bench/simulated_hall.py --days 20 --seed 1

prints a table per load and one JSON line with every figure and whether the targets are met.

    .venv/bin/python bench/simulated_hall.py --days 20 --survey 60

runs seeds 1 to 60 with FCFS, the due-time policy and its previous defaults only, and prints
how often each target is met and the mean of each figure (one seed's 20 days are a small
sample: a single heavy day moves a walk-in maximum by 15 %).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall_server.core.calling_policy import CallingPolicy, FirstComeFirstServed  # noqa: E402
from hall_server.core.due_time_policy import DueTimePolicy, DueTimeSettings  # noqa: E402
from hall_server.core.hall_simulation import run_hall  # noqa: E402
from hall_server.core.simulated_demand import (  # noqa: E402
    DISTRICT_SERVICES,
    SimulatedDay,
    district_demand,
    district_windows,
    draw_day,
    lost_booking,
    tickets_for_day,
)
from hall_server.core.textbook_policies import (  # noqa: E402
    AccumulatingPriority,
    StrictPriority,
    WeightedRoundRobin,
)

FIRST_DAY = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # midnight in Shanghai, Monday 30 Nov
PROMISE_MINUTES = 10.0
HALL_TARGET_MINUTES = 15.0
CLASSES = ("walk_in", "appointment", "pre_reviewed", "priority", "late_appointment")
LOADS = {"normal": 1.0, "overload_10pct": 1.10}
TRADE_OFF_BOUNDS = (45.0, 90.0)  # walk_in_bound_minutes tried beside the default
TRADE_OFF_BUSY_CALL_AHEAD = (2.0, 6.0)  # busy_call_ahead_minutes tried beside the default
TRADE_OFF_BUSY_WAIT = (30.0, 60.0)  # busy_walk_in_wait_minutes tried beside the default


def hall_settings() -> DueTimeSettings:
    """The district hall's settings: the defaults, with its typical handling minutes per
    service (what its own monthly reports would say)."""
    return DueTimeSettings(
        service_handling_minutes={
            service.id: service.mean_handling_minutes for service in DISTRICT_SERVICES
        }
    )


def previous_defaults(settings: DueTimeSettings) -> DueTimeSettings:
    """The due-time policy as it was first set: urgent 8 minutes before due however long
    walk-ins wait, walk-ins bounded at 45 minutes."""
    return replace(
        settings, call_ahead_minutes=8.0, busy_call_ahead_minutes=8.0, walk_in_bound_minutes=45.0
    )


def trade_off_settings(settings: DueTimeSettings) -> list[tuple[str, DueTimeSettings]]:
    """The due-time policy with one setting changed: what each setting buys and costs."""
    variants = [
        (f"bound {bound:g}", replace(settings, walk_in_bound_minutes=bound))
        for bound in TRADE_OFF_BOUNDS
    ]
    variants += [
        (f"busy call ahead {minutes:g}", replace(settings, busy_call_ahead_minutes=minutes))
        for minutes in TRADE_OFF_BUSY_CALL_AHEAD
    ]
    variants += [
        (f"busy wait {minutes:g}", replace(settings, busy_walk_in_wait_minutes=minutes))
        for minutes in TRADE_OFF_BUSY_WAIT
    ]
    # The call-ahead not moving with the walk-ins' wait: with this bound, and as first set.
    fixed = replace(settings, call_ahead_minutes=8.0, busy_call_ahead_minutes=8.0)
    variants.append(("fixed call ahead 8", fixed))
    variants.append(("previous defaults", previous_defaults(settings)))
    variants.append(("no handling minutes", replace(settings, service_handling_minutes={})))
    return variants


@dataclass(frozen=True)
class Contender:
    name: str
    build: Callable[[], CallingPolicy]
    with_online_integration: bool  # FCFS is the hall before: everyone takes a plain ticket


def contenders(settings: DueTimeSettings) -> list[Contender]:
    """The five policies compared, then the due-time policy with one setting changed."""
    field = [
        Contender("fcfs", FirstComeFirstServed, False),
        Contender("strict_priority", StrictPriority, True),
        Contender("weighted_round_robin", WeightedRoundRobin, True),
        Contender("accumulating_priority", AccumulatingPriority, True),
        Contender("due_time", lambda: DueTimePolicy(settings), True),
    ]
    for label, variant in trade_off_settings(settings):
        field.append(Contender(f"due_time ({label})", lambda v=variant: DueTimePolicy(v), True))
    return field


@dataclass
class ClassFigures:
    waits: list[float] = field(default_factory=list)  # minutes
    in_time: int = 0

    def add(self, minutes: float, limit: float) -> None:
        self.waits.append(minutes)
        self.in_time += minutes <= limit

    def summary(self) -> dict[str, float | int]:
        if not self.waits:
            return {"n": 0}
        ordered = sorted(self.waits)
        p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]
        return {
            "n": len(ordered),
            "mean": round(statistics.fmean(ordered), 2),
            "p90": round(p90, 2),
            "max": round(ordered[-1], 2),
            "in_time": round(self.in_time / len(ordered), 4),
        }


def measure_day(
    day: SimulatedDay, contender: Contender, settings: DueTimeSettings
) -> dict[str, ClassFigures]:
    policy = contender.build()
    tickets = tickets_for_day(day, contender.with_online_integration, settings.appointment_grace)
    opening = district_demand().opens_at(day.date_start)
    run = run_hall(policy, district_windows(day.date_start), opening, to_issue=tickets)
    called = {ticket.id: ticket.called_at for ticket in run.tickets}
    figures = {name: ClassFigures() for name in CLASSES}
    for visit in day.visits:
        called_at = called[visit.id]
        assert called_at is not None, "the simulated hall serves everyone who took a ticket"
        kind = visit.kind
        owed_from = visit.arrival
        limit = HALL_TARGET_MINUTES
        if visit.slot is not None:
            if lost_booking(visit, settings.appointment_grace):
                kind = "late_appointment"
            else:
                owed_from = max(visit.slot, visit.arrival)
                limit = PROMISE_MINUTES
        elif kind == "pre_reviewed":
            limit = PROMISE_MINUTES
        minutes = max(0.0, (called_at - owed_from).total_seconds() / 60)
        figures[kind].add(minutes, limit)
    return figures


def simulate(
    days: int, seed: int, settings: DueTimeSettings, field: list[Contender] | None = None
) -> dict[str, dict[str, dict]]:
    results: dict[str, dict[str, dict]] = {}
    for load_name, factor in LOADS.items():
        model = district_demand().scaled(factor)
        drawn = [
            draw_day(model, FIRST_DAY + timedelta(days=index), random.Random(seed * 1000 + index))
            for index in range(days)
        ]
        results[load_name] = {}
        for contender in field or contenders(settings):
            totals = {name: ClassFigures() for name in CLASSES}
            for day in drawn:
                for name, figures in measure_day(day, contender, settings).items():
                    totals[name].waits.extend(figures.waits)
                    totals[name].in_time += figures.in_time
            results[load_name][contender.name] = {name: totals[name].summary() for name in CLASSES}
        results[load_name]["_visits_per_day"] = {
            "mean": round(statistics.fmean(len(day.visits) for day in drawn), 1)  # type: ignore[dict-item]
        }
    return results


def targets(
    results: dict[str, dict[str, dict]], policy_name: str = "due_time"
) -> dict[str, dict[str, bool]]:
    """The bar: >=95% of booked and pre-reviewed in time; walk-ins close to FCFS."""
    verdicts = {}
    for load_name, by_policy in results.items():
        fcfs = by_policy["fcfs"]["walk_in"]
        ours = by_policy[policy_name]
        verdicts[load_name] = {
            "appointments_95pct_in_time": ours["appointment"]["in_time"] >= 0.95,
            "pre_reviewed_95pct_in_time": ours["pre_reviewed"]["in_time"] >= 0.95,
            "walk_in_mean_within_10pct": ours["walk_in"]["mean"] <= fcfs["mean"] * 1.10,
            "walk_in_p90_within_10pct": ours["walk_in"]["p90"] <= fcfs["p90"] * 1.10,
            "walk_in_max_no_worse": ours["walk_in"]["max"] <= fcfs["max"],
        }
    return verdicts


def print_table(results: dict[str, dict[str, dict]]) -> None:
    header = (
        f"{'policy':<22} {'class':<17} {'n':>6} {'mean':>7} {'p90':>7} {'max':>7} {'in time':>8}"
    )
    for load_name, by_policy in results.items():
        per_day = by_policy["_visits_per_day"]["mean"]
        print(f"\n== {load_name}: {per_day} visits a day on average ==")
        print(header)
        print("-" * len(header))
        for policy_name, by_class in by_policy.items():
            if policy_name.startswith("_") or policy_name.startswith("due_time ("):
                continue
            for class_name in CLASSES:
                figures = by_class[class_name]
                if not figures["n"]:
                    continue
                print(
                    f"{policy_name:<22} {class_name:<17} {figures['n']:>6} {figures['mean']:>7.1f}"
                    f" {figures['p90']:>7.1f} {figures['max']:>7.1f} {figures['in_time']:>8.1%}"
                )
            print()


def print_trade_off(results: dict[str, dict[str, dict]], settings: DueTimeSettings) -> None:
    """What each setting buys: booked in time against walk-ins relative to FCFS."""
    print("\n== one setting changed (due_time; walk-in figures relative to FCFS) ==")
    print(
        f"{'load':<15} {'settings':<22} {'appt in time':>13} {'pre in time':>12}"
        f" {'mean':>6} {'p90':>6} {'max':>6}"
    )
    labels = ["due_time"] + [f"due_time ({label})" for label, _ in trade_off_settings(settings)]
    for load_name, by_policy in results.items():
        fcfs = by_policy["fcfs"]["walk_in"]
        for policy_name in labels:
            figures = by_policy[policy_name]
            walk_in = figures["walk_in"]
            label = "as set" if policy_name == "due_time" else policy_name[len("due_time (") : -1]
            print(
                f"{load_name:<15} {label:<22} {figures['appointment']['in_time']:>13.1%}"
                f" {figures['pre_reviewed']['in_time']:>12.1%}"
                f" {walk_in['mean'] / fcfs['mean']:>6.2f} {walk_in['p90'] / fcfs['p90']:>6.2f}"
                f" {walk_in['max'] / fcfs['max']:>6.2f}"
            )


def survey(seeds: int, days: int, settings: DueTimeSettings) -> None:
    """The bar on seeds 1..`seeds`: targets met (seeds out of all) and mean figures."""
    earlier = previous_defaults(settings)
    field = [
        Contender("fcfs", FirstComeFirstServed, False),
        Contender("due_time", lambda: DueTimePolicy(settings), True),
        Contender("previous defaults", lambda: DueTimePolicy(earlier), True),
    ]
    met: dict[tuple[str, str], list[dict[str, bool]]] = {}
    figures: dict[tuple[str, str], list[tuple[float, ...]]] = {}
    for seed in range(1, seeds + 1):
        results = simulate(days, seed, settings, field)
        for name in ("due_time", "previous defaults"):
            for load_name, checks in targets(results, name).items():
                met.setdefault((name, load_name), []).append(checks)
                ours, fcfs = results[load_name][name], results[load_name]["fcfs"]["walk_in"]
                figures.setdefault((name, load_name), []).append(
                    (
                        ours["appointment"]["in_time"],
                        ours["pre_reviewed"]["in_time"],
                        *(ours["walk_in"][key] / fcfs[key] for key in ("mean", "p90", "max")),
                    )
                )
    print(f"== seeds 1-{seeds}, {days} days each: mean figure, then seeds meeting its target ==")
    print(
        f"{'policy':<18} {'load':<15} {'appt':>12} {'pre':>12} {'mean':>10} {'p90':>10}"
        f" {'max':>10} {'all five':>9}"
    )
    for (name, load_name), checks in met.items():
        columns = list(zip(*figures[(name, load_name)], strict=True))
        # targets() lists the five in the order of the figures: two promises, mean, p90, max
        counts = [sum(check[key] for check in checks) for key in checks[0]]
        means = [statistics.fmean(column) for column in columns]
        cells = [
            f"{mean:.1%} {count:>3}" if index < 2 else f"{mean:.2f} {count:>3}"
            for index, (mean, count) in enumerate(zip(means, counts, strict=True))
        ]
        every = sum(all(check.values()) for check in checks)
        print(
            f"{name:<18} {load_name:<15} {cells[0]:>12} {cells[1]:>12} {cells[2]:>10}"
            f" {cells[3]:>10} {cells[4]:>10} {every:>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--survey", type=int, default=0, metavar="SEEDS")
    args = parser.parse_args()
    settings = hall_settings()
    if args.survey:
        survey(args.survey, args.days, settings)
        return
    started = time.perf_counter()
    results = simulate(args.days, args.seed, settings)
    elapsed = time.perf_counter() - started
    verdicts = targets(results)
    print_table(results)
    print_trade_off(results, settings)
    for load_name, checks in verdicts.items():
        print(f"targets at {load_name}: " + ", ".join(f"{k}={v}" for k, v in checks.items()))
    print(
        json.dumps(
            {
                "bench": "simulated_hall",
                "days": args.days,
                "seed": args.seed,
                "settings": settings.to_mapping(),
                "results": results,
                "targets": verdicts,
                "all_targets_met": all(all(c.values()) for c in verdicts.values()),
                "seconds": round(elapsed, 1),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
