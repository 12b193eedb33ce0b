"""The shared analysis: folding, compound splitting, query plans with synonyms, highlighting, and
the plain-JSON transport's header rewriting."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.model import CodeList, Concept, Dataset, Variable
from catalog.search.analysis import (
    ASCII_WORD,
    KEYWORD_FIELDS,
    LINKS,
    MIN_PART,
    RARITY_SCORE,
    WORD,
    Alternative,
    CodeNames,
    Decompounder,
    Synonyms,
    decompounder,
    fold,
    fuzziness,
    highlight,
    index_fields,
    typed_codes,
    word_affixes,
)
from catalog.search.analysis import _words as words_of
from catalog.search.codes import lettered
from catalog.search.documents import SourceInfo, about, coded, documents
from catalog.search.plain_json_transport import plain_mimetype
from catalog.search.results import compound_splits
from catalog.search.years import read_years

ASCII = "".join(map(chr, range(128)))


@pytest.mark.parametrize(
    "text", [ASCII, ASCII[::-1], "MORS_ALDER 2020 a-b c.d\te\x1ff", "x" + "".join(c + "ab" for c in ASCII)]
)
def test_ascii_text_splits_into_the_same_words_by_the_ascii_pattern(text: str) -> None:
    """Indexing splits ASCII text by `ASCII_WORD`, which must find exactly `WORD`'s words."""
    assert ASCII_WORD.findall(text) == WORD.findall(text)


WORDY = st.text(st.sampled_from("ab_ 1²٣\t\xa0-.ØøİΣς\u0301"), max_size=12)
"""Texts of letters, digits (ASCII, superscript, Arabic-Indic), underscores, spaces of several
kinds, punctuation and a combining accent: where `str.split` and the regex could disagree."""


@given(WORDY)
def test_a_text_is_split_into_the_regexs_words_whichever_way_is_taken(text: str) -> None:
    """Labels of words between spaces are split by `str.split` (a third of the regex's time):
    always into exactly `WORD`'s words."""
    assert words_of(text) == WORD.findall(text)


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


def _fewest_parts(parts: frozenset[str], word: str, start: int = 0) -> list[str] | None:
    """`Decompounder._full` as it was written first: every piece to the word's end tried."""
    if start == len(word):
        return []
    best: list[str] | None = None
    for end in range(len(word), start + MIN_PART - 1, -1):
        part = word[start:end]
        if part not in parts or (start == 0 and end == len(word)):
            continue
        for link in LINKS:
            if link and not word.startswith(link, end):
                continue
            rest = _fewest_parts(parts, word, end + len(link))
            if rest is not None and (best is None or len(rest) + 1 < len(best)):
                best = [part, *rest]
    return best


def test_a_compound_splits_as_it_did_when_every_piece_was_tried() -> None:
    """Pieces of a word are looked up only while some listed part starts so: the same split,
    into the fewest parts, the longest first part of those, of compounds of the listed parts."""
    splitter = decompounder()
    parts = sorted(splitter.parts)
    rng = random.Random(2026)
    for _ in range(3_000):
        word = "".join(rng.choice(parts) + rng.choice(["", "", "s", "e", "x"]) for _ in range(rng.randint(1, 4)))
        word = word[rng.randint(0, 2) :]
        assert splitter._full(word, 0, {}) == _fewest_parts(splitter.parts, word), word


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("Influensavaksinasjon", "Influensavaksinasjon ; influensa vaksinasjon"),
        # a compound of three parts also gives what it says before its head
        ("Nasjonalt hoftebruddregister", "Nasjonalt hoftebruddregister ; hofte brudd register hoftebrudd"),
        ("Norsk hjerneslagsregister", "Norsk hjerneslagsregister ; hjerne slag register hjerneslag"),  # linking s
        ("Norsk diabetesregister for voksne", "Norsk diabetesregister for voksne ; diabetes register"),
        ("Ondartet svulst i bryst", "Ondartet svulst i bryst"),  # no compound: as it is
    ],
)
def test_a_title_or_code_labels_are_indexed_with_their_compounds_parts(text: str, indexed: str) -> None:
    assert decompounder().with_parts(text) == indexed


def test_compound_parts_come_from_the_list_given() -> None:
    assert Decompounder(["blod", "trykk"]).split("blodtrykk") == ("blod", "trykk")
    assert Decompounder(["blod"]).split("blodtrykk") == ()


def test_a_query_plan_expands_synonym_phrases_and_drops_stop_words(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\nfødselsvekt, birth weight\nrøyk, tobakk\n", encoding="utf-8")
    plan = Synonyms(path).plan("Birth weight og røyk")
    assert plan.units == (
        (Alternative(("Birth", "weight"), affixes=True), Alternative(("fødselsvekt",), 0.8, affixes=True)),
        (Alternative(("røyk",), affixes=True, last=True), Alternative(("tobakk",), 0.8, affixes=True)),
    )
    assert plan.exact == "birth weight og røyk"


def test_a_short_name_query_also_tries_its_words() -> None:
    assert Synonyms().plan("MORS_ALDER").units == (
        (Alternative(("MORS_ALDER",), affixes=True, last=True), Alternative(("MORS", "ALDER"), 0.8)),
    )


def test_codes_keep_their_dots_and_common_names_of_codes_become_code_terms(tmp_path: Path) -> None:
    names = tmp_path / "code_names.txt"
    names.write_text("brystkreft = ICD-10 C50; ICD-O-3 C50\nbroken line\n", encoding="utf-8")
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("", encoding="utf-8")
    plan = Synonyms(synonyms, code_names=names).plan("I21.0 brystkreft")
    assert plan.units[0] == (Alternative(("I21.0",), affixes=True),)
    assert plan.units[1][1] == Alternative((), 0.5, codes=("icd10:c50", "icd10:c50*", "icdo3:c50", "icdo3:c50*"))


@pytest.mark.parametrize(
    ("code", "word"),
    [("MMR", True), ("DTP-IPV-Hib-HepB", True), ("K", True), ("1", False), ("0301", False), ("COVID19", False)],
)
def test_a_local_lists_code_a_query_takes_for_a_word_is_indexed_as_one(code: str, word: bool) -> None:
    """Only codes with a digit are looked up among codes; a vaccine's "MMR" is a word to a query."""
    assert lettered(code) is word
    concepts = [Concept(code=code, label={"nb": "Vaksine"})]
    assert (code in coded(CodeList(uri="urn:c", identifier="c", concepts=concepts), None)["labels"]) is word
    assert code not in coded(CodeList(uri="urn:c", identifier="icd10", concepts=concepts), "icd10")["labels"]


def test_every_line_of_the_shipped_code_names_reads(caplog: pytest.LogCaptureFixture) -> None:
    """A line the parser skips only warns: a typo in the shipped list would go unseen."""
    with caplog.at_level(logging.WARNING):
        table = CodeNames().table()
    assert not caplog.records
    assert len(table) > 100


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        # conditions researchers asked the demo for that found no diagnosis variable
        ("eating disorder", ("icd10:f50", "icd10:f50*")),
        ("anoreksi", ("icd10:f50.0", "icd10:f50.0*", "icd10:f50.1", "icd10:f50.1*")),
        ("leddgikt", ("icd10:m05", "icd10:m05*", "icd10:m06", "icd10:m06*")),
        ("svangerskapsdiabetes", ("icd10:o24.4", "icd10:o24.4*")),
        ("leppe-kjeve-ganespalte", ("icd10:q35", "icd10:q35*", "icd10:q36", "icd10:q36*", "icd10:q37", "icd10:q37*")),
        ("hjernerystelse", ("icd10:s06.0", "icd10:s06.0*")),
        ("for tidlig født", ("icd10:p07", "icd10:p07*")),  # "for" is a stop word
        # found by use on the demo: "preterm" found nothing, "premature birth" two rows (the
        # codes of P07 in datasets titled "Births"), "high blood pressure" fell to any word
        ("preterm", ("icd10:p07", "icd10:p07*")),
        ("high blood pressure", ("icd10:i10", "icd10:i10*", "icpc2:k86", "icpc2:k86*", "icpc2:k87", "icpc2:k87*")),
        ("migraine", ("icd10:g43", "icd10:g43*", "icpc2:n89", "icpc2:n89*")),
        ("lavt stoffskifte", ("icd10:e03", "icd10:e03*", "icpc2:t86", "icpc2:t86*")),
        (
            "hepatitis",
            tuple(t for c in ("b15", "b16", "b17", "b18", "b19") for t in (f"icd10:{c}", f"icd10:{c}*"))
            + ("icpc2:d72", "icpc2:d72*"),
        ),
        ("down syndrome", ("icd10:q90", "icd10:q90*")),
        ("medfødt hjertefeil", tuple(t for n in range(20, 27) for t in (f"icd10:q{n}", f"icd10:q{n}*"))),
        ("overweight", ("icd10:e66", "icd10:e66*", "icpc2:t82", "icpc2:t82*", "icpc2:t83", "icpc2:t83*")),  # was "over"
        ("drug overdose", ("icd10:x42", "icd10:x42*", "icd10:x62", "icd10:x62*", "icd10:y12", "icd10:y12*")),
        # groups of medicines asked for by name that found nothing ("opioider", "opioids")
        ("opioider", ("atc:n02a", "atc:n02a*")),
        ("opioids", ("atc:n02a", "atc:n02a*")),
        ("benzodiazepiner", ("atc:n05ba", "atc:n05ba*", "atc:n05cd", "atc:n05cd*")),
        ("antipsychotics", ("atc:n05a", "atc:n05a*")),
        ("antiepileptika", ("atc:n03a", "atc:n03a*")),
        ("nsaids", ("atc:m01a", "atc:m01a*")),
        ("astmamedisin", ("atc:r03", "atc:r03*")),
        ("stoffskiftemedisin", ("atc:h03a", "atc:h03a*")),
        # an English-reading researcher's study of cardiovascular outcomes after pregnancy
        # complications (2026-12-07): each found nothing on the demo, or fell to any word
        ("lipid-lowering", ("atc:c10", "atc:c10*")),
        ("cholesterol-lowering", ("atc:c10", "atc:c10*")),  # any word: "cholesterol" lab values
        (
            "ischaemic heart disease",  # any word: the cause of death's ICD-10 chapter
            tuple(t for n in range(20, 26) for t in (f"icd10:i{n}", f"icd10:i{n}*"))
            + tuple(t for c in ("k74", "k75", "k76") for t in (f"icpc2:{c}", f"icpc2:{c}*")),
        ),
        (
            "cerebrovascular",
            tuple(t for n in range(60, 70) for t in (f"icd10:i{n}", f"icd10:i{n}*"))
            + tuple(t for c in ("k89", "k90", "k91") for t in (f"icpc2:{c}", f"icpc2:{c}*")),
        ),
    ],
)
def test_common_names_of_conditions_and_medicines_stand_for_their_codes(query: str, codes: tuple[str, ...]) -> None:
    plan = Synonyms().plan(query)
    assert [a.codes for a in plan.units[0] if a.codes] == [codes]


def test_a_name_of_several_words_is_one_unit_not_a_name_and_a_word_that_must_match() -> None:
    """ "premature birth" was "premature" (P07) and "birth": two rows on the demo, the codes of
    P07 in datasets titled "Births"."""
    [unit] = Synonyms().plan("premature birth").units
    assert [a.codes for a in unit if a.codes] == [("icd10:p07", "icd10:p07*")]


def test_a_word_is_matched_whole_as_a_part_of_a_compound_and_the_last_as_one_types() -> None:
    [vekt] = Alternative(("vekt",), affixes=True).specs()
    assert (vekt.prefix, vekt.part, vekt.code) == (None, "vekt", False)
    [fod] = Alternative(("fød",), affixes=True, last=True).specs()
    assert (fod.prefix, fod.part) == ("fod", None)  # three letters: only as one types the last word
    [code] = Alternative(("A10",), affixes=True, last=True).specs()
    assert (code.prefix, code.part, code.code) == (None, None, True)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("fødselsvekten", {"fods", "fodsel", "vekt", "svekt"}),  # inflected: from the stem
        ("søvnvansker", {"sovn", "vansk"}),
        ("kroppsmasseindeks", {"kropp", "kroppsmass", "indeks"}),  # at most ten letters
    ],
)
def test_a_long_word_is_indexed_with_the_starts_and_ends_a_part_could_be(word: str, parts: set[str]) -> None:
    assert parts <= set(word_affixes(word))
    assert all(len(p) >= 4 for p in word_affixes(word)) and word_affixes("vekt") == ()


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        # found by use on the demo: each found nothing, though a variable says the other
        ("eq-5d", ("eq5d",)),  # the hyphen splits it into two words; the registries write "EQ5D"
        ("dødfødsel", ("dødfødt",)),
        ("histologi", ("morfologi",)),  # the Cancer Registry's "Morfologi (ICD-O-3)"
        ("poliklinikk", ("poliklinisk",)),
        ("waist circumference", ("midjeomkrets",)),  # HUNT's and Tromsø's word
        ("measles", ("meslinger",)),  # SYSVAK's MMR vaccine, "Meslinger, kusma og røde hunder"
        ("surgery", ("operasjon",)),  # the hip fracture registry's "Operasjonsmetode"
        ("gravide", ("svangerskap",)),  # "røyking gravide": MFR's "Røyking ved svangerskapets slutt"
        ("ungdom", ("ung",)),  # "hunt ungdom": Ung-HUNT4
        ("twins", ("flerfødsel",)),  # MFR's "Flerfødsel"
        ("bleeding", ("blødning",)),  # MFR's "Blødning over 500 ml"
        ("specialty", ("fagomraade",)),  # microdata.no's NPR "fagomraade", as ASCII spells it
        ("antall barn", ("paritet",)),  # fell to any word on the demo: "Antall pakninger" first
        ("hjemkommune", ("bostedskommune",)),  # and nynorsk "heimkommune": fell to "kommune"
        ("liggedøgn", ("liggetid",)),  # NPR's "Liggetid"
        ("hospitalisation", ("innleggelse",)),  # "Årsak til innleggelse", "Innlagt i sykehus"
        ("registry", ("register",)),  # "stroke registry": "Norsk hjerneslagregister" fell to any word
        ("quality registry", ("kvalitetsregister",)),
        ("vaksinert", ("vaksinasjon",)),  # "vaksinert mot covid": SYSVAK's Koronavaksinasjon
        ("tilbakefall", ("residiv",)),  # the childhood cancer registry's "Residiv ved inklusjon"
        ("survival", ("vitalstatus",)),  # the Cancer Registry's "Vitalstatus"
        ("pasienttilfredshet", ("fornøyd", "behandlingen")),  # fell to any word (358 rows)
        ("multiple pregnancy", ("flerfødsel",)),  # fell to any word: BMI before pregnancy first
        ("hip fracture", ("hoftebrudd",)),  # a code name only: none of the registry's datasets
        # a phrase with a stop word, which a query drops ("of"): the lists' phrases drop it too
        ("quality of life", ("eq5d",)),
        ("cause of death", ("dødsårsak",)),
        ("dødsårsak", ("cause", "death")),
        ("children", ("barn",)),  # "antibiotics children": "children" took a typo, 34 junk rows
        ("infant", ("spedbarn",)),
        ("fedre", ("far",)),  # a typo of something else, 84 rows of causes of death
        ("teenagers", ("ungdom",)),
        ("søvnproblemer", ("søvnvansker",)),  # the surveys' "Søvnvansker": nothing found
        ("psykisk helse", ("psykisk", "helsevern")),  # 17 of NPR's 38 "psykisk helsevern" variables
        ("psychiatric", ("psykisk", "helsevern")),  # nothing found
        ("waist", ("midjeomkrets",)),  # a typo: NPR's "Waiting time"
        ("substance use", ("rus",)),  # NPR's "Tverrfaglig spesialisert rusbehandling" (rus: a part)
        ("county", ("fylke",)),  # 35 English-labelled "Bostedsfylke" of the 100
        ("municipality", ("kommune",)),
        ("ethnicity", ("landbakgrunn",)),  # microdata.no's "landbakgrunn": nothing found
        ("klamydia", ("chlamydia",)),  # MSIS's agent "Chlamydia trachomatis"
        ("gonoré", ("gonokokk",)),  # MSIS's agent "Gonokokk"
        ("antibiotic resistance", ("antibiotikaresistens",)),  # MSIS's "Antibiotikaresistens": any word
        ("radiation", ("stråle",)),  # the childhood cancer registry's "Stråledose": nothing found
        ("strålebehandling", ("stråle",)),
        ("fracture", ("brudd",)),  # nothing found; "brudd" is part of NPR's and the registry's words
        ("kidney", ("nyre",)),  # nothing found; ICD-10's kidney diseases say "nyre"
        ("arthritis", ("leddgikt",)),  # nothing found; ICD-10's "Leddgikt"
        ("divorced", ("skilt",)),  # nothing found; the marital status lists' "Skilt"
        ("employment", ("arbeidsforhold",)),  # nothing found; microdata.no's "arbeidsforhold"
        ("time of death", ("dødsdato",)),  # any word: NPR's "Ventetid" (waiting time) first
        ("questionnaire", ("spørreskjema",)),  # no dataset found; the surveys' "Spørreskjema" (21)
        ("menn", ("mann",)),  # nothing found; the sex lists' "Mann" (and "tannlege" is no typo of it)
        ("women", ("kvinne",)),
        ("gutter", ("mann",)),
        ("mammografi", ("brystkreft",)),  # nothing found; the cancer registry's "Brystkreft" (and its programme)
        ("celleprøve", ("livmorhalskreft",)),  # nothing found; "Masseundersøkelsen mot livmorhalskreft"
        ("cervix", ("livmorhalskreft",)),
        ("psa", ("prostatakreft",)),  # nothing found; the cancer registry's "Prostatakreft"
        ("birth defects", ("misdannelse",)),  # any word, "Fødselslengde" first; MFR's "misdannelser"
        ("sivilstatus", ("sivilstand",)),  # nothing found; "Sivilstand" in MFR, microdata.no and SSB
        ("anxiety", ("angst",)),  # the ICD-10 codes only; HUNT's "Nervøsitet og angst" as "angst" was
        ("caesarean", ("keisersnitt",)),  # 12 of MFR's 100 "Keisersnitt" (those labelled in English)
        ("hospital", ("sykehus",)),  # NPR's "Free choice of hospital used" first; "Behandlende sykehus" not found
        ("diagnosis", ("diagnose",)),  # 118 variables labelled in English of the 388 saying "diagnose"
        ("treatment", ("behandling",)),
        ("svangerskapsuke", ("svangerskapslengde",)),  # the NorPD dataset's variables first (its description)
        ("flerlinger", ("flerfødsel",)),  # nothing found
        ("offspring", ("barn",)),  # nothing found; MFR's "Diagnosis of the child", "Barnets ..."
    ],
)
def test_the_shipped_synonyms_carry_a_researchers_word_to_the_catalogues(query: str, finds: tuple[str, ...]) -> None:
    assert finds in [a.words for unit in Synonyms().plan(query).units for a in unit]


def test_socioeconomic_status_also_searches_what_it_is_measured_by() -> None:
    """ "socioeconomic status" found nothing on the demo (the catalogue says "utdanning",
    "inntekt", "yrke"), and "status", a word of what kind of value, is no help."""
    assert Synonyms().plan("socioeconomic status").related == (("socioeconomic", ("utdanning", "inntekt", "yrke")),)


def test_a_plan_says_which_synonyms_each_listed_word_was_also_searched_as() -> None:
    """As the list writes them, the typed phrase with its stop words, and not the inflections of
    the word typed ("kvinner" is "kvinne" searched, not another word)."""
    plan = Synonyms().plan("quality of life og kvinne MORS_ALDER")
    assert plan.synonyms == (
        (
            "quality of life",
            (
                "livskvalitet",
                "helserelatert livskvalitet",
                "health-related quality of life",
                "eq-5d",
                "eq5d",
                "euroqol",
            ),
        ),
        ("kvinne", ("female", "females", "woman", "women", "jente", "jenter", "girl", "girls")),
    )
    assert Synonyms().plan("MORS_ALDER").synonyms == ()


def test_the_synonyms_a_plan_says_it_searched_are_written_as_the_lists_write_them() -> None:
    """The page said "cvd" was also searched as "hjerte og karsykdom": a phrase was shown as its
    words, its hyphens dropped. Shown as the lists write it, synonyms, related terms and the
    names a typo was corrected to alike; searched as before."""
    synonyms = Synonyms()
    plan = synonyms.plan("cvd")
    assert plan.synonyms[0][0] == "cvd"
    assert plan.synonyms[0][1][:3] == ("hjerte- og karsykdom", "hjerte- og karsykdommer", "hjerte-karsykdom")
    assert plan.related == (("cvd", ("hjerte- og karregisteret",)),)
    assert ("hjerte", "karsykdom") in [a.words for a in plan.units[0]]  # the words searched, as before
    corrected = synonyms.tolerant(synonyms.plan("hjerte- og karsykdon"), [1], 1)
    assert corrected is not None and corrected.corrected == ("hjerte- og karsykdom",)


def test_two_words_are_also_looked_for_as_the_one_word_norwegian_makes_of_them() -> None:
    assert Synonyms().plan("årsak til død").joined_words() == (
        "dødårsak",
        "dødsårsak",
        "dødeårsak",
        "årsakdød",
        "årsaksdød",
        "årsakedød",
    )
    assert Synonyms().plan("vekt").joined_words() == ()  # one word
    assert Synonyms().plan("vekt ved 5 år").joined_words() == ()  # three, a number among them
    assert Synonyms().plan("hba1c verdi").joined_words() == ()  # a code's digits


def test_a_long_word_splits_into_two_words_the_longest_first_part_first() -> None:
    splits = compound_splits("blodtrykksmåling")
    assert splits[0] == ("blodtrykksmå", "ling")  # tried first, and so on down to the first that matches
    assert splits.index(("blodtrykk", "måling")) + 1 == splits.index(("blodtrykks", "måling"))  # no linking s first
    assert ("blod", "trykksmåling") in splits and all(len(a) >= 4 and len(b) >= 4 for a, b in splits)
    assert compound_splits("hoftebrud") == [("hofte", "brud"), ("hoft", "brud"), ("hoft", "ebrud")]
    assert compound_splits("diabetes") == [("diab", "etes")] and compound_splits("vekt") == []
    assert compound_splits("hba1cverdi") == []  # a code's digits


@pytest.mark.parametrize("typed", ["tannlege", "muligheter"])
def test_no_shipped_word_is_taken_for_a_word_whose_stem_is_short(typed: str) -> None:
    """ "tannlege" (stem "tann") was corrected to the listed "mann" one edit away when "mann, menn"
    was added: the demo listed the 121 sex variables (their code "Mann") for "dentist". Listed
    again since, as a stem of four letters takes no typo (`stem_fuzziness`)."""
    synonyms = Synonyms()
    for edits in (1, 2):
        tolerant = synonyms.tolerant(synonyms.plan(typed), [0], edits)
        assert tolerant is None or tolerant.corrected == ()


def test_a_typo_is_corrected_to_the_synonyms_it_is_a_typo_of() -> None:
    synonyms = Synonyms()
    plan = synonyms.plan("rokevaner")
    tolerant = synonyms.tolerant(plan, [0], 1)
    assert tolerant is not None and tolerant.fuzzy_words() == ("rokevaner",)
    assert Alternative(("røyking",), 0.8) in tolerant.units[0]
    assert synonyms.tolerant(synonyms.plan("infark"), [0], 2) is None  # six letters: no second edit
    # the stemmer cuts "diabetes" to "diabet" and leaves "diabetis": one edit as written
    misspelt = synonyms.tolerant(synonyms.plan("diabetis"), [0], 1)
    assert misspelt is not None and misspelt.corrected == ("diabetes",)
    # a phrase that is both a synonym and a common name of codes is corrected to once
    both = synonyms.tolerant(synonyms.plan("hjertinfarkt"), [0], 1)
    assert both is not None and len(set(both.units[0])) == len(both.units[0])
    assert both.corrected == ("hjerteinfarkt",)


@pytest.mark.parametrize("typed", ["emigration", "utvandring"])
def test_a_word_the_lists_know_is_not_taken_for_a_typo(typed: str) -> None:
    """A foreign researcher's "emigration" (the censoring event of a follow-up) matched nothing on
    the demo and was searched as "immigration", two edits away: the page listed the immigration
    categories as what was asked. A word of the synonym or code-name lists is spelt right; that
    nothing holds it is the answer."""
    synonyms = Synonyms()
    for edits in (1, 2):
        assert synonyms.tolerant(synonyms.plan(typed), [0], edits) is None


def test_a_plan_counts_its_clauses_as_lucene_would() -> None:
    plan = Synonyms().plan("fødselsvekt")
    assert 15 < plan.clauses() < 150
    assert Synonyms().plan(" ".join(["ord"] * 100)).clauses() > 1024


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
    synonyms = Synonyms()
    plan = synonyms.plan(query)
    assert highlight({"label": label}, synonyms.tolerant(plan, [0], 1) or plan, decompounder()) == {"label": marked}


def test_highlight_marks_the_label_and_description_in_each_other_language_apart() -> None:
    synonyms = Synonyms()
    doc = {
        "label": "Fødselsvekt",
        "labels": {"nb": "Fødselsvekt", "en": "Birth weight"},
        "description": "Vekt ved fødsel.",
        "descriptions": {"nb": "Vekt ved fødsel.", "en": "Weight at birth."},
    }
    assert highlight(doc, synonyms.plan("weight"), decompounder()) == {  # "vekt" is a synonym
        "label": "<mark>Fødselsvekt</mark>",
        "description": "<mark>Vekt</mark> ved fødsel.",
        "label_en": "Birth <mark>weight</mark>",
        "description_en": "<mark>Weight</mark> at birth.",
    }


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


def test_index_fields_without_lists_give_a_lone_keyword_value_as_itself() -> None:
    """tantivy's JSON takes a lone value as it takes a list of one (`lists=False` saves it parsing
    lists); the values must be the same either way."""
    doc = {
        "key": "k",
        "type": "variable",
        "name": "MORS_ALDER",
        "label": "Mors alder",
        "keywords": ["alder", "mor"],
        "source": "mfr",
        "topic": ["pregnancy-birth"],
        "period": ["1990-1999", "2000-2009"],
        "uses": 3,
        "used": "2-4",
        "dataset_key": "d",
        "group": "g",
    }
    listed, lone = index_fields(doc, decompounder()), index_fields(doc, decompounder(), lists=False)
    assert listed.keys() == lone.keys()
    for name, value in listed.items():
        if name in KEYWORD_FIELDS:
            assert value == (lone[name] if isinstance(lone[name], list) else [lone[name]]), name
        else:
            assert lone[name] == value, name
    assert lone["topic"] == "pregnancy-birth" and lone["period"] == ["1990-1999", "2000-2009"] and lone["key"] == "k"


def test_a_variable_is_indexed_with_its_datasets_keywords_that_its_title_does_not_hold() -> None:
    """A registry's variables are found by what their dataset is about: its title, and its
    keywords (NorKog's "demens"); the registry's name, often also a keyword, counts once."""
    title = "Nasjonalt hoftebruddregister – Registreringer"
    keywords = ["kvalitetsregister", "nasjonalt hoftebruddregister", "lårhalsbrudd", ""]
    assert about(title, keywords) == "kvalitetsregister ; lårhalsbrudd"
    assert about(title, ["Nasjonalt hoftebruddregister"]) is None
    # its title in other languages too (what a researcher searching in English finds it by)
    english = "Norwegian Hip Fracture Register"
    assert about(title, keywords, [title, english]) == f"{english} ; kvalitetsregister ; lårhalsbrudd"
    assert about(title, [english.lower()], [title, english]) == english  # once
    dataset = Dataset(
        uri="urn:d",
        identifier="d",
        title={"nb": title},
        keywords={"nb": keywords},
        variables=[Variable(uri="urn:v", name="ASA", title={"nb": "ASA-grad"})],
    )
    variable = [
        d for d in documents(dataset, SourceInfo("nhfr", "NHFR", "quality-registry")) if d["type"] == "variable"
    ]
    indexed = index_fields(variable[0], decompounder())["dataset_title"]
    assert "lårhalsbrudd" in indexed and indexed.count("hoftebruddregister") == 1


@pytest.mark.parametrize(
    ("typed", "words", "years"),
    [
        ("fødsler 2010", "fødsler", ["2010"]),
        ("diabetes 2015-2019", "diabetes", ["2015-2019"]),
        ("diabetes 2015 – 2019", "diabetes", ["2015-2019"]),
        ("tromsø 2015-16", "tromsø", ["2015-2016"]),
        ("røyking (1999-01)", "røyking", ["1999-2001"]),
        ("kreft 1990-tallet", "kreft", ["1990-1999"]),
        ("smoking 1990s", "smoking", ["1990-1999"]),
        ("2010 kreft 2010", "kreft", ["2010"]),
        ("2017-2019", "", ["2017-2019"]),
        ("ICD-10 2019", "ICD-10", ["2019"]),
        ("hunt3 C50 E11.9", "hunt3 C50 E11.9", []),  # a wave, codes
        ("fødselsvekt 2500", "fødselsvekt 2500", []),  # grams: past the years read
        ("folketall 1800", "folketall 1800", []),
        ('fødsler "2010"', 'fødsler "2010"', []),  # quoted: a word
        ("diabetes 2019-2015", "diabetes 2019-2015", []),  # not in order
        ("diabetes fra 2010", "diabetes", ["2010-"]),  # from 2010 on
        ("diabetes frå 2010", "diabetes", ["2010-"]),
        ("diabetes since 2010", "diabetes", ["2010-"]),
        ("kreft etter 2010", "kreft", ["2011-"]),
        ("kreft før 2000", "kreft", ["-1999"]),  # until 1999
        ("vaksine til 2000", "vaksine", ["-2000"]),
        ("diabetes fra 2010-2015", "diabetes", ["2010-2015"]),
        ("henvist fra", "henvist fra", []),
    ],
)
def test_a_year_standing_alone_among_the_words_is_read_as_the_years_the_data_cover(
    typed: str, words: str, years: list[str]
) -> None:
    assert read_years(typed) == (words, years)


def test_any_word_plans_weigh_each_word_as_it_is_rare_but_a_qualifier_as_the_commonest() -> None:
    plan = Synonyms().plan("antibiotika barn level")
    assert plan.any() is not None and plan.any().rarity == ()  # not counted (too long a query to rate): as before
    rated = plan.any([36, 631, 8], 3000)
    assert rated is not None and rated.any_words
    antibiotika, barn, level = rated.rarity
    assert antibiotika == RARITY_SCORE and barn < antibiotika / 2  # barn's idf is a third of antibiotika's
    assert level == barn  # rarer than both, but it only qualifies: as the commonest word
    assert plan.any([0, 631, 0], 3000).rarity == (0.0, RARITY_SCORE, 0.0)  # a word matching nothing adds nothing
    assert Synonyms().plan("barn").any([631], 3000) is None


@pytest.mark.parametrize(
    "typed,codes",
    [
        ("C50", [("C50", ("C50",))]),
        ("brystkreft I21.4 8500/3", [("I21.4", ("I21.4",)), ("8500/3", ("8500/3",))]),
        ("c50 røyking C33-C34", [("c50", ("c50",)), ("C33-C34", ("C33", "C34"))]),
        ("C18–20 c50 C50", [("C18–20", ("C18", "C19", "C20")), ("c50", ("c50",))]),
        ("C00-C97", [("C00", ("C00",)), ("C97", ("C97",))]),  # too wide a range: searched as its ends
        ("HUNT4 tromsø7 JKA21", [("JKA21", ("JKA21",))]),  # a survey's wave is no code
        ("fødselsvekt", []),
    ],
)
def test_the_codes_a_query_names_are_listed_as_typed_with_what_the_search_looks_up(typed, codes) -> None:
    assert list(typed_codes(typed)) == codes
