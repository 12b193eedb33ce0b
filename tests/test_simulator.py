"""The publisher simulator: sources, ground truth, determinism and the DCAT feeds of central registries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from catalog.config import SOURCE_KINDS
from catalog.model import CodeList, DataProduct, DataService, Dataset
from catalog.rdf import HYDRA, from_graph
from harvesters.base import Harvested, resolved
from harvesters.dcat import DcatHarvester
from harvesters.http import HttpClient
from simulator import Nation, Simulator

CENTRAL = ["mfr", "npr", "kpr", "dar", "norpd", "msis", "sysvak", "kreftregisteret"]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(seed=0) as s:
        yield s


def instant(text: str | None) -> datetime:
    assert text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rdf_pages(url: str, accept: str = "text/turtle") -> Iterator[Graph]:
    """Every page of a Hydra-paged feed, following hydra:next whether IRI or string."""
    seen = set()
    while url:
        assert url not in seen, f"paging loops at {url}"
        seen.add(url)
        r = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert r.status_code == 200, r.text
        g = Graph().parse(
            data=r.content,
            format={
                "text/turtle": "turtle",
                "application/rdf+xml": "xml",
                "application/ld+json": "json-ld",
                "application/n-triples": "nt",
            }[accept],
        )
        yield g
        views = [*g.subjects(RDF.type, HYDRA.PartialCollectionView), *g.subjects(RDF.type, HYDRA.PagedCollection)]
        url = next((str(n) for v in views for n in g.objects(v, HYDRA.next)), "")


def test_default_nation_has_the_sources_the_brief_lists(sim: Simulator) -> None:
    configs = {c.name: c for c in sim.source_configs(sim.url)}
    assert set(CENTRAL) <= set(configs)
    assert {"hunt", "tromso", "moba", "ssb-klass", "ssb-vardef", "microdata"} <= set(configs)
    assert sum(c.kind == "ckan" for c in configs.values()) >= 10
    assert {c.kind for c in configs.values()} == {
        "dcat",
        "ckan",
        "oai-ddi",
        "klass",
        "vardef",
        "microdata",
        "spreadsheet",
    }
    assert all(c.category in SOURCE_KINDS and c.url.startswith(sim.url) and c.title for c in configs.values())
    assert configs["mfr"].url == f"{sim.url}/dcat/mfr/catalog"
    assert configs["hunt"].options == {"metadata_prefix": "oai_ddi25"}
    assert configs["sikt"].options == {"metadata_prefix": "oai_ddi32"}
    assert configs["hjerneslag"].options["organization"] == "hjerneslag"


def test_default_nation_is_small() -> None:
    manifest = Nation(seed=0).manifest()
    datasets = sum(len(m["datasets"]) for m in manifest.values())
    variables = sum(len(d["variables"]) for m in manifest.values() for d in m["datasets"].values())
    assert 25 <= len(manifest) <= 40
    assert 120 <= datasets <= 260
    assert 3_000 <= variables <= 8_000


def test_manifest_is_served_as_json(sim: Simulator) -> None:
    served = requests.get(f"{sim.url}/_manifest", timeout=30).json()
    assert served == sim.manifest()
    mfr = served["mfr"]
    assert mfr["kind"] == "dcat" and mfr["url"] == f"{sim.url}/dcat/mfr/catalog" and mfr["deleted"] == []
    some = next(iter(mfr["datasets"].values()))
    assert some["uri"].startswith("https://www.fhi.no/datasett/mfr/")
    assert {"LOPENR", "KJONN"} <= set(some["variables"]) or "FAAR" in some["variables"]


def test_mfr_variables_look_like_the_birth_registry() -> None:
    nation = Nation(seed=0)
    mfr = nation.source("mfr")
    names = {v.name for i in nation.dataset_indices(mfr) for v in nation.dataset(mfr, i).variables}
    assert {"VEKT", "SVLEN", "MORS_ALDER", "APGAR1", "APGAR5", "PARITET", "KSNITT", "ROYK_BEG"} <= names
    d = nation.dataset(mfr, 0)
    vekt = next(v for i in nation.dataset_indices(mfr) for v in nation.dataset(mfr, i).variables if v.name == "VEKT")
    assert (vekt.title["nb"], vekt.unit, vekt.datatype) == ("Fødselsvekt", "gram", "integer")
    assert d.access_rights == "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
    assert d.hdab is not None and d.has_structured_data is True


def test_the_cancer_registrys_diagnoses_are_neoplasms_and_the_patient_registrys_any() -> None:
    nation = Nation(seed=0)

    def codes_of(source: str, name: str) -> list[str]:
        registry = nation.source(source)
        found = {
            v.codelist
            for i in nation.dataset_indices(registry)
            for v in nation.dataset(registry, i).variables
            if v.name == name
        }
        assert len(found) == 1 and None not in found
        key = str(found.pop()).rsplit("/", 1)[1]
        return [code for code, _nb, _en in nation.codelist_spec(key).codes]

    cancer = codes_of("kreftregisteret", "ICD10")
    assert "C34" in cancer and all("C00" <= c <= "D48" for c in cancer)
    assert {"C34", "J44", "S72"} <= set(codes_of("npr", "HOVEDDIAGNOSE"))


@pytest.mark.parametrize("seed", [0, 7])
def test_no_dataset_covers_years_after_the_simulated_world_ends(seed: int) -> None:
    """KPR's datasets (from 2017, plus up to 14 years) began in 2031 on the demo: "Diagnose
    (ICPC-2), ved utskrivning" listed under the period 2030-2039, some ending before they began."""
    nation = Nation(seed=seed)
    for name in CENTRAL:
        source = nation.source(name)
        for i in nation.dataset_indices(source):
            d = nation.dataset(source, i, with_variables=False)
            start, end = int(str(d.temporal_start)[:4]), int(str(d.temporal_end or "2024")[:4])
            assert start <= end <= 2024, (name, i, d.temporal_start, d.temporal_end)


@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_gives_the_same_bytes(seed: int) -> None:
    bodies = []
    for _ in range(2):
        with Simulator(seed=seed) as s:
            r = requests.get(f"{s.url}/dcat/npr/catalog?page=1", timeout=10)
            bodies.append(r.content.replace(s.url.encode(), b"BASE"))
    assert bodies[0] == bodies[1]


def test_a_variable_list_file_is_the_same_bytes_on_every_request(sim: Simulator) -> None:
    """As a file on a web server: a harvester may skip it by its hash (openpyxl stamps the time of saving)."""
    src = next(s for s in sim.source_configs() if s.kind == "spreadsheet")
    first = requests.get(src.url, timeout=10).content
    time.sleep(1.05)  # past a second boundary, where a time stamp would change
    assert requests.get(src.url, timeout=10).content == first


def test_different_seeds_give_different_catalogues() -> None:
    assert Nation(seed=1).manifest()["mfr"] != Nation(seed=2).manifest()["mfr"]


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"]
)
def test_dcat_feed_pages_parse_and_hold_exactly_the_manifest(sim: Simulator, accept: str) -> None:
    truth = sim.manifest()["npr"]
    datasets: dict[str, Dataset] = {}
    codelists: dict[str, CodeList] = {}
    services: dict[str, DataService] = {}
    products: dict[str, DataProduct] = {}
    for g in rdf_pages(truth["url"], accept):
        records, problems = from_graph(g)
        assert problems == []
        for r in records:
            if isinstance(r, Dataset):
                datasets[r.identifier] = r
            elif isinstance(r, CodeList):
                codelists[r.identifier] = r
            elif isinstance(r, DataService):
                services[r.identifier] = r
            else:
                products[r.identifier] = r
    assert set(datasets) == set(truth["datasets"])
    for ident, expected in truth["datasets"].items():
        d = datasets[ident]
        assert (d.uri, d.title["nb"]) == (expected["uri"], expected["title_nb"])
        assert instant(d.modified) == instant(expected["modified"])
        assert [v.name for v in d.variables] == expected["variables"]
    assert {k: [c.code for c in cl.concepts] for k, cl in codelists.items()} == {
        k: v["codes"] for k, v in truth["codelists"].items()
    }
    assert {
        k: {"title_nb": s.title["nb"], "type": s.service_type, "serves": s.serves_datasets} for k, s in services.items()
    } == {k: {**v, "serves": sorted(v["serves"])} for k, v in truth["services"].items()}
    assert {
        k: {"title_nb": p.title["nb"], "derived_from": p.derived_from, "price_model": p.price_model}
        for k, p in products.items()
    } == {k: {**v, "derived_from": sorted(v["derived_from"])} for k, v in truth["products"].items()}
    assert services and products, "the registry's feed describes a platform and a data product"


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [
        ("ttl", "text/turtle"),
        ("rdf", "application/rdf+xml"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
    ],
)
def test_dcat_format_suffix_overrides_accept(sim: Simulator, suffix: str, content_type: str) -> None:
    r = requests.get(f"{sim.url}/dcat/mfr/catalog.{suffix}", headers={"Accept": "text/turtle"}, timeout=10)
    assert r.headers["Content-Type"] == f"{content_type}; charset=utf-8"


def test_hydra_view_links_are_iris_and_page_size_is_honoured(sim: Simulator) -> None:
    url = f"{sim.url}/dcat/mfr/catalog?page_size=3"
    g = Graph().parse(data=requests.get(url, timeout=10).text, format="turtle")
    view = URIRef(f"{sim.url}/dcat/mfr/catalog?page_size=3&page=1")
    assert (view, RDF.type, HYDRA.PartialCollectionView) in g
    assert isinstance(g.value(view, HYDRA.next), URIRef)
    assert str(g.value(view, HYDRA.next)) == f"{sim.url}/dcat/mfr/catalog?page_size=3&page=2"
    pages = list(rdf_pages(url))
    total = int(str(g.value(URIRef(f"{sim.url}/dcat/mfr/catalog"), HYDRA.totalItems)))
    assert len(pages) == -(-total // 3)


def test_norpd_pages_the_ckanext_dcat_way_with_string_links(sim: Simulator) -> None:
    url = f"{sim.url}/dcat/norpd/catalog.ttl?page_size=3"
    g = Graph().parse(data=requests.get(url, timeout=10).text, format="turtle")
    (page,) = g.subjects(RDF.type, HYDRA.PagedCollection)
    nxt = g.value(page, HYDRA.next)
    assert str(nxt) == f"{url}&page=2" and not isinstance(nxt, URIRef)
    assert g.value(page, HYDRA.nextPage) == nxt


def test_modified_since_keeps_only_later_records(sim: Simulator) -> None:
    truth = sim.manifest()["kpr"]["datasets"]
    cut = sorted(d["modified"] for d in truth.values())[len(truth) // 2]
    g = Graph()
    for page in rdf_pages(f"{sim.url}/dcat/kpr/catalog?modified_since={cut}&page_size=100"):
        g += page
    records, _ = from_graph(g)
    assert {r.identifier for r in records if isinstance(r, Dataset)} == {
        k for k, d in truth.items() if d["modified"] >= cut
    }


def test_bad_page_parameter_is_a_400_with_a_reason(sim: Simulator) -> None:
    r = requests.get(f"{sim.url}/dcat/mfr/catalog?page=zero", timeout=10)
    assert (r.status_code, r.text) == (400, "page must be a whole number, not 'zero'")


def test_the_dcat_harvester_harvests_exactly_the_manifest(sim: Simulator) -> None:
    config = next(c for c in sim.source_configs() if c.name == "kreftregisteret")
    harvester = DcatHarvester(config, HttpClient.for_source(config.url))
    harvested = [e.record for e in resolved(harvester.harvest()) if isinstance(e, Harvested)]
    truth = sim.manifest()["kreftregisteret"]
    assert {r.identifier for r in harvested if isinstance(r, Dataset)} == set(truth["datasets"])
    assert {r.identifier for r in harvested if isinstance(r, CodeList)} == set(truth["codelists"])


def test_with_a_reply_cache_pages_come_back_identical_and_follow_generations_and_faults() -> None:
    with Simulator(seed=0, cache_bytes=1 << 20) as cached, Simulator(seed=0) as fresh:

        def page(s: Simulator, accept: str = "text/turtle") -> requests.Response:
            return requests.get(f"{s.url}/dcat/mfr/catalog", headers={"Accept": accept}, timeout=30)

        def same(accept: str = "text/turtle") -> bool:
            a, b = page(cached, accept), page(fresh, accept)  # the same but for the port in links
            return (a.status_code, a.headers["Content-Type"], a.content.replace(cached.url.encode(), b"")) == (
                b.status_code,
                b.headers["Content-Type"],
                b.content.replace(fresh.url.encode(), b""),
            )

        assert same() and same()
        as_jsonld = page(cached, "application/ld+json")  # negotiated apart from the Turtle kept above
        assert as_jsonld.headers["Content-Type"].startswith("application/ld+json")
        assert len(Graph().parse(data=as_jsonld.content, format="json-ld")) == len(
            Graph().parse(data=page(fresh, "application/ld+json").content, format="json-ld")
        )
        assert 0 < cached._cache.size <= 1 << 20
        cached.generation = fresh.generation = 1
        assert same()
        cached.set_fault("mfr", "duplicate_ids")
        fresh.set_fault("mfr", "duplicate_ids")
        assert same() and b"-kopi" in page(cached).content
        cached.set_fault("mfr", None)
        fresh.set_fault("mfr", None)
        assert same()


def test_the_reply_cache_keeps_to_its_size() -> None:
    from simulator.server import ReplyCache
    from simulator.wire import Reply

    cache = ReplyCache(4000)
    for n in range(10):
        cache.put(("page", n), Reply(bytes(900), "text/turtle", "turtle"))
    assert cache.size <= 4000 and cache.get(("page", 9)) is not None and cache.get(("page", 0)) is None
    cache.put(("big",), Reply(bytes(2000), "text/turtle", "turtle"))  # over a quarter of the limit: not kept
    assert cache.get(("big",)) is None


@pytest.mark.parametrize("system", ["icd10", "icpc2", "atc"])
def test_every_common_name_of_a_diagnosis_finds_a_code_in_the_simulated_classification(system: str) -> None:
    """The demo's registries code diagnoses with a selection of ICD-10 (the specialist and cause
    of death registries) and of ICPC-2 (the GPs'), and medicines with a selection of ATC (the
    prescription registry): each condition or group of medicines a researcher can ask for by
    name (`code_names.txt`) in that classification has a code there, so the demo shows what it
    finds."""
    from catalog.search.analysis import CodeNames
    from catalog.search.codes import code_terms
    from simulator import content as C

    rows = {"icd10": C.ICD10, "icpc2": C.ICPC2, "atc": C.ATC}[system]
    held = {term for row in rows for term in code_terms(row[0], system)}
    missing = [
        " ".join(phrase)
        for phrase, terms in CodeNames().table().items()
        if any(t.startswith(system + ":") for t in terms) and not held & set(terms)
    ]
    assert missing == []
    codes = [row[0] for row in rows]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)


def test_the_cancer_registrys_icd10_is_sorted_and_holds_each_code_once() -> None:
    from simulator import content as C

    cancer = [row[0] for row in C.ICD10_KREFT]
    assert cancer == sorted(cancer) and len(set(cancer)) == len(cancer)
