"""The one exception the core raises when a rule forbids what was asked."""

from __future__ import annotations


class Refused(Exception):
    """A request that the queue's rules forbid; nothing was changed.

    `code` is stable and machine-readable (clients translate it); `message` is for logs and
    developers; `field` names the offending input where there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"Refused({self.code!r}, {self.message!r})"
