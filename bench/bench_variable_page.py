"""One variable's page of a dataset of 100,000 variables: its time and peak memory, which should
follow the variable, not the dataset.

    python -m bench.bench_variable_page                              # builds a home in a temporary folder
    python -m bench.bench_variable_page --home /tmp/big --rounds 3 --against /tmp/old-checkout

The home holds one registry dataset of `--variables` variables (each with a label, every fifth
without a description so that the validation report has findings about many of them), its
validation report as the pipeline stores it, and published counts of five codes for every
variable (`store.save_counts`), in SQLite; no search index (the page is made without
what a search finds, as while the cluster cannot serve: that part follows the variable anyway).
A home built once is reused when `--home` names it again.

Each page is asked in its own process (this checkout's code, or `--against`'s, alternating round
by round): after one warm-up page of another variable, the process's peak RSS is reset
(`/proc/self/clear_refs`), the page is asked, and its time and its peak RSS above the RSS before
it are printed, with a digest of its HTML (which must be the same for both checkouts).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HERE = Path(__file__).resolve().parents[1]
BASE = "https://registry.example/npr"
PAGE = r"""
import hashlib, json, sys, time
from pathlib import Path
home, warm, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
from catalog.config import Settings
from web import create_app
client = create_app(Settings.load(Path(home))).test_client()

def kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)

assert client.get(f"/variables/{warm}").status_code == 200
out = []
for key in keys:
    Path("/proc/self/clear_refs").write_text("5")
    before = kib("VmRSS")
    started = time.perf_counter()
    reply = client.get(f"/variables/{key}?lang=en")
    seconds = time.perf_counter() - started
    assert reply.status_code == 200, (key, reply.status_code)
    out.append({"key": key, "seconds": seconds, "peak_mib": (kib("VmHWM") - before) / 1024,
                "sha256": hashlib.sha256(reply.data).hexdigest(), "bytes": len(reply.data)})
print(json.dumps(out))
"""


def build(home: Path, variables: int) -> list[str]:
    """The home's one dataset of `variables` variables, stored as a harvest stores it; the keys of
    its first, middle and last variable and of one to warm up with."""
    from catalog.config import Settings
    from catalog.disclosure import PublishedCount, PublishedTable, published_json
    from catalog.model import Variable, content_hash, key_for
    from catalog.store import SQLiteStore
    from catalog.validation import validate_record
    from tests.factories import mfr_dataset

    uris = [f"{BASE}/variabel/V{i:06d}" for i in range(variables)]
    keys = [key_for(uris[i]) for i in (1, 0, variables // 2, variables - 1)]
    settings = Settings.load(home)
    if settings.db_path.exists():
        return keys
    d = mfr_dataset(
        uri=f"{BASE}/dataset/episoder",
        variables=[
            Variable(
                uri=uri,
                name=f"V{i:06d}",
                title={"nb": f"Variabel {i}", "en": f"Variable {i}"},
                description={} if i % 5 == 0 else {"nb": f"Opplysning nummer {i} om episoden."},
                datatype="integer",
            )
            for i, uri in enumerate(uris)
        ],
    )
    report = validate_record(d)
    store = SQLiteStore(settings.db_path)
    run = store.start_run("npr")
    store.put("npr", run, d, content_hash(d), None, report.conforms, report.to_dict())
    store.finish_run(run, "ok", {})
    counts = (PublishedCount("1", 1200), PublishedCount("2", 800), PublishedCount("3", None), PublishedCount(None, 40))
    tables = [PublishedTable(uri, counts, 2045, 5, 5) for uri in uris]
    store.save_counts(d.uri, "npr", "{}", "bench", published_json(tables), "bench")
    store.close()
    return keys


def pages(checkout: Path, home: Path, warm: str, keys: list[str]) -> list[dict[str, object]]:
    """The pages of `keys`, each asked in one process running `checkout`'s code."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", PAGE, str(home), warm, *keys], cwd=checkout, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"the page process of {checkout} failed: {done.stderr[-2000:]}")
    answer: list[dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variables", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="where to build the home (or reuse one built there)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout, measured in turns with this one")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-variable-page-"))
    started = time.perf_counter()
    warm, *keys = build(home, args.variables)
    print(f"home {home}: one dataset of {args.variables:,} variables ready in {time.perf_counter() - started:.1f} s")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    checkouts = {"this": HERE, **({"against": args.against.resolve()} if args.against else {})}
    seen: dict[str, list[dict[str, object]]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, checkout in checkouts.items():
            seen[name] += pages(checkout, home, warm, keys)
    for name, rows in seen.items():
        seconds = [float(str(r["seconds"])) * 1000 for r in rows]
        peaks = [float(str(r["peak_mib"])) for r in rows]
        print(
            f"{name}: {len(rows)} pages, median {statistics.median(seconds):.1f} ms (max {max(seconds):.1f}), "
            f"peak RSS above the page's start median {statistics.median(peaks):.1f} MiB (max {max(peaks):.1f})"
        )
    digests = {name: {(str(r["key"]), str(r["sha256"])) for r in rows} for name, rows in seen.items()}
    if len({frozenset(d) for d in digests.values()}) > 1:
        print("the pages differ between the checkouts")
        return 1
    if len(checkouts) > 1:
        print(f"the {len(keys)} pages are byte-identical in both checkouts")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
