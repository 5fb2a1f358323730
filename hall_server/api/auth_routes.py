"""URL table for logging in and out, and for enrolling and revoking devices."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session

from hall_server.api.documentation import BEARER, WRITE_ERRORS, documented_errors
from hall_server.api.edge import bearer_token, database, now, perform, require_actor
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import (
    DeviceSchema,
    EnrolDeviceRequest,
    EnrolDeviceResponse,
    LoginRequest,
    LoginResponse,
    UserSchema,
)
from hall_server.core.refusals import Refused
from hall_server.extensions import limiter
from hall_server.operations import credentials, window_operations
from hall_server.operations.access import Actor, Role, require_hall_access, require_role
from hall_server.storage.models import Device, User

blueprint = ApiBlueprint(
    "auth", __name__, url_prefix="/api/v1", description="Log in; enrol and revoke devices"
)


def _login_account_key() -> str:
    """The staff number tried (a request without one counts against its address)."""
    body = request.get_json(silent=True)
    staff_number = body.get("staff_number") if isinstance(body, dict) else None
    if isinstance(staff_number, str) and staff_number:
        return f"staff:{staff_number[:64]}"
    return f"address:{request.remote_addr or 'unknown'}"


@blueprint.route("/auth/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], key_func=_login_account_key)
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"])
@blueprint.arguments(LoginRequest)
@blueprint.response(200, LoginResponse)
@documented_errors(blueprint, 400, 401, 422, 429, 503)
def log_in(payload: dict[str, Any]) -> Any:
    """Staff log in with staff number and password: a bearer token, and a page session cookie."""
    nobody = Actor(kind="anonymous", id=0, role="anonymous", hall_id=0)
    response = perform(
        lambda uow, _actor: credentials.log_in(
            uow,
            payload["staff_number"],
            payload["password"],
            now(),
            current_app.config["TOKEN_HOURS"],
        ),
        LoginResponse,
        actor=nobody,
    )
    session.clear()
    session["user_id"] = response.get_json()["user"]["id"]
    return response


@blueprint.route("/auth/logout", methods=["POST"])
@blueprint.response(204)
@blueprint.doc(security=BEARER)
def log_out() -> Any:
    """Revoke this bearer token and end the page session. A clerk's windows with no case in
    hand close and are free for others; one with a case in hand stays theirs until they come
    back or a manager frees it (`POST /windows/{id}/release`)."""
    token = bearer_token()
    if token:
        with database().transaction() as uow:
            user_id = credentials.log_out(uow, token, now())
            if user_id is not None:
                window_operations.leave_windows_on_logout(uow, user_id, now())
    session.clear()
    return ""


@blueprint.route("/auth/me", methods=["GET"])
@blueprint.response(200, UserSchema)
@documented_errors(blueprint, 401)
@blueprint.doc(security=BEARER)
def me() -> Any:
    """Who the login token belongs to (staff). A device reads itself at GET /devices/self."""
    actor = require_actor()
    if actor.kind != "user":
        raise Refused("forbidden_role", "this is a device token, not a person")
    with database().reading() as db_session:
        user = db_session.get(User, actor.id)
        assert user is not None
        return credentials.user_view(user)


@blueprint.route("/halls/<int:hall_id>/devices", methods=["POST"])
@blueprint.arguments(EnrolDeviceRequest)
@blueprint.response(201, EnrolDeviceResponse)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def enrol_device(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers enrol a kiosk, board, window display or rating pad; the token is shown once."""
    return perform(
        lambda uow, actor: credentials.enrol_device(
            uow,
            actor,
            hall_id,
            payload["kind"],
            payload["name"],
            now(),
            window_id=payload.get("window_id"),
            settings=payload.get("settings"),
        ),
        EnrolDeviceResponse,
        status=201,
    )


@blueprint.route("/halls/<int:hall_id>/devices", methods=["GET"])
@blueprint.response(200, DeviceSchema(many=True))
@documented_errors(blueprint, 401, 403, 404, 503)
@blueprint.doc(security=BEARER)
def list_devices(hall_id: int) -> Any:
    """Managers: the hall's devices, their health and last contact."""
    actor = require_actor()
    require_role(actor, Role.MANAGER, Role.ADMIN)
    with database().reading() as db_session:
        require_hall_access(db_session, actor, hall_id)
        from sqlalchemy import select

        devices = db_session.scalars(select(Device).where(Device.hall_id == hall_id))
        return [credentials.device_view(d) for d in devices]


@blueprint.route("/devices/<int:device_id>/revoke", methods=["POST"])
@blueprint.response(200, DeviceSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def revoke_device(device_id: int) -> Any:
    """Managers: revoke a device's token at once (a stolen kiosk PC, a retired board)."""
    return perform(
        lambda uow, actor: credentials.revoke_device(uow, actor, device_id, now()), DeviceSchema
    )
