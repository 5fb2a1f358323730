"""Keeps the demo hall alive: visitors keep arriving and robot clerks keep serving."""

from __future__ import annotations

import logging
import random
from typing import Any

from flask import Flask
from sqlalchemy import select

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.database import Database
from hall_server.storage.models import Device, Hall, Service

log = logging.getLogger(__name__)
ARRIVAL_SECONDS = 20
SERVICE_ROUND_SECONDS = 45


def start_demo_activity(app: Flask, socketio: Any) -> None:
    def arrivals() -> None:
        from hall_server.demo.demo_hall import DEMO_IDENTITY_SECRET
        from hall_server.demo.robot_clerks import serve_some

        rng = random.Random()
        database: Database = app.extensions["hallq_db"]
        clock = app.extensions["hallq_clock"]
        with database.reading() as session:
            hall_id = session.scalar(select(Hall.id).where(Hall.code == "city-centre"))
            kiosk = session.scalar(select(Device).where(Device.kind == "kiosk"))
            services = list(session.scalars(select(Service.id).where(Service.hall_id == hall_id)))
        if hall_id is None or kiosk is None:
            return
        robot_kiosk = Actor(kind="user", id=0, role="admin", hall_id=hall_id, name="demo")
        elapsed = 0
        while True:
            socketio.sleep(ARRIVAL_SECONDS)
            elapsed += ARRIVAL_SECONDS
            try:
                with app.app_context(), database.transaction() as uow:
                    issue_ticket(
                        uow,
                        robot_kiosk,
                        IssueRequest(hall_id=hall_id, service_id=rng.choice(services)),
                        clock(),
                        DEMO_IDENTITY_SECRET,
                        app.config["PUBLIC_BASE_URL"],
                    )
                if elapsed % SERVICE_ROUND_SECONDS < ARRIVAL_SECONDS:
                    with app.app_context():
                        serve_some(database, hall_id, clock(), rng)
            except Refused as refusal:
                log.info("demo activity refused: %s", refusal.message)
            except Exception:
                log.exception("demo activity failed")

    socketio.start_background_task(arrivals)
