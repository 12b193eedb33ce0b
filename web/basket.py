"""The basket: the variables a researcher means to ask for, kept only in the browser.

The selection is a cookie holding variable ids and nothing else (no login, no personal data on
the server); forms post to /basket/add and /basket/remove and work without JavaScript, and the
script enhances them to update in place. Exports (CSV, XLSX, JSON and a HealthDCAT-AP graph of
the selected datasets with only the selected variables) come from the same selection the API
takes as `ids=`.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD
from rdflib.namespace import DCTERMS as DCT
from werkzeug.wrappers import Response as BaseResponse  # what redirect() makes

from catalog.model import Dataset, Variable, key_for, text
from catalog.rdf import add_dataset, new_graph
from web import store

bp = Blueprint("basket", __name__, url_prefix="/basket")
COOKIE = "basket"
MAX = 200  # 200 ids of 17 bytes fit in one 4 kB cookie
KEY = re.compile(r"^[0-9a-f]{16}$")
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}
COLUMNS = (
    "source",
    "dataset_id",
    "dataset",
    "variable_id",
    "name",
    "label",
    "description",
    "datatype",
    "unit",
    "valid_from",
    "valid_to",
    "codelist",
    "uri",
    "dataset_uri",
)


def parse_keys(values: Iterable[str]) -> list[str]:
    """Valid, distinct variable ids in their order, at most MAX; anything else is dropped."""
    out: list[str] = []
    for value in values:
        for key in value.replace(",", ".").split("."):
            key = key.strip().lower()
            if KEY.match(key) and key not in out:
                out.append(key)
    return out[:MAX]


def basket_keys() -> list[str]:
    return parse_keys([request.cookies.get(COOKIE, "")])


@bp.app_template_global()
def basket_form() -> dict[str, str]:
    """The basket forms' addresses and words, once per request (a result page has twenty forms)."""
    urls = g.get("basket_form")
    if urls is None:
        urls = g.basket_form = {
            "add": url_for("basket.add"),
            "remove": url_for("basket.remove"),
            "next": request.full_path.rstrip("?"),
            "add_text": _("Add to basket"),
            "remove_text": _("Remove from basket"),
        }
    return urls


@dataclass
class Selection:
    """The selected variables grouped by source and dataset, read from the store."""

    datasets: list[tuple[str, Dataset, list[Variable]]]  # (source, dataset, its selected variables)
    missing: list[str]  # ids no longer in the catalogue

    @property
    def count(self) -> int:
        return sum(len(vs) for _, _, vs in self.datasets)

    def by_source(self) -> dict[str, list[tuple[Dataset, list[Variable]]]]:
        out: dict[str, list[tuple[Dataset, list[Variable]]]] = {}
        for source, d, vs in self.datasets:
            out.setdefault(source, []).append((d, vs))
        return out


def selection(keys: list[str]) -> Selection:
    where = store().datasets_of_variables(keys)
    groups: dict[str, tuple[str, Dataset, list[Variable]]] = {}
    for uri in dict.fromkeys(where[k] for k in keys if k in where):
        stored = store().get(uri)
        if stored is not None and isinstance(stored.record, Dataset):
            groups[uri] = (stored.source, stored.record, [])
    wanted = set(keys)
    for _source, d, chosen in groups.values():
        chosen += [v for v in d.variables if key_for(v.uri) in wanted]
    found = {key_for(v.uri) for _, _, vs in groups.values() for v in vs}
    return Selection(
        sorted(groups.values(), key=lambda g: (g[0], text(g[1].title))), [k for k in keys if k not in found]
    )


# --- exports ----------------------------------------------------------------------------------


def rows(sel: Selection) -> list[dict[str, Any]]:
    return [
        {
            "source": source,
            "dataset_id": key_for(d.uri),
            "dataset": text(d.title),
            "variable_id": key_for(v.uri),
            "name": v.name,
            "label": text(v.title),
            "description": text(v.description),
            "datatype": v.datatype,
            "unit": v.unit or "",
            "valid_from": v.valid_from or "",
            "valid_to": v.valid_to or "",
            "codelist": v.codelist or "",
            "uri": v.uri,
            "dataset_uri": d.uri,
        }
        for source, d, vs in sel.datasets
        for v in vs
    ]


def _cell(value: Any) -> Any:
    """Harvested text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(sel: Selection) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows(sel))
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read UTF-8


def to_xlsx(sel: Selection) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "variables"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows(sel):
        ws.append([_cell(row[c]) for c in COLUMNS])
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def request_uri(sel: Selection) -> str:
    """The same selection always gets the same URI, so an application can refer to it."""
    keys = sorted(key_for(v.uri) for _, _, vs in sel.datasets for v in vs)
    digest = hashlib.sha1(".".join(keys).encode()).hexdigest()[:16]
    return current_app.config["SETTINGS"].base_uri.rstrip("/") + f"/basket/{digest}"


def to_graph(sel: Selection) -> Any:
    """A dcat:Catalog of the selected datasets, each with only its selected variables."""
    g = new_graph()
    cat = URIRef(request_uri(sel))
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCT.title, Literal("Variabelutvalg for søknad om tilgang", lang="nb")))
    g.add((cat, DCT.title, Literal("Variable selection for a data access application", lang="en")))
    g.add((cat, DCT.created, Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    for _source, d, vs in sel.datasets:
        trimmed = copy.copy(d)
        trimmed.variables = vs
        g.add((cat, DCAT.dataset, add_dataset(g, trimmed)))
    return g


def to_json(sel: Selection) -> bytes:
    body = {
        "request": request_uri(sel),
        "count": sel.count,
        "missing": sel.missing,
        "datasets": [
            {
                "id": key_for(d.uri),
                "uri": d.uri,
                "title": text(d.title),
                "source": source,
                "variables": rows(Selection([(source, d, vs)], [])),
            }
            for source, d, vs in sel.datasets
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def export(sel: Selection, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404, f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if fmt == "csv":
        body = to_csv(sel)
    elif fmt == "xlsx":
        body = to_xlsx(sel)
    elif fmt == "json":
        body = to_json(sel)
    else:
        body = to_graph(sel).serialize(format="turtle" if fmt == "ttl" else "json-ld", encoding="utf-8")
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="variables.{fmt}"'
    return response


# --- routes -----------------------------------------------------------------------------------


def _same_origin() -> None:
    """Another site may not change the basket behind the researcher's back."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:  # "null" (sandboxed frames) is refused too
        abort(403, "Basket changes are accepted only from this site.")


def _back() -> str:
    """Where to return after a form post: a local path only (never another site)."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("basket.view")


def _answer(keys: list[str], message: str) -> BaseResponse:
    response: BaseResponse
    if request.accept_mimetypes.best == "application/json":
        response = jsonify({"count": len(keys), "ids": keys, "message": message})
    else:
        response = redirect(_back(), code=303)
    response.set_cookie(
        COOKIE, ".".join(keys), max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=request.is_secure
    )
    return response


@bp.post("/add")
def add() -> BaseResponse:
    _same_origin()
    keys = basket_keys()
    new = [k for k in parse_keys(request.form.getlist("key")) if k not in keys]
    full = len(keys) + len(new) > MAX
    keys = (keys + new)[:MAX]
    return _answer(keys, "full" if full else "added")


@bp.post("/remove")
def remove() -> BaseResponse:
    _same_origin()
    gone = set(parse_keys(request.form.getlist("key")))
    return _answer([k for k in basket_keys() if k not in gone], "removed")


@bp.post("/clear")
def clear() -> BaseResponse:
    _same_origin()
    return _answer([], "cleared")


@bp.get("/")
def view() -> str:
    sel = selection(basket_keys())
    return render_template("basket.html", sel=sel, limit=MAX)


@bp.get("/export.<fmt>")
def download(fmt: str) -> Response:
    return export(selection(basket_keys()), fmt)
