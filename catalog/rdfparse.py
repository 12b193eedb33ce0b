"""RDF documents parsed by pyoxigraph into a light, read-only graph that `catalog.rdf.Reader` reads.

rdflib's parsers and its Graph index about 25,000 triples a second; a feed of a million
variables is ten million triples. pyoxigraph parses in Rust; `LightGraph` keeps the triples in
insertion-ordered dictionaries (IRIs as rdflib terms, strings as Python's own: `stored`) and
offers the few Graph methods the readers use (`objects`, `subjects`, `value`, iteration, `in`,
`len`), which give rdflib terms. Insertion order matters: where a
source gives several values and the reader takes one, it takes the first, in every process, so
an unchanged feed maps to an unchanged record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from catalog import collector
from catalog.lru import remember
from catalog.rdf import READ_TERMS, as_term, text

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": None,
    "n3": ox.RdfFormat.N3,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
"""rdflib format names -> pyoxigraph formats (JSON-LD goes through rdflib: see `_parse_jsonld`)."""

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_STRING_TERM = ox.NamedNode(XSD_STRING)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NamedNode, OxLiteral = ox.NamedNode, ox.Literal
_KNOWN = {str(term): term for term in READ_TERMS}
Triple = tuple[Node, Node, Node]


class RdfSyntaxError(ValueError):
    """The document is not valid in its syntax; `line` is where the parser stopped, when known."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


Stored = Node | str | tuple[str, str]
"""An object as a LightGraph keeps it (`stored`): an IRI, blank node or typed literal as its
rdflib term; a plain string as `str`; a language-tagged string as (text, tag)."""
Objects = tuple[Stored] | dict[Stored, None]
"""A subject's objects for one predicate, in the document's order: one as a tuple, more as a
dictionary (an ordered set)."""


def stored(term: Node) -> Stored:
    """`term` as LightGraph keeps it. rdflib's Literal hashes in Python (twice a statement, to
    look for a repeat and to keep it) and takes five steps to make; a page's strings are most of
    its objects, so they are kept as Python's own strings and tuples and made terms when read."""
    if type(term) is Literal and term.datatype is None:
        return (str(term), term.language) if term.language else str(term)
    return term


_NONE: Mapping[Node, Objects] = {}  # a subject's properties when it has none: never changed


class LightGraph:
    """Triples indexed by subject and predicate, plus (object, subject) for a predicate on the first
    question by it: readers ask only by a few (rdf:type, skos:inScheme), and indexing every
    statement backwards took a twentieth of mapping a page.

    Objects are kept as `stored` makes them and given out as rdflib terms, except by `properties`,
    whose reader (`catalog.rdf.Reader.variable`, a page's most read) takes them as kept. A
    subject's objects for a predicate are a tuple of one while there is one (most are: a third
    fewer allocations than a dictionary each, a tenth of a parse), then an insertion-ordered
    dictionary."""

    def __init__(self) -> None:
        self._out: dict[Node, dict[Node, Objects]] = {}
        self._in: dict[Node, dict[Stored, dict[Node, None]]] = {}  # predicate -> object -> subjects
        self._size = 0

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        self._add(s, p, stored(o))

    def _add(self, s: Node, p: Node, o: Stored) -> None:
        properties = self._out.setdefault(s, {})
        objects = properties.get(p, ())
        if o not in objects:
            if isinstance(objects, dict):
                objects[o] = None
            else:
                properties[p] = dict.fromkeys((*objects, o)) if objects else (o,)
            self._size += 1
            inverse = self._in.get(p)
            if inverse is not None:
                inverse.setdefault(o, {})[s] = None

    def objects(self, subject: Node | None, predicate: Node) -> Iterator[Node]:
        """Objects of `subject` (of any subject when None) for `predicate`, as rdflib's Graph does."""
        if subject is None:
            return (o for _s, o in self.subject_objects(predicate))
        return map(as_term, self._out.get(subject, {}).get(predicate, ()))

    def properties(self, subject: Node) -> Mapping[Node, Collection[Stored]]:
        """Predicate -> objects of `subject` as kept (`stored`), in the document's order: what a
        reader of many properties of one subject (a variable) looks up in, one dictionary read each."""
        return self._out.get(subject, _NONE)

    def values(self, subject: Node, predicate: Node) -> Collection[Stored] | None:
        """The objects of `subject` for `predicate` as kept (`stored`), None for none: what the
        reader of one property (`catalog.rdf.Reader`) takes, one call and no terms made."""
        return self._out.get(subject, _NONE).get(predicate)

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        for s, po in self._out.items():
            for o in po.get(predicate, ()):
                yield s, as_term(o)

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        inverse = self._in.get(predicate)
        if inverse is None:
            inverse = self._in[predicate] = {}
            for s, po in self._out.items():
                for o in po.get(predicate, ()):
                    inverse.setdefault(o, {})[s] = None
        return iter(inverse.get(stored(obj), ()))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        return next(self.objects(subject, predicate), None)

    def __iter__(self) -> Iterator[Triple]:
        for s, po in self._out.items():
            for p, objects in po.items():
                for o in objects:
                    yield s, p, as_term(o)

    def __contains__(self, triple: Triple) -> bool:
        s, p, o = triple
        return stored(o) in self._out.get(s, {}).get(p, {})

    def __len__(self) -> int:
        return self._size


class _Terms:
    """pyoxigraph terms as LightGraph keeps them (`stored`), each distinct IRI and typed literal
    made once per document (predicates and classes recur in every statement; a variable's
    position is one of few numbers)."""

    def __init__(self) -> None:
        self.iris: dict[str, URIRef] = dict(_KNOWN)
        self.typed: dict[tuple[str, str], Literal] = {}
        self.tags: set[str] = set()

    def iri(self, value: str) -> URIRef:
        iri = self.iris.get(value)
        if iri is None:
            # pyoxigraph has checked the IRI; URIRef's constructor would check it again
            iri = self.iris[value] = str.__new__(URIRef, value)
        return iri

    def __call__(self, term: object) -> Stored:
        kind = type(term)
        if kind is ox.NamedNode:
            return self.iri(term.value)  # type: ignore[attr-defined]
        if kind is ox.Literal:
            language = term.language  # type: ignore[attr-defined]
            if language:
                if language not in self.tags:
                    text("", language)  # a tag rdflib refuses fails the parse, as its term did
                    self.tags.add(language)
                return (term.value, language)  # type: ignore[attr-defined]
            datatype = term.datatype.value  # type: ignore[attr-defined]
            if datatype == XSD_STRING:
                return term.value  # type: ignore[attr-defined]
            key = (term.value, datatype)  # type: ignore[attr-defined]
            literal = self.typed.get(key)
            if literal is None:
                literal = remember(self.typed, key, Literal(key[0], datatype=self.iri(datatype)), 10_000)
            return literal
        if kind is ox.BlankNode:
            return BNode(term.value)  # type: ignore[attr-defined]
        raise RdfSyntaxError(f"unsupported RDF term {term!r}", None)


@dataclass(frozen=True)
class Pick:
    """Statements picked by their predicate, and rdf:type statements by their class (IRIs as text):
    the few statements of a document that a reader of it needs before the rest (a feed page's
    paging links)."""

    predicates: frozenset[str]
    classes: frozenset[str] = frozenset()

    def __call__(self, q: ox.Quad) -> bool:
        """Whether the statement is picked (a `keep` of `parse_rdf`)."""
        p = q.predicate.value
        return p in self.predicates or (
            p == RDF_TYPE and type(q.object) is ox.NamedNode and q.object.value in self.classes
        )


def parse_rdf(
    data: bytes | str, fmt: str, base_iri: str | None = None, keep: Callable[[ox.Quad], bool] | None = None
) -> LightGraph:
    """The triples of `data` (in rdflib format name `fmt`); named graphs are merged. With `keep`,
    only the statements it keeps (all are still parsed, so a syntax error anywhere is found): a
    reader of a few statements of a large document pays for those only. JSON-LD keeps all."""
    return _parse(data, fmt, base_iri, keep, None)


def parse_picked(data: bytes | str, fmt: str, base_iri: str | None, pick: Pick) -> tuple[LightGraph, LightGraph]:
    """The whole graph of `data` and, from the same parse, the graph of the statements `pick`
    picks, as `parse_rdf(..., keep=pick)` gives it (JSON-LD: the whole graph again)."""
    picked = LightGraph()
    graph = _parse(data, fmt, base_iri, None, (pick, picked))
    return graph, (graph if fmt == "json-ld" else picked)


def _parse(
    data: bytes | str,
    fmt: str,
    base_iri: str | None,
    keep: Callable[[ox.Quad], bool] | None,
    tap: tuple[Pick, LightGraph] | None,
) -> LightGraph:
    if fmt not in FORMATS:
        raise RdfSyntaxError(f"unknown RDF format {fmt!r}", None)
    graph = LightGraph()
    if fmt == "json-ld":
        return _parse_jsonld(data, base_iri, graph)
    try:
        with collector.paused():  # see catalog.collector
            _fill(graph, ox.parse(data, format=FORMATS[fmt], base_iri=base_iri), keep, tap)
    except (SyntaxError, ValueError) as exc:  # pyoxigraph: SyntaxError with a location, ValueError for bad IRIs
        raise RdfSyntaxError(getattr(exc, "msg", None) or str(exc), getattr(exc, "lineno", None)) from exc
    return graph


def _fill(
    graph: LightGraph,
    quads: Iterable[ox.Quad],
    keep: Callable[[ox.Quad], bool] | None,
    tap: tuple[Pick, LightGraph] | None = None,
) -> None:
    """`graph.add` of each quad's triple (as `_Terms` makes it), unrolled: a page is some 100,000
    statements, and a call per term and per statement was a third of the time beyond pyoxigraph's.
    A statement's subject is most often the one before's, and IRIs the ones met before: each made
    here without a call, as are plain and tagged strings (most objects). The statements `tap`
    picks are added to its graph too, in order.

    Each attribute of a pyoxigraph term read from Python makes a new object, so a predicate is
    found by its pyoxigraph term (a page has a few dozen; `.value` made a string to hash each
    time), a literal's datatype compared as a term, and a typed literal found by its pyoxigraph
    term (a variable's position is one of few numbers): some 5% of the time beyond pyoxigraph's."""
    term = _Terms()
    predicates_met: dict[ox.NamedNode, URIRef] = {}
    typed: dict[ox.Literal, Stored] = {}
    iris, tags = term.iris, term.tags
    new = str.__new__
    out = graph._out
    assert not graph._in, "a new graph: no inverse index to keep"
    size = graph._size
    last = properties = None
    picked: list[tuple[Node, Node, Stored]] | None = None
    if tap is not None:
        pick, picked = tap[0], []
        # as the terms this parse makes, each IRI one object: found by its cached hash, and by identity
        predicates = {iris.get(p) or term.iri(p) for p in pick.predicates}
        rdf_type, classes = iris.get(RDF_TYPE) or term.iri(RDF_TYPE), pick.classes
    for q in quads:
        if keep is not None and not keep(q):
            continue
        subject = q.subject
        if properties is None or subject != last:
            last = subject
            if type(subject) is NamedNode:
                value = subject.value
                s: Node = iris.get(value) or term.iri(value)
            else:
                s = term(subject)  # type: ignore[assignment]  # a blank node
            properties = out.get(s)
            if properties is None:
                properties = out[s] = {}
        predicate_term = q.predicate
        predicate = predicates_met.get(predicate_term)
        if predicate is None:
            p = predicate_term.value
            predicate = iris.get(p)
            if predicate is None:
                predicate = iris[p] = new(URIRef, p)  # pyoxigraph has checked it: see `_Terms.iri`
            predicates_met[predicate_term] = predicate
        o: Any = q.object  # told apart by its type below
        kind = type(o)
        obj: Stored
        if kind is NamedNode:
            value = o.value
            obj = iris.get(value) or term.iri(value)
        elif kind is OxLiteral:
            language = o.language
            if language:
                if language not in tags:
                    text("", language)  # a tag rdflib refuses fails the parse, as its term did
                    tags.add(language)
                obj = (o.value, language)
            elif o.datatype == XSD_STRING_TERM:
                obj = o.value
            else:
                known = typed.get(o)
                if known is None:
                    known = term(o)
                    if len(typed) < 10_000:
                        typed[o] = known
                obj = known
        else:
            obj = term(o)
        objects = properties.get(predicate)
        if objects is None:
            properties[predicate] = (obj,)  # most have one value: a tuple, a dictionary from the second on
            size += 1
        elif obj not in objects:
            if isinstance(objects, dict):
                objects[obj] = None
            else:
                properties[predicate] = dict.fromkeys((*objects, obj))
            size += 1
        if picked is not None and (
            predicate in predicates or (predicate is rdf_type and kind is NamedNode and value in classes)
        ):
            picked.append((s, predicate, obj))
    graph._size = size
    if tap is not None and picked:
        for triple in picked:
            tap[1]._add(*triple)


def _parse_jsonld(data: bytes | str, base_iri: str | None, graph: LightGraph) -> LightGraph:
    """JSON-LD through rdflib: pyoxigraph 0.5 gave 4 of the 8 triples of the official DCAT-AP 3.0.1
    example-bee-population-2022-2023.jsonld (context inlined), dropping its dct:publisher links;
    rdflib gives all 8 (tests/test_exchange_examples.py). Callers refuse remote contexts before
    this point, so rdflib never fetches one."""
    from rdflib import Graph

    try:
        parsed = Graph().parse(data=data, format="json-ld", publicID=base_iri)
    except Exception as exc:  # noqa: BLE001 - rdflib's JSON-LD parser raises many types
        raise RdfSyntaxError(str(exc) or type(exc).__name__, getattr(exc, "lineno", None)) from exc
    for triple in parsed:
        graph.add(triple)
    return graph
