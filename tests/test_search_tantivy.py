"""What only the embedded tantivy backend has: its index directory on disk."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import tantivy

from catalog.search import SearchQuery, tantivy_backend
from catalog.search.documents import stored
from catalog.search.tantivy_backend import StaleIndex, TantivyBackend
from tests.search_fixtures import corpus


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
