"""Searching while a harvest and a reindex run gives old or new answers, never empty or an error."""

from __future__ import annotations

import threading

from catalog.config import SourceConfig
from catalog.pipeline import harvest, reindex
from catalog.rdf import to_graph
from catalog.search import SearchQuery
from catalog.search.tantivy_backend import TantivyBackend
from tests.factories import apgar_codes, mfr_dataset


def test_search_stays_answerable_during_harvests_and_reindexes(settings, store, server):
    index = TantivyBackend(settings.index_dir)
    url = server.serve(
        "/mfr.ttl", to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=url)
    harvest(settings, store, index)
    reader = TantivyBackend(settings.index_dir)  # another handle, as a web worker would have
    stop = threading.Event()
    failures: list[str] = []
    answers = 0

    def search_loop() -> None:
        nonlocal answers
        while not stop.is_set():
            try:
                result = reader.search(SearchQuery(text="fødselsvekt"))
                if result.total != 1 or result.hits[0].doc["name"] != "VEKT":
                    failures.append(f"unexpected answer: {result.total} hits")
                answers += 1
            except Exception as exc:  # noqa: BLE001 - any error is the failure under test
                failures.append(repr(exc))

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for generation in range(6):
            changed = mfr_dataset(description={"nb": f"Generasjon {generation}"})
            server.serve(
                "/mfr.ttl", to_graph([changed, apgar_codes()]).serialize(format="turtle"), Content_Type="text/turtle"
            )
            [result] = harvest(settings, store, index)
            assert result.ok
            reindex(settings, store, index)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert answers > 10
