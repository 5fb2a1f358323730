"""Runs deploy/nginx/hallq.conf for a test: the same file, with the test's upstream ports,
listening ports, certificate and include path put in. Nothing else is changed, so the test
checks the configuration an operator installs."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.live.live_server import ROOT, free_port

NGINX_DIR = ROOT / "deploy" / "nginx"
INSTALLED_LOCATIONS = "/etc/nginx/snippets/hallq-locations.conf"
INSTALLED_CERTIFICATE = "/etc/hallq/tls/fullchain.pem"
INSTALLED_KEY = "/etc/hallq/tls/privkey.pem"
_UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+ (.*);$")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that the test's clients trust explicitly."""
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def render_site(backend_ports: list[int], http_port: int, https_port: int, directory: Path) -> Path:
    """deploy/nginx/hallq.conf with this test's ports and paths; returns the site file."""
    certificate, key = self_signed_certificate(directory)
    locations = directory / "hallq-locations.conf"
    shutil.copy(NGINX_DIR / "hallq-locations.conf", locations)
    site = (NGINX_DIR / "hallq.conf").read_text(encoding="utf-8")

    site = _with_backends(site, backend_ports)
    site = site.replace("listen [::]:80;\n", "").replace("listen [::]:443 ssl http2;\n", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace(INSTALLED_CERTIFICATE, str(certificate)).replace(INSTALLED_KEY, str(key))
    site = site.replace(INSTALLED_LOCATIONS, str(locations))
    path = directory / "hallq.conf"
    path.write_text(site, encoding="utf-8")
    return path


def _with_backends(site: str, ports: list[int]) -> str:
    """Each upstream's run of `server 127.0.0.1:800N ...;` lines becomes one line per port."""
    lines: list[str] = []
    in_run = False
    for line in site.splitlines():
        server = _UPSTREAM_SERVER.match(line)
        if server is None:
            in_run = False
            lines.append(line)
            continue
        if not in_run:
            indent, options = server.groups()
            lines.extend(f"{indent}server 127.0.0.1:{port} {options};" for port in ports)
        in_run = True
    return "\n".join(lines) + "\n"


def main_config(site: Path, directory: Path) -> Path:
    """A minimal nginx.conf around the site file, with every path inside `directory`."""
    temp = directory / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    text = f"""{user}worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} info;
events {{ worker_connections 4096; }}
http {{
    access_log {directory / "access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {site};
}}
"""
    path = directory / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def check_config(config: Path) -> subprocess.CompletedProcess[str]:
    binary = nginx_binary()
    assert binary is not None
    return subprocess.run(
        [binary, "-t", "-c", str(config), "-e", str(config.parent / "error.log")],
        capture_output=True,
        text=True,
    )


@dataclass
class RunningNginx:
    http_port: int
    https_port: int
    certificate: Path
    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def session(self) -> requests.Session:
        session = requests.Session()
        # Only the test's certificate: REQUESTS_CA_BUNDLE in the environment would win otherwise.
        session.trust_env = False
        session.verify = str(self.certificate)
        return session

    def access_log(self) -> str:
        return (self.directory / "access.log").read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_nginx(backend_ports: list[int], directory: Path) -> Iterator[RunningNginx]:
    directory.mkdir(parents=True, exist_ok=True)
    http_port, https_port = free_port(), free_port()
    site = render_site(backend_ports, http_port, https_port, directory)
    config = main_config(site, directory)
    checked = check_config(config)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
    binary = nginx_binary()
    assert binary is not None
    process = subprocess.Popen(
        [binary, "-c", str(config), "-e", str(directory / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = RunningNginx(http_port, https_port, directory / "fullchain.pem", directory, process)
    try:
        _wait_until_serving(nginx)
        yield nginx
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(nginx: RunningNginx) -> None:
    deadline = time.monotonic() + 30
    session = nginx.session()
    while time.monotonic() < deadline:
        if nginx.process.poll() is not None:
            log = (nginx.directory / "error.log").read_text(errors="replace")
            raise RuntimeError(f"nginx exited:\n{log}")
        try:
            if session.get(f"{nginx.url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("nginx did not pass /healthz through")
