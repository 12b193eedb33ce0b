"""The search contract: every backend (tantivy, the OpenSearch emulator, and a real cluster when
CATALOG_ELASTICSEARCH_URL is set) must pass every test here on the same corpus."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.model import CodeList, Concept, key_for
from catalog.search import BadQuery, SearchBackend, SearchQuery, suggestions, type_filters, type_totals, variables_using
from catalog.search.analysis import MAX_WINDOW, WORD_LIST_RECHECK, Synonyms
from catalog.search.documents import SourceInfo, complete, documents
from catalog.search.results import member
from tests.search_fixtures import CODE_LISTS, JUDGED, Registry, corpus, ident, names, registry_dataset, synonyms_copy

VARIABLES = [d for d in corpus() if d["type"] == "variable"]
ICD10 = key_for("https://example.org/kodeverk/icd10")
ATC = key_for("https://example.org/kodeverk/atc")


def search(backend: SearchBackend, text: str = "", **kwargs: Any) -> Any:
    return backend.search(SearchQuery(text=text, **kwargs))


# -- finding the variable ------------------------------------------------------------------


@pytest.mark.parametrize("query", sorted(JUDGED))
def test_judged_query_puts_what_the_researcher_meant_first(loaded: SearchBackend, query: str) -> None:
    grades = JUDGED[query]
    best = {name for name, grade in grades.items() if grade == 3}
    found = list(dict.fromkeys(names(search(loaded, query, limit=20))))  # a wave's copies count once
    assert set(found[: len(best)]) == best
    assert set(grades) <= set(found)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fødselsvekten", "mfr/VEKT"),  # Norwegian inflection
        ("fødselsvkt", "mfr/VEKT"),  # a typo
        ("FØDSELSVEKT", "mfr/VEKT"),  # case
        ("smoke", "hunt/ROYK"),  # English stemming: "Do you smoke?"
        ("placenta", "mfr/PLACENTAVEKT"),  # one letter short of "Placental weight"
        ("metformin", "diabetes/METFORMIN"),
        ("I63", "hjerneslag/HJERNEINFARKT"),
    ],
)
def test_a_query_finds_the_variable_despite_form_case_and_typos(
    loaded: SearchBackend, query: str, expected: str
) -> None:
    assert expected in names(search(loaded, query, limit=5))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("røykjar dagleg", "hunt/ROYK"),  # "Røyker daglig"
        ("hjarteinfarkt", "hkr/AMI"),  # "Akutt hjerteinfarkt"
        ("fastlækjar", "kpr/FASTLEGE"),  # "Fastlegens HPR-nummer"
    ],
)
def test_a_query_in_nynorsk_finds_the_variable_its_bokmal_metadata_describes(
    loaded: SearchBackend, query: str, expected: str
) -> None:
    """On the demo "sjukdom" found nothing and "sjukehus" only as a typo: the metadata is in
    bokmål. Found as typed, not by tolerating typos (`catalog.search.nynorsk`)."""
    result = search(loaded, query, typos=False)
    assert expected in names(result) and not result.any_words


def test_a_nynorsk_query_ranks_as_the_same_query_in_bokmal(loaded: SearchBackend) -> None:
    bokmal = names(search(loaded, "røyker daglig"))
    assert names(search(loaded, "røykjar dagleg"))[:5] == bokmal[:5] and "hunt/ROYK" in bokmal[:5]


@pytest.mark.parametrize("query", ["mors alder", "Mors alder", "MORS_ALDER"])
def test_a_label_saying_the_words_as_typed_ranks_above_one_holding_them_apart(
    loaded: SearchBackend, query: str
) -> None:
    """ "mors alder" listed NPR's "Alder ved kontakt, mor" above MFR's "Mors alder ved fødselen" on
    the demo (the researchers' drill): both labels hold both words. The names joined from the
    words say it (`QueryPlan.names_exact`), as a phrase query did at a tenth of a page's time."""
    found = names(search(loaded, query))
    assert "npr/ALDER_MOR" in found
    assert found.index("mfr/MORS_ALDER") < found.index("npr/ALDER_MOR")
    assert found.index("nnk/MOR_ALDER") < found.index("npr/ALDER_MOR")


def test_an_english_possessive_is_not_a_word_that_must_match(loaded: SearchBackend) -> None:
    """A query "mother's age" required a word "s" too, and fell back to any word (528 rows on the demo)."""
    result = search(loaded, "mother's age")
    assert not result.any_words and {"mfr/MORS_ALDER", "nnk/MOR_ALDER"} <= set(names(result)[:3])


def test_typos_are_tolerated_only_when_nothing_matches_as_typed(loaded: SearchBackend) -> None:
    assert "hjerneslag/HJERNEINFARKT" not in names(search(loaded, "hjerteinfarkt"))
    found = names(search(loaded, "hjertinfarkt"))
    assert {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT"} <= set(found)
    assert "hjerneslag/HJERNEINFARKT" not in found  # two edits away: one edit found enough


def test_a_search_says_whether_it_tolerated_typos_and_can_be_told_to(loaded: SearchBackend) -> None:
    fallback = search(loaded, "hjertinfarkt")
    assert fallback.typos == 1 and fallback.total > 0 and fallback.typo_words == ("hjertinfarkt",)
    assert search(loaded, "hjertinfarkt", typos=False).total == 0
    assert names(search(loaded, "hjertinfarkt", typos=fallback.typos)) == names(fallback)
    assert "hjerneslag/HJERNEINFARKT" in names(search(loaded, "hjertinfarkt", typos=2))
    as_typed = search(loaded, "hjerteinfarkt")
    assert not as_typed.typos and search(loaded, "hjerteinfarkt", typos=False).total == as_typed.total


def test_only_the_words_that_match_nothing_tolerate_typos(loaded: SearchBackend) -> None:
    result = search(loaded, "rokevaner svangerskapets")
    assert result.typo_words == ("rokevaner",) and not result.any_words
    assert names(result)[0] == "mfr/ROYK_START"


def test_a_typo_of_a_synonym_finds_the_synonyms(loaded: SearchBackend) -> None:
    result = search(loaded, "rokevaner")  # no label says "røykevaner" but one; the synonym list does
    assert result.typos and {"hunt/ROYK", "mfr/ROYK_START", "mfr/ROYK_SLUTT"} <= set(names(result))
    assert result.corrected == ("røykevaner",)  # as the list writes it, for the page to say


def test_a_search_says_what_a_misspelt_word_was_taken_for(loaded: SearchBackend) -> None:
    assert search(loaded, "brystkerft").corrected == ("brystkreft",)  # a common name of codes
    assert search(loaded, "hjertinfarkt").corrected == ("hjerteinfarkt",)
    assert search(loaded, "hjerteinfarkt").corrected == ()  # as typed: nothing corrected


def test_compound_parts_find_the_compound(loaded: SearchBackend) -> None:
    found = names(search(loaded, "infarkt", limit=20))
    assert {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT", "hjerneslag/HJERNEINFARKT"} <= set(found)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vansker", {"hunt/SOVN", "tromso/SOVN"}),  # the head of "søvnvansker", in no word list
        ("søvn HUNT", {"hunt/SOVN"}),  # the start of "søvnvansker", not the last word
        ("fødselsv", {"mfr/VEKT", "nnk/FODSELSVEKT"}),  # the last word as one types
        ("kroppsmasse", {"hunt/BMI", "mfr/MORS_BMI"}),
    ],
)
def test_a_word_finds_the_compounds_it_starts_or_ends(loaded: SearchBackend, query: str, expected: set[str]) -> None:
    result = search(loaded, query)
    assert expected <= set(names(result)) and not result.typos and not result.any_words


def vaccination_registry() -> list[dict[str, Any]]:
    """SYSVAK's influenza dataset as the demo has it: a compound title, and a vaccine code list
    whose label of influenza is a compound too; no variable's own words say "influensa"."""
    vaccines = code_list("vaksine", "Vaksiner", {"MMR": "Meslinger, kusma og røde hunder", "INFLU": "Sesonginfluensa"})
    coded = {"coding_system": "Vaksinekoder", "codelist": vaccines.uri}
    variables = [
        ("VAKSINEKODE", "Vaksinekode", "Vaccine code", "Vaksinen som ble gitt.", "string", coded),
        ("DOSENUMMER", "Dosenummer", "Dose number", "Dose i serien.", "integer", {}),
    ]
    return registry_with_list("sysvak", "Influensavaksinasjon", vaccines, variables)


def code_list(identifier: str, title: str, labels: dict[str, str]) -> CodeList:
    """A code list of these codes and their labels in bokmål."""
    return CodeList(
        uri=f"https://example.org/kodeverk/{identifier}",
        identifier=identifier,
        title={"nb": title},
        concepts=[Concept(code, {"nb": label}) for code, label in labels.items()],
    )


def registry_with_list(
    source: str, title: str, codes: CodeList, variables: list[tuple[str, str, str, str, str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """A central registry's dataset and a code list its variables hold, as the index takes them."""
    r = Registry(source, "central-registry", title, "FHI", "PHDR", "2018-01-01", None, "NON_PUBLIC", variables)
    info = SourceInfo(source, source.upper(), r.kind)
    docs = [*documents(registry_dataset(r), info), *documents(codes, info)]
    lists = {doc["key"]: doc["coded"] for doc in docs if doc["type"] == "codelist"}
    return list(complete(docs, lists.get))


def test_a_part_of_a_compound_in_the_datasets_title_or_a_codes_label_finds_the_variable(empty: SearchBackend) -> None:
    """On the demo "influensa" found no variable: only SYSVAK's dataset title and a vaccine's
    label hold it, each in a compound, and those were indexed whole (`Decompounder.with_parts`)."""
    empty.upsert(vaccination_registry())
    result = search(empty, "influensa")
    assert names(result) == ["sysvak/VAKSINEKODE", "sysvak/DOSENUMMER"]  # the code's label weighs more
    assert [tuple(c) for c in hit_of(result, "sysvak/VAKSINEKODE").matched_codes] == [("INFLU", "Sesonginfluensa")]
    assert not result.typos and not result.any_words
    assert names(search(empty, "vaksinasjon")) == ["sysvak/VAKSINEKODE", "sysvak/DOSENUMMER"]
    assert names(search(empty, "influenza")) == ["sysvak/VAKSINEKODE", "sysvak/DOSENUMMER"]  # a shipped synonym
    assert search(empty, "kusma").total == 1  # the labels' own words, as before


def test_a_code_whose_label_holds_the_word_in_a_compound_is_named_beside_the_hit(empty: SearchBackend) -> None:
    """On the demo "komplikasjoner" listed KPR's ICPC-2 diagnoses first, found by "Hypertensjon med
    organkomplikasjoner", and named no code beside them: the hits matched the compound's listed
    part, the code's label was compared word for word."""
    diagnoses = code_list(
        "icpc2", "ICPC-2", {"K86": "Hypertensjon ukomplisert", "K87": "Hypertensjon med organkomplikasjoner"}
    )
    coded = {"coding_system": "ICPC-2", "codelist": diagnoses.uri}
    variables = [("DIAGNOSE", "Diagnose (ICPC-2)", "Diagnosis (ICPC-2)", "Diagnosen ved kontakten.", "string", coded)]
    empty.upsert(registry_with_list("kpr", "Legekontakter", diagnoses, variables))
    result = search(empty, "komplikasjoner")
    assert [tuple(c) for c in hit_of(result, "kpr/DIAGNOSE").matched_codes] == [
        ("K87", "Hypertensjon med organkomplikasjoner")
    ]


def test_a_code_of_letters_in_a_list_of_no_classification_finds_its_variables(empty: SearchBackend) -> None:
    """On the demo "MMR" and "HPV" found nothing though SYSVAK's vaccine codes are those: only a
    code holding a digit is looked up among codes, and a local list's codes were not words."""
    empty.upsert(vaccination_registry())
    for typed in ("MMR", "mmr", "influ"):
        result = search(empty, typed)
        assert names(result) == ["sysvak/VAKSINEKODE"], typed
    assert [tuple(c) for c in hit_of(search(empty, "mmr"), "sysvak/VAKSINEKODE").matched_codes] == [
        ("MMR", "Meslinger, kusma og røde hunder")
    ]
    assert search(empty, "mmr", type="codelist").total == 1


def quality_registry(source: str, title: str, name: str, label: str) -> list[dict[str, Any]]:
    """The documents of a quality registry with one variable that does not say what it is about."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [(name, label, label, label + ".", "string", {})]
    r = Registry(source, "quality-registry", title, "Helse Bergen", "PHDR", "2005-01-01", None, "NON_PUBLIC", variables)
    return list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind)))


def test_a_registrys_variables_are_found_by_what_its_name_says_it_is_about(empty: SearchBackend) -> None:
    """On the demo "hoftebrudd" and "diabetes" found none of the hip fracture or diabetes
    registries' variables: they say "Operasjonsmetode" and "HbA1c", and the registry's name, a
    compound in their dataset's title, was indexed whole."""
    empty.upsert(quality_registry("nhfr", "Nasjonalt hoftebruddregister", "OPMETODE", "Operasjonsmetode"))
    empty.upsert(quality_registry("msreg", "Norsk MS-register og biobank", "EDSS", "EDSS ved inklusjon"))
    assert names(search(empty, "hoftebrudd")) == ["nhfr/OPMETODE"]
    assert names(search(empty, "brudd")) == ["nhfr/OPMETODE"]
    assert names(search(empty, "multippel sklerose")) == ["msreg/EDSS"]  # MS, as the name writes it


def test_a_typo_in_a_registrys_name_finds_its_variables_through_their_datasets_title(empty: SearchBackend) -> None:
    """On the demo "hoftebrudregister" found the hip fracture registry's four datasets by their
    titles but none of its variables: typos were looked for in names and labels only. A label's
    typo still weighs more than the title's."""
    empty.upsert(quality_registry("nhfr", "Nasjonalt hoftebruddregister", "OPMETODE", "Operasjonsmetode"))
    result = search(empty, "hoftebrudregister")
    assert names(result) == ["nhfr/OPMETODE"] and result.typos == 1
    empty.upsert(quality_registry("npr", "Norsk pasientregister", "HOFTEBRUDDREG", "Hoftebruddregister"))
    assert names(search(empty, "hoftebrudregister")) == ["npr/HOFTEBRUDDREG", "nhfr/OPMETODE"]
    assert names(search(empty, "hoftebruddregister")) == ["npr/HOFTEBRUDDREG", "nhfr/OPMETODE"]  # as typed


def test_a_registrys_variables_are_found_by_its_datasets_keywords(empty: SearchBackend) -> None:
    """On the demo "demens" found none of NorKog's variables (they say "MMSE") nor its datasets:
    its name says "kognitive symptomer", and only its keywords say "demens"."""
    title = "Norsk register for personer som utredes for kognitive symptomer (NorKog)"
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("MMSE_INN", "MMSE ved inklusjon", "MMSE at inclusion", "Mini-Mental Status.", "integer", {})
    ]
    r = Registry(
        "norkog", "quality-registry", title, "St. Olavs hospital", "PHDR", "2009-01-01", None, "NON_PUBLIC", variables
    )
    dataset = dataclasses.replace(registry_dataset(r), keywords={"nb": ["demens", "kognitiv svikt", "norkog"]})
    empty.upsert(list(documents(dataset, SourceInfo(r.source, r.title, r.kind))))
    assert names(search(empty, "demens")) == ["norkog/MMSE_INN"]
    assert names(search(empty, "kognitiv svikt")) == ["norkog/MMSE_INN"]
    assert search(empty, "demens", type="dataset").total == 1
    assert search(empty, "mmse demens").total == 1  # the variable's own words and its dataset's together


def test_a_datasets_keyword_that_one_of_its_variables_says_finds_that_variable_alone(empty: SearchBackend) -> None:
    """MFR's births have "fødselsvekt" among their keywords because VEKT is one of their variables:
    given to every variable, it made "fødselsvekt" find Kjønn too, and "fødselsvekt røyking" list
    the smoking variables alone (the researchers' drill). A keyword none of them says (the
    registry's subject) is still every variable's, as NorKog's "demens" above."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("VEKT", "Fødselsvekt", "Birth weight", "Barnets vekt ved fødsel i gram.", "integer", {}),
        ("KJONN", "Kjønn", "Sex", "Barnets kjønn.", "string", {}),
        ("ROYK", "Røyking i svangerskapet", "Smoking in pregnancy", "Mors røyking.", "string", {}),
    ]
    r = Registry("mfr", "central-registry", "Fødsler", "FHI", "PHDR", "1967-01-01", None, "NON_PUBLIC", variables)
    keywords = {"nb": ["fødselsvekt", "røyking", "perinatal"]}
    empty.upsert(
        list(documents(dataclasses.replace(registry_dataset(r), keywords=keywords), SourceInfo("mfr", "MFR", r.kind)))
    )
    assert names(search(empty, "fødselsvekt")) == ["mfr/VEKT"]
    both = search(empty, "fødselsvekt røyking")
    assert set(names(both)) == {"mfr/VEKT", "mfr/ROYK"} and both.any_words
    assert set(names(search(empty, "perinatal"))) == {"mfr/VEKT", "mfr/KJONN", "mfr/ROYK"}  # the subject
    assert search(empty, "fødselsvekt", type="dataset").total == 1  # the dataset keeps its keywords


def test_a_datasets_variables_are_found_by_its_title_in_another_language(empty: SearchBackend) -> None:
    """On the demo "physiotherapy" and "congenital anomalies" found none of the variables of KPR's
    "Fysioterapi" (38) and MFR's "Medfødte misdannelser" (43): their labels are Norwegian, and only
    their dataset's title says it in English."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("BEHANDLINGER", "Antall behandlinger", "Antall behandlinger", "Behandlinger i året.", "integer", {})
    ]
    r = Registry("kpr", "central-registry", "Fysioterapi", "Hdir", "PHDR", "2017-01-01", None, "NON_PUBLIC", variables)
    dataset = dataclasses.replace(registry_dataset(r), title={"nb": "Fysioterapi", "en": "Physiotherapy"})
    empty.upsert(list(documents(dataset, SourceInfo(r.source, r.title, r.kind))))
    assert names(search(empty, "physiotherapy")) == ["kpr/BEHANDLINGER"]
    assert names(search(empty, "fysioterapi")) == ["kpr/BEHANDLINGER"]  # as before
    assert names(search(empty, "physiotherapy behandlinger")) == ["kpr/BEHANDLINGER"]
    assert search(empty, "physiotherapy", type="dataset").total == 1


@pytest.mark.parametrize(
    ("typed", "parts", "found"),
    [
        ("morsalder", "mors alder", {"mfr/MORS_ALDER", "nnk/MOR_ALDER", "npr/ALDER_MOR"}),
        ("røykeslutt", "røyke slutt", {"mfr/ROYK_SLUTT"}),  # the stemmer takes the linking e off
        ("blodtrykkmåling", "blodtrykk måling", {"hunt/BT_SYS", "hunt/BT_DIA"}),
    ],
)
def test_a_compound_the_catalogue_writes_apart_finds_its_two_words(
    loaded: SearchBackend, typed: str, parts: str, found: set[str]
) -> None:
    """On the demo "kreftdiagnose", "morsalder" and "influensavaksine" found nothing: Norwegian
    writes compounds as one word, researchers make their own, and the catalogue says "Mors alder".
    A long word matching nothing as written is searched as the two words it is made of, where
    they match together, and the result says so (before any typo is tolerated)."""
    result = search(loaded, typed)
    assert set(names(result)) == found
    assert result.split_words == ((typed, parts),) and not result.typos and not result.any_words
    assert search(loaded, typed, disjunctive=True).total == result.total  # the page's counts agree


def test_a_compound_whose_words_are_nowhere_together_finds_either_and_says_so(loaded: SearchBackend) -> None:
    """The last resort before nothing: "metforminsivilstand" is metformin or sivilstand (no
    variable holds both); "blodtrykkmønster" is blodtrykk alone, since no variable says "mønster";
    "vektdiagnose" is diagnose alone: a short stem beside a long one says little (on the demo
    "insulinbruk" listed "Bruker snus" first, "fødselsvektdata" 704 variables of "data")."""
    either = search(loaded, "metforminsivilstand")
    assert either.any_words and either.split_words == (("metforminsivilstand", "metformin sivilstand"),)
    assert {"diabetes/METFORMIN", "ssb/SIVILSTAND"} <= set(names(either))
    longer = search(loaded, "vektdiagnose")
    assert longer.split_words == (("vektdiagnose", "diagnose"),) and "mfr/VEKT" not in names(longer)
    alone = search(loaded, "blodtrykkmønster")
    assert set(names(alone)) == {"hunt/BT_SYS", "hunt/BT_DIA"}
    assert alone.any_words and alone.split_words == (("blodtrykkmønster", "blodtrykk"),)
    assert search(loaded, "blodtrykkmønster", disjunctive=True).total == alone.total


@pytest.mark.parametrize(
    ("typed", "first", "found"),
    [
        ("røykestatus", "røyke", {"hunt/ROYK", "mfr/ROYK_START", "mfr/ROYK_SLUTT"}),
        ("blodtrykkverdi", "blodtrykk", {"hunt/BT_SYS", "hunt/BT_DIA"}),
        ("hjerteinfarktdata", "hjerteinfarkt", {"hkr/AMI"}),
    ],
)
def test_a_compound_ending_in_what_kind_of_value_is_its_first_word(
    loaded: SearchBackend, typed: str, first: str, found: set[str]
) -> None:
    """On the demo "røykestatus" (smoking status: no variable says it) was "status", its longer
    stem, and listed "Vitalstatus" first; "fødselsvektdata" fell to "fødsel" (421 variables,
    "Induksjon av fødsel" first) once "data" was a stop word. A compound ending in a word that
    says what kind of value, not what about (status, type, verdi, data ...), is its first word."""
    result = search(loaded, typed)
    assert set(names(result)) >= found and "bryst/HER2" not in names(result)
    assert result.split_words == ((typed, first),) and not result.any_words and not result.typos
    assert search(loaded, typed, disjunctive=True).total == result.total


def test_a_compound_whose_head_alone_is_a_word_is_what_its_first_part_is_part_of(empty: SearchBackend) -> None:
    """On the demo "strålebehandling" (radiotherapy: no variable says it) was "behandling": 1,702
    variables, satisfaction with treatment first, while the children's cancer registry's
    "Stråledose" said what was asked about. The compound's first part is searched where the
    catalogue writes it inside its words; when it is nowhere, neither part is. ("stråle" is a
    synonym of "strålebehandling" since: "røntgenbehandling" is such a compound.)"""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("RONTGENDOSE", "Røntgendose", "X-ray dose", "Samlet røntgendose i mSv.", "decimal", {}),
        ("FORNOYD", "Fornøyd med behandlingen", "Satisfied with treatment", "Skala 1-5.", "integer", {}),
    ]
    r = Registry(
        "nkr", "quality-registry", "Barnekreftregisteret", "OUS", "PHDR", "2010-01-01", None, "NON_PUBLIC", variables
    )
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    result = search(empty, "røntgenbehandling")
    assert names(result) == ["nkr/RONTGENDOSE"]
    assert result.split_words == (("røntgenbehandling", "røntgen"),) and result.any_words
    assert search(empty, "røntgenbehandling", disjunctive=True).total == result.total
    assert search(empty, "qzxbehandling").total == 0  # its first part is no word: no treatment either


@pytest.mark.parametrize("query", ["dato for innleggelse", "innleggelse dato"])
def test_two_words_written_apart_find_the_label_that_compounds_them_first(empty: SearchBackend, query: str) -> None:
    """On the demo "dato for innleggelse" listed "Vaksinasjonsdato, ved innleggelse" above the
    registries' "Innleggelsesdato" (both words are parts of it, matched as such with less weight
    than a whole word), and "årsak til død" "Sivilstand ved død" above "Dødsårsak". (The
    OpenSearch emulator, not Lucene, ranked it first before too: it fails on tantivy alone.)"""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        (
            "VAKSDATO_INN",
            "Vaksinasjonsdato, ved innleggelse",
            "Date of vaccination",
            "Vaksinasjonsdato, ved innleggelse, slik det er registrert.",
            "date",
            {},
        ),
        ("INNDATO", "Innleggelsesdato", "Date of admission", "Innleggelsesdato, slik det er registrert.", "date", {}),
    ]
    variables += [(f"X{i}", f"Annet {i}", f"Other {i}", "Noe.", "integer", {}) for i in range(50)]  # words as rare
    r = Registry(
        "npr", "central-registry", "Norsk pasientregister", "Hdir", "PHDR", "2008-01-01", None, "NON_PUBLIC", variables
    )
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    assert names(search(empty, query)) == ["npr/INNDATO", "npr/VAKSDATO_INN"]


def test_a_part_the_stemmer_cuts_to_a_short_stem_is_not_searched_alone(loaded: SearchBackend) -> None:
    """On the demo "beintetthet" (bone density: no variable says it) listed 818 variables as
    "etthet", which stems to "ett", as "etter" does: "Apgar-skår etter 5 minutter" and every
    other label with "etter". A fragment is no word: nothing is found."""
    result = search(loaded, "beintetthet")
    assert result.total == 0 and "mfr/APGAR5" not in names(result)


def test_a_query_whose_only_matching_word_is_a_number_finds_nothing(loaded: SearchBackend) -> None:
    """On the demo "phq-9" (a depression questionnaire no variable names) listed the Apgar scores
    as any of its words, "9"; "gad-7" the ICD-7 localisations. A number alone says nothing."""
    assert search(loaded, "phq-5").total == 0
    assert "mfr/APGAR5" in names(search(loaded, "apgar 5"))  # with a word that matches, as before


@pytest.mark.parametrize("typed", ["tannlege", "muligheter"])
def test_a_word_the_stemmer_cuts_short_tolerates_only_the_typos_its_stem_allows(
    loaded: SearchBackend, typed: str
) -> None:
    """Typos are compared with stems: "tannlege" (dentist: no variable says it) is stemmed "tann",
    and two edits, as its eight letters allowed, made it "canc", "pain" and "twin": the demo
    listed 1,241 variables, twins first. "muligheter" ("mul") found mothers' ages by "mor"."""
    result = search(loaded, typed)
    assert result.total == 0 and not result.corrected


def test_status_beside_other_words_says_what_kind_of_value_not_what_about(loaded: SearchBackend) -> None:
    """On the demo "smoking status" fell to any word, "Vitalstatus" first, then HER2-status; "hiv
    status" the same. "status" beside other words is dropped as a stop word is; a phrase of the
    lists keeps its meaning ("marital status" is sivilstand), and alone it is searched."""
    smoking = search(loaded, "smoking status")
    assert {"hunt/ROYK", "mfr/ROYK_START"} <= set(names(smoking)) and "bryst/HER2" not in names(smoking)
    assert not smoking.any_words and not smoking.typos
    assert "ssb/SIVILSTAND" in names(search(loaded, "marital status"))
    assert "bryst/HER2" in names(search(loaded, "status"))


def test_a_short_stem_takes_no_typo_in_a_datasets_title(loaded: SearchBackend) -> None:
    """On the demo "karies" (caries: no variable says it), stemmed "kari", was one edit from "kar"
    of "Hjerte- og karregisteret", and the register's 25 variables were listed, "Bostedsfylke"
    first. A title takes a typo of a long stem only ("hoftebrudregister", above), and one edit."""
    result = search(loaded, "karies")
    assert result.total == 0 and not any(n.startswith("hkr/") for n in names(result))


def test_a_stem_of_four_letters_takes_no_typo(empty: SearchBackend) -> None:
    """On the demo "uføre" (disability: no variable says it), stemmed "ufør", was one edit from
    "før" and listed 159 variables, "Mors kroppsmasseindeks før svangerskapet" first; "bor alene"
    found "Smittestoff (agens)" by "alen"."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("MORS_BMI", "Mors kroppsmasseindeks før svangerskapet", "Mother's BMI", "Kg/m2.", "decimal", {}),
        ("AGENS", "Smittestoff (agens)", "Infectious agent", "Påvist agens.", "string", {}),
    ]
    r = Registry(
        "mfr",
        "central-registry",
        "Medisinsk fødselsregister",
        "FHI",
        "PHDR",
        "1967-01-01",
        None,
        "NON_PUBLIC",
        variables,
    )
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    assert search(empty, "uføre").total == 0
    assert search(empty, "alene").total == 0
    assert names(search(empty, "kroppsmasseindex")) == ["mfr/MORS_BMI"]  # a long stem's typo, as before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tromsø7", {"tromso/ROYK", "tromso/VEKT", "tromso/SOVN"}),  # the wave's title: "Tromsø 7"
        ("her 2", {"bryst/HER2"}),  # the label: "HER2-status"
    ],
)
def test_a_name_and_its_number_are_found_written_together_or_apart(
    loaded: SearchBackend, typed: str, expected: set[str]
) -> None:
    """On the demo "hunt 3 blodtrykk" fell to any word (720 rows: "Blodtrykk etter 3 måneder"
    first) though HUNT3's blood pressure variables are there, and "tromsø7" found nothing."""
    result = search(loaded, typed)
    assert set(names(result)) == expected and not result.any_words and not result.typos


@pytest.mark.parametrize(
    ("typed", "meant"), [("caesarean sectin", "caesarean section"), ("cause of deth", "cause of death")]
)
def test_a_misspelt_word_of_a_listed_phrase_finds_what_the_phrase_finds(
    loaded: SearchBackend, typed: str, meant: str
) -> None:
    """On the demo "blood presure" found nothing: its words were corrected one at a time, and no
    word alone is a synonym of blodtrykk, the phrase is (the registries label it in bokmål)."""
    result = search(loaded, typed)
    assert set(names(result)) == set(names(search(loaded, meant))) and meant in result.corrected


def test_a_misspelt_word_is_not_taken_for_a_compound(loaded: SearchBackend) -> None:
    """ "hjertinfarkt" is "hjert" + "infarkt" too, but one edit from the synonym "hjerteinfarkt":
    a typo, as before."""
    result = search(loaded, "hjertinfarkt")
    assert result.typos == 1 and result.split_words == ()


@pytest.mark.parametrize("typed", ["hba1", "HbA1", "apgar5"])
def test_a_last_word_typed_up_to_its_digits_finds_what_starts_so(loaded: SearchBackend, typed: str) -> None:
    assert names(search(loaded, typed))[0] in ("diabetes/HBA1C", "mfr/APGAR5")


def test_a_whole_word_ranks_above_a_compound_holding_it(loaded: SearchBackend) -> None:
    found = names(search(loaded, "vekt", limit=20))
    assert found.index("hunt/VEKT") < found.index("mfr/PLACENTAVEKT")


def test_all_words_must_match(loaded: SearchBackend) -> None:
    result = search(loaded, "røyking svangerskapets slutt")
    assert names(result) == ["mfr/ROYK_SLUTT"] and not result.any_words


def test_words_with_no_common_hit_give_the_hits_of_either_and_say_so(loaded: SearchBackend) -> None:
    result = search(loaded, "hjerteinfarkt inntekt")
    assert result.any_words and not result.typos
    assert {"hkr/AMI", "ssb/INNTEKT"} <= set(names(result))
    assert search(loaded, "hjerteinfarkt inntekt", any_words=False).total == 0
    assert search(loaded, "hjerteinfarkt inntekt", any_words=True).total == result.total


def test_words_with_no_common_hit_list_the_rarer_words_hits_first(loaded: SearchBackend) -> None:
    """ "antibiotika barn" on the demo (36 and 631 variables, none with both) listed every label
    starting with "barn" before any antibiotic: the rarer word says more of what was sought."""
    result = search(loaded, "apgar røyking", limit=20)  # one Apgar score; smoking in three labels
    assert result.any_words
    assert names(result)[0] == "mfr/APGAR5" and {"mfr/ROYK_START", "hunt/ROYK"} <= set(names(result))
    assert names(search(loaded, "placenta røyking", limit=20))[0] == "mfr/PLACENTAVEKT"


def breast_cancer_registry() -> list[dict[str, Any]]:
    """A breast cancer register whose sex variable holds "Kvinne" and whose other variables say
    nothing of whom they are about, as the demo's cancer registry."""
    sexes = code_list("kjonn", "Kjønn", {"1": "Mann", "2": "Kvinne"})
    variables = [
        ("KJONN", "Kjønn", "Sex", "Pasientens kjønn.", "string", {"codelist": sexes.uri}),
        ("SVULST", "Svulststørrelse ved brystkreft", "Tumour size", "Største diameter i mm.", "integer", {}),
        ("HER2", "HER2-status ved brystkreft", "HER2 status", "HER2 ved diagnosen.", "string", {}),
        ("MENOPAUSE", "Menopausestatus ved brystkreft", "Menopausal status", "Gjelder kvinner.", "string", {}),
    ]
    return registry_with_list("brystkreft", "Brystkreftregisteret", sexes, variables)


@pytest.mark.parametrize("typed", ["brystkreft hos kvinner", "brystkreft kvinne", "breast cancer in women"])
def test_a_word_of_whom_the_data_are_about_orders_the_hits_without_restricting_them(
    empty: SearchBackend, typed: str
) -> None:
    """On the demo "brystkreft hos kvinner" and "breast cancer in women" found one variable, the
    breast cancer register's "Kjønn" (its code "Kvinne"), of 122 for "brystkreft": a variable
    seldom says whom its data are about. Such a word beside others is optional, and says so; the
    hits holding it come first among equals (`OPTIONAL_SCORE`: on the demo a label holding the
    other words stays above "Kjønn" holding it)."""
    empty.upsert(breast_cancer_registry())
    alone = search(empty, "brystkreft")
    result = search(empty, typed)
    assert result.total == alone.total == 4 and not result.any_words
    assert result.optional_words == tuple(typed.split()[-1:])
    found = names(result)
    assert found[0] == "brystkreft/MENOPAUSE"  # both words: "Gjelder kvinner"
    counted = search(empty, typed, limit=0, disjunctive=True)
    assert counted.total == 4 and counted.facets == alone.facets | counted.facets


def test_words_of_whom_alone_are_required(empty: SearchBackend) -> None:
    empty.upsert(breast_cancer_registry())
    result = search(empty, "kvinner")
    assert set(names(result)) == {"brystkreft/KJONN", "brystkreft/MENOPAUSE"} and not result.optional_words
    both = search(empty, "pregnant women")  # two such words: both required, as typed, then either
    assert both.any_words and not both.optional_words
    assert search(empty, "pregnant women", any_words=False).total == 0


def test_a_compound_beside_a_word_of_whom_falls_to_its_part_not_to_that_word(empty: SearchBackend) -> None:
    """On the demo "insulinbruk barn" listed "Barnets fødselsdato" and every label starting with
    "barn" (any of the words): with the word of whom optional, the compound's part is searched."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("INSULIN", "Insulinbehandling", "Insulin treatment", "Bruker insulin.", "string", {}),
        ("FODT", "Barnets fødselsdato", "Child's date of birth", "Dato.", "date", {}),
    ]
    empty.upsert(quality_registry("diab", "Diabetesregister", "INSULIN", "Insulinbehandling"))
    r = Registry("mfr", "central-registry", "Fødsler", "FHI", "PHDR", "2000-01-01", None, "NON_PUBLIC", variables[1:])
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    result = search(empty, "insulinbruk barn")
    assert names(result) == ["diab/INSULIN"] and result.optional_words == ("barn",)


@pytest.mark.parametrize("typed", ["mother smoking", "mors røyking", "smoking mothers"])
def test_a_variable_is_found_by_whom_its_datasets_population_says_the_data_are_about(
    empty: SearchBackend, typed: str
) -> None:
    """On the demo "mother smoking" missed MFR's "Røyking ved svangerskapets slutt" (English
    "Smoking at end of pregnancy") in all five of its datasets: the mother's smoking, which only the
    registry's population says ("Alle fødsler i Norge ..., mødre og barn"). A cohort of smokers
    whose population says nothing of mothers is not found by it."""
    births: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("ROYK_SLUTT", "Røyking ved svangerskapets slutt", "Smoking at end of pregnancy", "Røyking.", "string", {}),
        ("FARS_ALDER", "Fars alder ved fødselen", "Paternal age", "Alder i år.", "integer", {}),
    ]
    survey: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("ROYK", "Røyker daglig", "Daily smoker", "Røyker du?", "string", {})
    ]
    mfr = Registry("mfr", "central-registry", "Fødsler", "FHI", "PHDR", "1967-01-01", None, "NON_PUBLIC", births)
    hunt = Registry("hunt", "health-survey", "HUNT4", "NTNU", "PHDR", "2017-01-01", None, "NON_PUBLIC", survey)
    population = {"nb": "Alle fødsler i Norge etter 12. svangerskapsuke, mødre og barn."}
    for r, whom in ((mfr, population), (hunt, {"nb": "Innbyggere i Nord-Trøndelag."})):
        dataset = dataclasses.replace(registry_dataset(r), population_coverage=whom)
        empty.upsert(list(documents(dataset, SourceInfo(r.source, r.title, r.kind))))
    result = search(empty, typed)
    assert names(result) == ["mfr/ROYK_SLUTT"] and not result.any_words and not result.typos
    assert names(search(empty, "fars alder")) == ["mfr/FARS_ALDER"]  # a label saying whom still counts


def test_a_word_of_whom_is_not_matched_among_code_labels(empty: SearchBackend) -> None:
    """ "kreft kvinner" listed the cancer registry's "Kjønn" first on the demo: its code "Kvinne"
    says the variable records sex, not that its data are about women."""
    sexes = code_list("kjonn", "Kjønn", {"1": "Mann", "2": "Kvinne"})
    variables = [
        ("KJONN", "Kjønn", "Sex", "Pasientens kjønn.", "string", {"codelist": sexes.uri}),
        ("DIAGNOSE", "Diagnose", "Diagnosis", "Kreftdiagnosen.", "string", {}),
    ]
    empty.upsert(registry_with_list("kreft", "Kreftregisteret", sexes, variables))
    result = search(empty, "kreft kvinner")
    alone = search(empty, "kreft")
    assert result.optional_words == ("kvinner",) and result.total == alone.total == 2
    assert hit_of(result, "kreft/KJONN").score == pytest.approx(hit_of(alone, "kreft/KJONN").score)


def test_the_other_names_of_a_code_are_searched_as_words_too(empty: SearchBackend) -> None:
    """ "dementia" found 84 variables on the demo and "demens" 204: a code's other names only
    added its codes, and NorKog's variables say "demens" in their dataset's keywords alone."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("MMSE", "MMSE ved inklusjon", "MMSE at inclusion", "Mini-Mental Status.", "integer", {})
    ]
    r = Registry(
        "norkog", "quality-registry", "NorKog", "St. Olavs", "PHDR", "2009-01-01", None, "NON_PUBLIC", variables
    )
    dataset = dataclasses.replace(registry_dataset(r), keywords={"nb": ["demens"]})
    empty.upsert(list(documents(dataset, SourceInfo(r.source, r.title, r.kind))))
    assert names(search(empty, "demens")) == ["norkog/MMSE"]
    assert names(search(empty, "dementia")) == ["norkog/MMSE"]


@pytest.mark.parametrize(
    "typed",
    [
        "røyking under svangerskapet",
        "røyking før svangerskapet",
        "røykjevanar under svangerskapet",  # nynorsk: "røykje-" is "røyke-" in bokmål
        "røykjing under svangerskapet",
        "smoking before pregnancy",
        "smoking after the pregnancy",
    ],
)
def test_a_preposition_beside_other_words_orders_the_hits_without_restricting_them(
    loaded: SearchBackend, typed: str
) -> None:
    """On the demo "røyking under svangerskapet" found one variable, by its dataset's title "Mors
    helse før og under svangerskapet", and "røyking i svangerskapet" seven: "i" is a stop word,
    and MFR's labels say "Røyking ved svangerskapets slutt". A preposition of time or bound beside
    other words is optional, and goes unsaid, as a stop word does (not a word of whom)."""
    result = search(loaded, typed)
    assert not result.any_words and not result.typos and not result.optional_words
    assert set(names(result)[:2]) == {"mfr/ROYK_START", "mfr/ROYK_SLUTT"}


def test_a_label_saying_the_preposition_comes_first_and_a_compound_starting_with_it_does_not(
    empty: SearchBackend,
) -> None:
    """ "under" orders the hits as a whole word: "alkohol under svangerskapet" listed the cause of
    death registry's "Underliggende dødsårsak" first on the demo. A label holding every other word
    scores as for "i", a stop word."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("ROYK_UNDER", "Røyking under svangerskapet", "Smoking in pregnancy", "Mors røyking.", "string", {}),
        ("ROYK_SLUTT", "Røyking ved svangerskapets slutt", "Smoking at end", "Mors røyking.", "string", {}),
        ("ROYK_US", "Røyking ved undersøkelse i svangerskapet", "Smoking at check-up", "Røyking.", "string", {}),
        ("ALDER", "Mors alder under svangerskapet", "Mother's age", "Alder i år.", "integer", {}),
    ]
    r = Registry("mfr", "central-registry", "Fødsler", "FHI", "PHDR", "2000-01-01", None, "NON_PUBLIC", variables)
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    result = search(empty, "røyking under svangerskapet")
    plain = search(empty, "røyking i svangerskapet")
    assert names(result)[0] == "mfr/ROYK_UNDER" and set(names(result)) == set(names(plain)) == {
        "mfr/ROYK_UNDER",
        "mfr/ROYK_SLUTT",
        "mfr/ROYK_US",
    }
    for name in ("mfr/ROYK_SLUTT", "mfr/ROYK_US"):
        assert hit_of(result, name).score == pytest.approx(hit_of(plain, name).score)
    assert set(names(search(empty, "under"))) == {"mfr/ROYK_UNDER", "mfr/ALDER"}  # alone, required as any word


@pytest.mark.parametrize("typed", ["ICD-10 codes", "ICD-10 koder", "icd-10 kode"])
def test_a_word_for_codes_beside_a_classification_restricts_nothing(loaded: SearchBackend, typed: str) -> None:
    """ "ICD-10 codes" found the four "Refusjonskode (ICPC-2/ICD-10)" variables on the demo,
    against 173 for "ICD-10": diagnosis variables' labels seldom say "code"."""
    assert set(names(search(loaded, typed))) >= set(names(search(loaded, "ICD-10")))


def test_a_precise_query_with_a_preposition_keeps_its_variable_first(loaded: SearchBackend) -> None:
    assert names(search(loaded, "kroppsmasseindeks før svangerskapet"))[0] == "mfr/MORS_BMI"
    assert names(search(loaded, "apgar after 5 minutes"))[0] == "mfr/APGAR5"


@pytest.mark.parametrize("typed", ["hvor mange røyker", "kor mange røykjer", "hvor mye røyking"])
def test_a_question_in_norwegian_is_searched_for_what_it_asks_about(loaded: SearchBackend, typed: str) -> None:
    """ "hvor mange røyker" fell to any word on the demo, "Legebesøk siste år" first (its
    question says "Hvor mange ganger ..."): the English "how many smokers" did not."""
    result = search(loaded, typed)
    assert not result.any_words and "hunt/ROYK" in names(result)


def test_a_registers_acronym_is_not_the_stem_of_an_answer(empty: SearchBackend) -> None:
    """ "DÅR" listed self-rated health's 28 variables first on the demo: the stemmer makes its
    answer "Dårlig" "dår"."""
    health = code_list("helse", "Helse", {"1": "God", "2": "Dårlig"})
    rated = [
        ("HELSE", "Egenvurdert helse", "Self-rated health", "Hvordan er helsa di?", "string", {"codelist": health.uri})
    ]
    empty.upsert(registry_with_list("hunt", "HUNT", health, rated))
    empty.upsert(quality_registry("dar", "Dødsårsaksregisteret", "DODSDATO", "Dødsdato"))
    assert names(search(empty, "DÅR")) == ["dar/DODSDATO"]
    assert names(search(empty, "dødsårsaksregisteret")) == ["dar/DODSDATO"]
    assert "hunt/HELSE" in names(search(empty, "dårlig"))


def test_an_acronym_written_in_capitals_in_an_edited_list_is_followed_without_a_restart(
    empty: SearchBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a word is an acronym is read from the list as it is now, not as it was when the
    word's query was first built."""
    path = synonyms_copy(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("DÅR,", "dår,"), encoding="utf-8")
    monkeypatch.setattr(empty, "synonyms", Synonyms(path))
    health = code_list("helse", "Helse", {"1": "God", "2": "Dårlig"})
    rated = [
        ("HELSE", "Egenvurdert helse", "Self-rated health", "Hvordan er helsa di?", "string", {"codelist": health.uri})
    ]
    empty.upsert(registry_with_list("hunt", "HUNT", health, rated))
    empty.upsert(quality_registry("dar", "Dødsårsaksregisteret", "DODSDATO", "Dødsdato"))
    assert "hunt/HELSE" in names(search(empty, "DÅR"))
    path.write_text(path.read_text(encoding="utf-8").replace("dår,", "DÅR,"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    time.sleep(WORD_LIST_RECHECK)
    assert names(search(empty, "DÅR")) == ["dar/DODSDATO"]


def test_a_compound_beside_a_word_that_matches_is_split_before_that_word_is_taken_alone(empty: SearchBackend) -> None:
    """ "insulinbruk graviditet" listed "Mors kroppsmasseindeks før svangerskapet" five times on
    the demo: any of the words was tried before the compound's parts."""
    empty.upsert(quality_registry("diab", "Diabetesregister", "INSULIN", "Insulinbehandling"))
    empty.upsert(quality_registry("mfr", "Fødselsregister", "BMI", "Mors kroppsmasseindeks i graviditet"))
    result = search(empty, "insulinbruk graviditet")
    assert names(result)[0] == "diab/INSULIN" and result.split_words == (("insulinbruk", "insulin"),)


def test_childhood_cancer_is_the_childhood_cancer_registry(empty: SearchBackend) -> None:
    """ "childhood cancer" gave 441 hits of any word on the demo, SYSVAK first."""
    empty.upsert(quality_registry("nbkr", "Barnekreftregisteret", "DIAGNOSE", "Diagnosedato"))
    empty.upsert(quality_registry("sysvak", "Vaksinasjonsregisteret", "ALDER", "Barnets alder"))
    result = search(empty, "childhood cancer")
    assert names(result) == ["nbkr/DIAGNOSE"] and not result.any_words


def test_the_rarest_word_matched_by_its_code_comes_before_a_common_words_labels(empty: SearchBackend) -> None:
    """ "metformin sivilstand" (no variable holds both) listed "Befolkning: sivilstand" above the
    metformin ATC codes on the demo: a label's match outweighed the rarer word's share."""
    atc = code_list("atc", "ATC", {"A10BA02": "Metformin", "N02BE01": "Paracetamol"})
    coded = [("ATC_KODE", "ATC-kode", "ATC code", "Legemidlets ATC-kode.", "string", {"codelist": atc.uri})]
    empty.upsert(registry_with_list("norpd", "Reseptregisteret", atc, coded))
    for i in range(12):
        empty.upsert(quality_registry(f"ssb{i}", f"Befolkning {i}", "SIVILSTAND", "Sivilstand"))
    result = search(empty, "metformin sivilstand", limit=20)
    assert result.any_words and names(result)[0] == "norpd/ATC_KODE"


def test_tia_finds_the_variables_holding_its_code(empty: SearchBackend) -> None:
    """ "TIA" and "drypp" found nothing on the demo: no name of G45 was listed."""
    icd = code_list("icd10", "ICD-10", {"G45": "Forbigående cerebral iskemi", "I63": "Hjerneinfarkt"})
    coded = [("HOVEDDIAGNOSE", "Hoveddiagnose", "Main diagnosis", "ICD-10.", "string", {"codelist": icd.uri})]
    empty.upsert(registry_with_list("npr", "Pasientregisteret", icd, coded))
    for typed in ("TIA", "drypp", "transient ischaemic attack"):
        assert names(search(empty, typed)) == ["npr/HOVEDDIAGNOSE"], typed


@pytest.mark.parametrize("typed", ["cardiovascular disease", "CVD", "hjerte- og karsykdom", "hjerte- og karsykdommer"])
def test_cardiovascular_disease_finds_the_variables_holding_a_code_of_icd10_chapter_ix(
    empty: SearchBackend, typed: str
) -> None:
    """On the demo "cardiovascular disease" fell back to any word (7 variables saying "disease",
    none about the heart) and "CVD" found nothing: no name stood for ICD-10's circulatory
    diseases, I00-I99. They find the variables holding one of those codes, and the Cardiovascular
    Disease Registry's dataset by its name (a related term, `=>` in synonyms.txt)."""
    icd = code_list("icd10", "ICD-10", {"E11": "Diabetes mellitus type 2", "I48": "Atrieflimmer og atrieflutter"})
    diabetes = code_list("icd10dm", "ICD-10", {"E11": "Diabetes mellitus type 2"})
    npr = [("HOVEDDIAGNOSE", "Hoveddiagnose", "Main diagnosis", "ICD-10.", "string", {"codelist": icd.uri})]
    diab = [("DIAGNOSE", "Diagnose", "Diagnosis", "Sykdom (disease), ICD-10.", "string", {"codelist": diabetes.uri})]
    empty.upsert(registry_with_list("npr", "Pasientregisteret", icd, npr))
    empty.upsert(registry_with_list("diab", "Diabetesregisteret", diabetes, diab))
    empty.upsert(quality_registry("hkr", "Hjerte- og karregisteret", "INNLAGT", "Innlagt"))
    result = search(empty, typed)
    assert names(result) == ["npr/HOVEDDIAGNOSE"] and not result.any_words, typed
    assert [tuple(c) for c in hit_of(result, "npr/HOVEDDIAGNOSE").matched_codes] == [
        ("I48", "Atrieflimmer og atrieflutter")
    ]
    datasets = search(empty, typed, type="dataset")
    assert [h.doc["label"] for h in datasets.hits] == ["Hjerte- og karregisteret"], typed


@pytest.mark.parametrize("typed", ["birth cohort", "birth cohorts", "fødselskohort", "mother-child cohort"])
def test_a_birth_cohort_is_the_mother_and_child_cohort(empty: SearchBackend, typed: str) -> None:
    """On the demo "birth cohort" fell back to any word (51 variables saying "birth", MFR's first,
    none of MoBa's) and "fødselskohort" to its parts (383 variables): MoBa, the Norwegian birth
    cohort, calls itself "The Norwegian Mother, Father and Child Cohort Study" ("kohort" among its
    keywords), never a birth cohort. Another cohort and a registry of births are not found by it."""
    studies = (
        (
            "moba",
            "Den norske mor, far og barn-undersøkelsen (MoBa)",
            "The Norwegian Mother, Father and Child Cohort Study (MoBa)",
        ),
        ("hunt", "Helseundersøkelsen i Trøndelag (HUNT)", "The Trøndelag Health Study (HUNT)"),
        ("mfr", "Medisinsk fødselsregister", "Medical Birth Registry of Norway"),
    )
    for source, nb, en in studies:
        variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
            ("FAAR", "Fødselsår", "Year of birth", f"Meldt til {nb}.", "integer", {})
        ]
        r = Registry(source, "health-survey", nb, "FHI", "PHDR", "1999-01-01", None, "NON_PUBLIC", variables)
        described = {"nb": f"{nb} er en stor befolkningsbasert helseundersøkelse.", "en": f"{en} is a health study."}
        keywords = {"nb": ["fødsel"] if source == "mfr" else ["helseundersøkelse", "kohort"]}
        dataset = dataclasses.replace(
            registry_dataset(r), title={"nb": "Spørreskjema 1"}, description=described, keywords=keywords
        )
        empty.upsert(list(documents(dataset, SourceInfo(source, nb, r.kind))))
    result = search(empty, typed)
    assert names(result) == ["moba/FAAR"] and not result.any_words and not result.split_words, typed
    datasets = search(empty, typed, type="dataset")
    assert [h.doc["source"] for h in datasets.hits] == ["moba"], typed


def test_a_compounds_part_that_only_qualifies_is_not_the_one_searched(empty: SearchBackend) -> None:
    """ "høydemåling" was "måling" on the demo, the NCMP codes' "Måling av HbA1c"."""
    empty.upsert(quality_registry("ncmp", "Prosedyrer", "HBA1C", "Måling av HbA1c"))
    empty.upsert(quality_registry("hunt", "HUNT", "HOYDE", "Høyde"))
    assert names(search(empty, "høydemåling")) == ["hunt/HOYDE"]


def test_a_number_beside_words_must_match_but_scores_nothing_alone(empty: SearchBackend) -> None:
    """ "diabetes 2" listed KPR's ICPC-2 diagnoses first on the demo: the "2" of "Diagnose
    (ICPC-2)" scored three times a label's match."""
    icpc = code_list("icpc2", "ICPC-2", {"T90": "Diabetes type 2", "K86": "Hypertensjon"})
    icd = code_list("icd10", "ICD-10", {"E11": "Diabetes mellitus type 2", "I21": "Akutt hjerteinfarkt"})
    kpr = [("DIAGNOSE", "Diagnose (ICPC-2)", "Diagnosis (ICPC-2)", "Diagnosen.", "string", {"codelist": icpc.uri})]
    dar = [("DODSARSAK", "Dødsårsak (ICD-10)", "Cause of death (ICD-10)", "Årsaken.", "string", {"codelist": icd.uri})]
    empty.upsert(registry_with_list("kpr", "Legekontakter", icpc, kpr))
    empty.upsert(registry_with_list("dar", "Dødsårsaker", icd, dar))
    result = search(empty, "diabetes 2")
    assert names(result) == names(search(empty, "diabetes")) == ["dar/DODSARSAK", "kpr/DIAGNOSE"]


@pytest.mark.parametrize(("query", "meant"), [("vekt type", "VEKT"), ("vekt score", "VEKT"), ("alder kode", "ALDER")])
def test_a_word_that_only_qualifies_is_no_rarer_for_it(loaded: SearchBackend, query: str, meant: str) -> None:
    """ "blood pressure level" on the demo listed NPR's "Level of care" first once rarer words came
    first: "level", "score", "type" are rare in a Norwegian catalogue, not rare in meaning."""
    result = search(loaded, query, limit=20)
    # (a word for codes restricts nothing, so "alder kode" finds what "alder" finds: `CODE_WORDS`)
    assert (result.any_words or query.endswith("kode")) and names(result)[0].endswith(meant)


def test_name_and_label_rank_above_description(loaded: SearchBackend) -> None:
    found = names(search(loaded, "vekt", limit=20))
    assert found.index("hunt/VEKT") < found.index("hunt/BMI")  # BMI says "vekt" only in its description
    assert found.index("mfr/VEKT") < found.index("mfr/MORS_BMI")


def test_an_exact_short_name_comes_before_a_near_one(loaded: SearchBackend) -> None:
    assert names(search(loaded, "MOR_ALDER"))[:2] == ["nnk/MOR_ALDER", "mfr/MORS_ALDER"]
    assert names(search(loaded, "mors_alder"))[:2] == ["mfr/MORS_ALDER", "nnk/MOR_ALDER"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("røyking og snus", "røyking snus"),
        ("røyking hos mor", "røyking mor"),  # "kreft hos barn" fell to any word on the demo (867 rows)
        ("smoking during pregnancy", "smoking pregnancy"),
        ("røyker mot daglig", "røyker daglig"),  # "vaksinert mot covid": "Reservasjon mot registrering" first
        ("hvilke variabler finnes om røyking", "røyking"),  # a question about the catalogue: fell to any word
        ("data on smoking", "smoking"),
        ("variables about smoking", "smoking"),  # fell to any word on the demo, as these did
        ("how many smokers", "smokers"),
        ("where can I find birth weight", "birth weight"),
    ],
)
def test_stop_words_do_not_have_to_match(loaded: SearchBackend, typed: str, meant: str) -> None:
    result, without = search(loaded, typed), search(loaded, meant)
    assert (names(result), result.any_words) == (names(without), without.any_words) and result.total


def test_datasets_are_searched_separately(loaded: SearchBackend) -> None:
    result = search(loaded, "hjerteinfarkt", type="dataset")
    assert [h.doc["name"] for h in result.hits] == ["hjerteinfarkt-data"]


# -- synonyms ------------------------------------------------------------------------------


def test_an_edited_synonym_list_changes_search_without_a_reindex(
    loaded: SearchBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = synonyms_copy(tmp_path)
    monkeypatch.setattr(loaded, "synonyms", Synonyms(path))
    assert search(loaded, "etterbyrd").total == 0
    with path.open("a", encoding="utf-8") as f:
        f.write("etterbyrd, placenta\n")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    time.sleep(WORD_LIST_RECHECK)  # an edit is seen within this
    assert names(search(loaded, "etterbyrd")) == ["mfr/PLACENTAVEKT"]


@pytest.mark.parametrize("query", ["prematur", "preterm birth", "for tidlig fødsel", "for tidlig født"])
def test_preterm_birth_also_finds_the_gestational_age_it_is_defined_by(loaded: SearchBackend, query: str) -> None:
    """The researchers' drill: these found only the diagnoses holding ICD-10 P07, never MFR's
    "Svangerskapslengde" (preterm: under 37 weeks), which a study of preterm birth uses. One way:
    "svangerskapslengde" is not about preterm birth (`Synonyms.related`)."""
    result = search(loaded, query, typos=False)
    assert set(names(result)) == {"mfr/SVLEN", "nnk/GESTASJONSALDER"}  # the corpus holds no P07
    assert result.related == (
        (query.removeprefix("for "), ("svangerskapslengde", "gestasjonsalder", "gestational age")),
    )
    precise = search(loaded, "svangerskapslengde")
    assert names(precise)[0] == "mfr/SVLEN" and not precise.related


def test_a_related_term_is_looked_for_in_names_and_labels_only(
    loaded: SearchBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A related term says what a variable is, not what a text mentions: MFR's datasets list
    "svangerskapslengde" among their keywords, and "prematur" would have listed all their variables."""
    path = synonyms_copy(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8") + "etterbyrd => morkake\netterbyrdsvekt => placentavekt\n", "utf-8"
    )
    monkeypatch.setattr(loaded, "synonyms", Synonyms(path))
    assert names(search(loaded, "morkake", typos=False)) == ["mfr/PLACENTAVEKT"]  # "Morkakens vekt i gram."
    assert search(loaded, "etterbyrd", typos=False).total == 0  # the description is not a label
    assert names(search(loaded, "etterbyrdsvekt", typos=False)) == ["mfr/PLACENTAVEKT"]
    assert search(loaded, "placentavekt").related == ()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tobakk", {"hunt/ROYK", "mfr/ROYK_START", "mfr/ROYK_SLUTT"}),
        ("AMI", {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT"}),
        ("body mass index", {"hunt/BMI", "mfr/MORS_BMI"}),
        ("KMI", {"hunt/BMI", "mfr/MORS_BMI"}),  # Norwegian abbreviations
        ("langtidsblodsukker", {"diabetes/HBA1C"}),  # what patients and many researchers call HbA1c
        ("maternal age", {"mfr/MORS_ALDER", "nnk/MOR_ALDER"}),  # "Mother's age" and "Mors alder"
        ("education level", {"ssb/UTDANNING"}),  # any word on the demo: NPR's "Level of care" first
        ("MFR", {"mfr/VEKT", "mfr/MORS_ALDER"}),  # the registers' acronyms, as researchers say them
        ("NPR", {"npr/HOVEDTILSTAND"}),
        ("KPR", {"kpr/DIAGNOSE_ICPC2", "kpr/FASTLEGE"}),
        ("DÅR", {"dar/UNDERLIGGENDE"}),
        ("HKR", {"hkr/AMI"}),
    ],
)
def test_shipped_synonyms_apply(loaded: SearchBackend, query: str, expected: set[str]) -> None:
    result = search(loaded, query)
    assert expected <= set(names(result))
    assert " ".join(words for words, _also in result.synonyms) == query  # what a page says was also searched


# -- highlighting --------------------------------------------------------------------------


def test_matched_words_are_marked(loaded: SearchBackend) -> None:
    [hit] = [h for h in search(loaded, "fodselsvekt").hits if ident(h.doc) == "mfr/VEKT"]
    assert hit.highlights["label"] == "<mark>Fødselsvekt</mark>"
    [hit] = [h for h in search(loaded, "vekt").hits if ident(h.doc) == "hunt/BMI"]
    assert hit.highlights["description"] == "<mark>Vekt</mark> i kg delt på høyde i meter i annen."


def test_highlighting_escapes_html_in_labels(empty: SearchBackend) -> None:
    doc = {
        **VARIABLES[0],
        "key": "evil",
        "label": "<script>alert(1)</script> vekt & høyde",
        "labels": {"nb": "<script>alert(1)</script> vekt & høyde"},
    }
    empty.upsert([doc])
    [hit] = search(empty, "vekt").hits
    assert hit.highlights["label"] == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>vekt</mark> &amp; høyde"


def norwegian_only(key: str, name: str, label: str, description: str = "", en: str = "") -> dict[str, Any]:
    """A variable labelled in bokmål alone, as most survey and registry lists are."""
    descriptions = {"nb": description or label, **({"en": en} if en else {})}
    return {
        **VARIABLES[0],
        "key": key,
        "name": name,
        "label": label,
        "labels": {"nb": label},
        "description": descriptions["nb"],
        "descriptions": descriptions,
        "group": key,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("daily smoker", "ROYK"),  # not "Defined daily doses" with "smoker" dropped
        ("smoker", "ROYK"),
        ("sleep", "SOVN"),
        ("alcohol", "ALKO"),  # as typed, not as a typo of "alkohol"
    ],
)
def test_english_words_find_variables_labelled_in_bokmal_alone(empty: SearchBackend, query: str, expected: str) -> None:
    empty.upsert(
        [
            norwegian_only("royk", "ROYK", "Røyker daglig"),
            norwegian_only("ddd", "DDD", "Definerte døgndoser (DDD)", en="Defined daily doses dispensed"),
            norwegian_only("sovn", "SOVN", "Søvnvansker"),
            norwegian_only("alko", "ALKO", "Alkohol, hyppighet"),
        ]
    )
    result = search(empty, query)
    assert [h.doc["name"] for h in result.hits][:1] == [expected]
    assert not result.typos and not result.any_words


def english_only(key: str, name: str, label: str) -> dict[str, Any]:
    """A variable labelled in English alone, as a DDI codebook from abroad labels it (IPUMS)."""
    return {
        **VARIABLES[0],
        "key": key,
        "name": name,
        "label": label,
        "labels": {"en": label},
        "description": label,
        "descriptions": {"en": label},
        "group": key,
    }


@pytest.mark.parametrize(
    "query", ["helsetilstand", "helsestatus", "health status", "self-rated health", "egenvurdert helse"]
)
def test_health_status_is_found_in_either_language_and_as_self_rated_health(empty: SearchBackend, query: str) -> None:
    """A drill on IPUMS-CPS's codebooks: "helsetilstand" found nothing among the English-only DDI
    variables, whose HEALTH is "Health status" (excellent ... poor, what self-rated health is asked
    as), and "self-rated health" did not find it either (synonyms.txt)."""
    empty.upsert([english_only("health", "HEALTH", "Health status"), english_only("age", "AGE", "Age")])
    result = search(empty, query)
    assert [h.doc["name"] for h in result.hits] == ["HEALTH"]
    assert not result.typos and not result.any_words


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("register", "REG"),  # Snowball: "register" -> regist, "registeret" -> register
        ("kreftregister", "KREFT"),  # a compound in its description, written the other way
        ("kreftregisteret", "KREFT"),
        ("registeret", "REGISTER"),
        ("alder", "ALDER"),  # "alder" -> ald, "alderen" -> alder
        ("nummeret", "NR"),
    ],
)
def test_a_noun_in_er_finds_its_definite_form_and_back(empty: SearchBackend, query: str, expected: str) -> None:
    empty.upsert(
        [
            norwegian_only("reg", "REG", "Innmeldt til registeret"),
            norwegian_only("kreft", "KREFT", "Diagnosedato", "Diagnosedato, slik det er registrert i Kreftregisteret."),
            norwegian_only("register", "REGISTER", "Register for pasienter"),
            norwegian_only("alder", "ALDER", "Alderen ved diagnose"),
            norwegian_only("nr", "NR", "Løpende nummer for pasienten"),
        ]
    )
    result = search(empty, query)
    assert expected in [h.doc["name"] for h in result.hits]
    assert not result.typos and not result.any_words and not result.split_words  # found as typed


@pytest.mark.parametrize(
    ("query", "broader", "expected"),
    [
        ("I21.4", "I21", {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"}),  # the lists hold I21, I21.0, I21.9
        ("E11.65", "E11", {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"}),  # two levels up: E11.6, then E11
    ],
)
def test_a_code_no_list_holds_finds_the_variables_holding_the_code_it_falls_under(
    loaded: SearchBackend, query: str, broader: str, expected: set[str]
) -> None:
    """A registry recording ICD-10 categories (the demo's "utvalg av kategorier") holds what a
    researcher asking for I21.0 or E11.9 wants; the search found nothing and said "no hits"."""
    result = search(loaded, query)
    assert result.broader_codes == ((query, broader),) and expected <= set(names(result))
    assert not result.typos and not result.any_words
    counted = search(loaded, query, typos=result.typos, any_words=result.any_words, limit=0, disjunctive=True)
    assert counted.total == result.total and counted.broader_codes == result.broader_codes  # a page's counts too


@pytest.mark.parametrize("query", ["I20-I25", "I20–I25", "I20 - I25", "I20-25"])
def test_a_range_of_categories_finds_the_variables_holding_any_of_them(loaded: SearchBackend, query: str) -> None:
    """As ICD-10's blocks are written: the range was two codes both required ("I20" and "I25"), and
    found nothing, or fell back to any word."""
    exact = set(names(search(loaded, "I21")))
    assert {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"} <= exact
    result = search(loaded, query)
    assert exact <= set(names(result))
    assert not result.typos and not result.any_words and result.broader_codes == ()
    assert any(code.startswith("I21") for h in result.hits for code, _label in h.matched_codes)


def heart_registries() -> list[dict[str, Any]]:
    """A central registry whose diagnoses have an ICD-10 code list, and a quality registry whose
    variable list says "ICD-10 (utvalg av kategorier)" beside its diagnosis and ATC beside its
    medicine, with no codes (as the real quality registries' lists do)."""
    icd10 = code_list("icd10", "ICD-10", {"I21": "Akutt hjerteinfarkt", "I21.9": "Akutt hjerteinfarkt, uspesifisert"})
    listed = {"coding_system": "ICD-10", "codelist": icd10.uri}
    npr = [("HOVEDTILSTAND", "Hovedtilstand", "Main condition", "Diagnosen for oppholdet.", "string", listed)]
    quality: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        (
            "HOVEDDIAGNOSE",
            "Hoveddiagnose",
            "Main diagnosis",
            "Diagnosen.",
            "string",
            {"coding_system": "ICD-10 (utvalg av kategorier)"},
        ),
        ("MEDISIN", "Medisin ved utskriving", "Medicine", "Legemiddelet.", "string", {"coding_system": "ATC"}),
        (
            "KOMMUNE",
            "Bostedskommune",
            "Municipality",
            "Kommunen.",
            "string",
            {"coding_system": "Standard for kommuneinndeling"},
        ),
        (
            "TUMOR",
            "Svulstdiagnose",
            "Tumour diagnosis",
            "Diagnosen.",
            "string",
            {"coding_system": "ICD-10, kapittel II Svulster (utvalg)"},
        ),
    ]
    r = Registry(
        "nhi",
        "quality-registry",
        "Norsk hjerteinfarktregister",
        "St. Olavs",
        "PHDR",
        "2012-01-01",
        None,
        "NON_PUBLIC",
        quality,
    )
    return [
        *registry_with_list("npr", "Somatiske opphold", icd10, npr),
        *documents(registry_dataset(r), SourceInfo("nhi", r.title, r.kind)),
    ]


def test_a_category_finds_the_variables_coded_in_its_classification_without_a_code_list(empty: SearchBackend) -> None:
    """On the demo "I21" found nothing of the myocardial infarction registry, whose diagnosis is
    "ICD-10 (utvalg av kategorier)" with no codes published: a code found only code lists. Such a
    variable may hold the category, so it comes after the lists that do, and names no code."""
    empty.upsert(heart_registries())
    result = search(empty, "I21")
    # the registry about I21 first (its title says "hjerteinfarkt": `NAMED_SCORE`)
    assert names(result) == ["nhi/HOVEDDIAGNOSE", "npr/HOVEDTILSTAND"]
    assert hit_of(result, "nhi/HOVEDDIAGNOSE").matched_codes == []
    assert hit_of(result, "nhi/HOVEDDIAGNOSE").may_hold == "I21"  # the page says why it is there
    assert hit_of(result, "npr/HOVEDTILSTAND").may_hold is None
    assert "nhi/MEDISIN" in names(search(empty, "A10"))  # ATC's too (A10 is shaped as ICD-10's as well)
    assert "nhi/MEDISIN" not in names(search(empty, "I21"))  # I is no first level of ATC
    assert "nhi/KOMMUNE" not in names(search(empty, "A10"))  # a classification with no categories
    assert "nhi/TUMOR" not in names(result)  # its list is ICD-10's chapter II, the tumours: C00-D48
    tumours = search(empty, "C50")
    assert "nhi/TUMOR" in names(tumours) and hit_of(tumours, "nhi/TUMOR").may_hold == "C50"
    assert names(search(empty, "I21", filters={"source": ["nhi"]})) == ["nhi/HOVEDDIAGNOSE"]
    counted = search(empty, "I21", limit=0, disjunctive=True)
    assert counted.total == 2


def test_a_code_finds_the_datasets_whose_variables_may_hold_it(empty: SearchBackend) -> None:
    """The datasets tab found nothing for "C50" or "I21" (the researchers' drill): a dataset's
    document held no codes, only its variables' did. A dataset is found by the codes of its
    variables' lists, first, and then by the categories of their unlisted classifications, each
    named beside it as on a variable's row; the datasets tab's count says the same."""
    empty.upsert(heart_registries())
    result = search(empty, "I21", type="dataset")
    assert [h.doc["source"] for h in result.hits] == ["nhi", "npr"]  # the one about it first: NAMED_SCORE
    variables = search(empty, "I21")
    assert result.hits[1].matched_codes == hit_of(variables, "npr/HOVEDTILSTAND").matched_codes
    assert ("I21", "Akutt hjerteinfarkt") in result.hits[1].matched_codes
    assert result.hits[0].matched_codes == [] and result.hits[0].may_hold == "I21"
    assert result.hits[0].may_hold_in == "ICD-10 (utvalg av kategorier)"
    assert search(empty, "I21", limit=0, disjunctive=True).totals["dataset"] == 2
    assert [h.doc["source"] for h in search(empty, "C50", type="dataset").hits] == ["nhi"]  # its tumours' chapter
    assert [h.doc["source"] for h in search(empty, "I21", type="dataset", filters={"source": ["npr"]}).hits] == ["npr"]
    # a code no list holds finds the datasets of the category it falls under, as the tab counted
    broader = search(empty, "I21.4", type="dataset")
    assert broader.broader_codes == (("I21.4", "I21"),) and [h.doc["source"] for h in broader.hits] == ["nhi", "npr"]
    assert search(empty, "I21.4", limit=0, disjunctive=True).totals["dataset"] == broader.total
    # a name standing for I21 finds the datasets that say it, not those whose variables' lists hold I21
    assert [h.doc["source"] for h in search(empty, "hjerteinfarkt", type="dataset").hits] == ["nhi"]
    assert "npr/HOVEDTILSTAND" in names(search(empty, "hjerteinfarkt"))  # as their variables still are


def test_a_common_name_no_dataset_says_finds_the_datasets_whose_variables_hold_its_codes(empty: SearchBackend) -> None:
    """ "heart failure" found 85 variables on the demo and no dataset, while "I50", the code it
    stands for (`code_names.txt`), found 72: no dataset's title or keywords say heart failure, and
    a common name found datasets by their own words only (`CODE_NAMES_SKIP`). Where the words find
    no dataset, the name finds them by their variables' codes, as the code does, each row naming
    the code, and the datasets tab counts them from every tab. Where the words do find one, that
    is all it finds ("hjerteinfarkt": the registry about it, not every list holding I21)."""
    icd10 = code_list("icd10", "ICD-10", {"I21": "Akutt hjerteinfarkt", "I50": "Hjertesvikt"})
    coded = {"coding_system": "ICD-10", "codelist": icd10.uri}
    diagnosis = [("HOVEDTILSTAND", "Hovedtilstand", "Main condition", "Diagnosen for oppholdet.", "string", coded)]
    plain: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("ALDER", "Alder", "Age", "Alder ved oppholdet.", "integer", {})
    ]
    empty.upsert(
        [
            *registry_with_list("npr", "Somatiske opphold", icd10, diagnosis),
            *registry_with_list("nhi", "Norsk hjerteinfarktregister", icd10, diagnosis),
            *registry_with_list("ssb", "Inntekt og formue", code_list("kjonn", "Kjønn", {"1": "Mann"}), plain),
        ]
    )
    for name in ("heart failure", "hjertesvikt", "Heart failure"):
        datasets = search(empty, name, type="dataset")
        assert sorted(h.doc["source"] for h in datasets.hits) == ["nhi", "npr"], name
        assert not datasets.any_words and not datasets.typos and not datasets.split_words
        assert all(h.matched_codes == [("I50", "Hjertesvikt")] for h in datasets.hits)  # the row says why
        assert search(empty, name, limit=0, disjunctive=True).totals["dataset"] == 2  # the tab, from the variables
        assert type_totals(empty, SearchQuery(text=name))["dataset"] == 2
        assert names(search(empty, name)) == ["nhi/HOVEDTILSTAND", "npr/HOVEDTILSTAND"]  # the variables as before
    # as the code itself finds them
    coded_datasets = search(empty, "I50", type="dataset")
    assert sorted(h.doc["source"] for h in coded_datasets.hits) == ["nhi", "npr"]
    # a name some dataset says finds that one alone, as before
    assert [h.doc["source"] for h in search(empty, "hjerteinfarkt", type="dataset").hits] == ["nhi"]
    # and the other words of the query still have to match
    assert search(empty, "hjertesvikt inntekt", type="dataset", any_words=False).total == 0
    assert [h.doc["source"] for h in search(empty, "hjertesvikt opphold", type="dataset").hits] == ["npr"]


def test_of_the_equal_matches_of_a_code_those_about_it_come_first(empty: SearchBackend) -> None:
    """Every dataset of the Cancer Registry holds the ICD-10 list, so "C50" listed its "Brystkreft"
    sixth, after "Lungekreft" (the demo, in the datasets tab). A dataset whose title says a common
    name of the code typed (`code_names.txt`: brystkreft is C50, lungekreft C34) comes first, and
    so do its variables."""
    icd10 = code_list(
        "icd10", "ICD-10", {"C34": "Ondartet svulst i bronkie og lunge", "C50": "Ondartet svulst i bryst"}
    )
    coded = {"coding_system": "ICD-10", "codelist": icd10.uri}
    diagnosis = [("DIAGNOSE", "Diagnose", "Diagnosis", "Diagnosen.", "string", coded)]
    empty.upsert(
        [
            *registry_with_list("kreft1", "Lungekreft", icd10, diagnosis),
            *registry_with_list("kreft2", "Brystkreft", icd10, diagnosis),
        ]
    )
    for code, first in (("C50", "Brystkreft"), ("C34", "Lungekreft"), ("C33-C34", "Lungekreft")):
        datasets = search(empty, code, type="dataset").hits
        assert [h.doc["label"] for h in datasets][0] == first and len(datasets) == 2
        variables = search(empty, code).hits
        assert [h.doc["dataset_title"] for h in variables][0] == first and len(variables) == 2


def test_an_unlisted_variable_whose_list_the_catalogue_holds_without_codes_is_named_by_its_titles(
    empty: SearchBackend,
) -> None:
    """The "may hold" line named the coding system as the variable list writes it, in bokmål on
    an English page too, where the catalogue holds the variable's code list, titled in English."""
    selection = CodeList(
        uri="https://example.org/kodeverk/icd10-utvalg",
        identifier="icd10-utvalg",
        title={"nb": "ICD-10 (utvalg av kategorier)", "en": "ICD-10 (selected categories)"},
    )
    coded = {"coding_system": "ICD-10 (utvalg av kategorier)", "codelist": selection.uri}
    variable = ("HOVEDDIAGNOSE", "Hoveddiagnose", "Main diagnosis", "Diagnosen.", "string", coded)
    empty.upsert(registry_with_list("nhi", "Norsk hjerteinfarktregister", selection, [variable]))
    hit = hit_of(search(empty, "I21"), "nhi/HOVEDDIAGNOSE")
    assert (hit.may_hold, hit.may_hold_list) == ("I21", selection.title)


def test_a_registry_about_a_code_comes_before_the_lists_holding_it_whose_variables_only_may(
    empty: SearchBackend,
) -> None:
    """ "I21" listed the myocardial infarction registry's datasets on page 2, after every dataset
    holding the whole ICD-10, as its diagnosis only may hold I21 (the researcher's drill): its
    title says a name of I21 ("hjerteinfarkt"), so it comes first, its variable too."""
    empty.upsert(heart_registries())
    assert [h.doc["source"] for h in search(empty, "I21", type="dataset").hits] == ["nhi", "npr"]
    assert names(search(empty, "I21")) == ["nhi/HOVEDDIAGNOSE", "npr/HOVEDTILSTAND"]


def test_a_longer_code_no_list_holds_finds_the_unlisted_variables_through_its_category(empty: SearchBackend) -> None:
    """ "I21.4" is no code of the list: it falls under I21, which the list holds and the quality
    registry's variable may hold; "I21.9", which the list holds, finds the list alone."""
    empty.upsert(heart_registries())
    result = search(empty, "I21.4")
    assert result.broader_codes == (("I21.4", "I21"),)
    assert names(result) == ["nhi/HOVEDDIAGNOSE", "npr/HOVEDTILSTAND"]  # as for I21 typed
    assert hit_of(result, "nhi/HOVEDDIAGNOSE").may_hold == "I21"
    assert names(search(empty, "I21.9")) == ["npr/HOVEDTILSTAND"]


def test_a_word_that_only_looks_like_a_code_is_not_broadened_to_text(loaded: SearchBackend) -> None:
    """A survey wave that is not there ("HUNT9") fell under "HUNT", which the survey's title holds:
    the page said HUNT9 was a code no list holds and showed HUNT's variables."""
    result = search(loaded, "HUNT9")
    assert result.broader_codes == () and result.total == 0


def test_a_code_a_list_holds_is_never_broadened(loaded: SearchBackend) -> None:
    assert search(loaded, "I21.0").broader_codes == () and search(loaded, "Z99.9").total == 0
    assert search(loaded, "Z99.9").broader_codes == ()


def test_highlighting_can_be_switched_off(loaded: SearchBackend) -> None:
    assert all(h.highlights == {} for h in search(loaded, "vekt", highlight=False).hits)


# -- facets, filters, sorting, paging ------------------------------------------------------


def test_facets_count_every_matching_variable(loaded: SearchBackend) -> None:
    result = search(loaded)
    assert result.total == len(VARIABLES)
    assert dict(result.facets["source"]) == Counter(d["source"] for d in VARIABLES)
    assert dict(result.facets["source_kind"]) == {
        "central-registry": 30,
        "quality-registry": 13,
        "survey": 21,  # HUNT's 9, the Tromsø waves' 10 and the IPUMS extract's 2
        "statistics": 5,
    }
    assert dict(result.facets["access_rights"]) == {"NON_PUBLIC": 43, "RESTRICTED": 23, "PUBLIC": 3}
    assert result.facets["health_category"][0] == ("PHDR", 41)
    assert ("1960-1969", 16) in result.facets["period"]  # MFR from 1967, Kreftregisteret, DAR
    assert dict(result.facets["used"]) == Counter(d["used"] for d in VARIABLES)
    assert ("5+", 11) in result.facets["used"]  # MFR's variables
    assert set(result.facets) == {
        "topic",
        "source",
        "source_kind",
        "health_category",
        "period",
        "datatype",
        "access_rights",
        "platform",
        "used",
    }


def test_the_platform_facet_counts_and_filters_where_datasets_can_be_analysed(empty: SearchBackend) -> None:
    first = VARIABLES[0]["source"]
    docs = [{**d, "platform": ["HUNT Cloud", "TSD"]} if d["source"] == first else d for d in corpus()]
    empty.upsert(docs)
    served = sum(1 for d in VARIABLES if d["source"] == first)
    assert dict(search(empty).facets["platform"]) == {"HUNT Cloud": served, "TSD": served}
    assert search(empty, filters={"platform": ["TSD"]}).total == served
    assert search(empty, type="dataset", filters={"platform": ["TSD"]}).total >= 1


def test_topics_are_counted_and_filter_like_every_facet(loaded: SearchBackend) -> None:
    counted = dict(search(loaded).facets["topic"])
    assert counted == Counter(t for d in VARIABLES for t in d["topic"])
    assert {"pregnancy-birth", "lifestyle", "cancer", "medicines"} <= set(counted)
    births = names(search(loaded, filters={"topic": ["pregnancy-birth"]}, limit=100))
    assert {"mfr/VEKT", "mfr/SVLEN", "mfr/KEISERSNITT"} <= set(births)
    assert len(births) == counted["pregnancy-birth"]
    smoking = names(search(loaded, "røyking", filters={"topic": ["lifestyle"]}, limit=100))
    assert "hunt/ROYK" in smoking and "mfr/ROYK_START" in smoking
    both = search(loaded, filters={"topic": ["pregnancy-birth", "lifestyle"]}, limit=0).total
    assert both == sum(1 for d in VARIABLES if {"pregnancy-birth", "lifestyle"} & set(d["topic"]))


def test_facets_are_ordered_by_count_then_name(loaded: SearchBackend) -> None:
    counts = search(loaded).facets["datatype"]
    assert counts == sorted(counts, key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("text", ["", "vekt", "hjertinfarkt"])  # all, some words, a typo
def test_a_search_for_no_hits_counts_the_same_total_and_facets(loaded: SearchBackend, text: str) -> None:
    full, counted = search(loaded, text), search(loaded, text, limit=0)
    assert counted.hits == [] and counted.total == full.total > 0
    assert counted.facets == full.facets
    assert search(loaded, text, limit=0, facets=()).total == full.total


def test_filters_are_or_within_a_facet_and_and_across(loaded: SearchBackend) -> None:
    assert search(loaded, filters={"source": ["hunt"]}).total == 9
    assert search(loaded, filters={"source": ["hunt", "mfr"]}).total == 20
    assert search(loaded, filters={"source": ["hunt"], "access_rights": ["NON_PUBLIC"]}).total == 0
    result = search(loaded, "vekt", filters={"source_kind": ["survey"]})
    assert names(result)[0] in ("hunt/VEKT", "tromso/VEKT")  # the same text: either may be first
    assert {h.doc["source"] for h in result.hits} == {"hunt", "tromso"}
    assert search(loaded, filters={"period": ["1960-1969"]}).total == 16


# -- the years the data cover -----------------------------------------------------------------


def titles(result: Any) -> set[str]:
    return {h.doc["label"] for h in result.hits}


OPEN_ENDED = {  # collected from their first year to this day
    "Dødsårsaksregisteret",
    "Kreftregisteret",
    "Medisinsk fødselsregister",
    "Hjerte- og karregisteret",
    "Kommunalt pasient- og brukerregister",
    "Nasjonalt kvalitetsregister for brystkreft",
    "Norsk diabetesregister for voksne",
    "Norsk hjerneslagregister",
    "Norsk hjerteinfarktregister",
    "Norsk nyfødtmedisinsk kvalitetsregister",
    "Norsk pasientregister",
    "Reseptregisteret",
}


SINCE_THE_1950S = {"Dødsårsaksregisteret", "Kreftregisteret"}
SURVEYS = {"Helseundersøkelsen i Trøndelag (HUNT)", "SSB befolkningsstatistikk"}  # 1984-2019, 1990-2024


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        (["2001"], SINCE_THE_1950S | SURVEYS | {"Medisinsk fødselsregister", "Tromsø 5"}),
        (["1990-1994"], SINCE_THE_1950S | SURVEYS | {"Medisinsk fødselsregister", "Tromsø 4"}),
        (["1994", "2001"], SINCE_THE_1950S | SURVEYS | {"Medisinsk fødselsregister", "Tromsø 4", "Tromsø 5"}),
        (["1955"], SINCE_THE_1950S),
        (["1900-1950"], set()),
        (["-1960"], SINCE_THE_1950S),  # open: until 1960
        (["2020-"], OPEN_ENDED | {"SSB befolkningsstatistikk"}),  # from 2020 on: not HUNT (to 2019)
    ],
)
def test_a_year_keeps_the_datasets_whose_data_cover_it(
    loaded: SearchBackend, years: list[str], expected: set[str]
) -> None:
    """A span keeps what covers any of its years; several values what covers any of them."""
    assert titles(search(loaded, type="dataset", filters={"year": years}, limit=50)) == expected


def test_data_still_collected_cover_every_year_since_they_began(loaded: SearchBackend) -> None:
    assert titles(search(loaded, type="dataset", filters={"year": ["2025"]}, limit=50)) == OPEN_ENDED
    assert (
        titles(search(loaded, type="dataset", filters={"year": ["2013-2014"]}, limit=50))
        == (OPEN_ENDED - {"Kommunalt pasient- og brukerregister"}) | SURVEYS
    )


def test_a_year_keeps_the_variables_of_the_waves_that_cover_it(loaded: SearchBackend) -> None:
    rows = search(loaded, "røyker daglig", group=True, filters={"year": ["2015"]}).hits
    [row] = [h for h in rows if ident(h.doc) == "tromso/ROYK"]
    assert row.group_size == 1 and row.period == (2015, 2016)  # Tromsø 7's alone
    waves = search(loaded, "røyker daglig", filters={"year": ["2001-2008"], "source": ["tromso"]})
    assert sorted(h.doc["dataset_title"] for h in waves.hits) == ["Tromsø 5", "Tromsø 6"]


def surveys_by_year() -> list[dict[str, Any]]:
    """Difi's citizen surveys as FDK lists them: the year in the title, no dct:temporal (no years);
    beside them one whose data cover 2014-2016 and one of 2010-2012 whose title says 2015."""
    docs: list[dict[str, Any]] = []
    for source, title, start, end in (
        ("difi15", "Innbyggerundersøkelsen 2015", None, None),
        ("difi16", "Innbyggerundersøkelsen 2016", None, None),
        ("panel", "Innbyggerundersøkelsen, panel", "2014-01-01", "2016-12-31"),
        ("old", "Innbyggerundersøkelsen 2015, forløper", "2010-01-01", "2012-12-31"),
    ):
        r = Registry(source, "survey", title, "Difi", "PHDR", start, end, "PUBLIC", [])
        docs += documents(registry_dataset(r), SourceInfo(source, source.upper(), r.kind))
    return list(complete(docs, lambda key: None))


def test_a_typed_year_also_finds_a_dataset_without_years_whose_title_holds_it(empty: SearchBackend) -> None:
    """A drill on FDK's Difi datasets: "innbyggerundersøkelsen 2015" found nothing, the typed year
    being a filter that keeps out every dataset without years. Typed, a year lets such a dataset by
    where its title holds it as a word (not another year's); chosen from the filter, it does not;
    a dataset with years passes or not by its years alone, whatever its title says."""
    empty.upsert(surveys_by_year())
    typed = {"year": ["2015"]}
    found = search(empty, "innbyggerundersøkelsen", type="dataset", filters=typed, typed_years=("2015",))
    assert titles(found) == {"Innbyggerundersøkelsen 2015", "Innbyggerundersøkelsen, panel"}
    counted = search(
        empty, "innbyggerundersøkelsen", type="dataset", filters=typed, typed_years=("2015",), disjunctive=True
    )
    assert counted.total == 2 and counted.totals["dataset"] == 2
    chosen = search(empty, "innbyggerundersøkelsen", type="dataset", filters=typed)
    assert titles(chosen) == {"Innbyggerundersøkelsen, panel"}
    both = search(empty, type="dataset", filters={"year": ["2015", "2016"]}, typed_years=("2016",))
    assert titles(both) == {"Innbyggerundersøkelsen 2016", "Innbyggerundersøkelsen, panel"}  # 2015 was chosen
    span = search(empty, type="dataset", filters={"year": ["2015-2016"]}, typed_years=("2015-2016",))
    assert titles(span) == {
        "Innbyggerundersøkelsen 2015",
        "Innbyggerundersøkelsen 2016",
        "Innbyggerundersøkelsen, panel",
    }


def test_a_year_that_is_no_year_is_refused(loaded: SearchBackend) -> None:
    for wrong in ("twenty", "2015-2012", "99"):
        with pytest.raises(BadQuery, match="year="):
            search(loaded, filters={"year": [wrong]})


DISJUNCTIVE = [
    ("vekt", "variable", {"source": ["hunt", "mfr"], "datatype": ["decimal"]}),
    ("vekt", "variable", {"source": ["hunt"], "datatype": ["decimal"]}),  # one value a facet
    (
        "vekt",
        "variable",
        {"source_kind": ["survey", "quality-registry"], "access_rights": ["RESTRICTED", "NON_PUBLIC"], "used": ["0"]},
    ),
    ("fødselsvekt inntekt", "variable", {"source": ["mfr"]}),  # any of the words
    ("hjertinfarkt", "variable", {"source": ["hjerneslag", "npr"]}),  # a typo
    ("C50", "variable", {"codelist": [ICD10], "source": ["npr"]}),  # a code list by key restricts every count
    ("register", "dataset", {"source": ["mfr", "kreft", "hunt"], "period": ["1950-1959", "1960-1969"]}),
    ("register", "dataset", {"source": ["mfr"], "period": ["1960-1969"]}),
    ("", "variable", {"source": ["hunt"], "datatype": ["integer"]}),  # no words
    ("vekt", "variable", {}),
    ("vekt", "variable", {"year": ["2015"], "source_kind": ["survey"]}),  # years: not for code lists
    ("røyker", "variable", {"year": ["1994-2001"]}),  # the years alone
    ("register", "dataset", {"year": ["2001", "2020-"], "source": ["mfr", "tromso", "kreft"]}),
    ("diagnose", "variable", {"year": ["1990-1999"], "source": ["npr", "kreft", "dar"], "datatype": ["string"]}),
]


@pytest.mark.parametrize(("text", "kind", "filters"), DISJUNCTIVE)
def test_a_pages_counts_are_each_facet_without_its_own_filter_and_each_types_total(
    loaded: SearchBackend, text: str, kind: str, filters: dict[str, list[str]]
) -> None:
    """What a result page shows beside its hits, however a backend counts it (one pass or many):
    the counts of separate searches with the page's words, typos and any-word mode."""
    page = search(loaded, text, type=kind, filters=filters)
    same = {"typos": page.typos, "any_words": page.any_words, "parts": bool(page.split_words), "limit": 0}
    counted = search(loaded, text, type=kind, filters=filters, disjunctive=True, **same)
    alone = search(loaded, text, type=kind, filters=filters, **same)
    expected = {
        facet: search(loaded, text, type=kind, filters={f: v for f, v in filters.items() if f != facet}, **same).facets[
            facet
        ]
        if facet in filters
        else alone.facets[facet]
        for facet in alone.facets
    }
    assert counted.facets == expected and counted.total == page.total
    assert counted.totals == {
        other: search(
            loaded, text, type=other, filters=filters if other == kind else type_filters(other, filters), **same
        ).total
        for other in ("variable", "dataset", "codelist")
    }
    assert counted.totals[kind] > 0 and all(counted.facets[f] for f in filters if f in counted.facets)


def test_a_filter_no_match_meets_counts_nothing_while_each_facet_counts_under_the_others(loaded: SearchBackend) -> None:
    filters = {"source": ["hunt"], "datatype": ["no-such-type"]}
    counted = search(loaded, "vekt", filters=filters, disjunctive=True, limit=0)
    assert counted.total == 0 and counted.totals["variable"] == 0
    assert counted.facets["datatype"] == search(loaded, "vekt", filters={"source": ["hunt"]}).facets["datatype"] != []
    assert counted.facets["source"] == search(loaded, "vekt", filters={"datatype": ["no-such-type"]}).facets["source"]
    assert counted.totals["dataset"] == search(loaded, "vekt", type="dataset", filters={"source": ["hunt"]}).total


def test_a_pages_counts_come_with_its_hits_when_asked_together(loaded: SearchBackend) -> None:
    filters = {"source": ["hunt", "mfr"]}
    page = search(loaded, "vekt", filters=filters, group=True)
    both = search(loaded, "vekt", filters=filters, group=True, disjunctive=True)
    assert names(both) == names(page) and both.total == page.total and both.grouped
    assert [(h.group_size, h.period, h.members) for h in both.hits] == [
        (h.group_size, h.period, h.members) for h in page.hits
    ]
    counted = search(loaded, "vekt", filters=filters, limit=0, disjunctive=True)
    assert both.facets == counted.facets and both.totals == counted.totals
    assert dict(both.facets["source"])["tromso"] > 0  # the chosen facet as if unchosen
    rows = search(loaded, "vekt", filters=filters, group=True, limit=0, disjunctive=True)
    assert rows.total == page.total and rows.grouped and rows.totals == counted.totals


@pytest.mark.parametrize(
    "value", ['hunt" OR source:"mfr', "hunt\\", '\\"', "a:b", "(hunt)", "*", "", "ø å", "hunt OR mfr"]
)
def test_a_filter_value_is_one_term_never_query_syntax(loaded: SearchBackend, value: str) -> None:
    for disjunctive in (False, True):
        result = search(loaded, "vekt", filters={"source": [value], "datatype": ["decimal"]}, disjunctive=disjunctive)
        assert result.total == 0 and result.hits == []
    counted = search(loaded, "vekt", filters={"source": [value, "hunt"]}, limit=0, disjunctive=True)
    assert counted.total == search(loaded, "vekt", filters={"source": ["hunt"]}).total


def test_an_unknown_filter_is_a_bad_query(loaded: SearchBackend) -> None:
    with pytest.raises(
        BadQuery, match="unknown filter 'colour'; filters are topic, source, .*, used, codelist, dataset, group"
    ):
        search(loaded, filters={"colour": ["red"]})


def test_filters_choose_the_variables_of_a_code_list_or_dataset(loaded: SearchBackend) -> None:
    assert set(names(search(loaded, filters={"codelist": [ICD10]}))) == {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"}
    dataset = next(d["key"] for d in corpus() if d["type"] == "dataset" and d["source"] == "hunt")
    assert search(loaded, filters={"dataset": [dataset]}).total == 9


def test_sort_by_name(loaded: SearchBackend) -> None:
    labels = [h.doc["label"] for h in search(loaded, limit=100, sort="name").hits]
    assert labels == sorted((d["label"] for d in VARIABLES), key=str.lower)
    relevant = [h.doc["label"] for h in search(loaded, "vekt", sort="name").hits]
    assert relevant == sorted(relevant, key=str.lower) and "Fødselsvekt" in relevant


NORWEGIAN_ORDER = [
    "abort",
    "Eksem",
    "Émigrert",  # é is e
    "ernæring",
    "Munnhelse",
    "Über",  # ü is y, as Nordic dictionaries file it ("yber")
    "Yrke",
    "Zinkmangel",
    "Ærfugl",
    "Ärzte",  # ä is æ
    "Østrogenreseptorstatus",
    "Övre",  # ö is ø
    "Årsak til innleggelse",
    "årsak til innleggelse, annen",
]


def test_sort_by_name_is_in_norwegian_alphabetical_order(empty: SearchBackend) -> None:
    """The sort "Navn (A–Å)" put "Årsak til innleggelse" before "Østrogenreseptorstatus": the keys were
    the lower-cased labels, sorted bytewise (å, æ, ø). Norwegian ends the alphabet æ, ø, å, and
    files a letter with an accent with its letter, whatever the case."""
    variables: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        (f"V{i}", label, label, "", "string", {}) for i, label in enumerate(reversed(NORWEGIAN_ORDER))
    ]
    r = Registry(
        "sortering", "quality-registry", "Sortering", "Helse Bergen", "PHDR", "2005-01-01", None, "PUBLIC", variables
    )
    empty.upsert(list(documents(registry_dataset(r), SourceInfo(r.source, r.title, r.kind))))
    labels = [h.doc["label"] for h in search(empty, sort="name", limit=50).hits]
    assert labels == NORWEGIAN_ORDER
    assert [h.doc["label"] for h in search(empty, sort="uses", limit=50).hits] == NORWEGIAN_ORDER  # equally used


def test_filter_by_use_in_projects_and_sort_the_most_used_first(loaded: SearchBackend) -> None:
    assert {h.doc["source"] for h in search(loaded, filters={"used": ["5+"]}, limit=50).hits} == {"mfr"}
    assert search(loaded, filters={"used": ["1", "2-4"]}).total == 2 + 9  # HKR's and HUNT's variables
    ranked = [h.doc for h in search(loaded, limit=100, sort="uses").hits]
    assert [d["uses"] for d in ranked] == sorted((d["uses"] for d in VARIABLES), reverse=True)
    first = [d["label"] for d in ranked if d["uses"] == 6]
    assert first == sorted(first, key=str.lower), "equally used: by name"
    datasets = [h.doc["source"] for h in search(loaded, type="dataset", sort="uses", limit=3).hits]
    assert datasets == ["mfr", "hunt", "hkr"]
    words = [h.doc["source"] for h in search(loaded, "vekt", sort="uses", limit=20).hits]
    assert words[0] == "mfr" and "hunt" in words, "the words still choose; the uses order them"


def test_pages_are_disjoint_and_add_up(loaded: SearchBackend) -> None:
    pages = [search(loaded, sort="name", offset=o, limit=5) for o in (0, 5, 10)]
    assert {p.total for p in pages} == {len(VARIABLES)}
    assert [ident(h.doc) for p in pages for h in p.hits] == names(search(loaded, sort="name", limit=15))
    assert search(loaded, offset=len(VARIABLES), limit=5).hits == []


@pytest.mark.parametrize(
    "query", [SearchQuery(offset=MAX_WINDOW, limit=1), SearchQuery(limit=-1), SearchQuery(sort="date")]
)
def test_impossible_pages_are_bad_queries(loaded: SearchBackend, query: SearchQuery) -> None:
    with pytest.raises(BadQuery):
        loaded.search(query)


def test_query_syntax_is_not_exposed(loaded: SearchBackend) -> None:
    assert "mfr/VEKT" in names(search(loaded, '"fødselsvekt*" ) ( ~ -'))
    result = search(loaded, "type:dataset")
    assert names(result) == names(search(loaded, "type dataset")) and {h.doc["type"] for h in result.hits} <= {
        "variable"
    }


@pytest.mark.parametrize("typed", ["😀", "%", "'", "*", "(", " ?! "])
def test_a_text_with_no_letters_or_digits_finds_nothing_and_says_so(loaded: SearchBackend, typed: str) -> None:
    """A text of "😀" listed the whole catalogue, as browsing does: one with no word to search matches
    nothing, as Elasticsearch's match query with no terms; browsing is the empty text."""
    for kind in ("variable", "dataset"):
        result = search(loaded, typed, type=kind, disjunctive=True)
        assert (result.total, result.hits, result.no_words) == (0, [], True)
        assert result.totals == {"variable": 0, "dataset": 0, "codelist": 0}
        assert all(counts == [] for counts in result.facets.values())
    assert search(loaded, "").total == len(VARIABLES) and not search(loaded, "").no_words


LONG_QUERY = (
    "røyking blodtrykk kolesterol diabetes hjerteinfarkt hjerneslag kreft fødselsvekt BMI alder kjønn "
    "utdanning inntekt svangerskap"
)


def test_a_query_with_more_words_than_one_search_holds_searches_the_first_and_names_the_rest(
    loaded: SearchBackend,
) -> None:
    """Fourteen words were refused as too complex ("Søket har for mange ord til å kjøres"):
    now as many of the first as one search holds are searched, and the rest are named."""
    result = search(loaded, LONG_QUERY)
    kept = LONG_QUERY.split()[: -len(result.left_out)]
    assert result.left_out and list(result.left_out) == LONG_QUERY.split()[len(kept) :]
    assert len(kept) >= 12  # twelve words fit
    first = search(loaded, " ".join(kept))
    assert first.left_out == () and (names(result), result.total) == (names(first), first.total)


@pytest.mark.parametrize("words", [150, 400])
def test_a_pasted_paragraph_is_searched_by_its_first_words(loaded: SearchBackend, words: int) -> None:
    typed = [f"ord{i}x" for i in range(words)]
    result = search(loaded, " ".join(typed))
    assert 0 < len(result.left_out) < words and list(result.left_out) == typed[words - len(result.left_out) :]


def test_a_long_misspelt_query_is_answered(loaded: SearchBackend) -> None:
    result = search(loaded, "fodselsvkt placentaveit svangerskapslnegde kroppsmasseindkes hjerteinfrakt")
    assert result.any_words and result.typos and "mfr/VEKT" in names(result)


# -- suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("fød", "Fødselsvekt"),
        ("fods", "Fødselsvekt"),
        ("Hjerte", "Tidligere hjerteinfarkt"),
        ("mors al", "Mors alder"),
        ("MORS_A", "MORS_ALDER"),
    ],
)
def test_suggest_completes_labels_from_a_prefix(loaded: SearchBackend, prefix: str, expected: str) -> None:
    assert expected in loaded.suggest(prefix)


def test_suggestions_start_with_the_prefix_first_and_are_distinct(loaded: SearchBackend) -> None:
    found = loaded.suggest("fød", limit=5)
    assert found[:2] == ["Fødselsår", "Fødselsvekt"]
    assert len(found) == len(set(found)) <= 5
    assert loaded.suggest("   ") == []


def test_a_prefix_in_nynorsk_is_completed_as_its_bokmal_spelling_after_its_own(loaded: SearchBackend) -> None:
    """The search box offered nothing for "hjartei", though a search for "hjarteinfarkt" finds."""
    assert loaded.suggest("hjartei") == []
    assert "Tidligere hjerteinfarkt" in suggestions(loaded, "hjartei")
    assert suggestions(loaded, "fød", limit=5) == loaded.suggest("fød", limit=5)  # bokmål: as before


def test_a_prefix_of_a_term_the_search_knows_is_completed_after_the_labels(loaded: SearchBackend) -> None:
    """ "antidep" offered nothing (the labels say "ATC-kode") though "antidepressiva", a common name
    of ATC N06A, is searched; the lists' terms come after the catalogue's labels."""
    assert loaded.suggest("antidep") == []
    assert suggestions(loaded, "antidep") == ["antidepressants", "antidepressiva"]
    found = suggestions(loaded, "fødselsv")
    assert found[0] == "Fødselsvekt" and found.count("fødselsvekt") + found.count("Fødselsvekt") == 1
    assert suggestions(loaded, "an") == []  # from three letters
    assert suggestions(loaded, "gestational w") == ["gestational week", "gestational weeks"]  # a phrase


# -- writing -------------------------------------------------------------------------------


def test_upsert_replaces_by_key_and_delete_removes(empty: SearchBackend) -> None:
    empty.upsert(VARIABLES[:3])
    assert empty.count() == 3
    changed = {**VARIABLES[0], "label": "Fødselsvekt (korrigert)", "labels": {"nb": "Fødselsvekt (korrigert)"}}
    empty.upsert([changed])
    assert empty.count() == 3
    assert [h.doc["label"] for h in search(empty, "korrigert").hits] == ["Fødselsvekt (korrigert)"]
    empty.delete([changed["key"], "no-such-key"])
    assert empty.count() == 2 and search(empty, "korrigert").total == 0


def test_upsert_keeps_one_document_per_key_however_the_key_comes_again(empty: SearchBackend) -> None:
    """A key comes again within one upsert (a variable URI shared by two datasets of one page),
    in a later upsert among new keys, or in a write of new keys only: each time the last document
    is the one kept, and new keys are all added (tantivy deletes an old document only where the
    index may hold its key)."""
    first, second, third, *rest = VARIABLES
    relabelled = {**first, "label": "Fødselsvekt (korrigert)", "labels": {"nb": "Fødselsvekt (korrigert)"}}
    empty.upsert([first, second, relabelled])
    assert empty.count() == 2
    assert [h.doc["label"] for h in search(empty, "korrigert").hits] == ["Fødselsvekt (korrigert)"]
    empty.upsert([third, first, *rest])  # new keys, and one the index holds
    assert empty.count() == len(VARIABLES)
    assert search(empty, "korrigert").total == 0
    again = {**third, "label": "Omregnet", "labels": {"nb": "Omregnet"}}
    empty.upsert([again])
    assert empty.count() == len(VARIABLES)
    assert [h.key for h in search(empty, "omregnet").hits] == [third["key"]]


def test_staged_documents_are_seen_once_committed_and_any_other_write_commits_them(empty: SearchBackend) -> None:
    """A harvest stages its documents as they come and commits when its runs finish
    (`catalog.pipeline.IndexBuffer`): upserts by key all the same, whichever write comes next."""
    first, second, third, fourth, *rest = VARIABLES
    empty.upsert([first, second])
    relabelled = {**first, "label": "Fødselsvekt (korrigert)", "labels": {"nb": "Fødselsvekt (korrigert)"}}
    assert empty.stage([relabelled, third]) == 2
    empty.commit()
    assert empty.count() == 3
    assert [h.doc["label"] for h in search(empty, "korrigert").hits] == ["Fødselsvekt (korrigert)"]
    empty.commit()  # nothing staged: nothing to do
    empty.stage([fourth])
    empty.delete([second["key"]])  # what was staged before a delete is committed first
    assert empty.count() == 3 and search(empty, fourth["label"]).total >= 1
    again = {**third, "label": "Omregnet", "labels": {"nb": "Omregnet"}}
    empty.stage([rest[0], {**rest[0], "label": "Ny", "labels": {"nb": "Ny"}}])  # one key twice: the last kept
    empty.stage([again])  # a key committed before, staged again
    empty.upsert([rest[1]])  # an upsert commits what was staged with it
    assert empty.count() == 5  # first, third, fourth, rest[0], rest[1]
    assert [h.key for h in search(empty, "omregnet").hits] == [third["key"]]
    assert search(empty, rest[0]["name"]).hits[0].doc["label"] == "Ny"
    empty.stage(rest[2:])
    empty.replace_all(VARIABLES[:2])  # a rebuild starts from what it is given
    assert empty.count() == 2


def test_documents_encoded_in_another_process_index_as_the_documents_do(empty: SearchBackend) -> None:
    """A harvest encodes documents where it prepares them (`SearchBackend.encoder`, pickled to
    its processes) and the process that writes the index upserts them as they come: the index
    holds and finds what it would from the documents themselves."""
    encode = pickle.loads(pickle.dumps(empty.encoder()))
    encoded = pickle.loads(pickle.dumps(encode(corpus())))
    assert [e.key for e in encoded] == [d["key"] for d in corpus()]
    assert empty.upsert(encoded) == len(encoded)

    def seen() -> tuple[Any, ...]:
        queries = [SearchQuery(text=q, limit=50) for q in sorted(JUDGED)]
        queries += [SearchQuery(text="C50", type="codelist"), SearchQuery(text="røyker daglig", group=True)]
        found = [empty.search(q) for q in queries]
        stored = sorted(
            (d["key"], repr(d)) for kind in ("variable", "dataset", "codelist") for d in empty.scan(kind, {})
        )
        return [(r.total, sorted(h.key for h in r.hits), r.facets) for r in found], stored, empty.count()

    from_encoded = seen()
    empty.replace_all(corpus())
    assert seen() == from_encoded


def test_replace_all_keeps_serving_the_old_index_until_done(empty: SearchBackend) -> None:
    empty.replace_all(VARIABLES[:10])
    seen_during: list[int] = []

    def slowly() -> Iterator[dict[str, Any]]:
        for i, doc in enumerate(VARIABLES):
            if i == 30:
                seen_during.append(search(empty).total)
            yield doc

    assert empty.replace_all(slowly()) == len(VARIABLES)
    assert seen_during == [10]
    assert search(empty).total == len(VARIABLES)
    assert empty.count() == len(VARIABLES)


def test_replace_all_with_nothing_empties_the_index(empty: SearchBackend) -> None:
    empty.replace_all(VARIABLES)
    empty.replace_all([])
    assert empty.count() == 0 and search(empty, "vekt").hits == []


def test_the_generation_changes_with_every_write(empty: SearchBackend) -> None:
    doc = {**VARIABLES[0]}
    empty.replace_all([doc])
    before = empty.generation()
    assert empty.generation() == before
    empty.upsert([{**doc, "label": "Endret etikett"}])
    after_update = empty.generation()
    empty.delete([doc["key"]])
    assert len({before, after_update, empty.generation()}) == 3


# -- what a search is about -----------------------------------------------------------------


def registries_recording_icd10(*titles: str) -> list[dict[str, Any]]:
    """The documents of one registry per title, each with a diagnosis variable coded with the
    whole of one ICD-10 code list, as microdata.no and the central registries publish theirs."""
    coded = {"coding_system": "ICD-10", "codelist": "https://example.org/kodeverk/icd10"}
    docs: list[dict[str, Any]] = []
    for i, title in enumerate(titles):
        variables = [("DIAGNOSE", "Diagnose", "Diagnosis", "Kodet med ICD-10.", "string", coded)]
        r = Registry(
            f"reg{i}", "central-registry", title, "Utgiver", "PHDR", "2008-01-01", None, "NON_PUBLIC", variables
        )
        docs += documents(registry_dataset(r), SourceInfo(r.source, title, r.kind))
    docs += documents(CODE_LISTS[0], SourceInfo("kodeverk", "Kodeverk", "catalogue"))
    lists = {doc["key"]: doc["coded"] for doc in docs if doc["type"] == "codelist"}
    return list(complete(docs, lists.get))


AREA_REGISTRIES = (
    "Kreftregisteret",
    "Norsk diabetesregister for voksne",
    "Norsk pasientregister",
    "Hjerte- og karregisteret",
)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("E11", "Norsk diabetesregister for voksne"),  # a code, by its ICD-10 chapter
        ("E11.9", "Norsk diabetesregister for voksne"),  # found by the category its list holds
        ("C50", "Kreftregisteret"),
        ("hjerteinfarkt", "Hjerte- og karregisteret"),  # a word, found in the name of I21
        ("Diabetes mellitus type 2", "Norsk diabetesregister for voksne"),
        ("dibaetes", "Norsk diabetesregister for voksne"),  # a typo: about what it is corrected to
        ("brystkerft", "Kreftregisteret"),
    ],
)
def test_equal_matches_come_in_the_area_of_the_search_then_in_none_then_in_another(
    empty: SearchBackend, query: str, first: str
) -> None:
    """Every variable holding the whole ICD-10 holds E11 and scores alike: the demo listed the
    Cancer Registry's first for diabetes, hip fractures and depression alike."""
    empty.upsert(registries_recording_icd10(*AREA_REGISTRIES))
    hits = search(empty, query).hits
    found = [h.doc["source_title"] for h in hits]
    assert found[:2] == [first, "Norsk pasientregister"]
    assert set(found[2:]) == set(AREA_REGISTRIES) - {first, "Norsk pasientregister"}
    assert hits[1].score > hits[2].score == hits[3].score  # the other areas alike, last


def test_a_search_about_no_disease_area_leaves_equal_matches_as_they_were(empty: SearchBackend) -> None:
    empty.upsert(registries_recording_icd10(*AREA_REGISTRIES))
    assert len({h.score for h in search(empty, "diagnose").hits}) == 1


# -- codes ---------------------------------------------------------------------------------


def hit_of(result: Any, name: str) -> Any:
    [hit] = [h for h in result.hits if ident(h.doc) == name]
    return hit


@pytest.mark.parametrize(
    ("query", "name", "codes"),
    [
        ("A10BA02", "norpd/ATC_KODE", [("A10BA02", "Metformin")]),  # a code
        ("a10ba02", "norpd/ATC_KODE", [("A10BA02", "Metformin")]),
        ("A10", "norpd/ATC_KODE", [("A10AE04", "Insulin glargin"), ("A10BA02", "Metformin")]),  # a level above
        ("C50", "kreft/TOPOGRAFI", [("C50.4", "Øvre ytre kvadrant av bryst"), ("C50.9", "Bryst, UNS")]),
        ("C50", "npr/HOVEDTILSTAND", [("C50", "Ondartet svulst i bryst")]),
        (
            "I21",
            "dar/UNDERLIGGENDE",
            [
                ("I21", "Akutt hjerteinfarkt"),
                ("I21.0", "Akutt transmuralt infarkt i fremre vegg"),
                ("I21.9", "Akutt hjerteinfarkt, uspesifisert"),
            ],
        ),
        ("I21.0", "npr/HOVEDTILSTAND", [("I21.0", "Akutt transmuralt infarkt i fremre vegg")]),
        ("C509", "kreft/TOPOGRAFI", [("C50.9", "Bryst, UNS")]),  # as registries often write it
        ("metformin", "norpd/ATC_KODE", [("A10BA02", "Metformin")]),  # a code's meaning
        ("Ondartet svulst i bryst", "dar/UNDERLIGGENDE", [("C50", "Ondartet svulst i bryst")]),
        ("brystkreft", "kreft/TOPOGRAFI", [("C50.4", "Øvre ytre kvadrant av bryst"), ("C50.9", "Bryst, UNS")]),
        ("brystkreft", "npr/HOVEDTILSTAND", [("C50", "Ondartet svulst i bryst")]),  # a common name
        ("blodtrykksmedisin", "norpd/ATC_KODE", [("C07AB02", "Metoprolol"), ("C09AA05", "Ramipril")]),
        ("diabetes medication", "norpd/ATC_KODE", [("A10AE04", "Insulin glargin"), ("A10BA02", "Metformin")]),
        ("T2D", "npr/HOVEDTILSTAND", [("E11", "Diabetes mellitus type 2")]),  # an abbreviation with a digit
        ("dm2", "dar/UNDERLIGGENDE", [("E11", "Diabetes mellitus type 2")]),
    ],
)
def test_codes_find_the_variables_whose_code_lists_hold_them_and_show_the_code(
    loaded: SearchBackend, query: str, name: str, codes: list[tuple[str, str]]
) -> None:
    result = search(loaded, query)
    assert [tuple(c) for c in hit_of(result, name).matched_codes] == codes
    assert not result.typos and not result.any_words


def test_a_common_name_of_codes_stays_in_its_classification(loaded: SearchBackend) -> None:
    assert names(search(loaded, "blodtrykksmedisin")) == ["norpd/ATC_KODE"]  # ATC C09 is not ICD-10 C09


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C50", {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE", "kreft/TOPOGRAFI", "bryst/BRYST_DIAGNOSE", "bryst/HER2"}),
        ("ICD-10 C50", {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"}),
        ("icd10 C50", {"npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"}),
        ("ICD-O-3 C50", {"kreft/TOPOGRAFI"}),
        ("ATC C50", set()),
        ("ATC A10", {"norpd/ATC_KODE"}),
    ],
)
def test_a_code_written_after_its_classification_is_searched_in_that_classification_only(
    loaded: SearchBackend, query: str, expected: set[str]
) -> None:
    """N06 is ATC's antidepressants and psycholeptics and ICD-10's isolated proteinuria: the page
    for "N06A" offered "N06", which found both (the researchers' drill). "ATC N06" finds ATC's."""
    result = search(loaded, query, typos=False, any_words=False)
    assert set(names(result)) == expected
    if " " in query:  # by the codes of their lists, not a mention ("C50" in HER2's description)
        assert all(h.matched_codes for h in result.hits)


def test_a_code_in_a_code_list_ranks_above_a_mention_in_a_description(loaded: SearchBackend) -> None:
    found = names(search(loaded, "C50"))
    holders = ["bryst/BRYST_DIAGNOSE", "kreft/TOPOGRAFI", "npr/HOVEDTILSTAND", "dar/UNDERLIGGENDE"]
    assert set(found[:4]) == set(holders) and found[4] == "bryst/HER2"


def test_a_dotted_code_in_text_is_found_by_its_category(loaded: SearchBackend) -> None:
    assert "diabetes/DIABETESTYPE" in names(search(loaded, "E11"))  # "type 2 (E11.9)" in its description


def test_no_codes_are_shown_where_none_was_asked_for(loaded: SearchBackend) -> None:
    assert all(h.matched_codes == [] for h in search(loaded, "diagnose").hits)
    assert all(h.matched_codes == [] for h in search(loaded, "C50", highlight=False).hits)


def test_an_edited_code_name_list_changes_search_without_a_reindex(
    loaded: SearchBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names_file = tmp_path / "code_names.txt"
    names_file.write_text("# local names\n", encoding="utf-8")
    monkeypatch.setattr(loaded, "synonyms", Synonyms(synonyms_copy(tmp_path), code_names=names_file))
    assert "npr/HOVEDTILSTAND" not in names(search(loaded, "operativ forløsning"))
    names_file.write_text("operativ forløsning = ICD-10 O82\nnot a line\n", encoding="utf-8")
    os.utime(names_file, ns=(names_file.stat().st_mtime_ns + 10**9,) * 2)
    time.sleep(WORD_LIST_RECHECK)
    result = search(loaded, "operativ forløsning")
    assert [tuple(c) for c in hit_of(result, "npr/HOVEDTILSTAND").matched_codes] == [
        ("O82", "Fødsel av enkeltfoster ved keisersnitt")
    ]


def test_code_lists_are_a_result_type_of_their_own(loaded: SearchBackend) -> None:
    result = search(loaded, "C50", type="codelist")
    assert {h.doc["name"] for h in result.hits} == {"icd10", "icdo3-topografi"}
    assert all(h.matched_codes for h in result.hits)
    # the datasets of those variables hold their codes (`documents.dataset_codes`)
    assert type_totals(loaded, SearchQuery(text="C50")) == {"variable": 5, "dataset": 3, "codelist": 2}


def test_a_code_lists_page_lists_the_variables_using_it(loaded: SearchBackend) -> None:
    result = variables_using(loaded, ICD10)
    assert result.total == 2 and [h.doc["name"] for h in result.hits] == ["HOVEDTILSTAND", "UNDERLIGGENDE"]


def test_scan_reads_every_document_matching_beyond_any_page(loaded: SearchBackend) -> None:
    assert {ident(d) for d in loaded.scan("variable", {"codelist": [ICD10, ATC]})} == {
        "npr/HOVEDTILSTAND",
        "dar/UNDERLIGGENDE",
        "norpd/ATC_KODE",
    }
    assert all("coded" not in d for d in loaded.scan("variable", {"source": ["tromso"]}))
    assert len(list(loaded.scan("variable", {}))) == len(VARIABLES)


# -- identical variables as one row ----------------------------------------------------------


def test_identical_variables_of_one_source_are_one_row_with_their_datasets_and_span(loaded: SearchBackend) -> None:
    result = search(loaded, "røyker daglig", group=True)
    first = result.hits[0]
    assert ident(first.doc) == "tromso/ROYK" and first.group_size == 4
    assert [m["dataset_title"] for m in first.members] == ["Tromsø 4", "Tromsø 5", "Tromsø 6", "Tromsø 7"]
    assert first.period == (1994, 2016)
    assert result.grouped and result.total == len({h.doc["group"] for h in search(loaded, "røyker daglig").hits})
    assert "hunt/ROYK" in names(result)  # another source, another row


def test_a_letter_typed_with_a_combining_mark_is_the_letter(loaded: SearchBackend) -> None:
    """ "blodtrykksmåling" typed with a + U+030A (some keyboards, text pasted from a PDF) was two
    words, "blodtrykksma" and "ling", and found other things than the word typed with "å"."""
    composed, decomposed = search(loaded, "målt vekt"), search(loaded, "ma\u030alt vekt")
    assert composed.total > 0 and not composed.any_words
    assert (names(decomposed), decomposed.total, decomposed.any_words) == (names(composed), composed.total, False)


def test_a_rows_members_say_of_their_datasets_what_their_documents_say(loaded: SearchBackend) -> None:
    """On Elasticsearch the members lost their datasets' titles in other languages: the English
    page listed a row's waves by their bokmål titles."""
    [row] = [h for h in search(loaded, "røyker daglig", group=True).hits if ident(h.doc) == "tromso/ROYK"]
    docs = {h.key: h.doc for h in search(loaded, filters={"group": [row.doc["group"]]}).hits}
    assert row.members == [member(docs[m["key"]]) for m in row.members]
    assert {m["dataset_titles"]["en"] for m in row.members} == {f"Tromsø {n}" for n in (4, 5, 6, 7)}


def test_a_group_expands_to_its_members(loaded: SearchBackend) -> None:
    [row] = [h for h in search(loaded, "vekt", group=True).hits if ident(h.doc) == "tromso/VEKT"]
    members = search(loaded, filters={"group": [row.doc["group"]]})
    assert members.total == row.group_size == 4
    assert {h.key for h in members.hits} == {m["key"] for m in row.members}


def test_a_row_counts_and_spans_only_its_members_that_match(loaded: SearchBackend) -> None:
    """Some of a group's waves filtered out: the row's size, members and span are the rest's (a
    backend may take a group read whole from the hits, but not one missing members)."""
    [whole] = [h for h in search(loaded, "røyker daglig", group=True).hits if ident(h.doc) == "tromso/ROYK"]
    filters = {"period": ["2000-2009"]}
    [row] = [
        h for h in search(loaded, "røyker daglig", group=True, filters=filters).hits if ident(h.doc) == "tromso/ROYK"
    ]
    members = search(loaded, filters={**filters, "group": [whole.doc["group"]]}).hits
    assert 0 < row.group_size == len(members) < whole.group_size
    assert {m["key"] for m in row.members} == {h.key for h in members}
    starts = [h.doc["period_start"] for h in members]
    assert row.period[0] == min(starts) > whole.period[0]


def test_a_group_differs_when_the_variable_does(loaded: SearchBackend) -> None:
    rows = search(loaded, "vekt", group=True).hits
    assert [h.group_size for h in rows if ident(h.doc) == "hunt/VEKT"] == [1]  # HUNT's differs: no unit
    assert len({h.doc["group"] for h in rows}) == len(rows)


def test_grouped_the_total_counts_rows_and_facets_still_count_variables(loaded: SearchBackend) -> None:
    grouped, flat = search(loaded, group=True), search(loaded)
    assert grouped.total == len(VARIABLES) - 7  # the Tromsø waves' 10 variables are 3 rows
    assert grouped.facets == flat.facets and dict(grouped.facets["source"])["tromso"] == 10
    assert search(loaded, group=True, filters={"source": ["tromso"]}).total == 3
    counted = search(loaded, group=True, limit=0)
    assert counted.total == grouped.total and counted.facets == grouped.facets


def test_grouped_pages_are_disjoint_and_add_up(loaded: SearchBackend) -> None:
    pages = [search(loaded, group=True, sort="name", offset=o, limit=10) for o in range(0, 70, 10)]
    groups = [h.doc["group"] for p in pages for h in p.hits]
    assert len(groups) == len(set(groups)) == pages[0].total
    relevant = [search(loaded, "vekt", group=True, offset=o, limit=2) for o in (0, 2, 4)]
    keys = [h.doc["group"] for p in relevant for h in p.hits]
    assert len(keys) == len(set(keys)) == min(6, relevant[0].total)


def test_a_dataset_is_found_by_whom_its_data_are_about(empty: SearchBackend) -> None:
    """MoBa's title says nothing of pregnancy, its population does ("Gravide kvinner i Norge
    1999-2008"); "gravid" and "pregnant women" found none of its datasets."""
    from dataclasses import replace

    from catalog.config import SourceConfig
    from catalog.pipeline import source_info
    from catalog.search.documents import complete, documents
    from tests.factories import mfr_dataset

    cohort = replace(
        mfr_dataset(),
        title={"nb": "Spørreskjema 1"},
        population_coverage={"nb": "Gravide kvinner i Norge 1999–2008", "en": "Pregnant women in Norway"},
    )
    source = source_info(SourceConfig("moba", "dcat", "https://example.org/moba.ttl"))
    empty.upsert(list(complete(documents(cohort, source, valid=True, platforms=[]), lambda _key: None)))
    for words in ("gravid", "gravide kvinner", "pregnant women"):
        result = search(empty, words, type="dataset")
        assert [h.doc["label"] for h in result.hits] == ["Spørreskjema 1"], words
        assert not result.any_words and not result.typos
