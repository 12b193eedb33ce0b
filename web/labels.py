"""Codes shown as words: what researchers read instead of NON_PUBLIC, HEAL, ANNUAL or integer.

Concepts of controlled vocabularies (access rights, data themes, frequencies, health categories)
take their labels from our vocabulary files (shapes/vocabularies/, nb, nn and en, the same labels
the feeds carry; every concept has its nn label, the bokmål word where nynorsk writes it alike, so
a nynorsk page never falls back to bokmål). The catalogue's own
enumerations (data types, severities, kinds of source, run statuses, kinds of change, the bands
of the "used" facet) are UI messages, translated like every other. A code that no vocabulary knows
is shown as it is, marked as a code, rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from markupsafe import Markup
from rdflib import Graph
from rdflib.namespace import SKOS

from catalog.config import EU_AUTHORITY as EU
from catalog.lru import remember
from web.display import in_language, pick_lang
from web.i18n import translated

HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
SCHEMES = {
    "access_rights": EU + "access-right",
    "theme": EU + "data-theme",
    "frequency": EU + "frequency",
    "health_category": HEALTH + "healthcategories",
    "coding_system": HEALTH + "coding-system",
    "language": EU + "language",
}
"""The vocabulary whose notations each coded field (and search facet) holds."""


@dataclass(frozen=True)
class Label:
    text: str
    lang: str | None  # None: a UI message, in the page's language
    known: bool = True  # False: the code itself, no label found


LABELS_ONLY = ("vocabularies/dpv-pd.ttl",)
"""Vocabulary files read for their labels alone, not loaded into validation: DPV's personal data
categories (dpv:hasPersonalData), which no shape checks against a list."""


@cache
def vocabulary_labels() -> dict[str, dict[str, str]]:
    """Concept IRI -> {language: preferred label}, from our vocabulary files (read once)."""
    import shapes
    from catalog.validation import vocabulary_graph

    graphs = [vocabulary_graph(), *(Graph().parse(shapes.path(name), format="turtle") for name in LABELS_ONLY)]
    out: dict[str, dict[str, str]] = {}
    for graph in graphs:
        for concept, label in graph.subject_objects(SKOS.prefLabel):
            out.setdefault(str(concept), {})[getattr(label, "language", None) or ""] = str(label)
    return out


def concept(field: str, value: str | None, locale: str) -> Label:
    """The label of a vocabulary concept given as an IRI or as its code within `field`'s vocabulary."""
    if not value:
        return Label("", None)
    iri = value if "/" in value else f"{SCHEMES.get(field, '')}/{value}"
    labels = vocabulary_labels().get(iri.rstrip("/"))
    if labels:
        found, lang = pick_lang(labels, locale)
        return Label(found, lang)
    if field in ("source_kind", "datatype", "severity", "run_status", "change"):
        return enumeration(field, value)
    return Label(re.split(r"[/#]", value.rstrip("/#"))[-1], None, known=False)


def enumerations() -> dict[str, dict[str, str]]:
    """The catalogue's own coded values in the UI language, translated once per language and
    process (per request they were 38 of flask-babel's lookups on every result page)."""
    return translated("enumerations", _enumerations)


def _enumerations() -> dict[str, dict[str, str]]:
    return {
        "source_kind": {
            "central-registry": _("Central health registry"),
            "quality-registry": _("Medical quality registry"),
            "survey": _("Health survey"),
            "statistics": _("Statistics"),
            "catalogue": _("Catalogue"),
        },
        "datatype": {
            "string": _("Text"),
            "integer": _("Whole number"),
            "decimal": _("Decimal number"),
            "double": _("Decimal number"),
            "float": _("Decimal number"),
            "boolean": _("Yes/no"),
            "date": _("Date"),
            "dateTime": _("Date and time"),
            "time": _("Time of day"),
            "gYear": _("Year"),
            "gYearMonth": _("Year and month"),
            "duration": _("Duration"),
            "anyURI": _("Web address"),
        },
        "severity": {"Violation": _("Violation"), "Warning": _("Warning"), "Info": _("Note")},
        "run_status": {
            "ok": _("completed"),
            "failed": _("failed"),
            "interrupted": _("interrupted"),
            "running": _("running"),
        },
        "change": {"new": _("added"), "changed": _("changed"), "deleted": _("deleted"), "restored": _("restored")},
        "used": {  # the bands of the "used" facet (catalog.search.documents.USED_BANDS)
            "0": _("not yet"),
            "1": _("in 1 project"),
            "2-4": _("in 2–4 projects"),
            "5+": _("in 5 or more"),
        },
    }


def enumeration(field: str, value: str | None) -> Label:
    if not value:
        return Label("", None)
    found = enumerations().get(field, {}).get(value)
    return Label(found, None) if found else Label(value, None, known=False)


LABELS_KEPT = 10_000
_labels: dict[tuple[str, str | None, str], Label] = {}


def label(field: str, value: str | None, locale: str) -> Label:
    """A code's label in the UI language, kept per field, code and language: the vocabularies and
    the UI's messages are read once a process, and a result page asks ~30 times (its facets'
    values and its rows' data types, ~3 µs each)."""
    key = (field, value, locale)
    found = _labels.get(key)
    if found is None:
        made = enumeration(field, value) if field in enumerations() else concept(field, value, locale)
        found = remember(_labels, key, made, LABELS_KEPT)
    return found


def known_label(iri: str, locale: str) -> str | None:
    """The label of a concept our vocabularies name (a standard's IRI), None for any other address."""
    found = label("concept", iri, locale)
    return found.text if found.known else None


def label_html(field: str, value: str | None, locale: str) -> Markup:
    """The label for a page: marked with its language when it is another, an unknown code as code."""
    found = label(field, value, locale)
    if not found.known:
        return Markup('<code class="code">{}</code>').format(found.text)
    return in_language(found.text, found.lang, locale)
