"""How personal data is shown and kept: names masked, identity numbers only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小明 -> 张*明, Alice -> A***e: enough for a clerk, useless to a passer-by."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def holder_hash(secret: str, kind: str, value: str) -> str:
    """A keyed hash of an ID or phone number, to recognise a person without storing the number."""
    normalized = "".join(value.split()).upper()
    message = f"{kind}:{normalized}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
