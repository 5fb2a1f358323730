"""The `hallq` command's entry point: patches the green-thread library first when serving."""

from __future__ import annotations

import os
import sys

SERVING_COMMANDS = {"serve", "demo"}
ASYNC_MODES = ("gevent", "eventlet", "threading")
# Chosen by `make bench` (bench/run_all.py runs the same workload under both): on 2 cores
# gevent called next faster and with shorter tails than eventlet, on SQLite clearly.
DEFAULT_ASYNC_MODE = "gevent"


def requested_async_mode(argv: list[str]) -> str:
    for index, argument in enumerate(argv):
        if argument == "--async-mode" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--async-mode="):
            return argument.split("=", 1)[1]
    return os.environ.get("HALLQ_ASYNC_MODE", DEFAULT_ASYNC_MODE)


def patch_for(mode: str) -> None:
    """Monkey patching must happen before anything imports socket, ssl or threading."""
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()  # includes psycopg2's wait callback, so queries yield
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()


def is_patched(mode: str) -> bool:
    """Whether the green-thread library of `mode` has patched the standard library here."""
    if mode == "eventlet" and "eventlet" in sys.modules:
        from eventlet import patcher

        return bool(patcher.is_monkey_patched("socket"))
    if mode == "gevent" and "gevent" in sys.modules:
        from gevent import monkey

        return bool(monkey.is_module_patched("socket"))
    return False


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in SERVING_COMMANDS:
        mode = requested_async_mode(argv)
        if mode not in ASYNC_MODES:
            sys.exit(f"--async-mode must be one of {', '.join(ASYNC_MODES)}")
        os.environ["HALLQ_ASYNC_MODE"] = mode
        patch_for(mode)
    from hall_server.cli import cli

    cli()
