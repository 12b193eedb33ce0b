"""Crash consistency: kill -9 the harvester at random points; nothing half-written survives.

After each kill the store opens, holds no half-written record or run, the index can be rebuilt,
and the next run completes with the same end state as an uninterrupted one. The number of kill
points is `CATALOG_CRASH_POINTS` (default 50, as the reliability issue asks).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from rdflib import Graph, URIRef

from catalog.config import Settings
from catalog.model import Dataset, Variable, digest, loads
from catalog.rdf import HYDRA, to_graph
from catalog.search.tantivy_backend import TantivyBackend
from catalog.store import SQLiteStore

pytestmark = pytest.mark.slow

PAGES, PER_PAGE, VARIABLES = 10, 25, 12


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
        server.serve(f"/crash.ttl?page={page}", g.serialize(format="turtle"), delay=0.15, Content_Type="text/turtle")
    return f"{server.url}/crash.ttl?page=1"


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
    started = time.perf_counter()
    subprocess.run(harvest_cmd(reference), check=True, env=env, capture_output=True)
    full = time.perf_counter() - started
    expected = end_state(reference)
    assert len(expected) == PAGES * PER_PAGE

    rng = random.Random(20261123)
    points = int(os.environ.get("CATALOG_CRASH_POINTS", "50"))
    home = tmp_path / "crashing"
    (home).mkdir()
    (home / "catalog.toml").write_text((reference / "catalog.toml").read_text())
    interrupted_with_partial_work = 0
    for _ in range(points):
        proc = subprocess.Popen(harvest_cmd(home), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(startup * 0.8, full))  # mostly while it harvests, sometimes while it starts
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check_consistent(home)
        last = SQLiteStore(Settings.load(home).db_path).last_run("crash")
        if last is not None and last.status == "interrupted" and 0 < len(end_state(home)) < len(expected):
            interrupted_with_partial_work += 1
    assert interrupted_with_partial_work > 0, "no kill landed in the middle of a run: the test proves nothing"
    subprocess.run(harvest_cmd(home), check=True, env=env, capture_output=True)
    check_consistent(home)
    assert end_state(home) == expected
    # and the index holds what the store does: the documents of records stored by the runs that
    # were killed (before their commit) are indexed again by the run that ends well
    indexed, rebuilt = TantivyBackend(Settings.load(home).index_dir), TantivyBackend(home / "rebuilt-index")
    assert indexed.count() == rebuilt.count() == len(expected) * (1 + VARIABLES)
