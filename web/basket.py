"""The basket: the variables a researcher means to ask for, kept only in the browser, and the
way from there to an application.

The selection is a cookie holding variable ids and nothing else (no login, no personal data on
the server); forms post to /basket/add and /basket/remove and work without JavaScript, and the
script enhances them to update in place. The basket groups the variables by access route
(`catalog.access`) and says for each what to do next. Exports (CSV, XLSX, JSON and a
HealthDCAT-AP graph of the selected datasets with only the selected variables) come from the
same selection the API takes as `ids=`.

A selection is shared, and named in an access request, by `<base>/basket/<token>`, where the
token *is* the selection: the sorted variable ids packed as bytes with a version and a
checksum, base64url-encoded (about 11 characters per variable). The web never writes to the
store, so a token cannot point to state kept on the server; a content-addressed digest could not
be resolved without it, and a signature would tie every link to one server's secret and add
nothing, since anyone may select any variables. The same selection always gives the same token,
the checksum turns a truncated or mistyped link into a clear "not a selection" instead of a
different one, and the link keeps working on any server holding the catalogue.
"""

from __future__ import annotations

import base64
import binascii
import calendar
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
from flask_babel import ngettext
from markupsafe import Markup, escape
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD
from rdflib.namespace import DCTERMS as DCT
from werkzeug.wrappers import Response as BaseResponse  # what redirect() makes

from catalog import profiles
from catalog.access import Route, routes
from catalog.model import Agent, CodeList, Dataset, LangText, Variable, key_for, text
from catalog.rdf import add_dataset, new_graph
from web import store
from web.i18n import translated
from web.rendering import template_url_for

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
    "dataset",
    "name",
    "label",
    "question",
    "description",
    "datatype",
    "unit",
    "period",
    "codes",
    "codelist",
    "access_body",
    "access_route",
    "publisher",
    "custodian",
    "legal_basis",
    "linkage",
    "individuals",
    "variable_id",
    "dataset_id",
    "uri",
    "dataset_uri",
)
CODES_IN_EXPORT = 60
"""Code values written out per variable; a longer list (ICD-10) is named with its size instead."""
TOKEN_VERSION = b"\x01"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,3000}$")


def headings() -> dict[str, str]:
    """The spreadsheet exports' column headings in the UI language (JSON keeps the English keys)."""
    return {
        "source": _("Source"),
        "dataset": _("Dataset"),
        "name": _("Short name"),
        "label": _("Label"),
        "question": _("Question"),
        "description": _("Description"),
        "datatype": _("Data type"),
        "unit": _("Unit"),
        "period": _("Period"),
        "codes": _("Code values"),
        "codelist": _("Code list"),
        "access_body": _("Access body"),
        "access_route": _("Where to apply"),
        "publisher": _("Publisher"),
        "custodian": _("Custodian"),
        "legal_basis": _("Legal basis"),
        "linkage": _("Linkage"),
        "individuals": _("Number of individuals"),
        "variable_id": _("Variable id"),
        "dataset_id": _("Dataset id"),
        "uri": _("Variable URI"),
        "dataset_uri": _("Dataset URI"),
    }


def token_for(keys: Iterable[str]) -> str:
    """The selection as a self-contained token: sorted ids, a version byte and a checksum."""
    payload = TOKEN_VERSION + b"".join(bytes.fromhex(k) for k in sorted(set(keys)))
    return base64.urlsafe_b64encode(payload + hashlib.sha256(payload).digest()[:4]).decode().rstrip("=")


def keys_from_token(token: str) -> list[str] | None:
    """The ids a token holds, or None when it is not one (wrong characters, truncated, altered)."""
    if not TOKEN.match(token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    payload, check = raw[:-4], raw[-4:]
    if payload[:1] != TOKEN_VERSION or (len(payload) - 1) % 8 or hashlib.sha256(payload).digest()[:4] != check:
        return None
    keys = [payload[i : i + 8].hex() for i in range(1, len(payload), 8)]
    return keys if 0 < len(keys) <= MAX else None


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


def _form_parts() -> dict[str, str]:
    """What every basket form of a request shares, escaped once (a result page has twenty); the
    texts once per language (`translated`), the addresses once per place (`template_url_for`)."""
    parts = g.get("basket_form")
    if parts is None:
        add, remove = escape(template_url_for("basket.add")), escape(template_url_for("basket.remove"))
        add_text, remove_text = translated(
            "basket_form", lambda: (escape(_("Add to basket")), escape(_("Remove from basket")))
        )
        parts = g.basket_form = {
            "add": add,
            "remove": remove,
            "add_text": add_text,
            "remove_text": remove_text,
            "shared": (
                f'      data-add="{add}" data-remove="{remove}"\n'
                f'      data-add-text="{add_text}" data-remove-text="{remove_text}">\n'
            ),
            "next": f'  <input type="hidden" name="next" value="{escape(request.full_path.rstrip("?"))}">\n',
        }
    return parts


@bp.app_template_global()
def basket_button(key: str, label: str | None, in_basket: bool, where: str | None = None) -> Markup:
    """A variable's add-to (or remove-from) basket form, which works without JavaScript (the
    script posts it in place). Made here rather than as a template macro: a result page has
    twenty, and the macro took a fifth of a result row's rendering. Its name for a screen reader
    is the action, the variable's label and `where` it is from (its source, dataset or name): a
    result page's buttons for MFR's and SSB's "Fødselsvekt" were both "Legg i kurven: Fødselsvekt"."""
    said = f"{label or ''} ({where})" if where else label or ""
    parts = _form_parts()
    action, text = (parts["remove"], parts["remove_text"]) if in_basket else (parts["add"], parts["add_text"])
    return Markup(
        f'<form class="basket-form" method="post" action="{action}"\n{parts["shared"]}'
        f'  <input type="hidden" name="key" value="{escape(key)}">\n{parts["next"]}'
        f'  <button type="submit" class="{"secondary" if in_basket else ""}"><span class="action">{text}</span>'
        f'<span class="visually-hidden">: {escape(said)}</span></button>\n'
        "</form>"
    )


@dataclass
class Selection:
    """The selected variables grouped by source and dataset, read from the store."""

    datasets: list[tuple[str, Dataset, list[Variable]]]  # (source, dataset, its selected variables)
    missing: list[str]  # ids no longer in the catalogue

    @property
    def count(self) -> int:
        return sum(len(vs) for _src, _ds, vs in self.datasets)

    @property
    def keys(self) -> list[str]:
        return [key_for(v.uri) for _src, _ds, vs in self.datasets for v in vs]

    @property
    def token(self) -> str:
        return token_for(self.keys)

    def by_source(self) -> dict[str, list[tuple[Dataset, list[Variable]]]]:
        out: dict[str, list[tuple[Dataset, list[Variable]]]] = {}
        for source, d, vs in self.datasets:
            out.setdefault(source, []).append((d, vs))
        return out

    def by_route(self) -> list[RouteGroup]:
        """The selection by where one applies, routes in the order of catalog/access_routes.toml."""
        groups: dict[str, RouteGroup] = {}
        for source, d, vs in self.datasets:
            route = route_of(source)
            group = groups.setdefault(route.id, RouteGroup(route, {}))
            group.sources.setdefault(source, []).append((d, vs))
        order = list(routes().routes)
        return sorted(groups.values(), key=lambda grp: order.index(grp.route.id))

    def in_route_order(self) -> list[tuple[str, Dataset, list[Variable]]]:
        """The datasets as the basket page lists them: by route, then source and title. The
        exports listed them by source alone, so a file of MFR, MoBa and NorPD put MoBa's route
        between two of Helsedataservice's, unlike the page it came from (the researcher's drill)."""
        return [(source, d, vs) for group in self.by_route() for source, its in group.sources.items() for d, vs in its]

    def only(self, route_id: str) -> Selection:
        return Selection([x for x in self.datasets if route_of(x[0]).id == route_id], [])

    def common_period(self) -> CommonPeriod | None:
        return common_period((d, v) for _src, d, vs in self.datasets for v in vs)


@dataclass
class RouteGroup:
    """The part of a selection that takes one access route, by source."""

    route: Route
    sources: dict[str, list[tuple[Dataset, list[Variable]]]]

    @property
    def count(self) -> int:
        return sum(len(vs) for groups in self.sources.values() for _, vs in groups)

    def common_period(self) -> CommonPeriod | None:
        return common_period((d, v) for groups in self.sources.values() for d, vs in groups for v in vs)


@dataclass(frozen=True)
class CommonPeriod:
    """The time every one of some variables covers: from the latest start to the earliest end.
    A researcher linking NorPD (2011–) with MFR (1968–) and SSB's education (–2023) can study
    2011–2023 only, and the basket said nothing of it (the epidemiologist's drill)."""

    start: str | None  # None: no variable says when it starts
    end: str | None  # None: every variable that says when it ends is still running
    unknown: int  # variables the catalogue gives no period, left out

    @property
    def empty(self) -> bool:
        """The periods do not overlap: the latest start is after the earliest end."""
        return bool(self.start and self.end and _day(self.start, False) > _day(self.end, True))


def common_period(pairs: Iterable[tuple[Dataset, Variable]]) -> CommonPeriod | None:
    """The intersection of the variables' periods (a variable's own, else its dataset's), or None
    when the catalogue holds no period for any of them."""
    start: str | None = None
    end: str | None = None
    known = unknown = 0
    for d, v in pairs:
        first, last = v.valid_from or d.temporal_start, v.valid_to or d.temporal_end
        if not first and not last:
            unknown += 1
            continue
        known += 1
        if first and (start is None or _day(first, False) > _day(start, False)):
            start = first
        if last and (end is None or _day(last, True) < _day(end, True)):
            end = last
    return CommonPeriod(start, end, unknown) if known else None


def _day(value: str, end: bool) -> str:
    """A period's bound as a comparable day: a year or a month alone reaches to its last day when
    it ends a period ("2019" ends on 2019-12-31), and starts on its first when it begins one."""
    if len(value) >= 10:
        return value[:10]
    if len(value) == 7:
        return value + (f"-{_last_of_month(value):02d}" if end else "-01")
    return value[:4] + ("-12-31" if end else "-01-01")


def _last_of_month(month: str) -> int:
    """The last day of "YYYY-MM" (a day the exports can give as a date: "2016-02" ends on the 29th),
    31 when the text is not a month, where only its order among the bounds matters."""
    try:
        return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]
    except ValueError:
        return 31


def period_said(p: CommonPeriod) -> str:
    """A common period in words, as the basket and its exports give it: "2011–2023", or that
    there is none, and how many variables without a period were left out."""
    from web.display import moment, period

    if p.empty:
        said = _(
            "none (the latest begins in %(start)s, the earliest ends in %(end)s)",
            start=moment(p.start),
            end=moment(p.end, end=True),
        )
    else:
        said = period(p.start, p.end) or "…"
    if p.unknown:
        said += " " + ngettext(
            "(%(num)s variable without a period is not counted)",
            "(%(num)s variables without a period are not counted)",
            p.unknown,
        )
    return said


@dataclass(frozen=True)
class Terms:
    """Who holds a dataset and the legal basis it is kept on: what an application names per
    registry beside its variables, which the dataset page said and the basket did not."""

    publisher: Agent | None
    custodian: Agent | None
    legal_basis: LangText

    @property
    def custodian_apart(self) -> Agent | None:
        """The custodian where it is not the publisher by another record (MFR names FHI twice)."""
        if self.custodian is None or (self.publisher is not None and self.custodian.name == self.publisher.name):
            return None
        return self.custodian


@bp.app_template_global()
def dataset_terms(source: str, d: Dataset) -> Terms:
    """A dataset's holders and legal basis as its page shows them: the published view, which
    takes what the operator supplies for a source that does not say it. Once per dataset and
    request (a search's export of 2,000 variables reads each of their datasets)."""
    done: dict[str, Terms] = g.setdefault("dataset_terms", {})
    if d.uri not in done:
        settings = current_app.config["SETTINGS"]
        view = profiles.ehds().published(d, settings, settings.sources.get(source)).record
        assert isinstance(view, Dataset)
        done[d.uri] = Terms(view.publisher, view.custodian, view.legal_basis)
    return done[d.uri]


def route_of(source: str) -> Route:
    return routes().for_source(source, current_app.config["SETTINGS"].sources.get(source))


def selection(keys: list[str]) -> Selection:
    """The live datasets of these variables, each read with the chosen of its variables alone
    (`dataset_with_variables`): a few of a registry's 100,000 had all of them read and built."""
    where = store().datasets_of_variables(keys)
    chosen: dict[str, list[str]] = {}
    for k in keys:
        if k in where:
            chosen.setdefault(where[k], []).append(k)
    groups: dict[str, tuple[str, Dataset, list[Variable]]] = {}
    for uri, its in chosen.items():
        stored = store().dataset_with_variables(key_for(uri), its)
        if stored is not None and not stored.deleted_at and isinstance(stored.record, Dataset):
            groups[uri] = (stored.source, stored.record, list(stored.record.variables))
    found = {key_for(v.uri) for _src, _ds, vs in groups.values() for v in vs}
    return Selection(
        sorted(groups.values(), key=lambda g: (g[0], text(g[1].title))), [k for k in keys if k not in found]
    )


# --- exports ----------------------------------------------------------------------------------


def code_lists(sel: Selection) -> dict[str, CodeList]:
    """The live code lists the selected variables use, by URI."""
    out = {}
    for uri in {v.codelist for _src, _ds, vs in sel.datasets for v in vs if v.codelist}:
        stored = store().get(uri)
        if stored is not None and not stored.deleted_at and isinstance(stored.record, CodeList):
            out[uri] = stored.record
    return out


def code_values(cl: CodeList | None, lang: str) -> str:
    if cl is None:
        return ""
    if len(cl.concepts) > CODES_IN_EXPORT:
        return _("%(list)s: %(num)s codes", list=text(cl.title, lang) or cl.identifier, num=len(cl.concepts))
    return "; ".join(f"{c.code}={text(c.label, lang)}" for c in cl.concepts)


def rows(sel: Selection, lang: str = "nb") -> list[dict[str, Any]]:
    """One row per variable with what an application needs: what it is, its period and codes, and
    who decides on access. Texts in `lang` where the records have them."""
    from web.display import period

    lists = code_lists(sel)
    out = []
    for source, d, vs in sel.in_route_order():
        route = route_of(source)
        body = (text(d.hdab.name, lang) if d.hdab else "") or route.body
        terms = dataset_terms(source, d)
        for v in vs:
            cl = lists.get(v.codelist or "")
            out.append(
                {
                    "source": _source_title(source),
                    "dataset": text(d.title, lang),
                    "name": v.name,
                    "label": text(v.title, lang),
                    "question": text(v.question, lang),
                    "description": text(v.description, lang),
                    "datatype": v.datatype,
                    "unit": v.unit or "",
                    "period": period(v.valid_from or d.temporal_start, v.valid_to or d.temporal_end),
                    "codes": code_values(cl, lang),
                    "codelist": (text(cl.title, lang) or cl.identifier) if cl else (v.codelist or ""),
                    "access_body": body,
                    "access_route": route.name(lang),
                    "publisher": text(terms.publisher.name, lang) if terms.publisher else "",
                    "custodian": text(terms.custodian.name, lang) if terms.custodian else "",
                    "legal_basis": text(terms.legal_basis, lang),
                    "linkage": route.linkage_in(lang),
                    "individuals": d.number_of_unique_individuals,
                    "variable_id": key_for(v.uri),
                    "dataset_id": key_for(d.uri),
                    "uri": v.uri,
                    "dataset_uri": d.uri,
                }
            )
    return out


def _source_title(name: str) -> str:
    src = current_app.config["SETTINGS"].sources.get(name)
    return (src.title or name) if src else name


def _language() -> str:
    from web.i18n import current

    return current()


def sheet_rows(sel: Selection) -> tuple[list[str], list[list[Any]]]:
    """Headings and rows for CSV and XLSX: headings and data types in the UI language."""
    from web.labels import label

    lang = _language()
    names = headings()
    body = []
    for row in rows(sel, lang):
        row["datatype"] = label("datatype", row["datatype"], lang).text
        body.append([as_cell(row[c]) if row[c] is not None else "" for c in COLUMNS])
    return [names[c] for c in COLUMNS], body


def as_cell(value: Any) -> Any:
    """Harvested text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(sel: Selection) -> bytes:
    return csv_file(*sheet_rows(sel))


def csv_file(names: list[str], body: list[list[Any]]) -> bytes:
    """A table as CSV that Excel reads as UTF-8 (the BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows(body)
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(sel: Selection) -> bytes:
    # the selection's link beside its rows: the basket page asks for the file and the link both,
    # and only the JSON export carried the link (the researcher's drill)
    return xlsx_file(_("variables"), *sheet_rows(sel), [(_("Link to this selection"), request_uri(sel)), *about(sel)])


def about(sel: Selection) -> list[tuple[str, str]]:
    """What the basket page says of the selection as a whole, as (heading, text) lines for the
    workbook: the common period (each route's too, when it takes more than one), how each route
    links its data, and what linking across routes takes."""
    lang = _language()
    groups = sel.by_route()
    lines = []
    common = sel.common_period()
    if common:
        lines.append((_("Common period"), period_said(common)))
    for group in groups if len(groups) > 1 else ():
        route_common = group.common_period()
        if route_common:
            lines.append((_("Common period: %(route)s", route=group.route.name(lang)), period_said(route_common)))
    for group in groups:
        if group.route.linkage_in(lang):
            lines.append((_("Linkage: %(route)s", route=group.route.name(lang)), group.route.linkage_in(lang)))
    across = routes().across_in(lang)
    if len(groups) > 1 and across:
        lines.append((_("Linkage across routes"), across))
    return lines


def xlsx_file(title: str, names: list[str], body: list[list[Any]], about: list[tuple[str, Any]]) -> bytes:
    """A table as a workbook: the sheet `title` with bold, frozen headings, then the sheet
    "selection" (in the UI language) of `about`'s (heading, value) lines, an http(s) value a link."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = title
    ws.append(names)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append(row)
    ws.freeze_panes = "A2"
    sheet = wb.create_sheet(_("selection"))
    for heading, value in about:
        sheet.append([heading, as_cell(value)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            sheet.cell(sheet.max_row, 2).hyperlink = value
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def request_uri(sel: Selection) -> str:
    """The same selection always gets the same URI, which resolves to it (see the module's docstring)."""
    return current_app.config["SETTINGS"].base_uri.rstrip("/") + f"/basket/{sel.token}"


def to_graph(sel: Selection) -> Any:
    """A dcat:Catalog of the selected datasets, each with only its selected variables."""
    g = new_graph()
    cat = URIRef(request_uri(sel))
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCT.title, Literal("Variabelutvalg for søknad om tilgang", lang="nb")))
    g.add((cat, DCT.title, Literal("Variabelutval for søknad om tilgang", lang="nn")))
    g.add((cat, DCT.title, Literal("Variable selection for a data access application", lang="en")))
    g.add((cat, DCT.created, Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    for _source, d, vs in sel.datasets:
        trimmed = copy.copy(d)
        trimmed.variables = vs
        g.add((cat, DCAT.dataset, add_dataset(g, trimmed)))
    return g


def period_json(p: CommonPeriod | None) -> dict[str, Any] | None:
    """A common period for scripts: its bounds as the records give them (a day, a month or a year:
    "2009-01-01" and "2017" side by side), and as days (`first_day`, `last_day`: a year or month
    reaches to its first or last day), which a script compares without knowing the precisions."""
    if p is None:
        return None
    return {
        "start": p.start,
        "end": p.end,
        "first_day": _day(p.start, False) if p.start else None,
        "last_day": _day(p.end, True) if p.end else None,
        "overlap": not p.empty,
        "without_period": p.unknown,
        "said": period_said(p),
    }


def to_json(sel: Selection) -> bytes:
    lang = _language()
    groups = sel.by_route()
    body = {
        "request": request_uri(sel),
        "count": sel.count,
        "missing": sel.missing,
        "common_period": period_json(sel.common_period()),
        "routes": [
            {
                "id": group.route.id,
                "name": group.route.name(lang),
                # who decides, where one applies and what to do: the page's words for the route,
                # which a file of the selection left out (the researcher's drill)
                "decided_by": group.route.body,
                "url": group.route.link(lang),
                "steps": list(group.route.steps_in(lang)),
                "count": group.count,
                "common_period": period_json(group.common_period()),
                "linkage": group.route.linkage_in(lang),
            }
            for group in groups
        ],
        "linkage_across_routes": routes().across_in(lang) if len(groups) > 1 else "",
        "datasets": [
            {
                "id": key_for(d.uri),
                "uri": d.uri,
                "title": text(d.title),
                "source": source,
                "variables": rows(Selection([(source, d, vs)], []), _language()),
            }
            for source, d, vs in sel.in_route_order()
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def export(sel: Selection, fmt: str, name: str | None = None) -> Response:
    """The selection as a file; `name` its file name before the extension (else "variabler")."""
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
    response.headers["Content-Disposition"] = f'attachment; filename="{name or _("variables")}.{fmt}"'
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
    """Empty the basket; the page it returns to offers to undo it (the emptied selection rides in
    its address as a token): "Tøm kurven" emptied a researcher's selection at once, with neither
    a question nor a way back (the researchers' drill)."""
    _same_origin()
    previous = basket_keys()
    response = _answer([], "cleared")
    if previous and response.status_code == 303:
        response.location = url_for("basket.view", emptied=token_for(previous))
    return response


@bp.get("/")
def view() -> str:
    sel = selection(basket_keys())
    emptied = keys_from_token(request.args.get("emptied", "")) if not sel.count else None
    from web.compare import MAX_COMPARED  # web.compare reads the basket: imported here, not at the top

    return render_template(
        "basket.html",
        sel=sel,
        limit=MAX,
        shared=False,
        emptied=emptied or [],
        compare_limit=MAX_COMPARED,
        across=routes().across_in(_language()),
        abroad=routes().abroad_in(_language()),
    )


@bp.get("/export.<fmt>")
def download(fmt: str) -> Response:
    """The basket's exports; `?route=` keeps only the variables that take one access route."""
    sel = selection(basket_keys())
    route = request.args.get("route")
    if route in routes().routes:  # a file of its own name: the basket's whole list was "variabler.xlsx" too
        return export(sel.only(route), fmt, f"{_('variables')}-{route}")
    return export(sel, fmt)


RDF_TYPES = {"text/turtle": "ttl", "application/ld+json": "jsonld"}


@bp.get("/<token>")
def shared(token: str) -> Response | str:
    """A selection named by its token: the page, or the DCAT access request when RDF is asked for."""
    keys = keys_from_token(token)
    if keys is None:
        abort(404, "This address does not hold a selection of variables (it may have been cut short).")
    sel = selection(keys)
    wanted = request.accept_mimetypes.best_match(["text/html", *RDF_TYPES])
    fmt = request.args.get("format")
    if fmt in ("ttl", "jsonld") or wanted in RDF_TYPES:
        response = export(sel, fmt or RDF_TYPES[wanted or ""])
        response.headers.pop("Content-Disposition")
        response.vary.add("Accept")
        return response
    from web.compare import MAX_COMPARED

    html = render_template(
        "basket.html",
        sel=sel,
        limit=MAX,
        shared=True,
        token=token,
        compare_limit=MAX_COMPARED,
        across=routes().across_in(_language()),
        abroad=routes().abroad_in(_language()),
    )
    response = Response(html, mimetype="text/html")
    response.vary.add("Accept")
    return response
