"""A compiled SHACL Core engine for the constraint components our profiles use, exact to pyshacl.

pyshacl re-reads the shapes graph and walks rdflib indexes for every record; at ~900 triples
per record that is a few records per second. This module compiles a shapes graph once into
plain Python closures over an in-memory index of one record's triples, and reproduces
pyshacl's results (focus node, path, value, severity, source shape, constraint component) and
its conformance rules -- including its quirks: a shape of Warning/Info severity conforms
whatever it finds (pyshacl with `allow_warnings`), `sh:node` fails on *any* nested result, and
`sh:hasValue`, `sh:minCount`, `sh:maxCount` report no value.

What it does not compile (SPARQL constraints, rules, qualified value shapes, closed shapes, value
ranges, property pairs, recursive shapes, unknown target types) raises `Unsupported` at compile
time; the caller then falls back to pyshacl for that shapes graph. pyshacl stays the oracle:
tests/test_validation_engine.py compares both on generated graphs.

The one SHACL-AF target type compiled is our own `hk:DatasetWithAccessRights` (shapes/
healthdcat-ap.ttl): the datasets whose dct:accessRights is the given access level, which is how
the HealthDCAT-AP profile picks the public / restricted / non-public rules per dataset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Collection as Objects
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, repeat
from operator import contains
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, XSD
from rdflib.term import Node

HK_TARGET = URIRef("https://w3id.org/helsekatalog#DatasetWithAccessRights")
HK_ACCESS_RIGHTS = URIRef("https://w3id.org/helsekatalog#accessRights")

ALLOWED = {SH.Warning, SH.Info}  # severities that do not make a shape non-conforming
_EMPTY: frozenset[Node] = frozenset()
_RDF_TYPE, _SUBCLASS_OF = RDF.type, RDFS.subClassOf  # rdflib's closed namespaces check every access
_EAGER_INVERSE = {_RDF_TYPE, _SUBCLASS_OF}
_DATASET, _ACCESS_RIGHTS = DCAT.Dataset, DCTERMS.accessRights
_EAGER_INVERSE_LIST = list(_EAGER_INVERSE)
_NO_PROPERTIES: dict[Node, Objects[Node]] = {}
_NONE_FAILING: frozenset[int] = frozenset()
_AT_MOST_ONE = frozenset({0, 1})
"""A node's count of objects for each property, when `add_nodes` takes its table as it is."""

_UNSUPPORTED_PARAMETERS = {
    SH[n]
    for n in (
        "closed",
        "ignoredProperties",
        "disjoint",
        "equals",
        "lessThan",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "sparql",
        "expression",
        "rule",
        "js",
    )
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class Unsupported(Exception):
    """The shapes graph uses something this engine does not compile; use pyshacl instead."""


class Result(NamedTuple):
    """One sh:ValidationResult, as pyshacl reports it at the top level of the report.

    A tuple, not a frozen dataclass: a dataset of 100 variables has ~160 results, and a frozen
    dataclass's `__init__` (one `object.__setattr__` a field) cost more than finding them."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    shape: Node
    component: URIRef


Table = dict[Node, dict[Node, set[Node]]]
OutTable = dict[Node, dict[Node, Objects[Node]]]  # sets, and 1-tuples from `Index.add_node`


def _put(table: Table, key: Node, p: Node, value: Node) -> None:
    po = table.get(key)
    if po is None:
        table[key] = {p: {value}}
    elif p in po:
        po[p].add(value)
    else:
        po[p] = {value}


def _find(
    table: Mapping[Node, Mapping[Node, Objects[Node]]],
    base: Mapping[Node, Mapping[Node, Objects[Node]]] | None,
    key: Node,
    p: Node,
) -> Objects[Node]:
    po = table.get(key)
    found = po.get(p, _EMPTY) if po else _EMPTY
    if base is not None:
        bpo = base.get(key)
        if bpo:
            more = bpo.get(p)
            if more:
                return {*found, *more}
    return found


class Index:
    """The triples of one data graph, indexed for the lookups SHACL Core needs.

    It is a `catalog.rdf.TripleWriter`, so `catalog.rdf.add_records(Index(), records)` fills it
    directly without building a Graph. `base` is a shared, read-only index (the
    controlled vocabularies) seen as part of every record's graph.
    """

    def __init__(self, base: Index | None = None):
        self.out: OutTable = {}
        self.inc: Table = {}  # rdf:type and rdfs:subClassOf until complete
        self._inc_complete = False
        self.base = base
        # memo of `objects_of_each`, by list: (the list, each node's properties, the base if it has any of them)
        self._rows: dict[int, tuple[list[Node], list[dict[Node, Objects[Node]]], OutTable | None]] = {}
        self._superclasses: dict[Node, set[Node]] = {}  # memo of `is_instance`: emptied by a new rdf:type or subClassOf
        self._subclassing = False  # whether this index itself states an rdfs:subClassOf (`is_instance`)
        self._instances: dict[Node, set[Node]] = {}  # memo of `instances`, emptied with the one above

    @classmethod
    def of(cls, graph: Graph | Iterable[tuple[Node, Node, Node]], base: Index | None = None) -> Index:
        index = cls(base)
        for triple in graph:
            index.add(triple)
        return index

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        if self._rows:
            self._rows.clear()
        s, p, o = triple
        po = self.out.get(s)  # `_put`, inlined: a record of 100 variables adds ~800 triples
        if po is None:
            self.out[s] = {p: {o}}
        else:
            values = po.get(p)
            if values is None:
                po[p] = {o}
            elif type(values) is set:
                values.add(o)
            else:  # a lone object from `add_node`
                po[p] = {*values, o}
        if self._inc_complete or p in _EAGER_INVERSE:
            _put(self.inc, o, p, s)
            if p is not _RDF_TYPE:  # rdfs:subClassOf (or any, once complete): its own superclasses
                self._subclassing = True
            self._superclasses.clear()
            self._instances.clear()

    def _put_inverse(self, s: Node, p: Node, objects: Iterable[Node]) -> None:
        """(object -> s) entries of `p` for each of `objects` (`_put_inverses`)."""
        self._put_inverses(((s, p, objects),))

    def _put_inverses(self, entries: Iterable[tuple[Node, Node, Iterable[Node]]]) -> None:
        """(object -> s) entries of p for each of the objects of each (s, p, objects); the class
        lookups they may change (superclasses, instances) are forgotten once for them all."""
        inc = self.inc
        for s, p, objects in entries:
            if p is not _RDF_TYPE:
                self._subclassing = True
            for o in objects:
                _put(inc, o, p, s)
        self._superclasses.clear()
        self._instances.clear()

    def add_node(self, s: Node, statements: dict[Node, Objects[Node]]) -> None:
        """`add((s, p, o))` for each p and each of its objects, in one step: a variable's column
        comes as one node's statements (`catalog.rdf.variable_statements`). The index may keep
        `statements` as the node's own table (the caller must not use it again), and a lone object
        in its 1-tuple rather than a set (rdflib hashes a Literal in Python)."""
        if self._rows:
            self._rows.clear()
        po = self.out.get(s)
        if po is None:
            po = self.out[s] = statements
            for p, objects in statements.items():
                if len(objects) != 1 or type(objects) is not tuple:
                    statements[p] = set(objects)  # repeats dropped, as a graph drops them
                if self._inc_complete or p in _EAGER_INVERSE:
                    self._put_inverse(s, p, objects)
            return
        for p, objects in statements.items():
            if not objects:
                continue
            values = po.get(p)
            if values is None:
                po[p] = objects if type(objects) is tuple and len(objects) == 1 else set(objects)
            else:
                po[p] = {*values, *objects}
            if self._inc_complete or p in _EAGER_INVERSE:
                self._put_inverse(s, p, objects)

    def add_nodes(self, nodes: Iterable[tuple[Node, dict[Node, Objects[Node]]]]) -> None:
        """`add_node` for each (node, statements): a dataset's columns in one call. A node new to
        the index whose statements are one object each at most (a column's usually are: checked in
        C, not property by property) is taken as it is."""
        if self._rows:
            self._rows.clear()
        out = self.out
        typed: list[tuple[Node, Node, Objects[Node]]] = []  # (s, p, objects) of rdf:type and rdfs:subClassOf
        for s, statements in nodes:
            if self._inc_complete or s in out or not _AT_MOST_ONE.issuperset(map(len, statements.values())):
                self.add_node(s, statements)
                continue
            out[s] = statements
            for p in _EAGER_INVERSE_LIST:
                objects = statements.get(p)
                if objects:
                    typed.append((s, p, objects))
        if typed:  # their inverse entries in one step (a column's rdf:type each)
            self._put_inverses(typed)

    def add_objects(self, s: Node, p: Node, objects: list[Node]) -> None:
        """`add((s, p, o))` for each of `objects` (a table's columns)."""
        if objects:
            self.add_node(s, {p: objects})

    def _complete_inverse(self) -> None:
        """Inverse lookups other than rdf:type are rare (inverse paths): index them on demand."""
        self._inc_complete = True
        for s, po in self.out.items():
            for p, os in po.items():
                if p not in _EAGER_INVERSE:
                    for o in os:
                        _put(self.inc, o, p, s)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for s, po in self.out.items():
            for p, os in po.items():
                for o in os:
                    yield s, p, o

    def objects(self, s: Node, p: Node) -> Objects[Node]:
        """The objects of (s, p); the returned set must not be changed."""
        return _find(self.out, self.base.out if self.base is not None else None, s, p)

    def table(self, node: Node) -> Mapping[Node, Objects[Node]] | None:
        """The node's predicate -> objects, to read many predicates of one node without a call each;
        None when the base says something of the node too (then read with `objects`). The sets must
        not be changed."""
        if self.base is not None and node in self.base.out:
            return None
        return self.out.get(node, _NO_PROPERTIES)

    def objects_of_each(self, nodes: list[Node], p: Node) -> list[Objects[Node]]:
        """The objects of (n, p) for each of `nodes`, in order: `objects` for many nodes at once (a
        shape's property is read for every variable of a dataset); the sets must not be changed, nor
        `nodes` after (each node's properties, and whether any of them is in the base, are remembered
        for the list until the index changes, since each property of a shape is read for the same
        list)."""
        if len(nodes) == 1:  # a dataset, or one value node of it: `objects`, without the memo
            return [self.objects(nodes[0], p)]
        known = self._rows.get(id(nodes))
        if known is None or known[0] is not nodes:
            base = self.base.out if self.base is not None else None
            known = self._rows[id(nodes)] = (
                nodes,
                list(map(self.out.get, nodes, repeat(_NO_PROPERTIES))),
                base if base and not base.keys().isdisjoint(nodes) else None,
            )
        get: Callable[[dict[Node, Objects[Node]], Node, Objects[Node]], Objects[Node]] = dict.get
        found = list(map(get, known[1], repeat(p), repeat(_EMPTY)))  # in C: each node's table is a dict
        base = known[2]
        if base is not None:
            for i, node in enumerate(nodes):
                bpo = base.get(node)
                more = bpo.get(p) if bpo else None
                if more:
                    found[i] = {*found[i], *more}
        return found

    def subjects(self, p: Node, o: Node) -> Objects[Node]:
        """The subjects of (p, o); the returned set must not be changed."""
        if p not in _EAGER_INVERSE:
            for index in (self, self.base):
                if index is not None and not index._inc_complete:
                    index._complete_inverse()
        return _find(self.inc, self.base.inc if self.base is not None else None, o, p)

    def pairs(self, p: Node) -> Iterator[tuple[Node, Node]]:
        for s, po in self.out.items():
            for o in po.get(p, ()):
                yield s, o
        if self.base is not None:
            yield from self.base.pairs(p)

    def superclasses(self, cls: Node) -> set[Node]:
        """cls and everything it is rdfs:subClassOf, transitively."""
        seen, todo = {cls}, [cls]
        while todo:
            for sup in self.objects(todo.pop(), _SUBCLASS_OF):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def instances(self, cls: Node) -> set[Node]:
        """The nodes whose rdf:type is cls or a subclass; the set must not be changed (a dataset's
        shapes ask for the datasets and the columns several times each)."""
        found = self._instances.get(cls)
        if found is not None:
            return found
        found = self._instances[cls] = set()
        seen, todo = {cls}, [cls]
        while todo:
            c = todo.pop()
            found.update(self.subjects(_RDF_TYPE, c))
            for sub in self.subjects(_SUBCLASS_OF, c):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        """Whether node is a cls (an rdf:type of it is cls or a subclass). Each type's superclasses
        are found once while the index is unchanged (sh:class on a hundred columns of one type);
        a record that states no rdfs:subClassOf of its own (none of ours does) has its base's
        superclasses, found once for every record (a dataset's sh:class checks ask for ten types)."""
        base = self.base
        known = base._superclasses if base is not None and not self._subclassing else self._superclasses
        for t in self.objects(node, _RDF_TYPE):
            supers = known.get(t)
            if supers is None:
                supers = known[t] = self.superclasses(t)
            if cls in supers:  # t is among its own
                return True
        return False


Values = list[Objects[Node]]  # the value nodes of each focus node, in order (never changed: may be the index's own)
Evaluation = tuple[bool, list[Result]]
Component = Callable[[Index, list[Node], Values], Evaluation]  # (index, focus nodes, their values)
Test = Callable[[Index, Values], list[bool]]  # whether each focus node's values pass one component
Every = Callable[[Index, Values], bool]  # whether every value of every focus node passes one component


# --- paths --------------------------------------------------------------------------------------

PathFn = Callable[[Index, Node], Objects[Node]]


def _compile_path(sg: Graph, path: Node) -> PathFn:
    if isinstance(path, URIRef):
        return lambda index, f: index.objects(f, path)
    if isinstance(path, BNode):
        inverse = sg.value(path, SH.inversePath)
        if inverse is not None:
            if isinstance(inverse, URIRef):
                return lambda index, f: index.subjects(inverse, f)
            raise Unsupported("an inverse of a complex path")
        alternatives = sg.value(path, SH.alternativePath)
        if alternatives is not None:
            parts = [_compile_path(sg, p) for p in Collection(sg, alternatives)]
            return lambda index, f: set().union(*(part(index, f) for part in parts))
        if sg.value(path, RDF.first) is not None:
            steps = [_compile_path(sg, p) for p in Collection(sg, path)]

            def sequence(index: Index, f: Node) -> set[Node]:
                nodes = {f}
                for step in steps:
                    nodes = set().union(*(step(index, n) for n in nodes)) if nodes else set()
                return nodes

            return sequence
    raise Unsupported(f"the path {path!r}")


def path_text(sg: Graph, path: Node | None) -> str | None:
    """A SHACL path as SPARQL-like text: IRIs in full, ^inverse, (a|b), a/b."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (path_text(sg, inverse) or "")
    alternatives = sg.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(sg, p) or "" for p in Collection(sg, alternatives)) + ")"
    for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = sg.value(path, key)
        if inner is not None:
            return f"({path_text(sg, inner)}){mark}"
    if sg.value(path, RDF.first) is not None:
        return "/".join(path_text(sg, p) or "" for p in Collection(sg, path))
    return str(path)


# --- value tests (the pyshacl rules, one function each) -----------------------------------------

_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _datatype_test(rule: Node) -> Callable[[Node], bool]:
    """Whether a value node has the datatype `rule`, pyshacl's way: what depends only on the rule is
    settled once (rdflib's closed namespaces check every attribute access, and a term's `==` runs
    in Python)."""
    expected = _PYTHON_TYPES.get(rule)
    any_literal, any_datatype = rule == RDFS.Literal, rule == RDFS.Datatype
    string, lang_string = rule == XSD.string, rule == RDF.langString

    def actual(v: Literal) -> bool:
        return expected is None or isinstance(v.value, expected)

    def ok(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        datatype = v.datatype
        if datatype == rule:
            return getattr(v, "ill_typed", None) is not True and actual(v)
        if any_literal:
            return True
        if any_datatype and datatype:
            return True
        if string and datatype is None and v.language is None:
            return actual(v)
        if lang_string and v.language:
            return actual(v)
        return False

    return ok


_KINDS = {
    BNode: {SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI},
    Literal: {SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral},
    URIRef: {SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI},
}


def _kinds(rule: Node) -> tuple[type, ...]:
    """The term classes a sh:nodeKind admits, so the check is one isinstance."""
    return tuple(cls for cls, kinds in _KINDS.items() if rule in kinds)


def _string(v: Node) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def _language_ok(v: Node, wanted: set[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = v.language.lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _duplicate_languages(values: Iterable[Node]) -> set[str]:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for v in values:
        if isinstance(v, Literal) and v.language:
            lang = v.language.lower()
            (duplicates if lang in seen else seen).add(lang)
    return duplicates


# --- shapes -------------------------------------------------------------------------------------
#
# A shape is evaluated on all its focus nodes at once: the value nodes of every focus node are read
# in one pass (`Index.objects_of_each`), and each constraint component runs over all of them. A
# dataset's shapes for its variables (csvw:Column) have a hundred focus nodes; evaluating them node
# by node was most of validating a record.

_new = tuple.__new__  # a Result without NamedTuple's keyword-handling __new__


_NOT_LITERALS = frozenset({URIRef, BNode})
"""Term classes that are not literals, told by `type(v) in`: rdflib's terms are ABCs, and an
`isinstance` of one runs abc's Python-level check (about five times as long), for every value."""


def _instance_of(cls: Node) -> Callable[[Index, Node], bool]:
    return lambda index, v: (type(v) in _NOT_LITERALS or not isinstance(v, Literal)) and index.is_instance(v, cls)


def _all_instances(cls: Node) -> Every:
    """Whether every value is a cls: `_instance_of` for many values at once, by the set of cls's
    instances (a node is an instance of cls exactly when it is in `index.instances(cls)`); a few
    values are each tested (the set of, say, every skos:Concept is larger than they are)."""
    ok = _instance_of(cls)

    def every(index: Index, values: Values) -> bool:
        flat = list(chain.from_iterable(values))
        if len(flat) < 8:
            return all([ok(index, v) for v in flat])
        return (
            _NOT_LITERALS.issuperset(map(type, flat)) or not any(map(isinstance, flat, repeat(Literal)))
        ) and index.instances(cls).issuperset(flat)

    return every


def _failing(ok: Callable[[Index, Node], bool], index: Index, values: Values) -> AbstractSet[int]:
    """The ids of the values `ok` fails, each distinct object tested once (the values, alive while
    the caller holds them, keep their ids)."""
    if len(values) == 1 and len(values[0]) == 1:  # a dataset's one value
        for v in values[0]:
            return _NONE_FAILING if ok(index, v) else {id(v)}
    flat = list(chain.from_iterable(values))
    return {key for key, v in dict(zip(map(id, flat), flat, strict=True)).items() if not ok(index, v)}


def _matches(regex: re.Pattern[str]) -> Callable[[Index, Node], bool]:
    return lambda _i, v: not isinstance(v, BNode) and regex.search(_string(v)) is not None


def _length(compare: Callable[[int, int], bool], n: int) -> Callable[[Index, Node], bool]:
    return lambda _i, v: not isinstance(v, BNode) and compare(len(_string(v)), n)


def _in_order_with(other: Node, shape: Shape) -> Component:
    """sh:lessThanOrEquals `other`: a result for each value not less than or equal to a value of
    `other` at the same focus node, or not comparable with it (a year against a date)."""

    def check(index: Index, focus: list[Node], values: Values) -> Evaluation:
        if not any(values):
            return True, []
        found = [
            shape.result(f, SH.LessThanOrEqualsConstraintComponent, v)
            for f, vs, ws in zip(focus, values, index.objects_of_each(focus, other), strict=True)
            for v in vs
            for w in ws
            if not _at_most(v, w)
        ]
        return not found, found

    return check


def _at_most(v: Node, w: Node) -> bool:
    """SPARQL's `v <= w` as pyshacl compares: IRIs and string literals as strings, with each other
    only; other literals by their values (rdflib's order), years and months by their digits. Never
    a blank node (pyshacl refuses the shapes graph; a harvested record must not stop validation) nor
    a literal its datatype does not admit. Where rdflib cannot order two literals ("2020-13-45" or
    "2010"^^xsd:gYear: no value), its `<=` takes its own NotImplemented for true one way round,
    with a DeprecationWarning (an error in later Pythons), and raises the other; pyshacl follows it:
    "1984" before "1986" passed with a warning, 218 of them in the full suite."""
    if isinstance(v, BNode) or isinstance(w, BNode):
        return False
    if getattr(v, "ill_typed", False) or getattr(w, "ill_typed", False):
        return False
    v_text, a = _ordered(v)
    w_text, b = _ordered(w)
    if v_text != w_text:
        return False
    if v_text:
        return bool(a <= b)
    partial = _PARTIAL_DATES.get(a.datatype) if a.datatype == b.datatype else None
    if partial is not None:  # rdflib gives these no value: their digits, in order
        return bool(partial.fullmatch(a) and partial.fullmatch(b)) and str(a) <= str(b)
    try:  # `a <= b` without rdflib's taking its own NotImplemented for true (its __le__ does)
        less = a.__lt__(b)
        return less is not NotImplemented and (less is True or a.eq(b) is True)
    except TypeError:
        return False


_PARTIAL_DATES = {XSD.gYear: re.compile(r"\d{4}"), XSD.gYearMonth: re.compile(r"\d{4}-\d{2}")}
"""A year or a month as periods give them (DDI's "2011", "2011-03"), compared by their digits."""


def _ordered(x: Node) -> tuple[bool, Any]:
    """(whether `x` compares as a string, what is compared) for `_at_most`."""
    if isinstance(x, URIRef):
        return True, str(x)
    if isinstance(x, Literal) and isinstance(x.value, str):
        return True, x.value
    return False, x


def _flat(focus: list[Node], values: Values) -> tuple[list[Node], list[Node]]:
    """(focus node, value node) of every value, as two lists in order."""
    if not any(map(len, values)):  # a column's optional property, on none of them
        return [], []
    flat_focus: list[Node] = []
    flat_values: list[Node] = []
    for f, vs in zip(focus, values, strict=True):
        for v in vs:
            flat_focus.append(f)
            flat_values.append(v)
    return flat_focus, flat_values


class Shape:
    """One compiled shape: its targets, value-node path and constraint components."""

    def __init__(self, node: Node, path: Node | None, severity: URIRef, deactivated: bool):
        self.node = node
        self.path = path
        self.predicate: Node | None = None  # the path, when it is one IRI (read with `objects_of_each`)
        self.values: PathFn | None = None
        self.severity = severity
        self.allowed = severity in ALLOWED  # a Warning or Info shape conforms whatever it finds
        self.deactivated = deactivated
        self.components: list[Component] = []
        # for shapes with only value/count constraints: one test per component over each focus
        # node's value nodes, so sh:node/sh:or members are checked without building results
        self.tests: list[Test] | None = []
        # whether no value nodes means no results: no sh:minCount above 0 and no sh:hasValue (every
        # other component is on the values, and finds nothing in none); most of a dataset's optional
        # properties have no values, and a column's propertyUrl or codeList none in a hundred columns
        self.vacuous = True
        self.target_classes: list[Node] = []
        self.target_nodes: list[Node] = []
        self.subjects_of: list[Node] = []
        self.objects_of: list[Node] = []
        self.access_levels: list[Node] = []

    def focus_nodes(self, index: Index) -> set[Node]:
        found: set[Node] = set(self.target_nodes)
        for cls in self.target_classes:
            found |= index.instances(cls)
        for p in self.subjects_of:
            found |= {s for s, _o in index.pairs(p)}
        for p in self.objects_of:
            found |= {o for _s, o in index.pairs(p)}
        if self.access_levels:
            found |= {
                d
                for d in index.instances(_DATASET)
                if any(level in index.objects(d, _ACCESS_RIGHTS) for level in self.access_levels)
            }
        return found

    def value_sets(self, index: Index, focus: list[Node]) -> Values:
        """The value nodes of each focus node, in order."""
        if self.predicate is not None:
            return index.objects_of_each(focus, self.predicate)
        if self.values is None:
            return [(f,) for f in focus]
        path = self.values
        return [path(index, f) for f in focus]

    def validate(self, index: Index, focus: Iterable[Node]) -> Evaluation:
        """pyshacl's Shape.validate with allow_warnings: (conforms, results). The focus nodes must
        not repeat."""
        if self.deactivated:
            return True, []
        if type(focus) is not list:
            focus = list(focus)
        if not focus:
            return True, []
        values = self.value_sets(index, focus)
        if self.vacuous and self.path is not None and not any(values):
            return True, []
        results: list[Result] = []
        return _components_on(self.components, self.allowed, index, focus, values, results), results

    def clean(self, index: Index, nodes: list[Node]) -> list[bool]:
        """For each node, whether `validate` on it alone finds nothing (what sh:node asks)."""
        if self.deactivated:
            return [True] * len(nodes)
        if self.tests is None:
            return [not self.validate(index, [n])[1] for n in nodes]
        values = self.value_sets(index, nodes)
        first, *more = self.tests or [lambda _index, values: [True] * len(values)]
        passed = first(index, values)
        for test in more:
            passed = [a and b for a, b in zip(passed, test(index, values), strict=True)]
        return passed

    def conforming(self, index: Index, nodes: list[Node]) -> list[bool]:
        """For each node, whether `validate` on it alone conforms (what sh:or, sh:and, sh:xone and
        sh:not ask): a Warning or Info shape conforms whatever it finds."""
        if self.deactivated:
            return [True] * len(nodes)
        if self.tests is None:
            return [self.validate(index, [n])[0] for n in nodes]
        if self.allowed:
            return [True] * len(nodes)
        return self.clean(index, nodes)

    def result(self, focus: Node, component: URIRef, value: Node | None = None) -> Result:
        return _new(Result, (focus, self.path, value, self.severity, self.node, component))


def _components_on(
    components: list[Component], allowed: bool, index: Index, focus: list[Node], values: Values, results: list[Result]
) -> bool:
    """Each component on the focus nodes' values, its results added to `results`; whether they
    conform (results of an allowed severity, or of a shape whose failures are allowed, do)."""
    conforms = True
    for component in components:
        ok, found = component(index, focus, values)
        if not ok and not allowed and any(r.severity not in ALLOWED for r in found):
            conforms = False
        results.extend(found)
    return conforms


def _properties_of(index: Index, focus: list[Node], properties: list[Shape]) -> Evaluation:
    """Each property shape's `validate` on the same focus nodes (a node shape's sh:property): the
    value nodes of each predicate read once for all the shapes on it (a dataset's shapes read
    dct:publisher, dcat:theme ... two or three times each), and a shape of value and count
    constraints on one predicate run without its own `validate` and `value_sets` calls."""
    conforms, results = True, []
    read: dict[Node, Values] = {}
    table = index.table(focus[0]) if len(focus) == 1 else None  # one node (a dataset): its own table
    for p in properties:
        predicate = p.predicate
        if predicate is None or p.tests is None or p.deactivated:
            ok, found = p.validate(index, focus)
            conforms = conforms and ok
            results.extend(found)
            continue
        values = read.get(predicate)
        if values is None:
            values = read[predicate] = (
                [table.get(predicate, _EMPTY)] if table is not None else index.objects_of_each(focus, predicate)
            )
        if p.vacuous and not any(values):  # an optional property no focus node has
            continue
        if not _components_on(p.components, p.allowed, index, focus, values, results):
            conforms = False
    return conforms, results


class CompiledShapes:
    """A shapes graph compiled once; `validate(index)` gives the top-level results.

    `terms` maps an IRI or literal to the object the data will carry for it (a writer's own
    constants): the compiled shapes then hold those very objects, and the index's dict lookups
    match by identity instead of calling rdflib's Python-level `__eq__`. An IRI the shapes name
    that `terms` (a dict) lacks is added to it, for writers that make their terms later."""

    def __init__(self, sg: Graph, terms: Mapping[Node, Node] | None = None):
        self.sg = sg
        self.terms: Mapping[Node, Node] = terms or {}
        self.shapes: dict[Node, Shape] = {}
        self._compiling: set[Node] = set()
        self._check_supported()
        top = set()
        for p in _TARGETS:
            top |= set(sg.subjects(p, None))
        for cls in (RDFS.Class, *sg.subjects(RDFS.subClassOf, RDFS.Class)):
            top |= {
                s
                for s in sg.subjects(RDF.type, cls)
                if (s, RDF.type, SH.NodeShape) in sg or (s, RDF.type, SH.PropertyShape) in sg
            }
        self.top = [self.shape(node) for node in sorted(top, key=str)]

    def _term(self, term: Node) -> Node:
        terms = self.terms
        found = terms.get(term)
        if found is not None:
            return found
        if type(term) is URIRef and isinstance(terms, dict):
            terms[term] = term  # a writer that makes it later takes this object (`catalog.rdf._Terms`)
        return term

    def _check_supported(self) -> None:
        for p in _UNSUPPORTED_PARAMETERS:
            if next(self.sg.subject_objects(p), None) is not None:
                raise Unsupported(f"shapes use {p}")
        for s in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            if next(self.sg.subject_objects(s), None) is not None:
                raise Unsupported(f"shapes use {s}")

    def validate(self, index: Index) -> list[Result]:
        results: list[Result] = []
        for shape in self.top:
            results.extend(shape.validate(index, shape.focus_nodes(index))[1])
        return results

    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if node in self._compiling:
            raise Unsupported(f"recursive shape {node}")
        self._compiling.add(node)
        sg, term = self.sg, self._term
        paths = list(sg.objects(node, SH.path))
        if len(paths) > 1:
            raise Unsupported(f"shape {node} has more than one sh:path")
        deactivated = sg.value(node, SH.deactivated)
        severity = sg.value(node, SH.severity)
        shape = Shape(
            node,
            paths[0] if paths else None,
            severity if isinstance(severity, URIRef) else SH.Violation,
            bool(deactivated.value) if isinstance(deactivated, Literal) else False,
        )
        if shape.path is not None:
            shape.values = _compile_path(sg, shape.path)
            if isinstance(shape.path, URIRef):
                shape.predicate = term(shape.path)
        shape.target_classes = [term(c) for c in sg.objects(node, SH.targetClass)]
        if any(t in (RDFS.Class, *sg.subjects(RDFS.subClassOf, RDFS.Class)) for t in sg.objects(node, RDF.type)):
            shape.target_classes.append(node)
        shape.target_nodes = list(sg.objects(node, SH.targetNode))
        shape.subjects_of = list(sg.objects(node, SH.targetSubjectsOf))
        shape.objects_of = list(sg.objects(node, SH.targetObjectsOf))
        for target in sg.objects(node, SH.target):
            level = sg.value(target, HK_ACCESS_RIGHTS)
            if sg.value(target, RDF.type) != HK_TARGET or level is None:
                raise Unsupported(f"target {target} of {node}")
            shape.access_levels.append(level)
        shape.components = self._components(shape)
        self._compiling.discard(node)
        self.shapes[node] = shape
        return shape

    def _components(self, shape: Shape) -> list[Component]:
        sg, node, term = self.sg, shape.node, self._term
        out: list[Component] = []
        one = sg.value
        tests = shape.tests
        assert tests is not None
        path, severity = shape.path, shape.severity

        def per_value(component: URIRef, ok: Callable[[Index, Node], bool], every: Every | None = None) -> None:
            """A constraint on each value node alone: the failing values are found with each distinct
            value tested once (`_failing`), and each focus node's values looked up among them.
            `every(index, values)`, if given, first says at once (in C) whether all pass."""

            def failing(index: Index, values: Values) -> AbstractSet[int]:
                if every is not None and every(index, values):
                    return _NONE_FAILING
                return _failing(ok, index, values)

            def check(index: Index, focus: list[Node], values: Values) -> Evaluation:
                bad = failing(index, values)
                if not bad:
                    return True, []
                found = [
                    _new(Result, (f, path, v, severity, node, component))
                    for f, vs in zip(focus, values, strict=True)
                    for v in vs
                    if id(v) in bad
                ]
                return not found, found

            def test(index: Index, values: Values) -> list[bool]:
                bad = failing(index, values)
                if not bad:
                    return [True] * len(values)
                # for each focus node in C: none of its values' ids among the failing
                return list(map(bad.isdisjoint, map(map, repeat(id), values)))

            out.append(check)
            tests.append(test)

        def per_focus(component: URIRef, every: Callable[[Values], bool], each: Callable[[Values], list[bool]]) -> None:
            """A constraint on each focus node's values together (counts, sh:hasValue): one result a
            focus node that breaks it. `every(values)` says whether all focus nodes pass (in one C
            loop, as `min(map(len, values))`), `each(values)` which do."""

            def check(_index: Index, focus: list[Node], values: Values) -> Evaluation:
                if every(values):
                    return True, []
                found = [
                    _new(Result, (f, path, None, severity, node, component))
                    for f, ok in zip(focus, each(values), strict=True)
                    if not ok
                ]
                return not found, found

            out.append(check)
            tests.append(lambda _index, values: [True] * len(values) if every(values) else each(values))

        for cls in sg.objects(node, SH["class"]):
            per_value(SH.ClassConstraintComponent, _instance_of(term(cls)), _all_instances(term(cls)))
        datatype = one(node, SH.datatype)
        if datatype is not None:
            has_datatype = _datatype_test(datatype)
            per_value(SH.DatatypeConstraintComponent, lambda _i, v: has_datatype(v))
        kind = one(node, SH.nodeKind)
        if kind is not None:
            admitted = _kinds(kind)
            exact = frozenset(admitted)
            per_value(
                SH.NodeKindConstraintComponent,
                lambda _i, v: isinstance(v, admitted),
                # every value's own class one of the admitted (a subclass: each value tested)
                lambda _i, values: exact.issuperset(map(type, chain.from_iterable(values))),
            )
        in_list = one(node, SH["in"])
        if in_list is not None:
            allowed = {term(v) for v in Collection(sg, in_list)}
            plain = {str(a) for a in allowed if type(a) is Literal and a.language is None and a.datatype is None}

            def is_in(_index: Index, v: Node) -> bool:
                """`v in allowed`, without rdflib's Python-level Literal hash for a plain literal."""
                if type(v) is Literal and v.language is None and v.datatype is None:
                    return str(v) in plain
                return v in allowed

            per_value(SH.InConstraintComponent, is_in)
        flags = str(one(node, SH.flags) or "").lower()
        for pattern in sg.objects(node, SH.pattern):
            regex = re.compile(str(pattern), (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
            per_value(SH.PatternConstraintComponent, _matches(regex))
        for param, component, compare in (
            (SH.minLength, SH.MinLengthConstraintComponent, int.__ge__),
            (SH.maxLength, SH.MaxLengthConstraintComponent, int.__le__),
        ):
            limit = one(node, param)
            if limit is not None:
                per_value(component, _length(compare, int(str(limit))))
        languages = one(node, SH.languageIn)
        if languages is not None:
            wanted = {str(x).lower() for x in Collection(sg, languages)}
            per_value(SH.LanguageInConstraintComponent, lambda _i, v: _language_ok(v, wanted))
        least = one(node, SH.minCount)
        if least is not None and int(str(least)) != 0:
            m = int(str(least))
            shape.vacuous = False
            per_focus(
                SH.MinCountConstraintComponent,
                lambda values: not values or min(map(len, values)) >= m,  # no `default=`: a keyword costs
                lambda values: [len(vs) >= m for vs in values],
            )
        most = one(node, SH.maxCount)
        if most is not None:
            n = int(str(most))
            per_focus(
                SH.MaxCountConstraintComponent,
                lambda values: not values or max(map(len, values)) <= n,
                lambda values: [len(vs) <= n for vs in values],
            )
        has_value = one(node, SH.hasValue)
        if has_value is not None:
            required = term(has_value)
            shape.vacuous = False
            per_focus(
                SH.HasValueConstraintComponent,
                lambda values: all(map(contains, values, repeat(required))),
                lambda values: [required in vs for vs in values],
            )
        unique = one(node, SH.uniqueLang)
        if isinstance(unique, Literal) and unique.value is True:

            def check_unique(_index: Index, focus: list[Node], values: Values) -> Evaluation:
                found = [
                    shape.result(f, SH.UniqueLangConstraintComponent)
                    for f, vs in zip(focus, values, strict=True)
                    for _lang in _duplicate_languages(vs)
                ]
                return not found, found

            out.append(check_unique)
            tests.append(lambda _index, values: [not _duplicate_languages(vs) for vs in values])
        for other in sg.objects(node, SH.lessThanOrEquals):
            out.append(_in_order_with(term(other), shape))
            shape.tests = None  # a comparison with another property of the focus node: no value test
        shape_based = self._shape_based(shape)
        if shape_based:
            shape.tests = None
        return out + shape_based

    def _shape_based(self, shape: Shape) -> list[Component]:
        sg, node = self.sg, shape.node
        out: list[Component] = []
        properties = [self.shape(p) for p in sg.objects(node, SH.property)]
        for p in properties:
            if p.path is None:
                raise Unsupported(f"sh:property {p.node} without sh:path")
        if properties:

            def check_properties(index: Index, focus: list[Node], values: Values) -> Evaluation:
                conforms, results = True, []
                if shape.values is None:  # a node shape's value nodes are its focus nodes, which do not repeat
                    return _properties_of(index, focus, properties)
                focus = [v for vs in values for v in vs]
                # pyshacl validates each value node on its own; in one batch when none repeats
                batches = [focus] if len(set(focus)) == len(focus) else [[v] for v in focus]
                for p in properties:
                    for batch in batches:
                        ok, found = p.validate(index, batch)
                        conforms = conforms and ok
                        results.extend(found)
                return conforms, results

            out.append(check_properties)
        nodes = [self.shape(n) for n in sg.objects(node, SH.node)]
        for n in nodes:
            if n.path is not None:
                raise Unsupported(f"sh:node {n.node} is a property shape")
        if nodes:

            def check_nodes(index: Index, focus: list[Node], values: Values) -> Evaluation:
                found = []
                flat_focus, flat_values = _flat(focus, values)
                for n in nodes:
                    found += [
                        shape.result(f, SH.NodeConstraintComponent, v)
                        for f, v, clean in zip(flat_focus, flat_values, n.clean(index, flat_values), strict=True)
                        if not clean
                    ]
                return not found, found

            out.append(check_nodes)
        for param, component, passes in (
            (SH["or"], SH.OrConstraintComponent, any),
            (SH["and"], SH.AndConstraintComponent, all),
            (SH.xone, SH.XoneConstraintComponent, lambda oks: sum(oks) == 1),
        ):
            for lst in sg.objects(node, param):
                members = [self.shape(m) for m in dict.fromkeys(Collection(sg, lst))]
                out.append(self._logical(shape, members, component, passes))
        for negated in sg.objects(node, SH["not"]):
            out.append(self._logical(shape, [self.shape(negated)], SH.NotConstraintComponent, lambda oks: not oks[0]))
        return out

    @staticmethod
    def _logical(
        shape: Shape, members: list[Shape], component: URIRef, passes: Callable[[tuple[bool, ...]], bool]
    ) -> Component:
        def check(index: Index, focus: list[Node], values: Values) -> Evaluation:
            # a node shape's value nodes are its focus nodes
            flat_focus, flat_values = (focus, focus) if shape.values is None else _flat(focus, values)
            if not flat_values:
                return True, []
            path, severity, node = shape.path, shape.severity, shape.node
            if len(flat_values) == 1 and passes in (any, all):
                # one value node (a dataset's date): its members in order, until one decides
                decided = passes is any
                for m in members:
                    if bool(m.conforming(index, flat_values)[0]) is decided:
                        break
                else:
                    decided = not decided
                if decided:
                    return True, []
                return False, [_new(Result, (flat_focus[0], path, flat_values[0], severity, node, component))]
            each = zip(*(m.conforming(index, flat_values) for m in members), strict=True)
            found = [
                _new(Result, (f, path, v, severity, node, component))
                for f, v, ok in zip(flat_focus, flat_values, map(passes, each), strict=True)
                if not ok
            ]
            return not found, found

        return check


def pyshacl_results(data: Graph, sg: Graph) -> list[Result]:
    """The oracle: pyshacl's top-level results for `data` against `sg`, as `Result`s."""
    import pyshacl

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=sg, advanced=True, allow_warnings=True)
    out = []
    for r in report.objects(None, SH.result):
        out.append(
            Result(
                report.value(r, SH.focusNode),
                _path_in(report, r, sg),
                report.value(r, SH.value),
                report.value(r, SH.resultSeverity),
                report.value(r, SH.sourceShape),
                report.value(r, SH.sourceConstraintComponent),
            )
        )
    return out


def _path_in(report: Graph, result: Node, sg: Graph) -> Node | None:
    """The result path as the shapes graph's own node (pyshacl copies complex paths)."""
    path = report.value(result, SH.resultPath)
    if path is None or isinstance(path, URIRef):
        return path
    shape = report.value(result, SH.sourceShape)
    return sg.value(shape, SH.path) if shape is not None else path
