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
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, XSD
from rdflib.term import Node

HK_TARGET = URIRef("https://w3id.org/helsekatalog#DatasetWithAccessRights")
HK_ACCESS_RIGHTS = URIRef("https://w3id.org/helsekatalog#accessRights")

ALLOWED = {SH.Warning, SH.Info}
_EMPTY: frozenset[Node] = frozenset()
_EAGER_INVERSE = {RDF.type, RDFS.subClassOf}  # severities that do not make a shape non-conforming

_UNSUPPORTED_PARAMETERS = {
    SH[n]
    for n in (
        "closed",
        "ignoredProperties",
        "disjoint",
        "equals",
        "lessThan",
        "lessThanOrEquals",
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


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, as pyshacl reports it at the top level of the report."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    shape: Node
    component: URIRef


def _put(table: dict[Node, dict[Node, set[Node]]], key: Node, p: Node, value: Node) -> None:
    po = table.get(key)
    if po is None:
        table[key] = {p: {value}}
    elif p in po:
        po[p].add(value)
    else:
        po[p] = {value}


def _find(
    table: dict[Node, dict[Node, set[Node]]], base: dict[Node, dict[Node, set[Node]]] | None, key: Node, p: Node
) -> frozenset[Node] | set[Node]:
    po = table.get(key)
    found = po.get(p, _EMPTY) if po else _EMPTY
    if base is not None:
        bpo = base.get(key)
        if bpo:
            more = bpo.get(p)
            if more:
                return found | more
    return found


class Index:
    """The triples of one data graph, indexed for the lookups SHACL Core needs.

    It is a `catalog.rdf.TripleWriter`, so `catalog.rdf.add_records(Index(), records)` fills it
    directly without building a Graph. `base` is a shared, read-only index (the
    controlled vocabularies) seen as part of every record's graph.
    """

    def __init__(self, base: Index | None = None):
        self.out: dict[Node, dict[Node, set[Node]]] = {}
        self.inc: dict[Node, dict[Node, set[Node]]] = {}  # rdf:type and rdfs:subClassOf until complete
        self._inc_complete = False
        self.base = base

    @classmethod
    def of(cls, graph: Graph | Iterable[tuple[Node, Node, Node]], base: Index | None = None) -> Index:
        index = cls(base)
        for triple in graph:
            index.add(triple)
        return index

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = triple
        _put(self.out, s, p, o)
        if self._inc_complete or p in _EAGER_INVERSE:
            _put(self.inc, o, p, s)

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

    def objects(self, s: Node, p: Node) -> frozenset[Node] | set[Node]:
        """The objects of (s, p); the returned set must not be changed."""
        return _find(self.out, self.base.out if self.base is not None else None, s, p)

    def subjects(self, p: Node, o: Node) -> frozenset[Node] | set[Node]:
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
            for sup in self.objects(todo.pop(), RDFS.subClassOf):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def instances(self, cls: Node) -> set[Node]:
        found: set[Node] = set()
        seen, todo = {cls}, [cls]
        while todo:
            c = todo.pop()
            found |= self.subjects(RDF.type, c)
            for sub in self.subjects(RDFS.subClassOf, c):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(t == cls or cls in self.superclasses(t) for t in self.objects(node, RDF.type))


Values = dict[Node, AbstractSet[Node]]  # focus node -> value nodes (never changed: may be the index's own)
Values1 = AbstractSet[Node]  # the value nodes of one focus node
Evaluation = tuple[bool, list[Result]]


# --- paths --------------------------------------------------------------------------------------

PathFn = Callable[[Index, Node], AbstractSet[Node]]


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


def _datatype_ok(v: Node, rule: Node) -> bool:
    if not isinstance(v, Literal):
        return False

    def actual() -> bool:
        expected = _PYTHON_TYPES.get(rule)
        return expected is None or isinstance(v.value, expected)

    if v.datatype == rule:
        return getattr(v, "ill_typed", None) is not True and actual()
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return actual()
    if rule == RDF.langString and v.language:
        return actual()
    return False


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

Bad = Callable[[int, int], bool]  # (number of values, limit) -> the count constraint is broken


def _instance_of(cls: Node) -> Callable[[Index, Node], bool]:
    return lambda index, v: not isinstance(v, Literal) and index.is_instance(v, cls)


def _matches(regex: re.Pattern[str]) -> Callable[[Index, Node], bool]:
    return lambda _i, v: not isinstance(v, BNode) and regex.search(_string(v)) is not None


def _length(compare: Callable[[int, int], bool], n: int) -> Callable[[Index, Node], bool]:
    return lambda _i, v: not isinstance(v, BNode) and compare(len(_string(v)), n)


def _count_ok(bad: Bad, m: int) -> Callable[[Index, Values1], bool]:
    return lambda _index, vs: not bad(len(vs), m)


class Shape:
    """One compiled shape: its targets, value-node path and constraint components."""

    def __init__(self, node: Node, path: Node | None, severity: URIRef, deactivated: bool):
        self.node = node
        self.path = path
        self.values: PathFn | None = None
        self.severity = severity
        self.deactivated = deactivated
        self.components: list[Callable[[Index, Values], Evaluation]] = []
        # for shapes with only value/count constraints: one predicate per component over a focus
        # node's value nodes, so sh:node/sh:or members are checked without building results
        self.tests: list[Callable[[Index, Values1], bool]] | None = []
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
                for d in index.instances(DCAT.Dataset)
                if any(level in index.objects(d, DCTERMS.accessRights) for level in self.access_levels)
            }
        return found

    def validate(self, index: Index, focus: Iterable[Node]) -> Evaluation:
        """pyshacl's Shape.validate with allow_warnings: (conforms, results)."""
        if self.deactivated:
            return True, []
        focus = list(focus)
        if not focus:
            return True, []
        if self.values is None:
            values: Values = {f: {f} for f in focus}
        else:
            values = {f: self.values(index, f) for f in focus}
        allow = self.severity in ALLOWED
        conforms, results = True, []
        for component in self.components:
            ok, found = component(index, values)
            if not ok and not allow and any(r.severity not in ALLOWED for r in found):
                conforms = False
            results.extend(found)
        return conforms, results

    def check_one(self, index: Index, focus: Node) -> tuple[bool, bool]:
        """(conforms, found anything) for one focus node, as `validate` would say."""
        if self.deactivated:
            return True, False
        if self.tests is None:
            ok, found = self.validate(index, [focus])
            return ok, bool(found)
        values = {focus} if self.values is None else self.values(index, focus)
        clean = all(test(index, values) for test in self.tests)
        return clean or self.severity in ALLOWED, not clean

    def result(self, focus: Node, component: URIRef, value: Node | None = None) -> Result:
        return Result(focus, self.path, value, self.severity, self.node, component)


class CompiledShapes:
    """A shapes graph compiled once; `validate(index)` gives the top-level results."""

    def __init__(self, sg: Graph):
        self.sg = sg
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
        sg = self.sg
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
        shape.target_classes = list(sg.objects(node, SH.targetClass))
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

    def _components(self, shape: Shape) -> list[Callable[[Index, Values], Evaluation]]:
        sg, node = self.sg, shape.node
        out: list[Callable[[Index, Values], Evaluation]] = []
        one = sg.value
        tests = shape.tests
        assert tests is not None

        def per_value(component: URIRef, ok: Callable[[Index, Node], bool]) -> None:
            def check(index: Index, values: Values) -> Evaluation:
                found = [shape.result(f, component, v) for f, vs in values.items() for v in vs if not ok(index, v)]
                return not found, found

            out.append(check)
            tests.append(lambda index, vs: all(ok(index, v) for v in vs))

        for cls in sg.objects(node, SH["class"]):
            per_value(SH.ClassConstraintComponent, _instance_of(cls))
        datatype = one(node, SH.datatype)
        if datatype is not None:
            per_value(SH.DatatypeConstraintComponent, lambda _i, v: _datatype_ok(v, datatype))
        kind = one(node, SH.nodeKind)
        if kind is not None:
            admitted = _kinds(kind)
            per_value(SH.NodeKindConstraintComponent, lambda _i, v: isinstance(v, admitted))
        in_list = one(node, SH["in"])
        if in_list is not None:
            allowed = set(Collection(sg, in_list))
            per_value(SH.InConstraintComponent, lambda _i, v: v in allowed)
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
        out.extend(self._counts(shape))
        has_value = one(node, SH.hasValue)
        if has_value is not None:

            def check_has_value(_index: Index, values: Values) -> Evaluation:
                found = [
                    shape.result(f, SH.HasValueConstraintComponent) for f, vs in values.items() if has_value not in vs
                ]
                return not found, found

            out.append(check_has_value)
            tests.append(lambda _index, vs: has_value in vs)
        unique = one(node, SH.uniqueLang)
        if isinstance(unique, Literal) and unique.value is True:

            def check_unique(_index: Index, values: Values) -> Evaluation:
                found = [
                    shape.result(f, SH.UniqueLangConstraintComponent)
                    for f, vs in values.items()
                    for _lang in _duplicate_languages(vs)
                ]
                return not found, found

            out.append(check_unique)
            tests.append(lambda _index, vs: not _duplicate_languages(vs))
        shape_based = self._shape_based(shape)
        if shape_based:
            shape.tests = None
        return out + shape_based

    def _counts(self, shape: Shape) -> list[Callable[[Index, Values], Evaluation]]:
        out: list[Callable[[Index, Values], Evaluation]] = []
        for param, component, bad in (
            (SH.minCount, SH.MinCountConstraintComponent, lambda n, m: n < m),
            (SH.maxCount, SH.MaxCountConstraintComponent, lambda n, m: n > m),
        ):
            limit = self.sg.value(shape.node, param)
            if limit is None or (param == SH.minCount and int(str(limit)) == 0):
                continue
            m = int(str(limit))

            def check(
                _index: Index, values: Values, component: URIRef = component, bad: Bad = bad, m: int = m
            ) -> Evaluation:
                found = [shape.result(f, component) for f, vs in values.items() if bad(len(vs), m)]
                return not found, found

            out.append(check)
            assert shape.tests is not None
            shape.tests.append(_count_ok(bad, m))
        return out

    def _shape_based(self, shape: Shape) -> list[Callable[[Index, Values], Evaluation]]:
        sg, node = self.sg, shape.node
        out: list[Callable[[Index, Values], Evaluation]] = []
        properties = [self.shape(p) for p in sg.objects(node, SH.property)]
        for p in properties:
            if p.path is None:
                raise Unsupported(f"sh:property {p.node} without sh:path")
        if properties:

            def check_properties(index: Index, values: Values) -> Evaluation:
                conforms, results = True, []
                focus = [v for vs in values.values() for v in vs]
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

            def check_nodes(index: Index, values: Values) -> Evaluation:
                found = []
                for n in nodes:
                    for f, vs in values.items():
                        for v in vs:
                            ok, nested = n.check_one(index, v)
                            if not ok or nested:
                                found.append(shape.result(f, SH.NodeConstraintComponent, v))
                return not found, found

            out.append(check_nodes)
        for param, component, passes in (
            (SH["or"], SH.OrConstraintComponent, lambda oks: any(oks)),
            (SH["and"], SH.AndConstraintComponent, lambda oks: all(oks)),
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
        shape: Shape, members: list[Shape], component: URIRef, passes: Callable[[list[bool]], bool]
    ) -> Callable[[Index, Values], Evaluation]:
        def check(index: Index, values: Values) -> Evaluation:
            found = [
                shape.result(f, component, v)
                for f, vs in values.items()
                for v in vs
                if not passes([m.check_one(index, v)[0] for m in members])
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
