"""Admin actions: off by default, need the token when on, and are requests the scheduler carries out.

The web never writes: an admin action leaves a request in the spool and nothing else in the
catalogue home changes until `catalog scheduler` (a real process here) picks it up.
"""

import hashlib
import threading
from pathlib import Path

import pytest

from catalog.admin_queue import AdminQueue
from catalog.config import Settings, SourceConfig
from catalog.rdf import to_graph
from tests.factories import mfr_dataset
from tests.processes import cli, running, wait_for
from web import create_app

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def app_client(settings, token=""):
    settings.values["admin_token"] = token
    return create_app(settings).test_client()


def mfr_feed(server):
    return server.serve("/mfr.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle")


def snapshot(home: Path) -> dict[str, str]:
    """Every file of the catalogue home but the spool, by content."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.relative_to(home).parts[0] != "requests"
    }


ACTIONS = [
    ("post", "/admin/sources"),
    ("delete", "/admin/sources/mfr"),
    ("post", "/admin/harvest/mfr"),
    ("post", "/admin/harvest"),
    ("put", "/admin/synonyms"),
    ("post", "/admin/reindex"),
    ("post", "/admin/confirmations"),
    ("post", "/admin/uses"),
    ("get", "/admin/requests"),
]


@pytest.mark.parametrize("method,path", ACTIONS)
def test_admin_actions_are_off_unless_a_token_is_configured(settings, method, path):
    r = getattr(app_client(settings), method)(path, headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404 and "CATALOG_ADMIN_TOKEN" in r.json["detail"]


@pytest.mark.parametrize("method,path", ACTIONS)
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}x", "Bearer "])
def test_a_missing_or_wrong_token_is_refused(settings, method, path, header):
    headers = {"Authorization": header} if header else {}
    assert getattr(app_client(settings, TOKEN), method)(path, json={}, headers=headers).status_code == 401


def test_an_admin_action_records_a_request_and_writes_nothing_else(settings, server):
    client = app_client(settings, TOKEN)
    before = snapshot(settings.home)
    r = client.post("/admin/sources", json={"name": "mfr", "kind": "dcat", "url": mfr_feed(server)}, headers=AUTH)
    assert r.status_code == 202 and r.json["action"] == "add-source" and r.json["state"] == "pending"
    assert r.headers["Location"] == r.json["status"] == f"/admin/requests/{r.json['request']}"
    assert client.put("/admin/synonyms", data="babyvekt, fødselsvekt\n".encode(), headers=AUTH).status_code == 202
    assert client.post("/admin/reindex", headers=AUTH).status_code == 202
    assert snapshot(settings.home) == before  # catalog.toml, the store, the index, synonyms: untouched
    assert "mfr" not in Settings.load(settings.home).sources
    pending = AdminQueue(settings.home).recent()
    assert [r.action for r in pending] == ["reindex", "replace-synonyms", "add-source"]  # newest first
    assert all(r.state == "pending" for r in pending)
    shown = client.get(f"/admin/requests/{pending[1].id}", headers=AUTH).json
    assert shown["state"] == "pending" and shown["params"] == {"text": "(22 characters)"}


@pytest.mark.parametrize(
    "body,reason",
    [
        ({"name": "x", "kind": "dcat", "url": "file:///etc/passwd"}, "is not an absolute http or https URL"),
        ({"name": "x", "kind": "gopher", "url": "http://127.0.0.1/"}, "unknown source kind 'gopher'"),
        ({"name": "x", "url": "http://127.0.0.1/"}, "missing field 'kind'"),
        (
            {"name": "../x", "kind": "dcat", "url": "http://127.0.0.1/"},
            "may hold only letters, digits, '.', '_' and '-'",
        ),
        ({"name": "x", "kind": "dcat", "url": "http://127.0.0.1/", "category": "pub"}, "category 'pub': choose one"),
        (
            {"name": "x", "kind": "dcat", "url": "http://127.0.0.1/", "options": {"defaults": {"colour": "red"}}},
            "options.defaults: may only name dataset fields the operator completes (unknown: colour)",
        ),
        (["not", "an", "object"], "Send the source as a JSON object"),
    ],
)
def test_a_bad_source_is_refused_at_once_with_the_reason_and_nothing_is_recorded(settings, body, reason):
    r = app_client(settings, TOKEN).post("/admin/sources", json=body, headers=AUTH)
    assert r.status_code == 400 and reason in r.json["detail"]
    assert AdminQueue(settings.home).recent() == []


def test_unknown_sources_and_unreadable_synonym_lists_are_refused(settings):
    client = app_client(settings, TOKEN)
    assert client.post("/admin/harvest/nosuch", headers=AUTH).status_code == 404
    assert client.delete("/admin/sources/nosuch", headers=AUTH).status_code == 404
    assert client.put("/admin/synonyms", data=b"\xff\xfe", headers=AUTH).status_code == 400
    assert client.put("/admin/synonyms", data=b"a, b\n" * 300_000, headers=AUTH).status_code == 413
    assert client.get("/admin/requests/nosuch", headers=AUTH).status_code == 404
    assert AdminQueue(settings.home).recent() == []


def test_the_scheduler_process_carries_out_what_the_web_recorded(settings, server):
    """Add a source, replace the synonyms, harvest now, remove the source: each through the web,
    each done by a real `catalog scheduler` process, each visible on the web afterwards."""
    client = app_client(settings, TOKEN)
    queue = AdminQueue(settings.home)

    def done(answer):
        request_id = answer.json["request"]
        return wait_for(
            lambda: (r := queue.get(request_id)) and r.state in ("done", "failed") and r,
            60,
            f"request {request_id} ({answer.json['action']}) carried out",
        )

    with running(cli(str(settings.home), "scheduler", "--poll", "600")):
        added = done(
            client.post("/admin/sources", json={"name": "mfr", "kind": "dcat", "url": mfr_feed(server)}, headers=AUTH)
        )
        assert added.state == "done" and added.outcome.startswith(
            "added source mfr (dcat, category central-registry) http://127.0.0.1:"
        )
        assert Settings.load(settings.home).sources["mfr"].kind == "dcat"
        # a new source is due at once: the scheduler harvests it, and the web finds its variables
        wait_for(lambda: client.get("/api/search?q=fødselsvekt").json["total"] == 1, 60, "the harvest of mfr")
        web = client.application.config["SETTINGS"]
        wait_for(lambda: client.get("/").status_code and "mfr" in web.sources, 5, "the web following catalog.toml")

        assert client.get("/api/search?q=babyvekt").json["total"] == 0
        synonyms = done(client.put("/admin/synonyms", data="babyvekt, fødselsvekt\n".encode(), headers=AUTH))
        assert synonyms.state == "done" and "(1 groups)" in synonyms.outcome
        assert client.get("/api/search?q=babyvekt").json["hits"][0]["name"] == "VEKT"  # no reindex, no restart

        harvested = done(client.post("/admin/harvest/mfr", headers=AUTH))
        assert harvested.state == "done" and "mfr: 0 new, 0 changed, 1 unchanged" in harvested.outcome
        assert harvested.details["mfr"]["counts"]["unchanged"] == 1

        full = done(client.post("/admin/harvest/mfr?full=1", headers=AUTH))
        assert full.state == "done" and "mfr: 0 new, 0 changed, 1 unchanged" in full.outcome

        removed = done(client.delete("/admin/sources/mfr", headers=AUTH))
        assert removed.state == "done" and "mfr" not in Settings.load(settings.home).sources
        wait_for(lambda: client.get("/").status_code and "mfr" not in web.sources, 5, "the web following catalog.toml")
    listed = client.get("/admin/requests", headers=AUTH).json["requests"]
    assert [r["action"] for r in listed] == ["remove-source", "harvest", "harvest", "replace-synonyms", "add-source"]


def test_a_request_the_scheduler_cannot_carry_out_fails_with_the_reason_and_the_next_goes_on(settings, store):
    from catalog.scheduler import Scheduler

    queue = AdminQueue(settings.home)
    bad = queue.submit("remove-source", {"name": "nosuch"})
    also_bad = queue.submit("add-source", {"name": "x", "kind": "dcat", "url": "ftp://x"})
    good = queue.submit("replace-synonyms", {"text": "a, b\n"})
    Scheduler(settings, store, None).carry_out_requests()
    assert (queue.get(bad.id).state, queue.get(bad.id).outcome) == ("failed", "no source named 'nosuch'")
    assert "'ftp://x' is not an absolute http or https URL" in queue.get(also_bad.id).outcome
    assert queue.get(good.id).state == "done" and (settings.home / "synonyms.txt").read_text() == "a, b\n"


def test_a_source_name_in_use_is_replaced_only_on_purpose_keeping_its_options(settings, store):
    """POST /admin/sources with a name in use replaced the source and dropped its options, the
    operator defaults that put its datasets in the EHDS feed (the access body's drill)."""
    from catalog.scheduler import Scheduler

    defaults = {"defaults": {"access_url": "https://helsedata.no/no/soknad/"}}
    settings.add_source(SourceConfig(name="skatt", kind="dcat", url="http://127.0.0.1:9/a.ttl", options=defaults))
    client = app_client(settings, TOKEN)
    body = {"name": "skatt", "kind": "dcat", "url": "http://127.0.0.1:9/b.ttl"}
    refused = client.post("/admin/sources", json=body, headers=AUTH)
    assert refused.status_code == 409 and '"replace": true' in refused.json["detail"]
    assert AdminQueue(settings.home).recent() == []
    assert client.post("/admin/sources", json={**body, "replace": True}, headers=AUTH).status_code == 202
    queue = AdminQueue(settings.home)
    queue.submit("add-source", {**body, "url": "http://127.0.0.1:9/c.ttl"})  # no replace: refused when done
    Scheduler(settings, store, None).carry_out_requests()
    [raced_done, replaced] = queue.recent()
    assert replaced.state == "done" and replaced.outcome.endswith("b.ttl (its options kept)")
    assert raced_done.state == "failed" and "a source named 'skatt' exists" in raced_done.outcome
    kept = Settings.load(settings.home).sources["skatt"]
    assert kept.url == "http://127.0.0.1:9/b.ttl" and kept.options == defaults


def test_each_request_is_claimed_by_exactly_one_of_several_schedulers(settings):
    queue = AdminQueue(settings.home)
    submitted = {queue.submit("reindex").id for _ in range(40)}
    claimed: list[str] = []

    def claim_all():
        mine = AdminQueue(settings.home)
        while (r := mine.claim()) is not None:
            claimed.append(r.id)

    threads = [threading.Thread(target=claim_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(submitted)


def test_a_request_claimed_by_a_scheduler_that_died_is_pending_again(settings):
    queue = AdminQueue(settings.home)
    request = queue.submit("reindex")
    claimed = queue.claim()
    assert claimed.id == request.id and queue.get(request.id).state == "working"
    assert queue.get(request.id).started == claimed.started is not None  # said while it is worked on
    [path] = queue.working.glob("*.json")
    dead = path.with_name(
        path.name.replace(path.stem.split("@")[1], path.stem.split("@")[1].rsplit("_", 2)[0] + "_1_0")
    )
    path.rename(dead)  # as if claimed by a process that is gone (pid 1 with another start time)
    assert queue.recover() == 1
    assert queue.get(request.id).state == "pending" and queue.claim().id == request.id


def test_serve_with_workers_and_schedule_harvests_in_processes_and_carries_out_requests(settings, server, tmp_path):
    """`serve --workers 2 --schedule`: the scheduler runs in the parent of the serving processes
    and harvests two sources in worker processes of its own; the service must go on serving."""
    import requests

    from catalog.config import SourceConfig
    from tests.processes import answering, free_port

    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=mfr_feed(server))
    settings.sources["npr"] = SourceConfig(name="npr", kind="dcat", url=server.url + "/gone")
    settings.save_sources()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = cli(str(settings.home), "serve", "--port", str(port), "--workers", "2", "--schedule")
    with running(argv, env={"CATALOG_ADMIN_TOKEN": TOKEN, "TMPDIR": str(tmp_path)}) as service:
        answering(base + "/healthz")
        search = base + "/api/search?q=fødselsvekt"
        wait_for(lambda: requests.get(search, timeout=10).json()["total"] == 1, 60, "the scheduled harvest")
        asked = requests.post(base + "/admin/harvest", headers=AUTH, timeout=10)
        status = base + asked.headers["Location"]
        done = wait_for(lambda: r if (r := requests.get(status, headers=AUTH, timeout=10).json())["finished"] else None)
        assert (
            done["state"] == "failed"
            and "npr: 0 new" in done["outcome"]
            and "mfr: 0 new, 0 changed, 1 unchanged" in done["outcome"]
        )
        assert service.poll() is None  # the harvest's worker processes came and went; the service stayed
        metrics = requests.get(base + "/metrics", timeout=10).text
        assert 'catalog_harvest_runs_total{source="mfr",status="ok"} 2.0' in metrics
        children = [int(pid) for pid in Path(f"/proc/{service.pid}/task/{service.pid}/children").read_text().split()]
    assert service.returncode == 0
    gone = [Path(f"/proc/{pid}") for pid in children]
    wait_for(lambda: not any(p.exists() for p in gone), 5, "every serving process stopping with the parent")
