"""Two catalogues on loopback: B harvests A's /catalog and follows A's changes exactly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF
from werkzeug.serving import make_server

from catalog import confirmations
from catalog.config import Settings, SourceConfig
from catalog.model import Agent, CodeList, Concept, Dataset, Distribution, Variable
from catalog.pipeline import harvest
from catalog.rdf import to_graph
from catalog.store import SQLiteStore

EU = "http://publications.europa.eu/resource/authority/"
HEU = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
REG = "https://data.example-registry.no"


def codes(n: int = 0) -> CodeList:
    return CodeList(
        uri=f"{REG}/kodeverk/kjonn{n}",
        identifier=f"kjonn{n}",
        title={"nb": "Kjønn", "en": "Sex"},
        description={"nb": "Kjønn som registrert i folkeregisteret."},
        version="2",
        valid_from="2000-01-01",
        modified="2024-05-01",
        landing_page=f"{REG}/kodeverk",
        publisher=Agent(name={"nb": "Registeret"}, uri=f"{REG}/org"),
        concepts=[
            Concept(code="1", label={"nb": "Mann", "en": "Male"}),
            Concept(code="2", label={"nb": "Kvinne", "en": "Female"}, definition={"nb": "Kvinne."}),
            Concept(code="9", label={"nb": "Ukjent"}, missing=True, valid_to="2030-12-31"),
            Concept(code="21", label={"nb": "Kvinne, gravid"}, parent="2"),
        ],
    )


def complete_dataset(n: int, variables: int = 3) -> Dataset:
    """A dataset using every term the model supports, as complete as HealthDCAT-AP NON_PUBLIC asks."""
    uri = f"{REG}/dataset/{n:04d}"
    return Dataset(
        uri=uri,
        identifier=f"reg-{n:04d}",
        title={"nb": f"Register {n}", "en": f"Registry {n}"},
        description={"nb": f"Helseregister nummer {n}.", "en": f"Health registry number {n}."},
        publisher=Agent(
            name={"nb": "Registeret"},
            uri=f"{REG}/org",
            identifier="974707152",
            type=HEU + "publisher-type/public-health-registry",
            email="post@registry.no",
            url=f"{REG}/",
        ),
        contact=Agent(name={"nb": "Registerkontakt"}, uri=f"{REG}/kontakt", email="kontakt@registry.no"),
        hdab=Agent(
            name={"nb": "Helsedataservice"},
            uri="https://helsedata.example.no/hdab",
            email="hds@example.no",
            url="https://helsedata.example.no/",
        ),
        custodian=Agent(name={"nb": "Registeret"}, uri=f"{REG}/org", email="post@registry.no"),
        keywords={"nb": ["helse", f"register{n}"], "en": ["health"]},
        themes=[EU + "data-theme/HEAL"],
        health_categories=[HEU + "healthcategories/EHRS"],
        health_themes=[HEU + "health-theme/HEALTH_SYSTEMS"],
        access_rights=EU + "access-right/NON_PUBLIC",
        applicable_legislation=["http://data.europa.eu/eli/reg/2025/327/oj"],
        legal_basis={"nb": "Helseregisterloven § 11."},
        purpose={"nb": "Forskning og styring."},
        provenance={"nb": "Meldinger fra helseforetak."},
        population_coverage={"nb": "Hele befolkningen."},
        temporal_start="2008-01-01",
        temporal_end="2024-12-31",
        spatial=[EU + "country/NOR"],
        issued="2009-01-01",
        modified="2025-01-15",
        languages=[EU + "language/NOB"],
        landing_page=f"{REG}/om/{n}",
        frequency=EU + "frequency/ANNUAL",
        dataset_type=EU + "dataset-type/STATISTICAL",
        conforms_to=[HEU + "standard/OMOP-CDM"],
        coding_systems=[HEU + "coding-system/ICD-10"],
        code_values=["O80", "P07.3"],
        has_personal_data=["https://w3id.org/dpv/dpv-pd#Age", "https://w3id.org/dpv/dpv-pd#HealthRecord"],
        generated_by=[HEU + "health-activity/ROUTINE_RECORDS"],
        number_of_records=100_000 + n,
        number_of_unique_individuals=50_000,
        min_typical_age=0,
        max_typical_age=110,
        has_structured_data=True,
        version="1.0",
        distributions=[
            Distribution(
                uri=f"{uri}/soknad",
                access_url="https://helsedata.example.no/soknad",
                title={"nb": "Søknad om tilgang"},
                description={"nb": "Via Helsedataservice."},
                download_url=f"{REG}/last-ned/{n}",
                media_type="text/csv",
                format=EU + "file-type/CSV",
                license=EU + "licence/CC_BY_4_0",
                byte_size=2048,
            )
        ],
        variables=[
            Variable(
                uri=f"{uri}/variabel/V{i}",
                name=f"V{i}",
                title={"nb": f"Variabel {i}", "en": f"Variable {i}"},
                description={"nb": f"Beskrivelse av variabel {i}."},
                datatype="integer" if i % 2 else "string",
                unit="år" if i % 2 else None,
                codelist=None if i % 2 else codes().uri,
                coding_system="ICD-10" if i == 2 else None,
                property_url=f"{REG}/begrep/{i}",
                question={"nb": "Hvor gammel er du?"} if i == 1 else {},
                valid_from="2008-01-01",
                valid_to="2024-12-31" if i == 0 else None,
                keywords=["alder"] if i == 1 else [],
                table="hoved" if i < 2 else "tillegg",
            )
            for i in range(variables)
        ],
    )


class AppServer:
    """The real web app of one catalogue on a loopback port (threaded werkzeug server)."""

    def __init__(self, home: Path):
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.settings = Settings.load(home, base_uri=self.url + "/")
        from web import create_app

        self.app = create_app(self.settings)
        self.store = SQLiteStore(self.settings.db_path)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def close(self) -> None:
        self._server.shutdown()
        self.store.close()


@pytest.fixture
def instance_a(tmp_path) -> Iterator[AppServer]:
    a = AppServer(tmp_path / "a")
    yield a
    a.close()


def harvest_one(settings: Settings, store: SQLiteStore, name: str, url: str):
    settings.sources[name] = SourceConfig(name=name, kind="dcat", url=url, category="catalogue")
    [result] = harvest(settings, store, None, [name])
    assert result.ok, result.error
    assert not result.errors, result.errors
    return result


def publish_at_registry(a: AppServer, server, records) -> None:
    server.serve("/registry/catalog.ttl", to_graph(records).serialize(format="turtle"), Content_Type="text/turtle")
    harvest_one(a.settings, a.store, "registry", server.url + "/registry/catalog.ttl")


def assert_same_catalogue(a: SQLiteStore, b: SQLiteStore) -> None:
    ours = {s.uri: s.record for s in a.records()}
    theirs = {s.uri: s.record for s in b.records()}
    assert sorted(theirs) == sorted(ours)
    for uri, record in ours.items():
        assert isomorphic(to_graph([theirs[uri]]), to_graph([record])), uri
        assert theirs[uri] == record


def test_b_harvests_a_and_follows_its_additions_changes_and_deletions(instance_a, server, tmp_path):
    a = instance_a
    # the holder confirmed its descriptions before (Art. 60): a first harvest confirms nothing, and
    # the next one's confirmation would change every dataset's label in A's feed, sending them all
    confirmations.record(a.store, "source:registry", "registry", "confirmed by e-mail")
    publish_at_registry(a, server, [complete_dataset(i) for i in range(5)] + [codes()])
    b_settings = Settings.load(tmp_path / "b")
    b = SQLiteStore(b_settings.db_path)
    first = harvest_one(b_settings, b, "a", a.url + "/catalog?page_size=2")
    assert first.counts["new"] == 6
    assert_same_catalogue(a.store, b)
    assert sum(len(s.dataset().variables) for s in b.records(kind="dataset")) == 15

    stored = b.get(complete_dataset(0).uri)
    upstream = a.store.get(complete_dataset(0).uri)
    assert stored.fetch_url == f"{a.url}/record/{upstream.key}"
    assert requests.get(stored.fetch_url, headers={"Accept": "text/turtle"}, timeout=10).status_code == 200

    changed = complete_dataset(1)
    changed.title = {"nb": "Register 1, ny tittel"}
    changed.variables = changed.variables[:2]
    publish_at_registry(
        a,
        server,
        [complete_dataset(0), changed, complete_dataset(2), complete_dataset(3), complete_dataset(7), codes()],
    )
    follow = harvest_one(b_settings, b, "a", a.url + "/catalog?page_size=2")
    assert {k: follow.counts[k] for k in ("new", "changed", "deleted", "unchanged")} == {
        "new": 1,
        "changed": 1,
        "deleted": 1,
        "unchanged": 0,
    }  # only what changed was sent
    assert_same_catalogue(a.store, b)
    assert b.get(complete_dataset(4).uri).deleted_at is not None
    b.close()


def test_b_provenance_in_its_own_feed_points_at_a(instance_a, server, tmp_path):
    a = instance_a
    publish_at_registry(a, server, [complete_dataset(0)])
    b = AppServer(tmp_path / "b")
    try:
        harvest_one(b.settings, b.store, "a", a.url + "/catalog")
        from rdflib import Graph
        from rdflib.namespace import PROV

        g = Graph().parse(data=requests.get(b.url + "/catalog.ttl", timeout=10).text, format="turtle")
        record = g.value(predicate=FOAF.primaryTopic, object=URIRef(complete_dataset(0).uri))
        assert str(g.value(record, PROV.wasDerivedFrom)).startswith(a.url + "/record/")
    finally:
        b.close()
