"""Parsing with pyoxigraph into a LightGraph reads the same records as rdflib's parsers and Graph."""

from __future__ import annotations

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from catalog.model import Dataset
from catalog.rdf import from_graph, to_graph
from catalog.rdfparse import LightGraph, RdfSyntaxError, parse_rdf
from tests.factories import apgar_codes, mfr_dataset


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld"])
def test_every_syntax_reads_the_records_rdflib_reads(fmt: str) -> None:
    written = to_graph([mfr_dataset(), apgar_codes()])
    data = written.serialize(format=fmt, encoding="utf-8")
    light = parse_rdf(data, fmt, base_iri="https://data.fhi.no/mfr/catalog")
    parsed = Graph()
    for triple in light:
        parsed.add(triple)
    assert len(light) == len(written) and isomorphic(parsed, written)
    assert from_graph(light) == ([mfr_dataset(), apgar_codes()], [])


def test_a_syntax_error_says_which_line() -> None:
    with pytest.raises(RdfSyntaxError) as caught:
        parse_rdf(
            '@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "x" ;;; oops .',
            "turtle",
            base_iri="https://example.org/feed.ttl",
        )
    assert caught.value.line == 2


def test_relative_iris_resolve_against_the_page_url() -> None:
    g = parse_rdf('<ds> <http://purl.org/dc/terms/title> "T"@nb .', "turtle", base_iri="https://example.org/feed/")
    assert [(str(s), o) for s, _p, o in g] == [("https://example.org/feed/ds", Literal("T", lang="nb"))]


def test_the_first_of_several_values_is_the_first_in_the_document() -> None:
    g = parse_rdf('<https://x.org/a> <https://x.org/p> "zeta", "alpha", "mid" .', "turtle")
    assert str(g.value(URIRef("https://x.org/a"), URIRef("https://x.org/p"))) == "zeta"
    assert [str(o) for o in g.objects(URIRef("https://x.org/a"), URIRef("https://x.org/p"))] == ["zeta", "alpha", "mid"]
    assert isinstance(g, LightGraph)


def test_terms_are_the_terms_rdflib_makes() -> None:
    """Literals are built without rdflib's constructor (`rdf.text`): they must be its terms,
    slot for slot, or an upgrade of rdflib that adds or renames one fails here, not in a feed."""
    g = parse_rdf(
        '<https://x.org/a> <https://x.org/p> "plain", "tekst"@nb, "3"^^<http://www.w3.org/2001/XMLSchema#integer>, '
        '"2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date>, "x"^^<http://www.w3.org/2001/XMLSchema#string>, '
        "<https://x.org/b> .",
        "turtle",
    )
    expected = [
        Literal("plain"),
        Literal("tekst", lang="nb"),
        Literal("3", datatype=XSD.integer),
        Literal("2024-01-02", datatype=XSD.date),
        Literal("x"),
        URIRef("https://x.org/b"),
    ]
    got = list(g.objects(URIRef("https://x.org/a"), URIRef("https://x.org/p")))
    slots = ("_language", "_datatype", "_value", "_ill_typed")
    assert Literal.__slots__ == slots
    assert [(type(t), str(t), [getattr(t, s, None) for s in slots], hash(t)) for t in got] == [
        (type(t), str(t), [getattr(t, s, None) for s in slots], hash(t)) for t in expected
    ]


def test_strings_are_kept_plain_and_given_out_as_the_terms_rdflib_makes() -> None:
    """LightGraph keeps strings as Python's own (`stored`); every way of reading gives rdflib's terms."""
    data = (
        '<https://x.org/a> <https://x.org/p> "plain", "tekst"@nb, "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<https://x.org/b> <https://x.org/p> "tekst"@nb .'
    )
    light, graph = parse_rdf(data, "turtle"), Graph().parse(data=data, format="turtle")
    a, p = URIRef("https://x.org/a"), URIRef("https://x.org/p")
    assert set(light) == set(graph) and len(light) == len(graph) == 4
    assert set(light.objects(a, p)) == set(graph.objects(a, p))
    assert set(light.objects(None, p)) == set(graph.objects(None, p))
    for o in (Literal("tekst", lang="nb"), Literal("plain"), Literal("3", datatype=XSD.integer)):
        assert (a, p, o) in light
        assert set(light.subjects(p, o)) == set(graph.subjects(p, o))
    assert (a, p, Literal("plain", lang="nb")) not in light


def test_a_variable_reads_alike_from_a_light_graph_and_from_rdflibs() -> None:
    """The variable reader takes LightGraph's kept values as they are: one value and several alike."""
    data = """
        @prefix csvw: <http://www.w3.org/ns/csvw#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix hk: <https://w3id.org/helsekatalog#> .
        @prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
        <https://x.org/d> a dcat:Dataset ; dct:identifier "d" ; healthdcatap:hasVariables <https://x.org/d#v> .
        <https://x.org/d#v> csvw:table <https://x.org/d#table> .
        <https://x.org/d#table> csvw:column <https://x.org/v1>, <https://x.org/v2> .
        <https://x.org/v1> a csvw:Column ; csvw:name "b", "a" ; csvw:title "T"@nb, "T"@en, "U"@nb, "untagged" ;
          dct:description "Om"@nb ; csvw:datatype "integer"^^<http://www.w3.org/2001/XMLSchema#string> ;
          hk:unit <https://x.org/unit> ; hk:codeList <https://x.org/codes>, "not an IRI" ;
          dcat:keyword "z"@nb, "y", "x"@en .
        <https://x.org/v2> a csvw:Column ; csvw:name "c"@nb ; hk:codeList "text" ; csvw:title <https://x.org/t> .
    """
    light = from_graph(parse_rdf(data, "turtle"))
    assert light == from_graph(Graph().parse(data=data, format="turtle"))
    dataset = light[0][0]
    assert isinstance(dataset, Dataset) and [v.name for v in dataset.variables] == ["a", "c"]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml"])
def test_the_statements_a_reader_picks_come_from_the_same_parse_as_the_whole_graph(fmt: str) -> None:
    """`parse_picked` gives the whole graph and, beside it, exactly the graph `parse_rdf` keeps with
    the same pick, statement for statement and in the same order (the DCAT harvester's paging)."""
    from catalog.rdfparse import Pick, parse_picked

    written = to_graph([mfr_dataset(), apgar_codes()])
    data = written.serialize(format=fmt, encoding="utf-8")
    pick_type = "http://www.w3.org/ns/dcat#Dataset"
    pick = Pick(frozenset({"http://purl.org/dc/terms/identifier"}), frozenset({pick_type}))
    whole, picked = parse_picked(data, fmt, "https://data.fhi.no/mfr/catalog", pick)
    kept = parse_rdf(data, fmt, base_iri="https://data.fhi.no/mfr/catalog", keep=pick)
    expected = [t for t in written if str(t[1]).endswith("/identifier") or t[2] == URIRef(pick_type)]
    assert list(picked) == list(kept) and len(picked) == len(kept) == len(expected) > 1
    parsed = Graph()
    for triple in whole:
        parsed.add(triple)
    assert len(whole) == len(written) and isomorphic(parsed, written)


def test_several_strings_are_read_in_rdflibs_order_of_their_terms() -> None:
    """Several plain and tagged strings of one property are ordered by `_string_key`, not by
    rdflib's comparisons of their terms; it must be rdflib's order: the text taken for a language,
    and the one value taken of several, are the same either way (tags in upper case, which rdflib's
    JSON-LD parser keeps, among them: those are left to rdflib)."""
    import random

    from catalog.rdf import _first, _lang_of, _ordered, as_term

    rng = random.Random(21)
    words, tags = ["", "a", "B", "å", "zeta", "alpha", "Ø", "10", "9"], [None, "nb", "en", "nn", "en-gb", "NB"]
    for _ in range(400):
        chosen = {(rng.choice(words), rng.choice(tags)) for _ in range(rng.randrange(2, 7))}
        kept = dict.fromkeys(txt if tag is None else (txt, tag) for txt, tag in chosen)
        terms = _ordered(map(as_term, kept))
        by_rdflib: dict[str, str] = {}
        for term in terms:
            assert isinstance(term, Literal)
            by_rdflib.setdefault(term.language or "", str(term))
        assert _lang_of(kept) == by_rdflib
        assert as_term(_first(kept)) == min(terms)


def test_a_dataset_reads_alike_from_a_light_graph_and_from_rdflibs() -> None:
    """A dataset's properties of several values (texts in several languages, several IRIs where the
    model holds one) read the same from LightGraph's kept values as from rdflib's terms."""
    data = """
        @prefix dct: <http://purl.org/dc/terms/> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <https://x.org/d> a dcat:Dataset ; dct:identifier "d2", "d1"@nb ; dct:title "B"@nb, "A"@nb, "T"@en, "u" ;
          dct:description "Om"@nb, <https://x.org/not-a-text> ; dct:accessRights <https://x.org/b>, <https://x.org/a> ;
          dcat:landingPage "text", <https://x.org/page> ; dct:issued "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
          dct:publisher [ foaf:name "Org"@nb, "Org"@en ; foaf:mbox <mailto:a@x.org> ] ;
          dcat:theme <https://x.org/t2>, <https://x.org/t1>, "literal theme" ; dcat:keyword "k"@nb, "j" .
    """
    light = from_graph(parse_rdf(data, "turtle"))
    assert light == from_graph(Graph().parse(data=data, format="turtle"))
    dataset = light[0][0]
    assert isinstance(dataset, Dataset) and dataset.title == {"": "u", "en": "T", "nb": "A"}


def test_a_position_of_digits_that_are_not_decimal_is_no_position() -> None:
    """schema:position "²" is all digits to Python's `isdigit` but no number to `int`: it was read as
    one and failed the whole page with a ValueError; now it is no position, as any other text."""
    data = """
        @prefix csvw: <http://www.w3.org/ns/csvw#> . @prefix schema: <https://schema.org/> .
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
        <https://x.org/d> a dcat:Dataset ; healthdcatap:hasVariables [ csvw:table [
          csvw:column <https://x.org/v/a>, <https://x.org/v/b>, <https://x.org/v/c> ] ] .
        <https://x.org/v/a> csvw:name "a" ; schema:position "²" .
        <https://x.org/v/b> csvw:name "b" ; schema:position "٣" .
        <https://x.org/v/c> csvw:name "c" ; schema:position 4 .
    """
    for graph in (parse_rdf(data, "turtle"), Graph().parse(data=data, format="turtle")):
        records, problems = from_graph(graph)
        dataset = records[0]
        assert isinstance(dataset, Dataset) and problems == []
        assert [v.name for v in dataset.variables] == ["b", "c", "a"]  # 3 ("٣"), 4, then no position
