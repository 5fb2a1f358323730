"""URL table for hall managers: the live dashboard, the network of halls, alerts and notices."""

from __future__ import annotations

from typing import Any

from hall_server.api.break_rota_schemas import (
    RotaBreakRequest,
    RotaRequest,
    RotaSchema,
    WindowRotaRequest,
)
from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.manager_schemas import (
    AlertSchema,
    AlertSettingsSchema,
    DayQuery,
    HallDashboardSchema,
    NetworkSchema,
    NoticeRequest,
    NoticeSchema,
)
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import HallSchema
from hall_server.operations import administration, alerts, break_rota, hall_figures

blueprint = ApiBlueprint(
    "manager",
    __name__,
    url_prefix="/api/v1",
    description="Hall managers: live dashboard, all halls of the network, alerts, notices and "
    "the break rota",
)


@blueprint.route("/manager/halls/<int:hall_id>/dashboard", methods=["GET"])
@blueprint.response(200, HallDashboardSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def dashboard(hall_id: int) -> Any:
    """Managers: waiting now, windows and devices, today so far, the day's charts, alerts.

    Pages refresh it on the hall's live events; `seq` says which event it is up to."""
    return read(hall_figures.hall_dashboard, require_actor(), hall_id, now())


@blueprint.route("/manager/network", methods=["GET"])
@blueprint.response(200, NetworkSchema)
@documented_errors(blueprint, 401, 403, 503)
@blueprint.doc(security=BEARER)
def network() -> Any:
    """Managers: every hall they look after (theirs and all below), the worst off first."""
    return read(hall_figures.network_figures, require_actor(), now())


@blueprint.route("/manager/halls/<int:hall_id>/alerts", methods=["GET"])
@blueprint.arguments(DayQuery, location="query")
@blueprint.response(200, AlertSchema(many=True))
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def alert_history(query: dict[str, Any], hall_id: int) -> Any:
    """Managers: the alerts open at any moment of one local day (today by default): raised
    that day, or raised before and still open then; cleared or not."""
    return read(alerts.alert_history, require_actor(), hall_id, query.get("date"), now())


@blueprint.route("/manager/halls/<int:hall_id>/alert-settings", methods=["GET"])
@blueprint.response(200, AlertSettingsSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def read_alert_settings(hall_id: int) -> Any:
    """Managers: the thresholds of the hall's alerts."""
    return read(alerts.read_alert_settings, require_actor(), hall_id)


@blueprint.route("/manager/halls/<int:hall_id>/alert-settings", methods=["PUT"])
@blueprint.arguments(AlertSettingsSchema)
@blueprint.response(200, AlertSettingsSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def change_alert_settings(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: change thresholds (long wait, many waiting, idle window, silent device)."""
    return perform(
        lambda uow, actor: alerts.change_alert_settings(uow, actor, hall_id, payload),
        AlertSettingsSchema,
    )


@blueprint.route("/halls/<int:hall_id>/notice", methods=["POST"])
@blueprint.arguments(NoticeRequest)
@blueprint.response(200, HallSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def send_notice(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: put a notice on every board of the hall at once (a `hall.changed` event)."""
    return perform(
        lambda uow, actor: administration.send_notice(uow, actor, hall_id, payload["lines"], now()),
        HallSchema,
    )


@blueprint.route("/halls/<int:hall_id>/notices", methods=["GET"])
@blueprint.response(200, NoticeSchema(many=True))
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def notice_history(hall_id: int) -> Any:
    """Managers: the notices sent to the hall's boards, newest first."""
    return read(administration.notice_history, require_actor(), hall_id)


@blueprint.route("/manager/halls/<int:hall_id>/break-rota", methods=["GET"])
@blueprint.response(200, RotaSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def read_break_rota(hall_id: int) -> Any:
    """Managers: every window's planned breaks (times of day in the hall's time zone)."""
    return read(break_rota.read_rota, require_actor(), hall_id)


@blueprint.route("/manager/halls/<int:hall_id>/break-rota", methods=["PUT"])
@blueprint.arguments(RotaRequest)
@blueprint.response(200, RotaSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def replace_break_rota(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: replace the hall's whole rota; nothing changes if one break is refused (a
    `rota.changed` event; wait forecasts plan with the new rota at once)."""
    return perform(
        lambda uow, actor: break_rota.replace_hall_rota(uow, actor, hall_id, payload["breaks"]),
        RotaSchema,
    )


@blueprint.route("/manager/halls/<int:hall_id>/break-rota/windows/<int:window_id>", methods=["PUT"])
@blueprint.arguments(WindowRotaRequest)
@blueprint.response(200, RotaSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def replace_window_breaks(payload: dict[str, Any], hall_id: int, window_id: int) -> Any:
    """Managers: replace one window's breaks; the other windows' stay as they are."""
    return perform(
        lambda uow, actor: break_rota.replace_window_breaks(
            uow, actor, hall_id, window_id, payload["breaks"]
        ),
        RotaSchema,
    )


@blueprint.route("/manager/halls/<int:hall_id>/break-rota/breaks", methods=["POST"])
@blueprint.arguments(RotaBreakRequest)
@blueprint.response(201, RotaSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def add_break(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: add one break to a window's rota; refused if it overlaps one of its breaks."""
    return perform(
        lambda uow, actor: break_rota.add_break(uow, actor, hall_id, payload), RotaSchema, 201
    )


@blueprint.route(
    "/manager/halls/<int:hall_id>/break-rota/breaks/<int:break_id>", methods=["DELETE"]
)
@blueprint.response(200, RotaSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def remove_break(hall_id: int, break_id: int) -> Any:
    """Managers: take one break off the rota."""
    return perform(
        lambda uow, actor: break_rota.remove_break(uow, actor, hall_id, break_id), RotaSchema
    )
