"""The demo platform's webhook: a small receiver inside the demo process, so that a new user sees
the platform outbox deliver (docs/online_platform.md) without running a platform of their own.

`hallq demo` points the demo platform's webhook here (demo_bookings.use_webhook_receiver). The
outbox job posts each result to it, signed, as it would post to a real platform; the receiver
answers 200, which acknowledges the message, and keeps the last messages it got with the
X-HallQ- headers they came with and whether their signature checks out with the demo platform's
secret (as a real platform must check it: docs/online_platform.md): GET on the same address
lists them, newest first, and the server log records each one.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from typing import Any

from flask import Flask, jsonify, request

from hall_server.core.platform_signature import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    request_target,
    sign_request,
    signature_matches,
)

log = logging.getLogger(__name__)
RECEIVER_PATH = "/demo/platform-webhook"
KEPT_MESSAGES = 100


def signed_by(secret: str) -> bool:
    """Does the request in hand carry the signature `secret` gives it (the platform's check)?"""
    expected = sign_request(
        secret,
        request.headers.get(TIMESTAMP_HEADER, ""),
        request.headers.get(NONCE_HEADER, ""),
        request.method,
        request_target(request.path, request.query_string.decode()),
        request.get_data(),
    )
    return signature_matches(expected, request.headers.get(SIGNATURE_HEADER, ""))


def add_webhook_receiver(app: Flask, secret: str) -> None:
    """POST: take a message from the outbox; GET: what was taken so far (this run only)."""
    clock = app.extensions["hallq_clock"]
    received: deque[dict[str, Any]] = deque(maxlen=KEPT_MESSAGES)

    def receive() -> Any:
        message = request.get_json(force=True, silent=True)
        if not isinstance(message, dict):
            return jsonify(error="not_a_message"), 400
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower().startswith("x-hallq-")
        }
        received.appendleft(
            {
                "received_at": clock().isoformat(),
                "signature_ok": signed_by(secret),
                "headers": headers,
                "message": message,
            }
        )
        log.info(
            "demo platform webhook received %s: %s",
            message.get("kind"),
            json.dumps(message.get("data"), ensure_ascii=False, sort_keys=True),
            extra={"event": "demo.webhook_received"},
        )
        return jsonify(received=True)

    def listing() -> Any:
        return jsonify(received=list(received))

    app.add_url_rule(RECEIVER_PATH, "demo_webhook_receive", receive, methods=["POST"])
    app.add_url_rule(RECEIVER_PATH, "demo_webhook_list", listing, methods=["GET"])
