"""Benchmark: stream the whole simulated nation at 1,000,000+ variables over HTTP; time and peak memory.

    python bench/bench_simulator.py [--variables 1000000] [--workers 4]

Walks every source the way a harvester would (DCAT pages, CKAN search + each package's CSV
variable list, OAI-PMH ListRecords with resumption tokens, spreadsheets, KLASS, vardef,
microdata) and counts the variables that came over the wire. The baseline is the same walk of
the default nation (scale 1) in the same run; the ratios say how time per variable and peak
memory (ru_maxrss of this process, which also runs the server) hold up at scale.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.config import SourceConfig  # noqa: E402
from simulator import Simulator  # noqa: E402
from simulator.nation import scale_for  # noqa: E402

OAI_NEXT = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def walk_dcat(s: requests.Session, src: SourceConfig) -> int:
    url: str | None = src.url + ("?page_size=50" if "?" not in src.url else "&page_size=50")
    count = 0
    while url:
        body = s.get(url, headers={"Accept": "application/n-triples"}, timeout=600).content
        count += body.count(b"<http://www.w3.org/ns/csvw#name>")
        match = re.search(rb"<http://www.w3.org/ns/hydra/core#next> [<\"]([^>\"]+)[>\"]", body)
        url = match.group(1).decode() if match else None
    return count


def walk_ckan(s: requests.Session, src: SourceConfig) -> int:
    count, start = 0, 0
    while True:
        result = s.post(
            src.url + "api/3/action/package_search",
            timeout=600,
            json={"fq": f"organization:{src.options['organization']}", "rows": 100, "start": start},
        ).json()["result"]
        for pkg in result["results"]:
            csv_url = next(r["url"] for r in pkg["resources"] if r["format"] == "CSV")
            text = s.get(csv_url, timeout=600).content.decode("utf-8-sig")
            count += sum(1 for _ in csv.reader(io.StringIO(text), delimiter=";")) - 1
        start += 100
        if start >= result["count"]:
            return count


def walk_oai(s: requests.Session, src: SourceConfig) -> int:
    prefix = src.options["metadata_prefix"]
    marker = b"<var " if prefix == "oai_ddi25" else b"<l:Variable "
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": prefix}
    count = 0
    while True:
        body = s.get(src.url, params=params, timeout=600).content
        count += body.count(marker)
        match = OAI_NEXT.search(body)
        if not match:
            return count
        params = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()}


def walk_other(s: requests.Session, src: SourceConfig) -> int:
    if src.kind == "spreadsheet":
        text = s.get(src.options["csv_url"], timeout=600).content.decode("utf-8-sig")
        return sum(1 for _ in csv.reader(io.StringIO(text), delimiter=";")) - 1
    if src.kind == "vardef":
        return len(s.get(src.url, timeout=600).json())
    if src.kind == "microdata":
        store = s.get(src.url + "/data-store", timeout=600).json()
        structures = s.get(src.url + "/all", params={"version": store["versions"][0]["version"]}, timeout=600).json()[
            "dataStructures"
        ]
        return sum(len(d["identifierVariables"]) + 1 + len(d["attributeVariables"]) for d in structures)
    s.get(src.url + "/classifications", params={"includeCodelists": "true"}, timeout=600)
    return 0


WALKERS = {"dcat": walk_dcat, "ckan": walk_ckan, "oai-ddi": walk_oai}


def walk(scale: float, workers: int) -> tuple[int, int, int, float]:
    """(sources, variables received over HTTP, variables the generator expected, seconds)."""
    with Simulator(seed=0, scale=scale) as sim, requests.Session() as session:
        configs = sim.source_configs()
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            counts = list(pool.map(lambda c: WALKERS.get(c.kind, walk_other)(session, c), configs))
        elapsed = time.perf_counter() - started
        expected = sim.nation.estimate()["variables_estimate"]
    return len(configs), sum(counts), expected, elapsed


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variables", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    sources, variables, _est, seconds = walk(1.0, args.workers)
    base_rate, base_peak = variables / seconds, peak_mib()
    print(
        f"baseline  scale 1: {sources} sources, {variables:,} variables in {seconds:.1f} s "
        f"({base_rate:,.0f} variables/s), peak RSS {base_peak:.0f} MiB",
        flush=True,
    )

    scale = scale_for(args.variables)
    sources, variables, estimate, seconds = walk(scale, args.workers)
    rate, peak = variables / seconds, peak_mib()
    print(
        f"large scale {scale:.1f}: {sources} sources, {variables:,} variables (estimate {estimate:,}) in "
        f"{seconds:.1f} s ({rate:,.0f} variables/s), peak RSS {peak:.0f} MiB",
        flush=True,
    )
    print(f"ratio vs baseline: throughput x{rate / base_rate:.2f}, peak memory x{peak / base_peak:.2f}", flush=True)


if __name__ == "__main__":
    main()
