"""How HallQ and an online platform sign what they send each other, in both directions.

HMAC-SHA256, keyed with the platform's shared secret, over the string to sign:

    <timestamp> "\\n" <nonce> "\\n" <METHOD> "\\n" <path[?query]> "\\n" <raw body>

so a signature holds for one request only: its time, a value unique to the attempt, what it
does, to which resource, with which body. docs/online_platform.md ("Signing") is the
reference, with a worked example that tests/prereview/test_platform_docs.py recomputes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from urllib.parse import unquote, urlsplit

PLATFORM_HEADER = "X-HallQ-Platform"
TIMESTAMP_HEADER = "X-HallQ-Timestamp"
NONCE_HEADER = "X-HallQ-Nonce"
SIGNATURE_HEADER = "X-HallQ-Signature"
SIGNED_HEADERS = (PLATFORM_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

# Only the target can hold arbitrary text (an id in the path), so it alone may not contain a
# line break: otherwise the same string to sign could be cut into target and body two ways.
TIMESTAMP_FORM = re.compile(r"[0-9]{1,10}")  # up to the year 2286
NONCE_FORM = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SIGNATURE_FORM = re.compile(r"sha256=([0-9a-fA-F]{64})", re.IGNORECASE)


def request_target(path: str, query: str = "") -> str:
    """The signed path: percent-decoded, and the query as sent after a "?" if there is one."""
    return f"{path}?{query}" if query else path


def webhook_target(url: str) -> str:
    """The target HallQ signs when it posts to a platform's webhook URL."""
    parts = urlsplit(url)
    return request_target(unquote(parts.path) or "/", parts.query)


def string_to_sign(timestamp: str, nonce: str, method: str, target: str, body: bytes) -> bytes:
    head = "\n".join((timestamp, nonce, method.upper(), target)) + "\n"
    return head.encode() + body


def sign_request(
    secret: str, timestamp: str, nonce: str, method: str, target: str, body: bytes
) -> str:
    """The signature, lower-case hex (what follows `sha256=` in the signature header)."""
    message = string_to_sign(timestamp, nonce, method, target, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def signed_headers(
    platform_code: str,
    secret: str,
    method: str,
    target: str,
    body: bytes,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, str]:
    """Every header a signed request carries; a fresh nonce unless one is given."""
    timestamp = str(int(now.timestamp()))
    nonce = nonce or new_nonce()
    signature = sign_request(secret, timestamp, nonce, method, target, body)
    return {
        PLATFORM_HEADER: platform_code,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: f"sha256={signature}",
    }


def signature_digest(header_value: str) -> str | None:
    """The hex digest of a signature header, lower case; None if it is not `sha256=<hex>`.

    Hex is case-insensitive, so upper-case digits (and `SHA256=`) are accepted.
    """
    found = _SIGNATURE_FORM.fullmatch(header_value.strip())
    return found.group(1).lower() if found else None


def signature_matches(expected: str, header_value: str) -> bool:
    """Does a signature header carry `expected` (sign_request's digest)? In constant time."""
    given = signature_digest(header_value)
    return given is not None and hmac.compare_digest(given, expected)
