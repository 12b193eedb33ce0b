"""The catalogue's own texts in bokmål, nynorsk and English (not its sources': their metadata is shown as they gave it).

Two forms hold them. Names and methods a page shows by themselves (the label's metrics and
elements, `catalog.label`; the minimum elements, `catalog.minimum`) are tables with a field per
language, and `in_ui_language` picks one. Texts a record's report or score carries (a validation
finding's message and fix hint, from the shapes' `sh:message` and `hk:fix` or
`catalog.validation`'s generic ones; a readiness gap, `catalog.readiness`; a quality fix,
`catalog.quality.FIXES`) are written "bokmål | English", as reports are stored and as the API,
the CLI and the publishers' fix lists give them; each table holds its nynorsk beside them (a
`Said`, or in a shape a literal tagged @nn), and `nynorsk` finds it by the text a page was given.

Found by the text rather than stored with each report, so reports stored before a text had its
nynorsk show it too, and the exchange form stays what clients parse; a text no table holds (one
an older release stored, or an official shape's) has no nynorsk, and a nynorsk page shows its
bokmål, marked as such. `tests/test_texts.py` checks that every entry of every table has all three.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

from rdflib import Graph, Literal
from rdflib.namespace import SH

import shapes
from catalog.rdf import HK


class Said(NamedTuple):
    """One of the catalogue's texts as reports carry it ("bokmål | English") and in nynorsk."""

    text: str
    nn: str


def in_ui_language(lang: str, nb: str, nn: str, en: str) -> str:
    """The text for a page in `lang`: English on an English page, nynorsk on a nynorsk one, else bokmål."""
    if lang.startswith("en"):
        return en
    return nn if lang == "nn" else nb


def nynorsk(text: str) -> str | None:
    """The nynorsk of one of the catalogue's "bokmål | English" texts (None: none is known)."""
    found = _known().get(text)
    if found is not None:
        return found
    from catalog.readiness import KIT_HINT

    kit = KIT_HINT.fullmatch(text)  # a hint with where the publisher kit states it (`readiness.kit_hint`)
    if kit:
        hint = nynorsk(f"{kit['nb']} | {kit['en']}")
        place = nynorsk(f"{kit['place_nb']} | {kit['place_en']}")
        return f"{hint} ({place})" if hint is not None and place is not None else None
    for pattern, nn in _templated():
        match = pattern.fullmatch(text)
        if match:
            return nn.format(**match.groupdict())
    return None


@cache
def _known() -> dict[str, str]:
    """Every "bokmål | English" text the catalogue writes as it is written -> its nynorsk."""
    from catalog import quality, readiness

    out = _shape_texts()
    out.update(quality.FIXES.values())
    out.update(readiness.agent_texts())
    out.update(readiness.language_texts())
    out.update(readiness.publisher_texts())
    return out


@cache
def _templated() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The texts written with a placeholder ("Verdien av {path} har feil type | ..."), as patterns
    that find the placeholder's value, and the nynorsk it goes into."""
    from catalog.readiness import format_texts, value_texts
    from catalog.validation import generic_texts

    return tuple((_pattern(t.text), t.nn) for t in (*generic_texts(), *format_texts(), *value_texts()))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    seen: set[str] = set()
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.+?)")
    return re.compile("".join(out))


def _shape_texts() -> dict[str, str]:
    """Our shapes' messages and fix hints ("bokmål | English", untagged) -> the nynorsk beside each (@nn)."""
    return {by_lang[""][0]: by_lang["nn"][0] for by_lang in shape_literals() if "" in by_lang and "nn" in by_lang}


def shape_literals() -> Iterator[dict[str, list[str]]]:
    """For each message and fix hint of every shape of ours: its literals by language tag ("" untagged)."""
    from catalog.validation import PROFILES

    for name in sorted({file for files in PROFILES.values() for file in files}):
        g = Graph().parse(shapes.path(name), format="turtle")
        for predicate in (SH.message, HK.fix):
            for subject in set(g.subjects(predicate, None)):
                by_lang: dict[str, list[str]] = {}
                for value in g.objects(subject, predicate):
                    lang = value.language if isinstance(value, Literal) else None
                    by_lang.setdefault(lang or "", []).append(str(value))
                yield by_lang


UNITS: dict[str, dict[str, str]] = {
    "år": {"nb": "år", "nn": "år", "en": "years"},
    "måneder": {"nb": "måneder", "nn": "månader", "en": "months"},
    "uker": {"nb": "uker", "nn": "veker", "en": "weeks"},
    "dager": {"nb": "dager", "nn": "dagar", "en": "days"},
    "timer": {"nb": "timer", "nn": "timar", "en": "hours"},
    "minutter": {"nb": "minutter", "nn": "minutt", "en": "minutes"},
    "sekunder": {"nb": "sekunder", "nn": "sekund", "en": "seconds"},
    "gram": {"nb": "gram", "nn": "gram", "en": "grams"},
    "ganger": {"nb": "ganger", "nn": "gonger", "en": "times"},
    "poeng": {"nb": "poeng", "nn": "poeng", "en": "points"},
    "prosent": {"nb": "prosent", "nn": "prosent", "en": "per cent"},
    "kroner": {"nb": "kroner", "nn": "kroner", "en": "NOK"},
}
"""Units the sources give as words (MFR's "uker", "dager"), in each language: a page shows a
known one in its own language. Symbols (kg, cm, g, mmHg, kg/m2, mmol/l) read the same in all
three and are shown as the source gave them, as is every unit not listed here."""
_UNIT_WORDS = {
    **{word: entry for entry in UNITS.values() for word in entry.values()},
    **{"uke": UNITS["uker"], "veke": UNITS["uker"], "week": UNITS["uker"]},
    **{"dag": UNITS["dager"], "day": UNITS["dager"], "måned": UNITS["måneder"], "month": UNITS["måneder"]},
    **{"time": UNITS["timer"], "hour": UNITS["timer"], "year": UNITS["år"], "grams": UNITS["gram"]},
}
"""Every word of the table, and its singulars, -> its entry."""


def unit(value: str | None, lang: str) -> str:
    """A variable's unit for a page in `lang`: a unit word the catalogue knows in that language,
    else the unit as its source gave it (a symbol, or a word we have no table for)."""
    if not value:
        return ""
    entry = _UNIT_WORDS.get(value.strip().casefold())
    if entry is None:
        return value
    return entry["en"] if lang.startswith("en") else entry["nn" if lang == "nn" else "nb"]
