"""URL table for online pre-review and appointments: the platforms' signed pushes, booking codes
at the kiosk, the clerk's record, the outbox managers watch, and the hall's calling policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from hall_server.api.documentation import (
    BEARER,
    PLATFORM_SIGNED,
    READ_ERRORS,
    WRITE_ERRORS,
    documented_errors,
)
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.platform_schemas import (
    AppointmentPushRequest,
    AppointmentSchema,
    BookingRecordSchema,
    CallingPolicyRequest,
    CallingPolicySchema,
    CodeLookupSchema,
    OutboxMessageSchema,
    OutboxQuery,
    PreReviewPushRequest,
    PreReviewSchema,
)
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.core import platform_signature
from hall_server.core.refusals import Refused
from hall_server.operations import booked_arrival, calling_settings, online_platform, outbox
from hall_server.operations.access import Actor, require_hall_access
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Platform, Ticket

blueprint = ApiBlueprint(
    "online_platform",
    __name__,
    url_prefix="/api/v1",
    description="Online pre-review (网上预审) and appointments (预约): platform pushes, booking "
    "codes, the outbox of results, and the hall's calling policy",
)

SIGNED_DOC = (
    "Signed by the platform: `sha256=` + hex HMAC-SHA256, keyed with its shared secret, over "
    "`<timestamp>\\n<nonce>\\n<METHOD>\\n<path>\\n` + the raw body (docs/online_platform.md, "
    "Signing); refused if the timestamp is more than 5 minutes off or the signature was "
    "seen before. To retry, sign again with a new nonce."
)
# Before authentication nobody is known; the signature names the platform inside the use case.
UNSIGNED_CALLER = Actor(kind="platform", id=0, role="platform", hall_id=0)


def _signed(use_case: Callable[[UnitOfWork, Platform], dict[str, Any]], schema: Any) -> Response:
    """Check the platform's signature and run its push in one transaction.

    The accepted signature is stored in the same transaction, so a refused push can be
    corrected and signed again, and an accepted one can never be replayed.
    """
    if request.headers.get("Idempotency-Key") is not None:
        raise Refused(
            "unexpected_idempotency_key",
            "platform pushes are idempotent by their id; send no Idempotency-Key",
        )
    headers = request.headers
    signed = online_platform.SignedRequest(
        platform_code=headers.get(platform_signature.PLATFORM_HEADER),
        timestamp=headers.get(platform_signature.TIMESTAMP_HEADER),
        nonce=headers.get(platform_signature.NONCE_HEADER),
        signature=headers.get(platform_signature.SIGNATURE_HEADER),
        method=request.method,
        target=platform_signature.request_target(
            request.path, request.query_string.decode("utf-8", "replace")
        ),
        body=request.get_data(),
    )

    def run(uow: UnitOfWork, _caller: Actor) -> dict[str, Any]:
        platform = online_platform.authenticate_platform(uow.session, signed, now())
        return use_case(uow, platform)

    return perform(run, schema, actor=UNSIGNED_CALLER)


@blueprint.route("/platform/pre-reviews/<string:application_id>", methods=["PUT"])
@blueprint.arguments(PreReviewPushRequest)
@blueprint.response(200, PreReviewSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=PLATFORM_SIGNED, description=SIGNED_DOC)
def push_pre_review(payload: dict[str, Any], application_id: str) -> Any:
    """Create or update a pre-review result; the same push again changes nothing."""
    push = online_platform.PreReviewPush(application_id=application_id, **payload)
    return _signed(
        lambda uow, platform: online_platform.push_pre_review(uow, platform, push, now())[0],
        PreReviewSchema,
    )


@blueprint.route("/platform/pre-reviews/<string:application_id>", methods=["DELETE"])
@blueprint.response(200, PreReviewSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=PLATFORM_SIGNED, description=SIGNED_DOC)
def cancel_pre_review(application_id: str) -> Any:
    """Withdraw a pre-review (the application was cancelled); cancelling twice is harmless."""
    return _signed(
        lambda uow, platform: online_platform.cancel_pre_review(
            uow, platform, application_id, now()
        ),
        PreReviewSchema,
    )


@blueprint.route("/platform/appointments/<string:appointment_id>", methods=["PUT"])
@blueprint.arguments(AppointmentPushRequest)
@blueprint.response(200, AppointmentSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=PLATFORM_SIGNED, description=SIGNED_DOC)
def push_appointment(payload: dict[str, Any], appointment_id: str) -> Any:
    """Create or update (move) a booked slot; the same push again changes nothing."""
    push = online_platform.AppointmentPush(appointment_id=appointment_id, **payload)
    return _signed(
        lambda uow, platform: online_platform.push_appointment(uow, platform, push, now())[0],
        AppointmentSchema,
    )


@blueprint.route("/platform/appointments/<string:appointment_id>", methods=["DELETE"])
@blueprint.response(200, AppointmentSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=PLATFORM_SIGNED, description=SIGNED_DOC)
def cancel_appointment(appointment_id: str) -> Any:
    """Cancel a booking not yet used at the hall; cancelling twice is harmless."""
    return _signed(
        lambda uow, platform: online_platform.cancel_appointment(
            uow, platform, appointment_id, now()
        ),
        AppointmentSchema,
    )


@blueprint.route("/halls/<int:hall_id>/booking-codes/<string:code>", methods=["GET"])
@blueprint.response(200, CodeLookupSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def look_up_code(hall_id: int, code: str) -> Any:
    """What a scanned booking or pre-review code is (kiosk, staff), before issuing with it."""
    actor = require_actor()

    def query(session: Any) -> dict[str, Any]:
        require_hall_access(session, actor, hall_id)
        return booked_arrival.code_lookup(session, hall_id, code, now())

    return read(query)


@blueprint.route("/tickets/<int:ticket_id>/booking", methods=["GET"])
@blueprint.response(200, BookingRecordSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def ticket_booking(ticket_id: int) -> Any:
    """The pre-review (result, materials) and booking behind a ticket, for the clerk."""
    actor = require_actor()

    def query(session: Any) -> dict[str, Any]:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise Refused("not_found", f"no ticket with id {ticket_id}")
        require_hall_access(session, actor, ticket.hall_id)
        record = booked_arrival.booking_record(session, ticket)
        if record is None:
            raise Refused("not_found", "this ticket has no pre-review or booking")
        return record

    return read(query)


@blueprint.route("/halls/<int:hall_id>/outbox", methods=["GET"])
@blueprint.arguments(OutboxQuery, location="query")
@blueprint.response(200, OutboxMessageSchema(many=True))
@documented_errors(blueprint, *READ_ERRORS, 422)
@blueprint.doc(security=BEARER)
def outbox_messages(query: dict[str, Any], hall_id: int) -> Any:
    """Messages for the online platforms: pending until acknowledged (managers)."""
    actor = require_actor()
    return read(lambda s: outbox.list_messages(s, actor, hall_id, query["status"]))


@blueprint.route("/halls/<int:hall_id>/calling-policy", methods=["GET"])
@blueprint.response(200, CallingPolicySchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def get_calling_policy(hall_id: int) -> Any:
    """The hall's calling policy and its settings."""
    actor = require_actor()
    return read(calling_settings.calling_policy_view, actor, hall_id)


@blueprint.route("/halls/<int:hall_id>/calling-policy", methods=["PUT"])
@blueprint.arguments(CallingPolicyRequest)
@blueprint.response(200, CallingPolicySchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def put_calling_policy(payload: dict[str, Any], hall_id: int) -> Any:
    """Choose the hall's calling policy and its minutes (managers); see docs/calling_policy.md."""
    return perform(
        lambda uow, actor: calling_settings.set_calling_policy(
            uow, actor, hall_id, payload["policy"], payload["settings"]
        ),
        CallingPolicySchema,
    )
