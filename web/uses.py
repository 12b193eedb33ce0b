"""The data use register on the web (EHDS Art. 58): the data permits issued, public and filterable.

`/uses` lists the permits (the latest first) and filters them by words, organisation, permit year
and dataset, all in the URL; `/uses/<key>` is one permit; `/uses.ttl` the whole register as RDF
(each permit a prov:Activity that used its datasets, as the EHDS feed refers to them); `/api/uses`
(in `web.api`) the same list as JSON with the same filters. The register is written only by
`catalog uses import` (and the admin action): the web reads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from catalog.model import Dataset, LangText, key_for, text
from catalog.rdf import new_graph
from catalog.uses import DataUse, add_use, register, register_graph, select
from web import store
from web.feeds import negotiate, rdf_response

bp = Blueprint("uses", __name__)
FILTERS = ("q", "organisation", "year", "dataset")


@dataclass
class UsesView:
    uses: list[DataUse]
    total: int  # in the whole register
    filters: dict[str, str]
    organisations: list[tuple[str, int]]
    years: list[tuple[str, int]]
    titles: dict[str, tuple[str, LangText]] = field(default_factory=dict)  # `dataset_titles`


def uses_view() -> UsesView:
    """The register filtered by the request's arguments (`FILTERS`), with the choices for each filter."""
    everything = register(store())
    filters = {name: request.args.get(name, "").strip()[:200] for name in FILTERS}
    chosen = select(everything, filters["q"], filters["organisation"], filters["year"], filters["dataset"])
    return UsesView(
        uses=chosen,
        total=len(everything),
        filters=filters,
        organisations=sorted(Counter(u.organisation for u in everything).items()),
        years=sorted(Counter(u.permit_date[:4] for u in everything).items(), reverse=True),
        titles=dataset_titles(chosen),
    )


def dataset_titles(uses: Iterable[DataUse]) -> dict[str, tuple[str, LangText]]:
    """Dataset URI -> (key, title) of the datasets the uses name that the catalogue holds, for
    links; a page shows a title in its language (`shown`: the English page gave the bokmål one),
    and a dataset it does not hold (or no longer) by its URI, not as a link to a missing page."""
    out: dict[str, tuple[str, LangText]] = {}
    for uri in sorted({uri for u in uses for uri in u.datasets}):
        stored = store().get(uri)
        if stored is not None and not stored.deleted_at and isinstance(stored.record, Dataset):
            out[uri] = (key_for(uri), stored.record.title)
    return out


def use_json(u: DataUse, titles: dict[str, tuple[str, LangText]] | None = None) -> dict[str, Any]:
    out = u.to_dict()
    out["datasets"] = [
        {"uri": uri, "id": key_for(uri), **({"title": text(titles[uri][1])} if titles and uri in titles else {})}
        for uri in u.datasets
    ]
    out["days_to_data"] = u.days_to_data
    out["language"] = u.written_in(current_app.config["SETTINGS"])  # of its texts: the file's, else the setting
    return out


@bp.get("/uses")
@bp.get("/uses/")
def index() -> str:
    return render_template("uses.html", view=uses_view())


@bp.get("/uses.ttl")
def as_rdf() -> Response:
    return rdf_response(register_graph(store(), current_app.config["SETTINGS"]), "turtle")


@bp.get("/uses/<path:key>")
def one(key: str) -> str | Response:
    """A permit's page, or, to an RDF client, its description: its URI is what the feeds'
    `dct:isReferencedBy` names, and it answered HTML whatever was asked (the access body's drill)."""
    found = next((u for u in register(store()) if u.key == key), None)
    if found is None:
        abort(404, "The data use register has no such permit.")
    fmt = negotiate(page=True)
    if fmt is not None:
        g = new_graph()
        add_use(g, None, found, current_app.config["SETTINGS"])
        return rdf_response(g, fmt)
    return render_template("use.html", use=found, titles=dataset_titles([found]))
