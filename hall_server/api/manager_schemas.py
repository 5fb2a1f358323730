"""Schemas of the managers' API: the live dashboard, the network view, alerts, notices, reports
and administration (halls, departments, services, windows, staff)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall_server.api.schemas import (
    HallSchema,
    StrictSchema,
    UserSchema,
    WaitingByService,
    WindowSchema,
    local_day,
    record_id,
)
from hall_server.core.hall_code import HALL_CODE_PATTERN, HALL_CODE_RULE
from hall_server.operations.administration import HALL_LEVELS
from hall_server.operations.reports import Dimension, Period
from hall_server.operations.staff_accounts import STAFF_ROLES

NAME = validate.Length(min=1, max=120)
CODE_RULE = "a code is 1 to 40 characters, without spaces"
CODE = validate.And(
    validate.Length(min=1, max=40, error=CODE_RULE),
    validate.Regexp(r"^\S+$", error=CODE_RULE),
)
# What a clerk types at every login: letters and digits, as staff numbers are printed on badges.
STAFF_NUMBER_RULE = "a staff number is letters and digits (and - _ .), at most 40, e.g. C1017"
STAFF_NUMBER = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", error=STAFF_NUMBER_RULE)
# A hall's code is the one path segment of its phone page (/h/<code>/take) and of its remote
# API, printed as a QR code on posters: these characters need no encoding anywhere.
HALL_CODE = validate.Regexp(HALL_CODE_PATTERN, error=HALL_CODE_RULE)
OPTIONAL_NAME = validate.Length(max=120)
MINUTES = {"description": "seconds; null when there is nothing to measure"}

# ----- figures -----


class AlertSchema(Schema):
    key = fields.String(metadata={"example": "long_wait:service:3"})
    kind = fields.String(
        metadata={
            "enum": [
                "long_wait",
                "idle_window",
                "paper_out",
                "paper_near_end",
                "printer_offline",
                "device_offline",
                "printer_silent",
            ]
        }
    )
    subject = fields.String(metadata={"example": "service:3"})
    severity = fields.String(metadata={"enum": ["critical", "warning"]})
    since = fields.AwareDateTime(allow_none=True, metadata={"description": "when it began"})
    raised_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "when the background check recorded it"}
    )
    cleared_at = fields.AwareDateTime(allow_none=True)
    detail = fields.Dict(metadata={"description": "names and numbers for the message"})


class AlertSettingsSchema(StrictSchema):
    long_wait_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=480))
    many_waiting = fields.Integer(strict=True, validate=validate.Range(min=1, max=10_000))
    idle_window_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=240))
    device_offline_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=240))


class Figures(Schema):
    issued = fields.Integer(allow_none=True)
    called = fields.Integer()
    served = fields.Integer()
    no_shows = fields.Integer()
    cancelled = fields.Integer()
    transfers = fields.Integer()
    wait_mean_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    wait_p90_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    wait_max_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    handling_mean_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    handling_p90_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    handling_max_seconds = fields.Float(allow_none=True, metadata=MINUTES)
    within_target = fields.Integer()
    service_level = fields.Float(
        allow_none=True, metadata={"description": "share of called tickets within the target"}
    )
    ratings = fields.Integer()
    rating_average = fields.Float(allow_none=True)
    rating_good_share = fields.Float(allow_none=True)


class TodayFigures(Figures):
    target_wait_minutes = fields.Integer()
    waiting = fields.Integer()


class LongestWait(Schema):
    ticket_number = fields.String()
    service_id = fields.Integer()
    service_name = fields.String()
    service_name_en = fields.String(allow_none=True)
    issued_at = fields.AwareDateTime()
    seconds = fields.Float()


class ServiceNow(WaitingByService):
    longest_wait_seconds = fields.Float(allow_none=True)
    issued_today = fields.Integer(metadata={"description": "tickets issued today, cancelled too"})
    quota_taken = fields.Integer(
        metadata={"description": "places of the daily quota taken today (a cancelled one is free)"}
    )
    daily_quota = fields.Integer(allow_none=True)


class DepartmentNow(Schema):
    department_id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    waiting = fields.Integer()
    longest_wait_seconds = fields.Float(allow_none=True)


class DeviceHealth(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    window_id = fields.Integer(allow_none=True)
    printer_status = fields.String(allow_none=True)
    last_seen_at = fields.AwareDateTime(allow_none=True)
    online = fields.Boolean(allow_none=True, metadata={"description": "null: never seen"})


class WindowStates(Schema):
    open = fields.Integer()
    paused = fields.Integer()
    closed = fields.Integer()


class NowFigures(Schema):
    total_waiting = fields.Integer()
    longest_wait = fields.Nested(LongestWait, allow_none=True)
    services = fields.List(fields.Nested(ServiceNow))
    departments = fields.List(fields.Nested(DepartmentNow))
    windows = fields.List(fields.Nested(WindowSchema))
    window_states = fields.Nested(WindowStates)
    devices = fields.List(fields.Nested(DeviceHealth))


class WaitingPoint(Schema):
    at = fields.AwareDateTime()
    time = fields.String(metadata={"example": "09:15", "description": "the hall's local time"})
    waiting = fields.Integer()


class HourPoint(Schema):
    hour = fields.Integer(metadata={"description": "the hall's local hour"})
    arrivals = fields.Integer()
    served = fields.Integer()


class WaitBucket(Schema):
    from_minutes = fields.Integer()
    to_minutes = fields.Integer(allow_none=True)
    count = fields.Integer()


class Charts(Schema):
    waiting_through_day = fields.List(fields.Nested(WaitingPoint))
    per_hour = fields.List(fields.Nested(HourPoint))
    wait_distribution = fields.List(fields.Nested(WaitBucket))


class HallDashboardSchema(Schema):
    seq = fields.Integer(metadata={"description": "the hall's event number these figures are at"})
    hall = fields.Nested(HallSchema)
    server_time = fields.AwareDateTime()
    date = fields.Date(metadata={"description": "the hall's local day"})
    alert_settings = fields.Nested(AlertSettingsSchema)
    now = fields.Nested(NowFigures)
    today = fields.Nested(TodayFigures)
    charts = fields.Nested(Charts)
    alerts = fields.List(fields.Nested(AlertSchema))


class NetworkHallRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String()
    parent_id = fields.Integer(allow_none=True)
    depth = fields.Integer(metadata={"description": "levels below the viewer's own hall"})


class NetworkHall(Schema):
    hall = fields.Nested(NetworkHallRef)
    seq = fields.Integer()
    target_wait_minutes = fields.Integer()
    total_waiting = fields.Integer()
    longest_wait_seconds = fields.Float(allow_none=True)
    window_states = fields.Nested(WindowStates)
    today = fields.Nested(TodayFigures)
    alerts = fields.List(fields.Nested(AlertSchema))
    critical_alerts = fields.Integer()


class NetworkTotals(Schema):
    halls = fields.Integer()
    total_waiting = fields.Integer()
    issued = fields.Integer()
    served = fields.Integer()
    critical_alerts = fields.Integer()


class NetworkSchema(Schema):
    server_time = fields.AwareDateTime()
    root_hall_id = fields.Integer()
    totals = fields.Nested(NetworkTotals)
    halls = fields.List(fields.Nested(NetworkHall), metadata={"description": "worst first"})


class DayQuery(StrictSchema):
    date = local_day(metadata={"description": "the hall's local day; today if left out"})


class NoticeRequest(StrictSchema):
    lines = fields.List(
        fields.String(validate=validate.Length(max=200)),
        required=True,
        validate=validate.Length(max=10),
        metadata={"description": "what the boards scroll; an empty list clears the notice"},
    )


class NoticeSchema(Schema):
    id = fields.Integer()
    lines = fields.List(fields.String())
    sent_at = fields.AwareDateTime()
    sent_by = fields.String(allow_none=True)


# ----- reports -----


class PeriodQuery(StrictSchema):
    """The day, week or month a report (or its list of ratings) covers."""

    period = fields.String(
        load_default=Period.DAY.value, validate=validate.OneOf([p.value for p in Period])
    )
    date = local_day(metadata={"description": "any day of the period; today if left out"})


class ReportQuery(PeriodQuery):
    by = fields.String(
        load_default=Dimension.SERVICE.value,
        validate=validate.OneOf([d.value for d in Dimension]),
    )


class ExportQuery(ReportQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))
    lang = fields.String(
        validate=validate.OneOf(["zh", "en"]),
        metadata={"description": "language of the headings; else the page's language"},
    )


class ReportRow(Figures):
    key = fields.String()
    label = fields.String(allow_none=True)
    label_en = fields.String(allow_none=True)
    level = fields.String()
    depth = fields.Integer()
    prefix = fields.String()
    department = fields.String()
    department_en = fields.String(allow_none=True)
    number = fields.Integer()
    staff_number = fields.String()


class HallName(Schema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)


class ReportSchema(Schema):
    hall = fields.Nested(HallName)
    period = fields.String()
    start = fields.Date()
    end = fields.Date()
    by = fields.String()
    target_wait_minutes = fields.Integer()
    rows = fields.List(fields.Nested(ReportRow))
    total = fields.Nested(ReportRow)


# ----- administration -----


class HallCreateRequest(StrictSchema):
    parent_id = record_id(required=True)
    code = fields.String(required=True, validate=HALL_CODE, metadata={"example": "city-centre"})
    name = fields.String(required=True, validate=NAME)
    name_en = fields.String(allow_none=True, validate=OPTIONAL_NAME)
    level = fields.String(required=True, validate=validate.OneOf(HALL_LEVELS))
    time_zone = fields.String(validate=validate.Length(min=1, max=64))
    opening_hours = fields.String(allow_none=True, validate=validate.Length(max=200))
    target_wait_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=240))
    max_recalls = fields.Integer(strict=True, validate=validate.Range(min=0, max=10))
    no_show_grace_minutes = fields.Integer(strict=True, validate=validate.Range(min=0, max=240))
    requeue_behind = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))


class HallUpdateRequest(HallCreateRequest):
    parent_id = record_id()
    # A new code follows the rule; a hall keeps an older one (core/hall_code.py).
    code = fields.String(validate=validate.Length(min=1, max=40, error=HALL_CODE_RULE))
    name = fields.String(validate=NAME)
    level = fields.String(validate=validate.OneOf(HALL_LEVELS))


class DepartmentSchema(Schema):
    id = fields.Integer()
    hall_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)


class DepartmentCreateRequest(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    name_en = fields.String(allow_none=True, validate=OPTIONAL_NAME)


class DepartmentUpdateRequest(DepartmentCreateRequest):
    code = fields.String(validate=CODE)
    name = fields.String(validate=NAME)


class ServiceCreateRequest(StrictSchema):
    department_id = record_id(required=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    pinyin_initials = fields.String(
        allow_none=True,
        validate=validate.Regexp(
            r"^[a-z]{1,40}$",
            error="pinyin initials are 1 to 40 lower-case letters, e.g. gjjtq for 公积金提取",
        ),
    )
    prefix = fields.String(required=True, validate=validate.Length(min=1, max=2))
    expected_handling_minutes = fields.Integer(strict=True, validate=validate.Range(1, 480))
    daily_quota = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(0, 100_000),
        metadata={"description": "tickets a day; null for no limit, 0 stops issuing"},
    )
    issuing_hours = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


class ServiceUpdateRequest(ServiceCreateRequest):
    department_id = record_id()
    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(min=1, max=200))
    prefix = fields.String(validate=validate.Length(min=1, max=2))


class CatalogueUploadQuery(StrictSchema):
    dry_run = fields.Boolean(load_default=False)


class ImportProblem(Schema):
    line = fields.Integer()
    message = fields.String()


class ImportResult(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    dry_run = fields.Boolean()
    applied = fields.Boolean()
    problems = fields.List(fields.Nested(ImportProblem))


class WindowCreateRequest(StrictSchema):
    number = fields.Integer(required=True, strict=True, validate=validate.Range(1, 9999))
    name = fields.String(required=True, validate=NAME)
    name_en = fields.String(allow_none=True, validate=OPTIONAL_NAME)
    kind = fields.String(validate=validate.OneOf(["comprehensive", "dedicated"]))


class WindowUpdateRequest(WindowCreateRequest):
    number = fields.Integer(strict=True, validate=validate.Range(1, 9999))
    name = fields.String(validate=NAME)


class StaffSchema(UserSchema):
    active = fields.Boolean()


class UserCreateRequest(StrictSchema):
    staff_number = fields.String(required=True, validate=STAFF_NUMBER)
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    role = fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    password = fields.String(validate=validate.Length(max=200))


class UserUpdateRequest(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=60))
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))
    hall_id = record_id()
    active = fields.Boolean()


class PasswordResetRequest(StrictSchema):
    password = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "leave out to have one made up (shown once)"},
    )


class StaffWithPassword(Schema):
    user = fields.Nested(StaffSchema)
    password = fields.String(
        allow_none=True, metadata={"description": "the made-up password, shown only this once"}
    )
