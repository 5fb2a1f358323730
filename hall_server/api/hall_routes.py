"""URL table for halls and windows: lists, the board snapshot, and window state changes."""

from __future__ import annotations

from typing import Any

from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import (
    BoardSnapshot,
    HallSchema,
    ServiceSchema,
    WindowChangeRequest,
    WindowSchema,
    WindowServicesRequest,
)
from hall_server.operations import hall_reads, window_operations

blueprint = ApiBlueprint(
    "halls", __name__, url_prefix="/api/v1", description="Halls, their services and windows"
)


@blueprint.route("/halls", methods=["GET"])
@blueprint.response(200, HallSchema(many=True))
@documented_errors(blueprint, 503)
def list_halls() -> Any:
    """Every hall of the network (city, district, township, community)."""
    return read(hall_reads.list_halls)


@blueprint.route("/halls/<int:hall_id>/services", methods=["GET"])
@blueprint.response(200, ServiceSchema(many=True))
@documented_errors(blueprint, 404, 503)
def list_services(hall_id: int) -> Any:
    """The services a hall offers, with department, prefix and issuing rules."""
    return read(hall_reads.list_services, hall_id)


@blueprint.route("/halls/<int:hall_id>/windows", methods=["GET"])
@blueprint.response(200, WindowSchema(many=True))
@documented_errors(blueprint, 404, 503)
def list_windows(hall_id: int) -> Any:
    """A hall's windows with their state, clerk and services."""
    return read(hall_reads.list_windows, hall_id)


@blueprint.route("/halls/<int:hall_id>/board", methods=["GET"])
@blueprint.response(200, BoardSnapshot)
@documented_errors(blueprint, *READ_ERRORS)
def board(hall_id: int) -> Any:
    """What boards show: windows, recent calls, waiting per service, and the hall's `seq`."""
    return read(hall_reads.board_snapshot, hall_id, now())


@blueprint.route("/windows/<int:window_id>/take", methods=["POST"])
@blueprint.response(200, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def take_window(window_id: int) -> Any:
    """The logged-in clerk takes this window (and opens it); one clerk per window."""
    return perform(
        lambda uow, actor: window_operations.take_window(uow, actor, window_id, now()),
        WindowSchema,
    )


@blueprint.route("/windows/<int:window_id>/release", methods=["POST"])
@blueprint.response(200, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def release_window(window_id: int) -> Any:
    """The clerk leaves the window; it closes. A clerk with a case in hand is refused (finish,
    transfer, park or mark it no-show first). A manager may free a window held by a clerk who
    has gone: with a case in hand the window pauses instead, and the case stays at it for the
    next clerk who takes the window."""
    return perform(
        lambda uow, actor: window_operations.release_window(uow, actor, window_id, now()),
        WindowSchema,
    )


@blueprint.route("/windows/<int:window_id>/state", methods=["POST"])
@blueprint.arguments(WindowChangeRequest)
@blueprint.response(200, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def change_window_state(payload: dict[str, Any], window_id: int) -> Any:
    """Open, pause (with a reason: break, meeting, other; and perhaps its planned minutes),
    resume or close the window."""
    return perform(
        lambda uow, actor: window_operations.change_window_state(
            uow,
            actor,
            window_id,
            payload["change"],
            now(),
            payload.get("reason"),
            payload.get("pause_minutes"),
        ),
        WindowSchema,
    )


@blueprint.route("/windows/<int:window_id>/services", methods=["PUT"])
@blueprint.arguments(WindowServicesRequest)
@blueprint.response(200, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def set_window_services(payload: dict[str, Any], window_id: int) -> Any:
    """Managers: change which services a window serves, in order of preference."""
    return perform(
        lambda uow, actor: window_operations.set_window_services(
            uow, actor, window_id, payload["service_ids"], now()
        ),
        WindowSchema,
    )
