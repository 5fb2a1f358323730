"""What the print-job tests on the in-process app share: issuing at the hall's kiosk, and a
ticket's print job as stored."""

from __future__ import annotations

from typing import Any

from hall_server.storage.models import PrintJob
from tests import factories


def issue(client: Any, hall: factories.TestHall) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def stored(app: Any, ticket: dict[str, Any]) -> tuple[str, str | None]:
    """The ticket's print job's status and error, as stored."""
    with app.extensions["hallq_db"].reading() as session:
        job = session.get(PrintJob, ticket["print_job"]["id"])
        assert job is not None
        return job.status, job.error
