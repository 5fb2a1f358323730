"""A device's live connection outlasts the revocation of its token (the token was checked when
it connected): what it reports over that connection afterwards is refused and changes nothing,
so a revoked kiosk neither looks alive to the alerts nor answers print jobs."""

from __future__ import annotations

import pytest

from hall_server.core.refusals import Refused
from hall_server.operations import credentials, print_jobs
from hall_server.storage.models import Device
from tests.factories import build_hall
from tests.manager.hand_worked_day import MONDAY_0900, at


@pytest.fixture
def hall(database):
    return build_hall(database, MONDAY_0900)


def test_a_revoked_kiosk_reports_nothing_more(database, hall):
    kiosk = hall.kiosk()
    with database.transaction() as uow:
        print_jobs.report_device_health(uow, kiosk, "ok", at(0))
    with database.transaction() as uow:
        credentials.revoke_device(uow, hall.manager(), hall.kiosk_id, at(1))

    for status in ("paper_out", None):
        with pytest.raises(Refused) as refused, database.transaction() as uow:
            print_jobs.report_device_health(uow, kiosk, status, at(2))
        assert refused.value.code == "unauthorized"

    with database.reading() as session:
        device = session.get(Device, hall.kiosk_id)
        assert (device.printer_status, device.last_seen_at) == ("ok", at(0))
