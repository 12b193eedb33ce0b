"""Topics researchers browse by (pregnancy and birth, cancer, lifestyle, ...), assigned to datasets
and variables from what their records already say.

Sources rarely classify their data by subject: EU data themes put everything under HEAL, and the
EHDS health categories say what kind of data a dataset is (health records, registries), not what
it is about. Titles, keywords and coding systems do say it, so a topic is assigned when one of its
words, themes, health categories or coding systems is found (the readable list is
`catalog/topics.toml`, one table per topic). A variable gets the topics its own label, keywords
and coding system show, plus those of its dataset that hold for every variable in it (`inherit`).

Matching is per word and memoised, because labels repeat their words: at a million variables the
index pays for a few tens of thousands of distinct words, not a million labels.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

from catalog.lru import remember
from catalog.model import Dataset, LangText, Variable

TOPICS_FILE = Path(__file__).with_name("topics.toml")
WORD = re.compile(r"[^\W_]+")
"""Runs of letters and digits: MEDISINSK_FØDSELSREGISTER is two words, as the search sees it."""
ASCII_WORD = re.compile(r"[^\W_]+", re.ASCII)
"""`WORD` for ASCII text, which it splits the same, faster (no Unicode database lookups)."""
LANGUAGES = ("nb", "nn", "en")
TEXT_MEMO = 100_000
WORD_MEMO = 200_000
"""Texts (and sets of topics) whose topics are remembered; the memo starts afresh when full."""
_NONE: frozenset[int] = frozenset()


class TopicsError(ValueError):
    """The topics file cannot be used; the message names the file, topic and field."""


@dataclass(frozen=True)
class Topic:
    id: str
    names: dict[str, str]  # nb, nn, en
    descriptions: dict[str, str]
    inherit: bool = True
    themes: frozenset[str] = frozenset()
    health_categories: frozenset[str] = frozenset()
    coding_systems: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()
    inside: tuple[str, ...] = ()
    exact: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    excluded_phrases: tuple[str, ...] = ()
    icd10: tuple[tuple[str, str], ...] = ()  # ranges of ICD-10 categories (first, last): a disease area

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["nb"]

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.descriptions.get("nb", "")


ICD10_WORD = re.compile(r"([A-Z][0-9]{2})(?:\.?[0-9]{1,2})?")
"""An ICD-10 code as researchers type it ("E11", "C50.9", "I210"), its category the first three
characters. Codes of other classifications with letters after the digits (A10BA02) are not."""
ICD10_CATEGORY = re.compile(r"[A-Z][0-9]{2}")


@dataclass(frozen=True)
class Area:
    """What a search is about (`Topics.area`), for ordering equally good matches: variables in
    `topics` first, then those in no other disease area, then those only in one of `elsewhere`
    (empty unless the search is about a disease area). A code's area (`code`: the ICD-10
    category of a code typed) holds for the variables found by that code as ICD-10: the same
    letter and digits are an ATC group too (A10), whose variables keep their order."""

    topics: tuple[str, ...]
    elsewhere: tuple[str, ...] = ()
    code: str | None = None


def _code(iri: str) -> str:
    """The code of a vocabulary IRI or label: .../coding-system/ICD-10 -> ICD-10."""
    return iri.rstrip("/").rsplit("/", 1)[-1].upper()


@dataclass
class Topics:
    """The taxonomy, in display order, with the matcher built from it."""

    topics: list[Topic]
    _prefixes: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _phrases: list[tuple[str, int]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        for i, t in enumerate(self.topics):
            for w in t.words:
                if " " in w:
                    self._phrases.append((" " + w, i))
                else:
                    self._prefixes.setdefault(w, []).append(i)
        # A phrase (" fysisk aktiv") is in a text only where its first word stands between spaces:
        # in a text of letters, digits, spaces and underscores, one of its words (`_in_one`)
        self._phrase_starts = frozenset(phrase[1:].split(" ", 1)[0] for phrase, _ in self._phrases)
        self._phrases_by_word = all(start.isalnum() for start in self._phrase_starts)
        self._longest = max((len(w) for w in self._prefixes), default=0)
        self._starts = frozenset(w[:i] for w in self._prefixes for i in range(1, len(w) + 1))
        """Every start of a listed word: a word's starts are looked up until one is none of them."""
        self.by_id = {t.id: t for t in self.topics}
        self._index = {t.id: i for i, t in enumerate(self.topics)}
        self._words: dict[str, frozenset[int]] = {}
        self._inherits: dict[tuple[str, ...], frozenset[int]] = {}
        self._texts: dict[str, frozenset[int]] = {}
        self._found_ids: dict[frozenset[int], list[str]] = {}
        self._exact: dict[str, list[int]] = {}
        self._by_theme: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._by_system: dict[str, list[int]] = {}
        for i, t in enumerate(self.topics):
            for w in t.exact:
                self._exact.setdefault(w, []).append(i)
            for codes, by_code in (
                (t.themes, self._by_theme),
                (t.health_categories, self._by_category),
                (t.coding_systems, self._by_system),
            ):
                for code in codes:
                    by_code.setdefault(code, []).append(i)
        parts = sorted({part for t in self.topics for part in t.inside}, key=len, reverse=True)
        self._inside = re.compile("|".join(map(re.escape, parts))) if parts else None
        self._excluding = frozenset(i for i, t in enumerate(self.topics) if t.excluded_phrases)
        self._conditions = frozenset(i for i, t in enumerate(self.topics) if t.icd10)  # the disease areas

    def _word_topics(self, word: str) -> frozenset[int]:
        found = self._words.get(word)
        if found is None:
            found = remember(self._words, word, self._match_word(word), WORD_MEMO)
        return found

    def _match_word(self, word: str) -> frozenset[int]:
        found: set[int] = set()
        prefixes, starts = self._prefixes, self._starts
        for i in range(1, min(len(word), self._longest) + 1):
            start = word[:i]
            if start not in starts:  # no listed word starts so: none longer either
                break
            found.update(prefixes.get(start, ()))
        found.update(self._exact.get(word, ()))
        if self._inside is not None and self._inside.search(word):  # most words hold no part
            found.update(i for i, t in enumerate(self.topics) if any(part in word for part in t.inside))
        return frozenset(i for i in found if word not in self.topics[i].excluded)

    def _in_one(self, lowered: str) -> frozenset[int]:
        """The topics of a lowered text's words and phrases. Most words have none, and the others
        share their memo's frozensets: unions are made only where a second word adds topics.

        A text of letters, digits, spaces and underscores (most labels) is split into `WORD`'s
        words by `str.split`, in a third of the regex's time, and the phrases are looked for only
        where one starts with one of its words."""
        found = _NONE
        known = self._words
        spaced = lowered.replace("_", " ") if "_" in lowered else lowered
        plain = spaced.replace(" ", "").isalnum()  # [^\W_] is what str.isalnum calls alphanumeric
        words = spaced.split() if plain else (ASCII_WORD if lowered.isascii() else WORD).findall(lowered)
        for word in words:
            topics = known.get(word)
            if topics is None:
                topics = self._word_topics(word)
            if topics:
                found = found | topics if found else topics
        if self._phrases and not (plain and self._phrases_by_word and self._phrase_starts.isdisjoint(words)):
            spaced = " " + lowered
            for phrase, i in self._phrases:
                if phrase in spaced:
                    found = found | {i}
        return found

    def in_text(self, texts: Iterable[str]) -> set[int]:
        """Indexes of the topics whose words occur in these texts (a topic found only inside
        one of its excluded phrases, "year of birth", does not count)."""
        found: set[int] = set()
        for text in texts:
            if text:
                found |= self._in_text(text)
        return found

    def _in_text(self, text: str) -> frozenset[int]:
        """One text's topics, memoised per text: labels, descriptions, keywords and table names
        repeat across the variables of a dataset and across datasets and waves (a tenth of a
        variable's search document was matching them again)."""
        found = self._texts.get(text)
        if found is None:
            found = self._new_text(text)
        return found

    def _new_text(self, text: str) -> frozenset[int]:
        """`_in_text` of a text not in the memo (a variable's label is usually new: looked up once)."""
        return remember(self._texts, text, self._match_text(text), TEXT_MEMO)

    def _match_text(self, text: str) -> frozenset[int]:
        lowered = text.lower()
        if not lowered.isascii():
            lowered = unicodedata.normalize("NFC", lowered)
        here = self._in_one(lowered)
        if not here or here.isdisjoint(self._excluding):  # most texts: no topic with excluded phrases
            return here
        for i in here & self._excluding:
            phrases = [p for p in self.topics[i].excluded_phrases if p in lowered]
            if phrases:
                stripped = lowered
                for p in phrases:
                    stripped = stripped.replace(p, " ")
                if i not in self._in_one(stripped):
                    here = here - {i}
        return here

    def area(self, text: str) -> tuple[Area, ...]:
        """What a search for `text` is about: the topics of its words, and of each ICD-10 code in
        it by the code's category ("E11": diabetes; "S72": muscles and bones). A researcher
        searching "E11" or "hoftebrudd" finds every ICD-10 variable equally (their code lists all
        hold it); a diabetes registry's comes first, and a cancer registry's last."""
        areas = []
        by_words = self.in_text([text])
        if by_words:
            areas.append(self._area(by_words))
        for word in WORD.findall(text):
            code = ICD10_WORD.fullmatch(word.upper())
            if code:
                found = {i for i in self._conditions if any(a <= code[1] <= b for a, b in self.topics[i].icd10)}
                if found:
                    areas.append(self._area(found, code[1]))
        return tuple(areas)

    def _area(self, found: set[int] | frozenset[int], code: str | None = None) -> Area:
        elsewhere = self._conditions - found if found & self._conditions else frozenset()
        return Area(tuple(self._ids(found)), tuple(self._ids(elsewhere)), code)

    def of_text(self, texts: Iterable[str]) -> list[str]:
        """The ids of the topics these texts show by their words alone."""
        return self._ids(self.in_text(texts))

    def _ids(self, found: set[int] | frozenset[int]) -> list[str]:
        return [self.topics[i].id for i in sorted(found)]

    def _coded(self, themes: Iterable[str], categories: Iterable[str], systems: Iterable[str]) -> set[int]:
        """The topics of any of these themes, health categories or coding systems (IRIs or codes),
        looked up by code: going through every topic's three sets cost 4.7 us a call, once per
        dataset and once per variable with a coding system."""
        found: set[int] = set()
        if not (themes or categories or systems):  # most datasets: no coding system, no category
            return found
        for codes, by_code in ((themes, self._by_theme), (categories, self._by_category), (systems, self._by_system)):
            for x in codes:
                found.update(by_code.get(_code(x), ()))
        return found

    def of_dataset(self, d: Dataset) -> list[str]:
        """A dataset's topics: from its title, keywords, population, themes, health categories and
        coding systems (MoBa's title says none of pregnancy; its population, "Gravide kvinner")."""
        found = self.in_text(
            [*_texts(d.title), *_texts(d.population_coverage), *(w for words in d.keywords.values() for w in words)]
        )
        found |= self._coded(d.themes, d.health_categories, d.coding_systems)
        return self._ids(found)

    def of_variable(self, v: Variable, dataset_topics: Iterable[str] = ()) -> list[str]:
        """A variable's topics: its own label, keywords and coding system, and its dataset's
        topics that hold for every variable in it."""
        return self._of_variable(self._inherited(tuple(dataset_topics)), v)

    def of_variables(self, dataset_topics: Iterable[str]) -> Callable[..., list[str]]:
        """`of_variable` for the variables of a dataset with these topics: what they inherit is
        worked out once, not per variable."""
        return partial(self._of_variable, self._inherited(tuple(dataset_topics)))

    def _of_variable(self, found: frozenset[int], v: Variable, copy: bool = True) -> list[str]:
        """`of_variable`; without `copy`, the memo's list itself (not to be changed)."""
        texts = self._texts
        for text in v.title.values():
            if text:
                topics = texts.get(text)
                if topics is None:
                    topics = self._new_text(text)
                if topics:
                    found = found | topics if found else topics
        if v.keywords or v.table:
            for other in (*v.keywords, v.table):
                if other:
                    topics = self._in_text(other)
                    if topics:  # a union with no topics would only make a new set to hash
                        found = found | topics if found else topics
        if v.coding_system:
            found = found | self._coded((), (), [v.coding_system])
        ids = self._found_ids.get(found)
        if ids is None:
            ids = remember(self._found_ids, found, self._ids(found), TEXT_MEMO)
        return list(ids) if copy else ids

    def _inherited(self, dataset_topics: tuple[str, ...]) -> frozenset[int]:
        """The dataset's topics its variables inherit (memoised: a dataset's variables ask in turn)."""
        cached = self._inherits.get(dataset_topics)
        if cached is None:
            index = self._index
            cached = frozenset(index[t] for t in dataset_topics if t in index and self.topics[index[t]].inherit)
            if len(self._inherits) < 10_000:
                self._inherits[dataset_topics] = cached
        return cached


def _texts(value: LangText) -> list[str]:
    return [t for t in value.values() if t]


def _strings(path: Path, topic: str, spec: dict[str, object], key: str) -> tuple[str, ...]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise TopicsError(f"{path}: topic {topic!r}: {key} must be a list of words")
    return tuple(unicodedata.normalize("NFC", x.lower()) for x in value)


def _ranges(path: Path, topic: str, spec: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """`icd10`'s ranges ("C00-D48", or "S72" alone) as (first, last) categories."""
    out = []
    for value in (x.upper() for x in _strings(path, topic, spec, "icd10")):
        first, _, last = value.partition("-")
        last = last or first
        if not (ICD10_CATEGORY.fullmatch(first) and ICD10_CATEGORY.fullmatch(last) and first <= last):
            raise TopicsError(f"{path}: topic {topic!r}: icd10 {value!r} is not a category or range like C00-D48")
        out.append((first, last))
    return tuple(out)


def parse(path: Path) -> Topics:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TopicsError(f"{path}: cannot read the topics ({exc})") from exc
    topics = []
    for ident, spec in raw.items():
        if not isinstance(spec, dict):
            raise TopicsError(f"{path}: {ident!r} must be a table of a topic")
        missing = [lang for lang in LANGUAGES if not isinstance(spec.get(lang), str)]
        if missing:
            raise TopicsError(f"{path}: topic {ident!r} needs a name in {', '.join(missing)}")
        topics.append(
            Topic(
                id=ident,
                names={lang: spec[lang] for lang in LANGUAGES},
                descriptions={lang: str(spec.get(f"description_{lang}", "")) for lang in LANGUAGES},
                inherit=bool(spec.get("inherit", True)),
                themes=frozenset(x.upper() for x in _strings(path, ident, spec, "themes")),
                health_categories=frozenset(x.upper() for x in _strings(path, ident, spec, "health_categories")),
                coding_systems=frozenset(x.upper() for x in _strings(path, ident, spec, "coding_systems")),
                words=_strings(path, ident, spec, "words"),
                inside=_strings(path, ident, spec, "inside"),
                exact=frozenset(_strings(path, ident, spec, "exact")),
                excluded=frozenset(w for w in _strings(path, ident, spec, "except") if " " not in w),
                excluded_phrases=tuple(w for w in _strings(path, ident, spec, "except") if " " in w),
                icd10=_ranges(path, ident, spec),
            )
        )
    return Topics(topics)


@cache
def taxonomy(path: Path = TOPICS_FILE) -> Topics:
    """The topics of `catalog/topics.toml`, read once per process."""
    return parse(path)
