"""The store keeps records with provenance and history, and survives interruption."""

import os
import sqlite3

from catalog.model import content_hash
from catalog.store import SQLiteStore
from tests.factories import mfr_dataset


def put(store, run, record, url="http://feed"):
    return store.put("mfr", run, record, content_hash(record), url, True, {"conforms": True})


def test_new_changed_unchanged_and_deleted_are_told_apart(store):
    run = store.start_run("mfr")
    assert put(store, run, mfr_dataset()) == "new"
    assert put(store, run, mfr_dataset()) == "unchanged"
    assert put(store, run, mfr_dataset(title={"nb": "Ny tittel"})) == "changed"
    assert store.mark_deleted([mfr_dataset().uri], run) == 1
    assert store.mark_deleted([mfr_dataset().uri], run) == 0
    assert put(store, run, mfr_dataset()) == "restored"
    assert [h["change"] for h in store.history(mfr_dataset().uri)] == ["new", "changed", "deleted", "restored"]


def test_deleted_records_are_kept_but_not_listed_as_live(store):
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    store.mark_deleted([mfr_dataset().uri], run)
    assert list(store.records()) == []
    assert [r.uri for r in store.records(include_deleted=True)] == [mfr_dataset().uri]
    assert store.known("mfr") == {}


def test_a_variable_leads_to_its_dataset(store):
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    from catalog.model import key_for

    stored = store.dataset_of_variable(key_for(mfr_dataset().variables[0].uri))
    assert stored is not None and stored.uri == mfr_dataset().uri
    assert store.dataset_of_variable("0" * 16) is None


def test_provenance_is_kept_with_each_record(store):
    run = store.start_run("mfr")
    put(store, run, mfr_dataset(), url="http://127.0.0.1/mfr/catalog.ttl")
    stored = store.get(mfr_dataset().uri)
    assert (stored.source, stored.run_id, stored.fetch_url, stored.conforms) == (
        "mfr",
        run,
        "http://127.0.0.1/mfr/catalog.ttl",
        True,
    )
    assert stored.first_seen == stored.last_changed and stored.record == mfr_dataset()


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(settings):
    store = SQLiteStore(settings.db_path)
    reused, ours = store.start_run("mfr"), store.start_run("npr")
    db = sqlite3.connect(settings.db_path)
    db.execute("UPDATE runs SET owner=? WHERE id=?", (f"{os.getpid()}:1", reused))  # our pid, another start: not us
    db.commit()
    reopened = SQLiteStore(settings.db_path)
    assert reopened.last_run("mfr").status == "interrupted"
    assert reopened.last_run("npr").status == "running"  # its owner, this process, is alive
    assert ours == reopened.last_run("npr").id


def test_incremental_state_is_per_source(store):
    store.save_state("mfr", {"cursor": "2024-01-01"})
    store.save_state("npr", {"cursor": "2025-01-01"})
    store.save_state("mfr", {"cursor": "2024-06-01"})
    assert store.state("mfr") == {"cursor": "2024-06-01"} and store.state("kpr") == {}


def test_a_source_is_never_harvested_twice_at_once(store, settings):
    first = store.try_start_run("mfr")
    assert first is not None
    assert SQLiteStore(settings.db_path).try_start_run("mfr") is None  # another store, same process
    assert store.try_start_run("npr") is not None
    store.finish_run(first, "ok", {})
    assert store.try_start_run("mfr") is not None


def test_the_run_summary_sums_finished_runs_per_source_and_status_with_their_durations(store):
    counts = {"new": 2, "changed": 1, "unchanged": 5, "deleted": 0, "invalid": 1, "errors": 3}
    for status in ("ok", "ok", "failed"):
        store.finish_run(store.start_run("mfr"), status, counts, "boom" if status == "failed" else None)
    store.start_run("npr")  # still running: not in the summary
    store.db.execute(
        "UPDATE runs SET started='2026-01-01T00:00:00+00:00', finished='2026-01-01T00:02:00+00:00' WHERE source='mfr'"
    )
    summary = {(s.source, s.status): s for s in store.run_summary([1, 60, 300])}
    assert set(summary) == {("mfr", "ok"), ("mfr", "failed")}
    ok = summary["mfr", "ok"]
    assert ok.runs == 2 and ok.counts == {k: 2 * v for k, v in counts.items()}
    assert round(ok.seconds) == 240 and ok.within == [0, 0, 2]  # two runs of 120 s
    assert summary["mfr", "failed"].counts["errors"] == 3


# --- the access body's registers (EHDS Art. 58, 60, 78) ----------------------------------------


def test_confirmations_are_kept_per_holder_the_latest_first(store):
    assert store.last_confirmations() == {}
    store.confirm("source:mfr", "harvest", at="2025-01-01T00:00:00+00:00")
    store.confirm("source:mfr", "cli", "brev", at="2026-01-01T00:00:00+00:00")
    store.confirm("publisher:abc", "cli", at="2025-06-01T00:00:00+00:00")
    assert [c["at"][:4] for c in store.confirmations("source:mfr")] == ["2026", "2025"]
    latest = store.last_confirmations()
    assert (latest["source:mfr"]["by"], latest["source:mfr"]["note"]) == ("cli", "brev")
    assert set(latest) == {"source:mfr", "publisher:abc"}


def test_uses_are_replaced_by_key_counted_per_dataset_and_replaced_whole_on_request(store):
    a, b = "https://x/a", "https://x/b"
    assert store.save_uses([("k1", '{"n": 1}', "2025-01-01", [a, b]), ("k2", '{"n": 2}', "2026-01-01", [a])]) == 2
    assert store.use_counts() == {a: 2, b: 1} and store.use_counts([b, "https://x/c"]) == {b: 1}
    assert [(key, links) for key, _data, links in store.uses()] == [("k2", [a]), ("k1", [a, b])]
    store.save_uses([("k1", '{"n": 3}', "2025-01-01", [b])])
    assert store.use_counts() == {a: 1, b: 1} and [d for k, d, _ in store.uses(b)] == ['{"n": 3}']
    store.save_uses([("k3", "{}", "2024-01-01", [b])], replace=True)
    assert [k for k, _d, _l in store.uses()] == ["k3"] and store.use_counts() == {b: 1}


def test_labels_know_what_they_were_assessed_on_and_a_moved_label_moves_its_record(store):
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    uri, before = mfr_dataset().uri, store.get(mfr_dataset().uri)
    assert store.stale_labels("mfr", "inputs-1") == [uri], "no label yet"
    store.save_labels([(uri, before.hash, "inputs-1", "d1", "{}")], moved=[uri])
    assert store.labels([uri]) == {uri: ("d1", "{}")}
    assert store.label_states([uri]) == {uri: (before.hash, "inputs-1", "d1")}
    assert store.stale_labels("mfr", "inputs-1") == []
    assert store.stale_labels("mfr", "inputs-2") == [uri], "its source's inputs changed"
    assert store.get(uri).last_changed > before.last_changed
    put(store, run, mfr_dataset(title={"nb": "Ny"}))
    assert store.stale_labels("mfr", "inputs-1") == [uri], "its record changed"
