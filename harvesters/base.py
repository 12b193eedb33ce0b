"""What a harvester is: a source in, a stream of events out.

The pipeline (`catalog.pipeline`) consumes the events in order. A harvester never raises for a
bad *record*: it yields `Failed` and goes on. It raises `SourceError` only when the *source* as a
whole cannot be harvested (unreachable, unparseable listing); the pipeline then keeps the
source's last good records and marks them stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

from catalog.config import SourceConfig
from catalog.disclosure import DatasetCounts
from catalog.model import Record
from harvesters.http import HttpClient

MAPPING_VERSION = "2026-12-07.5"
"""The version of what the harvesters make of their input (with `catalog.rdf.Reader`, which maps
every RDF source, and `catalog.markup`): change it with any change that maps the same input to
other records. A source's next harvest after an upgrade that changed it then fetches and maps
everything again, as `catalog harvest --full` does, rather than skip the pages, files and records
whose bytes did not change: a real catalogue's descriptions written as HTML, read as their text
since 2026-12-06, stayed HTML until an operator knew to run `--full`. 2026-12-07: a workbook's
every sheet of variables and its merged cells (`harvesters.varlist`); 2026-12-07.2: a frequency
table's merged cells too, and its sheet found by its own headings (`harvesters.frequencies`);
2026-12-07.3: a DDI study naming no producer or distributor of its own is published by its
codebook's producer (`harvesters.oai_ddi`); 2026-12-07.5: inline codes written with commas between
("1 = Ja, 2 = Nei") are separate codes (`harvesters.varlist.parse_codes`), and a heading written with
spaces, hyphens or underscores ("Variabel navn") is the heading it spells."""


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
class Mapped:
    """A record of a `Deferred` page as it comes back from the process that made and prepared it
    (`catalog.prepare`): what the harvester's own process reads of it (its URI, kind and
    identifier, and where it was fetched); the pipeline writes it from what was prepared. (A whole
    record moved back between processes cost more than writing it.)"""

    uri: str
    kind: str
    identifier: str
    url: str

    @classmethod
    def of(cls, event: Harvested) -> Mapped:
        record = event.record
        return cls(record.uri, record.kind, record.identifier, event.url)


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
    still_listed: str | None = None
    """The URI of a record the source still lists but that could not be taken this time: its last
    good version stays, as for a page that failed (a second dataset given the first's identifier
    by mistake was deleted)."""


@dataclass
class Complete:
    """The listing just yielded was complete: records neither harvested nor present are deleted."""


@dataclass
class Checkpoint:
    """State to remember for the next incremental run; saved only if the run succeeds."""

    state: dict[str, str] = field(default_factory=dict)


class Deferred:
    """Events a harvester leaves to be made elsewhere: `make(*args)` returns them (the records of one
    page it fetched). `make` is a module-level function of picklable arguments that fetches nothing,
    so the pipeline may call it in another process, on several pages at once, and take its events
    at this place of the stream as if they had been yielded here. `then`, when given, sees them
    first, in the harvester's own process and in the stream's order: what a harvester keeps across
    pages (the identifiers it has seen, what its checkpoint says of each page) it keeps there.
    Made in another process, a page's records come back as `Mapped` (what `then` may read of
    them), not as `Harvested`.

    With `tells`, `make` takes a keyword `tell` and calls it once, before it makes its events, with
    what the harvester needs to go on (a page's paging links, found while parsing the page, which
    is then parsed once): the harvester, having yielded the Deferred, asks for it by `told`, which
    waits for it wherever the events are being made. A failure of `make` before it tells (a page
    that does not parse) is raised by `told`, in the harvester, at this place of its stream.

    The pipeline takes the events once (`events`); the harvester, before its checkpoint, makes sure
    `then` has seen those of every page (`settle`). Neither the page nor its events are kept longer
    than that: a source of a million variables is not held in memory."""

    def __init__(
        self,
        make: Callable[..., list[Event]],
        args: tuple[Any, ...],
        then: Callable[[list[Event]], list[Event]] | None = None,
        tells: bool = False,
    ):
        self.make, self.args, self.then, self.tells = make, args, then, tells
        self.made: Callable[[], list[Event]] = self.make_here  # the pipeline may make them elsewhere
        self.ready: Callable[[], bool] = lambda: True  # whether `made` would return at once
        self.hear: Callable[[], Any] = self.hear_here  # and hear what `make` tells from there
        self._events: list[Event] | None = None
        self._kept: list[Event] | None = None  # made here by `hear_here`, for `made`
        self._told: list[Any] = []
        self._taken = False

    def make_here(self) -> list[Event]:
        """The events, made in this process (once: those `hear_here` made, if it did)."""
        if self._kept is not None:
            kept, self._kept = self._kept, None
            return kept
        if self.tells:
            return self.make(*self.args, tell=self._told.append)
        return self.make(*self.args)

    def hear_here(self) -> Any:
        """What `make` tells, making the events in this process if it was not heard yet."""
        if not self._told:
            self._kept = self.make_here()
        return self._told[0]

    def told(self) -> Any:
        """What `make` tells (`tells`), as soon as it is known."""
        return self.hear()

    def settle(self) -> None:
        """Have `then` see the events (making them now if need be), keeping them for `events`."""
        if self._events is None and not self._taken:
            made = self.made()
            self.made, self.args = _made_already, ()
            self._events = self.then(made) if self.then is not None else made

    def events(self) -> list[Event]:
        """The events, as `then` left them, given once."""
        self.settle()
        events, self._events, self._taken = self._events or [], None, True
        return events


def _made_already() -> list[Event]:
    raise RuntimeError("the events of a Deferred are made once")


Event = Harvested | Mapped | Present | Deleted | Failed | Complete | Checkpoint | Deferred


def resolved(events: Iterable[Event]) -> Iterator[Event]:
    """A harvester's events with every `Deferred` made here and replaced by its events."""
    for event in events:
        if isinstance(event, Deferred):
            yield from event.events()
        else:
            yield event


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
    """The source as a whole failed; `url` and `line` say where when known, `hint` what to check
    (`harvesters.sniff.kind_hint`: the kind that reads an answer this one cannot)."""

    def __init__(self, message: str, url: str | None = None, line: int | None = None, hint: str = ""):
        where = f" at {url}" if url else ""
        where += f" line {line}" if line else ""
        super().__init__(f"{message}{where}" + (f". {hint}" if hint else ""))
        self.message = message
        self.url = url
        self.line = line
        self.hint = hint

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str | None, int | None, str]]:
        """Pickled whole: a page mapped in another process fails its source with URL and line."""
        return (type(self), (self.message, self.url, self.line, self.hint))


class Harvester:
    """Base class: subclasses set `kind` and implement `harvest`.

    `state` is what the last successful run checkpointed (e.g. a changedSince cursor, page
    digests or the URIs each listed item gave), so a harvester can skip work for what it can
    prove unchanged and say so with `Present`. A harvester never reads the store: the pipeline
    compares content hashes.
    """

    kind: ClassVar[str] = ""
    fetches: ClassVar[bool] = True
    """Whether what it lists comes from a source (over the network): a whole listing with nothing
    in it is then taken for a glitch, and deletes nothing (`catalog.pipeline`); what the operator
    declares (`configured`) is the operator's word, an empty list too."""

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
