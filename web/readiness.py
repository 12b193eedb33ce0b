"""EHDS feed readiness pages: which datasets reach the HealthDCAT-AP feed, and why the others do not.

`/ehds/` is the access body's view: coverage per source and per publisher, and for each dataset
left out the fields missing, grouped by who can supply them (an operator setting, named exactly,
or the publisher). `/ehds/publishers/<key>` is one publisher's fix list, to send to the registry,
also as CSV (`.csv`). The numbers are `catalog.readiness`'s, the same as `catalog ehds-coverage`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from catalog.readiness import Coverage, coverage, fix_list, fix_list_csv
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


@bp.get("/publishers/<key>")
def publisher(key: str) -> str:
    found = current()
    name = _publisher(found, key)
    datasets = [d for d in found.datasets if d.publisher_key == key]
    return render_template(
        "fixlist.html",
        key=key,
        name=name,
        datasets=datasets,
        tally=found.by_publisher()[key][1],
        rows=fix_list(found, key),
    )


@bp.get("/publishers/<key>.csv")
def publisher_csv(key: str) -> Response:
    found = current()
    _publisher(found, key)
    body = "\ufeff" + fix_list_csv(fix_list(found, key))  # a byte-order mark: spreadsheets then read UTF-8
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="ehds-fix-list-{key}.csv"'}
    )
