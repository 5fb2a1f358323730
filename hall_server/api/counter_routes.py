"""URL table for the clerk's counter (desk, queue, call by number, check-in, own figures) and
ratings."""

from __future__ import annotations

from typing import Any

from hall_server.api.counter_schemas import (
    CallNumberRequest,
    CheckInPreviewRequest,
    ClerkFiguresSchema,
    CounterTicketLookupSchema,
    PadRatingRequest,
    RatingOptionsSchema,
    RatingPadState,
    RatingSchema,
    RecentEventsQuery,
    RecentEventsSchema,
    VisitorRatingRequest,
    VisitorRatingState,
    WindowDeskSchema,
    WindowQueueSchema,
)
from hall_server.api.device_schemas import CheckInPreviewWithFigures
from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.error_translation import translate_refusal
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import TicketSchema
from hall_server.operations import (
    clerk_figures,
    counter_check_in,
    counter_reads,
    ratings,
    ticket_handling,
)
from hall_server.operations.access import Actor
from hall_server.operations.issue_preview import booked_issue_preview
from hall_server.storage.models import Hall

blueprint = ApiBlueprint(
    "counter",
    __name__,
    url_prefix="/api/v1",
    description="The clerk's counter, the clerk's own figures and satisfaction ratings (好差评)",
)


@blueprint.route("/windows/<int:window_id>/desk", methods=["GET"])
@blueprint.response(200, WindowDeskSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def window_desk(window_id: int) -> Any:
    """The window and the ticket called or served there now, with how long it waited."""
    actor = require_actor()
    return read(counter_reads.window_desk, actor, window_id, now())


@blueprint.route("/windows/<int:window_id>/queue", methods=["GET"])
@blueprint.response(200, WindowQueueSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def window_queue(window_id: int) -> Any:
    """Waiting per service for this window, whom call-next would pick, and parked cases."""
    actor = require_actor()
    return read(counter_reads.window_queue, actor, window_id, now())


@blueprint.route("/halls/<int:hall_id>/recent-events", methods=["GET"])
@blueprint.arguments(RecentEventsQuery, location="query")
@blueprint.response(200, RecentEventsSchema)
@documented_errors(blueprint, *READ_ERRORS, 422)
@blueprint.doc(security=BEARER)
def recent_events(query: dict[str, Any], hall_id: int) -> Any:
    """The hall's latest ticket events today, newest first, and the hall's `seq` they are part
    of: the counter's feed after a reload, continued by the live events above that `seq`."""
    actor = require_actor()
    return read(counter_reads.recent_hall_events, actor, hall_id, now(), query["limit"])


@blueprint.route("/windows/<int:window_id>/call-number", methods=["POST"])
@blueprint.arguments(CallNumberRequest)
@blueprint.response(200, TicketSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def call_number(payload: dict[str, Any], window_id: int) -> Any:
    """Call today's ticket with this number (e.g. A023) to this window, if it is waiting."""

    def use_case(uow: Any, actor: Actor) -> dict[str, Any]:
        at = now()
        ticket_id = counter_reads.ticket_id_for_number(
            uow.session, window_id, payload["number"], at
        )
        return ticket_handling.call_specific_ticket(uow, actor, window_id, ticket_id, at)

    return perform(use_case, TicketSchema)


@blueprint.route("/windows/<int:window_id>/tickets/by-number/<string:number>", methods=["GET"])
@blueprint.response(200, CounterTicketLookupSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def ticket_by_number(window_id: int, number: str) -> Any:
    """Today's ticket with this number (e.g. A023), as the counter sees it: for a no-show, until
    when it may wait again (`requeue_open`, POST /tickets/{ticket_id}/requeue)."""
    actor = require_actor()
    return read(counter_reads.ticket_by_number, actor, window_id, number, now())


def _check_in_preview_with_figures(
    session: Any,
    actor: Actor,
    hall_id: int,
    code: str | None,
    id_number: str | None,
) -> dict[str, Any]:
    """The check-in preview with the figures a kiosk's confirmation shows for the same code or
    ID card (operations/issue_preview.py: the ticket's class and queue place as issuing gives
    them)."""
    at = now()
    found = counter_check_in.check_in_preview(session, actor, hall_id, at, code, id_number)
    hall = session.get(Hall, hall_id)
    figures = booked_issue_preview(session, hall, at, code=code, id_number=id_number)
    return {
        **found,
        "people_ahead": figures["people_ahead"],
        "estimated_wait": figures["estimated_wait"],
        "refusal": translate_refusal(figures["refusal"]),
    }


@blueprint.route("/halls/<int:hall_id>/check-in-preview", methods=["POST"])
@blueprint.arguments(CheckInPreviewRequest)
@blueprint.response(200, CheckInPreviewWithFigures)
@documented_errors(blueprint, 401, 403, 404, 409, 422, 503)
@blueprint.doc(security=BEARER)
def check_in_preview(payload: dict[str, Any], hall_id: int) -> Any:
    """What a booking or pre-review code, or an ID number, a visitor brings gives: its service,
    the ticket's class now, and the people ahead, wait and any refusal of that ticket issued
    now (as a kiosk's confirmation shows them). Staff of the hall, and the hall's kiosks (before
    the visitor chooses a service); the answer holds only what a kiosk's public screen may show
    (the applicant's name masked, no ID number, no materials). Issue with it through
    POST /halls/{hall_id}/tickets, the code or ID number in `booking.issue_field`. POST, so an
    ID number never lands in a URL or an access log; nothing changes."""
    actor = require_actor()
    return read(
        _check_in_preview_with_figures,
        actor,
        hall_id,
        payload.get("code"),
        payload.get("id_number"),
    )


@blueprint.route("/me/figures", methods=["GET"])
@blueprint.response(200, ClerkFiguresSchema)
@documented_errors(blueprint, 401, 403, 503)
@blueprint.doc(security=BEARER)
def my_figures() -> Any:
    """The logged-in clerk's own figures for today: served, handling, no-shows, ratings."""
    actor = require_actor()
    return read(clerk_figures.clerk_figures_today, actor, now())


@blueprint.route("/ratings/options", methods=["GET"])
@blueprint.response(200, RatingOptionsSchema)
def rating_options() -> Any:
    """The five satisfaction levels, best first, and the reasons each level may carry."""
    return ratings.rating_options()


@blueprint.route("/ticket-status/<string:token>/rating", methods=["GET"])
@blueprint.response(200, VisitorRatingState)
@documented_errors(blueprint, 404, 503)
def visitor_rating(token: str) -> Any:
    """For the ticket's status page: whether the case can be rated, and its rating if any."""
    return read(ratings.visitor_rating_state, token)


@blueprint.route("/ticket-status/<string:token>/rating", methods=["POST"])
@blueprint.arguments(VisitorRatingRequest)
@blueprint.response(201, RatingSchema)
@documented_errors(blueprint, 404, 409, 422, 503)
def rate_by_visitor(payload: dict[str, Any], token: str) -> Any:
    """The visitor rates their finished case on the phone; one rating per case (else 409)."""
    visitor = Actor(kind="visitor", id=0, role="visitor", hall_id=0)
    return perform(
        lambda uow, _actor: ratings.rate_by_visitor(
            uow, token, payload["level"], payload["reasons"], payload.get("comment"), now()
        ),
        RatingSchema,
        status=201,
        actor=visitor,
    )


@blueprint.route("/rating-pad", methods=["GET"])
@blueprint.response(200, RatingPadState)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def rating_pad_state() -> Any:
    """The rating pad (its device token): its window and clerk, and the case awaiting a rating."""
    actor = require_actor()
    return read(ratings.rating_pad_state, actor, now())


@blueprint.route("/rating-pad/ratings", methods=["POST"])
@blueprint.arguments(PadRatingRequest)
@blueprint.response(201, RatingSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def rate_at_pad(payload: dict[str, Any]) -> Any:
    """The visitor rates on the window's pad a case finished there today; one per case."""
    return perform(
        lambda uow, actor: ratings.rate_at_pad(
            uow,
            actor,
            payload["ticket_id"],
            payload["level"],
            payload["reasons"],
            payload.get("comment"),
            now(),
        ),
        RatingSchema,
        status=201,
    )
