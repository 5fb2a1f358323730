"""Sends committed changes to the Socket.IO rooms (through Redis when several processes run)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from flask_socketio import SocketIO

from hall_server.operations.live_events import DeviceMessage, LiveEvent, device_room, hall_room

log = logging.getLogger(__name__)


def json_ready(value: Any) -> Any:
    """Datetimes to ISO strings, recursively, so every client reads the same format."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


class SocketIOPublisher:
    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio

    def publish(self, message: LiveEvent | DeviceMessage) -> None:
        if isinstance(message, DeviceMessage):
            self.socketio.emit(
                message.name, json_ready(message.payload), to=device_room(message.device_id)
            )
            return
        ticket = message.payload.get("ticket") or {}
        window = ticket.get("window") or message.payload.get("window") or {}
        log.info(
            "%s %s",
            message.name,
            ticket.get("number", ""),
            extra={
                "hall_id": message.hall_id,
                "seq": message.seq,
                "event": message.name,
                "ticket_id": ticket.get("id"),
                "window_id": window.get("id"),
            },
        )
        self.socketio.emit(
            message.name, json_ready(message.message()), to=hall_room(message.hall_id)
        )
