"""A read-only SPARQL endpoint over the catalogue for the access body's analysts (pyoxigraph).

The catalogue (every live record, profile dcat-ap-3, with catalogue records) is bulk-loaded from
the streamed N-Triples dump into an in-memory pyoxigraph store, rebuilt when the store's version
changes. Only queries run (pyoxigraph's `Store.query` has no update form); `SERVICE` is refused so a query
cannot make the server call out. Each query runs in a worker thread (pyoxigraph releases the
GIL): the caller waits at most `timeout` seconds, results stop at `max_results`, and at most
`workers` queries run at once — a query that overran keeps its slot until it ends, so runaway
queries cannot pile up.
"""

from __future__ import annotations

import csv
import io
import json
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

from catalog.config import Settings
from catalog.feeds import dump
from catalog.store import SQLiteStore

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


class SparqlError(Exception):
    """A query we will not or cannot answer; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Answer:
    body: bytes
    media_type: str


class _Chunks(io.RawIOBase):
    """A file object over an iterator of byte chunks, so bulk_load reads the dump as it streams."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.rest:
            try:
                self.rest = next(self.chunks)
            except StopIteration:
                return 0
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


class SparqlEndpoint:
    def __init__(
        self, settings: Settings, store: SQLiteStore, timeout: float = 10.0, max_results: int = 10_000, workers: int = 2
    ):
        self.settings, self.store = settings, store
        self.timeout, self.max_results = timeout, max_results
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._graph: ox.Store | None = None
        self._version: str | None = None

    def graph(self) -> ox.Store:
        """The query store, rebuilt first if the catalogue changed since it was built."""
        with self._lock:
            version = self.store.version()
            if self._graph is None or version != self._version:
                fresh = ox.Store()
                fresh.bulk_load(
                    input=io.BufferedReader(_Chunks(dump(self.settings, self.store, "dcat-ap-3"))),
                    format=ox.RdfFormat.N_TRIPLES,
                )
                self._graph, self._version = fresh, version
            return self._graph

    def query(self, query: str, accept: Iterable[str]) -> Answer:
        check_query(query)
        graph = self.graph()
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
