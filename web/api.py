"""JSON API under /api: the same data as the pages, for scripts and other catalogues."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from catalog.search import Hit
from web.explorer import PAGE_SIZE, query_from_args, search_backend

bp = Blueprint("api", __name__, url_prefix="/api")


def hit_json(h: Hit) -> dict[str, Any]:
    d = h.doc
    return {"id": h.key, "uri": d.get("uri"), "type": d.get("type"), "name": d.get("name"), "label": d.get("label"),
            "description": d.get("description"), "dataset": d.get("dataset_title"), "dataset_id": d.get("dataset_key"),
            "source": d.get("source"), "source_title": d.get("source_title"), "datatype": d.get("datatype"),
            "period": [d.get("period_start"), d.get("period_end")], "score": round(h.score, 4),
            "highlights": h.highlights}


@bp.get("/search")
def search():  # type: ignore[no-untyped-def]
    q = query_from_args()
    result = search_backend().search(q)
    return jsonify({"query": request.args.get("q", ""), "type": q.type, "total": result.total,
                    "page": q.offset // PAGE_SIZE + 1, "page_size": PAGE_SIZE,
                    "hits": [hit_json(h) for h in result.hits],
                    "facets": {name: [{"value": v, "count": c} for v, c in buckets]
                               for name, buckets in result.facets.items()}})


@bp.get("/suggest")
def suggest():  # type: ignore[no-untyped-def]
    return jsonify({"q": request.args.get("q", ""), "suggestions": search_backend().suggest(request.args.get("q", "")[:100])})
