"""Store benchmark: the same work on SQLite and on PostgreSQL, side by side, in one run.

    python -m bench.bench_store                       # the simulated nation at scale 5 (~19,000 variables)
    python -m bench.bench_store --scale 1 --rounds 50
    CATALOG_DATABASE_URL=postgresql://user@db/bench python -m bench.bench_store   # your own server

PostgreSQL is a private cluster started for the run (Debian's binaries, as the tests start it:
`tests/postgres_server.py`) unless `CATALOG_DATABASE_URL` names a server; SQLite is the default
store in a temporary folder. For each backend, with the same simulator (in this process's
threads, on the same two cores):

1. a full harvest of every simulated source (`catalog.pipeline.harvest`, two worker processes,
   validation and renderings included, no search index: the store's share is what differs);
2. an unchanged re-harvest (nothing written but the runs);
3. reads as an explorer makes them: `--rounds` feed pages of 100 records (count, page, renderings)
   and dataset lookups by key, timed one by one (p50, p95);
4. `catalog export` of the whole catalogue as N-Triples, whose bytes must be the same on both but
   for the harvest times.

Printed: each figure per backend and PostgreSQL's ratio to SQLite (above 1: slower). The load
average is printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.config import Settings  # noqa: E402
from catalog.demo import DEMO_DEFAULTS  # noqa: E402
from catalog.export import catalog_graph, serialize  # noqa: E402
from catalog.pipeline import harvest  # noqa: E402
from catalog.store import StoreWriter, open_store  # noqa: E402
from harvesters import registry  # noqa: E402
from simulator import Simulator  # noqa: E402

STORE_TIME = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"')


T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def reads(settings: Settings, store: StoreWriter, rounds: int) -> tuple[list[float], list[float]]:
    total, _ = store.listing(limit=1)
    pages = max(1, total // 100)
    keys = [r.key for r in store.records(kind="dataset")]
    page_times, lookup_times = [], []
    for i in range(rounds):
        started = time.perf_counter()
        store.version()  # what a feed page asks the store: its version, the page, the renderings
        _total, rows = store.listing(offset=((i * 7) % pages) * 100, limit=100)
        store.renderings([r.uri for r in rows], "dcat-ap-3")
        page_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.get_by_key(keys[(i * 13) % len(keys)])
        lookup_times.append(time.perf_counter() - started)
    return page_times, lookup_times


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def run(name: str, url: str, sim: Simulator, home: Path, rounds: int) -> tuple[dict[str, float], bytes]:
    settings = Settings.load(home, database_url=url)
    kinds = registry()
    for src in sim.source_configs():
        if src.kind in kinds:
            src.options.setdefault("defaults", DEMO_DEFAULTS)
            settings.sources[src.name] = src
    store = open_store(settings)
    full, results = timed(lambda: harvest(settings, store, None, workers=2))
    failed = [r.line() for r in results if not r.ok]
    unchanged, _ = timed(lambda: harvest(settings, store, None, workers=2))
    pages, lookups = reads(settings, store, rounds)
    export_time, data = timed(lambda: serialize(catalog_graph(settings, store, "dcat-ap-3"), "nt"))
    variables = sum(len(r.dataset().variables) for r in store.records(kind="dataset"))
    print(
        f"{name:<10} {store.count():,} records, {variables:,} variables: full harvest {full:.1f} s, "
        f"unchanged {unchanged:.1f} s, feed page p50 {p(pages, 50):.1f} ms p95 {p(pages, 95):.1f} ms, "
        f"dataset by key p50 {p(lookups, 50):.2f} ms, export {export_time:.1f} s"
        + (f"; FAILED: {failed}" if failed else ""),
        flush=True,
    )
    figures = {
        "full": full,
        "unchanged": unchanged,
        "page p50": p(pages, 50),
        "page p95": p(pages, 95),
        "lookup p50": p(lookups, 50),
        "export": export_time,
    }
    return figures, STORE_TIME.sub(b"", data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    server = None
    pg_url = os.environ.pop("CATALOG_DATABASE_URL", "")
    if not pg_url:
        from tests.postgres_server import _start

        server = _start()
        pg_url = server.url(schema=server.new_schema())
    try:
        with Simulator(seed=0, scale=args.scale) as sim, tempfile.TemporaryDirectory() as tmp:
            sqlite, sqlite_nt = run(
                "SQLite", f"sqlite:///{Path(tmp) / 'catalog.sqlite'}", sim, Path(tmp) / "a", args.rounds
            )
            pg, pg_nt = run("PostgreSQL", pg_url, sim, Path(tmp) / "b", args.rounds)
    finally:
        if server is not None:
            server.stop()
    for figure, value in sqlite.items():
        print(f"PostgreSQL / SQLite, {figure}: {pg[figure] / value:.2f}")
    print("exports equal but for the harvest times:", pg_nt == sqlite_nt)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
