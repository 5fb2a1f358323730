"""A hall's calling policy and its settings (the minutes of the due-time policy, the grace)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from hall_server.core.calling_policy import POLICIES, policy_named
from hall_server.core.due_time_policy import DueTimeSettings
from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.operations.live_events import record_event
from hall_server.operations.wait_predictions import raise_plan_seq
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Hall


def _hall(session: Session, actor: Actor, hall_id: int) -> Hall:
    require_hall_access(session, actor, hall_id)
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise Refused("not_found", f"no hall with id {hall_id}")
    return hall


def calling_policy_view(session: Session, actor: Actor, hall_id: int) -> dict[str, Any]:
    """The policy the hall's windows call by, with every setting (defaults filled in)."""
    hall = _hall(session, actor, hall_id)
    return {
        "policy": hall.calling_policy,
        "settings": DueTimeSettings.from_mapping(hall.calling_settings).to_mapping(),
        "known_policies": sorted(POLICIES),
    }


def set_calling_policy(
    uow: UnitOfWork, actor: Actor, hall_id: int, policy: str, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """Managers choose the policy and its minutes; the next call already uses them."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    hall = _hall(uow.session, actor, hall_id)
    try:
        # The appointment grace applies under every policy, so the settings are always checked.
        DueTimeSettings.from_mapping(settings)
        policy_named(policy, settings)
    except ValueError as error:
        raise Refused("invalid_calling_settings", str(error), field="settings") from None
    hall.calling_policy = policy
    hall.calling_settings = dict(settings)
    # Who is called next changes, and with it every waiting ticket's estimate: number the
    # change so screens refetch, and raise the plan version so no process places a new walk-in
    # by a forecast it kept from before.
    record_event(uow, "calling_policy.changed", hall.id, {"calling_policy": policy})
    raise_plan_seq(uow.session, hall.id)
    return calling_policy_view(uow.session, actor, hall_id)
