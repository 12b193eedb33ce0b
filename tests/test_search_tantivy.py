"""What only the embedded tantivy backend has: its index directory on disk."""

from __future__ import annotations

import functools
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest
import tantivy

from catalog.model import Dataset, Record, Variable
from catalog.search import Encoded, SearchQuery, document_key, document_type, tantivy_backend
from catalog.search.documents import SourceInfo, documents, encoded, encoded_documents, stored
from catalog.search.tantivy_backend import StaleIndex, TantivyBackend
from tests.search_fixtures import CODE_LISTS, HC, JUDGED, REGISTRIES, corpus, registry_dataset, wave_datasets


def test_an_index_from_another_version_asks_for_a_reindex_and_a_reindex_replaces_it(tmp_path: Path) -> None:
    old = tmp_path / "ix-1"
    old.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_bytes_field("doc", stored=True)
    tantivy.Index(builder.build(), path=str(old))
    (tmp_path / "CURRENT").write_text("ix-1")
    backend = TantivyBackend(tmp_path)
    with pytest.raises(StaleIndex, match="catalog reindex"):
        backend.search(SearchQuery(text="vekt"))
    backend.replace_all(corpus())
    assert backend.search(SearchQuery(text="fødselsvekt")).total == 2


def _open_at(root: str, start: float) -> str:
    time.sleep(max(0.0, start - time.time()))
    TantivyBackend(Path(root)).count()
    return (Path(root) / "CURRENT").read_text()


def test_processes_opening_a_new_index_together_agree_on_one(tmp_path: Path) -> None:
    """`serve --workers N --schedule` on a new catalogue home: every process opens the index at
    once; exactly one creates it and all use that one."""
    start = time.time() + 1.0
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        currents = list(pool.map(_open_at, [str(tmp_path)] * 8, [start] * 8))
    assert len(set(currents)) == 1 and [d.name for d in tmp_path.glob("ix-*")] == [currents[0]]


def test_a_commit_by_another_process_is_searched_as_soon_as_the_generation_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The explorer caches answers by the index's generation: once the generation says another
    process (the scheduler) committed, a search must see that commit, or a stale answer would be
    kept under the new generation for the cache's lifetime."""
    monkeypatch.setattr(tantivy_backend, "RECHECK", 0.0)  # look at the disk on every call
    explorer, scheduler = TantivyBackend(tmp_path), TantivyBackend(tmp_path)
    query = SearchQuery(text="fødselsvekt")
    before = explorer.generation()
    assert explorer.search(query).total == 0
    scheduler.upsert(corpus())
    assert explorer.generation() != before
    assert explorer.search(query).total == 2  # at once, not after the index's own watcher notices


def test_staged_documents_are_unseen_until_committed_and_hold_the_write_lock(tmp_path: Path) -> None:
    """One writer is kept open while a harvest stages (tantivy allows one writer an index): other
    processes' writes wait for its commit, searches see the last commit, and `close` commits."""
    backend = TantivyBackend(tmp_path)
    docs = corpus()
    backend.stage(docs[:5])
    assert backend.count() == 0
    other = multiprocessing.get_context("spawn").Process(target=_upsert_in_another_process, args=(tmp_path, docs[5:6]))
    other.start()
    other.join(1.0)
    assert other.is_alive(), "another process wrote while a writer was open"
    backend.close()  # commits what was staged: the other process's write goes on
    other.join(60)
    assert other.exitcode == 0
    assert TantivyBackend(tmp_path).count() == 6


def _upsert_in_another_process(root: Path, docs: list[dict[str, object]]) -> None:
    TantivyBackend(root).upsert(docs)


def test_hits_carry_every_stored_document_as_the_same_dictionary_in_the_same_order(tmp_path: Path) -> None:
    """Documents of the shapes `documents` makes are stored as their values alone (`_packed`);
    reading them back must give what was written, key order included, as must any other document."""
    docs = corpus()
    other = {
        "key": "made-by-hand",
        "type": "variable",
        "name": "X",
        "label": "Håndlaget",
        "extra": [1, None, {"a": ""}],
    }
    backend = TantivyBackend(tmp_path)
    backend.replace_all([*docs, other])
    written = {d["key"]: stored(d) for d in [*docs, other]}
    read = {d["key"]: d for kind in ("variable", "dataset", "codelist") for d in backend.scan(kind, {})}
    assert read.keys() == written.keys()
    for key, doc in written.items():
        assert list(read[key].items()) == list(doc.items()), key
    assert all(tantivy_backend._packed(stored(d)).startswith(b"[") for d in docs)  # every shape known
    assert tantivy_backend._packed(other).startswith(b"{")


def test_a_stored_document_of_a_shape_this_version_does_not_make_asks_for_a_reindex() -> None:
    with pytest.raises(StaleIndex, match="catalog reindex"):
        tantivy_backend._unpacked(b'["a", 1, null, "s00000000"]')


def _unusual_dataset() -> Dataset:
    """Variables of every kind a dataset holds: labels in several languages or none, questions,
    keywords (some empty), coding systems, code lists, periods of their own, no unit or type."""
    return Dataset(
        uri="https://example.org/dataset/unusual",
        identifier="U",
        title={"nb": "Uvanlige variabler", "en": "Unusual variables"},
        description={"nb": "Alt en variabel kan være"},
        temporal_start="1995-01-01",
        health_categories=[f"{HC}REGISTRY"],
        themes=["http://publications.europa.eu/resource/authority/data-theme/HEAL"],
        variables=[
            Variable(uri="https://example.org/v/plain", name="FODSELSVEKT", title={"nb": "Fødselsvekt"}),
            Variable(uri="https://example.org/v/untitled", name="MORS_ALDER"),
            Variable(uri="https://example.org/v/empty", name="", title={"nb": ""}, description={"nb": ""}),
            Variable(
                uri="https://example.org/v/languages",
                name="ROYK",
                title={"nb": "Røyker daglig", "en": "Smokes daily"},
                description={"nn": "Røykjer dagleg"},
            ),
            Variable(
                uri="https://example.org/v/question",
                name="q1",
                title={"en": "Sleep"},
                description={"en": "Hours of sleep"},
                question={"nb": "Hvor mye sover du?"},
            ),
            Variable(
                uri="https://example.org/v/keywords",
                name="DIAG_HOVED",
                title={"nb": "Hoveddiagnose"},
                keywords=["diagnose", "", "ICD-10 hoveddiagnose brukt ved utskrivning fra sykehus i Norge"],
                coding_system="ICD-10",
                datatype="",
                unit="gram",
            ),
            Variable(
                uri="https://example.org/v/period",
                name="SVLEN",
                title={"nb": "Svangerskapslengde"},
                valid_from="2001-01-01",
                valid_to="2009-12-31",
            ),
            Variable(uri="https://example.org/v/coded", name="ICD", codelist="https://example.org/codelist/icd10"),
            Variable(uri="https://example.org/v/lang", name="x", title={"de": "Gewicht"}, datatype=None),
        ],
    )


def test_a_variables_keys_written_inline_are_key_for_and_the_group_key() -> None:
    """`DatasetDocuments.values` gives a variable's key, code list key and group key as `key_for`
    and `_group_key` make them, which `complete` and every page's links use too."""
    from catalog.model import key_for
    from catalog.search.documents import VARIABLE_VALUES, DatasetDocuments, _group_key

    made = DatasetDocuments(_unusual_dataset(), SourceInfo("s", "Kilde", "survey"), True, [], 0)
    at = {name: i for i, name in enumerate(VARIABLE_VALUES)}
    for v in _unusual_dataset().variables:
        values = made.values(v)
        codelist_key = key_for(v.codelist) if v.codelist else None
        assert values[at["key"]] == key_for(v.uri)
        assert values[at["codelist_key"]] == codelist_key
        assert values[at["group"]] == _group_key(
            "s", v.name, values[at["label"]], v.datatype, v.unit, codelist_key or ""
        )


@pytest.mark.parametrize("uses", [0, 1, 7])
@pytest.mark.parametrize("platforms", [[], ["Plattform B", "Plattform A", "Plattform A"]])
def test_a_records_documents_encoded_from_their_values_are_those_encode_writes(uses: int, platforms: list[str]) -> None:
    """A harvest encodes a dataset's variables from their values (`encode_record`, knowing what
    they share): the same documents, in the same order, with the same fields and stored bytes as
    `encode` writes of `documents`, and the variables with code lists left to be completed."""
    records: list[Record] = [
        _unusual_dataset(),
        *(registry_dataset(r) for r in REGISTRIES),
        *CODE_LISTS,
        *wave_datasets()[0],
    ]
    encoder = tantivy_backend.TantivyEncoder(tantivy_backend.COMPOUNDS_FILE)
    plain = functools.partial(tantivy_backend.encode, tantivy_backend.COMPOUNDS_FILE)
    for valid in (True, False):
        info = SourceInfo("s", "Kilde", "survey")
        for record in records:
            made = encoded_documents(record, info, valid, platforms, uses, encode=encoder)
            expected = encoded(list(documents(record, info, valid, platforms, uses)), plain)
            assert [(document_key(d), document_type(d)) for d in made] == [
                (document_key(d), document_type(d)) for d in expected
            ]
            for got, want in zip(made, expected, strict=True):
                if isinstance(want, Encoded):
                    assert isinstance(got, Encoded)
                    assert orjson.loads(got.body) == orjson.loads(want.body)
                    # written as the shared fields' JSON joined with each variable's own: no name twice
                    names = [name for name, _ in json.loads(got.body, object_pairs_hook=list)]
                    assert len(names) == len(set(names)), got.key
                else:
                    assert isinstance(got, dict)
                    assert list(got.items()) == list(want.items())


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> TantivyBackend:
    backend = TantivyBackend(tmp_path_factory.mktemp("ix"))
    backend.replace_all(corpus())
    return backend


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text=text, limit=50, filters=filters, group=group)
        for text in [*sorted(JUDGED), "røyker daglig", "C50", "mother's age", "røykjar dagleg", "T90"]
        for filters, group in (({}, False), ({}, True), ({"datatype": ["integer"]}, False))
    ],
    ids=repr,
)
def test_clauses_looked_up_one_by_one_score_as_their_union(indexed: TantivyBackend, query: SearchQuery) -> None:
    """A search with few matches has its optional scoring clauses looked up one by one at its
    matches (`_scored_by`): the same hits, in the same order, with the same scores as the one
    union that scores a search with many."""
    plan = indexed.synonyms.plan(query.text)
    searcher = indexed.index().searcher()

    def ranked(sparse: bool) -> list[tuple[float, int, int]]:
        scored, _matches = indexed._query(searcher, indexed.index().schema, query, plan, sparse=sparse)
        hits = searcher.search(scored, limit=query.limit).hits
        return [(round(score, 4), address.segment_ord, address.doc) for score, address in hits]

    union = ranked(False)
    assert ranked(True) == union


def test_a_new_search_with_few_matches_looks_its_clauses_up_one_by_one(
    indexed: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A result page (`SearchQuery.disjunctive`) counts its matches before reading its hits; with
    at most one document in `SPARSE` matched, the hits are scored one clause at a time, and with
    more as one union (cheaper where matches fill tantivy's windows)."""
    calls: list[int] = []
    scored_by = tantivy_backend._scored_by

    def counted(matches: Any, optional: list[Any]) -> Any:
        calls.append(len(optional))
        return scored_by(matches, optional)

    monkeypatch.setattr(tantivy_backend, "_scored_by", counted)
    page = SearchQuery(text="fødselsvekt", disjunctive=True, facets=("source",))
    monkeypatch.setattr(tantivy_backend, "SPARSE", indexed.count() // 2)  # 2 of the corpus are few
    few = indexed.search(page)
    assert few.total == 2 and calls, "a page of few matches looks its clauses up one by one"
    monkeypatch.setattr(tantivy_backend, "SPARSE", indexed.count())  # 2 are many
    calls.clear()
    assert indexed.search(page).hits == few.hits and not calls, "many matches: one union, the same hits"


def test_a_rebuild_keeps_the_indices_it_replaced_while_readers_may_still_search_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store contract's harvest-and-reindex loop failed once under load: two rebuilds within
    one `RECHECK` removed the index a reader still had open ("Data corrupted: Failed to open field
    "suggest"'s positions in the composite file")."""
    writer, reader = TantivyBackend(tmp_path), TantivyBackend(tmp_path)
    query = SearchQuery(text="fødselsvekt")
    writer.replace_all(corpus())
    held = (tmp_path / "CURRENT").read_text()
    assert reader.search(query).total == 2  # the reader opens the first rebuild and keeps it a while
    writer.replace_all(corpus())
    writer.replace_all(corpus())  # a second rebuild before the reader looks at CURRENT again
    assert (tmp_path / held / "meta.json").exists()
    assert reader.search(query).total == 2
    monkeypatch.setattr(tantivy_backend, "REPLACED_GRACE", 0.0)
    writer.replace_all(corpus())  # once their grace is over, the indices replaced before go
    current = (tmp_path / "CURRENT").read_text()
    assert len([d for d in tmp_path.glob("ix-*") if d.is_dir()]) == 2 and (tmp_path / current).is_dir()
    assert not (tmp_path / held).exists() and not (tmp_path / f"{held}.replaced").exists()


def test_an_index_folder_removed_under_a_running_explorer_answers_503_until_it_is_rebuilt(
    settings, store, server, monkeypatch
) -> None:
    """Removed by hand to force a rebuild, or a shared folder unmounted: each search answered 500
    with a traceback. Now as when a search cluster is down: 503 to retry, the pages that need no
    search still answer, and /readyz says what to run; a reindex brings searching back."""
    import shutil

    from catalog.cli import main
    from catalog.pipeline import harvest
    from catalog.search import open_backend
    from tests.factories import mfr_and_a_gone_source
    from web import create_app

    monkeypatch.setattr(tantivy_backend, "RECHECK", 0.0)  # CURRENT looked at on every search
    mfr_and_a_gone_source(str(settings.home), server)
    settings.reload_sources()
    harvest(settings, store, open_backend(settings))
    client = create_app(settings).test_client()
    assert client.get("/api/search?q=fødselsvekt").get_json()["total"] == 1
    shutil.rmtree(settings.index_dir)
    for path in ("/search?q=fødselsvekt", "/api/search?q=fødselsvekt"):
        answer = client.get(path)
        assert answer.status_code == 503 and answer.headers["Retry-After"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "catalog reindex" in ready.get_json()["checks"]["index"]
    assert client.get("/").status_code == 200 and client.get("/catalog").status_code == 200
    assert main(["--home", str(settings.home), "reindex"]) == 0
    assert client.get("/api/search?q=fødselsvekt").get_json()["total"] == 1
    assert client.get("/readyz").status_code == 200


def test_a_word_typed_in_part_finds_the_words_a_later_harvest_brings(tmp_path: Path) -> None:
    """A unit's query is built once (`TantivyBackend._flat`, `_alternative`); the completions of a
    word typed in part are the index's, so a harvest that brings a new word is searched for it."""
    docs = corpus()
    new = {**next(d for d in docs if d["type"] == "variable"), "key": "v-new", "group": "v-new"}
    new.update(label="Kvantekromodynamikkdata", labels={"nb": "Kvantekromodynamikkdata"})
    backend = TantivyBackend(tmp_path)
    backend.upsert(docs)
    query = SearchQuery(text="kvantekromodyn", typos=0)  # longer than a compound's indexed starts
    assert backend.search(query).total == 0
    backend.upsert([new])
    assert [h.doc["key"] for h in backend.search(query).hits] == ["v-new"]
