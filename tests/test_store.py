"""What only the SQLite store does; everything both backends must do is tests/test_store_contract.py."""

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

from catalog import migrations
from catalog.model import content_hash
from catalog.store import SQLiteStore, StoreReader, open_reader, open_store, store_at
from tests.factories import apgar_codes, mfr_dataset

BEFORE_VERSIONING = Path(__file__).parent / "data" / "store-before-versioning.sql"
WITH_REGISTERS = Path(__file__).parent / "data" / "store-before-versioning-with-registers.sql"


def _open_at(path: str, start: float, readonly: bool) -> int | str:
    time.sleep(max(0.0, start - time.time()))
    try:
        return store_at(path, readonly=readonly).schema_version()
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return repr(exc)


def test_processes_forked_to_open_a_new_store_at_the_same_instant_all_open_it(tmp_path):
    """An explorer's serving processes and the scheduler starting together on a new catalogue:
    switching the new file to WAL failed at once ("database is locked") for whichever met
    another's lock, and that serving process stopped the explorer (7 rounds of 20 before)."""
    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        path = str(tmp_path / f"catalog-{attempt}.sqlite")
        start = time.time() + 0.2
        with context.Pool(6) as pool:
            opened = pool.starmap(_open_at, [(path, start, n % 2 == 0) for n in range(6)])
        assert len(set(opened)) == 1 and isinstance(opened[0], int), opened


def test_a_run_whose_pid_was_reused_by_another_process_is_interrupted(settings):
    store = SQLiteStore(settings.db_path)
    reused, ours = store.start_run("mfr"), store.start_run("npr")
    db = sqlite3.connect(settings.db_path)
    db.execute("UPDATE runs SET owner=? WHERE id=?", (f"{os.getpid()}:1", reused))  # our pid, another start: not us
    db.commit()
    reopened = SQLiteStore(settings.db_path)
    assert reopened.last_run("mfr").status == "interrupted"
    assert reopened.last_run("npr").status == "running"  # its owner, this process, is alive
    assert ours == reopened.last_run("npr").id


def test_a_store_from_before_schema_versioning_opens_migrated_with_everything_kept(settings):
    db = sqlite3.connect(settings.db_path)
    db.executescript(BEFORE_VERSIONING.read_text(encoding="utf-8"))
    db.close()
    store = open_store(settings)
    assert store.schema_version() == migrations.SQLITE[-1].version
    assert store.migrated == tuple(step.version for step in migrations.SQLITE)  # no version table: every step
    assert open_store(settings).migrated == ()
    versions = sqlite3.connect(settings.db_path).execute("SELECT version FROM schema_version ORDER BY version")
    assert [v for (v,) in versions] == [step.version for step in migrations.SQLITE]
    indexes = sqlite3.connect(settings.db_path).execute("SELECT name FROM sqlite_master WHERE type='index'")
    assert "runs_running" in {name for (name,) in indexes}

    reader: StoreReader = open_reader(settings)
    [live] = reader.records()
    assert live.record == mfr_dataset(title={"nb": "Ny tittel"}) and live.first_seen < live.last_changed
    assert [h["change"] for h in reader.history(mfr_dataset().uri)] == ["new", "changed"]
    assert [h["change"] for h in reader.history(apgar_codes().uri)] == ["new", "deleted"]
    assert [(r.status, r.counts) for r in reader.runs("mfr")] == [
        ("ok", {"changed": 1, "deleted": 1}),
        ("ok", {"new": 2, "errors": 1}),
    ]
    [error] = reader.errors(reader.runs("mfr")[1].id)
    assert error.message == "Tittel mangler | Title missing"
    assert reader.state("mfr") == {"page-digest": "abc"}
    assert reader.renderings([apgar_codes().uri], "dcat-ap-3") == {apgar_codes().uri: ("stamp", b"x")}

    run = store.start_run("mfr")  # and it goes on being written as before
    assert store.put("mfr", run, apgar_codes(), content_hash(apgar_codes()), None, True, None) == "restored"


def test_a_store_of_the_last_release_before_versioning_keeps_its_registers_and_links_once(settings, tmp_path):
    """The release before versioning that had links, counts and the registers made them itself: they
    are kept, and a link it wrote twice (a platform naming a dataset twice) is kept once."""
    db = sqlite3.connect(settings.db_path)
    db.executescript(WITH_REGISTERS.read_text(encoding="utf-8"))
    db.close()
    store = open_store(settings)
    assert store.schema_version() == migrations.SQLITE[-1].version
    uri = mfr_dataset().uri
    links = "SELECT count(*) FROM links WHERE target=?"
    assert sqlite3.connect(settings.db_path).execute(links, (uri,)).fetchone() == (1,)
    reader = open_reader(settings)
    [platform] = reader.linking(uri, "mfr", "serves")
    assert [d.uri for d in reader.linked(platform.uri, "serves")] == [uri]
    assert reader.published_counts(uri) == '{"published": 1}'
    assert reader.last_confirmations()["source:mfr"]["note"] == "brev"
    assert [key for key, _data, _datasets in reader.uses(uri)] == ["permit-1"] and reader.use_counts() == {uri: 1}
    assert reader.label_states([uri]) == {uri: (content_hash(mfr_dataset()), "inputs", "digest")}
    assert reader.get(apgar_codes().uri).referenced, "the dataset's code list, linked by step 4"

    copy = SQLiteStore(tmp_path / "copy.sqlite")  # and import-store carries all of it (to PostgreSQL alike)
    copied = SQLiteStore(settings.db_path).copy_into(copy)
    assert (copied["links"], copied["counts"], copied["confirmations"], copied["uses"], copied["labels"]) == (
        3,
        1,
        1,
        1,
        1,
    )
