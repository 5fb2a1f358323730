"""Structured logs: one JSON object a line, naming the hall, window and ticket concerned."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("hall_id", "window_id", "ticket_id", "seq", "event")


# Libraries that give their loggers a bare stderr handler of their own unless a level is set
# first (python-socketio, python-engineio); at ERROR, as they would be by default.
LIBRARY_LOGGERS = ("socketio", "socketio.server", "socketio.client", "engineio", "engineio.server")
# Libraries log what is wrong (flask-limiter's "Failed to rate limit", a Redis that went away) at
# WARNING or above; their INFO lines (each request, each connection) would bury ours.
LIBRARY_LEVEL = logging.WARNING


class _OneHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure_logging installs, known by its type when it is installed again."""


# A library fault that repeats with every event or request while Redis is away is logged when
# it starts, as a reminder this often, and when it ends.
REPEATED_FAULT_REMINDER_SECONDS = 300.0
# While a fault lasts, whether it is over is asked at most this often (a PING, 0.5 s at most),
# on the next line logged.
REPEATED_FAULT_RECHECK_SECONDS = 5.0
THROTTLE_LOGGER = "hall_server.logging"


@dataclass(frozen=True)
class RepeatedFault:
    """Which library records are one fault: by logger name (or its parent's) and message."""

    what: str
    loggers: tuple[str, ...]
    message_prefixes: tuple[str, ...]

    def matches(self, record: logging.LogRecord) -> bool:
        if not any(
            record.name == name or record.name.startswith(f"{name}.") for name in self.loggers
        ):
            return False
        message = str(record.msg)
        return any(message.startswith(prefix) for prefix in self.message_prefixes)


REDIS_FAULTS = (
    # python-socketio's Redis manager: two ERROR lines for every event it cannot publish ...
    RepeatedFault("publishing live events to Redis", ("socketio",), ("Cannot publish to redis",)),
    # ... and one each time its listener retries (1, 2, 4 … 60 s apart).
    RepeatedFault(
        "receiving live events from Redis", ("socketio",), ("Cannot receive from redis",)
    ),
    # flask-limiter: a traceback for every rate-limited request it cannot count.
    RepeatedFault(
        "rate limiting through Redis (requests pass unlimited meanwhile)",
        ("flask-limiter",),
        ("Failed to rate limit", "Failed to deduct rate limit", "Failed to update rate limit"),
    ),
)


@dataclass
class _FaultState:
    since: float  # time.time()
    count: int = 1
    last_reminder: float = 0.0  # monotonic
    last_check: float = 0.0  # monotonic
    last_error: str = ""


@dataclass
class RepeatedFaultThrottle(logging.Filter):
    """On the handler: the first record of a fault passes (with its traceback), later ones
    are dropped but for a reminder every `reminder_seconds`, and once `works` says the fault is
    over (asked on a later record, at most every `recheck_seconds`) one line says so."""

    faults: tuple[RepeatedFault, ...]
    works: Callable[[RepeatedFault], bool]
    reminder_seconds: float = REPEATED_FAULT_REMINDER_SECONDS
    recheck_seconds: float = REPEATED_FAULT_RECHECK_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    active: dict[str, _FaultState] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        super().__init__()

    def __hash__(self) -> int:
        return id(self)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == THROTTLE_LOGGER:
            return True  # our own lines about the faults
        fault = next((fault for fault in self.faults if fault.matches(record)), None)
        with self.lock:
            if fault is None:
                self._check_the_active_ones()
                return True
            return self._repeated(fault, record)

    def _repeated(self, fault: RepeatedFault, record: logging.LogRecord) -> bool:
        error = _reason(record)
        state = self.active.get(fault.what)
        now = self.monotonic()
        if state is None:
            self.active[fault.what] = _FaultState(
                time.time(), last_reminder=now, last_check=now, last_error=error
            )
            # The first keeps its traceback, if it has one (one JSON line with HALLQ_LOG_JSON).
            _rewrite(
                record, f"{fault.what} is failing: {error} (repeats are not logged)", keep=True
            )
            return True
        state.count += 1
        state.last_error = error
        state.last_check = now  # it just failed: no need to ask
        if now - state.last_reminder < self.reminder_seconds:
            return False
        state.last_reminder = now
        _rewrite(
            record,
            f"{fault.what} still failing since {_when(state.since)} ({state.count} times): {error}",
        )
        return True

    def _check_the_active_ones(self) -> None:
        now = self.monotonic()
        for fault in self.faults:
            state = self.active.get(fault.what)
            if state is None or now - state.last_check < self.recheck_seconds:
                continue
            state.last_check = now
            try:
                over = self.works(fault)
            except Exception:
                over = False
            if over:
                del self.active[fault.what]
                logging.getLogger(THROTTLE_LOGGER).warning(
                    "%s works again after failing %d times since %s",
                    fault.what,
                    state.count,
                    _when(state.since),
                )


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(moment))


def _reason(record: logging.LogRecord) -> str:
    """The fault's cause on one line: the exception's own, or what the library put with it."""
    error = record.exc_info[1] if record.exc_info else None
    text = str(error) if error is not None else str(getattr(record, "redis_exception", ""))
    lines = text.strip().splitlines()
    name = f"{type(error).__name__}: " if error is not None else ""
    return f"{name}{lines[0] if lines else record.getMessage()}"


def _rewrite(record: logging.LogRecord, message: str, keep: bool = False) -> None:
    record.msg, record.args = message, None
    if not keep:
        record.exc_info, record.exc_text, record.stack_info = None, None, None


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def throttle_redis_faults(message_queue_url: str | None, rate_limit_url: str | None) -> None:
    """Install the throttle for the Redis faults on the handler configure_logging installed;
    whether a fault is over is a PING to the Redis concerned."""
    message_queue, receiving, rate_limits = REDIS_FAULTS
    urls = {
        message_queue.what: message_queue_url,
        receiving.what: message_queue_url,
        rate_limits.what: rate_limit_url,
    }

    def works(fault: RepeatedFault) -> bool:
        url = urls.get(fault.what)
        return (
            bool(url) and str(url).startswith(("redis://", "rediss://")) and redis_answers(str(url))
        )

    throttle_on_handlers(REDIS_FAULTS, works)


def throttle_on_handlers(
    faults: Iterable[RepeatedFault], works: Callable[[RepeatedFault], bool]
) -> RepeatedFaultThrottle | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _OneHandler):
            for existing in list(handler.filters):
                if isinstance(existing, RepeatedFaultThrottle):
                    handler.removeFilter(existing)
            throttle = RepeatedFaultThrottle(tuple(faults), works)
            handler.addFilter(throttle)
            return throttle
    return None


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """Every logger, the libraries' included, writes through one handler on the root logger:
    with JSON on, each record is one JSON object on one line (a traceback is its `exc_info`
    field, not lines of its own), and no record is written twice."""
    handler = _OneHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    # Ours from an earlier app, and what logging.basicConfig() installs when a library logs
    # through logging.error() before anything is configured (its "ERROR:name:" lines). Others,
    # such as pytest's capture handlers, stay.
    root.handlers[:] = [
        existing
        for existing in root.handlers
        if not isinstance(existing, _OneHandler) and type(existing) is not logging.StreamHandler
    ]
    root.addHandler(handler)
    root.setLevel(LIBRARY_LEVEL)
    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if library_logger.level == logging.NOTSET:
            library_logger.setLevel(logging.ERROR)
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        # Bare handlers a library gave its own logger print plain lines, and again through the
        # root logger as it propagates: it only propagates now.
        for existing in list(logger.handlers):
            if type(existing) is logging.StreamHandler or isinstance(existing, _OneHandler):
                logger.removeHandler(existing)
        if not logger.handlers:
            logger.propagate = True
    ours = logging.getLogger("hall_server")
    ours.handlers[:] = []
    ours.setLevel(level)
    ours.propagate = True


def keep_the_terminal_for_warnings(log_file: Path) -> None:
    """Everything to `log_file`; only warnings and errors to the terminal.

    For the demo: its terminal shows the pages, accounts and codes a new user needs, and the
    robot clerks and visitors would bury them under a line per event."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _OneHandler):
            handler.setLevel(logging.WARNING)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("hall_server").addHandler(to_file)
