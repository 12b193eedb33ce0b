"""Search answers kept for a short while: facet counts, and the hits of a page.

At a million variables a page's counts take ~3 ms (one pass over the words' matches,
`SearchQuery.disjunctive`; ~60 ms over the whole catalogue, the front page), its scored hits
~2 ms, and the page around them ~2 ms. Researchers repeat searches (back button, paging
back, the same words with another filter), and the answers change only when the index does. So,
like Elasticsearch's shard request cache and Solr's query result cache, answers are kept per
query and dropped when the index's generation changes (any commit, from any process) or after
`ttl` seconds, whichever is first. Counts depend on the words, type and filters only; hits also
on the page and the sort.

A generation can be seen a moment before every reader answers from it: Elasticsearch counts a
write when it is indexed and shows it at the next refresh. (The embedded index reloads its readers
when it reports a new generation, so there an answer kept under a generation saw its commits,
whichever process made them.) An answer computed in a generation's first `SETTLE` seconds is
therefore kept only until then, so a harvest made anywhere (another process, another host) shows
in every explorer within seconds, not after `ttl`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from catalog.lru import SizedLRU
from catalog.search import SearchQuery
from web.metrics import cache_lookup


def query_key(q: SearchQuery, generation: Hashable) -> tuple[Hashable, ...]:
    """What the counts depend on: not the page, the sort or highlighting (`hits_key` adds those)."""
    words = " ".join(q.text.lower().split())
    return (
        generation,
        q.type,
        words,
        q.text[-1:].isspace(),  # a last word followed by a space is complete, not a prefix
        tuple(sorted((f, tuple(sorted(v))) for f, v in q.filters.items() if v)),
        tuple(q.facets),
        q.typos,
        q.any_words,
        q.parts,
        q.group,
    )


def hits_key(q: SearchQuery, generation: Hashable) -> tuple[Hashable, ...]:
    return (*query_key(q, generation), q.offset, q.limit, q.sort, q.highlight)


SETTLE = 3.0
"""Seconds after a generation is first seen during which an answer computed under it may still
be the previous one's; such answers expire then."""


def _one(_answer: tuple[float, Any]) -> int:
    return 1


class SearchCache:
    """Up to `size` answers, each kept `ttl` seconds at most, the least recently used out first;
    lookups are counted as `name` in the metrics (`catalog_cache_lookups_total`)."""

    def __init__(self, ttl: float = 60.0, size: int = 4096, name: str = ""):
        self.ttl, self.size, self.name = ttl, size, name
        self._items = SizedLRU[tuple[float, Any]](size, _one)  # (when computed, answer)
        self._lock = threading.Lock()  # for the counters
        self.hits = self.misses = 0
        self._first_seen: dict[Hashable, float] = {}  # the latest generations, when first seen

    def _born(self, generation: Hashable, now: float) -> float:
        """When an answer computed now under `generation` counts as made: early in a generation's
        life, so that it expires `SETTLE` seconds after the generation was first seen."""
        with self._lock:
            seen = self._first_seen.setdefault(generation, now)
            if len(self._first_seen) > 16:
                del self._first_seen[next(iter(self._first_seen))]
        return min(now, seen + SETTLE - self.ttl) if now - seen < SETTLE else now

    def get(self, key: Hashable, compute: Callable[[], Any], generation: Hashable = None) -> Any:
        """The answer kept for `key`, or `compute()`'s, kept; `generation` is the index state the
        key was made for."""
        found = self.lookup(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value, generation)
        return value

    def lookup(self, key: Hashable) -> Any | None:
        """The answer kept for `key` if still fresh, else None (counted as a hit or a miss)."""
        found = self._items.get(key)
        fresh = found is not None and time.monotonic() - found[0] < self.ttl
        self._count(fresh)
        return found[1] if found is not None and fresh else None

    def contains(self, key: Hashable) -> bool:
        """Whether a fresh answer is kept for `key` (not counted: a look ahead, not a lookup)."""
        found = self._items.get(key)
        return found is not None and time.monotonic() - found[0] < self.ttl

    def put(self, key: Hashable, value: Any, generation: Hashable = None, missed: bool = False) -> None:
        """Keep `value` for `key`; `missed`: count the lookup it answers as a miss (an answer
        computed along with another's, never looked up)."""
        now = time.monotonic()
        if missed:
            self._count(False)
        self._items.put(key, (now if generation is None else self._born(generation, now), value))

    def _count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1
        if self.name:
            cache_lookup(self.name, hit)
