"""Topics: a readable taxonomy assigned from what records already say."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.model import Dataset, Variable
from catalog.topics import ASCII_WORD, WORD, TopicsError, parse, taxonomy

EU = "http://publications.europa.eu/resource/authority/"
CODING = "https://hdeu-dcat.data.health.europa.eu/resource/authority/coding-system/"


ASCII = "".join(map(chr, range(128)))


@pytest.mark.parametrize(
    "text", [ASCII, ASCII[::-1], "medisinsk_fodselsregister: apgar5", "x" + "".join(c + "ab" for c in ASCII)]
)
def test_ascii_text_has_the_same_words_by_the_ascii_pattern(text: str) -> None:
    """Topics split a lowered ASCII text by `ASCII_WORD`, which must find exactly `WORD`'s words."""
    assert ASCII_WORD.findall(text) == WORD.findall(text)


def _topics_by_regex(text: str) -> frozenset[int]:
    """`Topics._in_one` as it was first written: the regex's words, every phrase looked for."""
    t = taxonomy()
    found: set[int] = set()
    for word in WORD.findall(text):
        found |= t._match_word(word)
    found.update(i for phrase, i in t._phrases if phrase in " " + text)
    return frozenset(found)


@given(st.lists(st.sampled_from(["fysisk", "aktiv", "aktivitet", "røyker", "back", "pain", "kreft", "1", "_", "-", "²"]),
                max_size=5).map(" ".join) | st.text(st.sampled_from("fysk aitv_ 2²-ø"), max_size=16))  # fmt: skip
def test_a_text_of_words_between_spaces_has_the_topics_the_regexs_words_give(text: str) -> None:
    """Lowered texts of letters, digits, spaces and underscores are split by `str.split`, and a
    phrase ("fysisk aktiv") is looked for only where its first word is one of their words."""
    assert taxonomy()._in_one(text) == _topics_by_regex(text)


@pytest.mark.parametrize("word", ["alkoholbruk", "aasaasjeregisteret", "kreftregisteret", "r", "røykfri", "bmi"])
def test_a_words_topics_are_found_by_its_starts_until_no_listed_word_starts_so(word: str) -> None:
    t = taxonomy()
    by_every_start = {i for n in range(1, len(word) + 1) for i in t._prefixes.get(word[:n], ())}
    found = t._match_word(word)
    assert found & by_every_start == {i for i in by_every_start if word not in t.topics[i].excluded}


def variable(label: str, **kw: object) -> Variable:
    return Variable(uri=f"https://x.example/{label}", name="X", title={"nb": label}, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "topics"),
    [
        ("Fødselsvekt", ["pregnancy-birth", "body"]),  # a word's start and a compound's end
        ("Røyker daglig", ["lifestyle"]),
        ("Totalkolesterol", ["cardiovascular"]),
        ("Har eller har hatt astma", ["respiratory"]),
        ("Fødselsår", ["population"]),  # not about birth: an excluded word
        ("Medisinsk fødselsregister: apgar5", ["pregnancy-birth"]),  # "medisinsk" is not about medicines
        ("MEDISINSK_FØDSELSREGISTER", ["pregnancy-birth"]),  # a code's parts are words too
        ("Utbrudds-ID", ["infections"]),  # "utbrudd" is no fracture ("brudd")
        ("Løpenummer for person (pseudonym)", []),
    ],
)
def test_a_variable_label_shows_its_topics(label: str, topics: list[str]) -> None:
    assert taxonomy().of_variable(variable(label)) == topics


def test_english_labels_count_but_excluded_phrases_do_not() -> None:
    t = taxonomy()
    assert t.of_variable(Variable(uri="u", name="V", title={"en": "Birth weight"})) == ["pregnancy-birth", "body"]
    assert "pregnancy-birth" not in t.of_variable(Variable(uri="u", name="F", title={"en": "Year of birth"}))


def test_a_dataset_is_placed_by_title_keywords_themes_and_coding_systems() -> None:
    t = taxonomy()
    assert t.of_dataset(Dataset(uri="d", identifier="d", title={"nb": "Krefttilfeller"})) == ["cancer"]
    assert t.of_dataset(Dataset(uri="d", identifier="d", keywords={"nb": ["apotek"]})) == ["medicines"]
    assert t.of_dataset(Dataset(uri="d", identifier="d", themes=[EU + "data-theme/ECON"])) == ["socioeconomics"]
    assert t.of_dataset(Dataset(uri="d", identifier="d", coding_systems=[CODING + "ICD-O-3"])) == ["cancer"]
    assert t.of_dataset(Dataset(uri="d", identifier="d", themes=[EU + "data-theme/HEAL"])) == []


def test_a_variable_inherits_only_the_topics_that_hold_for_a_whole_dataset() -> None:
    t = taxonomy()
    sex = variable("Kjønn")
    assert t.of_variable(sex, ["cancer", "body", "lifestyle"]) == ["cancer", "population"]
    assert t.of_variable(variable("Legemiddel", coding_system="ATC")) == ["medicines"]


def test_every_topic_has_names_and_a_description_in_every_language() -> None:
    for topic in taxonomy().topics:
        for lang in ("nb", "nn", "en"):
            assert topic.name(lang) and topic.description(lang), (topic.id, lang)


def test_a_broken_topics_file_is_refused_with_the_place_named(tmp_path: Path) -> None:
    bad = tmp_path / "topics.toml"
    bad.write_text('[cancer]\nnb = "Kreft"\nen = "Cancer"\n', encoding="utf-8")
    with pytest.raises(TopicsError, match=r"topic 'cancer' needs a name in nn"):
        parse(bad)
    bad.write_text('[cancer]\nnb = "K"\nnn = "K"\nen = "C"\nwords = "kreft"\n', encoding="utf-8")
    with pytest.raises(TopicsError, match=r"topic 'cancer': words must be a list"):
        parse(bad)
    bad.write_text("[cancer\n", encoding="utf-8")
    with pytest.raises(TopicsError, match="cannot read the topics"):
        parse(bad)
    bad.write_text('[cancer]\nnb = "K"\nnn = "K"\nen = "C"\nicd10 = ["C0-D48"]\n', encoding="utf-8")
    with pytest.raises(TopicsError, match=r"topic 'cancer': icd10 'C0-D48' is not a category or range like C00-D48"):
        parse(bad)


CONDITIONS = {t.id for t in taxonomy().topics if t.icd10}


@pytest.mark.parametrize(
    ("text", "topics", "code"),
    [
        ("E11", ("diabetes",), "E11"),
        ("C50.9", ("cancer",), "C50"),
        ("i210", ("cardiovascular",), "I21"),
        ("S72", ("musculoskeletal",), "S72"),  # a fracture of the femur
        ("U07.1", ("infections",), "U07"),
        ("hoftebrudd", ("musculoskeletal",), None),
        ("depresjon", ("mental-health",), None),
        ("fødselsvekt", ("pregnancy-birth", "body"), None),
    ],
)
def test_a_search_is_about_the_topics_of_its_words_or_of_its_icd10_codes_category(
    text: str, topics: tuple[str, ...], code: str | None
) -> None:
    [area] = taxonomy().area(text)
    assert (area.topics, area.code) == (topics, code)
    assert set(area.elsewhere) == CONDITIONS - set(topics)


def test_only_a_search_about_a_disease_area_puts_the_other_areas_last() -> None:
    [area] = taxonomy().area("røyker daglig")
    assert area.topics == ("lifestyle",) and area.elsewhere == ()


@pytest.mark.parametrize("text", ["A10BA02", "R99", "8500/3", "diagnose"])
def test_other_classifications_codes_and_icd10_outside_any_area_are_about_nothing(text: str) -> None:
    assert taxonomy().area(text) == ()
