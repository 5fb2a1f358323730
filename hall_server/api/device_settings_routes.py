"""URL table for what boards and window displays show: per screen and hall-wide defaults."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import StrictSchema, record_id
from hall_server.core.refusals import Refused
from hall_server.operations import display_settings

blueprint = ApiBlueprint(
    "display_settings",
    __name__,
    url_prefix="/api/v1",
    description="What lobby boards and window displays show, per screen and per hall",
)


class VoiceSettings(StrictSchema):
    enabled = fields.Boolean(metadata={"description": "false mutes this screen"})
    volume = fields.Float(validate=validate.Range(min=0.0, max=1.0))
    english = fields.Boolean(metadata={"description": "repeat each call in English"})
    chime = fields.Boolean()


class HallDisplaySettings(StrictSchema):
    """Every key is optional; what is left out comes from the hall, then the defaults."""

    panels = fields.List(
        fields.String(validate=validate.OneOf(display_settings.PANELS)),
        validate=validate.Length(max=len(display_settings.PANELS)),
        metadata={"description": "what a board shows, in this order"},
    )
    columns = fields.Integer(strict=True, validate=validate.Range(min=1, max=4))
    latest_count = fields.Integer(strict=True, validate=validate.Range(min=1, max=4))
    recent_count = fields.Integer(strict=True, validate=validate.Range(min=0, max=12))
    waiting_by = fields.String(validate=validate.OneOf(["auto", "service", "department"]))
    waiting_rows = fields.Integer(strict=True, validate=validate.Range(min=1, max=20))
    english = fields.Boolean(metadata={"description": "English beside Chinese"})
    numbers_only = fields.Boolean(
        metadata={"description": "never show a visitor's (masked) name; a hall's true wins"}
    )
    voice = fields.Nested(VoiceSettings)


class DeviceDisplaySettings(HallDisplaySettings):
    title = fields.String(
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"example": "二楼 B区", "description": "shown under the hall's name"},
    )
    service_ids = fields.List(
        record_id(),
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "show only these services; null for all"},
    )
    window_ids = fields.List(
        record_id(),
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "show only calls to these windows; null for all"},
    )


class DeviceSettingsView(Schema):
    device_id = fields.Integer()
    hall_id = fields.Integer()
    kind = fields.String(metadata={"enum": ["board", "window_display"]})
    name = fields.String()
    window_id = fields.Integer(allow_none=True)
    settings = fields.Dict(metadata={"description": "this screen's own choices"})
    hall_settings = fields.Dict(metadata={"description": "the hall's defaults"})
    effective_settings = fields.Dict(metadata={"description": "what the screen applies"})


class HallSettingsView(Schema):
    hall_id = fields.Integer()
    settings = fields.Dict()


@blueprint.route("/devices/<int:device_id>/settings", methods=["GET"])
@blueprint.response(200, DeviceSettingsView)
@documented_errors(blueprint, *READ_ERRORS, 422)  # a kiosk: invalid_device_kind
@blueprint.doc(security=BEARER)
def device_settings(device_id: int) -> Any:
    """Managers: a board's or window display's settings, the hall's, and the merged result."""
    return read(display_settings.read_device_settings, require_actor(), device_id)


@blueprint.route("/devices/<int:device_id>/settings", methods=["PUT"])
@blueprint.arguments(DeviceDisplaySettings)
@blueprint.response(200, DeviceSettingsView)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def change_device_settings(payload: dict[str, Any], device_id: int) -> Any:
    """Managers: replace one screen's settings (services or windows shown, layout, voice).

    The screen applies them at once: a `device.changed` event tells it to fetch them."""
    return perform(
        lambda uow, actor: display_settings.change_device_settings(
            uow, actor, device_id, payload, now()
        ),
        DeviceSettingsView,
    )


@blueprint.route("/devices/self/settings", methods=["GET"])
@blueprint.response(200, DeviceSettingsView)
@documented_errors(blueprint, *READ_ERRORS, 422)  # a kiosk: invalid_device_kind
@blueprint.doc(security=BEARER)
def own_settings() -> Any:
    """Boards and window displays: the settings to apply, with their device token."""
    actor = require_actor()
    if actor.kind != "device":
        raise Refused("forbidden_role", "this is for a board's or window display's token")
    return read(display_settings.read_device_settings, actor, actor.id)


@blueprint.route("/halls/<int:hall_id>/display-settings", methods=["GET"])
@blueprint.response(200, HallSettingsView)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def hall_settings(hall_id: int) -> Any:
    """Managers: the defaults of every screen in the hall."""
    return read(display_settings.read_hall_settings, require_actor(), hall_id)


@blueprint.route("/halls/<int:hall_id>/display-settings", methods=["PUT"])
@blueprint.arguments(HallDisplaySettings)
@blueprint.response(200, HallSettingsView)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def change_hall_settings(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: replace the hall's screen defaults, e.g. numbers only or English beside Chinese.

    Every screen applies them at once (a `hall.changed` event)."""
    return perform(
        lambda uow, actor: display_settings.change_hall_settings(
            uow, actor, hall_id, payload, now()
        ),
        HallSettingsView,
    )
