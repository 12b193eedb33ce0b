"""Harvest against the parsing floor: `catalog harvest` of one large DCAT source, beside the time
pyoxigraph alone takes to fetch and parse the same pages, measured in the same run.

    python -m bench.bench_harvest_floor                       # 2,000 datasets x 100 variables, 40 pages
    python -m bench.bench_harvest_floor --rounds 2 --rdflib   # twice, and rdflib's parse for comparison
    python -m bench.bench_harvest_floor --datasets 200        # quicker

The feed is held out: generated here, from its own seed and word list, not by the publisher
simulator the pipeline is tested against (so nothing in it was tuned to). A national registry's
HealthDCAT-AP feed in Turtle: each dataset with titles, a description, keywords, a publisher and
contact point, themes, access rights, a distribution and its variables as `csvw:Column`s (name,
title, description, datatype, position), 50 datasets a page, linked by
`hydra:next`. A real HTTP server (`http.server`, in its own process) serves the pages on loopback.

1. The floor: the pages fetched one after another and parsed by pyoxigraph into its quads (all
   kept in memory), the next page found among them. Nothing else: no mapping, no model.
2. `catalog harvest` of the source, run as an operator runs it (the command line, in a fresh
   catalogue home): fetch, map, validate, store with the feeds' renderings, index, labels. Its
   result is checked: every dataset and variable stored, none failed.
   Beside its total, the harvest's CPU by process (sampled from /proc): the calling process
   (writes the index, assesses labels), the run's process (fetches, writes the store) and the
   preparing processes (parse, map, validate, render, search documents).
3. `--rdflib`: rdflib parsing the same pages, as a second reference.
4. `--stages N`: before all that, the CPU each stage of the harvest takes per variable on the first
   N pages, each timed apart in one process: where the time goes, whichever process spends it
   (the run's process reads each page's paging statements itself, and the records it writes come
   to it pickled from the processes that map them: two stages of their own).

The ratio printed is harvest time over floor time (target: at most 5). The machine's cores are
shared; the load average is printed before and after each round, and beside the times their CPU
(the harvest's, all its processes; the floor's, one): the wall time depends on what else runs,
the CPU much less, and on 2 idle cores a harvest takes at least half its CPU.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pickle
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from catalog.demo import DEMO_DEFAULTS

PAGE_SIZE = 50
HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"
PREFIXES = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix csvw: <http://www.w3.org/ns/csvw#> .
@prefix schema: <https://schema.org/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
SYLLABLES = (
    "ar be di fo gu ha je ki lo mu ne pa ri sa te ul va bry dal fjor gran hel kvi lund mor "
    "nes ost rud sko tun vik yng aas berg dahl eng fos hag holm lie myr"
).split()
WORDS_NB = [
    "alder",
    "kjønn",
    "diagnose",
    "behandling",
    "innleggelse",
    "utskrivning",
    "legemiddel",
    "blodtrykk",
    "vekt",
    "høyde",
    "røyking",
    "utdanning",
    "bosted",
    "fødeland",
    "dødsårsak",
    "operasjon",
    "komplikasjon",
    "prøvesvar",
    "vaksine",
    "svangerskap",
    "fødsel",
    "kontakt",
    "henvisning",
    "tilstand",
]
DATATYPES = ["integer", "string", "date", "decimal", "boolean", "string", "integer"]
EU = "http://publications.europa.eu/resource/authority/"
THEMES = ["HEAL", "SOCI", "EDUC", "ECON", "GOVE"]


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def dataset_turtle(rng: random.Random, base: str, n: int, variables: int) -> str:
    """One dataset of the held-out feed with its variables, in Turtle."""
    uri = f"{base}/dataset/{n:05d}"
    subject = " og ".join(rng.sample(WORDS_NB, 2))
    registry = _name(rng, 3).capitalize()
    org = rng.randrange(40)
    lines = [
        f"<{uri}> a dcat:Dataset ;",
        f"  dct:identifier {_lit(f'HO-{n:05d}')} ;",
        f"  dct:title {_lit(f'{registry}registeret: {subject}')}@nb , {_lit(f'The {registry} registry: {n}')}@en ;",
        f"  dct:description {_lit(f'Data om {subject} fra {registry}registeret, samlet siden {1970 + n % 50}.')}@nb ;",
        "  dcat:keyword " + " , ".join(f"{_lit(w)}@nb" for w in rng.sample(WORDS_NB, 3)) + " ;",
        f"  dcat:theme <{EU}data-theme/{rng.choice(THEMES)}> ;",
        f"  dct:accessRights <{EU}access-right/NON_PUBLIC> ;",
        f"  dct:type <{EU}dataset-type/STATISTICAL> ;",
        f"  dct:provenance [ a dct:ProvenanceStatement ; dct:description {_lit(f'Meldt fra {registry} helseforetak')}@nb ] ;",
        f"  dct:publisher <{base}/org/{org}> ;",
        f"  dcat:contactPoint <{base}/org/{org}#contact> ;",
        f'  dct:issued "{2000 + n % 25}-01-{1 + n % 28:02d}"^^xsd:date ;',
        f'  dct:modified "2026-{1 + n % 12:02d}-{1 + n % 28:02d}"^^xsd:date ;',
        f"  dcat:distribution <{uri}/distribution> ;",
        f"  healthdcatap:hasVariables <{uri}#variables> .",
        f"<{base}/org/{org}> a foaf:Agent ; foaf:name {_lit(f'Helseforetak {org}')}@nb ;",
        f"  cv:contactPoint [ a cv:ContactPoint ; cv:email {_lit(f'post{org}@example.no')} ] .",
        f"<{base}/org/{org}#contact> a vcard:Organization ; vcard:fn {_lit(f'Helseforetak {org}')} ;",
        f"  vcard:hasEmail <mailto:post{org}@example.no> .",
        f"<{uri}/distribution> a dcat:Distribution ; dcat:accessURL <https://helsedata.no/soknad> ;",
        f"  dct:title {_lit('Søknad om tilgang')}@nb .",
        f"<{uri}#variables> a csvw:TableGroup ; csvw:table <{uri}#table> .",
        f"<{uri}#table> a csvw:Table ; dct:title {_lit(registry)} .",
    ]
    for i in range(variables):
        name = f"{_name(rng, 2)}_{i}"
        col = f"<{uri}/variable/{name}>"
        lines.append(f"<{uri}#table> csvw:column {col} .")
        lines.append(
            f"{col} a csvw:Column ; csvw:name {_lit(name)} ; csvw:title {_lit(rng.choice(WORDS_NB) + ' ' + name)}@nb ;"
            f" csvw:datatype {_lit(rng.choice(DATATYPES))} ; schema:position {i} ;\n"
            f"  dct:description {_lit(f'{rng.choice(WORDS_NB).capitalize()} registrert ved {rng.choice(WORDS_NB)}')}@nb ."
        )
    return "\n".join(lines) + "\n"


def feed_pages(base: str, datasets: int, variables: int, seed: int = 2026) -> dict[str, bytes]:
    """Path -> Turtle bytes of each page of the held-out feed; the same for the same arguments."""
    rng = random.Random(seed)
    last = max(1, -(-datasets // PAGE_SIZE))
    pages: dict[str, bytes] = {}
    for page in range(1, last + 1):
        me = f"{base}/feed?page={page}"
        head = [
            PREFIXES,
            f"<{base}/catalog> a dcat:Catalog ; dct:title {_lit('Holdt-ut-katalogen')}@nb ;",
            f"  dct:publisher <{base}/org/0> .",
            f"<{base}/feed> a hydra:Collection ; hydra:totalItems {datasets} ; hydra:view <{me}> .",
            f"<{me}> a hydra:PartialCollectionView ; hydra:first <{base}/feed?page=1> ;",
            f"  hydra:last <{base}/feed?page={last}>"
            + (f" ;\n  hydra:next <{base}/feed?page={page + 1}> ." if page < last else " ."),
        ]
        body = []
        for n in range((page - 1) * PAGE_SIZE, min(datasets, page * PAGE_SIZE)):
            body.append(f"<{base}/catalog> dcat:dataset <{base}/dataset/{n:05d}> .\n")
            body.append(dataset_turtle(rng, base, n, variables))
        pages[f"/feed?page={page}"] = ("\n".join(head) + "\n" + "".join(body)).encode()
    return pages


# --- the server, in its own process -----------------------------------------------------------


def _serve(datasets: int, variables: int, conn: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = feed_pages(base, datasets, variables)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/turtle; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    conn.send((base, sum(len(b) for b in pages.values()), len(pages)))
    server.serve_forever()


@contextmanager
def feed_server(datasets: int, variables: int) -> Iterator[tuple[str, int, int]]:
    """(base URL, bytes, pages) of the held-out feed served from a child process."""
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(datasets, variables, child), daemon=True)
    proc.start()
    try:
        yield parent.recv()
    finally:
        proc.kill()
        proc.join()


# --- the measurements ---------------------------------------------------------------------------


def floor(url: str) -> tuple[float, int, int]:
    """(seconds, pages, triples): every page fetched and parsed by pyoxigraph, one after another
    (its CPU is `time.process_time` around it)."""
    started = time.perf_counter()
    pages = triples = 0
    next_url: str | None = url
    while next_url:
        with urllib.request.urlopen(next_url) as reply:
            body = reply.read()
        quads = list(ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=next_url))
        pages += 1
        triples += len(quads)
        next_url = next((q.object.value for q in quads if q.predicate.value == HYDRA_NEXT), None)
    return time.perf_counter() - started, pages, triples


def rdflib_floor(url: str) -> float:
    from rdflib import Graph, URIRef

    started = time.perf_counter()
    next_url: str | None = url
    while next_url:
        with urllib.request.urlopen(next_url) as reply:
            g = Graph().parse(data=reply.read(), format="turtle", publicID=next_url)
        target = next(g.objects(None, URIRef(HYDRA_NEXT)), None)
        next_url = str(target) if target is not None else None
    return time.perf_counter() - started


def catalog(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "catalog.cli", "--home", str(home), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def children_cpu() -> float:
    """CPU seconds of this process's children so far, each with the children it waited for (the
    harvest's worker and preparing processes included)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def harvest(url: str, workers: int) -> tuple[float, float, str, dict[str, int], dict[int, float]]:
    """(seconds, CPU seconds, the command's summary line, what the store holds, CPU seconds by
    depth in its tree of processes) of `catalog harvest` in a fresh home. On a shared machine the
    CPU is the steadier figure: the wall time depends on what else runs, the CPU much less."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        options = json.dumps({"defaults": DEMO_DEFAULTS})  # what an operator states for a registry's feed
        added = catalog(
            home, "sources", "add", "held-out", "--kind", "dcat", "--url", f"{url}/feed?page=1", "--options", options
        )
        if added.returncode:
            raise SystemExit(f"sources add failed: {added.stderr}")
        started, cpu = time.perf_counter(), children_cpu()
        command = [sys.executable, "-m", "catalog.cli", "--home", str(home), "harvest", "--workers", str(workers)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: dict[int, tuple[int, float]] = {}
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                seen.update(_tree_cpu(proc.pid))
        elapsed, cpu = time.perf_counter() - started, children_cpu() - cpu
        if proc.returncode:
            raise SystemExit(f"catalog harvest failed ({proc.returncode}):\n{stdout}\n{stderr[-3000:]}")
        db = sqlite3.connect(home / "catalog.sqlite")
        held = {
            "datasets": db.execute("SELECT count(*) FROM records WHERE kind = 'dataset'").fetchone()[0],
            "renderings": db.execute("SELECT count(DISTINCT uri) FROM renderings").fetchone()[0],
        }
        held["variables"] = db.execute(
            "SELECT sum(json_array_length(data, '$.variables')) FROM records WHERE kind = 'dataset'"
        ).fetchone()[0]
        held["store_bytes"] = (home / "catalog.sqlite").stat().st_size
        try:  # SQLite's dbstat table, where the library has it: the records table's pages
            held["records_bytes"] = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'records'").fetchone()[0]
        except sqlite3.OperationalError:
            held["records_bytes"] = 0
        db.close()
        by_depth: dict[int, float] = {}
        for depth, used in seen.values():
            by_depth[depth] = by_depth.get(depth, 0.0) + used
        return elapsed, cpu, stdout.strip().splitlines()[0], held, by_depth


ROLES = {
    0: "the calling process (index, labels)",
    1: "the run's process (fetch, store)",
    2: "the preparing processes (parse, map, prepare)",
}
"""What each depth of a one-source harvest's processes does (`catalog.pipeline`, `catalog.prepare`)."""


def _tree_cpu(root: int) -> dict[int, tuple[int, float]]:
    """pid -> (depth below `root`, CPU seconds so far) of `root` and its descendants, from /proc
    (sampled while the harvest runs: a process's last 50 ms before it ends may be missed)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    todo = [(root, 0)]
    while todo:
        pid, depth = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (depth, (int(fields[11]) + int(fields[12])) / tick)
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [(int(child), depth + 1) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return found


def stages(pages: int, variables: int) -> None:
    """CPU seconds of each stage of the harvest per variable, each timed apart in this process on
    the first `pages` pages of the feed (`time.process_time`: tantivy's own threads included), the
    floor's parse among them: where the harvest's time goes, whichever process does the work."""
    import tempfile
    from datetime import UTC, datetime

    from catalog.config import Settings, SourceConfig
    from catalog.confirmations import record_harvest
    from catalog.label import ahead, inputs_digest, relabel, settled, source_inputs
    from catalog.model import Dataset, digest, dumps
    from catalog.pipeline import fewer_collections, source_info
    from catalog.prepare import own_statements, platforms, validated_json
    from catalog.profiles import ehds
    from catalog.rdf import from_graph
    from catalog.rdfparse import parse_picked
    from catalog.renderings import Known, render
    from catalog.search.documents import complete, documents
    from catalog.search.tantivy_backend import TantivyBackend
    from catalog.store import Outline, Put, SQLiteStore
    from catalog.validation import get_profile
    from harvesters.base import Harvested, Mapped
    from harvesters.dcat import Paging, _head

    base = "http://127.0.0.1:1"
    spent: dict[str, float] = {}

    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        started = time.process_time()
        yield
        spent[stage] = spent.get(stage, 0.0) + time.process_time() - started

    with tempfile.TemporaryDirectory() as tmp, fewer_collections():  # the collector as a harvest sets it
        settings = Settings.load(Path(tmp))
        src = settings.sources["held-out"] = SourceConfig("held-out", "dcat", f"{base}/feed?page=1")
        src.options["defaults"] = DEMO_DEFAULTS
        store, index = SQLiteStore(settings.db_path), TantivyBackend(Path(tmp) / "index")
        profile = ehds()
        get_profile(profile.name)
        run, info, view = store.start_run(src.name), source_info(src), profile.view_digest(settings, src.name) or ""
        labels_ahead = ahead(settings, store, src.name, first=True)  # once a run: a few reads
        docs: list[dict[str, Any]] = []
        labels: list[tuple[str, str, str, str, str]] = []
        n = 0
        for path, body in feed_pages(base, pages * PAGE_SIZE, variables).items():
            data = body.decode()
            with timed("floor: pyoxigraph parse"):
                list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base))
            with timed("parse into a graph"):  # once, where the page is mapped; its paging picked on the way
                g, head = parse_picked(data, "turtle", base + path, _head)
            with timed("page head"):  # told to the run's process, which parses nothing
                Paging.of(head, base + path)
            with timed("map to records"):
                records = from_graph(g)[0]
            with timed("records across processes"):  # as what the run's process reads and writes of them
                crossing = [(Mapped.of(Harvested(r, base + path)), Outline.of(r)) for r in records]
                outlines = [o for _m, o in pickle.loads(pickle.dumps(crossing, protocol=pickle.HIGHEST_PROTOCOL))]
            n += sum(len(r.variables) for r in records if isinstance(r, Dataset))
            written = []
            for r, outline in zip(records, outlines, strict=True):
                with timed("canonical JSON and hash"):
                    text = dumps(r)
                    hsh, canonical = digest(text), text.encode()  # as prepared: UTF-8 to the writer
                with timed("published view"):
                    published = profile.published(r, settings, src)
                with timed("validate"):  # its own statements written for validation and rendering, as `prepare`
                    statements = own_statements(published.record, profile.name)
                    # the report's JSON made with it, as prepared (`validated_json`); its UTF-8 below
                    conforms, report = validated_json(published, profile.name, statements.get(profile.name), view)
                with timed("report as JSON"):
                    checked = report.encode()  # as prepared
                with timed("render 3 profiles"):
                    known = Known({profile.name: published.record}, {profile.name: view}, statements)
                    rendered = render(r, hsh, src.name, conforms, settings, known)
                with timed("search documents"):
                    docs += documents(r, info, valid=conforms, platforms=platforms(store, r, src.name))
                with timed("labels"):  # assessed ahead where the record is prepared, as `prepare`
                    record = published.record
                    if isinstance(record, Dataset):
                        label = labels_ahead.label(r.uri, src.name, record, conforms)
                        labels.append((r.uri, hsh, label.inputs, label.digest, label.data))
                written.append((outline, hsh, conforms, checked, canonical, rendered))
            with timed("store"):  # a page's records and labels in one transaction, as the pipeline writes a batch
                with store.transaction():
                    store.put_many(src.name, run, [Put(o, h, base, ok, v, c, r) for o, h, ok, v, c, r in written])
                    store.save_labels(settled(store, labels))
                labels.clear()
        with timed("index (tantivy)"):
            index.upsert(list(complete(docs, lambda _key: None)))
        store.finish_run(run, "ok", {})
        record_harvest(store, src.name, n, False, first=True)
        left = store.stale_labels(src.name, inputs_digest(source_inputs(settings, store, src.name, datetime.now(UTC))))
        if left:
            raise SystemExit(f"{len(left)} labels assessed ahead did not hold: the run's end would assess them again")
        with timed("labels"):  # what the run's end does: finds nothing left to assess
            relabel(settings, store, src.name)
    floor_cpu = spent.pop("floor: pyoxigraph parse")
    total = sum(spent.values())
    print(f"stages, CPU per variable ({n:,} variables; load {os.getloadavg()[0]:.1f}):", flush=True)
    print(f"  {'floor: pyoxigraph parse':26} {1e6 * floor_cpu / n:6.1f} us", flush=True)
    for stage, cpu in spent.items():
        print(f"  {stage:26} {1e6 * cpu / n:6.1f} us", flush=True)
    print(f"  {'all stages':26} {1e6 * total / n:6.1f} us = {total / floor_cpu:.1f}x the floor's parse", flush=True)


def compiled() -> None:
    """The catalogue's bytecode written first, as an installed package has it (pip compiles it when
    it installs): an editable install run with PYTHONDONTWRITEBYTECODE, as on CI machines, never
    writes it, and every harvest then compiled each changed module again (importing what a harvest
    imports took 0.51 s against 0.30 s with the bytecode, 2026-12-05)."""
    import compileall

    import catalog
    import harvesters

    for package in (catalog, harvesters):
        compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--variables", type=int, default=100, help="variables per dataset")
    parser.add_argument("--rounds", type=int, default=1, help="floor and harvest measured this many times")
    parser.add_argument("--workers", type=int, default=2, help="`catalog harvest --workers`")
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib parsing the pages")
    parser.add_argument(
        "--stages",
        type=int,
        default=0,
        metavar="PAGES",
        help="first time each stage on this many pages, in this process",
    )
    args = parser.parse_args()
    compiled()
    if args.stages:
        stages(args.stages, args.variables)
    with feed_server(args.datasets, args.variables) as (url, size, pages):
        print(
            f"held-out feed: {args.datasets:,} datasets x {args.variables} variables, {pages} pages, "
            f"{size / 2**20:,.1f} MiB of Turtle, served from {url}",
            flush=True,
        )
        for n in range(1, args.rounds + 1):
            load = os.getloadavg()[0]
            floor_cpu = time.process_time()
            seconds, got_pages, triples = floor(f"{url}/feed?page=1")
            floor_cpu = time.process_time() - floor_cpu
            print(
                f"round {n}: load {load:.1f}; floor (pyoxigraph fetch + parse): {got_pages} pages, "
                f"{triples:,} triples in {seconds:.2f} s (CPU {floor_cpu:.2f} s)",
                flush=True,
            )
            if args.rdflib:
                print(f"round {n}: rdflib fetch + parse: {rdflib_floor(f'{url}/feed?page=1'):.1f} s", flush=True)
            took, cpu, line, held, by_depth = harvest(url, args.workers)
            expected = {"datasets": args.datasets, "variables": args.datasets * args.variables}
            missing = {k: (held[k], v) for k, v in expected.items() if held[k] != v}
            print(
                f"round {n}: catalog harvest: {took:.1f} s, CPU {cpu:.1f} s = {1e6 * cpu / expected['variables']:.0f} us "
                f"a variable, {cpu / took:.2f} cores ({line}); stored {held['datasets']:,} datasets, "
                f"{held['variables']:,} variables, renderings of {held['renderings']:,} records; the store "
                f"{held['store_bytes'] / 2**20:.1f} MiB"
                + (f" (its records table {held['records_bytes'] / 2**20:.1f} MiB)" if held["records_bytes"] else "")
                + (f"; MISSING {missing}" if missing else ""),
                flush=True,
            )
            print(
                f"round {n}: CPU by process: "
                + "; ".join(
                    f"{ROLES.get(depth, f'depth {depth}')} {used:.1f} s = {1e6 * used / expected['variables']:.0f} us"
                    for depth, used in sorted(by_depth.items())
                ),
                flush=True,
            )
            print(
                f"round {n}: ratio harvest / floor = {took / seconds:.1f} (target <= 5); CPU {cpu / floor_cpu:.1f}x "
                f"the floor's; load after {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
