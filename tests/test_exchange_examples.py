"""Every official example in ../shared/standards/ survives harvest -> store -> export, but for what we list.

Each example that parses is served from a file feed on loopback, harvested with the dcat harvester
and exported again (profile dcat-ap-3). A triple of the example is compared as a *fact*: its
subject IRI, the path of predicates through blank nodes, and the object (IRI, or literal text and
language; datatypes are normalised, see catalog.export.UNSUPPORTED). A fact may be lost only when
a term on its path or its subject's class is in `catalog.export.UNSUPPORTED`, or when it describes
a resource we only point at (a vocabulary term, a licence, a law): we keep the link, not its
description.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from catalog.config import SourceConfig
from catalog.export import UNSUPPORTED, catalog_graph
from catalog.pipeline import harvest
from tests.conftest import SHARED, requires_shared

STANDARDS = SHARED / "standards"
pytestmark = requires_shared
LOCAL_CONTEXTS = {
    "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld": STANDARDS
    / "dcat-ap-3/examples-3.0.1/context.jsonld"
}
EXAMPLES = sorted(
    p
    for p in STANDARDS.glob("*/**/*")
    if p.suffix in (".ttl", ".jsonld") and "example" in str(p) and p.name != "context.jsonld"
)
UNSUPPORTED_CLASSES = {URIRef(c) for c in UNSUPPORTED["classes"]}
UNSUPPORTED_PROPERTIES = {URIRef(p) for p in UNSUPPORTED["properties"]}

Fact = tuple[URIRef, tuple[Node, ...], object]
IANA, IANA_HTTP = (
    re.compile(r"^https?://www\.iana\.org/assignments/media-types/"),
    "http://www.iana.org/assignments/media-types/",
)


def feed_body(path: Path) -> tuple[bytes, str]:
    """The example as a publisher would serve it; a JSON-LD context we hold locally is inlined (never fetched)."""
    if path.suffix == ".ttl":
        return path.read_bytes(), "text/turtle"
    doc = json.loads(path.read_text(encoding="utf-8"))
    context = doc.get("@context")
    if isinstance(context, str):
        if context not in LOCAL_CONTEXTS:
            pytest.skip(f"{path.name}: remote JSON-LD context {context} not held locally")
        doc["@context"] = json.loads(LOCAL_CONTEXTS[context].read_text(encoding="utf-8"))["@context"]
    return json.dumps(doc).encode(), "application/ld+json"


def facts(g: Graph) -> set[Fact]:
    out: set[Fact] = set()

    def walk(anchor: URIRef, path: tuple[Node, ...], node: Node, seen: frozenset[Node]) -> None:
        for p, o in g.predicate_objects(node):
            if isinstance(o, BNode):
                if o not in seen and len(path) < 4:
                    walk(anchor, (*path, p), o, seen | {o})
            else:
                value = (
                    IANA.sub(IANA_HTTP, str(o))
                    if isinstance(o, URIRef)
                    else (str(o), o.language if isinstance(o, Literal) else None)
                )
                out.add((anchor, (*path, p), value))

    for s in set(g.subjects()):
        if isinstance(s, URIRef):
            walk(s, (), s, frozenset())
    return out


def may_be_lost(fact: Fact, source: Graph, described: set[URIRef]) -> bool:
    subject, path, obj = fact
    if subject not in described:
        return True  # a resource we only point at
    if any(p in UNSUPPORTED_PROPERTIES for p in path):
        return True
    return bool(set(source.objects(subject, RDF.type)) & UNSUPPORTED_CLASSES)


def parsed(path: Path) -> Graph:
    body, media = feed_body(path)
    try:
        return Graph().parse(data=body, format="turtle" if media == "text/turtle" else "json-ld")
    except Exception as exc:  # noqa: BLE001 - the statement is about examples that parse
        pytest.skip(f"{path.name} does not parse ({type(exc).__name__}); see standards notes §6")


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(STANDARDS)) for p in EXAMPLES])
def test_an_official_example_loses_only_unsupported_terms(settings, store, server, path):
    source = parsed(path)
    body, media = feed_body(path)
    settings.sources["example"] = SourceConfig(
        name="example", kind="dcat", url=server.serve("/example", body, Content_Type=media)
    )
    [result] = harvest(settings, store, None, ["example"])
    assert result.ok, result.error
    exported = catalog_graph(settings, store, "dcat-ap-3")
    ours = facts(exported)
    described = {s for s, p, _o in exported if isinstance(s, URIRef) and p != RDF.type}
    lost = sorted((f for f in facts(source) - ours if not may_be_lost(f, source, described)), key=str)
    assert lost == []


def test_the_comparison_notices_a_lost_title(settings):
    """The check above can fail: a dataset title missing from the export is a lost fact."""
    g = Graph().parse(
        data='<https://e.org/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "T"@en .',
        format="turtle",
    )
    empty = Graph().parse(
        data='<https://e.org/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/identifier> "d" .',
        format="turtle",
    )
    lost = [f for f in facts(g) - facts(empty) if not may_be_lost(f, g, {URIRef("https://e.org/d")})]
    assert lost == [(URIRef("https://e.org/d"), (URIRef("http://purl.org/dc/terms/title"),), ("T", "en"))]
    assert Literal("T", lang="en")
