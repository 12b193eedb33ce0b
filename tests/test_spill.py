"""A harvest's search documents cross between its processes as files (`catalog.spill`)."""

import os
import subprocess
import sys

from catalog import spill
from catalog.pipeline import IndexBuffer, harvest
from catalog.prepare import Documents, Packed
from catalog.search import Document, Encoded, SearchQuery
from catalog.search.tantivy_backend import TantivyBackend
from tests.factories import apgar_codes, mfr_dataset
from tests.test_pipeline import configure, publish

DOCS: list[Document] = [Encoded(f"k{i}", "variable", b'{"key":"k%d","type":"variable"}' % i) for i in range(3)]


def ours() -> list[str]:
    return sorted(p.name for p in spill._base().glob(f"{spill.PREFIX}{os.getpid()}-*"))


def test_spilled_documents_cross_as_a_file_name_and_are_read_once(tmp_path):
    packed = Packed(DOCS, str(tmp_path))
    assert packed.blob == b"" and packed.path is not None and os.path.exists(packed.path)
    assert packed.keys == {"k0", "k1", "k2"}
    assert list(packed) == DOCS
    assert not os.path.exists(packed.path)  # read once, then gone


def test_documents_that_cannot_be_spilled_cross_in_memory_as_before(tmp_path):
    packed = Packed(DOCS, str(tmp_path / "gone"))
    assert packed.path is None and list(packed) == list(packed) == DOCS
    assert Packed([], str(tmp_path)).path is None  # nothing to write: no file
    assert list(os.scandir(tmp_path)) == []


def test_documents_whose_file_went_fail_the_index_write_instead_of_the_harvest(settings, tmp_path):
    packed = Packed(DOCS, str(tmp_path))
    os.unlink(packed.path)
    buffer = IndexBuffer(TantivyBackend(settings.index_dir))
    buffer.upsert(Documents([packed, Packed(DOCS[:1])]))
    assert buffer.flush() is not None and "the search documents could not be read" in buffer.flush()


def test_a_harvest_in_processes_spills_into_a_folder_of_its_own_and_removes_it(settings, store, server):
    configure(settings, "mfr", publish(server, [mfr_dataset(), apgar_codes()]))
    index = TantivyBackend(settings.index_dir)
    assert ours() == []
    assert harvest(settings, store, index, workers=2)[0].ok
    assert ours() == []
    assert [h.doc["name"] for h in index.search(SearchQuery(text="fødselsvekt")).hits] == ["VEKT"]


def test_a_folder_left_by_a_killed_harvest_is_removed_by_the_next_one(tmp_path, monkeypatch):
    monkeypatch.setattr(spill, "_base", lambda: tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"{spill.PREFIX}{dead.stdout.strip()}-x1"
    left.mkdir()
    (left / "1-0").write_bytes(b"documents")
    living = tmp_path / f"{spill.PREFIX}{os.getppid()}-x2"  # a harvest still going: kept
    living.mkdir()
    with spill.spill_folder() as folder:
        assert os.path.isdir(folder) and not left.exists() and living.exists()
    assert not os.path.exists(folder)
