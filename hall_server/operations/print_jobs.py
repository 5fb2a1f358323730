"""Print jobs: what a kiosk still has to print, what it reported, retries and cancellations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access
from hall_server.operations.live_events import DeviceMessage, record_event
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Device, PrintJob

PRINTER_STATUSES = {"ok", "paper_near_end", "paper_out", "offline", "unknown"}
JOB_RESULTS = {"printed", "failed"}
MAX_ATTEMPTS = 5


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


def pending_print_jobs(session: Session, device_id: int) -> list[dict[str, Any]]:
    """Jobs sent to a kiosk that it has not yet reported on, oldest first (resent on reconnect)."""
    jobs = session.scalars(
        select(PrintJob)
        .where(PrintJob.device_id == device_id, PrintJob.status == "pending")
        .order_by(PrintJob.created_at)
    )
    return [job.payload for job in jobs]


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
    device.last_seen_at = now
    if printer_status is not None:
        if printer_status not in PRINTER_STATUSES:
            raise Refused("invalid_printer_status", f"unknown printer status {printer_status!r}")
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
    """The kiosk's print agent reports a job printed or failed; a failed ticket stays valid."""
    if result not in JOB_RESULTS:
        raise Refused("invalid_print_result", f"result must be one of {sorted(JOB_RESULTS)}")
    job = uow.session.get(PrintJob, job_id)
    if job is None or job.device_id != actor.id:
        raise Refused("not_found", f"no print job {job_id} for this kiosk")
    if job.status in ("printed", "cancelled"):
        return print_job_view(job)  # a repeated report changes nothing
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
    job.status = "pending"
    job.updated_at = now
    uow.publish_after_commit(DeviceMessage("print.job", job.device_id, job.payload))
    return print_job_view(job)


def cancel_print_job(uow: UnitOfWork, actor: Actor, job_id: str, now: datetime) -> dict[str, Any]:
    """Give up printing; the ticket itself stays valid (on screen or on the phone)."""
    job = _job_for_staff_or_kiosk(uow.session, actor, job_id)
    if job.status == "printed":
        raise Refused("invalid_transition", "this job is already printed")
    job.status = "cancelled"
    job.updated_at = now
    return print_job_view(job)
