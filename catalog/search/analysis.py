"""Text analysis shared by every backend, so a query finds the same variables everywhere.

The engines do the per-field work they are good at (tokenize, lowercase, Snowball stemming per
language, ASCII folding: `ANALYZERS` names the chain each field uses, and each backend builds that
chain natively). What engines disagree on, or what must change without a reindex, is done here in
Python and handed to them as plain terms:

* compound words: Norwegian writes compounds as one word ("fødselsvekt", "søvnvansker"), and a
  researcher asks for a part. Every long word is indexed with the starts and ends of its stem
  (`affixes`), and every query word is also looked up among them: "søvn" finds "søvnvansker" (the
  modifier), "vekt" finds "fødselsvekt" (the head, which carries a compound's meaning), whatever
  words the corpus holds, with no dictionary of parts to keep, and at query time as one term
  lookup per word, as fast as a whole word. The last word is also matched as the start of any
  word, from three letters, as one types ("fød"). The editable list `compounds.txt` still splits
  known compounds into parts at index time (`parts`), which also finds middle parts and scores
  them as words;
* codes: a variable is indexed with the codes and code labels of its code list (`code_terms`,
  `code_labels`; see `catalog.search.codes`), so "C50", "A10" and "metformin" find the variables
  whose code lists hold them;
* synonyms (`synonyms.txt`) and common names of codes (`code_names.txt`: "brystkreft" stands for
  ICD-10 C50) are expanded at query time into alternatives, so editing the files changes search
  at once, with no reindex, on every backend;
* the query is parsed into a `QueryPlan` that each backend translates into its own query objects;
  `catalog.search.results.relaxed` decides when a plan may tolerate typos or any of its words;
* highlighting and the codes a hit matched are computed from the stored document with the same
  analysis, so both backends mark the same words and the output is always HTML-escaped.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import logging
import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import Stemmer

from catalog.lru import remember
from catalog.search import FACETS
from catalog.search.codes import (
    SYSTEMS,
    code_like,
    code_term_ranges,
    exact_terms,
    lettered,
    matches_code,
    query_terms,
    system_codes,
    system_of,
    system_unlisted_terms,
    unlisted,
)
from catalog.search.nynorsk import NYNORSK_FILE, Bokmal
from catalog.topics import Area, taxonomy

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SYNONYMS_FILE = HERE / "synonyms.txt"
RELATED = "=>"
"""Between the terms of a line of the synonym list and those they also search one way (`Synonyms.related`)."""
COMPOUNDS_FILE = HERE / "compounds.txt"
CODE_NAMES_FILE = HERE / "code_names.txt"

WORD = re.compile(r"\w+")
ASCII_WORD = re.compile(r"\w+", re.ASCII)
r"""`WORD` for ASCII text, which it splits the same (ASCII's word characters are A-Z, a-z, 0-9
and _) in half the time: Unicode `\w` looks every character up in the Unicode database."""
TOKEN = re.compile(r"[^\W\d_]{0,3}\d[^\W_]*(?:[./][^\W_]+)+|\w+")
"""Query tokens: words, and codes with their dots and slashes kept ("I21.0", "8500/3")."""
WAVE = re.compile(r"([^\W\d_]{4,})(\d{1,2})")
"""A name and a number written together: a survey's wave ("hunt3", "tromsø7"), which titles may
write apart ("Tromsø 7"); four letters or more, so no code ("JKA21", "E11") is one."""

ANALYZERS = {"nb": "norwegian", "en": "english", "plain": None}
"""Analyzer name -> Snowball stemmer (None: lowercase and fold only). nn uses the nb analyzer:
Snowball has one Norwegian stemmer, and it handles the common nynorsk endings well enough."""

FIELD_ANALYZER = {
    "name_text": "nb",
    "label_nb": "nb",
    "label_nn": "nb",
    "label_en": "en",
    "label_plain": "plain",
    "description_nb": "nb",
    "description_nn": "nb",
    "description_en": "en",
    "description_plain": "plain",
    "keywords": "nb",
    "codes": "plain",
    "parts": "nb",
    "code_labels": "nb",
    "dataset_title": "nb",
    "suggest": "plain",
    "affixes": "plain",
}
"""Every analyzed field and its analyzer; both backends build their schema from this."""

FIELD_BOOSTS = {
    "name_text": 4.0,
    "label_nb": 3.0,
    "label_nn": 3.0,
    "label_en": 3.0,
    "label_plain": 3.0,
    "keywords": 2.0,
    "codes": 2.0,
    "code_labels": 2.0,
    "parts": 1.5,
    "description_nb": 1.0,
    "description_nn": 1.0,
    "description_en": 1.0,
    "description_plain": 1.0,
    "dataset_title": 0.5,
}
"""Relevance: name and label above keywords, code labels and compound parts, above descriptions."""

LABEL_FIELDS = ("label_nb", "label_nn", "label_en", "label_plain")
ALL_IN_LABEL_BOOST = 3.0
"""A query of several words scores this much more (x BM25) where one label holds all of them as
typed: "røyker daglig" is first the variable labelled so, then the ones where the words are
spread over a name, a synonym and an answer category."""
FUZZY_BOOST = 0.5
FUZZY_FIELDS = {
    **dict.fromkeys(("name_text", "label_nb", "label_nn", "label_en", "label_plain"), FUZZY_BOOST),
    "dataset_title": FUZZY_BOOST * FIELD_BOOSTS["dataset_title"] / FIELD_BOOSTS["label_nb"],
}
"""The fields a misspelt word is looked for in, each with the weight of a match within its typo
allowance: names and labels, and a variable's dataset's title ("hoftebrudregister" found the hip
fracture registry's datasets by their titles but none of its variables), a typo there weighing
as much less than in a label as the title's own match does."""
EXACT_NAME_BOOST = 50.0
EXACT_CODE_BOOST = 20.0
RARITY_SCORE = 100.0
"""What a document matching the rarest of words none holds together scores for it, each other
word as its idf is to the rarest's (`QueryPlan.rarity`): on the demo "barn" (631 variables)
scores a third of "antibiotika" (36), a margin its label matches (about 30) do not make up, while
words about as rare rank by their matches."""
OPTIONAL_SCORE = 4.0
"""What a match of an optional unit (`QueryPlan.optional`) adds, constant: it orders the matches
of the other words about as much as a word in a description does, without outweighing a label or
code that holds them. Scored as words are, "kvinner" and its ten synonyms all matched "Kvinne",
a code of "Kjønn", which scored 19 for "brystkreft kvinner" against the breast cancer
topography's 12 (through its dataset's title alone, "Kjønn" scored 6). Not matched among code
labels at all: "Kvinne", "Mann" and "Barn" there say a variable records sex or kinship, and at 3
"kreft kvinner" still listed the cancer registry's "Kjønn" first (4: "kreft barn" lists the
childhood cancer registry above microdata.no's "Kreftregisteret: basis")."""
SYNONYM_WEIGHT = 0.8
CODE_SCORE = 12.0
"""Constant score of a code in the code list found by one of its prefixes ("A10" for A10BA02);
the code itself scores `CODE_SCORE + EXACT_CODE_BOOST`. Constant, not BM25: a code list of twelve
thousand ICD-10 codes holds C50 as much as one of three codes does. Above a word that is only
mentioned in a description (about 1 x its BM25 weight)."""
CODE_NAMES_SKIP = "dataset"
"""The result type a common name standing for codes ("hjerteinfarkt" for I21, "T2D" for E11) does
not find by those codes: it finds variables and code lists, and datasets by their own words, not by
their variables' codes (`documents.dataset_codes`), which a typed code finds. Every dataset with an
ICD-10 list holds every diagnosis: "diabetes" in the datasets tab listed them all, some above the
one registry about it. Unless the words find no dataset at all (`results.naming_datasets`): "heart
failure" found none on the demo, where "I50" found 72, and then the name finds those."""
UNLISTED_SCORE = 3.0
"""Constant score of a variable coded in the classification a typed code is shaped as a code of,
whose codes were not published with it (`codes.unlisted`): it may hold the code, or not (a
registry's "selection of categories"), so it comes after every code list that holds it, about as
a word in a description would."""
AREA_BOOST = 0.5
"""Added to a match in what the search is about (`catalog.topics.Area`), taken from one only in
another disease area: a tie-break among equal matches, below any difference a word makes.
Every ICD-10 variable holds E11 (its code list is the whole classification) and scores
`CODE_SCORE + EXACT_CODE_BOOST`: a diabetes registry's then comes first, the patient and cause of
death registries' next, a cancer registry's last (the demo listed the Cancer Registry's first)."""
NAMED_SCORE = 2 * CODE_SCORE + EXACT_CODE_BOOST
"""Added to a match of a typed code whose own label, keywords or dataset's title say a common
name of that code (`QueryPlan.named`): every dataset with the ICD-10 list holds C50, and "C50"
listed the Cancer Registry's "Brystkreft" sixth of its datasets, after "Lungekreft". As much as
a code list holding the code and codes below it scores at most (its exact and prefix terms, and
the exact code: tantivy sums them), so the matches about the code come first: "I21" listed the
myocardial infarction registry's datasets, whose diagnosis may hold I21 (`UNLISTED_SCORE`), on
page 2, after every dataset holding the whole ICD-10 (the researcher's drill); among them, those
whose lists hold it before those that may."""
MAX_NAMED = 8
"""Most common names of one typed code scored (`CodeNames.names_of`)."""
PREFIX_SCORE = 1.0
"""Constant score of a word that starts with a query word (the modifier of a compound, or the last
word as one types) or ends with it (the head of a compound), below a word matched whole."""
WRITTEN_SCORE = 8.0
"""Added, constant, where a name or label holds a word of the query as typed, unstemmed (the
`suggest` field: lowercased and folded only), beside its match by stem (`QueryPlan.written`):
about what a word in a label scores. English stemming makes "person" of "personality", and the
demo's 39 "Løpenummer for person" (labelled "Serial number for person" in English) scored 6.5,
IPUMS's "Personality: openness to experience" 1.0: a codebook that writes no language is indexed
in the plain fields, which few documents have, and tantivy's BM25 takes a field's average length
over every document, so a word there counts for little (Elasticsearch averages over those that
have the field, and ranked them 8.6 against 3.5). Constant, so it does not depend on the field's
statistics; among matches that all say the word as typed it changes nothing."""
MIN_PREFIX = 3
"""Shortest last word matched as the start of a word (as one types: "fød")."""
MIN_AFFIX = 4
"""Shortest part of a compound a query word finds it by ("vekt", "søvn")."""
MAX_AFFIX = 10
"""Longest part of a compound indexed (parts longer than this are rare; each costs index time)."""
MIN_COMPOUND = 7
"""Shortest word split into `affixes` (a part of three letters and one of four)."""
CODE_NAME_WEIGHT = 0.5
RELATED_WEIGHT = 0.4
"""Weight of a term a query's term also searches one way (`Synonyms.related`: preterm birth ->
"svangerskapslengde", by which it is defined), below a synonym's (`SYNONYM_WEIGHT`) and a common
name's codes (`CODE_NAME_WEIGHT`): on the demo MFR's "Svangerskapslengde" came before the 41
diagnosis variables holding P07 (their codes score a constant 6 to 9), not after them."""
RELATED_FIELDS = ("name_text", "label_nb", "label_nn", "label_en", "label_plain")
"""The only fields a related term is looked for in: what a variable is, not what it mentions. MFR's
datasets list "svangerskapslengde" among their keywords, and in every field it found 50 rows on
the demo, "Kjønn" and "Fødselsår" among them, 37 of them for that keyword alone."""
MAX_CLAUSES = 1024
"""Lucene's default limit on the clauses of one query (Elasticsearch's `max_clause_count`,
OpenSearch's `indices.query.bool.max_clause_count`); plans are kept under it on every backend."""
FUZZY_EXPANSIONS = 10
"""Terms one misspelt word may expand to per field (Elasticsearch's `max_expansions`)."""
CODE_TERMS = 2 * (len(SYSTEMS) + 1)
"""Terms a code typed alone looks up (`codes.any_system_terms`)."""
MAX_MATCHED_CODES = 5
"""Codes a hit shows as matched."""
KEY_FIELDS = ("codelist_key", "dataset_key", "group")
FILTER_FIELDS = {**{f: f for f in FACETS}, "codelist": "codelist_key", "dataset": "dataset_key", "group": "group"}
"""Filters a query may use -> the keyword field each filters on: the facets, and the variables of one
code list, dataset or group (identical variables, `catalog.search.documents.group_key`)."""
KEYWORD_FIELDS = (
    "key",
    "type",
    "name_exact",
    "codes_exact",
    "code_terms",
    "name_order",
    "uses_order",
    "codelist_key",
    "dataset_key",
    "group",
    *FACETS,
)
USES_SORT_TOP = 999_999
"""`uses_order` is this minus the uses, zero-padded, then the name's `sort_key`: ascending order
is the most used first, then by name, on every backend (both sort keywords the same way)."""
_NORWEGIAN_ORDER = str.maketrans(
    {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y", "{": "(", "|": "/", "}": ")"}
)
"""Æ, Ø and Å as the three characters after z ("{", "|", "}"), and the letters Nordic
dictionaries file with them: ä as æ, ö as ø, ü as y. The braces and bar a text itself holds
sort as other punctuation, before the letters."""
POSSESSIVE = re.compile(r"(\w)['’]s\b")
"""An English possessive ("mother's age"): the word without it, not a word "s" that must match."""
STOPWORDS = frozenset(
    "og i på pa av for med til ved etter per om en et ei er som hos blant fra frå mot det noen nokon "
    "hvilke hvilken hvilket kva finnes fins finst variabel variabler variablene variablar data dataene "
    "the of and in on at by to with from among during against which what is are there any variable variables "
    "about where can find how many much do does status hvor kor mange mye mykje hvordan korleis".split()
)
"""Words dropped from a query that has other words ("røyking og BMI" needs no "og"; "kreft hos
barn" is cancer in children, and no label says "hos"), and the words of a question about the
catalogue itself: "data om kreft" listed the 42 cancer variables of datasets titled "...data
(PROM)" of ~400, "hvilke variabler finnes om alkohol" fell to any word, as did "variables about
alcohol", "how many smokers" and "where can I find birth weight". And "status", which says
what kind of value, not what about: "smoking status" fell to any word, "Vitalstatus" first (a
phrase of the lists keeps its meaning: "marital status" is sivilstand, as "marital" is). The
bokmål and nynorsk question words too ("hvor mange røyker" listed "Legebesøk siste år", whose
question says "Hvor mange ganger", for the rare "hvor"; now the 104 smoking variables)."""
MAX_WINDOW = 10_000
"""Deepest result a page may reach (offset + limit), the same on every backend."""

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "œ": "oe"})
_LANG_GROUP = {"nb": "nb", "no": "nb", "nob": "nb", "nor": "nb", "nn": "nn", "nno": "nn", "en": "en", "eng": "en"}


def fold(text: str) -> str:
    """Lowercase and fold to ASCII the way the engines' ascii folding does (ø -> o, æ -> ae)."""
    if text.isascii():
        return text.lower()
    lowered = text.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


_stemmers: dict[str, Any] = {}
_stem_lock = threading.Lock()


@lru_cache(maxsize=200_000)
def analyze_word(word: str, analyzer: str) -> str:
    """One token through an analyzer chain: lowercase, stem (if any), fold."""
    algorithm = ANALYZERS[analyzer]
    lowered = word.lower()
    if algorithm:
        with _stem_lock:
            stemmer = _stemmers.get(algorithm) or _stemmers.setdefault(algorithm, Stemmer.Stemmer(algorithm))
            lowered = stemmer.stemWord(lowered)
    return fold(lowered)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def language_group(tag: str) -> str:
    """`nb`, `nn`, `en` or `plain` for a language tag like `nb`, `en-GB`, `q_nb` or `""`."""
    base = tag.removeprefix("q_").split("-")[0].lower()
    return _LANG_GROUP.get(base, "plain")


WORD_LIST_RECHECK = 0.5
"""Seconds between looks at whether an editable word list changed (as the index's own changes)."""


class WordList:
    """A text file of entries, one per line, `#` comments; reread when the file changes.

    With a `fallback`, that file is read for as long as `path` does not exist (the packaged list
    until an operator's edited copy appears, from whichever process wrote it)."""

    def __init__(self, path: Path, fallback: Path | None = None):
        self.path = Path(path)
        self.fallback = fallback
        self._version: tuple[int, int, int] | None = None
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._looked: tuple[float, tuple[int, int, int]] | None = None  # (look again after, version)

    def file(self) -> Path:
        if self.fallback is not None and not self.path.exists():
            return self.fallback
        return self.path

    def version(self) -> tuple[int, int, int]:
        """Changes whenever the file is edited or replaced (inode, time in ns, size), seen within
        `WORD_LIST_RECHECK` seconds: every search plans its words with two lists, and looking at
        both files each time was two to four system calls a search, each giving up the GIL."""
        looked = self._looked
        if looked is not None and time.monotonic() < looked[0]:
            return looked[1]
        try:
            st = self.file().stat()
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"search word list {self.file()} is missing") from exc
        version = st.st_ino, st.st_mtime_ns, st.st_size
        self._looked = (time.monotonic() + WORD_LIST_RECHECK, version)
        return version

    def lines(self) -> list[str]:
        version = self.version()
        with self._lock:
            if version != self._version:
                raw = self.file().read_text(encoding="utf-8").splitlines()
                self._lines = [line.split("#", 1)[0].strip() for line in raw]
                self._lines = [line for line in self._lines if line]
                self._version = version
            return self._lines


# -- compound words ------------------------------------------------------------------------

LINKS = ("", "s", "e")
_DIGIT = re.compile(r"\d").search
MIN_PART = 3
_NOTHING: tuple[tuple[str, ...], str] = ((), "")


class Decompounder:
    """Split Norwegian compounds into known parts: "fødselsvekt" -> fødsel + vekt.

    A word is split when it is a sequence of listed parts joined by nothing, "s" or "e" (the
    Norwegian linking letters). When no full split exists, the longest listed part the word ends
    with (the head of a Norwegian compound, which carries its meaning) is still returned, so
    "hjerteinfarkt" yields "infarkt" even if "hjerte" were not listed.
    """

    def __init__(self, parts: Iterable[str]):
        self.parts = frozenset(fold(p) for p in parts if len(p) >= MIN_PART)
        self._starts = frozenset(p[:i] for p in self.parts for i in range(1, len(p) + 1))
        """Every start of a listed part: a word's pieces are looked up until one is none of them."""
        self._cache: dict[str, tuple[str, ...]] = {}
        self._words: dict[str, tuple[tuple[str, ...], str]] = {}
        self._texts: dict[str, str] = {}

    def indexed(self, word: str) -> tuple[tuple[str, ...], str]:
        """What indexing makes of a word of a label, keyword or name: its compound parts and its
        `affixes` text ("" when it has none), remembered together in `_words` (words with digits
        too, which `split` does not keep). `add_parts` looks a word up there first and comes here
        only for a new one: a harvest meets a new name in most variables, and looking it up twice
        cost more than the rest of its way."""
        if word.isalpha():
            found = (self.split(word), _affix_text(word) if len(word) >= MIN_COMPOUND else "")
        elif _DIGIT(word):  # no affixes (`word_affixes`), and no parts with a digit (`split`)
            return _NOTHING
        else:
            found = (self.split(word), "")
        return remember(self._words, word, found, 500_000)

    def with_parts(self, text: str) -> str:
        """A dataset's title or a code list's labels as a variable's document indexes them: the
        text, then the parts of its compounds (`split`, each once). A variable is indexed with its
        own words' parts and affixes (`add_parts`), but its dataset's title and its codes' labels
        were indexed whole: "influensa" found no variable of SYSVAK's "Influensavaksinasjon", nor
        its vaccine code labelled "Sesonginfluensa". Affixes of these texts (every start and end
        of every word) would cost a code list of thousands of labels as many terms in each of its
        variables; the listed parts are a few. Remembered: each variable of a dataset or of a code
        list asks again."""
        found = self._texts.get(text)
        if found is None:
            seen: dict[str, None] = {}
            for word in WORD.findall(text):
                parts = self.split(word)
                seen.update(dict.fromkeys(parts))
                modifier = self._modifier(word, parts)
                if modifier:
                    seen[modifier] = None
            found = remember(self._texts, text, f"{text} ; {' '.join(seen)}" if seen else text, 2_000)
        return found

    def _modifier(self, word: str, parts: tuple[str, ...]) -> str | None:
        """What a compound of three parts or more says before its head, itself a compound a
        researcher types: "hoftebrudd" of "hoftebruddregister", "diabetes" being a part already
        of "diabetesregister". The registries' titles are such words ("Nasjonalt
        hoftebruddregister"), and their variables seldom repeat what the registry is about."""
        if len(parts) < 3:
            return None
        head, before = parts[-1], parts[-2]
        for form in (fold(word.lower()), analyze_word(word, "nb")):
            if form.endswith(head):
                modifier = form[: -len(head)]
                if not modifier.endswith(before) and modifier[-1:] in ("s", "e") and modifier[:-1].endswith(before):
                    modifier = modifier[:-1]  # the linking letter ("hjerneslagsregister")
                return modifier
        return None

    def split(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is None:
            if not word.isalpha() and any(c.isdigit() for c in word):  # no letter is a digit
                return ()
            cached = self._split(fold(word)) or self._split(analyze_word(word, "nb"))
            if len(self._cache) < 500_000:
                self._cache[word] = cached
        return cached

    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < 2 * MIN_PART:
            return ()
        full = self._full(word, 0, {})
        if full and len(full) > 1:
            return tuple(full)
        for start in range(MIN_PART, len(word) - MIN_PART + 1):
            if word[start:] in self.parts:
                return (word[start:],)
        return ()

    def _full(self, word: str, start: int, memo: dict[int, list[str] | None]) -> list[str] | None:
        """Fewest listed parts covering word[start:], parts optionally followed by a linking letter."""
        if start == len(word):
            return []
        if start in memo:
            return memo[start]
        best: list[str] | None = None
        # the ends of the listed parts starting here, longest first as they were tried (looked up
        # up to the first piece no part starts with, not every piece to the word's end)
        parts, starts, ends = self.parts, self._starts, []
        for end in range(start + 1, len(word) + 1):
            part = word[start:end]
            if part not in starts:
                break
            if part in parts and end >= start + MIN_PART and not (start == 0 and end == len(word)):
                ends.append(end)
        for end in reversed(ends):
            part = word[start:end]
            for link in LINKS:
                if link and not word.startswith(link, end):
                    continue
                rest = self._full(word, end + len(link), memo)
                if rest is not None and (best is None or len(rest) + 1 < len(best)):
                    best = [part, *rest]
        memo[start] = best
        return best


_compound_lists: dict[Path, tuple[float, Decompounder]] = {}


def decompounder(path: Path = COMPOUNDS_FILE) -> Decompounder:
    """The decompounder for a word list, rebuilt when the file changes (a reindex applies it)."""
    mtime = path.stat().st_mtime
    cached = _compound_lists.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, Decompounder(WordList(path).lines()))
        _compound_lists[path] = cached
    return cached[1]


# -- index fields --------------------------------------------------------------------------

_GROUPS: dict[str, str] = {}


def _group(tag: str) -> str:
    """`language_group`, memoised: indexing asks it for every label of every document."""
    group = _GROUPS.get(tag)
    if group is None:
        group = language_group(tag)
        if len(_GROUPS) < 10_000:
            _GROUPS[tag] = group
    return group


def _words(text: str) -> list[str]:
    """`WORD.findall(text)`: a text of words between spaces (most labels and names) by
    `str.split`, in a third of the regex's time. `\\w` is what `str.isalnum` calls alphanumeric,
    and the underscore; the check admits no other character but the space."""
    if text.replace(" ", "").replace("_", "").isalnum():
        return text.split()
    return (ASCII_WORD if text.isascii() else WORD).findall(text)


def add_parts(fields: dict[str, Any], words_of: str, splitter: Decompounder) -> None:
    """`parts` (the compound parts of the words of `words_of`, each once) and `affixes` (their
    starts and ends, as often as they come: they are matched, never scored by frequency), in one
    pass over its words; a field that would make no term is left out."""
    parts: dict[str, None] = {}
    starts_and_ends = []
    known = splitter._words
    for word in _words(words_of):
        if word[-1] in "0123456789":  # a word with a digit (VEKT_3, 5) has neither (`indexed`)
            continue
        found = known.get(word)
        if found is None:
            found = splitter.indexed(word)
        if found[0]:
            for part in found[0]:
                parts[part] = None
        if found[1]:
            starts_and_ends.append(found[1])
    if parts:
        fields["parts"] = " ; ".join(parts)
    if starts_and_ends:
        fields["affixes"] = " ".join(starts_and_ends)


def sort_key(text: str) -> str:
    """`text` as a key whose bytewise order is Norwegian alphabetical order, the order of the
    "name" sort (`name_order`, `uses_order`): both backends sort keywords by their bytes, and the
    lower-cased label put "Årsak" before "Østrogen" (å, æ, ø in Unicode). Case is ignored, the
    alphabet ends æ, ø, å (`_NORWEGIAN_ORDER`), and any other accented letter is its letter (é
    is e, ç is c). Kept simple: "aa" is two a's, not the å of old names, and texts equal but
    for their accents keep the order of their keys (the sorts' tie-break)."""
    key = unicodedata.normalize("NFC", text).lower().translate(_NORWEGIAN_ORDER)
    if key.isascii():
        return key
    return "".join(c for c in unicodedata.normalize("NFD", key) if not unicodedata.combining(c))


def index_fields(doc: dict[str, Any], splitter: Decompounder, lists: bool = True) -> dict[str, Any]:
    """The fields a backend indexes for one catalogue document (see `FIELD_ANALYZER`); empty
    fields are left out. Text fields are strings; keyword fields (`KEYWORD_FIELDS`) are lists, or
    without `lists` a string where there is one value (tantivy indexes both alike, and parses a
    lone string 3-4 us a document faster than lists of one: 20,200 held-out variables, 2026-12-05).

    Indexing calls this once per document, so it avoids per-document regex and helper calls
    where a dictionary lookup will do (a million variables must index in under a minute): the
    usual document (one label, one description) takes the short ways, words already split or
    affixed are looked up in their caches inline, and what depends only on a value shared by many
    documents (the uses' sort prefix, a language tag's field) is memoised. The variables of one
    dataset share much of theirs: `DatasetFields` makes those once."""
    get = doc.get
    name = get("name") or ""
    label = get("label") or ""
    sort_name = sort_key(label or name)
    fields: dict[str, Any] = (
        {"key": [doc["key"]], "type": [doc["type"]], "name_order": [sort_name]}
        if lists
        else {"key": doc["key"], "type": doc["type"], "name_order": sort_name}
    )
    prefix = _uses_prefix(get("uses") or 0)
    fields["uses_order"] = [prefix + sort_name] if lists else prefix + sort_name
    _own_fields(fields, get, name, label, splitter, lists)
    title, about = get("dataset_title"), get("dataset_keywords")
    if title:
        fields["dataset_title"] = _dataset_context(title, about, splitter)
    elif get("type") == "dataset" and label:
        # a dataset's own title with its compounds' parts and whom its data are about
        # (`documents.DatasetDocuments`), as its variables have them: "hjerteinfarkt", a name of
        # I21, is in "Norsk hjerteinfarktregister" for its variables and was not for itself, so
        # "I21" put the registry's variables first and the registry itself last (`NAMED_SCORE`)
        fields["dataset_title"] = _dataset_context(label, about, splitter)
    elif about:
        fields["dataset_title"] = splitter.with_parts(about)
    coded = get("coded")
    if coded:
        if coded["terms"]:
            fields["code_terms"] = coded["terms"]
        if coded["labels"]:
            fields["code_labels"] = splitter.with_parts(coded["labels"])
    codes = get("codes")
    if codes and "code_terms" not in fields and get("type") == "variable":
        terms = unlisted(codes)
        if terms:
            fields["code_terms"] = terms
    _keyword_fields(fields, get, FACETS, KEY_FIELDS, lists)
    if get("type") == "dataset":
        _dataset_codes(fields, get("codelist_keys"), get("unlisted_codes"))
    return fields


def _dataset_codes(fields: dict[str, Any], codelist_keys: list[str] | None, systems: list[str] | None) -> None:
    """A dataset's codes (`documents.dataset_codes`): its lists' keys as its `codelist_key`, so the
    pipeline finds the datasets of a code list that changed as it finds the variables, and the
    categories of its unlisted classifications among its code terms."""
    if codelist_keys:
        fields["codelist_key"] = codelist_keys
    if systems:
        held = fields.get("code_terms") or []
        fields["code_terms"] = [*held, *sorted({t for system in systems for t in unlisted([system])})]


def _dataset_context(title: str, keywords: str | None, splitter: Decompounder) -> str:
    """A variable's `dataset_title` field: its dataset's title and keywords (`documents.about`),
    with the compounds' parts: what the variable is found by through its dataset."""
    return splitter.with_parts(f"{title} ; {keywords}" if keywords else title)


class DatasetFields:
    """`index_fields(doc, splitter, lists=False)` of the variables of one dataset, made from their
    values (`catalog.search.documents.DatasetDocuments`): the fields of what they all share
    (source, publisher, facets, the dataset's key and title, ...: `VARIABLE_SHARED`) are made
    once, and a variable's are a copy of them with its own added, with no dictionary of its
    document to read: by the short ways of the usual variable (one label, at most one
    description), another's (labels in several languages, a survey's question) as `_own_fields`
    groups any document's by language. The same fields as `index_fields` makes, in another order
    (what the variables share first), which the index does not see.

    A variable's fields are `fields` (the shared ones, the same dictionary for all) followed by
    its own (`variable`), never of the same names: an encoder writes the shared ones' JSON once."""

    def __init__(self, shared: dict[str, Any], splitter: Decompounder):
        self.splitter = splitter
        fields: dict[str, Any] = {"type": shared["type"]}
        if shared["dataset_title"]:
            fields["dataset_title"] = _dataset_context(shared["dataset_title"], shared["dataset_keywords"], splitter)
        _keyword_fields(
            fields, shared.get, [f for f in FACETS if f in shared], [f for f in KEY_FIELDS if f in shared], False
        )
        self.fields = fields
        self.prefix = _uses_prefix(shared["uses"] or 0)
        self.facets = tuple(f for f in FACETS if f not in shared)
        if self.facets != _OWN_FACETS or tuple(f for f in KEY_FIELDS if f not in shared) != _OWN_KEYS:
            raise ValueError(f"variables share other fields than {sorted(shared)} say")

    def variable(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """A variable's own fields (after the shared `fields`), from its document's values
        (`documents.VARIABLE_VALUES`): the usual variable's (one label, at most one description)
        by its short ways, another's text fields grouped by language as any document's
        (`_own_fields`): labels in several languages, or a survey question beside the description."""
        (key, _, _, name, label, labels, _, descriptions, keywords, topic, codes, _, _, _, period, _, _, datatype, _,
         codelist_key, _, group, _, _) = values  # fmt: skip
        name = name or ""
        label = label or ""
        sort_name = sort_key(label or name)
        fields = {"key": key, "name_order": sort_name, "uses_order": self.prefix + sort_name}
        if len(labels) > 1 or len(descriptions) > 1:
            own_values = {"labels": labels, "descriptions": descriptions, "keywords": keywords, "codes": codes}
            _own_fields(fields, own_values.get, name, label, self.splitter, False)
        else:
            own = []
            for tag, value in (labels or {"nb": label}).items():
                if value:
                    fields[_LABEL_FIELD.get(tag) or _text_field(_LABEL_FIELD, "label_", tag)] = value
                    own.append(value)
            fields["suggest"] = _suggest(name, own)
            for tag, value in descriptions.items():
                if value:
                    fields[_DESCRIPTION_FIELD.get(tag) or _text_field(_DESCRIPTION_FIELD, "description_", tag)] = value
            if keywords:
                keywords = [k for k in keywords if k]
                if keywords:
                    fields["keywords"] = " ; ".join(keywords)
                    own += keywords
            if codes:
                codes = [c for c in codes if c]
                if codes:
                    fields["codes"] = " ; ".join(codes)
            own.append(name.replace("_", " "))
            add_parts(fields, " ".join(own), self.splitter)
            _exact_fields(fields, name, codes, keywords, False)
        # the facets `_keyword_fields` writes, by the short ways: `DatasetDocuments.values` gives
        # topics and decades as lists of strings (written as they are, a lone one as itself)
        if len(topic) == 1:
            fields["topic"] = topic[0]
        elif topic:
            fields["topic"] = topic
        if len(period) == 1:
            fields["period"] = period[0]
        elif period:
            fields["period"] = period
        if datatype:
            fields["datatype"] = datatype
        if codelist_key:
            fields["codelist_key"] = codelist_key
        if group:
            fields["group"] = group
        if codes and not codelist_key:  # a variable with a code list is written apart (`complete`)
            terms = unlisted(codes)
            if terms:
                fields["code_terms"] = terms
        return fields


_OWN_FACETS = ("topic", "period", "datatype")
_OWN_KEYS = ("codelist_key", "group")


def _own_fields(fields: dict[str, Any], get: Any, name: str, label: str, splitter: Decompounder, lists: bool) -> None:
    """A document's text fields and the keyword fields of its name, codes and keywords (`index_fields`)."""
    labels_by_tag = get("labels") or {"nb": label}
    descriptions = get("descriptions")
    if len(labels_by_tag) == 1 and not (descriptions and len(descriptions) > 1):
        labels = []
        for tag, value in labels_by_tag.items():
            if value:
                fields[_LABEL_FIELD.get(tag) or _text_field(_LABEL_FIELD, "label_", tag)] = value
                labels.append(value)
        if descriptions:
            for tag, value in descriptions.items():
                if value:
                    fields[_DESCRIPTION_FIELD.get(tag) or _text_field(_DESCRIPTION_FIELD, "description_", tag)] = value
    else:
        texts: dict[str, list[str]] = {}
        for tag, value in labels_by_tag.items():
            if value:
                texts.setdefault("label_" + _group(tag), []).append(value)
        labels = [v for values in texts.values() for v in values]
        for tag, value in (descriptions or {}).items():
            if value:
                texts.setdefault("description_" + _group(tag), []).append(value)
        for field_name, values in texts.items():
            fields[field_name] = values[0] if len(values) == 1 else " ; ".join(values)
    keywords = get("keywords")
    keywords = [k for k in keywords if k] if keywords else []
    codes = get("codes")
    codes = [c for c in codes if c] if codes else []
    if keywords:
        fields["keywords"] = " ; ".join(keywords)
    if codes:
        fields["codes"] = " ; ".join(codes)
    fields["suggest"] = _suggest(name, labels)
    add_parts(fields, " ".join([*labels, *keywords, name.replace("_", " ")]), splitter)
    _exact_fields(fields, name, codes, keywords, lists)


def _suggest(name: str, labels: list[str]) -> str | list[str]:
    """`suggest` of a name and labels: each a value of its own, so that no phrase runs from one to
    the next (`QueryPlan.phrase`); one alone as itself."""
    values = [v for v in (name, *labels) if v]
    return values if len(values) > 1 else (values[0] if values else "")


def _exact_fields(
    fields: dict[str, Any], name: str, codes: Sequence[str], keywords: Sequence[str], lists: bool
) -> None:
    """The fields matched exactly: the name as it is and lowercased, and the codes and keywords
    (up to 40 characters) lowercased."""
    if name:
        fields["name_text"] = name
        fields["name_exact"] = [name.lower()] if lists else name.lower()
    if codes or keywords:
        exact = {v.lower() for v in (*codes, *keywords) if len(v) <= 40}
        if exact:
            fields["codes_exact"] = sorted(exact)


def _keyword_fields(fields: dict[str, Any], get: Any, facets: Iterable[str], keys: Iterable[str], lists: bool) -> None:
    """The keyword fields of a document's facets and keys (`index_fields`)."""
    for facet in facets:
        value = get(facet)
        if value is None:
            continue
        if value.__class__ is str:
            if value:
                fields[facet] = [value] if lists else value
        elif isinstance(value, list):
            if len(value) == 1 and not lists:
                one = value[0]
                fields[facet] = one if one.__class__ is str else str(one)
            elif value:
                fields[facet] = [v if v.__class__ is str else str(v) for v in value]
        elif value != "":
            fields[facet] = [str(value)] if lists else str(value)
    for field_name in keys:
        value = get(field_name)
        if value:
            fields[field_name] = [value] if lists else value


_USES_PREFIX: dict[int, str] = {}
_LABEL_FIELD: dict[str, str] = {}
_DESCRIPTION_FIELD: dict[str, str] = {}


def _text_field(memo: dict[str, str], prefix: str, tag: str) -> str:
    """The field of a label or description in language `tag` (memoised in `memo`)."""
    name = prefix + _group(tag)
    if len(memo) < 10_000:
        memo[tag] = name
    return name


def _uses_prefix(uses: Any) -> str:
    """The start of `uses_order` for a number of uses (memoised: datasets share few numbers)."""
    prefix = _USES_PREFIX.get(uses) if uses.__class__ is int else None
    if prefix is not None:
        return prefix
    prefix = f"{USES_SORT_TOP - min(int(uses or 0), USES_SORT_TOP):06d} "
    if uses.__class__ is int and len(_USES_PREFIX) < 10_000:
        _USES_PREFIX[uses] = prefix
    return prefix


@lru_cache(maxsize=200_000)
def word_affixes(word: str) -> tuple[str, ...]:
    """The starts and ends of a long word's stem, folded, that could be parts of a compound: from
    four letters to all but three, at most ten ("fødselsvekten" -> fods, fodse, ..., vekt, svekt,
    ...). A query
    word is looked up among them as one term, so "vekt" finds "fødselsvekt" and "søvn"
    "søvnvansker" without a dictionary of parts and as fast as a whole word. A start or end that
    is no word ("svekt") is never asked for. Short words and words with digits have none."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    stem = analyze_word(word, "nb")
    sizes = range(MIN_AFFIX, min(MAX_AFFIX, len(stem) - MIN_AFFIX + 1) + 1)
    return tuple(dict.fromkeys([*(stem[:n] for n in sizes), *(stem[-n:] for n in sizes)]))


@lru_cache(maxsize=200_000)
def _affix_text(word: str) -> str:
    return " ".join(word_affixes(word))


def part_term(word: str) -> str | None:
    """What a query word looks up among `affixes`: its stem, folded, when long enough."""
    if not word.isalpha():
        return None
    stem = analyze_word(word, "nb")
    return stem if len(stem) >= MIN_AFFIX else None


def prefix_term(word: str, last: bool) -> str | None:
    """What the last query word looks up in `suggest` (names and labels, folded, unstemmed) as
    the start of a word, as one types ("fød" -> "fødselsvekt"), digits too after two letters
    ("hba1" -> "hba1c", "eq5" -> "eq5d": both found nothing; a code's one letter and digits,
    "C50", are found by their hierarchy instead)."""
    if not last or len(word) < MIN_PREFIX or not (word.isalpha() or (word[:2].isalpha() and word.isalnum())):
        return None
    return fold(word)


# -- query plans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One query word as a backend looks it up: its analysed forms in every text field, and, where
    set, typos up to `fuzzy` edits, a word starting with `prefix` (in `suggest`), a compound
    starting or ending with it (`part`, a term of `affixes`), and a code (`code`: `code_terms`)."""

    text: str
    fuzzy: int = 0
    prefix: str | None = None
    part: str | None = None
    code: bool = False
    in_labels: bool = False
    """Looked for in names and labels only (`RELATED_FIELDS`)."""


@dataclass(frozen=True)
class Alternative:
    """Words that must all match, or, with `codes`, any of these code terms (a common name of codes).

    `weight` < 1 for alternatives that came from the synonym list; `affixes` for words that also
    match as the start or end of a word (compounds: the words as typed and their synonyms, not the
    parts of a short name or typo corrections); `last` when its last word ends the
    query (matched as a prefix from three letters, as one types); `fuzzy` the edits a typo may cost
    (0 unless typos are tolerated); `in_datasets` when `codes` find datasets too, by their
    variables' codes (`CODE_NAMES_SKIP`): a code typed (the category a code no list holds falls
    under, `results.with_broader_codes`), or a common name's codes where the words find no dataset
    (`results.naming_datasets`). `in_labels` for a related term (`Synonyms.related`): its words are
    looked for in names and labels only, whole (`RELATED_FIELDS`)."""

    words: tuple[str, ...]
    weight: float = 1.0
    codes: tuple[str, ...] = ()
    affixes: bool = False
    last: bool = False
    fuzzy: int = 0
    in_datasets: bool = False
    in_labels: bool = False

    def specs(self) -> tuple[Word, ...]:
        """The words as backends build their queries."""
        return self._specs

    @cached_property
    def _specs(self) -> tuple[Word, ...]:
        """Made once per alternative: a result page asks ~25 times (its plan, queries, highlights)."""
        out = []
        for i, w in enumerate(self.words):
            last = self.last and i == len(self.words) - 1
            out.append(
                Word(
                    w,
                    min(self.fuzzy, fuzziness(w)),
                    prefix_term(w, last) if self.affixes else None,
                    part_term(w) if self.affixes else None,
                    code_like(w) and not self.in_labels,
                    self.in_labels,
                )
            )
        return tuple(out)


QUALIFIERS = frozenset(
    "level nivå score skår type change endring start end slutt date dato name navn number nummer antall "
    "count code kode value verdi category kategori result resultat size størrelse time tid year år "
    "måling målinger measurement measurements".split()
)
"""Words that qualify what is sought rather than name it ("blood pressure level", "pain score"):
rare in a catalogue written in Norwegian, where only English labels hold them, they are no rarer
in meaning. Alone in a unit they weigh as the commonest word (`QueryPlan.any`): as rarer words,
"blood pressure level" listed NPR's "Level of care" before the blood pressures, "pain score" the
Gleason score before "Langvarige smerter"."""


POPULATION_WORDS = frozenset(
    "kvinne kvinner kvinnelig kvinnelige jente jenter mann menn mannlig mannlige gutt gutter barn born "
    "ungdom ungdommer unge voksen voksne eldre gravid gravide svangre nyfødt nyfødte spedbarn pasient "
    "pasienter befolkningen woman women female females girl girls man men male males boy boys child "
    "children kids adolescents youth adult adults elderly pregnant newborn newborns infant infants "
    "patient patients population".split()
)
"""Words that say whom the data are about rather than what is measured: a variable seldom says
it (its dataset's population does, or its sex or age variable). Beside other words they are
optional, ordering the matches, not restricting them (`QueryPlan.optional`): "brystkreft hos
kvinner" found one variable on the demo, "Kjønn" of the breast cancer register (its code
"Kvinne"), and "hjerteinfarkt menn" five, all "Kjønn", for 122 and 238 of the words alone."""


KIN_WORDS = frozenset("mor mødre far fedre mother mothers father fathers".split())
"""Words of whom that a dataset holding several persons' data says in its labels ("Mors alder",
"Fars alder", "Diagnose mor"): required as typed, unlike `POPULATION_WORDS`, and, as those,
taken from a dataset's population into its variables' documents (`whom_words`)."""


def whom_words(texts: Iterable[str]) -> list[str]:
    """The words of a dataset's population (`Dataset.population_coverage`) that say whom its data
    are about (`POPULATION_WORDS`, `KIN_WORDS`), once each, lowercased: searched with each of its
    variables, which seldom say it. MFR's "Røyking ved svangerskapets slutt" is the mother's
    smoking, and only the registry's population says so ("..., mødre og barn"): "mother smoking"
    found it in none of its five datasets. Only these words, not the whole text, which would make
    every variable of a registry a match for "Norge" or "alle"."""
    found: dict[str, None] = {}
    for text in texts:
        for word in WORD.findall(text.lower()):
            if word in POPULATION_WORDS or word in KIN_WORDS:
                found.setdefault(word)
    return list(found)


def _population(unit: tuple[Alternative, ...]) -> bool:
    return bool(unit[0].words) and all(w.lower() in POPULATION_WORDS for w in unit[0].words)


RELATION_WORDS = frozenset(
    "under før over gjennom innen innan siden sidan before after within since until throughout".split()
)
"""Prepositions that place what is measured in time or against a bound ("røyking under
svangerskapet", "BMI before pregnancy", "Blødning over 500 ml"), which labels say with other
prepositions or none: MFR's "Røyking ved svangerskapets slutt" is smoking during pregnancy as
much as "i svangerskapet" is, and "i" is a stop word. Unlike a stop word, such a word says
something ("før" is not "etter"), so beside other words it is optional (`QueryPlan.optional`),
matched as a whole word only (no compound starts with it: "under" is not "Underliggende
dødsårsak"): it orders the matches of the others and restricts nothing. On the demo "røyking
under svangerskapet" found one variable, by its dataset's title "Mors helse før og under
svangerskapet", against seven for "røyking i svangerskapet"; "BMI before pregnancy" one of
three. Not "uten" or "without", which turn a match into its opposite; "etter" and "during" are
stop words already."""


CODE_WORDS = frozenset("kode koder koden kodene kodet koda koding code codes coded coding".split())
"""Words saying that a variable holds codes ("ICD-10 codes", "ATC-koder"), which its labels seldom
say ("Diagnose (ICD-10)", "Hovedtilstand"): optional beside other words, as `RELATION_WORDS` are,
whole words only. "ICD-10 codes" found the four "Refusjonskode (ICPC-2/ICD-10)" variables on the
demo, against 173 for "ICD-10"; alone ("kode") the word is required as any word is."""


def _relation(word: str) -> bool:
    """A word that orders the hits of the words beside it without restricting them."""
    return word.lower() in RELATION_WORDS or word.lower() in CODE_WORDS


def _qualifies(unit: tuple[Alternative, ...]) -> bool:
    return all(w.lower() in QUALIFIERS for w in unit[0].words)


def _idf(matches: int, among: int) -> float:
    """BM25's inverse document frequency of a word matching `matches` of `among` documents."""
    return math.log(1 + (among - matches + 0.5) / (matches + 0.5))


@dataclass(frozen=True)
class QueryPlan:
    """A query as every backend runs it: all `units` must match (AND; any one with `any_words`) but
    the `optional` ones, which only score; a unit matches when any of its alternatives does (OR);
    `exact` is the whole query for exact name/code matching.

    `catalog.search.results.relaxed` runs a plan as typed first; only when nothing matches does it
    let the words that match nothing on their own tolerate typos (`Synonyms.tolerant`), and then
    accept any of the words (`any`): a misspelt query still finds its variables, while a correct
    one is not diluted by look-alikes (hjerteinfarkt is not hjerneinfarkt) and stays fast, since
    fuzzy matching is the costliest part of a query on a large index.
    """

    units: tuple[tuple[Alternative, ...], ...]
    exact: str
    exact_words: tuple[str, ...]
    any_words: bool = False
    areas: tuple[Area, ...] = ()
    """What the search is about, ordering equal matches (`AREA_BOOST`)."""
    corrected: tuple[str, ...] = ()
    """The synonyms and code names misspelt words were corrected to (`Synonyms.tolerant`)."""
    expansions: int = FUZZY_EXPANSIONS
    """Terms a misspelt word may expand to per field where an engine caps them (`clauses`)."""
    spelt_words: tuple[str, ...] = ()
    """The words as typed, those written in nynorsk spelt in bokmål (`catalog.search.nynorsk`);
    empty when none is."""
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(a word or phrase as typed, the synonyms also searched for it), for each the synonym list
    expanded, as the list writes them: a page says so, or "mammografi" lists the 32 variables of
    the cancer registry's "Brystkreft" with no word of the query on them."""
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(a word or phrase as typed, the related terms also searched for it: `Synonyms.related`), as
    the list writes them: a page says so, since none of its hits need say the word typed."""
    optional: frozenset[tuple[Alternative, ...]] = frozenset()
    """Units that order the matches without restricting them, those of `POPULATION_WORDS` beside
    other words (`optional_units`); a unit replaced by another (a typo's corrections, a
    compound's parts) is not among them, and is required."""
    named: tuple[tuple[tuple[str, ...], tuple[Alternative, ...]], ...] = ()
    """Per code typed that has common names (`CodeNames.names_of`: "C50" is brystkreft, breast
    cancer, ...): (the codes, those names as a unit that only scores). A document holding one of
    the codes (in a code list, or may hold it: `codes.unlisted_terms`) scores `NAMED_SCORE` more
    where one of the names is in its text but its code labels, as an optional unit is matched: of
    the many equal matches of a code, those about it first. Not a mere mention: a breast cancer
    registry's HER2 variable, whose description says C50, stays below the lists holding it."""
    rarity: tuple[float, ...] = ()
    """With `any_words`, per unit, what a document matching it scores besides its words' scores
    (`RARITY_SCORE` for the rarest, others as their idf is less): no document holds every word,
    and the rarer word says more of what was sought. Without it, "antibiotika barn" (36 and 631
    variables on the demo, none with both) listed "Barnets fødselsdato" and every other label
    starting with "barn" before any antibiotic (the ATC codes, matched by name)."""

    @property
    def typos(self) -> bool:
        return any(a.fuzzy for unit in self.units for a in unit)

    def optional_units(self) -> tuple[bool, ...]:
        """Per unit, whether a document may lack it (`optional`): none when
        every unit is optional ("kvinner", "pregnant women"); with `any_words`, a document
        matches any of the others."""
        if not self.optional:
            return (False,) * len(self.units)
        mask = tuple(unit in self.optional for unit in self.units)
        return (False,) * len(mask) if all(mask) else mask

    def required_rarity(self) -> tuple[float, ...]:
        """`rarity` of the units a document must match (an optional unit's weighs nothing); empty
        when unrated."""
        return tuple(r for r, on in zip(self.rarity, self.optional_units(), strict=False) if not on)

    @property
    def numbers_unscored(self) -> bool:
        """Whether a number typed among words only has to match, scoring nothing on its own: the
        "2" of "diabetes 2" matched the "2" of every label "Diagnose (ICPC-2)" (three times a
        label's weight). Numbers alone ("2019 2020") score as any word does."""
        return not all(w.isdigit() for w in self.typed_words())

    def optional_words(self) -> tuple[str, ...]:
        """The words of whom as typed of the units a document may lack (a page says so); an
        optional preposition (`RELATION_WORDS`) goes unsaid, as a stop word does."""
        mask = self.optional_units()
        return tuple(
            w for unit, on in zip(self.units, mask, strict=True) if on and _population(unit) for w in unit[0].words
        )

    def only(self, index: int) -> QueryPlan:
        """One unit alone, to ask whether it matches anything on its own."""
        return QueryPlan((self.units[index],), self.exact, self.exact_words)

    def any(self, matches: Sequence[int] = (), among: int = 0) -> QueryPlan | None:
        """The plan accepting documents that match any of its units, or None for one unit; given
        how many documents each unit matches alone (`matches`, of `among`), with its `rarity`.
        Optional units stay so: any of the others is required ("insulinbruk barn" is not any
        document about children)."""
        if len(self.units) - sum(self.optional_units()) < 2:
            return None
        if not matches:
            return dataclasses.replace(self, any_words=True)
        idf = [_idf(n, among) if n and among else 0.0 for n in matches]
        least = min((i for i in idf if i), default=0.0)
        idf = [least if i and _qualifies(unit) else i for i, unit in zip(idf, self.units, strict=True)]
        top = max(idf, default=0.0)
        rarity = tuple(RARITY_SCORE * i / top for i in idf) if top > 0 else ()
        return dataclasses.replace(self, any_words=True, rarity=rarity)

    def written(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """Per required unit, the words of its alternatives as typed (and as bokmål spells them, or
        the form of a word typed inflected: weight 1, neither synonyms nor codes nor typos), for
        `WRITTEN_SCORE`; a number beside words scores nothing (`numbers_unscored`), and a name typed
        ("MOR_ALDER") is a name (`names_exact`), not words a label may say ("Alder ved kontakt, mor")."""
        quiet = self.numbers_unscored
        out = []
        for unit, optional in zip(self.units, self.optional_units(), strict=True):
            if optional:
                continue
            forms = tuple(
                dict.fromkeys(
                    kept
                    for a in unit
                    if a.weight == 1.0 and not a.codes and not a.fuzzy and not a.in_labels
                    if not any("_" in w for w in a.words)
                    if (kept := tuple(w for w in a.words if not (quiet and w.isdigit())))
                )
            )
            if forms:
                out.append(forms)
        return tuple(out)

    def typed_words(self) -> tuple[str, ...]:
        """The words as typed (not synonyms or names of codes), for matching them in one label."""
        return tuple(w for unit in self.units for w in unit[0].words)

    def label_words(self) -> list[tuple[str, ...]]:
        """The words one label holding all of them scores more for (`ALL_IN_LABEL_BOOST`): as
        typed, and with nynorsk words spelt in bokmål ("røykjar dagleg" is "Røyker daglig")."""
        typed = self.typed_words()
        variants = [typed, self.spelt_words] if self.spelt_words else [typed]
        # and without an optional preposition, which a label says otherwise: "røyking under
        # svangerskapet" is "Røyking ved svangerskapets slutt" as "røyking i svangerskapet" is
        bare = [kept for words in variants if (kept := tuple(w for w in words if not _relation(w))) != words]
        return variants + bare if any(self.optional_units()) else variants

    def names_exact(self) -> tuple[str, ...]:
        """The short names the query says exactly (`EXACT_NAME_BOOST`): as typed ("mors_alder"), and
        its words joined as registries join a label's words into a name ("mors alder" is
        MORS_ALDER): "mors alder" listed NPR's "Alder ved kontakt, mor" above MFR's "Mors alder
        ved fødselen", both labels holding both words. (A phrase query on the names and labels did
        it too, but tantivy walks both words' positions through the whole index to build one: 0.8
        ms of a page of all-different searches at a million variables, a tenth of its time.)"""
        words = re.split(r"[\s_]+", self.exact)
        joined = "_".join(words)
        # and with a genitive's s dropped, as names often do ("mors alder" is MOR_ALDER too)
        bare = "_".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)
        return tuple(dict.fromkeys((self.exact, joined, bare)))

    def joined_words(self) -> tuple[str, ...]:
        """Two words typed apart as the one word Norwegian makes of them, in either order, joined
        bare or by a linking s or e: a label holding it scores as one holding both words
        (`ALL_IN_LABEL_BOOST`). Researchers write out what a label compounds: "dato for
        innleggelse" listed "Vaksinasjonsdato, ved innleggelse" above NPR's and the registries'
        "Innleggelsesdato", "årsak til død" "Sivilstand ved død" above "Dødsårsak"."""
        typed = self.typed_words()
        if len(typed) != 2 or not all(len(w) >= 3 and w.isalpha() for w in typed):
            return ()
        a, b = (w.lower() for w in typed)
        return tuple(dict.fromkeys(x + link + y for x, y in ((b, a), (a, b)) for link in ("", "s", "e")))

    def fuzzy_words(self) -> tuple[str, ...]:
        """The words as typed that tolerate typos (for a notice)."""
        return tuple(w for unit in self.units if unit[0].fuzzy for w in unit[0].words)

    def clauses(self, expansions: int = FUZZY_EXPANSIONS) -> int:
        """How many clauses the plan makes on an Elasticsearch-like engine, a misspelt word counting
        `expansions` terms in each typo-tolerant field (see `MAX_CLAUSES`)."""
        n = 1 + len(self.exact_words) + len(LABEL_FIELDS) * sum(len(words) for words in self.label_words())
        n += len(LABEL_FIELDS) * len(self.joined_words())
        n += sum(CODE_TERMS // 2 for w in self.exact_words if code_like(w))
        words = 0
        for unit in self.units:
            for alternative in unit:
                words += len(alternative.codes)
                for w in alternative.specs():
                    words += len(FIELD_BOOSTS) * max(1, len(WORD.findall(w.text)))
                    words += len(FUZZY_FIELDS) * expansions if w.fuzzy else 0
                    words += (w.prefix is not None) + (w.part is not None) + CODE_TERMS * w.code
        n += sum(len(FIELD_BOOSTS) * len(a.words) + CODE_TERMS for _codes, unit in self.named for a in unit)
        n += sum(len(words) for forms in self.written() for words in forms)  # `WRITTEN_SCORE`
        return n + words * (2 if self.rarity else 1)  # each unit again, scored by its rarity


class CodeNames:
    """Common names of diagnoses, drugs and procedures and the codes they stand for, from an
    editable file: `names, comma-separated = SYSTEM CODE [CODE ...][; SYSTEM CODE ...]`.

    A name finds the variables whose code lists hold one of its codes or a code below it
    ("brystkreft = ICD-10 C50" finds C50 and C50.9), in that classification only. Lines that
    cannot be read are skipped with a warning naming the line; search goes on."""

    def __init__(self, path: Path = CODE_NAMES_FILE, fallback: Path | None = None):
        self.list = WordList(path, fallback)
        self._parsed: tuple[list[str], dict[tuple[str, ...], tuple[str, ...]]] | None = None
        self.written: dict[tuple[str, ...], str] = {}
        """Key phrase -> the name as the file writes it (the first of that key), for a page."""
        self._names: dict[str, tuple[tuple[str, ...], ...]] = {}

    def names_of(self, code: str) -> tuple[tuple[str, ...], ...]:
        """The names (as words) that stand for `code` itself in some classification: "C50" ->
        brystkreft, brystkarsinom, mammacancer, breast cancer (at most `MAX_NAMED`)."""
        table = self.table()
        if code not in self._names:
            wanted = set(exact_terms(code))
            found = [tuple(words(self.written[key])) for key, terms in table.items() if wanted.intersection(terms)]
            self._names[code] = tuple(found[:MAX_NAMED])
        return self._names[code]

    def table(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Key phrase -> qualified code terms (exact and below, `catalog.search.codes.query_terms`)."""
        lines = self.list.lines()
        if self._parsed is None or self._parsed[0] is not lines:
            table: dict[tuple[str, ...], tuple[str, ...]] = {}
            written: dict[tuple[str, ...], str] = {}
            for number, line in enumerate(lines, 1):
                names, _, codes = line.partition("=")
                terms = _code_name_terms(codes)
                if not terms or not names.strip():
                    log.warning(
                        "%s: entry %d (%r) is not 'names = SYSTEM CODE ...'; skipped", self.list.path, number, line
                    )
                    continue
                for name in names.split(","):
                    phrase = tuple(words(name))
                    if phrase:
                        table[_key(phrase)] = tuple(dict.fromkeys([*table.get(_key(phrase), ()), *terms]))
                        written.setdefault(_key(phrase), name.strip())
            self._parsed, self.written, self._names = (lines, table), written, {}
        return self._parsed[1]


def _code_name_terms(codes: str) -> list[str]:
    """`ICD-10 C50; ATC L02BA01` -> the exact and prefix terms of each code in its classification."""
    terms: list[str] = []
    for part in codes.split(";"):
        tokens = part.split()
        system = system_of(tokens[0]) if tokens else None
        if system is None or len(tokens) < 2:
            return []
        for code in tokens[1:]:
            terms.extend(query_terms(code, system))
    return terms


class Synonyms:
    """Groups of equivalent terms from an editable file, one group per line, comma-separated, and
    the common names of codes (`CodeNames`).

    Terms may be phrases ("birth weight, fødselsvekt"). Matching is on folded, Norwegian-stemmed
    words, so "Røyking", "røyking" and "royking" all hit the group "røyking, røyk, tobakk".
    """

    def __init__(
        self,
        path: Path = SYNONYMS_FILE,
        fallback: Path | None = None,
        code_names: Path | None = None,
        nynorsk: Path | None = None,
    ):
        self.list = WordList(path, fallback)
        # an operator's copy of the code names is read once it exists, the packaged list until then
        self.code_names = CodeNames(code_names or CODE_NAMES_FILE, fallback=CODE_NAMES_FILE if code_names else None)
        # and an operator's copy of the nynorsk spellings, the same way
        self.nynorsk_list = WordList(nynorsk or NYNORSK_FILE, fallback=NYNORSK_FILE if nynorsk else None)
        self.nynorsk = Bokmal(self.nynorsk_list.lines, str(nynorsk or NYNORSK_FILE))
        """Query words written in nynorsk, spelt in bokmål (`catalog.search.nynorsk`)."""
        self._parsed: tuple[list[str], dict[tuple[str, ...], list[tuple[str, ...]]]] | None = None
        self._named: list[str] | None = None
        self._related: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        """Key phrase -> the terms it also searches one way (`related`)."""
        self._written: dict[tuple[str, ...], str] = {}
        """A phrase's words -> the phrase as the lists write it (its first writing), for a page
        (`written`)."""
        self._of_lists: tuple[Any, Any, dict[str, Any]] | None = None
        """(groups, code names, what is derived from all their phrases: `_derived`)."""

    def version(self) -> tuple[Any, ...]:
        """Changes when any of the files is edited (for caches of search answers)."""
        return (*self.list.version(), *self.code_names.list.version(), *self.nynorsk_list.version())

    def groups(self) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        """Key phrase -> every phrase of its group, itself included (reparsed when the file changes)."""
        lines, named = self.list.lines(), self.code_names.list.lines()
        if self._parsed is None or self._parsed[0] is not lines or self._named is not named:
            table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            related: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            written: dict[tuple[str, ...], str] = {}

            def read(terms: str) -> list[tuple[str, ...]]:
                phrases = []
                for term in terms.split(","):
                    phrase = tuple(words(term))
                    if phrase:
                        written.setdefault(phrase, " ".join(term.split()))
                        phrases.append(phrase)
                return phrases

            # the names of one code are one group too: "dementia" searched only the codes of
            # "demens" and not the words, and missed NorKog's 120 variables (keyword "demens")
            for line in [*lines, *(entry.partition("=")[0] for entry in named)]:
                line, one_way, also = line.partition(RELATED)
                phrases = read(line)
                if one_way:
                    targets = read(also)
                    for phrase in phrases:
                        known = related.setdefault(_key(phrase), [])
                        known += [t for t in targets if t not in known]
                    continue
                for phrase in phrases:
                    known = table.setdefault(_key(phrase), [])
                    known += [p for p in phrases if p not in known and _key(p) not in map(_key, known)]
            self._parsed, self._named, self._related, self._written = (lines, table), named, related, written
        return self._parsed[1]

    def written(self, phrase: tuple[str, ...]) -> str:
        """A phrase of the lists as they write it, for a page: "hjerte- og karsykdom" was shown as
        its words, "hjerte og karsykdom", its hyphens dropped (the words are what is searched)."""
        self.groups()
        return self._written.get(phrase) or " ".join(phrase)

    def related(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The terms a phrase (its key) also searches one way, from the list's lines `terms =>
        related terms`, and those of the phrases of its group: preterm birth is defined by the
        gestational age (under 37 weeks), so "prematur" also searches "svangerskapslengde", the
        variable a researcher would use, while "svangerskapslengde" does not search the diagnoses
        of P07. "preterm birth", "for tidlig fødsel" and "prematur" found only those 41 variables
        on the demo, none of MFR's "Svangerskapslengde". Looked for in names and labels only
        (`RELATED_FIELDS`), weighing `RELATED_WEIGHT`."""
        groups = self.groups()
        found: list[tuple[str, ...]] = []
        for each in (key, *(_key(p) for p in groups.get(key, ()))):
            found += [t for t in self._related.get(each, ()) if t not in found and _key(t) != key]
        return found

    def plan(self, text: str) -> QueryPlan:
        """Parse a user query into a `QueryPlan`, expanding the longest synonym phrase or common
        name of codes at each word. A word written in nynorsk also matches as bokmål spells it
        (`catalog.search.nynorsk`), and its bokmål spelling finds the synonyms and codes: most of
        the catalogue's metadata and both lists are in bokmål ("sukkersjuke" is "sukkersyke", a
        synonym of diabetes)."""
        clean = POSSESSIVE.sub(r"\1", text)
        ranges = code_term_ranges(clean)  # "C18-C20": any of C18, C19, C20, not both ends
        for start, end, _codes in ranges:
            clean = clean[:start] + " " * (end - start) + clean[end:]
        in_system = system_codes(clean)  # "ATC N06": N06 in ATC only
        for start, end, _system, _code in in_system:
            clean = clean[:start] + " " * (end - start) + clean[end:]
        found_tokens = list(TOKEN.finditer(clean))
        kept = [m for m in found_tokens if m.group().lower() not in STOPWORDS] or found_tokens
        tokens = [m.group() for m in kept]
        spelt = self.nynorsk.spelt(tokens)
        nynorsk = [b != t.lower() for b, t in zip(spelt, tokens, strict=True)]  # spelt otherwise in bokmål
        groups, names = self.groups(), self.code_names.table()
        related = self._related
        longest = self._longest(groups, names)
        typing = bool(text) and not text[-1].isspace()  # the last word may be unfinished
        units: list[tuple[Alternative, ...]] = []
        relations: list[tuple[Alternative, ...]] = []  # optional as the words of whom are
        synonyms: list[tuple[str, tuple[str, ...]]] = []
        also: list[tuple[str, tuple[str, ...]]] = []  # the related terms searched
        i = 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                phrase = tuple(tokens[i : i + size])
                key = found = _key(phrase)
                bokmal, bokmal_key = phrase, key
                if any(nynorsk[i : i + size]):
                    bokmal = tuple(spelt[i : i + size])
                    bokmal_key = _key(bokmal)
                    if key not in groups and key not in names and key not in related:
                        found = bokmal_key
                if found in groups or found in names or found in related:
                    last = typing and i + size == len(tokens)
                    same = {key, bokmal_key}
                    # not the typed words in another order ("type 2 diabetes" of "diabetes type 2")
                    others = [o for o in groups.get(found, ()) if sorted(_key(o)) not in map(sorted, same)]
                    typed = clean[kept[i].start() : kept[i + size - 1].end()]
                    if others:  # the phrase as typed, its stop words too ("quality of life")
                        synonyms.append((typed, tuple(self.written(o) for o in others)))
                    searched = {_key(o) for o in others} | same
                    more = [r for r in self.related(found) if _key(r) not in searched]
                    if more:
                        also.append((typed, tuple(self.written(r) for r in more)))
                    units.append(
                        (
                            Alternative(phrase, affixes=True, last=last),
                            *([Alternative(bokmal, affixes=True, last=last)] if len(same) > 1 else []),
                            *(Alternative(_content(o), SYNONYM_WEIGHT, affixes=True) for o in others),
                            *([Alternative((), CODE_NAME_WEIGHT, codes=names[found])] if found in names else []),
                            *(Alternative(_content(r), RELATED_WEIGHT, in_labels=True) for r in more),
                        )
                    )
                    i += size
                    break
            else:
                if _relation(tokens[i]):  # "under 2500" is no survey's wave either
                    relations.append((Alternative((tokens[i],)),))
                    units.append(relations[-1])
                    i += 1
                    continue
                if _numbered(tokens, i) and not nynorsk[i]:
                    # "hunt 3" is also "HUNT3": a wave's number written apart or together
                    pair = (tokens[i], tokens[i + 1])
                    last = typing and i + 2 == len(tokens)
                    units.append((Alternative(pair, affixes=True, last=last), Alternative(("".join(pair),))))
                    i += 2
                    continue
                split = tuple(w for w in tokens[i].split("_") if w)
                joined = (Alternative(split, SYNONYM_WEIGHT),) if len(split) > 1 else ()
                if (wave := WAVE.fullmatch(tokens[i])) is not None:  # "tromsø7" is also "Tromsø 7"
                    joined = (Alternative(wave.groups()),)
                last = typing and i + 1 == len(tokens)
                word = (tokens[i],)
                other = nynorsk[i] and _key((spelt[i],)) != _key(word)
                as_bokmal = (Alternative((spelt[i],), affixes=True, last=last),) if other else ()
                form = inflected(spelt[i])
                otherwise = (Alternative((form,)),) if form else ()
                units.append((Alternative(word, affixes=True, last=last), *as_bokmal, *otherwise, *joined))
                i += 1
        units += [tuple(Alternative((code,)) for code in codes) for _start, _end, codes in ranges]
        units += [_in_system(system, code) for _start, _end, system, code in in_system]
        areas = taxonomy().area(text)
        if any(nynorsk):  # what the words are about, as bokmål says it
            areas = (*areas, *(a for a in taxonomy().area(" ".join(spelt)) if a not in areas))
        return QueryPlan(
            units=tuple(units),
            optional=frozenset([*(unit for unit in units if _population(unit)), *relations]),
            exact=text.strip().lower(),
            exact_words=tuple([*(t.lower() for t in tokens), *(code.lower() for *_span, code in in_system)]),
            areas=areas,
            spelt_words=tuple(spelt) if any(nynorsk) else (),
            synonyms=tuple(synonyms),
            related=tuple(also),
            named=self._code_names_of([*tokens, *(c for _start, _end, codes in ranges for c in codes)]),
        )

    def _code_names_of(self, words: list[str]) -> tuple[tuple[tuple[str, ...], tuple[Alternative, ...]], ...]:
        """`QueryPlan.named` of these words: each code's names, once for the codes sharing them (a
        range's, "C18-C20")."""
        named: dict[tuple[Alternative, ...], list[str]] = {}
        for code in words:
            if code_like(code) and (names := self.code_names.names_of(code)):
                named.setdefault(tuple(Alternative(name, affixes=True) for name in names), []).append(code)
        return tuple((tuple(codes), unit) for unit, codes in named.items())

    def acronym(self, word: str) -> bool:
        """Whether `word` is a name of three letters this list writes in capitals ("DÅR"): not
        looked up among code labels, where the stemmer makes a longer word's stem of it ("Dårlig",
        an answer of self-rated health, is "dår": "DÅR" and "dødsårsaksregisteret" listed 28
        "Egenvurdert helse" before the cause of death registry's 132 variables). A vaccine code
        such as "MMR", and "mor", listed in lower case, are still found there."""
        if len(word) > 3 or not word.isalpha():
            return False
        return (word.upper(),) in self.groups().get(_key((word,)), ())

    def in_bokmal(self, text: str) -> str | None:
        """`text` with its nynorsk words spelt in bokmål, None when it has none (a trailing space,
        which says the last word is complete, is kept)."""
        tokens = words(text)
        spelt = self.nynorsk.spelt(tokens)
        if spelt == [w.lower() for w in tokens]:
            return None
        return " ".join(spelt) + (" " if text[-1:].isspace() else "")

    def _derived(self, groups: Any, names: Any, what: str, make: Callable[[], Any]) -> Any:
        """`make()`, made once per parse of the lists (`groups`, `names`): what is read off all
        their phrases, which no search should do again."""
        memo = self._of_lists
        if memo is None or memo[0] is not groups or memo[1] is not names:
            memo = self._of_lists = (groups, names, {})
        if what not in memo[2]:
            memo[2][what] = make()
        return memo[2][what]

    def _longest(self, groups: dict[tuple[str, ...], Any], names: dict[tuple[str, ...], Any]) -> int:
        """The most words of a phrase in either list (over every phrase, it was half of planning
        a search)."""
        longest: int = self._derived(
            groups, names, "longest", lambda: max(map(len, (*groups, *names, *self._related)), default=1)
        )
        return longest

    def tolerant(self, plan: QueryPlan, units: Iterable[int], distance: int) -> QueryPlan | None:
        """The plan with typos of up to `distance` edits tolerated in the given units (the words
        that match nothing as typed), or None when none of them is long enough to have that many.

        A misspelt word is also corrected to the synonyms and names of codes it is a typo of
        ("rokevaner" -> the group of "røykevaner"), since those are the words researchers use;
        a nynorsk word's bokmål spelling tolerates as many edits as the word."""
        dead = set(units)
        changed = list(plan.units)
        areas, corrected = list(plan.areas), list(plan.corrected)
        # bokmål may join a compound with an s nynorsk does not: "bustadkommune" is
        # "bostedskommune", one edit from its spelling "bostedkommune"
        bokmal = {(w,) for w in plan.spelt_words}
        tolerated = False

        def about(keys: list[tuple[str, ...]]) -> None:
            """What the corrected words are about: "hoftebrud" is about hip fractures as
            "hoftebrudd" is, so the registries of muscles and bones come first among equals."""
            for key in keys:
                areas.extend(a for a in taxonomy().area(" ".join(key)) if a not in areas)
                written = self._shown_phrases().get(key)  # as its list writes it
                if written and written[0] not in corrected:
                    corrected.append(written[0])

        for index in sorted(dead):
            unit = plan.units[index]
            typed = unit[0]
            if not typed.words or max(min(distance, fuzziness(w)) for w in typed.words) < distance:
                continue
            if self.knows(typed.words):  # spelt as the lists spell it: that nothing holds it is the answer
                continue
            tolerated = True
            fixes, keys = self._corrections(typed.words, distance)
            known = set(unit)
            changed[index] = (
                dataclasses.replace(typed, fuzzy=distance),
                *(dataclasses.replace(a, fuzzy=distance) if a.words in bokmal else a for a in unit[1:]),
                *(a for a in fixes if a not in known),
            )
            about(keys)
        # a misspelt word of a two-word phrase of the lists: "blood presure" is "blood pressure", a
        # synonym of blodtrykk, though no word of it alone is one (a phrase is looked up as typed)
        pairs: dict[int, tuple[Alternative, ...]] = {}
        j = 0
        while j + 1 < len(plan.units):
            first, second = plan.units[j][0], plan.units[j + 1][0]
            if (j in dead or j + 1 in dead) and len(first.words) == len(second.words) == 1:
                phrase = (*first.words, *second.words)
                fixes, keys = self._corrections(phrase, distance)
                if fixes:
                    pairs[j] = (Alternative(phrase, affixes=True, fuzzy=distance), *fixes)
                    about(keys)
                    j += 2
                    continue
            j += 1
        if pairs:
            tolerated = True
            changed = [pairs.get(i, unit) for i, unit in enumerate(changed) if i - 1 not in pairs]
        if not tolerated:
            return None
        return dataclasses.replace(plan, units=tuple(changed), areas=tuple(areas), corrected=tuple(corrected))

    def knows(self, phrase: tuple[str, ...]) -> bool:
        """Whether `phrase` is a term of the synonym or code-name lists as written: no typo of
        another ("emigration" is not "immigration", two edits away, which the demo listed for
        it)."""
        key = _key(phrase)
        return key in self.groups() or key in self.code_names.table()

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The terms of the lists (synonyms, related terms and common names of codes) starting with
        `prefix` (from `MIN_PREFIX` letters, case and accents folded), as the lists write them, A-Z:
        what a search box offers besides the catalogue's labels. "antidep" offered nothing, the
        labels saying "ATC-kode", though "antidepressiva" finds the ATC codes of N06A. A bisection
        of the sorted terms, made once per edit of the lists."""
        start = fold(" ".join(words(prefix)))
        if len(start) < MIN_PREFIX:
            return []
        groups, names = self.groups(), self.code_names.table()

        def make() -> tuple[list[str], list[str]]:
            written: dict[str, str] = {}
            lines = [*self.list.lines(), *(entry.partition("=")[0] for entry in self.code_names.list.lines())]
            for line in lines:
                for term in line.replace(RELATED, ",").split(","):
                    if term.strip():
                        written.setdefault(fold(" ".join(words(term))), term.strip())
            ordered = sorted(written)
            return ordered, [written[k] for k in ordered]

        folded, shown = self._derived(groups, names, "completions", make)
        at = bisect.bisect_left(folded, start)
        out: list[str] = []
        while at < len(folded) and folded[at].startswith(start) and len(out) < limit:
            out.append(shown[at])
            at += 1
        return out

    def _shown_phrases(self) -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
        """Key phrase -> (its phrase as the lists write it, that phrase's `_plain` words)."""
        groups, names = self.groups(), self.code_names.table()

        def make() -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
            shown: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
            for each, phrases in groups.items():
                own = next((p for p in phrases if _key(p) == each), None)
                if own is not None:
                    shown[each] = (self.written(own), _plain(own))
            for each, name in self.code_names.written.items():
                shown.setdefault(each, (name, _plain(tuple(words(name)))))
            return shown

        shown: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = self._derived(groups, names, "shown", make)
        return shown

    def misspells(self, word: str) -> bool:
        """Whether `word` is one edit from a synonym or a common name of codes: taken for a typo
        of it ("hjertinfarkt", "hjerteinfarkt"), not for a compound of two words ("hjert infarkt")."""
        return bool(self._corrections((word,), 1)[0])

    def _corrections(self, phrase: tuple[str, ...], distance: int) -> tuple[list[Alternative], list[tuple[str, ...]]]:
        """Alternatives from the synonym groups and code names whose words are typos of `phrase`,
        and the (analysed) phrases they were found by."""
        wanted, typed = _key(phrase), _plain(phrase)
        allowed = [min(distance, fuzziness(w)) for w in phrase]
        # stems as long as their words allow (`typo_edits`): "tannlege" is "tann", not two edits
        # from "pain", nor one from "mann"
        stemmed = [min(edits, stem_fuzziness(stem)) for edits, stem in zip(allowed, wanted, strict=False)]
        out: list[Alternative] = []
        keys: list[tuple[str, ...]] = []
        groups, names, shown = self.groups(), self.code_names.table(), self._shown_phrases()

        def close(a_phrase: tuple[str, ...], b_phrase: tuple[str, ...], limits: list[int]) -> bool:
            return all(
                a == b or (edits and _within(a, b, edits))
                for a, b, edits in zip(a_phrase, b_phrase, limits, strict=True)
            )

        for key in dict.fromkeys((*groups, *names)):  # a phrase both a synonym and a code name: once
            if len(key) != len(wanted) or key == wanted:
                continue
            # as stemmed, or as written: the stemmer may take a typo's ending for another than the
            # word's ("diabetes" -> diabet, "diabetis" -> diabetis: two edits apart, not one)
            plain = shown[key][1] if key in shown else None
            if close(key, wanted, stemmed) or (
                plain is not None
                and (plain != key or typed != wanted)  # else the same comparison again
                and len(plain) == len(typed)
                and plain != typed
                and close(plain, typed, allowed)
            ):
                keys.append(key)
                out += [Alternative(p, SYNONYM_WEIGHT) for p in groups.get(key, ())]
                if key in names:
                    out.append(Alternative((), CODE_NAME_WEIGHT, codes=names[key]))
        return out, keys


def _in_system(system: str, code: str) -> tuple[Alternative, ...]:
    """The unit of a code written after its classification's name (`codes.system_codes`): the
    code and the codes below it in that classification, and, scoring as a typed code does
    (`UNLISTED_SCORE`), the variables coded in it without a code list that may hold it."""
    terms = query_terms(code, system)
    unlisted = tuple(system_unlisted_terms(code, system))
    return (
        Alternative((), codes=terms, in_datasets=True),
        *([Alternative((), UNLISTED_SCORE / CODE_SCORE, codes=unlisted, in_datasets=True)] if unlisted else []),
    )


def typed_codes(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The codes a query names, as typed and in its order, each with the codes the search looks up
    for it: a code itself ("C50", "I21.4", "8500/3"), a range its categories ("C33-C34" -> C33,
    C34: `code_range`). A word is a code as the search takes one (`code_like`: a digit in it), but
    a survey's wave ("HUNT4", `WAVE`) is none. What an export of a search records of it, so that
    a researcher's list says which codes were asked (`web.explorer.search_export`)."""
    found: list[tuple[int, str, tuple[str, ...]]] = []
    clean = text
    for start, end, codes in code_term_ranges(text):
        found.append((start, text[start:end].strip(), codes))
        clean = clean[:start] + " " * (end - start) + clean[end:]
    for token in TOKEN.finditer(clean):
        word = token.group()
        if code_like(word) and not WAVE.fullmatch(word):
            found.append((token.start(), word, (word,)))
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for _start, typed, codes in sorted(found):
        out.setdefault(typed.upper(), (typed, codes))
    return tuple(out.values())


def inflected(word: str) -> str | None:
    """The other form of a Norwegian noun ending in -er that the stemmer does not bring together
    with it, where that form is stemmed otherwise: Snowball takes -er off "register", "alder" and
    "nummer" but -et or -en off "registeret", "alderen" and "nummeret", so "kreftregister" found 6
    variables and "Kreftregisteret" 107, "alder" never met "alderen". The other is the indefinite
    form of a definite one (-eret, -eren) or the definite of an indefinite one (-er + et: stemmed
    as -er + en is). Words of letters only, from five."""
    lowered = word.lower()
    if len(lowered) < 5 or not lowered.isalpha():
        return None
    if lowered.endswith(("eret", "eren")):
        other = lowered[:-2]
    elif lowered.endswith("er"):
        other = lowered + "et"
    else:
        return None
    return other if analyze_word(other, "nb") != analyze_word(lowered, "nb") else None


def _numbered(tokens: list[str], i: int) -> bool:
    """Whether token `i` is a word of three letters or more followed by a number of one or two
    digits: a survey and its wave ("hunt 3", "tromsø 7"), which titles may write together."""
    if i + 1 >= len(tokens):
        return False
    word, number = tokens[i], tokens[i + 1]
    return len(word) >= 3 and word.isalpha() and number.isdigit() and len(number) <= 2


def _content(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """A phrase's words as a query keeps them: without its stop words, unless it has no other.
    The lists' phrases are compared with a query's words, which have none: "quality of life" and
    "cause of death" in the synonyms, "for tidlig født" among the code names, were never found."""
    return tuple(w for w in phrase if w.lower() not in STOPWORDS) or phrase


def _key(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(analyze_word(w, "nb") for w in _content(phrase))


def _plain(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """A phrase's words lowercased and folded, not stemmed."""
    return tuple(analyze_word(w, "plain") for w in _content(phrase))


def fuzziness(word: str) -> int:
    """Edits a typo may cost: none for short words and codes, one up to 7 letters, then two."""
    if len(word) < 4 or any(c.isdigit() for c in word):
        return 0
    return 1 if len(word) < 8 else 2


MIN_TYPO_STEM = 5
"""The shortest stem a misspelt word is looked for with in the index. One edit from four letters
reaches the short words every label has: "uføre" (disability, stemmed "ufør") found "før" of
"Mors kroppsmasseindeks før svangerskapet" (159 variables and 486 code lists on the demo),
"alene" ("alen") "agens" of "Smittestoff (agens)"."""
TITLE_TYPO_STEM = 6
"""The shortest stem a misspelt word is looked for with in a dataset's title, and then with one
edit (`field_typo_edits`)."""


def typo_edits(word: Word, analyzer: str, shortest: int = MIN_TYPO_STEM, most: int = 2) -> int:
    """Edits a misspelt word may cost in the fields of an analyzer: as many as `Word.fuzzy`
    allows, at most `most`, and no more than its analysed form's length allows (`stem_fuzziness`),
    as typos are compared with the index's stems. The stemmer cuts "tannlege" to "tann", which two
    edits make "canc", "pain" and "twin": the demo listed 1,241 variables for it, twins first. A
    stem shorter than `shortest` takes none."""
    if not word.fuzzy:
        return 0
    forms = [analyze_word(w, analyzer) for w in words(word.text)]
    return min(word.fuzzy, most, *(stem_fuzziness(f, shortest) for f in forms)) if forms else 0


def stem_fuzziness(stem: str, shortest: int = MIN_TYPO_STEM) -> int:
    """Edits a typo of a word with this stem may cost, compared with stems (`MIN_TYPO_STEM`)."""
    return fuzziness(stem) if len(stem) >= shortest else 0


def field_typo_edits(word: Word, field: str) -> int:
    """Edits a misspelt word may cost in one field: none outside `FUZZY_FIELDS`; in a dataset's
    title one at most, and none for a stem shorter than `TITLE_TYPO_STEM`. A title is said by every
    variable of its dataset and holds its compounds' parts, short words a short stem's typo reaches
    by chance: "karies" (caries, stemmed "kari") is one edit from "kar" of "Hjerte- og
    karregisteret", and the demo listed that register's 25 variables, "Bostedsfylke" first; two
    edits take a long word's start off ("boforhold" was "forhold" of a title: 3 variables of birth
    length)."""
    if field not in FUZZY_FIELDS:
        return 0
    if field == "dataset_title":
        return typo_edits(word, FIELD_ANALYZER[field], TITLE_TYPO_STEM, 1)
    return typo_edits(word, FIELD_ANALYZER[field])


# -- highlighting --------------------------------------------------------------------------

HIGHLIGHT_FIELDS = ("label", "description", "name")


def _forms(word: str, splitter: Decompounder | None) -> set[str]:
    forms = {analyze_word(word, a) for a in ANALYZERS}
    if splitter:
        forms.update(analyze_word(p, "nb") for p in splitter.split(word))
    return forms


@lru_cache(maxsize=200_000)
def _token(token: str, splitter: Decompounder | None) -> tuple[frozenset[str], str, frozenset[str]]:
    """A text's word as highlighting compares it: its analysed forms, folded, its compound parts.
    The same for every query, so computed once per word, not once per word and query."""
    return frozenset(_forms(token, splitter)), fold(token), frozenset(word_affixes(token))


@dataclass(frozen=True, eq=False)
class _Marking:
    """A plan's words for highlighting, gathered for a quick test of each text word. Made once per
    plan (`_plan_specs`), so compared and hashed by identity, cheaply, in `_matches`' memo."""

    forms: frozenset[str]
    prefixes: tuple[str, ...]
    parts: frozenset[str]
    fuzzy: tuple[tuple[str, int], ...]
    """(analysed form, the edits a typo of it may cost, as `typo_edits` allows: no more than the
    form's own length allows), for each form that tolerates any."""


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance (with transpositions) of a and b is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


_Spec = tuple[frozenset[str], int, "str | None", "str | None"]
"""A query word for highlighting: (its analysed forms, edits allowed, prefix, compound part)."""


def _specs(alternative: Alternative) -> tuple[_Spec, ...]:
    return tuple(
        (frozenset(analyze_word(w.text, a) for a in ANALYZERS), w.fuzzy, w.prefix, w.part) for w in alternative.specs()
    )


@lru_cache(maxsize=1024)
def _plan_specs(plan: QueryPlan) -> _Marking:
    """Every word of a plan for highlighting, made once per plan (a page highlights 20 hits)."""
    return _marking([spec for unit in plan.units for alternative in unit for spec in _specs(alternative)])


def names(text: str, plan: QueryPlan, splitter: Decompounder | None = None) -> bool:
    """Whether `text` names a diagnosis, drug or procedure the search asks for: holds every word
    of one of the names of a code it types ("C50": "Brystkreft", "breast cancer") or of a name
    it types that stands for codes, or of that name's synonyms. Which of a variable's datasets
    the search is about; other words describe the variable ("røyking svangerskap" does not ask
    for the dataset "Svangerskap og komplikasjoner")."""
    alternatives = naming(plan)
    if not alternatives:
        return False
    tokens = WORD.findall(text)
    return any(
        all(any(_matches(token, word, splitter) for token in tokens) for word in _word_markings(alternative))
        for alternative in alternatives
    )


@lru_cache(maxsize=1024)
def naming(plan: QueryPlan) -> tuple[Alternative, ...]:
    """The names `names` looks for: of the codes typed (`QueryPlan.named`) and the word
    alternatives of each unit that stands for codes."""
    coded = [unit for unit in plan.units if any(a.codes for a in unit)]
    units = [*coded, *(unit for _codes, unit in plan.named)]
    return tuple(a for unit in units for a in unit if a.words and not a.codes)


@lru_cache(maxsize=4096)
def _word_markings(alternative: Alternative) -> tuple[_Marking, ...]:
    """One `_Marking` per word of the alternative, each word to be found in a text on its own."""
    return tuple(_marking([spec]) for spec in _specs(alternative))


def _marking(specs: list[_Spec]) -> _Marking:
    return _Marking(
        frozenset(f for forms, _d, _p, _part in specs for f in forms),
        tuple(p for _f, _d, p, _part in specs if p),
        frozenset(part for _f, _d, _p, part in specs if part),
        _tolerated(specs),
    )


def _tolerated(specs: Iterable[_Spec]) -> tuple[tuple[str, int], ...]:
    """`_Marking.fuzzy` of some words: each analysed form of a word that tolerates typos, with
    the edits its own length allows, the most `typo_edits` allows in the index."""
    return tuple(
        dict.fromkeys(
            (form, edits) for forms, d, _p, _part in specs if d for form in forms if (edits := min(d, fuzziness(form)))
        )
    )


def highlight(doc: dict[str, Any], plan: QueryPlan, splitter: Decompounder | None = None) -> dict[str, str]:
    """Display fields with matched words wrapped in <mark>, everything else HTML-escaped.

    A word is marked when it matches a query word (or synonym) after stemming and folding, when
    one of its compound parts does, when it starts or ends with a query word as a search matches
    compounds, or when it is within the query word's typo allowance.
    """
    query = _plan_specs(plan)
    if not query.forms:
        return {}
    out = {}
    for field_name in HIGHLIGHT_FIELDS:
        value = doc.get(field_name)
        if value and (marked := _marked(value, query, splitter)):
            out[field_name] = marked
    # the label and description in their other languages, as `label_<tag>` and
    # `description_<tag>`: a page in English shows the English ones
    for many, one in (("labels", "label"), ("descriptions", "description")):
        texts = doc.get(many)
        if texts and len(texts) > 1:
            for tag, value in texts.items():
                if value and value != doc.get(one) and (marked := _marked(value, query, splitter)):
                    out[f"{one}_{tag}"] = marked
    return out


def _marked(value: str, query: _Marking, splitter: Decompounder | None) -> str | None:
    """`value` HTML-escaped with its matched words in <mark>, or None when no word matched."""
    parts, pos = [], 0
    for m in WORD.finditer(value):
        if _matches(m.group(), query, splitter):
            parts += [html.escape(value[pos : m.start()]), "<mark>", html.escape(m.group()), "</mark>"]
            pos = m.end()
    if not parts:
        return None
    parts.append(html.escape(value[pos:]))
    return "".join(parts)


@lru_cache(maxsize=100_000)
def _matches(token: str, query: _Marking, splitter: Decompounder | None) -> bool:
    """Memoised: labels repeat their words, so a page of hits costs a few new tokens at most."""
    forms, folded, parts = _token(token, splitter)
    if forms & query.forms or parts & query.parts or any(folded.startswith(p) for p in query.prefixes):
        return True
    return any(_within(f, q, d) for q, d in query.fuzzy for f in forms if len(f) > 3)


def matched_codes(
    concepts: Iterable[list[str]],
    system: str | None,
    plan: QueryPlan,
    limit: int = MAX_MATCHED_CODES,
    splitter: Decompounder | None = None,
) -> list[tuple[str, str]]:
    """The codes of a code list that the query asked for, as (code, label), at most `limit`: a code
    a query word is (or is a level above: "A10" for A10BA02), a code a common name stands for
    (`CodeNames`), or a code whose label holds every word of the query's other words ("metformin",
    "ondartet svulst i bryst"; in a list of no classification, the code with it: "MMR"), as a
    part of a compound too, as the index holds it (`splitter`: "komplikasjoner" found ICPC-2's
    "Hypertensjon med organkomplikasjoner" and the demo's page named no code beside its hits)."""
    code_words, terms, text_units = [], [], []
    for unit in plan.units:
        typed = [w.text for w in unit[0].specs()]
        terms += [t for alternative in unit for t in alternative.codes]  # "T2D" stands for E11
        if typed and all(code_like(w) for w in typed):  # and the other codes of a range ("I20-I25")
            code_words += [w.text for alternative in unit for w in alternative.specs() if code_like(w.text)]
            continue
        alternatives = [_specs(a) for a in unit if a.words]
        if alternatives:
            text_units.append(alternatives)
    out = []
    worded = system is None  # its lettered codes are indexed among its labels' words (`coded`)
    for code, label in concepts:
        if (
            any(matches_code(w, code) for w in code_words)
            or any(_code_term_matches(t, system, code) for t in terms)
            or (
                text_units
                and _label_matches(f"{code} {label}" if worded and lettered(code) else label, text_units, splitter)
            )
        ):
            out.append((code, label))
            if len(out) == limit:
                break
    return out


def _code_term_matches(term: str, system: str | None, code: str) -> bool:
    """A qualified term of `CodeNames` ("icd10:c50*") against a code of a list in `system`."""
    wanted, _, value = term.partition(":")
    if wanted != system:
        return False
    if value.endswith("*"):
        return code.strip().lower().startswith(value[:-1])
    return matches_code(value, code)


def _label_matches(label: str, units: list[list[tuple[_Spec, ...]]], splitter: Decompounder | None) -> bool:
    tokens = WORD.findall(label)
    return all(
        any(all(any(_matches(t, _one(spec), splitter) for t in tokens) for spec in alternative) for alternative in unit)
        for unit in units
    )


@lru_cache(maxsize=10_000)
def _one(spec: _Spec) -> _Marking:
    forms, distance, prefix, part = spec
    return _Marking(forms, (prefix,) if prefix else (), frozenset([part] if part else []), _tolerated((spec,)))


# -- suggestions ---------------------------------------------------------------------------


def suggestion(doc: dict[str, Any], prefix: str) -> str | None:
    """What a search box offers for a document matched by prefix: its label when a label word
    starts with the last prefix word, else its name when the name does, else nothing."""
    wanted = [fold(w) for w in words(prefix)]
    if not wanted:
        return None
    for candidate in (doc.get("label") or "", *(doc.get("labels") or {}).values(), doc.get("name") or ""):
        folded = [fold(w) for w in words(candidate)]
        if any(f.startswith(wanted[-1]) for f in folded) or fold(candidate).startswith(fold(prefix.strip())):
            return candidate
    return None


def rank_suggestions(docs: Iterator[dict[str, Any]], prefix: str, limit: int) -> list[str]:
    """Distinct suggestions, those starting with the prefix first, then shorter, then A-Z."""
    found = {s for s in (suggestion(d, prefix) for d in docs) if s}
    start = fold(prefix.strip())
    return sorted(found, key=lambda s: (not fold(s).startswith(start), len(s), fold(s)))[:limit]


def shipped_synonyms() -> Synonyms:
    """The synonym list shipped with the catalogue; `catalog.search.open_backend` applies the
    settings (`synonyms_file`, or the copy edited through the admin API)."""
    return Synonyms(SYNONYMS_FILE)
