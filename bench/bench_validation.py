"""Validation throughput: pyshacl (the reference) against our compiled engine, same shapes, same
records, reports checked identical. A record is the Medical Birth Registry dataset with 100
variables (~1000 triples); every fourth one has a defect, so reports are not all empty.

Single-process rates are given by wall clock and by CPU time of this process (the latter is
what the machine can do when other jobs share its cores); the parallel rate is wall clock.

Run from the repository root: python -m bench.bench_validation [--records N] [--baseline N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from catalog import rdf, validation
from catalog.model import Dataset
from catalog.shacl import CompiledShapes, Index, pyshacl_results
from tests.health_records import mfr_dataset

STANDARDS = Path(__file__).resolve().parents[1] / "../shared/standards"
OFFICIAL = [
    "dcat-ap-3/shacl-3.0.1/html-shacl/shapes.ttl",
    "dcat-ap-3/shacl-3.0.1/html-shacl/range.ttl",
    "dcat-ap-3/shacl-3.0.1/html-shacl/shapes_recommended.ttl",
    "dcat-ap-3/shacl-3.0.1/html-shacl/mdr-vocabularies.shape.ttl",
    "healthdcat-ap/release-8/shapes/non-public-shapes.ttl",
    "healthdcat-ap/release-8/recommended/non-public-shapes_recommended.ttl",
    "healthdcat-ap/release-8/ranges/range.ttl",
    "healthdcat-ap/release-8/vocabularies/mdr-vocabularies.shape.ttl",
]


def records(n: int) -> list[Dataset]:
    out = []
    for i in range(n):
        d = mfr_dataset(100, uri=f"https://data.fhi.no/mfr/dataset/{i}", identifier=f"mfr-{i}")
        if i % 4 == 1:
            d.title = {}
        elif i % 4 == 2:
            d.variables[i % 100].datatype = "heltall"
        elif i % 4 == 3:
            d.hdab = None
        out.append(d)
    return out


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


class Timer:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def ours_vs_pyshacl(recs: list[Dataset], baseline: int, workers: int) -> None:
    profile = validation.get_profile(validation.DEFAULT_PROFILE)
    sample = recs[:baseline]
    with Timer() as py:
        reference = [validation.reference_report(rdf.to_graph([r])) for r in sample]
    with Timer() as one:
        fast = validation.validate_records(recs)
    with Timer() as par:
        parallel = validation.validate_records(recs, workers=workers)
    py_wall, py_cpu = rate(len(sample), py.wall), rate(len(sample), py.cpu)
    one_wall, one_cpu = rate(len(recs), one.wall), rate(len(recs), one.cpu)
    par_rate = rate(len(recs), par.wall)
    identical = all(a.to_dict() == b.to_dict() for a, b in zip(fast[: len(reference)], reference, strict=True)) and [
        r.to_dict() for r in parallel
    ] == [r.to_dict() for r in fast]
    triples = len(rdf.to_graph([recs[0]]))
    print(
        f"our shapes ({profile.name}, {triples} triples per record, {len(recs)} records, "
        f"{sum(len(r.findings) for r in fast)} findings)"
    )
    print(f"  pyshacl                 {py_wall:8.1f} records/s wall, {py_cpu:8.1f} by CPU  (on {len(sample)} records)")
    print(
        f"  compiled, 1 process     {one_wall:8.1f} records/s wall, {one_cpu:8.1f} by CPU  "
        f"ratio {one_wall / py_wall:5.1f}x wall, {one_cpu / py_cpu:5.1f}x CPU"
    )
    print(f"  compiled, {workers} processes   {par_rate:8.1f} records/s wall  ratio {par_rate / py_wall:5.1f}x")
    print(f"  reports identical to pyshacl: {identical}")
    if not identical:
        sys.exit("reports differ from pyshacl's")


_OFFICIAL: tuple[CompiledShapes, Index, list[Graph]] | None = None  # for the forked workers


def _official_chunk(bounds: tuple[int, int]) -> list[Counter]:
    assert _OFFICIAL is not None
    compiled, base, graphs = _OFFICIAL
    return [Counter(compiled.validate(Index.of(g, base))) for g in graphs[bounds[0] : bounds[1]]]


def official_shapes(recs: list[Dataset], baseline: int, workers: int) -> None:
    global _OFFICIAL
    if not STANDARDS.is_dir():
        print("official shapes: ../shared/standards not found, skipped")
        return
    sg = Graph()
    for f in OFFICIAL:
        sg.parse(STANDARDS / f, format="turtle")
    for s, o in list(sg.subject_objects(SH.property)):
        if (o, SH.path, None) not in sg:  # the R8 non-public rule without sh:path, which pyshacl refuses
            sg.remove((s, SH.property, o))
    compiled = CompiledShapes(sg)
    base = Index.of(validation.vocabulary_graph())
    graphs = [rdf.to_graph([r]) for r in recs]
    with Timer() as py:
        reference = []
        for g in graphs[:baseline]:
            data = Graph()
            for triple in (*g, *validation.vocabulary_graph()):
                data.add(triple)
            reference.append(Counter(pyshacl_results(data, sg)))
    with Timer() as ours:
        fast = [Counter(compiled.validate(Index.of(g, base))) for g in graphs]
    _OFFICIAL = (compiled, base, graphs)
    size = -(-len(graphs) // (workers * 4))
    with multiprocessing.get_context("fork").Pool(workers) as pool, Timer() as par:
        parallel = [
            c for part in pool.map(_official_chunk, [(i, i + size) for i in range(0, len(graphs), size)]) for c in part
        ]
    py_cpu, fast_cpu, par_rate = rate(baseline, py.cpu), rate(len(graphs), ours.cpu), rate(len(graphs), par.wall)
    print("official DCAT-AP 3.0.1 + HealthDCAT-AP R8 non-public shapes (rdflib graph in, results out)")
    print(f"  pyshacl                 {py_cpu:8.1f} records/s by CPU")
    print(f"  compiled, 1 process     {fast_cpu:8.1f} records/s by CPU  ratio {fast_cpu / py_cpu:5.1f}x")
    print(f"  compiled, {workers} processes   {par_rate:8.1f} records/s wall  ratio {par_rate / py_cpu:5.1f}x")
    print(f"  results identical to pyshacl: {fast[:baseline] == reference and parallel == fast}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--baseline", type=int, default=20, help="records validated by pyshacl")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    recs = records(args.records)
    validation.validate_records(recs[:2])  # compile the profile before timing
    ours_vs_pyshacl(recs, args.baseline, args.workers)
    official_shapes(recs, args.baseline, args.workers)


if __name__ == "__main__":
    main()
