"""URL table for devices over plain HTTP: what each service would give a ticket taken now, the
device's own identity, and its heartbeat (for kiosks that use no Socket.IO)."""

from __future__ import annotations

from typing import Any

from hall_server.api.device_schemas import (
    DeviceHealthRequest,
    DeviceSelfSchema,
    ServicesPreviewSchema,
)
from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.error_translation import translate_refusal
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.operations import device_self
from hall_server.operations.access import Actor, require_hall_access
from hall_server.operations.issue_preview import hall_issue_preview
from hall_server.operations.queue_reads import get_or_refuse
from hall_server.storage.models import Hall

blueprint = ApiBlueprint(
    "devices",
    __name__,
    url_prefix="/api/v1",
    description="Devices over HTTP: what a ticket taken now would be told, identity, heartbeat",
)


def _services_preview(session: Any, actor: Actor, hall_id: int) -> dict[str, Any]:
    hall = get_or_refuse(session, Hall, hall_id, "hall")
    require_hall_access(session, actor, hall.id)
    preview = hall_issue_preview(session, hall, now())
    for service in preview["services"]:
        service["refusal"] = translate_refusal(service["refusal"])
    preview["hall"]["refusal"] = translate_refusal(preview["hall"]["refusal"])
    return preview


@blueprint.route("/halls/<int:hall_id>/services/preview", methods=["GET"])
@blueprint.response(200, ServicesPreviewSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def services_preview(hall_id: int) -> Any:
    """Per active service, what a visitor would be told if issued a walk-in ticket now: the
    people ahead and the estimated wait (what a kiosk's service button says, and what the
    ticket then reads), and whether the service issues now, and if not why (`refusal`: a daily
    quota used up, outside its issuing hours, no window serving it); whether the hall itself
    gives no tickets now (`hall.refusal`, closed). For the hall's devices and staff (managers
    also for the halls below theirs). A kiosk asks when a visitor opens the list and about
    every half minute."""
    actor = require_actor()
    return read(_services_preview, actor, hall_id)


@blueprint.route("/devices/self", methods=["GET"])
@blueprint.response(200, DeviceSelfSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def own_device() -> Any:
    """The device the token belongs to: id, kind, name, hall and health (devices only; staff
    read themselves at GET /auth/me). Reading it does not count as a sign of life."""
    actor = require_actor()
    return read(device_self.device_self, actor)


@blueprint.route("/devices/self/health", methods=["POST"])
@blueprint.arguments(DeviceHealthRequest)
@blueprint.response(200, DeviceSelfSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def report_health(payload: dict[str, Any]) -> Any:
    """The device is alive (and a kiosk's printer is in `printer_status`): what Socket.IO's
    `device.health` says, for devices that only speak HTTP. Send it every minute: a device
    not heard from for 3 minutes is alerted offline on the manager's dashboard, and a kiosk
    whose printer is not reported for 3 minutes has its printer alerted silent."""
    return perform(
        lambda uow, actor: device_self.report_health_over_http(
            uow, actor, payload.get("printer_status"), now()
        ),
        DeviceSelfSchema,
    )
