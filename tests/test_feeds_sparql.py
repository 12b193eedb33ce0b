"""/sparql answers queries over the catalogue, read-only, bounded in time and size."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from xml.etree import ElementTree as ET

import pytest

from tests.factories import apgar_codes, mfr_dataset
from tests.published import build

VARIABLES = "SELECT ?name WHERE { ?c a csvw:Column ; csvw:name ?name } ORDER BY ?name"


@pytest.fixture
def app(settings):
    from web import create_app

    settings.values.update(sparql_timeout=5, sparql_max_results=50)
    return create_app(settings)


def sparql(client, query, accept="application/sparql-results+json", method="get"):
    if method == "get":
        return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    return client.post("/sparql", data=query, content_type="application/sparql-query", headers={"Accept": accept})


@pytest.mark.parametrize("method", ["get", "post"])
def test_select_answers_json_bindings(settings, store, server, client, method):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    response = sparql(client, VARIABLES, method=method)
    assert response.mimetype == "application/sparql-results+json"
    bindings = response.get_json()["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == ["APGAR5", "MORS_ALDER", "SVLEN", "VEKT"]


def test_select_answers_csv_and_xml_by_accept(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    rows = list(csv.reader(io.StringIO(sparql(client, VARIABLES, "text/csv").get_data(as_text=True))))
    assert rows == [["name"], ["APGAR5"], ["MORS_ALDER"], ["SVLEN"], ["VEKT"]]
    xml = ET.fromstring(sparql(client, VARIABLES, "application/sparql-results+xml").data)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [e.text for e in xml.iter(f"{ns}literal")] == ["APGAR5", "MORS_ALDER", "SVLEN", "VEKT"]


def test_ask_and_construct(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    assert sparql(client, "ASK { ?s a skos:ConceptScheme }").get_json()["boolean"] is True
    response = sparql(client, "CONSTRUCT { ?s dct:title ?t } WHERE { ?s a dcat:Dataset ; dct:title ?t }", "text/turtle")
    assert response.mimetype == "text/turtle" and "Medisinsk fødselsregister" in response.get_data(as_text=True)


def test_the_endpoint_sees_changes_to_the_catalogue(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    assert sparql(client, "ASK { ?s a skos:ConceptScheme }").get_json()["boolean"] is False
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    assert sparql(client, "ASK { ?s a skos:ConceptScheme }").get_json()["boolean"] is True


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", 400, "Not a valid SPARQL query"),
        ("DELETE WHERE { ?s ?p ?o }", 400, "Not a valid SPARQL query"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o }", 413, "more than 50 results"),
        ("", 400, "Give a SPARQL query"),
    ],
)
def test_updates_federation_and_huge_answers_are_refused(settings, store, server, client, query, status, says):
    build(settings, store, server, [mfr_dataset()])
    response = sparql(client, query, accept="application/json")
    assert response.status_code == status and says in response.get_json()["detail"]


def test_the_word_service_inside_a_string_is_not_federation(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    assert sparql(client, 'ASK { ?s ?p "SERVICE" }').status_code == 200


def test_an_update_form_parameter_is_refused(settings, client):
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Accept": "application/json"})
    assert response.status_code == 403 and "read-only" in response.get_json()["detail"]


def test_a_query_running_too_long_is_stopped(settings, store, server):
    from catalog.sparql import SparqlEndpoint, SparqlError

    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    slow = SparqlEndpoint(settings, store, timeout=0.2, max_results=10**9)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?t ?w }"
    with pytest.raises(SparqlError, match="longer than 0.2 s") as exc:
        slow.query(query, ["application/json"])
    assert exc.value.status == 503


# -- the snapshot: built in the background, bounded like the queries --------------------------

ASK_SCHEMES = "ASK { ?s a skos:ConceptScheme }"


class Gate:
    """The catalogue dump, held back until `open()`: a snapshot build that takes as long as a test needs."""

    def __init__(self, monkeypatch, pause: float = 0.0):
        from catalog import sparql

        self.opened, self.pause, self.real = threading.Event(), pause, sparql.dump
        monkeypatch.setattr(sparql, "dump", self.dump)

    def dump(self, *args):
        self.opened.wait(30)
        for chunk in self.real(*args):
            time.sleep(self.pause)
            yield chunk

    def open(self):
        self.opened.set()


def ask(endpoint) -> bool:
    return json.loads(endpoint.query(ASK_SCHEMES, ["application/json"]).body)["boolean"]


def test_while_the_next_snapshot_is_built_queries_answer_from_the_previous_one_at_once(
    settings, store, server, monkeypatch
):
    from catalog.sparql import SparqlEndpoint

    build(settings, store, server, [mfr_dataset()])
    endpoint = SparqlEndpoint(settings, store, fresh_wait=0.1)
    assert ask(endpoint) is False
    gate = Gate(monkeypatch)
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    started = time.monotonic()
    assert ask(endpoint) is False and ask(endpoint) is False  # the catalogue a moment ago
    assert time.monotonic() - started < 1.0
    gate.open()
    deadline = time.monotonic() + 10
    while not ask(endpoint) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ask(endpoint) is True


def test_with_no_snapshot_yet_the_answer_is_503_retry_in_n_seconds(settings, store, server, client, monkeypatch):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    gate = Gate(monkeypatch)
    response = sparql(client, ASK_SCHEMES, accept="application/json")
    retry = response.headers["Retry-After"]
    assert response.status_code == 503 and 1 <= int(retry) <= 10  # a first build is guessed at 10 s
    assert response.get_json()["detail"] == f"The catalogue snapshot is being built; retry in {retry} s."
    gate.open()
    deadline = time.monotonic() + 10
    while sparql(client, ASK_SCHEMES).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sparql(client, ASK_SCHEMES).get_json()["boolean"] is True


def test_a_catalogue_larger_than_the_snapshot_may_hold_is_refused_naming_the_setting(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    settings.values.update(sparql_max_triples=20)
    response = sparql(client, ASK_SCHEMES, accept="application/json")
    assert response.status_code == 503
    assert response.get_json()["detail"] == (
        "The catalogue holds more than 20 statements, the most this endpoint loads (setting sparql_max_triples). "
        "Ask the catalogue's operator to raise it."
    )


def test_a_snapshot_build_past_its_time_limit_is_abandoned_naming_the_setting(settings, store, server, monkeypatch):
    from catalog.sparql import SparqlEndpoint, SparqlError

    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    settings.values.update(sparql_snapshot_seconds=0.2)
    Gate(monkeypatch, pause=0.3).open()
    endpoint = SparqlEndpoint(settings, store, fresh_wait=2.0)
    with pytest.raises(SparqlError, match=r"took longer than this endpoint allows \(setting sparql_snapshot_seconds\)"):
        ask(endpoint)
