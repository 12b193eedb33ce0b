"""Load: 20 concurrent clients for 60 s against the search pages and the API, on loopback.

    python -m bench.load [--seconds 60] [--clients 20] [--scale 1]

The catalogue is harvested for real from the publisher simulator (every source kind), then
served by waitress in its own process, as in production. Clients mix what researchers and
harvesters do: search pages with facets, the JSON search and suggest APIs, variable and dataset
pages, and DCAT feed pages. Prints requests/s and p50/p95 per kind, and every error; exits 1 on
any error (a 5xx, a refused connection or a timeout). Bounded: it stops after --seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

WORDS = [
    "fødselsvekt",
    "røyking",
    "diagnose",
    "blodtrykk",
    "alder",
    "kjønn",
    "kommune",
    "vekt",
    "svangerskap",
    "legemiddel",
    "kreft",
    "diabetes",
    "hjerteinfarkt",
    "hjerneslag",
    "bmi",
    "apgar",
    "C50",
    "MORS_ALDER",
    "fodselsvekt",
    "birth weight",
    "atc",
    "dødsårsak",
    "vaksine",
]


def build(home: Path, scale: float) -> None:
    from catalog.config import Settings
    from catalog.pipeline import harvest, reindex
    from catalog.search import open_backend
    from catalog.store import SQLiteStore
    from simulator import Simulator

    settings = Settings.load(home)
    with Simulator(seed=0, scale=scale) as sim:
        for src in sim.source_configs():
            settings.sources[src.name] = src
        settings.save_sources()
        store, index = SQLiteStore(settings.db_path), open_backend(settings)
        harvest(settings, store, index)
        reindex(settings, store, index)


def serve(home: str, port: int) -> None:
    import logging

    from waitress import serve as waitress_serve

    logging.getLogger("waitress").setLevel(logging.ERROR)  # queue-depth notices are expected under load

    from catalog.config import Settings
    from web import create_app

    waitress_serve(create_app(Settings.load(home)), host="127.0.0.1", port=port, threads=8, _quiet=True)


def targets(base: str, rnd: random.Random, keys: dict[str, list[str]]) -> tuple[str, str]:
    word = rnd.choice(WORDS)
    choice = rnd.random()
    if choice < 0.35:
        return "search page", f"{base}/search?q={word}" + (rnd.random() < 0.5) * "&source_kind=central-registry"
    if choice < 0.6:
        return "api search", f"{base}/api/search?q={word}"
    if choice < 0.7:
        return "api suggest", f"{base}/api/suggest?q={word[:3]}"
    if choice < 0.85:
        return "variable page", f"{base}/variables/{rnd.choice(keys['variable'])}"
    if choice < 0.95:
        return "dataset page", f"{base}/datasets/{rnd.choice(keys['dataset'])}"
    return "feed page", f"{base}/catalog?page={rnd.randint(1, 3)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="load-"))
    started = time.perf_counter()
    build(home, args.scale)
    print(f"catalogue harvested from the simulator (scale {args.scale}) in {time.perf_counter() - started:.0f} s")
    from catalog.store import SQLiteStore

    store = SQLiteStore(home / "catalog.sqlite")
    keys = {"dataset": [r.key for r in store.records(kind="dataset")]}
    keys["variable"] = [v for (v,) in store.db.execute("SELECT key FROM variables LIMIT 5000")]
    port = 8700 + random.randint(0, 200)
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(str(home), port), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(base + "/api/search?q=x", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        session = requests.Session()
        while time.perf_counter() < deadline:
            kind, url = targets(base, rnd, keys)
            t0 = time.perf_counter()
            try:
                status = session.get(url, timeout=10).status_code
                failed = f"{status} {url}" if status >= 500 else None
            except requests.RequestException as exc:
                failed = f"{type(exc).__name__} {url}"
            with lock:
                times[kind].append(time.perf_counter() - t0)
                if failed:
                    errors.append(failed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.terminate()
    total = sum(len(v) for v in times.values())
    print(
        f"{args.clients} clients for {args.seconds:.0f} s: {total} requests, {total / args.seconds:.0f} req/s, "
        f"{len(errors)} errors"
    )
    for kind, values in sorted(times.items()):
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]
        print(
            f"  {kind:<14} {len(values):>6} requests  p50 {statistics.median(values) * 1000:6.0f} ms  "
            f"p95 {p95 * 1000:6.0f} ms"
        )
    everything = sorted(x for v in times.values() for x in v)
    print(f"  {'all':<14} {total:>6} requests  p95 {everything[int(total * 0.95) - 1] * 1000:6.0f} ms")
    for e in errors[:20]:
        print("  error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
