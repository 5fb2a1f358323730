"""`hallq demo` serves its database only once seeding has finished: a start that fails (or is
stopped) while seeding leaves the file marked, and the next start says so and seeds it anew
instead of serving half a morning; a finished one is kept as it is; a database the demo did not
seed is served as before, never deleted, with a word on how to start over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hall_server.core.refusals import Refused
from hall_server.demo import demo_hall
from hall_server.demo.demo_database import (
    SEEDED,
    SEEDING,
    prepare_demo_file,
    seed_or_keep,
    seeding_stage,
)
from hall_server.storage.models import Hall, Ticket
from tests import conftest
from tests.factories import build_hall


def _start(path: Path, clock: conftest.TestClock) -> Any:
    """What `hallq demo` does up to serving: the file, the app on it, the seed."""
    app = conftest.make_app(
        prepare_demo_file(path, fresh=False), clock, FORECAST_REFRESH_SECONDS=30.0
    )
    seed_or_keep(app.extensions["hallq_db"], clock())
    return app


def _tickets(app: Any) -> int:
    with app.extensions["hallq_db"].reading() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_a_seed_that_failed_half_way_is_started_over_at_the_next_start_not_served(
    tmp_path: Path, clock: conftest.TestClock, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = tmp_path / "hallq-demo.sqlite"
    pushed = []
    push = demo_hall.push_morning_booking

    def refused_on_the_third(*arguments: Any) -> dict[str, str]:
        pushed.append(arguments)
        if len(pushed) == 3:  # as the kiosk refused a booking for the next day
            raise Refused("booking_not_today", "this booking is for 2026-12-01")
        return push(*arguments)

    monkeypatch.setattr(demo_hall, "push_morning_booking", refused_on_the_third)
    failed = conftest.make_app(
        prepare_demo_file(path, fresh=False), clock, FORECAST_REFRESH_SECONDS=30.0
    )
    with pytest.raises(Refused):
        seed_or_keep(failed.extensions["hallq_db"], clock())
    assert 0 < _tickets(failed) < demo_hall.MORNING_TICKETS  # what the old demo then served
    failed.extensions["hallq_db"].dispose()  # the process ended with the traceback
    monkeypatch.undo()
    assert seeding_stage(path) == SEEDING
    capsys.readouterr()

    app = _start(path, clock)

    out = capsys.readouterr().out
    assert "was left half-seeded" in out and "starting it over" in out
    assert _tickets(app) == demo_hall.MORNING_TICKETS  # the whole morning, not what was left
    assert seeding_stage(path) == SEEDED
    app.extensions["hallq_db"].dispose()

    again = _start(path, clock)  # the next start keeps it as it is
    assert "half-seeded" not in capsys.readouterr().out
    assert _tickets(again) == demo_hall.MORNING_TICKETS
    again.extensions["hallq_db"].dispose()


def test_a_database_the_demo_did_not_seed_is_served_not_deleted(
    tmp_path: Path, clock: conftest.TestClock, capsys: Any
) -> None:
    path = tmp_path / "a-hall.sqlite"
    app = conftest.make_app(prepare_demo_file(path, fresh=False), clock)
    build_hall(app.extensions["hallq_db"], clock(), code="our-hall")
    app.extensions["hallq_db"].dispose()
    capsys.readouterr()

    app = _start(path, clock)

    assert "was not seeded by this version of `hallq demo`" in capsys.readouterr().out
    with app.extensions["hallq_db"].reading() as session:
        assert list(session.scalars(select(Hall.code))) == ["our-hall"]
    app.extensions["hallq_db"].dispose()
