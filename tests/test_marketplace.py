"""Analysis platforms and data products: harvested from a registry's DCAT feed, or declared by the
operator, shown where researchers look (dataset and variable pages, a search facet, the
marketplace page), and carried by the feeds and the API."""

from __future__ import annotations

import dataclasses

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, PROV, RDF, SKOS
from rdflib.namespace import DCTERMS as DCT

from catalog.config import Settings, SourceConfig
from catalog.model import Agent, DataProduct, DataService, Record, key_for
from catalog.pipeline import harvest
from catalog.rdf import DPROD, PRICE_MODEL, PRODUCT_TYPE, SERVICE_TYPE, to_graph
from catalog.search import open_backend
from catalog.store import SQLiteStore
from tests.test_roundtrip import (
    REG,  # noqa: E402 - the registry of complete_dataset
    complete_dataset,
)
from web import create_app

OWN_VOCABULARIES = (PRICE_MODEL, PRODUCT_TYPE, SERVICE_TYPE)
PROVIDER = Agent(name={"nb": "Nordisk helseanalyse AS"}, email="bestill@analyse.example.no")


def platform(serves: list[str]) -> DataService:
    return DataService(
        uri=f"{REG}/tjeneste/hap",
        identifier="hap",
        title={"nb": "Helseanalyseplattformen"},
        description={"nb": "Sikker analyse av registerdata."},
        service_type="platform",
        publisher=Agent(name={"nb": "Helsedataservice"}, uri=f"{REG}/hds", email="hds@example.no"),
        endpoint_url="https://helsedata.example.no/hap",
        serves_datasets=serves,
        how_to_order={"nb": "Søk hos Helsedataservice og velg analyse på plattformen."},
        order_url="https://helsedata.example.no/soknad",
        price_model="cost-recovery",
        price={"nb": "Selvkost per prosjektrom."},
    )


def cohort(derived_from: list[str]) -> DataProduct:
    return DataProduct(
        uri=f"{REG}/produkt/kohort",
        identifier="kohort",
        title={"nb": "Diabeteskohorten"},
        description={"nb": "Ferdig koblet kohort fra to registre."},
        product_type="cohort",
        publisher=PROVIDER,
        derived_from=derived_from,
        how_to_order={"nb": "Bestill med tilgangsvedtaket ditt."},
        order_url="https://analyse.example.no/bestill",
        price_model="commercial",
        price={"nb": "45 000 kr."},
        terms={"nb": "Forutsetter tilgangsvedtak."},
    )


OPERATOR = {
    "services": {
        "tsd": {
            "title": {"nb": "TSD – Tjenester for sensitive data", "en": "TSD"},
            "description": "Sikker plattform ved Universitetet i Oslo.",
            "endpoint_url": "https://tsd.uio.no",
            "provider": {"name": "Universitetet i Oslo", "url": "https://www.uio.no"},
            "serves_sources": ["registry"],
            "how_to_order": "Søk om prosjekt i TSD når tilgang er innvilget.",
            "order_url": "https://www.uio.no/tsd",
            "price_model": "cost-recovery",
        },
        "broken": {"title": "Uten pris", "price_model": "gratis"},
    },
    "products": {
        "indikatorer": {
            "title": "Kvalitetsindikatorer",
            "description": "Årlige indikatorer per sykehus.",
            "type": "indicator",
            "provider": "SKDE",
            "derived_from": [f"{REG}/dataset/0000"],
            "price_model": "free",
            "order_url": "https://www.kvalitetsregistre.no",
        }
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory, _static_server):
    datasets = [complete_dataset(0), complete_dataset(1)]
    incomplete = dataclasses.replace(complete_dataset(2), health_categories=[])  # left out of the EHDS feed
    records: list[Record] = [
        *datasets,
        incomplete,
        platform([d.uri for d in (*datasets, incomplete)]),
        cohort([d.uri for d in datasets]),
    ]
    url = _static_server.serve(
        "/market/registry.ttl", to_graph(records).serialize(format="turtle"), Content_Type="text/turtle"
    )
    settings = Settings.load(tmp_path_factory.mktemp("market") / "home")
    settings.sources["registry"] = SourceConfig("registry", "dcat", url, title="Registeret")
    settings.sources["operator"] = SourceConfig(
        "operator", "configured", "https://helsedata.example.no/analyse", category="catalogue", options=OPERATOR
    )
    store, index = SQLiteStore(settings.db_path), open_backend(settings)
    results = {r.source: r for r in harvest(settings, store, index)}
    store.close()
    index.close()
    return create_app(settings), results, datasets, incomplete


@pytest.fixture
def client(site):
    return site[0].test_client()


def test_a_configured_entry_that_cannot_be_used_is_reported_naming_the_setting(site):
    result = site[1]["operator"]
    assert result.ok and result.counts["new"] == 2
    assert [e.message for e in result.errors] == [
        "sources.operator.options.services.broken.price_model: 'gratis' is not one of free, cost-recovery, "
        "commercial; the entry was left out"
    ]


def test_the_dataset_page_says_where_it_can_be_analysed_and_how_to_apply(client, site):
    html = client.get(f"/datasets/{key_for(site[2][0].uri)}").get_data(as_text=True)
    where = html.split('id="h-analyse"')[1].split("</section>")[0]
    assert "Helseanalyseplattformen" in where and "Søk hos Helsedataservice" in where, "harvested from the feed"
    assert "TSD – Tjenester for sensitive data" in where and "Søk om prosjekt i TSD" in where, "configured"
    assert "Diabeteskohorten" in where and "Kvalitetsindikatorer" in where


def test_the_variable_page_says_where_its_dataset_can_be_analysed(client, site):
    variable = site[2][1].variables[0]
    html = client.get(f"/variables/{key_for(variable.uri)}").get_data(as_text=True)
    assert "Helseanalyseplattformen" in html.split('id="h-where"')[1].split("</section>")[0]


def test_search_has_a_platform_facet(client, site):
    body = client.get("/api/search").get_json()
    platforms = dict((f["value"], f["count"]) for f in body["facets"]["platform"])
    variables = sum(len(d.variables) for d in (*site[2], site[3]))
    assert platforms == {"Helseanalyseplattformen": variables, "TSD – Tjenester for sensitive data": variables}
    one = client.get("/api/search?type=dataset&platform=TSD – Tjenester for sensitive data").get_json()
    assert one["total"] == 3
    assert "Analyseplattform" in client.get("/search").get_data(as_text=True)


def test_a_data_product_made_from_two_datasets_names_both(client, site):
    key = key_for(f"{REG}/produkt/kohort")
    body = client.get(f"/api/products/{key}").get_json()
    assert sorted(d["uri"] for d in body["datasets"]) == sorted(d.uri for d in site[2])
    assert (body["price_model"], body["price"], body["publisher"]["name"]) == (
        "commercial",
        {"nb": "45 000 kr."},
        {"nb": "Nordisk helseanalyse AS"},
    )
    html = client.get(f"/products/{key}").get_data(as_text=True)
    assert "Register 0" in html and "Register 1" in html and "Bestill med tilgangsvedtaket ditt." in html
    for d in site[2]:
        listed = client.get(f"/api/datasets/{key_for(d.uri)}").get_json()["products"]
        assert sorted(p["identifier"] for p in listed) == (["indikatorer"] if d.uri.endswith("0000") else []) + [
            "kohort"
        ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            {
                "Diabeteskohorten",
                "Kvalitetsindikatorer",
                "Helseanalyseplattformen",
                "TSD – Tjenester for sensitive data",
            },
        ),
        ("?kind=product", {"Diabeteskohorten", "Kvalitetsindikatorer"}),
        ("?price_model=commercial", {"Diabeteskohorten"}),
        ("?price_model=cost-recovery&kind=platform", {"Helseanalyseplattformen", "TSD – Tjenester for sensitive data"}),
        ("?provider=SKDE", {"Kvalitetsindikatorer"}),
    ],
)
def test_the_marketplace_filters_by_kind_price_model_and_provider(client, query, expected):
    body = client.get(f"/api/marketplace{query}").get_json()
    assert {e["title"]["nb"] for e in body["entries"]} == expected
    html = client.get(f"/marketplace{query}").get_data(as_text=True)
    assert all(title in html for title in expected)


def test_the_marketplace_counts_each_filter_as_if_it_were_off(client):
    facets = client.get("/api/marketplace?kind=product").get_json()["facets"]
    assert {f["value"]: f["count"] for f in facets["kind"]} == {"product": 2, "platform": 2}
    assert {f["value"]: f["count"] for f in facets["price_model"]} == {"commercial": 1, "free": 1}


@pytest.mark.parametrize("profile", ["healthdcat-ap", "dcat-ap-3", "dcat-ap-no"])
def test_the_feeds_carry_the_services_with_the_datasets_they_serve_and_the_products(client, site, profile):
    g = Graph().parse(data=client.get(f"/catalog/dump.nt?profile={profile}").get_data(), format="nt")
    hap, tsd = URIRef(f"{REG}/tjeneste/hap"), next(g.subjects(DCAT.endpointURL, URIRef("https://tsd.uio.no")))
    carried = set(g.subjects(RDF.type, DCAT.Dataset))
    for service in (hap, tsd):
        assert (service, RDF.type, DCAT.DataService) in g
        served = set(g.objects(service, DCAT.servesDataset))
        assert served == carried, "every dataset the feed carries, and only those"
    assert (URIRef(site[3].uri) in carried) == (profile != "healthdcat-ap")
    product = URIRef(f"{REG}/produkt/kohort")
    assert (product, RDF.type, DPROD.DataProduct) in g
    assert set(g.objects(product, PROV.wasDerivedFrom)) == {URIRef(d.uri) for d in site[2]}


@pytest.mark.parametrize("profile", ["healthdcat-ap", "dcat-ap-no"])
def test_the_feeds_name_the_price_models_and_kinds_of_services_and_products_in_bokmal_nynorsk_and_english(
    client, site, profile
):
    """The labels of the catalogue's own small vocabularies were in nb and en alone: a nynorsk
    reader of the feed got "selvkost" and "analysetjeneste"."""
    g = Graph().parse(data=client.get(f"/catalog/dump.nt?profile={profile}").get_data(), format="nt")
    ours = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(OWN_VOCABULARIES)}
    assert {URIRef(PRICE_MODEL + "cost-recovery"), URIRef(SERVICE_TYPE + "platform")} <= ours
    labels = {
        (str(c), label.language): str(label)
        for c in ours
        for label in g.objects(c, SKOS.prefLabel)
        if isinstance(label, Literal)
    }
    assert {(c, lang) for c in map(str, ours) for lang in ("nb", "nn", "en")} == set(labels)
    assert labels[PRICE_MODEL + "cost-recovery", "nn"] == "sjølvkost"


def test_a_service_stored_after_its_datasets_updates_their_platform_facet(settings, store, server):
    datasets = [complete_dataset(5)]
    url = server.serve("/late/a.ttl", to_graph(datasets).serialize(format="turtle"), Content_Type="text/turtle")
    settings.sources["reg"] = SourceConfig("reg", "dcat", url)
    index = open_backend(settings)
    harvest(settings, store, index)
    settings.sources["op"] = SourceConfig(
        "op",
        "configured",
        "https://example.org/",
        options={
            "services": {
                "safe": {"title": "SAFE", "endpoint_url": "https://safe.example.no", "serves_sources": ["reg"]}
            }
        },
    )
    harvest(settings, store, index, ["op"])
    from catalog.search import SearchQuery

    assert dict(index.search(SearchQuery()).facets["platform"]) == {"SAFE": len(datasets[0].variables)}
    settings.sources["op"].options = {"services": {}}
    harvest(settings, store, index, ["op"])
    assert dict(index.search(SearchQuery()).facets["platform"]) == {}, "a platform that left takes its facet along"
    index.close()


def test_the_ehds_feed_pages_leave_out_a_service_that_does_not_conform(settings, store, server, client):
    """A data service without an endpoint breaks DCAT-AP: the EHDS feed's pages do not list it (nor a
    tombstone for it); the other profiles carry it."""
    broken = dataclasses.replace(platform([]), endpoint_url=None)
    body = to_graph([complete_dataset(7), broken]).serialize(format="turtle")
    url = server.serve("/broken/a.ttl", body, Content_Type="text/turtle")
    settings.sources["reg"] = SourceConfig("reg", "dcat", url)
    [result] = harvest(settings, store, None)
    assert result.ok and result.counts["new"] == 2 and result.counts["invalid"] == 1, result
    from web import create_app

    client = create_app(settings).test_client()
    ehds = Graph().parse(data=client.get("/catalog.nt").get_data(), format="nt")
    assert (URIRef(broken.uri), None, None) not in ehds and not set(ehds.subjects(None, URIRef(broken.uri)))
    assert (URIRef(broken.uri), RDF.type, DCAT.DataService) in Graph().parse(
        data=client.get("/catalog.nt?profile=dcat-ap-3").get_data(), format="nt"
    )


def test_the_ehds_feed_describes_the_access_body_as_the_catalogue_does_where_a_platform_names_it(
    settings, store, server
):
    """A registry's feed describing an analysis platform named Helsedataservice its provider, under
    the access body's own IRI, with a publisher type and an organisation number of its own. The EHDS
    feed wrote both descriptions of that one node, so the catalogue's publisher and every dataset's
    hdab were "public-health-registry", a type the operator never stated (`hdab_type` unset, the
    register's entry without one): the drill of 2026-12-07 found it in the demo's feed. The platform
    names the access body as the catalogue does; the other profiles keep what the registry said."""
    from catalog.config import parse_organisations
    from catalog.rdf import HEALTH

    body = "https://helsedata.no/no/om-helsedataservice/"
    settings.values.update(hdab_name="Helsedataservice", hdab_email="helsedata@helsedir.no")
    settings.organisations = parse_organisations({body: {"name": "Helsedataservice", "url": "https://helsedata.no/"}})
    stated_type = "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type/public-health-registry"
    provider = Agent(
        name={"nb": "Helsedataservice"}, uri=body, identifier="983544622", type=stated_type, email="hds@example.no"
    )
    service = dataclasses.replace(platform([complete_dataset(3).uri]), publisher=provider)
    body_ttl = to_graph([complete_dataset(3), service]).serialize(format="turtle")
    url = server.serve("/hds/a.ttl", body_ttl, Content_Type="text/turtle")
    settings.sources["reg"] = SourceConfig("reg", "dcat", url)
    [result] = harvest(settings, store, None)
    assert result.ok and result.counts["invalid"] == 0, result
    client = create_app(settings).test_client()

    ehds = Graph().parse(data=client.get("/catalog.nt").get_data(), format="nt")
    catalog = URIRef(f"{settings.base_uri.rstrip('/')}/catalog")
    assert ehds.value(catalog, DCT.publisher) == URIRef(body)
    assert set(ehds.objects(None, HEALTH.hdab)) == {URIRef(body)}
    assert (URIRef(service.uri), DCT.publisher, URIRef(body)) in ehds
    assert ehds.value(URIRef(body), DCT.type) is None, "no type the operator did not state"
    assert ehds.value(URIRef(body), DCT.identifier) is None
    assert {str(e) for e in ehds.objects(None, URIRef("http://data.europa.eu/m8g/email"))} >= {"helsedata@helsedir.no"}
    assert "hds@example.no" not in {str(o) for o in ehds.objects()}

    dcat = Graph().parse(data=client.get("/catalog.nt?profile=dcat-ap-3").get_data(), format="nt")
    assert dcat.value(URIRef(body), DCT.type) == URIRef(stated_type), "the source's own view keeps what it said"
