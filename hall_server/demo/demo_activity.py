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
SERVICE_ROUND_SECONDS = 45


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
        """A visitor arrives (unless the hall refuses), and with `serve` the robots work."""
        from hall_server.demo.demo_bookings import seed_todays_bookings, todays_codes
        from hall_server.demo.robot_clerks import serve_some

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
                serve_some(database, self.hall_id, now, self.rng)

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
        elapsed = 0
        while True:
            socketio.sleep(ARRIVAL_SECONDS)
            elapsed += ARRIVAL_SECONDS
            try:
                activity.round(clock(), serve=elapsed % SERVICE_ROUND_SECONDS < ARRIVAL_SECONDS)
            except Exception:
                log.exception("demo activity failed")

    socketio.start_background_task(keep_going)
