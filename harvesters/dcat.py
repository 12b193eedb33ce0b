"""DCAT-AP 3 / DCAT-AP-NO / HealthDCAT-AP feeds in any RDF syntax, one document or Hydra-paged.

Follows `hydra:next` (or the older `hydra:nextPage`) of a `hydra:PartialCollectionView` or
`hydra:PagedCollection`, whether the link is an IRI or a string literal. A page whose bytes did
not change since the last successful run is not parsed again: its records are reported present
from the checkpointed state, which is what makes an unchanged re-harvest cheap.

Pages are parsed by pyoxigraph (`catalog.rdfparse`), many times faster than rdflib. Parsing is
fenced: RDF/XML with a DOCTYPE or entity declaration is refused before it reaches an
XML parser (XXE, entity expansion), and JSON-LD remote contexts are never fetched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

from rdflib import Graph
from rdflib.namespace import RDF

from catalog.rdf import HYDRA, from_graph
from catalog.rdfparse import LightGraph, RdfSyntaxError, parse_rdf
from harvesters.base import Checkpoint, Complete, Event, Failed, Harvested, Harvester, Present, SourceError
from harvesters.http import Fetched

ACCEPT = ("text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/n-triples;q=0.7, "
          "text/n3;q=0.5, */*;q=0.1")
FORMATS = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "text/n3": "n3",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/n-triples": "nt", "text/plain": "nt", "application/n-quads": "nquads", "application/trig": "trig",
}
SUFFIXES = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld",
            ".nt": "nt", ".n3": "n3"}
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
        raise SourceError("refused RDF/XML with a DOCTYPE or entity declaration (possible XXE or entity "
                          "expansion attack)", url)
    if fmt == "json-ld":
        try:
            doc = json.loads(body)
        except json.JSONDecodeError as exc:
            raise SourceError(f"malformed JSON-LD: {exc.msg}", url, exc.lineno) from exc
        contexts = [c for d in (doc if isinstance(doc, list) else [doc]) if isinstance(d, dict)
                    for c in _as_list(d.get("@context"))]
        if any(isinstance(c, str) for c in contexts):
            raise SourceError("the JSON-LD uses a remote @context, which we never fetch; inline the context", url)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def parse(fetched: Fetched) -> LightGraph:
    """The page as a graph (parsed by pyoxigraph), or a SourceError naming URL and line."""
    fmt = guess_format(fetched.url, fetched.content_type, fetched.content)
    check_safe(fmt, fetched.content, fetched.url)
    data = fetched.text()
    try:
        return parse_rdf(data, fmt, base_iri=fetched.url)
    except RdfSyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"the feed is not valid {fmt} RDF ({message[:300]})", fetched.url, exc.line) from exc


def next_page(g: LightGraph | Graph, url: str) -> str | None:
    for view in (*g.subjects(RDF.type, HYDRA.PartialCollectionView), *g.subjects(RDF.type, HYDRA.PagedCollection)):
        for prop in (HYDRA.next, HYDRA.nextPage):
            target = g.value(view, prop)
            if target is not None and str(target) != url:
                return str(target)
    return None


class DcatHarvester(Harvester):
    kind = "dcat"

    def harvest(self) -> Iterator[Event]:
        previous = json.loads(self.state.get("pages", "{}"))
        pages: dict[str, list[object]] = {}
        url: str | None = self.source.url
        while url and len(pages) < MAX_PAGES:
            if url in pages:
                raise SourceError("the feed's paging links form a loop", url)
            fetched = self.http.get(url, accept=self.source.options.get("accept", ACCEPT))
            digest = hashlib.sha256(fetched.content).hexdigest()
            old = previous.get(url)
            if old and old[0] == digest:
                pages[url] = old
                yield from (Present(uri) for uri in old[2])
                url = old[1]
                continue
            g = parse(fetched)
            records, problems = from_graph(g)
            for record_uri, field, message in problems:
                yield Failed(message, fetched.url, record_uri, field)
            for record in records:
                yield Harvested(record, fetched.url)
            following = next_page(g, url)
            pages[url] = [digest, following, [r.uri for r in records]]
            url = following
        yield Complete()
        yield Checkpoint({"pages": json.dumps(pages)})

