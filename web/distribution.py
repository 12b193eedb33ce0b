"""A variable's distribution as the pages and the API show it: the published view only.

The store keeps each dataset's published counts (`catalog.disclosure`); this module reads them,
joins each code's label from the variable's code list, and draws the bar chart. Raw counts are
never read here (nor anywhere in web/): what is not in the published view cannot be shown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from catalog.disclosure import PublishedTable, published_tables
from catalog.model import CodeList, LangText, text
from web import charts, i18n, store

OTHER = {"nb": "Andre verdier", "nn": "Andre verdiar", "en": "Other values"}
OTHER_MISSING = {"nb": "Andre manglende verdier", "nn": "Andre manglande verdiar", "en": "Other missing values"}
"""The labels of a table's rows without a code, in each UI language (a nynorsk page showed bokmål)."""
MAX_BARS = 40


@dataclass(frozen=True)
class Frequency:
    code: str | None
    label: LangText
    count: int | None  # None: suppressed
    missing: bool


def published_counts(dataset_uri: str) -> dict[str, PublishedTable]:
    """Variable URI -> its published table, for one dataset (empty when the source publishes no counts)."""
    return published_tables(store().published_counts(dataset_uri))


def published_table(dataset_uri: str, variable_uri: str) -> PublishedTable | None:
    """One variable's published table, read without its dataset's others (`store.published_table`):
    a variable's page of a registry's 100,000 variables decoded all of their tables for its own."""
    text = store().published_table(dataset_uri, variable_uri)
    return PublishedTable.from_dict(json.loads(text)) if text else None


def frequencies(table: PublishedTable | None, codelist: CodeList | None) -> list[Frequency]:
    if table is None:
        return []
    labels = {c.code: c.label for c in codelist.concepts} if codelist else {}
    return [
        Frequency(
            c.code,
            labels.get(c.code, {}) if c.code is not None else (OTHER_MISSING if c.missing else OTHER),
            c.count,
            c.missing,
        )
        for c in table.counts
    ]


def as_json(table: PublishedTable | None, rows: list[Frequency]) -> dict[str, Any]:
    """The API's fields: `frequencies` (count null where suppressed), `total` (null where it would
    reveal a suppressed count), `summary` and how the counts were protected."""
    if table is None:
        return {"frequencies": [], "total": None, "summary": None, "disclosure": None}
    return {
        "frequencies": [{"code": f.code, "label": f.label, "count": f.count, "missing": f.missing} for f in rows],
        "total": table.total,
        "summary": {
            "valid": table.valid,
            "missing": table.invalid,
            "mean": table.mean,
            "stdev": table.stdev,
            "minimum": table.minimum,
            "maximum": table.maximum,
        },
        "disclosure": {"threshold": table.threshold, "rounding": table.rounding, "suppressed": table.suppressed},
    }


def chart(name: str, rows: list[Frequency], locale: str) -> Markup | None:
    """Bars for the published counts; a suppressed count is a labelled empty row, never a guess."""
    shown = [f for f in rows if f.count is not None or f.code is not None][:MAX_BARS]
    if not any(f.count for f in shown):  # nothing but zeros and suppressed counts: the table says it
        return None
    bars = [
        charts.Bar(
            f"{f.code} {text(f.label, locale)}".strip() if f.code is not None else text(f.label, locale),
            math.nan if f.count is None else float(f.count),
            "missing" if f.missing else "bar",
            _("suppressed") if f.count is None else "",
        )
        for f in shown
    ]
    return charts.bars(_("Distribution of %(name)s", name=name), bars, number=lambda n: i18n.number(int(n)))
