"""Records published as a feed on loopback and harvested, and feed answers read back as graphs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph
from werkzeug.test import TestResponse

from catalog.config import Settings, SourceConfig
from catalog.model import Record
from catalog.pipeline import SourceResult, harvest
from catalog.rdf import to_graph
from catalog.store import SQLiteStore
from tests.conftest import StaticServer


def build(
    settings: Settings,
    store: SQLiteStore,
    server: StaticServer,
    records: Iterable[Record],
    name: str = "mfr",
    options: dict[str, Any] | None = None,
) -> SourceResult:
    """Harvest `records` from a feed on loopback into the store (as a registry would publish them),
    the source configured with `options`."""
    url = server.serve(f"/{name}/catalog.ttl", to_graph(records).serialize(format="turtle"), Content_Type="text/turtle")
    settings.sources[name] = SourceConfig(name=name, kind="dcat", url=url, title=name.upper(), options=options or {})
    [result] = harvest(settings, store, None, [name])
    assert result.ok, result.error
    return result


def graph(response: TestResponse, fmt: str = "turtle") -> Graph:
    """The graph of a 200 answer in syntax `fmt` (a failing answer's start is shown instead)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Graph().parse(data=response.get_data(), format=fmt)
