"""DCAT feeds: the catalogue with content negotiation (Turtle by default)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from catalog.export import MEDIA_TYPES, PROFILES, catalog_graph, serialize

bp = Blueprint("feeds", __name__)
SUFFIX = {"ttl": "turtle", "jsonld": "jsonld", "rdf": "xml", "nt": "nt"}


def negotiate() -> str:
    best = request.accept_mimetypes.best_match(
        ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"], default="text/turtle")
    return {v: k for k, v in MEDIA_TYPES.items()}.get(best or "text/turtle", "turtle")


@bp.get("/catalog")
@bp.get("/catalog.<suffix>")
def catalog(suffix: str | None = None) -> Response:
    if suffix is not None and suffix not in SUFFIX:
        abort(404)
    fmt = SUFFIX[suffix] if suffix else negotiate()
    profile = request.args.get("profile", "healthdcat-ap")
    if profile not in PROFILES:
        abort(400, f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}.")
    g = catalog_graph(current_app.config["SETTINGS"], current_app.extensions["store"], profile)
    response = Response(serialize(g, fmt), mimetype=MEDIA_TYPES[fmt])
    response.headers["Vary"] = "Accept"
    return response
