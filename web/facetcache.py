"""Facet counts kept for a short while, because they cost more than the hits at a million variables.

Counting six facets over tens of thousands of matches takes ~25 ms in the embedded backend, and
~90 ms over the whole catalogue (the front page); the hits themselves take ~10 ms. Counts do not
depend on the page or the sort order, and change only when a harvest changes the index, so they
are cached per query (words, type, filters) and dropped when the index's document count changes
or after `ttl` seconds, whichever is first. Like Elasticsearch's shard request cache, this may
show counts up to `ttl` seconds older than the hits after an update that keeps the count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from catalog.search import SearchQuery


def query_key(q: SearchQuery, generation: Hashable) -> tuple[Hashable, ...]:
    """What the counts depend on: not the page, the sort or highlighting."""
    words = " ".join(q.text.lower().split())
    return (generation, q.type, words, tuple(sorted((f, tuple(sorted(v))) for f, v in q.filters.items() if v)),
            tuple(q.facets))


class FacetCache:
    def __init__(self, ttl: float = 60.0, size: int = 4096):
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[0] < self.ttl:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
