"""The single source of truth: records with provenance and history, harvest runs and errors.

`Store` is the small interface the rest of the program uses; `SQLiteStore` implements it with
the standard library (WAL mode, one file), so a server database can take its place when several
instances share a catalogue. Records are kept as canonical JSON of `catalog.model`.

Consistency rules the tests rely on:
- every write happens in a transaction; a killed process leaves whole records or none;
- a run is `running` until it is finished; a run found `running` at open whose process is gone
  becomes `interrupted`; deletions and incremental checkpoints are written only when a run
  finishes successfully, so an interrupted run never deletes or skips anything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from catalog.model import CodeList, DataProduct, DataService, Dataset, Record, key_for, loads

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- running | ok | failed | interrupted
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    owner TEXT                       -- pid:start-time of the harvesting process
);
CREATE INDEX IF NOT EXISTS runs_source ON runs(source, id);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    source TEXT NOT NULL,
    url TEXT,
    record_id TEXT,
    field TEXT,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS errors_run ON errors(run_id);
CREATE TABLE IF NOT EXISTS records (
    uri TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    deleted_at TEXT,
    run_id INTEGER NOT NULL,
    fetch_url TEXT,
    conforms INTEGER,
    validation TEXT
);
CREATE INDEX IF NOT EXISTS records_source ON records(source);
CREATE INDEX IF NOT EXISTS records_changed ON records(last_changed);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL,            -- new | changed | deleted | restored
    hash TEXT
);
CREATE INDEX IF NOT EXISTS history_uri ON history(uri);
CREATE INDEX IF NOT EXISTS history_at ON history(at);
CREATE TABLE IF NOT EXISTS variables (
    key TEXT PRIMARY KEY,            -- key_for(variable uri)
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS variables_dataset ON variables(dataset_uri);
CREATE TABLE IF NOT EXISTS variable_history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL             -- new | changed | deleted
);
CREATE INDEX IF NOT EXISTS variable_history_at ON variable_history(at);
CREATE TABLE IF NOT EXISTS renderings (   -- derived: a record's statements per feed profile
    uri TEXT NOT NULL,
    profile TEXT NOT NULL,
    stamp TEXT NOT NULL,             -- what the statements were made from (catalog.renderings.stamp)
    body BLOB NOT NULL,              -- zlib-compressed N-Triples
    PRIMARY KEY (uri, profile)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (       -- a service's datasets, a product's: for pages, feeds and facets
    from_uri TEXT NOT NULL,          -- the data service or data product
    relation TEXT NOT NULL,          -- serves | derived_from
    target TEXT NOT NULL,            -- a dataset URI, or (target_kind source) a source name
    target_kind TEXT NOT NULL        -- dataset | source
);
CREATE INDEX IF NOT EXISTS links_from ON links(from_uri);
CREATE INDEX IF NOT EXISTS links_target ON links(target);
CREATE TABLE IF NOT EXISTS counts (      -- a dataset's frequency tables (catalog.disclosure)
    dataset_uri TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    raw TEXT NOT NULL,               -- raw counts: read back by catalog.disclosure alone
    hash TEXT NOT NULL,              -- of `raw`, to tell changed counts of an unchanged record
    published TEXT NOT NULL,         -- the published view: what pages, API and samples read
    stamp TEXT NOT NULL              -- the policy and method it was published under
);
CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
-- the access body's registers (EHDS Art. 58, 60, 78): written by the pipeline and CLI writers only
CREATE TABLE IF NOT EXISTS confirmations (   -- a holder confirmed its descriptions (Art. 60)
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,            -- "source:<name>" or "publisher:<key>"
    at TEXT NOT NULL,
    by TEXT NOT NULL,                -- how it was recorded: cli | admin | harvest
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS confirmations_holder ON confirmations(holder, at);
CREATE TABLE IF NOT EXISTS uses (            -- the data use register: issued data permits (Art. 58)
    key TEXT PRIMARY KEY,            -- the permit's id, else a digest of title, organisation and date
    data TEXT NOT NULL,              -- catalog.uses.DataUse as JSON
    permit_date TEXT NOT NULL,
    imported TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS use_datasets (
    use_key TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    PRIMARY KEY (use_key, dataset_uri)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS use_datasets_dataset ON use_datasets(dataset_uri);
CREATE TABLE IF NOT EXISTS labels (          -- derived: each dataset's quality and utility label (Art. 78)
    uri TEXT PRIMARY KEY,
    hash TEXT NOT NULL,              -- the record's content hash it was assessed on
    inputs TEXT NOT NULL,            -- a digest of its source's inputs (catalog.label.source_inputs)
    digest TEXT NOT NULL,            -- of what the label says (not when it was assessed)
    data TEXT NOT NULL               -- catalog.label.Label as JSON
) WITHOUT ROWID;
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class StoredRecord:
    """A stored record and its bookkeeping. `record` and `validation` are decoded when first read:
    a feed page lists 100 records and, when their renderings are stored, reads neither."""

    uri: str
    key: str
    kind: str
    source: str
    data: str = field(repr=False)
    hash: str
    first_seen: str
    last_changed: str
    deleted_at: str | None
    run_id: int
    fetch_url: str | None
    conforms: bool | None
    validation_json: str | None = field(repr=False)

    @cached_property
    def record(self) -> Record:
        return loads(self.kind, self.data)

    def dataset(self) -> Dataset:
        """The record, which the caller knows to be a dataset."""
        record = self.record
        if not isinstance(record, Dataset):
            raise TypeError(f"{self.uri} is a {self.kind}, not a dataset")
        return record

    def codelist(self) -> CodeList:
        """The record, which the caller knows to be a code list."""
        record = self.record
        if not isinstance(record, CodeList):
            raise TypeError(f"{self.uri} is a {self.kind}, not a code list")
        return record

    @cached_property
    def validation(self) -> dict[str, Any] | None:
        return json.loads(self.validation_json) if self.validation_json else None


@dataclass
class Run:
    id: int
    source: str
    started: str
    finished: str | None
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunSummary:
    """The finished runs of one source with one status, summed (for monitoring)."""

    source: str
    status: str  # ok | failed | interrupted
    runs: int
    counts: dict[str, int]  # summed over the runs: new, changed, unchanged, deleted, invalid, errors
    seconds: float  # their summed duration
    within: list[int]  # how many took at most each of the bounds asked for (cumulative)


RUN_COUNTS = ("new", "changed", "unchanged", "deleted", "invalid", "errors")


@dataclass
class RunError:
    run_id: int
    source: str
    url: str | None
    record_id: str | None
    field: str | None
    message: str


class Store(Protocol):
    def start_run(self, source: str) -> int: ...
    def try_start_run(self, source: str) -> int | None: ...
    def finish_run(self, run_id: int, status: str, counts: dict[str, int], error: str | None = None) -> None: ...
    def add_errors(self, run_id: int, source: str, errors: Iterable[RunError]) -> None: ...
    def known(self, source: str) -> dict[str, str]: ...
    def put(
        self,
        source: str,
        run_id: int,
        record: Record,
        hash: str,
        fetch_url: str | None,
        conforms: bool | None,
        validation: dict[str, Any] | None,
    ) -> str: ...
    def last_harvest(self, source: str, before: str | None = None) -> str | None: ...
    def revalidated(self, uri: str, conforms: bool, validation: dict[str, Any], changed: bool) -> None: ...
    def mark_deleted(self, uris: Iterable[str], run_id: int) -> int: ...
    def get(self, uri: str) -> StoredRecord | None: ...
    def get_by_key(self, key: str) -> StoredRecord | None: ...
    def dataset_of_variable(self, key: str) -> StoredRecord | None: ...
    def records(
        self, source: str | None = None, include_deleted: bool = False, kind: str | None = None
    ) -> Iterator[StoredRecord]: ...
    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]: ...
    def last_run(self, source: str) -> Run | None: ...
    def run_summary(self, bounds: Sequence[float]) -> list[RunSummary]: ...
    def errors(self, run_id: int) -> list[RunError]: ...
    def state(self, source: str) -> dict[str, str]: ...
    def save_state(self, source: str, state: dict[str, str]) -> None: ...
    def save_renderings(self, uri: str, renderings: dict[str, tuple[str, bytes]]) -> None: ...
    def renderings(self, uris: list[str], profile: str, bodies: bool = True) -> dict[str, tuple[str, bytes]]: ...
    def history(self, uri: str) -> list[dict[str, Any]]: ...
    def changes_since(self, since: str, limit: int = 1000) -> list[dict[str, Any]]: ...


class SQLiteStore:
    """The default store. Safe to share between threads (a connection per thread)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db.executescript(SCHEMA)  # executescript manages its own transaction
        self._recover()

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _recover(self) -> None:
        """Runs left `running` by a process that no longer exists were interrupted."""
        with self.transaction() as db:
            for row in db.execute("SELECT id, owner FROM runs WHERE status='running'").fetchall():
                if _alive(row["owner"]):
                    continue
                db.execute(
                    "UPDATE runs SET status='interrupted', finished=?, error=? WHERE id=?",
                    (now(), "the harvest was interrupted before it finished", row["id"]),
                )

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, source: str) -> int:
        run = self.try_start_run(source)
        if run is None:
            raise RuntimeError(f"source {source} is already being harvested")
        return run

    def try_start_run(self, source: str) -> int | None:
        """Open a run unless one of this source is already running in a live process (None then).

        Check and insert happen in one write transaction, so two processes never both start.
        """
        with self.transaction() as db:
            for row in db.execute("SELECT id, owner FROM runs WHERE source=? AND status='running'", (source,)):
                if _alive(row["owner"]):
                    return None
                db.execute(
                    "UPDATE runs SET status='interrupted', finished=?, error=? WHERE id=?",
                    (now(), "the harvest was interrupted before it finished", row["id"]),
                )
            return db.execute(
                "INSERT INTO runs(source, started, status, owner) VALUES (?,?,?,?)",
                (source, now(), "running", process_token()),
            ).lastrowid

    def finish_run(self, run_id: int, status: str, counts: dict[str, int], error: str | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished=?, status=?, counts=?, error=? WHERE id=?",
                (now(), status, json.dumps(counts), error, run_id),
            )

    def add_errors(self, run_id: int, source: str, errors: Iterable[RunError]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO errors(run_id, source, url, record_id, field, message) VALUES (?,?,?,?,?,?)",
                [(run_id, source, e.url, e.record_id, e.field, e.message) for e in errors],
            )

    def _run(self, row: sqlite3.Row) -> Run:
        return Run(
            row["id"],
            row["source"],
            row["started"],
            row["finished"],
            row["status"],
            json.loads(row["counts"]),
            row["error"],
        )

    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]:
        if source:
            rows = self.db.execute("SELECT * FROM runs WHERE source=? ORDER BY id DESC LIMIT ?", (source, limit))
        else:
            rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(r) for r in rows.fetchall()]

    def last_run(self, source: str) -> Run | None:
        runs = self.runs(source, 1)
        return runs[0] if runs else None

    def run_summary(self, bounds: Sequence[float]) -> list[RunSummary]:
        """Every finished run summed per source and status, with how many took at most each of
        `bounds` seconds: monitoring derives its harvest figures from this table, the truth
        whichever process or host harvested. One pass over the runs: 70 ms for 42,000 (a year of
        115 sources harvested daily)."""
        counts = ", ".join(f"coalesce(json_extract(counts, '$.{k}'), 0) AS {k}" for k in RUN_COUNTS)
        sums = ", ".join(f"sum({k})" for k in RUN_COUNTS)
        within = "".join(", sum(seconds <= ?)" for _ in bounds)
        rows = self.db.execute(
            f"WITH r AS MATERIALIZED (SELECT source, status, {counts}, "
            "(julianday(finished) - julianday(started)) * 86400.0 AS seconds "
            "FROM runs WHERE status <> 'running' AND finished IS NOT NULL) "
            f"SELECT source, status, count(*), coalesce(sum(seconds), 0), {sums}{within} FROM r "
            "GROUP BY source, status ORDER BY source, status",
            [float(b) for b in bounds],
        ).fetchall()
        n = len(RUN_COUNTS)
        return [
            RunSummary(
                row[0],
                row[1],
                row[2],
                dict(zip(RUN_COUNTS, (int(v) for v in row[4 : 4 + n]), strict=True)),
                float(row[3]),
                [int(v) for v in row[4 + n :]],
            )
            for row in rows
        ]

    def last_finished_run(self, source: str) -> Run | None:
        row = self.db.execute(
            "SELECT * FROM runs WHERE source=? AND status IN ('ok','failed') ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()
        return self._run(row) if row else None

    def errors(self, run_id: int) -> list[RunError]:
        rows = self.db.execute("SELECT * FROM errors WHERE run_id=? ORDER BY id", (run_id,)).fetchall()
        return [RunError(r["run_id"], r["source"], r["url"], r["record_id"], r["field"], r["message"]) for r in rows]

    # -- records ----------------------------------------------------------------------------
    def known(self, source: str) -> dict[str, str]:
        cur = self.db.cursor()
        cur.row_factory = None  # plain tuples: building Row objects took most of the time for 50,000 records
        return dict(cur.execute("SELECT uri, hash FROM records WHERE source=? AND deleted_at IS NULL", (source,)))

    def put(
        self,
        source: str,
        run_id: int,
        record: Record,
        hash: str,
        fetch_url: str | None,
        conforms: bool | None,
        validation: dict[str, Any] | None,
        data: str | None = None,
    ) -> str:
        """Insert or update; returns new | changed | unchanged (| restored for a deleted one back)."""
        from catalog.model import dumps

        ts = now()
        with self.transaction() as db:
            row = db.execute(
                "SELECT hash, deleted_at, source, kind, data FROM records WHERE uri=?", (record.uri,)
            ).fetchone()
            if row is not None and row["hash"] == hash and row["deleted_at"] is None and row["source"] == source:
                return "unchanged"
            values = (
                record.kind,
                source,
                data or dumps(record),
                hash,
                ts,
                run_id,
                fetch_url,
                None if conforms is None else int(conforms),
                None if validation is None else json.dumps(validation, ensure_ascii=False),
            )
            if row is None:
                change = "new"
                db.execute(
                    "INSERT INTO records(kind, source, data, hash, last_changed, run_id, fetch_url, conforms, "
                    "validation, uri, key, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, record.uri, key_for(record.uri), ts, ts),
                )
            else:
                change = "restored" if row["deleted_at"] else "changed"
                db.execute(
                    "UPDATE records SET kind=?, source=?, data=?, hash=?, last_changed=?, run_id=?, "
                    "fetch_url=?, conforms=?, validation=?, last_seen=?, deleted_at=NULL WHERE uri=?",
                    (*values, ts, record.uri),
                )
            db.execute(
                "INSERT INTO history(uri, run_id, at, change, hash) VALUES (?,?,?,?,?)",
                (record.uri, run_id, ts, change, hash),
            )
            if isinstance(record, DataService | DataProduct):
                db.execute("DELETE FROM links WHERE from_uri=?", (record.uri,))
                db.executemany(
                    "INSERT INTO links(from_uri, relation, target, target_kind) VALUES (?,?,?,?)", _links(record)
                )
            if isinstance(record, Dataset):
                before = loads(row["kind"], row["data"]) if row is not None and not row["deleted_at"] else None
                _variable_changes(db, before, record, ts)
                db.execute("DELETE FROM variables WHERE dataset_uri=?", (record.uri,))
                db.executemany(
                    "INSERT OR REPLACE INTO variables(key, uri, dataset_uri) VALUES (?,?,?)",
                    [(key_for(v.uri), v.uri, record.uri) for v in record.variables],
                )
            return change

    def revalidated(self, uri: str, conforms: bool, validation: dict[str, Any], changed: bool) -> None:
        """A record validated again because the operator's settings changed its published view.

        The record itself is as its source said (no history entry); `changed` (the EHDS feed now
        shows it differently, or carries it or not) moves its last change, so a harvester of our
        feed asking `modified_since` sees it arrive, change or leave."""
        with self.transaction() as db:
            db.execute(
                "UPDATE records SET conforms=?, validation=?"
                + (", last_changed=?" if changed else "")
                + " WHERE uri=?",
                (int(conforms), json.dumps(validation, ensure_ascii=False), *((now(),) if changed else ()), uri),
            )

    def last_harvest(self, source: str, before: str | None = None) -> str | None:
        """When the source's latest successful run (ended before `before`) finished: every live record
        of the source was seen then.

        Records do not keep this themselves: an unchanged record is never written (its run_id names
        the run that stored this version, its provenance), because rewriting every record's row on
        every run made an unchanged re-harvest cost as much I/O as the catalogue's size."""
        row = self.db.execute(
            "SELECT max(finished) FROM runs WHERE source=? AND status='ok' AND finished < ?", (source, before or "9999")
        ).fetchone()
        return row[0]

    def mark_deleted(self, uris: Iterable[str], run_id: int) -> int:
        ts = now()
        n = 0
        with self.transaction() as db:
            for uri in uris:
                cur = db.execute(
                    "UPDATE records SET deleted_at=?, last_changed=?, run_id=? WHERE uri=? AND deleted_at IS NULL",
                    (ts, ts, run_id, uri),
                )
                if cur.rowcount:
                    n += 1
                    db.execute(
                        "INSERT INTO variable_history(uri, dataset_uri, at, change) "
                        "SELECT uri, dataset_uri, ?, 'deleted' FROM variables WHERE dataset_uri=?",
                        (ts, uri),
                    )
                    db.execute(
                        "INSERT INTO history(uri, run_id, at, change) VALUES (?,?,?,?)", (uri, run_id, ts, "deleted")
                    )
        return n

    def _stored(self, row: sqlite3.Row) -> StoredRecord:
        return StoredRecord(
            row["uri"],
            row["key"],
            row["kind"],
            row["source"],
            row["data"],
            row["hash"],
            row["first_seen"],
            row["last_changed"],
            row["deleted_at"],
            row["run_id"],
            row["fetch_url"],
            None if row["conforms"] is None else bool(row["conforms"]),
            row["validation"],
        )

    def get(self, uri: str) -> StoredRecord | None:
        row = self.db.execute("SELECT * FROM records WHERE uri=?", (uri,)).fetchone()
        return self._stored(row) if row else None

    def get_by_key(self, key: str) -> StoredRecord | None:
        row = self.db.execute("SELECT * FROM records WHERE key=?", (key,)).fetchone()
        return self._stored(row) if row else None

    def dataset_of_variable(self, key: str) -> StoredRecord | None:
        """The dataset record holding the variable with this key (variables live inside datasets)."""
        row = self.db.execute(
            "SELECT r.* FROM variables v JOIN records r ON r.uri = v.dataset_uri WHERE v.key=?", (key,)
        ).fetchone()
        return self._stored(row) if row else None

    def records(
        self, source: str | None = None, include_deleted: bool = False, kind: str | None = None
    ) -> Iterator[StoredRecord]:
        """Streams records in URI order, in batches, so a million variables fit in memory."""
        where, args = self._where(source=source, kind=kind, include_deleted=include_deleted)
        last = ""
        while True:
            rows = self.db.execute(
                f"SELECT * FROM records WHERE {where} AND uri > ? ORDER BY uri LIMIT 500", (*args, last)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._stored(row)
            last = rows[-1]["uri"]

    @staticmethod
    def _where(
        source: str | None = None,
        kind: str | None = None,
        include_deleted: bool = False,
        changed_since: str | None = None,
        conforming_kinds: tuple[str, ...] = (),
    ) -> tuple[str, list[Any]]:
        conditions = [("source=?", source), ("kind=?", kind), ("last_changed > ?", changed_since)]
        where = [sql for sql, value in conditions if value]
        args: list[Any] = [value for _sql, value in conditions if value]
        if not include_deleted:
            where.append("deleted_at IS NULL")
        if conforming_kinds:
            where.append(f"(kind NOT IN ({','.join('?' * len(conforming_kinds))}) OR conforms = 1)")
            args.extend(conforming_kinds)
        return " AND ".join(where or ["1=1"]), args

    def listing(
        self,
        offset: int = 0,
        limit: int = 100,
        changed_since: str | None = None,
        include_deleted: bool = False,
        conforming_kinds: tuple[str, ...] = (),
    ) -> tuple[int, list[StoredRecord]]:
        """One page of records in URI order and the total that match, for paged feeds.

        `changed_since` keeps records whose last change (deletion included) is later than it;
        records of `conforming_kinds` are kept only when they conform (a profile's `checked_kinds`).
        """
        where, args = self._where(
            changed_since=changed_since, include_deleted=include_deleted, conforming_kinds=conforming_kinds
        )
        total = self.db.execute(f"SELECT count(*) FROM records WHERE {where}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM records WHERE {where} ORDER BY uri LIMIT ? OFFSET ?", (*args, limit, offset)
        ).fetchall()
        return total, [self._stored(r) for r in rows]

    def version(self) -> str | None:
        """The latest change: every write that alters what a feed shows moves it.

        Records are never removed and only a new, changed, restored or deleted record is written,
        so an unchanged re-harvest leaves it (and every feed's ETag) as it was. An index lookup:
        this is asked on every feed request."""
        return self.db.execute("SELECT max(last_changed) FROM records").fetchone()[0]

    def mentioning(self, uri: str) -> StoredRecord | None:
        """A live record whose data names `uri` (e.g. as its publisher), to describe things that are not records."""
        row = self.db.execute(
            "SELECT * FROM records WHERE deleted_at IS NULL AND instr(data, ?) > 0 LIMIT 1",
            (json.dumps(uri, ensure_ascii=False),),
        ).fetchone()
        return self._stored(row) if row else None

    def variable_changes_since(self, since: str, limit: int = 1000) -> list[dict[str, Any]]:
        """Variables added, changed or deleted (with their dataset's) after `since`, oldest first."""
        rows = self.db.execute(
            "SELECT uri, dataset_uri, at, change FROM variable_history WHERE at > ? ORDER BY at, id LIMIT ?",
            (since, limit),
        )
        return [dict(r) for r in rows.fetchall()]

    def count(self, kind: str | None = None) -> int:
        if kind:
            return self.db.execute(
                "SELECT count(*) FROM records WHERE deleted_at IS NULL AND kind=?", (kind,)
            ).fetchone()[0]
        return self.db.execute("SELECT count(*) FROM records WHERE deleted_at IS NULL").fetchone()[0]

    def source_stats(self) -> dict[str, dict[str, int]]:
        """Per source: live datasets, code lists, variables and how many records conform (web dashboards)."""
        stats: dict[str, dict[str, int]] = {}
        for row in self.db.execute(
            "SELECT source, kind, count(*) AS n, sum(coalesce(conforms, 0)) AS ok "
            "FROM records WHERE deleted_at IS NULL GROUP BY source, kind"
        ):
            s = stats.setdefault(row["source"], {"dataset": 0, "codelist": 0, "variable": 0, "conforming": 0})
            s[row["kind"]] = row["n"]
            s["conforming"] += row["ok"] or 0
        for row in self.db.execute(
            "SELECT r.source, count(*) AS n FROM variables v JOIN records r "
            "ON r.uri = v.dataset_uri WHERE r.deleted_at IS NULL GROUP BY r.source"
        ):
            stats.setdefault(row["source"], {"dataset": 0, "codelist": 0, "variable": 0, "conforming": 0})
            stats[row["source"]]["variable"] = row["n"]
        return stats

    def datasets_of_variables(self, keys: Iterable[str]) -> dict[str, str]:
        """Variable key -> URI of the live dataset holding it; unknown or deleted keys are left out."""
        keys = list(keys)
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.execute(
                f"SELECT v.key, v.dataset_uri FROM variables v JOIN records r ON r.uri = v.dataset_uri "
                f"WHERE r.deleted_at IS NULL AND v.key IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update({r["key"]: r["dataset_uri"] for r in rows})
        return out

    def validations(self, source: str) -> Iterator[dict[str, Any]]:
        """The stored validation reports of a source's live records, without loading the records."""
        for row in self.db.execute(
            "SELECT validation FROM records WHERE source=? AND deleted_at IS NULL AND validation IS NOT NULL", (source,)
        ):
            yield json.loads(row["validation"])

    def history(self, uri: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT run_id, at, change, hash FROM history WHERE uri=? ORDER BY id", (uri,))
        return [dict(r) for r in rows.fetchall()]

    def changes_since(self, since: str, limit: int = 1000) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT h.uri, h.at, h.change, r.kind, r.source FROM history h "
            "JOIN records r ON r.uri = h.uri WHERE h.at > ? ORDER BY h.at LIMIT ?",
            (since, limit),
        )
        return [dict(r) for r in rows.fetchall()]

    # -- renderings (derived, see catalog.renderings) ---------------------------------------
    def save_renderings(self, uri: str, renderings: dict[str, tuple[str, bytes]]) -> None:
        """Keep a record's rendered statements, profile -> (stamp, body)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO renderings(uri, profile, stamp, body) VALUES (?,?,?,?)",
                [(uri, profile, stamp, body) for profile, (stamp, body) in renderings.items()],
            )

    def renderings(self, uris: list[str], profile: str, bodies: bool = True) -> dict[str, tuple[str, bytes]]:
        """uri -> (stamp, body) of the records' renderings in `profile` (those that have one); a
        rendering kept under the profile '*' holds for every profile. Without `bodies`, the bodies
        are left unread (b""): enough to tell which renderings are stale."""
        column = "body" if bodies else "X''"
        out: dict[str, tuple[str, bytes]] = {}
        cur = self.db.cursor()
        cur.row_factory = None
        for i in range(0, len(uris), 500):
            chunk = uris[i : i + 500]
            out.update(
                (uri, (stamp, body))
                for uri, stamp, body in cur.execute(
                    f"SELECT uri, stamp, {column} FROM renderings WHERE profile IN (?, '*') "
                    f"AND uri IN ({','.join('?' * len(chunk))})",
                    (profile, *chunk),
                )
            )
        return out

    # -- links between records (services, products -> datasets) ----------------------------
    def linking(self, dataset_uri: str, source: str, relation: str) -> list[StoredRecord]:
        """Live services (relation `serves`) or products (`derived_from`) naming the dataset, or its source."""
        rows = self.db.execute(
            "SELECT DISTINCT r.* FROM links l JOIN records r ON r.uri = l.from_uri WHERE r.deleted_at IS NULL "
            "AND l.relation=? AND ((l.target_kind='dataset' AND l.target=?) OR (l.target_kind='source' AND l.target=?)) "
            "ORDER BY r.uri",
            (relation, dataset_uri, source),
        ).fetchall()
        return [self._stored(r) for r in rows]

    def linked(self, from_uri: str, relation: str) -> list[StoredRecord]:
        """The live datasets a service serves (named, or of the sources it names) or a product derives from."""
        rows = self.db.execute(
            "SELECT DISTINCT r.* FROM links l JOIN records r ON r.kind='dataset' AND r.deleted_at IS NULL AND "
            "((l.target_kind='dataset' AND r.uri = l.target) OR (l.target_kind='source' AND r.source = l.target)) "
            "WHERE l.from_uri=? AND l.relation=? ORDER BY r.uri",
            (from_uri, relation),
        ).fetchall()
        return [self._stored(r) for r in rows]

    def changed_in_runs(self, run_ids: list[int], kind: str) -> list[StoredRecord]:
        """Records of a kind that these runs stored, deleted or restored."""
        if not run_ids:
            return []
        rows = self.db.execute(
            f"SELECT DISTINCT r.* FROM history h JOIN records r ON r.uri = h.uri WHERE r.kind=? "
            f"AND h.run_id IN ({','.join('?' * len(run_ids))})",
            (kind, *run_ids),
        ).fetchall()
        return [self._stored(r) for r in rows]

    def link_targets(self, from_uris: Iterable[str]) -> tuple[set[str], set[str]]:
        """(dataset URIs, source names) that the given services and products name."""
        datasets: set[str] = set()
        sources: set[str] = set()
        for uri in from_uris:
            for target, kind in self.db.execute("SELECT target, target_kind FROM links WHERE from_uri=?", (uri,)):
                (datasets if kind == "dataset" else sources).add(target)
        return datasets, sources

    # -- counts (see catalog.disclosure) ----------------------------------------------------
    def save_counts(self, uri: str, source: str, raw: str, hash: str, published: str, stamp: str) -> None:
        """Keep a dataset's raw counts with their published view (the pipeline, when it harvests them)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO counts(dataset_uri, source, raw, hash, published, stamp) VALUES (?,?,?,?,?,?)",
                (uri, source, raw, hash, published, stamp),
            )

    def drop_counts(self, uri: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM counts WHERE dataset_uri=?", (uri,))

    def counts_hashes(self, source: str) -> dict[str, str]:
        """Dataset URI -> hash of its raw counts, for a source (to tell what changed)."""
        return dict(self.db.execute("SELECT dataset_uri, hash FROM counts WHERE source=?", (source,)).fetchall())

    def published_counts(self, uri: str) -> str | None:
        """The published view of a dataset's counts (JSON, `catalog.disclosure.published_tables`)."""
        row = self.db.execute("SELECT published FROM counts WHERE dataset_uri=?", (uri,)).fetchone()
        return row[0] if row else None

    def raw_counts(self) -> Iterator[tuple[str, str, str, str]]:
        """(dataset URI, source, raw counts, stamp) of every dataset with counts.

        Only `catalog.disclosure.refresh` calls this (a test holds the code to it): raw counts are
        read back for one purpose, publishing them again under a new policy."""
        yield from self.db.execute("SELECT dataset_uri, source, raw, stamp FROM counts ORDER BY dataset_uri").fetchall()

    def save_published_counts(self, uri: str, published: str, stamp: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE counts SET published=?, stamp=? WHERE dataset_uri=?", (published, stamp, uri))

    # -- the access body's registers (EHDS Art. 58, 60, 78; see catalog.confirmations, uses, label) --
    def confirm(self, holder: str, by: str, note: str = "", at: str | None = None) -> str:
        """Record that `holder` confirmed its descriptions; returns when (now, unless `at` is given)."""
        at = at or now()
        with self.transaction() as db:
            db.execute("INSERT INTO confirmations(holder, at, by, note) VALUES (?,?,?,?)", (holder, at, by, note))
        return at

    def confirmations(self, holder: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Confirmations, the latest first (of one holder, or of every holder)."""
        where, args = ("WHERE holder=?", [holder]) if holder else ("", [])
        rows = self.db.execute(
            f"SELECT holder, at, by, note FROM confirmations {where} ORDER BY at DESC, id DESC LIMIT ?", (*args, limit)
        )
        return [dict(r) for r in rows.fetchall()]

    def last_confirmations(self) -> dict[str, dict[str, Any]]:
        """Each holder's latest confirmation."""
        rows = self.db.execute(
            "SELECT c.holder, c.at, c.by, c.note FROM confirmations c JOIN "
            "(SELECT holder, max(at) AS at FROM confirmations GROUP BY holder) m ON m.holder = c.holder AND m.at = c.at"
        )
        return {r["holder"]: dict(r) for r in rows.fetchall()}

    def save_uses(self, uses: Iterable[tuple[str, str, str, list[str]]], replace: bool = False) -> int:
        """Add or replace data uses (key, JSON, permit date, dataset URIs) in one transaction; with
        `replace`, the register becomes exactly these. Returns how many were written."""
        ts = now()
        n = 0
        with self.transaction() as db:
            if replace:
                db.execute("DELETE FROM use_datasets")
                db.execute("DELETE FROM uses")
            for key, data, permit_date, datasets in uses:
                db.execute(
                    "INSERT INTO uses(key, data, permit_date, imported) VALUES (?,?,?,?) ON CONFLICT(key) DO UPDATE "
                    "SET data=excluded.data, permit_date=excluded.permit_date, imported=excluded.imported",
                    (key, data, permit_date, ts),
                )
                db.execute("DELETE FROM use_datasets WHERE use_key=?", (key,))
                db.executemany(
                    "INSERT OR IGNORE INTO use_datasets(use_key, dataset_uri) VALUES (?,?)",
                    [(key, d) for d in datasets],
                )
                n += 1
        return n

    def uses(self, dataset: str | None = None) -> list[tuple[str, str, list[str]]]:
        """(key, JSON, dataset URIs) of the register's uses (of one dataset), the latest permit first."""
        if dataset:
            rows = self.db.execute(
                "SELECT u.key, u.data FROM uses u JOIN use_datasets d ON d.use_key = u.key WHERE d.dataset_uri=? "
                "ORDER BY u.permit_date DESC, u.key",
                (dataset,),
            ).fetchall()
        else:
            rows = self.db.execute("SELECT key, data FROM uses ORDER BY permit_date DESC, key").fetchall()
        links: dict[str, list[str]] = {}
        keys = [r["key"] for r in rows]
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            for link in self.db.execute(
                f"SELECT use_key, dataset_uri FROM use_datasets WHERE use_key IN ({','.join('?' * len(chunk))}) "
                "ORDER BY dataset_uri",
                chunk,
            ):
                links.setdefault(link["use_key"], []).append(link["dataset_uri"])
        return [(r["key"], r["data"], links.get(r["key"], [])) for r in rows]

    def use_counts(self, uris: Iterable[str] | None = None) -> dict[str, int]:
        """Dataset URI -> how many uses of the register name it (datasets named by none are left out)."""
        if uris is None:
            rows = self.db.execute("SELECT dataset_uri, count(*) FROM use_datasets GROUP BY dataset_uri").fetchall()
            return {r[0]: r[1] for r in rows}
        wanted = list(uris)
        out: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            out.update(
                (r[0], r[1])
                for r in self.db.execute(
                    f"SELECT dataset_uri, count(*) FROM use_datasets WHERE dataset_uri IN ({','.join('?' * len(chunk))}) "
                    "GROUP BY dataset_uri",
                    chunk,
                )
            )
        return out

    def save_labels(self, labels: Iterable[tuple[str, str, str, str, str]], moved: Iterable[str] = ()) -> None:
        """Keep datasets' labels (uri, record hash, inputs digest, label digest, JSON); the datasets
        in `moved` count as changed for the feeds (their last change moves, as their statements did)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO labels(uri, hash, inputs, digest, data) VALUES (?,?,?,?,?)", list(labels)
            )
            self._touch(db, moved)

    def stale_labels(self, source: str, inputs: str) -> list[str]:
        """The live datasets of `source` with no label, or one assessed on another version of the
        record or other inputs (an SQL join: an unchanged re-harvest reads no record)."""
        rows = self.db.execute(
            "SELECT r.uri FROM records r LEFT JOIN labels l ON l.uri = r.uri WHERE r.source=? AND r.kind='dataset' "
            "AND r.deleted_at IS NULL AND (l.uri IS NULL OR l.hash <> r.hash OR l.inputs <> ?) ORDER BY r.uri",
            (source, inputs),
        )
        return [r[0] for r in rows.fetchall()]

    def label_states(self, uris: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """uri -> (record hash, inputs digest, label digest) of the datasets' kept labels."""
        wanted = list(uris)
        out: dict[str, tuple[str, str, str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            out.update(
                (r[0], (r[1], r[2], r[3]))
                for r in self.db.execute(
                    f"SELECT uri, hash, inputs, digest FROM labels WHERE uri IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        return out

    def labels(self, uris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """uri -> (digest, JSON) of the datasets' labels (those that have one)."""
        wanted = list(uris)
        out: dict[str, tuple[str, str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            out.update(
                (r[0], (r[1], r[2]))
                for r in self.db.execute(
                    f"SELECT uri, digest, data FROM labels WHERE uri IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        return out

    def touch(self, uris: Iterable[str]) -> None:
        """The records' published statements changed without the records (a new use, a new label):
        their last change moves, so feeds and incremental harvesters see them change."""
        with self.transaction() as db:
            self._touch(db, uris)

    @staticmethod
    def _touch(db: sqlite3.Connection, uris: Iterable[str]) -> None:
        ts = now()
        db.executemany(
            "UPDATE records SET last_changed=? WHERE uri=? AND deleted_at IS NULL", [(ts, uri) for uri in uris]
        )

    # -- incremental state ------------------------------------------------------------------
    def state(self, source: str) -> dict[str, str]:
        row = self.db.execute("SELECT state FROM source_state WHERE source=?", (source,)).fetchone()
        return json.loads(row["state"]) if row else {}

    def save_state(self, source: str, state: dict[str, str]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO source_state(source, state) VALUES (?, ?) "
                "ON CONFLICT(source) DO UPDATE SET state=excluded.state",
                (source, json.dumps(state)),
            )


def _variable_changes(db: sqlite3.Connection, before: Record | None, after: Dataset, ts: str) -> None:
    """Record which variables of a dataset appeared, changed or disappeared in this write."""
    from catalog.model import dumps

    old = {v.uri: dumps(v) for v in before.variables} if isinstance(before, Dataset) else {}
    new = {v.uri: dumps(v) for v in after.variables}
    changes = [(uri, "new" if uri not in old else "changed") for uri in new if old.get(uri) != new[uri]]
    changes += [(uri, "deleted") for uri in old if uri not in new]
    db.executemany(
        "INSERT INTO variable_history(uri, dataset_uri, at, change) VALUES (?,?,?,?)",
        [(uri, after.uri, ts, change) for uri, change in changes],
    )


def _links(record: DataService | DataProduct) -> list[tuple[str, str, str, str]]:
    if isinstance(record, DataService):
        return [(record.uri, "serves", d, "dataset") for d in record.serves_datasets] + [
            (record.uri, "serves", s, "source") for s in record.serves_sources
        ]
    return [(record.uri, "derived_from", d, "dataset") for d in record.derived_from]


def process_token(pid: int | None = None) -> str:
    """pid plus the process's start time, so a reused pid is not mistaken for the harvester."""
    pid = pid or os.getpid()
    try:
        start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = "?"
    return f"{pid}:{start}"


def _alive(owner: str | None) -> bool:
    if not owner:
        return False
    pid = int(owner.split(":", 1)[0])
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return process_token(pid) == owner
