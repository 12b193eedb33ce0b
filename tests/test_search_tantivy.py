"""What only the embedded tantivy backend has: its index directory on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy

from catalog.search import SearchQuery
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
