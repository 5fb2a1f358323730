"""URL table for print jobs: a kiosk or the hall's staff read, retry or cancel a ticket's print."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import now, perform, read, require_actor
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.operations import print_jobs

blueprint = ApiBlueprint(
    "print_jobs",
    __name__,
    url_prefix="/api/v1",
    description="Print jobs of kiosks: what was printed, what failed, retry and cancel",
)


class PrintJobSchema(Schema):
    id = fields.String()
    ticket_id = fields.Integer()
    device_id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["pending", "printed", "failed", "cancelled", "expired"]}
    )
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    payload = fields.Dict(metadata={"description": "the ticket as printed (hardware print job)"})
    updated_at = fields.AwareDateTime()


@blueprint.route("/print-jobs/<string:job_id>", methods=["GET"])
@blueprint.response(200, PrintJobSchema)
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def get_print_job(job_id: str) -> Any:
    """A print job's state: the kiosk page watches it to offer "print again" when it failed."""
    actor = require_actor()
    return read(print_jobs.read_print_job, actor, job_id)


@blueprint.route("/print-jobs/<string:job_id>/retry", methods=["POST"])
@blueprint.response(200, PrintJobSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def retry_print_job(job_id: str) -> Any:
    """Send a failed job to its kiosk again (after the paper was refilled, say)."""
    return perform(
        lambda uow, actor: print_jobs.retry_print_job(uow, actor, job_id, now()), PrintJobSchema
    )


@blueprint.route("/print-jobs/<string:job_id>/cancel", methods=["POST"])
@blueprint.response(200, PrintJobSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def cancel_print_job(job_id: str) -> Any:
    """Give up printing; the ticket stays valid, on the kiosk's screen and the visitor's phone."""
    return perform(
        lambda uow, actor: print_jobs.cancel_print_job(uow, actor, job_id, now()), PrintJobSchema
    )
