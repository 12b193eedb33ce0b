"""What an answer looks like, named in the error of a source that could not read it (`harvesters.sniff`)."""

from __future__ import annotations

import json

import pytest

from harvesters.sniff import kind_hint, looks_like

TURTLE = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<https://example.org/k> a dcat:Catalog ."


@pytest.mark.parametrize(
    ("answer", "reads"),
    [
        (TURTLE, "dcat"),
        ('<https://example.org/k> <http://purl.org/dc/terms/title> "K" .', "dcat"),
        ('\ufeff<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "dcat"),
        (json.dumps({"@context": {}, "@graph": []}), "dcat"),
        ('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>', "oai-ddi"),
        (json.dumps({"help": "", "success": True, "result": {"count": 0, "results": []}}), "ckan"),
        (json.dumps({"_embedded": {"classifications": []}, "_links": {}}), "klass"),
        (json.dumps([{"short_name": "wies", "definition": "Inntekt"}]), "vardef"),
        ("Variabelnavn;Etikett;Beskrivelse\nVEKT;Fødselsvekt;Vekt i gram\n", "spreadsheet"),
        ("<!DOCTYPE html><html><body>Vedlikehold</body></html>", None),
    ],
)
def test_an_answer_is_told_by_what_it_plainly_is(answer: str, reads: str | None) -> None:
    found = looks_like(answer)
    assert found is not None and found[1] == reads


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   ",
        "hei",
        "{not json",
        "<note>x</note>",
        "<channel>\n  <title>x</title>",
        json.dumps({"error": "x"}),
        "[1, 2]",
    ],
)
def test_nothing_is_said_where_nothing_is_plain(answer: str) -> None:
    assert looks_like(answer) is None and kind_hint(answer, "dcat") == ""


def test_the_hint_names_another_kind_and_never_the_sources_own() -> None:
    assert kind_hint(TURTLE, "oai-ddi") == (
        'The answer looks like RDF in Turtle, which a source of kind "dcat" reads: is the source\'s kind right?'
    )
    assert kind_hint(TURTLE, "dcat") == ""
    assert "is the address the feed's or the API's own?" in kind_hint("<html><body></body></html>", "dcat")
    assert kind_hint(kind="vardef", value={"success": True, "result": {}}).startswith("The answer looks like a CKAN")
