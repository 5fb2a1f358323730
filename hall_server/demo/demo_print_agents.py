"""The demo kiosks' print agents: one `hallq kiosk` process per kiosk, printing on a simulated
ESC/POS printer (hardware/simulated_printer.py), so a ticket taken at a demo kiosk "prints" and
the kiosk says so, as in a hall, instead of reporting a printer that never answers.

`hallq demo --printer SPEC` gives the city's first kiosk a real printer instead (any spec
`hallq kiosk --printer` takes, e.g. usb:0416:5011); `--printer none` starts no agents. The
agents stop with the demo: Ctrl+C reaches them too, and they are told to end when it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEMO_KIOSKS = ("d_demo-kiosk-1", "d_demo-kiosk-2", "d_demo-town-kiosk")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _ending_with_parent() -> Callable[[], None] | None:
    """What the agent runs before it starts (Linux): the kernel stops it if the demo dies
    without a word. The C library is loaded here, in the demo: after fork, the child only
    calls the function found."""
    if sys.platform != "linux":
        return None
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def end_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return end_with_parent


def _hallq_command() -> list[str]:
    script = Path(sys.executable).with_name("hallq")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from hall_server.entry import main; main()"]


@dataclass
class PrintAgents:
    lines: list[str]  # what to tell the user, one line each
    stop: Callable[[], None]  # also run at exit; a demo ending with os._exit calls it itself


def start_print_agents(port: int, first_printer: str, log_directory: Path) -> PrintAgents:
    """Start an agent per demo kiosk."""
    if first_printer == "none":
        return PrintAgents(
            ["  Kiosk printers: none started (--printer none); tickets report 'not printed'."],
            lambda: None,
        )
    log_directory.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    lines = []
    end_with_parent = _ending_with_parent()
    for index, token in enumerate(DEMO_KIOSKS):
        printer = first_printer if index == 0 else "simulated"
        log_path = log_directory / f"print-agent-{token.removeprefix('d_demo-')}.log"
        with log_path.open("ab") as log_file:
            processes.append(
                subprocess.Popen(
                    [
                        *_hallq_command(),
                        "kiosk",
                        "--server",
                        f"http://127.0.0.1:{port}",
                        "--token",
                        token,
                        "--printer",
                        printer,
                        "--health-interval",
                        "10",
                        "--verbose",  # its log shows every job printed
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    preexec_fn=end_with_parent,
                )
            )
        lines.append(f"  Print agent for {token:<20} printer {printer:<12} log {log_path}")

    def stop() -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    atexit.register(stop)
    return PrintAgents(lines, stop)
