"""Schemas of the ratings list under a report: the rated cases of a period, for managers to follow
up every poor rating (差评), and the export query that adds them to the XLSX file."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hall_server.api.manager_schemas import ExportQuery, PeriodQuery
from hall_server.api.schemas import (
    MAX_RECORD_ID,
    NameRef,
    WindowRef,
    always_present,
)
from hall_server.operations.rating_reads import ALL_LEVELS, MAX_PAGE_SIZE, PAGE_SIZE, POOR_LEVELS
from hall_server.operations.ratings import LEVELS

LEVEL_CHOICES = [*LEVELS, ALL_LEVELS]


class LevelList(fields.List[str]):
    """Rating levels in a query: the parameter repeated (`levels=a&levels=b`), or the levels
    separated by commas (`levels=a,b`). An unknown level is the field's error, not an item's."""

    default_error_messages = {"unknown_level": "unknown rating level; choose from: {choices}."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = [part.strip() for item in value for part in item.split(",") if part.strip()]
            if any(item not in LEVEL_CHOICES for item in value):
                raise self.make_error("unknown_level", choices=", ".join(LEVEL_CHOICES))
        return super()._deserialize(value, attr, data, **kwargs)


def level_list() -> LevelList:
    return LevelList(
        fields.String(metadata={"enum": LEVEL_CHOICES}),
        metadata={
            "description": "the levels to list, repeated or separated by commas; `all` for every "
            f"level. Left out: the poor ratings (差评), {', '.join(POOR_LEVELS)}",
            "example": list(POOR_LEVELS),
        },
    )


class RatingListQuery(PeriodQuery):
    levels = level_list()
    include_halls_below = fields.Boolean(
        load_default=False,
        metadata={"description": "the halls below this one too (as the report by hall counts)"},
    )
    limit = fields.Integer(
        load_default=PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": "ratings on one page"},
    )
    # Not record_id(): a query's values are text, so the number cannot be strict.
    before = fields.Integer(
        validate=validate.Range(min=1, max=MAX_RECORD_ID),
        metadata={"description": "the next page: the `next_before` of the page before"},
    )
    lang = fields.String(
        validate=validate.OneOf(["zh", "en"]),
        metadata={"description": "language of the labels; else the request's language"},
    )


class ExportWithRatingsQuery(ExportQuery):
    levels = level_list()


@always_present
class ChoiceRef(Schema):
    code = fields.String()
    label = fields.String(metadata={"description": "in the request's language"})


@always_present
class LevelRef(ChoiceRef):
    score = fields.Integer(metadata={"description": "5 = very satisfied … 1 = very dissatisfied"})


@always_present
class RatedClerk(Schema):
    id = fields.Integer()
    name = fields.String()
    staff_number = fields.String()


@always_present
class RatedCase(Schema):
    id = fields.Integer()
    rated_at = fields.AwareDateTime(metadata={"description": "on the hall's clock"})
    local_date = fields.Date(metadata={"description": "the case's day, where the report counts it"})
    hall = fields.Nested(NameRef)
    ticket_id = fields.Integer()
    ticket_number = fields.String()
    service = fields.Nested(NameRef, metadata={"description": "the service finished"})
    window = fields.Nested(WindowRef, allow_none=True)
    clerk = fields.Nested(RatedClerk, allow_none=True)
    level = fields.Nested(LevelRef)
    reasons = fields.List(fields.Nested(ChoiceRef))
    comment = fields.String(
        allow_none=True, metadata={"description": "the visitor's own words: for managers only"}
    )
    channel = fields.Nested(ChoiceRef, metadata={"description": "rating_pad or mobile"})


@always_present
class RatingListSchema(Schema):
    hall = fields.Nested(NameRef)
    period = fields.String()
    start = fields.Date()
    end = fields.Date()
    levels = fields.List(fields.String(metadata={"enum": list(LEVELS)}))
    include_halls_below = fields.Boolean()
    total = fields.Integer(metadata={"description": "ratings in the period at these levels"})
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "pass as `before` for the next page; null: last"}
    )
    ratings = fields.List(fields.Nested(RatedCase), metadata={"description": "newest first"})
