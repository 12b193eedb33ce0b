"""The catalogue as a harvestable feed: Hydra pages, incremental `modified_since`, validators, a dump.

Other catalogues (the EU central platform, Felles datakatalog, another instance of this one)
harvest us page by page. Pages list records in URI order; each carries the dcat:Catalog with
its dct:modified (the store's latest change) and a hydra:PartialCollectionView with first,
previous, next and last as IRIs. A `hydra:search` template advertises `modified_since`: a
harvester that keeps the catalogue's dct:modified from one run asks for what changed after it in
the next, and gets the changed records plus a tombstone (a catalogue record with adms:status
deleted) for each record that left the feed. The ETag and Last-Modified of a page derive from
the store's version, so an unchanged page costs a 304 and one SQL query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, XSD

from catalog import profiles
from catalog.config import Settings
from catalog.rdf import HYDRA, PREFIX_IRIS, TripleSink, TripleWriter, stable_bnode
from catalog.renderings import FRAGMENTS
from catalog.store import StoredRecord, StoreReader

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class BadFeedRequest(ValueError):
    """A feed parameter that cannot be used; the message names it and says what is allowed."""


class PageNotFound(LookupError):
    pass


def parse_since(value: str) -> str:
    """An ISO 8601 date or date-time as the store writes its timestamps (UTC, microseconds).

    A date-time without an offset is taken as UTC; a date as its midnight UTC.
    """
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise BadFeedRequest(
            f"modified_since={value!r} is not an ISO 8601 date or date-time (e.g. 2025-03-01 or 2025-03-01T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _positive(args: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadFeedRequest(f"{name}={raw!r} must be a whole number from 1")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadFeedRequest(f"{name}={value} is larger than the maximum {maximum}")
    return value


@dataclass(frozen=True)
class FeedRequest:
    """What a feed page shows; `query()` is its canonical query string (defaults left out)."""

    profile: str = profiles.EHDS
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    modified_since: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> FeedRequest:
        profile = args.get("profile") or cls.profile
        try:
            profiles.get(profile)
        except profiles.UnknownProfile as exc:
            raise BadFeedRequest(str(exc)) from None
        since = args.get("modified_since")
        return cls(
            profile=profile,
            page=_positive(args, "page", 1),
            page_size=_positive(args, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
            modified_since=parse_since(since) if since else None,
        )

    def query(self) -> str:
        params: dict[str, object] = {}
        if self.profile != FeedRequest.profile:
            params["profile"] = self.profile
        if self.modified_since:
            params["modified_since"] = self.modified_since
        if self.page_size != DEFAULT_PAGE_SIZE:
            params["page_size"] = self.page_size
        params["page"] = self.page
        return urlencode(params)


@dataclass(frozen=True)
class Validators:
    """ETag and Last-Modified of a feed response, from the store's version and what else the bytes
    are made from (`validators`); no Last-Modified (None) until a writer has seen the latter."""

    etag: str
    last_modified: datetime | None


def validators(store: StoreReader, output: str, *parts: object, edited: datetime | None = None) -> Validators:
    """Changes with every write that alters a record, with `output` (`renderings.output_digest`:
    what else the bytes are made from) and with every part of the request (`parts`).

    Last-Modified is the latest of the store's last write, `edited` (the operator's settings) and
    when a writer first saw `output` (`StoreWriter.saw_output`). A setting changed by its
    environment variable moves no date the web can see, so a harvester asking If-Modified-Since
    alone was answered 304 and kept the old bytes; until a writer has recorded this `output` the
    answer has no Last-Modified at all, and If-Modified-Since is not answered 304 (the ETag is)."""
    modified = store.version()
    about = (modified, (output, *parts))  # as before `output` was named: the ETags harvesters hold stay valid
    digest = hashlib.sha256(repr(about).encode()).hexdigest()[:32]
    seen = store.output_seen()
    if seen is None or seen[0] != output:
        return Validators(digest, None)
    last = max(datetime.fromisoformat(at) for at in (seen[1], modified) if at)
    if edited is not None and edited > last:
        last = edited
    return Validators(digest, last.replace(microsecond=0))


OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
}
OX_PREFIXES = PREFIX_IRIS


def render(statements: bytes, fmt: str) -> bytes:
    """Statements as `TripleSink.turtle` writes them (possibly repeating triples) in one of
    export.SERIALIZERS' formats, each triple once.

    Those lines are N-Triples too, and equal triples are equal lines, so repeats are dropped as
    lines and the rest streams from pyoxigraph's parser into its serialiser: a page's triples
    never become a Python collection of terms (that was a third of a feed page's time)."""
    lines = dict.fromkeys(statements.splitlines(keepends=True))
    triples = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=OX_FORMATS[fmt], prefixes=None if fmt == "nt" else OX_PREFIXES) or b""


def feed_page(settings: Settings, store: StoreReader, req: FeedRequest, feed_url: str, fmt: str = "turtle") -> bytes:
    """One page of the feed; `feed_url` is where the feed is served (links are built on it)."""
    modified = store.version()
    profile = profiles.get(req.profile)
    head = TripleSink()
    cat = profile.add_catalog(head, settings, modified)
    incremental = req.modified_since is not None
    total, rows = store.listing(
        offset=(req.page - 1) * req.page_size,
        limit=req.page_size,
        changed_since=req.modified_since,
        include_deleted=incremental,  # records that left the feed come as tombstones
        conforming_kinds=() if incremental else profile.checked_kinds,
        referenced_kinds=() if incremental else profile.referenced_kinds,
    )
    last = max(1, -(-total // req.page_size))
    if req.page > last:
        raise PageNotFound(f"page {req.page} does not exist; the feed has {last} page(s) of {req.page_size}")
    add_paging(head, cat, req, total, feed_url)
    body = [head.turtle(), *FRAGMENTS.fragments(settings, store, rows, req.profile, cat)]
    return render(b"".join(body), fmt)


def add_paging(g: TripleWriter, collection: URIRef, req: FeedRequest, total: int, feed_url: str) -> None:
    """Hydra: the collection, this page's view with its neighbours, and the search template."""
    last = max(1, -(-total // req.page_size))
    add_view(g, collection, req.page, last, total, lambda page: f"{feed_url}?{replace(req, page=page).query()}")
    template = stable_bnode(collection, HYDRA.search)
    g.add((collection, HYDRA.search, template))
    g.add((template, RDF.type, HYDRA.IriTemplate))
    g.add((template, HYDRA.template, Literal(feed_url + "{?profile,page,page_size,modified_since}")))
    g.add((template, HYDRA.variableRepresentation, HYDRA.BasicRepresentation))
    for variable, prop in (("modified_since", DCT.modified), ("page", None), ("page_size", None), ("profile", None)):
        mapping = stable_bnode(collection, HYDRA.search, variable)
        g.add((template, HYDRA.mapping, mapping))
        g.add((mapping, RDF.type, HYDRA.IriTemplateMapping))
        g.add((mapping, HYDRA.variable, Literal(variable)))
        g.add((mapping, HYDRA.required, Literal(False)))
        if prop is not None:
            g.add((mapping, HYDRA.property, prop))


def add_view(g: TripleWriter, collection: URIRef, page: int, last: int, total: int, link: Callable[[int], str]) -> None:
    """A hydra:PartialCollectionView of `collection` for `page`, its neighbours as IRIs made by `link`."""
    g.add((collection, RDF.type, HYDRA.Collection))
    g.add((collection, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    view = URIRef(link(page))
    g.add((collection, HYDRA.view, view))
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.first, URIRef(link(1))))
    g.add((view, HYDRA.last, URIRef(link(last))))
    if page > 1:
        g.add((view, HYDRA.previous, URIRef(link(page - 1))))
    if page < last:
        g.add((view, HYDRA.next, URIRef(link(page + 1))))


def dump(settings: Settings, store: StoreReader, profile: str) -> Iterator[bytes]:
    """The whole feed as N-Triples (also valid Turtle), written in batches of records in constant memory."""
    chosen = profiles.get(profile)
    head = TripleSink()
    cat = chosen.add_catalog(head, settings, store.version())
    yield render(head.turtle(), "nt")
    batch: list[StoredRecord] = []
    for stored in store.records(conforming_kinds=chosen.checked_kinds, referenced_kinds=chosen.referenced_kinds):
        if chosen.includes(stored):
            batch.append(stored)
        if len(batch) >= 50:
            yield render(b"".join(FRAGMENTS.fragments(settings, store, batch, profile, cat, keep=False)), "nt")
            batch = []
    if batch:
        yield render(b"".join(FRAGMENTS.fragments(settings, store, batch, profile, cat, keep=False)), "nt")
