"""The compiled engine (catalog.shacl) against the oracle, pyshacl: on generated records with
missing, extra and wrong-typed values, both give the same results -- focus node, path, value,
severity, source shape and constraint component -- for every profile. Plus the SHACL rules the
engine reproduces, one example each."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, FOAF, RDF, SKOS, XSD
from rdflib.namespace import DCTERMS as DCT

from catalog import rdf, validation
from catalog.model import Dataset
from catalog.shacl import CompiledShapes, Index, Unsupported, path_text, pyshacl_results
from tests.health_records import BASE, EU, mfr_dataset

HEALTH = rdf.HEALTH
CSVW = rdf.CSVW
EX = Namespace("http://example.org/")

SUBJECTS = [
    URIRef(f"{BASE}/dataset/fodsler"),
    URIRef(f"{BASE}/variabel/VEKT"),
    URIRef(f"{BASE}/distribusjon/soknad"),
    URIRef("https://data.fhi.no/org/fhi"),
    EX.other,
]
PREDICATES = [
    DCT.title,
    DCT.description,
    DCT.issued,
    DCT.identifier,
    DCAT.theme,
    DCT.accessRights,
    DCT.publisher,
    HEALTH.hasStructuredData,
    HEALTH.numberOfRecords,
    HEALTH.hdab,
    HEALTH.healthCategory,
    CSVW.datatype,
    CSVW.name,
    CSVW.title,
    rdf.CV.contactPoint,
    RDF.type,
    DCT.language,
    DCAT.byteSize,
    rdf.SCHEMA.validFrom,
    rdf.HK.codeList,
    DCAT.accessURL,
    DCT.accrualPeriodicity,
    FOAF.name,
    DCAT.keyword,
]
ODD_VALUES = [
    Literal("x"),
    Literal("tittel", lang="nb"),
    Literal("2020-13-45", datatype=XSD.date),
    Literal("2021-02-03", datatype=XSD.date),
    Literal("yes", datatype=XSD.boolean),
    Literal(True),
    Literal(-3),
    Literal("12", datatype=XSD.nonNegativeInteger),
    Literal("integer"),
    Literal("heltall"),
    URIRef(EU + "data-theme/HEAL"),
    URIRef(EU + "data-theme/XXXX"),
    URIRef(EU + "access-right/PUBLIC"),
    URIRef(EU + "access-right/RESTRICTED"),
    URIRef(EU + "language/NOR"),
    URIRef("https://example.org/not-in-any-vocabulary"),
    DCAT.Dataset,
    CSVW.Column,
    FOAF.Agent,
    SKOS.Concept,
    rdf.CV.ContactPoint,
    DCAT.Distribution,
    URIRef(f"{BASE}/variabel/VEKT"),
]


@st.composite
def record_graphs(draw: st.DrawFn) -> Graph:
    """An MFR record, changed in the model, then with triples dropped and odd triples added."""
    d = mfr_dataset(draw(st.sampled_from([None, 1, 2, 8])))
    d.access_rights = draw(
        st.sampled_from(
            [
                d.access_rights,
                None,
                EU + "access-right/PUBLIC",
                EU + "access-right/RESTRICTED",
                "https://example.org/open",
            ]
        )
    )
    d.has_structured_data = draw(st.sampled_from([True, False, None]))
    for name in draw(
        st.sets(
            st.sampled_from(
                [
                    "hdab",
                    "publisher",
                    "contact",
                    "provenance",
                    "keywords",
                    "themes",
                    "health_categories",
                    "applicable_legislation",
                    "distributions",
                    "dataset_type",
                    "variables",
                    "temporal_start",
                    "custodian",
                ]
            ),
            max_size=4,
        )
    ):
        setattr(d, name, type(getattr(d, name))() if getattr(d, name) is not None else None)
    if draw(st.booleans()):
        d.temporal_start = draw(st.sampled_from(["1967", "not a date", "1967-01-01T00:00:00Z"]))
    for v in d.variables:
        v.datatype = draw(st.sampled_from([v.datatype, "heltall", "string"]))
        if draw(st.booleans()):
            v.title, v.unit, v.codelist, v.valid_from = {}, None, None, None
    g = rdf.to_graph([d])
    triples = sorted(g, key=lambda t: tuple(map(str, t)))
    for i in draw(st.sets(st.integers(0, len(triples) - 1), max_size=6)):
        g.remove(triples[i])
    for s, p, o in draw(
        st.lists(
            st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(ODD_VALUES + [BNode()])),
            max_size=6,
        )
    ):
        g.add((s, p, o))
    return g


@pytest.mark.parametrize("profile", sorted(validation.PROFILES))
def test_every_profile_compiles_to_the_fast_engine(profile: str) -> None:
    assert validation.get_profile(profile).compiled is not None


@pytest.mark.parametrize("profile", sorted(validation.PROFILES))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=record_graphs())
def test_fast_engine_gives_exactly_pyshacls_results(profile: str, graph: Graph) -> None:
    p = validation.get_profile(profile)
    assert Counter(p.results(graph)) == Counter(p.oracle(graph))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=record_graphs())
def test_reports_from_records_equal_reports_from_pyshacl(graph: Graph) -> None:
    assert validation.validate_graph(graph).to_dict() == validation.reference_report(graph).to_dict()


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def both(shapes: str, data: str) -> list[tuple[str, ...]]:
    """Results of the engine after asserting they equal pyshacl's, as (focus, path, value, component)."""
    sg = Graph().parse(data=SHAPES + shapes, format="turtle")
    dg = Graph().parse(
        data="@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> ." + data,
        format="turtle",
    )
    fast = CompiledShapes(sg).validate(Index.of(dg))
    assert Counter(fast) == Counter(pyshacl_results(dg, sg))
    return sorted(
        (
            r.focus.n3(),
            path_text(sg, r.path) or "-",
            r.value.n3() if r.value else "-",
            str(r.component).rsplit("#", 1)[-1],
        )
        for r in fast
    )


@pytest.mark.parametrize(
    "shape,data,expected",
    [
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
            "ex:a a ex:C .",
            [("<http://example.org/a>", "http://example.org/p", "-", "MinCountConstraintComponent")],
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:datatype xsd:date ] .",
            'ex:a a ex:C ; ex:p "2020-02-30"^^xsd:date , "2020-02-03"^^xsd:date , "x" .',
            [
                (
                    "<http://example.org/a>",
                    "http://example.org/p",
                    '"2020-02-30"^^<http://www.w3.org/2001/XMLSchema#date>',
                    "DatatypeConstraintComponent",
                ),
                ("<http://example.org/a>", "http://example.org/p", '"x"', "DatatypeConstraintComponent"),
            ],
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:hasValue ex:v ] .",
            "ex:a a ex:C ; ex:p ex:w .",
            [("<http://example.org/a>", "http://example.org/p", "-", "HasValueConstraintComponent")],
        ),
        (
            "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:class ex:K ] .",
            "ex:a ex:p 1 . ex:b ex:q ex:a .",
            [("<http://example.org/a>", "^http://example.org/q", "<http://example.org/b>", "ClassConstraintComponent")],
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:node ex:N . ex:N sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ] .",
            "ex:a ex:q 1 .",
            [("<http://example.org/a>", "-", "<http://example.org/a>", "NodeConstraintComponent")],
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:or ( [ sh:datatype xsd:integer ] [ sh:nodeKind sh:IRI ] ) ] .",
            'ex:a a ex:C ; ex:p 1 , ex:b , "1" .',
            [("<http://example.org/a>", "http://example.org/p", '"1"', "OrConstraintComponent")],
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:maxCount 1 ] .",
            "ex:a a ex:C ; ex:p ex:b , ex:c . ex:b ex:q 1 . ex:c ex:q 2 .",
            [
                (
                    "<http://example.org/a>",
                    "http://example.org/p/http://example.org/q",
                    "-",
                    "MaxCountConstraintComponent",
                )
            ],
        ),
        (
            'ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern "^[0-9]{9}$" ; sh:uniqueLang true ] .',
            'ex:a a ex:C ; ex:p "12345678" , "123456789" .',
            [("<http://example.org/a>", "http://example.org/p", '"12345678"', "PatternConstraintComponent")],
        ),
        (  # a period's start after its end; a year and a date, strings against a number: not comparable
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] .",
            'ex:a a ex:C ; ex:start "2031-01-01"^^xsd:date ; ex:end "2024-12-31"^^xsd:date . '
            'ex:b a ex:C ; ex:start "2010-01-01"^^xsd:date ; ex:end "2024-12-31"^^xsd:date , "2010-01-01"^^xsd:date . '
            'ex:c a ex:C ; ex:start "2010"^^xsd:gYear ; ex:end "2024-12-31"^^xsd:date . '
            'ex:d a ex:C ; ex:start "b" ; ex:end "a" , 3 . ex:e a ex:C ; ex:start "2031-01-01"^^xsd:date .',
            [
                (
                    "<http://example.org/a>",
                    "http://example.org/start",
                    '"2031-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
                    "LessThanOrEqualsConstraintComponent",
                ),
                (
                    "<http://example.org/c>",
                    "http://example.org/start",
                    '"2010"^^<http://www.w3.org/2001/XMLSchema#gYear>',
                    "LessThanOrEqualsConstraintComponent",
                ),
                ("<http://example.org/d>", "http://example.org/start", '"b"', "LessThanOrEqualsConstraintComponent"),
                ("<http://example.org/d>", "http://example.org/start", '"b"', "LessThanOrEqualsConstraintComponent"),
            ],
        ),
    ],
)
def test_engine_reproduces_the_shacl_rules_as_pyshacl_applies_them(shape: str, data: str, expected: list) -> None:
    assert both(shape, data) == expected


def test_a_date_its_datatype_does_not_admit_is_not_in_order_with_any(recwarn: pytest.WarningsRecorder) -> None:
    """rdflib's `<=` takes its own NotImplemented for true when the later date is ill-formed (and
    warns that Python will refuse that), and raises the other way round, so pyshacl passes one and
    stops at the other: here both are a finding, and a harvested record's validation goes on."""
    sg = Graph().parse(
        data=SHAPES + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] .",
        format="turtle",
    )
    dg = Graph().parse(
        data="@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."
        'ex:a a ex:C ; ex:start "2010-01-01"^^xsd:date ; ex:end "2020-13-45"^^xsd:date . '
        'ex:b a ex:C ; ex:start "2020-13-45"^^xsd:date ; ex:end "2010-01-01"^^xsd:date .',
        format="turtle",
    )
    found = CompiledShapes(sg).validate(Index.of(dg))
    assert sorted(str(r.focus) for r in found) == ["http://example.org/a", "http://example.org/b"]
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_class_checks_see_a_records_own_subclasses_and_no_other_records() -> None:
    """Records validated against one base (the vocabularies) share the base's class hierarchy,
    found once; a record that states its own rdfs:subClassOf is judged by it, and the records
    after it are not."""
    shapes = Graph().parse(
        data=SHAPES + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:class ex:K ] .", format="turtle"
    )
    prefixes = "@prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."
    vocabulary = Graph().parse(data=prefixes + "ex:K2 rdfs:subClassOf ex:K . ex:v2 a ex:K2 .", format="turtle")
    base, compiled = Index.of(vocabulary), CompiledShapes(shapes)
    records = [
        "ex:a a ex:C ; ex:p ex:v2 .",  # an instance by the base's subclass
        "ex:a a ex:C ; ex:p ex:v3 . ex:v3 a ex:K3 . ex:K3 rdfs:subClassOf ex:K .",  # by its own subclass
        "ex:a a ex:C ; ex:p ex:v3 . ex:v3 a ex:K3 .",  # not one: the record before's subclass is not its
    ]
    found = []
    for record in records:
        data = Graph().parse(data=prefixes + record, format="turtle")
        fast = compiled.validate(Index.of(data, base))
        assert Counter(fast) == Counter(pyshacl_results(data + vocabulary, shapes))
        found.append(len(fast))
    assert found == [0, 0, 1]


@pytest.mark.parametrize(
    "construct",
    [
        'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { }" ] .',
        "ex:S sh:targetClass ex:C ; sh:closed true .",
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:K ] ; sh:qualifiedMinCount 1 ] .",
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
    ],
)
def test_engine_refuses_what_it_does_not_compile_so_pyshacl_takes_over(construct: str) -> None:
    with pytest.raises(Unsupported):
        CompiledShapes(Graph().parse(data=SHAPES + construct, format="turtle"))


TEXTS = [{}, {"nb": "x"}, {"nb": "x", "NB": "x"}, {"nb": "x", "en": "x"}, {"": "uten språk"}, {"nb": ""}]
"""Variable texts as registries send them: none, one, the same text under a tag in two cases (one
statement in RDF), two languages, no tag, an empty text."""


@st.composite
def records(draw: st.DrawFn) -> Dataset:
    """An MFR record whose variables vary in every field the validator's index is built from."""
    d = mfr_dataset(draw(st.sampled_from([1, 2, 8])))
    for v in d.variables:
        v.title = draw(st.sampled_from(TEXTS))
        v.description = draw(st.sampled_from(TEXTS))
        v.question = draw(st.sampled_from(TEXTS))
        v.keywords = draw(st.sampled_from([[], ["vekt"], ["vekt", "vekt", "gram"]]))
        v.datatype = draw(st.sampled_from([v.datatype, "heltall", "string"]))
        v.unit = draw(st.sampled_from([None, "g"]))
        v.codelist = draw(st.sampled_from([None, f"{BASE}/kodeverk/apgar"]))
        v.coding_system = draw(st.sampled_from([None, "ICD-10"]))
        v.property_url = draw(
            st.sampled_from([None, "https://example.org/begrep/vekt", "https://example.org/ugyldig iri"])
        )
        v.valid_from = draw(st.sampled_from([None, "2001-01-01", "2016-03", "not a date"]))
        v.valid_to = draw(st.sampled_from([None, "2020"]))
        v.table = draw(st.sampled_from([None, "barn"]))
    if draw(st.booleans()):  # a column IRI rdflib warns of: every column's IRI made one at a time
        d.variables[-1].uri += " med mellomrom"
    if len(d.variables) > 1 and draw(st.booleans()):
        d.variables[1].uri = d.variables[0].uri  # one column listed twice
    return d


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_the_index_of_a_record_holds_exactly_the_triples_of_its_graph(record: Dataset) -> None:
    """A record's columns go into the index a dataset at a time (`Index.add_nodes`), not as triples;
    its inverse table of rdf:type (how shapes find their targets) holds the same typings."""
    index = Index()
    rdf.add_records(index, [record])
    triples = list(index)
    assert len(triples) == len(set(triples))  # a repeated statement is one statement, as in a graph
    assert set(triples) == set(rdf.to_graph([record]))
    typed = {(s, o) for o, po in index.inc.items() for s in po.get(RDF.type, ())}
    assert typed == {(s, o) for s, p, o in triples if p == RDF.type}


@pytest.mark.parametrize("profile", ["healthdcat-ap", "dcat-ap-no"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_a_records_report_is_the_report_on_its_graph_and_pyshacls(profile: str, record: Dataset) -> None:
    report = validation.validate_record(record, profile).to_dict()
    assert report == validation.validate_graph(rdf.to_graph([record]), profile).to_dict()
    assert report == validation.reference_report(rdf.to_graph([record]), profile).to_dict()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_a_records_report_from_its_statements_written_for_its_rendering_is_its_report(record: Dataset) -> None:
    """The pipeline writes a dataset's own statements once, for its EHDS rendering and its validation."""
    written = rdf.TripleSink()
    rdf.add_dataset(written, record, variables=False)
    for profile in ("healthdcat-ap", "dcat-ap-3"):
        alone = validation.validate_record(record, profile).to_dict()
        assert validation.validate_record(record, profile, written).to_dict() == alone


def test_the_shapes_read_a_record_by_the_very_terms_its_writers_write() -> None:
    """The compiled shapes and the writers share one object per term (`rdf.TERMS`), so the index's
    lookups match by identity, not by rdflib's Python-level equality: every predicate the EHDS
    shapes read that a dataset's index holds is the index's own key object."""
    profile = validation.get_profile(validation.DEFAULT_PROFILE)
    assert profile.compiled is not None
    index = Index(profile.base)
    rdf.add_records(index, [mfr_dataset()])
    written = {id(p): p for po in index.out.values() for p in po}
    read = {s.predicate for s in profile.compiled.shapes.values() if s.predicate is not None}
    shared = [p for p in read if p in set(written.values())]
    assert len(shared) > 20
    assert [p for p in shared if id(p) not in written] == []
