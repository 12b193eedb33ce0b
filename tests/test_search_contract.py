"""The search contract: every backend (tantivy, the OpenSearch emulator, and a real cluster when
CATALOG_ELASTICSEARCH_URL is set) must pass every test here on the same corpus."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.search import BadQuery, SearchBackend, SearchQuery
from catalog.search.analysis import MAX_WINDOW, Synonyms
from tests.search_fixtures import JUDGED, corpus, ident, names, synonyms_copy

VARIABLES = [d for d in corpus() if d["type"] == "variable"]


def search(backend: SearchBackend, text: str = "", **kwargs: Any) -> Any:
    return backend.search(SearchQuery(text=text, **kwargs))


# -- finding the variable ------------------------------------------------------------------


@pytest.mark.parametrize("query", sorted(JUDGED))
def test_judged_query_puts_what_the_researcher_meant_first(loaded: SearchBackend, query: str) -> None:
    grades = JUDGED[query]
    best = {name for name, grade in grades.items() if grade == 3}
    found = names(search(loaded, query, limit=10))
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


def test_typos_are_tolerated_only_when_nothing_matches_as_typed(loaded: SearchBackend) -> None:
    assert "hjerneslag/HJERNEINFARKT" not in names(search(loaded, "hjerteinfarkt"))
    assert {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT"} <= set(names(search(loaded, "hjertinfarkt")))


def test_a_search_says_whether_it_tolerated_typos_and_can_be_told_to(loaded: SearchBackend) -> None:
    fallback = search(loaded, "hjertinfarkt")
    assert fallback.typos and fallback.total > 0
    assert search(loaded, "hjertinfarkt", typos=False).total == 0
    assert names(search(loaded, "hjertinfarkt", typos=True)) == names(fallback)
    as_typed = search(loaded, "hjerteinfarkt")
    assert not as_typed.typos and search(loaded, "hjerteinfarkt", typos=False).total == as_typed.total


def test_compound_parts_find_the_compound(loaded: SearchBackend) -> None:
    found = names(search(loaded, "infarkt", limit=20))
    assert {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT", "hjerneslag/HJERNEINFARKT"} <= set(found)


def test_all_words_must_match(loaded: SearchBackend) -> None:
    assert names(search(loaded, "røyking svangerskapets slutt")) == ["mfr/ROYK_SLUTT"]
    assert search(loaded, "hjerteinfarkt inntekt").total == 0


def test_name_and_label_rank_above_description(loaded: SearchBackend) -> None:
    found = names(search(loaded, "vekt", limit=20))
    assert found.index("hunt/VEKT") < found.index("hunt/BMI")  # BMI says "vekt" only in its description
    assert found.index("mfr/VEKT") < found.index("mfr/MORS_BMI")


def test_an_exact_short_name_comes_before_a_near_one(loaded: SearchBackend) -> None:
    assert names(search(loaded, "MOR_ALDER"))[:2] == ["nnk/MOR_ALDER", "mfr/MORS_ALDER"]
    assert names(search(loaded, "mors_alder"))[:2] == ["mfr/MORS_ALDER", "nnk/MOR_ALDER"]


def test_stop_words_do_not_have_to_match(loaded: SearchBackend) -> None:
    assert names(search(loaded, "røyking og snus")) == names(search(loaded, "røyking snus"))


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
    assert names(search(loaded, "etterbyrd")) == ["mfr/PLACENTAVEKT"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tobakk", {"hunt/ROYK", "mfr/ROYK_START", "mfr/ROYK_SLUTT"}),
        ("AMI", {"hkr/AMI", "hjerteinfarkt/TIDL_INFARKT"}),
        ("body mass index", {"hunt/BMI", "mfr/MORS_BMI"}),
    ],
)
def test_shipped_synonyms_apply(loaded: SearchBackend, query: str, expected: set[str]) -> None:
    assert expected <= set(names(search(loaded, query)))


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


def test_highlighting_can_be_switched_off(loaded: SearchBackend) -> None:
    assert all(h.highlights == {} for h in search(loaded, "vekt", highlight=False).hits)


# -- facets, filters, sorting, paging ------------------------------------------------------


def test_facets_count_every_matching_variable(loaded: SearchBackend) -> None:
    result = search(loaded)
    assert result.total == len(VARIABLES)
    assert dict(result.facets["source"]) == Counter(d["source"] for d in VARIABLES)
    assert dict(result.facets["source_kind"]) == {
        "central-registry": 28,
        "quality-registry": 13,
        "survey": 8,
        "statistics": 4,
    }
    assert dict(result.facets["access_rights"]) == {"NON_PUBLIC": 41, "RESTRICTED": 12}
    assert result.facets["health_category"][0] == ("PHDR", 29)
    assert ("1960-1969", 16) in result.facets["period"]  # MFR from 1967, Kreftregisteret, DAR
    assert set(result.facets) == {
        "topic",
        "source",
        "source_kind",
        "health_category",
        "period",
        "datatype",
        "access_rights",
        "platform",
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
    assert search(loaded, filters={"source": ["hunt"]}).total == 8
    assert search(loaded, filters={"source": ["hunt", "mfr"]}).total == 19
    assert search(loaded, filters={"source": ["hunt"], "access_rights": ["NON_PUBLIC"]}).total == 0
    result = search(loaded, "vekt", filters={"source_kind": ["survey"]})
    assert names(result)[0] == "hunt/VEKT" and {h.doc["source"] for h in result.hits} == {"hunt"}
    assert search(loaded, filters={"period": ["1960-1969"]}).total == 16


def test_an_unknown_filter_is_a_bad_query(loaded: SearchBackend) -> None:
    with pytest.raises(BadQuery, match="unknown filter 'colour'"):
        search(loaded, filters={"colour": ["red"]})


def test_sort_by_name(loaded: SearchBackend) -> None:
    labels = [h.doc["label"] for h in search(loaded, limit=100, sort="name").hits]
    assert labels == sorted((d["label"] for d in VARIABLES), key=str.lower)
    relevant = [h.doc["label"] for h in search(loaded, "vekt", sort="name").hits]
    assert relevant == sorted(relevant, key=str.lower) and "Fødselsvekt" in relevant


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
    assert search(loaded, "type:dataset").total == 0


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
