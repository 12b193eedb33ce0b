"""Central registries as DCAT-AP-NO / HealthDCAT-AP feeds: Turtle by default, conneg, Hydra paging.

`GET /dcat/<source>/catalog[.ttl|.rdf|.jsonld|.nt]?page=N&page_size=M&modified_since=ISO`.
Items are the source's datasets then its code lists (skos:ConceptScheme); each page is a
dcat:Catalog naming its datasets. Paging is a `hydra:PartialCollectionView` with IRI links,
except on sources with option paging=ckanext-dcat, which use ckanext-dcat's
`hydra:PagedCollection` with string-literal links (both `next` and the deprecated `nextPage`).
Pages are 1-based, as in ckanext-dcat.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD
from rdflib.namespace import DCTERMS as DCT
from werkzeug.datastructures import MIMEAccept
from werkzeug.wrappers import Request

from catalog import rdf
from catalog.model import Dataset
from simulator import marketplace
from simulator.nation import Source, moment
from simulator.triples import Triples, write
from simulator.wire import BadRequest, Context, Reply

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
FORMATS = {  # media type -> (rdflib format, wire fmt, suffix)
    "text/turtle": ("turtle", "turtle", "ttl"),
    "application/rdf+xml": ("xml", "xml", "rdf"),
    "application/ld+json": ("json-ld", "jsonld", "jsonld"),
    "application/n-triples": ("nt", "nt", "nt"),
}
SUFFIXES = {suffix: media for media, (_f, _w, suffix) in FORMATS.items()}


def choose_media(suffix: str | None, accept: MIMEAccept, forced_xml: bool) -> str:
    if forced_xml:
        return "application/rdf+xml"
    if suffix:
        if suffix not in SUFFIXES:
            raise BadRequest(f"unknown format suffix .{suffix}; use one of {', '.join(SUFFIXES)}")
        return SUFFIXES[suffix]
    best = accept.best_match(list(FORMATS), default="text/turtle")
    return best or "text/turtle"


def _int(args: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def feed(
    ctx: Context, source: Source, path: str, args: dict[str, str], suffix: str | None, accept: MIMEAccept
) -> Reply:
    nation = ctx.nation
    forced_xml = ctx.fault_is(source.name, "xxe", "entity_expansion")
    media = choose_media(suffix, accept, forced_xml)
    page = _int(args, "page", 1, 1, 10**9)
    size = _int(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    since = args.get("modified_since")
    if since:
        try:
            floor = datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest(f"modified_since must be an ISO 8601 date or date-time, not {since!r}") from None
        if floor.tzinfo is None:
            floor = floor.replace(tzinfo=nation.modified(source, 0).tzinfo)
    items: list[tuple[str, int]] = [
        ("dataset", i) for i in nation.dataset_indices(source) if not since or nation.modified(source, i) >= floor
    ]
    items += [
        ("codelist", p)
        for p in range(len(nation.codelist_keys(source)))
        if not since or moment(nation.codelist(source, p).modified) >= floor
    ]
    total = len(items)
    last = max(1, -(-total // size))
    chosen = items[(page - 1) * size : page * size]

    g = Triples()
    catalog = URIRef(f"https://{source.org.domain}/katalog/{source.name}")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCT.title, Literal(f"Datakatalog for {source.title}", lang="nb")))
    g.add((catalog, DCT.description, Literal(f"Datasett og kodeverk fra {source.title}.", lang="nb")))
    g.add((catalog, DCT.identifier, Literal(source.name)))
    g.add((catalog, DCT.publisher, URIRef(f"https://data.brreg.no/enhetsregisteret/api/enheter/{source.org.orgnr}")))
    datasets: list[Dataset] = []
    for kind, n in chosen:
        if kind == "dataset":
            datasets.append(nation.dataset(source, n))
        else:
            rdf.add_codelist(g, nation.codelist(source, n))
    if datasets and page == 1 and ctx.fault_is(source.name, "duplicate_ids"):
        twin = nation.dataset(source, nation.dataset_indices(source)[0])
        twin.uri += "-kopi"
        twin.title = {lang: f"{t} (kopi)" for lang, t in twin.title.items()}
        for v in twin.variables:
            v.uri = v.uri.replace(twin.uri.removesuffix("-kopi"), twin.uri)
        datasets.append(twin)
    for d in datasets:
        g.add((catalog, DCAT.dataset, rdf.add_dataset(g, d)))
    if page == 1 and not since:  # the services and products of the catalogue come with its first page
        for service in marketplace.services(nation, source):
            g.add((catalog, DCAT.service, rdf.add_service(g, service)))
        for product in marketplace.products(nation, source):
            rdf.add_product(g, product)
    _paging(g, ctx.base + path, args, page, last, total, size, source.options.get("paging") == "ckanext-dcat")
    rdflib_format, wire_fmt, _suffix = FORMATS[media]
    body = write(g, rdflib_format, rdf.PREFIX_IRIS)
    return Reply(body, f"{media}; charset=utf-8", wire_fmt, source.name)


def _paging(
    g: Triples, url: str, args: dict[str, str], page: int, last: int, total: int, size: int, literal_links: bool
) -> None:
    def page_url(n: int) -> str:
        return f"{url}?{urlencode({**args, 'page': n})}"

    me = URIRef(page_url(page))
    link = (lambda n: Literal(page_url(n))) if literal_links else (lambda n: URIRef(page_url(n)))
    if literal_links:
        g.add((me, RDF.type, rdf.HYDRA.PagedCollection))
        pairs = [(rdf.HYDRA.first, rdf.HYDRA.firstPage, 1), (rdf.HYDRA.last, rdf.HYDRA.lastPage, last)]
        if page < last:
            pairs.append((rdf.HYDRA.next, rdf.HYDRA.nextPage, page + 1))
        if page > 1:
            pairs.append((rdf.HYDRA.previous, rdf.HYDRA.previousPage, page - 1))
        for new, old, n in pairs:
            g.add((me, new, link(n)))
            g.add((me, old, link(n)))
        g.add((me, rdf.HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
        g.add((me, rdf.HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
        return
    collection = URIRef(url)
    g.add((collection, RDF.type, rdf.HYDRA.Collection))
    g.add((collection, rdf.HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((collection, rdf.HYDRA.view, me))
    g.add((me, RDF.type, rdf.HYDRA.PartialCollectionView))
    g.add((me, rdf.HYDRA.first, link(1)))
    g.add((me, rdf.HYDRA.last, link(last)))
    if page < last:
        g.add((me, rdf.HYDRA.next, link(page + 1)))
    if page > 1:
        g.add((me, rdf.HYDRA.previous, link(page - 1)))


def catalog(ctx: Context, request: Request, name: str, suffix: str | None = None) -> Reply:
    source = ctx.nation.source(name)
    if source.kind != "dcat":
        raise KeyError(f"{name} is not a DCAT source")
    return feed(ctx, source, request.path, dict(request.args), suffix, request.accept_mimetypes)


ROUTES = [("/dcat/<name>/catalog", catalog), ("/dcat/<name>/catalog.<suffix>", catalog)]
