"""What a harvester is: a source in, a stream of events out.

The pipeline (`catalog.pipeline`) consumes the events in order. A harvester never raises for a
bad *record*: it yields `Failed` and goes on. It raises `SourceError` only when the *source* as a
whole cannot be harvested (unreachable, unparseable listing); the pipeline then keeps the
source's last good records and marks them stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import quote

from catalog.config import SourceConfig
from catalog.disclosure import DatasetCounts
from catalog.model import Record
from harvesters.http import HttpClient


@dataclass
class Harvested:
    """A record mapped from the source, fetched from `url`; a dataset's frequency tables and summary
    statistics come beside it as raw `counts` (never in the record: only the published view of them,
    made by `catalog.disclosure`, leaves the store). None: the counts are not known this time (the
    stored ones stay); counts without tables: the source publishes none (the stored ones go)."""

    record: Record
    url: str
    counts: DatasetCounts | None = None


@dataclass
class Present:
    """The source still has this record and it has not changed since `state` says we saw it."""

    uri: str


@dataclass
class Deleted:
    """The source says this record is gone (e.g. an OAI-PMH deleted header)."""

    uri: str


@dataclass
class Failed:
    """One record (or one page) could not be read or mapped; the rest of the run goes on."""

    message: str
    url: str | None = None
    record_id: str | None = None
    field: str | None = None


@dataclass
class Complete:
    """The listing just yielded was complete: records neither harvested nor present are deleted."""


@dataclass
class Checkpoint:
    """State to remember for the next incremental run; saved only if the run succeeds."""

    state: dict[str, str] = field(default_factory=dict)


Event = Harvested | Present | Deleted | Failed | Complete | Checkpoint


def saved_problems(events: Iterable[Failed]) -> list[list[str | None]]:
    """Problems as checkpoint state, so a run that skips unchanged input can report them again:
    a run's error list is complete for that run, and a problem not fixed at the source is not gone."""
    return [[f.message, f.url, f.record_id, f.field] for f in events]


def replayed(saved: Iterable[list[str | None]] | None) -> Iterator[Failed]:
    return (Failed(str(m), u, r, f) for m, u, r, f in saved or ())


def keep_last_good(what: str, url: str, record_id: str, exc: Exception, uris: list[str]) -> Iterator[Event]:
    """A record that cannot be mapped is reported, and its last good version stays (its URIs present)."""
    yield Failed(
        f"{what} could not be mapped ({type(exc).__name__}: {exc}); its last good version is kept", url, record_id, None
    )
    yield from (Present(uri) for uri in uris)


class SourceError(Exception):
    """The source as a whole failed; `url` and `line` say where when known."""

    def __init__(self, message: str, url: str | None = None, line: int | None = None):
        where = f" at {url}" if url else ""
        where += f" line {line}" if line else ""
        super().__init__(f"{message}{where}")
        self.url = url
        self.line = line


class Harvester:
    """Base class: subclasses set `kind` and implement `harvest`.

    `state` is what the last successful run checkpointed (e.g. a changedSince cursor, page
    digests or the URIs each listed item gave), so a harvester can skip work for what it can
    prove unchanged and say so with `Present`. A harvester never reads the store: the pipeline
    compares content hashes.
    """

    kind: ClassVar[str] = ""

    def __init__(
        self,
        source: SourceConfig,
        http: HttpClient,
        state: Mapping[str, str] | None = None,
        base_uri: str = "https://catalog.example.org/",
    ):
        self.source = source
        self.http = http
        self.state = dict(state or {})
        self.base_uri = base_uri if base_uri.endswith("/") else base_uri + "/"

    def mint(self, *parts: str) -> str:
        """A stable URI for something the source names only by local ids (CKAN, DDI, KLASS...).

        Same source name and ids give the same URI in every run, so records keep their URI.
        """
        return self.base_uri + "id/" + "/".join(quote(p, safe="") for p in (self.source.name, *parts))

    def harvest(self) -> Iterator[Event]:
        raise NotImplementedError
