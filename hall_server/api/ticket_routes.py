"""URL table for tickets: issue, read, and every action a window takes on one."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from sqlalchemy import select

from hall_server.api.documentation import (
    BEARER,
    ISSUING_CONFLICTS,
    READ_ERRORS,
    WRITE_ERRORS,
    conflicts_description,
    documented_errors,
)
from hall_server.api.edge import bearer_token, current_actor, database, now, perform, read
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import (
    CallTicketRequest,
    FinishRequest,
    IssuedTicketSchema,
    IssueTicketRequest,
    TicketSchema,
    TransferRequest,
)
from hall_server.core.refusals import Refused
from hall_server.extensions import limiter
from hall_server.operations import ticket_handling
from hall_server.operations.access import Actor, require_hall_access
from hall_server.operations.queue_reads import public_ticket, ticket_view
from hall_server.operations.ticket_issuing import IssueRequest, issue_ticket
from hall_server.storage.models import Ticket

blueprint = ApiBlueprint(
    "tickets", __name__, url_prefix="/api/v1", description="Issue tickets and act on them"
)


def _issue_limit_key() -> str:
    return bearer_token() or request.remote_addr or "unknown"


@blueprint.route("/halls/<int:hall_id>/tickets", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_ISSUE"], key_func=_issue_limit_key)
@blueprint.arguments(IssueTicketRequest)
@blueprint.response(201, IssuedTicketSchema)
@documented_errors(
    blueprint, *WRITE_ERRORS, 429, descriptions={409: conflicts_description(ISSUING_CONFLICTS)}
)
@blueprint.doc(
    security=BEARER,
)
def issue(payload: dict[str, Any], hall_id: int) -> Any:
    """Issue a ticket (kiosk, counter or manager). A kiosk's ticket comes with its print job."""
    config = current_app.config
    request_ = IssueRequest(hall_id=hall_id, **payload)
    return perform(
        lambda uow, actor: issue_ticket(
            uow, actor, request_, now(), config["IDENTITY_SECRET"], config["PUBLIC_BASE_URL"]
        ),
        IssuedTicketSchema,
        status=201,
    )


def _ticket_by_id(db_session: Any, ticket_id: int) -> Ticket:
    ticket = db_session.get(Ticket, ticket_id)
    if ticket is None:
        raise Refused("not_found", f"no ticket with id {ticket_id}")
    return ticket


@blueprint.route("/tickets/<int:ticket_id>", methods=["GET"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def get_ticket(ticket_id: int) -> Any:
    """A ticket's status, position and estimated wait (staff and devices of its hall)."""
    actor = current_actor()
    with database().reading() as db_session:
        ticket = _ticket_by_id(db_session, ticket_id)
        assert actor is not None
        require_hall_access(db_session, actor, ticket.hall_id)
        return public_ticket(ticket_view(db_session, ticket, now()))


def _ticket_by_token(db_session: Any, token: str) -> Ticket:
    ticket = db_session.scalar(select(Ticket).where(Ticket.status_token == token))
    if ticket is None:
        raise Refused("not_found", "no ticket with this link; it may be from another day")
    return ticket


@blueprint.route("/ticket-status/<string:token>", methods=["GET"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, 404, 503)
def get_ticket_by_token(token: str) -> Any:
    """The visitor's own view of their ticket, through the secret in its QR code."""
    return read(lambda s: public_ticket(ticket_view(s, _ticket_by_token(s, token), now())))


@blueprint.route("/ticket-status/<string:token>/cancel", methods=["POST"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, 404, 409, 503)
def cancel_by_visitor(token: str) -> Any:
    """The visitor gives up their waiting ticket from the status page."""

    def use_case(uow: Any, _actor: Any) -> dict[str, Any]:
        ticket = _ticket_by_token(uow.session, token)
        return public_ticket(ticket_handling.cancel_ticket(uow, ticket, now(), None))

    visitor = Actor(kind="visitor", id=0, role="visitor", hall_id=0)
    return perform(use_case, TicketSchema, actor=visitor)


@blueprint.route("/tickets/<int:ticket_id>/cancel", methods=["POST"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def cancel_by_staff(ticket_id: int) -> Any:
    """Staff or a kiosk cancel a waiting ticket."""
    return perform(
        lambda uow, actor: ticket_handling.cancel_ticket(
            uow, _ticket_by_id(uow.session, ticket_id), now(), actor
        ),
        TicketSchema,
    )


@blueprint.route("/tickets/<int:ticket_id>/requeue", methods=["POST"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def requeue(ticket_id: int) -> Any:
    """A no-show arrived late, within the grace period: back in the queue behind a few people."""
    return perform(
        lambda uow, actor: ticket_handling.requeue_late_arrival(uow, actor, ticket_id, now()),
        TicketSchema,
    )


@blueprint.route("/windows/<int:window_id>/call-next", methods=["POST"])
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(
    security=BEARER,
)
def call_next(window_id: int) -> Any:
    """Call the ticket the hall's calling policy picks for this window."""
    return perform(
        lambda uow, actor: ticket_handling.call_next_ticket(uow, actor, window_id, now()),
        TicketSchema,
    )


@blueprint.route("/windows/<int:window_id>/call", methods=["POST"])
@blueprint.arguments(CallTicketRequest)
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(
    security=BEARER,
)
def call_specific(payload: dict[str, Any], window_id: int) -> Any:
    """Call one particular waiting ticket to this window."""
    return perform(
        lambda uow, actor: ticket_handling.call_specific_ticket(
            uow, actor, window_id, payload["ticket_id"], now()
        ),
        TicketSchema,
    )


def _simple_action(name: str, use_case: Any, summary: str) -> None:
    def view(window_id: int, ticket_id: int) -> Any:
        return perform(
            lambda uow, actor: use_case(uow, actor, window_id, ticket_id, now()), TicketSchema
        )

    view.__name__ = name.replace("-", "_")
    view.__doc__ = summary
    decorated = blueprint.doc(security=BEARER)(view)
    decorated = documented_errors(blueprint, *WRITE_ERRORS)(decorated)
    decorated = blueprint.response(200, TicketSchema)(decorated)
    blueprint.route(f"/windows/<int:window_id>/tickets/<int:ticket_id>/{name}", methods=["POST"])(
        decorated
    )


_simple_action("recall", ticket_handling.recall_ticket, "Announce a called ticket again.")
_simple_action("start", ticket_handling.start_ticket, "The visitor is at the window.")
_simple_action("no-show", ticket_handling.mark_no_show, "The called visitor did not come.")
_simple_action("park", ticket_handling.park_ticket, "Set the case aside to call it back later.")
_simple_action("resume", ticket_handling.resume_parked_ticket, "Call a parked case back.")


@blueprint.route("/windows/<int:window_id>/tickets/<int:ticket_id>/finish", methods=["POST"])
@blueprint.arguments(FinishRequest)
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def finish(payload: dict[str, Any], window_id: int, ticket_id: int) -> Any:
    """Close the case with its outcome, and optionally a case number and a note."""
    return perform(
        lambda uow, actor: ticket_handling.finish_ticket(
            uow, actor, window_id, ticket_id, now(), **payload
        ),
        TicketSchema,
    )


@blueprint.route("/windows/<int:window_id>/tickets/<int:ticket_id>/transfer", methods=["POST"])
@blueprint.arguments(TransferRequest)
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def transfer(payload: dict[str, Any], window_id: int, ticket_id: int) -> Any:
    """Hand the case to another service or window; it keeps its original issue time."""
    return perform(
        lambda uow, actor: ticket_handling.transfer_ticket(
            uow,
            actor,
            window_id,
            ticket_id,
            now(),
            payload.get("to_service_id"),
            payload.get("to_window_id"),
            payload.get("reason"),
        ),
        TicketSchema,
    )
