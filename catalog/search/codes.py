"""Codes as search terms: which classification a code list belongs to, and the terms a code is
found by.

A researcher asks for a code as it is written in the classification ("C50", "A10BA02", "I21.0")
or for a level of its hierarchy ("A10" for every antidiabetic, "C50" for "C50.9"). Both ATC and
ICD-10 (and ICPC-2, ICD-O-3 topography, NCMP/NCSP) build a child code by appending to its parent,
so a code is indexed under each of its prefixes of three characters or more: a prefix query is
then a single term lookup, as fast as an exact one, on every backend. Each term is indexed once
plain and once qualified by the code list's classification ("atc:c09"), so a common name that
stands for ATC C09 (blood pressure medicines) does not find ICD-10 C09 (cancer of the tonsil).
"""

from __future__ import annotations

import re

SYSTEMS: dict[str, tuple[str, re.Pattern[str]]] = {
    "icdo3": ("ICD-O-3", re.compile(r"icd[- _]?o[- _]?3")),
    "icd10": ("ICD-10", re.compile(r"icd[- _]?10|/icd/release/10")),
    "atc": ("ATC", re.compile(r"\batc\b|whocc")),
    "icpc2": ("ICPC-2", re.compile(r"icpc[- _]?2")),
    "ncmp": ("NCMP", re.compile(r"\bncmp\b")),
    "ncsp": ("NCSP", re.compile(r"\bncsp\b")),
    "ncrp": ("NCRP", re.compile(r"\bncrp\b")),
}
"""Short name -> (display name, what names, titles or IRIs of the classification contain), in the
order they are tried (ICD-O-3 before ICD-10)."""

CATEGORIES: dict[str, re.Pattern[str]] = {
    "icdo3": re.compile(r"c\d{2}"),
    "icd10": re.compile(r"[a-z]\d{2}"),
    "atc": re.compile(r"[abcdghjlmnprsv]\d{2}"),
    "icpc2": re.compile(r"[abdfhklnprstuwxyz]\d{2}"),
}
"""What a category (a code of three characters) of each classification looks like, lower-cased:
ICD-10 "i21", ICD-O-3's topography "c50", ATC's second level "a10" (its first levels' letters),
ICPC-2 "t90" (its chapters' letters). Only for `unlisted_terms`: a code list says its own codes."""
UNLISTED = ":?"
"""The suffix of the term a variable coded in a classification but without a code list is indexed
under ("icd10:?"): no code's term ends so."""

MIN_PREFIX = 3
"""Shortest prefix a code is found by: "A10" (ATC level 2), "C50" (an ICD-10 category)."""

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def system_of(*hints: str | None) -> str | None:
    """The classification (`SYSTEMS` key) that a name, title or IRI names, else None."""
    text = " ".join(h for h in hints if h).lower()
    if not text:
        return None
    for name, (_label, pattern) in SYSTEMS.items():
        if pattern.search(text):
            return name
    return None


def hierarchical(code: str) -> bool:
    """Codes built by appending to their parent: a letter first, a digit somewhere (C50.9, A10BA02,
    T90, JKA21). Plain numbers ("1", "0301") are flat codes: their prefixes mean nothing."""
    return len(code) >= MIN_PREFIX and code[0].isalpha() and any(c.isdigit() for c in code)


CODE_RANGE = re.compile(r"(?<![\w.])([A-Za-z])(\d{2})\s*[-–]\s*(?:\1)?(\d{2})(?![\w.])")
"""A range of categories as ICD-10's blocks and researchers write them: "C18-C20", "I20–I25",
"C18-20" (the same letter at both ends)."""
RANGE_MAX = 20
"""Most codes a range stands for: each is a word of the query, looked up as a typed code is;
a wider range ("C00-C97") is left as it was typed."""


def code_range(text: str) -> tuple[str, ...] | None:
    """The codes a range stands for ("C18-C20" -> C18, C19, C20), None for anything else."""
    found = CODE_RANGE.fullmatch(text.strip())
    if found is None:
        return None
    letter, first, last = found.group(1).upper(), int(found.group(2)), int(found.group(3))
    if not first < last or last - first + 1 > RANGE_MAX:
        return None
    return tuple(f"{letter}{n:02d}" for n in range(first, last + 1))


def code_term_ranges(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, codes) of each code range in `text` (`code_range`)."""
    out = []
    for found in CODE_RANGE.finditer(text):
        codes = code_range(found.group())
        if codes:
            out.append((found.start(), found.end(), codes))
    return out


SYSTEM_CODE = re.compile(
    r"(?<![\w-])(atc|icd[- ]?o[- ]?3|icd[- ]?10|icpc[- ]?2|ncmp|ncsp|ncrp)\s+([a-z][a-z0-9.]*)(?![\w-])", re.IGNORECASE
)
"""A code written after its classification's name: "ATC N06", "ICD-10 N06", "icpc-2 T90"."""


def system_codes(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, classification, code) of each code in `text` written after the name of its
    classification (`SYSTEM_CODE`, a `SYSTEMS` key): searched in that classification only. N06 is
    ATC's antidepressants and psycholeptics and ICD-10's isolated proteinuria, and the page's
    offer of the code "N06A" falls under searched both."""
    out = []
    for found in SYSTEM_CODE.finditer(text):
        system, code = system_of(found.group(1)), found.group(2).rstrip(".")
        if system and code_like(code) and hierarchical(code):
            out.append((found.start(), found.end(), system, code))
    return out


def qualified(system: str, code: str) -> str:
    """The code as `system_codes` reads it: "ATC N06"."""
    return f"{SYSTEMS[system][0]} {code}"


TOPOGRAPHY = re.compile(r"c[0-7]\d|c80", re.IGNORECASE)
"""ICD-O-3's topography categories, C00-C80: ICD-10's categories of malignant neoplasms by site."""


def offered_in(system: str, code: str) -> str | None:
    """The classification a search for `code`, the code a code of `system` falls under, keeps to
    (`qualified`), or None for every classification: a site of ICD-O-3's topography is ICD-10's
    category of that site (C50.9, breast in the Cancer Registry's topography, falls under C50,
    which the patient and cause of death registries record in ICD-10), so there both are kept."""
    if system in ("icd10", "icdo3") and TOPOGRAPHY.fullmatch(code.strip()[:3]):
        return None
    return system


def system_unlisted_terms(word: str, system: str) -> list[str]:
    """`unlisted_terms` of one classification."""
    return [t for t in unlisted_terms(word) if t.startswith(system + UNLISTED)]


def code_terms(code: str, system: str | None = None) -> list[str]:
    """The terms a code is indexed under: itself in lower case (and without punctuation, C509 for
    C50.9), and, for a hierarchical code, each proper prefix with a `*` ("a10*" for A10BA02), so
    an exact code and a level of the hierarchy are told apart; each also qualified by `system`."""
    code = code.strip().lower()
    if not code:
        return []
    terms = {code}
    if hierarchical(code):
        terms.add(_NOT_ALNUM.sub("", code))
        terms.update(code[:i] + "*" for i in range(MIN_PREFIX, len(code)) if code[i - 1].isalnum())
    if system:
        return sorted(f"{system}:{t}" for t in terms)
    return sorted(terms)


def query_terms(word: str, system: str | None = None) -> tuple[str, str]:
    """(the exact term, the prefix term) a query word looks up among `code_terms`."""
    term = (f"{system}:" if system else "") + word.strip().lower()
    return term, term + "*"


def exact_terms(word: str) -> list[str]:
    """The terms of the code itself (no code below it) in every classification and in none."""
    return [query_terms(word, system)[0] for system in (*SYSTEMS, None)]


def any_system_terms(word: str) -> list[str]:
    """The terms a code typed without its classification looks up: in every classification and in
    code lists of none (each code is indexed once, under its classification when known)."""
    return [t for system in (*SYSTEMS, None) for t in query_terms(word, system)]


ICD10_CHAPTERS = (
    ("i", "a00", "b99"),
    ("ii", "c00", "d48"),
    ("iii", "d50", "d89"),
    ("iv", "e00", "e90"),
    ("v", "f00", "f99"),
    ("vi", "g00", "g99"),
    ("vii", "h00", "h59"),
    ("viii", "h60", "h95"),
    ("ix", "i00", "i99"),
    ("x", "j00", "j99"),
    ("xi", "k00", "k93"),
    ("xii", "l00", "l99"),
    ("xiii", "m00", "m99"),
    ("xiv", "n00", "n99"),
    ("xv", "o00", "o99"),
    ("xvi", "p00", "p96"),
    ("xvii", "q00", "q99"),
    ("xviii", "r00", "r99"),
    ("xix", "s00", "t98"),
    ("xx", "v01", "y98"),
    ("xxi", "z00", "z99"),
    ("xxii", "u00", "u99"),
)
"""ICD-10's chapters (WHO 2019) by Roman numeral, with their first and last categories."""
_CHAPTER = re.compile(r"\b(?:kapittel|kap\.|chapter)\s+([ivx]+)\b")


def icd10_chapter(category: str) -> str | None:
    """The Roman numeral of the ICD-10 chapter a category ("i21") falls in, else None."""
    for numeral, first, last in ICD10_CHAPTERS:
        if first <= category <= last:
            return numeral
    return None


def unlisted(names: list[str]) -> list[str]:
    """The terms of a variable coded in a classification (named among `names`, its coding systems)
    whose codes come without a code list: the national quality registries' variable lists say
    "ICD-10 (utvalg av kategorier)" beside a diagnosis and publish no codes, so "I21" found
    nothing of the myocardial infarction registry, which records little else. A name that says an
    ICD-10 chapter ("ICD-10, kapittel II Svulster") narrows it to that chapter's categories: the
    Cancer Registry's tumour list said it "may hold I21"."""
    system = system_of(*names)
    if not system:
        return []
    if system == "icd10":
        chapter = _CHAPTER.search(" ".join(n for n in names if n).lower())
        if chapter and any(numeral == chapter.group(1) for numeral, _first, _last in ICD10_CHAPTERS):
            return [f"{system}{UNLISTED}{chapter.group(1)}"]
    return [system + UNLISTED]


def unlisted_terms(word: str) -> list[str]:
    """The `unlisted` terms a category looks up: of each classification it is shaped as a category
    of (`CATEGORIES`), and for ICD-10 also of its chapter. Such a variable may hold the category or
    not (a registry's "selection of categories"), so a match scores below a code list's that holds
    it (`analysis.UNLISTED_SCORE`). A longer code ("I21.9") finds no such variable as typed: where
    no code list holds it, the search goes on with the category it falls under
    (`results.with_broader_codes`), which does."""
    w = word.strip().lower()
    terms = []
    for system, shape in CATEGORIES.items():
        if shape.fullmatch(w):
            terms.append(system + UNLISTED)
            chapter = icd10_chapter(w) if system == "icd10" else None
            if chapter:
                terms.append(f"{system}{UNLISTED}{chapter}")
    return terms


def code_like(word: str) -> bool:
    """Whether a query word may be a code: a digit in it and three characters or more ("C50",
    "A10BA02", "8500/3"); ordinary words and short numbers are not looked up among codes."""
    return len(word) >= MIN_PREFIX and any(c.isdigit() for c in word)


def lettered(code: str) -> bool:
    """A code that a query would take for a word, not a code: it holds a letter and is not
    `code_like` ("MMR", "INFLU", "DTP-IPV-Hib-HepB"; not "1", "0301" or "COVID19", which a query
    looks up among codes). A list of no classification indexes such codes with its labels' words,
    which ordinary words find."""
    return any(c.isalpha() for c in code) and not code_like(code)


def matches_code(word: str, code: str) -> bool:
    """A query word finds a code when it is the code or one of its prefixes (as `code_terms`)."""
    w, c = word.strip().lower(), code.strip().lower()
    if w == c:
        return True
    if not hierarchical(c) or len(w) < MIN_PREFIX:
        return False
    return c.startswith(w) or _NOT_ALNUM.sub("", c) == w


def broader(word: str) -> list[str]:
    """The codes a code falls under, nearest first, down to `MIN_PREFIX` characters: "I21.0" ->
    ["I21"], "E119" -> ["E11"], "A10BA02" -> ["A10BA0", "A10BA", "A10B", "A10"]. What a search
    for a code no list holds looks for next: a registry that records ICD-10 categories (I21) holds
    the subdivision a researcher asks for (I21.0). Nothing for a word that is not a hierarchical code."""
    word = word.strip()
    if not (code_like(word) and hierarchical(word)):
        return []
    out: list[str] = []
    for end in range(len(word) - 1, MIN_PREFIX - 1, -1):
        parent = word[:end].rstrip("./-")
        if len(_NOT_ALNUM.sub("", parent.lower())) >= MIN_PREFIX and parent not in out and parent != word:
            out.append(parent)
    return out
