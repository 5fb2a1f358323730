"""What the break rota's API reads and answers (hall_server/operations/break_rota.py checks
the values themselves: times of day, minutes, weekdays, overlaps)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall_server.api.schemas import StrictSchema, record_id
from hall_server.core.break_rota import WEEKDAYS

MAX_BREAKS = 500


class WindowBreakRequest(StrictSchema):
    start = fields.String(
        required=True,
        metadata={
            "description": "local time of day in the hall's time zone, HH:MM",
            "example": "11:30",
        },
    )
    minutes = fields.Integer(
        strict=True, required=True, metadata={"description": "1 to 240", "example": 60}
    )
    weekdays = fields.List(
        fields.String(),
        metadata={
            "description": "the days it applies to; every day when not given",
            "example": ["mon", "tue", "wed", "thu", "fri"],
            "items": {"enum": list(WEEKDAYS)},
        },
    )
    label = fields.String(
        allow_none=True, metadata={"description": "at most 60 characters", "example": "午休 lunch"}
    )


class RotaBreakRequest(WindowBreakRequest):
    window_id = record_id(required=True)


class RotaRequest(StrictSchema):
    breaks = fields.List(
        fields.Nested(RotaBreakRequest),
        required=True,
        validate=validate.Length(max=MAX_BREAKS),
        metadata={"description": "every break of the hall; an empty list clears the rota"},
    )


class WindowRotaRequest(StrictSchema):
    breaks = fields.List(
        fields.Nested(WindowBreakRequest),
        required=True,
        validate=validate.Length(max=MAX_BREAKS),
        metadata={"description": "every break of this window; an empty list clears them"},
    )


class RotaBreakSchema(Schema):
    id = fields.Integer()
    window_id = fields.Integer()
    window_number = fields.Integer()
    window_name = fields.String()
    window_name_en = fields.String(allow_none=True)
    weekdays = fields.List(fields.String())
    start = fields.String(metadata={"example": "11:30"})
    end = fields.String(metadata={"example": "12:30"})
    minutes = fields.Integer()
    label = fields.String(allow_none=True)


class RotaSchema(Schema):
    hall_id = fields.Integer()
    time_zone = fields.String(metadata={"description": "the zone the times of day are in"})
    breaks = fields.List(fields.Nested(RotaBreakSchema))
