"""`/metrics` in the Prometheus text format (prometheus_client).

Two kinds of figures, each kept where it is true:

- **Counted in the web processes**: requests and their durations per endpoint, the search
  backend's time per query (what the search caches did not answer), hits and misses of the search
  caches and the feed page cache, and feed requests by profile, format and answer. With
  `catalog serve --workers N` every worker counts in its own files in a directory private to the
  service (prometheus_client's multiprocess mode, set up by `catalog serve` before the workers
  fork), and `/metrics`, whichever worker answers it, sums them all. A single process counts in
  memory.
- **Derived from the store when scraped**: harvest runs, records, errors and durations per source,
  the last run's status and time, live records, index documents, admin requests waiting. The
  harvesting process (the scheduler, a `catalog harvest` from cron, on any host) writes every run
  to the store, which is the truth, so any explorer reports them correctly without the harvester
  keeping or pushing counters, and a restart loses nothing. Several explorers report the same
  figures: aggregate those with `max`, not `sum`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from catalog.config import SourceConfig, metrics_directory
from catalog.search import SearchQuery, SearchResult
from catalog.store import StoreReader

disable_created_metrics()  # `_created` series per label set: noise for counters nobody resets

log = logging.getLogger(__name__)

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
HARVEST_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)

HTTP_REQUESTS = Counter(
    "catalog_http_requests", "HTTP requests answered, by endpoint, method and status", ["endpoint", "method", "status"]
)
HTTP_SECONDS = Histogram(
    "catalog_http_request_duration_seconds",
    "Time to answer a request (to its first byte for streamed ones), by endpoint",
    ["endpoint"],
    buckets=HTTP_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "catalog_search_duration_seconds",
    "Time the search backend took per query (searches the caches answered are not counted)",
    ["backend", "operation"],
    buckets=SEARCH_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "catalog_cache_lookups",
    "Lookups in the web's caches, by cache and result (hit or miss): the hit rate is hits / all",
    ["cache", "result"],
)
FEED_REQUESTS = Counter(
    "catalog_feed_requests",
    "Requests for the DCAT feed (/catalog), by profile, format and answer "
    "(rendered, cached, not_modified, dump, refused)",
    ["profile", "format", "answer"],
)


def cache_lookup(cache: str, hit: bool) -> None:
    """Count a lookup in one of the web's caches."""
    CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss").inc()


def feed_request(profile: str, fmt: str, answer: str) -> None:
    FEED_REQUESTS.labels(profile, fmt, answer).inc()


class TimedSearch:
    """The search backend, with each search and suggestion timed into SEARCH_SECONDS."""

    def __init__(self, backend: Any):
        self.backend = backend
        self.name: str = backend.name
        self._search = SEARCH_SECONDS.labels(self.name, "search")
        self._suggest = SEARCH_SECONDS.labels(self.name, "suggest")

    def search(self, query: SearchQuery) -> SearchResult:
        with self._search.time():
            result: SearchResult = self.backend.search(query)
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        with self._suggest.time():
            found: list[str] = self.backend.suggest(prefix, limit)
        return found

    def generation(self) -> Hashable:
        generation: Hashable = self.backend.generation()
        return generation

    def __getattr__(self, name: str) -> Any:  # count, upsert, synonyms ...: as the backend has them
        return getattr(self.backend, name)


class CatalogCollector(Collector):
    """Figures read from the store, the index and the admin spool at each scrape.

    Each of the three is read whole or not at all: when one cannot be read (the database is down,
    the search cluster unreachable) its figures are left out, `catalog_metrics_readable{part}` says
    0, and the rest of the scrape (the web's own counts among it) still answers."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        readable = GaugeMetricFamily(
            "catalog_metrics_readable",
            "1 when this scrape could read the part (store, index, admin_requests), 0 when it could not",
            labels=["part"],
        )
        parts: dict[str, Callable[[], Iterable[Metric]]] = {
            "store": self._store,
            "index": self._index,
            "admin_requests": self._admin_requests,
        }
        for part, read in parts.items():
            try:
                metrics = list(read())
            except Exception as exc:  # noqa: BLE001 - monitoring must answer most when something fails
                log.warning("metrics: the %s could not be read: %s", part, exc)
                metrics = []
            readable.add_metric([part], 1 if metrics else 0)
            yield from metrics
        yield readable

    def _store(self) -> Iterator[Metric]:
        from web import store_of

        settings = self.app.config["SETTINGS"]
        store = store_of(self.app.extensions, settings)
        yield from harvest_metrics(store, settings.sources)
        records = GaugeMetricFamily("catalog_records", "Live records in the store, by kind", labels=["kind"])
        for kind in ("dataset", "codelist", "service", "product"):
            records.add_metric([kind], store.count(kind))
        yield records

    def _index(self) -> Iterator[Metric]:
        documents = GaugeMetricFamily("catalog_index_documents", "Documents in the search index")
        documents.add_metric([], self.app.extensions["search"].count())
        yield documents

    def _admin_requests(self) -> Iterator[Metric]:
        waiting = GaugeMetricFamily(
            "catalog_admin_requests", "Admin requests not yet carried out, by state", labels=["state"]
        )
        for state, n in self.app.extensions["admin_queue"].waiting().items():
            waiting.add_metric([state], n)
        yield waiting


def harvest_metrics(store: StoreReader, configured: Mapping[str, SourceConfig]) -> Iterator[Metric]:
    """Per source: runs by status, records by outcome, errors, durations, and the last run."""
    runs = CounterMetricFamily(
        "catalog_harvest_runs", "Finished harvest runs, by source and status", labels=["source", "status"]
    )
    records = CounterMetricFamily(
        "catalog_harvest_records",
        "Records harvested over all runs, by source and outcome (new, changed, unchanged, deleted, invalid)",
        labels=["source", "outcome"],
    )
    errors = CounterMetricFamily(
        "catalog_harvest_errors", "Errors recorded by harvest runs (a record, a page, or the source)", labels=["source"]
    )
    durations = HistogramMetricFamily(
        "catalog_harvest_duration_seconds",
        "Duration of finished harvest runs (ok or failed), by source and status",
        labels=["source", "status"],
    )
    totals: dict[tuple[str, str], int] = {}
    error_totals: dict[str, int] = {}
    for summary in store.run_summary(HARVEST_BUCKETS):
        runs.add_metric([summary.source, summary.status], summary.runs)
        error_totals[summary.source] = error_totals.get(summary.source, 0) + summary.counts["errors"]
        for outcome, n in summary.counts.items():
            if outcome != "errors":
                key = (summary.source, outcome)
                totals[key] = totals.get(key, 0) + n
        if summary.status in ("ok", "failed"):
            buckets = [(str(bound), n) for bound, n in zip(HARVEST_BUCKETS, summary.within, strict=True)]
            durations.add_metric([summary.source, summary.status], [*buckets, ("+Inf", summary.runs)], summary.seconds)
    for (source, outcome), n in sorted(totals.items()):
        records.add_metric([source, outcome], n)
    for source, n in sorted(error_totals.items()):
        errors.add_metric([source], n)
    yield from (runs, records, errors, durations)
    yield from last_run_metrics(store, configured)


def last_run_metrics(store: StoreReader, configured: Mapping[str, SourceConfig]) -> Iterator[Metric]:
    """Each configured source's latest run and success, and how often it is due (its interval), so
    that one alert rule finds every source whose harvests stopped (`deploy/prometheus/`): harvest
    jobs that had stopped unnoticed left a national portal's datasets missing (Felles datakatalog,
    fdk#1933)."""
    running = GaugeMetricFamily("catalog_harvest_running", "1 while a run of the source is going on", labels=["source"])
    last_status = GaugeMetricFamily(
        "catalog_harvest_last_status",
        "The status of the source's latest run (1 for it, 0 for the others): ok, failed, interrupted, running",
        labels=["source", "status"],
    )
    last_success = GaugeMetricFamily(
        "catalog_harvest_last_success_timestamp_seconds",
        "When the source's latest successful run finished (Unix time)",
        labels=["source"],
    )
    interval = GaugeMetricFamily(
        "catalog_harvest_interval_seconds",
        "How often the scheduler harvests the source (its interval_minutes); disabled sources are left out",
        labels=["source"],
    )
    for name in sorted(configured):
        if configured[name].enabled:
            interval.add_metric([name], 60 * configured[name].interval_minutes)
        last = store.last_run(name)  # a run whose harvester is gone reads as interrupted (`SQLStore.runs`)
        now = last.status if last is not None else None
        running.add_metric([name], 1 if now == "running" else 0)
        for status in ("ok", "failed", "interrupted", "running"):
            last_status.add_metric([name, status], 1 if now == status else 0)
        finished = store.last_harvest(name)
        if finished:
            last_success.add_metric([name], _unix(finished))
    yield from (running, last_status, last_success, interval)


def _unix(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def instrument(app: Flask) -> None:
    """Count every request by endpoint and status, and time it."""

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
        HTTP_REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        if started is not None:
            HTTP_SECONDS.labels(endpoint).observe(time.perf_counter() - started)
        return response


def multiprocess_mode() -> bool:
    return metrics_directory() is not None


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    if multiprocess_mode():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    derived = CollectorRegistry(auto_describe=False)
    derived.register(CatalogCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    body = generate_latest(counted) + generate_latest(derived)
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
