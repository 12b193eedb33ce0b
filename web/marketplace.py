"""Where data can be analysed, and what is offered from it: platforms, analysis services, data products.

`/marketplace` lists data products and analysis services (and the platforms) with filters; each
has its own page (`/services/<id>`, `/products/<id>`). Dataset and variable pages say where their
dataset can be analysed and which products are made from it (`offers_for`). The same views feed
the JSON API (`web/api.py`). There are few of these records, so they are read from the store,
not the search index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from catalog.model import DataProduct, DataService, text, to_dict
from catalog.store import StoredRecord
from web import store

bp = Blueprint("marketplace", __name__)
KINDS = ("product", "analysis", "platform")
FILTERS = ("kind", "type", "price_model", "provider")


def labels() -> dict[str, str]:
    """Display names of the coded values, in the UI language."""
    return {
        "product": _("Data product"),
        "analysis": _("Analysis service"),
        "platform": _("Analysis platform"),
        "extract": _("Prepared extract"),
        "cohort": _("Cohort"),
        "indicator": _("Indicators"),
        "other": _("Other"),
        "free": _("Free"),
        "cost-recovery": _("Cost recovery"),
        "commercial": _("Commercial"),
    }


@dataclass
class Offer:
    """One entry of the marketplace, whatever its kind, with what the list and filters need."""

    stored: StoredRecord
    kind: str  # product | analysis | platform
    type: str  # the product type, or the service's kind again
    provider: str

    @property
    def record(self) -> DataService | DataProduct:
        return self.stored.record  # type: ignore[return-value]


def offer(stored: StoredRecord) -> Offer:
    r = stored.record
    provider = text(r.publisher.name) if r.publisher else ""
    if isinstance(r, DataProduct):
        return Offer(stored, "product", r.product_type, provider)
    assert isinstance(r, DataService)
    return Offer(stored, r.service_type, r.service_type, provider)


def offers() -> list[Offer]:
    found = [offer(s) for kind in ("product", "service") for s in store().records(kind=kind)]
    return sorted(found, key=lambda o: (KINDS.index(o.kind), text(o.record.title).lower()))


@dataclass
class FilterLink:
    value: str
    count: int
    active: bool
    url: str  # the list with this value toggled


@dataclass
class MarketView:
    chosen: dict[str, list[str]]
    offers: list[Offer]
    facets: dict[str, list[FilterLink]] = field(default_factory=dict)


def filter_titles() -> dict[str, str]:
    return {"kind": _("Kind"), "type": _("Kind of product"), "price_model": _("Price model"), "provider": _("Provider")}


def _toggled(chosen: dict[str, list[str]], name: str, value: str) -> str:
    values = chosen.get(name, [])
    args = {**chosen, name: [v for v in values if v != value] if value in values else [*values, value]}
    query = urlencode({k: v for k, v in args.items() if v}, doseq=True)
    return url_for("marketplace.index") + (f"?{query}" if query else "")


def market_view() -> MarketView:
    """The entries matching the chosen filters; each filter's values counted as if it were off."""
    chosen = {f: request.args.getlist(f)[:20] for f in FILTERS if request.args.getlist(f)}
    everything = offers()

    def value(o: Offer, f: str) -> str | None:
        return {
            "kind": o.kind,
            "type": o.type if o.kind == "product" else None,
            "price_model": o.record.price_model,
            "provider": o.provider or None,
        }[f]

    def matches(o: Offer, skip: str | None = None) -> bool:
        return all(value(o, f) in values for f, values in chosen.items() if f != skip)

    facets: dict[str, list[FilterLink]] = {}
    for f in FILTERS:
        counted: dict[str, int] = {v: 0 for v in chosen.get(f, [])}
        for o in everything:
            v = value(o, f)
            if v and matches(o, skip=f):
                counted[v] = counted.get(v, 0) + 1
        facets[f] = [
            FilterLink(v, n, v in chosen.get(f, []), _toggled(chosen, f, v))
            for v, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return MarketView(chosen, [o for o in everything if matches(o)], facets)


def offers_for(dataset: StoredRecord) -> tuple[list[StoredRecord], list[StoredRecord]]:
    """(services serving the dataset, platforms first; products made from it)."""
    services = store().linking(dataset.uri, dataset.source, "serves")
    services.sort(key=lambda s: (s.service().service_type != "platform", text(s.record.title)))
    return services, store().linking(dataset.uri, dataset.source, "derived_from")


def _stored(key: str, kind: str) -> StoredRecord:
    stored = store().get_by_key(key)
    if stored is None or stored.deleted_at or stored.kind != kind:
        abort(404, f"No {'data service' if kind == 'service' else 'data product'} with id {key}.")
    return stored


@dataclass
class OfferView:
    stored: StoredRecord
    datasets: list[StoredRecord]  # served, or made from


def service_view(key: str) -> OfferView:
    stored = _stored(key, "service")
    return OfferView(stored, store().linked(stored.uri, "serves"))


def product_view(key: str) -> OfferView:
    stored = _stored(key, "product")
    return OfferView(stored, store().linked(stored.uri, "derived_from"))


def offer_json(stored: StoredRecord, datasets: list[StoredRecord] | None = None) -> dict[str, Any]:
    """A service or product for the API: the record's fields, the price model as given and in words."""
    r = stored.record
    out = {"id": stored.key, "kind": stored.kind, **to_dict(r)}
    if datasets is not None:
        out["datasets"] = [{"id": d.key, "uri": d.uri, "title": d.record.title} for d in datasets]
    return out


# --- pages -------------------------------------------------------------------------------------


@bp.get("/marketplace")
def index() -> str:
    return render_template("marketplace.html", view=market_view(), labels=labels(), titles=filter_titles())


@bp.get("/services/<key>")
def service(key: str) -> str:
    view = service_view(key)
    return render_template("offer.html", view=view, r=view.stored.record, labels=labels())


@bp.get("/products/<key>")
def product(key: str) -> str:
    view = product_view(key)
    return render_template("offer.html", view=view, r=view.stored.record, labels=labels())


def offer_url(stored: StoredRecord) -> str:
    return url_for("marketplace.service" if stored.kind == "service" else "marketplace.product", key=stored.key)
