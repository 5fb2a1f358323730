"""The demo's break rota: lunch in two shifts leaves half the windows open from 11:30 to 13:30,
and every window has a 15-minute morning break, a quarter of the windows at a time."""

from __future__ import annotations

from typing import Any

from hall_server.demo.demo_rota import seed_demo_rota
from hall_server.operations import break_rota
from tests.factories import build_hall


def test_the_demo_rota_keeps_half_the_windows_open_over_lunch(app: Any, clock: Any) -> None:
    database = app.extensions["hallq_db"]
    hall = build_hall(
        database, clock(), code="demo-like", windows={n: ["housing"] for n in range(1, 9)}
    )

    seed_demo_rota(database, hall.manager(), [hall.id])

    with database.reading() as session:
        breaks = break_rota.read_rota(session, hall.manager(), hall.id)["breaks"]

    def away_at(hh_mm: str) -> set[int]:
        return {b["window_number"] for b in breaks if b["start"] <= hh_mm < b["end"]}

    for moment in ("11:30", "12:00", "12:29", "12:30", "13:00", "13:29"):
        assert len(away_at(moment)) == 4, moment  # half of the eight windows
    assert away_at("11:30").isdisjoint(away_at("12:30"))
    assert away_at("11:29") == set() and away_at("13:30") == set()
    morning = [b for b in breaks if b["minutes"] == 15]
    assert sorted(b["window_number"] for b in morning) == list(range(1, 9))
    assert all(b["start"] >= "10:00" and b["end"] <= "11:00" for b in morning)
    assert max(len(away_at(f"10:{m:02d}")) for m in range(60)) == 2  # a quarter at a time
