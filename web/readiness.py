"""EHDS feed readiness pages: which datasets reach the HealthDCAT-AP feed, and why the others do not.

`/ehds/` is the access body's view: coverage per source and per publisher, and for each dataset
left out the fields missing, grouped by who can supply them (an operator setting, named exactly,
or the publisher). `/ehds/publishers/<key>` is one publisher's fix list, to send to the registry,
also as CSV (`.csv`); `/ehds/readiness.json` the whole as JSON. The numbers are
`catalog.readiness`'s, the same as `catalog ehds-coverage`.
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from catalog.readiness import Coverage, DatasetReadiness, coverage, fix_list, fix_list_csv
from web.explorer import store
from web.sources import by_title

bp = Blueprint("ehds", __name__, url_prefix="/ehds")


def current(source: str | None = None) -> Coverage:
    return coverage(store(), current_app.config["SETTINGS"], source)


@bp.get("/")
def index() -> str:
    found = current()
    return render_template("ehds.html", found=found, total=found.total, sources=by_title(found.by_source()))


def _publisher(found: Coverage, key: str) -> str:
    publishers = found.by_publisher()
    if key not in publishers:
        abort(404, f"No publisher with the key {key}.")
    return publishers[key][0]


@bp.get("/readiness.json")
def as_json() -> Response:
    """The coverage as `catalog ehds-coverage --format json` gives it (`?source=NAME`: one
    source's): the access body's scripts and dashboards read it over HTTP, where it was only on
    the CLI of a host with the store (the access body's drill)."""
    source = request.args.get("source") or None
    if source is not None and source not in current_app.config["SETTINGS"].sources:
        abort(404, f"No source named {source}.")
    return jsonify(current(source).to_dict())


@bp.get("/publishers/<key>")
def publisher(key: str) -> str:
    found = current()
    name = _publisher(found, key)
    datasets = [d for d in found.datasets if d.publisher_key == key]
    rows = fix_list(found, key)
    return render_template(
        "fixlist.html",
        key=key,
        name=name,
        datasets=datasets,
        tally=found.by_publisher()[key][1],
        rows=rows,
        groups=by_dataset(datasets, rows),
    )


def by_dataset(datasets: list[DatasetReadiness], rows: list[dict[str, str]]) -> list[tuple[DatasetReadiness, list]]:
    """The fix list's rows per dataset, in the list's order (those left out of the feed first, as
    the CSV has them): the page grouped them with Jinja's groupby, which sorts by URI, so a dataset
    the feed carries could head the table; and with its titles, so that the page names it in the
    reader's language, marked where it is another (it gave the bokmål title, unmarked, on English pages)."""
    of = {d.uri: d for d in datasets}
    return [(of[uri], list(group)) for uri, group in groupby(rows, key=lambda r: r["uri"])]


@bp.get("/publishers/<key>.csv")
def publisher_csv(key: str) -> Response:
    found = current()
    _publisher(found, key)
    body = "\ufeff" + fix_list_csv(fix_list(found, key))  # a byte-order mark: spreadsheets then read UTF-8
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="ehds-fix-list-{key}.csv"'}
    )
