"""A real python-socketio client that follows a hall the way live_client.js does: snapshot
first, events applied in `seq` order, a gap answered by `resync`."""

from __future__ import annotations

import json
import threading
from typing import Any

import engineio
import socketio

from tests.live.live_server import wait_for


class _InOrderEngineIOClient(engineio.Client):  # type: ignore[misc]
    """python-engineio hands every message to a thread of its own, and two threads may overtake
    each other; a board handles messages in the order they arrive, so this client does too."""

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):  # type: ignore[misc]
    def _engineio_client_class(self) -> type[engineio.Client]:
        return _InOrderEngineIOClient


class HallListener:
    """Records every message and keeps the hall's `seq` as a board would.

    `lose_seqs` simulates messages lost on the way: those events are dropped on arrival, as if
    the network had eaten them, so the protocol's gap detection can be watched working.
    """

    def __init__(self, url: str, auth: dict[str, Any], lose_seqs: set[int] | None = None) -> None:
        self.url = url
        self.auth = auth
        self.lose_seqs = set(lose_seqs or ())
        self.lock = threading.Lock()
        self.received: list[tuple[str, Any]] = []  # every message, in arrival order
        self.snapshots: list[dict[str, Any]] = []
        self.applied: list[tuple[str, dict[str, Any]]] = []  # events in the order applied
        self.gaps: list[tuple[int, int]] = []  # (seq expected, seq seen)
        self.seq: int | None = None
        self.resyncing = False
        self.buffer: list[tuple[str, dict[str, Any]]] = []
        self.connects = 0
        self.disconnects = 0
        self.client = InOrderClient(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            randomization_factor=0.2,
        )
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("*", self._on_message)

    # ----- connection -----

    def connect(self) -> HallListener:
        self.client.connect(self.url, auth=self.auth, transports=["websocket"], wait_timeout=20)
        return self

    def disconnect(self) -> None:
        self.client.disconnect()

    def __enter__(self) -> HallListener:
        return self.connect()

    def __exit__(self, *_exc: object) -> None:
        self.disconnect()

    def _on_connect(self) -> None:
        with self.lock:
            self.connects += 1

    def _on_disconnect(self, *_reason: Any) -> None:
        with self.lock:
            self.disconnects += 1
            self.seq = None  # whatever we miss now, the next snapshot brings
            self.resyncing = False

    # ----- the protocol -----

    def _on_message(self, name: str, message: Any = None) -> None:
        with self.lock:
            self.received.append((name, message))
            if name == "snapshot":
                self._apply_snapshot(message)
            elif isinstance(message, dict) and isinstance(message.get("seq"), int):
                if message["seq"] in self.lose_seqs:
                    self.lose_seqs.discard(message["seq"])
                    return
                self._receive(name, message)

    def _apply_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshots.append(snapshot)
        self.seq = snapshot["seq"]
        self.resyncing = False
        pending, self.buffer = self.buffer, []
        for name, message in pending:
            self._receive(name, message, replaying=True)

    def _receive(self, name: str, message: dict[str, Any], replaying: bool = False) -> None:
        if self.seq is None or self.resyncing:
            self.buffer.append((name, message))
            return
        if message["seq"] <= self.seq:
            return  # already part of the snapshot we hold
        if message["seq"] > self.seq + 1 and not replaying:
            self.gaps.append((self.seq + 1, message["seq"]))
            self.resyncing = True
            self.buffer.append((name, message))
            # Emitting from a handler thread is what python-socketio clients do.
            self.client.emit("resync", {})
            return
        self.seq = message["seq"]
        self.applied.append((name, message))

    # ----- what tests read -----

    def names(self) -> list[str]:
        with self.lock:
            return [name for name, _ in self.received]

    def messages(self, name: str) -> list[Any]:
        with self.lock:
            return [message for found, message in self.received if found == name]

    def wait_for_snapshots(self, count: int = 1) -> dict[str, Any]:
        wait_for(lambda: len(self.snapshots) >= count, f"{count} snapshot(s)")
        with self.lock:
            return self.snapshots[count - 1]

    def wait_for_applied(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        wait_for(lambda: len(self.applied) >= count, f"{count} applied event(s)")
        with self.lock:
            return list(self.applied)

    def applied_tickets(self) -> list[tuple[str, dict[str, Any]]]:
        """The applied ticket events only: the server's background jobs (alerts, say) may
        announce other changes in between, which take their own `seq`."""
        with self.lock:
            return [(name, message) for name, message in self.applied if name.startswith("ticket.")]

    def wait_for_applied_tickets(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        wait_for(lambda: len(self.applied_tickets()) >= count, f"{count} applied ticket event(s)")
        return self.applied_tickets()

    def wait_for_message(self, name: str, count: int = 1) -> list[Any]:
        wait_for(lambda: len(self.messages(name)) >= count, f"{count} '{name}' message(s)")
        return self.messages(name)

    def wait_for_seq(self, seq: int) -> None:
        wait_for(lambda: self.seq is not None and self.seq >= seq, f"the hall's seq to reach {seq}")

    def text_received(self, *, except_names: tuple[str, ...] = ()) -> str:
        with self.lock:
            return json.dumps(
                [(name, message) for name, message in self.received if name not in except_names],
                ensure_ascii=False,
            )
