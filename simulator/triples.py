"""A page of triples written straight to Turtle or N-Triples text, without an rdflib Graph.

`catalog.rdf` writes records through `g.add(triple)`; `Triples` takes those calls, keeps each
triple once in the order it came, and writes the text itself. rdflib's Graph and serializers
made DCAT pages the simulator's bottleneck (about 500 variables a second in Turtle); this is
about twenty times faster and gives the same triples. RDF/XML and JSON-LD still go through
rdflib (`graph`).

Blank nodes get stable names (a hash of the subject and predicate that point at them), so the
same content gives the same bytes: every blank node `catalog.rdf` writes hangs off exactly one
(subject, predicate).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IRI_ESCAPES = {ord(c): f"\\u{ord(c):04X}" for c in '<>"{}|^`\\ '}
_STRING_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


class Triples:
    """An ordered set of triples with the `add` of an rdflib Graph."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, triple: Triple) -> None:
        self._triples[triple] = None

    def __len__(self) -> int:
        return len(self._triples)

    def stable(self) -> list[Triple]:
        """The triples with every blank node named after what points at it."""
        names: dict[Node, BNode] = {}
        pointing = sorted((t for t in self._triples if isinstance(t[2], BNode)), key=lambda t: isinstance(t[0], BNode))
        for s, p, o in pointing:  # named subjects first, so nested blank nodes get their parent's new name
            names.setdefault(o, BNode("b" + hashlib.sha1(f"{names.get(s, s)}|{p}".encode()).hexdigest()[:16]))
        if not names:
            return list(self._triples)
        return [(names.get(s, s), p, names.get(o, o)) for s, p, o in self._triples]

    def graph(self, prefixes: Mapping[str, str]) -> Graph:
        g = Graph()
        for prefix, ns in prefixes.items():
            g.bind(prefix, ns, replace=True)
        for triple in self.stable():
            g.add(triple)
        return g

    def ntriples(self) -> bytes:
        term = _Terms({})
        return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in self.stable()).encode()

    def turtle(self, prefixes: Mapping[str, str]) -> bytes:
        """Turtle with the prefixes declared and each subject's triples together."""
        by_subject: dict[Node, list[tuple[Node, Node]]] = {}
        for s, p, o in self.stable():
            by_subject.setdefault(s, []).append((p, o))
        term = _Terms(prefixes)
        out = [f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in prefixes.items()]
        for s, pairs in by_subject.items():
            body = " ;\n    ".join(("a" if p == RDF.type else term(p)) + " " + term(o) for p, o in pairs)
            out.append(f"\n{term(s)} {body} .\n")
        return "".join(out).encode()


class _Terms:
    """Terms as N-Triples / Turtle text; IRIs under a prefix as prefixed names (Turtle)."""

    def __init__(self, prefixes: Mapping[str, str]):
        self.prefixes = sorted(((str(ns), prefix) for prefix, ns in prefixes.items()), key=lambda p: -len(p[0]))
        self.cache: dict[Node, str] = {}

    def __call__(self, node: Node) -> str:
        if isinstance(node, Literal):  # rarely repeated, and slow to hash: not cached
            quoted = '"' + str(node).translate(_STRING_ESCAPES) + '"'
            if node.language:
                return f"{quoted}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{quoted}^^{self.iri(str(node.datatype))}"
            return quoted
        text = self.cache.get(node)
        if text is None:
            text = self.cache[node] = f"_:{node}" if isinstance(node, BNode) else self.iri(str(node))
        return text

    def iri(self, iri: str) -> str:
        for ns, prefix in self.prefixes:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns) :]):
                return f"{prefix}:{iri[len(ns) :]}"
        return "<" + iri.translate(_IRI_ESCAPES) + ">"


def write(page: Triples, fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """The page as `fmt`: turtle and nt written here, any other rdflib serializer name by rdflib."""
    if fmt == "turtle":
        return page.turtle(prefixes)
    if fmt == "nt":
        return page.ntriples()
    return page.graph(prefixes).serialize(format=fmt, encoding="utf-8")
