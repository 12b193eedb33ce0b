"""Harvest benchmark: the simulated nation, harvested, validated, stored and indexed; time and memory.

    python -m bench.bench_harvest                          # ~200,000 variables, then 1,000,000 for memory
    python -m bench.bench_harvest --memory-variables 0     # skip the memory run
    python -m bench.bench_harvest --variables 50000 --memory-variables 100000   # quicker

Three runs against the publisher simulator (in its own process, so its work is not counted as
the harvester's CPU, though it shares the machine's two cores):

1. Full harvest of every simulated source that has a harvester (`harvesters.registry()`), at the
   scale that gives about `--variables` variables, with `catalog.pipeline.harvest` (worker
   processes, batched store transactions and index commits, pyoxigraph parsing) into a fresh
   store and tantivy index, validation included. Target 120 s. Then an unchanged re-harvest
   (target: at most 5 % of the full time). The simulator keeps its replies (`--simulator-cache-mb`,
   as a caching front end of a registry would), so an unchanged DCAT page costs it a lookup, not a
   rebuild: on two shared cores the sources' CPU would otherwise be most of the re-harvest's time,
   which in production is spent on the sources' machines.
2. The naive sequential baseline, in the same run and on the same simulator: one source at a
   time in one process, each record validated, stored and indexed on its own (a store
   transaction and an index commit per record), DCAT pages parsed with rdflib. A full run would
   take a quarter of an hour or more, so it runs on `--baseline-sources` sources spread over the
   list (the first a DCAT registry, the others mostly CKAN quality registries, as in the nation)
   and is extrapolated per variable, which the output says; the ratio is baseline over full time.
3. Memory: a full harvest of about `--memory-variables` variables in a child process; the memory
   of the harvest's processes (the caller and its workers, not the simulator) is sampled from
   /proc/*/smaps_rollup every 0.2 s: summed PSS (shared pages divided among the processes that
   share them) and summed RSS (shared pages counted in each). Target: peak under 1 GiB.

Wall-clock times depend on what else runs on the machine: the load average is printed, and the
CPU seconds of the harvest's processes are printed beside each time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rdflib import Graph  # noqa: E402

import catalog.pipeline as pipeline  # noqa: E402
import harvesters.dcat as dcat  # noqa: E402
from catalog.config import Settings  # noqa: E402
from catalog.demo import DEMO_DEFAULTS  # noqa: E402
from catalog.rdfparse import RdfSyntaxError  # noqa: E402
from catalog.search.tantivy_backend import TantivyBackend  # noqa: E402
from catalog.store import SQLiteStore  # noqa: E402
from harvesters import registry  # noqa: E402
from simulator import Nation, Simulator  # noqa: E402
from simulator.nation import scale_for  # noqa: E402

PER_DATASET = {"vardef": 1, "microdata": 4}


# --- the simulator, in its own process ---------------------------------------------------------


def _serve(scale: float, conn: Any, cache_bytes: int = 0) -> None:
    sim = Simulator(seed=0, scale=scale, cache_bytes=cache_bytes)
    conn.send(sim.start())
    threading.Event().wait()


@contextmanager
def simulator(scale: float, cache_bytes: int = 0) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of a simulator serving the nation at `scale` from a child process."""
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(scale, child, cache_bytes), daemon=True)
    proc.start()
    try:
        yield parent.recv(), proc.pid
    finally:
        proc.kill()
        proc.join()


def harvestable(nation: Nation) -> list[str]:
    kinds = registry()
    return [s.name for s in nation.sources if s.kind in kinds]


def expected_variables(scale: float) -> int:
    nation = Nation(scale=scale)
    names = set(harvestable(nation))
    return sum(
        len(nation.dataset_indices(s)) * PER_DATASET.get(s.kind, nation.variables_mean)
        for s in nation.sources
        if s.name in names
    )


def settings_for(url: str, scale: float, home: Path, names: list[str] | None = None) -> Settings:
    settings = Settings.load(home)
    for src in Simulator(seed=0, scale=scale).source_configs(url):
        if src.name in (names if names is not None else harvestable(Nation(scale=scale))):
            src.options.setdefault("defaults", DEMO_DEFAULTS)
            settings.sources[src.name] = src
    return settings


# --- measuring ---------------------------------------------------------------------------------


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time of this process and its reaped children, or of another process by pid."""
    if pid is not None:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], Any], sim_pid: int) -> tuple[Any, float, float, float]:
    """(result, wall seconds, CPU seconds of the harvest, CPU seconds of the simulator)."""
    cpu, sim_cpu, started = cpu_seconds(), cpu_seconds(sim_pid), time.perf_counter()
    result = run()
    return (result, time.perf_counter() - started, cpu_seconds() - cpu, cpu_seconds(sim_pid) - sim_cpu)


def counts(store: SQLiteStore) -> dict[str, int]:
    datasets = list(store.records(kind="dataset"))
    return {
        "datasets": len(datasets),
        "codelists": store.count("codelist"),
        "variables": sum(len(d.dataset().variables) for d in datasets),
        "conforming": sum(1 for d in datasets if d.conforms),
    }


# --- the naive baseline ------------------------------------------------------------------------


_PARSED: dict[str, Any] = {}


def rdflib_parse(data: str, fmt: str, base_iri: str | None = None, keep: Any = None) -> Graph:
    """A page parsed by rdflib, once: the DCAT harvester reads a page's paging (`keep`) and then
    its records, and the naive harvester parsed each page once for both."""
    key = (hash(data), len(data), fmt, base_iri)
    if _PARSED.get("key") == key:
        return _PARSED["graph"]
    g = Graph()
    try:
        g.parse(data=data, format=fmt, publicID=base_iri)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many types
        raise RdfSyntaxError(str(exc), None) from exc
    _PARSED.update(key=key, graph=g)
    return g


def rdflib_parse_picked(data: str, fmt: str, base_iri: str | None, _pick: object) -> tuple[Graph, Graph]:
    """`rdflib_parse` for the harvester's one parse of a page: the whole graph for its paging too."""
    g = rdflib_parse(data, fmt, base_iri)
    return g, g


@contextmanager
def naive() -> Iterator[None]:
    """The pipeline without its speed-ups: a record per transaction and per index commit, rdflib."""
    with (
        patch.object(pipeline, "BATCH", 1),
        patch.object(pipeline, "INDEX_BATCH", 1),
        patch.object(dcat, "parse_rdf", rdflib_parse),
        patch.object(dcat, "parse_picked", rdflib_parse_picked),
    ):
        yield


# --- memory ------------------------------------------------------------------------------------


def _harvest_in_child(url: str, scale: float, home: str) -> None:
    settings = settings_for(url, scale, Path(home))
    results = pipeline.harvest(settings, SQLiteStore(settings.db_path), TantivyBackend(settings.index_dir))
    failed = [r.line() for r in results if not r.ok]
    if failed:
        print("\n".join(failed), flush=True)


def tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) bytes of `root` and all its descendants.

    Forked workers share the caller's pages; RSS counts a shared page in every process, PSS
    divides it among them, so the summed PSS is what the harvest really occupies.
    """
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError):
            continue
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                todo.append(child)
    rss = pss = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Rss:", "Pss:")):
                    kib = int(line.split()[1]) * 1024
                    rss, pss = (rss + kib, pss) if line.startswith("Rss:") else (rss, pss + kib)
        except OSError:
            continue
    return rss, pss


def memory_run(variables: int) -> None:
    scale = scale_for(variables, expected_variables)  # the harvestable sources' variables
    with simulator(scale) as (url, _sim_pid), tempfile.TemporaryDirectory() as home:
        # a fresh interpreter, not a fork of this one, which holds the other runs' leftovers
        proc = multiprocessing.get_context("spawn").Process(target=_harvest_in_child, args=(url, scale, home))
        started = time.perf_counter()
        proc.start()
        peak_rss = peak_pss = 0
        while proc.is_alive():
            rss, pss = tree_memory(proc.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.2)
        proc.join()
        elapsed = time.perf_counter() - started
        got = counts(SQLiteStore(Settings.load(home).db_path))
    print(
        f"memory run, scale {scale:.1f}: {got['variables']:,} variables, {got['datasets']:,} datasets, "
        f"{got['codelists']:,} code lists in {elapsed:.1f} s; peak memory of the harvest's processes "
        f"(caller and workers): PSS {peak_pss / 2**20:,.0f} MiB (target < 1024 MiB), summed RSS "
        f"{peak_rss / 2**20:,.0f} MiB (counts pages the workers share with the caller once per process)",
        flush=True,
    )


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variables", type=int, default=200_000)
    parser.add_argument("--memory-variables", type=int, default=1_000_000)
    parser.add_argument("--baseline-sources", type=int, default=4, help="sources sampled for the baseline")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--simulator-cache-mb",
        type=int,
        default=512,
        help="the simulator keeps its replies up to this size, as a caching front end of a registry "
        "would (0: every reply is built again)",
    )
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    scale = scale_for(args.variables, expected_variables)
    print(
        f"simulator reply cache: {args.simulator_cache_mb} MiB (the sources' own CPU is printed apart; in "
        "production it runs on their machines, not ours)",
        flush=True,
    )
    with simulator(scale, args.simulator_cache_mb * 2**20) as (url, sim_pid):
        with tempfile.TemporaryDirectory() as home:
            settings = settings_for(url, scale, Path(home))
            store, index = SQLiteStore(settings.db_path), TantivyBackend(settings.index_dir)
            results, full, full_cpu, sim_cpu = timed(
                lambda: pipeline.harvest(settings, store, index, workers=args.workers), sim_pid
            )
            failed = [r.line() for r in results if not r.ok]
            got = counts(store)
            print(
                f"full harvest, scale {scale:.1f}: {len(results)} sources, {got['datasets']:,} datasets "
                f"({got['conforming']:,} conforming), {got['codelists']:,} code lists, {got['variables']:,} "
                f"variables, {index.count():,} index documents in {full:.1f} s (target 120 s); "
                f"harvest CPU {full_cpu:.0f} s, simulator CPU {sim_cpu:.0f} s; "
                f"{got['variables'] / full:,.0f} variables/s",
                flush=True,
            )
            for line in failed:
                print("  failed: " + line, flush=True)
            (data,) = store.db.execute("SELECT sum(length(data)) FROM records").fetchone()
            (rendered,) = store.db.execute("SELECT sum(length(body)) FROM renderings").fetchone()
            print(
                f"store: records' JSON {data / 2**20:,.0f} MiB, their feed renderings (3 profiles, compressed) "
                f"{rendered / 2**20:,.0f} MiB; database file {settings.db_path.stat().st_size / 2**20:,.0f} MiB",
                flush=True,
            )
            again, re_wall, re_cpu, re_sim = timed(
                lambda: pipeline.harvest(settings, store, index, workers=args.workers), sim_pid
            )
            unchanged = sum(r.counts["unchanged"] for r in again)
            print(
                f"unchanged re-harvest: {re_wall:.1f} s = {100 * re_wall / full:.1f} % of the full harvest "
                f"(target <= 5 %); {unchanged:,} records unchanged, "
                f"{sum(r.counts['new'] + r.counts['changed'] for r in again)} new or changed; "
                f"harvest CPU {re_cpu:.1f} s = {100 * re_cpu / full_cpu:.1f} % of the full harvest's, "
                f"simulator CPU {re_sim:.1f} s",
                flush=True,
            )
        names = harvestable(Nation(scale=scale))
        sample = names[:: max(1, len(names) // args.baseline_sources)][: args.baseline_sources]
        with tempfile.TemporaryDirectory() as home, naive():
            settings = settings_for(url, scale, Path(home), sample)
            store, index = SQLiteStore(settings.db_path), TantivyBackend(settings.index_dir)
            _results, base, base_cpu, _sim = timed(lambda: pipeline.harvest(settings, store, index, workers=1), sim_pid)
            base_vars = counts(store)["variables"]
        estimate = base * got["variables"] / max(1, base_vars)
        print(
            f"naive sequential baseline on {len(sample)} of {len(results)} sources ({', '.join(sample)}): "
            f"{base_vars:,} variables in {base:.1f} s (CPU {base_cpu:.0f} s), {base_vars / base:,.0f} variables/s; "
            f"extrapolated per variable to the full harvest: {estimate:,.0f} s",
            flush=True,
        )
        print(
            f"ratio: the full harvest is {estimate / full:.1f}x faster than the naive sequential baseline", flush=True
        )
    if args.memory_variables:
        memory_run(args.memory_variables)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
