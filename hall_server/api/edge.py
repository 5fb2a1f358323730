"""What every view shares: the clock, the database, the caller, and idempotent writes."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify, request, session
from marshmallow import Schema
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hall_server.core.refusals import Refused
from hall_server.operations.access import Actor
from hall_server.operations.credentials import actor_for_token, actor_for_user
from hall_server.storage.database import Database, UnitOfWork
from hall_server.storage.models import IdempotentResponse, User

MAX_IDEMPOTENCY_KEY = 200


def database() -> Database:
    return current_app.extensions["hallq_db"]  # type: ignore[no-any-return]


def now() -> datetime:
    return current_app.extensions["hallq_clock"]()  # type: ignore[no-any-return]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def current_actor(optional: bool = False, db_session: Session | None = None) -> Actor | None:
    """The caller from its bearer token, or from the page's session cookie for reads.

    Read in `db_session` when given (a use case's own transaction: one connection per request),
    else in a read transaction of its own."""
    if db_session is None:
        with database().reading() as reading_session:
            return current_actor(optional, reading_session)
    token = bearer_token()
    if token:
        actor = actor_for_token(db_session, token, now())
        if actor is None:
            raise Refused("unauthorized", "the token is unknown, expired or revoked; log in again")
        return actor
    user_id = session.get("user_id")
    if user_id is not None and request.method == "GET":
        user = db_session.get(User, user_id)
        if user is not None and user.active:
            return actor_for_user(user)
    if optional:
        return None
    raise Refused("unauthorized", "log in first: send 'Authorization: Bearer <token>'")


def require_actor(db_session: Session | None = None) -> Actor:
    actor = current_actor(db_session=db_session)
    assert actor is not None
    return actor


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _replay(stored: IdempotentResponse, fingerprint: str) -> Response:
    if stored.request_fingerprint != fingerprint:
        raise Refused(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request; use a new key",
        )
    response = jsonify(stored.body)
    response.status_code = stored.status_code
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _replay_if_stored(actor: Actor, key: str, fingerprint: str) -> Response | None:
    with database().reading() as db_session:
        stored = db_session.scalar(
            select(IdempotentResponse).where(
                IdempotentResponse.principal == actor.principal, IdempotentResponse.key == key
            )
        )
        return None if stored is None else _replay(stored, fingerprint)


@functools.cache
def _schema(schema_class: type[Schema]) -> Schema:
    """One instance per schema: dumping keeps no state, and building one costs more than a dump."""
    return schema_class()


def perform(
    use_case: Callable[[UnitOfWork, Actor], dict[str, Any]],
    response_schema: type[Schema],
    status: int = 200,
    actor: Actor | None = None,
) -> Response:
    """Run one use case in one transaction and answer with its result.

    With an Idempotency-Key header the answer is stored in the same transaction, so a retried
    request gets the first answer back instead of issuing or calling twice.

    On PostgreSQL the caller is authenticated in that transaction too (one connection and one
    BEGIN and COMMIT per request). On SQLite a write transaction holds the database's one write
    lock from BEGIN, so the caller is known first, in a read: a made-up token never waits for,
    or holds, the lock the kiosks and counters need.
    """
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= MAX_IDEMPOTENCY_KEY):
        raise Refused("bad_request", "Idempotency-Key must be 1 to 200 characters")
    fingerprint = _fingerprint() if key else ""
    if actor is None and database().is_sqlite:
        actor = require_actor()
    try:
        with database().transaction() as uow:
            actor = actor or require_actor(uow.session)
            if key:
                stored = uow.session.scalar(
                    select(IdempotentResponse).where(
                        IdempotentResponse.principal == actor.principal,
                        IdempotentResponse.key == key,
                    )
                )
                if stored is not None:
                    return _replay(stored, fingerprint)
            body = _schema(response_schema).dump(use_case(uow, actor))
            if key:
                uow.session.add(
                    IdempotentResponse(
                        principal=actor.principal,
                        key=key,
                        request_fingerprint=fingerprint,
                        status_code=status,
                        body=body,
                        created_at=now(),
                    )
                )
                uow.session.flush()
    except IntegrityError:
        if not key or actor is None:
            raise
        # The same key raced in from a retry on another connection: answer with its result.
        replay = _replay_if_stored(actor, key, fingerprint)
        if replay is None:
            raise
        return replay
    except Refused:
        # A retry that waited for its twin's locks (e.g. the window's) is refused by the change
        # the twin made ("window busy"); the client asked once, so it gets the twin's answer.
        replay = _replay_if_stored(actor, key, fingerprint) if key and actor else None
        if replay is None:
            raise
        return replay
    response = jsonify(body)
    response.status_code = status
    return response


def read(query: Callable[..., Any], *args: Any) -> Any:
    with database().reading() as db_session:
        return query(db_session, *args)
