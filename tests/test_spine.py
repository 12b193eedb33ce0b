"""The walking skeleton end to end: a registry's feed -> harvest -> explorer, API and DCAT feed."""

import json

import pytest
from rdflib import Graph

from catalog.config import SourceConfig
from catalog.model import key_for
from catalog.pipeline import harvest
from catalog.rdf import to_graph
from catalog.search import open_backend
from tests.factories import apgar_codes, mfr_dataset
from web import create_app


@pytest.fixture
def client(settings, store, server):
    url = server.serve(
        "/mfr/catalog.ttl",
        to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle"),
        Content_Type="text/turtle",
    )
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=url, title="Medisinsk fødselsregister")
    [result] = harvest(settings, store, open_backend(settings))
    assert result.ok
    return create_app(settings).test_client()


def test_searching_fodselsvekt_shows_the_birth_weight_variable(client):
    page = client.get("/search?q=fødselsvekt").get_data(as_text=True)
    assert "<mark>Fødselsvekt</mark>" in page and "VEKT" in page
    assert f'href="/variables/{key_for(mfr_dataset().variables[0].uri)}"' in page


def test_the_front_page_has_the_search_box_and_the_search_a_source_facet(client):
    assert 'role="search"' in client.get("/").get_data(as_text=True)
    page = client.get("/search").get_data(as_text=True)
    assert 'role="search"' in page and "Medisinsk fødselsregister" in page and "?source=mfr" in page


def test_variable_and_dataset_pages_show_their_record(client):
    v = client.get(f"/variables/{key_for(mfr_dataset().variables[3].uri)}").get_data(as_text=True)
    assert "Apgar-skår etter 5 minutter" in v and "10 poeng" in v
    d = client.get(f"/datasets/{key_for(mfr_dataset().uri)}").get_data(as_text=True)
    assert "Medisinsk fødselsregister – fødsler" in d and "MORS_ALDER" in d


def test_unknown_records_are_404_in_html_or_problem_json(client):
    assert client.get("/variables/0000000000000000").status_code == 404
    r = client.get("/variables/0000000000000000", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json["status"] == 404 and r.mimetype == "application/problem+json"


def test_api_search_returns_hits_and_facets(client):
    body = client.get("/api/search?q=mors alder").json
    assert body["hits"][0]["name"] == "MORS_ALDER" and body["hits"][0]["source"] == "mfr"
    assert {"value": "mfr", "count": body["total"]} in body["facets"]["source"]
    assert json.dumps(body)


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_the_dcat_feed_negotiates_its_syntax(client, accept, fmt):
    r = client.get("/catalog", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    g = Graph().parse(data=r.get_data(as_text=True), format=fmt)
    assert any(str(s) == mfr_dataset().uri for s in g.subjects())


def test_pages_carry_a_content_security_policy(client):
    r = client.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
