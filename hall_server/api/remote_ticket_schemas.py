"""Schemas of tickets taken remotely (线上取号): the hall's offer, the request, the settings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall_server.api.schemas import NameRef, StrictSchema, WaitEstimateSchema, record_id
from hall_server.core.remote_issuing import MAX_WAITING_LIMIT


class RemoteRefusalSchema(Schema):
    code = fields.String(
        metadata={
            "example": "remote_tickets_full",
            "description": "the code issuing would refuse with now (remote_tickets_off, "
            "no_remote_services, remote_tickets_full, remote_share_reached, hall_closed, "
            "outside_issuing_hours, daily_quota_reached)",
        }
    )
    message = fields.String(metadata={"description": "for people, in the request's language"})


class RemoteHallRef(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"example": "city-centre"})
    name = fields.String()
    name_en = fields.String(allow_none=True)


class RemoteServiceSchema(Schema):
    service_id = fields.Integer()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    prefix = fields.String()
    department = fields.Nested(NameRef)
    waiting = fields.Integer(metadata={"description": "tickets waiting for it now"})
    people_ahead = fields.Integer(
        metadata={
            "description": "the people a ticket taken now would have ahead of it: everyone "
            "waiting whom the windows able to serve it would call first, of other services at "
            "shared windows too (what the ticket's status page then shows)"
        }
    )
    estimated_wait_for_new_ticket = fields.Nested(WaitEstimateSchema, allow_none=True)
    refusal = fields.Nested(
        RemoteRefusalSchema,
        allow_none=True,
        metadata={"description": "why it cannot be taken now; null when it can"},
    )


class RemoteOfferSchema(Schema):
    hall = fields.Nested(RemoteHallRef)
    enabled = fields.Boolean(metadata={"description": "whether the hall gives tickets online"})
    max_waiting = fields.Integer(metadata={"description": "remote tickets waiting at most"})
    remote_waiting = fields.Integer(metadata={"description": "remote tickets waiting now"})
    refusal = fields.Nested(
        RemoteRefusalSchema,
        allow_none=True,
        metadata={
            "description": "a refusal that holds for every service (off, none offered, full, "
            "closed)"
        },
    )
    services = fields.List(fields.Nested(RemoteServiceSchema))


class RemoteTicketRequest(StrictSchema):
    service_id = record_id(required=True)
    phone = fields.String(
        required=True,
        validate=validate.Length(min=1, max=30),
        metadata={
            "example": "13800138000",
            "description": "a mainland mobile number (spaces, dashes and +86 allowed); the "
            "ticket's holder, kept only as a keyed hash: one waiting ticket per number and "
            "service",
        },
    )


class RemoteIssuingSettingsSchema(StrictSchema):
    hall_code = fields.String(
        dump_only=True, metadata={"description": "the phone page is /h/<hall_code>/take"}
    )
    take_page_url = fields.String(dump_only=True)
    enabled = fields.Boolean(metadata={"description": "off by default"})
    service_ids = fields.List(
        record_id(),
        allow_none=True,
        metadata={"description": "the services one may take remotely; null: every active one"},
    )
    max_waiting = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_WAITING_LIMIT),
        metadata={
            "description": "remote tickets waiting in the hall at once, at most (at least 1: "
            "`enabled: false` switches remote tickets off)"
        },
    )
    quota_share_percent = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "the share of a service's daily quota remote tickets may take"},
    )
