"""Several `hallq serve` processes started the way deploy/ describes: the command line of the
systemd unit and the settings of the example env file, with only the addresses and secrets
replaced. Plain code (no pytest), so bench/city_peak.py starts its servers the same way."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from tests.live.live_server import ROOT, LiveServer, server_environment

DEPLOY = ROOT / "deploy"
ENV_FILE = DEPLOY / "hallq.env.example"
UNIT_FILE = DEPLOY / "systemd" / "hallq@.service"
INSTALLED_HALLQ = "/opt/hallq/.venv/bin/hallq"
REDIS_URL = os.environ.get("HALLQ_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
# The example file's values that a test must replace: addresses, secrets and the channel.
REPLACED = {"DATABASE_URL", "SECRET_KEY", "IDENTITY_SECRET", "PUBLIC_BASE_URL"}


def env_file_settings(path: Path = ENV_FILE) -> dict[str, str]:
    """HALLQ_ settings of an env file (KEY=VALUE lines, # comments), without the prefix."""
    settings: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]  # as systemd's EnvironmentFile= (and sh) read a quoted value
        if name.startswith("HALLQ_"):
            settings[name.removeprefix("HALLQ_")] = value
    return settings


def unit_command(port: int, path: Path = UNIT_FILE) -> list[str]:
    """The unit's ExecStart with this checkout's hallq and the instance name (%i) as port."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            command = shlex.split(line.removeprefix("ExecStart="))
            command[0] = command[0].replace(INSTALLED_HALLQ, str(ROOT / ".venv" / "bin" / "hallq"))
            return [part.replace("%i", str(port)) for part in command]
    raise ValueError(f"{path} has no ExecStart")


def deployment_settings(redis_url: str = REDIS_URL, **overrides: str) -> dict[str, str]:
    """The example env file's settings for a test: Redis of the test's own, a channel of its own
    (pub/sub channels are shared by every database number of a Redis)."""
    settings = {name: value for name, value in env_file_settings().items() if name not in REPLACED}
    settings.update(
        SOCKETIO_MESSAGE_QUEUE=redis_url,
        SOCKETIO_CHANNEL=f"hallq-test-{uuid.uuid4().hex[:10]}",
        RATELIMIT_STORAGE_URI=redis_url,
        # The tests reach the processes directly as well as through nginx.
        PROXY_FIX_X_FOR="1",
        RATELIMIT_ISSUE="1000000 per minute",
        RATELIMIT_LOGIN="1000000 per minute",
        RATELIMIT_LOGIN_ADDRESS="1000000 per minute",
    )
    settings.update(overrides)
    return settings


@dataclass
class ClusterServer(LiveServer):
    """A LiveServer started with the systemd unit's command line and the env file's settings."""

    name: str = ""
    killed: bool = False
    extra_environment: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.killed = False
        environment = server_environment(self.database_url, self.port, **self.settings)
        environment.update(self.extra_environment)
        with (
            self.stderr_path.open("ab") as stderr,
            (self.log_dir / f"server-{self.port}.stdout.log").open("ab") as stdout,
        ):
            self.process = subprocess.Popen(
                unit_command(self.port),
                cwd=ROOT,
                env=environment,
                stdout=stdout,
                stderr=stderr,
            )
        self._wait_until_healthy()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or a process dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None
        self.killed = True

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines the process wrote (HALLQ_LOG_JSON=true in the env file)."""
        records = []
        for line in self.stderr_text().splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def connected_sids(self) -> set[str]:
        return {
            str(record["sid"])
            for record in self.log_records()
            if record.get("message") == "client connected" and "sid" in record
        }


def flush_own_redis(redis_url: str = REDIS_URL) -> None:
    """Empties only the test's own Redis database (never the whole server)."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def redis_problem(redis_url: str = REDIS_URL) -> str | None:
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        client.ping()
        return None
    except redis.RedisError as error:
        return str(error)
    finally:
        client.close()


@contextmanager
def running_cluster(
    database_url: str, log_dir: Path, count: int = 2, async_mode: str = "gevent", **settings: str
) -> Iterator[list[ClusterServer]]:
    """`count` processes on one (already migrated) database, stopped with SIGTERM afterwards."""
    servers: list[ClusterServer] = []
    try:
        for index in range(count):
            server = ClusterServer(
                database_url,
                async_mode,
                log_dir,
                settings={"ASYNC_MODE": async_mode, **settings},
                name="AB"[index] if count <= 2 else f"P{index + 1}",
            )
            server.start()
            servers.append(server)
        yield servers
    finally:
        for server in servers:
            server.stop()


def wait_until(condition: Any, what: str, seconds: float = 20.0, every: float = 0.05) -> Any:
    """Poll `condition()` until truthy; fail naming `what` after `seconds` (not a speed limit:
    the bound only keeps a broken run from hanging)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(every)
