"""Variables side by side: equivalents across waves and sources, the comparison page, and the
source × wave grid of a survey question.

A variable is *equivalent* to another when it is the same question or measure: within one source
the same short name or label (the same study's other waves and datasets), across sources the
same label (names are local: MFR's VEKT is birth weight, HUNT's VEKT body weight). They are found
with two searches (the label, the name) and compared after folding case, accents and spacing,
so the list is complete for every wave the index holds, not a top 8. An identifier (a serial
number, a pseudonym: `catalog.pseudonyms`) has none in other sources: each source makes its own,
for each delivery, whatever the label they share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from catalog import texts
from catalog.model import CodeList, Dataset, Variable
from catalog.pseudonyms import is_identifier
from catalog.search import Hit, SearchQuery
from catalog.search.analysis import fold
from web import store
from web.basket import basket_keys, parse_keys
from web.display import group_note, in_language, pick, pick_lang

bp = Blueprint("compare", __name__)
SEARCH_LIMIT = 500
"""Hits read per search when collecting equivalents: more than any question has waves."""
MAX_COMPARED = 8
CODES_SHOWN = 12
CODES_UNFOLDED = 6
"""A longer code list is folded to its name and size: MFR's ICD-10 list made a comparison of eight
variables a screen and a half tall, and the table's scroll bar with it (the epidemiologist's drill)."""


def normal(label: str | None) -> str:
    """A label as compared: case, accents, punctuation and spacing folded away."""
    return " ".join(re.findall(r"\w+", fold(label or "")))


def labels_of(doc: dict[str, Any]) -> set[str]:
    found = {normal(x) for x in (doc.get("labels") or {}).values()} | {normal(doc.get("label"))}
    return found - {""}


@dataclass
class Equivalents:
    """The equivalents of one variable: its source's other waves first, then other sources."""

    same_source: list[Hit] = field(default_factory=list)
    other_sources: list[Hit] = field(default_factory=list)
    identifier: bool = False  # an identifier: other sources' identifiers with its label are not it

    @property
    def all(self) -> list[Hit]:
        return [*self.same_source, *self.other_sources]


def _search(text: str) -> list[Hit]:
    backend = current_app.extensions["search"]
    query = SearchQuery(text=text, limit=SEARCH_LIMIT, facets=(), highlight=False, typos=False)
    return backend.search(query).hits


def equivalents(key: str, v: Variable, source: str) -> Equivalents:
    name = v.name.strip().lower()
    mine = {normal(x) for x in v.title.values()} - {""}
    seen: dict[str, Hit] = {}
    for text in dict.fromkeys([*(x for x in v.title.values() if x), v.name]):
        for hit in _search(text):
            if hit.key != key and hit.doc.get("type") == "variable":
                seen.setdefault(hit.key, hit)
    out = Equivalents(identifier=is_identifier(v))
    for hit in seen.values():
        same_label = bool(mine & labels_of(hit.doc))
        if hit.doc.get("source") == source:
            if same_label or (hit.doc.get("name") or "").strip().lower() == name:
                out.same_source.append(hit)
        elif same_label and not out.identifier:
            out.other_sources.append(hit)

    def when(h: Hit) -> tuple[Any, ...]:
        return (h.doc.get("period_start") or 0, h.doc.get("dataset_title") or "", h.doc.get("name") or "")

    out.same_source.sort(key=when)
    out.other_sources.sort(key=lambda h: (h.doc.get("source_title") or "", *when(h)))
    return out


# --- the source × wave grid ---------------------------------------------------------------


@dataclass
class Wave:
    dataset_key: str
    title: str
    start: int | None
    variable_key: str | None  # the question in this wave, None when the wave does not ask it


@dataclass
class GridRow:
    source: str
    title: str
    cells: list[list[Wave]]  # one list of waves per column (decade)


@dataclass
class Grid:
    columns: list[str]  # decades, "1980–1989"
    rows: list[GridRow]


def wave_grid(key: str, source: str, dataset_key: str, found: Equivalents) -> Grid | None:
    """For a survey question: each survey source holding it by decade, every wave marked with
    whether it asks the question. None when the question is in one wave only."""
    backend = current_app.extensions["search"]
    asked: dict[str, dict[str, str]] = {source: {dataset_key: key}}
    for hit in found.all:
        if hit.doc.get("source_kind") == "survey":
            asked.setdefault(hit.doc["source"], {}).setdefault(hit.doc.get("dataset_key") or "", hit.key)
    if sum(len(w) for w in asked.values()) < 2:
        return None
    rows: list[tuple[str, str, list[Wave]]] = []
    for src in sorted(asked):
        result = backend.search(SearchQuery(type="dataset", filters={"source": [src]}, limit=200, facets=()))
        waves = [
            Wave(h.key, h.doc.get("label") or h.doc.get("name") or "", h.doc.get("period_start"), asked[src].get(h.key))
            for h in result.hits
        ]
        waves.sort(key=lambda w: (w.start or 0, w.title))
        title = result.hits[0].doc.get("source_title") if result.hits else src
        rows.append((src, title or src, waves))
    starts = [w.start for _, _, waves in rows for w in waves if w.start]
    if not starts:
        return None
    decades = list(range(min(starts) - min(starts) % 10, max(starts) + 1, 10))
    columns = [f"{d}–{d + 9}" for d in decades]
    grid = Grid(columns, [])
    for src, title, waves in rows:
        cells: list[list[Wave]] = [[] for _ in decades]
        for w in waves:
            if w.start:
                cells[(w.start - decades[0]) // 10].append(w)
        grid.rows.append(GridRow(src, title, cells))
    return grid


# --- the comparison page ------------------------------------------------------------------


@dataclass
class Compared:
    key: str
    variable: Variable
    dataset: Dataset
    source: str
    codelist: CodeList | None


@dataclass
class Row:
    name: str  # what is compared, in the UI language
    values: list[tuple[str, str | None] | None]  # per variable: the text and its language, or None
    same: bool
    folded: list[Markup | None] = field(default_factory=list)  # per variable: what a folded value shows, or None
    marked: list[Markup | None] = field(default_factory=list)
    """Per variable, the cell as shown when its parts are in different languages (a code list's
    title and its meanings), each part in its own; None where the value's language is the cell's."""
    note: Markup = field(default_factory=Markup)  # its texts' `group_note`: " (Norwegian)" once, on the heading


def compared(keys: list[str]) -> tuple[list[Compared], list[str]]:
    """The variables with these ids in the order given, and the ids no longer in the catalogue."""
    reader = store()
    found, missing = [], []
    for key in keys:
        stored = reader.dataset_with_variable(key)  # its dataset's other variables unread
        v = stored.dataset().variables[0] if stored else None
        if v is None or stored is None or stored.deleted_at:
            missing.append(key)
            continue
        cl = reader.get(v.codelist) if v.codelist else None
        codelist = cl.codelist() if cl is not None and not cl.deleted_at and isinstance(cl.record, CodeList) else None
        found.append(Compared(key, v, stored.dataset(), stored.source, codelist))
    return found, missing


def codes_summary(cl: CodeList | None, locale: str) -> str | None:
    """The first codes with their meanings, as text (what is compared, and what the API gives)."""
    if cl is None:
        return None
    shown = [f"{c.code} {pick(c.label, locale)}".strip() for c in cl.concepts[:CODES_SHOWN]]
    return "; ".join(shown + _more_codes(cl))


def codes_marked(cl: CodeList, locale: str) -> Markup:
    """`codes_summary` as a page shows it: the title and each meaning in its own language (an
    English title, "ICD-10", heads meanings only in Norwegian, which a screen reader must read as
    Norwegian), the codes and the count in the page's."""
    title, lang = pick_lang(cl.title, locale)
    head = in_language(title, lang, locale) if title else escape(cl.identifier)
    shown = []
    for c in cl.concepts[:CODES_SHOWN]:
        meaning, said = pick_lang(c.label, locale)
        shown.append(Markup("{} {}").format(c.code, in_language(meaning, said, locale)) if meaning else escape(c.code))
    return Markup("{}: {}").format(head, Markup("; ").join([*shown, *map(escape, _more_codes(cl))]))


def _more_codes(cl: CodeList) -> list[str]:
    more = len(cl.concepts) - CODES_SHOWN
    return [_("… %(num)s more", num=more)] if more > 0 else []


def comparison_rows(items: list[Compared], locale: str) -> list[Row]:
    """The facts a researcher weighs, one row each; a row is "same" when every variable has the
    same value once case, accents and spacing are folded away."""
    from web.display import period
    from web.explorer import source_title
    from web.labels import label

    def row(name: str, values: list[tuple[str, str | None] | None], noted: bool = True) -> Row:
        plain = {normal(v[0]) if v else "" for v in values}
        note = group_note((v[1] for v in values if v), locale) if noted else Markup("")
        return Row(name, values, len(plain) == 1, note=note)

    def data(value: dict[str, str]) -> tuple[str, str | None] | None:
        found, lang = pick_lang(value, locale)
        return (found, lang) if found else None

    def plain(value: str | None) -> tuple[str, str | None] | None:
        return (value, None) if value else None

    def codes(c: Compared) -> tuple[str, str | None] | None:
        if c.codelist is None:
            return None
        title, lang = pick_lang(c.codelist.title, locale)
        return f"{title or c.codelist.identifier}: {codes_summary(c.codelist, locale)}", lang

    def code_langs(c: Compared) -> list[str | None]:
        """The languages of what a code list's cell shows: its title and its codes' meanings (an
        English title, "Smoking habits", may head meanings only in Norwegian)."""
        if c.codelist is None:
            return []
        shown = [pick_lang(c.codelist.title, locale)]
        shown += [pick_lang(k.label, locale) for k in c.codelist.concepts[:CODES_SHOWN]]
        return [lang for found, lang in shown if found]

    def folded(c: Compared) -> Markup | None:
        """A long list's name and size: the name in its language, the rest in the page's."""
        if c.codelist is None or len(c.codelist.concepts) <= CODES_UNFOLDED:
            return None
        title, lang = pick_lang(c.codelist.title, locale)
        name = in_language(title, lang, locale) if title else escape(c.codelist.identifier)
        return Markup(escape(_("%(list)s: %(num)s codes"))) % {"list": name, "num": len(c.codelist.concepts)}

    code_lists = row(_("Code list"), [codes(c) for c in items])
    code_lists.folded = [folded(c) for c in items]
    code_lists.marked = [codes_marked(c.codelist, locale) if c.codelist else None for c in items]
    code_lists.note = group_note((lang for c in items for lang in code_langs(c)), locale)
    return [
        row(_("Label"), [data(c.variable.title) or plain(c.variable.name) for c in items]),
        row(_("Short name"), [plain(c.variable.name) for c in items]),
        row(_("Question"), [data(c.variable.question) for c in items]),
        row(_("Description"), [data(c.variable.description) for c in items]),
        row(_("Data type"), [plain(label("datatype", c.variable.datatype, locale).text) for c in items]),
        row(_("Unit"), [plain(texts.unit(c.variable.unit, locale)) for c in items]),
        code_lists,
        row(
            _("Period"),
            [
                plain(
                    period(
                        c.variable.valid_from or c.dataset.temporal_start, c.variable.valid_to or c.dataset.temporal_end
                    )
                )
                for c in items
            ],
        ),
        row(_("Population"), [data(c.dataset.population_coverage) for c in items]),
        row(_("Dataset"), [data(c.dataset.title) for c in items]),
        row(_("Source"), [(source_title(c.source), "nb") for c in items], noted=False),  # proper names
    ]


@bp.get("/compare")
def compare() -> str:
    from web.i18n import current

    keys = parse_keys(request.args.getlist("ids"))[:MAX_COMPARED]
    if not keys:
        abort(404, "Name the variables to compare: /compare?ids=A,B")
    items, missing = compared(keys)
    return render_template(
        "compare.html",
        items=items,
        rows=comparison_rows(items, current()),
        missing=missing,
        basket=set(basket_keys()),
        limit=MAX_COMPARED,
    )
