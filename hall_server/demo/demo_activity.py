"""Keeps the demo hall alive: visitors keep arriving and robot clerks keep serving.

The demo halls have no opening hours, so this goes on at night too. If a manager gives the city
centre opening hours (or a service issuing hours, or its quota runs out), the hall refuses the
robot visitors as it would refuse anyone, and the robot clerks serve on until nobody waits.
After the hall's midnight the first round pushes the new day's booking codes and prints them
(the ones printed at start were for the day before); the daily rollover, a background job as
under `hallq serve`, closes the day before's waiting tickets.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Hall, Service

log = logging.getLogger(__name__)
ARRIVAL_SECONDS = 20
# Robot clerks take turns, one every few seconds, rather than all acting in the same second:
# the board's calls and their announcements come one by one, as in a hall. With the city
# centre's ten robot windows each steps every 40 s or so.
ROBOT_TURN_SECONDS = 4


@dataclass
class DemoActivity:
    app: Flask
    hall_id: int
    services: list[int]
    rng: random.Random

    @classmethod
    def of_city_centre(cls, app: Flask, rng: random.Random) -> DemoActivity | None:
        database: Database = app.extensions["hallq_db"]
        with database.reading() as session:
            hall_id = session.scalar(select(Hall.id).where(Hall.code == "city-centre"))
            services = list(session.scalars(select(Service.id).where(Service.hall_id == hall_id)))
        if hall_id is None or not services:
            return None
        return cls(app, hall_id, services, rng)

    def round(self, now: datetime, serve: bool) -> None:
        """A visitor arrives (unless the hall refuses), and with `serve` every robot works."""
        from hall_server.demo.demo_bookings import seed_todays_bookings, todays_codes

        database: Database = self.app.extensions["hallq_db"]
        with self.app.app_context():
            if seed_todays_bookings(database, now):
                new_day = [
                    "",
                    "A new day in the demo halls: today's codes",
                    *todays_codes(database, now),
                ]
                click.echo("\n".join(new_day))
            self._arrive(database, now)
        if serve:
            self.robots_work(now)

    def robots_work(self, now: datetime, turn: int | None = None) -> None:
        """Every robot clerk takes a step, or, given a `turn`, the one whose turn it is."""
        from hall_server.demo.robot_clerks import serve_some

        with self.app.app_context():
            serve_some(self.app.extensions["hallq_db"], self.hall_id, now, self.rng, turn=turn)

    def _arrive(self, database: Database, now: datetime) -> None:
        from hall_server.demo.demo_hall import DEMO_IDENTITY_SECRET

        robot_kiosk = Actor(kind="user", id=0, role="admin", hall_id=self.hall_id, name="demo")
        try:
            with database.transaction() as uow:
                issue_ticket(
                    uow,
                    robot_kiosk,
                    IssueRequest(hall_id=self.hall_id, service_id=self.rng.choice(self.services)),
                    now,
                    DEMO_IDENTITY_SECRET,
                    self.app.config["PUBLIC_BASE_URL"],
                )
        except Refused as refusal:
            log.info("demo visitor refused: %s", refusal.message)


def start_demo_activity(app: Flask, socketio: Any) -> None:
    def keep_going() -> None:
        activity = DemoActivity.of_city_centre(app, random.Random())
        if activity is None:
            return
        clock = app.extensions["hallq_clock"]
        turn = 0
        while True:
            socketio.sleep(ROBOT_TURN_SECONDS)
            turn += 1
            try:
                if turn * ROBOT_TURN_SECONDS % ARRIVAL_SECONDS < ROBOT_TURN_SECONDS:
                    activity.round(clock(), serve=False)
                activity.robots_work(clock(), turn)
            except Exception:
                log.exception("demo activity failed")

    socketio.start_background_task(keep_going)
