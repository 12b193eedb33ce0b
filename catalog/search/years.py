"""Years in a search: the `year` filter keeps the variables and datasets whose data cover a year or
a span of years, and a year typed among a search's words is read as that filter.

Researchers ask for what exists for a year: "fødsler 2010", "diabetes 2015-2019", "kreft
1990-tallet". Searched as a word, a year matched only the few labels and titles that happen to
hold it (the demo's "diabetes 2015" found one variable, "fødsler 2010" none, then any word), while
every registry says which years its data cover (`period_start`, `period_end` of each document).
A document covers a span when its first year is at most the span's last and its last year, if it
has one (none: still collected), at least the span's first; one without a first year says
nothing of its years and is left out. Code lists have no years: the filter does not apply to them.

A year is read only standing alone (a token of four digits, with a span's dash and end, or a
decade's "-tallet" or "s"), between 1850 and 2100: "ICD-10", "hunt3", a postcode of three digits or
a birth weight of 2500 grams stay words, and a year in quotes ("\"2010\"") stays a word too. A
word before it may open the span: "fra 2010", "since 2010" (from 2010 on, the value "2010-"),
"etter 2010" ("2011-"), "før 2000" ("-1999"), "til 2000" ("-2000").

A typed year is also a word: a dataset without years whose title holds it (FDK's Difi datasets
"Innbyggerundersøkelsen 2015", "Kvalitet på nett 2016", no dct:temporal) passes a typed year
(`SearchQuery.typed_years`, `typed_words`); a year chosen from the filter does not let it by."""

from __future__ import annotations

import re

from catalog.search import DOC_TYPES, FACETS, TYPE_FILTERS, BadQuery, SearchQuery

YEAR_FILTER = "year"
FIRST_YEAR, LAST_YEAR = 1850, 2100
"""The years a typed number is read as (a four-digit number outside them is a word)."""

_JOINED = re.compile(r"(?<!\S)(\d{4})\s+[-–]\s+(\d{2}|\d{4})(?!\S)")
"""A span typed with spaces around its dash ("2012 - 2015"), joined before the words are split."""
_YEARS = re.compile(r"(\d{4})(?:[-–](\d{4}|\d{2}))?")
_DECADE = re.compile(r"(\d{3}0)(?:-?tallet|s)")
_AROUND = "(),.;:!?"
"""Punctuation a typed year may stand beside ("(2010)", "2010,")."""
_OPEN = re.compile(r"(\d{4})-|-(\d{4})")
"""A span open at one end: "2010-" (from 2010 on), "-1999" (until 1999)."""
OPENING = {
    **dict.fromkeys(("fra", "frå", "fom", "f.o.m.", "from", "since"), (0, None)),
    **dict.fromkeys(("etter", "after"), (1, None)),
    **dict.fromkeys(("til", "tom", "t.o.m.", "inntil", "until"), (None, 0)),
    **dict.fromkeys(("før", "fyr", "before"), (None, -1)),
}
"""A word before a year -> the span it means: (years after it the span starts, None: from the
first year) or (None: to the last year, years after it the span ends)."""
WORD_YEARS = 10
"""A typed span of at most this many years is also looked for as each of its years written as a
word ("2015-2016", "1990-tallet"); a longer or open one ("fra 2010") is not."""
YEARLESS = tuple(kind for kind in DOC_TYPES if YEAR_FILTER not in TYPE_FILTERS[kind])
"""Result types the years do not apply to (code lists): a one-pass count lets them through."""


def one_pass(q: SearchQuery) -> bool:
    """Whether `SearchQuery.disjunctive`'s counts can be made in one pass over the words' matches
    (a backend's `_counts`): every chosen filter a facet, or the years, in the count's query with
    the types they do not apply to let through, when the query's own type has them. Two words and
    a year, a grouped page's counts at a million variables: 35 ms in counting searches, 13 in one
    pass, as without the year (50 searches, 2026-12-06)."""
    return all(
        name in FACETS or (name == YEAR_FILTER and q.type not in YEARLESS)
        for name, values in q.filters.items()
        if values
    )


def span(value: str) -> tuple[int, int] | None:
    """The first and last year a `year` filter value (or a typed year) means: "2010" -> (2010,
    2010), "2012-2015" -> (2012, 2015), "2015-16" -> (2015, 2016), "1990-tallet" and "1990s" ->
    (1990, 1999); None when it is not a year or a span of years in order."""
    text = value.strip().strip(_AROUND)
    opened = _OPEN.fullmatch(text)
    if opened:
        year = int(opened.group(1) or opened.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        return (year, LAST_YEAR) if opened.group(1) else (FIRST_YEAR, year)
    decade = _DECADE.fullmatch(text)
    if decade:
        first = int(decade.group(1))
        return (first, first + 9) if FIRST_YEAR <= first <= LAST_YEAR else None
    found = _YEARS.fullmatch(text)
    if not found:
        return None
    first = int(found.group(1))
    end = found.group(2)
    if end is None:
        last = first
    elif len(end) == 2:  # "2015-16", "1999-01"
        last = first - first % 100 + int(end)
        last += 100 if last < first else 0
    else:
        last = int(end)
    if not FIRST_YEAR <= first <= last <= LAST_YEAR:
        return None
    return first, last


def value(first: int, last: int) -> str:
    """A span as the filter's URL value: "2010", "2012-2015", open "2010-" and "-1999"."""
    if first == last:
        return str(first)
    if last == LAST_YEAR:
        return f"{first}-"
    return f"-{last}" if first == FIRST_YEAR else f"{first}-{last}"


def read_years(text: str) -> tuple[str, list[str]]:
    """(the search's words without the years typed among them, those years as `year` values):
    "fødsler 2010" -> ("fødsler", ["2010"]); "diabetes 2015 - 2019" -> ("diabetes",
    ["2015-2019"]); "C50" -> ("C50", [])."""
    words: list[str] = []
    years: list[str] = []
    for token in _JOINED.sub(r"\1-\2", text).split():
        found = span(token) if token[:1].isdigit() or token[:1] in _AROUND else None
        if found is None:
            words.append(token)
            continue
        opening = OPENING.get(words[-1].lower()) if words else None
        if opening is not None:  # "fra 2010": from 2010 on ("fra 2010-2015": the span)
            words.pop()
            after, until = opening
            first, last = found
            if first == last:
                found = (first + after, LAST_YEAR) if after is not None else (FIRST_YEAR, last + (until or 0))
        if (typed := value(*found)) not in years:
            years.append(typed)
    return (" ".join(words), years) if years else (text, [])


def listed(values: list[str]) -> list[str]:
    """The `year` values of a URL's parameters, a parameter holding several as the filters' field
    shows them ("2010, 2015", "2012 - 2015"): each one once, empty ones left out."""
    out: list[str] = []
    for given in values:
        for one in re.split(r"[,;\s]+", _JOINED.sub(r"\1-\2", given)):
            one = _in_order(one)
            if one and one not in out:
                out.append(one)
    return out


def _in_order(value: str) -> str:
    """A filter's span of two whole years written backwards ("2019-2015") as the span it means:
    the field refused it as no span of years. (Typed among the words it stays a word: a span out
    of order there may be no years at all, `read_years`.)"""
    found = _YEARS.fullmatch(value)
    if found and found.group(2) and len(found.group(2)) == 4 and int(found.group(1)) > int(found.group(2)):
        return f"{found.group(2)}-{found.group(1)}"
    return value


def covering(values: list[str]) -> list[tuple[int, int]]:
    """The spans of a `year` filter's values, each once; a value that is no year is refused (the
    pages leave such a value out before, `catalog.search.years.span`; the API says so)."""
    spans = []
    for v in values:
        found = span(str(v))
        if found is None:
            raise BadQuery(f"year={v!r} is not a year or a span of years (as 2010 or 2012-2015)")
        if found not in spans:
            spans.append(found)
    return spans


def typed_words(q: SearchQuery) -> list[str]:
    """The years written as words that a document without years may hold to pass the `year` filter:
    those of its values typed among the search's words (`SearchQuery.typed_years`), each span of at
    most `WORD_YEARS` years as its years; none when no year was typed (nothing more is searched)."""
    words: list[str] = []
    chosen = q.filters.get(YEAR_FILTER) or []
    for typed in q.typed_years:
        found = span(typed) if typed in chosen else None
        if found is not None and found[1] - found[0] < WORD_YEARS:
            words += [str(y) for y in range(found[0], found[1] + 1) if str(y) not in words]
    return words
