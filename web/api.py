"""JSON API under /api: the same data as the pages (the same `*_view` functions), for scripts.

Described by OpenAPI 3 at /api/openapi.json (web/openapi.py); a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from catalog.export import as_published
from catalog.model import Dataset, key_for, to_dict
from catalog.search import DOC_TYPES, SORTS, BadQuery, Hit, SearchQuery, suggestions
from catalog.search.years import YEAR_FILTER, covering, listed
from web import basket, distribution, marketplace, samples
from web.compare import MAX_COMPARED, compared, comparison_rows
from web.explorer import (
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY,
    PAGE_SIZE,
    dataset_view,
    each_word,
    last_seen,
    query_from_args,
    search_backend,
    search_view,
    variable_view,
    wider_code,
)
from web.i18n import current
from web.label import label_json
from web.openapi import spec
from web.quality import score_parts
from web.sources import source_view, summaries
from web.topics import tiles
from web.uses import use_json

bp = Blueprint("api", __name__, url_prefix="/api")


def hit_json(h: Hit) -> dict[str, Any]:
    d = h.doc
    return {
        "id": h.key,
        "uri": d.get("uri"),
        "type": d.get("type"),
        "name": d.get("name"),
        "label": d.get("label"),
        "labels": d.get("labels") or {},
        "description": d.get("description"),
        "descriptions": d.get("descriptions") or {},
        "dataset": d.get("dataset_title"),
        "dataset_titles": d.get("dataset_titles") or _one_title(d),
        "dataset_id": d.get("dataset_key"),
        "source": d.get("source"),
        "source_title": d.get("source_title"),
        "datatype": d.get("datatype"),
        "period": [d.get("period_start"), d.get("period_end")],
        "score": round(h.score, 4),
        "highlights": h.highlights,
        "matched_codes": [{"code": code, "label": label} for code, label in h.matched_codes],
        "may_hold": h.may_hold,
        "codelist_id": d.get("codelist_key"),
        "group": d.get("group"),
        "group_size": h.group_size,
        "members": h.members,
        "group_period": list(h.period),
    }


def _one_title(doc: dict[str, Any]) -> dict[str, str]:
    """A variable's dataset's title by language when it has one title (`dataset_titles` is
    indexed only for several)."""
    title = doc.get("dataset_title")
    return {doc.get("dataset_title_lang") or "nb": title} if title else {}


def _one_of(name: str, values: tuple[str, ...]) -> None:
    raw = request.args.get(name, "")
    if raw and raw not in values:
        abort(400, f"{name}={raw!r} is not one of: {', '.join(values)}")


def _whole(name: str, default: int, least: int, most: int, beyond: str) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name}={raw!r} is not a whole number (from {least} to {most})")
    if not least <= value <= most:
        abort(400, f"{name}={value} is out of range: from {least} to {most}{beyond}")
    return value


def search_query() -> SearchQuery:
    """The search the API was asked for, or 400 problem details naming the parameter at fault and
    the values it takes. A script's mistake (`type=datasets`, `page=0`) answered with the defaults
    looks like an answer and is used as one; the pages stay forgiving (`query_from_args`). A
    `limit` above the maximum is refused too, as the feeds' `page_size` and the samples' `rows`
    are: a page shorter than asked for is read as the last one."""
    _one_of("type", DOC_TYPES)
    _one_of("sort", SORTS)
    _one_of("grouped", ("0", "1"))
    if len(request.args.get("q", "")) > MAX_QUERY:  # the page searches its start and says so
        abort(400, f"q is {len(request.args['q'])} characters long: at most {MAX_QUERY} are searched")
    try:
        covering(listed(request.args.getlist(YEAR_FILTER)))  # empty: none, as for type=
    except BadQuery as exc:
        abort(400, str(exc))
    limit = _whole("limit", PAGE_SIZE, 1, MAX_LIMIT, "")
    _whole("page", 1, 1, MAX_OFFSET // limit, f" (the first {MAX_OFFSET:,} hits, at limit={limit})")
    return query_from_args(page_size=limit)


@bp.get("/search")
def search() -> Response:
    """A search, as the page makes it. Words past what one search holds are left out as on the
    page, and named (`left_out_words`), not refused (400): where the cut falls depends on the
    words' synonyms and codes (`catalog.search.results.fitting`), which a script cannot count to
    shorten its text itself, and every other way a search differs from its words (`any_words`,
    `split_words`, `typo_words`) is a field too. A text past `MAX_QUERY` characters, which a
    script can check, is still refused."""
    view = search_view(search_query(), links=False)
    q, result = view.query, view.result
    return jsonify(
        {
            "query": q.text,
            "type": q.type,
            "sort": q.sort,
            "filters": q.filters,
            "total": result.total,
            "total_estimated": view.estimated,
            "page": view.page,
            "pages": view.pages,
            "page_size": q.limit,
            "other_type_total": view.other_total,
            "type_totals": {kind: view.totals[kind] for kind in DOC_TYPES},
            "typos_tolerated": bool(result.typos),
            "typo_edits": result.typos,
            "typo_words": list(result.typo_words),
            "corrected": list(result.corrected),
            "any_words": result.any_words,
            "optional_words": list(result.optional_words),
            "broader_codes": [{"code": code, "broader": parent} for code, parent in result.broader_codes],
            "split_words": [{"word": word, "parts": parts} for word, parts in result.split_words],
            "synonyms": [{"words": words, "also": list(also)} for words, also in result.synonyms],
            "related": [{"words": words, "also": list(also)} for words, also in result.related],
            "wider_code": asdict(wider) if (wider := wider_code(q, result)) else None,
            "each_word": [asdict(one) for one in each_word(q, result)],
            "left_out_words": list(result.left_out),
            "no_words": result.no_words,
            "grouped": result.grouped,
            "hits": [hit_json(h) for h in result.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in buckets] for name, buckets in result.facets.items()},
        }
    )


@bp.get("/suggest")
def suggest() -> Response:
    prefix = request.args.get("q", "")[:100]
    return jsonify({"q": prefix, "suggestions": suggestions(search_backend(), prefix, 10)})


def route_json(route: Any) -> dict[str, Any]:
    lang = current()
    return {
        "id": route.id,
        "name": route.name(lang),
        "body": route.body,
        "url": route.link(lang),
        "steps": list(route.steps_in(lang)),
        "linkage": route.linkage_in(lang),
    }


def provenance(stored: Any, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "source": stored.source,
        "fetched_from": stored.fetch_url,
        "first_seen": stored.first_seen,
        "last_changed": stored.last_changed,
        "last_seen": last_seen(stored),
        "run": stored.run_id,
        "history": history,
    }


@bp.get("/variables/<key>")
def variable(key: str) -> Response:
    view = variable_view(key, without_search=True)  # what the store says, while search cannot answer
    d = view.dataset.record
    cl = view.codelist.codelist() if view.codelist else None
    return jsonify(
        {
            "id": key,
            **to_dict(view.variable),
            "dataset": {"id": key_for(d.uri), "uri": d.uri, "title": d.title},
            "codelist": None
            if cl is None
            else {
                "id": key_for(cl.uri),
                "uri": cl.uri,
                "title": cl.title,
                "coding_system": view.system,
                "codes": [to_dict(c) for c in cl.concepts],
            },
            **distribution.as_json(view.counts, view.frequencies),
            "equivalents": {
                "same_source": [hit_json(h) for h in view.equivalents.same_source],
                "other_sources": [hit_json(h) for h in view.equivalents.other_sources],
                "identifier": view.equivalents.identifier,
            },
            "related": [hit_json(h) for h in view.related],
            "searched": view.searched,
            "topics": [t.id for t in view.topics],
            "access_route": route_json(view.route),
            "provenance": provenance(view.dataset, view.history),
            "validation": {"dataset_conforms": view.dataset.conforms, "findings": view.findings},
        }
    )


def _sample_of(key: str) -> Dataset:
    stored = dataset_view(key).stored
    settings = current_app.config["SETTINGS"]
    return as_published(stored.record, settings, settings.sources.get(stored.source))  # type: ignore[return-value]


@bp.get("/datasets/<key>/synthetic.csv")
def synthetic_csv(key: str) -> Response:
    """A synthetic sample of the dataset (web/samples.py): rows=N (at most 10,000), seed=S."""
    return samples.csv_response(_sample_of(key))


@bp.get("/datasets/<key>/synthetic.xlsx")
def synthetic_xlsx(key: str) -> Response:
    """The same sample as a workbook whose first sheet says it is synthetic."""
    return samples.xlsx_response(_sample_of(key))


@bp.get("/datasets/<key>")
def dataset(key: str) -> Response:
    view = dataset_view(key)
    record = to_dict(view.stored.record)
    record["variables"] = [{"id": key_for(v.uri), **to_dict(v)} for v in view.stored.dataset().variables]
    return jsonify(
        {
            "id": key,
            **record,
            "provenance": provenance(view.stored, view.history),
            "validation": {"conforms": view.stored.conforms, "findings": view.findings},
            "quality": score_parts(view.quality),
            "ehds": {
                "in_feed": view.readiness.in_feed,
                "completed": [asdict(c) for c in view.readiness.completed],
                "missing": view.readiness.to_dict()["missing"],
            },
            "services": [marketplace.offer_json(s) for s in view.services],
            "products": [marketplace.offer_json(p) for p in view.products],
            "minimum": {"missing": view.missing},
            "label": label_json(view.label, current_app.config["SETTINGS"], key) if view.label else None,
            "uses": [use_json(u) for u in view.uses],
        }
    )


@bp.get("/uses")
def uses() -> Response:
    """The data use register, filtered as the /uses page is (q, organisation, year, dataset)."""
    from web.uses import uses_view

    view = uses_view()
    return jsonify(
        {
            "total": view.total,
            "filters": {k: v for k, v in view.filters.items() if v},
            "uses": [use_json(u, view.titles) for u in view.uses],
        }
    )


@bp.get("/confirmations")
def confirmations() -> Response:
    """When each source and publisher last confirmed its descriptions (`?overdue=1`: those overdue)."""
    from web.confirmations import confirmations_json

    return jsonify({"holders": confirmations_json()})


def summary_json(s: Any) -> dict[str, Any]:
    return {
        "name": s.name,
        "title": s.title,
        "category": s.category,
        "protocol": s.protocol,
        "url": s.url,
        "datasets": s.datasets,
        "codelists": s.codelists,
        "variables": s.variables,
        "records": s.records,
        "conforming_records": s.conforming,
        "conformance_percent": s.conformance,
        "last_run": asdict(s.last_run) if s.last_run else None,
    }


@bp.get("/sources")
def sources() -> Response:
    return jsonify({"sources": [summary_json(s) for s in summaries()]})


@bp.get("/sources/<name>")
def source(name: str) -> Response:
    view = source_view(name)
    return jsonify(
        {
            **summary_json(view.summary),
            "runs": [asdict(r) for r in view.runs],
            "live_records": view.conformance[0],
            "nonconforming_now": view.conformance[1],
            "errors_run": view.errors_run.id if view.errors_run else None,
            "errors": [asdict(e) for e in view.errors],
            "findings": [
                {"severity": s, "path": p, "message": m, "count": n, "hint": view.hints.get((s, p, m), "")}
                for s, p, m, n in view.findings
            ],
            "quality": score_parts(view.quality),
        }
    )


@bp.get("/basket/export")
def basket_export() -> Response:
    """The basket exports for a selection given as ids=a,b,c (the API keeps no state)."""
    keys = basket.parse_keys(request.args.getlist("ids"))
    return basket.export(basket.selection(keys), request.args.get("format", "json"))


@bp.get("/compare")
def compare() -> Response:
    """The comparison page's rows: each fact of the variables side by side, and whether they agree."""
    keys = basket.parse_keys(request.args.getlist("ids"))[:MAX_COMPARED]
    items, missing = compared(keys)
    return jsonify(
        {
            "ids": [c.key for c in items],
            "missing": missing,
            "rows": [
                {"name": row.name, "same": row.same, "values": [v[0] if v else None for v in row.values]}
                for row in comparison_rows(items, current())
            ],
        }
    )


@bp.get("/topics")
def topics() -> Response:
    lang = current()
    return jsonify(
        {
            "topics": [
                {
                    "id": t.topic.id,
                    "name": t.topic.name(lang),
                    "description": t.topic.description(lang),
                    "variables": t.variables,
                    "datasets": t.datasets,
                }
                for t in tiles()
            ]
        }
    )


@bp.get("/marketplace")
def offers() -> Response:
    """The marketplace with the page's filters (kind, type, price_model, provider; repeat: OR)."""
    view = marketplace.market_view()
    return jsonify(
        {
            "filters": view.chosen,
            "total": len(view.offers),
            "entries": [marketplace.offer_json(o.stored) for o in view.offers],
            "facets": {
                name: [{"value": f.value, "count": f.count} for f in links] for name, links in view.facets.items()
            },
        }
    )


@bp.get("/services/<key>")
def service(key: str) -> Response:
    view = marketplace.service_view(key)
    return jsonify(marketplace.offer_json(view.stored, view.datasets))


@bp.get("/products/<key>")
def product(key: str) -> Response:
    view = marketplace.product_view(key)
    return jsonify(marketplace.offer_json(view.stored, view.datasets))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec(request.host_url.rstrip("/")))
