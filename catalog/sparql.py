"""A read-only SPARQL endpoint over the catalogue for the access body's analysts (pyoxigraph).

Queries run against a snapshot: the catalogue (every live record, profile dcat-ap-3, with
catalogue records) bulk-loaded from the streamed N-Triples dump into an in-memory pyoxigraph
store. When the store's version changes, the next query starts a new snapshot in the background,
bounded like the queries: it may take `snapshot_seconds` and hold `max_triples` statements, and
a build that passes either is abandoned with the reason. Meanwhile queries answer from the
previous snapshot (the catalogue as it was a moment ago: consistent, never half-loaded); a query
waits for a build at most `fresh_wait` seconds first, so a small catalogue answers with its
change at once. With no snapshot yet the answer is 503 "being built, retry in N s" with
Retry-After (N from the last build's time), and with a snapshot that cannot be built (too big)
503 with the reason. No query ever waits on a lock held for a build.

Only queries run (pyoxigraph's `Store.query` has no update form); `SERVICE` is refused so a query cannot make
the server call out. Each query runs in a worker thread (pyoxigraph releases the GIL): the
caller waits at most `timeout` seconds, results stop at `max_results`, and at most `workers`
queries run at once — a query that overran keeps its slot until it ends, so runaway queries
cannot pile up.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from catalog import profiles
from catalog.config import Settings
from catalog.feeds import dump
from catalog.store import StoreReader

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


log = logging.getLogger(__name__)


class SparqlError(Exception):
    """A query we will not or cannot answer; `status` is the HTTP status that says why, and
    `retry_after` (seconds) when asking again later will help."""

    def __init__(self, message: str, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class SnapshotLimit(Exception):
    """A snapshot build passed its time or size limit; the message says which and the setting."""


@dataclass
class Answer:
    body: bytes
    media_type: str


class _Chunks(io.RawIOBase):
    """A file object over an iterator of byte chunks, so bulk_load reads the dump as it streams.

    It counts the statements (N-Triples: one a line) and watches the clock as it goes, and stops
    the load with `SnapshotLimit` past `max_triples` or `deadline`."""

    def __init__(self, chunks: Iterator[bytes], max_triples: int, deadline: float):
        self.chunks, self.rest = chunks, b""
        self.max_triples, self.deadline = max_triples, deadline
        self.triples = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.rest:
            try:
                self.rest = next(self.chunks)
            except StopIteration:
                return 0
            self.triples += self.rest.count(b"\n")
            if self.triples > self.max_triples:
                raise SnapshotLimit(
                    f"The catalogue holds more than {self.max_triples:,} statements, the most this endpoint "
                    "loads (setting sparql_max_triples)."
                )
            if time.monotonic() > self.deadline:
                raise SnapshotLimit(
                    "Loading the catalogue took longer than this endpoint allows (setting sparql_snapshot_seconds)."
                )
        n = min(len(buffer), len(self.rest))
        buffer[:n], self.rest = self.rest[:n], self.rest[n:]
        return n


_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|'
    r'<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def check_query(query: str) -> None:
    if not query.strip():
        raise SparqlError("Give a SPARQL query as ?query=... (GET) or in the body (POST).")
    if len(query) > 20_000:
        raise SparqlError("The query is longer than 20,000 characters.")
    if re.search(r"\bSERVICE\b", _STRINGS_AND_COMMENTS.sub(" ", query), re.I):
        raise SparqlError("SERVICE (federated queries) is not allowed on this endpoint.", 403)


@dataclass
class Snapshot:
    """The catalogue as one version of the store, loaded for querying."""

    graph: ox.Store
    version: str | None
    triples: int
    seconds: float  # how long it took to build


class SparqlEndpoint:
    def __init__(
        self,
        settings: Settings,
        store: StoreReader,
        timeout: float | None = None,
        max_results: int | None = None,
        workers: int = 2,
        fresh_wait: float = 2.0,
    ):
        self.settings, self.store = settings, store
        self.timeout = float(settings.sparql_timeout if timeout is None else timeout)
        self.max_results = int(settings.sparql_max_results if max_results is None else max_results)
        self.fresh_wait = min(fresh_wait, self.timeout)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()  # guards the fields below; never held while a snapshot is built
        self._snapshot: Snapshot | None = None
        self._building: threading.Event | None = None  # set when the build under way ends
        self._build_started = 0.0
        self._refused: tuple[str | None, str] | None = None  # (version, why) of a build that passed a limit

    def snapshot(self) -> Snapshot:
        """The snapshot to answer from: the current one, or the previous one while the current is built."""
        version = self.store.version()
        with self._lock:
            current = self._snapshot is not None and self._snapshot.version == version
            refused = self._refused is not None and self._refused[0] == version
            if not current and not refused and self._building is None:
                self._building, self._build_started = threading.Event(), time.monotonic()
                threading.Thread(
                    target=self._build, args=(version, self._building), name="sparql-snapshot", daemon=True
                ).start()
            building = self._building
        if not current and building is not None:
            building.wait(self.fresh_wait)
        with self._lock:
            if self._snapshot is not None:
                return self._snapshot
            if self._refused is not None:
                raise SparqlError(f"{self._refused[1]} Ask the catalogue's operator to raise it.", 503)
            retry = self._retry_after()
        raise SparqlError(f"The catalogue snapshot is being built; retry in {retry} s.", 503, retry_after=retry)

    def _retry_after(self) -> int:
        """Seconds until the build under way should end: the last build's time, else a guess."""
        expected = self._snapshot.seconds if self._snapshot is not None else 10.0
        return max(1, math.ceil(expected - (time.monotonic() - self._build_started)))

    def _build(self, version: str | None, done: threading.Event) -> None:
        started = time.monotonic()
        chunks = _Chunks(
            dump(self.settings, self.store, profiles.BASE),
            int(self.settings.sparql_max_triples),
            started + float(self.settings.sparql_snapshot_seconds),
        )
        try:
            fresh = ox.Store()
            fresh.bulk_load(input=io.BufferedReader(chunks), format=ox.RdfFormat.N_TRIPLES)
            built = Snapshot(fresh, version, chunks.triples, time.monotonic() - started)
            with self._lock:
                self._snapshot, self._refused = built, None
        except SnapshotLimit as exc:
            log.warning("SPARQL snapshot of version %s refused: %s", version, exc)
            with self._lock:
                self._refused = (version, str(exc))
        except Exception:  # noqa: BLE001 - the endpoint keeps its last snapshot; the next change tries again
            log.exception("SPARQL snapshot of version %s could not be built", version)
        finally:
            with self._lock:
                self._building = None
            done.set()

    def query(self, query: str, accept: Iterable[str]) -> Answer:
        check_query(query)
        graph = self.snapshot().graph
        if not self._slots.acquire(blocking=False):
            raise SparqlError("The endpoint is busy with other queries; try again shortly.", 503)
        deadline = time.monotonic() + self.timeout
        future = self._pool.submit(self._run, graph, query, list(accept), deadline)
        future.add_done_callback(lambda _f: self._slots.release())
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            raise SparqlError(f"The query ran longer than {self.timeout:g} s; narrow it down.", 503) from None

    def _run(self, graph: ox.Store, query: str, accept: list[str], deadline: float) -> Answer:
        """Errors are re-raised fresh here, so pyoxigraph's results (bound to this thread) die with it."""
        error = None
        try:
            return self._evaluate(graph, query, accept, deadline)
        except SparqlError as exc:
            error = SparqlError(str(exc), exc.status)
        raise error

    def _evaluate(self, graph: ox.Store, query: str, accept: list[str], deadline: float) -> Answer:
        try:
            result = graph.query(query, prefixes=_PREFIXES)
        except SyntaxError as exc:
            raise SparqlError(f"Not a valid SPARQL query: {exc}") from None
        except OSError as exc:
            raise SparqlError(f"The query could not run: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return _solutions_answer([], [], accept, boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = self._bounded(([s[n] for n in names] for s in result), deadline)
            return _solutions_answer(names, rows, accept)
        triples = self._bounded(iter(result), deadline)
        media = next((m for m in accept if m in GRAPH_TYPES), "text/turtle")
        return Answer(ox.serialize(triples, format=GRAPH_TYPES[media], prefixes=_PREFIXES) or b"", media)

    def _bounded(self, items: Iterator[Any], deadline: float) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if len(out) >= self.max_results:
                raise SparqlError(f"The answer has more than {self.max_results:,} results; add a LIMIT.", 413)
            if time.monotonic() > deadline:
                raise SparqlError(f"The query ran longer than {self.timeout:g} s; narrow it down.", 503)
            out.append(item)
        return out


def _prefixes() -> dict[str, str]:
    from catalog.rdf import PREFIX_IRIS

    return PREFIX_IRIS | {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }


_PREFIXES = _prefixes()


def _json_term(term: Any) -> dict[str, str] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    attr = f" xml:lang={quoteattr(term.language)}" if term.language else f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attr}>{escape(term.value)}</literal>"


def _solutions_answer(
    names: list[str], rows: list[list[Any]], accept: list[str], boolean: bool | None = None
) -> Answer:
    """SPARQL 1.1 results as JSON, CSV or XML, written here because the rows were already bounded."""
    fmt = next((RESULT_TYPES[m] for m in accept if m in RESULT_TYPES), "json")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if boolean else "false"])
        else:
            writer.writerow(names)
            writer.writerows([["" if t is None else t.value for t in row] for row in rows])
        return Answer(out.getvalue().encode(), "text/csv")
    if fmt == "xml":
        head = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
        if boolean is not None:
            body = f"<boolean>{'true' if boolean else 'false'}</boolean>"
        else:
            body = (
                "<results>"
                + "".join(
                    "<result>"
                    + "".join(
                        f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                        for n, t in zip(names, row, strict=True)
                        if t is not None
                    )
                    + "</result>"
                    for row in rows
                )
                + "</results>"
            )
        xml = f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head>{body}</sparql>'
        return Answer(xml.encode(), "application/sparql-results+xml")
    if boolean is not None:
        doc: dict[str, Any] = {"head": {}, "boolean": boolean}
    else:
        doc = {
            "head": {"vars": names},
            "results": {
                "bindings": [
                    {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows
                ]
            },
        }
    return Answer(json.dumps(doc, ensure_ascii=False).encode(), "application/sparql-results+json")
