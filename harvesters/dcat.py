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

Pages are parsed by pyoxigraph (`catalog.rdfparse`), many times faster than rdflib. The harvester
itself reads of a page only what it needs to go on (its paging links, the catalogue's time,
tombstones); its records are mapped by `map_page`, which the pipeline runs in other processes
while the next pages are fetched (`Deferred`). Parsing is fenced: RDF/XML with a DOCTYPE or
entity declaration is refused before it reaches an XML parser (XXE, entity expansion), and
JSON-LD remote contexts are never fetched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, FOAF, RDF
from rdflib.namespace import DCTERMS as DCT

from catalog.model import Dataset
from catalog.rdf import ADMS, HYDRA, from_graph
from catalog.rdfparse import LightGraph, RdfSyntaxError, parse_rdf
from harvesters.base import (
    Checkpoint,
    Complete,
    Deferred,
    Deleted,
    Event,
    Failed,
    Harvested,
    Harvester,
    Present,
    SourceError,
    replayed,
    saved_problems,
)
from harvesters.http import Fetched

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


def parse(fetched: Fetched, keep: Callable[[ox.Quad], bool] | None = None) -> LightGraph:
    """The page as a graph (parsed by pyoxigraph), or a SourceError naming URL and line; with
    `keep`, only the statements it keeps (`catalog.rdfparse.parse_rdf`)."""
    fmt = guess_format(fetched.url, fetched.content_type, fetched.content)
    check_safe(fmt, fetched.content, fetched.url)
    return _parsed(fetched.text(), fmt, fetched.url, keep)


def _parsed(data: str, fmt: str, url: str, keep: Callable[[ox.Quad], bool] | None = None) -> LightGraph:
    try:
        return parse_rdf(data, fmt, base_iri=url, keep=keep)
    except RdfSyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"the feed is not valid {fmt} RDF ({message[:300]})", url, exc.line) from exc


_HEAD = {str(p) for p in (HYDRA.next, HYDRA.nextPage, HYDRA.variable, DCT.modified, FOAF.primaryTopic, ADMS.status)}
_HEAD_TYPES = {str(c) for c in (HYDRA.PartialCollectionView, HYDRA.PagedCollection, DCAT.Catalog)}
_TYPE = str(RDF.type)


def _head(q: ox.Quad) -> bool:
    """The statements the harvester reads of a page itself: its paging, the catalogue's time, tombstones."""
    p = q.predicate.value
    return p in _HEAD or (p == _TYPE and isinstance(q.object, ox.NamedNode) and q.object.value in _HEAD_TYPES)


def map_page(data: str, fmt: str, url: str) -> list[Event]:
    """The records of one page, and the problems met mapping them; what the harvester leaves to be
    done elsewhere (`Deferred`), since it needs nothing but the page."""
    g = _parsed(data, fmt, url)
    records, problems = from_graph(g)
    events: list[Event] = [Failed(message, url, record_uri, field) for record_uri, field, message in problems]
    upstream = catalog_records(g)
    for record in records:
        if isinstance(record, Dataset):
            with_vocabulary_codes(record, url)
        events.append(Harvested(record, upstream.get(record.uri, url)))
    return events


def next_page(g: LightGraph | Graph, url: str) -> str | None:
    for view in (*g.subjects(RDF.type, HYDRA.PartialCollectionView), *g.subjects(RDF.type, HYDRA.PagedCollection)):
        for prop in (HYDRA.next, HYDRA.nextPage):
            target = g.value(view, prop)
            if target is not None and str(target) != url:
                return str(target)
    return None


DELETED = URIRef("http://purl.org/adms/changetype/deleted")
EU = "http://publications.europa.eu/resource/authority/"
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
            head, page = self._page(fetched)
            if len(seen) == 1:
                next_since = cursor(head) or since
            yield page
            yield from (Deleted(uri) for uri in tombstones(head))
            url = next_page(head, url)
        yield Checkpoint({**self.state, "since": next_since})

    def _page(
        self, fetched: Fetched, then: Callable[[list[Event]], list[Event]] | None = None
    ) -> tuple[LightGraph, Deferred]:
        """What the harvester reads of a page to go on (read here: a syntax error fails the source
        at this page), and the page's records, to be mapped wherever the pipeline likes; `then`
        sees them after `_first_only`."""
        head = parse(fetched, keep=_head)
        fmt = guess_format(fetched.url, fetched.content_type, fetched.content)

        def taken(events: list[Event]) -> list[Event]:
            events = self._first_only(events)
            return then(events) if then is not None else events

        return head, Deferred(map_page, (fetched.text(), fmt, fetched.url), then=taken)

    def _first_only(self, events: list[Event]) -> list[Event]:
        """A page's events, but a second record with a dct:identifier already seen in this run
        (under another URI) reported instead, as every harvester keeps the first of a duplicate.
        Pages skipped as unchanged report their duplicates again from the checkpoint."""
        out: list[Event] = []
        for event in events:
            if isinstance(event, Harvested) and event.record.identifier:
                record = event.record
                what = "dataset" if isinstance(record, Dataset) else "code list"
                first = self._first.setdefault((what, record.identifier), record.uri)
                if first != record.uri:
                    event = Failed(
                        f"the {what} {record.identifier} is listed more than once (as {first} and {record.uri}); "
                        "the first was kept",
                        event.url,
                        record.identifier,
                        "identifier",
                    )
            out.append(event)
        return out

    def harvest_all(self) -> Iterator[Event]:
        previous = json.loads(self.state.get("pages", "{}"))
        pages: dict[str, list[object]] = {}
        mapped: list[Deferred] = []
        url: str | None = self.source.url
        since: str | None = self.state.get("since")
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
            head, page = self._page(fetched, partial(self._remember, pages, url))
            if not pages:
                since = cursor(head) or since
            following = next_page(head, url)
            pages[url] = [digest, following]  # and what it gave, once it is mapped (`_remember`)
            yield page
            mapped.append(page)
            url = following
        for page in mapped:
            page.settle()
        yield Complete()
        yield Checkpoint({"pages": json.dumps(pages), **({"since": since} if since else {})})

    @staticmethod
    def _remember(pages: dict[str, list[object]], url: str, events: list[Event]) -> list[Event]:
        """What the checkpoint keeps of a mapped page besides its digest and next page: the records
        it gave and the problems met, so an unchanged page is skipped next time and its problems
        reported again."""
        uris = [e.record.uri for e in events if isinstance(e, Harvested)]
        problems = [e for e in events if isinstance(e, Failed)]
        pages[url] = [*pages[url][:2], uris, saved_problems(problems)]
        return events
