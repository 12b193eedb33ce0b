"""DCAT feeds and dereferenceable URIs, with content negotiation.

- `/catalog` (`.ttl`, `.jsonld`, `.rdf`, `.nt`): one Hydra page of the catalogue (`catalog.feeds`),
  `?profile=`, `?page=`, `?page_size=`, `?modified_since=`; ETag / Last-Modified answered with
  304; `?page=all` or `/catalog/dump.nt` streams the whole catalogue as N-Triples.
- `/id/<path>` (the URIs harvesters mint) and `/resource?uri=` (any URI, e.g. a registry's own):
  303 to the HTML page for browsers, to the RDF description otherwise.
- `/datasets/<key>.ttl` (and the other suffixes), likewise for variables, code lists and
  `/record/<key>` (catalogue records).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, redirect, request
from rdflib import Graph
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response as BaseResponse  # what redirect() makes

from catalog import profiles
from catalog.export import MEDIA_TYPES, record_uri, serialize
from catalog.feeds import BadFeedRequest, FeedRequest, PageNotFound, Validators, dump, feed_page, validators
from catalog.lru import SizedLRU
from catalog.renderings import output_digest
from catalog.resources import Resource, describe
from web import store as _store
from web.metrics import cache_lookup, feed_request

bp = Blueprint("feeds", __name__)
PAGES = SizedLRU[bytes](32 * 2**20, len)
"""Feed pages as answered, by ETag: several harvesters (the EHDS, Felles datakatalog, other
instances) page through the same feed after the same change, and a page costs ~50 ms of CPU to
serialise, which under load waited behind every other request for the interpreter."""
SUFFIX = {"ttl": "turtle", "jsonld": "jsonld", "rdf": "xml", "nt": "nt"}
SUFFIX_OF = {fmt: suffix for suffix, fmt in SUFFIX.items()}
RDF_TYPES = list(MEDIA_TYPES.values())


def _settings() -> Any:
    return current_app.config["SETTINGS"]


KINDRED = {"application/json": "jsonld", "application/xml": "xml", "text/xml": "xml"}
"""Media types that are not RDF syntaxes but name the kind of one: a script asking JSON gets
JSON-LD, not Turtle it cannot read. Offered after the RDF types, so these win only when named."""


def negotiate(html: bool = False, page: bool = False) -> str | None:
    """The RDF format the client prefers (Turtle when it does not care), or None for HTML. With
    `page`, for a URI that is a page first (a permit of the register), HTML unless the client asks
    for RDF by name: HTML leads the offer and is the answer to no Accept or to anything."""
    if page:
        offered, default = ["text/html", *RDF_TYPES], "text/html"
    else:
        offered = [*RDF_TYPES[:1], "text/html", *RDF_TYPES[1:]] if html else list(RDF_TYPES)
        default = "text/turtle"
    accept = request.accept_mimetypes
    best = accept.best_match([*offered, *KINDRED]) if accept else default
    if best is None:
        abort(406, not_acceptable(offered))
    if best == "text/html":
        return None
    if best in KINDRED:
        return KINDRED[best]
    return {v: k for k, v in MEDIA_TYPES.items()}.get(best or "text/turtle", "turtle")


def not_acceptable(offered: list[str]) -> str:
    """What a client naming only syntaxes the catalogue cannot write is told: those it can. It was
    answered Turtle whatever it named (`application/trig`), which a strict client cannot tell from
    what it asked for."""
    kindred = ", ".join(f"{asked} gives {MEDIA_TYPES[fmt]}" for asked, fmt in KINDRED.items())
    return (
        f"None of the media types asked for can be given here; ask for one of {', '.join(offered)} "
        f"({kindred}), or anything (*/*) for {offered[0]}."
    )


def _format(suffix: str | None) -> str:
    if suffix is None:
        return negotiate() or "turtle"
    if suffix not in SUFFIX:
        abort(404, f"No such format .{suffix}; use one of {', '.join('.' + s for s in SUFFIX)}.")
    return SUFFIX[suffix]


def rdf_response(g: Graph, fmt: str) -> Response:
    """The graph in `fmt`, answering a conditional request by its body's ETag: `/uses.ttl`, a
    dataset's `label.ttl` and a resource's description were downloaded again on every poll."""
    response = Response(serialize(g, fmt), mimetype=MEDIA_TYPES[fmt])
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)  # the same object, made a 304 where the client has it
    return response


@bp.get("/catalog")
@bp.get("/catalog.<suffix>")
def catalog(suffix: str | None = None) -> BaseResponse:
    """A browser asking the feed's address (`Accept: text/html`) is sent to the catalogue's home
    page, as a browser following any other of its URIs is sent to the page (`_answer`): it was
    answered Turtle, which a browser offers to download."""
    fmt = _format(suffix) if suffix else negotiate(html=True)
    if fmt is None:
        response = redirect("/", code=303)
        response.headers["Vary"] = "Accept"
        return response
    if request.args.get("page") == "all":
        return catalog_dump(fmt)
    try:
        req = FeedRequest.from_args(request.args)
    except BadFeedRequest as exc:
        feed_request("-", fmt, "refused")
        abort(400, str(exc))
    settings = _settings()
    tags = validators(_store(), output_digest(settings), req, fmt, edited=settings.edited_at)

    def page() -> Response:
        key = (tags.etag, request.base_url)  # the ETag follows the store, the settings, the code, the request
        body = PAGES.get(key)
        cache_lookup("feed_pages", body is not None)
        if body is None:
            try:
                body = feed_page(_settings(), _store(), req, request.base_url, fmt)
            except PageNotFound as exc:
                feed_request(req.profile, fmt, "refused")
                abort(404, str(exc))
            PAGES.put(key, body)
            feed_request(req.profile, fmt, "rendered")
        else:
            feed_request(req.profile, fmt, "cached")
        return Response(body, mimetype=MEDIA_TYPES[fmt])

    response = _validated(tags, page, req.profile, fmt)
    response.headers["Vary"] = "Accept"
    return response


def _validated(tags: Validators, answer: Callable[[], Response], profile: str, fmt: str) -> Response:
    """`answer()` with the feed's validators, or a 304 where the client holds what it would say."""
    if not is_resource_modified(request.environ, etag=tags.etag, last_modified=tags.last_modified):
        feed_request(profile, fmt, "not_modified")
        response = Response(status=304)
    else:
        response = answer()
    response.set_etag(tags.etag)
    if tags.last_modified is not None:  # werkzeug writes the time of the answer for None
        response.last_modified = tags.last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/catalog/dump.nt")
def catalog_dump(fmt: str = "nt") -> Response:
    """Streamed: N-Triples is also Turtle, so it answers both; other syntaxes need the whole graph."""
    if fmt not in ("nt", "turtle"):
        feed_request("-", fmt, "refused")
        abort(406, "The whole catalogue streams as N-Triples (or Turtle); use the pages for JSON-LD or RDF/XML.")
    profile = request.args.get("profile", profiles.EHDS)
    if profile not in profiles.FEEDS:
        feed_request("-", fmt, "refused")
        abort(400, f"Unknown profile {profile!r}; choose one of {', '.join(profiles.FEEDS)}.")
    settings = _settings()
    tags = validators(_store(), output_digest(settings), profile, fmt, "dump", edited=settings.edited_at)

    def whole() -> Response:
        feed_request(profile, fmt, "dump")
        return Response(dump(settings, _store(), profile), mimetype=MEDIA_TYPES[fmt])

    return _validated(tags, whole, profile, fmt)  # the whole catalogue (15.6 MB for the demo) not sent again


def _answer(resource: Resource | None, suffix: str | None, see_other: bool) -> BaseResponse:
    """HTML -> 303 to the page; RDF -> the description, or a 303 to it from a thing's `/id/` URI."""
    if resource is None:
        abort(404, "The catalogue holds nothing about this URI.")
    fmt = _format(suffix) if suffix else negotiate(html=True)
    if fmt is None:
        return redirect(resource.html, code=303)
    if see_other:
        return redirect(f"/resource.{SUFFIX_OF[fmt]}?{urlencode({'uri': resource.uri})}", code=303)
    return rdf_response(resource.graph, fmt)


@bp.get("/id/<path:rest>")
def minted(rest: str) -> BaseResponse:
    """The URIs our harvesters mint (`Harvester.mint`), whatever host they name, resolve here."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    path = raw.split("?", 1)[0].split("/id/", 1)[1] if "/id/" in raw else quote(rest)
    uri = _settings().base_uri.rstrip("/") + "/id/" + path
    return _answer(describe(_settings(), _store(), uri), None, see_other=True)


@bp.get("/resource")
@bp.get("/resource.<suffix>")
def resource(suffix: str | None = None) -> BaseResponse:
    uri = request.args.get("uri", "")
    if not uri.startswith(("http://", "https://", "urn:")):
        abort(400, "Give the URI to describe as ?uri=http(s)://...")
    return _answer(describe(_settings(), _store(), uri), suffix, see_other=False)


@bp.get("/record/<key>")
@bp.get("/record/<key>.<suffix>")
def catalog_record(key: str, suffix: str | None = None) -> BaseResponse:
    return _answer(describe(_settings(), _store(), str(record_uri(_settings(), key))), suffix, see_other=False)


@bp.get("/hdab")
@bp.get("/harvest/<source>/run/<int:run>")
def own_resource(source: str = "", run: int = 0) -> BaseResponse:
    """The catalogue's access body and its harvest runs, which the feeds name at its address
    (`catalog.resources._own`): HTML goes to the EHDS page or the source's page."""
    path = f"/harvest/{source}/run/{run}" if source else "/hdab"
    return _answer(describe(_settings(), _store(), _settings().base_uri.rstrip("/") + path), None, see_other=False)


@bp.get("/datasets/<key>.<suffix>")
@bp.get("/codelists/<key>.<suffix>")
def record_document(key: str, suffix: str) -> BaseResponse:
    stored = _store().get_by_key(key)
    if stored is None:
        abort(404, f"No record with id {key}.")
    return _answer(describe(_settings(), _store(), stored.uri), suffix, see_other=False)


@bp.get("/variables/<key>.<suffix>")
def variable_document(key: str, suffix: str) -> BaseResponse:
    holder = _store().dataset_with_variable(key)  # its dataset's other variables unread
    uri = holder.dataset().variables[0].uri if holder else None
    if uri is None:
        abort(404, f"No variable with id {key}.")
    return _answer(describe(_settings(), _store(), uri), suffix, see_other=False)


def _register_parts() -> None:
    """The change feed and the SPARQL endpoint ride on this blueprint, so the app factory stays as it is."""
    from web import changes, sparql

    bp.register_blueprint(changes.bp)
    bp.register_blueprint(sparql.bp)


_register_parts()
