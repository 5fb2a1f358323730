"""A hall's break rota: managers read it and change it (the whole hall's, one window's, one
break at a time); and what a pause that starts now is: how long it is meant to last, and which
rota break, if any, it is.

Every change is checked as a whole (core.break_rota) before anything is written, so a refused
change leaves the rota as it was. A change raises the hall's `seq` with a `rota.changed` event
and its plan version (`plan_seq`) in the same transaction, so no process places a walk-in by a
forecast it kept from before the change (operations/wait_predictions.py). A break the change
leaves at the same window, start, length and weekdays keeps its id, so a window that has taken
it today is not expected to take it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hall_server.core import break_rota
from hall_server.core.break_rota import RotaBreak, format_time_of_day
from hall_server.core.refusals import Refused
from hall_server.core.window_life import PauseReason
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.forecast_inputs import last_break_of, rota_breaks
from hall_server.operations.live_events import record_event
from hall_server.operations.wait_predictions import raise_plan_seq
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Hall, Window
from hall_server.storage.models import RotaBreak as RotaBreakRow


def _hall(session: Session, hall_id: int) -> Hall:
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    return hall


def _require_manager(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    require_hall_access(session, actor, hall_id)
    return _hall(session, hall_id)


def _break_view(row: RotaBreakRow, window: Window) -> dict[str, Any]:
    start = row.start.hour * 60 + row.start.minute
    return {
        "id": row.id,
        "window_id": window.id,
        "window_number": window.number,
        "window_name": window.name,
        "window_name_en": window.name_en,
        "weekdays": list(break_rota.in_weekday_order(row.weekdays)),
        "start": format_time_of_day(start),
        "end": format_time_of_day(start + row.minutes),
        "minutes": row.minutes,
        "label": row.label,
    }


def rota_view(session: Session, hall: Hall) -> dict[str, Any]:
    rows = session.execute(
        select(RotaBreakRow, Window)
        .join(Window, Window.id == RotaBreakRow.window_id)
        .where(Window.hall_id == hall.id)
        .order_by(Window.number, RotaBreakRow.start, RotaBreakRow.id)
    ).all()
    return {
        "hall_id": hall.id,
        "time_zone": hall.time_zone,
        "breaks": [_break_view(row, window) for row, window in rows],
    }


def read_rota(session: Session, actor: Actor, hall_id: int) -> dict[str, Any]:
    """Managers: every planned break of the hall's windows, by window and time of day."""
    return rota_view(session, _require_manager(session, actor, hall_id))


def _as_break(values: Mapping[str, Any], window_id: int, field_prefix: str) -> RotaBreak:
    """A requested break as the core checks it (values as the API's schema loaded them)."""
    weekdays = values.get("weekdays")
    entry = RotaBreak(
        window_id=window_id,
        start=break_rota.parse_time_of_day(str(values["start"]), f"{field_prefix}start"),
        minutes=int(values["minutes"]),
        weekdays=break_rota.WEEKDAYS if weekdays is None else tuple(weekdays),
        label=(values.get("label") or "").strip() or None,
    )
    break_rota.check_break(entry, field_prefix)
    return entry


def _hall_windows(session: Session, hall: Hall) -> dict[int, Window]:
    return {w.id: w for w in session.scalars(select(Window).where(Window.hall_id == hall.id))}


def _require_hall_window(windows: Mapping[int, Window], window_id: int, field: str) -> Window:
    window = windows.get(window_id)
    if window is not None:
        return window
    raise Refused(
        "window_not_in_hall", f"window id {window_id} is not a window of this hall", field
    )


def _lock_rota(session: Session, hall: Hall) -> None:
    """One change of a hall's rota at a time, so two managers cannot add overlapping breaks."""
    session.execute(select(Hall.id).where(Hall.id == hall.id).with_for_update())


def _check_overlaps(breaks: Sequence[RotaBreak], windows: Mapping[int, Window]) -> None:
    overlap = break_rota.first_overlap(breaks)
    if overlap is None:
        return
    first, second = breaks[overlap[0]], breaks[overlap[1]]
    number = windows[first.window_id].number
    raise Refused(
        "break_overlap",
        f"two breaks of window {number} overlap: {first.describe()} and {second.describe()}",
        "breaks",
    )


def _same_break_key(entry: RotaBreak) -> tuple[int, time, int, tuple[str, ...]]:
    weekdays = break_rota.in_weekday_order(entry.weekdays)
    return (entry.window_id, entry.start, entry.minutes, weekdays)


def _as_core_break(row: RotaBreakRow) -> RotaBreak:
    return RotaBreak(row.window_id, row.start, row.minutes, tuple(row.weekdays), row.label, row.id)


def _replace(
    uow: UnitOfWork,
    hall: Hall,
    windows: Mapping[int, Window],
    replaced_windows: Iterable[int],
    removed_ids: Iterable[int],
    added: Sequence[RotaBreak],
) -> dict[str, Any]:
    """Drop every break of `replaced_windows` and those of `removed_ids`, add `added`: once the
    rota that results has been checked for overlaps. A dropped break that `added` has again
    (same window, start, minutes and weekdays) stays, with the new label."""
    session = uow.session
    replaced, removed = set(replaced_windows), set(removed_ids)
    rows = list(
        session.scalars(select(RotaBreakRow).where(RotaBreakRow.window_id.in_(list(windows))))
    )
    kept = [_as_core_break(r) for r in rows if r.window_id not in replaced and r.id not in removed]
    _check_overlaps([*kept, *added], windows)
    dropped = {r.id: r for r in rows if r.window_id in replaced or r.id in removed}
    reusable: dict[tuple[int, time, int, tuple[str, ...]], RotaBreakRow] = {}
    for row in dropped.values():
        reusable.setdefault(_same_break_key(_as_core_break(row)), row)
    new_rows = []
    for entry in added:
        same = reusable.pop(_same_break_key(entry), None)
        if same is not None:
            same.label = entry.label
            del dropped[same.id]
            continue
        new_rows.append(
            RotaBreakRow(
                window_id=entry.window_id,
                weekdays=list(break_rota.in_weekday_order(entry.weekdays)),
                start=entry.start,
                minutes=entry.minutes,
                label=entry.label,
            )
        )
    if dropped:
        session.execute(delete(RotaBreakRow).where(RotaBreakRow.id.in_(list(dropped))))
    session.add_all(new_rows)
    session.flush()
    changed = replaced | {r.window_id for r in rows if r.id in removed}
    changed |= {entry.window_id for entry in added}
    record_event(uow, "rota.changed", hall.id, {"window_ids": sorted(changed)})
    raise_plan_seq(session, hall.id)
    return rota_view(session, hall)


def replace_hall_rota(
    uow: UnitOfWork, actor: Actor, hall_id: int, breaks: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Managers: the hall's whole rota becomes `breaks` (an empty list clears it)."""
    session = uow.session
    hall = _require_manager(session, actor, hall_id)
    _lock_rota(session, hall)
    windows = _hall_windows(session, hall)
    added = []
    for i, values in enumerate(breaks):
        prefix = f"breaks.{i}."
        window = _require_hall_window(windows, int(values["window_id"]), f"{prefix}window_id")
        added.append(_as_break(values, window.id, prefix))
    return _replace(uow, hall, windows, windows, (), added)


def replace_window_breaks(
    uow: UnitOfWork,
    actor: Actor,
    hall_id: int,
    window_id: int,
    breaks: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Managers: one window's breaks become `breaks`; the other windows' stay as they are."""
    session = uow.session
    hall = _require_manager(session, actor, hall_id)
    _lock_rota(session, hall)
    windows = _hall_windows(session, hall)
    window = _require_hall_window(windows, window_id, "window_id")
    added = [_as_break(values, window.id, f"breaks.{i}.") for i, values in enumerate(breaks)]
    return _replace(uow, hall, windows, (window.id,), (), added)


def add_break(
    uow: UnitOfWork, actor: Actor, hall_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Managers: one more break for one window, if it overlaps none of that window's."""
    session = uow.session
    hall = _require_manager(session, actor, hall_id)
    _lock_rota(session, hall)
    windows = _hall_windows(session, hall)
    window = _require_hall_window(windows, int(values["window_id"]), "window_id")
    return _replace(uow, hall, windows, (), (), [_as_break(values, window.id, "")])


def remove_break(uow: UnitOfWork, actor: Actor, hall_id: int, break_id: int) -> dict[str, Any]:
    """Managers: take one break off the rota."""
    session = uow.session
    hall = _require_manager(session, actor, hall_id)
    _lock_rota(session, hall)
    windows = _hall_windows(session, hall)
    row = session.get(RotaBreakRow, break_id)
    if row is None or row.window_id not in windows:
        raise Refused("not_found", f"no break with id {break_id} in this hall's rota")
    return _replace(uow, hall, windows, (), (row.id,), ())


@dataclass(frozen=True)
class PausePlan:
    """What a pause that begins now is: how long it is meant to last (None: unknown, the
    forecast expects its reason's usual length) and the rota break it is, if any."""

    minutes: int | None
    rota_break_id: int | None = None


def plan_pause(session: Session, window: Window, given: int | None, now: datetime) -> PausePlan:
    """What the clerk said, checked; and for a break pause, the rota break it is, if any
    (core.break_rota.break_being_started), whose minutes it lasts unless the clerk said."""
    if given is not None and not (
        break_rota.MIN_BREAK_MINUTES <= given <= break_rota.MAX_BREAK_MINUTES
    ):
        raise Refused(
            "invalid_pause_minutes",
            f"a pause is planned for 1 to 240 minutes, not {given}",
            "pause_minutes",
        )
    if window.pause_reason != PauseReason.BREAK:
        return PausePlan(given)
    hall = _hall(session, window.hall_id)
    entry = break_rota.break_being_started(
        rota_breaks(session, hall.id),
        window.id,
        now,
        hall.time_zone,
        last=last_break_of(window),
        planned_minutes=given,
    )
    if entry is None:
        return PausePlan(given)
    return PausePlan(entry.minutes if given is None else given, entry.id)
