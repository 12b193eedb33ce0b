"""Source (publisher) pages: what each source holds and how to get at it, for researchers; its
harvest history, errors and quality, for publishers (folded away).

A source is described from its datasets: who publishes it, whom it covers, the years its data
span, how many people it holds and where one applies (`catalog.access`).

Errors shown are those of the last finished run only, and all of them: a publisher fixing its
feed needs the complete list for now, not a top 20 mixed with runs that are long fixed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from catalog.access import Route, routes
from catalog.confirmations import Holder, source_holder
from catalog.model import Dataset, LangText
from catalog.readiness import Assessed, Coverage, RuleHints, kit_feeds
from catalog.store import Run, RunError, StoredRecord
from catalog.validation import stored_by_rule
from web import charts
from web.display import pick
from web.explorer import quality_labels, source_title, store
from web.i18n import current
from web.quality import QualityScore, publisher_quality, score_chart

bp = Blueprint("sources", __name__, url_prefix="/sources")
T = TypeVar("T")
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
    records: int = 0  # live records of every kind: datasets, code lists, services, products
    conforming: int = 0
    last_run: Run | None = None

    @property
    def conformance(self) -> float:
        return round(100 * self.conforming / self.records, 1) if self.records else 0.0


@dataclass
class DatasetLine:
    key: str
    title: LangText
    description: LangText
    start: int | None
    end: int | None
    variables: int


@dataclass
class About:
    """What a researcher wants to know of a source, gathered from its datasets."""

    publishers: Counter[str] = field(default_factory=Counter)
    populations: list[LangText] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    still_open: bool = False
    individuals: int | None = None  # the largest number any of its datasets states
    datasets: list[DatasetLine] = field(default_factory=list)
    first_seen: list[str] = field(default_factory=list)  # when the catalogue first held each (its confirmation line)

    def add(self, stored: StoredRecord) -> None:
        from web.display import year

        d = stored.record
        if not isinstance(d, Dataset):
            return
        self.first_seen.append(stored.first_seen)
        if d.publisher and d.publisher.name:
            self.publishers[pick(d.publisher.name, current())] += 1  # its name in the page's language
        if d.population_coverage and d.population_coverage not in self.populations:
            self.populations.append(d.population_coverage)
        start, end = year(d.temporal_start), year(d.temporal_end)
        if start:
            self.start = min(self.start or start, start)
        if end:
            self.end = max(self.end or end, end)
        elif start:
            self.still_open = True
        if d.number_of_unique_individuals:
            self.individuals = max(self.individuals or 0, d.number_of_unique_individuals)
        self.datasets.append(DatasetLine(stored.key, d.title, d.description, start, end, len(d.variables)))

    def gather(self, records: Iterable[StoredRecord]) -> Iterator[StoredRecord]:
        """Passes the records through, noting each (one read of the store for this, the hints, the
        quality, the readiness and the confirmation line)."""
        for stored in records:
            self.add(stored)
            yield stored
        self.datasets.sort(key=lambda x: (x.start or 0, next(iter(x.title.values()), "")))


@dataclass
class SourceView:
    summary: SourceSummary
    runs: list[Run]
    errors_run: Run | None
    errors: list[RunError]
    findings: list[tuple[str, str, str, int]]  # severity, path, message, count
    hints: dict[tuple[str, str, str], str]  # each of their rules -> its fix hint in the source's format
    quality: QualityScore  # the mean of its datasets' scores
    readiness: Coverage  # which of its datasets reach the EHDS feed
    about: About
    holder: Holder | None  # its confirmation line (`catalog.confirmations`); None when it holds no dataset
    route: Route
    conformance: tuple[int, int] = (0, 0)  # live records, and how many do not conform now
    last_good: str | None = None  # when its latest successful harvest finished: what the catalogue shows


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
                s.get("records", 0),
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
    findings = stored_by_rule(store().validations(name))
    about = About()
    settings = current_app.config["SETTINGS"]
    kits = kit_feeds(store(), settings)  # a feed the publisher kit wrote: its hints name the kit's keys
    hints = RuleHints(settings.sources.get(name), name in kits)
    readiness = Assessed(settings, kits)  # the same read of its datasets, once
    quality = publisher_quality(readiness.gather(hints.gather(about.gather(store().records(name, kind="dataset")))))
    return SourceView(
        summary,
        store().runs(name, HISTORY),
        finished,
        store().errors(finished.id) if finished else [],
        findings,
        hints.hints,
        quality,
        readiness.coverage(store()),
        about,
        source_holder(store(), current_app.config["SETTINGS"], name, about.first_seen),
        routes().for_source(name, current_app.config["SETTINGS"].sources.get(name)),
        store().conformance(name),
        store().last_harvest(name),
    )


def conformance_chart(items: list[SourceSummary]) -> Any:
    return charts.bars(
        _("Share of records that conform to HealthDCAT-AP, per source"),
        [charts.Bar(s.title, s.conformance, "ok" if s.conformance >= 90 else "bar") for s in items if s.records],
        100,
        " %",
    )


def runs_chart(runs: list[Run]) -> Any:
    from web.i18n import day
    from web.labels import enumeration

    return charts.bars(
        _("Records harvested per run (newest first)"),
        [
            charts.Bar(
                f"#{r.id} {day(r.started)}",
                sum(r.counts.get(k, 0) for k in ("new", "changed", "unchanged")),
                r.status,
                "("
                + _(
                    "%(status)s, %(num)s errors",
                    status=enumeration("run_status", r.status).text,
                    num=r.counts.get("errors", 0),
                )
                + ")",
            )
            for r in runs
        ],
    )


NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})
"""Æ, Ø and Å after Z, in that order, as a Norwegian reader looks for them."""


def title_order(title: str) -> str:
    """A source's title as the list of sources sorts it: case ignored, æ ø å last."""
    return title.casefold().translate(NORWEGIAN_ORDER)


def by_title(rows: Mapping[str, T]) -> list[tuple[str, T]]:
    """A table's rows by source name, in the order of the sources' titles (`title_order`), as
    the list of sources has them: by name the EHDS pages read "Dødsårsaksregisteret, Norsk
    diabetesregister for voksne, Gastronet"."""
    return sorted(rows.items(), key=lambda kv: (title_order(source_title(kv[0])), kv[0]))


@bp.get("/")
def index() -> str:
    """Sources by title, as a reader scans for one (by configuration name the list read "Barnediabetes-
    registeret, Dødsårsaksregisteret, Norsk diabetesregister, Gastronet, ...")."""
    items = sorted(summaries(), key=lambda s: (title_order(s.title), s.name))
    return render_template("sources.html", sources=items, chart=conformance_chart(items))


@bp.get("/<name>")
def source(name: str) -> str:
    view = source_view(name)
    quality_chart = (
        score_chart(_("Mean metadata quality score of the datasets, by dimension"), view.quality, quality_labels())
        if view.summary.datasets
        else None
    )
    return render_template(
        "source.html",
        view=view,
        s=view.summary,
        runs_chart=runs_chart(view.runs),
        quality_chart=quality_chart,
        labels=quality_labels(),
    )
