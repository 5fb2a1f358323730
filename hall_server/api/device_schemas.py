"""Schemas of what a device (a kiosk of any vendor, a board) reads and reports over HTTP: what a
ticket taken now would be told, the device's own identity and health, and its print jobs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall_server.api.counter_schemas import CheckInPreviewSchema
from hall_server.api.schemas import NameRef, StrictSchema, WaitEstimateSchema, always_present
from hall_server.operations.print_jobs import JOB_RESULTS, PRINTER_STATUSES

DEVICE_KINDS = ["kiosk", "board", "window_display", "rating_pad"]
PRINT_JOB_STATUSES = ["pending", "printed", "failed", "cancelled", "expired"]
WEEKLY_SPANS = (
    "each weekday's spans in the hall's time, Monday first, e.g. "
    '[[["08:30", "11:30"], ["13:30", "17:00"]], ..., []]'
)


@always_present
class IssuingRefusal(Schema):
    code = fields.String(
        metadata={
            "description": "the refusal issuing would give now: `daily_quota_reached`, "
            "`outside_issuing_hours`, `no_window_serves`, `hall_closed`, "
            "`service_unavailable`; a client keys on this",
            "example": "daily_quota_reached",
        }
    )
    message = fields.String(metadata={"description": "for people, in the reader's language"})


@always_present
class ServicePreview(Schema):
    service_id = fields.Integer()
    people_ahead = fields.Integer(
        metadata={
            "description": "people a walk-in ticket taken now would have ahead of it: everyone "
            "the windows able to serve it would call first (other services' visitors at a "
            "shared window included), as the ticket then reads it"
        }
    )
    estimated_wait = fields.Nested(
        WaitEstimateSchema,
        allow_none=True,
        metadata={"description": "null when no window can serve it now (no wait is promised)"},
    )
    refusal = fields.Nested(
        IssuingRefusal,
        allow_none=True,
        metadata={"description": "null while the service issues; else why it does not now"},
    )
    issuing_hours = fields.List(
        fields.List(fields.List(fields.String())),
        allow_none=True,
        metadata={"description": f"only while `outside_issuing_hours` is why: {WEEKLY_SPANS}"},
    )


@always_present
class HallIssuingState(Schema):
    refusal = fields.Nested(
        IssuingRefusal,
        allow_none=True,
        metadata={"description": "`hall_closed` while the hall gives no tickets at all; else null"},
    )
    opening_hours = fields.List(
        fields.List(fields.List(fields.String())),
        allow_none=True,
        metadata={"description": f"only while the hall is closed, its hours: {WEEKLY_SPANS}"},
    )


@always_present
class ServicesPreviewSchema(Schema):
    now = fields.String(
        metadata={"format": "date-time", "description": "the moment these figures are for"}
    )
    hall = fields.Nested(HallIssuingState)
    services = fields.List(
        fields.Nested(ServicePreview),
        metadata={"description": "every active service of the hall, by id"},
    )


class CheckInPreviewWithFigures(CheckInPreviewSchema):
    """A check-in preview with what the ticket would be told: the kiosk's confirmation."""

    people_ahead = fields.Integer(
        metadata={"description": "people ahead of the ticket this would give, issued now"}
    )
    estimated_wait = fields.Nested(WaitEstimateSchema, allow_none=True)
    refusal = fields.Nested(
        IssuingRefusal,
        allow_none=True,
        metadata={"description": "why issuing for the service would be refused now, or null"},
    )


@always_present
class DeviceSelfSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": DEVICE_KINDS})
    name = fields.String(metadata={"example": "1号取号机"})
    hall = fields.Nested(NameRef)
    window_id = fields.Integer(allow_none=True, metadata={"description": "a window display's"})
    last_seen_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "the device's last report of life (health or print result)"},
    )
    printer_status = fields.String(allow_none=True, metadata={"enum": sorted(PRINTER_STATUSES)})


class DeviceHealthRequest(StrictSchema):
    printer_status = fields.String(
        validate=validate.OneOf(sorted(PRINTER_STATUSES)),
        metadata={"description": "a kiosk's printer as its driver reads it; other devices omit it"},
    )


class PrintResultRequest(StrictSchema):
    result = fields.String(required=True, validate=validate.OneOf(sorted(JOB_RESULTS)))
    error = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "what went wrong, for staff (a failed job)", "example": "缺纸"},
    )
    printer_status = fields.String(
        validate=validate.OneOf(sorted(PRINTER_STATUSES)),
        metadata={"description": "the printer after this job, as in the health report"},
    )


class TicketPrintPayload(Schema):
    """What a kiosk prints on the paper ticket (hardware/print_job.py's TicketPrintJob)."""

    job_id = fields.String(
        required=True, metadata={"description": "the print job's id: report its result by it"}
    )
    ticket_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    service_name = fields.String(required=True)
    ticket_number = fields.String(
        required=True,
        metadata={"example": "A023", "description": "1-10 ASCII letters, digits or '-'"},
    )
    visitor_class = fields.String(
        required=True, metadata={"enum": ["walk_in", "appointment", "pre_reviewed", "priority"]}
    )
    people_ahead = fields.Integer(required=True)
    estimated_wait_minutes = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "[low, high] minutes; [0, 0] when `wait_kind` is not range"},
    )
    wait_kind = fields.String(
        required=True,
        metadata={
            "enum": ["range", "over_limit", "unknown"],
            "description": "range: print the minutes; over_limit: over two hours, however "
            "many; unknown: no window serves it now, print no wait",
        },
    )
    issued_at_local = fields.String(
        required=True, metadata={"example": "2026-11-30 09:12", "description": "hall's time"}
    )
    status_url = fields.String(
        required=True, metadata={"description": "print it as a QR code: the visitor's phone page"}
    )
    notice_lines = fields.List(
        fields.String(), required=True, metadata={"description": "the hall's notice, one a line"}
    )
    language = fields.String(required=True, metadata={"enum": ["zh", "en"]})
    appointment_due_local = fields.String(
        metadata={"example": "10:40", "description": "an appointment ticket only: its slot"}
    )


@always_present
class PrintJobSchema(Schema):
    id = fields.String()
    ticket_id = fields.Integer()
    device_id = fields.Integer()
    status = fields.String(metadata={"enum": PRINT_JOB_STATUSES})
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    payload = fields.Nested(TicketPrintPayload)
    updated_at = fields.AwareDateTime()
