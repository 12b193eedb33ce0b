"""HTML pages for researchers: search with facets, variable, dataset and code list pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from catalog.model import CodeList, Dataset, key_for, text
from catalog.search import FACETS, DOC_TYPES, SearchQuery

bp = Blueprint("explorer", __name__)
PAGE_SIZE = 20
MAX_OFFSET = 10_000


def store() -> Any:
    return current_app.extensions["store"]


def search_backend() -> Any:
    return current_app.extensions["search"]


def query_from_args() -> SearchQuery:
    """The search state lives in the URL: q, type, sort, page and one parameter per facet."""
    args = request.args
    try:
        page = max(1, min(int(args.get("page", 1)), MAX_OFFSET // PAGE_SIZE))
    except ValueError:
        page = 1
    kind = args.get("type", "variable")
    return SearchQuery(text=args.get("q", "")[:200], type=kind if kind in DOC_TYPES else "variable",
                       filters={f: args.getlist(f) for f in FACETS if args.getlist(f)},
                       sort="name" if args.get("sort") == "name" else "relevance",
                       offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)


@bp.app_template_global()
def facet_args(name: str, value: str, active: bool) -> dict[str, Any]:
    """URL parameters of the current search with one facet value toggled (page reset)."""
    args: dict[str, Any] = {k: request.args.getlist(k) for k in request.args if k != "page"}
    values = [v for v in args.get(name, []) if v != value]
    args[name] = values if active else [*values, value]
    return args


@bp.get("/")
@bp.get("/search")
def search() -> str:
    q = query_from_args()
    result = search_backend().search(q)
    return render_template("search.html", q=q, result=result, facets=FACETS, page=q.offset // PAGE_SIZE + 1,
                           pages=max(1, -(-result.total // PAGE_SIZE)))


def _stored(key: str, kind: type) -> Any:
    stored = store().get_by_key(key)
    if stored is None or not isinstance(stored.record, kind):
        abort(404, f"No record with id {key}.")
    return stored


@bp.get("/datasets/<key>")
def dataset(key: str) -> str:
    stored = _stored(key, Dataset)
    return render_template("dataset.html", stored=stored, d=stored.record, text=text, key_for=key_for)


@bp.get("/variables/<key>")
def variable(key: str) -> str:
    stored = store().dataset_of_variable(key)
    v = next((v for v in stored.record.variables if key_for(v.uri) == key), None) if stored else None
    if v is None:
        abort(404, f"No variable with id {key}.")
    codelist = store().get(v.codelist) if v.codelist else None
    return render_template("variable.html", stored=stored, d=stored.record, v=v, codelist=codelist, text=text,
                           key_for=key_for)


@bp.get("/codelists/<key>")
def codelist(key: str) -> str:
    stored = _stored(key, CodeList)
    return render_template("codelist.html", stored=stored, cl=stored.record, text=text)
