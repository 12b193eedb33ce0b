"""The store contract: every backend (SQLite, and PostgreSQL when its binaries are installed) must
pass every test here, through the same interface, with real processes where processes matter.

Backend-specific behaviour stays in tests/test_store.py (SQLite) and is said there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from catalog import migrations
from catalog.config import Settings, SourceConfig
from catalog.model import DataProduct, DataService, Dataset, Record, Variable, content_hash, digest, dumps, key_for
from catalog.pipeline import harvest, reindex
from catalog.rdf import to_graph
from catalog.search import SearchQuery
from catalog.search.tantivy_backend import TantivyBackend
from catalog.store import (
    ELSEWHERE,
    IN_CHUNK,
    TABLES,
    Outline,
    Put,
    ReadOnlyStore,
    RunError,
    SQLiteStore,
    SQLStore,
    StoreReader,
    StoreWriter,
    packed_report,
    store_at,
)
from tests.factories import apgar_codes, mfr_dataset
from tests.processes import wait_for

BACKENDS = ["sqlite", "postgresql"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh, empty store of each backend is."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(url: str) -> Iterator[SQLStore]:
    s = store_at(url)
    yield s
    s.close()


@pytest.fixture
def reader(url: str, store: SQLStore) -> Iterator[StoreReader]:
    r: StoreReader = store_at(url, readonly=True)
    yield r
    r.close()


@pytest.fixture
def settings(tmp_path: Path, url: str) -> Settings:
    """A catalogue home whose store is the backend under test."""
    return Settings.load(tmp_path / "home", database_url=url)


def put(
    store: StoreWriter, run: int, record, url: str = "http://feed", source: str = "mfr", conforms: bool = True
) -> str:
    return store.put(source, run, record, content_hash(record), url, conforms, {"conforms": conforms})


def dataset(uri: str, *variables: str, title: str = "Datasett") -> Dataset:
    return Dataset(
        uri=uri,
        identifier=uri.rsplit("/", 1)[-1],
        title={"nb": title},
        variables=[Variable(uri=f"{uri}/{v}", name=v, title={"nb": v}) for v in variables],
    )


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": url}


HOLD_A_RUN = """
import sys, time
from catalog.store import store_at
store = store_at(sys.argv[1])
print(store.start_run(sys.argv[2]), flush=True)
time.sleep(600)
"""


def hold_a_run(url: str, source: str) -> tuple[subprocess.Popen[str], int]:
    """Another process that starts a run of `source` and keeps it going; and the run's id."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_RUN, url, source], env=env_for(url), stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def eventually(check, seconds: float = 10.0):
    """`check()`'s first truthy answer: a killed process's session ends a moment after it dies."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


# -- records: new, changed, unchanged, deleted, restored, with provenance and history ---------


def test_new_changed_unchanged_and_deleted_are_told_apart(store: SQLStore) -> None:
    run = store.start_run("mfr")
    assert put(store, run, mfr_dataset()) == "new"
    assert put(store, run, mfr_dataset()) == "unchanged"
    assert put(store, run, mfr_dataset(title={"nb": "Ny tittel"})) == "changed"
    assert store.mark_deleted([mfr_dataset().uri], run) == 1
    assert store.mark_deleted([mfr_dataset().uri], run) == 0
    assert put(store, run, mfr_dataset()) == "restored"
    assert [h["change"] for h in store.history(mfr_dataset().uri)] == ["new", "changed", "deleted", "restored"]


def test_a_record_another_source_holds_stays_with_it(store: SQLStore) -> None:
    """Two sources giving one URI (a registry's list published with another's base_url, copied):
    the second took the record over, then each harvest took it back, and removing the second
    source deleted the first one's dataset. A live record stays with the source that has it; the
    other is told so (`ELSEWHERE`), unless it says the same (a code list both publish). Once the
    first no longer has it, the other may take it."""
    first, second = store.start_run("hjerte"), store.start_run("kopi")
    assert put(store, first, mfr_dataset(), source="hjerte") == "new"
    assert put(store, second, mfr_dataset(title={"nb": "Kopi"}), source="kopi") == ELSEWHERE
    assert put(store, second, mfr_dataset(), source="kopi") == "unchanged"  # the same: nothing to tell
    held = store.get(mfr_dataset().uri)
    assert held is not None and held.source == "hjerte" and held.record.title == mfr_dataset().title
    assert list(store.known("kopi")) == []
    store.mark_deleted([mfr_dataset().uri], first)
    assert put(store, second, mfr_dataset(title={"nb": "Kopi"}), source="kopi") == "restored"
    assert store.get(mfr_dataset().uri).source == "kopi"


@pytest.fixture
def other_url(request: pytest.FixtureRequest, url: str, tmp_path: Path) -> str:
    """A second fresh store of the backend under test."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    schema = server.new_schema()
    request.addfinalizer(lambda: server.execute(f"DROP SCHEMA {schema} CASCADE"))
    return str(server.url(schema=schema))


TIMES = {"started", "finished", "owner", "first_seen", "last_changed", "last_seen", "deleted_at", "at"}


def rows_without_times(store: SQLStore) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in key order, each time (and run owner) only as set or not."""
    out = {}
    for table, key in TABLES:
        columns = store._columns(table)
        out[table] = [
            tuple((value is not None) if column in TIMES else value for column, value in zip(columns, row, strict=True))
            for row in store._tuples(f"SELECT * FROM {table} ORDER BY {key}")
        ]
    return out


def test_a_batch_written_at_once_leaves_the_rows_of_its_records_written_one_by_one(
    store: SQLStore, other_url: str
) -> None:
    """`put_many` (the pipeline's writes) against `put` and `save_renderings` in turn: new, changed,
    unchanged, deleted and restored records of every kind, a variable moving from one dataset to
    another within a batch, links that change, and a record given twice in one batch."""
    one_by_one, batched = store, store_at(other_url)
    a, b = dataset("https://x.example/a", "x", "y"), dataset("https://x.example/b", "z", "q")
    moved = Variable(uri=f"{b.uri}/z", name="z", title={"nb": "flyttet"})
    c = Dataset(uri="https://x.example/c", identifier="c", title={"nb": "C"}, variables=[moved])
    a2 = dataset(a.uri, "y", "w", title="Endret")
    a3 = dataset(a.uri, "w", "v", title="Igjen")
    b2 = dataset(b.uri, "q")
    s1, s2 = platform("https://svc.example/1", [a.uri, b.uri]), platform("https://svc.example/1", [c.uri], ["mfr"])
    product = DataProduct(uri="https://shop.example/p", identifier="p", derived_from=[b.uri])
    steps: list[tuple[list[Record], list[str]]] = [  # (records written, then URIs deleted)
        ([a, b, apgar_codes(), s1, product], []),
        ([a, c, b2, s2], []),  # a unchanged; c takes b's variable z as b leaves it
        ([a2, a3, apgar_codes()], []),  # a twice in one batch: written in turn
        ([], [a.uri, s1.uri]),
        ([a, s1, b], []),  # restored; b and s1 changed back
    ]
    for backend in (one_by_one, batched):
        for records, deleted in steps:
            run = backend.start_run("mfr")
            renderings = [
                {"dcat-ap-3": (f"s{i}", f"<{r.uri}> {i}".encode()), "*": ("t", b"")} for i, r in enumerate(records)
            ]
            if backend is one_by_one:
                changes = []
                for r, rendered in zip(records, renderings, strict=True):
                    changes.append(put(backend, run, r))
                    if changes[-1] != "unchanged":
                        backend.save_renderings(r.uri, rendered)
            else:
                puts = [
                    Put(r, content_hash(r), "http://feed", True, {"conforms": True}, renderings=rendered)
                    for r, rendered in zip(records, renderings, strict=True)
                ]
                changes = backend.put_many("mfr", run, puts)
            assert len(changes) == len(records)
            assert backend.mark_deleted(deleted, run) == len(deleted)
            backend.finish_run(run, "ok", {})
    written = rows_without_times(one_by_one)
    assert written["variables"] and written["variable_history"] and written["links"] and written["renderings"]
    assert rows_without_times(batched) == written
    holder = batched.dataset_of_variable(key_for(moved.uri))
    assert holder is not None and holder.uri == b.uri  # b took z back last
    assert batched.put_many("mfr", run, []) == []
    batched.close()


def test_reads_of_many_records_at_once_answer_past_one_query_of_values(store: SQLStore) -> None:
    """Reads by a list of URIs or keys ask `IN_CHUNK` values a query: more than that many come
    back whole (labels, renderings, a batch's stored records, datasets of variables)."""
    many = 2 * IN_CHUNK + 1
    records = [
        Dataset(
            uri=f"https://x.example/d{i}",
            identifier=f"d{i}",
            variables=[Variable(uri=f"https://x.example/d{i}/v", name="v")],
        )
        for i in range(many)
    ]
    uris = [r.uri for r in records]
    run = store.start_run("mfr")
    puts = [Put(r, content_hash(r), None, True, None, renderings={"dcat-ap-3": ("s", r.uri.encode())}) for r in records]
    assert store.put_many("mfr", run, puts) == ["new"] * many
    assert store.put_many("mfr", run, puts) == ["unchanged"] * many  # each found stored
    rendered = store.renderings(uris, "dcat-ap-3")
    assert sorted(rendered) == sorted(uris) and rendered[uris[-1]] == ("s", uris[-1].encode())
    store.save_labels([(uri, "h", "i", f"g{n}", "{}") for n, uri in enumerate(uris)])
    assert store.label_states(uris) == {uri: ("h", "i", f"g{n}") for n, uri in enumerate(uris)}
    assert store.labels(uris) == {uri: (f"g{n}", "{}") for n, uri in enumerate(uris)}
    assert store.datasets_of_variables([key_for(f"{uri}/v") for uri in uris]) == {
        key_for(f"{uri}/v"): uri for uri in uris
    }


def test_json_given_as_utf8_bytes_is_stored_as_the_same_text(store: SQLStore) -> None:
    """What `catalog.prepare` sends: a record's canonical JSON as UTF-8, its validation packed."""
    run = store.start_run("mfr")
    for title in ("Fødsler – «alle» 🍼", "Endret – ø"):  # new, then changed
        record = mfr_dataset(title={"nb": title})
        data, validation = dumps(record), json.dumps({"conforms": False, "note": f"bør {title}"}, ensure_ascii=False)
        put_bytes = Put(Outline.of(record), digest(data), None, False, packed_report(validation), data.encode())
        assert store.put_many("mfr", run, [put_bytes]) == ["new" if title.startswith("F") else "changed"]
        stored = store.get(record.uri)
        assert stored is not None and stored.data == data and stored.validation_json == validation
        assert stored.record == record and store.mentioning("https://data.fhi.no/org/fhi") == stored
        assert store._tuples("SELECT data, validation FROM records") == [(data, packed_report(validation))]
        if isinstance(store, SQLiteStore):  # the JSON as text, as a str gives; the report as bytes
            assert store._tuples("SELECT typeof(data), typeof(validation) FROM records") == [("text", "blob")]


REPORT = {
    "conforms": False,
    "findings": [
        {"severity": "Warning", "focus": f"urn:v{n}", "message": "Variabelen bør ha tittel | The variable should"}
        for n in range(40)
    ],
}


@pytest.mark.parametrize(
    "given",
    [
        REPORT,
        json.dumps(REPORT, ensure_ascii=False),
        json.dumps(REPORT, ensure_ascii=False).encode(),
        packed_report(REPORT),
    ],
    ids=["dict", "json", "utf-8", "packed"],
)
def test_a_validation_report_is_kept_packed_however_it_is_given(store: SQLStore, given: Any) -> None:
    """A dataset's report repeats each finding's texts for every variable: it is kept compressed,
    and reads back as it was, from the record and from the source's reports alike."""
    run = store.start_run("mfr")
    record = mfr_dataset()
    store.put_many("mfr", run, [Put(record, content_hash(record), None, False, given)])
    [(kept,)] = store._tuples("SELECT validation FROM records")
    assert bytes(kept) == packed_report(REPORT) and len(kept) * 10 < len(json.dumps(REPORT))
    stored = store.get(record.uri)
    assert stored is not None and stored.validation == REPORT and list(store.validations("mfr")) == [REPORT]
    store.revalidated(record.uri, True, {**REPORT, "conforms": True}, changed=False)
    assert store._tuples("SELECT validation FROM records")[0][0][:1] == b"x"  # revalidated: packed too
    assert list(store.validations("mfr")) == [{**REPORT, "conforms": True}]


def test_a_damaged_stored_report_is_named_as_such_when_read(store: SQLStore) -> None:
    record = mfr_dataset()
    put(store, store.start_run("mfr"), record)
    with store.transaction():
        store._execute("UPDATE records SET validation=?", (b"x\x01not zlib",))
    stored = store.get(record.uri)
    assert stored is not None and stored.record == record  # the record itself reads
    with pytest.raises(ValueError, match="stored validation report is damaged"):
        _ = stored.validation


def test_a_report_kept_as_text_by_an_earlier_version_reads_alike_and_is_copied_packed(
    store: SQLStore, url: str, tmp_path: Path
) -> None:
    """Stores written before reports were packed hold them as JSON text: PostgreSQL's migration 3
    keeps that text as its UTF-8, SQLite as it is; either reads as before, and import-store packs it."""
    record, text = mfr_dataset(), json.dumps(REPORT, ensure_ascii=False)
    put(store, store.start_run("mfr"), record)
    if url.startswith("postgresql"):  # back to version 2, with the report as its text, then opened again
        with store.transaction():
            store._execute("UPDATE records SET validation=NULL")
            store._execute("ALTER TABLE records ALTER COLUMN validation TYPE text")
            store._execute("UPDATE records SET validation=?", (text,))
            store._execute("ALTER TABLE records DROP COLUMN referenced")  # and before step 4
            store._execute("DELETE FROM schema_version WHERE version >= 3")
        store = store_at(url)
        assert store.schema_version() == migrations.POSTGRES[-1].version
    else:
        with store.transaction():
            store._execute("UPDATE records SET validation=?", (text,))
    stored = store.get(record.uri)
    assert stored is not None and stored.validation == REPORT and list(store.validations("mfr")) == [REPORT]
    copy = SQLiteStore(tmp_path / "copy.sqlite")
    store.copy_into(copy)
    assert copy._tuples("SELECT validation FROM records") == [(packed_report(text),)]
    assert list(copy.validations("mfr")) == [REPORT]


def test_deleted_records_are_kept_but_not_listed_as_live(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    store.mark_deleted([mfr_dataset().uri], run)
    assert list(store.records()) == []
    assert [r.uri for r in store.records(include_deleted=True)] == [mfr_dataset().uri]
    assert store.known("mfr") == {}
    assert store.count() == 0


def test_a_record_is_kept_exactly_as_its_canonical_json(store: SQLStore) -> None:
    run = store.start_run("mfr")
    record = mfr_dataset(title={"nb": "Fødsler – «alle» 🍼", "en": "Births"})
    put(store, run, record)
    stored = store.get(record.uri)
    assert stored is not None and stored.record == record and stored.hash == content_hash(record)
    assert store.get_by_key(key_for(record.uri)) == stored


def test_provenance_is_kept_with_each_record(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset(), url="http://127.0.0.1/mfr/catalog.ttl")
    stored = store.get(mfr_dataset().uri)
    assert stored is not None
    assert (stored.source, stored.run_id, stored.fetch_url, stored.conforms) == (
        "mfr",
        run,
        "http://127.0.0.1/mfr/catalog.ttl",
        True,
    )
    assert stored.first_seen == stored.last_changed and stored.record == mfr_dataset()
    assert stored.validation == {"conforms": True}


def test_a_variable_is_read_with_its_dataset_without_the_other_variables(store: SQLStore, reader: StoreReader) -> None:
    """One variable's page, comparison or RDF reads its dataset with that variable alone: a
    registry's 100,000 variables were all decoded for one."""
    d = mfr_dataset(
        variables=[*mfr_dataset().variables, Variable(uri='https://data.fhi.no/mfr/variabel/«æ» \\ "x"', name="ODD")]
    )
    run = store.start_run("mfr")
    put(store, run, d)
    for v in d.variables:
        stored = reader.dataset_with_variable(key_for(v.uri))
        assert stored is not None and (stored.uri, stored.key, stored.source, stored.run_id) == (
            d.uri,
            key_for(d.uri),
            "mfr",
            run,
        )
        assert stored.dataset() == replace(d, variables=[v]) and stored.hash == content_hash(d)
    assert reader.dataset_with_variable("0" * 16) is None and reader.dataset_with_variable(key_for(d.uri)) is None
    store.mark_deleted([d.uri], run)  # a deleted dataset's variable is read, and says so
    gone = reader.dataset_with_variable(key_for(d.variables[0].uri))
    assert gone is not None and gone.deleted_at and gone.dataset().variables == d.variables[:1]


def test_some_variables_are_read_with_their_dataset_without_the_others(store: SQLStore, reader: StoreReader) -> None:
    """The basket and its exports read each dataset with its chosen variables alone, in the
    dataset's order: a few variables of a registry's 100,000 had every one decoded."""
    odd = Variable(uri='https://data.fhi.no/mfr/variabel/«æ» \\ "x"', name="ODD")
    d = mfr_dataset(variables=[*mfr_dataset().variables, odd])
    other = mfr_dataset(uri="https://data.fhi.no/mfr/dataset/andre", variables=[Variable(uri=f"{d.uri}/Z", name="Z")])
    run = store.start_run("mfr")
    put(store, run, d)
    put(store, run, other)
    put(store, run, apgar_codes())
    first, second = d.variables[0], d.variables[1]
    for asked, chosen in (
        ([key_for(odd.uri), key_for(first.uri)], [first, odd]),  # the dataset's order, not the question's
        ([key_for(second.uri), key_for(second.uri)], [second]),
        ([key_for(v.uri) for v in reversed(d.variables)], d.variables),
        ([key_for(other.variables[0].uri), "0" * 16, key_for(second.uri)], [second]),  # another's, or none's: left out
        ([], []),
    ):
        stored = reader.dataset_with_variables(key_for(d.uri), iter(asked))
        assert stored is not None and (stored.uri, stored.key, stored.source, stored.run_id, stored.hash) == (
            d.uri,
            key_for(d.uri),
            "mfr",
            run,
            content_hash(d),
        )
        assert stored.dataset() == replace(d, variables=chosen), asked
    assert reader.dataset_with_variables("0" * 16, [key_for(first.uri)]) is None
    assert reader.dataset_with_variables(key_for(apgar_codes().uri), [key_for(first.uri)]) is None  # not a dataset
    many = [key_for(f"{d.uri}/{i}") for i in range(1200)]  # more than one IN (...) of SQLite binds
    assert reader.dataset_with_variables(key_for(d.uri), [*many, key_for(odd.uri)]).dataset().variables == [odd]
    store.mark_deleted([d.uri], run)  # a deleted dataset is read, and says so
    gone = reader.dataset_with_variables(key_for(d.uri), [key_for(second.uri)])
    assert gone is not None and gone.deleted_at and gone.dataset().variables == [second]


def test_a_records_title_is_read_alone(store: SQLStore, reader: StoreReader) -> None:
    """The search page's chip of a dataset filter says the dataset's title (read alone: the whole
    record of a registry's 100,000 variables took 1.5 s to decode)."""
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    put(store, run, apgar_codes())
    assert reader.title(key_for(mfr_dataset().uri)) == mfr_dataset().title
    assert reader.title(key_for(apgar_codes().uri)) == {"nb": "Apgar-skår", "en": "Apgar score"}
    assert reader.title("0" * 16) is None
    untitled = mfr_dataset(uri="https://data.fhi.no/mfr/dataset/uten-tittel", title={})
    put(store, run, untitled)
    assert reader.title(key_for(untitled.uri)) is None


def test_a_variable_leads_to_its_dataset(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    stored = store.dataset_of_variable(key_for(mfr_dataset().variables[0].uri))
    assert stored is not None and stored.uri == mfr_dataset().uri
    assert store.dataset_of_variable("0" * 16) is None
    keys = [key_for(v.uri) for v in mfr_dataset().variables]
    assert store.datasets_of_variables([*keys, "0" * 16]) == dict.fromkeys(keys, mfr_dataset().uri)


def test_records_are_listed_in_the_byte_order_of_their_uris(store: SQLStore) -> None:
    """Feeds and exports page in URI order, which must not depend on the server's locale."""
    uris = [f"https://x.example/{name}" for name in ("b", "B", "a", "Z", "å", "æ", "Å", "z-1", "z_1", "z1", "ø")]
    run = store.start_run("mfr")
    for uri in uris:
        put(store, run, dataset(uri))
    expected = sorted(uris, key=lambda u: u.encode())
    assert [r.uri for r in store.records()] == expected
    total, page = store.listing(offset=3, limit=4)
    assert total == len(uris) and [r.uri for r in page] == expected[3:7]


def test_counts_per_source_and_kind(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    put(store, run, apgar_codes())
    other = store.start_run("npr")
    put(store, other, dataset("https://npr.example/ds", "A", "B", "C"), source="npr")
    assert store.count() == 3 and store.count("dataset") == 2 and store.count("codelist") == 1
    put(store, other, DataService(uri="https://npr.example/tjeneste", identifier="t"), source="npr")
    stats = store.source_stats()
    assert stats["mfr"] == {
        "dataset": 1,
        "codelist": 1,
        "variable": len(mfr_dataset().variables),
        "records": 2,
        "conforming": 2,
    }
    # a service is a record too: the share conforming is of every kind's (it was 2 of 1)
    assert stats["npr"] == {"dataset": 1, "codelist": 0, "variable": 3, "service": 1, "records": 2, "conforming": 2}
    assert list(store.validations("npr")) == [{"conforms": True}] * 2
    assert store.conformance("mfr") == (2, 0) and store.conformance("nobody") == (0, 0)


def test_conformance_counts_the_live_records_that_do_not_conform_whichever_run_stored_them(store: SQLStore) -> None:
    first = store.start_run("mfr")
    put(store, first, mfr_dataset(), conforms=False)
    put(store, first, apgar_codes())
    put(store, first, dataset("https://mfr.example/gone", "A"), conforms=False)
    store.finish_run(first, "ok", {"new": 3, "invalid": 2})
    later = store.start_run("mfr")
    store.mark_deleted(["https://mfr.example/gone"], later)
    store.finish_run(later, "ok", {"unchanged": 2, "deleted": 1})
    assert store.conformance("mfr") == (2, 1)
    assert {r.uri for r in store.records(source="mfr", kind="codelist")} == {apgar_codes().uri}


def test_a_record_mentioning_a_uri_is_found(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    found = store.mentioning("https://data.fhi.no/org/fhi")
    assert found is not None and found.uri == mfr_dataset().uri
    assert store.mentioning("https://nowhere.example/") is None


def test_the_version_moves_with_every_change_and_never_with_an_unchanged_record(store: SQLStore) -> None:
    assert store.version() is None
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    first = store.version()
    put(store, run, mfr_dataset())
    assert store.version() == first
    put(store, run, mfr_dataset(title={"nb": "Ny"}))
    changed = store.version()
    assert changed is not None and first is not None and changed > first
    store.mark_deleted([mfr_dataset().uri], run)
    deleted = store.version()
    assert deleted is not None and deleted > changed


def test_a_record_validated_again_moves_its_last_change_only_when_its_feed_view_changed(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    before = store.version()
    store.revalidated(mfr_dataset().uri, False, {"conforms": False, "view": "v2"}, changed=False)
    stored = store.get(mfr_dataset().uri)
    assert stored is not None and stored.conforms is False and stored.validation == {"conforms": False, "view": "v2"}
    assert store.version() == before
    store.revalidated(mfr_dataset().uri, True, {"conforms": True, "view": "v3"}, changed=True)
    after = store.version()
    assert after is not None and before is not None and after > before
    assert [h["change"] for h in store.history(mfr_dataset().uri)] == ["new"]  # the record is as its source said


def test_changes_are_listed_after_a_cursor_oldest_first(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, dataset("https://x.example/a", "V1", "V2"))
    cursor = store.version()
    assert cursor is not None
    put(store, run, dataset("https://x.example/a", "V1", "V3"))
    put(store, run, apgar_codes())
    store.mark_deleted(["https://x.example/a"], run)
    assert [(c["uri"], c["change"]) for c in store.changes_since(cursor)] == [
        ("https://x.example/a", "changed"),
        (apgar_codes().uri, "new"),
        ("https://x.example/a", "deleted"),
    ]
    assert [(c["uri"].rsplit("/", 1)[-1], c["change"]) for c in store.variable_changes_since(cursor)] == [
        ("V3", "new"),
        ("V2", "deleted"),
        ("V1", "deleted"),  # the dataset's deletion: its variables in URI order
        ("V3", "deleted"),
    ]
    assert len(store.changes_since("", limit=2)) == 2
    assert [(c["uri"], c["change"]) for c in store.changes_since(cursor, limit=2, newest=True)] == [
        ("https://x.example/a", "deleted"),
        (apgar_codes().uri, "new"),
    ]
    assert [c["uri"].rsplit("/", 1)[-1] for c in store.variable_changes_since(cursor, 2, newest=True)] == ["V3", "V1"]


def test_a_source_was_last_harvested_when_its_last_good_run_finished(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    store.finish_run(run, "ok", {"new": 1})
    finished = store.last_harvest("mfr")
    failed = store.start_run("mfr")
    store.finish_run(failed, "failed", {}, "the feed was gone")
    assert store.last_harvest("mfr") == finished and finished is not None
    assert store.last_harvest("mfr", before=finished) is None
    assert store.last_harvest("npr") is None


# -- runs, errors, state, renderings ---------------------------------------------------------


def test_a_run_keeps_its_counts_and_every_error(store: SQLStore) -> None:
    run = store.start_run("mfr")
    errors = [
        RunError(run, "mfr", "http://feed/1", "rec-1", "title", "Tittel mangler | Title missing"),
        RunError(run, "mfr", None, "bad\x00id", None, "a NUL from hostile input: \x00"),
    ]
    store.add_errors(run, "mfr", errors)
    store.finish_run(run, "failed", {"new": 0, "errors": 2}, "the source failed")
    last = store.last_run("mfr")
    assert last is not None
    assert (last.id, last.status, last.counts, last.error) == (
        run,
        "failed",
        {"new": 0, "errors": 2},
        "the source failed",
    )
    assert last.finished is not None and last.started <= last.finished
    assert store.run(run) == last and store.run(run + 1) is None  # by its number, as its URI names it
    assert store.errors(run)[0] == errors[0]
    assert (store.errors(run)[1].record_id, store.errors(run)[1].message) == (
        "bad\ufffdid",
        "a NUL from hostile input: \ufffd",
    )
    assert store.last_finished_run("mfr") == last
    assert [r.id for r in store.runs()] == [run] and store.runs("npr") == []


def test_the_run_summary_sums_finished_runs_per_source_and_status_with_their_durations(store: SQLStore) -> None:
    counts = {"new": 2, "changed": 1, "unchanged": 5, "deleted": 0, "invalid": 1, "errors": 3}
    for status in ("ok", "ok", "failed"):
        store.finish_run(store.start_run("mfr"), status, counts, "boom" if status == "failed" else None)
    store.start_run("npr")  # still running: not in the summary
    with store.transaction():
        store._execute(
            "UPDATE runs SET started='2026-01-01T00:00:00+00:00', finished='2026-01-01T00:02:00+00:00' "
            "WHERE source='mfr'"
        )
    summary = {(s.source, s.status): s for s in store.run_summary([1, 60, 300])}
    assert set(summary) == {("mfr", "ok"), ("mfr", "failed")}
    ok = summary["mfr", "ok"]
    assert ok.runs == 2 and ok.counts == {k: 2 * v for k, v in counts.items()}
    assert round(ok.seconds) == 240 and ok.within == [0, 0, 2]  # two runs of 120 s
    assert summary["mfr", "failed"].counts["errors"] == 3


def test_incremental_state_is_per_source(store: SQLStore) -> None:
    store.save_state("mfr", {"cursor": "2024-01-01"})
    store.save_state("npr", {"cursor": "2025-01-01"})
    store.save_state("mfr", {"cursor": "2024-06-01"})
    assert store.state("mfr") == {"cursor": "2024-06-01"} and store.state("kpr") == {}


def test_what_the_feeds_are_made_from_is_recorded_once_with_the_time_a_writer_first_saw_it(
    store: SQLStore, reader: StoreReader
) -> None:
    """The feeds' Last-Modified reads it (`catalog.feeds.validators`), on every explorer: the time is
    the store's clock, which stamps the records' changes, so it compares with the store's version."""
    assert reader.output_seen() is None
    run = store.start_run("mfr")
    put(store, run, dataset("https://x.example/a"))
    first = store.saw_output("digest-1")
    assert first >= str(store.version())
    assert store.saw_output("digest-1") == first  # seen again (every scheduler tick): kept as it was
    assert reader.output_seen() == ("digest-1", first)
    time.sleep(0.01)
    second = store.saw_output("digest-2")
    assert second > first and reader.output_seen() == ("digest-2", second)
    back = store.saw_output("digest-1")  # a setting set back: its bytes are new again to those who hold the others
    assert back > second and reader.output_seen() == ("digest-1", back)
    assert store.state("mfr") == {} and reader.state("mfr") == {}  # no source's checkpoint
    with pytest.raises(ReadOnlyStore):
        reader.saw_output("digest-3")  # type: ignore[attr-defined]


def test_renderings_are_kept_per_profile_and_read_with_or_without_bodies(store: SQLStore) -> None:
    a, b, c = (f"https://x.example/{n}" for n in "abc")
    store.save_renderings(a, {"dcat-ap-3": ("s1", b"\x00\x01zlib"), "healthdcat-ap": ("s2", b"ehds")})
    store.save_renderings(a, {"dcat-ap-3": ("s3", b"new")})
    store.save_renderings(b, {"*": ("s4", b"every profile")})  # a code list: the same in every profile
    assert store.renderings([a, b, c], "dcat-ap-3") == {a: ("s3", b"new"), b: ("s4", b"every profile")}
    assert store.renderings([a, b], "healthdcat-ap", bodies=False) == {a: ("s2", b""), b: ("s4", b"")}
    assert store.renderings([a], "dcat-ap-no") == {}


def test_a_feed_page_keeps_records_of_checked_kinds_only_when_they_conform(store: SQLStore) -> None:
    run = store.start_run("mfr")
    good, bad = dataset("https://x.example/good"), dataset("https://x.example/bad")
    put(store, run, good)
    store.put("mfr", run, bad, content_hash(bad), None, False, None)
    store.put("mfr", run, apgar_codes(), content_hash(apgar_codes()), None, False, None)
    assert [r.uri for r in store.listing()[1]] == sorted([good.uri, bad.uri, apgar_codes().uri])
    total, page = store.listing(conforming_kinds=("dataset",))
    assert total == 2 and [r.uri for r in page] == sorted([good.uri, apgar_codes().uri])
    assert [r.uri for r in store.listing(conforming_kinds=("dataset", "codelist"))[1]] == [good.uri]


def coded(uri: str, *codelists: str) -> Dataset:
    """A dataset with one variable coded by each of `codelists`."""
    d = dataset(uri, *(f"V{i}" for i in range(len(codelists))))
    for variable, codelist in zip(d.variables, codelists, strict=True):
        variable.codelist = codelist
    return d


def test_a_code_list_is_listed_for_the_ehds_feed_only_while_a_live_conforming_dataset_uses_it(store: SQLStore) -> None:
    run = store.start_run("mfr")
    used, unused = apgar_codes(), replace(apgar_codes(), uri="https://x.example/ubrukt", identifier="ubrukt")
    good, bad = coded("https://x.example/good", used.uri, used.uri), coded("https://x.example/bad", unused.uri)
    for record in (used, unused, good):
        put(store, run, record)
    put(store, run, bad, conforms=False)
    total, page = store.listing(conforming_kinds=("dataset",), referenced_kinds=("codelist",))
    assert total == 2 and [r.uri for r in page] == sorted([good.uri, used.uri])
    streamed = store.records(conforming_kinds=("dataset",), referenced_kinds=("codelist",))
    assert [r.uri for r in streamed] == sorted([good.uri, used.uri])
    assert [(r.uri, r.referenced) for r in store.records(kind="codelist")] == [(used.uri, True), (unused.uri, False)]
    assert store.get(good.uri).referenced is None, "said of code lists only"
    assert [r.uri for r in store.listing()[1]] == sorted([good.uri, bad.uri, used.uri, unused.uri])


def test_a_code_list_changes_for_feed_followers_when_the_datasets_using_it_come_and_go(store: SQLStore) -> None:
    """Its own record unchanged, a code list enters or leaves the EHDS feed with the datasets using
    it: its last change moves then (as `touch`), and only then."""
    run = store.start_run("mfr")
    codes = apgar_codes()
    put(store, run, codes)

    def moved(write) -> bool:
        before = store.get(codes.uri).last_changed
        write()
        return store.get(codes.uri).last_changed > before

    first, second = coded("https://x.example/1", codes.uri), coded("https://x.example/2", codes.uri)
    assert moved(lambda: put(store, run, first))  # now used
    assert not moved(lambda: put(store, run, second))  # used already
    assert not moved(lambda: store.mark_deleted([first.uri], run))  # still used by the second
    assert moved(lambda: store.revalidated(second.uri, False, {"conforms": False}, changed=True))  # used by none
    assert moved(lambda: store.revalidated(second.uri, True, {"conforms": True}, changed=True))
    assert moved(lambda: put(store, run, replace(second, variables=[])))  # it stopped using it
    assert store.get(codes.uri).referenced is False and store.get(codes.uri).deleted_at is None
    assert [c["uri"] for c in store.changes_since("")].count(codes.uri) == 1, "its own history is unchanged"


def test_the_migration_to_code_list_links_makes_them_from_the_datasets_stored(store: SQLStore) -> None:
    run = store.start_run("mfr")
    put(store, run, apgar_codes())
    put(store, run, coded("https://x.example/1", apgar_codes().uri, apgar_codes().uri))
    put(store, run, dataset("https://x.example/2", "V0"))
    with store.transaction():  # as a store of the release before: no such links, no such column
        store._execute("DELETE FROM links")
        store._execute("ALTER TABLE records DROP COLUMN referenced")
    steps = migrations.SQLITE if isinstance(store, SQLiteStore) else migrations.POSTGRES
    [step] = [s for s in steps if s.version == 4]
    with store.transaction():
        for statement in step.statements():
            store._execute(statement)
    assert store._tuples("SELECT from_uri, relation, target, target_kind FROM links") == [
        ("https://x.example/1", "codelist", apgar_codes().uri, "codelist")
    ]
    assert store.get(apgar_codes().uri).referenced is True


# -- links between records: services and products name datasets (or whole sources) ------------


def platform(uri: str, datasets: list[str], sources: list[str] = []) -> DataService:  # noqa: B006
    return DataService(uri=uri, identifier=uri[-1], title={"nb": uri}, serves_datasets=datasets, serves_sources=sources)


def test_services_and_products_lead_to_their_datasets_and_back(store: SQLStore, reader: StoreReader) -> None:
    run = store.start_run("mfr")
    a, b, c = (dataset(f"https://x.example/{n}") for n in "abc")
    for d in (a, b):
        put(store, run, d)
    put(store, run, c, source="npr")
    s1 = platform("https://svc.example/1", [a.uri, a.uri, "https://elsewhere/unknown"])  # named twice: one link
    s2 = platform("https://svc.example/2", [], sources=["mfr"])
    product = DataProduct(uri="https://shop.example/p", identifier="p", derived_from=[b.uri, c.uri])
    for record in (s1, s2, product):
        put(store, run, record, source="market")
    assert [s.uri for s in reader.linking(a.uri, "mfr", "serves")] == [s1.uri, s2.uri]
    assert [s.uri for s in reader.linking(c.uri, "npr", "serves")] == []
    assert [p.uri for p in reader.linking(c.uri, "npr", "derived_from")] == [product.uri]
    assert [d.uri for d in reader.linked(s1.uri, "serves")] == [a.uri]  # unknown datasets are left out
    assert [d.uri for d in reader.linked(s2.uri, "serves")] == [a.uri, b.uri]  # every dataset of mfr
    assert [d.uri for d in reader.linked(product.uri, "derived_from")] == [b.uri, c.uri]
    assert reader.link_targets([s1.uri, s2.uri]) == ({a.uri, "https://elsewhere/unknown"}, {"mfr"})

    later = store.start_run("market")
    put(store, later, platform(s1.uri, [b.uri]), source="market")  # links follow the record
    store.mark_deleted([s2.uri], later)
    assert [d.uri for d in reader.linked(s1.uri, "serves")] == [b.uri]
    assert [s.uri for s in reader.linking(a.uri, "mfr", "serves")] == []  # a deleted service links nothing
    assert [r.uri for r in reader.changed_in_runs([later], "service")] == [s1.uri, s2.uri]
    assert reader.changed_in_runs([later], "dataset") == [] and reader.changed_in_runs([], "service") == []
    assert [r.uri for r in reader.changed_in_runs([run, later], "product")] == [product.uri]


# -- counts: the raw ones on the write side only, their published view for everyone ------------


def test_counts_are_kept_with_their_published_view_and_published_again(store: SQLStore, reader: StoreReader) -> None:
    a, b = "https://x.example/a", "https://x.example/b"
    store.save_counts(b, "mfr", '{"raw": 3}', "h-b", '{"shown": "<5"}', "policy-1")
    store.save_counts(a, "npr", '{"raw": 1}', "h-a", '{"shown": "<5"}', "policy-1")
    store.save_counts(b, "mfr", '{"raw": 30}', "h-b2", '{"shown": 30}', "policy-1")  # replaced whole
    assert store.counts_hashes("mfr") == {b: "h-b2"} and store.counts_hashes("kpr") == {}
    assert list(store.raw_counts()) == [(a, "npr", '{"raw": 1}', "policy-1"), (b, "mfr", '{"raw": 30}', "policy-1")]
    assert reader.published_counts(b) == '{"shown": 30}' and reader.published_counts("https://none") is None
    for uri, _source, _raw, _stamp in store.raw_counts():  # as catalog.disclosure.refresh does
        store.save_published_counts(uri, '{"shown": "again"}', "policy-2")
    assert [stamp for *_, stamp in store.raw_counts()] == ["policy-2", "policy-2"]
    assert reader.published_counts(a) == '{"shown": "again"}'
    store.drop_counts(a)
    assert reader.published_counts(a) is None and [row[0] for row in store.raw_counts()] == [b]


def test_one_variables_published_table_is_read_without_the_others(store: SQLStore, reader: StoreReader) -> None:
    """A variable's page needs its own table of its dataset's published counts: the store picks
    it out, as it was written (the last of two for one variable, as `published_tables` keeps it)."""
    d, v = "https://x.example/d", "https://x.example/d/v"
    tables: list[dict[str, Any]] = [
        {"counts": [{"code": "1", "count": 10, "missing": False}], "total": 10, "variable": "https://x.example/d/u"},
        {"counts": [{"code": "æ", "count": None, "missing": False}], "total": None, "variable": v},
        {"counts": [], "total": 0, "variable": v},
    ]
    store.save_counts(d, "mfr", "{}", "h", json.dumps([7, *tables], ensure_ascii=False), "p")
    assert json.loads(reader.published_table(d, v) or "null") == tables[2]
    assert json.loads(reader.published_table(d, tables[0]["variable"]) or "null") == tables[0]
    compact = json.dumps(tables[:2], ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # as published
    store.save_counts(d, "mfr", "{}", "h", compact, "p")
    assert json.loads(reader.published_table(d, v) or "null") == tables[1]
    assert reader.published_table(d, "https://x.example/d/none") is None
    assert reader.published_table("https://x.example/none", v) is None
    for other in ('{"shown": 30}', "", "[]", '{"variable": "https://x.example/d/v"}'):  # no list of tables
        store.save_counts(d, "mfr", "{}", "h", other, "p")
        assert reader.published_table(d, v) is None, other


def test_raw_counts_and_every_write_are_on_the_write_side_only() -> None:
    """The read side (the web) cannot name raw counts or their digests, nor any write: mypy holds
    every caller to it; and every public method of the store is on one side or the other."""
    read, write = _members(StoreReader), _members(StoreWriter)
    assert {"raw_counts", "counts_hashes"} <= write - read
    writes = {"confirm", "save_uses", "save_labels", "touch", "save_counts", "drop_counts", "save_published_counts"}
    assert writes <= write - read
    public = {name for name in dir(SQLStore) if not name.startswith("_") and not name.isupper()} - {"copy_into"}
    assert public - write == set(), "a store method on neither side: add it to StoreReader or StoreWriter"


def _members(protocol: type) -> set[str]:
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls.__module__ == "catalog.store":  # its methods, and its attributes (declared, not assigned)
            names |= {n for n in [*vars(cls), *vars(cls).get("__annotations__", {})] if not n.startswith("_")}
    return names


# -- the access body's registers (EHDS Art. 58, 60, 78) -----------------------------------------


def test_confirmations_are_kept_per_holder_the_latest_first(store: SQLStore, reader: StoreReader) -> None:
    assert reader.last_confirmations() == {} and reader.confirmations() == []
    store.confirm("source:mfr", "harvest", at="2025-01-01T00:00:00+00:00")
    store.confirm("source:mfr", "cli", "brev", at="2026-01-01T00:00:00+00:00")
    store.confirm("publisher:abc", "cli", at="2025-06-01T00:00:00+00:00")
    assert [c["at"][:4] for c in reader.confirmations("source:mfr")] == ["2026", "2025"]
    assert [c["holder"] for c in reader.confirmations(limit=2)] == ["source:mfr", "publisher:abc"]
    latest = reader.last_confirmations()
    assert (latest["source:mfr"]["by"], latest["source:mfr"]["note"]) == ("cli", "brev")
    assert set(latest) == {"source:mfr", "publisher:abc"}
    before = store.confirm("source:npr", "admin", "Ærlig talt \x00")  # now, by the store's clock
    assert reader.last_confirmations()["source:npr"] == {
        "holder": "source:npr",
        "at": before,
        "by": "admin",
        "note": "Ærlig talt \ufffd",
    }
    assert before > "2026-01-01"


def test_uses_are_replaced_by_key_counted_per_dataset_and_replaced_whole_on_request(
    store: SQLStore, reader: StoreReader
) -> None:
    a, b = "https://x/a", "https://x/b"
    assert store.save_uses([("k1", '{"n": 1}', "2025-01-01", [a, b, b]), ("k2", '{"n": 2}', "2026-01-01", [a])]) == 2
    assert reader.use_counts() == {a: 2, b: 1} and reader.use_counts([b, "https://x/c"]) == {b: 1}
    assert [(key, links) for key, _data, links in reader.uses()] == [("k2", [a]), ("k1", [a, b])]
    store.save_uses([("k1", '{"n": 3}', "2025-01-01", [b])])
    assert reader.use_counts() == {a: 1, b: 1} and [d for k, d, _ in reader.uses(b)] == ['{"n": 3}']
    store.save_uses([("k3", "{}", "2024-01-01", [b])], replace=True)
    assert [k for k, _d, _l in reader.uses()] == ["k3"] and reader.use_counts() == {b: 1}
    assert reader.use_counts([]) == {} and reader.uses("https://x/none") == []


def test_labels_know_what_they_were_assessed_on_and_a_moved_label_moves_its_record(
    store: SQLStore, reader: StoreReader
) -> None:
    run = store.start_run("mfr")
    put(store, run, mfr_dataset())
    put(store, run, apgar_codes())  # not a dataset: never labelled
    uri, before = mfr_dataset().uri, store.get(mfr_dataset().uri)
    assert before is not None
    assert reader.stale_labels("mfr", "inputs-1") == [uri], "no label yet"
    store.save_labels([(uri, before.hash, "inputs-1", "d1", "{}")], moved=[uri])
    assert reader.labels([uri, "https://none"]) == {uri: ("d1", "{}")}
    assert reader.label_states([uri]) == {uri: (before.hash, "inputs-1", "d1")}
    assert reader.stale_labels("mfr", "inputs-1") == []
    assert reader.stale_labels("mfr", "inputs-2") == [uri], "its source's inputs changed"
    moved = store.get(uri)
    assert moved is not None and moved.last_changed > before.last_changed and reader.version() == moved.last_changed
    store.save_labels([(uri, before.hash, "inputs-1", "d2", '{"x": 1}')])  # kept anew, not moved
    assert reader.labels([uri]) == {uri: ("d2", '{"x": 1}')} and reader.version() == moved.last_changed
    put(store, run, mfr_dataset(title={"nb": "Ny"}))
    assert reader.stale_labels("mfr", "inputs-1") == [uri], "its record changed"
    store.mark_deleted([uri], run)
    assert reader.stale_labels("mfr", "inputs-3") == [], "a deleted dataset is not labelled"


def test_a_touched_record_changes_for_the_feeds_without_a_new_version_of_itself(
    store: SQLStore, reader: StoreReader
) -> None:
    run = store.start_run("mfr")
    live, gone = dataset("https://x.example/live"), dataset("https://x.example/gone")
    put(store, run, live)
    put(store, run, gone)
    store.mark_deleted([gone.uri], run)
    before = {r.uri: r.last_changed for r in store.records(include_deleted=True)}
    since = max(before.values())
    with store.transaction():  # as `catalog uses import` does: the register and its records at once
        store.save_uses([("k", "{}", "2025-01-01", [live.uri, gone.uri])])
        store.touch([live.uri, gone.uri])
    after = {r.uri: r.last_changed for r in store.records(include_deleted=True)}
    assert after[live.uri] > before[live.uri] and after[gone.uri] == before[gone.uri]
    assert reader.changes_since(since) == []  # no history entry: not a new version of the record
    assert [(c["uri"], c["change"], c["at"]) for c in reader.touched_since(since)] == [
        (live.uri, "changed", after[live.uri])
    ]  # but a change of what the feeds say of it, for the change feed
    assert reader.touched_since(after[live.uri]) == [] and reader.touched_since("", newest=True)[0]["uri"] == live.uri
    assert [r.uri for r in reader.listing(changed_since=since, include_deleted=True)[1]] == [live.uri]
    store.touch([])  # nothing to move: no write


# -- copying a whole store (catalog import-store) ----------------------------------------------


def test_every_table_is_copied_into_another_backend_row_for_row(store: SQLStore, tmp_path: Path) -> None:
    source = store_at(f"sqlite:///{tmp_path / 'source.sqlite'}")
    run = source.start_run("mfr")
    put(source, run, mfr_dataset())
    put(source, run, platform("https://svc.example/1", [mfr_dataset().uri], ["mfr"]), source="market")
    source.add_errors(run, "mfr", [RunError(run, "mfr", "http://feed", "r1", "title", "Tittel mangler")])
    source.save_renderings(mfr_dataset().uri, {"dcat-ap-3": ("s", b"\x00body")})
    source.save_state("mfr", {"cursor": "x"})
    source.save_counts(mfr_dataset().uri, "mfr", "{}", "h", "{}", "p")
    source.confirm("source:mfr", "cli", "note")
    source.save_uses([("k", "{}", "2025-01-01", [mfr_dataset().uri])])
    source.save_labels([(mfr_dataset().uri, "h", "i", "d", "{}")], moved=[mfr_dataset().uri])
    put(source, run, apgar_codes())
    source.mark_deleted([apgar_codes().uri], run)
    source.finish_run(run, "ok", {"new": 2})
    tables = {name for (name,) in source._tuples("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables - {"schema_version"} == {table for table, _key in TABLES}, "a table import-store leaves out"

    copied = source.copy_into(store)
    assert all(copied[table] > 0 for table, _key in TABLES), copied
    for table, key in TABLES:
        select = f"SELECT * FROM {table} ORDER BY {key}"
        assert [tuple(r) for r in store._tuples(select)] == [tuple(r) for r in source._tuples(select)], table
    store.confirm("source:npr", "cli")  # new rows' ids go on after the copied ones
    assert [c["holder"] for c in store.confirmations()] == ["source:npr", "source:mfr"]


# -- never two runs of one source; runs of dead harvesters ------------------------------------


def test_a_source_is_never_harvested_twice_at_once(store: SQLStore, url: str) -> None:
    first = store.try_start_run("mfr")
    assert first is not None
    other = store_at(url)
    assert other.try_start_run("mfr") is None  # another store, same process
    assert store.try_start_run("npr") is not None
    store.finish_run(first, "ok", {})
    assert other.try_start_run("mfr") is not None


def test_threads_of_one_process_starting_one_source_at_once_get_one_run(store: SQLStore, url: str) -> None:
    barrier = threading.Barrier(8)
    started: list[int | None] = []

    def start() -> None:
        barrier.wait()
        started.append(store.try_start_run("mfr"))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [run] = [r for r in started if r is not None]
    store.finish_run(run, "ok", {})
    assert store_at(url).try_start_run("mfr") is not None  # the refused attempts left no claim behind


def test_a_run_in_another_process_keeps_the_source_until_that_process_dies(store: SQLStore, url: str) -> None:
    proc, held = hold_a_run(url, "mfr")
    try:
        assert store.try_start_run("mfr") is None
        assert store.recover() == 0
        assert store.last_run("mfr").status == "running"
    finally:
        kill(proc)
    ours = eventually(lambda: store.try_start_run("mfr"))  # the dead harvester's run is interrupted, ours starts
    assert ours is not None and ours != held
    assert [(r.id, r.status) for r in store.runs("mfr")] == [(ours, "running"), (held, "interrupted")]


def test_a_run_left_by_a_dead_process_is_interrupted_when_a_writer_opens_the_store(url: str, store: SQLStore) -> None:
    proc, held = hold_a_run(url, "mfr")
    kill(proc)
    reader = store_at(url, readonly=True)
    # a reader says what it is, and writes nothing: the store holds it running until a writer opens it
    assert eventually(lambda: reader.last_run("mfr").status == "interrupted")
    assert reader._value("SELECT status FROM runs WHERE id=?", (held,)) == "running"
    last = eventually(lambda: (run := store_at(url).last_run("mfr")) is not None and run.status != "running" and run)
    assert last and (last.id, last.status) == (held, "interrupted")
    assert last.error == "the harvest was interrupted before it finished"


def test_a_reader_tells_a_run_at_work_from_one_whose_harvester_is_gone(url: str, store: SQLStore) -> None:
    """Monitoring reads: after a scheduler was stopped mid-harvest, /metrics said its sources were
    being harvested until a writer opened the store again."""
    reader = store_at(url, readonly=True)
    proc, _held = hold_a_run(url, "mfr")
    try:
        assert reader.running_now("mfr")
    finally:
        kill(proc)
    assert eventually(lambda: not reader.running_now("mfr"))
    assert reader.last_run("mfr").status == "interrupted"  # as pages, the API and the CLI show it
    assert not reader.running_now("npr")


# -- the read side cannot write --------------------------------------------------------------


def test_the_read_side_refuses_writes_in_the_program_and_in_the_database(reader: StoreReader) -> None:
    with pytest.raises(ReadOnlyStore):
        reader.save_state("mfr", {})  # type: ignore[attr-defined]
    assert isinstance(reader, SQLStore)
    with pytest.raises(Exception, match="(?i)read.only|readonly"):
        with reader.transaction():
            reader._execute("INSERT INTO source_state(source, state) VALUES ('x', '{}')")


# -- the schema's version ----------------------------------------------------------------------


def test_a_new_store_is_at_the_latest_schema_version(store: SQLStore, url: str) -> None:
    steps = migrations.POSTGRES if url.startswith("postgresql") else migrations.SQLITE
    assert store.schema_version() == steps[-1].version
    assert store_at(url).schema_version() == steps[-1].version  # opening again changes nothing


def test_a_store_from_a_newer_release_is_refused(store: SQLStore, url: str) -> None:
    with store.transaction():
        store._execute("INSERT INTO schema_version(version, applied) VALUES (99, 'later')")
    with pytest.raises(migrations.SchemaTooNew, match="schema version 99"):
        store_at(url)


OPEN_AT_ONCE = """
import sys
from catalog.store import store_at
print(store_at(sys.argv[1]).schema_version())
"""


def test_processes_opening_a_new_store_at_once_migrate_it_once(url: str) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN_AT_ONCE, url], env=env_for(url), stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    versions = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    store = store_at(url)
    assert versions == {str(store.schema_version())}
    assert store._value("SELECT count(*) FROM schema_version") == store.schema_version()


# -- change timestamps follow commit order (followers never miss a change) ---------------------

WRITE_MANY = """
import sys
from catalog.model import Dataset, content_hash
from catalog.store import store_at
store = store_at(sys.argv[1])
run = store.start_run(sys.argv[2])
for i in range(int(sys.argv[3])):
    d = Dataset(uri=f"https://{sys.argv[2]}.example/{i}", identifier=str(i), title={"nb": str(i)})
    with store.transaction():
        store.put(sys.argv[2], run, d, content_hash(d), None, True, None)
store.finish_run(run, "ok", {})
"""


def test_a_follower_of_the_changes_misses_none_while_several_processes_write(url: str, store: SQLStore) -> None:
    n = 150
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITE_MANY, url, name, str(n)], env=env_for(url))
        for name in ("a", "b", "c")
    ]
    seen: set[str] = set()
    cursor = ""
    while True:
        done = all(w.poll() is not None for w in writers)
        for change in store.changes_since(cursor, limit=50):
            seen.add(change["uri"])
            cursor = change["at"]
        if done and not store.changes_since(cursor):
            break
    assert all(w.returncode == 0 for w in writers)
    assert len(seen) == 3 * n


# -- the pipeline on every backend: process mode, crashes, concurrency, the scheduler ----------


def turtle(server, path: str, records: list, delay: float = 0.0) -> str:
    body = to_graph(records).serialize(format="turtle")
    return server.serve(path, body, delay=delay, Content_Type="text/turtle")


def publish_two(server) -> dict[str, str]:
    return {
        "mfr": turtle(server, "/mfr.ttl", [mfr_dataset(), apgar_codes()]),
        "npr": turtle(server, "/npr.ttl", [dataset("https://npr.example/ds", "A", "B")]),
    }


def test_sources_are_harvested_in_worker_processes_on_every_backend(
    settings: Settings, store: SQLStore, server
) -> None:
    for name, feed in publish_two(server).items():
        settings.sources[name] = SourceConfig(name=name, kind="dcat", url=feed)
    index = TantivyBackend(settings.index_dir)
    results = harvest(settings, store, index, workers=2)
    assert [(r.source, r.status, r.counts["new"]) for r in results] == [("mfr", "ok", 2), ("npr", "ok", 1)]
    assert store.count() == 3 and {r.status for r in store.runs()} == {"ok"}
    assert index.search(SearchQuery(text="fødselsvekt")).total == 1
    again = harvest(settings, store, index, workers=2)
    assert [r.counts["unchanged"] for r in again] == [2, 1]


def test_search_stays_answerable_during_harvests_and_reindexes(settings: Settings, store: SQLStore, server) -> None:
    feed = turtle(server, "/mfr.ttl", [mfr_dataset(), apgar_codes()])
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=feed)
    index = TantivyBackend(settings.index_dir)
    harvest(settings, store, index)
    searcher, web_store = TantivyBackend(settings.index_dir), store_at(store.url, readonly=True)
    stop = threading.Event()
    failures: list[str] = []
    answers = 0

    def search_loop() -> None:
        nonlocal answers
        while not stop.is_set():
            try:
                result = searcher.search(SearchQuery(text="fødselsvekt"))
                if result.total != 1 or result.hits[0].doc["name"] != "VEKT":
                    failures.append(f"unexpected answer: {result.total} hits")
                holder = web_store.dataset_of_variable(result.hits[0].key)
                if holder is None or holder.uri != mfr_dataset().uri:
                    failures.append(f"the store does not know the hit's dataset: {holder}")
                answers += 1
            except Exception as exc:  # noqa: BLE001 - any error is the failure under test
                failures.append(repr(exc))

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: answers >= 2 or failures, 30, "the searching threads answering")
        for generation in range(4):
            changed = mfr_dataset(description={"nb": f"Generasjon {generation}"})
            turtle(server, "/mfr.ttl", [changed, apgar_codes()])
            [result] = harvest(settings, store, index)
            assert result.ok
            reindex(settings, store, index)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert answers > 10


def test_schedulers_in_several_processes_never_run_one_source_twice(settings: Settings, url: str, server) -> None:
    feed = turtle(server, "/slow.ttl", [mfr_dataset()], delay=4.0)  # long enough for the others to try
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=feed, interval_minutes=60)
    settings.save_sources()
    ticks = [
        subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", "--home", str(settings.home), "scheduler", "--once"],
            env=env_for(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [t.communicate(timeout=120)[0] for t in ticks]
    runs = store_at(url).runs("mfr")
    assert [(r.status, r.counts["new"]) for r in runs] == [("ok", 1)], outputs
    assert sum("mfr: 1 new" in o for o in outputs) == 1, outputs


START_AT = """
import sys, time
from catalog.store import store_at
store = store_at(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
run = store.try_start_run("mfr")
print(run, flush=True)
time.sleep(2)
if run is not None:
    store.finish_run(run, "ok", {})
"""


def test_processes_starting_one_source_at_the_same_moment_get_one_run(url: str, store: SQLStore) -> None:
    at = time.time() + 4  # every process has opened the store by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", START_AT, url, str(at)], env=env_for(url), stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    answers = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert answers.count("None") == 3, answers
    assert [r.status for r in store.runs("mfr")] == ["ok"]


# -- kill -9 mid-harvest ------------------------------------------------------------------------


def check_consistent(url: str, settings: Settings) -> dict[str, str]:
    """The store opens, holds no half-written record or run, and the index can be rebuilt from it;
    the live records' hashes."""
    store = store_at(url)  # opening recovers the killed harvester's run
    assert [r for r in store.runs(limit=1000) if r.status == "running"] == []
    records = list(store.records(include_deleted=True))
    for r in records:
        assert digest(r.data) == r.hash
        assert r.record.uri == r.uri
    orphans = "SELECT count(*) FROM history h LEFT JOIN records r ON r.uri = h.uri WHERE r.uri IS NULL"
    assert store._value(orphans) == 0
    unrendered = "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM renderings g WHERE g.uri = r.uri)"
    assert store._value(unrendered) == 0  # written with the record, in its transaction
    variables = sum(len(r.dataset().variables) for r in records if r.kind == "dataset" and not r.deleted_at)
    rebuilt = TantivyBackend(settings.home / f"rebuilt-{time.monotonic_ns()}")
    assert reindex(settings, store, rebuilt) == store.count() + variables
    return {r.uri: r.hash for r in records if not r.deleted_at}


@pytest.mark.slow
def test_killing_the_harvester_mid_run_leaves_no_half_written_record_or_run(
    url: str, settings: Settings, tmp_path: Path, server
) -> None:
    from tests.test_crash import PAGES, PER_PAGE, SOURCE, SPREAD, Watcher, kill_at, publish

    settings.sources[SOURCE] = SourceConfig(name=SOURCE, kind="dcat", url=publish(server))
    settings.save_sources()
    command = [sys.executable, "-m", "catalog.cli", "--home", str(settings.home), "harvest"]
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    subprocess.run(command, check=True, env=env_for(reference_url), capture_output=True)
    expected = {r.uri: r.hash for r in store_at(reference_url).records()}
    assert len(expected) == PAGES * PER_PAGE

    partial = 0
    watcher = Watcher(url)
    try:
        for point in SPREAD:  # at what the test sees the harvest has done: no timing to go wrong under load
            kill_at(point, command, env_for(url), watcher, server)
            live = check_consistent(url, settings)
            last = store_at(url).last_run(SOURCE)
            if last is not None and last.status == "interrupted" and 0 < len(live) < len(expected):
                partial += 1
    finally:
        watcher.close()
    assert partial > 0, "no kill landed in the middle of a run: the test proves nothing"
    subprocess.run(command, check=True, env=env_for(url), capture_output=True)
    assert check_consistent(url, settings) == expected


def test_a_reader_opening_a_new_store_first_finds_it_empty_and_current(url: str) -> None:
    """The web may start before any harvest: it sees an empty catalogue, never an error."""
    reader = store_at(url, readonly=True)
    assert reader.count() == 0 and reader.version() is None and reader.runs() == []
    steps = migrations.POSTGRES if url.startswith("postgresql") else migrations.SQLITE
    assert reader.schema_version() == steps[-1].version
