"""Realistic records for tests: the Medical Birth Registry (MFR) with a few of its variables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.model import Agent, CodeList, Concept, Dataset, Distribution, Variable

BASE = "https://data.fhi.no/mfr"
EU = "http://publications.europa.eu/resource/authority/"
HC = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/"

if TYPE_CHECKING:
    from catalog.config import Settings


def apgar_codes() -> CodeList:
    return CodeList(
        uri=f"{BASE}/kodeverk/apgar",
        identifier="apgar",
        title={"nb": "Apgar-skår", "en": "Apgar score"},
        concepts=[Concept(code=str(i), label={"nb": f"{i} poeng"}) for i in range(11)],
    )


def mfr_dataset(**changes: object) -> Dataset:
    d = Dataset(
        uri=f"{BASE}/dataset/fodsler",
        identifier="mfr-fodsler",
        title={"nb": "Medisinsk fødselsregister – fødsler", "en": "Medical Birth Registry of Norway – births"},
        description={
            "nb": "Alle fødsler i Norge fra 1967, med opplysninger om mor, far og barn.",
            "en": "All births in Norway since 1967, with information on mother, father and child.",
        },
        publisher=Agent(
            name={"nb": "Folkehelseinstituttet"},
            uri="https://data.fhi.no/org/fhi",
            email="mfr@fhi.no",
            identifier="983744516",
        ),
        contact=Agent(name={"nb": "Medisinsk fødselsregister"}, email="mfr@fhi.no", url="https://www.fhi.no/mfr"),
        keywords={"nb": ["fødsel", "svangerskap"], "en": ["birth"]},
        themes=[EU + "data-theme/HEAL"],
        health_categories=[HC + "PHDR"],
        access_rights=EU + "access-right/NON_PUBLIC",
        temporal_start="1967-01-01",
        applicable_legislation=["http://data.europa.eu/eli/reg/2025/327/oj"],
        provenance={"nb": "Meldes fra alle fødeinstitusjoner etter MFR-forskriften."},
        dataset_type=EU + "dataset-type/STATISTICAL",
        has_structured_data=True,
        number_of_records=3_000_000,
        distributions=[Distribution(uri=f"{BASE}/distribusjon/soknad", access_url="https://helsedata.no/soknad")],
        variables=[
            Variable(
                uri=f"{BASE}/variabel/VEKT",
                name="VEKT",
                title={"nb": "Fødselsvekt", "en": "Birth weight"},
                description={"nb": "Barnets vekt ved fødsel i gram."},
                datatype="integer",
                unit="gram",
            ),
            Variable(
                uri=f"{BASE}/variabel/SVLEN",
                name="SVLEN",
                title={"nb": "Svangerskapslengde", "en": "Gestational age"},
                description={"nb": "Svangerskapets lengde i hele uker."},
                datatype="integer",
                unit="uker",
            ),
            Variable(
                uri=f"{BASE}/variabel/MORS_ALDER",
                name="MORS_ALDER",
                title={"nb": "Mors alder", "en": "Mother's age"},
                description={"nb": "Mors alder ved fødselen i hele år."},
                datatype="integer",
                unit="år",
            ),
            Variable(
                uri=f"{BASE}/variabel/APGAR5",
                name="APGAR5",
                title={"nb": "Apgar-skår etter 5 minutter"},
                description={"nb": "Apgar-skår 5 minutter etter fødsel."},
                datatype="integer",
                codelist=f"{BASE}/kodeverk/apgar",
            ),
        ],
    )
    for name, value in changes.items():
        setattr(d, name, value)
    return d


def numbered(n: int, **changes: object) -> Dataset:
    """The n-th of a run of small MFR-like datasets (no variables), for paging and increments."""
    changes = {"variables": [], "has_structured_data": False, **changes}
    return mfr_dataset(uri=f"{BASE}/dataset/{n:03d}", identifier=f"mfr-{n:03d}", **changes)


def mfr_and_a_gone_source(home: str | Path, server: Any) -> Settings:
    """A catalogue home with two DCAT sources on the loopback `server`: mfr answers with its
    dataset and code list, npr is gone (404)."""
    from catalog.config import Settings, SourceConfig
    from catalog.rdf import to_graph

    settings = Settings.load(home)
    body = to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle")
    for name, url in (
        ("mfr", server.serve("/mfr.ttl", body, Content_Type="text/turtle")),
        ("npr", server.url + "/gone"),
    ):
        settings.sources[name] = SourceConfig(name=name, kind="dcat", url=url)
    settings.save_sources()
    return settings
