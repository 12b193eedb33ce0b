"""Harvest -> validate -> store -> index, one source at a time, each isolated from the others.

This is the only place that writes harvested records. For each source it opens a run, consumes
the harvester's events, validates and stores records in batches (one transaction each), updates
the search index from what changed, and finishes the run with its counts and errors. A source
that fails keeps its last good records (they show as stale); the other sources go on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from catalog.config import Settings, SourceConfig
from catalog.export import as_published
from catalog.model import Dataset, Record, digest, dumps, key_for
from catalog.search import SearchBackend
from catalog.search.documents import SourceInfo, documents
from catalog.store import RunError, SQLiteStore
from catalog.validation import validate_records
from harvesters import harvester_class
from harvesters.base import Checkpoint, Complete, Deleted, Failed, Harvested, Present
from harvesters.http import FetchError, HttpClient, Limits

log = logging.getLogger(__name__)

COUNTS = ("new", "changed", "unchanged", "deleted", "invalid", "errors")
BATCH = 100


@dataclass
class SourceResult:
    source: str
    run_id: int
    status: str  # ok | failed
    counts: dict[str, int]
    error: str | None = None
    errors: list[RunError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        counts = ", ".join(f"{self.counts.get(k, 0)} {k}" for k in COUNTS)
        tail = f" — FAILED: {self.error}" if self.error else ""
        return f"{self.source}: {counts}{tail}"


def source_info(src: SourceConfig) -> SourceInfo:
    return SourceInfo(name=src.name, title=src.title or src.name, kind=src.category)


def record_keys(record: Record) -> set[str]:
    """Every index document key a record produces (the dataset and each variable)."""
    keys = {key_for(record.uri)}
    if isinstance(record, Dataset):
        keys.update(key_for(v.uri) for v in record.variables)
    return keys


class Harvest:
    """One run of one source."""

    def __init__(self, settings: Settings, store: SQLiteStore, index: SearchBackend | None, src: SourceConfig,
                 progress: Callable[[str, int], None] | None = None):
        self.settings, self.store, self.index, self.src = settings, store, index, src
        self.info = source_info(src)
        self.counts: Counter[str] = Counter({k: 0 for k in COUNTS})
        self.errors: list[RunError] = []
        self.progress = progress

    def http(self) -> HttpClient:
        s = self.settings
        limits = Limits(timeout=float(self.src.options.get("timeout", s.http_timeout)), max_bytes=int(s.http_max_bytes),
                        retries=int(s.http_retries))
        client = HttpClient.for_source(self.src.url, self.src.options, limits)
        token = self.src.credentials()
        if token:
            client.session.headers["Authorization"] = token
        return client

    def run(self) -> SourceResult:
        run_id = self.store.try_start_run(self.src.name)
        if run_id is None:
            return SourceResult(self.src.name, 0, "skipped", dict(self.counts), "a harvest of this source is already running")
        self.run_id = run_id
        try:
            harvester = harvester_class(self.src.kind)(self.src, self.http(), self.store.state(self.src.name),
                                                       base_uri=self.settings.base_uri)
            known = self.store.known(self.src.name)
            state = self._consume(harvester.harvest(), known)
        except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, never propagated
            message = _plain(exc)
            url = getattr(exc, "url", None) or self.src.url
            self.errors.append(RunError(run_id, self.src.name, url, None, None, message))
            self.counts["errors"] += 1
            self.store.add_errors(run_id, self.src.name, self.errors)
            self.store.finish_run(run_id, "failed", dict(self.counts), message)
            log.warning("source %s failed: %s", self.src.name, message)
            return SourceResult(self.src.name, run_id, "failed", dict(self.counts), message, self.errors)
        if state is not None:
            self.store.save_state(self.src.name, state)
        self.store.add_errors(run_id, self.src.name, self.errors)
        self.store.finish_run(run_id, "ok", dict(self.counts))
        return SourceResult(self.src.name, run_id, "ok", dict(self.counts), None, self.errors)

    def _consume(self, events: Iterator[Any], known: dict[str, str]) -> dict[str, str] | None:
        seen: set[str] = set()
        batch: list[Harvested] = []
        gone: set[str] = set()
        complete = False
        state: dict[str, str] | None = None
        for event in events:
            if isinstance(event, Harvested):
                uri = event.record.uri
                if uri in seen:
                    self._error(Failed(f"the identifier {uri} occurs more than once; the first one was kept",
                                       event.url, uri, "identifier"))
                    continue
                seen.add(uri)
                batch.append(event)
                if len(batch) >= BATCH:
                    self._store_batch(batch, known)
                    batch = []
            elif isinstance(event, Present):
                seen.add(event.uri)
                self.store.touch([event.uri], self.run_id)
                self.counts["unchanged"] += 1
            elif isinstance(event, Deleted):
                gone.add(event.uri)
            elif isinstance(event, Failed):
                self._error(event)
            elif isinstance(event, Complete):
                complete = True
            elif isinstance(event, Checkpoint):
                state = event.state
        self._store_batch(batch, known)
        if complete:
            gone |= set(known) - seen
        self._delete(gone & set(known))
        return state

    def _error(self, f: Failed) -> None:
        self.counts["errors"] += 1
        self.errors.append(RunError(self.run_id, self.src.name, f.url, f.record_id, f.field, f.message))

    def _store_batch(self, batch: list[Harvested], known: dict[str, str]) -> None:
        if not batch:
            return
        datas = [dumps(h.record) for h in batch]
        hashes = [digest(data) for data in datas]
        fresh = [(h, hsh, data) for h, hsh, data in zip(batch, hashes, datas) if known.get(h.record.uri) != hsh]
        unchanged = [h.record.uri for h, hsh in zip(batch, hashes) if known.get(h.record.uri) == hsh]
        if unchanged:
            self.store.touch(unchanged, self.run_id)
            self.counts["unchanged"] += len(unchanged)
        if not fresh:
            return
        reports = validate_records([as_published(h.record, self.settings, self.src) for h, _, _ in fresh])
        docs: list[dict[str, Any]] = []
        stale_keys: set[str] = set()
        with self.store.transaction():
            for (h, hsh, data), report in zip(fresh, reports):
                old = self.store.get(h.record.uri) if h.record.uri in known else None
                change = self.store.put(self.src.name, self.run_id, h.record, hsh, h.url, report.conforms,
                                        report.to_dict(), data=data)
                self.counts["new" if change in ("new", "restored") else change] += 1
                if not report.conforms:
                    self.counts["invalid"] += 1
                new_docs = list(documents(h.record, self.info, valid=report.conforms))
                docs.extend(new_docs)
                if old is not None:
                    stale_keys |= record_keys(old.record) - {d["key"] for d in new_docs}
        if self.index is not None:
            if stale_keys:
                self.index.delete(stale_keys)
            self.index.upsert(docs)
        if self.progress:
            self.progress(self.src.name, len(batch))

    def _delete(self, uris: set[str]) -> None:
        if not uris:
            return
        keys: set[str] = set()
        for uri in uris:
            old = self.store.get(uri)
            if old is not None:
                keys |= record_keys(old.record)
        self.counts["deleted"] += self.store.mark_deleted(sorted(uris), self.run_id)
        if self.index is not None and keys:
            self.index.delete(keys)


def _plain(exc: Exception) -> str:
    """A message a publisher can act on, not a stack trace."""
    if isinstance(exc, FetchError):
        return exc.message + f" ({exc.url})"
    return str(exc) or type(exc).__name__


def harvest(settings: Settings, store: SQLiteStore, index: SearchBackend | None,
            names: Iterable[str] | None = None, workers: int = 2,
            progress: Callable[[str, int], None] | None = None) -> list[SourceResult]:
    """Harvest the named sources (all enabled ones when none are named), `workers` at a time."""
    wanted = list(names or [n for n, s in settings.sources.items() if s.enabled])
    unknown = [n for n in wanted if n not in settings.sources]
    if unknown:
        raise KeyError(f"no source named {', '.join(unknown)}; known: {', '.join(sorted(settings.sources))}")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda n: Harvest(settings, store, index, settings.sources[n], progress).run(), wanted))


def reindex(settings: Settings, store: SQLiteStore, index: SearchBackend) -> int:
    """Rebuild the whole index from the store (the store is the truth; the index is derived)."""
    infos = {name: source_info(src) for name, src in settings.sources.items()}

    def docs() -> Iterator[dict[str, Any]]:
        for stored in store.records():
            info = infos.get(stored.source) or SourceInfo(stored.source, stored.source, "catalogue")
            yield from documents(stored.record, info, valid=bool(stored.conforms))

    return index.replace_all(docs())
