"""URL table for administration: halls, departments, services and their catalogue import,
windows and staff accounts. (Devices are enrolled and revoked in auth_routes.)"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema

from hall_server.api.documentation import BEARER, READ_ERRORS, WRITE_ERRORS, documented_errors
from hall_server.api.edge import database, now, perform, read, require_actor
from hall_server.api.manager_schemas import (
    CatalogueUploadQuery,
    DepartmentCreateRequest,
    DepartmentSchema,
    DepartmentUpdateRequest,
    HallCreateRequest,
    HallUpdateRequest,
    ImportResult,
    PasswordResetRequest,
    ServiceCreateRequest,
    ServiceUpdateRequest,
    StaffSchema,
    StaffWithPassword,
    UserCreateRequest,
    UserUpdateRequest,
    WindowCreateRequest,
    WindowUpdateRequest,
)
from hall_server.api.request_parsing import ApiBlueprint
from hall_server.api.schemas import HallSchema, ServiceSchema, WindowSchema
from hall_server.core.refusals import Refused
from hall_server.operations import administration, staff_accounts

blueprint = ApiBlueprint(
    "administration",
    __name__,
    url_prefix="/api/v1",
    description="Administration: halls, departments, services, windows and staff accounts",
)


class CatalogueUpload(Schema):
    file = Upload(required=True, metadata={"description": "the catalogue, .csv or .xlsx"})


# ----- halls -----


@blueprint.route("/halls", methods=["POST"])
@blueprint.arguments(HallCreateRequest)
@blueprint.response(201, HallSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def create_hall(payload: dict[str, Any]) -> Any:
    """Admins: open a hall below one they look after."""
    return perform(
        lambda uow, actor: administration.create_hall(uow, actor, payload), HallSchema, 201
    )


@blueprint.route("/halls/<int:hall_id>", methods=["PATCH"])
@blueprint.arguments(HallUpdateRequest)
@blueprint.response(200, HallSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def update_hall(payload: dict[str, Any], hall_id: int) -> Any:
    """Admins: rename a hall, move it in the tree, set its hours, target wait and rules."""
    return perform(
        lambda uow, actor: administration.update_hall(uow, actor, hall_id, payload), HallSchema
    )


# ----- departments -----


@blueprint.route("/halls/<int:hall_id>/departments", methods=["GET"])
@blueprint.response(200, DepartmentSchema(many=True))
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def list_departments(hall_id: int) -> Any:
    """Managers: the departments of a hall."""
    return read(administration.list_departments, require_actor(), hall_id)


@blueprint.route("/halls/<int:hall_id>/departments", methods=["POST"])
@blueprint.arguments(DepartmentCreateRequest)
@blueprint.response(201, DepartmentSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def create_department(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: add a department to their hall."""
    return perform(
        lambda uow, actor: administration.create_department(uow, actor, hall_id, payload),
        DepartmentSchema,
        201,
    )


@blueprint.route("/departments/<int:department_id>", methods=["PATCH"])
@blueprint.arguments(DepartmentUpdateRequest)
@blueprint.response(200, DepartmentSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def update_department(payload: dict[str, Any], department_id: int) -> Any:
    """Managers: rename a department or change its code."""
    return perform(
        lambda uow, actor: administration.update_department(uow, actor, department_id, payload),
        DepartmentSchema,
    )


# ----- services -----


@blueprint.route("/halls/<int:hall_id>/services", methods=["POST"])
@blueprint.arguments(ServiceCreateRequest)
@blueprint.response(201, ServiceSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def create_service(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: add a service (matter) to their hall."""
    return perform(
        lambda uow, actor: administration.create_service(uow, actor, hall_id, payload),
        ServiceSchema,
        201,
    )


@blueprint.route("/services/<int:service_id>", methods=["PATCH"])
@blueprint.arguments(ServiceUpdateRequest)
@blueprint.response(200, ServiceSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def update_service(payload: dict[str, Any], service_id: int) -> Any:
    """Managers: change a service, e.g. its daily quota (a `service.changed` event)."""
    return perform(
        lambda uow, actor: administration.update_service(uow, actor, service_id, payload),
        ServiceSchema,
    )


@blueprint.route("/halls/<int:hall_id>/services/import", methods=["POST"])
@blueprint.arguments(CatalogueUploadQuery, location="query")
@blueprint.arguments(CatalogueUpload, location="files")
@blueprint.response(200, ImportResult)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def import_services(query: dict[str, Any], files: dict[str, Any], hall_id: int) -> Any:
    """Managers: load the service catalogue from CSV or XLSX (the columns of
    `hallq import-services`); every row is checked and nothing changes if one is wrong."""
    upload = files["file"]
    content = upload.read()
    if not content:
        raise Refused("invalid_file", "the file is empty", "file")
    return administration.import_service_catalogue(
        database(), require_actor(), hall_id, upload.filename or "", content, query["dry_run"]
    )


# ----- windows -----


@blueprint.route("/halls/<int:hall_id>/windows", methods=["POST"])
@blueprint.arguments(WindowCreateRequest)
@blueprint.response(201, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def create_window(payload: dict[str, Any], hall_id: int) -> Any:
    """Managers: add a window; it starts closed and serving nothing."""
    return perform(
        lambda uow, actor: administration.create_window(uow, actor, hall_id, payload, now()),
        WindowSchema,
        201,
    )


@blueprint.route("/windows/<int:window_id>", methods=["PATCH"])
@blueprint.arguments(WindowUpdateRequest)
@blueprint.response(200, WindowSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def update_window(payload: dict[str, Any], window_id: int) -> Any:
    """Managers: renumber or rename a window, or make it comprehensive or dedicated."""
    return perform(
        lambda uow, actor: administration.update_window(uow, actor, window_id, payload),
        WindowSchema,
    )


# ----- staff -----


@blueprint.route("/halls/<int:hall_id>/users", methods=["GET"])
@blueprint.response(200, StaffSchema(many=True))
@documented_errors(blueprint, *READ_ERRORS)
@blueprint.doc(security=BEARER)
def list_users(hall_id: int) -> Any:
    """Admins: the staff accounts of a hall."""
    return read(staff_accounts.list_users, require_actor(), hall_id)


@blueprint.route("/halls/<int:hall_id>/users", methods=["POST"])
@blueprint.arguments(UserCreateRequest)
@blueprint.response(201, StaffWithPassword)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def create_user(payload: dict[str, Any], hall_id: int) -> Any:
    """Admins: create a clerk, manager or admin account (a made-up password is shown once)."""
    return perform(
        lambda uow, actor: staff_accounts.create_user(uow, actor, hall_id, payload),
        StaffWithPassword,
        201,
    )


@blueprint.route("/users/<int:user_id>", methods=["PATCH"])
@blueprint.arguments(UserUpdateRequest)
@blueprint.response(200, StaffSchema)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def update_user(payload: dict[str, Any], user_id: int) -> Any:
    """Admins: rename, change role or hall, deactivate (logs out at once) or reactivate."""
    return perform(
        lambda uow, actor: staff_accounts.update_user(uow, actor, user_id, payload, now()),
        StaffSchema,
    )


@blueprint.route("/users/<int:user_id>/password", methods=["POST"])
@blueprint.arguments(PasswordResetRequest)
@blueprint.response(200, StaffWithPassword)
@documented_errors(blueprint, *WRITE_ERRORS)
@blueprint.doc(security=BEARER)
def reset_password(payload: dict[str, Any], user_id: int) -> Any:
    """Admins: set a new password (or have one made up, shown once); logs out everywhere."""
    return perform(
        lambda uow, actor: staff_accounts.reset_password(
            uow, actor, user_id, payload.get("password"), now()
        ),
        StaffWithPassword,
    )
