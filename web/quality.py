"""Quality scores for the pages, from `catalog.quality` (an MQA-like score per dataset and publisher).

The web only renders: it rebuilds each record's stored validation report and hands it with the
dataset to `catalog.quality`. Charts are the score's dimensions as percentages of their maximum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from catalog.model import Dataset
from catalog.quality import QualityScore, score_dataset, score_publisher
from catalog.store import StoredRecord
from catalog.validation import Finding, Report
from web import charts
from web.i18n import number

RATING_KIND = {"excellent": "ok", "good": "ok", "sufficient": "bar", "bad": "failed"}


def stored_report(stored: StoredRecord) -> Report | None:
    """The validation report stored with a record (None when it was never validated)."""
    if stored.validation is None:
        return None
    fields = {f.name for f in dataclasses.fields(Finding)}
    return Report(
        conforms=bool(stored.conforms),
        findings=[
            Finding(**{k: v for k, v in f.items() if k in fields}) for f in stored.validation.get("findings", [])
        ],
        profile=stored.validation.get("profile", "healthdcat-ap"),
    )


def quality_of(stored: StoredRecord) -> QualityScore:
    assert isinstance(stored.record, Dataset)
    return score_dataset(stored.record, stored_report(stored))


def publisher_quality(datasets: Iterable[StoredRecord]) -> QualityScore:
    return score_publisher(quality_of(s) for s in datasets if isinstance(s.record, Dataset))


def score_parts(score: QualityScore) -> dict[str, Any]:
    """The score as plain data for the API."""
    return {
        "percent": score.percent,
        "rating": score.rating,
        "points": score.total,
        "max": score.max,
        "dimensions": {name: {"points": p, "max": m} for name, (p, m) in score.dimensions.items()},
        "fixes": score.fixes,
    }


def score_chart(title: str, score: QualityScore, labels: dict[str, str]) -> Any:
    bars = [
        charts.Bar(
            labels.get("total", "total"),
            score.percent,
            RATING_KIND.get(score.rating, "bar"),
            f"({number(score.total)}/{number(score.max)})",
        )
    ]
    bars += [
        charts.Bar(labels.get(name, name), round(100 * p / m, 1) if m else 0.0, "bar", f"({number(p)}/{number(m)})")
        for name, (p, m) in score.dimensions.items()
        if m
    ]
    return charts.bars(title, bars, 100, " %")
