"""Text analysis shared by every backend, so a query finds the same variables everywhere.

The engines do the per-field work they are good at (tokenize, lowercase, Snowball stemming per
language, ASCII folding: `ANALYZERS` names the chain each field uses, and each backend builds that
chain natively). What engines disagree on, or what must change without a reindex, is done here in
Python and handed to them as plain terms:

* compound words are split at index time with an editable word list (`compounds.txt`) into a
  lower-weighted `parts` field, so "vekt" finds "fødselsvekt" and "infarkt" finds "hjerteinfarkt";
* synonyms (`synonyms.txt`) are expanded at query time into alternatives, so editing the file
  changes search at once, with no reindex, on every backend;
* the query is parsed into a `QueryPlan` that each backend translates into its own query objects;
* highlighting is computed from the stored document with the same analysis, so both backends mark
  the same words and the output is always HTML-escaped.
"""

from __future__ import annotations

import dataclasses
import html
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import Stemmer

from catalog.search import FACETS

HERE = Path(__file__).resolve().parent
SYNONYMS_FILE = HERE / "synonyms.txt"
COMPOUNDS_FILE = HERE / "compounds.txt"

WORD = re.compile(r"\w+")

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
    "dataset_title": "nb",
    "suggest": "plain",
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
    "parts": 1.5,
    "description_nb": 1.0,
    "description_nn": 1.0,
    "description_en": 1.0,
    "description_plain": 1.0,
    "dataset_title": 0.5,
}
"""Relevance: name and label above keywords and compound parts, above descriptions."""

FUZZY_FIELDS = ("name_text", "label_nb", "label_nn", "label_en", "label_plain")
FUZZY_BOOST = 0.5
EXACT_NAME_BOOST = 50.0
EXACT_CODE_BOOST = 20.0
SYNONYM_WEIGHT = 0.8
KEYWORD_FIELDS = ("key", "type", "name_exact", "codes_exact", "name_sort", "uses_sort", *FACETS)
USES_SORT_TOP = 999_999
"""`uses_sort` is this minus the uses, zero-padded, then the name: ascending order is the most used
first, then by name, on every backend (both sort keywords the same way)."""
STOPWORDS = frozenset("og i på pa av for med til ved etter per om en et ei er som the of and in on at by to".split())
"""Words dropped from a query that has other words ("røyking og BMI" needs no "og")."""
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

    def file(self) -> Path:
        if self.fallback is not None and not self.path.exists():
            return self.fallback
        return self.path

    def version(self) -> tuple[int, int, int]:
        """Changes whenever the file is edited or replaced (inode, time in ns, size)."""
        try:
            st = self.file().stat()
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"search word list {self.file()} is missing") from exc
        return st.st_ino, st.st_mtime_ns, st.st_size

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
MIN_PART = 3


class Decompounder:
    """Split Norwegian compounds into known parts: "fødselsvekt" -> fødsel + vekt.

    A word is split when it is a sequence of listed parts joined by nothing, "s" or "e" (the
    Norwegian linking letters). When no full split exists, the longest listed part the word ends
    with (the head of a Norwegian compound, which carries its meaning) is still returned, so
    "hjerteinfarkt" yields "infarkt" even if "hjerte" were not listed.
    """

    def __init__(self, parts: Iterable[str]):
        self.parts = frozenset(fold(p) for p in parts if len(p) >= MIN_PART)
        self._cache: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is None:
            if any(c.isdigit() for c in word):
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
        for end in range(len(word), start + MIN_PART - 1, -1):
            part = word[start:end]
            if part not in self.parts or (start == 0 and end == len(word)):
                continue
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


def compound_parts(texts: Iterable[str], splitter: Decompounder) -> list[str]:
    """Parts of the compound words in `texts`, each once, in order of appearance."""
    seen: dict[str, None] = {}
    split = splitter.split
    for word in WORD.findall(" ".join(texts)):  # one regex pass: words never span the joins
        for part in split(word):
            seen[part] = None
    return list(seen)


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


def index_fields(doc: dict[str, Any], splitter: Decompounder) -> dict[str, Any]:
    """The fields a backend indexes for one catalogue document (see `FIELD_ANALYZER`); empty
    fields are left out. Text fields are strings; keyword fields (`KEYWORD_FIELDS`) are lists.

    Indexing calls this once per document, so it avoids per-document regex and helper calls
    where a dictionary lookup will do (a million variables must index in under a minute)."""
    get = doc.get
    name = get("name") or ""
    label = get("label") or ""
    sort_name = (label or name).lower()
    fields: dict[str, Any] = {
        "key": [doc["key"]],
        "type": [doc["type"]],
        "name_sort": [sort_name],
        "uses_sort": [f"{USES_SORT_TOP - min(int(get('uses') or 0), USES_SORT_TOP):06d} {sort_name}"],
    }
    texts: dict[str, list[str]] = {}
    for tag, value in (get("labels") or {"nb": label}).items():
        if value:
            texts.setdefault("label_" + _group(tag), []).append(value)
    labels = [v for values in texts.values() for v in values]
    for tag, value in (get("descriptions") or {}).items():
        if value:
            texts.setdefault("description_" + _group(tag), []).append(value)
    for field_name, values in texts.items():
        fields[field_name] = values[0] if len(values) == 1 else " ; ".join(values)
    keywords = [k for k in get("keywords") or () if k]
    codes = [c for c in get("codes") or () if c]
    if keywords:
        fields["keywords"] = " ; ".join(keywords)
    if codes:
        fields["codes"] = " ; ".join(codes)
    fields["suggest"] = " ; ".join([name, *labels])
    parts = compound_parts([*labels, *keywords, name.replace("_", " ")], splitter)
    if parts:
        fields["parts"] = " ; ".join(parts)
    if name:
        fields["name_text"] = name
        fields["name_exact"] = [name.lower()]
    if get("dataset_title"):
        fields["dataset_title"] = doc["dataset_title"]
    exact = {v.lower() for v in (*codes, *keywords) if len(v) <= 40}
    if exact:
        fields["codes_exact"] = sorted(exact)
    for facet in FACETS:
        value = get(facet)
        if isinstance(value, list):
            if value:
                fields[facet] = [str(v) for v in value]
        elif value is not None and value != "":
            fields[facet] = [str(value)]
    return fields


# -- query plans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """Words that must all match; `weight` < 1 for alternatives that came from the synonym list."""

    words: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class QueryPlan:
    """A query as every backend runs it: all `units` must match (AND); a unit matches when any of
    its alternatives does (OR); `exact` is the whole query for exact name/code matching.

    Backends run a plan first without typo tolerance and, only when nothing matches, again with
    `typos=True` (`with_typos`): a misspelt query still finds its variables, while a correct one
    is not diluted by look-alikes (hjerteinfarkt is not hjerneinfarkt) and stays fast, since
    fuzzy matching is the costliest part of a query on a large index.
    """

    units: tuple[tuple[Alternative, ...], ...]
    exact: str
    exact_words: tuple[str, ...]
    typos: bool = False

    def with_typos(self) -> QueryPlan | None:
        """The same plan tolerating typos, or None when no word is long enough to have any."""
        if self.typos or not any(fuzziness(w) for unit in self.units for a in unit for w in a.words):
            return None
        return dataclasses.replace(self, typos=True)

    def fuzziness(self, word: str) -> int:
        return fuzziness(word) if self.typos else 0


class Synonyms:
    """Groups of equivalent terms from an editable file, one group per line, comma-separated.

    Terms may be phrases ("birth weight, fødselsvekt"). Matching is on folded, Norwegian-stemmed
    words, so "Røyking", "røyking" and "royking" all hit the group "røyking, røyk, tobakk".
    """

    def __init__(self, path: Path = SYNONYMS_FILE, fallback: Path | None = None):
        self.list = WordList(path, fallback)
        self._parsed: tuple[list[str], dict[tuple[str, ...], list[tuple[str, ...]]]] | None = None

    def groups(self) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        """Key phrase -> the other phrases of its group (reparsed when the file changes)."""
        lines = self.list.lines()
        if self._parsed is None or self._parsed[0] is not lines:
            table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for line in lines:
                phrases = [p for p in (tuple(words(term)) for term in line.split(",")) if p]
                for phrase in phrases:
                    known = table.setdefault(_key(phrase), [])
                    known += [p for p in phrases if _key(p) != _key(phrase) and p not in known]
            self._parsed = (lines, table)
        return self._parsed[1]

    def plan(self, text: str) -> QueryPlan:
        """Parse a user query into a `QueryPlan`, expanding the longest synonym phrase at each word."""
        tokens = words(text)
        tokens = [t for t in tokens if t.lower() not in STOPWORDS] or tokens
        table = self.groups()
        longest = max((len(k) for k in table), default=1)
        units: list[tuple[Alternative, ...]] = []
        i = 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                phrase = tuple(tokens[i : i + size])
                others = table.get(_key(phrase))
                if others:
                    units.append((Alternative(phrase), *(Alternative(o, SYNONYM_WEIGHT) for o in others)))
                    i += size
                    break
            else:
                split = tuple(w for w in tokens[i].split("_") if w)
                joined = (Alternative(split, SYNONYM_WEIGHT),) if len(split) > 1 else ()
                units.append((Alternative((tokens[i],)), *joined))
                i += 1
        return QueryPlan(units=tuple(units), exact=text.strip().lower(), exact_words=tuple(t.lower() for t in tokens))


def _key(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(analyze_word(w, "nb") for w in phrase)


def fuzziness(word: str) -> int:
    """Edits a typo may cost: none for short words and codes, one up to 7 letters, then two."""
    if len(word) < 4 or any(c.isdigit() for c in word):
        return 0
    return 1 if len(word) < 8 else 2


# -- highlighting --------------------------------------------------------------------------

HIGHLIGHT_FIELDS = ("label", "description", "name")


def _forms(word: str, splitter: Decompounder | None) -> set[str]:
    forms = {analyze_word(word, a) for a in ANALYZERS}
    if splitter:
        forms.update(analyze_word(p, "nb") for p in splitter.split(word))
    return forms


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


def highlight(doc: dict[str, Any], plan: QueryPlan, splitter: Decompounder | None = None) -> dict[str, str]:
    """Display fields with matched words wrapped in <mark>, everything else HTML-escaped.

    A word is marked when it matches a query word (or synonym) after stemming and folding, when
    one of its compound parts does, or when it is within the query word's typo allowance.
    """
    query = tuple(
        (frozenset(analyze_word(w, a) for a in ANALYZERS), plan.fuzziness(w))
        for unit in plan.units
        for alternative in unit
        for w in alternative.words
    )
    if not query:
        return {}
    out = {}
    for field_name in HIGHLIGHT_FIELDS:
        value = doc.get(field_name) or ""
        if not value:
            continue
        parts, pos, marked = [], 0, False
        for m in WORD.finditer(value):
            if _matches(m.group(), query, splitter):
                parts += [html.escape(value[pos : m.start()]), "<mark>", html.escape(m.group()), "</mark>"]
                pos, marked = m.end(), True
        if marked:
            parts.append(html.escape(value[pos:]))
            out[field_name] = "".join(parts)
    return out


@lru_cache(maxsize=100_000)
def _matches(token: str, query: tuple[tuple[frozenset[str], int], ...], splitter: Decompounder | None) -> bool:
    """Memoised: labels repeat their words, so a page of hits costs a few new tokens at most."""
    forms = _forms(token, splitter)
    for qforms, distance in query:
        if forms & qforms:
            return True
        if distance and any(_within(f, q, distance) for f in forms for q in qforms if len(f) > 3):
            return True
    return False


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
