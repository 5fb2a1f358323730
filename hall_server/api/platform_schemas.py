"""Schemas of the online-platform API, booking look-ups, the outbox and the calling policy."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall_server.api.schemas import StrictSchema, always_present, moment
from hall_server.core.calling_policy import POLICIES
from hall_server.operations.online_platform import PRE_REVIEW_RESULTS

# A code is looked up as typed or scanned with its blanks taken out (booked_arrival
# .normalised_code): one pushed with a blank inside could never be found.
NO_BLANKS = validate.Regexp(
    r"^\S+$", error="a code has no spaces or other blanks in it, e.g. YY120801 or YY-1208-01"
)
HEX_SHA256 = validate.Regexp(
    r"^[0-9a-fA-F]{64}$",
    error="an ID number hash is 64 hexadecimal digits: the HMAC-SHA256 of the ID number, keyed "
    "with the platform's secret",
)
ID_HASH_DESCRIPTION = 'hex HMAC-SHA256(platform secret, "id:" + ID number in upper case)'
MAX_REVISION = 2**31 - 1  # stored in a 32-bit integer column
REVISION_DESCRIPTION = (
    "the platform's own revision of the record; a push with an older one, or the stored one "
    "with other content, is refused (409 stale_revision); without it nothing is compared and "
    "the stored revision stays as it was"
)

STORED_REVISION_DESCRIPTION = "the last revision the platform sent; 0 if it never sent one"


def revision_field() -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_REVISION),
        metadata={"description": REVISION_DESCRIPTION},
    )


@always_present
class ServiceCode(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class Material(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(
        validate=validate.Length(max=40),
        metadata={"example": "to_correct", "description": "e.g. accepted, to_correct, missing"},
    )
    note = fields.String(validate=validate.Length(max=500))


class PreReviewPushRequest(StrictSchema):
    hall_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    id_number_hash = fields.String(
        required=True, validate=HEX_SHA256, metadata={"description": ID_HASH_DESCRIPTION}
    )
    result = fields.String(required=True, validate=validate.OneOf(PRE_REVIEW_RESULTS))
    valid_until = moment(required=True)
    materials = fields.List(
        fields.Nested(Material), load_default=list, validate=validate.Length(max=100)
    )
    code = fields.String(
        validate=[validate.Length(min=1, max=64), NO_BLANKS],
        metadata={"description": "what the applicant shows at the hall; default: the id"},
    )
    applicant_name = fields.String(validate=validate.Length(min=1, max=40))
    revision = revision_field()


@always_present  # online_platform.py's views give every field
class PreReviewSchema(Schema):
    application_id = fields.String()
    code = fields.String()
    hall_code = fields.String()
    service = fields.Nested(ServiceCode)
    applicant_name = fields.String(allow_none=True, metadata={"example": "张*明"})
    result = fields.String(metadata={"enum": list(PRE_REVIEW_RESULTS)})
    materials = fields.List(fields.Dict())
    valid_until = fields.AwareDateTime()
    status = fields.String(metadata={"enum": ["active", "cancelled"]})
    revision = fields.Integer(metadata={"description": STORED_REVISION_DESCRIPTION})
    ticket_id = fields.Integer(allow_none=True)
    updated_at = fields.AwareDateTime()


class AppointmentPushRequest(StrictSchema):
    hall_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    slot_start = moment(required=True)
    slot_end = moment()
    booking_code = fields.String(
        required=True, validate=[validate.Length(min=1, max=40), NO_BLANKS]
    )
    applicant_name = fields.String(validate=validate.Length(min=1, max=40))
    id_number_hash = fields.String(
        validate=HEX_SHA256, metadata={"description": ID_HASH_DESCRIPTION}
    )
    application_id = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the application whose pre-review this booking belongs to"},
    )
    revision = revision_field()


APPOINTMENT_STATUSES = ["booked", "checked_in", "late", "no_show", "cancelled"]


@always_present  # online_platform.py's views give every field
class AppointmentSchema(Schema):
    appointment_id = fields.String()
    booking_code = fields.String()
    hall_code = fields.String()
    service = fields.Nested(ServiceCode)
    slot_start = fields.AwareDateTime()
    slot_end = fields.AwareDateTime(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    application_id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": APPOINTMENT_STATUSES})
    revision = fields.Integer(metadata={"description": STORED_REVISION_DESCRIPTION})
    ticket_id = fields.Integer(allow_none=True)
    checked_in_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class CodeLookupSchema(Schema):
    kind = fields.String(metadata={"enum": ["appointment", "pre_review"]})
    service = fields.Nested(ServiceCode)
    applicant_name = fields.String(allow_none=True)
    slot_start = fields.AwareDateTime()
    status = fields.String()
    punctuality = fields.String(metadata={"enum": ["early", "on_time", "too_late"]})
    result = fields.String(metadata={"enum": list(PRE_REVIEW_RESULTS)})


class ClerkPreReview(Schema):
    application_id = fields.String()
    result = fields.String(metadata={"enum": list(PRE_REVIEW_RESULTS)})
    materials = fields.List(fields.Dict())
    valid_until = fields.AwareDateTime()
    status = fields.String()


class ClerkAppointment(Schema):
    appointment_id = fields.String()
    slot_start = fields.AwareDateTime()
    slot_end = fields.AwareDateTime(allow_none=True)
    status = fields.String(metadata={"enum": APPOINTMENT_STATUSES})


class BookingRecordSchema(Schema):
    pre_review = fields.Nested(ClerkPreReview, allow_none=True)
    appointment = fields.Nested(ClerkAppointment, allow_none=True)


class OutboxQuery(StrictSchema):
    status = fields.String(
        load_default="pending", validate=validate.OneOf(["pending", "delivered"])
    )


class OutboxMessageSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    kind = fields.String(metadata={"enum": ["case.finished", "appointment.no_show"]})
    status = fields.String(metadata={"enum": ["pending", "delivered"]})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    held_back_by = fields.Integer(
        allow_none=True,
        metadata={
            "description": "the platform's oldest undelivered message, which must be "
            "acknowledged before this one is sent (null if this one is next)"
        },
    )
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
    payload = fields.Dict()


class CallingPolicySchema(Schema):
    policy = fields.String(metadata={"enum": sorted(POLICIES)})
    settings = fields.Dict(metadata={"description": "every setting, defaults filled in"})
    known_policies = fields.List(fields.String())


class CallingPolicyRequest(StrictSchema):
    policy = fields.String(required=True, validate=validate.OneOf(sorted(POLICIES)))
    settings = fields.Dict(
        load_default=dict, metadata={"description": "see docs/calling_policy.md; minutes"}
    )
