"""Result rules every backend applies the same way: which pages may be asked for, facet order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from catalog.search import SORTS, BadQuery, SearchQuery, SearchResult
from catalog.search.analysis import MAX_WINDOW, QueryPlan


def check_page(q: SearchQuery) -> None:
    """Refuse pages no backend can serve, with the same message everywhere."""
    if q.offset < 0 or q.limit < 0:
        raise BadQuery("offset and limit must not be negative")
    if q.offset + q.limit > MAX_WINDOW:
        raise BadQuery(f"results beyond the first {MAX_WINDOW} cannot be paged to; narrow the search")
    if q.sort not in SORTS:
        raise BadQuery(f"unknown sort {q.sort!r}; sort by {', '.join(SORTS)}")


def facet_counts(buckets: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Buckets as (value, count), most frequent first, ties A-Z, the same order on every backend."""
    return sorted(((str(b["key"]), int(b["doc_count"])) for b in buckets), key=lambda kv: (-kv[1], kv[0]))


def with_typo_fallback(
    run: Callable[[QueryPlan], SearchResult], plan: QueryPlan, typos: bool | None = None
) -> SearchResult:
    """Run the plan as typed; only if nothing matches, run it again tolerating typos (or as
    `SearchQuery.typos` says when it is not None)."""
    if typos:
        tolerant = plan.with_typos()
        return replace(run(tolerant), typos=True) if tolerant else run(plan)
    result = run(plan)
    tolerant = plan.with_typos() if result.total == 0 and typos is None else None
    return replace(run(tolerant), typos=True) if tolerant else result
