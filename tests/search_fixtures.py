"""Search test fixtures: a small realistic corpus of Norwegian health variables (with the code lists
they use, and a survey whose waves repeat its variables), a judged query set over it, nDCG@10,
and every search backend this machine can run (tantivy always; the osmem OpenSearch emulator when
its binary starts; a real cluster when CATALOG_ELASTICSEARCH_URL is set).

Test modules import what they use from here, so `conftest.py` stays free of search details.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog.config import Settings
from catalog.model import Agent, CodeList, Concept, Dataset, Variable, key_for
from catalog.search import SearchBackend, SearchQuery
from catalog.search.documents import SourceInfo, complete, documents

EU = "http://publications.europa.eu/resource/authority/"
HC = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/"


@dataclass
class Registry:
    source: str
    kind: str
    title: str
    publisher: str
    category: str
    start: str
    end: str | None
    access: str
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]]
    """(name, nb label, en label, nb description, datatype, extra Variable fields)"""


REGISTRIES = [
    Registry(
        "mfr",
        "central-registry",
        "Medisinsk fødselsregister",
        "Folkehelseinstituttet",
        "PHDR",
        "1967-01-01",
        None,
        "NON_PUBLIC",
        [
            ("VEKT", "Fødselsvekt", "Birth weight", "Barnets vekt ved fødsel i gram.", "integer", {"unit": "gram"}),
            ("LENGDE", "Lengde ved fødsel", "Birth length", "Barnets lengde ved fødsel i cm.", "integer", {}),
            ("PLACENTAVEKT", "Placentavekt", "Placental weight", "Morkakens vekt i gram.", "integer", {}),
            ("SVLEN", "Svangerskapslengde", "Gestational age", "Svangerskapets lengde i hele uker.", "integer", {}),
            ("MORS_ALDER", "Mors alder", "Mother's age", "Mors alder ved fødselen i hele år.", "integer", {}),
            ("FARS_ALDER", "Fars alder", "Father's age", "Fars alder ved barnets fødsel.", "integer", {}),
            (
                "ROYK_START",
                "Røykevaner ved svangerskapets start",
                "Smoking at start of pregnancy",
                "Mors røyking da svangerskapet begynte.",
                "string",
                {},
            ),
            (
                "ROYK_SLUTT",
                "Røyking ved svangerskapets slutt",
                "Smoking at end of pregnancy",
                "Om mor røykte ved slutten av svangerskapet.",
                "string",
                {},
            ),
            ("KEISERSNITT", "Keisersnitt", "Caesarean section", "Forløsning ved keisersnitt.", "boolean", {}),
            (
                "MORS_BMI",
                "Mors kroppsmasseindeks før svangerskapet",
                "Mother's BMI before pregnancy",
                "Beregnet fra mors høyde og vekt før svangerskapet.",
                "decimal",
                {},
            ),
            (
                "APGAR5",
                "Apgar-skår etter 5 minutter",
                "Apgar score at 5 minutes",
                "Apgar-skår 5 minutter etter fødsel.",
                "integer",
                {},
            ),
        ],
    ),
    Registry(
        "nnk",
        "quality-registry",
        "Norsk nyfødtmedisinsk kvalitetsregister",
        "St. Olavs hospital",
        "PHDR",
        "2012-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "FODSELSVEKT",
                "Fødselsvekt (gram)",
                "Birth weight (grams)",
                "Vekt ved fødsel registrert ved innleggelse på nyfødtintensiv.",
                "integer",
                {},
            ),
            ("MOR_ALDER", "Mors alder ved fødsel", "Maternal age at birth", "Alder i år.", "integer", {}),
            (
                "GESTASJONSALDER",
                "Gestasjonsalder",
                "Gestational age at birth",
                "Fullgåtte uker og dager.",
                "integer",
                {},
            ),
            ("INNLEGGELSESDATO", "Dato for innleggelse", "Date of admission", "Første innleggelse.", "date", {}),
        ],
    ),
    Registry(
        "npr",
        "central-registry",
        "Norsk pasientregister",
        "Helsedirektoratet",
        "EHR",
        "2008-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "HOVEDTILSTAND",
                "Hovedtilstand",
                "Primary diagnosis",
                "Hovedtilstand for oppholdet, kodet med ICD-10.",
                "string",
                {"coding_system": "ICD-10", "codelist": "https://example.org/kodeverk/icd10"},
            ),
            ("INNDATO", "Innskrivingsdato", "Admission date", "Dato for innskriving.", "date", {}),
            ("UTDATO", "Utskrivingsdato", "Discharge date", "Dato for utskriving.", "date", {}),
            (
                "OMSORGSNIVA",
                "Omsorgsnivå",
                "Level of care",
                "Døgnopphold, dagbehandling eller poliklinikk.",
                "string",
                {},
            ),
            ("KJONN", "Pasientens kjønn", "Patient's sex", "Kjønn slik det er registrert.", "string", {}),
            # a label holding the words of "mors alder" apart, as the demo's NPR has it
            ("ALDER_MOR", "Alder ved kontakt, mor", "Age at contact, mother", "Mors alder i hele år.", "integer", {}),
        ],
    ),
    Registry(
        "hkr",
        "central-registry",
        "Hjerte- og karregisteret",
        "Folkehelseinstituttet",
        "EHR",
        "2012-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "AMI",
                "Akutt hjerteinfarkt",
                "Acute myocardial infarction",
                "Innleggelse med akutt hjerteinfarkt (ICD-10 I21–I22).",
                "boolean",
                {"keywords": ["I21", "I22"]},
            ),
            ("HJERNESLAG", "Hjerneslag", "Stroke", "Hjerneinfarkt eller hjerneblødning.", "boolean", {}),
        ],
    ),
    Registry(
        "hjerteinfarkt",
        "quality-registry",
        "Norsk hjerteinfarktregister",
        "St. Olavs hospital",
        "EHR",
        "2013-01-01",
        None,
        "NON_PUBLIC",
        [
            ("INFARKT_TYPE", "Type infarkt", "Infarction type", "STEMI eller NSTEMI.", "string", {}),
            (
                "TIDL_INFARKT",
                "Tidligere hjerteinfarkt",
                "Previous myocardial infarction",
                "Om pasienten har hatt hjerteinfarkt før.",
                "boolean",
                {},
            ),
            ("TROPONIN", "Troponin ved innkomst", "Troponin at admission", "Høyeste målte troponin.", "decimal", {}),
        ],
    ),
    Registry(
        "hjerneslag",
        "quality-registry",
        "Norsk hjerneslagregister",
        "St. Olavs hospital",
        "EHR",
        "2012-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "HJERNEINFARKT",
                "Hjerneinfarkt",
                "Cerebral infarction",
                "Iskemisk hjerneslag (ICD-10 I63).",
                "boolean",
                {"keywords": ["I63"]},
            )
        ],
    ),
    Registry(
        "kreft",
        "central-registry",
        "Kreftregisteret",
        "Kreftregisteret",
        "CANCER",
        "1953-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "TOPOGRAFI",
                "Kreftsvulstens topografi",
                "Tumour topography",
                "Lokalisasjon etter ICD-O-3.",
                "string",
                {"coding_system": "ICD-O-3", "codelist": "https://example.org/kodeverk/icdo3-topografi"},
            ),
            ("DIAGNOSEDATO", "Diagnosedato", "Date of diagnosis", "Dato for første diagnose.", "date", {}),
            ("STADIUM", "Stadium ved diagnose", "Stage at diagnosis", "Utbredelse etter TNM.", "string", {}),
        ],
    ),
    Registry(
        "bryst",
        "quality-registry",
        "Nasjonalt kvalitetsregister for brystkreft",
        "Kreftregisteret",
        "CANCER",
        "2012-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "BRYST_DIAGNOSE",
                "Brystkreftdiagnose",
                "Breast cancer diagnosis",
                "Brystkreft (ICD-10 C50) bekreftet ved patologi.",
                "string",
                {"keywords": ["C50", "brystkreft"]},
            ),
            ("HER2", "HER2-status", "HER2 status", "Reseptorstatus for HER2 ved brystkreft (C50).", "string", {}),
        ],
    ),
    Registry(
        "norpd",
        "central-registry",
        "Reseptregisteret",
        "Folkehelseinstituttet",
        "MEDICATION",
        "2004-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "ATC_KODE",
                "Legemiddel (ATC-kode)",
                "Drug (ATC code)",
                "Utlevert legemiddel etter ATC.",
                "string",
                {"coding_system": "ATC", "codelist": "https://example.org/kodeverk/atc"},
            ),
            ("DDD", "Definerte døgndoser", "Defined daily doses", "Antall DDD i utleveringen.", "decimal", {}),
            ("UTLEVERINGSDATO", "Utleveringsdato", "Dispensing date", "Dato legemidlet ble hentet.", "date", {}),
        ],
    ),
    Registry(
        "diabetes",
        "quality-registry",
        "Norsk diabetesregister for voksne",
        "Haukeland universitetssjukehus",
        "DIABETES",
        "2006-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "METFORMIN",
                "Bruk av metformin",
                "Metformin use",
                "Pasienten bruker metformin (ATC A10BA02).",
                "boolean",
                {"keywords": ["A10BA02", "metformin"]},
            ),
            ("HBA1C", "HbA1c", "HbA1c", "Siste målte HbA1c i mmol/mol.", "decimal", {}),
            (
                "DIABETESTYPE",
                "Diabetestype",
                "Type of diabetes",
                "Type 1 (E10), type 2 (E11.9) eller annen.",
                "string",
                {},
            ),
        ],
    ),
    Registry(
        "kpr",
        "central-registry",
        "Kommunalt pasient- og brukerregister",
        "Helsedirektoratet",
        "EHR",
        "2017-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "DIAGNOSE_ICPC2",
                "Diagnose (ICPC-2)",
                "Diagnosis (ICPC-2)",
                "Diagnose satt av fastlege.",
                "string",
                {"coding_system": "ICPC-2"},
            ),
            (
                "FASTLEGE",
                "Fastlegens HPR-nummer",
                "Regular GP's HPR number",
                "Fastlegen pasienten står på listen til.",
                "string",
                {},
            ),
        ],
    ),
    Registry(
        "hunt",
        "survey",
        "Helseundersøkelsen i Trøndelag (HUNT)",
        "NTNU",
        "PHDR",
        "1984-01-01",
        "2019-12-31",
        "RESTRICTED",
        [
            (
                "BMI",
                "Kroppsmasseindeks (BMI)",
                "Body mass index",
                "Vekt i kg delt på høyde i meter i annen.",
                "decimal",
                {},
            ),
            ("VEKT", "Vekt", "Weight", "Målt vekt i kg.", "decimal", {}),
            ("HOYDE", "Høyde", "Height", "Målt høyde i cm.", "decimal", {}),
            (
                "ROYK",
                "Røyker du?",
                "Do you smoke?",
                "Daglig, av og til eller aldri.",
                "string",
                {"question": {"nb": "Røyker du, eller har du røykt?"}},
            ),
            ("SNUS", "Bruker du snus?", "Do you use snus?", "Daglig, av og til eller aldri.", "string", {}),
            ("BT_SYS", "Systolisk blodtrykk", "Systolic blood pressure", "Gjennomsnitt av to målinger.", "integer", {}),
            (
                "BT_DIA",
                "Diastolisk blodtrykk",
                "Diastolic blood pressure",
                "Gjennomsnitt av to målinger.",
                "integer",
                {},
            ),
            ("ALKOHOL", "Alkoholforbruk", "Alcohol consumption", "Enheter per uke.", "integer", {}),
            ("SOVN", "Søvnvansker", "Sleep problems", "Hvor ofte du har hatt problemer med å sove.", "string", {}),
        ],
    ),
    Registry(
        "dar",
        "central-registry",
        "Dødsårsaksregisteret",
        "Folkehelseinstituttet",
        "PHDR",
        "1951-01-01",
        None,
        "NON_PUBLIC",
        [
            (
                "UNDERLIGGENDE",
                "Underliggende dødsårsak",
                "Underlying cause of death",
                "Kodet med ICD-10.",
                "string",
                {"coding_system": "ICD-10", "codelist": "https://example.org/kodeverk/icd10"},
            ),
            ("DODSDATO", "Dødsdato", "Date of death", "Dato for dødsfallet.", "date", {}),
        ],
    ),
    Registry(
        "ssb",
        "statistics",
        "SSB befolkningsstatistikk",
        "Statistisk sentralbyrå",
        "PHDR",
        "1990-01-01",
        "2024-12-31",
        "RESTRICTED",
        [
            ("FODSELSAR", "Fødselsår", "Year of birth", "Personens fødselsår.", "integer", {}),
            ("UTDANNING", "Høyeste fullførte utdanning", "Highest completed education", "Etter NUS2000.", "string", {}),
            ("INNTEKT", "Samlet inntekt", "Total income", "Samlet inntekt i kroner.", "integer", {}),
            ("SIVILSTAND", "Sivilstand", "Marital status", "Gift, ugift, skilt, enke/enkemann.", "string", {}),
        ],
    ),
]


CODE_LISTS = [
    CodeList(
        uri="https://example.org/kodeverk/icd10",
        identifier="icd10",
        title={"nb": "ICD-10 (utvalg)", "en": "ICD-10 (selection)"},
        concepts=[
            Concept(code, {"nb": label})
            for code, label in [
                ("C18", "Ondartet svulst i tykktarm"),
                ("C34", "Ondartet svulst i bronkie og lunge"),
                ("C50", "Ondartet svulst i bryst"),
                ("E11", "Diabetes mellitus type 2"),
                ("I21", "Akutt hjerteinfarkt"),
                ("I21.0", "Akutt transmuralt infarkt i fremre vegg"),
                ("I21.9", "Akutt hjerteinfarkt, uspesifisert"),
                ("I63", "Hjerneinfarkt"),
                ("O82", "Fødsel av enkeltfoster ved keisersnitt"),
            ]
        ],
    ),
    CodeList(
        uri="https://example.org/kodeverk/icdo3-topografi",
        identifier="icdo3-topografi",
        title={"nb": "ICD-O-3 topografi", "en": "ICD-O-3 topography"},
        concepts=[
            Concept(code, {"nb": label})
            for code, label in [
                ("C18.7", "Colon sigmoideum"),
                ("C50.4", "Øvre ytre kvadrant av bryst"),
                ("C50.9", "Bryst, UNS"),
            ]
        ],
    ),
    CodeList(
        uri="https://example.org/kodeverk/atc",
        identifier="atc",
        title={"nb": "ATC-klassifikasjonen (utvalg)", "en": "ATC classification (selection)"},
        concepts=[
            Concept(code, {"nb": label})
            for code, label in [
                ("A10AE04", "Insulin glargin"),
                ("A10BA02", "Metformin"),
                ("C07AB02", "Metoprolol"),
                ("C09AA05", "Ramipril"),
                ("C10AA05", "Atorvastatin"),
                ("N02BE01", "Paracetamol"),
            ]
        ],
    ),
]
"""Code lists the registries' variables use (realistic selections of the real classifications)."""

WAVES = [
    ("TROMSO4", "Tromsø 4", 1994, 1995),
    ("TROMSO5", "Tromsø 5", 2001, 2001),
    ("TROMSO6", "Tromsø 6", 2007, 2008),
    ("TROMSO7", "Tromsø 7", 2015, 2016),
]
"""The Tromsø Study's waves: each a dataset repeating the same questions."""


def wave_datasets() -> tuple[list[Dataset], list[CodeList]]:
    """The Tromsø waves, and the code list each wave publishes under its own URI (same codes)."""
    datasets, lists = [], []
    for wave, title, start, end in WAVES:
        base = f"https://example.org/tromso/{wave}"
        janei = CodeList(
            uri=f"{base}/kodeverk/ROYK",
            identifier="ROYK",
            title={"nb": "Ja/nei"},
            concepts=[Concept("1", {"nb": "Ja"}), Concept("2", {"nb": "Nei"}), Concept("9", {"nb": "Ukjent"})],
        )
        lists.append(janei)
        variables = [
            Variable(
                uri=f"{base}/ROYK",
                name="ROYK",
                title={"nb": "Røyker daglig", "en": "Daily smoker"},
                question={"nb": "Røyker du daglig?"},
                datatype="integer",
                codelist=janei.uri,
            ),
            Variable(
                uri=f"{base}/VEKT",
                name="VEKT",
                title={"nb": "Vekt", "en": "Weight"},
                description={"nb": "Målt vekt i kg."},
                datatype="decimal",
                unit="kg",
            ),
        ]
        if start >= 2007:
            variables.append(Variable(uri=f"{base}/SOVN", name="SOVN", title={"nb": "Søvnvansker"}, datatype="integer"))
        datasets.append(
            Dataset(
                uri=f"{base}/dataset",
                identifier=wave,
                title={"nb": title, "en": title},  # one title, said in two languages
                description={"nb": f"{title}, Tromsøundersøkelsen."},
                publisher=Agent(name={"nb": "UiT Norges arktiske universitet"}),
                health_categories=[HC + "PHDR"],
                access_rights=f"{EU}access-right/RESTRICTED",
                temporal_start=f"{start}-01-01",
                temporal_end=f"{end}-12-31",
                variables=variables,
            )
        )
    return datasets, lists


def personality_datasets() -> list[Dataset]:
    """What "personality" met in a catalogue of the demo and the real samples: an IPUMS-like extract
    whose codebook writes no language (its labels and descriptions are indexed as plain text, a
    field few documents have), with variables that say personality; SSB's variable definition
    "Statuskode", whose English description says "Persons", and a registry's pseudonym, labelled
    "Serial number for person": English stemming makes "person" of "personality". No periods: the
    year filters' tests count the datasets covering each year."""
    ipums = [
        ("BIG5_OPEN", "Personality: openness to experience", "Openness, one of the Big Five personality traits."),
        ("BIG5_EXTRA", "Personality: extraversion", "Extraversion, one of the Big Five personality traits."),
    ]
    extract = Dataset(
        uri="https://example.org/ipums/cps_00999",
        identifier="cps_00999",
        title={"": "User Extract cps_00999.dat"},
        description={"": "An IPUMS CPS extract."},
        publisher=Agent(name={"": "IPUMS"}),
        access_rights=f"{EU}access-right/PUBLIC",
        variables=[
            Variable(uri=f"https://example.org/ipums/{name}", name=name, title={"": label}, description={"": text})
            for name, label, text in ipums
        ],
    )
    vardef = Dataset(
        uri="https://example.org/vardef/befolkning",
        identifier="vardef-befolkning",
        title={"nb": "Variabeldefinisjoner: Befolkning", "en": "Variable definitions: Population"},
        description={"nb": "SSBs variabeldefinisjoner for befolkningsstatistikk."},
        publisher=Agent(name={"nb": "Statistisk sentralbyrå"}),
        access_rights=f"{EU}access-right/PUBLIC",
        variables=[
            Variable(
                uri="https://example.org/vardef/statuskode",
                name="statuskode",
                title={"nb": "Statuskode", "en": "Residential code"},
                description={
                    "nb": "Kode som forteller om personen er bosatt, utvandret, død osv.",
                    "en": "Persons in the Central Population Register is classified by status as resident, "
                    "emigrated, dead etc.",
                },
                datatype="string",
            )
        ],
    )
    msis = Dataset(
        uri="https://example.org/msis/dataset",
        identifier="msis-data",
        title={"nb": "Meldingssystem for smittsomme sykdommer"},
        description={"nb": "Data fra MSIS."},
        publisher=Agent(name={"nb": "Folkehelseinstituttet"}),
        health_categories=[HC + "PHDR"],
        access_rights=f"{EU}access-right/NON_PUBLIC",
        variables=[
            Variable(
                uri="https://example.org/msis/variabel/LOPENR",
                name="LOPENR",
                title={"nb": "Løpenummer for person (pseudonym)", "en": "Serial number for person (pseudonym)"},
                description={"nb": "Løpenummer for person (pseudonym), slik det er registrert i MSIS."},
                datatype="string",
            )
        ],
    )
    return [extract, vardef, msis]


PERSONALITY_SOURCES = {
    "cps_00999": SourceInfo("ipums", "IPUMS CPS", "survey"),
    "vardef-befolkning": SourceInfo("ssb-vardef", "SSB variabeldefinisjoner", "statistics"),
    "msis-data": SourceInfo("msis", "Meldingssystem for smittsomme sykdommer", "central-registry"),
}


def registry_dataset(r: Registry) -> Dataset:
    base = f"https://example.org/{r.source}"
    variables = [
        Variable(
            uri=f"{base}/variabel/{name}",
            name=name,
            title={"nb": nb, "en": en},
            description={"nb": desc},
            datatype=datatype,
            **extra,
        )
        for name, nb, en, desc, datatype, extra in r.variables
    ]
    return Dataset(
        uri=f"{base}/dataset",
        identifier=f"{r.source}-data",
        title={"nb": r.title},
        description={"nb": f"Data fra {r.title}."},
        publisher=Agent(name={"nb": r.publisher}),
        health_categories=[HC + r.category],
        access_rights=f"{EU}access-right/{r.access}",
        temporal_start=r.start,
        temporal_end=r.end,
        variables=variables,
    )


USES = {"mfr": 6, "hunt": 3, "hkr": 1}
"""Projects of the data use register that use each registry's dataset (the others: none)."""


def corpus() -> list[dict[str, Any]]:
    """Search documents (datasets, variables, code lists) of every registry and of the Tromsø
    waves, completed with their code lists as the indexer makes them."""
    waves, wave_lists = wave_datasets()
    docs = [
        doc
        for r in REGISTRIES
        for doc in documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind), uses=USES.get(r.source, 0))
    ]
    tromso = SourceInfo("tromso", "Tromsøundersøkelsen", "survey")
    records: list[Dataset | CodeList] = [*waves, *wave_lists]
    docs += [doc for record in records for doc in documents(record, tromso)]
    docs += [doc for record in CODE_LISTS for doc in documents(record, SourceInfo("kodeverk", "Kodeverk", "catalogue"))]
    docs += [doc for d in personality_datasets() for doc in documents(d, PERSONALITY_SOURCES[d.identifier])]
    lists = {doc["key"]: doc["coded"] for doc in docs if doc["type"] == "codelist"}
    return list(complete(docs, lists.get))


def codelist_key(uri: str) -> str:
    return key_for(uri)


def ident(doc: dict[str, Any]) -> str:
    """`source/NAME`: how judged queries name a variable."""
    return f"{doc['source']}/{doc['name']}"


JUDGED: dict[str, dict[str, int]] = {
    "fødselsvekt": {"mfr/VEKT": 3, "nnk/FODSELSVEKT": 3},
    "fodselsvekt": {"mfr/VEKT": 3, "nnk/FODSELSVEKT": 3},
    "birth weight": {"mfr/VEKT": 3, "nnk/FODSELSVEKT": 3},
    "BMI": {"hunt/BMI": 3, "mfr/MORS_BMI": 2},
    "kroppsmasseindeks": {"hunt/BMI": 3, "mfr/MORS_BMI": 3},
    "røyking": {"hunt/ROYK": 3, "mfr/ROYK_START": 3, "mfr/ROYK_SLUTT": 3},
    "rokevaner": {"mfr/ROYK_START": 3},
    "C50": {
        "bryst/BRYST_DIAGNOSE": 3,
        "kreft/TOPOGRAFI": 3,
        "npr/HOVEDTILSTAND": 3,
        "dar/UNDERLIGGENDE": 3,
        "bryst/HER2": 1,
    },
    "MOR_ALDER": {"nnk/MOR_ALDER": 3, "mfr/MORS_ALDER": 1},
    "MORS_ALDER": {"mfr/MORS_ALDER": 3, "nnk/MOR_ALDER": 1},
    "mors alder": {"mfr/MORS_ALDER": 3, "nnk/MOR_ALDER": 3},
    "hjerteinfarkt": {"hkr/AMI": 3, "hjerteinfarkt/TIDL_INFARKT": 2},
    "infarkt": {
        "hjerteinfarkt/INFARKT_TYPE": 3,
        "hkr/AMI": 2,
        "hjerteinfarkt/TIDL_INFARKT": 2,
        "hjerneslag/HJERNEINFARKT": 2,
    },
    "vekt": {"hunt/VEKT": 3, "tromso/VEKT": 3, "mfr/VEKT": 2, "nnk/FODSELSVEKT": 2, "mfr/PLACENTAVEKT": 1},
    "blodtrykk": {"hunt/BT_SYS": 3, "hunt/BT_DIA": 3},
    "gestational age": {"mfr/SVLEN": 3, "nnk/GESTASJONSALDER": 3},
    "dødsårsak": {"dar/UNDERLIGGENDE": 3},
    # codes: in a code list, ranked above a mention ("C50" in HER2's description)
    "A10BA02": {"diabetes/METFORMIN": 3, "norpd/ATC_KODE": 3},
    "A10": {"norpd/ATC_KODE": 3},
    "metformin": {"diabetes/METFORMIN": 3, "norpd/ATC_KODE": 3},
    "Ondartet svulst i bryst": {"npr/HOVEDTILSTAND": 3, "dar/UNDERLIGGENDE": 3},
    "brystkreft": {"bryst/BRYST_DIAGNOSE": 3, "kreft/TOPOGRAFI": 2, "npr/HOVEDTILSTAND": 2, "dar/UNDERLIGGENDE": 2},
    "blodtrykksmedisin": {"norpd/ATC_KODE": 3},
    "I21": {"hkr/AMI": 3, "npr/HOVEDTILSTAND": 3, "dar/UNDERLIGGENDE": 3},
    "I21.0": {"npr/HOVEDTILSTAND": 3, "dar/UNDERLIGGENDE": 3},
    # forgiving: a word's start as one types, compound heads and modifiers, typos, any word
    "fødselsv": {"mfr/VEKT": 3, "nnk/FODSELSVEKT": 3},
    "søvn": {"hunt/SOVN": 3, "tromso/SOVN": 3},
    "vansker": {"hunt/SOVN": 3, "tromso/SOVN": 3},
    "hjertinfarkt": {"hkr/AMI": 3, "hjerteinfarkt/TIDL_INFARKT": 2},
    "fødselsvekt inntekt": {"mfr/VEKT": 3, "nnk/FODSELSVEKT": 3, "ssb/INNTEKT": 3},
    "røyker daglig": {"tromso/ROYK": 3, "hunt/ROYK": 2},
    # a word said as typed above another English stemming makes the same ("personality": "person"),
    # in a plain-language label too (a field few documents have)
    "personality": {"ipums/BIG5_OPEN": 3, "ipums/BIG5_EXTRA": 3},
}
"""Query -> graded relevance (3 = what the researcher meant, 1 = acceptable) of variables."""


def ndcg_at_10(backend: SearchBackend, judged: dict[str, dict[str, int]] = JUDGED) -> dict[str, float]:
    """nDCG@10 per judged query, 1.0 being the ideal order."""
    scores = {}
    for query, grades in judged.items():
        hits = backend.search(SearchQuery(text=query, limit=20, facets=())).hits
        found = list(dict.fromkeys(ident(h.doc) for h in hits))[:10]  # a wave's copies count once
        dcg = sum((2 ** grades.get(name, 0) - 1) / math.log2(i + 2) for i, name in enumerate(found))
        ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True)[:10]))
        scores[query] = dcg / ideal
    return scores


# -- backends ------------------------------------------------------------------------------

BACKENDS = ["tantivy", "opensearch-emulator"] + (
    ["elasticsearch"] if os.environ.get("CATALOG_ELASTICSEARCH_URL") else []
)


@dataclass
class Emulator:
    url: str | None
    reason: str = ""


@pytest.fixture(scope="session")
def osmem() -> Iterator[Emulator]:
    """An osmem OpenSearch emulator on a free loopback port for the whole session, or the reason
    it cannot run (tests on it are then skipped with that reason)."""
    try:
        from osmem_server import OsmemError, OsmemServer
    except ImportError as exc:
        yield Emulator(None, f"osmem-server is not installed ({exc}); pip install 'helsekatalog[test]'")
        return
    try:
        server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
    except (OsmemError, OSError) as exc:
        yield Emulator(None, f"the osmem-server emulator cannot start here: {exc}")
        return
    yield Emulator(server.url)
    server.close()


@pytest.fixture(scope="session")
def make_backend(osmem: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], SearchBackend]]:
    """`make_backend(kind)`: a new, empty backend of that kind; all are closed (and their
    server-side indices dropped) at the end of the session."""
    made: list[SearchBackend] = []

    def make(kind: str) -> SearchBackend:
        backend: SearchBackend
        if kind == "tantivy":
            from catalog.search.tantivy_backend import TantivyBackend

            backend = TantivyBackend(tmp_path_factory.mktemp("index"))
        else:
            from catalog.search.elasticsearch_backend import ElasticsearchBackend, client_for, client_from_settings

            if kind == "opensearch-emulator":
                if osmem.url is None:
                    pytest.skip(osmem.reason)
                client = client_for(osmem.url, plain_json=True)
            else:
                client = client_from_settings(Settings.load(tmp_path_factory.mktemp("es")))
            backend = ElasticsearchBackend(client, f"catalog-test-{uuid.uuid4().hex[:12]}")
        made.append(backend)
        return backend

    yield make
    from catalog.search.elasticsearch_backend import ElasticsearchBackend

    for backend in made:
        if isinstance(backend, ElasticsearchBackend):
            backend.drop()  # by name: Elasticsearch 8 refuses wildcard deletes
        backend.close()


@pytest.fixture(scope="session", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, make_backend: Callable[[str], SearchBackend]) -> SearchBackend:
    """A backend of each kind holding the corpus, shared by the read-only tests of a session."""
    backend = make_backend(request.param)
    backend.replace_all(corpus())
    return backend


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, make_backend: Callable[[str], SearchBackend]) -> SearchBackend:
    """A fresh empty backend of each kind, for tests that write."""
    return make_backend(request.param)


def names(result: Any) -> list[str]:
    return [ident(h.doc) for h in result.hits]


def synonyms_copy(tmp_path: Path) -> Path:
    """An editable copy of the shipped synonym list."""
    from catalog.search.analysis import SYNONYMS_FILE

    path = tmp_path / "synonyms.txt"
    path.write_text(SYNONYMS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return path
