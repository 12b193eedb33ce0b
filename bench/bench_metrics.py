"""What monitoring costs: a /metrics scrape over a year of runs, and the counting on every request.

    python -m bench.bench_metrics [--runs 42000] [--sources 115] [--requests 3000]

1. A store with `runs` finished harvest runs spread over `sources` (default: a year of 115
   sources harvested daily; rows written straight into the runs table, as the pipeline's
   `finish_run` would leave them), then GET /metrics through the Flask app 20 times: the harvest
   figures are summed from the runs table at each scrape. Baseline in the same run: GET /healthz
   (a request that reads nothing), so the ratio is the scrape's cost in requests.
2. GET /healthz `requests` times with the per-request counting (`web.metrics.instrument`) and
   `requests` times on the same app with it taken out: the difference is what counting costs
   each request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from catalog.config import Settings, SourceConfig
from catalog.store import SQLiteStore
from web import create_app, metrics


def timings(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=42_000)
    parser.add_argument("--sources", type=int, default=115)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    settings = Settings.load(tempfile.mkdtemp(prefix="bench-metrics-"))
    for i in range(args.sources):
        settings.sources[f"source{i}"] = SourceConfig(name=f"source{i}", kind="dcat", url=f"http://127.0.0.1:9/{i}")
    store = SQLiteStore(settings.db_path)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    counts = json.dumps({"new": 2, "changed": 5, "unchanged": 400, "deleted": 0, "invalid": 1, "errors": 3})
    rows = []
    for i in range(args.runs):
        began = start + timedelta(minutes=12.5 * i)
        rows.append(
            (
                f"source{i % args.sources}",
                began.isoformat(timespec="microseconds"),
                (began + timedelta(seconds=5 + i % 900)).isoformat(timespec="microseconds"),
                "failed" if i % 17 == 0 else "ok",
                counts,
            )
        )
    with store.transaction() as db:
        db.executemany("INSERT INTO runs(source, started, finished, status, counts) VALUES (?,?,?,?,?)", rows)
    app = create_app(settings)
    client = app.test_client()
    client.get("/metrics")
    scrape = timings(lambda: client.get("/metrics"), 20)
    health = timings(lambda: client.get("/healthz"), 200)
    size = len(client.get("/metrics").data)
    print(
        f"/metrics over {args.runs:,} runs of {args.sources} sources ({size / 1024:.0f} KiB): "
        f"median {statistics.median(scrape) * 1000:.1f} ms, p95 {p95(scrape) * 1000:.1f} ms; "
        f"baseline /healthz median {statistics.median(health) * 1000:.2f} ms "
        f"(a scrape costs {statistics.median(scrape) / statistics.median(health):.0f} requests)"
    )

    counted = timings(lambda: client.get("/healthz"), args.requests)
    with patch.object(metrics, "instrument", lambda app: None):
        plain = create_app(settings).test_client()
    uncounted = timings(lambda: plain.get("/healthz"), args.requests)
    a, b = statistics.median(counted), statistics.median(uncounted)
    print(
        f"per request, {args.requests:,} GET /healthz: counted median {a * 1e6:.0f} µs, "
        f"uncounted {b * 1e6:.0f} µs: counting costs {(a - b) * 1e6:.0f} µs ({a / b:.2f}×)"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
