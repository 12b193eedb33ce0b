"""Crash consistency: kill -9 the harvester at random points; nothing half-written survives.

After each kill the store opens, holds no half-written record or run, the index can be rebuilt,
and the next run completes with the same end state as an uninterrupted one. The number of kill
points is `CATALOG_CRASH_POINTS` (default 50, as the reliability issue asks).

A kill point is where the harvest has got to, as the test sees it (pages the source served, the
store's progress read on a connection of the test's own), not a time: kills timed as fractions
of an uninterrupted run's length all landed in start-up when the machine was busier than during
the reference run, and the test failed for proving nothing (`kill_at`).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from catalog.config import Settings
from catalog.model import Dataset, Variable, digest, loads
from catalog.rdf import HYDRA, to_graph
from catalog.search.tantivy_backend import TantivyBackend
from catalog.store import SQLiteStore, store_path

pytestmark = pytest.mark.slow

PAGES, PER_PAGE, VARIABLES = 10, 25, 12
PAGE_DELAY = 0.15  # seconds the server takes to answer each page: the least time between two pages
SOURCE = "crash"


def datasets(page: int) -> list[Dataset]:
    return [
        Dataset(
            uri=f"https://crash.example/ds/{page}-{i}",
            identifier=f"{page}-{i}",
            title={"nb": f"Datasett {page}-{i}"},
            description={"nb": "Til krasjtesten."},
            variables=[
                Variable(
                    uri=f"https://crash.example/var/{page}-{i}-{v}",
                    name=f"V{v}",
                    title={"nb": f"Variabel {v}"},
                    datatype="integer",
                )
                for v in range(VARIABLES)
            ],
        )
        for i in range(PER_PAGE)
    ]


def publish(server) -> str:
    for page in range(1, PAGES + 1):
        g: Graph = to_graph(datasets(page))
        if page < PAGES:
            view = URIRef(f"{server.url}/crash.ttl?page={page}")
            g.add((view, HYDRA.next, URIRef(f"{server.url}/crash.ttl?page={page + 1}")))
            g.add((view, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), HYDRA.PartialCollectionView))
        # each page takes a moment, so that a run lasts long enough for kills to land inside it
        server.serve(
            f"/crash.ttl?page={page}", g.serialize(format="turtle"), delay=PAGE_DELAY, Content_Type="text/turtle"
        )
    return f"{server.url}/crash.ttl?page=1"


# -- where to kill: what the test sees of the harvest, not the clock ----------------------------


@dataclass(frozen=True)
class Seen:
    """What the test sees of the harvest it is about to kill: the pages the source was asked for
    since the harvester started, and in the store whether a run of the source is `running` and how
    many of its records are live (`before`: how many were when the harvester started)."""

    pages: int
    running: bool
    stored: int
    before: int


@dataclass(frozen=True)
class KillPoint:
    """Kill the harvester `then` seconds after `ready` first holds of what the test sees. `then` is
    short next to the time the source takes to serve a page (`PAGE_DELAY`), so the kill lands in the
    state `ready` saw, or barely past it, however slow the machine: load slows the harvest too."""

    what: str
    ready: Callable[[Seen], bool]
    then: float = 0.0


ALL = PAGES * PER_PAGE

SPREAD = (
    KillPoint("some records stored, not all", lambda s: s.before < s.stored < ALL),
    KillPoint("to its first page, nothing stored yet", lambda s: s.running and s.pages >= 1, then=PAGE_DELAY / 2),
    KillPoint("a moment past its next batch stored", lambda s: s.before < s.stored < ALL, then=PAGE_DELAY / 2),
    KillPoint(
        "to its last page, every record stored",
        lambda s: s.running and s.pages >= PAGES and s.stored == ALL,
        then=PAGE_DELAY,
    ),
)
"""Kill points from a run's start to its end, in an order that lets each be reached on the store
the ones before left: the first leaves some records and an interrupted run (the state the tests'
`partial` counts), the second an interrupted run that stored nothing new, the third more records
(the pipeline fetches ahead of its writes: often all of them), the fourth every record with the
run taking its last page or finishing (if the harvester finishes first, `kill_at` says so)."""


class Watcher:
    """The store's progress, read on a plain read-only connection of the test's own: never through
    `SQLiteStore` or `PostgresStore`, whose writers recover the runs of harvesters that are gone
    and whose opening may migrate the schema; watching a run must not touch it."""

    def __init__(self, url: str):
        self.url = url
        self._conn: Any = None

    def progress(self) -> tuple[bool, int] | None:
        """Whether a run of the source is `running`, and how many of its records are live; None
        while the store cannot tell (not created yet, being migrated, busy recovering its WAL)."""
        query = (
            f"SELECT (SELECT count(*) FROM runs WHERE source='{SOURCE}' AND status='running'), "
            f"(SELECT count(*) FROM records WHERE source='{SOURCE}' AND deleted_at IS NULL)"
        )
        try:
            row = self._connection().execute(query).fetchone()
        except Exception:  # noqa: BLE001 - any error of the store's is "cannot tell yet"; asked again
            self.close()
            return None
        return bool(row[0]), int(row[1])

    def _connection(self) -> Any:
        if self._conn is None:
            conn: Any
            if self.url.startswith("postgresql"):
                import psycopg

                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            else:  # mode=ro: never creates the file, never writes it, never checkpoints its WAL
                conn = sqlite3.connect(f"{Path(store_path(self.url)).as_uri()}?mode=ro", uri=True, timeout=1)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def kill_at(
    point: KillPoint, command: list[str], env: dict[str, str], watcher: Watcher, server, seconds: float = 120
) -> bool:
    """Start the harvester and SIGKILL it at `point` (what the test sees asked every 10 ms); whether
    it was killed while it ran (False: it ended first, having done its whole run, which it must
    have done well). Fails if `point` is not reached within `seconds`."""
    before = (watcher.progress() or (False, 0))[1]  # nothing runs: the store is still
    asked = len(server.requests)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + seconds
    try:
        while proc.poll() is None:
            running, stored = watcher.progress() or (False, before)  # the store cannot tell: nothing new
            if point.ready(Seen(len(server.requests) - asked, running, stored, before)):
                time.sleep(point.then)
                break
            assert time.monotonic() < deadline, f"the harvest did not get {point.what} within {seconds} s"
            time.sleep(0.01)
        killed = proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        _, stderr = proc.communicate()
    assert killed or proc.returncode == 0, f"the harvester failed by itself: {stderr.decode()[-2000:]}"
    return killed


def random_points(rng: random.Random, n: int, startup: float) -> list[KillPoint]:
    """`n` kill points: some while the harvester starts (imports, opening the store), the rest
    while it fetches, stores or finishes, at any page."""

    def to_page(page: int) -> Callable[[Seen], bool]:
        return lambda s: s.pages >= page

    points = []
    for _ in range(n):
        if rng.random() < 0.2:
            points.append(KillPoint("started", lambda s: True, then=rng.uniform(0, startup)))
        else:
            page = rng.randint(1, PAGES)
            points.append(KillPoint(f"to page {page}", to_page(page), then=rng.uniform(0, PAGE_DELAY)))
    return points


def harvest_cmd(home) -> list[str]:
    return [sys.executable, "-m", "catalog.cli", "--home", str(home), "harvest"]


def end_state(home) -> dict[str, str]:
    store = SQLiteStore(Settings.load(home).db_path)
    return {r.uri: r.hash for r in store.records()}


def check_consistent(home) -> None:
    settings = Settings.load(home)
    db = sqlite3.connect(settings.db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = SQLiteStore(settings.db_path)  # opening recovers interrupted runs
    assert [r for r in store.runs(limit=1000) if r.status == "running"] == []
    for row in db.execute("SELECT kind, data, hash FROM records"):
        assert digest(row[1]) == row[2]
        loads(row[0], row[1])
    assert (
        db.execute(
            "SELECT count(*) FROM history h LEFT JOIN records r ON r.uri = h.uri WHERE r.uri IS NULL"
        ).fetchone()[0]
        == 0
    )
    from catalog.pipeline import reindex

    assert reindex(settings, store, TantivyBackend(home / "rebuilt-index")) == store.count() + sum(
        len(r.dataset().variables) for r in store.records() if r.kind == "dataset"
    )


def test_killing_the_harvester_anywhere_loses_nothing(tmp_path, server):
    url = publish(server)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    reference = tmp_path / "reference"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "catalog.cli",
            "--home",
            str(reference),
            "sources",
            "add",
            "crash",
            "--kind",
            "dcat",
            "--url",
            url,
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "catalog.cli", "--home", str(reference), "sources", "list"],
        check=True,
        env=env,
        capture_output=True,
    )
    startup = time.perf_counter() - started  # imports and opening the store: no harvesting yet
    subprocess.run(harvest_cmd(reference), check=True, env=env, capture_output=True)
    expected = end_state(reference)
    assert len(expected) == PAGES * PER_PAGE

    rng = random.Random(20261123)
    points = int(os.environ.get("CATALOG_CRASH_POINTS", "50"))
    home = tmp_path / "crashing"
    (home).mkdir()
    (home / "catalog.toml").write_text((reference / "catalog.toml").read_text())
    watcher = Watcher(f"sqlite:///{Settings.load(home).db_path}")
    interrupted_with_partial_work = 0
    try:
        for point in [*SPREAD, *random_points(rng, max(0, points - len(SPREAD)), startup)][:points]:
            kill_at(point, harvest_cmd(home), env, watcher, server)
            check_consistent(home)
            last = SQLiteStore(Settings.load(home).db_path).last_run("crash")
            if last is not None and last.status == "interrupted" and 0 < len(end_state(home)) < len(expected):
                interrupted_with_partial_work += 1
    finally:
        watcher.close()
    assert interrupted_with_partial_work > 0, "no kill landed in the middle of a run: the test proves nothing"
    subprocess.run(harvest_cmd(home), check=True, env=env, capture_output=True)
    check_consistent(home)
    assert end_state(home) == expected
    # and the index holds what the store does: the documents of records stored by the runs that
    # were killed (before their commit) are indexed again by the run that ends well
    indexed, rebuilt = TantivyBackend(Settings.load(home).index_dir), TantivyBackend(home / "rebuilt-index")
    assert indexed.count() == rebuilt.count() == len(expected) * (1 + VARIABLES)
