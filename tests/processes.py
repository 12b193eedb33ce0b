"""The `catalog` command as real processes: started, waited for over loopback HTTP, stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import requests

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cli(home: str, *args: str) -> list[str]:
    """The command line of `catalog --home HOME ARGS...` run by this Python."""
    return [sys.executable, "-m", "catalog.cli", "--home", home, *args]


@contextmanager
def running(argv: Sequence[str], env: dict[str, str] | None = None, **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """A process for the length of the block, stopped with SIGTERM (SIGKILL after 10 s). When the
    block fails, the failure carries the end of what the process wrote to stderr."""
    with tempfile.TemporaryFile("w+") as stderr:
        popen.setdefault("stdout", subprocess.DEVNULL)
        popen.setdefault("stderr", stderr)
        proc = subprocess.Popen(list(argv), env={**os.environ, **(env or {})}, text=True, **popen)
        try:
            yield proc
        except BaseException as exc:
            stderr.seek(0)
            exc.add_note(f"stderr of {' '.join(argv[2:])} (exit {proc.poll()}):\n{stderr.read()[-4000:]}")
            raise
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def wait_for(check: Callable[[], T | None], seconds: float = 30, what: str = "the condition") -> T:
    """The first true answer of `check`, asked every 0.1 s; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
        except (requests.ConnectionError, requests.Timeout):
            answer = None
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.1)


def answering(url: str, seconds: float = 30) -> requests.Response:
    """The first answer of a server that is starting."""
    return wait_for(lambda: [requests.get(url, timeout=5)], seconds, f"an answer from {url}")[0]
