"""Log lines on stderr, as text for people or as one JSON object a line for a log pipeline.

`CATALOG_LOG_FORMAT=json` (setting `log_format`) makes every line a JSON object with `time`
(ISO 8601, UTC), `level`, `event` (the message), `logger`, and `source` and `run` while a
harvest run is at work, plus whatever fields the call site gave (`extra=`): journald, Loki or
Elasticsearch then index the fields instead of parsing prose. Warnings and uncaught exceptions
(in any thread) become log lines too, so nothing on stderr escapes the format.

A harvest names its source and run once (`run_context`) and every line logged below it, by the
harvester's HTTP client as much as by the pipeline, carries them; worker processes are forked
with the handler configured here, so their lines have the same form.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from catalog import progress

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("catalog_log_context")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


@contextmanager
def run_context(**fields: Any) -> Iterator[None]:
    """Fields (`source`, `run`) added to every line logged inside the block, in this thread."""
    token = _context.set({**_context.get({}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields of a line: the run context, then what the call site passed."""
    extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}
    return {**_context.get({}), **extra}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage().rstrip(),
            "logger": record.name,
        }
        line.update(fields_of(record))
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value ...`, one line unless a traceback follows."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = fields_of(record)
        if not fields:
            return text
        head, _, tail = text.partition("\n")
        pairs = " ".join(f"{k}={_plain(v)}" for k, v in fields.items())
        return f"{head} {pairs}" + (f"\n{tail}" if tail else "")


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is now (tests swap it), and clears the terminal's progress
    line before a log line so the two never share a line."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        with progress.paused():
            super().emit(record)


_HANDLER_NAME = "catalog-stderr"
_format = ["text"]


CHATTY = ("elastic_transport.transport", "elastic_transport.node_pool")
"""The Elasticsearch client's loggers: a line at INFO for every search and bulk request, and with
the cluster down a warning with a traceback for every retry of every request and node timeout.
Running two explorers on the emulator, they wrote a line a search; with the cluster stopped, 170
lines for one search (four attempts, each a warning and its traceback; counted 2026-12-06). The catalogue's own messages say what matters once (`SearchUnavailable`, logged
by the web and the pipeline); the client's are kept for `CATALOG_LOG_LEVEL=debug`."""


def json_lines() -> bool:
    """Whether log lines are JSON (as `configure` was last told)."""
    return _format[0] == "json"


def configure(log_format: str = "text", level: str = "info") -> None:
    """Send every log line to stderr in `log_format`; replaces what an earlier call set up."""
    if log_format not in FORMATS:
        raise ValueError(f"log_format {log_format!r}: choose one of {', '.join(FORMATS)}")
    if level.lower() not in LEVELS:
        raise ValueError(f"log_level {level!r}: choose one of {', '.join(LEVELS)}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in CHATTY:  # all of it at debug; otherwise only its errors
        logging.getLogger(name).setLevel(logging.NOTSET if level.lower() == "debug" else logging.ERROR)
    _format[0] = log_format
    logging.captureWarnings(True)
    progress.allow(log_format == "text")  # a status line would break a stream of JSON lines
    if log_format == "json":
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_thread_uncaught
    else:
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("catalog").critical("uncaught %s: %s", kind.__name__, value, exc_info=(kind, value, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or args.exc_type is SystemExit:
        return
    logging.getLogger("catalog").critical(
        "uncaught %s in thread %s: %s",
        args.exc_type.__name__,
        args.thread.name if args.thread else "?",
        args.exc_value,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
