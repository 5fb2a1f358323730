"""Socket.IO handlers: who may listen to which hall, snapshots, resync and device reports."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask_socketio import SocketIO, disconnect, emit, join_room
from socketio.exceptions import ConnectionRefusedError  # carries its reason to the client

from hall_server.api.error_translation import translate_error
from hall_server.core.refusals import Refused
from hall_server.live.publisher import json_ready
from hall_server.operations import print_jobs
from hall_server.operations.access import Actor, Role
from hall_server.operations.credentials import actor_for_token
from hall_server.operations.hall_reads import board_snapshot
from hall_server.operations.live_events import device_room, hall_room
from hall_server.pages.pages_version import pages_version
from hall_server.storage.database import CommitOutcomeUnknown, Database, DatabaseUnavailable
from hall_server.storage.models import Device, Hall

log = logging.getLogger(__name__)


def _database() -> Database:
    return current_app.extensions["hallq_db"]  # type: ignore[no-any-return]


def _now() -> Any:
    return current_app.extensions["hallq_clock"]()


def _actor() -> Actor | None:
    return session.get("actor")


def _send_snapshot(hall_id: int) -> None:
    """The hall as it is now; a device also hears how the server sees it (a kiosk's printer),
    so a page that missed `device.changed` while away is put right on resync."""
    actor = _actor()
    with _database().reading() as db_session:
        snapshot = board_snapshot(db_session, hall_id, _now())
        device = db_session.get(Device, actor.id) if actor and actor.kind == "device" else None
        if device is not None:
            snapshot["device"] = {
                "id": device.id,
                "kind": device.kind,
                "printer_status": device.printer_status,
            }
    snapshot["pages_version"] = pages_version(current_app.config["PAGES_VERSION"])
    emit("snapshot", json_ready(snapshot))


def _refused(code: str, message: str) -> dict[str, Any]:
    """An event's refusal, its message in the language of the client's connection (Chinese
    unless the page asked for English), as the HTTP API words its errors."""
    return {"ok": False, "error": {"code": code, "message": translate_error(message)}}


def _device_refusal(refusal: Refused) -> dict[str, Any]:
    """A device's report refused. A device revoked since it connected (`unauthorized`) also
    hears `device.revoked` and loses its connection, which it cannot open again: a page that
    missed the message when the manager revoked it learns it now."""
    actor = _actor()
    if refusal.code == "unauthorized" and actor is not None and actor.kind == "device":
        emit("device.revoked", {"device_id": actor.id})
        disconnect()
    return _refusal(refusal)


def _refusal(refusal: Refused) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {"code": refusal.code, "message": translate_error(refusal.message)},
    }


def _database_unavailable(
    event: str, error: DatabaseUnavailable, level: int = logging.WARNING
) -> dict[str, Any]:
    """An event the database could not serve: answered at once with `service_unavailable` (the
    client retries instead of waiting out its timeout), logged on one line, no traceback."""
    lines = str(error).strip().splitlines()
    log.log(
        level,
        "%s: database unavailable: %s: %s",
        event,
        type(error).__name__,
        lines[0] if lines else "",
        extra={"sid": request.sid},  # type: ignore[attr-defined]
    )
    if isinstance(error, CommitOutcomeUnknown):
        return _refused(
            "service_unavailable",
            "the connection to the database was lost while this was being saved: it is not "
            "known whether it was; send it again (it is recorded once) or check",
        )
    return _refused("service_unavailable", "the server cannot reach its database; retry shortly")


def _connection_refused(code: str, message: str) -> ConnectionRefusedError:
    """The client's `connect_error` gets the message in its language, and `data.code` to key on
    (as the HTTP API's error codes)."""
    return ConnectionRefusedError(translate_error(message), {"code": code})


def refused_while_database_unavailable(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A connect that cannot reach the database is refused at once, with a reason, so the
    client backs off and retries instead of waiting out its connect timeout."""

    @functools.wraps(handler)
    def connect(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except DatabaseUnavailable as error:
            # The code stays in front, untranslated: clients key on it.
            reason = translate_error("the server cannot reach its database; retry shortly")
            refusal = ConnectionRefusedError(
                f"service_unavailable: {reason}", {"code": "service_unavailable"}
            )
            raise refusal from error

    return connect


def _expire_left_out_print_jobs(reconnect: print_jobs.JobsOnReconnect) -> None:
    """Mark the jobs a reconnecting kiosk was not sent, so that no later connect sends them.
    A database that fails here leaves them pending, and the next connect leaves them out again:
    the kiosk keeps its connection."""
    try:
        with _database().transaction() as uow:
            print_jobs.expire_left_out_print_jobs(uow, reconnect)
    except DatabaseUnavailable:
        log.warning("could not mark %d print jobs expired", len(reconnect.left_out), exc_info=True)


def register_socket_handlers(socketio: SocketIO) -> None:
    @socketio.on("connect")
    @refused_while_database_unavailable
    def on_connect(auth: dict[str, Any] | None = None) -> None:
        """Boards listen to a hall without a login (what they show is public in the hall);
        devices and staff send their token and are placed in their own rooms."""
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token")
        hall_id = auth.get("hall_id")
        actor: Actor | None = None
        with _database().reading() as db_session:
            if token:
                actor = actor_for_token(db_session, str(token), _now())
                if actor is None:
                    raise _connection_refused(
                        "unauthorized", "the token is unknown, expired or revoked"
                    )
                hall_id = hall_id if hall_id is not None else actor.hall_id
            if not isinstance(hall_id, int) or db_session.get(Hall, hall_id) is None:
                raise _connection_refused(
                    "not_found", "give an existing hall_id (and a token for devices)"
                )
            pending: print_jobs.JobsOnReconnect | None = None
            if actor is not None and actor.kind == "device":
                pending = print_jobs.pending_print_jobs(db_session, actor.id, _now())
        session["actor"] = actor
        session["hall_id"] = hall_id
        join_room(hall_room(hall_id))
        if actor is not None and actor.kind == "device":
            join_room(device_room(actor.id))
        log.info("client connected", extra={"hall_id": hall_id, "sid": request.sid})  # type: ignore[attr-defined]
        # Joined first, snapshot second: nothing that happens in between can be missed.
        _send_snapshot(hall_id)
        if pending is not None:
            for payload in pending.resend:
                emit("print.job", json_ready(payload))
            if pending.left_out:  # rare (after an outage): only then a write, once they are sent
                _expire_left_out_print_jobs(pending)

    @socketio.on("resync")
    def on_resync(_data: Any = None) -> dict[str, Any]:
        hall_id = session.get("hall_id")
        if hall_id is None:
            return _refused("not_connected", "connect first")
        try:
            _send_snapshot(hall_id)
        except DatabaseUnavailable as error:
            return _database_unavailable("resync", error)
        return {"ok": True}

    @socketio.on("device.health")
    def on_device_health(data: Any) -> dict[str, Any]:
        actor = _actor()
        if actor is None or actor.kind != "device":
            return _refused("forbidden_role", "devices only")
        status = data.get("printer_status") if isinstance(data, dict) else None
        try:
            with _database().transaction() as uow:
                print_jobs.report_device_health(uow, actor, status, _now())
        except Refused as refusal:
            return _device_refusal(refusal)
        except DatabaseUnavailable as error:
            return _database_unavailable("device.health", error)
        return {"ok": True}

    @socketio.on("print.result")
    def on_print_result(data: Any) -> dict[str, Any]:
        actor = _actor()
        if actor is None or actor.role != Role.KIOSK:
            return _refused("forbidden_role", "kiosks only")
        if not isinstance(data, dict) or not isinstance(data.get("job_id"), str):
            return _refused("bad_request", "job_id missing")
        try:
            with _database().transaction() as uow:
                job = print_jobs.record_print_result(
                    uow,
                    actor,
                    data["job_id"],
                    str(data.get("result")),
                    _now(),
                    error=data.get("error"),
                    printer_status=data.get("printer_status"),
                )
        except Refused as refusal:
            return _device_refusal(refusal)
        except DatabaseUnavailable as error:
            return _database_unavailable("print.result", error)
        return {"ok": True, "job": json_ready(job)}

    @socketio.on("print.pending")
    def on_print_pending(_data: Any = None) -> dict[str, Any]:
        """The print agent asks, every few seconds, for the jobs it still owes: those whose
        `print.job` never reached it (Redis away while another process issued the ticket)."""
        actor = _actor()
        if actor is None or actor.role != Role.KIOSK:
            return _refused("forbidden_role", "kiosks only")
        try:
            with _database().reading() as db_session:
                owed = print_jobs.print_jobs_still_owed(db_session, actor, _now())
        except Refused as refusal:
            return _device_refusal(refusal)
        except DatabaseUnavailable as error:
            # Each kiosk asks every 5 s: a line each time would bury the log during an outage.
            return _database_unavailable("print.pending", error, logging.DEBUG)
        if owed.left_out:  # rare: jobs that aged out unanswered; marked once, as on connect
            _expire_left_out_print_jobs(owed)
        return {"ok": True, "jobs": json_ready(owed.resend)}
