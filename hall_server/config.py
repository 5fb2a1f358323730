"""Settings: defaults, then an instance file, then HALLQ_ environment variables."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,  # signs session cookies; required outside the demo and tests
    "IDENTITY_SECRET": None,  # keys the hashes of ID and phone numbers; required likewise
    # Where phones reach the ticket status page: printed in every ticket's QR code. `hallq
    # serve` refuses to start without it; elsewhere (tests, commands) it falls back to
    # LOCAL_BASE_URL.
    "PUBLIC_BASE_URL": None,
    # The serving entry point sets gevent or eventlet (and patches first); everything else, such
    # as `hallq import-services`, must not import either.
    "ASYNC_MODE": "threading",
    "SOCKETIO_MESSAGE_QUEUE": None,  # e.g. redis://127.0.0.1:6379/0 for several processes
    # Redis pub/sub channels ignore the database number: deployments sharing one Redis need
    # different channels (docs/deploy.md).
    "SOCKETIO_CHANNEL": "hallq",
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://... when several processes serve
    # A Redis restart must not stop tickets being issued: limits pause, requests go on.
    "RATELIMIT_SWALLOW_ERRORS": True,
    # Proxies (nginx) in front that set X-Forwarded-For/-Proto; 0 when clients connect directly.
    "PROXY_FIX_X_FOR": 0,
    # Periodic jobs under a database lease, run once across processes (hall_server/background).
    "BACKGROUND_WORK": True,
    "BACKGROUND_LEASE_SECONDS": 30,
    "ROLLOVER_EVERY_SECONDS": 60,
    "HOUSEKEEPING_EVERY_SECONDS": 3600,
    # Managers' alerts raised and cleared as time passes (hall_server/operations/alerts.py).
    "ALERTS_EVERY_SECONDS": 20,
    # Issuing places a walk-in by the hall's kept wait forecast (plus the tickets issued since)
    # and remakes that forecast after the commit only once it is this old; reads (phones,
    # boards) always see the current state (hall_server/operations/wait_predictions.py).
    "FORECAST_REFRESH_SECONDS": 30.0,
    "OUTBOX_EVERY_SECONDS": 10,  # how often results are posted to online platforms
    # Acknowledged outbox messages are kept this long, then housekeeping deletes them.
    "OUTBOX_DELIVERED_KEEP_DAYS": 30,
    "IDEMPOTENCY_KEEP_HOURS": 48,
    "BACKGROUND_RUNS_KEEP_DAYS": 7,
    "RATELIMIT_ISSUE": "30 per minute",  # per kiosk or client address
    # Tickets taken on phones, per client address: well below a hall's cap of remote tickets
    # waiting (20 by default), so one address cannot fill it; a hall's Wi-Fi puts many phones
    # behind one address (docs/remote_tickets.md).
    "RATELIMIT_REMOTE_ISSUE": "5 per minute;30 per hour",
    # Reads of a hall's phone page and its offer, per client address: each may make a forecast.
    "RATELIMIT_REMOTE_READ": "60 per minute",
    # Logins per staff number (guessing one account's password), and per client address: a
    # hall's counter PCs often reach the server through one address, and all clerks log in
    # within the same few minutes before opening.
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_LOGIN_ADDRESS": "100 per minute",
    "TOKEN_HOURS": 12,
    "CREATE_TABLES": False,  # only tests and the demo; production runs `hallq db upgrade`
    "BABEL_DEFAULT_LOCALE": "zh",
    "LANGUAGES": ["zh", "en"],
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "LOG_JSON": True,
    # What live snapshots give as the pages' version; empty: a hash of the page files. Any new
    # value makes every open board, display, kiosk and rating pad reload once it reconnects.
    "PAGES_VERSION": "",
}

REQUIRED_SECRETS = ("SECRET_KEY", "IDENTITY_SECRET")
LOCAL_BASE_URL = "http://127.0.0.1:5000"
# Long enough that a session cookie's signature cannot be guessed; what
# `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'` prints is 64 characters.
MIN_SECRET_LENGTH = 32
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "secret", "example")
# `hallq serve` exits with this status when its settings are wrong (EX_CONFIG of sysexits.h):
# the systemd unit does not restart it then (RestartPreventExitStatus), a person must act.
CONFIGURATION_EXIT_STATUS = 78


class ConfigurationError(RuntimeError):
    pass


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """HALLQ_<NAME> for every setting; DATABASE_URL is also read plainly, as platforms set it."""
    found: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        found["DATABASE_URL"] = environ["DATABASE_URL"]
    for name, default in DEFAULTS.items():
        raw = environ.get(f"HALLQ_{name}")
        if raw is not None:
            found[name] = _coerce(raw, default)
    return found


SECRET_HINT = "make each with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
PUBLIC_BASE_URL_HINT = "such as https://queue.<your city>.gov.cn, with no path"
DATABASE_URL_HINT = (
    "such as postgresql://hallq:<password>@127.0.0.1:5432/hallq"
    " or sqlite:////var/lib/hallq/hallq.sqlite"
)


def check_required(config: dict[str, Any]) -> None:
    """What every command needs: the secrets, a usable database URL (made the form SQLAlchemy
    takes, so postgres:// as hosting providers give it works) and, if set, a public address
    phones can open."""
    from hall_server.storage.database import UnusableDatabaseUrl, normalise_database_url

    missing = [f"HALLQ_{name}" for name in REQUIRED_SECRETS if not config.get(name)]
    if not config.get("DATABASE_URL"):
        missing.append("HALLQ_DATABASE_URL (or DATABASE_URL)")
    if missing:
        raise ConfigurationError(
            "missing settings: "
            + ", ".join(missing)
            + ". Set them in the environment or in instance/hallq.cfg;"
            " `make demo` sets demo values."
        )
    try:
        config["DATABASE_URL"] = normalise_database_url(str(config["DATABASE_URL"]))
    except UnusableDatabaseUrl as error:
        raise ConfigurationError(
            f"HALLQ_DATABASE_URL (or DATABASE_URL) cannot be used: {error} ({DATABASE_URL_HINT})"
        ) from None
    if config.get("PUBLIC_BASE_URL"):
        problem = public_base_url_problem(str(config["PUBLIC_BASE_URL"]))
        if problem:
            raise ConfigurationError(f"{problem} ({PUBLIC_BASE_URL_HINT})")


def public_base_url_problem(value: str) -> str | None:
    """Why `value` cannot be the address printed in tickets' QR codes, or None.

    The pages and the ticket status links are served from the root of the host (/t/…,
    /manager/…), and HallQ cannot serve under a path prefix, so the address is only a scheme
    and a host (and port)."""
    name = "HALLQ_PUBLIC_BASE_URL"
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - reading it checks the port is a number
    except ValueError:
        return f"{name} {value!r} is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} {value!r} is not an absolute http:// or https:// address with a host"
    if any(character.isspace() for character in value.strip()):
        return f"{name} {value!r} has spaces in it"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return (
            f"{name} {value!r} has a path (or a query); HallQ serves only at the root of its"
            " address"
        )
    return None


def check_fit_to_serve(config: dict[str, Any]) -> None:
    """What `hallq serve` needs beyond what every command needs: real secrets, not the example
    file's placeholders, two different ones, and the address phones use, which every ticket's QR
    code carries. Each problem comes with its own hint, all in one line."""
    problems = []
    for name in REQUIRED_SECRETS:
        value = str(config.get(name) or "")
        if any(placeholder in value.lower() for placeholder in PLACEHOLDERS):
            problems.append(f"HALLQ_{name} is still a placeholder")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"HALLQ_{name} is shorter than {MIN_SECRET_LENGTH} characters")
    secrets = [str(config.get(name) or "") for name in REQUIRED_SECRETS]
    if not problems and secrets[0] == secrets[1]:
        problems.append("HALLQ_SECRET_KEY and HALLQ_IDENTITY_SECRET are the same; use two secrets")
    if problems:
        problems[-1] += f" ({SECRET_HINT})"
    public_base_url = str(config.get("PUBLIC_BASE_URL") or "")
    if not public_base_url:
        problems.append(
            "HALLQ_PUBLIC_BASE_URL is not set (the address phones open from the ticket's QR code,"
            f" {PUBLIC_BASE_URL_HINT})"
        )
    elif "example." in public_base_url:
        problems.append(
            f"HALLQ_PUBLIC_BASE_URL is still the example file's address ({PUBLIC_BASE_URL_HINT})"
        )
    if problems:
        raise ConfigurationError("; ".join(problems))
