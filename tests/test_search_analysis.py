"""The shared analysis: folding, compound splitting, query plans with synonyms, highlighting, and
the plain-JSON transport's header rewriting."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.search.analysis import (
    Alternative,
    Decompounder,
    Synonyms,
    decompounder,
    fold,
    fuzziness,
    highlight,
    index_fields,
)
from catalog.search.plain_json_transport import plain_mimetype


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fødselsvekt", "fodselsvekt"),
        ("RØYKEVANER", "roykevaner"),
        ("Æøå", "aeoa"),
        ("Café", "cafe"),
        ("MOR_ALDER", "mor_alder"),
    ],
)
def test_fold_matches_the_engines_ascii_folding(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("fødselsvekt", ("fodsel", "vekt")),  # linking s
        ("røykevaner", ("royk", "vaner")),  # linking e
        ("hjerteinfarkt", ("hjerte", "infarkt")),
        ("kroppsmasseindeks", ("kropp", "masse", "indeks")),
        ("fødselsvekten", ("fodsel", "vekt")),  # inflected: split after stemming
        ("placentavekt", ("vekt",)),  # unknown first part: the head still counts
        ("alder", ()),  # a listed word alone is not a compound
        ("dødsårsak", ("dod", "arsak")),  # listed, and still split
    ],
)
def test_compounds_split_into_listed_parts(word: str, parts: tuple[str, ...]) -> None:
    assert decompounder().split(word) == parts


def test_compound_parts_come_from_the_list_given() -> None:
    assert Decompounder(["blod", "trykk"]).split("blodtrykk") == ("blod", "trykk")
    assert Decompounder(["blod"]).split("blodtrykk") == ()


def test_a_query_plan_expands_synonym_phrases_and_drops_stop_words(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\nfødselsvekt, birth weight\nrøyk, tobakk\n", encoding="utf-8")
    plan = Synonyms(path).plan("Birth weight og røyk")
    assert plan.units == (
        (Alternative(("Birth", "weight")), Alternative(("fødselsvekt",), 0.8)),
        (Alternative(("røyk",)), Alternative(("tobakk",), 0.8)),
    )
    assert plan.exact == "birth weight og røyk"


def test_a_short_name_query_also_tries_its_words() -> None:
    assert Synonyms().plan("MORS_ALDER").units == ((Alternative(("MORS_ALDER",)), Alternative(("MORS", "ALDER"), 0.8)),)


@pytest.mark.parametrize(("word", "edits"), [("bmi", 0), ("C50", 0), ("A10BA02", 0), ("vekt", 1), ("fødselsvekt", 2)])
def test_typo_allowance_grows_with_word_length_and_spares_codes(word: str, edits: int) -> None:
    assert fuzziness(word) == edits


@pytest.mark.parametrize(
    ("query", "label", "marked"),
    [
        ("vekt", "Fødselsvekt i gram", "<mark>Fødselsvekt</mark> i gram"),
        ("rokevaner", "Røykevaner & <b>snus</b>", "<mark>Røykevaner</mark> &amp; &lt;b&gt;snus&lt;/b&gt;"),
        ("smoking", "Smoke status", "<mark>Smoke</mark> status"),
    ],
)
def test_highlight_marks_analysed_matches_and_escapes_the_rest(query: str, label: str, marked: str) -> None:
    plan = Synonyms().plan(query)
    assert highlight({"label": label}, plan.with_typos() or plan, decompounder()) == {"label": marked}


def test_index_fields_put_each_label_in_its_language_field() -> None:
    doc = {
        "key": "k",
        "type": "variable",
        "name": "MORS_ALDER",
        "label": "Mors alder",
        "labels": {"nb": "Mors alder", "en": "Mother's age", "de": "Alter der Mutter"},
        "descriptions": {"nn": "Alderen til mor", "q_nb": "Hvor gammel er du?"},
        "source": "mfr",
        "period": ["1990-1999"],
    }
    fields = index_fields(doc, decompounder())
    assert (fields["label_nb"], fields["label_en"], fields["label_plain"]) == (
        "Mors alder",
        "Mother's age",
        "Alter der Mutter",
    )
    assert (fields["description_nn"], fields["description_nb"]) == ("Alderen til mor", "Hvor gammel er du?")
    assert fields["name_text"] == "MORS_ALDER" and fields["name_exact"] == ["mors_alder"]
    assert fields["source"] == ["mfr"] and fields["period"] == ["1990-1999"] and "datatype" not in fields


@pytest.mark.parametrize(
    ("header", "plain"),
    [
        ("application/vnd.elasticsearch+json; compatible-with=9", "application/json"),
        ("application/vnd.elasticsearch+x-ndjson; compatible-with=8", "application/x-ndjson"),
        ("application/json", "application/json"),
    ],
)
def test_the_emulator_transport_sends_plain_media_types(header: str, plain: str) -> None:
    assert plain_mimetype(header) == plain
