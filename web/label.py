"""The quality and utility label on the web (EHDS Art. 78): a chart on the dataset page and a page of its own.

`/datasets/<key>/label` shows each element and metric with what it rests on and how it is
computed; `.json` gives the same as data and `.ttl` the label in DQV: the certificate and a
measurement per metric as the EHDS feed publishes them, plus every metric of the MQA-like score
(`catalog.quality.to_dqv`). The certificate's IRI (`.../label#certificate`) and the feed's
`oa:hasBody` resolve here. Labels are assessed by the writers; the web reads them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from rdflib import URIRef

from catalog.label import ELEMENTS, METRICS, Label, add_label, add_metrics, label_of, page_uri
from catalog.model import Dataset
from catalog.quality import to_dqv
from catalog.rdf import new_graph
from catalog.store import StoredRecord
from web import charts, store
from web.explorer import _stored
from web.feeds import rdf_response
from web.quality import quality_of

bp = Blueprint("label", __name__)


def english() -> bool:
    return str(get_locale() or "nb").startswith("en")


def label_chart(found: Label) -> Any:
    """The label as bars: the total, then each element of Art. 78(3) (an element not assessed says so)."""
    bars = [charts.Bar(_("Total"), found.score, "ok" if found.score >= 75 else "bar")]
    for element in ELEMENTS:
        value = found.elements[element.name]
        name = element.en if english() else element.nb
        if value is None:
            bars.append(charts.Bar(name, 0.0, "bar", _("(not assessed)")))
        else:
            bars.append(charts.Bar(name, round(100 * value, 1), "bar"))
    return charts.bars(_("Quality and utility label by element (EHDS Art. 78)"), bars, 100, " %")


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
        "label.html", stored=stored, d=stored.record, label=found, rows=rows, chart=label_chart(found), en=english()
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
