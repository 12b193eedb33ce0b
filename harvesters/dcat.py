"""DCAT-AP 3 / DCAT-AP-NO / HealthDCAT-AP feeds in any RDF syntax, one document or Hydra-paged.

Follows `hydra:next` (or the older `hydra:nextPage`) of a `hydra:PartialCollectionView` or
`hydra:PagedCollection`, whether the link is an IRI or a string literal. A page whose bytes did
not change since the last successful run is not parsed again: its records are reported present
from the checkpointed state, which is what makes an unchanged re-harvest cheap.

Feeds that advertise a `modified_since` variable in their `hydra:search` template (ours do,
see `catalog.feeds`) are harvested incrementally after the first full run: the catalogue's
dct:modified is kept as the cursor, the next run asks only for what changed after it, and
tombstones (catalogue records with adms:status deleted) become deletions. The option
`incremental = false` turns this off. A record's fetch URL is the upstream dcat:CatalogRecord
when the feed has one, so provenance points at the catalogue we harvested.

Pages are parsed by pyoxigraph (`catalog.rdfparse`), many times faster than rdflib, once each: by
`map_page`, which the pipeline runs in other processes while the next pages are fetched
(`Deferred`), and which tells the harvester what it reads of the page to go on (`Paging`: its
paging links, the catalogue's time, tombstones) as soon as the page is parsed, before mapping its
records. A page that does not parse fails the source there, when the harvester asks for its
paging. Parsing is fenced: RDF/XML with a DOCTYPE or entity declaration is refused before it
reaches an XML parser (XXE, entity expansion), and JSON-LD remote contexts are never fetched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, FOAF, RDF
from rdflib.namespace import DCTERMS as DCT

from catalog.config import EU_AUTHORITY as EU
from catalog.model import Dataset
from catalog.rdf import ADMS, HYDRA, PUBLISHED_WITH, PUBLISHER_KIT, from_graph, next_page
from catalog.rdfparse import LightGraph, Pick, RdfSyntaxError, parse_picked, parse_rdf
from harvesters.base import (
    Checkpoint,
    Complete,
    Deferred,
    Deleted,
    Event,
    Failed,
    Harvested,
    Harvester,
    Mapped,
    Present,
    SourceError,
    replayed,
    saved_problems,
)
from harvesters.http import Fetched
from harvesters.sniff import kind_hint

ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/n-triples;q=0.7, "
    "text/n3;q=0.5, */*;q=0.1"
)
FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "n3",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
SUFFIXES = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".n3": "n3",
}
MAX_PAGES = 100_000


def guess_format(url: str, content_type: str, body: bytes) -> str:
    """The RDF format name for a response, from its content type, then its URL, then its bytes."""
    if content_type in FORMATS:
        return FORMATS[content_type]
    path = url.split("?", 1)[0].lower()
    for suffix, fmt in SUFFIXES.items():
        if path.endswith(suffix):
            return fmt
    head = body[:512].lstrip()
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


def check_safe(fmt: str, body: bytes, url: str) -> None:
    """Refuse what could make a parser read local files, call out, or blow up."""
    if fmt == "xml" and re.search(rb"<!(DOCTYPE|ENTITY)", body[:65536] + body[-1024:], re.I):
        raise SourceError(
            "refused RDF/XML with a DOCTYPE or entity declaration (possible XXE or entity expansion attack)", url
        )
    if fmt == "json-ld":
        try:
            doc = json.loads(body)
        except json.JSONDecodeError as exc:
            raise SourceError(f"malformed JSON-LD: {exc.msg}", url, exc.lineno) from exc
        except UnicodeDecodeError as exc:  # bytes that are no JSON text: said as the rest are
            raise SourceError(f"malformed JSON-LD: not UTF-8 text (byte {exc.start})", url) from exc
        contexts = [
            c
            for d in (doc if isinstance(doc, list) else [doc])
            if isinstance(d, dict)
            for c in _as_list(d.get("@context"))
        ]
        if any(isinstance(c, str) for c in contexts):
            raise SourceError("the JSON-LD uses a remote @context, which we never fetch; inline the context", url)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _parsed(data: str, fmt: str, url: str, keep: Callable[[ox.Quad], bool] | None = None) -> LightGraph:
    try:
        return parse_rdf(data, fmt, base_iri=url, keep=keep)
    except RdfSyntaxError as exc:
        raise _not_valid(exc, fmt, url, data) from exc


def _parsed_picked(data: str, fmt: str, url: str) -> tuple[LightGraph | Graph, LightGraph | Graph]:
    """The page's graph, and its `_head` statements as a graph of their own, from one parse."""
    try:
        return parse_picked(data, fmt, url, _head)
    except RdfSyntaxError as exc:
        raise _not_valid(exc, fmt, url, data) from exc


def _not_valid(exc: RdfSyntaxError, fmt: str, url: str, data: str) -> SourceError:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SourceError(f"the feed is not valid {fmt} RDF ({message[:300]})", url, exc.line, kind_hint(data, "dcat"))


_head = Pick(
    frozenset(
        str(p)
        for p in (
            HYDRA.next,
            HYDRA.nextPage,
            HYDRA.variable,
            DCT.modified,
            FOAF.primaryTopic,
            ADMS.status,
            PUBLISHED_WITH,
        )
    ),
    frozenset(str(c) for c in (HYDRA.PartialCollectionView, HYDRA.PagedCollection, DCAT.Catalog)),
)
"""The statements the harvester reads of a page itself: its paging, the catalogue's time, tombstones,
whether the publisher kit wrote it."""


@dataclass
class Paging:
    """What the harvester reads of a page to go on (`_head`'s statements): the next page, the
    catalogue's time (the next run's cursor, when the feed offers `modified_since`) and the
    records the page says are deleted."""

    next: str | None
    cursor: str | None
    tombstones: list[str]
    kit: bool = False  # the publisher kit wrote the feed (`catalog.rdf.PUBLISHER_KIT`)

    @classmethod
    def of(cls, head: LightGraph | Graph, url: str) -> Paging:
        kit = any(str(o) == str(PUBLISHER_KIT) for o in head.objects(None, PUBLISHED_WITH))
        return cls(next_page(head, url), cursor(head), tombstones(head), kit)


KIT_STATE = "kit"
"""The source's state names the publisher kit ("1") when its feed's first page says the kit wrote it:
`catalog.readiness.kit_feeds` reads it, so that the hints to the registry name the kit's keys."""


def map_page(
    data: str, fmt: str, url: str, changes: bool = False, tell: Callable[[Paging], object] | None = None
) -> list[Event]:
    """The records of one page, and the problems met mapping them; what the harvester leaves to be
    done elsewhere (`Deferred`), since it needs nothing but the page. `tell` is told the page's
    `Paging` as soon as it is parsed (the one parse of the page), before its records are mapped.
    A page of a whole listing with no statement fails (`_nothing`); one of `changes` since a
    moment may be empty (nothing changed, and such a run deletes nothing)."""
    g: LightGraph | Graph
    if tell is None:
        g = _parsed(data, fmt, url)
    else:
        g, head = _parsed_picked(data, fmt, url)
    if not len(g) and not changes:
        raise _nothing(data, url)  # before telling: the harvester hears the failure instead
    if tell is not None:
        tell(Paging.of(head, url))
    records, problems = from_graph(g)
    events: list[Event] = [Failed(message, url, record_uri, field) for record_uri, field, message in problems]
    upstream = catalog_records(g)
    for record in records:
        if isinstance(record, Dataset):
            with_vocabulary_codes(record, url)
        events.append(Harvested(record, upstream.get(record.uri, url)))
    return events


def _nothing(data: str, url: str) -> SourceError:
    """A page that parses to no statement at all: an empty answer, a comment, an empty RDF/XML
    document, or JSON that is not JSON-LD ('{"error": "maintenance"}'). Read as a catalogue that
    lists nothing, it deleted every record of the source (42 of Skatteetaten's datasets at one
    empty answer); a catalogue that lists nothing still says it is a dcat:Catalog. So the source
    fails here and keeps what it had."""
    begins = " ".join(data.split())[:60]
    said = f"it begins {begins!r}" if begins else "it is empty"
    return SourceError(
        f"the feed holds no RDF statements ({said}): not a catalogue, which says at least that it is a "
        "dcat:Catalog; nothing was deleted",
        url,
        hint=kind_hint(data, "dcat"),
    )


DELETED = URIRef("http://purl.org/adms/changetype/deleted")
FREQUENCIES = {
    "continuous": "CONT",
    "hourly": "HOURLY",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "annually": "ANNUAL",
    "yearly": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "irregular": "IRREG",
    "never": "NEVER",
    "unknown": "UNKNOWN",
}
PLACES = {"norge": "NOR", "noreg": "NOR", "norway": "NOR", "norge-totalt": "NOR"}


def with_vocabulary_codes(d: Dataset, url: str) -> None:
    """Codes a feed wrote as bare `@id`s ("NOR", "continuous", "Norge": data.norge.no's Drupal-era
    JSON-LD), which a parser resolves against the feed's URL, as the EU vocabulary IRIs they stand for."""
    folder = url.split("?", 1)[0].rsplit("/", 1)[0] + "/"

    def code(iri: str) -> str | None:
        rest = iri[len(folder) :] if iri.startswith(folder) else ""
        return rest if rest and "/" not in rest and "#" not in rest and "?" not in rest else None

    def mapped(iris: list[str], vocabulary: str, table: dict[str, str] | None) -> list[str]:
        out = []
        for iri in iris:
            found = code(iri)
            value = (table or {}).get(found.casefold()) if found and table is not None else found
            if found and table is None and not re.fullmatch(r"[A-Z]{3}", found):
                value = None
            out.append(f"{EU}{vocabulary}/{value}" if value else iri)
        return out

    d.languages = mapped(d.languages, "language", None)
    d.spatial = mapped(d.spatial, "country", PLACES)
    if d.frequency:
        d.frequency = mapped([d.frequency], "frequency", FREQUENCIES)[0]


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def cursor(g: LightGraph | Graph) -> str | None:
    """The catalogue's dct:modified when the feed offers `modified_since` (the next run's cursor)."""
    if not any(str(v) == "modified_since" for v in g.objects(None, HYDRA.variable)):
        return None
    for cat in g.subjects(RDF.type, DCAT.Catalog):
        modified = g.value(cat, DCT.modified)
        if modified is not None:
            return str(modified)
    return None


def catalog_records(g: LightGraph | Graph) -> dict[str, str]:
    """Record URI -> the upstream catalogue record describing it (dcat:CatalogRecord or any foaf:primaryTopic)."""
    return {str(topic): str(cr) for cr, topic in g.subject_objects(FOAF.primaryTopic) if isinstance(cr, URIRef)}


def tombstones(g: LightGraph | Graph) -> list[str]:
    return sorted(str(topic) for cr in g.subjects(ADMS.status, DELETED) for topic in g.objects(cr, FOAF.primaryTopic))


class DcatHarvester(Harvester):
    kind = "dcat"

    def harvest(self) -> Iterator[Event]:
        self._first: dict[tuple[str, str], str] = {}  # (record type, dct:identifier) -> the first URI
        since = self.state.get("since")
        if since and self.source.options.get("incremental", True):
            yield from self.harvest_changes(since)
        else:
            yield from self.harvest_all()

    def harvest_changes(self, since: str) -> Iterator[Event]:
        """Only what changed upstream after `since`; unseen records stay as they are."""
        url: str | None = with_param(self.source.url, "modified_since", since)
        seen: set[str] = set()
        next_since = since
        while url and len(seen) < MAX_PAGES:
            if url in seen:
                raise SourceError("the feed's paging links form a loop", url)
            seen.add(url)
            fetched = self.http.get(url, accept=self.source.options.get("accept", ACCEPT))
            page = self._page(fetched, changes=True)
            yield page
            paging: Paging = page.told()
            if len(seen) == 1:
                next_since = paging.cursor or since
            yield from (Deleted(uri) for uri in paging.tombstones)
            url = paging.next
        yield Checkpoint({**self.state, "since": next_since})

    def _page(
        self, fetched: Fetched, then: Callable[[list[Event]], list[Event]] | None = None, changes: bool = False
    ) -> Deferred:
        """The page's records, to be mapped wherever the pipeline likes, which tell (`Deferred.told`)
        what the harvester reads of the page to go on (`Paging`): the page is parsed once, where it
        is mapped, and a syntax error fails the source at this page when the harvester asks. `then`
        sees the records after `_first_only`."""
        fmt = guess_format(fetched.url, fetched.content_type, fetched.content)
        check_safe(fmt, fetched.content, fetched.url)

        def taken(events: list[Event]) -> list[Event]:
            events = self._first_only(events)
            return then(events) if then is not None else events

        return Deferred(map_page, (fetched.text(), fmt, fetched.url, changes), then=taken, tells=True)

    def _first_only(self, events: list[Event]) -> list[Event]:
        """A page's events, but a second record with a dct:identifier already seen in this run
        (under another URI) reported instead, as every harvester keeps the first of a duplicate.
        Pages skipped as unchanged report their duplicates again from the checkpoint."""
        out: list[Event] = []
        for event in events:
            if isinstance(event, Harvested):  # made here
                event = self._first_of(event, event.record.uri, event.record.kind, event.record.identifier)
            elif isinstance(event, Mapped):  # made elsewhere
                event = self._first_of(event, event.uri, event.kind, event.identifier)
            out.append(event)
        return out

    def _first_of(self, event: Harvested | Mapped, uri: str, kind: str, identifier: str) -> Event:
        if not identifier:
            return event
        what = "dataset" if kind == "dataset" else "code list"
        first = self._first.setdefault((what, identifier), uri)
        if first == uri:
            return event
        return Failed(
            f"the {what} {identifier} is listed more than once (as {first} and {uri}); the first was kept",
            event.url,
            identifier,
            "identifier",
            still_listed=uri,
        )

    def harvest_all(self) -> Iterator[Event]:
        previous = json.loads(self.state.get("pages", "{}"))
        pages: dict[str, list[object]] = {}
        mapped: list[Deferred] = []
        url: str | None = self.source.url
        since: str | None = self.state.get("since")
        kit = self.state.get(KIT_STATE)  # as the first page said, when it is skipped as unchanged
        while url and len(pages) < MAX_PAGES:
            if url in pages:
                raise SourceError("the feed's paging links form a loop", url)
            fetched = self.http.get(url, accept=self.source.options.get("accept", ACCEPT))
            digest = hashlib.sha256(fetched.content).hexdigest()
            old = previous.get(url)
            if old and old[0] == digest:
                pages[url] = old
                yield from replayed(old[3] if len(old) > 3 else None)
                yield from (Present(uri) for uri in old[2])
                url = old[1]
                continue
            page = self._page(fetched, partial(self._remember, pages, url))
            first = not pages
            pages[url] = [digest, None]  # its next page, once told, and what it gave, once it is mapped (`_remember`)
            yield page
            paging: Paging = page.told()
            if first:
                since = paging.cursor or since
                kit = "1" if paging.kit else None
            pages[url][1] = paging.next
            mapped.append(page)
            url = paging.next
        for page in mapped:
            page.settle()
        yield Complete()
        yield Checkpoint(
            {"pages": json.dumps(pages), **({"since": since} if since else {}), **({KIT_STATE: kit} if kit else {})}
        )

    @staticmethod
    def _remember(pages: dict[str, list[object]], url: str, events: list[Event]) -> list[Event]:
        """What the checkpoint keeps of a mapped page besides its digest and next page: the records
        it gave and the problems met, so an unchanged page is skipped next time and its problems
        reported again."""
        uris = [
            e.record.uri if isinstance(e, Harvested) else e.uri for e in events if isinstance(e, Harvested | Mapped)
        ]
        problems = [e for e in events if isinstance(e, Failed)]
        pages[url] = [*pages[url][:2], uris, saved_problems(problems)]
        return events
