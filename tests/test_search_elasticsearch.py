"""What only the Elasticsearch backend has: configuration, credentials, the alias it manages, the
plain-JSON transport for the emulator, and the emulator's known gaps (marked, not hidden)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from elasticsearch import ApiError, Elasticsearch

from catalog.config import ConfigError, Settings
from catalog.search import SearchBackend, open_backend
from catalog.search.elasticsearch_backend import ElasticsearchBackend, IndexingError, client_for, client_from_settings

if TYPE_CHECKING:
    from tests.conftest import StaticServer
from tests.search_fixtures import Emulator, corpus


@pytest.fixture
def emulator(osmem: Emulator) -> str:
    if osmem.url is None:
        pytest.skip(osmem.reason)
    return osmem.url


def test_the_elasticsearch_backend_needs_a_url(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path, search_backend="elasticsearch")
    with pytest.raises(ConfigError, match="CATALOG_ELASTICSEARCH_URL"):
        open_backend(settings)


def test_settings_choose_the_url_and_alias(tmp_path: Path, emulator: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_ELASTICSEARCH_PLAIN_JSON", "yes")
    settings = Settings.load(
        tmp_path,
        search_backend="elasticsearch",
        elasticsearch_url=emulator,
        elasticsearch_index="catalog-settings-test",
    )
    backend = open_backend(settings)
    assert isinstance(backend, ElasticsearchBackend)
    try:
        assert backend.count() == 0
        assert list(backend.client.indices.get_alias(name="catalog-settings-test")) == backend._indices()
    finally:
        backend.drop()
        backend.close()


@pytest.mark.parametrize(
    ("env", "header"),
    [
        ({"CATALOG_ELASTICSEARCH_API_KEY": "c2VjcmV0"}, "ApiKey c2VjcmV0"),
        ({"CATALOG_ELASTICSEARCH_USER": "catalog", "CATALOG_ELASTICSEARCH_PASSWORD": "pw"}, "Basic Y2F0YWxvZzpwdw=="),
    ],
)
def test_credentials_come_from_the_environment(
    server: StaticServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], header: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server.serve(
        "/",
        json.dumps({"version": {"number": "9.1.0"}}),
        content_type="application/json",
        x_elastic_product="Elasticsearch",
    )
    client_from_settings(Settings.load(tmp_path, elasticsearch_url=server.url)).info()
    assert server.requests[-1].headers["Authorization"] == header


def test_the_emulator_refuses_the_official_client_without_the_plain_json_transport(emulator: str) -> None:
    with pytest.raises(ApiError) as caught:
        Elasticsearch(emulator).search(index="*", query={"match_all": {}})
    assert caught.value.status_code == 406
    shimmed = client_for(emulator, plain_json=True)
    assert shimmed.search(index="*", query={"match_all": {}}, size=0)["hits"]["total"]["relation"] == "eq"
    assert shimmed.info()["version"]["distribution"] == "opensearch"


def test_an_index_that_has_the_alias_name_is_refused(emulator: str) -> None:
    client = client_for(emulator, plain_json=True)
    client.indices.create(index="catalog-not-an-alias")
    try:
        with pytest.raises(IndexingError, match="is an index, not an alias"):
            ElasticsearchBackend(client, "catalog-not-an-alias")
    finally:
        client.indices.delete(index="catalog-not-an-alias")


def test_replace_all_leaves_one_concrete_index_behind_the_alias(make_backend: Callable[[str], SearchBackend]) -> None:
    backend = make_backend("opensearch-emulator")
    assert isinstance(backend, ElasticsearchBackend)
    first = backend._indices()
    backend.replace_all(corpus())
    second = backend._indices()
    assert len(first) == len(second) == 1 and first != second
    assert not backend.client.indices.exists(index=first[0])


@pytest.mark.xfail(
    reason="osmem 0.1.6 applies a `pattern` tokenizer inverted at index time (it indexes the "
    "separators) though _analyze is right; the backend uses standard + pattern_replace instead",
    strict=True,
)
def test_emulator_pattern_tokenizer_indexes_words(emulator: str) -> None:
    client = client_for(emulator, plain_json=True)
    settings = {
        "analysis": {
            "tokenizer": {"w": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}},
            "analyzer": {"a": {"type": "custom", "tokenizer": "w"}},
        }
    }
    client.indices.create(
        index="osmem-gap-pattern", settings=settings, mappings={"properties": {"t": {"type": "text", "analyzer": "a"}}}
    )
    try:
        client.index(index="osmem-gap-pattern", id="1", document={"t": "Kroppsmasseindeks (BMI)"}, refresh=True)
        assert client.count(index="osmem-gap-pattern", query={"match": {"t": "BMI"}})["count"] == 1
    finally:
        client.indices.delete(index="osmem-gap-pattern")
