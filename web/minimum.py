"""EHDS minimum metadata pages: which elements of Implementing Regulation (EU) 2026/2098 each dataset lacks.

`/ehds/minimum/` is the catalogue-wide summary (complete datasets, the most frequent gaps) with a
row per source and per publisher; `/ehds/minimum/sources/<name>` and `/ehds/minimum/publishers/<key>` list
each dataset with what it lacks. Every page has a `.json` twin in the exchange form of
`catalog ehds-check --format json` (a list of `{"dataset": URI, "missing": [CURIE, ...]}`).
The numbers are `catalog.minimum`'s.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for
from markupsafe import Markup, escape

from catalog.minimum import BY_CURIE, Check, DatasetCheck, check
from web import i18n
from web.explorer import source_title, store
from web.sources import by_title

bp = Blueprint("minimum", __name__, url_prefix="/ehds")


def current(source: str | None = None) -> Check:
    return check(store(), current_app.config["SETTINGS"], source)


@bp.app_template_global()
@bp.app_template_filter()
def element_name(curie: str) -> str:
    """The element's name in the page's language."""
    element = BY_CURIE.get(curie)
    return element.name_in(i18n.current()) if element is not None else curie


@bp.app_template_filter()
def element_html(curie: str) -> Markup:
    """The element's name for a page, escaped."""
    return escape(element_name(curie))


@bp.get("/minimum/")
def index() -> str:
    found = current()
    return render_template("minimum.html", found=found, total=found.summary(), sources=by_title(found.by_source()))


@bp.get("/minimum.json")
def index_json() -> Response:
    return jsonify(current().to_list())


def _datasets_of_source(name: str) -> tuple[Check, list[DatasetCheck]]:
    if name not in current_app.config["SETTINGS"].sources:
        abort(404, f"No source named {name!r}.")
    found = current(name)
    return found, found.datasets


def _datasets_of_publisher(key: str) -> tuple[Check, list[DatasetCheck], str]:
    found = current()
    publishers = found.by_publisher()
    if key not in publishers:
        abort(404, f"No publisher with the key {key}.")
    return found, found.of_publisher(key), publishers[key][0]


@bp.get("/minimum/sources/<name>")
def source(name: str) -> str:
    found, datasets = _datasets_of_source(name)
    return render_template(
        "minimum_list.html",
        title=source_title(name),
        datasets=datasets,
        summary=found.summary(datasets),
        json_url=url_for("minimum.source_json", name=name),
        holder=("source", name),
    )


@bp.get("/minimum/sources/<name>.json")
def source_json(name: str) -> Response:
    found, datasets = _datasets_of_source(name)
    return jsonify(found.to_list(datasets))


@bp.get("/minimum/publishers/<key>")
def publisher(key: str) -> str:
    found, datasets, name = _datasets_of_publisher(key)
    return render_template(
        "minimum_list.html",
        title=name,
        datasets=datasets,
        summary=found.summary(datasets),
        json_url=url_for("minimum.publisher_json", key=key),
        holder=("publisher", key),
    )


@bp.get("/minimum/publishers/<key>.json")
def publisher_json(key: str) -> Response:
    found, datasets, _name = _datasets_of_publisher(key)
    return jsonify(found.to_list(datasets))
