"""What only the ckan harvester does: the CKAN mapping, both variable-list layouts, its checkpoint,
attached lists that cannot be read. Full, unchanged, generation, deletion, fault, rate limit and
duplicate behaviour is the harvester contract's (`test_harvester_contract.py`)."""

from __future__ import annotations

import json

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF

from catalog.config import SourceConfig
from catalog.export import catalog_graph
from catalog.model import Agent
from tests.simulated import (
    codelists,
    configure,
    datasets,
    harvest_counts,
    harvested_codes,
    inline_codes,
    run,
    stored,
    truth,
)
from tests.test_varlist import HELSEDATA, XXE, with_member, xlsx

REGISTRY, OTHER = "hjerneslag", "hjerteinfarkt"  # layouts "kvalitetsregister" and "helsedata"


def test_the_helsedata_layout_of_attached_lists_is_read_exactly(settings, store, sim):
    """The contract harvests the "kvalitetsregister" layout (REGISTRY); OTHER attaches its lists in
    helsedata.no's layout."""
    configure(settings, sim, OTHER)
    result = run(settings, store)[OTHER]
    assert stored(store, OTHER) == truth(sim, OTHER)
    assert harvested_codes(store, OTHER) == inline_codes(sim, OTHER)
    assert harvest_counts(result)["new"] == len(truth(sim, OTHER)) + len(inline_codes(sim, OTHER))


def test_packages_map_to_healthdcat_datasets_with_minted_uris(settings, store, sim):
    configure(settings, sim, REGISTRY)
    run(settings, store)
    ident = sorted(truth(sim, REGISTRY))[0]
    d = datasets(store, REGISTRY)[ident]
    expected = sim.nation.dataset(
        sim.nation.source(REGISTRY),
        next(
            i
            for i in sim.nation.dataset_indices(sim.nation.source(REGISTRY))
            if sim.nation.native_id(sim.nation.source(REGISTRY), i) == ident
        ),
    )
    mint = f"{settings.base_uri}id/{REGISTRY}/"
    assert d.uri.startswith(mint + "dataset/") and d.variables[0].uri.startswith(mint + "variable/")
    assert d.variables[0].uri.endswith("/" + d.variables[0].name)
    assert d.publisher == Agent(
        name={"nb": sim.nation.source(REGISTRY).title},
        uri=organization_uri(settings, sim, REGISTRY),
        email="kvalitetsregistre@skde.no",
        url="https://www.kvalitetsregistre.no/",
    )
    assert d.contact == Agent(name={"nb": "Registersekretariatet"}, email=f"{REGISTRY}@kvalitetsregistre.no")
    assert (d.dataset_type, d.provenance) == (expected.dataset_type, expected.provenance)
    assert (d.description, d.keywords, d.themes, d.access_rights, d.spatial, d.temporal_start, d.number_of_records) == (
        {"nb": expected.description["nb"]},
        expected.keywords,
        expected.themes,
        expected.access_rights,
        expected.spatial,
        expected.temporal_start,
        expected.number_of_records,
    )
    assert [(dist.title["nb"], dist.format) for dist in d.distributions] == [
        ("Variabelliste (CSV)", "http://publications.europa.eu/resource/authority/file-type/CSV"),
        ("Variabelliste (XLSX)", "http://publications.europa.eu/resource/authority/file-type/XLSX"),
    ]
    assert [(v.name, v.datatype, v.title) for v in d.variables] == [
        (v.name, v.datatype, {"nb": v.title["nb"]}) for v in expected.variables
    ]


def organization_uri(settings, sim, name: str) -> str:
    """The simulated registry's organisation page on its portal, by the organisation's id."""
    from simulator.ckan import organization

    org = organization(sim.nation, sim.nation.source(name))
    return f"{settings.sources[name].url.rstrip('/')}/organization/{org['id']}"


def test_every_dataset_of_an_organisation_names_it_by_one_iri_in_the_store_and_the_ehds_feed(settings, store, sim):
    """An access body's drill: the 12 CKAN quality registries were 40 blank-node publishers in the
    EHDS feed (Barnediabetesregisteret 4 times), so the EU platform could not tell one publisher,
    and the DCAT-AP shapes warned "not IRI" 52 times. An organisation is named by its page on the
    portal, by its id, as ckanext-dcat names it in the portal's own DCAT feed."""
    configure(settings, sim, REGISTRY, OTHER)
    run(settings, store)
    feed = catalog_graph(settings, store, "healthdcat-ap")
    for name in (REGISTRY, OTHER):
        found = datasets(store, name).values()
        assert len(found) > 1
        assert {d.publisher.uri for d in found if d.publisher} == {organization_uri(settings, sim, name)}
        named = {feed.value(URIRef(d.uri), DCT.publisher) for d in found}
        assert named == {URIRef(organization_uri(settings, sim, name))}
        assert (URIRef(organization_uri(settings, sim, name)), RDF.type, FOAF.Agent) in feed
    assert organization_uri(settings, sim, REGISTRY) != organization_uri(settings, sim, OTHER)


def test_the_organisations_of_real_ckan_answers_are_named_by_their_portal_pages(tmp_path):
    """demo.ckan.org's answer (one package of the organisation "sdb", two of none) and HDX's
    (UNESCO's): an organisation by its page and id, a package without one has no IRI to give."""
    from catalog.config import Settings
    from catalog.pipeline import harvest
    from catalog.store import SQLiteStore
    from simulator.samples import SampleServer
    from tests.conftest import shared_path

    settings = Settings.load(tmp_path / "home")
    with SampleServer(shared_path("real-world")) as samples:
        for src in samples.source_configs():
            if src.kind == "ckan":
                settings.sources[src.name] = src
        store = SQLiteStore(settings.db_path)
        assert all(r.ok for r in harvest(settings, store, None, workers=1))
        publishers = {
            name: sorted((d.publisher.uri or "") if d.publisher else "" for d in datasets(store, name).values())
            for name in ("ckan-demo", "hdx")
        }
        assert publishers == {
            "ckan-demo": ["", "", f"{samples.url}/ckan/organization/a326f8a5-b3ee-4d47-a35f-4c7e506f40c1"],
            "hdx": [f"{samples.url}/hdx/organization/18f2d467-dcf8-4b7e-bffa-b3c338ba3a7c"],
        }
        store.close()


def test_the_checkpoint_holds_the_newest_change_and_the_records_of_each_package(settings, store, sim):
    configure(settings, sim, REGISTRY)
    run(settings, store)
    state = store.state(REGISTRY)
    assert state["modified_since"] == max(t[1] for t in truth(sim, REGISTRY).values()).rstrip("Z") + ".000000"
    records = json.loads(state["records"])
    assert sorted(uri for uris in records.values() for uri in uris) == sorted(
        [d.uri for d in datasets(store, REGISTRY).values()] + list(codelists(store, REGISTRY))
    )


def test_a_variable_repeated_in_an_attached_list_is_reported_with_its_row(settings, store, sim):
    """Besides the package listed twice (the contract), the simulator repeats a row in every list."""
    configure(settings, sim, REGISTRY)
    sim.set_fault(REGISTRY, "duplicate_ids")
    result = run(settings, store)[REGISTRY]
    repeated = [e for e in result.errors if e.field == "name"]
    assert sorted(e.record_id.split()[0] for e in repeated) == sorted(truth(sim, REGISTRY))
    assert all("was already listed in row" in e.message and e.url.endswith(".csv") for e in repeated)
    assert result.counts["errors"] == len(result.errors) == 1 + len(truth(sim, REGISTRY))


def publish_portal(server, packages):
    body = {"help": "", "success": True, "result": {"count": len(packages), "results": packages}}
    server.serve("/ckan/api/action/package_search", json.dumps(body), Content_Type="application/json")


def test_an_unreadable_resource_is_reported_and_its_package_still_harvested(settings, store, server):
    server.serve("/files/liste.xlsx", xlsx(HELSEDATA))
    hostile = with_member(xlsx(HELSEDATA), "xl/workbook.xml", lambda data: b'<?xml version="1.0"?>' + XXE + data)
    server.serve("/files/kodebok.xlsx", hostile)
    package = {
        "id": "p1",
        "name": "nakke",
        "title": "Nakke- og ryggregisteret",
        "notes": "Om nakke og rygg.",
        "metadata_modified": "2024-05-01T10:00:00.000000",
        "metadata_created": "2020-01-01T00:00:00",
        "organization": {"name": "nnrr", "title": "NNRR"},
        "extras": [{"key": "uri", "value": "https://nnrr.example.org/datasett/nakke"}],
        "resources": [
            {"id": "r1", "name": "Variabelliste (CSV)", "format": "CSV", "url": server.url + "/files/mangler.csv"},
            {"id": "r2", "name": "Variabelliste (XLSX)", "format": "XLSX", "url": server.url + "/files/liste.xlsx"},
            {"id": "r3", "name": "Kodebok", "format": "XLSX", "url": server.url + "/files/kodebok.xlsx"},
        ],
    }
    publish_portal(server, [package])
    settings.sources["nnrr"] = SourceConfig("nnrr", "ckan", server.url + "/ckan/")
    result = run(settings, store)["nnrr"]
    assert result.ok
    assert [(e.url, e.record_id, e.field, e.message) for e in result.errors] == [
        (
            server.url + "/files/mangler.csv",
            "nakke",
            "resource",
            f"package nakke: the variable list {server.url}/files/mangler.csv could not be read: the server answered "
            "404 NOT FOUND",
        ),
        (
            server.url + "/files/kodebok.xlsx",
            "nakke",
            "resource",
            f"package nakke: the variable list {server.url}/files/kodebok.xlsx could not be read: refused an XLSX file "
            "whose part xl/workbook.xml declares a DOCTYPE or entities (possible XXE or entity expansion attack)",
        ),
    ]
    d = datasets(store, "nnrr")["nakke"]
    assert d.uri == "https://nnrr.example.org/datasett/nakke" and d.modified == "2024-05-01T10:00:00Z"
    assert [v.name for v in d.variables] == ["KJONN", "VEKT", "BOKOMM"]
    assert [c.identifier for c in codelists(store, "nnrr").values()] == ["p1/KJONN"]


def test_a_rerun_skips_a_package_unchanged_at_the_cursor_yet_reports_its_problems_again(settings, store, server):
    """CKAN's metadata_modified range is inclusive, so the package last seen at the cursor comes back
    every run: it is not read again, and the errors of this run still name what is wrong with it."""
    server.serve("/files/liste.xlsx", xlsx(HELSEDATA))
    package = {
        "id": "p1",
        "name": "nakke",
        "title": "Nakke- og ryggregisteret",
        "metadata_modified": "2024-05-01T10:00:00.000000",
        "organization": {"name": "nnrr", "title": "NNRR"},
        "resources": [
            {"id": "r1", "name": "Variabelliste", "format": "XLSX", "url": server.url + "/files/liste.xlsx"},
            {"id": "r2", "name": "Kodebok", "format": "CSV", "url": server.url + "/files/mangler.csv"},
        ],
    }
    publish_portal(server, [package])
    settings.sources["nnrr"] = SourceConfig("nnrr", "ckan", server.url + "/ckan/")
    first = run(settings, store)["nnrr"]
    server.requests.clear()
    again = run(settings, store)["nnrr"]
    assert [r.path for r in server.requests] == ["/ckan/api/action/package_search"] * 2  # changes, then the listing
    assert harvest_counts(again) == {"new": 0, "changed": 0, "unchanged": 2, "deleted": 0, "errors": 1}
    assert [(e.url, e.record_id, e.field, e.message) for e in again.errors] == [
        (e.url, e.record_id, e.field, e.message) for e in first.errors
    ]
    assert "mangler.csv could not be read" in again.errors[0].message


def test_a_package_that_can_no_longer_be_mapped_keeps_its_last_good_version_and_its_code_lists(settings, store, server):
    server.serve("/files/liste.xlsx", xlsx(HELSEDATA))
    package = {
        "id": "p1",
        "name": "nakke",
        "title": "Nakke- og ryggregisteret",
        "metadata_modified": "2024-05-01T10:00:00.000000",
        "organization": {"name": "nnrr", "title": "NNRR"},
        "resources": [{"id": "r1", "name": "Variabelliste", "format": "XLSX", "url": server.url + "/files/liste.xlsx"}],
    }
    publish_portal(server, [package])
    settings.sources["nnrr"] = SourceConfig("nnrr", "ckan", server.url + "/ckan/")
    run(settings, store)
    before = {s.uri: (s.hash, s.deleted_at) for s in store.records("nnrr")}
    publish_portal(
        server,
        [
            {
                **package,
                "title": "Nytt navn",
                "tags": "nakke",  # tags must be a list of objects
                "metadata_modified": "2024-06-01T10:00:00.000000",
            }
        ],
    )
    result = run(settings, store)["nnrr"]
    assert [(e.record_id, e.message.split(" (")[0]) for e in result.errors] == [
        ("nakke", "the package nakke could not be mapped")
    ]
    assert "its last good version is kept" in result.errors[0].message
    assert harvest_counts(result) == {"new": 0, "changed": 0, "unchanged": 2, "deleted": 0, "errors": 1}  # kept
    assert len(before) == 2  # the dataset and the code list of its KJONN variable
    assert {s.uri: (s.hash, s.deleted_at) for s in store.records("nnrr")} == before
    assert datasets(store, "nnrr")["nakke"].title == {"nb": "Nakke- og ryggregisteret"}
