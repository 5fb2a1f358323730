"""The example files in deploy/ agree with the code and with each other."""

from __future__ import annotations

import os
import re

from hall_server.config import CONFIGURATION_EXIT_STATUS, DEFAULTS, from_environment
from tests.live.live_server import serve_until_it_stops
from tests.multiprocess.cluster import DEPLOY, ENV_FILE, env_file_settings, unit_command


def test_every_setting_in_the_env_file_is_one_hallq_reads() -> None:
    settings = env_file_settings()

    assert set(settings) - set(DEFAULTS) == set()
    read = from_environment({f"HALLQ_{name}": value for name, value in settings.items()})
    assert read["BACKGROUND_LEASE_SECONDS"] == 30
    assert read["PROXY_FIX_X_FOR"] == 1
    assert read["SOCKETIO_MESSAGE_QUEUE"].startswith("redis://")
    assert read["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_the_env_file_leaves_no_real_secret_in_the_repository() -> None:
    settings = env_file_settings()

    assert settings["SECRET_KEY"] == settings["IDENTITY_SECRET"] == "CHANGE-ME"
    assert "CHANGE-ME" in settings["DATABASE_URL"]
    assert ENV_FILE.name.endswith(".example")


def test_the_unit_serves_on_its_instance_port() -> None:
    assert unit_command(8003)[1:] == ["serve", "--host", "127.0.0.1", "--port", "8003"]


def test_nginx_and_systemd_name_the_same_ports() -> None:
    target = (DEPLOY / "systemd" / "hallq.target").read_text(encoding="utf-8")
    site = (DEPLOY / "nginx" / "hallq.conf").read_text(encoding="utf-8")
    units = re.findall(r"hallq@(\d+)\.service", target)
    upstreams = re.findall(r"upstream (\w+) \{(.*?)\}", site, flags=re.S)

    assert [name for name, _ in upstreams] == ["hallq_api", "hallq_live"]
    for _, body in upstreams:
        assert re.findall(r"server 127\.0\.0\.1:(\d+)", body) == units


def test_serving_with_the_example_file_unchanged_stops_at_once_and_is_not_restarted() -> None:
    """An operator who forgot to edit the file is told what to change in one line, and
    systemd does not restart the process in a loop (RestartPreventExitStatus)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("HALLQ_") and name != "DATABASE_URL"
    }
    environment.update({f"HALLQ_{name}": value for name, value in env_file_settings().items()})
    started = serve_until_it_stops(environment, 8998)
    unit = (DEPLOY / "systemd" / "hallq@.service").read_text(encoding="utf-8")

    assert started.returncode == CONFIGURATION_EXIT_STATUS
    assert f"RestartPreventExitStatus={CONFIGURATION_EXIT_STATUS}" in unit.splitlines()
    for said in (
        "HALLQ_SECRET_KEY is still a placeholder",
        "HALLQ_IDENTITY_SECRET is still a placeholder",
        "HALLQ_PUBLIC_BASE_URL is still the example file's address",
    ):
        assert said in started.stderr
    assert len(started.stderr.strip().splitlines()) == 1, started.stderr
