"""The catalogue as a national service on PostgreSQL: the same catalogue exports identically from
SQLite and PostgreSQL, and explorer processes on several hosts share one catalogue.

"Hosts" are processes with catalogue homes of their own that share nothing but the database and
the search cluster (the OpenSearch emulator) or, on one host, the tantivy index folder.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from catalog.config import Settings, SourceConfig
from catalog.pipeline import harvest
from catalog.profiles import FEEDS as PROFILES
from catalog.rdf import to_graph
from catalog.store import open_store, store_at
from simulator import Simulator
from tests.factories import apgar_codes, mfr_dataset, numbered
from tests.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.3
STORE_TIME = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00"')
"""How the store writes the time of a change (first seen, last changed, the catalogue's version),
as the export writes it: rdflib writes an xsd:dateTime in its canonical form, without the
fraction when a time falls on a whole second (".000000": one time in a million, which once made
the two exports differ in a full run)."""
LABEL_TIME = re.compile(rb'(/label#certificate> <http://purl.org/dc/terms/issued> )"[^"]+"')
"""When a dataset's quality and utility label was assessed (by the harvest that stored it)."""


@pytest.fixture(scope="module")
def nation() -> Iterator[Simulator]:
    with Simulator(seed=0, scale=SCALE) as sim:
        yield sim


def cli(home: Path, *args: str, url: str, extra_env: dict[str, str] | None = None) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": url, **(extra_env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "catalog.cli", "--home", str(home), *args], env=env, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout


def harvested_nation(home: Path, url: str, nation: Simulator) -> Settings:
    settings = Settings.load(home, database_url=url)
    for src in nation.source_configs():
        settings.sources[src.name] = src
    settings.save_sources()
    results = harvest(settings, store_at(url), None, workers=2)
    assert all(r.ok for r in results), [r.line() for r in results if not r.ok]
    return settings


def test_a_catalogue_moved_into_postgresql_exports_byte_for_byte_as_before(
    tmp_path: Path, pg_url: str, nation: Simulator
) -> None:
    sqlite_home, pg_home = tmp_path / "sqlite", tmp_path / "postgresql"
    sqlite_url = f"sqlite:///{sqlite_home / 'catalog.sqlite'}"
    harvested_nation(sqlite_home, sqlite_url, nation)
    (pg_home).mkdir()
    (pg_home / "catalog.toml").write_bytes((sqlite_home / "catalog.toml").read_bytes())
    said = cli(pg_home, "import-store", sqlite_url, url=pg_url).decode()
    assert "copied" in said and " records" in said
    for profile in PROFILES:
        for fmt in ("nt", "turtle"):
            args = ("export", "--profile", profile, "--format", fmt)
            original = cli(sqlite_home, *args, url=sqlite_url)
            assert cli(pg_home, *args, url=pg_url) == original, (profile, fmt)
    assert len(original.splitlines()) > 10_000


def test_the_same_nation_harvested_into_sqlite_and_postgresql_exports_the_same_but_for_the_harvest_times(
    tmp_path: Path, pg_url: str, nation: Simulator
) -> None:
    exports = []
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'catalog.sqlite'}"), ("postgresql", pg_url)):
        harvested_nation(tmp_path / name, url, nation)
        exports.append(cli(tmp_path / name, "export", "--format", "nt", url=url))
    sqlite_export, pg_export = (
        LABEL_TIME.sub(rb'\1"(harvest time)"', STORE_TIME.sub(b'"(harvest time)"', e)) for e in exports
    )
    assert pg_export == sqlite_export
    # each catalogue record's first seen and last change (of the conforming datasets and the code
    # lists they use: the EHDS export carries no other code list)
    assert len(STORE_TIME.findall(exports[1])) > 200
    assert len(LABEL_TIME.findall(exports[1])) > 20  # each EHDS dataset's label


# -- several explorers, one catalogue ------------------------------------------------------------


class Explorer:
    """`catalog serve` in a process of its own, as on a host of its own."""

    def __init__(self, home: Path, env: dict[str, str]):
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", "--home", str(home), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url + "/api/sources", timeout=5)
                return
            except requests.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the explorer did not start: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
                    ) from None
                time.sleep(0.2)

    def get(self, path: str) -> requests.Response:
        """As through the load balancer in front of every explorer: the same Host for all."""
        answer = requests.get(self.url + path, headers={"Host": "katalog.example.org"}, timeout=30)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        return answer

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def what_explorers_show(explorer: Explorer, dataset_key: str) -> dict[str, Any]:
    """The answers a researcher, a harvesting catalogue and the access body get: search, a dataset,
    a feed page, and the registers (data uses, confirmations, the dataset's label)."""
    feed = explorer.get("/catalog.nt?profile=dcat-ap-3")
    return {
        "search": explorer.get("/api/search?q=f%C3%B8dselsvekt").json(),
        "placenta": explorer.get("/api/search?q=placentavekt").json()["total"],
        "dataset": explorer.get(f"/api/datasets/{dataset_key}").json(),
        "feed": (feed.headers["ETag"], feed.content),
        "changes": sorted(c["change"] for c in explorer.get("/changes?since=2000-01-01").json()["changes"]),
        "uses": explorer.get("/api/uses").json(),
        "confirmations": explorer.get("/api/confirmations").json(),
        "label": explorer.get(f"/datasets/{dataset_key}/label.json").json(),
    }


REGISTER = """project_title,organisation,datasets,permit_date,legal_basis,summary,permit_id
Fødselsvekt og senere helse,Universitetet i Bergen,{dataset},2025-03-01,EHDS Art. 53(1)(e),Kohortstudie,HDAB-2025-001
"""


@pytest.mark.parametrize("index", ["opensearch-emulator", "tantivy"])
def test_two_explorers_on_one_database_answer_alike_and_both_show_a_later_harvest(
    tmp_path: Path, pg_url: str, server, osmem, index: str
) -> None:
    from catalog.model import Variable, key_for

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": pg_url}
    if index == "opensearch-emulator":
        if osmem.url is None:
            pytest.skip(osmem.reason)
        alias = f"explorers-{os.getpid()}-{time.monotonic_ns()}"
        env |= {
            "CATALOG_SEARCH_BACKEND": "elasticsearch",
            "CATALOG_ELASTICSEARCH_URL": osmem.url,
            "CATALOG_ELASTICSEARCH_INDEX": alias,
            "CATALOG_ELASTICSEARCH_PLAIN_JSON": "1",
        }
        homes = [tmp_path / "harvester", tmp_path / "host-a", tmp_path / "host-b"]  # nothing shared on disk
    else:
        homes = [tmp_path / "host"] * 3  # one host: the index folder is shared
    body = to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle")
    feed = server.serve("/mfr.ttl", body, Content_Type="text/turtle")
    for home in homes:
        settings = Settings.load(home)
        settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=feed, title="MFR")
        settings.save_sources()
    cli(homes[0], "harvest", url=pg_url, extra_env=env)
    register = homes[0] / "register.csv"
    register.write_text(REGISTER.format(dataset=mfr_dataset().uri), encoding="utf-8")
    cli(homes[0], "uses", "import", str(register), url=pg_url, extra_env=env)  # the registers, written on that host
    cli(homes[0], "confirm", "--source", "mfr", "--note", "brev", url=pg_url, extra_env=env)
    explorers = [Explorer(homes[1], env), Explorer(homes[2], env)]
    key = key_for(mfr_dataset().uri)
    try:
        before = [what_explorers_show(e, key) for e in explorers]
        assert before[0] == before[1]
        assert before[0]["search"]["total"] == 1 and before[0]["placenta"] == 0
        [use] = before[0]["uses"]["uses"]
        assert use["permit_id"] == "HDAB-2025-001" and [d["uri"] for d in use["datasets"]] == [mfr_dataset().uri]
        [mfr] = [h for h in before[0]["confirmations"]["holders"] if h["id"] == "mfr"]
        assert (mfr["note"], mfr["confirmed_by"]) == ("brev", "cli")
        assert before[0]["label"]["dataset"] == mfr_dataset().uri and before[0]["label"]["score"] > 0

        changed = mfr_dataset(title={"nb": "Fødsler, ny utgave"})
        changed.variables.append(
            Variable(uri=changed.uri + "/PLACENTAVEKT", name="PLACENTAVEKT", title={"nb": "Placentavekt"})
        )
        server.serve(
            "/mfr.ttl", to_graph([changed, apgar_codes()]).serialize(format="turtle"), Content_Type="text/turtle"
        )
        cli(homes[0], "harvest", url=pg_url, extra_env=env)  # a harvest on a third host

        deadline = time.monotonic() + 10  # "within seconds"
        while True:
            after = [what_explorers_show(e, key) for e in explorers]
            if all(a["placenta"] == 1 for a in after) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        assert after[0] == after[1]
        assert after[0]["placenta"] == 1 and after[0]["dataset"]["title"] == {"nb": "Fødsler, ny utgave"}
        assert after[0]["feed"][0] != before[0]["feed"][0]  # the feed's ETag moved on both
        assert after[0]["changes"] == sorted([*before[0]["changes"], "changed", "new"])
    finally:
        for e in explorers:
            e.stop()


def test_sessions_the_server_ended_are_replaced_before_they_fail_a_read_or_a_run(
    postgres_server: Any, pg_url: str
) -> None:
    """A PostgreSQL restart or failover ends every session. Each process's connections (its
    readers' and the one holding its runs' locks) are opened again at their next use, rather than
    failing it: restarting the server under a running service, the scheduler's next tick and the
    next admin request failed with "AdminShutdown" before they reconnected."""
    from catalog.store_postgres import PostgresStore

    store = PostgresStore(pg_url)
    try:
        first = store.try_start_run("mfr")
        assert first is not None
        store.finish_run(first, "ok", {})
        sessions = (store.db.info.backend_pid, store._lease().info.backend_pid)
        postgres_server.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN {sessions}")
        time.sleep(0.5)  # the server's last words reach the sockets
        assert store.get("https://example.org/none") is None
        second = store.try_start_run("mfr")
        assert second is not None
        store.finish_run(second, "ok", {})
        assert store.db.info.backend_pid not in sessions and store._lease().info.backend_pid not in sessions
    finally:
        store.close()


class Forwarder:
    """A TCP port on loopback passing every connection on to `target`, from when it is made: a
    database that comes up after the explorer, without stopping the tests' server."""

    def __init__(self, port: int, target: int) -> None:
        self.target = target
        self.thawed = threading.Event()  # cleared: a frozen server, which reads and answers nothing
        self.thawed.set()
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while self.thawed.wait() and (data := a.recv(65536)):
                self.thawed.wait()
                b.sendall(data)
        except OSError:
            pass
        finally:
            b.close()

    def close(self) -> None:
        self.listener.close()


def test_an_explorer_started_while_its_database_is_down_serves_once_it_is_up(
    postgres_server: Any, pg_url: str, tmp_path: Path
) -> None:
    """Explorers and the database restart in any order: an explorer that cannot reach its database
    starts anyway, not ready (/readyz says why), answers 503 to retry (the address only in its
    log), and serves once the database answers, without a restart. (It stopped at start before.)"""
    from web import create_app

    port = free_port()
    url = pg_url.replace(f":{postgres_server.port}/", f":{port}/")
    client = create_app(Settings.load(tmp_path, database_url=url)).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["store"].startswith(
        f"unreachable: StoreUnavailable: cannot connect to the store at postgresql://postgres@127.0.0.1:{port}/"
    )
    page = client.get("/sources/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "30" and str(port) not in page.text
    assert client.get("/healthz").status_code == 200
    forwarder = Forwarder(port, postgres_server.port)  # the database comes up
    try:
        wait_for(lambda: client.get("/readyz").status_code == 200, 10, "the explorer opening its store")
        assert client.get("/sources/", headers={"Accept": "text/html"}).status_code == 200
    finally:
        client.application.extensions["store"].close()
        forwarder.close()


def test_a_frozen_database_answers_503_after_the_store_timeout_and_serves_once_it_thaws(
    postgres_server: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that stops answering on open connections (stopped with SIGSTOP, a hung host) held
    the explorer's requests for as long as it was frozen: the operator's drill saw three requests
    take a whole explorer down, /healthz included, for 80 s. Now a read waits `store_timeout`, and
    the reads after it fail at once for `QUIET_SECONDS` (here 2) rather than each waiting in turn."""
    from catalog import store_postgres

    monkeypatch.setattr(store_postgres, "QUIET_SECONDS", 2.0)
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as Late

    from web import create_app

    port = free_port()
    forwarder = Forwarder(port, postgres_server.port)
    url = pg_url.replace(f":{postgres_server.port}/", f":{port}/")
    client = create_app(Settings.load(tmp_path, database_url=url, store_timeout=1.0)).test_client()
    worker = ThreadPoolExecutor(1)  # one server thread, whose connection is open when the server freezes

    def sources() -> Any:
        return worker.submit(client.get, "/sources/", headers={"Accept": "text/html"}).result(timeout=5)

    try:
        assert sources().status_code == 200
        forwarder.thawed.clear()
        try:
            page = sources()  # the test must not wait on the frozen server either
        except Late:
            pytest.fail("the page waited for the frozen database")
        assert page.status_code == 503 and page.headers["Retry-After"] == "30"
        started = time.monotonic()
        assert sources().status_code == 503 and time.monotonic() - started < 0.5  # not asked: at once
        assert client.get("/healthz").status_code == 200
        forwarder.thawed.set()
        time.sleep(2)  # the quiet time
        assert sources().status_code == 200  # on a new connection
    finally:
        forwarder.thawed.set()
        worker.shutdown()
        client.application.extensions["store"].close()
        forwarder.close()


def _slow_read_in_a_child(url: str, answer: Any) -> None:
    from catalog.store import StoreUnavailable
    from catalog.store_postgres import PostgresStore

    store = PostgresStore(url, readonly=True, read_timeout=0.5)
    started = time.monotonic()
    try:
        store._value("SELECT pg_sleep(5)")
        answer.put("answered")
    except StoreUnavailable as exc:
        answer.put(f"{time.monotonic() - started:.1f} {exc}")


def test_a_read_past_its_deadline_is_cut_off_in_a_forked_process_too(pg_url: str) -> None:
    """An explorer's workers are forked: a child has none of its parent's threads, the deadlines'
    among them, and may have copied their lock while it was held."""
    import multiprocessing

    from catalog.store_postgres import PostgresStore

    parent = PostgresStore(pg_url, readonly=True, read_timeout=5.0)
    assert parent._value("SELECT 1") == 1  # the parent's watchdog runs
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    child = context.Process(target=_slow_read_in_a_child, args=(pg_url, answer))
    child.start()
    said = answer.get(timeout=10)
    child.join(10)
    seconds, message = said.split(" ", 1)
    assert float(seconds) < 3 and "did not answer within 0.5 s" in message
    parent.close()


def _frozen_store(server: Any) -> str:
    """A fresh schema on `server`, its URL with a password (trust authentication ignores it), which
    no message may show."""
    return server.url(schema=server.new_schema()).replace("postgres@", "postgres:s3cret@")


def _feed(server: Any, records: list[Any], delay: float = 0.0) -> str:
    return server.serve(
        "/frozen.ttl", to_graph(records).serialize(format="turtle"), delay=delay, Content_Type="text/turtle"
    )


def _freeze_when_fetched(db: Any, web: Any) -> None:
    """Freeze the database as soon as the source's feed is asked for: the answer is held back
    (the route's delay), so the run's first write comes after the freeze."""
    wait_for(lambda: any(r.path == "/frozen.ttl" for r in web.requests), 30, "the harvester asking for the feed")
    db.freeze()


def _answer(proc: subprocess.Popen[str], what: str, timeout: float) -> tuple[str, str]:
    """A command's output once the database froze under it: the test fails rather than waits."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} waited for the frozen database")


def _frozen_while_waiting(
    db: Any, proc: subprocess.Popen[str], watcher: Any, waiting: tuple[str, tuple[str, ...]], what: str
) -> tuple[str, str]:
    """`proc`'s output, the server frozen as soon as `watcher` sees it wait for a lock the test
    holds (`waiting`: a query of pg_stat_activity and its arguments), so that the freeze comes
    under the statement the test is about every time."""
    sql, args = waiting
    wait_for(lambda: watcher.execute(sql, args).fetchone(), 30, f"{what} waiting for the lock")
    db.freeze()
    try:
        return _answer(proc, what, 30)
    finally:
        db.thaw()


def _cut_off(proc: subprocess.Popen[str], url: str, out: str, err: str, seconds: int) -> None:
    """`proc` stopped with one line naming the store (its password hidden) and the setting."""
    shown = url.replace("s3cret", "***").split("?")[0]
    (said,) = err.splitlines()
    assert said.startswith(f"error: the store at {shown}")
    assert f"within {seconds} s (the store_write_timeout setting)" in said
    assert proc.returncode == 2 and out == "" and "s3cret" not in err


def _stopped(db: Any, proc: subprocess.Popen[str] | None) -> None:
    db.thaw()
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def _logged(line: str) -> dict[str, Any]:
    """A JSON log line; any other line as its event, so that the test shows it rather than stops reading."""
    try:
        return dict(json.loads(line))
    except ValueError:
        return {"event": line}


class _Said(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_harvest_whose_write_the_frozen_database_leaves_unanswered_fails_after_the_write_timeout(
    own_postgres_server: Any, server: Any, tmp_path: Path
) -> None:
    """A harvest writing to a server that stopped answering (SIGSTOP, a hung host, packets dropped
    without a reset) waited for ever, its source's run lock held: the scheduler ran nothing else
    and `catalog harvest` from cron never ended. Now each statement waits `store_write_timeout`:
    the run fails naming the store, the setting and the source, nothing of its transaction is
    committed, and the next run stores the source as it is."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as Late

    db = own_postgres_server
    url = _frozen_store(db)
    settings = Settings.load(tmp_path, database_url=url, store_write_timeout=1.0)
    settings.sources["mfr"] = SourceConfig("mfr", "dcat", _feed(server, [numbered(1), numbered(2)]))
    store = open_store(settings)
    assert [r.status for r in harvest(settings, store, None, workers=1)] == ["ok"]
    renamed = numbered(1, title={"nb": "Nytt navn"})
    _feed(server, [renamed, numbered(2), numbered(3)], delay=1.0)
    server.requests.clear()
    said = _Said()
    logging.getLogger("catalog.pipeline").addHandler(said)
    worker = ThreadPoolExecutor(1)
    try:
        started = time.monotonic()
        running = worker.submit(harvest, settings, store, None, workers=1)
        _freeze_when_fetched(db, server)
        wait_for(lambda: any(m.startswith("source failed") for m in said.messages), 20, "the write cut off")
        db.thaw()  # before the run's end is written: the run is recorded as failed
        try:
            (result,) = running.result(timeout=20)
        except Late:
            pytest.fail("the harvest waited for the frozen database")
    finally:
        db.thaw()
        worker.shutdown(wait=False)
        logging.getLogger("catalog.pipeline").removeHandler(said)
    assert time.monotonic() - started < 15
    shown = url.replace("s3cret", "***").split("?")[0]
    assert result.status == "failed" and result.line().startswith("mfr: ")
    assert f"the store at {shown}" in result.error and "within 1 s (the store_write_timeout setting)" in result.error
    assert "s3cret" not in result.line()
    run = store.run(result.run_id)
    assert run is not None and run.status == "failed" and run.error == result.error
    assert not store.running_now("mfr")  # the run's lock is released
    # nothing of the run's transaction was committed: the last good records, as they were
    assert store.changed_in_runs([result.run_id], "dataset") == []
    assert sorted(store.known("mfr")) == [numbered(1).uri, numbered(2).uri]
    assert store.get(numbered(1).uri).record == numbered(1)
    _feed(server, [renamed, numbered(2), numbered(3)])
    assert [r.status for r in harvest(settings, store, None, workers=1)] == ["ok"]
    assert sorted(store.known("mfr")) == [numbered(1).uri, numbered(2).uri, numbered(3).uri]
    assert store.get(numbered(1).uri).record == renamed
    store.close()


def test_a_scheduler_whose_database_froze_mid_harvest_carries_on_and_harvests_again_once_it_thaws(
    own_postgres_server: Any, server: Any, tmp_path: Path
) -> None:
    """The scheduler harvests in a worker process and records the run in its own: with the server
    frozen through both, neither could write, the run's lock stayed held, and the scheduler hung.
    Now the run fails and is given up (its lock goes with the session, once the server sees it
    closed), the scheduler logs it and goes on ticking, and once the server thaws the run shows as
    interrupted and the source is harvested again at once."""
    from catalog.admin_queue import AdminQueue
    from tests.processes import cli, running

    db = own_postgres_server
    url = _frozen_store(db)
    settings = Settings.load(tmp_path, database_url=url)
    settings.sources["mfr"] = SourceConfig("mfr", "dcat", _feed(server, [numbered(1), numbered(2)]))
    settings.save_sources()
    store = open_store(settings)
    assert [r.status for r in harvest(settings, store, None, workers=1)] == ["ok"]  # not due again for a day
    (good,) = store.runs("mfr")
    renamed = numbered(1, title={"nb": "Nytt navn"})
    _feed(server, [renamed, numbered(2), numbered(3)], delay=1.0)
    server.requests.clear()
    env = {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_FORMAT": "json", "CATALOG_STORE_WRITE_TIMEOUT": "1"}
    lines: list[dict[str, Any]] = []
    with running(cli(str(tmp_path), "scheduler", "--poll", "1"), env=env, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        threading.Thread(target=lambda: lines.extend(map(_logged, proc.stderr)), daemon=True).start()
        AdminQueue(tmp_path).submit("harvest", {"sources": ["mfr"]})
        try:
            _freeze_when_fetched(db, server)
            ended = wait_for(
                lambda: [x for x in lines if x["event"] == "harvest finished" and x.get("run", 0) > good.id],
                30,
                "the frozen run's end",
            )[0]
            wait_for(lambda: [x for x in lines if x["event"].startswith("scheduler tick failed")], 30, "a failed tick")
            ticks = len([x for x in lines if x["event"].startswith("scheduler tick failed")])
            wait_for(
                lambda: len([x for x in lines if x["event"].startswith("scheduler tick failed")]) > ticks,
                30,
                "the next tick",
            )
            assert proc.poll() is None
        finally:
            db.thaw()
        shown = url.replace("s3cret", "***").split("?")[0]
        assert ended["source"] == "mfr" and ended["status"] == "failed"
        assert f"the store at {shown}" in ended["error"] and "(the store_write_timeout setting)" in ended["error"]
        frozen_run = ended["run"]
        again = wait_for(
            lambda: [r for r in store.runs("mfr") if r.id > frozen_run and r.status == "ok"], 60, "the next harvest"
        )
        assert store.run(frozen_run).status == "interrupted"  # its lock went with its session
    assert again and "s3cret" not in json.dumps(lines)
    assert store.changed_in_runs([frozen_run], "dataset") == []
    assert sorted(store.known("mfr")) == [numbered(1).uri, numbered(2).uri, numbered(3).uri]
    assert store.get(numbered(1).uri).record == renamed
    store.close()


def test_a_scheduler_started_while_its_database_is_down_waits_for_it_then_harvests(
    postgres_server: Any, pg_url: str, tmp_path: Path
) -> None:
    """A scheduler that starts before its database (a host's boot, a failover) waits for it,
    saying so once, and harvests what is due once it answers. (It ended at once before: systemd
    restarts it every 10 s, an orchestrator backs off for minutes.)"""
    from catalog.store_postgres import PostgresStore
    from tests.processes import cli, running

    port = free_port()
    url = pg_url.replace(f":{postgres_server.port}/", f":{port}/")
    settings = Settings.load(tmp_path)
    settings.sources["gone"] = SourceConfig("gone", "dcat", f"http://127.0.0.1:{free_port()}/feed.ttl")
    settings.save_sources()
    env = {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_FORMAT": "json"}
    with running(cli(str(tmp_path), "scheduler", "--poll", "1"), env=env, stderr=subprocess.PIPE) as proc:
        time.sleep(3)
        assert proc.poll() is None, "the scheduler ended while its database was down"
        forwarder = Forwarder(port, postgres_server.port)  # the database comes up
        try:
            store = PostgresStore(pg_url)
            wait_for(lambda: store._value("SELECT count(*) FROM runs") > 0, 30, "the scheduler's first run")
            store.close()
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
            forwarder.close()
    waiting = [line for line in stderr.splitlines() if "the scheduler waits for it" in line]
    assert len(waiting) == 1 and f"127.0.0.1:{port}" in waiting[0]


def readme_sql(title: str) -> str:
    """The README's ```sql block that starts with the comment `-- provisioning: <title>`."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"```sql\n\s*-- provisioning: " + re.escape(title) + r"\n(.*?)```", readme, re.S)
    assert found, f"the README has no provisioning block {title!r}"
    return found.group(1)


def test_the_readmes_provisioning_gives_the_scheduler_a_schema_and_the_explorers_a_role_that_reads_only(
    postgres_server,
):
    """The operator's drill found no step that creates the roles and database, and no way to give the
    explorers the read-only role the README said would do: the blocks are run here as written."""
    import psycopg

    name = f"hk{os.getpid()}"
    renamed = {"helsekatalog_web": f"{name}_web", "helsekatalog": name}  # the longer name first
    blocks = []
    for title in ("the cluster", "in the database helsekatalog"):
        sql = readme_sql(title)
        for old, new in renamed.items():
            sql = sql.replace(old, new)
        blocks.append(sql)
    for sql, database in zip(blocks, ("postgres", name), strict=True):
        for statement in re.sub(r"--[^\n]*", "", sql).split(";"):  # one by one: CREATE DATABASE stands alone
            if statement.strip():
                postgres_server.execute(statement, database=database)
    base = f"postgresql://{{role}}@127.0.0.1:{postgres_server.port}/{name}?options=-c%20search_path%3D{name}"
    writer = store_at(base.format(role=name))  # the scheduler: migrates and writes
    reader = None
    try:
        run = writer.start_run("mfr")
        writer.finish_run(run, "ok", {})
        reader = store_at(base.format(role=f"{name}_web"), readonly=True)
        assert [r.status for r in reader.runs("mfr")] == ["ok"]
        with psycopg.connect(base.format(role=f"{name}_web"), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM runs")
    finally:
        for store in (reader, writer):
            if store is not None:
                store.close()
        postgres_server.execute(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")
        postgres_server.execute(f"DROP ROLE {name}_web; DROP ROLE {name}", database="postgres")


def test_an_explorer_with_a_read_only_role_waits_for_the_schema_instead_of_crashing(postgres_server):
    """The explorers need no write access (README); started beside the scheduler (`enable --now`),
    one may open the schema before the scheduler has migrated it. It ended with a traceback
    (InsufficientPrivilege: CREATE TABLE schema_version); it is not ready, and says why."""
    from catalog.store import StoreUnavailable

    schema = postgres_server.new_schema()
    role = f"reader_{schema}"
    postgres_server.execute(
        f"CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA {schema} TO {role}; "
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}"
    )
    reader_url = postgres_server.url(schema=schema).replace("postgres@", f"{role}@")
    try:
        with pytest.raises(StoreUnavailable, match="catalog migrate") as refused:
            store_at(reader_url, readonly=True)
        assert "version 0" in str(refused.value) and "InsufficientPrivilege" not in str(refused.value)
        store_at(postgres_server.url(schema=schema)).close()  # the scheduler, or `catalog migrate`
        reader = store_at(reader_url, readonly=True)
        assert reader.count() == 0
        reader.close()
    finally:
        postgres_server.execute(f"DROP SCHEMA {schema} CASCADE; DROP OWNED BY {role}; DROP ROLE {role}")


def test_a_harvest_from_cron_on_a_frozen_database_prints_each_sources_line_and_ends_failed(
    own_postgres_server: Any, server: Any, tmp_path: Path
) -> None:
    """`catalog harvest` from cron with the server frozen through its runs: the runs fail and are
    given up, and then the harvest's closing steps (linking records across the runs, each source's
    conformance) failed on the store too, so the command said only `error: cannot connect ...` and
    no source's line. Now it prints each source's line, failed with the store and the setting, the
    closing steps' failure in one line after them, and exits 1 (a source failed)."""
    from tests.processes import cli as command

    db = own_postgres_server
    url = _frozen_store(db)
    settings = Settings.load(tmp_path, database_url=url)
    settings.sources["mfr"] = SourceConfig("mfr", "dcat", _feed(server, [numbered(1)], delay=1.0))
    settings.sources["npr"] = SourceConfig(
        "npr",
        "dcat",
        server.serve(
            "/frozen-too.ttl", to_graph([numbered(2)]).serialize(format="turtle"), delay=1.0, Content_Type="text/turtle"
        ),
    )
    settings.save_sources()
    open_store(settings).close()  # the schema made before the freeze
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": url, "CATALOG_STORE_WRITE_TIMEOUT": "1"}
    proc = subprocess.Popen(
        command(str(tmp_path), "harvest"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(
            lambda: {"/frozen.ttl", "/frozen-too.ttl"} <= {r.path for r in server.requests},
            30,
            "the harvesters asking for both feeds",
        )
        db.freeze()
        out, err = _answer(proc, "catalog harvest", 60)
    finally:
        db.thaw()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shown = url.replace("s3cret", "***").split("?")[0]
    lines = [line for line in out.splitlines() if not line.startswith(" ")]  # not the runs' errors under them
    assert [line.split(":", 1)[0] for line in lines] == ["mfr", "npr"], (out, err)
    for line in lines:
        assert "— FAILED: " in line and f"the store at {shown}" in line, (out, err)
        assert "(the store_write_timeout setting)" in line
    (said,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert said == err.splitlines()[-1] and said.startswith("error: the harvest's closing steps failed"), err
    assert f"the store at {shown}" in said
    assert proc.returncode == 1
    assert "s3cret" not in out + err


def test_an_import_into_a_database_that_froze_under_it_fails_after_the_write_timeout(
    own_postgres_server: Any, server: Any, tmp_path: Path
) -> None:
    """`catalog import-store` had no deadline: a server that froze under the copy kept the command
    waiting for ever. Now each of its statements waits `store_write_timeout`, as the pipeline's do
    (the copy is one transaction, which may be long; a statement of it is a batch of rows): it ends
    with one line naming the store and the setting, and the store is left empty.

    The freeze comes while the import waits for the catalogue's write lock, which the test holds,
    so that it comes mid-copy every time (a copy of a few records takes milliseconds)."""
    import psycopg

    from catalog.store import store_path, store_url
    from tests.processes import cli as command

    old = tmp_path / "old"
    old.mkdir()
    sqlite = Settings.load(old)
    sqlite.sources["mfr"] = SourceConfig("mfr", "dcat", _feed(server, [numbered(1), numbered(2)]))
    assert [r.status for r in harvest(sqlite, open_store(sqlite), None, workers=1)] == ["ok"]
    db = own_postgres_server
    url = _frozen_store(db)
    target = store_at(url)  # the schema made, and the write lock held while the import starts
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": url, "CATALOG_STORE_WRITE_TIMEOUT": "3"}
    proc = None
    try:
        with target.transaction(), psycopg.connect(db.url(), autocommit=True) as watcher:
            proc = subprocess.Popen(
                command(str(tmp_path / "new"), "import-store", str(store_path(store_url(sqlite)))),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            waiting = ("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'", ())
            out, err = _frozen_while_waiting(db, proc, watcher, waiting, "catalog import-store")
    finally:
        _stopped(db, proc)
    _cut_off(proc, url, out, err, 3)
    assert target.count() == 0 and not target.runs(limit=1)  # nothing of the cut copy was committed
    target.close()


@pytest.mark.parametrize(
    ("step", "hold", "waits_on"),
    [
        # the schema's version is read before anything else: a table lock holds that read
        ("the schema version check", "BEGIN; LOCK TABLE {schema}.schema_version IN ACCESS EXCLUSIVE MODE", "relation"),
        # a schema not yet made: the migration waits for its lock (another process migrating)
        ("the migration", "SELECT pg_advisory_lock({namespace}, {migrate})", "advisory"),
    ],
)
def test_opening_a_store_whose_database_froze_fails_after_the_write_timeout_naming_the_store_and_the_setting(
    own_postgres_server: Any, tmp_path: Path, step: str, hold: str, waits_on: str
) -> None:
    """Opening a PostgreSQL store reads its schema's version and applies the steps it lacks; those
    statements had no deadline, so with the server frozen under them `catalog migrate` (and the
    scheduler, and every command opening the store) waited for ever. Now each waits
    `store_write_timeout`, as every other statement does.

    The freeze comes while the statement waits for a lock the test holds, so that it comes under
    that statement every time."""
    import psycopg

    from catalog.store_postgres import NAMESPACE, _key
    from tests.postgres_server import DATABASE
    from tests.processes import cli as command

    db = own_postgres_server
    url = _frozen_store(db)
    schema = url.split("search_path%3D")[1]
    if step == "the schema version check":
        store_at(url).close()  # the schema made and at its version
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": url, "CATALOG_STORE_WRITE_TIMEOUT": "2"}
    proc = None
    try:
        with (
            psycopg.connect(db.url(), autocommit=True) as holder,
            psycopg.connect(db.url(), autocommit=True) as watcher,
        ):
            for statement in hold.split("; "):
                holder.execute(
                    statement.format(schema=schema, namespace=NAMESPACE, migrate=_key(DATABASE, schema, "migrate"))
                )
            proc = subprocess.Popen(
                command(str(tmp_path), "migrate"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            waiting = (
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'helsekatalog' "
                "AND wait_event_type = 'Lock' AND wait_event = %s",
                (waits_on,),
            )
            out, err = _frozen_while_waiting(db, proc, watcher, waiting, f"catalog migrate, in {step},")
    finally:
        _stopped(db, proc)
    _cut_off(proc, url, out, err, 2)
    reopened = store_at(url)  # nothing was left half done: it migrates once the server answers
    assert reopened.schema_version() > 0
    reopened.close()


def test_a_harvest_of_many_sources_on_a_frozen_database_gives_up_on_it_once_not_once_a_source(
    own_postgres_server: Any, server: Any, tmp_path: Path
) -> None:
    """`catalog harvest` of many sources with the server frozen under its first runs: each source
    then waited the deadline in turn, and its end as long again (or a connection timeout), 300 s
    each, so a harvest of 115 sources from cron gave up after hours. Now once a statement was cut
    off, the other sources fail at once with the same error, each with its line as before: the
    harvest waits the first writes' deadline (the two workers' at once), and the first run's end
    asks once more (the server may have come back), two deadlines in all.

    Not a race on the machine's load: the harvest waits for the deadlines, not for work, and
    the limit is five of them against two (the code before waited 52 s here, 8.7 of them)."""
    from tests.processes import cli as command

    deadline, names = 6, [f"kilde{n}" for n in range(6)]
    db = own_postgres_server
    url = _frozen_store(db)
    settings = Settings.load(tmp_path, database_url=url)
    for n, name in enumerate(names):
        feed = to_graph([numbered(n + 1)]).serialize(format="turtle")
        path = f"/frozen-{n}.ttl"  # answered late, so that the runs' first writes come after the freeze
        settings.sources[name] = SourceConfig(
            name, "dcat", server.serve(path, feed, delay=3.0, Content_Type="text/turtle")
        )
    settings.save_sources()
    open_store(settings).close()  # the schema made before the freeze
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CATALOG_DATABASE_URL": url,
        "CATALOG_STORE_WRITE_TIMEOUT": str(deadline),
    }
    proc = subprocess.Popen(
        command(str(tmp_path), "harvest", "--workers", "2"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len({r.path for r in server.requests}) == 2, 30, "both harvest workers asking for a feed")
        db.freeze()
        out, err = _answer(proc, "catalog harvest, a deadline for each source,", 5 * deadline)
    finally:
        db.thaw()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    cut = f"the store at {url.replace('s3cret', '***')} did not answer within {deadline} s (the store_write_timeout setting)"
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert [line.split(":", 1)[0] for line in lines] == names, (out, err)
    for line in lines:
        assert f"— FAILED: {cut}" in line, (out, err)
    assert len({r.path for r in server.requests}) == 2  # the others were not fetched: nothing could be stored
    (said,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert said.startswith("error: the harvest's closing steps failed") and cut in said, err
    assert proc.returncode == 1 and "s3cret" not in out + err
    store = open_store(settings)  # once it answers, the next harvest stores every source
    assert [r.status for r in harvest(settings, store, None, workers=2)] == ["ok"] * len(names)
    store.close()


def test_within_a_harvest_a_store_found_unreachable_fails_at_once_and_the_next_harvest_asks_again(
    postgres_server: Any, pg_url: str
) -> None:
    """What `failing_fast` promises the scheduler, whose store lives from tick to tick: within a
    harvest, once a statement was cut off, the others fail at once with its error, though this
    server would answer them (a table lock, not a freeze, held the first); a run's end asks once
    more, and its answer lifts that; after the harvest, the next asks the server again."""
    import psycopg

    from catalog.store import StoreUnavailable

    store = store_at(pg_url, write_timeout=1.0)
    schema = pg_url.split("search_path%3D")[1]
    with psycopg.connect(postgres_server.url(), autocommit=True) as holder:
        with store.failing_fast():
            holder.execute(f"BEGIN; LOCK TABLE {schema}.runs IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StoreUnavailable, match="within 1 s") as cut:
                store.runs("mfr")
            holder.execute("ROLLBACK")
            assert store.unreachable() == str(cut.value)
            with pytest.raises(StoreUnavailable) as again:
                store.count()
            assert str(again.value) == str(cut.value)
            with store.failing_fast():  # a harvest beside it (threads of one scheduler) gives up too
                with pytest.raises(StoreUnavailable):
                    store.count()
            with store.asking_again() as asking:
                assert asking and store.count() == 0  # a run's end: answered, so reachable again
            assert store.unreachable() is None and store.count() == 0
            store.found_unreachable("found by a harvest worker")
            with pytest.raises(StoreUnavailable, match="found by a harvest worker"):
                store.count()
        assert store.count() == 0  # the next harvest, and all else, asks again
    store.close()
