"""Starting a deployment: the top hall and its first admin, from the server's command line.

Every other account and hall is made by an admin in the admin pages (administration.py,
staff_accounts.py), and an admin is needed to make one. So the first is made here, without an
actor: whoever may run `hallq` on the server may read its database anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hall_server.core.refusals import Refused
from hall_server.operations.administration import new_hall
from hall_server.operations.staff_accounts import new_staff_account
from hall_server.storage.database import UnitOfWork
from hall_server.storage.models import Hall


def create_first_admin(
    uow: UnitOfWork,
    hall_values: dict[str, Any],
    staff_number: str,
    name: str,
    password: str | None,
) -> dict[str, Any]:
    """An admin account in the hall with code `hall_values["code"]`, the hall made first (at the
    top of the tree) if no hall has that code. Without a password one is made up, returned once.
    """
    session = uow.session
    code = hall_values["code"]
    hall = session.scalar(select(Hall).where(Hall.code == code))
    hall_created = hall is None
    if hall is None:
        if not hall_values.get("name"):
            raise Refused(
                "hall_name_missing",
                f"no hall has the code {code}; give its name to open it",
                field="name",
            )
        hall = new_hall(session, {**hall_values, "parent_id": None})
    account = new_staff_account(
        session,
        hall.id,
        {"staff_number": staff_number, "name": name, "role": "admin", "password": password},
    )
    return {
        "hall": {"id": hall.id, "code": hall.code, "name": hall.name, "created": hall_created},
        **account,
    }
