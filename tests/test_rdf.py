"""The model <-> RDF mapping is symmetric and reads the official HealthDCAT-AP variable example."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from catalog.model import Dataset, Variable, dumps
from catalog.rdf import CSVW, HEALTH, TripleSink, add_variables, from_graph, to_graph, variables_ntriples
from tests.conftest import shared_path
from tests.factories import apgar_codes, mfr_dataset


def test_records_round_trip_through_rdf():
    records, problems = from_graph(to_graph([mfr_dataset(), apgar_codes()]))
    assert problems == []
    assert [dumps(r) for r in records] == [dumps(mfr_dataset()), dumps(apgar_codes())]


def test_round_trip_survives_turtle_serialisation():
    ttl = to_graph([mfr_dataset()]).serialize(format="turtle")
    records, _ = from_graph(Graph().parse(data=ttl, format="turtle"))
    assert records == [mfr_dataset()]


def test_variables_are_csvw_columns_under_has_variables():
    g = to_graph([mfr_dataset()])
    group = g.value(URIRef(mfr_dataset().uri), HEALTH.hasVariables)
    assert (group, RDF.type, CSVW.TableGroup) in g
    table = g.value(group, CSVW.table)
    names = sorted(str(g.value(c, CSVW.name)) for c in g.objects(table, CSVW.column))
    assert names == ["APGAR5", "MORS_ALDER", "SVLEN", "VEKT"]


def test_the_official_release_8_variables_example_is_read():
    path = shared_path("standards/healthdcat-ap/release-8/examples/healthdcataphasVariables.ttl")
    g = Graph().parse(path)
    records, problems = from_graph(g)
    datasets = [r for r in records if isinstance(r, Dataset)]
    assert problems == []
    assert len(datasets) == len(set(g.subjects(RDF.type, DCAT.Dataset)))
    names = {v.name for d in datasets for v in d.variables}
    assert {"EncounterID", "PatientID", "VisitDate", "DiagnosisCode"} <= names
    diagnosis = next(v for d in datasets for v in d.variables if v.name == "DiagnosisCode")
    assert diagnosis.property_url == "http://purl.bioontology.org/ontology/ICD10"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("<https://data.norge.no/nlod/no/2.0>", "https://data.norge.no/nlod/no/2.0"),
        ('"CC BY 4.0"', "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"),
        ('"cc-by 4.0 international"@en', "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"),
        ('"Norsk lisens for offentlige data (NLOD) 2.0"@nb', None),
        ('"NLOD 2.0"', "http://publications.europa.eu/resource/authority/licence/NLOD_2_0"),
        ('"CC0"', "http://publications.europa.eu/resource/authority/licence/CC0"),
        ('" https://creativecommons.org/licenses/by/4.0/ "', "https://creativecommons.org/licenses/by/4.0/"),
    ],
)
def test_a_licence_written_as_text_is_the_licence_it_names_or_reported(written: str, kept: str | None) -> None:
    """A publisher wrote dct:license "CC BY 4.0" and its data went out with no licence, without a
    word (validation said the distribution had none)."""
    g = Graph().parse(
        data=f"""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://example.org/d> a dcat:Dataset ; dct:title "Data"@nb ; dcat:distribution <https://example.org/d/fil> .
        <https://example.org/d/fil> a dcat:Distribution ; dcat:accessURL <https://example.org/fil.csv> ;
            dct:license {written} .""",
        format="turtle",
    )
    records, problems = from_graph(g)
    [dataset] = records
    assert isinstance(dataset, Dataset) and dataset.distributions[0].license == kept
    if kept is None:
        [(uri, field, message)] = problems
        assert (uri, field) == ("https://example.org/d/fil", "dct:license") and "NLOD" in message
    else:
        assert problems == []


def test_a_code_without_a_label_is_labelled_by_its_code_and_read_back_without_one():
    """DCAT-AP 3's Category_Shape asks a skos:prefLabel of every skos:Concept: the ESS codebook's
    codes (a value, no label) made 830 violations of the official shapes in the EHDS feed."""
    from rdflib import SKOS

    from catalog.model import CodeList, Concept

    codes = CodeList(
        uri="https://x.example/cl",
        identifier="cl",
        title={"nb": "Svar"},
        concepts=[Concept("16"), Concept("17", {"nb": "Sytten"})],
    )
    g = to_graph([codes])
    assert sorted(str(label) for label in g.objects(None, SKOS.prefLabel)) == ["16", "Sytten"]
    records, problems = from_graph(g)
    assert records == [codes] and problems == []


def test_a_dataset_without_uri_is_reported_not_invented():
    g = Graph().parse(
        data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        [] a dcat:Dataset ; dct:title "Uten URI" .""",
        format="turtle",
    )
    records, problems = from_graph(g)
    assert records == []
    assert problems == [("(blank node)", "dcat:Dataset", "a dataset has no URI (blank node); skipped")]


@pytest.mark.parametrize(
    ("value", "lang"),
    [("Fødselsvekt", "nb"), ("x", None), ("Birth weight", "en-GB"), ("", None), ('a\\n"b"', "nn"), ("tekst", "")],
)
def test_fast_text_literals_are_the_terms_rdflib_makes(value, lang):
    from rdflib import Literal

    from catalog.rdf import text

    fast, slow = text(value, lang or None), Literal(value, lang=lang)
    assert (fast == slow, hash(fast) == hash(slow), fast.n3(), fast.value) == (True, True, slow.n3(), slow.value)
    assert (fast.language, fast.datatype, fast.ill_typed) == (slow.language, slow.datatype, slow.ill_typed)


@pytest.mark.parametrize("value", [0, 7, 123456789])
def test_fast_integer_literals_are_the_terms_rdflib_makes(value):
    from rdflib import Literal

    from catalog.rdf import integer

    fast, slow = integer(value), Literal(value)
    assert (fast == slow, hash(fast) == hash(slow), fast.n3(), fast.value, fast.datatype) == (
        True,
        True,
        slow.n3(),
        slow.value,
        slow.datatype,
    )


def test_a_language_tag_rdflib_refuses_is_still_refused():
    from catalog.rdf import text

    with pytest.raises(ValueError, match="not a valid language tag"):
        text("x", "not a tag")


AMBIGUOUS = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://ex.org/d> a dcat:Dataset ; dct:identifier "d" ;
    dct:title "Tittel B"@nb , "Tittel A"@nb , "Title"@en ;
    dcat:distribution <https://ex.org/d/x> .
<https://ex.org/d/x> a dcat:Distribution ; dcat:accessURL <https://ex.org/get> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/JSON> ,
               <http://publications.europa.eu/resource/authority/file-type/CSV> .
"""
MAP_AMBIGUOUS = (
    "import sys; from rdflib import Graph; from catalog.model import dumps; from catalog.rdf import from_graph; "
    "print(dumps(from_graph(Graph().parse(data=sys.stdin.read(), format='turtle'))[0][0]))"
)


def test_a_document_stating_two_values_of_a_single_valued_field_maps_alike_in_every_process():
    """A real Difi distribution states two dct:format; which one the record kept followed the
    process's hash seed, so every `catalog harvest` saw half the catalogue as changed."""
    import os
    import subprocess
    import sys

    mapped = {
        subprocess.run(
            [sys.executable, "-c", MAP_AMBIGUOUS],
            input=AMBIGUOUS,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(mapped) == 1
    record = mapped.pop()
    assert '"format":"http://publications.europa.eu/resource/authority/file-type/CSV"' in record
    assert '"nb":"Tittel A"' in record


_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
_LANGS = st.sampled_from(["", "nb", "en", "nn", "se-Latn", "ikke et språk"])
_IRIS = st.sampled_from(["https://x.no/a", "https://x.no/b c", "https://x.no/æ", "urn:x:1", 'https://x.no/"q"'])
_DATES = st.sampled_from(["2020-01-02", "2020-01", "2020", "2020-01-02T10:00:00Z", "i fjor", ""])


@st.composite
def _variables(draw: st.DrawFn) -> Variable:
    texts = st.dictionaries(_LANGS, _TEXT, max_size=3)
    return Variable(
        uri=draw(_IRIS) + draw(st.sampled_from(["", "/v", "/v2"])),
        name=draw(_TEXT),
        title=draw(texts),
        description=draw(texts),
        datatype=draw(st.sampled_from(["integer", "string", 'a"b\\c\n'])),
        unit=draw(st.none() | _TEXT),
        codelist=draw(st.none() | _IRIS),
        coding_system=draw(st.none() | _TEXT),
        property_url=draw(st.none() | _IRIS),
        question=draw(texts),
        valid_from=draw(st.none() | _DATES),
        valid_to=draw(st.none() | _DATES),
        keywords=draw(st.lists(_TEXT, max_size=2)),
        table=draw(st.none() | st.sampled_from(["t1", "T 2"])),
    )


def _written(write: Callable[[], bytes]) -> bytes | None:
    """The statements, or None when a value cannot be written (both ways must refuse it, though
    they may name another of several bad values first)."""
    try:
        return write()
    except Exception:  # noqa: BLE001 - an IRI or a language tag rdflib refuses
        return None


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(_variables(), max_size=4), st.dictionaries(_LANGS, _TEXT, max_size=2), _IRIS)
def test_variables_written_straight_are_the_statements_add_variables_makes(variables, title, uri) -> None:
    d = Dataset(uri=uri, identifier="id-1", title=title, variables=variables)

    def through_terms() -> bytes:
        sink = TripleSink()
        add_variables(sink, URIRef(d.uri), d)
        return sink.turtle()

    assert _written(lambda: variables_ntriples(URIRef(d.uri), d)) == _written(through_terms)


def test_the_nations_variables_written_straight_are_the_statements_add_variables_makes() -> None:
    from simulator import Nation

    nation = Nation(scale=1)
    for source in nation.sources:
        if source.kind in ("dcat", "ckan", "oai-ddi", "spreadsheet"):
            for i in nation.dataset_indices(source)[:5]:
                d = nation.dataset(source, i)
                sink = TripleSink()
                add_variables(sink, URIRef(d.uri), d)
                assert variables_ntriples(URIRef(d.uri), d) == sink.turtle(), (source.name, i)


@pytest.mark.parametrize(
    ("change", "plain"),
    [
        ({}, True),
        ({"name": 'a "quoted" name'}, False),
        ({"description": {"nb": "two\nlines"}}, False),
        ({"unit": "back\\slash"}, False),
        ({"uri": "https://example.org/a variable"}, False),
        ({"title": {"x-not a tag": "t"}}, False),
        ({"question": {"nb": "Hvor mange?"}, "keywords": ["a", "b"], "valid_from": "2020"}, True),
    ],
)
def test_variables_needing_no_escape_are_written_in_one_look_and_the_others_value_by_value(change, plain) -> None:
    """`_plain_variables` writes a dataset whose variables' IRIs and texts need nothing; any other
    goes value by value (`_variables_written`); `variables_ntriples` gives the same bytes either way."""
    from dataclasses import replace

    from catalog.rdf import _plain_variables, _variables_written

    d = mfr_dataset()
    d.variables[1] = replace(d.variables[1], **change)
    s = URIRef(d.uri)
    fast = _plain_variables(s, d)
    assert (fast is not None) == plain
    written = _written(lambda: _variables_written(s, d))
    assert _written(lambda: variables_ntriples(s, d)) == written
    if fast is not None:
        assert fast == written


@hypothesis_settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab "\\\n\r\tæ\u2028'), max_size=12) | st.text(max_size=12))
def test_a_text_is_escaped_only_where_it_needs_it_and_then_as_before(value: str) -> None:
    """`_escaped` skips the copy when none of the four characters is there: the same text either way."""
    from catalog.rdf import _ESCAPES, _escaped

    assert _escaped(value) == value.translate(_ESCAPES)
