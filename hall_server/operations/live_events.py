"""Live events: numbered per hall inside the transaction, sent to rooms after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Hall


@dataclass(frozen=True)
class LiveEvent:
    name: str
    hall_id: int
    seq: int
    payload: dict[str, Any]
    window_ids: tuple[int, ...] = ()

    def message(self) -> dict[str, Any]:
        return {"seq": self.seq, "hall_id": self.hall_id, **self.payload}


@dataclass(frozen=True)
class DeviceMessage:
    """A message for one device only (a kiosk's print job); not part of the hall's sequence."""

    name: str
    device_id: int
    payload: dict[str, Any]


def hall_room(hall_id: int) -> str:
    return f"hall:{hall_id}"


def window_room(window_id: int) -> str:
    return f"window:{window_id}"


def device_room(device_id: int) -> str:
    return f"device:{device_id}"


def raise_hall_seq(uow: UnitOfWork, hall_id: int) -> int:
    """Take the hall's next event number; the row lock it takes lasts only until commit."""
    seq = uow.session.execute(
        update(Hall)
        .where(Hall.id == hall_id)
        .values(event_seq=Hall.event_seq + 1)
        .returning(Hall.event_seq)
        # Nothing in a write reads the loaded Hall's event_seq: skip matching the identity map.
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(seq)


def record_event(
    uow: UnitOfWork,
    name: str,
    hall_id: int,
    payload: dict[str, Any],
    window_ids: tuple[int | None, ...] = (),
) -> LiveEvent:
    """Number the change in this transaction; publish it once the transaction has committed."""
    seq = raise_hall_seq(uow, hall_id)
    event = LiveEvent(
        name=name,
        hall_id=hall_id,
        seq=seq,
        payload=payload,
        window_ids=tuple(sorted({w for w in window_ids if w is not None})),
    )
    uow.publish_after_commit(event)
    return event
