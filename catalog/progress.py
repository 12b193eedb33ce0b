"""A status line for long command-line work (harvest, reindex, export): on a terminal only.

When stderr is a terminal the line is redrawn in place (`\\r`, at most ten times a second) and
wiped when the work ends, so the command's own output follows on a clean line. When stderr is a
pipe or a file, or log lines are JSON, nothing is drawn: scripts, cron and journald see only the
log lines and the result. A log line written while the status line shows wipes it first and
draws it again after (`paused`), so the two never share a line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TextIO

REDRAW_SECONDS = 0.1
_lock = threading.RLock()
_active: list[Status] = []
_allowed = [True]


def _after_fork_in_child() -> None:
    """A harvest forks worker processes while other threads may be logging (and so holding the
    lock): the child starts with a free lock and no status line of its own, or its first log line
    would wait forever for a thread that does not exist in it."""
    global _lock
    _lock = threading.RLock()
    _active.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def allow(enabled: bool) -> None:
    """Whether status lines may be drawn at all (not when stderr carries JSON log lines)."""
    _allowed[0] = enabled


@contextmanager
def paused() -> Iterator[None]:
    """Wipe the status line (if one shows) for the length of the block, then draw it again."""
    if not _active:  # no status line: nothing to wait for (every log line passes here)
        yield
        return
    with _lock:
        shown = [s for s in _active if s.shown]
        for status in shown:
            status.wipe()
        try:
            yield
        finally:
            for status in shown:
                status.draw()


class Status:
    """`with Status("reindex", total=n) as status: status.advance(k)` draws `reindex: 1,200 of
    5,000 (24 %) · 3 s` on a terminal, and nothing elsewhere."""

    def __init__(self, label: str, total: int | None = None, unit: str = "records", stream: TextIO | None = None):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.enabled = _allowed[0] and _isatty(self.stream)
        self.done = 0
        self.note = ""
        self.shown = False
        self.started = time.monotonic()
        self._drawn_at = 0.0

    def __enter__(self) -> Status:
        with _lock:
            _active.append(self)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
            self.wipe()

    def advance(self, n: int = 1, note: str | None = None) -> None:
        with _lock:
            self.done += n
            if note is not None:
                self.note = note
            if self.enabled and time.monotonic() - self._drawn_at >= REDRAW_SECONDS:
                self.draw()

    def text(self) -> str:
        if self.total:
            share = min(100, 100 * self.done // self.total)
            counted = f"{self.done:,} of {self.total:,} {self.unit} ({share} %)"
        else:
            counted = f"{self.done:,} {self.unit}"
        note = f" · {self.note}" if self.note else ""
        return f"{self.label}: {counted}{note} · {time.monotonic() - self.started:.0f} s"

    def draw(self) -> None:
        if not self.enabled:
            return
        with _lock:
            self.stream.write("\r" + self.text() + "\033[K")
            self.stream.flush()
            self.shown, self._drawn_at = True, time.monotonic()

    def wipe(self) -> None:
        if not self.shown:
            return
        with _lock:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is no terminal
        return False
