"""The counter's conversation with the server over HTTP, for the terminal client.

Every call answers the server's JSON or raises `CounterRefused` with the server's error code and
message, so the terminal can show exactly why nothing happened.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

TIMEOUT_SECONDS = 10


class CounterRefused(Exception):
    """The server said no (or could not be reached); nothing changed."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def new_idempotency_key() -> str:
    return f"terminal-{uuid.uuid4()}"


class CounterApi:
    def __init__(
        self, server: str, session: requests.Session | None = None, language: str = "zh"
    ) -> None:
        self.server = server.rstrip("/")
        self.language = language  # the server's messages come in the clerk's language
        self.http = session or requests.Session()
        self.token: str | None = None
        self.user: dict[str, Any] = {}

    def _request(
        self,
        method: str,
        path: str,
        json: Any = None,
        idempotent: bool = False,
        idempotency_key: str | None = None,
    ) -> Any:
        """`idempotency_key`: the caller's own, to send again when it retries after a lost
        answer; `idempotent` alone makes a fresh one for this call."""
        headers = {"Accept": "application/json", "Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key or idempotent:
            # A retried call or finish must not act twice.
            headers["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        try:
            response = self.http.request(
                method,
                f"{self.server}/api/v1{path}",
                json=json,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as failure:
            raise CounterRefused("network", str(failure)) from None
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if response.ok:
            return body
        error = (body or {}).get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            error = {"code": "error", "message": f"HTTP {response.status_code}"}
        raise CounterRefused(
            str(error.get("code")), str(error.get("message")), response.status_code
        )

    # ----- the clerk and the window -----

    def log_in(self, staff_number: str, password: str) -> dict[str, Any]:
        answer = self._request(
            "POST", "/auth/login", {"staff_number": staff_number, "password": password}
        )
        self.token = answer["token"]
        self.user = answer["user"]
        return answer  # type: ignore[no-any-return]

    def log_out(self) -> None:
        if self.token:
            self._request("POST", "/auth/logout")
            self.token = None

    def windows(self) -> list[dict[str, Any]]:
        return self._request("GET", f"/halls/{self.user['hall_id']}/windows")  # type: ignore[no-any-return]

    def halls(self) -> list[dict[str, Any]]:
        """The halls this login may see, each with its time zone."""
        return self._request("GET", "/halls")  # type: ignore[no-any-return]

    def services(self) -> list[dict[str, Any]]:
        return self._request("GET", f"/halls/{self.user['hall_id']}/services")  # type: ignore[no-any-return]

    def take_window(self, window_id: int) -> dict[str, Any]:
        return self._request("POST", f"/windows/{window_id}/take")  # type: ignore[no-any-return]

    def release_window(self, window_id: int) -> dict[str, Any]:
        return self._request("POST", f"/windows/{window_id}/release")  # type: ignore[no-any-return]

    def change_window(
        self,
        window_id: int,
        change: str,
        reason: str | None = None,
        pause_minutes: int | None = None,
    ) -> Any:
        """Open, pause, resume or close; a pause may say how long it is meant to last (None: a
        break at its rota time lasts the rota's minutes)."""
        body: dict[str, Any] = {"change": change}
        if reason:
            body["reason"] = reason
        if pause_minutes is not None:
            body["pause_minutes"] = pause_minutes
        return self._request("POST", f"/windows/{window_id}/state", body)

    # ----- reads -----

    def desk(self, window_id: int) -> dict[str, Any]:
        return self._request("GET", f"/windows/{window_id}/desk")  # type: ignore[no-any-return]

    def queue(self, window_id: int) -> dict[str, Any]:
        return self._request("GET", f"/windows/{window_id}/queue")  # type: ignore[no-any-return]

    def figures(self) -> dict[str, Any]:
        return self._request("GET", "/me/figures")  # type: ignore[no-any-return]

    # ----- tickets -----

    def call_next(self, window_id: int) -> dict[str, Any]:
        return self._request("POST", f"/windows/{window_id}/call-next", idempotent=True)  # type: ignore[no-any-return]

    def call_number(self, window_id: int, number: str) -> dict[str, Any]:
        return self._request(  # type: ignore[no-any-return]
            "POST", f"/windows/{window_id}/call-number", {"number": number}, idempotent=True
        )

    def act(
        self, window_id: int, ticket_id: int, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """recall, start, finish, no-show, transfer, park or resume one ticket at this window."""
        return self._request(  # type: ignore[no-any-return]
            "POST", f"/windows/{window_id}/tickets/{ticket_id}/{action}", body, idempotent=True
        )

    def call_ticket(
        self, window_id: int, ticket_id: int, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Call one particular waiting ticket, e.g. the one just checked in at this window."""
        return self._request(  # type: ignore[no-any-return]
            "POST",
            f"/windows/{window_id}/call",
            {"ticket_id": ticket_id},
            idempotent=True,
            idempotency_key=idempotency_key,
        )

    # ----- a booked or pre-reviewed visitor checked in at the window -----

    def check_in_preview(
        self, code: str | None = None, id_number: str | None = None
    ) -> dict[str, Any]:
        """What the booking or pre-review code, or the ID number, gives: service and class."""
        body = {"code": code} if code else {"id_number": id_number}
        return self._request(  # type: ignore[no-any-return]
            "POST", f"/halls/{self.user['hall_id']}/check-in-preview", body
        )

    def check_in(
        self, preview: dict[str, Any], brought: str, idempotency_key: str
    ) -> dict[str, Any]:
        """Issue the ticket `preview` describes for what the visitor `brought`, as the kiosk
        would; a retry with the same key gets the same ticket back, never a second one."""
        body = {"service_id": preview["service"]["id"], preview["booking"]["issue_field"]: brought}
        return self._request(  # type: ignore[no-any-return]
            "POST",
            f"/halls/{self.user['hall_id']}/tickets",
            body,
            idempotency_key=idempotency_key,
        )
