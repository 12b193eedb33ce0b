"""Every URI we publish resolves here: HTML for browsers, RDF for RDF clients."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from rdflib import URIRef
from rdflib.namespace import CSVW, DCAT, FOAF, PROV, RDF, SKOS
from rdflib.namespace import DCTERMS as DCT

from catalog.model import Agent, key_for
from catalog.rdf import HEALTH
from tests.factories import apgar_codes, mfr_dataset
from tests.published import build, graph

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def minted(settings, store, server):
    """A dataset whose URIs were minted by a harvester (base_uri + id/...), as for CKAN or DDI sources."""
    base = settings.base_uri + "id/npr"
    d = mfr_dataset(
        uri=f"{base}/dataset/opphold",
        identifier="opphold",
        publisher=Agent(name={"nb": "Helsedirektoratet"}, uri=f"{base}/publisher/hdir", email="npr@hdir.no"),
    )
    for v in d.variables:
        v.uri = f"{base}/variable/{quote(v.name, safe='')}"
    d.variables[3].codelist = f"{base}/codelist/apgar"
    codes = apgar_codes()
    codes.uri = f"{base}/codelist/apgar"
    build(settings, store, server, [d, codes])
    return d


def path_of(settings, uri: str) -> str:
    return "/" + uri.removeprefix(settings.base_uri)


@pytest.mark.parametrize(
    ("which", "page"),
    [("dataset", "/datasets/"), ("variable", "/variables/"), ("codelist", "/codelists/"), ("code", "/codelists/")],
)
def test_a_minted_uri_sends_browsers_to_its_page(settings, client, minted, which, page):
    uri = {
        "dataset": minted.uri,
        "variable": minted.variables[0].uri,
        "codelist": minted.variables[3].codelist,
        "code": minted.variables[3].codelist + "/code/7",
    }[which]
    response = client.get(path_of(settings, uri), headers={"Accept": BROWSER})
    assert response.status_code == 303
    key = key_for(uri if which != "code" else minted.variables[3].codelist)
    assert response.headers["Location"].endswith(page + key)


@pytest.mark.parametrize(
    ("which", "rdf_type"),
    [
        ("dataset", DCAT.Dataset),
        ("variable", CSVW.Column),
        ("codelist", SKOS.ConceptScheme),
        ("code", SKOS.Concept),
        ("publisher", FOAF.Agent),
    ],
)
def test_a_minted_uri_sends_rdf_clients_to_its_description(settings, client, minted, which, rdf_type):
    uri = {
        "dataset": minted.uri,
        "variable": minted.variables[0].uri,
        "codelist": minted.variables[3].codelist,
        "code": minted.variables[3].codelist + "/code/7",
        "publisher": minted.publisher.uri,
    }[which]
    response = client.get(path_of(settings, uri), headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and "/resource.ttl?uri=" in response.headers["Location"]
    g = graph(client.get(response.headers["Location"]))
    assert (URIRef(uri), RDF.type, rdf_type) in g


def test_a_variable_description_has_its_name_label_and_datatype(settings, client, minted):
    g = graph(client.get(f"/variables/{key_for(minted.variables[0].uri)}.ttl"))
    c = URIRef(minted.variables[0].uri)
    assert (str(g.value(c, CSVW.name)), str(g.value(c, CSVW.datatype))) == ("VEKT", "integer")


def test_a_registrys_own_uri_resolves_through_resource_with_the_same_negotiation(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    uri = mfr_dataset().uri
    assert (
        client.get("/resource", query_string={"uri": uri}, headers={"Accept": BROWSER})
        .headers["Location"]
        .endswith(f"/datasets/{key_for(uri)}")
    )
    g = graph(client.get("/resource", query_string={"uri": uri}, headers={"Accept": "application/n-triples"}), "nt")
    assert str(g.value(URIRef(uri), DCT.identifier)) == "mfr-fodsler"
    assert (URIRef(settings.base_uri.rstrip("/") + "/catalog"), DCAT.dataset, URIRef(uri)) not in g


@pytest.mark.parametrize("suffix,fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_record_pages_have_rdf_twins_by_suffix(settings, store, server, client, suffix, fmt):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    g = graph(client.get(f"/datasets/{key_for(mfr_dataset().uri)}.{suffix}"), fmt)
    assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in g
    assert (URIRef(apgar_codes().uri), RDF.type, SKOS.ConceptScheme) in graph(
        client.get(f"/codelists/{key_for(apgar_codes().uri)}.{suffix}"), fmt
    )


def test_catalogue_records_in_the_feed_resolve(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    feed = graph(client.get("/catalog"))
    record = feed.value(predicate=FOAF.primaryTopic, object=URIRef(mfr_dataset().uri))
    g = graph(client.get(path_of(settings, str(record)), headers={"Accept": "text/turtle"}))
    assert g.value(record, FOAF.primaryTopic) == URIRef(mfr_dataset().uri)


def test_the_access_body_and_the_harvest_runs_the_feeds_name_resolve(settings, store, server, client):
    """Every EHDS dataset's `healthdcatap:hdab` (and the catalogue's publisher) and every catalogue
    record's `prov:wasGeneratedBy` are URIs at the catalogue's address, which answered 404 (the
    access body's drill): RDF clients get their descriptions, browsers their pages."""
    build(settings, store, server, [mfr_dataset(hdab=None)])
    feed = graph(client.get("/catalog"))
    body = feed.value(URIRef(mfr_dataset().uri), HEALTH.hdab)
    run = next(feed.objects(predicate=PROV.wasGeneratedBy))
    for uri, page in ((body, "/ehds/"), (run, f"/sources/{store.runs()[0].source}")):
        described = graph(client.get(path_of(settings, str(uri)), headers={"Accept": "text/turtle"}))
        assert len(described) and set(described.subjects()) >= {uri}, uri
        answer = client.get(path_of(settings, str(uri)), headers={"Accept": BROWSER})
        assert answer.status_code == 303 and answer.location.endswith(page)
    assert (
        str(graph(client.get("/hdab", headers={"Accept": "text/turtle"})).value(body, FOAF.name)) == settings.hdab_name
    )
    assert client.get(path_of(settings, str(run)) + "9", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/id/nobody/dataset/x",
        "/resource?uri=https://example.org/unknown",
        "/datasets/0000000000000000.ttl",
        "/variables/0000000000000000.ttl",
    ],
)
def test_unknown_uris_are_404(settings, store, server, client, url):
    build(settings, store, server, [mfr_dataset()])
    assert client.get(url, headers={"Accept": "text/turtle"}).status_code == 404


def test_deleted_records_no_longer_resolve(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    build(settings, store, server, [mfr_dataset()])
    assert (
        client.get("/resource", query_string={"uri": apgar_codes().uri}, headers={"Accept": "text/turtle"}).status_code
        == 404
    )
