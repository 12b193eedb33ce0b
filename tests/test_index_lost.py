"""A search index lost under a running service (its folder removed, a shared folder unmounted, its
index deleted from the cluster, a new cluster): explorers answer searches 503 and say why, pages
that need no search still answer, and the scheduler's next tick rebuilds it from the store. On
both backends: tantivy and the OpenSearch emulator."""

from __future__ import annotations

import shutil
import uuid

import pytest
import requests

from catalog.config import Settings
from catalog.pipeline import harvest, source_info
from catalog.scheduler import Scheduler
from catalog.search import IndexMissing, open_backend, tantivy_backend
from catalog.search.documents import complete, documents
from tests.factories import mfr_and_a_gone_source, mfr_dataset
from web import create_app


@pytest.fixture(params=["tantivy", "opensearch-emulator"])
def settings_on(request, settings, server, osmem, monkeypatch) -> Settings:
    """The `settings` fixture's home (the `store` fixture's), on one backend or the other."""
    settings = mfr_and_a_gone_source(settings.home, server)
    if request.param == "opensearch-emulator":
        if osmem.url is None:
            pytest.skip(osmem.reason)
        settings.values.update(
            search_backend="elasticsearch",
            elasticsearch_url=osmem.url,
            elasticsearch_plain_json=True,
            elasticsearch_index=f"catalog-test-{uuid.uuid4().hex[:10]}",
        )
    else:
        monkeypatch.setattr(tantivy_backend, "RECHECK", 0.0)  # CURRENT looked at on every search
    return settings


def lose_the_index(settings: Settings) -> None:
    if settings.search_backend == "tantivy":
        shutil.rmtree(settings.index_dir)
        return
    url, alias = settings.elasticsearch_url, settings.elasticsearch_index
    for name in requests.get(f"{url}/_alias/{alias}", timeout=10).json():
        requests.delete(f"{url}/{name}", timeout=10).raise_for_status()


def test_a_lost_index_answers_503_until_the_schedulers_next_tick_rebuilds_it(settings_on, store, caplog) -> None:
    settings = settings_on
    index = open_backend(settings)  # the scheduler's, running all along
    [done] = harvest(settings, store, index, ["mfr"], workers=1)
    assert done.ok
    client = create_app(settings).test_client()
    assert client.get("/api/search?q=fødselsvekt").get_json()["total"] == 1
    lose_the_index(settings)
    for path in ("/search?q=fødselsvekt", "/api/search?q=fødselsvekt"):
        answer = client.get(path)
        assert answer.status_code == 503 and answer.headers["Retry-After"], path
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "the scheduler rebuilds it" in ready.get_json()["checks"]["index"]
    assert client.get("/").status_code == 200 and client.get("/catalog").status_code == 200
    # a harvest's write meanwhile fails, and makes nothing in its place (a cluster would create a
    # concrete index of the alias's name, with guessed mappings, that no rebuild could replace)
    docs = list(documents(mfr_dataset(), source_info(settings.sources["mfr"]), valid=True, platforms=[]))
    with pytest.raises(IndexMissing):
        index.upsert(list(complete(docs, lambda _key: None)))
    if settings.search_backend == "elasticsearch":
        names = [i["index"] for i in requests.get(f"{settings.elasticsearch_url}/_cat/indices?format=json").json()]
        assert settings.elasticsearch_index not in names
    with caplog.at_level("WARNING", logger="catalog.scheduler"):
        Scheduler(settings, store, index).tick()
    assert "the search index is missing and the store holds 2 datasets and code lists" in caplog.text
    assert client.get("/api/search?q=fødselsvekt").get_json()["total"] == 1
    assert client.get("/readyz").status_code == 200
    index.close()


def test_an_explorer_whose_index_is_empty_beside_a_full_store_is_not_ready(settings_on, store) -> None:
    """Started on a new cluster, with a misspelt index name or a home copied without its index, an
    explorer said "ready, 0 documents", and its searches that the catalogue held nothing; on a
    cluster, it had made the alias and an empty index under that name."""
    settings = settings_on
    [done] = harvest(settings, store, None, ["mfr"], workers=1)  # stored, never indexed
    assert done.ok
    client = create_app(settings).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    said = ready.get_json()["checks"]["index"]
    if settings.search_backend == "elasticsearch":  # the explorer made nothing on the cluster
        url, alias = settings.elasticsearch_url, settings.elasticsearch_index
        assert f"has no index {alias!r} (CATALOG_ELASTICSEARCH_INDEX)" in said
        names = [i["index"] for i in requests.get(f"{url}/_cat/indices?format=json", timeout=10).json()]
        assert not [n for n in names if n.startswith(alias)]
        assert requests.get(f"{url}/_alias/{alias}", timeout=10).status_code == 404
    else:  # the home's own folder, made empty by whichever process opened the home first
        assert said.startswith("empty beside a store of 2 datasets and code lists")
    Scheduler(settings, store, open_backend(settings)).tick()  # rebuilds it
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["index"].startswith("ok (")
