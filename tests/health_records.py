"""Realistic HealthDCAT-AP records for the validation and quality tests: the Medical Birth
Registry of Norway (MFR) as a non-public dataset with its variables, complete enough to conform
to the official HealthDCAT-AP Release 8 non-public shapes and DCAT-AP 3.0.1."""

from __future__ import annotations

from catalog.model import Agent, Dataset, Distribution, Variable

BASE = "https://data.fhi.no/mfr"
EU = "http://publications.europa.eu/resource/authority/"
HEALTH_NAL = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
EHDS = "http://data.europa.eu/eli/reg/2025/327/oj"

VARIABLES = [
    ("VEKT", "Fødselsvekt", "Birth weight", "Barnets vekt ved fødsel i gram.", "integer", "gram", None),
    ("SVLEN", "Svangerskapslengde", "Gestational age", "Svangerskapets lengde i hele uker.", "integer", "uker", None),
    ("MORS_ALDER", "Mors alder", "Mother's age", "Mors alder ved fødselen i hele år.", "integer", "år", None),
    (
        "APGAR5",
        "Apgar-skår etter 5 minutter",
        "Apgar score after 5 minutes",
        "Apgar-skår 5 minutter etter fødsel.",
        "integer",
        None,
        f"{BASE}/kodeverk/apgar",
    ),
    (
        "KJONN",
        "Barnets kjønn",
        "Sex of the child",
        "Barnets kjønn slik det er registrert ved fødselen.",
        "string",
        None,
        f"{BASE}/kodeverk/kjonn",
    ),
    ("FDATO", "Fødselsdato", "Date of birth", "Barnets fødselsdato.", "date", None, None),
]


def mfr_variables(count: int | None = None) -> list[Variable]:
    """The MFR variables; with `count`, that many (the real ones, then numbered measurements)."""
    out = [
        Variable(
            uri=f"{BASE}/variabel/{name}",
            name=name,
            title={"nb": nb, "en": en},
            description={"nb": desc},
            datatype=datatype,
            unit=unit,
            codelist=codelist,
            valid_from="1967-01-01",
        )
        for name, nb, en, desc, datatype, unit, codelist in VARIABLES
    ]
    for i in range(len(out), count or len(out)):
        out.append(
            Variable(
                uri=f"{BASE}/variabel/MAAL{i}",
                name=f"MAAL{i}",
                title={"nb": f"Måling {i}", "en": f"Measurement {i}"},
                description={"nb": f"Måling nummer {i} i svangerskapet."},
                datatype="decimal",
                unit="mmol/l",
                valid_from="1999-01-01",
            )
        )
    return out[:count] if count else out


def health_agent(name: str, uri: str, email: str) -> Agent:
    return Agent(
        name={"nb": name},
        uri=uri,
        email=email,
        url=f"{uri}/kontakt",
        type=f"{HEALTH_NAL}publisher-type/public-health-registry",
    )


def mfr_dataset(variables: int | None = None, **changes: object) -> Dataset:
    d = Dataset(
        uri=f"{BASE}/dataset/fodsler",
        identifier="mfr-fodsler",
        title={"nb": "Medisinsk fødselsregister – fødsler", "en": "Medical Birth Registry of Norway – births"},
        description={
            "nb": "Alle fødsler i Norge fra 1967, med opplysninger om mor, far og barn.",
            "en": "All births in Norway since 1967, with information on mother, father and child.",
        },
        publisher=health_agent("Folkehelseinstituttet", "https://data.fhi.no/org/fhi", "mfr@fhi.no"),
        contact=Agent(name={"nb": "Medisinsk fødselsregister"}, email="mfr@fhi.no"),
        hdab=health_agent("Helsedataservice", "https://helsedata.no/org/helsedataservice", "kontakt@helsedata.no"),
        custodian=health_agent("Folkehelseinstituttet", "https://data.fhi.no/org/fhi", "mfr@fhi.no"),
        keywords={"nb": ["fødsel", "svangerskap"], "en": ["birth", "pregnancy"]},
        themes=[EU + "data-theme/HEAL"],
        health_categories=[HEALTH_NAL + "healthcategories/EHRS"],
        health_themes=[HEALTH_NAL + "health-theme/HEALTH_SYSTEMS"],
        access_rights=EU + "access-right/NON_PUBLIC",
        applicable_legislation=[EHDS],
        legal_basis={"nb": "Medisinsk fødselsregisterforskriften"},
        purpose={"nb": "Overvåking av svangerskap og fødsler."},
        provenance={"nb": "Meldinger fra fødeinstitusjonene via elektronisk melding."},
        population_coverage={"nb": "Alle fødsler i Norge etter 16. svangerskapsuke."},
        temporal_start="1967-01-01",
        spatial=[EU + "country/NOR"],
        issued="2020-01-01",
        modified="2025-06-01",
        languages=[EU + "language/NOR"],
        landing_page="https://www.fhi.no/hn/helseregistre-og-registre/mfr/",
        frequency=EU + "frequency/CONT",
        dataset_type=EU + "dataset-type/STATISTICAL",
        coding_systems=[HEALTH_NAL + "coding-system/SNOMED-CT"],
        number_of_records=3_000_000,
        number_of_unique_individuals=2_900_000,
        min_typical_age=0,
        max_typical_age=55,
        has_structured_data=True,
        distributions=[
            Distribution(
                uri=f"{BASE}/distribusjon/soknad",
                access_url="https://helsedata.no/soknad",
                title={"nb": "Søknad om data"},
                description={"nb": "Søk om utlevering via Helsedataservice."},
                format=EU + "file-type/CSV",
                license=EU + "licence/CC0",
            )
        ],
        variables=mfr_variables(variables),
    )
    for name, value in changes.items():
        setattr(d, name, value)
    return d
