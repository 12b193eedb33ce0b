"""What the pipeline makes of each harvested record before it writes it, in worker processes.

A harvested record becomes its canonical JSON and content hash (an unchanged record stops there),
its published view's validation report, its feeds' renderings and its search documents, encoded
as the index backend writes them (`Packed`). That is
most of a harvest's work (on a feed of 2,000 datasets of 100 variables, four fifths of the CPU
after parsing), and it depends on the record alone, and on the store only for what it reads of a
dataset's platforms and uses. So a run hands batches of records to `Preparer`, whose processes
prepare them while the run's harvester fetches and maps the next pages, and writes the results
in the order the records came (`catalog.pipeline`: the only writer stays the only writer).

Each record is prepared on its own: one that cannot be (its view, validation or rendering
raised) comes back as an error naming it, and its batch goes on. A pool process that dies takes
no record with it: its batch is prepared again in the calling process, which prepares every
later batch itself.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import os
import pickle
import queue
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from catalog import profiles
from catalog.config import Settings, SourceConfig
from catalog.label import Ahead, AheadLabel
from catalog.model import Dataset, Record, digest, dumps
from catalog.published import Published
from catalog.rdf import TripleSink, add_dataset
from catalog.renderings import Known, render
from catalog.search import Document, Encoded, Encoder, document_key
from catalog.search.documents import SourceInfo, encoded_documents
from catalog.spill import put as spill_put
from catalog.spill import take as spill_take
from catalog.store import Outline, StoreReader, packed_report, store_at
from catalog.validation import Report, rules, validate_record_json
from harvesters.base import Deferred, Event, Harvested, Mapped

log = logging.getLogger(__name__)


class Packed:
    """A record's index documents as they cross processes: pickled once where they are made and
    unpickled where they are indexed, the run's own process passing them on as they came. (Each
    crossing of a dataset's 100 documents as dictionaries cost more than making them.) With the
    index backend's `encode`, those complete without the store go encoded (`Encoded`): the one
    process that writes the index then only writes them. Given a `spill` folder (a harvest in
    processes), the pickle goes to a file there and only its name crosses (`catalog.spill`).

    Encoded documents are pickled as plain tuples and made `Encoded` again where they are read:
    a named tuple pickles as a call of its class, a Python function: a `Packed` of 101 documents
    of the held-out feed took 1.4 us a document there and back, 0.6 so (`timeit`, 2026-12-05)."""

    def __init__(self, docs: list[Document], spill: str | None = None):
        self.keys = {document_key(d) for d in docs}
        plain = [tuple(d) if type(d) is Encoded else d for d in docs]
        blob = pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)
        self.path = spill_put(spill, blob) if spill is not None and docs else None
        self.blob = blob if self.path is None else b""

    def __iter__(self) -> Iterator[Document]:
        """The documents; spilled ones can be read once (the file goes)."""
        new = tuple.__new__
        plain = pickle.loads(self.blob if self.path is None else spill_take(self.path))
        return iter([new(Encoded, d) if type(d) is tuple else d for d in plain])


class Documents:
    """Several records' packed documents, which `catalog.pipeline`'s relay forwards unopened."""

    def __init__(self, packs: Iterable[Packed]):
        self.packs = list(packs)

    def __iter__(self) -> Iterator[Document]:
        for packed in self.packs:
            yield from packed

    def __len__(self) -> int:
        return sum(len(packed.keys) for packed in self.packs)


NO_DOCUMENTS = Packed([])


@dataclass
class Prepared:
    """One record made ready to write; `data` None: unchanged (its hash is the one the store has);
    `error`: it could not be prepared (and is not written). `data` (the canonical JSON, in UTF-8)
    and `validation` (its JSON, packed: `catalog.store.packed_report`) are as the store keeps
    them: they cross to the writing process as bytes, which it writes as they are
    (`catalog.store.Put`), where text was decoded there and encoded again for the database, and a
    report twenty times its packed size crossed and was written."""

    uri: str
    hash: str = ""
    data: bytes | None = None
    conforms: bool = False
    validation: bytes | None = None
    renderings: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    docs: Packed = field(default_factory=lambda: NO_DOCUMENTS)
    error: str | None = None
    outline: Outline | None = None  # what the store writes of the record (when `data` is written)
    label: AheadLabel | None = None  # a dataset's quality label, assessed ahead (`catalog.label.Ahead`)


def stored_validation(report: Report, view: Published, settings_digest: str) -> dict[str, Any]:
    """What the store keeps of a record's validation: the report, and what its published view was
    made from (`view`: the operator's settings; `added`: what the view added) and validated by
    (`rules`: `catalog.validation.rules`), so a change of either can be told and its effect on
    the feed seen."""
    return {**report.to_dict(), "view": settings_digest, "added": view.digest, "rules": rules(report.profile)}


def validated_json(view: Published, profile: str, written: TripleSink | None, settings_digest: str) -> tuple[bool, str]:
    """A record's view validated: whether it conforms, and `stored_validation` of its report as the
    JSON the store keeps (`Report.to_json`'s text), made without the report (`validate_record_json`)."""
    return validate_record_json(
        view.record, profile, written, view=settings_digest, added=view.digest, rules=rules(profile)
    )


def own_statements(view: Record, profile: str) -> dict[str, TripleSink]:
    """profile -> a dataset's own statements in its view for that profile (`catalog.rdf.add_dataset`
    without the variables): written once, for its validation and its rendering (`Known`)."""
    if not isinstance(view, Dataset):
        return {}
    sink = TripleSink()
    add_dataset(sink, view, variables=False)
    return {profile: sink}


def platforms(store: StoreReader, record: Record, source: str) -> list[str]:
    """Titles of the live analysis platforms serving a dataset (by name or by its source): its facet."""
    if not isinstance(record, Dataset):
        return []
    return [
        s.service().facet_name
        for s in store.linking(record.uri, source, "serves")
        if s.service().service_type == "platform"
    ]


@dataclass
class Job:
    """What preparing a source's records needs besides the records: the same for a whole run."""

    settings: Settings
    src: SourceConfig
    info: SourceInfo
    view: str  # the operator settings' digest the records are validated under (`Harvest.view`)
    encode: Encoder | None = None  # the index backend's (`SearchBackend.encoder`), if documents go encoded
    spill: str | None = None  # where documents cross to the process that indexes them (`Packed`)
    labels: Ahead | None = None  # how datasets' labels are assessed ahead, if they are


def prepare(job: Job, store: StoreReader, records: list[Record], known: list[str | None]) -> list[Prepared]:
    """Each record prepared, in order; `known` is each one's stored hash (None: not stored)."""
    out: list[Prepared] = []
    fresh: list[tuple[Prepared, Record]] = []
    for record, hsh in zip(records, known, strict=True):
        try:
            data = dumps(record)
        except Exception as exc:  # noqa: BLE001 - one record's fault is its own
            out.append(Prepared(record.uri, error=_fault("could not be written as JSON", exc)))
            continue
        prepared = Prepared(record.uri, digest(data))
        if prepared.hash != hsh:
            prepared.data, prepared.outline = data.encode(), Outline.of(record)
            fresh.append((prepared, record))
        out.append(prepared)
    if not fresh:
        return out
    used = store.use_counts(p.uri for p, _ in fresh)
    ehds = profiles.ehds()  # the pipeline validates what the EHDS feed would publish
    # the view validated is the one the EHDS feed renders when the settings name this very source
    # (`Profile.view` reads the source from the settings), and `job.view` is its digest
    renders_view = job.settings.sources.get(job.src.name) == job.src
    for prepared, record in fresh:
        try:
            view = ehds.published(record, job.settings, job.src)
            statements = own_statements(view.record, ehds.name)
            conforms, validation = validated_json(view, ehds.name, statements.get(ehds.name), job.view)
            prepared.conforms, prepared.validation = conforms, packed_report(validation)
            made = Known({ehds.name: view.record}, {ehds.name: job.view}, statements) if renders_view else None
            prepared.renderings = render(record, prepared.hash, job.src.name, conforms, job.settings, made)
            prepared.docs = Packed(
                encoded_documents(
                    record,
                    job.info,
                    valid=conforms,
                    platforms=platforms(store, record, job.src.name),
                    uses=used.get(record.uri, 0),
                    encode=job.encode,
                ),
                job.spill,
            )
        except Exception as exc:  # noqa: BLE001 - one record's fault is its own: the batch goes on
            prepared.error = _fault("could not be validated, rendered or indexed", exc)
            prepared.data = prepared.outline = None
            continue
        if job.labels is not None and renders_view and isinstance(view.record, Dataset):
            try:
                prepared.label = job.labels.label(record.uri, job.src.name, view.record, conforms)
            except Exception:  # noqa: BLE001 - the label is then assessed at the run's end, as by `relabel`
                log.exception("the label of %s could not be assessed ahead", record.uri)
    return out


def _fault(what: str, exc: Exception) -> str:
    return f"the record {what} ({type(exc).__name__}: {exc}); it was not stored"


# --- the pool -------------------------------------------------------------------------------------

_POOL: dict[str, Any] = {}


def die_with_parent(parent: int) -> None:
    """In a worker process: be killed with the process that started it (a harvest killed with
    kill -9 takes its workers along), and end at once if that one is already gone."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _start(job: Job, store_url: str, known: dict[str, str], parent: int, told: Any) -> None:
    """In each pool process: die with the run's process, open the store to read (a connection of
    its own: connections must not cross a fork); `told` takes what deferred pages tell."""
    die_with_parent(parent)
    told.cancel_join_thread()  # a process ends only when the pool is shut down: what it told then is not wanted
    store = store_at(store_url, readonly=True, write_timeout=job.settings.store_write_timeout)  # the pipeline's
    _POOL.update(job=job, store=store, known=known, told=told)


def _prepare_in_pool(records: list[Record], known: list[str | None]) -> list[Prepared]:
    return prepare(_POOL["job"], _POOL["store"], records, known)


def _make_in_pool(
    make: Callable[..., list[Event]], args: tuple[Any, ...], token: int | None
) -> tuple[list[Event], list[Prepared], Any]:
    """A harvester's deferred events (a page mapped), its records prepared while here, and what
    `make` told (`Deferred.tells`: sent to the run's process at once as well, with `token`). The
    records go back as `Mapped`: the run's process writes what was prepared of them; those with
    counts beside them go whole (the run's process keeps their counts with the record's view)."""
    told: list[Any] = []
    if token is None:
        events = make(*args)
    else:

        def tell(news: Any) -> None:
            told.append(news)
            _POOL["told"].put((token, news))

        events = make(*args, tell=tell)
    records = [e.record for e in events if isinstance(e, Harvested)]
    known = _POOL["known"]
    prepared = prepare(_POOL["job"], _POOL["store"], records, [known.get(r.uri) for r in records])
    events = [Mapped.of(e) if isinstance(e, Harvested) and e.counts is None else e for e in events]
    return events, prepared, told[0] if told else None


class Later:
    """Results being made: `result()` waits for them; `done()` says whether it would not."""

    def __init__(self, result: Callable[[], list[Prepared]], done: Callable[[], bool] = lambda: True):
        self._result, self.done = result, done
        self._value: list[Prepared] | None = None

    def result(self) -> list[Prepared]:
        if self._value is None:
            self._value = self._result()
        return self._value


class Preparer:
    """Prepares a run's records in `workers` forked processes (which share the compiled shapes and
    vocabularies with the process that forks them), or in the calling process when `workers` is 0.

    Two ways in: `submit` a batch of harvested records; or `defer` a harvester's `Deferred` (a page
    to map), which the pool then maps and whose records it prepares in the same go, so a page is
    parsed once and its records cross between processes once, as `Mapped`; `taken` gives a
    record's result when it comes out. What a deferred page tells (its paging links) comes to the
    run's process as soon as it is parsed, on a queue of its own, so the harvester fetches on while
    the page is mapped and prepared."""

    def __init__(self, job: Job, store: StoreReader, known: dict[str, str], workers: int = 0):
        self.job, self.store = job, store
        self.pool: ProcessPoolExecutor | None = None
        self.done: dict[int, Prepared] = {}  # id of a deferred page's Harvested or Mapped event -> its record prepared
        self.tokens = itertools.count()
        self.news: dict[int, Any] = {}  # what deferred pages told, by token, until the harvester asks
        self.waiting: set[int] = set()  # tokens whose news the harvester has not had yet
        self.told: Any = None  # the queue the pool's processes tell on
        if workers > 0:
            import multiprocessing

            from catalog.validation import get_profile

            get_profile(profiles.EHDS)  # compiled once, before the fork
            context = multiprocessing.get_context("fork")
            self.told = context.Queue()
            self.pool = ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_start,
                initargs=(job, store.url, known, os.getpid(), self.told),
            )

    def submit(self, records: list[Record], known: list[str | None]) -> Later:
        """Start preparing `records`."""
        here = Later(lambda: prepare(self.job, self.store, records, known))
        if self.pool is None:
            return here
        try:
            future: Future[list[Prepared]] = self.pool.submit(_prepare_in_pool, records, known)
        except (BrokenProcessPool, RuntimeError):
            self._lose_pool()
            return here

        def result() -> list[Prepared]:
            try:
                return future.result()
            except BrokenProcessPool:  # a process died (killed, out of memory): no record is lost
                self._lose_pool()
                return here.result()

        return Later(result, future.done)

    def defer(self, deferred: Deferred) -> None:
        """Have the pool make `deferred`'s events (and prepare their records) from now on; without a
        pool they are made where they are taken (or where the harvester asks what they tell)."""
        if self.pool is None:
            return
        token = next(self.tokens)
        try:
            future = self.pool.submit(_make_in_pool, deferred.make, deferred.args, token if deferred.tells else None)
        except (BrokenProcessPool, RuntimeError):
            self._lose_pool()
            return
        if deferred.tells:
            self.waiting.add(token)

        def outcome() -> tuple[list[Event], list[Prepared], Any] | None:
            """What the pool made; None when a process of it died (the events are then made here);
            the pool's failure to make them (a page that does not parse) is raised."""
            try:
                return future.result()
            except BrokenProcessPool:
                self._lose_pool()
                return None

        def made() -> list[Event]:
            result = outcome()
            if result is None:
                return deferred.make_here()
            events, prepared, _told = result
            harvested = (e for e in events if isinstance(e, Harvested | Mapped))
            self.done.update((id(h), p) for h, p in zip(harvested, prepared, strict=True))
            return events

        def heard() -> Any:
            while token not in self.news:
                if future.done():
                    self.waiting.discard(token)
                    result = outcome()
                    return deferred.hear_here() if result is None else result[2]
                try:
                    sent, news = self.told.get(timeout=0.05)
                except queue.Empty:
                    continue
                if sent in self.waiting:
                    self.news[sent] = news
            self.waiting.discard(token)
            return self.news.pop(token)

        deferred.made, deferred.ready, deferred.hear = made, future.done, heard

    def taken(self, event: Harvested | Mapped) -> Prepared | None:
        """The record of a deferred page's event as the pool prepared it; None when it was not."""
        return self.done.pop(id(event), None)

    def _lose_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        self.done.clear()
        self.news.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.told is not None:
            self.told.close()
            self.told.join_thread()
            self.told = None
