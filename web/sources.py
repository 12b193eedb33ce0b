"""Source (publisher) pages: what each source holds, its harvest history, its errors and quality.

Errors shown are those of the last finished run only, and all of them: a publisher fixing its
feed needs the complete list for now, not a top 20 mixed with runs that are long fixed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from catalog.readiness import Coverage, coverage
from catalog.store import Run, RunError
from web import charts
from web.explorer import quality_labels, source_title, store
from web.quality import QualityScore, publisher_quality, score_chart

bp = Blueprint("sources", __name__, url_prefix="/sources")
HISTORY = 30


@dataclass
class SourceSummary:
    name: str
    title: str
    category: str
    protocol: str
    url: str
    datasets: int = 0
    codelists: int = 0
    variables: int = 0
    conforming: int = 0
    last_run: Run | None = None

    @property
    def records(self) -> int:
        return self.datasets + self.codelists

    @property
    def conformance(self) -> float:
        return round(100 * self.conforming / self.records, 1) if self.records else 0.0


@dataclass
class SourceView:
    summary: SourceSummary
    runs: list[Run]
    errors_run: Run | None
    errors: list[RunError]
    findings: list[tuple[str, str, str, int]]  # severity, path, message, count
    quality: QualityScore  # the mean of its datasets' scores
    readiness: Coverage  # which of its datasets reach the EHDS feed


def summaries() -> list[SourceSummary]:
    settings = current_app.config["SETTINGS"]
    stats = store().source_stats()
    names = sorted(set(settings.sources) | set(stats) | {r.source for r in store().runs(limit=500)})
    out = []
    for name in names:
        src = settings.sources.get(name)
        s = stats.get(name, {})
        out.append(
            SourceSummary(
                name,
                source_title(name),
                src.category if src else "",
                src.kind if src else "",
                src.url if src else "",
                s.get("dataset", 0),
                s.get("codelist", 0),
                s.get("variable", 0),
                s.get("conforming", 0),
                store().last_run(name),
            )
        )
    return out


def source_view(name: str) -> SourceView:
    summary = next((s for s in summaries() if s.name == name), None)
    if summary is None:
        abort(404, f"No source named {name}.")
    finished = store().last_finished_run(name)
    counted: Counter[tuple[str, str, str]] = Counter()
    for report in store().validations(name):
        for f in report.get("findings", []):
            counted[
                (
                    f.get("severity") or "",
                    (f.get("path") or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                    f.get("message") or "",
                )
            ] += 1
    findings = [(sev, path, msg, n) for (sev, path, msg), n in counted.most_common(50)]
    return SourceView(
        summary,
        store().runs(name, HISTORY),
        finished,
        store().errors(finished.id) if finished else [],
        findings,
        publisher_quality(store().records(name, kind="dataset")),
        coverage(store(), current_app.config["SETTINGS"], name),
    )


def conformance_chart(items: list[SourceSummary]) -> Any:
    return charts.bars(
        _("Share of records that conform to HealthDCAT-AP, per source"),
        [charts.Bar(s.title, s.conformance, "ok" if s.conformance >= 90 else "bar") for s in items if s.records],
        100,
        " %",
    )


def runs_chart(runs: list[Run]) -> Any:
    return charts.bars(
        _("Records harvested per run (newest first)"),
        [
            charts.Bar(
                f"#{r.id} {r.started[:10]}",
                sum(r.counts.get(k, 0) for k in ("new", "changed", "unchanged")),
                r.status,
                f"({r.status}, {r.counts.get('errors', 0)} " + _("errors") + ")",
            )
            for r in runs
        ],
    )


@bp.get("/")
def index() -> str:
    items = summaries()
    return render_template("sources.html", sources=items, chart=conformance_chart(items))


@bp.get("/<name>")
def source(name: str) -> str:
    view = source_view(name)
    findings_chart = charts.bars(
        _("Most frequent validation findings"),
        [charts.Bar(f"{path or '–'}: {sev}", n) for sev, path, _m, n in view.findings[:10]],
    )
    quality_chart = (
        score_chart(_("Mean quality score of the datasets, by dimension"), view.quality, quality_labels())
        if view.summary.datasets
        else None
    )
    return render_template(
        "source.html",
        view=view,
        s=view.summary,
        runs_chart=runs_chart(view.runs),
        findings_chart=findings_chart,
        quality_chart=quality_chart,
        labels=quality_labels(),
    )
