"""tests/live's HallListener, reaching the servers through nginx (TLS, route cookie) with the
transports a browser may fall back to."""

from __future__ import annotations

from typing import Any

import requests

from tests.live.hall_listener import HallListener


class RoutedListener(HallListener):
    def __init__(
        self,
        url: str,
        auth: dict[str, Any],
        http_session: requests.Session,
        transports: tuple[str, ...] = ("websocket",),
    ) -> None:
        super().__init__(url, auth)
        # The session carries nginx's route cookie between polling requests and trusts the
        # test's certificate, for polling and WebSocket alike.
        # (Set as python-engineio's http_session would be, so a reconnect keeps it.)
        self.client.eio.http = http_session
        self.client.eio.external_http = True
        self.transports = list(transports)

    def connect(self) -> RoutedListener:
        self.client.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=20)
        return self

    @property
    def sid(self) -> str:
        return str(self.client.get_sid())
