"""A dataset's quality score for the pages, from `catalog.quality` (the validation engineer's module).

The web only renders the score: it rebuilds the stored validation report and hands it with the
dataset to `catalog.quality.score_dataset`. Until that module is installed the pages show the
validation findings without a score (`quality_of` returns None), never an invented number.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from catalog.store import StoredRecord
from catalog.validation import Finding, Report
from web import charts


def stored_report(stored: StoredRecord) -> Report:
    raw = stored.validation or {}
    fields = {f.name for f in dataclasses.fields(Finding)}
    return Report(conforms=bool(stored.conforms),
                  findings=[Finding(**{k: v for k, v in f.items() if k in fields}) for f in raw.get("findings", [])],
                  profile=raw.get("profile", "healthdcat-ap"))


def quality_of(stored: StoredRecord) -> Any:
    try:
        from catalog.quality import score_dataset
    except ImportError:
        return None
    return score_dataset(stored.record, stored_report(stored))


def score_parts(score: Any) -> list[tuple[str, float]]:
    """The numeric parts of a score object (its total and each dimension), in declaration order."""
    data = dataclasses.asdict(score) if dataclasses.is_dataclass(score) else dict(vars(score))
    parts: list[tuple[str, float]] = []
    for name, value in data.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            parts.append((name, float(value)))
        elif isinstance(value, dict):
            parts += [(f"{k}", float(v)) for k, v in value.items() if isinstance(v, (int, float))
                      and not isinstance(v, bool)]
    return parts


def score_chart(title: str, score: Any) -> Any:
    parts = score_parts(score)
    top = 1.0 if parts and max(v for _, v in parts) <= 1.0 else 100.0
    return charts.bars(title, [charts.Bar(name.replace("_", " "), round(value, 2)) for name, value in parts], top)
