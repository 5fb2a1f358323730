"""Single keys and short lines from the terminal, or from a call keypad that types them.

On a terminal the keys arrive one by one without Enter (cbreak mode); answers that need a line
(a ticket number, a note) switch back to ordinary line editing for that one line. From a pipe
the same bytes are read one at a time, so a script or a keypad bridge can drive it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

try:  # POSIX only; elsewhere keys need Enter, which still works
    import termios
    import tty
except ImportError:  # pragma: no cover - not on the project's machines
    termios = None  # type: ignore[assignment]
    tty = None  # type: ignore[assignment]


class EndOfInput(Exception):
    """The keyboard or pipe closed."""


class KeyInput:
    def __init__(self, stream: BinaryIO | None = None) -> None:
        self.stream = stream or sys.stdin.buffer
        self.fd = self.stream.fileno()
        self.is_terminal = os.isatty(self.fd) and termios is not None
        self._saved: Any = None
        # From a pipe, a key may come as a line ("f" then Enter): that Enter is not an answer.
        self._after_key = False

    @contextmanager
    def single_keys(self) -> Iterator[None]:
        """Keys without Enter for the duration; the terminal is restored however we leave."""
        if not self.is_terminal:
            yield
            return
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSADRAIN)  # keep keys typed ahead
        try:
            yield
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _raw_byte(self) -> bytes:
        chunk = os.read(self.fd, 1)
        if not chunk:
            raise EndOfInput
        return chunk

    def _byte(self) -> bytes:
        raw = self._raw_byte()
        if self._after_key:
            self._after_key = False
            if raw == b"\r":
                raw = self._raw_byte()
                if raw == b"\n":
                    raw = self._raw_byte()
            elif raw == b"\n":
                raw = self._raw_byte()
        return raw

    def key(self, skip_blanks: bool = True) -> str:
        """The next key; Enter comes back as "\\n" unless blanks are skipped. Ctrl-D ends."""
        while True:
            raw = self._byte()
            if raw == b"\x04":
                raise EndOfInput
            if raw == b"\x1b":
                return "escape"
            if raw[0] >= 0x80:  # a multi-byte character: read the rest of it
                raw += self._rest_of_character(raw[0])
            text = raw.decode("utf-8", errors="replace")
            if text in ("\r", "\n"):
                if skip_blanks:
                    continue
                return "\n"
            if skip_blanks and text.isspace():
                continue
            self._after_key = not self.is_terminal
            return text

    def _rest_of_character(self, first: int) -> bytes:
        extra = 1 if first >= 0xC0 else 0
        extra += 1 if first >= 0xE0 else 0
        extra += 1 if first >= 0xF0 else 0
        return b"".join(self._byte() for _ in range(extra))

    def line(self) -> str:
        """One line of text, edited as usual on a terminal; without its newline."""
        with self._line_mode():
            collected = bytearray()
            while True:
                raw = self._byte()
                if raw in (b"\n", b"\r"):
                    break
                collected += raw
        return collected.decode("utf-8", errors="replace").strip()

    @contextmanager
    def _line_mode(self) -> Iterator[None]:
        if not self.is_terminal or self._saved is None:
            yield
            return
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        try:
            yield
        finally:
            tty.setcbreak(self.fd, termios.TCSADRAIN)
