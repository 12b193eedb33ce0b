"""`/metrics` (Prometheus text format), `/healthz` and `/readyz`.

Harvest figures come from the store at scrape time, so a harvest run by another process shows
without that process reporting anything; web figures are counted in the serving processes and,
with `serve --workers N`, summed over all of them whichever answers the scrape.
"""

from __future__ import annotations

import glob
import subprocess
from pathlib import Path

import pytest
import requests
import tantivy
from prometheus_client.parser import text_string_to_metric_families

from catalog.pipeline import harvest
from catalog.search import open_backend
from tests.factories import mfr_and_a_gone_source
from tests.processes import answering, cli, free_port, running, wait_for
from web import create_app


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and labels, read by prometheus_client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client) -> dict:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.content_type.startswith("text/plain; version=")
    return samples(r.get_data(as_text=True))


def test_harvest_figures_come_from_the_store_whichever_process_harvested(settings, server):
    home = str(settings.home)
    mfr_and_a_gone_source(home, server)
    client = create_app(settings).test_client()
    settings.reload_sources()
    assert value(scrape(client), "catalog_harvest_runs_total", source="mfr", status="ok") == 0
    subprocess.run(cli(home, "harvest"), capture_output=True)  # another process: npr fails (404)
    found = scrape(client)
    assert value(found, "catalog_harvest_runs_total", source="mfr", status="ok") == 1
    assert value(found, "catalog_harvest_runs_total", source="npr", status="failed") == 1
    assert value(found, "catalog_harvest_records_total", source="mfr", outcome="new") == 2
    assert value(found, "catalog_harvest_errors_total", source="npr") == 1
    assert value(found, "catalog_harvest_duration_seconds_count", source="mfr", status="ok") == 1
    assert value(found, "catalog_harvest_duration_seconds_bucket", source="mfr", status="ok", le="+Inf") == 1
    assert 0 < value(found, "catalog_harvest_duration_seconds_sum", source="mfr", status="ok") < 60
    assert value(found, "catalog_harvest_last_status", source="npr", status="failed") == 1
    assert value(found, "catalog_harvest_last_status", source="npr", status="ok") == 0
    assert value(found, "catalog_harvest_last_success_timestamp_seconds", source="mfr") > 1.7e9
    assert ("catalog_harvest_last_success_timestamp_seconds", (("source", "npr"),)) not in found
    assert (
        value(found, "catalog_records", kind="dataset") == 1 and value(found, "catalog_records", kind="codelist") == 1
    )
    for kind in ("service", "product"):  # every kind the store holds is said, none as well
        assert found[("catalog_records", (("kind", kind),))] == 0
    assert value(found, "catalog_metrics_readable", part="store") == 1
    subprocess.run(cli(home, "harvest", "mfr"), capture_output=True, check=True)
    found = scrape(client)  # the same web process: nothing told it, the store did
    assert value(found, "catalog_harvest_runs_total", source="mfr", status="ok") == 2
    assert value(found, "catalog_harvest_records_total", source="mfr", outcome="unchanged") == 2


def test_a_run_whose_harvester_is_gone_is_not_reported_as_running(settings, server):
    """A scheduler stopped mid-harvest (systemctl stop) left its runs `running` in the store until a
    writer opened it again: /metrics said seven sources were being harvested by no one."""
    from tests.test_store_contract import hold_a_run, kill

    mfr_and_a_gone_source(str(settings.home), server)
    settings.reload_sources()
    client = create_app(settings).test_client()
    proc, _held = hold_a_run(f"sqlite:///{settings.db_path}", "mfr")
    try:
        assert value(scrape(client), "catalog_harvest_running", source="mfr") == 1
    finally:
        kill(proc)
    found = scrape(client)
    assert value(found, "catalog_harvest_running", source="mfr") == 0
    assert value(found, "catalog_harvest_last_status", source="mfr", status="interrupted") == 1
    assert value(found, "catalog_harvest_last_status", source="mfr", status="running") == 0


def test_searches_cache_hits_and_feed_requests_are_counted(settings, store, server):
    mfr_and_a_gone_source(str(settings.home), server)
    settings.reload_sources()
    app = create_app(settings)
    harvest(settings, store, app.extensions["search"], ["mfr"])
    client = app.test_client()
    before = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(scrape(client), name, **labels) - value(before, name, **labels)

    for _ in range(3):
        assert client.get("/search?q=fødselsvekt").status_code == 200
    assert delta("catalog_cache_lookups_total", cache="search_hits", result="miss") == 1
    assert delta("catalog_cache_lookups_total", cache="search_hits", result="hit") == 2
    assert delta("catalog_search_duration_seconds_count", backend="tantivy", operation="search") >= 1
    assert delta("catalog_http_requests_total", endpoint="explorer.search", method="GET", status="200") == 3
    assert delta("catalog_http_request_duration_seconds_count", endpoint="explorer.search") == 3
    client.get("/api/suggest?q=fød")
    assert delta("catalog_search_duration_seconds_count", backend="tantivy", operation="suggest") == 1

    first = client.get("/catalog.ttl?profile=dcat-ap-3")
    client.get("/catalog.ttl?profile=dcat-ap-3")
    assert (
        client.get("/catalog.ttl?profile=dcat-ap-3", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    assert client.get("/catalog?profile=nosuch").status_code == 400
    feed = {"profile": "dcat-ap-3", "format": "turtle"}
    assert delta("catalog_feed_requests_total", **feed, answer="rendered") == 1
    assert delta("catalog_feed_requests_total", **feed, answer="cached") == 1
    assert delta("catalog_feed_requests_total", **feed, answer="not_modified") == 1
    assert delta("catalog_feed_requests_total", profile="-", format="turtle", answer="refused") == 1
    assert delta("catalog_cache_lookups_total", cache="feed_pages", result="hit") == 1
    assert delta("catalog_http_requests_total", endpoint="unmatched", method="GET", status="404") == 0
    client.get("/no/such/page")
    assert delta("catalog_http_requests_total", endpoint="unmatched", method="GET", status="404") == 1


def test_several_workers_count_into_one_sum_whichever_answers(settings, server, tmp_path):
    """`serve --workers 2`: each worker counts in its own files; every scrape sums them all."""
    from prometheus_client.mmap_dict import MmapedDict

    home = str(settings.home)
    mfr_and_a_gone_source(home, server)
    subprocess.run(cli(home, "harvest", "mfr"), capture_output=True, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(cli(home, "serve", "--port", str(port), "--workers", "2"), env={"TMPDIR": str(tmp_path)}):
        answering(base + "/healthz")
        [folder] = glob.glob(str(tmp_path / "helsekatalog-metrics-*"))

        def per_worker() -> dict[str, float]:
            """api.search requests counted in each worker's own file."""
            counts = {}
            for path in glob.glob(folder + "/counter_*.db"):
                values = MmapedDict(path, read_mode=True)
                counts[path] = sum(
                    v for key, v, _ts in values.read_all_values() if '"api.search"' in key and "catalog_http" in key
                )
                values.close()
            return counts

        sent = 0
        while sent < 400 and (sent < 40 or len([n for n in per_worker().values() if n]) < 2):
            assert requests.get(base + f"/api/search?q=vekt{sent}", timeout=10).status_code == 200
            sent += 1
        counted = per_worker()
        assert len([n for n in counted.values() if n]) == 2, f"one worker answered all {sent} requests: {counted}"
        assert sum(counted.values()) == sent
        for _ in range(6):  # whichever worker answers the scrape reports the sum of both
            found = samples(requests.get(base + "/metrics", timeout=10).text)
            assert (
                value(found, "catalog_http_requests_total", endpoint="api.search", method="GET", status="200") == sent
            )
            assert value(found, "catalog_harvest_runs_total", source="mfr", status="ok") == 1
    assert not Path(folder).exists()  # the service removed its metrics files when it stopped


def test_healthz_answers_while_the_process_lives_and_readyz_when_store_and_index_answer(settings):
    client = create_app(settings).test_client()
    assert client.get("/healthz").json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"
    assert ready.json["checks"] == {"store": "ok", "index": "ok (0 documents)"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_readyz_says_503_and_why_when_the_store_cannot_be_opened(settings):
    client = create_app(settings).test_client()
    for suffix in ("", "-wal", "-shm"):  # the database gone, and a directory where it was: no opening it
        Path(str(settings.db_path) + suffix).unlink(missing_ok=True)  # WAL files exist while connections do
    settings.db_path.mkdir()
    client.application.extensions["store"].close()  # this thread's connection still had the old file open
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["status"] == "not ready"
    assert r.json["checks"]["store"] == "unreachable: OperationalError: unable to open database file"
    assert r.json["checks"]["index"].startswith("ok")
    assert client.get("/healthz").status_code == 200  # alive all the same: a restart would not help
    found = scrape(client)  # and monitoring answers, saying what it could not read
    assert value(found, "catalog_metrics_readable", part="store") == 0
    assert value(found, "catalog_metrics_readable", part="index") == 1
    assert value(found, "catalog_http_requests_total", endpoint="health.readyz", method="GET", status="503") >= 1


def test_an_index_an_earlier_version_wrote_answers_503_to_searches_and_readyz_says_why(settings):
    """After an upgrade that changed the index's fields, until `catalog reindex`: searches are
    unavailable (503, to retry), not a server error, and the balancer is told not ready."""
    old = settings.home / "index" / "ix-1"
    old.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_bytes_field("doc", stored=True)
    tantivy.Index(builder.build(), path=str(old))
    (settings.home / "index" / "CURRENT").write_text("ix-1")
    client = create_app(settings).test_client()
    page = client.get("/search?q=vekt")
    assert page.status_code == 503 and page.headers["Retry-After"] == "300"
    assert "Midlertidig utilgjengelig" in page.get_data(as_text=True)  # the page, in bokmål
    api = client.get("/api/search?q=vekt")
    assert api.status_code == 503 and "rebuilt after an upgrade" in api.json["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "catalog reindex" in ready.json["checks"]["index"]


def test_readyz_says_503_and_why_when_the_search_cluster_is_down(settings):
    osmem_server = pytest.importorskip("osmem_server")
    cluster = osmem_server.OsmemServer.start(addr="127.0.0.1:0", japanese=False)
    try:
        # the emulator speaks plain JSON only
        settings.values.update(
            search_backend="elasticsearch", elasticsearch_url=cluster.url, elasticsearch_plain_json=True
        )
        open_backend(settings)  # the scheduler's makes the index; an explorer's makes nothing
        client = create_app(settings).test_client()
        assert client.get("/readyz").status_code == 200
    finally:
        cluster.close()
    r = wait_for(lambda: r if (r := client.get("/readyz")).status_code == 503 else None, 30, "readyz noticing")
    assert r.json["checks"]["store"] == "ok"
    assert r.json["checks"]["index"].endswith(("cannot be reached (Connection refused)", "no answer within 2 s"))


def test_the_search_backend_is_timed_but_otherwise_the_same(settings):
    from web.metrics import TimedSearch

    backend = open_backend(settings)
    timed = TimedSearch(backend)
    assert timed.name == backend.name and timed.count() == 0 and timed.generation() == backend.generation()
