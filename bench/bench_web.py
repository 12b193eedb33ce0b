"""The search page under load: 20 concurrent clients against waitress on loopback.

    python -m bench.bench_web [--variables 1000000] [--seconds 20] [--clients 20] [--workers 3]
                              [--threads 1] [--home DIR] [--kinds typical,unique]

Targets (issues 8 and 21): search page p95 <= 100 ms and >= 200 requests/s with 20 concurrent
clients at 1 M variables on the embedded backend, with every query different too (nothing
cached) at a paced 200 requests/s on 2 cores. Measured two ways, both printed:
- throughput: each client sends its next request as soon as it has an answer, so the server is
  saturated; with 20 clients waiting on each other the mean latency is then 20 / throughput
  (100 ms at 200 req/s) whatever the server does, which is why latency is measured separately:
- latency at 200 req/s: the 20 clients together send 200 requests a second on a fixed schedule
  (10 each), and each latency counts from when the request was due.
The index is built here from GENERATED documents written straight into the search backend with
`replace_all` (not a harvest: no store, no validation). The baseline, measured in the same run with
the same clients, is a static file from the same server, as fast as the clients can and at the
same pace: the ratios (throughput, p95 at the pace, server CPU per request) say what searching
adds over serving HTTP at all, whatever else the shared machine runs; the load average is
printed at the start and the end. "Typical" replays 500 searches as researchers make them (repeated: answers
are then mostly cached, web/searchcache.py); "all different" never repeats one (nothing cached).

The server runs as the deployment's unit runs it, `catalog serve --workers 3 --threads 1` (three
processes sharing the port, one request at a time each), in its own processes, so the load
generator does not share its GIL. Threads within a process cost CPU when several requests overlap
there (their handing the GIL back and forth around every search-engine call): on 2 cores, two
processes of 8 threads took 8.8-9.1 ms of server CPU a page of all-different searches at a
million variables, two to four of one thread 7.3-7.7 ms (2026-12-05, `--workers/--threads`).
"""

from __future__ import annotations

import argparse
import heapq
import multiprocessing
import os
import random
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from catalog.config import SOURCE_KINDS, Settings, SourceConfig
from catalog.topics import taxonomy

WORDS = [
    "fødselsvekt",
    "røyking",
    "diagnose",
    "blodtrykk",
    "kolesterol",
    "alder",
    "kjønn",
    "kommune",
    "vekt",
    "høyde",
    "svangerskap",
    "legemiddel",
    "innleggelse",
    "operasjon",
    "kreft",
    "diabetes",
    "hjerteinfarkt",
    "hjerneslag",
    "depresjon",
    "angst",
    "alkohol",
    "fysisk",
    "aktivitet",
    "utdanning",
    "inntekt",
    "dødsårsak",
    "vaksine",
    "covid",
    "astma",
    "allergi",
    "tannhelse",
    "søvn",
    "smerte",
    "kosthold",
    "bmi",
    "sivilstand",
    "yrke",
    "sykemelding",
    "fastlege",
    "legevakt",
    "apgar",
    "keisersnitt",
    "prematur",
    "hba1c",
    "kreatinin",
]
TYPES = ["integer", "string", "decimal", "boolean", "date"]
CATEGORIES = ["PHDR", "EHR", "SURV", "REG", "CLIN", "BIOB"]
SOURCES = 50
PER_DATASET = 200


def source_name(i: int) -> str:
    return f"src{i:02d}"


def documents(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """n variable documents in ~n/200 datasets over 50 sources, shaped like catalog.search.documents."""
    rnd = random.Random(seed)
    topics = taxonomy()
    for d in range(-(-n // PER_DATASET)):
        s = d % SOURCES
        source, kind = source_name(s), SOURCE_KINDS[s % len(SOURCE_KINDS)]
        dkey, start = f"d{d:015x}", rnd.choice(range(1960, 2021))
        title = f"{rnd.choice(WORDS).capitalize()}sregister del {d}"
        shared = {
            "source": source,
            "source_title": f"Kilde {s}",
            "source_kind": kind,
            "valid": True,
            "health_category": [CATEGORIES[s % len(CATEGORIES)]],
            "theme": ["HEAL"],
            "publisher": f"Utgiver {s}",
            "access_rights": "NON_PUBLIC" if s % 3 else "RESTRICTED",
        }
        periods = [f"{y}-{y + 9}" for y in range(start - start % 10, 2030, 10)]
        yield {
            **shared,
            "key": dkey,
            "uri": f"https://b.example/{dkey}",
            "type": "dataset",
            "name": f"ds{d}",
            "label": title,
            "labels": {"nb": title},
            "description": title,
            "descriptions": {"nb": title},
            "keywords": [],
            "topic": topics.of_text([title]),
            "codes": [],
            "period": periods,
            "period_start": start,
            "period_end": None,
            "datatype": None,
            "languages": ["nb"],
            "variable_count": PER_DATASET,
        }
        for v in range(min(PER_DATASET, n - d * PER_DATASET)):
            a, b = rnd.choice(WORDS), rnd.choice(WORDS)
            label = f"{a.capitalize()} og {b} {v}"
            key = f"{d:09x}{v:07x}"
            yield {
                **shared,
                "key": key,
                "uri": f"https://b.example/{dkey}/{v}",
                "type": "variable",
                "name": f"{a[:4].upper()}_{b[:4].upper()}_{v}",
                "label": label,
                "labels": {"nb": label},
                "description": f"Opplysning om {a} og {b} registrert ved kontakt.",
                "descriptions": {"nb": f"Opplysning om {a} og {b} registrert ved kontakt."},
                "keywords": [a, b],
                "topic": topics.of_text([label]),
                "codes": [],
                "dataset_key": dkey,
                "dataset_title": title,
                "period": periods,
                "period_start": start,
                "period_end": None,
                "datatype": rnd.choice(TYPES),
                "unit": None,
                "codelist_key": None,
                "languages": ["nb"],
            }


def build(home: Path, n: int) -> Settings:
    from catalog.search import open_backend

    settings = Settings.load(home)
    for s in range(SOURCES):
        settings.sources[source_name(s)] = SourceConfig(
            name=source_name(s),
            kind="dcat",
            url="https://b.example/",
            category=SOURCE_KINDS[s % len(SOURCE_KINDS)],
            title=f"Kilde {s}",
        )
    settings.save_sources()
    started = time.perf_counter()
    count = open_backend(settings).replace_all(documents(n))
    print(
        f"indexed {count:,} generated documents ({n:,} variables) in {time.perf_counter() - started:.0f} s", flush=True
    )
    return settings


def indexed_variables(home: Path) -> int:
    from catalog.search import SearchQuery, open_backend

    return open_backend(Settings.load(home)).search(SearchQuery(limit=1, facets=(), highlight=False)).total


def serve(home: str, port: int, threads: int, workers: int) -> None:
    from web import create_app
    from web.server import serve as serve_app

    settings = Settings.load(home)
    serve_app(lambda: create_app(settings), "127.0.0.1", port, threads=threads, workers=workers, ident="bench")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def search_paths(seed: int = 1, n: int = 500) -> list[str]:
    """What researchers do: words, words with a filter or two, a second page, sorting by name."""
    rnd = random.Random(seed)
    paths = []
    for i in range(n):
        q = " ".join(rnd.sample(WORDS, rnd.choice([1, 1, 2])))
        path = f"/search?q={q}"
        if i % 3 == 0:
            path += f"&source={source_name(rnd.randrange(SOURCES))}"
        if i % 5 == 0:
            path += f"&datatype={rnd.choice(TYPES)}"
        if i % 7 == 0:
            path += "&page=2"
        if i % 11 == 0:
            path += "&sort=name"
        if i % 13 == 0:
            path = "/search"
        paths.append(path)
    return paths


def unique_paths(seed: int = 2, n: int = 20_000) -> list[str]:
    """Every search different (words x source x data type), so no cached facet counts can help."""
    rnd, seen = random.Random(seed), set()
    paths: list[str] = []
    while len(paths) < n:
        path = (
            f"/search?q={rnd.choice(WORDS)} {rnd.choice(WORDS)}&source={source_name(rnd.randrange(SOURCES))}"
            f"&datatype={rnd.choice(TYPES)}"
        )
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


def load(
    base: str, paths: list[str], clients: int, seconds: float, rate: float | None = None, start: int = 0
) -> tuple[list[float], float, int, int]:
    """Each client requests the paths in turn until the time is up; returns latencies (s), wall
    time, errors, and the first path no client reached (where a next run starts afresh). Without
    `rate` each client sends its next request as soon as it has the answer (the most the server
    can do). With `rate`, the clients together send `rate` requests a second on a fixed schedule,
    as researchers do who do not wait for each other, and a latency counts from when the request
    was due, so time spent behind schedule is not hidden.

    Client k asks for paths start + k, start + k + clients, start + k + 2 x clients ...: no path
    twice until the list is used up. (Until 2026-12-04 client k began at k x 37 and walked on one
    by one, into the paths the next client had just asked for: four in five of the "all
    different" searches repeated one answered moments before, often from the cache.)

    The clients are kept-alive connections driven by one thread (`Client`, non-blocking sockets):
    a load generator on the same two cores should spend as little of them as it can, and measure
    the server, not itself. Until 2026-12-05 each client was a thread with http.client: together
    they took 0.32 ms of CPU a request against 0.16 now (at a paced 200 a second), and a thread's
    answer could wait for the generator's own GIL before it was timed."""
    interval = clients / rate if rate else 0.0
    started = time.perf_counter()
    deadline = started + seconds
    host, port = base.removeprefix("http://").split(":")
    selector = selectors.DefaultSelector()
    waiting: list[tuple[float, int]] = []  # (due, client) of the clients between requests
    each = [Client(socket.create_connection((host, int(port))), start + k) for k in range(clients)]
    for k, one in enumerate(each):
        one.sock.setblocking(False)
        selector.register(one.sock, selectors.EVENT_READ, k)
        heapq.heappush(waiting, (started + k * interval / clients, k))
    busy = 0
    while waiting or busy:
        now = time.perf_counter()
        while waiting and (waiting[0][0] <= now or not rate):
            due, k = heapq.heappop(waiting)
            if due >= deadline:
                continue
            each[k].ask(paths[each[k].i % len(paths)], due if rate else now)
            busy += 1
        timeout = max(0.0, waiting[0][0] - now) if waiting and rate else None
        for key, _events in selector.select(timeout if busy or waiting else 0):
            k = key.data
            if each[k].receive():
                busy -= 1
                each[k].i += clients
                heapq.heappush(waiting, (each[k].due + interval if rate else time.perf_counter(), k))
    for one in each:
        selector.unregister(one.sock)
        one.sock.close()
    wall = time.perf_counter() - started
    reached = start + clients * max(len(one.latencies) for one in each)
    return [x for one in each for x in one.latencies], wall, sum(one.errors for one in each), reached


@dataclass
class Client:
    """One kept-alive connection: a GET sent, its answer read to the end (Content-Length)."""

    sock: socket.socket
    i: int
    due: float = 0.0
    buffer: bytes = b""
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def ask(self, path: str, due: float) -> None:
        self.due = due
        request = f"GET {quote(path, safe='/?=&')} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
        self.sock.setblocking(True)  # a request of a few hundred bytes: the socket buffer takes it at once
        self.sock.sendall(request)
        self.sock.setblocking(False)

    def receive(self) -> bool:
        """Read what has come; True when the whole answer is in."""
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed a kept-alive connection")
        self.buffer += chunk
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        head = self.buffer[:head_end].decode("latin-1").lower()
        length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])  # every answer here has one
        end = head_end + 4 + length
        if len(self.buffer) < end:
            return False
        self.latencies.append(time.perf_counter() - self.due)
        self.errors += not head.startswith(("http/1.1 200", "http/1.0 200"))
        self.buffer = self.buffer[end:]
        return True


def server_cpu(pid: int) -> float:
    """CPU seconds of the server: its parent process and the workers it forked."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A server under test: this checkout's, or with `--against` another checkout's beside it."""

    name: str
    pid: int
    base: str
    start: int = 0  # the next unused path of the list being measured (each server its own)


Measured = tuple[float, float, float]
"""(p95 in ms, requests a second, server CPU ms per request)."""


def measure(
    name: str,
    servers: list[Server],
    paths: list[str],
    clients: int,
    seconds: float,
    rate: float | None = None,
    slices: int = 1,
) -> list[Measured]:
    """One load run per server, printed with the server's CPU per request: that figure depends
    least on what else the shared machine runs, so it is the one to compare between runs. With
    several servers the run is cut into `slices` taken in turn, so each meets the same
    neighbours on the machine, and each walks the paths from where it stopped (an "all
    different" search stays different)."""
    for server in servers:
        server.start = 0
    gathered: list[tuple[list[float], float, int, float]] = [([], 0.0, 0, 0.0) for _ in servers]
    for _ in range(slices):
        for n, server in enumerate(servers):
            cpu = server_cpu(server.pid)
            latencies, wall, errors, server.start = load(
                server.base, paths, clients, seconds / slices, rate, server.start
            )
            seen, walls, errs, cpus = gathered[n]
            gathered[n] = (seen + latencies, walls + wall, errs + errors, cpus + server_cpu(server.pid) - cpu)
    out = []
    for server, (latencies, wall, errors, cpu) in zip(servers, gathered, strict=True):
        per_request = cpu / len(latencies) * 1000
        p95 = statistics.quantiles(latencies, n=100)[94] * 1000
        rps = len(latencies) / wall
        label = name if len(servers) == 1 else f"{name} [{server.name}]"
        print(
            f"{label:<26} {len(latencies):>6} requests  p50 {statistics.median(latencies) * 1000:6.1f} ms  "
            f"p95 {p95:6.1f} ms  {rps:7.1f} req/s  {errors} errors  server CPU {per_request:5.2f} ms/request",
            flush=True,
        )
        out.append((p95, rps, per_request))
    return out


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def start_against(checkout: Path, home: Path, port: int, threads: int, workers: int) -> subprocess.Popen[bytes]:
    """Another checkout's server (its own `.venv`), as `catalog serve` would start it there."""
    code = (
        "import sys; from catalog.config import Settings; from web import create_app; "
        "from web.server import serve; s = Settings.load(sys.argv[1]); "
        "serve(lambda: create_app(s), '127.0.0.1', int(sys.argv[2]), threads=int(sys.argv[3]), "
        "workers=int(sys.argv[4]), ident='bench')"
    )
    python = checkout / ".venv" / "bin" / "python"
    command = [str(python), "-c", code, str(home), str(port), str(threads), str(workers)]
    return subprocess.Popen(command, cwd=checkout, stdout=subprocess.DEVNULL)


def wait_for(base: str) -> None:
    for _ in range(300):
        try:
            if requests.get(base + "/static/style.css", timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or still starting
            time.sleep(0.1)
    raise SystemExit(f"no server answered at {base}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--variables", type=int, default=200_000, help="generated variables to index (1000000 for the target)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each measurement")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s of the paced measurement")
    parser.add_argument("--threads", type=int, default=1, help="waitress threads per process")
    parser.add_argument("--workers", type=int, default=3, help="server processes (`catalog serve --workers`)")
    parser.add_argument("--home", help="reuse a catalogue home built by an earlier run")
    parser.add_argument(
        "--kinds", default="typical,unique", help="which searches to measure: typical, unique or both (comma-separated)"
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (with its .venv), e.g. `git worktree add /tmp/before main`: its server runs "
        "beside this one on the same index, each measurement taken in turns, and the ratios printed",
    )
    args = parser.parse_args(argv)
    kinds = set(args.kinds.split(","))

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        home = Path(args.home) if args.home else Path(tmp) / "home"
        if not (home / "index" / "CURRENT").exists():
            build(home, args.variables)
        variables = indexed_variables(home)
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(
            target=serve, args=(str(home), port, args.threads, args.workers), daemon=True
        )
        server.start()
        assert server.pid is not None
        servers = [Server("this", server.pid, f"http://127.0.0.1:{port}")]
        other = None
        if args.against:
            other_port = free_port()
            other = start_against(args.against.resolve(), home, other_port, args.threads, args.workers)
            servers.append(Server("against", other.pid, f"http://127.0.0.1:{other_port}"))
        slices = 4 if other else 1
        results: dict[str, list[Measured]] = {}
        try:
            paths = search_paths()
            unique = unique_paths(n=40_000)  # the paced run's searches differ from the others' too
            for each in servers:
                wait_for(each.base)
                load(each.base, paths, args.clients, 3)  # warm caches and connections
            print(
                f"{args.clients} clients, {args.seconds:.0f} s each, {args.workers} waitress processes of "
                f"{args.threads} threads, {multiprocessing.cpu_count()} cores; load average {load_average()} "
                "(1/5/15 min) at the start" + (f"; against {args.against}, in {slices} turns each" if other else ""),
                flush=True,
            )
            print(
                f"'most': as fast as the clients can (each waits for its answer); 'at {args.rate:.0f}/s': the "
                f"{args.clients} clients together send {args.rate:.0f} requests a second (latency from when due)"
            )
            run = (servers, ["/static/style.css"], args.clients, args.seconds)
            results["static most"] = measure("baseline (static css)", *run, slices=slices)
            results["static paced"] = measure(f"baseline, at {args.rate:.0f}/s", *run, args.rate, slices)
            # Each kind of search right after the other of its kind: the all-different searches
            # would otherwise have pushed the typical ones out of the caches in between.
            if "typical" in kinds:
                run = (servers, paths, args.clients, args.seconds)
                results["typical most"] = measure("typical, most", *run, slices=slices)
                results["typical paced"] = measure(f"typical, at {args.rate:.0f}/s", *run, args.rate, slices)
            if "unique" in kinds:
                results["unique most"] = measure(
                    "all different, most", servers, unique[:20_000], args.clients, args.seconds, slices=slices
                )
                results["unique paced"] = measure(
                    f"all different, at {args.rate:.0f}/s",
                    servers,
                    unique[20_000:],
                    args.clients,
                    args.seconds,
                    args.rate,
                    slices,
                )
        finally:
            server.terminate()
            server.join(10)
            if other:
                other.terminate()
                other.wait(10)
    summary({key: found[0] for key, found in results.items()}, args.rate, variables)
    if other:
        against(results)
    print(f"load average {load_average()} (1/5/15 min) at the end")
    return 0


def against(results: dict[str, list[Measured]]) -> None:
    """This checkout against the other, measured in turns in the same run."""
    for key, name in (("typical", "typical searches"), ("unique", "all different")):
        if f"{key} most" not in results:
            continue
        (_, most, cpu), (_, their_most, their_cpu) = results[f"{key} most"]
        (tail, _, _), (their_tail, _, _) = results[f"{key} paced"]
        print(
            f"{name}, this against the other checkout: p95 at the pace {tail:.1f} ms against {their_tail:.1f} "
            f"(x{tail / their_tail:.2f}); at most {most:.0f} req/s against {their_most:.0f} "
            f"(x{most / their_most:.2f}); server CPU {cpu:.2f} ms a request against {their_cpu:.2f} "
            f"(x{cpu / their_cpu:.2f})"
        )


def summary(results: dict[str, Measured], rate: float, variables: int) -> None:
    """The targets, and each kind of search against the static file measured in the same run: the
    ratios say what searching adds over serving HTTP at all, whatever else the machine runs."""
    static_p95, static_rps, static_cpu = (
        results["static paced"][0],
        results["static most"][1],
        results["static most"][2],
    )
    for kind, name in (("typical", "typical searches"), ("unique", "all different")):
        if f"{kind} most" not in results:
            continue
        (_, most, cpu), (tail, _, _) = results[f"{kind} most"], results[f"{kind} paced"]
        print(
            f"{name}: p95 {tail:.1f} ms at {rate:.0f} req/s (x{tail / static_p95:.1f} the static file's "
            f"{static_p95:.1f} ms at the same pace); at most {most:.0f} req/s (x{most / static_rps:.3f} the static "
            f"file's {static_rps:.0f}); server CPU {cpu:.2f} ms a request (x{cpu / static_cpu:.1f} the static file's "
            f"{static_cpu:.2f})"
        )
        ok = tail <= 100 and most >= 200
        print(
            f"targets (>= 200 req/s; p95 <= 100 ms at {rate:.0f} req/s), {name}: {'met' if ok else 'NOT met'}"
            f" at {variables:,} variables" + ("" if variables >= 1_000_000 else " (stated for 1,000,000)")
        )


if __name__ == "__main__":
    sys.exit(main())
