"""Registries' variable lists as the spreadsheets they publish: XLSX and CSV in their own layouts.

`GET /files/<slug>/variabelliste.xlsx|.csv` for the spreadsheet sources, and the CKAN resources
(`/ckan/dataset/<package>/resource/<id>/download/variabelliste.xlsx|.csv`) use the same writer.
Layouts (`content.LAYOUTS`) differ in headings (Variabelnavn / Variabel, Variabeletikett /
Beskrivelse / Label, Datatype / Format / Type, Enhet / Måleenhet, Kodeverk / Verdier / Kodeliste,
Gyldig fra / Fra dato, ...), sheet name and title rows above the heading row (XLSX only; the
source option `header_row` is the 1-based heading row). CSV: `;`-separated UTF-8 with BOM, as
Norwegian Excel writes, heading in the first row. Code values are written as "1=Mann; 2=Kvinne".
`GET /files/<slug>/frekvenser.csv` is the registry's frequency table beside its list (`simulator.counts`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook
from werkzeug.wrappers import Request

from catalog.model import Dataset, Variable
from simulator import content as C
from simulator import counts
from simulator.content import Layout
from simulator.nation import Nation, Source, stamp
from simulator.wire import Context, Reply

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_NAMES = {
    "integer": "Heltall",
    "decimal": "Desimaltall",
    "string": "Tekst",
    "date": "Dato",
    "dateTime": "Dato og tid",
    "gYear": "År",
    "boolean": "Ja/nei",
}
MAX_INLINE_CODES = 12


def layout_of(source: Source) -> Layout:
    return next(lay for lay in C.LAYOUTS if lay.name == source.spec.layout)


def codes_text(nation: Nation, source: Source, v: Variable) -> str:
    if not v.codelist:
        return ""
    key = v.codelist.rsplit("/", 1)[-1]
    spec = nation.codelist_spec(key)
    if len(spec.codes) > MAX_INLINE_CODES:
        return f"Se kodeverk: {spec.title_nb}"
    return "; ".join(f"{code}={label}" for code, label, _en in spec.codes)


def rows(nation: Nation, source: Source, d: Dataset, layout: Layout, duplicate: bool) -> Iterator[list[str]]:
    variables = list(d.variables)
    if duplicate and variables:
        variables.append(variables[0])
    for v in variables:
        values = {
            "name": v.name,
            "title": v.title.get("nb", ""),
            "description": v.description.get("nb", ""),
            "datatype": TYPE_NAMES.get(v.datatype, v.datatype),
            "unit": v.unit or "",
            "codes": codes_text(nation, source, v),
            "valid_from": v.valid_from or "",
            "valid_to": v.valid_to or "",
            "table": v.table or "Registreringsskjema",
        }
        yield [values[f] for _heading, f in layout.columns]


def csv_bytes(nation: Nation, source: Source, d: Dataset, duplicate: bool = False) -> bytes:
    layout = layout_of(source)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for heading, _f in layout.columns])
    writer.writerows(rows(nation, source, d, layout, duplicate))
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(nation: Nation, source: Source, d: Dataset, duplicate: bool = False) -> bytes:
    layout = layout_of(source)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet)
    modified = stamp(d.modified)
    title_rows = [[f"Variabelliste – {d.title.get('nb', '')}"], [f"{source.title}, sist endret {modified[:10]}"]]
    for row in title_rows[: layout.title_rows]:
        ws.append(row)
    ws.append([heading for heading, _f in layout.columns])
    for row in rows(nation, source, d, layout, duplicate):
        ws.append(row)
    about = wb.create_sheet("Om listen")
    about.append(["Kilde", source.title])
    about.append(["Datasett", d.title.get("nb", "")])
    about.append(["Kontakt", d.contact.email if d.contact else ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return _stamped(buffer.getvalue(), modified)


def _stamped(xlsx: bytes, modified: str) -> bytes:
    """The workbook with the list's own change time where openpyxl writes the time of saving (the
    zip entries' dates and docProps' dcterms:modified): the same list is the same bytes on every
    request, as a file on a registry's web server is."""
    when = modified[:19]  # YYYY-MM-DDTHH:MM:SS
    date_time = (
        int(when[:4]),
        int(when[5:7]),
        int(when[8:10]),
        int(when[11:13] or 0),
        int(when[14:16] or 0),
        int(when[17:19] or 0),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + when.encode() + b"Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=date_time), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def file_reply(nation: Nation, source: Source, d: Dataset, ext: str, duplicate: bool) -> Reply:
    if ext == "csv":
        return Reply(csv_bytes(nation, source, d, duplicate), "text/csv; charset=utf-8", "csv", source.name)
    if ext == "xlsx":
        return Reply(
            xlsx_bytes(nation, source, d, duplicate),
            XLSX,
            "xlsx",
            source.name,
            headers={"Content-Disposition": f'attachment; filename="variabelliste-{source.name}.xlsx"'},
        )
    raise KeyError(f"no variable list as .{ext}; use .csv or .xlsx")


def variable_list(ctx: Context, request: Request, slug: str, ext: str) -> Reply:
    source = ctx.nation.source(f"{slug}-varliste")
    d = ctx.nation.dataset(source, ctx.nation.dataset_indices(source)[0])
    return file_reply(ctx.nation, source, d, ext, ctx.fault_is(source.name, "duplicate_ids"))


def frequency_table(ctx: Context, request: Request, slug: str) -> Reply:
    """The registry's frequency table beside its variable list (`simulator.counts`)."""
    source = ctx.nation.source(f"{slug}-varliste")
    d = ctx.nation.dataset(source, ctx.nation.dataset_indices(source)[0])
    return Reply(counts.csv_bytes(ctx.nation, source, d), "text/csv; charset=utf-8", "csv", source.name)


ROUTES = [("/files/<slug>/variabelliste.<ext>", variable_list), ("/files/<slug>/frekvenser.csv", frequency_table)]
