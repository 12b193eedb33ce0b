"""What every wire module returns and receives: a `Reply` (lazy body + format) and a `Context`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator.nation import Nation


class BadRequest(ValueError):
    """A request parameter a source cannot use; answered with 400 (in the source's own error format)."""


@dataclass
class Fault:
    """A fault switched on for one source; `hits` counts the requests it has seen (rate_limit)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    hits: int = 0


@dataclass
class Reply:
    """A response before faults are applied: `fmt` names the syntax so faults can break it faithfully.

    fmt is one of turtle, nt, xml, jsonld, json, csv, xlsx, text. `body` may be a generator, so
    large listings stream and a fault that never sends the body never builds it.
    """

    body: bytes | Iterable[bytes]
    content_type: str
    fmt: str
    source: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def chunks(self) -> Iterator[bytes]:
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body

    def materialize(self) -> bytes:
        return b"".join(self.chunks())


@dataclass
class Context:
    """One request's view of the simulator: the nation, the base URL and the faults switched on."""

    nation: Nation
    base: str
    faults: Callable[[str], Fault | None]

    def fault_is(self, source: str, *names: str) -> bool:
        fault = self.faults(source)
        return fault is not None and fault.name in names


def json_reply(data: Any, source: str | None, status: int = 200, content_type: str = "application/json") -> Reply:
    import json

    return Reply(
        json.dumps(data, ensure_ascii=False, indent=None).encode(),
        f"{content_type}; charset=utf-8",
        "json",
        source,
        status,
    )


def stream_json_array(items: Iterable[Any]) -> Iterator[bytes]:
    """A JSON array written item by item, so a huge listing never sits in memory."""
    import json

    yield b"["
    for n, item in enumerate(items):
        yield (b"," if n else b"") + json.dumps(item, ensure_ascii=False).encode()
    yield b"]"
