"""Synthetic samples as downloads: `GET /api/datasets/<id>/synthetic.csv|.xlsx?rows=N&seed=S`.

The CSV is plain (header row of variable names, then data rows), so a script reads it as it would
the real extract; the file name says it is synthetic. The XLSX variant's first sheet says so in
words, the data follow on the second. Both come from `catalog.synthetic`, which reads only what
the variable pages show.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, abort, request, stream_with_context
from openpyxl import Workbook

from catalog import synthetic
from catalog.model import CodeList, Dataset
from web import store
from web.distribution import published_counts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.lstrip("-").isdigit():
        abort(400, f"{name}={raw!r} is not a whole number")
    return int(raw)


def _inputs(dataset: Dataset) -> tuple[dict[str, CodeList], int, int]:
    codelists: dict[str, CodeList] = {}
    for uri in {v.codelist for v in dataset.variables if v.codelist}:
        stored = store().get(uri)
        if stored is not None and not stored.deleted_at and isinstance(stored.record, CodeList):
            codelists[uri] = stored.record
    rows = _int_arg("rows", synthetic.DEFAULT_ROWS)
    try:
        synthetic.check_rows(rows)
    except synthetic.SampleError as exc:
        abort(400, str(exc))
    return codelists, rows, _int_arg("seed", 1)


def _disposition(dataset: Dataset, suffix: str) -> str:
    return f'attachment; filename="{synthetic.filename(dataset, suffix)}"'


def csv_response(dataset: Dataset) -> Response:
    codelists, rows, seed = _inputs(dataset)
    table = synthetic.rows(dataset, codelists, published_counts(dataset.uri), rows, seed)

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for n, row in enumerate(table):
            writer.writerow(row)
            if n % 500 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = _disposition(dataset, "csv")
    return response


def xlsx_response(dataset: Dataset) -> Response:
    codelists, rows, seed = _inputs(dataset)
    book = Workbook(write_only=True)
    about = book.create_sheet("SYNTETISKE DATA")
    for lang in ("nb", "nn", "en"):
        about.append([synthetic.WARNING[lang]])
    about.append([])
    about.append(["Datasett / dataset", next(iter(dataset.title.values()), dataset.identifier)])
    about.append(["URI", dataset.uri])
    about.append(["Rader / rows", rows])
    about.append(["Frø / seed", seed])
    data = book.create_sheet("Syntetiske data")
    for row in synthetic.rows(dataset, codelists, published_counts(dataset.uri), rows, seed):
        data.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(), mimetype=XLSX)
    response.headers["Content-Disposition"] = _disposition(dataset, "xlsx")
    return response


def _cell(value: str) -> str:
    """Text as text: a value starting like a formula stays a string, never a formula."""
    return (
        "'" + value
        if value[:1] in ("=", "+", "-", "@") and not value.lstrip("-").replace(".", "", 1).isdigit()
        else value
    )
