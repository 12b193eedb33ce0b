"""Harvest -> validate -> store -> index, one run per source, each isolated from the others.

This is the only place that writes harvested records. For each source it opens a run, consumes
the harvester's events, validates and stores records in batches (one transaction each) with
their feed statements (`catalog.renderings`), updates the search index from what changed, and
finishes the run with its counts and errors. A source that fails keeps its last good records
(they show as stale); the other sources go on. A record that cannot be validated, rendered or
indexed is reported and not stored; its neighbours are.

What a record needs before it is written (canonical JSON and hash, validation of its published
view, renderings, search documents) is made by `catalog.prepare`, which maps the pages a
harvester defers (`harvesters.base.Deferred`) and prepares records in a pool of processes when
there are more workers than sources: a single large source then uses every core, its own process
only fetching and writing, in order.

Several sources are harvested in worker processes (`workers` at a time), because mapping and
validation are pure Python and threads would share one core. The calling process keeps what
cannot be shared: it opens and finishes every run (so a killed harvest leaves runs owned by a
dead process, which the store marks interrupted), and it alone writes the search index, with the
documents the workers send it, encoded where they were made (`SearchBackend.encoder`: building
a document's fields in the writing process made it a harvest's slowest). Index writes are gathered into large commits (`IndexBuffer`):
a tantivy commit costs about a tenth of a second whatever its size, so committing each batch of
100 records cost more than the rest of the pipeline. A run is finished only after its documents
are committed. Workers open the store again from its URL (`StoreWriter.url`), SQLite or
PostgreSQL alike. With one worker or one source, sources run in threads of the calling process.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from catalog import disclosure, profiles
from catalog.config import Settings, SourceConfig, operator_defaults
from catalog.label import Ahead, Basis, ahead, relabel, settled
from catalog.logs import run_context
from catalog.model import CodeList, Dataset, Record, digest, key_for, text
from catalog.prepare import Documents, Job, Later, Prepared, Preparer, die_with_parent, platforms, stored_validation
from catalog.renderings import note_output, render
from catalog.search import Document, Encoded, Encoder, IndexWriter, SearchBackend, SearchQuery
from catalog.search.documents import SourceInfo, coded, complete, documents
from catalog.spill import spill_folder
from catalog.store import (
    ELSEWHERE,
    Put,
    RunError,
    StoredRecord,
    StoreReader,
    StoreUnavailable,
    StoreWriter,
    sqlite_beside,
    store_at,
)
from catalog.validation import DEFAULT_PROFILE, get_profile
from harvesters import harvester_class
from harvesters.base import (
    MAPPING_VERSION,
    Checkpoint,
    Complete,
    Deferred,
    Deleted,
    Failed,
    Harvested,
    Mapped,
    Present,
    SourceError,
)
from harvesters.http import BudgetExceeded, FetchError, HttpClient, Limits

log = logging.getLogger(__name__)

COUNTS = ("new", "changed", "unchanged", "deleted", "invalid", "errors")
BATCH = 100
"""Records validated and stored per transaction."""
INDEX_BATCH = 20_000
"""Index documents gathered before one index commit."""
LOOK_BACK = 1000
"""Runs of a source looked back at, to the last that ended well (`Harvest._index_again`): at 20,
fifty harvests killed at random points (`tests/test_crash.py`) left records no run had indexed."""
SCAN_KEYS = 10_000
"""Code list keys asked for in one search of their variables (Elasticsearch takes 65,536 terms)."""
FLUSH_SECONDS = 5.0
"""How long finished runs may wait for their documents' commit (process mode)."""


@dataclass
class SourceResult:
    source: str
    run_id: int
    status: str  # ok | failed
    counts: dict[str, int]
    error: str | None = None
    errors: list[RunError] = field(default_factory=list)
    live: int | None = None
    """The source's live records after the run, whichever run stored them (`SQLStore.conformance`)."""
    nonconforming: int | None = None
    """How many of them do not conform now. The run's `counts["invalid"]` counts only the records
    the run wrote: an unchanged re-harvest of a feed that is still wrong says "0 invalid"."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        counts = ", ".join(f"{self.counts.get(k, 0)} {k}" for k in COUNTS)
        tail = f" — FAILED: {self.error}" if self.error else ""
        return f"{self.source}: {counts}{self.now()}{tail}"

    def now(self) -> str:
        """The source's state beside the run's counts: how many of its records do not conform."""
        if not self.live:
            return ""
        if not self.nonconforming:
            return f"; all {self.live} live records conform"
        return f"; {self.nonconforming} of {self.live} live records do not conform (`catalog report {self.source}`)"


def source_info(src: SourceConfig) -> SourceInfo:
    return SourceInfo(name=src.name, title=src.title or src.name, kind=src.category)


def record_keys(record: Record) -> set[str]:
    """Every index document key a record produces (the dataset and each variable)."""
    keys = {key_for(record.uri)}
    if isinstance(record, Dataset):
        keys.update(key_for(v.uri) for v in record.variables)
    return keys


def codelists_of(store: StoreReader, cache: int = 4096) -> Callable[[str], dict[str, Any] | None]:
    """Code list key -> what a variable's document indexes of it (`documents.coded`), from the
    store, None when the catalogue has no live code list of that key; the last `cache` kept."""

    @lru_cache(maxsize=cache)
    def lookup(key: str) -> dict[str, Any] | None:
        found = store.get_by_key(key)
        if found is None or found.deleted_at or not isinstance(found.record, CodeList):
            return None
        return coded(found.record)

    return lookup


def _no_codelists(_key: str) -> dict[str, Any] | None:
    return None


class IndexBuffer:
    """Index writes gathered into commits.

    Documents encoded where they were made (`Encoded`: they need nothing from the store) are
    staged as they come (`SearchBackend.stage`) and committed at `flush`, when runs finish: a large
    source's first harvest is then one commit, its documents indexed while its pages are prepared.
    Others are kept by key (the last one wins) until `flush`, or until `limit` of them wait; a
    delete drops pending upserts of its keys and goes to the index at once (after what was staged),
    so the order of writes to one key is kept.

    Those other documents are variables, completed with their code lists here, where the index is
    written, from the store as it is when they are committed (`documents.complete`): every record
    is stored before its documents reach the buffer, so a variable committed after its code list
    was stored gets it. And after each commit the variables of every code list that changed or
    went since the last (found in the index, `SearchBackend.scan`), and their datasets, are completed again: so
    whichever of a variable and its code list comes first (from one source or two, in one worker or
    two), the index ends with the code list as stored. Only those variables are touched, never the
    catalogue.
    """

    def __init__(self, index: SearchBackend, store: StoreReader | None = None, limit: int | None = None):
        self.index = index
        self.store = store
        self.limit = limit or INDEX_BATCH
        self.pending: dict[str, dict[str, Any]] = {}  # documents to complete from the store
        self.staged = 0  # documents staged since the last commit
        self.codelists: set[str] = set()  # code lists among them
        self.gone: set[str] = set()  # deleted since the last flush: code lists among them matter
        self.failure: str | None = None

    @property
    def waiting(self) -> bool:
        """Whether anything waits for `flush`."""
        return bool(self.pending or self.staged or self.gone)

    def upsert(self, docs: Iterable[Document]) -> int:
        n = 0
        ready: list[Encoded] = []
        pending = self.pending
        try:
            for doc in docs:
                n += 1
                if isinstance(doc, Encoded):
                    ready.append(doc)
                    if pending:  # an older document of its key must not be written after it
                        pending.pop(doc.key, None)
                    if doc.type == "codelist":
                        self.codelists.add(doc.key)
                else:
                    pending[doc["key"]] = doc
        except OSError as exc:  # spilled documents that could not be read (`catalog.spill`): as a refused write
            self.failure = f"the search documents could not be read: {_plain(exc)}"
            log.warning("%s", self.failure)
        if ready:
            self.staged += len(ready)
            self._try(self.index.stage, ready)
        if len(pending) >= self.limit:
            self.flush()
        return n

    def delete(self, keys: Iterable[str]) -> None:
        keys = set(keys)
        for key in keys:
            self.pending.pop(key, None)
        self.gone |= keys
        self.staged = 0  # a delete commits what was staged first
        self._try(self.index.delete, keys)

    def flush(self) -> str | None:
        """Commit what is pending; the failure so far, if the index refused a write."""
        if not self.waiting:
            return self.failure
        docs, self.pending = list(self.pending.values()), {}
        changed = {d["key"] for d in docs if d.get("type") == "codelist"} | self.codelists | self.gone
        self.staged, self.codelists, self.gone = 0, set(), set()
        lookup = codelists_of(self.store) if self.store is not None else _no_codelists
        if docs:
            self._try(self.index.stage, list(complete(docs, lookup)))
        self._try(self.index.commit)
        if changed and self.store is not None:
            written = {d["key"] for d in docs}
            keys = sorted(changed)
            for i in range(0, len(keys), SCAN_KEYS):  # a deleted source's keys are many; few are code lists
                users = self._users(keys[i : i + SCAN_KEYS], written)
                if users:
                    self._try(self.index.upsert, list(complete(users, lookup)))
        return self.failure

    def _users(self, codelists: list[str], written: set[str]) -> list[dict[str, Any]]:
        """The indexed variables of these code lists and their datasets (which hold their lists'
        codes: `documents.dataset_codes`), but those just written."""
        try:
            return [
                doc
                for kind in ("variable", "dataset")
                for doc in self.index.scan(kind, {"codelist": codelists}, written)
            ]
        except Exception as exc:  # noqa: BLE001 - as for a write: the runs fail, the harvest goes on
            self.failure = f"the search index could not be read: {_plain(exc)}"
            log.warning("%s", self.failure)
            return []

    def _try(self, write: Callable[..., Any], *args: Any) -> None:
        try:
            write(*args)
        except Exception as exc:  # noqa: BLE001 - the runs whose documents were lost fail, the harvest goes on
            self.failure = f"the search index could not be updated: {_plain(exc)}"
            log.warning("%s", self.failure)


@dataclass
class Outcome:
    """What the work of one run produced, for whoever finishes the run."""

    counts: dict[str, int]
    errors: list[RunError]
    state: dict[str, str] | None = None
    error: str | None = None
    labelled: Basis | None = None  # what the labels assessed ahead rest on, if any were kept
    first: bool = False  # the catalogue held none of the source's records before the run
    unreachable: str | None = None
    """The error that found the store unreachable (`StoreWriter.failing_fast`): in process mode
    the calling process, which finishes the run, then gives up on the store at once too."""


class _Flow:
    """A run's events in the order the harvester yielded them, taken as they are ready: a deferred
    page when its events are made, a batch of records when it is prepared (`catalog.prepare`)."""

    def __init__(self, run: Harvest, known: dict[str, str], ahead: int):
        self.run, self.known, self.ahead = run, known, ahead
        self.received: deque[Any] = deque()  # events not taken yet; `Deferred` ones may still be made
        self.deferred = 0  # of them
        self.batch: list[Harvested | Mapped] = []
        self.writes: deque[tuple[list[Harvested | Mapped], Later]] = deque()
        self.seen: set[str] = set()
        self.gone: set[str] = set()
        self.complete = False
        self.state: dict[str, str] | None = None
        self.present = 0

    def receive(self, event: Any) -> None:
        if isinstance(event, Deferred):
            self.run.preparer.defer(event)
            self.deferred += 1
        self.received.append(event)
        self._go_on()

    def _go_on(self) -> None:
        """Take what is ready, and what must be to stay within `ahead`; write what is prepared.
        Records are stored as soon as they are ready: a run killed midway keeps what it stored."""
        while self.received:
            head = self.received[0]
            if isinstance(head, Deferred) and self.deferred <= self.ahead and not head.ready():
                break
            self._take(self.received.popleft())
        while self.writes and (len(self.writes) > self.ahead or self.writes[0][1].done()):
            self.run._store_batch(*self.writes.popleft(), self.known)

    def finish(self) -> None:
        """Take every event received, and write every record taken."""
        self.ahead = 0
        self._go_on()
        self._submit()
        self._go_on()

    def _take(self, event: Any) -> None:
        if isinstance(event, Deferred):
            self.deferred -= 1
            for made in event.events():
                self._take(made)
        elif isinstance(event, Harvested | Mapped):
            uri = event.record.uri if isinstance(event, Harvested) else event.uri
            if uri in self.seen:
                self.run._error(
                    Failed(
                        f"the identifier {uri} occurs more than once; the first one was kept",
                        event.url,
                        uri,
                        "identifier",
                    )
                )
                self.run.preparer.taken(event)
                return
            self.seen.add(uri)
            self.batch.append(event)
            if len(self.batch) >= BATCH:
                self._submit()
        elif isinstance(event, Present):
            self.seen.add(event.uri)
            self.run.counts["unchanged"] += 1
            self.present += 1
            if self.present % BATCH == 0:
                self.run._progress(BATCH)  # input skipped as unchanged is progress too
        elif isinstance(event, Deleted):
            self.gone.add(event.uri)
        elif isinstance(event, Failed):
            self.run._error(event)
            if event.still_listed:
                self.seen.add(event.still_listed)
        elif isinstance(event, Complete):
            self.complete = True
        elif isinstance(event, Checkpoint):
            self.state = event.state

    def _submit(self) -> None:
        """Have the batch prepared (those of its records a deferred page's pool did not prepare
        already); it is written in turn (`_go_on`)."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        self.run._progress(len(batch))
        done = [self.run.preparer.taken(h) for h in batch]
        rest = [_record(h) for h, p in zip(batch, done, strict=True) if p is None]
        if not rest:
            ready = [p for p in done if p is not None]
            self.writes.append((batch, Later(lambda: ready)))
            return
        later = self.run.preparer.submit(rest, [self.known.get(r.uri) for r in rest])

        def merged() -> list[Prepared]:
            results = iter(later.result())
            return [p if p is not None else next(results) for p in done]

        self.writes.append((batch, Later(merged, later.done)))


class Harvest:
    """One run of one source: `begin` opens it, `work` harvests, `finish` records the outcome.

    `run` does all three. In process mode the calling process begins and finishes the run and a
    worker process does the work, so the three steps may happen in different processes.
    """

    def __init__(
        self,
        settings: Settings,
        store: StoreWriter,
        index: SearchBackend | None,
        src: SourceConfig,
        progress: Callable[[str, int], None] | None = None,
        full: bool = False,
        prepare_workers: int = 0,
        encode: Encoder | None = None,
    ):
        self.settings, self.store, self.src = settings, store, src
        self.prepare_workers = prepare_workers
        self.encode = encode  # the index backend's, when documents are encoded where they are prepared
        self.spill: str | None = None  # in process mode: where documents cross to the index (`catalog.spill`)
        self.index: IndexWriter | None = index
        self.backend = index  # what `run` buffers writes for (`work` may be given a relay instead)
        self.full = full
        self.info = source_info(src)
        self.counts: Counter[str] = Counter({k: 0 for k in COUNTS})
        self.errors: list[RunError] = []
        self.labelled = 0  # datasets whose label was assessed ahead and kept
        self.basis: Basis | None = None  # what those labels rest on
        self.progress = progress
        self.run_id = 0
        self.view = profiles.ehds().view_digest(settings, src.name) or ""
        self.started = 0.0
        self.policy = src.policy

    def http(self) -> HttpClient:
        """The run's guarded client; its time budget starts now."""
        s = self.settings
        limits = Limits(
            timeout=s.for_source(self.src, "http_timeout"),
            max_bytes=int(s.http_max_bytes),
            retries=int(s.http_retries),
            budget=s.for_source(self.src, "harvest_budget_seconds"),
        )
        client = HttpClient.for_source(self.src.url, self.src.options, limits)
        token = self.src.credentials()
        if token:
            client.session.headers["Authorization"] = token
        return client

    def run(self, begun: bool | None = None) -> SourceResult:
        """The whole run; `begun` when `begin` was called already (True: the run is open)."""
        if not (self.begin() if begun is None else begun):
            return self.skipped()
        buffered = IndexBuffer(self.backend, self.store) if self.backend is not None else None
        with run_context(source=self.src.name, run=self.run_id):
            outcome = self.work(buffered)
        return self.finish(outcome, buffered.flush() if buffered is not None else None)

    def begin(self) -> bool:
        """Open the run; False when a run of this source is already going on elsewhere."""
        run_id = self.store.try_start_run(self.src.name)
        if run_id is None:
            return False
        self.run_id, self.started = run_id, time.monotonic()
        log.info("harvest started", extra={"source": self.src.name, "run": run_id, "kind": self.src.kind})
        return True

    def skipped(self) -> SourceResult:
        reason = "a harvest of this source is already running"
        log.info("harvest skipped: %s", reason, extra={"source": self.src.name})
        return SourceResult(self.src.name, 0, "skipped", dict(self.counts), reason)

    def work(self, index: IndexWriter | None) -> Outcome:
        """Harvest, validate and store; documents go to `index`. Never raises for the source's faults."""
        self.index = index
        try:
            before = self.store.state(self.src.name)
            # `full`, or mapped by another version of the harvesters: as on the first run
            remap = self.full or before.get(MAPPED_WITH) != MAPPING_VERSION
            state: dict[str, str] | None = {} if remap else before
            client = self.http()
            harvester = harvester_class(self.src.kind)(self.src, client, state, base_uri=self.settings.base_uri)
            known = self.store.known(self.src.name)
            self.known_counts = self.store.counts_hashes(self.src.name)
            job = Job(self.settings, self.src, self.info, self.view, self.encode, self.spill, self._ahead(not known))
            self.basis = job.labels.basis if job.labels is not None else None
            self.preparer = Preparer(job, self.store, known, self.prepare_workers)
            self._index_again()
            try:
                checkpoint = self._consume(harvester.harvest(), known, client, harvester.fetches)
            finally:
                self.preparer.close()
            if client.session.overrun is not None:  # spent while a harvester went on past a failed request
                raise client.session.overrun
            if before.get(OPERATOR_VIEW) not in (None, self.view):
                # the operator's register or this source's defaults changed since the last run: records
                # the source left unchanged are validated again, so the EHDS feed follows the settings
                revalidate(self.settings, self.store, self.src.name, self.index)
            # a new checkpoint is of a whole listing mapped by this version; without one the last stays
            made = before if checkpoint is None else {**checkpoint, MAPPED_WITH: MAPPING_VERSION}
            checkpoint = {**made, OPERATOR_VIEW: self.view}
        except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, never propagated
            message = _plain(exc)
            url = getattr(exc, "url", None) or self.src.url
            self.errors.append(RunError(self.run_id, self.src.name, url, None, None, message))
            self.counts["errors"] += 1
            log.warning("source failed: %s", message)
            return Outcome(
                dict(self.counts), self.errors, None, message, self._labelled(), unreachable=self.store.unreachable()
            )
        return Outcome(dict(self.counts), self.errors, checkpoint, labelled=self._labelled(), first=not known)

    def _index_again(self) -> None:
        """Index again what this source's last runs stored, if they did not end well: a run killed
        (interrupted) or failed after it stored records may not have committed their documents
        (`IndexBuffer` commits when runs finish), and those records come back unchanged, so
        nothing else would. Back to the last run that ended well (`LOOK_BACK` runs at most)."""
        if self.index is None:
            return
        runs = []
        for run in self.store.runs(self.src.name, limit=LOOK_BACK):
            if run.status == "ok":
                break
            if run.id != self.run_id and run.status in ("interrupted", "failed"):
                runs.append(run.id)
        if not runs:
            return
        gone: set[str] = set()
        docs: list[Document] = []
        n = 0
        for kind in ("dataset", "codelist"):  # the kinds that have documents (`documents.documents`)
            for stored in self.store.changed_in_runs(runs, kind):
                if stored.deleted_at:
                    gone |= record_keys(stored.record)
                    continue
                docs += stored_documents(self.settings, self.store, stored)
                if len(docs) >= INDEX_BATCH // 4:
                    n += self.index.upsert(docs)
                    docs = []
        n += self.index.upsert(docs) if docs else 0
        if gone:
            self.index.delete(gone)
        log.info("documents indexed again", extra={"source": self.src.name, "runs": runs, "documents": n})

    def _labelled(self) -> Basis | None:
        return self.basis if self.labelled else None

    def finish(self, outcome: Outcome, failure: str | None = None) -> SourceResult:
        """Record the outcome in the store; the run's documents must already be in the index.

        `failure` fails the run after its work (its documents could not be indexed, or its worker
        died); its state is then not saved, so the next run does the work again.
        """
        if outcome.unreachable is not None:  # found by the worker: not asked again here
            self.store.found_unreachable(outcome.unreachable)
        if failure is not None:
            outcome = Outcome(
                {**outcome.counts, "errors": outcome.counts.get("errors", 0) + 1},
                [*outcome.errors, RunError(self.run_id, self.src.name, None, None, None, failure)],
                None,
                failure,
                outcome.labelled,
            )
        status = "ok" if outcome.error is None else "failed"
        try:
            # the first run to end after the store was found unreachable asks it once more (it may
            # answer again, and the run's error is then recorded); the others' ends fail at once
            with self.store.asking_again():
                if outcome.error is None and outcome.state is not None:
                    self.store.save_state(self.src.name, outcome.state)
                self.store.add_errors(self.run_id, self.src.name, outcome.errors)
                self.store.finish_run(self.run_id, status, outcome.counts, outcome.error)
        except StoreUnavailable as exc:
            return self._abandoned(outcome, exc)
        log.log(
            logging.INFO if status == "ok" else logging.WARNING,
            "harvest finished",
            extra={
                "source": self.src.name,
                "run": self.run_id,
                "status": status,
                "counts": outcome.counts,
                "duration_seconds": round(time.monotonic() - self.started, 3),
                **({"error": outcome.error} if outcome.error else {}),
            },
        )
        after_run(
            self.settings,
            self.store,
            self.src,
            outcome.counts if status == "ok" else None,
            outcome.labelled,
            outcome.first,
        )
        return SourceResult(self.src.name, self.run_id, status, outcome.counts, outcome.error, outcome.errors)

    def _abandoned(self, outcome: Outcome, exc: StoreUnavailable) -> SourceResult:
        """The run's end could not be written (the store stopped answering): the run fails here and
        is given up in the store (`abandon_run`), which shows it interrupted, and due again, once it
        answers. Nothing of it stands half-written: each of its transactions was committed or not."""
        self.store.abandon_run(self.run_id)
        if outcome.error is None:
            error = f"the end of the run could not be recorded: {exc}"
        elif outcome.error == str(exc):  # the store stopped answering its writes, then this
            error = f"{outcome.error}; the end of the run could not be recorded either"
        else:
            error = f"{outcome.error}; the end of the run could not be recorded either: {exc}"
        counts = {**outcome.counts, "errors": outcome.counts.get("errors", 0) + 1}
        log.warning(
            "harvest finished",
            extra={
                "source": self.src.name,
                "run": self.run_id,
                "status": "failed",
                "counts": counts,
                "duration_seconds": round(time.monotonic() - self.started, 3),
                "error": error,
            },
        )
        return SourceResult(self.src.name, self.run_id, "failed", counts, error, outcome.errors)

    def _consume(
        self, events: Iterator[Any], known: dict[str, str], client: HttpClient, fetched: bool = True
    ) -> dict[str, str] | None:
        """Store what the events say, in their order. Past the time budget the run stops at the next
        event: what was harvested stays, nothing is deleted and no checkpoint is kept, as when a
        source fails.

        The harvester runs ahead of the writes: a page it leaves to be mapped (`Deferred`) and a
        batch of records go to the `Preparer`, and are taken (checked, counted, stored) in order
        while the next ones are fetched, at most `ahead` of each waiting. A complete listing of a
        source that `fetched` it, with no record in it where the source had some, fails the run
        (`_empty_listing`)."""
        flow = _Flow(self, known, 2 * self.prepare_workers)
        try:
            for event in events:
                client.session.check_budget(getattr(event, "url", None) or self.src.url)
                flow.receive(event)
        except BudgetExceeded:
            flow.finish()  # harvested before the budget ran out: kept, as the message says
            raise
        flow.finish()
        self._progress(flow.present % BATCH)
        gone = flow.gone
        if flow.complete:
            if known and not flow.seen and fetched:
                raise _empty_listing(len(known), self.src.name, self.src.url)
            gone |= set(known) - flow.seen
        self._delete(gone & set(known))
        return flow.state

    def _error(self, f: Failed) -> None:
        self.counts["errors"] += 1
        self.errors.append(RunError(self.run_id, self.src.name, f.url, f.record_id, f.field, f.message))

    def _ahead(self, first: bool) -> Ahead | None:
        """How the run's new datasets are labelled where they are prepared (`catalog.label.Ahead`;
        `first`: the source's first harvest): without it (it could not be worked out), at the run's
        end, as every label was."""
        try:
            return ahead(self.settings, self.store, self.src.name, first=first)
        except Exception:  # noqa: BLE001 - labels are then assessed at the end
            log.exception("the labels could not be assessed ahead")
            return None

    def _progress(self, n: int) -> None:
        if self.progress and n:
            self.progress(self.src.name, n)

    def _store_batch(self, batch: list[Harvested | Mapped], prepared: Later, known: dict[str, str]) -> None:
        """Write a batch as prepared (`catalog.prepare`), in one short transaction; its documents
        go to the index. Unchanged records are counted, never written (see `SQLStore.last_harvest`).
        What is written of a record is what was prepared of it (its JSON and `Outline`): a record
        prepared in another process comes back `Mapped`, without the record."""
        ready = prepared.result()
        self._store_counts([h for h in batch if isinstance(h, Harvested)])
        fresh: list[tuple[str, Prepared]] = []
        for h, p in zip(batch, ready, strict=True):
            if p.error is not None:
                self._error(Failed(p.error, h.url, p.uri, None))
            elif p.data is None:
                self.counts["unchanged"] += 1
            else:
                fresh.append((h.url, p))
        if not fresh:
            return
        stale_keys: set[str] = set()
        for _url, p in fresh:
            old = self.store.get(p.uri) if p.uri in known else None
            if old is not None:
                stale_keys |= record_keys(old.record) - p.docs.keys
        puts: list[Put] = []
        for url, p in fresh:
            assert p.outline is not None and p.data is not None
            puts.append(Put(p.outline, p.hash, url, p.conforms, p.validation, p.data, p.renderings))
        with self.store.transaction():  # one short transaction: others wait
            changes = self.store.put_many(self.src.name, self.run_id, puts)
            labels = [
                (p.uri, p.hash, p.label.inputs, p.label.digest, p.label.data)
                for (_url, p), change in zip(fresh, changes, strict=True)
                if p.label is not None and change != ELSEWHERE
            ]
            if labels:
                self.store.save_labels(settled(self.store, labels))
                self.labelled += len(labels)
        written = []
        for (url, p), change in zip(fresh, changes, strict=True):
            if change == ELSEWHERE:
                self._error(Failed(self._held_elsewhere(p.uri), url, p.uri, None))
                continue
            written.append(p)
            self.counts["new" if change in ("new", "restored") else change] += 1
            if not p.conforms:
                self.counts["invalid"] += 1
        if self.index is not None:
            if stale_keys:
                self.index.delete(stale_keys)
            self.index.upsert(Documents(p.docs for p in written))

    def _held_elsewhere(self, uri: str) -> str:
        """Why a record another source has was left with it (`ELSEWHERE`)."""
        held = self.store.get(uri)
        other = held.source if held is not None else "another source"
        return (
            f"the catalogue has this record from the source {other!r}, which still publishes it otherwise; "
            "a record has one source, so it was left as that source gives it. Give this source's "
            "records URIs of their own (a base URL copied from another source's metadata?)"
        )

    def _store_counts(self, batch: list[Harvested]) -> None:
        """Keep each dataset's raw counts and their published view, when they changed (also under an
        unchanged record: counts are not part of it). Counts of None leave the stored ones as they
        are (a frequency file that could not be read this time); counts without tables remove them."""
        for h in batch:
            uri = h.record.uri
            if h.counts is None or not isinstance(h.record, Dataset):
                continue
            if not h.counts.tables:
                if uri in self.known_counts:
                    self.store.drop_counts(uri)
                continue
            published = profiles.ehds().published(h.record, self.settings, self.src).record
            assert isinstance(published, Dataset)
            stated = {n for n in (published.number_of_records, published.number_of_unique_individuals) if n}
            counts = dataclasses.replace(h.counts, stated=frozenset(stated) | h.counts.stated)
            raw = counts.to_json()
            hsh = digest(raw)
            if self.known_counts.get(uri) == hsh:
                continue
            view, stamp = disclosure.publish(counts, self.policy)
            self.store.save_counts(uri, self.src.name, raw, hsh, view, stamp)

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


def _empty_listing(had: int, source: str, url: str) -> SourceError:
    """A whole listing of a source that had records, with none in it: a glitch far more often than
    a source emptied on purpose (a CKAN portal rebuilding its search index answers every search
    with nothing; an API or a variable list answers with an empty list mid-deploy), and read as
    the source's word it deleted every record. The run fails instead and keeps them all; a source
    emptied on purpose is removed (`catalog sources remove`)."""
    return SourceError(
        f"the source listed no record, where it had {had:,}; nothing was deleted (a source "
        f"emptied on purpose is removed: catalog sources remove {source})",
        url,
    )


def _record(event: Harvested | Mapped) -> Record:
    """The record of an event the pool did not prepare: one harvested here (a `Mapped` one was
    prepared where it was mapped)."""
    if isinstance(event, Mapped):
        raise RuntimeError(f"the record {event.uri} came back from the pool unprepared")
    return event.record


def _plain(exc: BaseException) -> str:
    """A message a publisher can act on, not a stack trace."""
    if isinstance(exc, FetchError | BudgetExceeded):
        return exc.message + f" ({exc.url})"
    return str(exc) or type(exc).__name__


def harvest(
    settings: Settings,
    store: StoreWriter,
    index: SearchBackend | None,
    names: Iterable[str] | None = None,
    workers: int = 2,
    progress: Callable[[str, int], None] | None = None,
    full: bool = False,
) -> list[SourceResult]:
    """Harvest the named sources (all enabled ones when none are named), `workers` at a time.

    `full` ignores what the last runs kept to skip unchanged input (page and file digests,
    cursors, `changedSince`): everything is fetched and mapped again, as after an upgrade whose
    mapping differs. Unchanged records are still only counted; the new checkpoint is saved.

    With several workers the sources are harvested in forked processes, unless another thread
    of this process uses SQLite (`catalog.store.sqlite_beside`: a one-process `serve --schedule`,
    whose web threads read the store): then in threads, since a fork could copy SQLite's locks
    held and hang the worker."""
    wanted = list(names or [n for n, s in settings.sources.items() if s.enabled])
    unknown = [n for n in wanted if n not in settings.sources]
    if unknown:
        raise KeyError(f"no source named {', '.join(unknown)}; known: {', '.join(sorted(settings.sources))}")
    for name in wanted:  # a bad operator setting stops here, named, before any run starts
        operator_defaults(settings.sources[name])
    if not wanted:  # a new catalogue, or every source disabled: nothing runs, nothing to relink
        return []
    workers = max(1, workers)
    at_once = min(workers, len(wanted))
    # once the store is found unreachable, the other sources fail at once rather than each
    # waiting for it in turn; the next harvest asks it again
    with fewer_collections(), store.failing_fast():
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods() and not sqlite_beside():
            # fewer sources than workers: each source's pages are mapped and its records prepared by
            # its share of the workers (`catalog.prepare`), its own process only fetching and writing
            share = workers // at_once if at_once < workers else 0
            results = _in_processes(settings, store, index, wanted, at_once, progress, full, share)
        else:
            # the runs open in the sources' order before any works, as in processes: run numbers
            # (in the feeds' provenance) then do not depend on which thread starts first
            jobs = [Harvest(settings, store, index, settings.sources[n], progress, full) for n in wanted]
            begun = [job.begin() for job in jobs]
            with ThreadPoolExecutor(max_workers=at_once) as pool:
                results = list(pool.map(lambda job, ok: job.run(ok), jobs, begun))
        try:
            note_output(settings, store)  # what the feeds are made from now, for their Last-Modified
            relink(settings, store, index, [r.run_id for r in results if r.run_id])
            for r in results:
                r.live, r.nonconforming = store.conformance(r.source)
        except StoreUnavailable as exc:
            raise NotClosed(results, exc) from exc
    return results


class NotClosed(StoreUnavailable):
    """The runs ended, each with its result (`results`, the runs the store could not record
    failed and given up, `Harvest._abandoned`), but the store stopped answering the harvest's
    closing steps: the datasets whose platforms changed were not indexed again, and the sources'
    live and nonconforming records are not known. A `StoreUnavailable`, so that a caller that
    only knows that one still says it in a line; `catalog harvest` prints each source's line
    first (from cron it said only the store's error, and no source's)."""

    def __init__(self, results: list[SourceResult], cause: StoreUnavailable):
        super().__init__(
            "the harvest's closing steps failed (indexing again the datasets whose analysis platforms "
            f"changed, counting each source's records that do not conform): {cause}"
        )
        self.results = results


GC_THRESHOLD = 200_000
"""Allocations between two collections of the youngest generation while harvesting (Python's
default is 700). A page's graph and records live while the page is prepared and are then freed
at once, no cycle among them: at 50,000 the collector walked a page's objects once or twice,
2.2 us of CPU a variable (its own callbacks' time, 8 pages of the held-out feed); at 200,000 it
ran not once on them (2026-12-05)."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A harvest makes and drops millions of small objects (parsed terms, records, documents,
    unpickled results), few of them in cycles: at Python's default threshold the cyclic garbage
    collector ran every few hundred of them and was in a tenth of every harvest process's samples
    (py-spy). The modules and vocabularies loaded before are frozen out of its walks (and stay
    shared with forked processes, which inherit both settings), and it runs less often. A process
    that had frozen its own (a serving process, `web.server.settled`) stays frozen after."""
    with _HARVESTS_LOCK:  # harvests in threads of one process (a scheduler's) may overlap
        if not _HARVESTS:
            _HARVESTS["threshold"] = gc.get_threshold()
            _HARVESTS["frozen"] = gc.get_freeze_count() > 0
            gc.freeze()
            gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        _HARVESTS["going"] = _HARVESTS.get("going", 0) + 1
    try:
        yield
    finally:
        with _HARVESTS_LOCK:
            _HARVESTS["going"] -= 1
            if not _HARVESTS["going"]:  # the last one out puts the collector back as it was
                gc.set_threshold(*_HARVESTS.pop("threshold"))
                if not _HARVESTS["frozen"]:
                    gc.unfreeze()
                _HARVESTS.clear()


_HARVESTS: dict[str, Any] = {}  # while harvests go on in this process: how many, and the threshold before
_HARVESTS_LOCK = threading.Lock()


# --- process mode ---------------------------------------------------------------------------------


class _Relay:
    """A worker's index and progress: everything goes to the calling process, in order."""

    def __init__(self, channel: Any, source: str):
        self.channel, self.source = channel, source

    def upsert(self, docs: Iterable[Document]) -> int:
        if not isinstance(docs, Documents):  # packed ones go as they came (`catalog.prepare.Packed`)
            docs = list(docs)
        self.channel.put(("upsert", self.source, docs))
        return len(docs)

    def delete(self, keys: Iterable[str]) -> None:
        self.channel.put(("delete", self.source, list(keys)))

    def progress(self, source: str, n: int) -> None:
        self.channel.put(("progress", source, n))


_WORKER: dict[str, Any] = {}


def _start_worker(settings: Settings, store_url: str, channel: Any, parent: int) -> None:
    """In each worker process: die with the calling process, open the store once (a connection
    of its own: connections must not cross a fork)."""
    die_with_parent(parent)
    store = store_at(store_url, write_timeout=settings.store_write_timeout)
    held = ExitStack()  # for the worker's life, one harvest's: its next sources fail at once too
    held.enter_context(store.failing_fast())
    _WORKER.update(settings=settings, store=store, channel=channel, held=held)


def _ready() -> None:
    """Nothing: submitted once per worker so that all of them start at once."""


def _work(name: str, run_id: int, encode: Encoder | None, full: bool, prepare_workers: int, spill: str) -> None:
    """Harvest one source in a worker process; with an index, its documents go to the calling
    process, encoded by `encode` where they are prepared, through files in `spill`."""
    settings, channel = _WORKER["settings"], _WORKER["channel"]
    relay = _Relay(channel, name)
    job = Harvest(
        settings, _WORKER["store"], None, settings.sources[name], relay.progress, full, prepare_workers, encode
    )
    job.run_id, job.spill = run_id, spill
    with run_context(source=name, run=run_id):
        outcome = job.work(relay if encode is not None else None)
    channel.put(("done", name, outcome))


def _in_processes(
    settings: Settings,
    store: StoreWriter,
    index: SearchBackend | None,
    wanted: list[str],
    workers: int,
    progress: Callable[[str, int], None] | None,
    full: bool,
    prepare_workers: int = 0,
) -> list[SourceResult]:
    get_profile(DEFAULT_PROFILE)  # compiled once here, shared by every worker through fork
    jobs = {name: Harvest(settings, store, index, settings.sources[name], progress) for name in wanted}
    results: dict[str, SourceResult] = {}
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=4 * workers)  # bounded: workers wait while the index catches up
    buffer = IndexBuffer(index, store) if index is not None else None
    encode = index.encoder() if index is not None else None
    ready: list[tuple[Harvest, Outcome, str | None]] = []  # done, waiting for their documents' commit
    since = 0.0

    def finish_ready(force: bool = False) -> None:
        if not ready or not (force or buffer is None or not buffer.waiting or time.monotonic() - since > FLUSH_SECONDS):
            return
        failure = buffer.flush() if buffer is not None else None
        for job, outcome, lost in ready:
            results[job.src.name] = job.finish(outcome, lost or failure)
        ready.clear()

    with (
        spill_folder() as spill,
        ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(settings, store.url, channel, os.getpid())
        ) as pool,
    ):
        # every worker forks now, before any run holds a claim it could inherit
        wait([pool.submit(_ready) for _ in range(workers)])
        running: dict[str, Future[None]] = {}
        for name, job in jobs.items():
            if job.begin():
                running[name] = pool.submit(_work, name, job.run_id, encode, full, prepare_workers, spill)
            else:
                results[name] = job.skipped()
        while running:
            try:
                kind, name, payload = channel.get(timeout=0.2)
            except queue.Empty:
                for name, future in list(running.items()):
                    failed = future.exception() if future.done() else None
                    if failed is not None:
                        del running[name]
                        lost = f"the harvest process failed ({_plain(failed)})"
                        ready.append((jobs[name], Outcome(dict(jobs[name].counts), []), lost))
                finish_ready()
                continue
            if kind == "upsert" and buffer is not None:
                buffer.upsert(payload)
            elif kind == "delete" and buffer is not None:
                buffer.delete(payload)
            elif kind == "progress" and progress is not None:
                progress(name, payload)
            elif kind == "done":
                del running[name]
                if not ready:
                    since = time.monotonic()
                ready.append((jobs[name], payload, None))
            finish_ready()
        finish_ready(force=True)
    return [results[name] for name in wanted]


def after_run(
    settings: Settings,
    store: StoreWriter,
    src: SourceConfig,
    counts: dict[str, int] | None,
    labelled: Basis | None = None,
    first: bool = False,
) -> None:
    """The access body's duties a finished run touches: a successful harvest other than the
    source's `first` may confirm the source's descriptions (EHDS Art. 60,
    `catalog.confirmations.record_harvest`), and the labels of
    its datasets are assessed again where their record or their source's inputs changed (Art. 78);
    all of them when labels were assessed ahead (`labelled`) on inputs the run did not end with.
    A fault here is logged and never fails the run: its records are stored."""
    from catalog.confirmations import record_harvest

    try:
        if counts is not None:
            changed = sum(counts.get(k, 0) for k in ("new", "changed", "deleted"))
            record_harvest(store, src.name, changed, src.confirm_unchanged, first)
        force = labelled is not None and not labelled.holds(settings, store, src.name)
        relabel(settings, store, src.name, force=force)
    except Exception:  # noqa: BLE001 - a fault in a derived register must not lose the run
        log.exception("source %s: the labels or the confirmation could not be recorded", src.name)


OPERATOR_VIEW = "operator_view"
"""The key of a source's checkpoint state that keeps the `view_digest` its records were validated with."""
MAPPED_WITH = "mapped_with"
"""The key of a source's checkpoint state that keeps the `MAPPING_VERSION` its records were mapped
with (none: by a version before the key, which the first harvest after the upgrade maps again)."""


def follow_settings(settings: Settings, store: StoreWriter, index: IndexWriter | None = None) -> int:
    """`revalidate` each source whose operator settings changed since its records were validated
    (its checkpoint's `OPERATOR_VIEW`), and remember them as its records' settings; how many datasets
    were validated again. One state read per source when nothing changed: the scheduler asks this
    whenever `catalog.toml` changed, which adding a source does too. Sources no longer listed are
    retired first (`retire`)."""
    retire(settings, store, index)
    ehds = profiles.ehds()
    n = 0
    for name in sorted(settings.sources):
        view = ehds.view_digest(settings, name) or ""
        if store.state(name).get(OPERATOR_VIEW) in (None, view):  # never harvested, or validated so
            continue
        n += revalidate(settings, store, name, index)
    return n


def retire(
    settings: Settings, store: StoreWriter, index: IndexWriter | None = None, names: Iterable[str] = ()
) -> dict[str, int]:
    """Delete the live records of every source `catalog.toml` no longer lists, in a run of that
    source, as a harvest deletes what its source stopped listing: they leave the search, the pages
    and the feeds, whose change lists say so to those who harvest them. Removed with `catalog sources
    remove`, a source's records stayed searchable and in the EHDS feed for good (the command said
    "until the next reindex/cleanup"; no command cleaned up). How many records per source.

    `names`: the sources just removed on purpose (`catalog sources remove`, an admin's request),
    retired whatever is left. Otherwise, a source list with no source at all retires nothing: more
    often a file emptied by mistake than a catalogue closed (a record deleted so comes back with its
    source's next harvest anyway)."""
    gone = set(store.source_stats()) - set(settings.sources)
    if not settings.sources:
        gone &= set(names)
    retired: dict[str, int] = {}
    for name in sorted(gone):
        run = store.try_start_run(name)
        if run is None:  # a harvest of it still running somewhere: the next look retires it
            continue
        try:
            uris, keys = [], set()
            for stored in store.records(name):
                uris.append(stored.uri)
                keys |= record_keys(stored.record)
            n = store.mark_deleted(uris, run)
            if index is not None and keys:
                index.delete(keys)
        except Exception as exc:
            store.finish_run(run, "failed", {}, f"retiring the removed source failed: {exc}")
            raise
        store.finish_run(run, "ok", {"deleted": n})
        log.info("removed source retired", extra={"source": name, "deleted": n})
        retired[name] = n
    return retired


def revalidate(
    settings: Settings, store: StoreWriter, source: str | None = None, index: IndexWriter | None = None
) -> int:
    """Validate again the live datasets (of `source`, else all) whose published view was made with
    other operator settings (organisation register, source defaults, access body), and the live
    records the EHDS feed checks that other rules validated (a release that changed the shapes;
    of every kind when `source` is None, as `catalog reindex` asks: the settings change only the
    datasets' views); how many.

    Their records are as their sources said, so nothing is harvested: the new view is validated,
    the flag and the feeds' renderings follow, and a record the EHDS feed now shows differently
    (or now carries, or no longer) counts as changed for incremental harvesters of our feed.

    Each harvested source's checkpoint then says which settings its records were validated with
    (`OPERATOR_VIEW`, read by `follow_settings` and a harvest): `catalog reindex` left the one of
    the harvest before, and settings reverted to it afterwards were taken for those validated."""
    from catalog.validation import rules, validate_record

    infos = {name: source_info(src) for name, src in settings.sources.items()}
    ehds = profiles.ehds()
    validated_by = rules(ehds.name)
    digests: dict[str, str] = {}
    n = 0
    kinds = ("dataset",) if source else ehds.checked_kinds
    for stored in (stored for kind in kinds for stored in store.records(source, kind=kind)):
        current = digests.get(stored.source) or digests.setdefault(
            stored.source, ehds.view_digest(settings, stored.source) or ""
        )
        kept = stored.validation or {}
        if kept.get("rules") == validated_by and (stored.kind != "dataset" or kept.get("view") == current):
            continue
        view = ehds.published(stored.record, settings, settings.sources.get(stored.source))
        report = validate_record(view.record, ehds.name)
        changed = report.conforms != bool(stored.conforms) or kept.get("added") != view.digest
        store.revalidated(stored.uri, report.conforms, stored_validation(report, view, current), changed)
        store.save_renderings(stored.uri, render(stored.record, stored.hash, stored.source, report.conforms, settings))
        if index is not None and report.conforms != bool(stored.conforms):
            info = infos.get(stored.source) or SourceInfo(stored.source, stored.source, "catalogue")
            used = store.use_counts([stored.uri]).get(stored.uri, 0)
            index.upsert(
                documents(
                    stored.record,
                    info,
                    valid=report.conforms,
                    platforms=platforms(store, stored.record, stored.source),
                    uses=used,
                )
            )
        n += 1
    for name in [source] if source else sorted(settings.sources):
        validated_with = digests.get(name) or ehds.view_digest(settings, name) or ""
        with store.transaction():  # beside a harvest of the source saving its own checkpoint
            state = store.state(name)
            if state and state.get(OPERATOR_VIEW) != validated_with:
                store.save_state(name, {**state, OPERATOR_VIEW: validated_with})
    return n


def stored_documents(
    settings: Settings, store: StoreReader, stored: StoredRecord, uses: int | None = None
) -> Iterator[dict[str, Any]]:
    """A stored record's index documents, as the pipeline makes them (`uses`: the dataset's uses in
    the data use register, looked up when not given)."""
    src = settings.sources.get(stored.source)
    info = source_info(src) if src else SourceInfo(stored.source, stored.source, "catalogue")
    if uses is None and stored.kind == "dataset":
        uses = store.use_counts([stored.uri]).get(stored.uri, 0)
    yield from documents(
        stored.record,
        info,
        valid=bool(stored.conforms),
        platforms=platforms(store, stored.record, stored.source),
        uses=uses or 0,
    )


def relink(settings: Settings, store: StoreReader, index: SearchBackend | None, run_ids: Iterable[int]) -> int:
    """Index again the datasets whose platforms changed in these runs: those a changed service names
    now, and those the index still shows under its title (a link it no longer has). A dataset's
    documents are made when it is stored; a service stored later, in another run or process, would
    otherwise leave its facet stale. Returns how many datasets were indexed again."""
    if index is None:
        return 0
    services = store.changed_in_runs(list(run_ids), "service")
    if not services:
        return 0
    datasets, sources = store.link_targets(s.uri for s in services)
    keys: set[str] = set()
    for s in services:
        title = text(s.record.title) or s.record.identifier
        offset = 0
        while True:
            found = index.search(
                SearchQuery(type="dataset", filters={"platform": [title]}, offset=offset, limit=100, facets=())
            )
            keys.update(h.key for h in found.hits)
            offset += 100
            if offset >= min(found.total, 10_000):
                break
    affected = [r for r in (store.get_by_key(k) for k in keys) if r is not None]
    affected += [r for uri in datasets if (r := store.get(uri)) is not None]
    affected += [r for name in sources for r in store.records(name, kind="dataset")]
    seen: set[str] = set()
    buffer = IndexBuffer(index, store)
    for stored in affected:
        if stored.uri in seen or stored.deleted_at or stored.kind != "dataset":
            continue
        seen.add(stored.uri)
        buffer.upsert(stored_documents(settings, store, stored))
    buffer.flush()
    return len(seen)


def reindex(
    settings: Settings, store: StoreReader, index: SearchBackend, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild the whole index from the store (the store is the truth; the index is derived),
    each variable with its code list as stored.

    `progress` is told of each record read."""

    used = store.use_counts()

    def docs() -> Iterator[dict[str, Any]]:
        for stored in store.records():
            yield from stored_documents(settings, store, stored, used.get(stored.uri, 0))
            if progress is not None:
                progress(1)

    return index.replace_all(complete(docs(), codelists_of(store)))


def refresh_documents(settings: Settings, store: StoreReader, index: IndexWriter, uris: Iterable[str]) -> int:
    """Write again the search documents of these live datasets and their variables (their uses changed)."""
    wanted = list(uris)
    used = store.use_counts(wanted)
    docs: list[dict[str, Any]] = []
    for uri in wanted:
        stored = store.get(uri)
        if stored is not None and not stored.deleted_at:
            docs.extend(stored_documents(settings, store, stored, used.get(uri, 0)))
    return index.upsert(list(complete(docs, codelists_of(store))))
