"""Small presentation helpers shared by pages and API: language choice, safe links, code links.

Everything here treats harvested text as hostile: URLs become links only when they are http(s),
and nothing returns markup (templates autoescape whatever these give them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from catalog.model import CodeList, LangText, Variable, text
from catalog.rdf import PREFIXES
from catalog.texts import nynorsk

PREFERENCE = {"nb": ("nb", "no", "nn", "en"), "nn": ("nn", "nb", "no", "en"), "en": ("en", "nb", "no", "nn")}
"""Per UI language, the order in which a multilingual text's languages are chosen."""
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,2})?$")
ATC = re.compile(r"^[A-V]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$")
KLASS = re.compile(r"(?:klass/v1/classifications|klass/klassifikasjoner)/(\d+)")


def language_name(code: str) -> str:
    """A language tag as the UI language names it (a label in English is "engelsk" on a Norwegian page)."""
    from flask_babel import gettext as _

    names = {"nb": _("bokmål"), "no": _("Norwegian"), "nn": _("nynorsk"), "en": _("English"), "": "–"}
    return names.get(code, code)


def pick(value: LangText | None, locale: str) -> str:
    """The text in the UI language when there is one, else the usual preference order."""
    return pick_lang(value, locale)[0]


def pick_lang(value: LangText | None, locale: str) -> tuple[str, str]:
    """The text to show in this UI language and the language it is in ("" when unknown)."""
    if not value:
        return "", locale
    for lang in (*PREFERENCE.get(locale, (locale,)), ""):
        if value.get(lang):
            return value[lang], "nb" if lang == "no" else lang
    lang, found = next(iter(value.items()))
    return found, lang


def command(text: str) -> Markup:
    """A command named in a page's text, as code (the texts said it between backticks, shown as such)."""
    return Markup("<code>{}</code>").format(text)


NOTED = {"en": frozenset(("nb", "nn", "no"))}
"""Per UI language, the languages of a record's text noted visibly beside it when a page in that
language shows it (`language_note`): on an English page a description only the Norwegian record
gives. The `lang` attribute tells a screen reader; a researcher who reads no Norwegian saw nothing
say the text was not in English, nor that no English was there to be had."""


def language_note(lang: str | None, locale: str) -> Markup:
    """A small " (Norwegian)" after a text of a language the page's readers may not read (`NOTED`),
    in the page's language (its own `lang`, so it may stand inside the text's element); else nothing."""
    if lang not in NOTED.get(locale, ()):
        return Markup("")
    from web.i18n import translated

    return translated("language_note", lambda: _note(locale))


def _note(locale: str, some: bool = False) -> Markup:
    """The note's markup: " (Norwegian)", or for a group of which only some are, " (some in Norwegian)"."""
    from flask_babel import gettext as _

    said = _("(some in Norwegian)") if some else _("(Norwegian)")
    return Markup(' <span class="lang-note" lang="{}">{}</span>').format(locale, said)


def group_note(langs: Iterable[str | None], locale: str) -> Markup:
    """A `language_note` once for a group of texts where one on each is noise (a code list's
    labels, a filter's values): " (Norwegian)" when every text of it is in a language `NOTED` for
    the page, " (some in Norwegian)" when some are, else nothing; a language of None is the page's
    own (a UI message). An English page listed ICD-10's "Ondartet svulst i brystkjertel" under
    "Meaning", and "SAFE – sikker tilgang til forskningsdata" among the analysis platforms, with
    nothing a researcher reading no Norwegian could see say that no English was to be had."""
    noted = NOTED.get(locale)
    if not noted:
        return Markup("")
    marks = [lang in noted for lang in langs]
    if not any(marks):
        return Markup("")
    from web.i18n import translated

    if all(marks):
        return translated("language_note", lambda: _note(locale))
    return translated("some_note", lambda: _note(locale, some=True))


def labels_note(values: Iterable[LangText | None], locale: str) -> Markup:
    """`group_note` for the texts a page shows of `values` (a code table's labels), by the
    language `pick_lang` chooses of each; a value with no text says nothing either way."""
    picked = (pick_lang(value, locale) for value in values)
    return group_note((lang for found, lang in picked if found), locale)


def in_language(found: str, lang: str | None, locale: str, noted: bool = False) -> Markup:
    """Escaped text, inside <span lang> when it is not in the page's language (WCAG 3.1.2), and,
    when `noted` (a record's text picked for want of one in the page's language), followed by
    its `language_note`."""
    if lang is None or lang == locale or not found:
        return escape(found)
    marked = Markup('<span lang="{}">{}</span>').format(lang, found)
    return marked + language_note(lang, locale) if noted else marked


def shown(value: LangText | None, locale: str, limit: int | None = None, noted: bool = True) -> Markup:
    """A multilingual text as a page shows it: the best language, marked when it is another, and
    noted (`in_language`) unless not `noted` (a table's rows, as a code list's 500 labels, where a
    note on each is noise); cut at a word before `limit` characters, where given (a list's
    summary of a long text)."""
    found, lang = pick_lang(value, locale)
    if limit is not None and len(found) > limit:
        found = found[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + " …"
    return in_language(found, lang, locale, noted)


def hit_label(doc: dict[str, Any], highlights: dict[str, str], locale: str) -> Markup:
    """A hit's label in a row of hits: in the page's language where the record gives one (a page
    in English said "Fødselsvekt" where the variable's own page says "Birth weight"), with the
    words the search matched marked (`catalog.search.analysis.highlight`: `label`, and
    `label_<tag>` for the label in another language)."""
    labels = doc.get("labels")
    found, lang = pick_lang(labels, locale) if labels else (doc.get("label") or "", "nb")
    if found == doc.get("label"):
        marked = highlights.get("label")
    else:  # by the label's own tag ("no" is shown as "nb")
        tag = next((t for t, v in (labels or {}).items() if v == found), lang)
        marked = highlights.get(f"label_{tag}")
    return in_language(Markup(marked) if marked else found, lang, locale, noted=True)


def hit_description(doc: dict[str, Any], highlights: dict[str, str], locale: str) -> tuple[str, str, bool]:
    """A hit's description in a row of hits, as `hit_label` its label: (the text, its language,
    whether it is marked Markup). In the page's language where the record gives one (an English
    page showed SSB's "Fødselsvekt for statistiske enheter ..." under "Birth weight", whose
    record also says "Birth weight, as used in health statistics."), with the words the search
    matched marked (`description`, or `description_<tag>` in another language)."""
    descriptions = doc.get("descriptions")
    if not descriptions:
        labels = doc.get("labels")
        lang = text_language(labels) if labels else "nb"
        marked = highlights.get("description")
        return (Markup(marked), lang, True) if marked else (doc.get("description") or "", lang, False)
    found, lang = pick_lang(descriptions, locale)
    if found == doc.get("description"):
        marked = highlights.get("description")
    else:
        tag = next((t for t, v in descriptions.items() if v == found), lang)
        marked = highlights.get(f"description_{tag}")
    return (Markup(marked), lang, True) if marked else (found, lang, False)


def dataset_title(doc: dict[str, Any], locale: str, noted: bool = True) -> Markup:
    """A variable's dataset's title as a row of hits shows it: in the page's language where the
    dataset has one (`dataset_titles`), else as indexed, marked when in another language, and
    noted unless not `noted` (quoted in a sentence, where the row's own title has the note)."""
    titles = doc.get("dataset_titles")
    if titles:
        return shown(titles, locale, noted=noted)
    return in_language(doc.get("dataset_title") or "", doc.get("dataset_title_lang") or "nb", locale, noted=noted)


def unlisted_system(doc: dict[str, Any], system: str, list_titles: LangText, locale: str) -> Markup:
    """The classification a "may hold" line (`Hit.may_hold`) names: the title of the variable's
    code list in the page's language where the catalogue holds the list (`Hit.may_hold_list`),
    else the coding system as the variable list writes it, marked with that list's language, the
    variable's own (bokmål first, as `hit_label` picks). Every name was marked bokmål: right for
    the demo's registries ("ICD-10 (utvalg av kategorier)"), not for a list written in English."""
    if list_titles:
        return shown(list_titles, locale)
    labels = doc.get("labels")
    return in_language(system, pick_lang(labels, "nb")[1] if labels else "nb", locale)


def by_language(value: LangText | None, first: str | None = None) -> list[tuple[str, str]]:
    """A multilingual text's non-empty entries, the page's language (`first`) first, then bokmål,
    nynorsk, English, the rest: an English page opened a dataset with its Norwegian description
    and gave the English one after it."""
    order = {"nb": 0, "no": 1, "nn": 2, "en": 3}
    return sorted(
        ((k, v) for k, v in (value or {}).items() if v), key=lambda kv: (kv[0] != first, order.get(kv[0], 4), kv[0])
    )


def bilingual(value: str | None, locale: str) -> tuple[str, str]:
    """A "Norsk | English" text of the catalogue's (validation and quality messages are written so)
    as a page in `locale` shows it, and its language: on an English page the English side, on a
    nynorsk page its nynorsk where the catalogue has one (`catalog.texts`), else the bokmål side."""
    if not value or " | " not in value:
        return value or "", "en" if locale == "en" else "nb"
    nb, en = value.split(" | ", 1)
    if locale == "en":
        return en, "en"
    if locale == "nn":
        nn = nynorsk(value)
        if nn is not None:
            return nn, "nn"
    return nb, "nb"


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL (so never javascript: or data:), else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"[\s<>\"']", url):
        return url
    return None


LINK_IN_TEXT = re.compile(
    r"\[(?P<label>[^\[\]\n]{1,300})\]\((?P<target>https?://[^\s()<>]+)\)"  # Markdown, as CKAN's notes write
    r"|(?P<url>https?://[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?])"  # a bare address, its closing stop left out
)
"""A link in a description: `[label](address)` or an address written out."""


def linked(text: str) -> Markup:
    """`text` escaped, its web addresses and Markdown links as links (only http(s): `safe_url`).
    Descriptions name where to read more (Skatteetaten's Lovdata references, a CKAN dataset's
    "[bulk data service](http://data.uis.unesco.org)"); as text a researcher copied them by hand."""
    out: list[str] = []
    at = 0
    for m in LINK_IN_TEXT.finditer(text):
        address = m.group("target") or m.group("url")
        safe = safe_url(address)
        out.append(escape(text[at : m.start()]))
        if safe:
            label = m.group("label") or address
            out.append(Markup('<a href="{}" rel="noopener nofollow">{}</a>').format(safe, label))
        else:
            out.append(escape(m.group(0)))
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


def coding_system(variable: Variable | None, codelist: CodeList | None) -> str | None:
    """ICD-10, ATC or KLASS when the variable or its code list says so, else None."""
    hints = " ".join(
        x
        for x in (
            variable.coding_system if variable else None,
            codelist.identifier if codelist else None,
            text(codelist.title) if codelist else None,
            codelist.uri if codelist else None,
        )
        if x
    ).lower()
    if KLASS.search(hints) or re.search(r"\bklass\b", hints):
        return "KLASS"
    if re.search(r"icd[- ]?10", hints):
        return "ICD-10"
    if re.search(r"\batc\b", hints):
        return "ATC"
    return None


def code_url(system: str | None, code: str, codelist_uri: str | None = None) -> str | None:
    """A page about the code in its classification's own browser, when the code is recognisable."""
    code = code.strip()
    if system == "ICD-10" and ICD10.match(code.upper()):
        c = code.upper().replace(".", "")
        return f"https://icd.who.int/browse10/2019/en#/{c[:3]}{'.' + c[3:] if len(c) > 3 else ''}"
    if system == "ATC" and ATC.match(code.upper()):
        return f"https://atcddd.fhi.no/atc_ddd_index/?code={quote(code.upper())}"
    if system == "KLASS" and codelist_uri:
        m = KLASS.search(codelist_uri)
        if m:
            return f"https://www.ssb.no/klass/klassifikasjoner/{m.group(1)}"
    return None


UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def readable(identifier: str | None) -> str | None:
    """An identifier worth showing a researcher: not a UUID or a path holding one (those are for
    machines and stay in the URI under "for publishers")."""
    if not identifier or UUID.search(identifier) or identifier.startswith(("http://", "https://")):
        return None
    return identifier


def text_language(value: LangText | None) -> str:
    """The language `catalog.model.text` picks from a multilingual text."""
    return pick_lang(value, "nb")[1]


def last_segment(iri: str | None) -> str | None:
    """A vocabulary term as people read it: its prefixed name where the catalogue binds the
    namespace ("dcat:startDate", "healthdcatap:hasCodingSystem"), else what follows the last / or #
    (a finding named its property "dcat#startDate")."""
    if not iri:
        return None
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


_PREFIXES = sorted(((p, str(ns)) for p, ns in PREFIXES.items() if p), key=lambda pn: -len(pn[1]))


def period(start: Any, end: Any) -> str:
    """1968–, 2008–2019, or with days where the record gives them (1. mars 2020–): a period that
    starts on 1 January and ends on 31 December is written in years, as researchers say it; a
    period within one year is that year (2001, not 2001–2001)."""
    if not start and not end:
        return ""
    first, last = _bound(start, "01-01") or "…", _bound(end, "12-31")
    return first if first == last else f"{first}–{last}"


def moment(value: Any, end: bool = False) -> str:
    """One bound of a period as `period` writes it: 2019, or a day (1. mars 2020)."""
    return _bound(value, "12-31" if end else "01-01")


def _bound(value: Any, whole_year: str) -> str:
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return str(value) if value not in (None, "") else ""
    if value[5:10] == whole_year:
        return value[:4]
    from web.i18n import day

    return day(value)


def year(value: str | None) -> int | None:
    """The year of an xsd:date / dateTime / gYear string, or None."""
    if value and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None
