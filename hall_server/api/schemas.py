"""Request and response schemas; they validate input and write the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from hall_server.core.remote_issuing import MAINLAND_MOBILE
from hall_server.core.ticket_life import Outcome, TicketStatus, VisitorClass
from hall_server.core.window_life import PauseReason, WindowStatus

SHORT_TEXT = validate.Length(min=1, max=200)
# A field's error says what is wrong and what is expected, not just what the field is.
# (The check digit is the operations' to check: core/id_card_number.py, `invalid_id_number`.)
ID_NUMBER = validate.Regexp(
    r"^[0-9]{17}[0-9Xx]$", error="an ID number has 18 characters: 17 digits, then a digit or X"
)
MOBILE_NUMBER = validate.Regexp(
    MAINLAND_MOBILE,
    error="a mobile number has 11 digits and starts with 13 to 19, e.g. 13800138000",
)
# A stored row's id is a PostgreSQL integer: a larger one names no row (and SQLite would raise
# on it instead of finding nothing). Ids in paths are held to it by errors.RecordIdConverter.
MAX_RECORD_ID = 2**31 - 1


# Days and moments in requests lie within a hall's working life: a far one (year 1, year 9999)
# names nothing and would overflow the time-zone arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DAY_RANGE = validate.Range(
    min=FIRST_DAY, max=LAST_DAY, error="give a day from 2000-01-01 to 2099-12-31"
)
MOMENT_RANGE = validate.Range(
    min=datetime(2000, 1, 2, tzinfo=UTC),
    max=datetime(2099, 12, 31, tzinfo=UTC),
    error="give a time from 2000 to 2099",
)


def local_day(**options: Any) -> fields.Date:
    """A day in a request (a hall's local day): from 2000 to 2099."""
    return fields.Date(validate=DAY_RANGE, **options)


def moment(**options: Any) -> fields.AwareDateTime:
    """A time in a request, with its offset: from 2000 to 2099."""
    return fields.AwareDateTime(validate=MOMENT_RANGE, **options)


def always_present(schema: type[Schema]) -> type[Schema]:
    """An answer's schema whose every field is always in the answer (null where it has no
    value): the OpenAPI document lists them all as required, so clients may rely on them."""
    for field in schema._declared_fields.values():
        field.required = True
    return schema


def record_id(**options: Any) -> fields.Integer:
    """A stored row's id in a request: a whole number from 1 to MAX_RECORD_ID. Strict, so
    "7" (a string) is refused; 7.0 is taken as 7 by StrictSchema, like every integer."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_RECORD_ID), **options)


def whole_number(value: Any) -> Any:
    """A JSON number that is a whole number, as an int: 4.0 is 4, as JSON Schema's `integer`
    has it (and as some JSON writers print whole numbers). 4.5 is no whole number: a
    non-strict marshmallow Integer would cut it to 4, so it is refused here. Anything else
    (a string, true) is left for the field to judge."""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(fields.Integer.default_error_messages["invalid"])
        return int(value)
    return value


class StrictSchema(Schema):
    """Every request's schema. Unknown fields are an error: a typo in a field name must not be
    silently ignored. Integer fields, ids too, take a whole number written as a decimal (4.0)
    and refuse a fraction (4.5), in this one place for every field: the OpenAPI document
    says `integer`, and JSON Schema counts 4.0 as one."""

    @pre_load
    def _whole_numbers(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, dict):
            return data
        loaded, errors = dict(data), {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            if key not in data:
                continue
            try:
                if isinstance(field, fields.Integer):
                    loaded[key] = whole_number(data[key])
                elif (
                    isinstance(field, fields.List)
                    and isinstance(field.inner, fields.Integer)
                    and isinstance(data[key], list)
                ):
                    loaded[key] = [whole_number(item) for item in data[key]]
            except ValidationError as error:
                errors[key] = error.messages
        if errors:
            raise ValidationError(errors)
        return loaded


class ErrorDetail(Schema):
    code = fields.String(
        required=True,
        metadata={
            "example": "invalid_transition",
            "description": "stable and machine-readable: clients key on this, not on the message",
        },
    )
    message = fields.String(
        required=True,
        metadata={
            "description": "for people: Chinese by default; English with `Accept-Language: en`, "
            "`?lang=en` or the `hallq_lang=en` cookie"
        },
    )
    field = fields.String(metadata={"description": "the input field at fault, if any"})


class ErrorResponse(Schema):
    error = fields.Nested(ErrorDetail, required=True)


@always_present
class NameRef(Schema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)


@always_present
class WindowRef(Schema):
    id = fields.Integer()
    number = fields.Integer()
    name = fields.String()


@always_present
class WaitEstimateSchema(Schema):
    low_minutes = fields.Integer(metadata={"description": "10th percentile, rounded down"})
    high_minutes = fields.Integer(metadata={"description": "90th percentile: the promise"})
    median_minutes = fields.Integer()
    over_limit = fields.Boolean(
        metadata={"description": "the wait is likely over low_minutes (2 hours): say so"}
    )


@always_present
class PrintJobRef(Schema):
    id = fields.String()
    status = fields.String()
    payload = fields.Dict()


@always_present
class TicketSchema(Schema):
    id = fields.Integer()
    hall_id = fields.Integer()
    number = fields.String(metadata={"example": "A023"})
    status = fields.String(metadata={"enum": [s.value for s in TicketStatus]})
    visitor_class = fields.String(metadata={"enum": [c.value for c in VisitorClass]})
    service = fields.Nested(NameRef)
    holder_display_name = fields.String(allow_none=True, metadata={"example": "张*明"})
    issued_remotely = fields.Boolean(
        metadata={"description": "taken on the visitor's phone (线上取号), not in the hall"}
    )
    issued_at = fields.AwareDateTime()
    appointment_due_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "an appointment ticket's slot: it is called first from then"},
    )
    called_at = fields.AwareDateTime(allow_none=True)
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    recall_count = fields.Integer()
    outcome = fields.String(allow_none=True, metadata={"enum": [o.value for o in Outcome]})
    transfer_count = fields.Integer()
    target_window_id = fields.Integer(allow_none=True)
    window = fields.Nested(WindowRef, allow_none=True)
    people_ahead = fields.Integer(allow_none=True)
    estimated_wait = fields.Nested(WaitEstimateSchema, allow_none=True)
    requeue_until = fields.AwareDateTime(
        allow_none=True,
        metadata={
            "description": "a no-show's last moment to come back and wait again "
            "(no-show time + the hall's grace); null in every other state"
        },
    )
    requeue_behind = fields.Integer(
        allow_none=True,
        metadata={"description": "a no-show who comes back waits behind at most this many"},
    )


@always_present
class IssuedTicketSchema(TicketSchema):
    """A ticket as its issuer gets it: with the secret of its status page (for the paper's QR
    code or the visitor's phone) and a kiosk's print job. No other answer carries the secret,
    so nobody else (a clerk, say) can rate or cancel the ticket as its holder."""

    status_token = fields.String(
        metadata={"description": "secret of the ticket's status page; only its holder gets it"}
    )
    status_url = fields.String(metadata={"description": "the ticket's status page (its QR code)"})
    print_job = fields.Nested(
        PrintJobRef,
        allow_none=True,
        metadata={"description": "a kiosk's ticket: what its printer prints; null otherwise"},
    )


class IssueTicketRequest(StrictSchema):
    service_id = record_id(required=True)
    visitor_class = fields.String(
        load_default=VisitorClass.WALK_IN.value,
        validate=validate.OneOf([c.value for c in VisitorClass]),
        metadata={
            "description": "staff (clerk, manager, admin) may give any class; a kiosk may "
            "not (403 forbidden_role): its ticket takes its class from booking_code, "
            "prereview_code or id_number"
        },
    )
    id_number = fields.String(
        validate=ID_NUMBER,
        metadata={"description": "kept only as a keyed hash"},
    )
    phone = fields.String(validate=MOBILE_NUMBER)
    holder_name = fields.String(validate=validate.Length(min=1, max=40))
    booking_code = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "an online booking's code: the ticket becomes an appointment"},
    )
    prereview_code = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a passed online pre-review's code: the ticket is pre-reviewed"},
    )


class CallTicketRequest(StrictSchema):
    ticket_id = record_id(required=True)


class FinishRequest(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    case_number = fields.String(validate=validate.Length(max=60))
    note = fields.String(validate=validate.Length(max=2000))


class TransferRequest(StrictSchema):
    to_service_id = record_id()
    to_window_id = record_id()
    reason = fields.String(validate=validate.Length(max=200))


class WindowChangeRequest(StrictSchema):
    change = fields.String(
        required=True, validate=validate.OneOf(["open", "pause", "resume", "close"])
    )
    reason = fields.String(validate=validate.OneOf([r.value for r in PauseReason]))
    pause_minutes = fields.Integer(
        strict=True,
        metadata={
            "description": "a pause only: how long it is meant to last (1-240); a break at the "
            "time of the window's rota break lasts the rota's minutes when this is not given",
            "example": 15,
        },
    )


class WindowServicesRequest(StrictSchema):
    service_ids = fields.List(record_id(), required=True, validate=validate.Length(min=1, max=500))


class ServiceRef(Schema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    prefix = fields.String()


class ClerkRef(Schema):
    id = fields.Integer()
    name = fields.String()
    staff_number = fields.String()


class WindowSchema(Schema):
    id = fields.Integer()
    hall_id = fields.Integer()
    number = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": ["comprehensive", "dedicated"]})
    status = fields.String(metadata={"enum": [s.value for s in WindowStatus]})
    pause_reason = fields.String(allow_none=True)
    pause_minutes = fields.Integer(
        allow_none=True, metadata={"description": "how long the current pause is meant to last"}
    )
    paused_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "when the current pause began (null unless paused)"},
    )
    status_changed_at = fields.AwareDateTime(allow_none=True)
    clerk = fields.Nested(ClerkRef, allow_none=True)
    services = fields.List(fields.Nested(ServiceRef))
    current_ticket = fields.Nested(
        TicketSchema,
        allow_none=True,
        metadata={
            "description": "in the board snapshot only (GET /halls/{id}/board and the live "
            "`snapshot`): the ticket called to or served at the window, or null"
        },
    )


class HallSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String(metadata={"enum": ["city", "district", "township", "community"]})
    parent_id = fields.Integer(allow_none=True)
    time_zone = fields.String()
    opening_hours = fields.String(allow_none=True)
    notice_lines = fields.List(fields.String())
    target_wait_minutes = fields.Integer()


@always_present
class DepartmentRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)


@always_present  # every answer is one of hall_reads.list_services
class ServiceSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    pinyin_initials = fields.String(allow_none=True)
    prefix = fields.String()
    expected_handling_minutes = fields.Integer()
    daily_quota = fields.Integer(
        allow_none=True,
        metadata={"description": "tickets a day; null for no limit, 0: the service issues none"},
    )
    issuing_hours = fields.String(allow_none=True)
    active = fields.Boolean()
    department = fields.Nested(DepartmentRef)


class WaitingByService(Schema):
    service_id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    department_id = fields.Integer()
    prefix = fields.String()
    waiting = fields.Integer()
    open_windows = fields.Integer()
    estimated_wait_for_new_ticket = fields.Nested(WaitEstimateSchema, allow_none=True)


class RecentCall(Schema):
    ticket_id = fields.Integer()
    ticket_number = fields.String()
    window_id = fields.Integer()
    window_number = fields.Integer()
    window_name = fields.String()
    action = fields.String(metadata={"enum": ["called", "recalled", "resumed"]})
    at = fields.AwareDateTime()
    service_id = fields.Integer()
    holder_display_name = fields.String(allow_none=True, metadata={"example": "张*明"})


class BoardSnapshot(Schema):
    seq = fields.Integer(metadata={"description": "the hall's event number this snapshot is at"})
    hall = fields.Nested(HallSchema)
    server_time = fields.AwareDateTime()
    windows = fields.List(fields.Nested(WindowSchema))
    recent_calls = fields.List(fields.Nested(RecentCall))
    waiting = fields.List(fields.Nested(WaitingByService))
    total_waiting = fields.Integer()


class LoginRequest(StrictSchema):
    staff_number = fields.String(required=True, validate=SHORT_TEXT)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserSchema(Schema):
    id = fields.Integer()
    staff_number = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": ["clerk", "manager", "admin"]})
    hall_id = fields.Integer()


class LoginResponse(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSchema)


class DeviceSchema(Schema):
    id = fields.Integer()
    hall_id = fields.Integer()
    kind = fields.String(metadata={"enum": ["kiosk", "board", "window_display", "rating_pad"]})
    name = fields.String()
    window_id = fields.Integer(allow_none=True)
    settings = fields.Dict()
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)
    last_seen_at = fields.AwareDateTime(allow_none=True)
    printer_status = fields.String(allow_none=True)


class EnrolDeviceRequest(StrictSchema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["kiosk", "board", "window_display", "rating_pad"])
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    window_id = record_id()
    settings = fields.Dict()


class EnrolDeviceResponse(Schema):
    device = fields.Nested(DeviceSchema)
    token = fields.String(metadata={"description": "shown once; store it on the device"})
