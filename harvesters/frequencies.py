"""Registries' frequency tables: a CSV or XLSX file of `variable, code, count` beside a variable list.

Registries that publish aggregates beside their variable lists (a spreadsheet source's
`options.frequencies_url`, a CKAN resource named like "frekvenser") do so as one row per code of
a variable: Variabel;Kode;Antall (Norwegian or English headings, optionally a column saying
whether the code is a missing value). A row without a code, or with the code "Totalt" / "I alt" /
"Total", states the variable's total; values the codes do not cover then become an uncoded count.

The file is read as variable lists are (`harvesters.varlist`: encodings, separators, XLSX checked
for zip bombs and entity declarations before openpyxl sees it, a workbook's first sheet with the
table's headings read, its cells merged down filled), and each bad row is a `Problem`
naming the row, so one bad row never costs the rest. The counts go to `catalog.disclosure`; they
never become part of a record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.disclosure import CountsError, DatasetCounts, Table, table_of
from catalog.model import CodeList, Variable
from harvesters.varlist import HEADER_SCAN_ROWS, Layout, Problem, VarlistError, _norm, cell_text, table_rows

HEADINGS = {
    **dict.fromkeys(("variabel", "variabelnavn", "variable", "variable name", "navn", "name"), "variable"),
    **dict.fromkeys(("kode", "verdi", "code", "value", "kategori", "category", "svar"), "code"),
    **dict.fromkeys(("antall", "count", "n", "frekvens", "frequency", "freq", "antall personer"), "count"),
    **dict.fromkeys(("mangler", "manglende", "missing", "ugyldig", "manglende verdi"), "missing"),
    **dict.fromkeys(("etikett", "label", "tekst", "kodetekst"), "label"),
}
TOTAL_CODES = {"", "total", "totalt", "i alt", "sum", "alle", "all"}
YES = {"1", "ja", "j", "yes", "y", "true", "x", "sann"}


@dataclass
class Frequencies:
    """A frequency file read: per variable name its (code, count, missing flag or None) rows and total."""

    rows: dict[str, list[tuple[str, int, bool | None]]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _fields(row: list[Any]) -> list[str | None]:
    return [HEADINGS.get(_norm(c)) for c in row]


def _header(rows: list[list[Any]]) -> int | None:
    """0-based index of the first row naming the variable, code and count columns."""
    return next(
        (i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if {"variable", "code", "count"} <= set(_fields(row))), None
    )


def read_frequencies(
    content: bytes,
    *,
    url: str,
    options: Mapping[str, Any] | None = None,
    content_type: str = "",
    charset: str | None = None,
) -> Frequencies:
    """The rows of a frequency file; raises `VarlistError` when it cannot be read at all."""
    layout = Layout.from_options({k: v for k, v in (options or {}).items() if k in ("encoding", "delimiter")})
    out = Frequencies()
    found = table_rows(content, url, content_type, charset, layout, out.problems, _header)
    if found is None:
        raise VarlistError(
            "no header row found: expected the columns Variabel, Kode and Antall (variable, code, count)"
        )
    rows, start = found
    fields = _fields(rows[start])
    seen: set[tuple[str, str]] = set()
    for index in range(start + 1, len(rows)):
        row = index + 1
        cells = {f: cell_text(v) for f, v in zip(fields, rows[index], strict=False) if f}
        name, code, count = cells.get("variable", ""), cells.get("code", ""), cells.get("count", "")
        if not name and not code and not count:
            continue
        where = f"row {row}" + (f" ({name})" if name else "")
        if not name:
            out.problems.append(Problem(f"{where}: the row names no variable, so it was skipped", where, "variable"))
            continue
        if not count.isdigit():
            out.problems.append(
                Problem(
                    f"{where}: the count {count!r} is not a whole number >= 0, so the row was skipped", where, "count"
                )
            )
            continue
        if code.lower() in TOTAL_CODES:
            out.totals[name] = int(count)
            continue
        if (name, code) in seen:
            out.problems.append(Problem(f"{where}: the code {code!r} occurs twice; the first was kept", where, "code"))
            continue
        seen.add((name, code))
        missing = cells.get("missing", "").lower()
        out.rows.setdefault(name, []).append((code, int(count), (missing in YES) if missing else None))
    return out


def dataset_counts(
    dataset_uri: str, frequencies: Frequencies, variables: Sequence[Variable], codelists: Sequence[CodeList]
) -> tuple[DatasetCounts, list[Problem]]:
    """The dataset's counts for the variables the frequency file names; each problem names the variable.

    A code's missing-value flag comes from the file when it has the column, else from the code list."""
    by_name = {v.name: v for v in variables}
    missing_codes = {cl.uri: {c.code for c in cl.concepts if c.missing} for cl in codelists}
    problems: list[Problem] = []
    tables: list[Table] = []
    for name in sorted(set(frequencies.rows) | set(frequencies.totals)):
        variable = by_name.get(name)
        if variable is None:
            problems.append(
                Problem(f"the frequency table names {name}, which is not in the variable list", name, "variable")
            )
            continue
        missing = missing_codes.get(variable.codelist or "", set())
        rows = [
            (code, count, flag if flag is not None else code in missing)
            for code, count, flag in frequencies.rows.get(name, [])
        ]
        try:
            tables.append(table_of(variable.uri, rows, total=frequencies.totals.get(name)))
        except CountsError as exc:
            problems.append(Problem(f"{name}: {exc}; its counts were left out", name, "count"))
    order = {v.uri: i for i, v in enumerate(variables)}
    tables.sort(key=lambda t: order[t.variable])
    return DatasetCounts(dataset_uri, tuple(tables)), problems
