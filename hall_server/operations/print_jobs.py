"""Print jobs: what a kiosk still has to print, what it reported, retries and cancellations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.core.ticket_life import TicketStatus
from hall_server.operations.access import Actor, Role, require_hall_access
from hall_server.operations.live_events import DeviceMessage, record_event
from hall_server.storage.database import UnitOfWork, uses_row_locks
from hall_server.storage.models import Device, PrintJob, Ticket

PRINTER_STATUSES = {"ok", "paper_near_end", "paper_out", "offline", "unknown"}
JOB_RESULTS = {"printed", "failed"}
MAX_ATTEMPTS = 5
# A job's status: "pending" (sent, or to be sent, and not answered), "printed" or "failed" (the
# print agent's answer), "cancelled" (given up on the kiosk page or by staff), "expired" (left
# out when its kiosk reconnected, see RESEND_WINDOW; `error` says why). Only "pending" is sent.
FINISHED_STATUSES = {"printed", "cancelled", "expired"}  # a late answer changes none of these

# How recently a pending job must have been asked for (issued, or retried) to be sent again when
# its kiosk's print agent (re)connects. Long enough for a network blip (the agent retries at
# most 30 s apart), an agent restart or a quick server restart; short enough that the visitor is
# still at the kiosk: after 20 s its page says the printer did not answer and shows the ticket
# on screen, and after its idle time (60 s by default) it goes back to the start. A ticket
# printed later lies in the tray for nobody, or for the next visitor to take by mistake.
RESEND_WINDOW = timedelta(minutes=2)


def print_job_view(job: PrintJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "ticket_id": job.ticket_id,
        "device_id": job.device_id,
        "status": job.status,
        "error": job.error,
        "attempts": job.attempts,
        "payload": job.payload,
        "updated_at": job.updated_at,
    }


def _not_for_print(ticket_status: str, first_called_at: datetime | None) -> str | None:
    """Why a ticket's print job must not print any more, or None while the ticket waits for
    its first call: one called, even if waiting again (a no-show re-queued, a transfer), has
    met its clerk and its printed queue position would be wrong."""
    if ticket_status != TicketStatus.WAITING:
        return f"its ticket is {ticket_status}"
    if first_called_at is not None:
        return "its ticket has been called"
    return None


def _left_out_reason(
    job: PrintJob, ticket_status: str, first_called_at: datetime | None, now: datetime
) -> str | None:
    """Why a pending job is not sent again on reconnect, or None if it is. A pending job's
    `updated_at` is when it was last asked for: its ticket's issue, or a retry."""
    ticket_reason = _not_for_print(ticket_status, first_called_at)
    if ticket_reason is not None:
        return f"not sent again: {ticket_reason}"
    if job.updated_at < now - RESEND_WINDOW:
        minutes = int(RESEND_WINDOW.total_seconds() // 60)
        return f"not sent again: asked for over {minutes} min before the kiosk reconnected"
    return None


@dataclass(frozen=True)
class JobsOnReconnect:
    """A reconnecting kiosk's pending jobs: those to send again, and those left out."""

    device_id: int
    judged_at: datetime
    resend: list[dict[str, Any]]  # payloads, oldest first
    left_out: list[str]  # job ids, to be marked expired (expire_left_out_print_jobs)


def _pending_jobs_with_tickets(device_id: int) -> Select[PrintJob, str, datetime | None]:
    return (
        select(PrintJob, Ticket.status, Ticket.first_called_at)
        .join(Ticket, Ticket.id == PrintJob.ticket_id)
        .where(PrintJob.device_id == device_id, PrintJob.status == "pending")
    )


def pending_print_jobs(session: Session, device_id: int, now: datetime) -> JobsOnReconnect:
    """What a kiosk that (re)connects is sent again: its unanswered jobs that a visitor may
    still be waiting for at the kiosk (the ticket waits for its first call and the print was
    asked for within RESEND_WINDOW); the others are left out, never to print."""
    rows = session.execute(
        _pending_jobs_with_tickets(device_id).order_by(PrintJob.created_at, PrintJob.ticket_id)
    )
    resend, left_out = [], []
    for job, ticket_status, first_called_at in rows:
        if _left_out_reason(job, ticket_status, first_called_at, now) is None:
            resend.append(job.payload)
        else:
            left_out.append(job.id)
    return JobsOnReconnect(device_id, now, resend, left_out)


def print_jobs_still_owed(session: Session, actor: Actor, now: datetime) -> JobsOnReconnect:
    """What a connected print agent asks for every few seconds: the same jobs a reconnect would
    send (see pending_print_jobs), so that a job whose `print.job` message was lost (several
    server processes with Redis away) still prints while its visitor is at the kiosk. One
    query on the kiosk's jobs; the agent never prints one twice (it remembers their ids)."""
    device = session.get(Device, actor.id)
    if device is None or actor.kind != "device":
        raise Refused("forbidden_role", "kiosks only")
    _refuse_if_revoked(device)
    return pending_print_jobs(session, device.id, now)


def expire_left_out_print_jobs(uow: UnitOfWork, reconnect: JobsOnReconnect) -> int:
    """Mark the jobs a reconnecting kiosk was not sent as expired, so that no later connect
    sends them (a ticket re-queued after a no-show waits again, for one). Each is judged again,
    locked, at the moment it was left out: one answered or retried meanwhile stays as it is.
    Returns how many were marked."""
    now = reconnect.judged_at
    query = _pending_jobs_with_tickets(reconnect.device_id).where(
        PrintJob.id.in_(reconnect.left_out)
    )
    if uses_row_locks(uow.session):
        query = query.with_for_update(of=PrintJob)
    marked = 0
    for job, ticket_status, first_called_at in uow.session.execute(query):
        reason = _left_out_reason(job, ticket_status, first_called_at, now)
        if reason is None:
            continue
        job.status = "expired"
        job.error = reason
        job.updated_at = now
        marked += 1
    return marked


def _refuse_if_revoked(device: Device) -> None:
    """A live connection outlasts its token's revocation (it was checked when it connected):
    what the device says over it after that is refused, not recorded."""
    if device.revoked_at is not None:
        raise Refused(
            "unauthorized", "this device's token was revoked; a manager must enrol it again"
        )


def device_health_changed(uow: UnitOfWork, device: Device) -> None:
    record_event(
        uow,
        "device.changed",
        device.hall_id,
        {
            "device": {
                "id": device.id,
                "kind": device.kind,
                "name": device.name,
                "printer_status": device.printer_status,
                "last_seen_at": device.last_seen_at,
            }
        },
    )


def report_device_health(
    uow: UnitOfWork, actor: Actor, printer_status: str | None, now: datetime
) -> None:
    """A device says it is alive, and a kiosk how its printer is; changes reach managers."""
    device = uow.session.get(Device, actor.id)
    if device is None or actor.kind != "device":
        raise Refused("forbidden_role", "only devices report their health")
    _refuse_if_revoked(device)
    device.last_seen_at = now
    if printer_status is not None:
        if printer_status not in PRINTER_STATUSES:
            raise Refused("invalid_printer_status", f"unknown printer status {printer_status!r}")
        device.printer_reported_at = now  # only the print agent reports the printer
        if printer_status != device.printer_status:
            device.printer_status = printer_status
            device_health_changed(uow, device)


def record_print_result(
    uow: UnitOfWork,
    actor: Actor,
    job_id: str,
    result: str,
    now: datetime,
    error: str | None = None,
    printer_status: str | None = None,
) -> dict[str, Any]:
    """The kiosk's print agent (over Socket.IO) or the kiosk itself (over HTTP) reports a job
    printed or failed; a failed ticket stays valid. The first report marks the kiosk seen."""
    if actor.kind != "device":
        raise Refused("forbidden_role", "kiosks only")
    if result not in JOB_RESULTS:
        raise Refused("invalid_print_result", f"result must be one of {sorted(JOB_RESULTS)}")
    job = uow.session.get(PrintJob, job_id)
    if job is None or job.device_id != actor.id:
        raise Refused("not_found", f"no print job {job_id} for this kiosk")
    if job.status in FINISHED_STATUSES:
        return print_job_view(job)  # a repeated or late report changes nothing
    job.status = result
    job.error = (error or "")[:200] or None
    job.attempts += 1
    job.updated_at = now
    report_device_health(uow, actor, printer_status, now)
    return print_job_view(job)


def _job_for_staff_or_kiosk(session: Session, actor: Actor, job_id: str) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise Refused("not_found", f"no print job {job_id}")
    device = session.get(Device, job.device_id)
    assert device is not None
    if actor.kind == "device":
        if actor.id != job.device_id:
            raise Refused("not_found", f"no print job {job_id} for this kiosk")
    else:
        require_hall_access(session, actor, device.hall_id)
        if actor.role not in (Role.CLERK, Role.MANAGER, Role.ADMIN):
            raise Refused("forbidden_role", "only staff or the kiosk itself act on print jobs")
    return job


def read_print_job(session: Session, actor: Actor, job_id: str) -> dict[str, Any]:
    """A print job as its kiosk or the hall's staff see it (the kiosk page polls this)."""
    return print_job_view(_job_for_staff_or_kiosk(session, actor, job_id))


def retry_print_job(uow: UnitOfWork, actor: Actor, job_id: str, now: datetime) -> dict[str, Any]:
    job = _job_for_staff_or_kiosk(uow.session, actor, job_id)
    if job.status not in ("failed", "pending"):
        raise Refused("invalid_transition", f"a {job.status} print job cannot be retried")
    if job.attempts >= MAX_ATTEMPTS:
        raise Refused("too_many_attempts", "this job failed too often; show the ticket on screen")
    ticket = uow.session.get(Ticket, job.ticket_id)
    assert ticket is not None
    if ticket.status != TicketStatus.WAITING:
        raise Refused(
            "invalid_transition", f"ticket {ticket.number} is {ticket.status}, not waiting"
        )
    if ticket.first_called_at is not None:
        raise Refused(
            "invalid_transition", f"ticket {ticket.number} has been called; it is not printed again"
        )
    job.status = "pending"
    job.updated_at = now
    uow.publish_after_commit(DeviceMessage("print.job", job.device_id, job.payload))
    return print_job_view(job)


def cancel_print_job(uow: UnitOfWork, actor: Actor, job_id: str, now: datetime) -> dict[str, Any]:
    """Give up printing; the ticket itself stays valid (on screen or on the phone)."""
    job = _job_for_staff_or_kiosk(uow.session, actor, job_id)
    if job.status == "printed":
        raise Refused("invalid_transition", "this job is already printed")
    if job.status == "expired":
        return print_job_view(job)  # given up already; its reason is kept
    job.status = "cancelled"
    job.updated_at = now
    return print_job_view(job)
