"""URL table for print jobs: a kiosk or the hall's staff read, retry or cancel a ticket's print;
a kiosk that prints for itself reports how it went."""

from __future__ import annotations

from typing import Any

from hall_server.api.device_schemas import PrintJobSchema, PrintResultRequest
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


@blueprint.route("/print-jobs/<string:job_id>/result", methods=["POST"])
@blueprint.arguments(PrintResultRequest)
@blueprint.response(200, PrintJobSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def report_print_result(payload: dict[str, Any], job_id: str) -> Any:
    """The kiosk that the job is for reports it `printed` or `failed` (with `error`, and its
    printer's status): what Socket.IO's `print.result` says, for a kiosk that prints by itself
    over HTTP. The kiosk counts as seen. A job already printed, cancelled or expired stays as it
    is (a repeated report changes nothing); a failed ticket stays valid, on screen and phone."""
    return perform(
        lambda uow, actor: print_jobs.record_print_result(
            uow,
            actor,
            job_id,
            payload["result"],
            now(),
            error=payload.get("error"),
            printer_status=payload.get("printer_status"),
        ),
        PrintJobSchema,
    )
