"""With HALLQ_LOG_JSON=true every line `hallq serve` writes is one JSON object: its start-up
line, the libraries' errors (python-socketio's Redis, flask-limiter's storage) and tracebacks,
which are a field of their record, not lines of their own; and no record is written twice."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import requests

from tests.live.live_server import HALLQ, START_SECONDS, free_port, server_environment

NOTHING_LISTENS = "127.0.0.1:9"  # the discard port: every connection is refused at once


def test_every_line_is_json_even_when_redis_and_the_database_are_away(tmp_path: Path) -> None:
    port = free_port()
    environment = server_environment(
        f"postgres://postgres@{NOTHING_LISTENS}/hallq",
        port,
        LOG_JSON="true",
        SOCKETIO_MESSAGE_QUEUE=f"redis://{NOTHING_LISTENS}/0",
        RATELIMIT_STORAGE_URI=f"redis://{NOTHING_LISTENS}",
        RATELIMIT_LOGIN="10 per minute",
        BACKGROUND_LEASE_SECONDS="2",
    )
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        server = subprocess.Popen(
            [str(HALLQ), "serve", "--port", str(port), "--async-mode", "gevent"],
            env=environment,
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + START_SECONDS
            while True:
                try:
                    health = requests.get(f"{base}/healthz", timeout=5)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, stderr_path.read_text()
                    time.sleep(0.1)
            assert health.json()["database"] == "unreachable"
            # The limiter's storage is away: flask-limiter logs "Failed to rate limit".
            requests.post(
                f"{base}/api/v1/auth/login",
                json={"staff_number": "A1", "password": "x"},
                timeout=10,
            )
            # The first Socket.IO request starts the listener on the message queue, which fails.
            requests.get(f"{base}/socket.io/?EIO=4&transport=polling", timeout=10)
            time.sleep(3)  # the Socket.IO Redis listener fails and retries; jobs fail again
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)

    lines = [line for line in stderr_path.read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
    messages = [record["message"] for record in records]
    assert any(message.startswith("HallQ serving on http://127.0.0.1:") for message in messages)
    limiter = [record for record in records if record["logger"] == "flask-limiter"]
    assert limiter and "exc_info" in limiter[0] and "Traceback" in limiter[0]["exc_info"]
    assert any(
        record["logger"].startswith("socketio") and "redis" in record["message"].lower()
        for record in records
    ), messages
    assert any("step failed" in message for message in messages)
    repeated = [line for line, times in Counter(lines).items() if times > 1]
    assert repeated == []
