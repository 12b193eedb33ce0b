"""Nynorsk query words spelt as bokmål (`catalog.search.nynorsk`), and what a plan makes of them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from catalog.search.analysis import Alternative, Synonyms, WordList
from catalog.search.nynorsk import NYNORSK_FILE, Bokmal, parse


@pytest.fixture(scope="module")
def shipped() -> Bokmal:
    return Bokmal(WordList(NYNORSK_FILE).lines)


@pytest.mark.parametrize(
    ("nynorsk", "bokmal"),
    [
        ("sjukdom", "sykdom"),
        ("hjartesjukdom", "hjertesykdom"),  # two parts of a compound
        ("heimesjukepleie", "hjemmesykepleie"),  # "heime" before "heim"
        ("sjukeheim", "sykehjem"),
        ("Sjukepleiar", "sykepleier"),  # case
        ("fastlækjar", "fastlege"),
        ("helsetenesta", "helsetjenesta"),  # inflected: the stemmer does the rest
        ("dagleg", "daglig"),  # an ending
        ("beinskjørheit", "beinskjørhet"),
        ("fødd", "født"),  # a whole word
        ("innlegging", "innleggelse"),  # found any word on the demo (344 rows)
        ("helseundersøking", "helseundersøkelse"),  # found nothing on the demo: HUNT's "Helseundersøkelsen"
        ("helseundersøkinga", "helseundersøkelsen"),  # the definite form before the word
        ("utskriving", "utskrivning"),  # a typo of "utskrivning" on the demo
        ("Halden", "halden"),  # bokmål, or a name: no rule
        ("leg", "leg"),  # an ending is not the whole word
    ],
)
def test_nynorsk_words_are_spelt_as_bokmal(shipped: Bokmal, nynorsk: str, bokmal: str) -> None:
    assert shipped.spell(nynorsk) == bokmal


def test_every_line_of_the_shipped_rules_reads(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        rules = parse(WordList(NYNORSK_FILE).lines())
    assert not caplog.records
    assert rules.whole and rules.anywhere and rules.endings


def test_a_line_that_is_not_a_rule_is_skipped_with_a_warning_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        rules = parse(["*sjuk* = syk", "heim", "*brot = *brudd", "*x = *y*", "*leg = *lig"], "rules.txt")
    assert rules.endings == (("brot", "brudd"), ("leg", "lig")) and not rules.anywhere and not rules.whole
    assert [r.getMessage()[:21] for r in caplog.records] == [
        "rules.txt: entry 1 ('",
        "rules.txt: entry 2 ('",
        "rules.txt: entry 4 ('",
    ]


def test_a_nynorsk_word_is_planned_with_its_bokmal_spelling_beside_it_as_equal() -> None:
    """The same word in the other written standard: not a synonym, and weighed as typed."""
    plan = Synonyms().plan("sjukdom ")
    assert plan.units == ((Alternative(("sjukdom",), affixes=True), Alternative(("sykdom",), affixes=True)),)
    both = Synonyms().plan("røykjar dagleg")
    assert both.label_words() == [("røykjar", "dagleg"), ("røyker", "daglig")]  # one label holding all
    assert Synonyms().plan("røyker daglig").label_words() == [("røyker", "daglig")]


def test_a_nynorsk_word_finds_the_synonyms_and_codes_of_its_bokmal_spelling() -> None:
    """Nynorsk "sukkersjuke" is bokmål "sukkersyke", a synonym of diabetes and a common name of E10, E11, E14."""
    [unit] = Synonyms().plan("sukkersjuke").units
    assert [a.words for a in unit[:3]] == [("sukkersjuke",), ("sukkersyke",), ("diabetes",)]
    assert "icd10:e11" in unit[-1].codes


def test_a_misspelt_nynorsk_word_tolerates_the_typo_in_its_bokmal_spelling_too() -> None:
    """Bokmål joins "bosted" to a word with an s nynorsk does not write: "bustadkommune" is spelt
    "bostedkommune", one edit from "Bostedskommune" (on the demo it fell to any word: "kommune")."""
    synonyms = Synonyms()
    plan = synonyms.plan("bustadkommune ")
    tolerant = synonyms.tolerant(plan, [0], 1)
    assert tolerant is not None
    assert [(a.words, a.fuzzy) for a in tolerant.units[0][:2]] == [(("bustadkommune",), 1), (("bostedkommune",), 1)]
    assert tolerant.fuzzy_words() == ("bustadkommune",)  # the notice names the word as typed


def test_a_bokmal_word_is_planned_as_before() -> None:
    assert Synonyms().plan("sykehjem").units == ((Alternative(("sykehjem",), affixes=True, last=True),),)


def test_an_operators_copy_of_the_rules_is_read_instead_once_it_exists(tmp_path: Path) -> None:
    copy = tmp_path / "nynorsk.txt"
    assert Synonyms(nynorsk=copy).nynorsk.spell("sjukdom") == "sykdom"  # the shipped rules until then
    copy.write_text("*sjuk* = *sykt*\n", encoding="utf-8")
    assert Synonyms(nynorsk=copy).nynorsk.spell("sjukdom") == "syktdom"
