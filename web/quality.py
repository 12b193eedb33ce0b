"""Quality scores for the pages, from `catalog.quality` (an MQA-like score per dataset and publisher).

The web only renders: it rebuilds each record's stored validation report and hands it with the
dataset to `catalog.quality`. Charts are the score's dimensions as percentages of their maximum.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app

from catalog import profiles
from catalog.model import Dataset
from catalog.quality import QualityScore, score_dataset, score_publisher, stored_report
from catalog.store import StoredRecord
from web import charts
from web.i18n import number

RATING_KIND = {"excellent": "ok", "good": "ok", "sufficient": "bar", "bad": "failed"}


def quality_of(stored: StoredRecord) -> QualityScore:
    """The MQA-like score of what the EHDS feed publishes of the dataset (the source's statements
    completed by the operator), as the quality and utility label counts it."""
    settings = current_app.config["SETTINGS"]
    view = profiles.ehds().published(stored.record, settings, settings.sources.get(stored.source)).record
    assert isinstance(view, Dataset)
    return score_dataset(view, stored_report(stored))


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
