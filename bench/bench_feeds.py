"""Feed benchmarks: a /catalog page of 100 datasets (target p95 <= 150 ms) and the streamed dump.

    python -m bench.bench_feeds [--datasets 2000] [--variables 100] [--rounds 30] [--codelists 0]

Builds a store of `datasets` x `variables` synthetic records (default 200,000 variables), then
1. times GET /catalog?page=N&page_size=100 (Turtle) through the Flask app, each page first cold
   (records' statements read from the store, rendered when they were stored, as the pipeline
   does), then again (the page kept in memory), then cold with no stored renderings; against a baseline measured in the same
   run: serialising the same 100 records with rdflib alone;
   With `--codelists N`, the page benchmark's catalogue holds N code lists besides, every second
   variable coded by one of them (the simulated nation holds 24 a dataset), and the EHDS feed's
   pages of code lists are timed too: it carries a code list only while a dataset it carries uses
   it, which every page asks of the store (`catalog.store.REFERENCED`) for its total and its rows;
2. streams GET /catalog/dump.nt and samples the process's resident memory while it runs, against
   the same dump of a quarter of the catalogue: constant memory means the same growth for both.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from catalog import profiles
from catalog.config import Settings
from catalog.label import relabel
from catalog.model import Agent, CodeList, Concept, Dataset, Distribution, Variable, content_hash, dumps
from catalog.rdf import to_graph
from catalog.renderings import FRAGMENTS, render
from catalog.store import SQLiteStore
from web.feeds import PAGES

EU = "http://publications.europa.eu/resource/authority/"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def codelist_uri(n: int) -> str:
    return f"https://registry.example.no/kodeverk/{n:06d}"


def codelist(n: int) -> CodeList:
    return CodeList(
        uri=codelist_uri(n),
        identifier=f"kl-{n}",
        title={"nb": f"Kodeliste {n}"},
        concepts=[Concept(code=str(c), label={"nb": f"Kode {c}"}) for c in range(5)],
    )


def dataset(n: int, variables: int, codelists: int = 0) -> Dataset:
    uri = f"https://registry.example.no/dataset/{n:06d}"
    return Dataset(
        uri=uri,
        identifier=f"ds-{n}",
        title={"nb": f"Register {n}", "en": f"Registry {n}"},
        description={"nb": f"Helseregister nummer {n} med {variables} variabler."},
        publisher=Agent(name={"nb": "Registeret"}, uri="https://registry.example.no/org", email="a@b.no"),
        keywords={"nb": ["helse", "register"]},
        themes=[EU + "data-theme/HEAL"],
        access_rights=EU + "access-right/NON_PUBLIC",
        has_structured_data=True,
        distributions=[Distribution(uri=f"{uri}/d", access_url="https://helsedata.no/soknad")],
        variables=[
            Variable(
                uri=f"{uri}/variabel/V{i}",
                name=f"V{i}",
                title={"nb": f"Variabel {i}"},
                description={"nb": f"Variabel {i} i register {n}."},
                datatype="integer",
                unit=None if codelists and i % 2 else "år",
                codelist=codelist_uri((n * variables + i) // 2 % codelists) if codelists and i % 2 else None,
            )
            for i in range(variables)
        ],
    )


def fill(settings: Settings, store: SQLiteStore, datasets: int, variables: int, codelists: int = 0) -> float:
    """Store the records as the pipeline does, their feed statements rendered; the rendering's seconds."""
    run = store.start_run("bench")
    rendering = 0.0
    with store.transaction():
        for n in range(codelists):
            c = codelist(n)
            store.put("bench", run, c, content_hash(c), None, True, None, data=dumps(c))
            store.save_renderings(c.uri, render(c, content_hash(c), "bench", True, settings))
        for n in range(datasets):
            d = dataset(n, variables, codelists)
            started = time.perf_counter()
            rendered = render(d, content_hash(d), "bench", True, settings)
            rendering += time.perf_counter() - started
            store.put("bench", run, d, content_hash(d), None, True, None, data=dumps(d))
            store.save_renderings(d.uri, rendered)
    store.finish_run(run, "ok", {})
    relabel(settings, store)  # as after a harvest: the EHDS feed carries each dataset's label
    return rendering


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def get_page(client, page: int, profile: str = "dcat-ap-3") -> float:
    """Seconds to answer one Turtle page of 100."""
    started = time.perf_counter()
    response = client.get(f"/catalog?page={page}&page_size=100&profile={profile}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def bench_pages(client, store: SQLiteStore, datasets: int, rounds: int, codelists: int = 0) -> None:
    """Each page first cold (its records' statements read from the store, as the pipeline rendered
    them), then again (the answered page kept in memory), then cold again with no stored renderings (as
    after a settings change, before `catalog reindex`: every record written on request)."""
    pages = max(1, datasets // 100)
    cold: list[float] = []
    warm: list[float] = []
    baseline: list[float] = []
    # The process is warmed first (imports, the store's first queries) with another profile, so
    # "cold" means what it says for a running server: this page's records not yet rendered.
    assert client.get("/catalog?page=1&page_size=100&profile=dcat-ap-no").status_code == 200
    for i in range(pages + rounds):
        # every page once (cold), then the first five again and again (warm: the pages as answered
        # fit in the cache, as a harvester's pages do while it pages through)
        page = i + 1 if i < pages else (i - pages) % min(pages, 5) + 1
        (cold if i < pages else warm).append(get_page(client, page))
        if len(baseline) < 5:
            records = [s.record for s in store.listing(offset=(page - 1) * 100, limit=100)[1]]
            started = time.perf_counter()
            to_graph(records).serialize(format="turtle")
            baseline.append(time.perf_counter() - started)
    # the other profiles, cold (page 1 of dcat-ap-no warmed the process above)
    others = {
        profile: [get_page(client, page, profile) for page in range(2, min(pages, 11) + 1)]
        for profile in ("healthdcat-ap", "dcat-ap-no")
    }
    if codelists:  # they sort after the datasets: the EHDS feed's last pages
        ehds = profiles.ehds()
        total, _ = store.listing(limit=1, conforming_kinds=ehds.checked_kinds, referenced_kinds=ehds.referenced_kinds)
        last = -(-total // 100)
        others["healthdcat-ap, pages of code lists"] = [
            get_page(client, page, "healthdcat-ap") for page in range(last - 9, last + 1)
        ]
    FRAGMENTS.clear()
    PAGES.clear()
    with store.transaction() as db:  # the same pages as before the quality and utility label (issue 19)
        db.execute("DELETE FROM labels")
    others["healthdcat-ap without labels"] = [
        get_page(client, page, "healthdcat-ap") for page in range(2, min(pages, 11) + 1)
    ]
    FRAGMENTS.clear()
    PAGES.clear()
    with store.transaction() as db:
        db.execute("DELETE FROM renderings")
    unrendered = [get_page(client, page) for page in range(1, min(pages, rounds) + 1)]
    base = statistics.median(baseline) * 1000
    for label, times in (
        ("first request of each page (cold), dcat-ap-3", cold),
        ("repeated requests (warm: the page kept), dcat-ap-3", warm),
        *((f"first request of each page (cold), {p}", t) for p, t in others.items()),
        ("cold, no stored renderings (each record written on request), dcat-ap-3", unrendered),
    ):
        if times:
            p95 = percentile(times, 0.95) * 1000
            print(
                f"feed page of 100 datasets (Turtle), {label}: n={len(times)} p50 "
                f"{statistics.median(times) * 1000:.0f} ms, p95 {p95:.0f} ms "
                f"(target <= 150 ms: {'met' if p95 <= 150 else 'NOT met'}); ratio to baseline {p95 / base:.2f}"
            )
    print(f"  baseline, rdflib building and serialising the same 100 records: median {base:.0f} ms")
    etag = client.get("/catalog?page=1&page_size=100").headers["ETag"]
    started = time.perf_counter()
    for _ in range(rounds):
        assert client.get("/catalog?page=1&page_size=100", headers={"If-None-Match": etag}).status_code == 304
    print(f"  revalidation (304 by ETag): {(time.perf_counter() - started) / rounds * 1000:.1f} ms per request")


def _stream_dump(settings: Settings, conn) -> None:
    """In a child process: stream the dump, sampling resident memory; send what was seen."""
    from web import create_app

    client = create_app(settings).test_client()
    before = peak = rss_mib()
    size = 0
    started = time.perf_counter()
    response = client.get("/catalog/dump.nt?profile=dcat-ap-3")
    for chunk in response.response:
        size += len(chunk)
        peak = max(peak, rss_mib())
    conn.send((size, time.perf_counter() - started, before, peak))


def bench_dump(settings: Settings, label: str, variables: int) -> float:
    """Each dump in its own forked process, so neither finds heap the other grew (RSS never shrinks)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_stream_dump, args=(settings, send))
    child.start()
    size, elapsed, before, peak = receive.recv()
    child.join()
    growth = peak - before
    print(
        f"dump of {label} ({variables:,} variables): {size / 2**20:,.0f} MiB of N-Triples in {elapsed:.1f} s "
        f"({variables / elapsed:,.0f} variables/s); RSS before {before:.0f} MiB, peak {peak:.0f} MiB "
        f"(+{growth:.0f} MiB)"
    )
    return growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=2000, help="datasets in the dump benchmark")
    parser.add_argument("--variables", type=int, default=100, help="variables per dataset in the dump benchmark")
    parser.add_argument(
        "--page-datasets", type=int, default=3000, help="datasets in the page benchmark (one cold request per 100)"
    )
    parser.add_argument("--page-variables", type=int, default=20, help="variables per dataset in the page benchmark")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--codelists", type=int, default=0, help="code lists in the page benchmark's catalogue")
    args = parser.parse_args()
    from web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        stores = {}
        started = time.perf_counter()
        for name, datasets, variables, codelists in (
            ("pages", args.page_datasets, args.page_variables, args.codelists),
            ("quarter", args.datasets // 4, args.variables, 0),
            ("full", args.datasets, args.variables, 0),
        ):
            settings = Settings.load(Path(tmp) / name)
            stores[name] = (settings, SQLiteStore(settings.db_path))
            rendering = fill(settings, stores[name][1], datasets, variables, codelists)
            if name == "pages":
                print(
                    f"rendering each record's statements in the 3 profiles (the pipeline's work when it stores "
                    f"a changed record): {rendering / datasets * 1000:.2f} ms per dataset of {variables} variables"
                )
        print(
            f"built stores in {time.perf_counter() - started:.0f} s: pages {args.page_datasets:,} datasets x "
            f"{args.page_variables} variables and {args.codelists:,} code lists; dump {args.datasets:,} x {args.variables} and a quarter of it"
        )
        bench_pages(
            create_app(stores["pages"][0]).test_client(),
            stores["pages"][1],
            args.page_datasets,
            args.rounds,
            args.codelists,
        )
        small = bench_dump(stores["quarter"][0], "a quarter of the catalogue", args.datasets // 4 * args.variables)
        large = bench_dump(stores["full"][0], "the whole catalogue", args.datasets * args.variables)
        print(
            f"memory growth, whole / quarter: {large / max(small, 1):.2f} (about 1 = constant memory; a dump held "
            "in memory would grow about 4x)"
        )


if __name__ == "__main__":
    main()
