"""Disclosure control: how long protecting a dataset's tables takes, and what it suppresses.

Workloads: the real FORS Nesstar codebook (573 variables sharing 2,141 cases, from ../shared), a
registry-sized dataset (500 variables of 20 codes over 3 million records, with the long tail of
rare codes the simulator gives), and one diagnosis variable with 10,000 codes. The baseline is the
same algorithm auditing all tables of a shared total together (no decomposition: every complement
re-audits every table), on the same input in the same run; the ratio says what protecting tables
one by one, once the shared total is public, saves.

Run from the repository root: python -m bench.bench_disclosure
"""

from __future__ import annotations

import dataclasses
import os
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from catalog import disclosure
from catalog.disclosure import DatasetCounts, Policy, protect_group, table_of

T = TypeVar("T")
FORS = Path(__file__).resolve().parents[1] / "../shared/real-world/oai-ddi/getrecord/fors-nesstar-ddi122.xml"


def fors() -> DatasetCounts | None:
    if not FORS.exists():
        return None
    from lxml import etree

    from catalog.config import SourceConfig
    from harvesters.oai_ddi import OaiDdiHarvester

    root = etree.parse(str(FORS)).getroot()
    harvester = OaiDdiHarvester(SourceConfig("fors", "oai-ddi", "http://fors.example/"), None)
    counts = harvester.study(next(root.iter("{*}codeBook")), "fors", None).counts
    return dataclasses.replace(counts, stated=frozenset({2141}))


def registry(variables: int, codes: int, total: int, seed: int = 1) -> DatasetCounts:
    from simulator.counts import frequencies

    rng = random.Random(seed)
    tables = []
    for v in range(variables):
        rows = frequencies(rng, [(f"{c:03d}", c == codes - 1) for c in range(codes)], total)
        tables.append(table_of(f"https://registry.example/v/{v}", list(rows)))
    return DatasetCounts("https://registry.example/d", tuple(tables), frozenset({total}))


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> int:
    policy = Policy(5, 5)
    workloads = {
        "FORS codebook (real)": fors(),
        "registry: 500 variables x 20 codes": registry(500, 20, 3_000_000),
        "diagnosis: 1 variable x 10,000 codes": registry(1, 10_000, 3_000_000),
    }
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for name, counts in workloads.items():
        if counts is None:
            print(f"{name}: skipped, {FORS} is absent")
            continue
        seconds, published = timed(partial(disclosure.protect, counts, policy))
        cells = sum(len(t.counts) for t in counts.tables)
        small = sum(1 for t in counts.tables for c in t.counts if 0 < c.count < policy.threshold)
        hidden = sum(c.count is None for t in published for c in t.counts)
        line = f"{name}: {cells:,} counts, {small:,} below 5, {hidden:,} suppressed; protected in {seconds:.3f} s"
        if len(counts.tables) > 1:
            base, _ = timed(partial(protect_group, counts.tables, policy.threshold, True))
            line += f"; baseline (all tables audited together) {base:.3f} s, ratio {base / seconds:.1f}x"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
