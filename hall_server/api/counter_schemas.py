"""Schemas of the counter's reads, the clerk's figures and satisfaction ratings."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hall_server.api.schemas import (
    ID_NUMBER,
    NameRef,
    ServiceRef,
    StrictSchema,
    TicketSchema,
    WindowRef,
    WindowSchema,
    record_id,
)
from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import Outcome
from hall_server.operations.ratings import (
    COMPLAINTS,
    LEVELS,
    MAX_COMMENT,
    PRAISE,
    RatingChannel,
    check_rating,
)

LEVEL_CODES = list(LEVELS)
REASON_CODES = [choice.code for choice in (*PRAISE, *COMPLAINTS)]


class TransferOrigin(Schema):
    at = fields.AwareDateTime()
    reason = fields.String(allow_none=True, metadata={"example": "材料需2号窗口复核"})
    from_window = fields.Nested(WindowRef, allow_none=True)
    from_clerk = fields.Nested(NameRef, allow_none=True)
    from_service = fields.Nested(NameRef, allow_none=True)


class CounterTicketSchema(TicketSchema):
    waited_seconds = fields.Float(
        allow_none=True, metadata={"description": "last call minus issue, as halls count waits"}
    )
    pre_reviewed = fields.Boolean()
    pre_review = fields.Dict(
        allow_none=True,
        metadata={"description": "the online pre-review record and its materials, when known"},
    )
    last_transfer = fields.Nested(
        TransferOrigin,
        allow_none=True,
        metadata={
            "description": "the latest transfer: from which window, clerk and service, why "
            "and when (staff only); null for a ticket never transferred"
        },
    )


class RecentEventsQuery(StrictSchema):
    limit = fields.Integer(
        load_default=8,
        validate=validate.Range(min=1, max=50),
        metadata={"description": "how many events, newest first (the counter shows 8)"},
    )


class RecentEventTicket(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"example": "A023"})
    service = fields.Nested(
        NameRef,
        metadata={
            "description": "for ticket.issued the service it was issued for; for a transfer "
            "the service it was sent to"
        },
    )
    window = fields.Nested(
        WindowRef, allow_none=True, metadata={"description": "the window it happened at"}
    )
    target_window_id = fields.Integer(
        allow_none=True, metadata={"description": "for a transfer to a window: that window"}
    )


class RecentEvent(Schema):
    name = fields.String(metadata={"example": "ticket.transferred"})
    at = fields.AwareDateTime()
    ticket = fields.Nested(RecentEventTicket)


class RecentEventsSchema(Schema):
    seq = fields.Integer(
        metadata={
            "description": "the hall's seq these events are part of: a live event with a seq "
            "at or below it is among them already"
        }
    )
    events = fields.List(
        fields.Nested(RecentEvent),
        metadata={
            "description": "today's ticket events in the hall (the live events' names and "
            "ticket fields), newest first; window changes and ratings are not among them"
        },
    )


class CounterTicketLookupSchema(CounterTicketSchema):
    requeue_open = fields.Boolean(
        metadata={"description": "a no-show still within the hall's grace: it may wait again"}
    )


class WindowDeskSchema(Schema):
    window = fields.Nested(WindowSchema)
    ticket = fields.Nested(CounterTicketSchema, allow_none=True)
    max_recalls = fields.Integer(
        metadata={"description": "the hall's limit on recalls of one ticket (recall_count)"}
    )


class WindowWaiting(Schema):
    service_id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    prefix = fields.String()
    waiting = fields.Integer()


class WindowQueueSchema(Schema):
    window_id = fields.Integer()
    policy = fields.String(metadata={"example": "fcfs"})
    waiting = fields.List(fields.Nested(WindowWaiting))
    total_waiting = fields.Integer()
    transferred_here = fields.Integer(
        metadata={"description": "waiting tickets transferred to this window in particular"}
    )
    next_ticket = fields.Nested(
        CounterTicketSchema,
        allow_none=True,
        metadata={"description": "whom call-next would call now"},
    )
    parked = fields.List(fields.Nested(CounterTicketSchema))


class CallNumberRequest(StrictSchema):
    number = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^\s*[A-Za-z]{1,2}\s*[0-9]{1,5}\s*$",
            error="a ticket number is one or two letters and up to five digits, e.g. A023",
        ),
        metadata={"example": "A023"},
    )


class CheckInPreviewRequest(StrictSchema):
    code = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a booking or pre-review code, typed or scanned"},
    )
    id_number = fields.String(
        validate=ID_NUMBER,
        metadata={"description": "the visitor's ID card; never stored, matched by keyed hash"},
    )

    @validates_schema
    def _one_of_them(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if bool(data.get("code", "").strip()) == bool(data.get("id_number")):
            raise ValidationError("give a code or an ID number", "code")


class ExpectedArrivalSchema(Schema):
    kind = fields.String(metadata={"enum": ["appointment", "pre_review"]})
    issue_field = fields.String(
        metadata={
            "enum": ["booking_code", "prereview_code", "id_number"],
            "description": "the issue request's field that carries what the visitor brought",
        }
    )
    service_id = fields.Integer()
    visitor_class = fields.String(metadata={"description": "the class the ticket gets now"})
    punctuality = fields.String(
        allow_none=True, metadata={"enum": ["early", "on_time", "too_late"]}
    )
    slot_start = fields.String(allow_none=True, metadata={"format": "date-time"})
    slot_local = fields.String(allow_none=True, metadata={"example": "10:45"})
    grace_minutes = fields.Float()
    pre_review_result = fields.String(
        allow_none=True, metadata={"enum": ["passed", "needs_correction"]}
    )
    applicant_name = fields.String(allow_none=True, metadata={"example": "李*海"})


class CheckInPreviewSchema(Schema):
    service = fields.Nested(ServiceRef)
    booking = fields.Nested(ExpectedArrivalSchema)


class StaffRef(Schema):
    id = fields.Integer()
    name = fields.String()
    staff_number = fields.String()


class RatingFigures(Schema):
    count = fields.Integer()
    average_score = fields.Float(allow_none=True)
    good = fields.Integer(metadata={"description": "basically satisfied or better"})
    poor = fields.Integer()
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer())


class ClerkFiguresSchema(Schema):
    date = fields.Date()
    user = fields.Nested(StaffRef)
    served = fields.Integer()
    by_outcome = fields.Dict(
        keys=fields.String(validate=validate.OneOf([o.value for o in Outcome])),
        values=fields.Integer(),
    )
    average_handling_seconds = fields.Float(allow_none=True)
    average_wait_seconds = fields.Float(allow_none=True)
    calls = fields.Integer()
    no_shows = fields.Integer()
    transferred = fields.Integer()
    parked = fields.Integer()
    ratings = fields.Nested(RatingFigures)
    rated_share = fields.Float(allow_none=True)


class RatingChoice(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()


class RatingLevelChoice(RatingChoice):
    score = fields.Integer()
    reasons = fields.List(fields.String())


class RatingOptionsSchema(Schema):
    levels = fields.List(fields.Nested(RatingLevelChoice))
    reasons = fields.List(fields.Nested(RatingChoice))


class _RatingFields(StrictSchema):
    level = fields.String(required=True, validate=validate.OneOf(LEVEL_CODES))
    reasons = fields.List(
        fields.String(validate=validate.OneOf(REASON_CODES)),
        load_default=list,
        validate=validate.Length(max=len(REASON_CODES)),
    )
    comment = fields.String(validate=validate.Length(max=MAX_COMMENT))

    @validates_schema
    def _reasons_fit_level(self, data: dict[str, Any], **_kwargs: Any) -> None:
        try:
            check_rating(data["level"], data.get("reasons", []), data.get("comment"))
        except Refused as refusal:
            raise ValidationError(refusal.message, refusal.field or "level") from None
        except KeyError:
            return


class VisitorRatingRequest(_RatingFields):
    pass


class PadRatingRequest(_RatingFields):
    ticket_id = record_id(required=True)


class RatingSchema(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer()
    ticket_number = fields.String()
    hall_id = fields.Integer()
    window_id = fields.Integer(allow_none=True)
    clerk_id = fields.Integer(allow_none=True)
    level = fields.String(metadata={"enum": LEVEL_CODES})
    score = fields.Integer(metadata={"description": "5 very satisfied … 1 very dissatisfied"})
    reasons = fields.List(fields.String())
    comment = fields.String(allow_none=True)
    channel = fields.String(metadata={"enum": [c.value for c in RatingChannel]})
    rated_at = fields.AwareDateTime()


class VisitorRatingState(Schema):
    ticket_id = fields.Integer()
    ticket_number = fields.String()
    rateable = fields.Boolean(metadata={"description": "finished and not rated yet"})
    rating = fields.Nested(RatingSchema, allow_none=True)


class PadTicket(Schema):
    id = fields.Integer()
    number = fields.String()
    service = fields.Nested(NameRef)
    finished_at = fields.AwareDateTime()
    outcome = fields.String(allow_none=True)


class RatingPadState(Schema):
    device_id = fields.Integer()
    window = fields.Nested(WindowRef)
    clerk = fields.Nested(StaffRef, allow_none=True)
    pending_ticket = fields.Nested(PadTicket, allow_none=True)
    offer_minutes = fields.Integer()
