"""A thread-safe cache bounded by the total size of its values, least recently used out first;
and `remember`, the bound of the plain memos on hot paths.

The one LRU of the code: feed pages and record fragments (weighed by length), the simulator's
replies (by body length) and search answers (each weighs one) all keep their values here."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """`value`, kept in `memo` under `key`; a memo holding `limit` entries starts afresh first.

    For the memos of hot paths (a word's topics or compound parts, an IRI as written, a URL):
    a hit reads the dict itself, with no lock, order or weight to keep; only a miss comes here."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


class SizedLRU(Generic[V]):
    """Values weighed by `weigh` (e.g. `len`) kept up to `max_bytes` in all; a value heavier than
    `max_item` (all of `max_bytes` by default) is not kept."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int], max_item: int | None = None):
        self.max_bytes, self.size = max_bytes, 0
        self.max_item = max_bytes if max_item is None else max_item
        self.weigh = weigh
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        weight = self.weigh(value)
        if weight > self.max_item:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size += weight - (self.weigh(old) if old is not None else 0)
            self._items[key] = value
            while self.size > self.max_bytes:
                self.size -= self.weigh(self._items.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._items)
