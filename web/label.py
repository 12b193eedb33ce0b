"""The quality and utility label on the web (EHDS Art. 78): a chart on the dataset page and a page of its own.

`/datasets/<key>/label` shows each element and metric with what it rests on and how it is
computed; `.json` gives the same as data and `.ttl` the label in DQV: the certificate and a
measurement per metric as the EHDS feed publishes them, plus every metric of the MQA-like score
(`catalog.quality.to_dqv`). The certificate's IRI (`.../label#certificate`) and the feed's
`oa:hasBody` resolve here. Labels are assessed by the writers; the web reads them.

`/ehds/labels` (and `.json`) counts every live dataset's label per level and per source, for the
access body's periodic report (EHDS Art. 59): `catalog.label.summary`, made once per change of the
store and kept by each explorer process meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from rdflib import URIRef

from catalog import label as labels
from catalog.label import ELEMENTS, LEVELS, METRICS, Label, LabelSummary, add_label, add_metrics, label_of, page_uri
from catalog.model import Dataset
from catalog.quality import to_dqv
from catalog.rdf import new_graph
from catalog.store import StoredRecord
from web import charts, i18n, store
from web.explorer import _stored
from web.feeds import rdf_response
from web.i18n import day, number, percent
from web.quality import quality_of

bp = Blueprint("label", __name__)


def english() -> bool:
    return str(get_locale() or "nb").startswith("en")


def label_chart(found: Label) -> Any:
    """The label as bars: the total, then each element of Art. 78(3) (an element not assessed says so)."""
    bars = [charts.Bar(_("Total"), found.score, "ok" if found.score >= 75 else "bar")]
    for element in ELEMENTS:
        value = found.elements[element.name]
        name = element.name_in(i18n.current())
        if value is None:
            bars.append(charts.Bar(name, 0.0, "bar", _("(not assessed)")))
        else:
            bars.append(charts.Bar(name, round(100 * value, 1), "bar"))
    return charts.bars(_("Quality and utility label by element (EHDS Art. 78)"), bars, 100, " %")


def _stated(word: str) -> str:
    return _("stated") if word == "stated" else _("not stated")


NOTES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(\d+) of (\d+)"), lambda m: _("%(n)s of %(of)s", n=number(int(m[1])), of=number(int(m[2])))),
    (re.compile(r"(\d+(?:\.\d+)?) %"), lambda m: f"{percent(float(m[1]))} %"),
    (re.compile(r"confirmed (\d{4}-\d{2}-\d{2})"), lambda m: _("confirmed %(day)s", day=day(m[1]))),
    (re.compile(r"never confirmed"), lambda m: _("never confirmed")),
    (re.compile(r"conforms"), lambda m: _("conforms")),
    (re.compile(r"violations"), lambda m: _("violations")),
    (re.compile(r"maturity level (\d+)"), lambda m: _("maturity level %(n)s", n=m[1])),
    (re.compile(r"(\d+) years"), lambda m: _("%(n)s years", n=number(int(m[1])))),
    (re.compile(r"no access rights stated"), lambda m: _("no access rights stated")),
    (
        re.compile(r"updated (\d{4}-\d{2}-\d{2}), every (\d+) days"),
        lambda m: _("updated %(day)s, every %(n)s days", day=day(m[1]), n=m[2]),
    ),
    (
        re.compile(r"(\d+) days on average over (\d+) permits"),
        lambda m: _("%(days)s days on average over %(n)s permits", days=number(int(m[1])), n=number(int(m[2]))),
    ),
    (
        re.compile(r"coding systems (stated|not stated), code values (stated|not stated)"),
        lambda m: _("coding systems %(a)s, code values %(b)s", a=_stated(m[1]), b=_stated(m[2])),
    ),
    (re.compile(r"not assessed: no variables listed"), lambda m: _("not assessed: no variables listed")),
    (re.compile(r"not assessed: no finished harvest"), lambda m: _("not assessed: no finished harvest")),
    (
        re.compile(r"not assessed: the access body has not assessed the holder's maturity"),
        lambda m: _("not assessed: the access body has not assessed the holder's maturity"),
    ),
    (re.compile(r"no modification date stated"), lambda m: _("no modification date stated")),
    (
        re.compile(r"not assessed: no start of the period stated"),
        lambda m: _("not assessed: no start of the period stated"),
    ),
    (
        re.compile(r"not assessed: the data use register records no application dates"),
        lambda m: _("not assessed: the data use register records no application dates"),
    ),
    (
        re.compile(r"not assessed: the listed variables use no codes"),
        lambda m: _("not assessed: the listed variables use no codes"),
    ),
)
"""What a measurement rests on (`catalog.label`, stored and published in English), as the page's
language says it: a Norwegian page said "43 of 43", "conforms", "confirmed 2026-12-07"."""
LEVEL = re.compile(r"level (\d+) of (\d+)(?: \((.*)\))?")


def note_in_language(note: str) -> tuple[str, str | None]:
    """(the note in the page's language, None) or, a note this page cannot say otherwise, (the
    note, "en")."""
    if english():
        return note, None
    level = LEVEL.fullmatch(note)
    if level:
        said = _("level %(n)s of %(of)s", n=level[1], of=level[2])
        if not level[3]:
            return said, None
        inner, lang = note_in_language(level[3])
        return (f"{said} ({inner})", None) if lang is None else (note, "en")
    for pattern, said_so in NOTES:
        found = pattern.fullmatch(note)
        if found:
            return said_so(found), None
    return note, "en"


def label_json(found: Label, settings: Any, key: str) -> dict[str, Any]:
    return {"page": str(page_uri(settings, key)), **found.to_dict()}


def _labelled(key: str) -> tuple[StoredRecord, Label]:
    stored = _stored(key, Dataset)
    found = label_of(store(), stored.uri)
    if found is None:
        abort(404, "This dataset has not been assessed yet; the next harvest of its source or `catalog reindex` will.")
    return stored, found


@bp.get("/datasets/<key>/label")
def page(key: str) -> str:
    stored, found = _labelled(key)
    rows = [
        (
            element,
            [(m, found.metrics.get(m.name)) for m in METRICS if m.element == element.name],
            found.elements[element.name],
        )
        for element in ELEMENTS
    ]
    return render_template(
        "label.html",
        stored=stored,
        d=stored.record,
        label=found,
        rows=rows,
        chart=label_chart(found),
        note_in_language=note_in_language,
    )


@bp.get("/datasets/<key>/label.json")
def as_json(key: str) -> Response:
    stored, found = _labelled(key)
    return jsonify({"dataset": stored.uri, **label_json(found, current_app.config["SETTINGS"], key)})


@bp.get("/datasets/<key>/label.ttl")
def as_rdf(key: str) -> Response:
    stored, found = _labelled(key)
    settings = current_app.config["SETTINGS"]
    g = new_graph()
    add_label(g, URIRef(stored.uri), key, found, settings)
    add_metrics(g)
    for triple in to_dqv(stored.uri, quality_of(stored)):
        g.add(triple)
    return rdf_response(g, "turtle")


def summary() -> LabelSummary:
    """The summary of the store as it is now: made again only when the store's version moved (a
    label whose values change moves its dataset), since it reads every label."""
    version = store().version()
    kept = current_app.extensions.get("label_summary")
    if kept is None or kept[0] != version:
        kept = (version, labels.summary(store()))
        current_app.extensions["label_summary"] = kept
    return kept[1]


@bp.get("/ehds/labels")
def summary_page() -> str:
    from web.sources import by_title

    found = summary()
    return render_template(
        "labels_summary.html", found=found, levels=LEVELS, elements=ELEMENTS, sources=by_title(found.sources)
    )


@bp.get("/ehds/labels.json")
def summary_json() -> Response:
    return jsonify(summary().to_dict())


def summary_text(found: LabelSummary) -> str:
    """The summary as `/ehds/labels` shows it, as text in the UI language (`catalog label --summary`,
    inside `web.i18n.speaking`): the page's sentence and tables, in its words and number formats,
    sources by name, the elements by their point of Art. 78(3) with a key."""

    def score(value: float | None) -> str:
        return "–" if value is None else f"{percent(value)} %"

    def tally(name: str, t: labels.LabelTally) -> list[str]:
        return [
            name,
            number(t.datasets),
            number(t.labelled),
            score(t.mean_score),
            *(number(t.levels[x]) for x in LEVELS),
        ]

    def means(name: str, t: labels.LabelTally) -> list[str]:
        found = t.elements
        return [name, *(score(found[e.name]) for e in ELEMENTS)]

    total, sources = found.total, sorted(found.sources.items())
    lines = [
        _(
            "%(labelled)s of %(datasets)s datasets have a quality and utility label (EHDS Art. 78); their mean "
            "score is %(score)s %%.",
            labelled=number(total.labelled),
            datasets=number(total.datasets),
            score=percent(total.mean_score or 0),
        ),
        "",
        _("Per source"),
        *_table(
            [_("Source"), _("Datasets"), _("With a label"), _("Mean score"), *(f"{x} %" for x in LEVELS)],
            [*(tally(name, t) for name, t in sources), tally(_("Total"), total)],
        ),
        "",
        _("Per element of Art. 78(3)"),
        *_table(
            [_("Source"), *(f"{e.article})" for e in ELEMENTS)],
            [*(means(name, t) for name, t in sources), means(_("Total"), total)],
        ),
        "  " + "; ".join(f"{e.article}) {e.name_in(i18n.current())}" for e in ELEMENTS),
        "  " + _("An element's mean counts the labels that assess it; “–”: none does."),
    ]
    return "\n".join(lines) + "\n"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """Columns lined up: the first to the left, the figures to the right."""
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
    return [
        "  "
        + "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in (head, *rows)
    ]
