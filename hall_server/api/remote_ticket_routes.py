"""URL table for tickets taken remotely (线上取号): the hall's public offer and the taking, for
its phone page and for mini-programs or platforms; and the managers' settings for them."""

from __future__ import annotations

from typing import Any

from flask import current_app

from hall_server.api.documentation import (
    BEARER,
    ISSUING_CONFLICTS,
    READ_ERRORS,
    REMOTE_ISSUING_CONFLICTS,
    WRITE_ERRORS,
    conflicts_description,
    documented_errors,
)
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.error_translation import translate_error
from hall_server.api.remote_ticket_schemas import (
    RemoteIssuingSettingsSchema,
    RemoteOfferSchema,
    RemoteTicketRequest,
)
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import IssuedTicketSchema
from hall_server.extensions import limiter
from hall_server.operations import remote_issuing
from hall_server.operations.ticket_issuing import issue_remote_ticket

blueprint = ApiBlueprint(
    "remote_tickets",
    __name__,
    url_prefix="/api/v1",
    description="Tickets taken remotely on a phone (线上取号), where the hall allows it",
)


@blueprint.route("/remote/halls/<string:hall_code>", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REMOTE_READ"])
@blueprint.response(200, RemoteOfferSchema)
@documented_errors(blueprint, 404, 429, 503)
def remote_offer(hall_code: str) -> Any:
    """Anyone: the services one may take remotely in this hall, with the people waiting, the
    estimated wait for a new ticket, and why a ticket cannot be taken now, if so. Limited per
    client address (each read may make a wait forecast)."""
    return read(remote_issuing.remote_offer, hall_code, now(), translate_error)


@blueprint.route("/remote/halls/<string:hall_code>/tickets", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REMOTE_ISSUE"])
@blueprint.arguments(RemoteTicketRequest)
@blueprint.response(201, IssuedTicketSchema)
@documented_errors(
    blueprint,
    *(400, 403, 404, 409, 422, 429, 503),
    descriptions={409: conflicts_description(REMOTE_ISSUING_CONFLICTS + ISSUING_CONFLICTS)},
)
@blueprint.doc()
def take_remote_ticket(payload: dict[str, Any], hall_code: str) -> Any:
    """Anyone, where the hall allows it: take a walk-in ticket with a mobile number. It queues
    like a kiosk's; `status_url` is the visitor's status page. Refused (403) when the hall or
    the service gives no tickets online, (409) when the hall's cap of remote tickets waiting or
    the service's online share of its quota is reached, when the number has taken its tickets
    online for the day, or by the hall's issuing rules (hours, quota, one waiting ticket per
    number and service). Limited per client address; send an Idempotency-Key (one per number)
    so that a retry gives the same ticket."""
    config = current_app.config
    hall_id = read(remote_issuing.hall_id_for_code, hall_code)
    visitor = remote_issuing.remote_visitor(hall_id, payload["phone"], config["IDENTITY_SECRET"])
    return perform(
        lambda uow, actor: issue_remote_ticket(
            uow,
            actor,
            payload["service_id"],
            payload["phone"],
            now(),
            config["IDENTITY_SECRET"],
            config["PUBLIC_BASE_URL"],
        ),
        IssuedTicketSchema,
        status=201,
        actor=visitor,
    )


def _with_page_url(settings: dict[str, Any]) -> dict[str, Any]:
    public_base_url = current_app.config["PUBLIC_BASE_URL"]
    return {
        **settings,
        "take_page_url": remote_issuing.take_page_url(public_base_url, settings["hall_code"]),
    }


@blueprint.route("/manager/halls/<int:hall_id>/remote-issuing", methods=["GET"])
@blueprint.response(200, RemoteIssuingSettingsSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def read_remote_settings(hall_id: int) -> Any:
    """Managers: whether the hall gives tickets online, for which services, and its caps."""
    return _with_page_url(read(remote_issuing.read_remote_settings, require_actor(), hall_id))


@blueprint.route("/manager/halls/<int:hall_id>/remote-issuing", methods=["PUT"])
@blueprint.arguments(RemoteIssuingSettingsSchema)
@blueprint.response(200, RemoteIssuingSettingsSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def change_remote_settings(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: switch remote tickets on or off and tune them; fields left out keep their
    value. The next ticket taken obeys the new settings."""
    return perform(
        lambda uow, actor: _with_page_url(
            remote_issuing.change_remote_settings(uow, actor, hall_id, payload)
        ),
        RemoteIssuingSettingsSchema,
    )
