"""Harvest -> validate -> store -> index, against a DCAT feed on loopback."""

import dataclasses
import gc
import json
import os
import threading
import time

import pytest
from rdflib import Literal

from catalog.config import SourceConfig
from catalog.model import Dataset, key_for
from catalog.pipeline import GC_THRESHOLD, fewer_collections, harvest, reindex
from catalog.rdf import CSVW, to_graph
from catalog.search import SearchQuery
from catalog.search.tantivy_backend import TantivyBackend
from catalog.store import sqlite_beside, store_at
from harvesters import dcat
from tests.factories import apgar_codes, mfr_dataset


@pytest.fixture
def index(settings):
    return TantivyBackend(settings.index_dir)


def publish(server, records, path="/mfr/catalog.ttl"):
    return server.serve(path, to_graph(records).serialize(format="turtle"), Content_Type="text/turtle")


def configure(settings, name, url):
    settings.sources[name] = SourceConfig(name=name, kind="dcat", url=url, title=name.upper())


def run(settings, store, index, *names):
    return {r.source: r for r in harvest(settings, store, index, names or None)}


def test_a_full_harvest_stores_validates_and_indexes_every_record(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    result = run(settings, store, index)["mfr"]
    assert result.ok and result.counts == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "deleted": 0,
        "invalid": 0,
        "errors": 0,
    }
    assert store.get(mfr_dataset().uri).record == mfr_dataset()
    hits = index.search(SearchQuery(text="fødselsvekt")).hits
    assert [h.doc["name"] for h in hits] == ["VEKT"]
    assert hits[0].doc["dataset_title"] == "Medisinsk fødselsregister – fødsler"


def test_an_upgrade_that_maps_otherwise_maps_every_source_again_without_full(
    settings, store, index, server, monkeypatch
):
    """Unchanged pages are skipped by their bytes, so a mapping changed by an upgrade (descriptions
    written as HTML read as their text) reached a source's records only with `--full`, which an
    operator had to know to run. A new `MAPPING_VERSION` maps each source again at its next harvest."""
    html = mfr_dataset(description={"nb": "<p>Alle fødsler i Norge.</p><p>Fra 1967.</p>"})
    configure(settings, "mfr", publish(server, [html]))
    monkeypatch.setattr("catalog.rdf.without_markup", lambda texts: texts)  # as a version before the change
    monkeypatch.setattr("catalog.pipeline.MAPPING_VERSION", "before")
    assert run(settings, store, index)["mfr"].counts["new"] == 1
    monkeypatch.undo()  # the upgrade
    monkeypatch.setattr("catalog.pipeline.MAPPING_VERSION", "before")  # ... had it kept the version
    assert run(settings, store, index)["mfr"].counts["changed"] == 0  # the page is skipped as unchanged
    assert store.get(html.uri).record.description == {"nb": "<p>Alle fødsler i Norge.</p><p>Fra 1967.</p>"}
    monkeypatch.undo()  # ... with its new version
    assert run(settings, store, index)["mfr"].counts["changed"] == 1
    assert store.get(html.uri).record.description == {"nb": "Alle fødsler i Norge.\n\nFra 1967."}
    assert run(settings, store, index)["mfr"].counts == run_counts(unchanged=1)  # and then skipped again


def run_counts(**given):
    return {"new": 0, "changed": 0, "unchanged": 0, "deleted": 0, "invalid": 0, "errors": 0, **given}


def everything(index):
    return {d["key"]: d for kind in ("variable", "dataset", "codelist") for d in index.scan(kind, {})}


def test_one_source_on_every_core_indexes_what_a_rebuild_from_the_store_would(settings, store, index, server):
    """One source and two workers: its records are prepared, and the documents that need nothing
    from the store encoded, in a pool of processes; a variable with a code list is completed
    where the index is written. The index is the one `reindex` builds from what was stored."""
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    assert harvest(settings, store, index, workers=2)[0].ok
    rebuilt = TantivyBackend(settings.home / "rebuilt")
    reindex(settings, store, rebuilt)
    assert everything(index) == everything(rebuilt)
    assert any(d.get("codelist_key") for d in everything(index).values())  # completed where indexed
    assert found(index, "9 poeng") == [("APGAR5", [("9", "9 poeng")])]


FORKS: list[int] = []
os.register_at_fork(before=lambda: FORKS.append(os.getpid()))


def test_a_harvest_beside_threads_that_use_sqlite_forks_no_worker(settings, store, index, server):
    """A fork copies whatever lock another thread holds, SQLite's allocator mutex among them, and
    a worker opening the store then waits for ever (a harvest hung so beside searching threads).
    With a thread reading the store, a harvest on two workers runs in threads; once it is gone,
    in processes again (a thread that does not touch SQLite, as the test's HTTP server, is no
    reason not to fork)."""
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    for name in ("b", "a", "c"):  # in threads, the runs still open in the sources' order
        configure(settings, name, publish(server, [mfr_dataset(uri=f"https://{name}.example/d")], f"/{name}.ttl"))
    reader, stop = store_at(store.url, readonly=True), threading.Event()

    def read() -> None:
        reader.count()
        stop.wait()

    beside = threading.Thread(target=read)
    beside.start()
    try:
        time.sleep(0.2)  # it has opened its connection
        del FORKS[:]
        results = harvest(settings, store, index, workers=2, full=True)
        assert all(r.ok for r in results) and FORKS == []
        assert [r.source for r in results] == ["mfr", "b", "a", "c"]
        assert [r.run_id for r in results] == sorted(r.run_id for r in results)
    finally:
        stop.set()
        beside.join()
    if not sqlite_beside():  # (unless a thread left by another test still reads a store)
        assert harvest(settings, store, index, workers=2, full=True)[0].ok
        assert FORKS


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_that_does_not_parse_fails_the_source_there_with_its_url_and_line(
    settings, store, index, server, workers
):
    """Pages are parsed once, where they are mapped: in the preparing pool of a source harvested on
    every core (workers=2), in its own process otherwise. Either way a syntax error in the second
    page fails the source with the same sentence naming that page and the line."""
    second = server.url + "/feed?page=2"
    first = to_graph([mfr_dataset()]).serialize(format="turtle") + (
        f"<{server.url}/feed?page=1> a <http://www.w3.org/ns/hydra/core#PartialCollectionView> ;\n"
        f"  <http://www.w3.org/ns/hydra/core#next> <{second}> .\n"
    )
    server.serve("/feed?page=1", first, Content_Type="text/turtle")
    server.serve(
        "/feed?page=2",
        '@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "x" ;;; oops .',
        Content_Type="text/turtle",
    )
    configure(settings, "mfr", server.url + "/feed?page=1")
    (result,) = harvest(settings, store, index, workers=workers)
    assert result.status == "failed" and result.error is not None
    assert result.error.startswith("the feed is not valid turtle RDF (") and result.error.endswith(
        f" at {second} line 2"
    )
    assert [(e.url, e.message) for e in result.errors] == [(second, result.error)]


def test_a_harvest_leaves_the_garbage_collector_as_it_found_it(settings, store, index, server):
    """Harvests collect garbage less often (`fewer_collections`); the process's own setting comes
    back after them, also when two harvests overlap in threads of one process."""
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == GC_THRESHOLD
        assert harvest(settings, store, index, workers=2)[0].ok
        assert gc.get_threshold()[0] == GC_THRESHOLD  # the other harvest still goes on
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_harvest_in_a_serving_process_leaves_what_it_froze_frozen(settings, store, index, server):
    """`serve --schedule` in one process: the serving process froze its start-up objects
    (`web.server.settled`), and a harvest beside it puts the threshold back but keeps them frozen."""
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    before = gc.get_threshold()
    gc.freeze()
    try:
        assert harvest(settings, store, index, workers=1)[0].ok
        assert gc.get_threshold() == before and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_an_unchanged_feed_is_not_processed_again(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    again = run(settings, store, index)["mfr"]
    assert again.counts["unchanged"] == 2 and again.counts["new"] == again.counts["changed"] == 0


def test_an_unchanged_record_keeps_the_run_that_stored_it_and_is_seen_by_the_latest(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    first = run(settings, store, index)["mfr"]
    row_before = store.db.execute("SELECT * FROM records WHERE uri=?", (mfr_dataset().uri,)).fetchone()
    again = run(settings, store, index)["mfr"]
    stored = store.get(mfr_dataset().uri)
    assert stored.run_id == first.run_id != again.run_id  # its provenance: the run that fetched this version
    assert tuple(store.db.execute("SELECT * FROM records WHERE uri=?", (stored.uri,)).fetchone()) == tuple(row_before)
    assert store.last_harvest("mfr") == store.last_run("mfr").finished  # seen by the latest run
    assert store.last_harvest("mfr", before=store.last_run("mfr").finished) < store.last_run("mfr").finished


def test_a_full_harvest_maps_unchanged_input_again(settings, store, index, server):
    """After an upgrade that maps differently, the skip of unchanged pages would keep the old mapping."""
    import dataclasses

    from catalog.model import content_hash

    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    first = run(settings, store, index)["mfr"]
    older = dataclasses.replace(mfr_dataset(), title={"nb": "Slik den gamle koden leste den"})
    store.put("mfr", first.run_id, older, content_hash(older), None, True, None)  # what an older mapping stored
    assert run(settings, store, index)["mfr"].counts["unchanged"] == 2  # the page is unchanged: not mapped
    assert store.get(mfr_dataset().uri).record == older
    other = dataclasses.replace(mfr_dataset(), uri=mfr_dataset().uri + "-kopi", identifier="kopi")
    configure(settings, "kopi", publish(server, [other], path="/kopi/catalog.ttl"))
    # two sources: harvested in worker processes, which must get `full` too
    results = {r.source: r for r in harvest(settings, store, index, ["mfr", "kopi"], full=True)}
    full = results["mfr"]
    assert full.ok and (full.counts["changed"], full.counts["unchanged"]) == (1, 1) and results["kopi"].ok
    assert store.get(mfr_dataset().uri).record == mfr_dataset()
    assert run(settings, store, index)["mfr"].counts["unchanged"] == 2  # its checkpoint was saved again


def test_an_unchanged_page_is_not_parsed_again_yet_its_problems_are_reported_again(
    settings, store, index, server, monkeypatch
):
    g = to_graph([mfr_dataset()])
    nameless = next(g.subjects(CSVW.name, Literal("SVLEN")))
    g.remove((nameless, CSVW.name, None))
    configure(
        settings, "mfr", server.serve("/mfr/catalog.ttl", g.serialize(format="turtle"), Content_Type="text/turtle")
    )
    first = run(settings, store, index)["mfr"]
    for parser in ("parse_rdf", "parse_picked"):
        monkeypatch.setattr(dcat, parser, lambda *_args: pytest.fail("an unchanged page was parsed again"))
    again = run(settings, store, index)["mfr"]
    assert [(e.record_id, e.field) for e in first.errors] == [(str(nameless), "csvw:name")]
    assert [(e.url, e.record_id, e.field, e.message) for e in again.errors] == [
        (e.url, e.record_id, e.field, e.message) for e in first.errors
    ]
    assert again.ok and again.counts["unchanged"] == 1 and again.counts["errors"] == 1


def test_changes_and_deletions_at_the_source_are_followed(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    changed = mfr_dataset()
    changed.variables = [v for v in changed.variables if v.name != "SVLEN"]
    changed.variables[0].title = {"nb": "Fødselsvekt i gram"}
    publish(server, [changed])
    result = run(settings, store, index)["mfr"]
    assert (result.counts["changed"], result.counts["deleted"]) == (1, 1)
    assert store.get(apgar_codes().uri).deleted_at is not None
    # gone, as written or misspelt (its word's part "svangerskap" finds other variables: parts=False)
    assert index.search(SearchQuery(text="svangerskapslengde", parts=False)).total == 0
    assert index.search(SearchQuery(text="gram")).hits[0].doc["label"] == "Fødselsvekt i gram"
    assert index.search(SearchQuery(type="codelist")).total == 0


@pytest.mark.parametrize("workers", [1, 2], ids=["threads", "processes"])
def test_what_runs_that_did_not_end_well_stored_is_indexed_by_the_next(settings, store, index, server, workers):
    """A run's documents are committed when it finishes: a run killed before (or failed) leaves
    records stored but not indexed, or gone from the store but not from the index. They come back
    unchanged, and the next run indexes them again, however many runs ended badly before it."""
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    publish(server, [mfr_dataset()])  # the code list goes, and its deletion never reaches the index
    assert harvest(settings, store, None)[0].ok
    assert index.search(SearchQuery(type="codelist")).total == 1
    other = mfr_dataset()
    other.uri, other.identifier, other.title = "https://data.fhi.no/dataset/other", "other", {"nb": "Andre fødsler"}
    other.variables = other.variables[:1]
    for v in other.variables:
        v.uri = v.uri.replace("/mfr", "/other")
    publish(server, [mfr_dataset(), other])  # a new dataset, stored but never indexed
    assert harvest(settings, store, None)[0].ok
    with store.transaction():  # as the runs of a killed harvest are marked
        store._execute("UPDATE runs SET status='interrupted' WHERE id > 1")
    assert harvest(settings, store, index, workers=workers)[0].counts["unchanged"] == 2
    assert index.search(SearchQuery(type="codelist")).total == 0
    assert [h.key for h in index.search(SearchQuery(text="andre", type="dataset")).hits] == [key_for(other.uri)]
    rebuilt = TantivyBackend(settings.home / "rebuilt")
    reindex(settings, store, rebuilt)
    assert everything(index) == everything(rebuilt)


def test_a_malformed_feed_fails_its_source_and_keeps_the_last_good_records(settings, store, index, server):
    url = publish(server, [mfr_dataset()])
    configure(settings, "mfr", url)
    run(settings, store, index)
    server.serve(
        "/mfr/catalog.ttl",
        '@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "x" ;;; oops .',
        Content_Type="text/turtle",
    )
    result = run(settings, store, index)["mfr"]
    assert result.status == "failed"
    assert "not valid turtle" in result.error and url in result.error and "line 2" in result.error
    assert store.get(mfr_dataset().uri).deleted_at is None
    assert index.search(SearchQuery(text="fødselsvekt")).total == 1


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        ("", "text/turtle", "it is empty"),
        ('{"error": "maintenance"}', "application/json", """it begins '{"error": "maintenance"}'"""),
        ("# ingen endringer i dag\n", "text/turtle", "it begins '# ingen endringer i dag'"),
        (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "application/rdf+xml",
            "rdf:RDF",
        ),
    ],
)
def test_an_answer_without_a_statement_fails_its_source_and_deletes_nothing(
    settings, store, index, server, body, content_type, says
):
    """A server that answers 200 with nothing in it (mid-deploy, a JSON error, an empty RDF/XML
    document) was read as a catalogue listing nothing, and every record of the source was
    deleted; a catalogue listing nothing still says it is a dcat:Catalog."""
    url = publish(server, [mfr_dataset()])
    configure(settings, "mfr", url)
    run(settings, store, index)
    server.serve("/mfr/catalog.ttl", body, Content_Type=content_type)
    result = run(settings, store, index)["mfr"]
    assert result.status == "failed" and result.counts["deleted"] == 0
    assert "holds no RDF statements" in result.error and says in result.error and url in result.error
    assert store.get(mfr_dataset().uri).deleted_at is None
    assert index.search(SearchQuery(text="fødselsvekt")).total == 1


def test_an_empty_answer_to_changes_since_is_no_change(settings, store, index, server):
    """A feed offering `modified_since` may answer "nothing changed" with nothing at all: an
    incremental run deletes nothing but tombstones, so that is no glitch to fail on."""
    feed = to_graph([mfr_dataset()]).serialize(format="turtle") + (
        "<https://example.org/katalog> a <http://www.w3.org/ns/dcat#Catalog> ; "
        '<http://purl.org/dc/terms/modified> "2026-01-01T00:00:00Z" .\n'
        '<https://example.org/katalog#søk> <http://www.w3.org/ns/hydra/core#variable> "modified_since" .\n'
    )
    url = server.serve("/mfr/catalog.ttl", feed, Content_Type="text/turtle")
    configure(settings, "mfr", url)
    assert run(settings, store, index)["mfr"].ok
    server.serve("/mfr/catalog.ttl", "", Content_Type="text/turtle")
    again = run(settings, store, index)["mfr"]
    assert any("modified_since=2026-01-01" in r.full_path for r in server.requests)
    assert again.ok and again.counts["deleted"] == 0 and store.get(mfr_dataset().uri).deleted_at is None


CKAN_PACKAGE = {
    "id": "p1",
    "name": "fodsler",
    "title": "Fødsler",
    "notes": "Fødsler i Norge.",
    "metadata_modified": "2026-01-01T00:00:00",
    "resources": [],
}


def ckan_answer(*packages: dict) -> str:
    return json.dumps({"success": True, "result": {"count": len(packages), "results": list(packages)}})


@pytest.mark.parametrize(
    ("kind", "path", "before", "after", "content_type"),
    [
        (  # a catalogue that says it lists nothing
            "dcat",
            "/mfr/catalog.ttl",
            to_graph([mfr_dataset()]).serialize(format="turtle"),
            "<https://example.org/katalog> a <http://www.w3.org/ns/dcat#Catalog> .",
            "text/turtle",
        ),
        # a CKAN portal rebuilding its search index finds nothing, for every search
        ("ckan", "/api/action/package_search", ckan_answer(CKAN_PACKAGE), ckan_answer(), "application/json"),
    ],
)
def test_a_whole_listing_with_no_record_fails_and_deletes_nothing(
    settings, store, index, server, kind, path, before, after, content_type
):
    """A source that had records and lists none: far more often a glitch than a source emptied on
    purpose, which the operator removes; read as the source's word, every record was deleted."""
    url = server.serve(path, before, Content_Type=content_type)
    base = url if kind == "dcat" else server.url
    settings.sources["src"] = SourceConfig(name="src", kind=kind, url=base, title="Kilde")
    first = run(settings, store, index)["src"]
    assert first.ok and first.counts["new"] >= 1
    live = store.count()
    server.serve(path, after, Content_Type=content_type)
    result = run(settings, store, index)["src"]
    assert result.status == "failed" and result.counts["deleted"] == 0
    assert f"listed no record, where it had {live}" in result.error and "catalog sources remove src" in result.error
    assert store.count() == live


def test_one_failing_source_never_stops_another(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset()]))
    configure(settings, "npr", server.url + "/missing.ttl")
    results = run(settings, store, index)
    assert results["mfr"].ok and results["npr"].status == "failed"
    assert "answered 404" in results["npr"].error
    assert store.last_run("npr").status == "failed" and store.errors(results["npr"].run_id)[0].url.endswith(
        "missing.ttl"
    )


def test_records_with_violations_are_stored_flagged_and_counted_invalid(settings, store, index, server):
    bad = mfr_dataset(description={})
    configure(settings, "mfr", publish(server, [bad]))
    result = run(settings, store, index)["mfr"]
    assert (result.counts["new"], result.counts["invalid"]) == (1, 1)
    stored = store.get(bad.uri)
    assert stored.conforms is False
    assert any(f["path"] == "http://purl.org/dc/terms/description" for f in stored.validation["findings"])


def test_a_re_harvest_counts_no_invalid_records_yet_says_how_many_still_do_not_conform(settings, store, index, server):
    """An unchanged re-harvest of a feed with 33 invalid records said "0 invalid", read as fixed.
    The run's counts keep their meaning (what the run wrote); the result says the source's state."""
    bad, good = mfr_dataset(description={}), apgar_codes()
    configure(settings, "mfr", publish(server, [bad, good]))
    first = run(settings, store, index)["mfr"]
    second = run(settings, store, index)["mfr"]
    assert (first.counts["invalid"], second.counts["invalid"], second.counts["unchanged"]) == (1, 0, 2)
    assert (first.live, first.nonconforming) == (second.live, second.nonconforming) == (2, 1)
    assert second.line() == (
        "mfr: 0 new, 0 changed, 2 unchanged, 0 deleted, 0 invalid, 0 errors; "
        "1 of 2 live records do not conform (`catalog report mfr`)"
    )
    publish(server, [good])
    third = run(settings, store, index)["mfr"]
    assert (third.counts["deleted"], third.live, third.nonconforming) == (1, 1, 0)
    assert third.line().endswith("0 errors; all 1 live records conform")


def test_bytes_that_are_no_text_served_as_json_ld_fail_the_run_saying_so(settings, store, index, server):
    """The access body's drill: the run failed with Python's own "'utf-8' codec can't decode byte
    0xe3 in position 0"."""
    configure(
        settings, "noise", server.serve("/noise.jsonld", bytes(range(0xE3, 0xFF)), Content_Type="application/ld+json")
    )
    result = run(settings, store, index)["noise"]
    assert result.status == "failed" and "malformed JSON-LD: not UTF-8 text (byte 0)" in result.error


def test_rdfxml_with_an_entity_declaration_is_refused(settings, store, index, server):
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>&x;'
        "</rdf:Description></rdf:RDF>"
    )
    configure(settings, "evil", server.serve("/evil.rdf", xxe, Content_Type="application/rdf+xml"))
    result = run(settings, store, index)["evil"]
    assert result.status == "failed" and "DOCTYPE or entity declaration" in result.error


def test_hydra_pages_are_followed_with_links_as_iris_or_strings(settings, store, index, server):
    first, second = (
        mfr_dataset(),
        mfr_dataset(uri="https://data.fhi.no/mfr/dataset/andre", identifier="to", variables=[]),
    )
    page2 = server.url + "/paged.ttl?page=2"
    g1 = to_graph([first])
    g1.parse(
        data=f"@prefix hydra: <http://www.w3.org/ns/hydra/core#> . <{server.url}/paged.ttl> "
        f'a hydra:PagedCollection ; hydra:next "{page2}" .',
        format="turtle",
    )
    g2 = to_graph([second])
    server.serve("/paged.ttl", g1.serialize(format="turtle"), Content_Type="text/turtle")
    server.serve("/paged.ttl?page=2", g2.serialize(format="turtle"), Content_Type="text/turtle")
    configure(settings, "mfr", server.url + "/paged.ttl")
    assert run(settings, store, index)["mfr"].counts["new"] == 2


def test_reindex_rebuilds_the_index_from_the_store(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    fresh = TantivyBackend(settings.home / "other-index")
    assert reindex(settings, store, fresh) == index.count() == 1 + 4 + 1
    assert fresh.search(SearchQuery(text="MORS_ALDER")).hits[0].doc["name"] == "MORS_ALDER"


def test_sources_harvested_at_once_share_the_index_safely(settings, store, index, server):
    for n in range(4):
        records = [
            mfr_dataset(uri=f"https://data.fhi.no/mfr/dataset/{n}-{i}", identifier=f"{n}-{i}", variables=[])
            for i in range(150)
        ]
        configure(settings, f"src{n}", publish(server, records, f"/src{n}.ttl"))
    results = harvest(settings, store, index, workers=4)
    assert [r.status for r in results] == ["ok"] * 4, [r.error for r in results]
    assert index.search(SearchQuery(type="dataset", limit=1)).total == 600


def bare_dataset_harvested(settings, store, index, server) -> Dataset:
    """A dataset that says none of what the EHDS feed asks, harvested (invalid), and defaults for
    its source that complete it (set, not yet applied)."""
    bare = mfr_dataset(applicable_legislation=[], dataset_type=None, has_structured_data=None)
    configure(settings, "mfr", publish(server, [bare]))
    [first] = harvest(settings, store, index)
    assert first.counts["invalid"] == 1
    settings.sources["mfr"].options["defaults"] = {
        "applicable_legislation": ["https://lovdata.no/eli/forskrift/2001/12/14/1483"],
        "dataset_type": "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    }
    return bare


def test_source_defaults_fill_what_the_source_cannot_say_without_overwriting_it(settings, store, index, server):
    bare = bare_dataset_harvested(settings, store, index, server)
    publish(
        server,
        [
            mfr_dataset(
                applicable_legislation=[],
                dataset_type=None,
                has_structured_data=None,
                description={"nb": "Ny beskrivelse."},
            )
        ],
    )
    [second] = harvest(settings, store, index)
    assert (second.counts["changed"], second.counts["invalid"]) == (1, 0)
    stored = store.get(bare.uri)
    assert stored.conforms and stored.record.applicable_legislation == []  # the store keeps what the source said


def test_settings_reverted_after_a_reindex_are_followed_again(settings, store, index, server):
    """The access body's drill: defaults added, `catalog reindex` (which validated the datasets
    with them), then the defaults taken out again: the EHDS feed kept the datasets as conforming,
    since the reindex never recorded the settings it validated with, and the reverted settings
    matched the record of the harvest before it."""
    from catalog.pipeline import follow_settings, revalidate

    bare = bare_dataset_harvested(settings, store, index, server)
    assert revalidate(settings, store, index=index) == 1  # `catalog reindex`
    assert store.get(bare.uri).conforms
    settings.sources["mfr"].options.pop("defaults")
    assert follow_settings(settings, store, index) == 1  # the scheduler, after the edit
    assert not store.get(bare.uri).conforms


def test_a_reindex_validates_again_what_other_rules_validated(settings, store, index, server):
    """A release that changes the shapes left every stored verdict as it was: after the one that
    first checked code lists (2026-12-07), a code list without a title stored before stayed in the
    EHDS feed until its source changed it. `catalog reindex` validates again every record the EHDS
    feed checks that other rules validated (a source's settings changing, its datasets)."""
    from catalog.pipeline import revalidate

    untitled = dataclasses.replace(apgar_codes(), title={})
    configure(settings, "mfr", publish(server, [mfr_dataset(), untitled]))
    harvest(settings, store, index)
    store.revalidated(untitled.uri, True, {"conforms": True, "findings": []}, changed=False)  # as the release before
    assert store.get(untitled.uri).conforms
    assert revalidate(settings, store, "mfr", index=index) == 0, "a source's settings did not change"
    before = store.get(untitled.uri).last_changed
    assert revalidate(settings, store, index=index) == 1  # `catalog reindex`: the code list alone
    again = store.get(untitled.uri)
    assert not again.conforms and again.last_changed > before, "it left the EHDS feed: a change for its followers"
    assert [f["path"] for f in again.validation["findings"]] == ["http://purl.org/dc/terms/title"]
    assert revalidate(settings, store, index=index) == 0


def test_defaults_may_only_name_dataset_fields():
    from catalog.config import ConfigError, SourceConfig

    with pytest.raises(ConfigError, match="unknown: colour"):
        SourceConfig(name="x", kind="dcat", url="http://127.0.0.1/", options={"defaults": {"colour": "red"}})
    with pytest.raises(ConfigError, match="unknown: uri"):
        SourceConfig(name="x", kind="dcat", url="http://127.0.0.1/", options={"defaults": {"uri": "x"}})


# -- variables are indexed with their code lists ----------------------------------------------


def apgar_with(*extra: tuple[str, str]):
    from catalog.model import Concept

    codes = apgar_codes()
    codes.concepts += [Concept(code=code, label={"nb": label}) for code, label in extra]
    return codes


def found(index, text):
    return [(h.doc["name"], [tuple(c) for c in h.matched_codes]) for h in index.search(SearchQuery(text=text)).hits]


def test_a_variable_is_found_by_its_code_lists_codes(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    assert found(index, "9 poeng") == [("APGAR5", [("9", "9 poeng")])]
    fresh = TantivyBackend(settings.home / "other-index")
    reindex(settings, store, fresh)
    assert found(fresh, "9 poeng") == [("APGAR5", [("9", "9 poeng")])]


def test_when_a_code_list_changes_alone_its_variables_follow(settings, store, index, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    run(settings, store, index)
    publish(server, [mfr_dataset(), apgar_with(("99", "Ikke målt"))])
    assert run(settings, store, index)["mfr"].counts["changed"] == 1  # the code list only
    assert found(index, "ikke målt") == [("APGAR5", [("99", "Ikke målt")])]
    publish(server, [mfr_dataset()])
    assert run(settings, store, index)["mfr"].counts["deleted"] == 1
    assert found(index, "ikke målt") == [] and index.search(SearchQuery(text="APGAR5")).total == 1


@pytest.mark.parametrize("together", [False, True], ids=["later-run", "same-harvest"])
def test_a_code_list_from_another_source_reaches_the_variables_using_it(settings, store, index, server, together):
    """KLASS publishes code lists that vardef's variables use: either may come first."""
    configure(settings, "mfr", publish(server, [mfr_dataset()]))
    configure(
        settings, "klass", publish(server, [apgar_with(("99", "Ikke målt"), ("P07", "Kort svangerskap"))], "/klass.ttl")
    )
    if together:  # two sources in two worker processes
        assert all(r.ok for r in harvest(settings, store, index, workers=2))
    else:
        run(settings, store, index, "mfr")
        assert found(index, "ikke målt") == [] and datasets_found(index, "P07") == []
        run(settings, store, index, "klass")
    assert found(index, "ikke målt") == [("APGAR5", [("99", "Ikke målt")])]
    assert datasets_found(index, "P07") == [
        (mfr_dataset().identifier, [("P07", "Kort svangerskap")])
    ]  # its variables' codes


def datasets_found(index, code):
    hits = index.search(SearchQuery(text=code, type="dataset")).hits
    return [(h.doc["name"], [tuple(c) for c in h.matched_codes]) for h in hits]


def test_a_record_another_source_has_stays_with_it_and_the_other_is_told(settings, store, index, server):
    """A registry's second list published with the first one's base URL (copied): its harvest took
    the first one's dataset over ("3 changed"), and removing it deleted that dataset. It is now an
    error of the second run, naming the first source, and the first keeps its record."""
    from dataclasses import replace

    from catalog.pipeline import retire

    configure(settings, "hjerte", publish(server, [mfr_dataset()]))
    copy = replace(mfr_dataset(), title={"nb": "Kopi av registeret"})
    configure(settings, "kopi", publish(server, [copy], "/kopi.ttl"))
    assert run(settings, store, index, "hjerte")["hjerte"].counts["new"] == 1
    second = run(settings, store, index, "kopi")["kopi"]
    assert second.counts["new"] == second.counts["changed"] == 0 and second.counts["errors"] == 1
    [error] = store.errors(second.run_id)
    assert error.record_id == mfr_dataset().uri and "'hjerte'" in error.message
    held = store.get(mfr_dataset().uri)
    assert held.source == "hjerte" and held.record.title == mfr_dataset().title
    assert [h.doc["label"] for h in index.search(SearchQuery(text="Kopi", type="dataset")).hits] == []
    del settings.sources["kopi"]
    retire(settings, store, index, ["kopi"])
    assert store.get(mfr_dataset().uri).deleted_at is None  # removing the copy took nothing of the first


def test_a_dataset_given_anothers_identifier_by_mistake_keeps_its_last_good_version(settings, store, index, server):
    """The second of two datasets with one dct:identifier is reported and not taken, as every
    harvester keeps the first of a duplicate; it was also deleted, where a publisher's slip (a
    copied identifier) should keep what the catalogue had of it until the feed is mended."""
    from dataclasses import replace

    first = mfr_dataset()
    second = replace(first, uri=first.uri + "-2", identifier="fodsler-2", variables=[])
    url = publish(server, [first, second, apgar_codes()])
    configure(settings, "mfr", url)
    assert run(settings, store, index)["mfr"].counts["new"] == 3
    publish(server, [first, replace(second, identifier=first.identifier), apgar_codes()])
    result = run(settings, store, index)["mfr"]
    assert result.counts["deleted"] == 0 and result.counts["errors"] == 1
    assert store.get(second.uri).deleted_at is None
    [error] = store.errors(result.run_id)
    assert error.record_id == first.identifier and "listed more than once" in error.message
