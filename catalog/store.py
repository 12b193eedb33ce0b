"""The single source of truth: records with provenance and history, harvest runs and errors,
the links between records, counts with their published view, and the access body's registers
(holders' confirmations, the data use register, the quality and utility labels).

The rest of the program sees the store through two interfaces. `StoreReader`, the read side, is
all the web, the feeds, export, SPARQL and the quality scores get: they cannot write (mypy checks
it, and the web's connections are opened read-only as well). `StoreWriter`, the write side, adds
runs, records, deletions, renderings, counts, confirmations, uses, labels and incremental state,
and only the pipeline and the CLI commands that are writers by name (harvest, reindex, import,
confirm, uses import, the scheduler carrying out the web's admin requests) open one. Raw counts,
and the digests of them, are on the write side only (`catalog.disclosure`).

Two implementations share the SQL (`SQLStore`) and pass one contract suite
(`tests/test_store_contract.py`): `SQLiteStore` (the default: standard library, WAL, one file) and
`catalog.store_postgres.PostgresStore` (psycopg 3), chosen by the `database_url` setting
(`open_store`, `open_reader`). Records are kept as canonical JSON of `catalog.model`; the schema
is versioned (`catalog.migrations`) and brought up to date when a store is opened.

Consistency rules the tests rely on:
- every write happens in a transaction, and write transactions are serialised (SQLite's write
  lock; an advisory lock in PostgreSQL), so a change's timestamp follows commit order and a
  follower reading changes after a cursor misses none; a killed process leaves whole records or none;
- a run is `running` until it is finished; a running run whose owner is gone becomes
  `interrupted` (when a writer opens the store, when a run of its source starts, and on
  `recover`); deletions and incremental checkpoints are written only when a run finishes
  successfully, so an interrupted run never deletes or skips anything.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, overload
from urllib.parse import unquote, urlsplit, urlunsplit

from catalog import migrations
from catalog.disclosure import published_table_text
from catalog.model import CodeList, DataProduct, DataService, Dataset, Record, dumps, key_for, loads

if TYPE_CHECKING:
    from catalog.config import Settings

OUTPUT_STATE = ":feeds"
"""The `source_state` row where a writer records what the feeds' bytes are made from (`saw_output`):
kept with the other state a writer carries between runs, without a table of its own. No source can
be named so (`config.SOURCE_NAME` starts with a word character)."""
INTERRUPTED = "the harvest was interrupted before it finished"
TABLES: tuple[tuple[str, str], ...] = (
    ("runs", "id"),
    ("errors", "id"),
    ("records", "uri"),
    ("history", "id"),
    ("variables", "key"),
    ("variable_history", "id"),
    ("renderings", "uri, profile"),
    ("source_state", "source"),
    ("links", "from_uri, relation, target, target_kind"),
    ("counts", "dataset_uri"),
    ("confirmations", "id"),
    ("uses", "key"),
    ("use_datasets", "use_key, dataset_uri"),
    ("labels", "uri"),
)
"""Every table of the catalogue and its key, runs before the errors that refer to them."""
COPY_BATCH = 1000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


ELSEWHERE = "elsewhere"
"""`put`'s answer for a record another source has live, with other content: it stays as that
source gave it. Two sources giving one URI (a registry's list published with another's base
URL, copied) took the record from each other at every harvest, and removing one deleted the
other's record. One that says the same is "unchanged" (a code list both publish); one the other
source no longer has is taken over ("restored")."""


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
    validation_raw: str | bytes | None = field(repr=False)
    """The validation report as the store holds it (`packed_report`; JSON text from older versions)."""
    referenced: bool | None = None
    """A code list's: whether a live dataset that conforms (one the EHDS feed carries) names it in
    a variable, as the store keeps it beside the record (`SQLStore._follow_references`); None for
    the other kinds."""

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

    def service(self) -> DataService:
        """The record, which the caller knows to be a data service (`linking(..., "serves")` gives them)."""
        record = self.record
        if not isinstance(record, DataService):
            raise TypeError(f"{self.uri} is a {self.kind}, not a data service")
        return record

    @cached_property
    def validation_json(self) -> str | None:
        return report_text(self.validation_raw)

    @cached_property
    def validation(self) -> dict[str, Any] | None:
        text = self.validation_json
        return json.loads(text) if text else None


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
class Outline:
    """What the store writes of a record besides its canonical JSON and what was made of it: its
    URI and kind, a dataset's variables (each as its key and URI, in the record's order), its links:
    a dataset's to the code lists its variables use, a service's or product's to its datasets. The pipeline's writing process is given this rather than the
    record when the record was prepared in another process (`catalog.prepare`): moving whole
    records between processes cost more than writing them."""

    uri: str
    kind: str
    variables: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, record: Record) -> Outline:
        if isinstance(record, Dataset):
            return cls(record.uri, record.kind, [(key_for(v.uri), v.uri) for v in record.variables], _links(record))
        if isinstance(record, DataService | DataProduct):
            return cls(record.uri, record.kind, links=_links(record))
        return cls(record.uri, record.kind)


@dataclass
class Put:
    """One record to write (`StoreWriter.put_many`): the record or its `Outline` (which comes with
    its `data`, its canonical JSON), its content hash, where it was fetched, its validation (a dict,
    its JSON, or both packed as the store keeps them: `packed_report`) and its renderings, profile
    -> (stamp, body) (`catalog.renderings`).

    The JSON may come as UTF-8 bytes, as `catalog.prepare` sends it from its processes: the text
    is then stored without being decoded and encoded again (for a dataset of 100 variables about
    90 KB, which the run's process otherwise turned into text and back: a twentieth of its CPU)."""

    record: Record | Outline
    hash: str
    fetch_url: str | None
    conforms: bool | None
    validation: dict[str, Any] | str | bytes | None
    data: str | bytes | None = None
    renderings: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _outlined(put: Put) -> tuple[Outline, str | bytes]:
    """What the store writes of a record: its outline and its canonical JSON."""
    if isinstance(put.record, Outline):
        if put.data is None:
            raise ValueError(f"the record {put.record.uri} is given by its outline, without its JSON")
        return put.record, put.data
    return Outline.of(put.record), put.data or dumps(put.record)


REPORT_LEVEL = 1
"""zlib's level for stored validation reports: its fastest, and as small as level 6 within a tenth."""


def packed_report(report: dict[str, Any] | str | bytes) -> bytes:
    """A validation report as the store keeps it: its JSON (UTF-8), zlib-compressed.

    A dataset's report names each finding's rule, its message and its hint in two languages for
    each variable it concerns: 73 KB for a held-out dataset of 100 variables, four fifths of the
    records table and of what a harvest wrote to the database (twice: its log, then the table),
    where compressed it is 3.5 KB, at ~1 us a variable in the preparing processes. Bytes that
    are not JSON text are taken as packed already (a zlib stream starts with 0x78, a report's
    JSON with `{`): `catalog.prepare` packs where it validates."""
    if isinstance(report, dict):
        report = json.dumps(report, ensure_ascii=False)
    if isinstance(report, str):
        report = report.encode()
    if report[:1] != b"{":
        return report
    return zlib.compress(report, REPORT_LEVEL)


@overload
def report_text(stored: str | bytes) -> str: ...
@overload
def report_text(stored: None) -> None: ...
@overload
def report_text(stored: str | bytes | None) -> str | None: ...
def report_text(stored: str | bytes | None) -> str | None:
    """A stored validation report's JSON, whichever way it is kept: packed (`packed_report`), or
    as JSON text (written by versions before it; on PostgreSQL as its UTF-8 since migration 3)."""
    if stored is None or isinstance(stored, str):
        return stored
    if stored[:1] == b"{":
        return stored.decode()
    try:
        return zlib.decompress(stored).decode()
    except (zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"a stored validation report is damaged: neither JSON nor zlib-packed JSON ({exc})") from exc


_COLUMNS = ", ".join(
    f"r.{c}"
    for c in (
        "uri key kind source hash first_seen last_changed deleted_at run_id fetch_url conforms validation referenced"
    ).split()
)
"""A `records` row's columns but its `data` (`SQLStore.dataset_with_variable`)."""


def _with_variables(rest: str, variables: str) -> str:
    """A dataset's JSON from the JSON of its object without `variables` and that of the variables."""
    head = rest.rstrip()[:-1].rstrip()  # the object without its closing brace
    return f'{head}{"," if head != "{" else ""}"variables":{variables}}}'


CODELIST = "codelist"
"""A dataset's link to a code list one of its variables uses: the link's relation and its target's kind."""
REFERENCED = (
    "EXISTS (SELECT 1 FROM links l JOIN records d ON d.uri = l.from_uri WHERE l.target = records.uri "
    "AND l.relation = 'codelist' AND d.kind = 'dataset' AND d.deleted_at IS NULL AND d.conforms = 1)"
)
"""Whether a live dataset that conforms names the `records` row at hand (a code list) in one of its
variables: what the EHDS feed asks of the code lists it carries (`Profile.referenced_kinds`). An
index lookup in `links` by target, then one in `records` for each dataset using the code list
until one conforms (~3 µs a code list). Asked when a write may change the answer, and kept in the
row's `referenced` column: asked by each feed page, for its total and its offset, it cost 250-400
ms a page of a nation-sized store (50,000 code lists), where the page's whole listing takes ~20 ms."""
IN_CHUNK = 500
"""Values asked for in one `IN (...)` (`SQLStore._tuples_in`)."""
TEXT = "CAST(? AS TEXT)"
"""A text column's placeholder in `put_many`'s statements: its value may come as UTF-8 bytes."""
RENDERINGS_UPSERT = (
    "INSERT INTO renderings(uri, profile, stamp, body) VALUES (?,?,?,?) "
    "ON CONFLICT(uri, profile) DO UPDATE SET stamp=excluded.stamp, body=excluded.body"
)


def _packed_at(row: Sequence[Any], i: int) -> tuple[Any, ...]:
    """A row to copy, with its validation report (column `i`, none if -1) packed: a store may hold
    reports as text from older versions, which PostgreSQL keeps only as bytes (migration 3)."""
    if i < 0 or row[i] is None:
        return tuple(row)
    return (*row[:i], packed_report(row[i]), *row[i + 1 :])


@dataclass
class _Rows:
    """The rows a batch of records writes (`SQLStore.put_many`), table by table, each table's in the
    order the records came."""

    inserted: list[tuple[Any, ...]] = field(default_factory=list)
    updated: list[tuple[Any, ...]] = field(default_factory=list)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    unlinked: list[tuple[str]] = field(default_factory=list)  # datasets, services and products whose links go
    links: list[tuple[str, str, str, str]] = field(default_factory=list)
    emptied: list[tuple[str]] = field(default_factory=list)  # datasets whose variables go
    variables: list[tuple[str, str, str]] = field(default_factory=list)
    variable_history: list[tuple[str, str, str, str]] = field(default_factory=list)
    renderings: list[tuple[str, str, str, bytes]] = field(default_factory=list)

    def write(self, store: SQLStore) -> None:
        """Inside the batch's transaction. A record's old links and variables go before any new
        ones come, which leaves what writing the records one by one left (a variable another
        dataset of the batch takes over is then that one's)."""
        statements: list[tuple[str, list[Any]]] = [
            (
                "INSERT INTO records(kind, source, data, hash, last_changed, run_id, fetch_url, conforms, "
                f"validation, uri, key, first_seen, last_seen) VALUES (?,?,{TEXT},?,?,?,?,?,?,?,?,?,?)",
                self.inserted,
            ),
            (
                f"UPDATE records SET kind=?, source=?, data={TEXT}, hash=?, last_changed=?, run_id=?, "
                "fetch_url=?, conforms=?, validation=?, last_seen=?, deleted_at=NULL WHERE uri=?",
                self.updated,
            ),
            ("INSERT INTO history(uri, run_id, at, change, hash) VALUES (?,?,?,?,?)", self.history),
            ("DELETE FROM links WHERE from_uri=?", self.unlinked),
            ("INSERT INTO links(from_uri, relation, target, target_kind) VALUES (?,?,?,?)", self.links),
            ("DELETE FROM variables WHERE dataset_uri=?", self.emptied),
            (
                "INSERT INTO variables(key, uri, dataset_uri) VALUES (?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET uri=excluded.uri, dataset_uri=excluded.dataset_uri",
                self.variables,
            ),
            ("INSERT INTO variable_history(uri, dataset_uri, at, change) VALUES (?,?,?,?)", self.variable_history),
            (RENDERINGS_UPSERT, self.renderings),
        ]
        for sql, rows in statements:
            if rows:
                store._execute_many(sql, rows)


@dataclass
class RunError:
    run_id: int
    source: str
    url: str | None
    record_id: str | None
    field: str | None
    message: str


class StoreReader(Protocol):
    """The read side of the store: what the web, feeds, export, SPARQL and quality scores use."""

    @property
    def url(self) -> str:
        """How to open the store again (`sqlite:///path` or `postgresql://...`): a harvest worker does."""
        ...

    @property
    def location(self) -> str:
        """Where the store is, for messages (never a password)."""
        ...

    def get(self, uri: str) -> StoredRecord | None: ...
    def get_by_key(self, key: str) -> StoredRecord | None: ...
    def dataset_of_variable(self, key: str) -> StoredRecord | None: ...
    def dataset_with_variable(self, key: str) -> StoredRecord | None:
        """`dataset_of_variable`, its `data` holding that variable alone of the dataset's variables."""
        ...

    def dataset_with_variables(self, key: str, variables: Iterable[str]) -> StoredRecord | None:
        """The dataset with this key, its `data` holding those of its variables whose keys are in
        `variables` (in its own order) and no other; None when no dataset has this key."""
        ...

    def title(self, key: str) -> dict[str, str] | None:
        """The title (lang -> text) of the record with this key, without reading the rest of it."""
        ...

    def datasets_of_variables(self, keys: Iterable[str]) -> dict[str, str]: ...
    def mentioning(self, uri: str) -> StoredRecord | None: ...
    def records(
        self,
        source: str | None = None,
        include_deleted: bool = False,
        kind: str | None = None,
        conforming_kinds: tuple[str, ...] = (),
        referenced_kinds: tuple[str, ...] = (),
    ) -> Iterator[StoredRecord]: ...
    def listing(
        self,
        offset: int = 0,
        limit: int = 100,
        changed_since: str | None = None,
        include_deleted: bool = False,
        conforming_kinds: tuple[str, ...] = (),
        referenced_kinds: tuple[str, ...] = (),
    ) -> tuple[int, list[StoredRecord]]: ...
    def count(self, kind: str | None = None) -> int: ...
    def source_stats(self) -> dict[str, dict[str, int]]: ...
    def conformance(self, source: str) -> tuple[int, int]: ...
    def validations(self, source: str) -> Iterator[dict[str, Any]]: ...
    def known(self, source: str) -> dict[str, str]: ...
    def version(self) -> str | None: ...
    def history(self, uri: str) -> list[dict[str, Any]]: ...
    def changes_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]: ...
    def variable_changes_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]: ...
    def touched_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]: ...
    def renderings(self, uris: list[str], profile: str, bodies: bool = True) -> dict[str, tuple[str, bytes]]: ...
    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]: ...
    def run(self, run_id: int) -> Run | None: ...
    def last_run(self, source: str) -> Run | None: ...
    def running_now(self, source: str) -> bool: ...
    def run_summary(self, bounds: Sequence[float]) -> list[RunSummary]: ...
    def last_finished_run(self, source: str) -> Run | None: ...
    def last_harvest(self, source: str, before: str | None = None) -> str | None: ...
    def errors(self, run_id: int) -> list[RunError]: ...
    def state(self, source: str) -> dict[str, str]: ...
    def output_seen(self) -> tuple[str, str] | None:
        """(digest, since): the feeds' `renderings.output_digest` a writer last recorded and when it
        first saw it (`saw_output`); None when none has."""
        ...

    def schema_version(self) -> int: ...
    # links between records: services and products -> datasets
    def linking(self, dataset_uri: str, source: str, relation: str) -> list[StoredRecord]: ...
    def linked(self, from_uri: str, relation: str) -> list[StoredRecord]: ...
    def changed_in_runs(self, run_ids: list[int], kind: str) -> list[StoredRecord]: ...
    def link_targets(self, from_uris: Iterable[str]) -> tuple[set[str], set[str]]: ...
    # counts: their published view only (raw counts and their digests are on the write side)
    def published_counts(self, uri: str) -> str | None: ...
    def published_table(self, uri: str, variable: str) -> str | None:
        """The published table (JSON) of one variable of a dataset's counts, found in its
        `published_counts` without decoding the others; None when there is none (the last of any
        duplicates)."""
        ...

    # the access body's registers: confirmations, data uses, labels
    def confirmations(self, holder: str | None = None, limit: int = 1000) -> list[dict[str, Any]]: ...
    def last_confirmations(self) -> dict[str, dict[str, Any]]: ...
    def uses(self, dataset: str | None = None) -> list[tuple[str, str, list[str]]]: ...
    def use_counts(self, uris: Iterable[str] | None = None) -> dict[str, int]: ...
    def stale_labels(self, source: str, inputs: str) -> list[str]: ...
    def label_states(self, uris: Iterable[str]) -> dict[str, tuple[str, str, str]]: ...
    def labels(self, uris: Iterable[str]) -> dict[str, tuple[str, str]]: ...
    def live_labels(self) -> Iterator[tuple[str, str, str | None]]: ...
    def close(self) -> None: ...


class StoreWriter(StoreReader, Protocol):
    """The write side: only the pipeline and the CLI's writing commands get one."""

    migrated: tuple[int, ...]
    """The schema steps opening it applied (none when it was up to date)."""

    def transaction(self) -> AbstractContextManager[object]:
        """Group writes into one transaction (the calls inside join it)."""
        ...

    def start_run(self, source: str) -> int: ...
    def try_start_run(self, source: str) -> int | None: ...
    def finish_run(self, run_id: int, status: str, counts: dict[str, int], error: str | None = None) -> None: ...
    def abandon_run(self, run_id: int) -> None:
        """Give up a run whose end could not be written (`StoreUnavailable`): its claim goes, so the
        store shows it interrupted, and due again, once it answers."""
        ...

    def failing_fast(self) -> AbstractContextManager[object]:
        """Within this (a harvest), once a statement finds the store unreachable (cut off at its
        deadline, or no connection made), every other fails at once with the same error."""
        ...

    def unreachable(self) -> str | None:
        """The error that found the store unreachable within `failing_fast`, if one did."""
        ...

    def found_unreachable(self, error: str) -> None:
        """Within `failing_fast`: the store was found unreachable elsewhere (a harvest's worker
        process), with `error`; the statements here then fail at once with it."""
        ...

    def asking_again(self) -> AbstractContextManager[bool]:
        """Within `failing_fast`, once the store was found unreachable: the statements of this
        block, in this thread, ask the server once more, the first time only (gives whether they
        do); if they are answered, the store is taken as reachable again. A run's end is worth
        that: recorded, it keeps the run's error for the operator."""
        ...

    def recover(self) -> int: ...
    def add_errors(self, run_id: int, source: str, errors: Iterable[RunError]) -> None: ...
    def put(
        self,
        source: str,
        run_id: int,
        record: Record | Outline,
        hash: str,
        fetch_url: str | None,
        conforms: bool | None,
        validation: dict[str, Any] | str | None,
        data: str | None = None,
    ) -> str: ...
    def put_many(self, source: str, run_id: int, puts: Sequence[Put]) -> list[str]: ...
    def revalidated(self, uri: str, conforms: bool, validation: dict[str, Any], changed: bool) -> None: ...
    def mark_deleted(self, uris: Iterable[str], run_id: int) -> int: ...
    def save_renderings(self, uri: str, renderings: dict[str, tuple[str, bytes]]) -> None: ...
    def save_state(self, source: str, state: dict[str, str]) -> None: ...
    def saw_output(self, digest: str) -> str:
        """Record that the feeds' bytes are now made from `digest` (`renderings.output_digest`),
        with the store's time, unless it is the one recorded already; when it was first seen."""
        ...

    def save_counts(self, uri: str, source: str, raw: str, hash: str, published: str, stamp: str) -> None: ...
    def drop_counts(self, uri: str) -> None: ...
    def counts_hashes(self, source: str) -> dict[str, str]: ...
    def raw_counts(self) -> Iterator[tuple[str, str, str, str]]: ...
    def save_published_counts(self, uri: str, published: str, stamp: str) -> None: ...
    def confirm(self, holder: str, by: str, note: str = "", at: str | None = None) -> str: ...
    def save_uses(self, uses: Iterable[tuple[str, str, str, list[str]]], replace: bool = False) -> int: ...
    def save_labels(self, labels: Iterable[tuple[str, str, str, str, str]], moved: Iterable[str] = ()) -> None: ...
    def touch(self, uris: Iterable[str]) -> None: ...


class ReadOnlyStore(RuntimeError):
    """A write was attempted through a store opened for reading."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or used; the message names it (without its password)."""


def display_url(url: str) -> str:
    """`url` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return masked(url)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


_PASSWORD = re.compile(r":[^:@/\s\"]*@")


def masked(text: str) -> str:
    """Text with any "user:password@" written in it as "user:***@": a malformed URL is no URL to
    take apart, and the driver's message about it quotes it whole ("missing "=" after ...")."""
    return _PASSWORD.sub(":***@", text)


def clean_text(value: str | None) -> str | None:
    """Text as both backends can keep it: PostgreSQL refuses NUL characters, which hostile input
    can carry into an error message or a record id (U+FFFD takes their place, in both backends)."""
    return value.replace("\x00", "\ufffd") if value else value


class SQLStore(ABC):
    """The store's logic in SQL both backends run; each subclass supplies the connection,
    transactions, the clock of writes, liveness of run owners and its few dialect differences.

    Statements are written with `?` placeholders (the PostgreSQL store translates them)."""

    readonly: bool
    migrated: tuple[int, ...] = ()
    """The schema steps this process applied when it opened the store (`catalog migrate` says them)."""
    EMPTY_BODY = "X''"
    """An empty blob literal: the bodies left unread by `renderings(bodies=False)`."""
    CONTAINS = "instr({column}, ?) > 0"
    WITH_VARIABLE = (
        "SELECT {columns}, json_remove(r.data, '$.variables') AS rest, (SELECT e.value FROM "
        "json_each(r.data, '$.variables') e WHERE json_extract(e.value, '$.uri') = v.uri) AS variable "
        "FROM variables v JOIN records r ON r.uri = v.dataset_uri WHERE v.key=?"
    )
    """A variable's dataset without its variables (`rest`) and the variable (`variable`), as JSON
    text: the database's JSON functions read the record's text, where decoding it in Python
    built every variable (`dataset_with_variable`)."""
    WITH_VARIABLES = (
        "SELECT {columns}, json_remove(r.data, '$.variables') AS rest, (SELECT json_group_array(json_array(e.key, "
        "json(e.value))) FROM json_each(r.data, '$.variables') e WHERE json_extract(e.value, '$.uri') IN "
        "(SELECT v.uri FROM variables v WHERE v.key IN (SELECT value FROM json_each(?)))) AS chosen "
        "FROM records r WHERE r.key=? AND r.kind='dataset'"
    )
    """A dataset without its variables (`rest`) and, as a JSON array of [place, variable], those of
    its variables with one of the keys given as a JSON array (`chosen`): the places order them, as
    an aggregate's order is not promised (and ORDER BY in its subquery made it half as slow again)
    (`dataset_with_variables`)."""
    TITLE = "SELECT json_extract(data, '$.title') FROM records WHERE key=?"
    """A record's title as JSON text (`title`)."""
    RUN_COUNT = "coalesce(json_extract(counts, '$.{key}'), 0)"
    """One of a run's counts, from the JSON it keeps them in."""
    RUN_SECONDS = "(julianday(finished) - julianday(started)) * 86400.0"
    """How long a run took."""

    # -- what a backend supplies -------------------------------------------------------------
    @property
    @abstractmethod
    def url(self) -> str: ...

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store is, for messages (never a password)."""

    @abstractmethod
    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        """Rows addressable by column name."""

    @abstractmethod
    def _tuples(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Plain tuples: building row objects took most of the time for 50,000 records."""

    @abstractmethod
    def _execute(self, sql: str, args: Iterable[Any] = ()) -> int:
        """A write inside the current transaction; the number of rows it touched."""

    @abstractmethod
    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[object]: ...

    @abstractmethod
    def _now(self) -> str:
        """The time of a write, taken inside its transaction (after the write lock)."""

    @abstractmethod
    def _owner(self, source: str) -> str:
        """Who is running a harvest of `source` now (kept with the run)."""

    @abstractmethod
    def _owner_alive(self, source: str, owner: str | None) -> bool:
        """Whether the owner recorded with a running run of `source` is still at work."""

    # A backend that needs more than its write transaction to keep two runs of a source apart
    # (PostgreSQL, across hosts) claims the source before the run starts and holds the claim
    # until it finishes.
    @abstractmethod
    def _claim(self, source: str) -> bool:
        """Before a run of `source` starts: False when a live process already runs one."""

    @abstractmethod
    def _unclaim(self, source: str) -> None:
        """The run did not start after all."""

    @abstractmethod
    def _claimed(self, source: str, run_id: int) -> None:
        """The claim on `source` now belongs to the run `run_id`."""

    @abstractmethod
    def _release(self, run_id: int) -> None:
        """After a run finished: its claim goes."""

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def _columns(self, table: str) -> list[str]: ...

    @abstractmethod
    def _after_copy(self) -> None:
        """After rows were copied in with their ids: new rows must not reuse them."""

    @abstractmethod
    def close(self) -> None: ...

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _text(value: Any) -> Any:
        """A text column's value as this backend binds it: UTF-8 bytes go as they are, into SQL
        that casts them (`TEXT`), so SQLite stores the same text without a decode and an encode."""
        return value

    def _tuples_in(self, sql: str, values: Sequence[Any], before: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """`_tuples` of `sql` for many `values` of one `IN ({in})`, asked 500 at a time (SQLite binds
        a bounded number of parameters); `before` are the arguments ahead of them."""
        for i in range(0, len(values), IN_CHUNK):
            chunk = values[i : i + IN_CHUNK]
            yield from self._tuples(sql.replace("{in}", ",".join("?" * len(chunk))), (*before, *chunk))

    def _row(self, sql: str, args: Iterable[Any] = ()) -> Any | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    def _value(self, sql: str, args: Iterable[Any] = ()) -> Any:
        rows = self._tuples(sql, args)
        return rows[0][0] if rows else None

    def _writable(self) -> None:
        if self.readonly:
            raise ReadOnlyStore(f"the store {self.location} was opened for reading; only the pipeline writes")

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, source: str) -> int:
        run = self.try_start_run(source)
        if run is None:
            raise RuntimeError(f"source {source} is already being harvested")
        return run

    def try_start_run(self, source: str) -> int | None:
        """Open a run unless one of this source is already running in a live process (None then).

        The backend's claim and the check and insert in one write transaction make sure two
        processes never both start."""
        self._writable()
        if not self._claim(source):
            return None
        run_id: int | None = None
        try:
            with self.transaction():
                ts = self._now()
                running = self._rows("SELECT id, owner FROM runs WHERE source=? AND status='running'", (source,))
                if not any(self._owner_alive(source, row["owner"]) for row in running):
                    for row in running:
                        self._interrupt(row["id"], ts)
                    rows = self._rows(
                        "INSERT INTO runs(source, started, status, owner) VALUES (?,?,?,?) RETURNING id",
                        (source, ts, "running", self._owner(source)),
                    )
                    run_id = int(rows[0]["id"])
        finally:
            if run_id is None:
                self._unclaim(source)
        if run_id is not None:
            self._claimed(source, run_id)
        return run_id

    def _interrupt(self, run_id: int, ts: str) -> None:
        self._execute(
            "UPDATE runs SET status='interrupted', finished=?, error=? WHERE id=? AND status='running'",
            (ts, INTERRUPTED, run_id),
        )

    def recover(self) -> int:
        """Runs left `running` by an owner that is gone become interrupted; how many."""
        self._writable()
        n = 0
        with self.transaction():
            ts = self._now()
            for row in self._rows("SELECT id, source, owner FROM runs WHERE status='running'"):
                if not self._owner_alive(row["source"], row["owner"]):
                    self._interrupt(row["id"], ts)
                    n += 1
        return n

    def finish_run(self, run_id: int, status: str, counts: dict[str, int], error: str | None = None) -> None:
        self._writable()
        with self.transaction():
            self._execute(
                "UPDATE runs SET finished=?, status=?, counts=?, error=? WHERE id=?",
                (self._now(), status, json.dumps(counts), clean_text(error), run_id),
            )
        self._release(run_id)

    def abandon_run(self, run_id: int) -> None:
        self._release(run_id)  # SQLite's claim is the run's row and its owner's life: nothing more to give up

    @contextmanager
    def failing_fast(self) -> Iterator[None]:
        """Nothing here: a file answers or fails at once (the PostgreSQL store's fails fast)."""
        yield

    def unreachable(self) -> str | None:
        return None

    def found_unreachable(self, error: str) -> None:
        """Nothing here (see `failing_fast`)."""
        return None

    @contextmanager
    def asking_again(self) -> Iterator[bool]:
        yield False

    def add_errors(self, run_id: int, source: str, errors: Iterable[RunError]) -> None:
        self._writable()
        rows = [
            (run_id, source, clean_text(e.url), clean_text(e.record_id), clean_text(e.field), clean_text(e.message))
            for e in errors
        ]
        if not rows:
            return
        with self.transaction():
            self._execute_many(
                "INSERT INTO errors(run_id, source, url, record_id, field, message) VALUES (?,?,?,?,?,?)", rows
            )

    @staticmethod
    def _run(row: Any) -> Run:
        return Run(
            int(row["id"]),
            row["source"],
            row["started"],
            row["finished"],
            row["status"],
            json.loads(row["counts"]),
            row["error"],
        )

    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]:
        if source:
            rows = self._rows("SELECT * FROM runs WHERE source=? ORDER BY id DESC LIMIT ?", (source, limit))
        else:
            rows = self._rows("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._seen(r) for r in rows]

    def _seen(self, row: Any) -> Run:
        """A run as it is: one left `running` by a harvester that is gone is interrupted, as the next
        writer to open the store records it (`recover`). Until then the source pages, the API and
        `catalog sources list` said "running" (the operator's drill: a scheduler killed mid-harvest);
        only /metrics asked whether the run's owner was alive."""
        run = self._run(row)
        if run.status == "running" and not self._owner_alive(run.source, row["owner"]):
            return replace(run, status="interrupted", error=INTERRUPTED)
        return run

    def last_run(self, source: str) -> Run | None:
        runs = self.runs(source, 1)
        return runs[0] if runs else None

    def run(self, run_id: int) -> Run | None:
        """One run by its number (a catalogue record's `prov:wasGeneratedBy` names it)."""
        rows = self._rows("SELECT * FROM runs WHERE id=?", (run_id,))
        return self._seen(rows[0]) if rows else None

    def running_now(self, source: str) -> bool:
        """Whether a run of `source` is at work now. A run left `running` by a harvester that is gone
        (killed, or a scheduler stopped mid-harvest) stays so in the store until a writer opens it
        (`recover`): monitoring, which only reads, asks this instead of trusting the status."""
        rows = self._rows("SELECT owner FROM runs WHERE source=? AND status='running'", (source,))
        return any(self._owner_alive(source, row["owner"]) for row in rows)

    def run_summary(self, bounds: Sequence[float]) -> list[RunSummary]:
        """Every finished run summed per source and status, with how many took at most each of
        `bounds` seconds: monitoring derives its harvest figures from this table, the truth
        whichever process or host harvested. One pass over the runs: 70 ms for 42,000 (a year of
        115 sources harvested daily)."""
        counts = ", ".join(f"{self.RUN_COUNT.format(key=k)} AS {k}" for k in RUN_COUNTS)
        sums = ", ".join(f"sum({k})" for k in RUN_COUNTS)
        within = "".join(", sum(CASE WHEN seconds <= ? THEN 1 ELSE 0 END)" for _ in bounds)
        rows = self._tuples(
            f"WITH r AS MATERIALIZED (SELECT source, status, {counts}, {self.RUN_SECONDS} AS seconds "
            "FROM runs WHERE status <> 'running' AND finished IS NOT NULL) "
            f"SELECT source, status, count(*), coalesce(sum(seconds), 0), {sums}{within} FROM r "
            "GROUP BY source, status ORDER BY source, status",
            [float(b) for b in bounds],
        )
        n = len(RUN_COUNTS)
        return [
            RunSummary(
                row[0],
                row[1],
                int(row[2]),
                dict(zip(RUN_COUNTS, (int(v) for v in row[4 : 4 + n]), strict=True)),
                float(row[3]),
                [int(v) for v in row[4 + n :]],
            )
            for row in rows
        ]

    def last_finished_run(self, source: str) -> Run | None:
        row = self._row(
            "SELECT * FROM runs WHERE source=? AND status IN ('ok','failed') ORDER BY id DESC LIMIT 1", (source,)
        )
        return self._run(row) if row else None

    def errors(self, run_id: int) -> list[RunError]:
        rows = self._rows("SELECT * FROM errors WHERE run_id=? ORDER BY id", (run_id,))
        return [
            RunError(int(r["run_id"]), r["source"], r["url"], r["record_id"], r["field"], r["message"]) for r in rows
        ]

    # -- records ----------------------------------------------------------------------------
    def known(self, source: str) -> dict[str, str]:
        return dict(self._tuples("SELECT uri, hash FROM records WHERE source=? AND deleted_at IS NULL", (source,)))

    def put(
        self,
        source: str,
        run_id: int,
        record: Record | Outline,
        hash: str,
        fetch_url: str | None,
        conforms: bool | None,
        validation: dict[str, Any] | str | None,
        data: str | None = None,
    ) -> str:
        """Insert or update; returns new | changed | unchanged (| restored for a deleted one back;
        | `ELSEWHERE` for one another source has, left as it is).
        `data` and `validation` may come as JSON already (`catalog.prepare` makes them elsewhere);
        a record given by its `Outline` comes with its `data`."""
        (change,) = self.put_many(source, run_id, [Put(record, hash, fetch_url, conforms, validation, data)])
        return change

    def put_many(self, source: str, run_id: int, puts: Sequence[Put]) -> list[str]:
        """`put` and `save_renderings` of each record in turn, in one transaction; the changes.

        The rows written are those the calls one by one would write, in the same order; only each
        table's rows for the whole batch go in one statement (a batch of 100 datasets took about
        nine statements a record before, a tenth of the store's CPU with their Python around them).
        A URI given twice is written twice, in turn."""
        self._writable()
        items = [_outlined(p) for p in puts]
        uris = [outline.uri for outline, _data in items]
        if len(set(uris)) < len(uris):
            with self.transaction():
                return [change for p in puts for change in self.put_many(source, run_id, [p])]
        rows = _Rows()
        with self.transaction():
            stored = self._stored_for_put(uris)
            changes = [
                self._put_rows(rows, source, run_id, p, outline, data, stored.get(outline.uri))
                for p, (outline, data) in zip(puts, items, strict=True)
            ]
            written = [
                o for (o, _data), change in zip(items, changes, strict=True) if change not in ("unchanged", ELSEWHERE)
            ]
            datasets = [o for o in written if o.kind == "dataset"]
            codelists = self._codelists_of([d.uri for d in datasets])  # before their links are written again
            codelists.update(t for d in datasets for _uri, relation, t, _kind in d.links if relation == CODELIST)
            codelists.update(o.uri for o in written if o.kind == CODELIST)
            rows.write(self)
            self._follow_references(codelists, {o.uri for o in written})
        return changes

    def _codelists_of(self, datasets: Sequence[str]) -> set[str]:
        """The code lists these datasets' variables use, as the store has them now."""
        sql = f"SELECT target FROM links WHERE relation='{CODELIST}' AND from_uri IN ({{in}})"
        return {target for (target,) in self._tuples_in(sql, datasets)}

    def _follow_references(self, codelists: set[str], written: AbstractSet[str] = frozenset()) -> None:
        """After a write (in its transaction) that may have changed which of `codelists` a live
        dataset that conforms uses (`REFERENCED`): the `referenced` column of those whose answer
        changed is set, and a live one's last change moves then, as `touch` moves it, unless the
        write wrote the code list itself (`written`). A code list enters or leaves the EHDS feed
        with the datasets that use it, its own record unchanged, and a harvester asking what
        changed since must be told. Two indexed queries on those code lists: none when no dataset
        or code list changed."""
        if not codelists:
            return
        wanted = sorted(codelists)
        used = {
            uri for (uri,) in self._tuples_in(f"SELECT uri FROM records WHERE uri IN ({{in}}) AND {REFERENCED}", wanted)
        }
        kept = self._tuples_in(
            "SELECT uri, referenced, deleted_at FROM records WHERE kind='codelist' AND uri IN ({in})", wanted
        )
        flipped = [
            (uri, gone) for uri, referenced, gone in kept if referenced is None or bool(referenced) != (uri in used)
        ]
        self._execute_many(
            "UPDATE records SET referenced=? WHERE uri=?", [(int(uri in used), uri) for uri, _ in flipped]
        )
        self._touch(uri for uri, gone in flipped if gone is None and uri not in written)

    def _stored_for_put(self, uris: list[str]) -> dict[str, tuple[str, str | None, str, str, str]]:
        """uri -> (hash, deleted_at, source, kind, data) of the records stored already."""
        return {
            uri: (hash_, deleted_at, source, kind, data)
            for uri, hash_, deleted_at, source, kind, data in self._tuples_in(
                "SELECT uri, hash, deleted_at, source, kind, data FROM records WHERE uri IN ({in})", uris
            )
        }

    def _put_rows(
        self,
        rows: _Rows,
        source: str,
        run_id: int,
        p: Put,
        outline: Outline,
        data: str | bytes,
        row: tuple[str, str | None, str, str, str] | None,
    ) -> str:
        """What `put_many` writes of one record, added to `rows`; its change."""
        uri = outline.uri
        if row is not None and row[0] == p.hash and row[1] is None:
            return "unchanged"  # as stored, by this source or by another saying the same
        if row is not None and row[1] is None and row[2] != source:
            return ELSEWHERE
        ts = self._now()
        validation = p.validation
        values = (
            outline.kind,
            source,
            self._text(data),
            p.hash,
            ts,
            run_id,
            p.fetch_url,
            None if p.conforms is None else int(p.conforms),
            None if validation is None else packed_report(validation),
        )
        if row is None:
            change = "new"
            rows.inserted.append((*values, uri, key_for(uri), ts, ts))
        else:
            change = "restored" if row[1] else "changed"
            rows.updated.append((*values, ts, uri))
        rows.history.append((uri, run_id, ts, change, p.hash))
        if outline.kind in ("dataset", "service", "product"):
            rows.unlinked.append((uri,))
            rows.links += outline.links
        if outline.kind == "dataset":
            before = row[4] if row is not None and not row[1] else None
            rows.variable_history += self._variable_changes(before, data, outline, ts)
            if row is not None:  # a new dataset has no variables yet
                rows.emptied.append((uri,))
            rows.variables += [(key, v, uri) for key, v in outline.variables]
        rows.renderings += [(uri, profile, stamp, body) for profile, (stamp, body) in p.renderings.items()]
        return change

    def revalidated(self, uri: str, conforms: bool, validation: dict[str, Any], changed: bool) -> None:
        """A record validated again because the operator's settings changed its published view.

        The record itself is as its source said (no history entry); `changed` (the EHDS feed now
        shows it differently, or carries it or not) moves its last change, so a harvester of our
        feed asking `modified_since` sees it arrive, change or leave."""
        self._writable()
        with self.transaction():
            self._execute(
                "UPDATE records SET conforms=?, validation=?"
                + (", last_changed=?" if changed else "")
                + " WHERE uri=?",
                (int(conforms), packed_report(validation), *((self._now(),) if changed else ()), uri),
            )
            self._follow_references(self._codelists_of([uri]))

    @staticmethod
    def _variable_changes(
        before: str | None, data: str | bytes, after: Outline, ts: str
    ) -> list[tuple[str, str, str, str]]:
        """The rows of `variable_history` for a dataset written: which variables appeared, changed or
        disappeared.

        `before` and `data` are the dataset's canonical JSON before and now: a variable changed when
        its part of them differs. (Comparing their parts as parsed JSON, rather than loading the old
        record and dumping every variable of both, made a new dataset of 100 variables cost nothing
        here, and a changed one a tenth.)"""
        if before is None:
            changes = [(uri, "new") for uri in dict.fromkeys(v for _key, v in after.variables)]
        else:
            old = {v["uri"]: v for v in json.loads(before).get("variables", ())}
            new = {v["uri"]: v for v in json.loads(data).get("variables", ())}
            changes = [(uri, "new" if uri not in old else "changed") for uri in new if old.get(uri) != new[uri]]
            changes += [(uri, "deleted") for uri in old if uri not in new]
        return [(uri, after.uri, ts, change) for uri, change in changes]

    def last_harvest(self, source: str, before: str | None = None) -> str | None:
        """When the source's latest successful run (ended before `before`) finished: every live record
        of the source was seen then.

        Records do not keep this themselves: an unchanged record is never written (its run_id names
        the run that stored this version, its provenance), because rewriting every record's row on
        every run made an unchanged re-harvest cost as much I/O as the catalogue's size."""
        value: str | None = self._value(
            "SELECT max(finished) FROM runs WHERE source=? AND status='ok' AND finished < ?", (source, before or "9999")
        )
        return value

    def mark_deleted(self, uris: Iterable[str], run_id: int) -> int:
        self._writable()
        gone = list(uris)
        n = 0
        with self.transaction():
            ts = self._now()
            for uri in gone:
                if self._execute(
                    "UPDATE records SET deleted_at=?, last_changed=?, run_id=? WHERE uri=? AND deleted_at IS NULL",
                    (ts, ts, run_id, uri),
                ):
                    n += 1
                    self._execute(
                        "INSERT INTO variable_history(uri, dataset_uri, at, change) "
                        "SELECT uri, dataset_uri, ?, 'deleted' FROM variables WHERE dataset_uri=? ORDER BY uri",
                        (ts, uri),
                    )
                    self._execute(
                        "INSERT INTO history(uri, run_id, at, change) VALUES (?,?,?,?)", (uri, run_id, ts, "deleted")
                    )
            self._follow_references(self._codelists_of(gone), set(gone))
        return n

    @staticmethod
    def _stored(row: Any) -> StoredRecord:
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
            int(row["run_id"]),
            row["fetch_url"],
            None if row["conforms"] is None else bool(row["conforms"]),
            row["validation"],
            None if row["referenced"] is None else bool(row["referenced"]),
        )

    def get(self, uri: str) -> StoredRecord | None:
        row = self._row("SELECT * FROM records WHERE uri=?", (uri,))
        return self._stored(row) if row else None

    def get_by_key(self, key: str) -> StoredRecord | None:
        row = self._row("SELECT * FROM records WHERE key=?", (key,))
        return self._stored(row) if row else None

    def dataset_of_variable(self, key: str) -> StoredRecord | None:
        """The dataset record holding the variable with this key (variables live inside datasets)."""
        row = self._row("SELECT r.* FROM variables v JOIN records r ON r.uri = v.dataset_uri WHERE v.key=?", (key,))
        return self._stored(row) if row else None

    def dataset_with_variable(self, key: str) -> StoredRecord | None:
        """The dataset record holding the variable with this key, as `dataset_of_variable` gives it,
        but its `data` holding that variable alone of its variables: the page, the comparison or
        the RDF of one variable of a registry's dataset of 100,000 variables (17 MB of JSON) decoded
        all of them, 1.5 s, where the database picks the one out in a tenth of that."""
        row = self._row(self.WITH_VARIABLE.format(columns=_COLUMNS), (key,))
        if row is None or row["variable"] is None:
            return None
        return self._stored({**dict(row), "data": _with_variables(row["rest"], f"[{row['variable']}]")})

    def dataset_with_variables(self, key: str, variables: Iterable[str]) -> StoredRecord | None:
        """The dataset record with this key, its `data` holding those of its variables whose keys
        are in `variables`, in the dataset's order, and no other (none when none is): the basket and
        its exports of a few variables of a registry's dataset of 100,000 variables decoded all of
        them, 1.1 s a dataset, where the database picks the few out. Deleted or not, as `get`
        gives it; None when no dataset has this key."""
        row = self._row(self.WITH_VARIABLES.format(columns=_COLUMNS), (json.dumps(sorted(set(variables))), key))
        if row is None:
            return None
        placed = sorted(json.loads(row["chosen"] or "[]"), key=lambda pair: int(pair[0]))
        variables = json.dumps([v for _place, v in placed], ensure_ascii=False)
        return self._stored({**dict(row), "data": _with_variables(row["rest"], variables)})

    def title(self, key: str) -> dict[str, str] | None:
        """The title (lang -> text) of the record with this key, None when it has none or there is
        no such record: the search page's chip of a dataset filter says its dataset's title, which
        decoding the whole record made 1.5 s of a search within a dataset of 100,000 variables."""
        text = self._value(self.TITLE, (key,))
        title = json.loads(text) if text else None
        return title if isinstance(title, dict) and title else None

    def records(
        self,
        source: str | None = None,
        include_deleted: bool = False,
        kind: str | None = None,
        conforming_kinds: tuple[str, ...] = (),
        referenced_kinds: tuple[str, ...] = (),
    ) -> Iterator[StoredRecord]:
        """Streams records in URI order, in batches, so a million variables fit in memory; the kinds
        kept only when they conform or are used as in `listing`."""
        where, args = self._where(
            source=source,
            kind=kind,
            include_deleted=include_deleted,
            conforming_kinds=conforming_kinds,
            referenced_kinds=referenced_kinds,
        )
        last = ""
        while True:
            rows = self._rows(f"SELECT * FROM records WHERE {where} AND uri > ? ORDER BY uri LIMIT 500", (*args, last))
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
        referenced_kinds: tuple[str, ...] = (),
    ) -> tuple[str, list[Any]]:
        conditions = [("source=?", source), ("kind=?", kind), ("last_changed > ?", changed_since)]
        where = [sql for sql, value in conditions if value]
        args: list[Any] = [value for _sql, value in conditions if value]
        if not include_deleted:
            where.append("deleted_at IS NULL")
        if conforming_kinds:
            where.append(f"(kind NOT IN ({','.join('?' * len(conforming_kinds))}) OR conforms = 1)")
            args.extend(conforming_kinds)
        if referenced_kinds:
            where.append(f"(kind NOT IN ({','.join('?' * len(referenced_kinds))}) OR referenced = 1)")
            args.extend(referenced_kinds)
        return " AND ".join(where or ["1=1"]), args

    def listing(
        self,
        offset: int = 0,
        limit: int = 100,
        changed_since: str | None = None,
        include_deleted: bool = False,
        conforming_kinds: tuple[str, ...] = (),
        referenced_kinds: tuple[str, ...] = (),
    ) -> tuple[int, list[StoredRecord]]:
        """One page of records in URI order and the total that match, for paged feeds.

        `changed_since` keeps records whose last change (deletion included) is later than it;
        records of `conforming_kinds` are kept only when they conform (a profile's `checked_kinds`),
        those of `referenced_kinds` only when a live dataset that conforms uses them (a profile's
        `referenced_kinds`: the `referenced` column the writer keeps, `REFERENCED`).
        """
        where, args = self._where(
            changed_since=changed_since,
            include_deleted=include_deleted,
            conforming_kinds=conforming_kinds,
            referenced_kinds=referenced_kinds,
        )
        total = int(self._value(f"SELECT count(*) FROM records WHERE {where}", args))
        rows = self._rows(f"SELECT * FROM records WHERE {where} ORDER BY uri LIMIT ? OFFSET ?", (*args, limit, offset))
        return total, [self._stored(r) for r in rows]

    def version(self) -> str | None:
        """The latest change: every write that alters what a feed shows moves it.

        Records are never removed and only a new, changed, restored or deleted record is written,
        so an unchanged re-harvest leaves it (and every feed's ETag) as it was. An index lookup:
        this is asked on every feed request, by every explorer process, which is how a harvest
        written by one host shows on all of them."""
        value: str | None = self._value("SELECT max(last_changed) FROM records")
        return value

    def mentioning(self, uri: str) -> StoredRecord | None:
        """A live record whose data names `uri` (e.g. as its publisher), to describe things that are not records."""
        row = self._row(
            f"SELECT * FROM records WHERE deleted_at IS NULL AND {self.CONTAINS.format(column='data')} LIMIT 1",
            (json.dumps(uri, ensure_ascii=False),),
        )
        return self._stored(row) if row else None

    def variable_changes_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]:
        """Variables added, changed or deleted (with their dataset's) after `since`, oldest first
        (`newest`: the last `limit` of them, newest first)."""
        order = "at DESC, id DESC" if newest else "at, id"
        rows = self._rows(
            f"SELECT uri, dataset_uri, at, change FROM variable_history WHERE at > ? ORDER BY {order} LIMIT ?",
            (since, limit),
        )
        return [dict(r) for r in rows]

    def count(self, kind: str | None = None) -> int:
        if kind:
            return int(self._value("SELECT count(*) FROM records WHERE deleted_at IS NULL AND kind=?", (kind,)))
        return int(self._value("SELECT count(*) FROM records WHERE deleted_at IS NULL"))

    def source_stats(self) -> dict[str, dict[str, int]]:
        """Per source: live datasets, code lists, variables, and how many live records there are
        of every kind (data services and products too) and how many of them conform (web
        dashboards). The share conforming is of `records`: counted of datasets and code lists
        alone, a patient registry with two services and a product "conformed" 121 %."""
        stats: dict[str, dict[str, int]] = {}
        empty = {"dataset": 0, "codelist": 0, "variable": 0, "records": 0, "conforming": 0}
        for row in self._rows(
            "SELECT source, kind, count(*) AS n, sum(coalesce(conforms, 0)) AS ok "
            "FROM records WHERE deleted_at IS NULL GROUP BY source, kind"
        ):
            s = stats.setdefault(row["source"], dict(empty))
            s[row["kind"]] = int(row["n"])
            s["records"] += int(row["n"])
            s["conforming"] += int(row["ok"] or 0)
        for row in self._rows(
            "SELECT r.source, count(*) AS n FROM variables v JOIN records r "
            "ON r.uri = v.dataset_uri WHERE r.deleted_at IS NULL GROUP BY r.source"
        ):
            stats.setdefault(row["source"], dict(empty))["variable"] = int(row["n"])
        return stats

    def conformance(self, source: str) -> tuple[int, int]:
        """The source's live records, and how many of them do not conform now (as each was last
        validated: stored or revalidated), whichever run stored them. A run's own "invalid"
        counts only the records it wrote, so an unchanged re-harvest of a broken feed says 0;
        this says how many are still wrong."""
        row = self._tuples(
            "SELECT count(*), count(*) - sum(coalesce(conforms, 0)) FROM records WHERE source=? AND deleted_at IS NULL",
            (source,),
        )[0]
        return int(row[0]), int(row[1] or 0)

    def datasets_of_variables(self, keys: Iterable[str]) -> dict[str, str]:
        """Variable key -> URI of the live dataset holding it; unknown or deleted keys are left out."""
        return dict(
            self._tuples_in(
                "SELECT v.key, v.dataset_uri FROM variables v JOIN records r ON r.uri = v.dataset_uri "
                "WHERE r.deleted_at IS NULL AND v.key IN ({in})",
                list(keys),
            )
        )

    def validations(self, source: str) -> Iterator[dict[str, Any]]:
        """The stored validation reports of a source's live records, without loading the records."""
        for (validation,) in self._tuples(
            "SELECT validation FROM records WHERE source=? AND deleted_at IS NULL AND validation IS NOT NULL", (source,)
        ):
            yield json.loads(report_text(validation))

    def history(self, uri: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT run_id, at, change, hash FROM history WHERE uri=? ORDER BY id", (uri,))
        return [dict(r) for r in rows]

    def touched_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]:
        """Live records whose published statements last changed after `since` without a new version
        of themselves (`touch`: a use, a label; `revalidated` with another feed view), as of their
        last such change, oldest first (`newest`: the last `limit`, newest first): what the
        history, which follows records, does not say (a permit in the data use register is a
        change of the EHDS feed's dataset)."""
        order = "r.last_changed DESC" if newest else "r.last_changed"
        rows = self._rows(
            "SELECT r.uri, r.last_changed AS at, 'changed' AS change, r.kind, r.source FROM records r "
            "WHERE r.last_changed > ? AND r.deleted_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM history h WHERE h.uri = r.uri AND h.at = r.last_changed) "
            f"ORDER BY {order}, r.uri LIMIT ?",
            (since, limit),
        )
        return [dict(r) for r in rows]

    def changes_since(self, since: str, limit: int = 1000, newest: bool = False) -> list[dict[str, Any]]:
        """Records added, changed or deleted after `since`, oldest first (`newest`: the last
        `limit` of them, newest first)."""
        order = "h.at DESC, h.id DESC" if newest else "h.at, h.id"
        rows = self._rows(
            "SELECT h.uri, h.at, h.change, r.kind, r.source FROM history h "
            f"JOIN records r ON r.uri = h.uri WHERE h.at > ? ORDER BY {order} LIMIT ?",
            (since, limit),
        )
        return [dict(r) for r in rows]

    # -- renderings (derived, see catalog.renderings) ---------------------------------------
    def save_renderings(self, uri: str, renderings: dict[str, tuple[str, bytes]]) -> None:
        """Keep a record's rendered statements, profile -> (stamp, body)."""
        self._writable()
        with self.transaction():
            self._execute_many(
                RENDERINGS_UPSERT, [(uri, profile, stamp, body) for profile, (stamp, body) in renderings.items()]
            )

    def renderings(self, uris: list[str], profile: str, bodies: bool = True) -> dict[str, tuple[str, bytes]]:
        """uri -> (stamp, body) of the records' renderings in `profile` (those that have one); a
        rendering kept under the profile '*' holds for every profile. Without `bodies`, the bodies
        are left unread (b""): enough to tell which renderings are stale."""
        column = "body" if bodies else self.EMPTY_BODY
        return {
            uri: (stamp, bytes(body))
            for uri, stamp, body in self._tuples_in(
                f"SELECT uri, stamp, {column} FROM renderings WHERE profile IN (?, '*') AND uri IN ({{in}})",
                uris,
                (profile,),
            )
        }

    # -- copying a whole store (catalog import-store) -----------------------------------------
    def copy_into(self, target: SQLStore) -> dict[str, int]:
        """Every row of every table into `target`, which must be empty, in one transaction (a
        failed copy leaves it empty); rows per table. Runs keep their ids and records their
        timestamps, so the copy's feeds and exports are byte for byte the original's."""
        target._writable()
        if target.count() or target.runs(limit=1):
            raise ValueError(f"the store {target.location} already holds a catalogue; import only into an empty store")
        copied: dict[str, int] = {}
        with target.transaction():
            for table, key in TABLES:
                columns = self._columns(table)
                if columns != target._columns(table):
                    raise ValueError(
                        f"table {table} differs between {self.location} and {target.location}: open both with "
                        "this release first (it migrates them) and try again"
                    )
                names = ", ".join(f'"{c}"' for c in columns)  # quoted: confirmations has a column "by"
                insert = f"INSERT INTO {table}({names}) VALUES ({', '.join('?' * len(columns))})"
                keys = [k.strip() for k in key.split(",")]
                after = f"({', '.join(keys)}) > ({', '.join('?' * len(keys))})"
                last: tuple[Any, ...] | None = None
                copied[table] = 0
                while True:
                    rows = self._tuples(
                        f"SELECT {names} FROM {table} {'WHERE ' + after if last else ''} "
                        f"ORDER BY {key} LIMIT {COPY_BATCH}",
                        last or (),
                    )
                    if not rows:
                        break
                    packed = columns.index("validation") if table == "records" else -1
                    target._execute_many(insert, [_packed_at(row, packed) for row in rows])
                    copied[table] += len(rows)
                    last = tuple(rows[-1][columns.index(k)] for k in keys)
            target._after_copy()
        return copied

    # -- links between records (services, products -> datasets) ----------------------------
    def linking(self, dataset_uri: str, source: str, relation: str) -> list[StoredRecord]:
        """Live services (relation `serves`) or products (`derived_from`) naming the dataset, or its source."""
        rows = self._rows(
            "SELECT DISTINCT r.* FROM links l JOIN records r ON r.uri = l.from_uri WHERE r.deleted_at IS NULL "
            "AND l.relation=? AND ((l.target_kind='dataset' AND l.target=?) OR (l.target_kind='source' AND l.target=?)) "
            "ORDER BY r.uri",
            (relation, dataset_uri, source),
        )
        return [self._stored(r) for r in rows]

    def linked(self, from_uri: str, relation: str) -> list[StoredRecord]:
        """The live datasets a service serves (named, or of the sources it names) or a product derives from."""
        rows = self._rows(
            "SELECT DISTINCT r.* FROM links l JOIN records r ON r.kind='dataset' AND r.deleted_at IS NULL AND "
            "((l.target_kind='dataset' AND r.uri = l.target) OR (l.target_kind='source' AND r.source = l.target)) "
            "WHERE l.from_uri=? AND l.relation=? ORDER BY r.uri",
            (from_uri, relation),
        )
        return [self._stored(r) for r in rows]

    def changed_in_runs(self, run_ids: list[int], kind: str) -> list[StoredRecord]:
        """Records of a kind that these runs stored, deleted or restored, in URI order."""
        if not run_ids:
            return []
        rows = self._rows(
            f"SELECT DISTINCT r.* FROM history h JOIN records r ON r.uri = h.uri WHERE r.kind=? "
            f"AND h.run_id IN ({','.join('?' * len(run_ids))}) ORDER BY r.uri",
            (kind, *run_ids),
        )
        return [self._stored(r) for r in rows]

    def link_targets(self, from_uris: Iterable[str]) -> tuple[set[str], set[str]]:
        """(dataset URIs, source names) that the given services and products name."""
        datasets: set[str] = set()
        sources: set[str] = set()
        for uri in from_uris:
            for target, kind in self._tuples("SELECT target, target_kind FROM links WHERE from_uri=?", (uri,)):
                (datasets if kind == "dataset" else sources).add(target)
        return datasets, sources

    # -- counts (see catalog.disclosure) ----------------------------------------------------
    def save_counts(self, uri: str, source: str, raw: str, hash: str, published: str, stamp: str) -> None:
        """Keep a dataset's raw counts with their published view (the pipeline, when it harvests them)."""
        self._writable()
        with self.transaction():
            self._execute(
                "INSERT INTO counts(dataset_uri, source, raw, hash, published, stamp) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(dataset_uri) DO UPDATE SET source=excluded.source, raw=excluded.raw, "
                "hash=excluded.hash, published=excluded.published, stamp=excluded.stamp",
                (uri, source, raw, hash, published, stamp),
            )

    def drop_counts(self, uri: str) -> None:
        self._writable()
        with self.transaction():
            self._execute("DELETE FROM counts WHERE dataset_uri=?", (uri,))

    def counts_hashes(self, source: str) -> dict[str, str]:
        """Dataset URI -> hash of its raw counts, for a source (to tell what changed). On the write
        side only: a digest of a small table of small counts can be guessed back."""
        return dict(self._tuples("SELECT dataset_uri, hash FROM counts WHERE source=?", (source,)))

    def published_counts(self, uri: str) -> str | None:
        """The published view of a dataset's counts (JSON, `catalog.disclosure.published_tables`)."""
        value: str | None = self._value("SELECT published FROM counts WHERE dataset_uri=?", (uri,))
        return value

    def published_table(self, uri: str, variable: str) -> str | None:
        """The published table (JSON) of the variable `variable` in dataset `uri`'s published
        counts (`catalog.disclosure.published_json`); None when the dataset has no counts, they are
        not a list of tables, or none is the variable's; the last when several are. A variable's
        page decoded and built every table for its one: a registry's 100,000 variables of a few
        codes each, 9 s a page. The database's JSON functions took 0.75 s to pick it out of the
        36 MB (SQLite 3.40 makes each table text again to look into it); `published_table_text`
        finds it in the text as written, ~0.1 s."""
        return published_table_text(self.published_counts(uri), variable)

    def raw_counts(self) -> Iterator[tuple[str, str, str, str]]:
        """(dataset URI, source, raw counts, stamp) of every dataset with counts, in URI order.

        Only `catalog.disclosure.refresh` calls this (a test holds the code to it), and only the
        write side has it: raw counts are read back for one purpose, publishing them again under
        a new policy."""
        last = ""
        while True:
            rows = self._tuples(
                "SELECT dataset_uri, source, raw, stamp FROM counts WHERE dataset_uri > ? ORDER BY dataset_uri LIMIT 500",
                (last,),
            )
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def save_published_counts(self, uri: str, published: str, stamp: str) -> None:
        self._writable()
        with self.transaction():
            self._execute("UPDATE counts SET published=?, stamp=? WHERE dataset_uri=?", (published, stamp, uri))

    # -- the access body's registers (EHDS Art. 58, 60, 78; see catalog.confirmations, uses, label) --
    def confirm(self, holder: str, by: str, note: str = "", at: str | None = None) -> str:
        """Record that `holder` confirmed its descriptions; returns when (now, unless `at` is given)."""
        self._writable()
        with self.transaction():
            at = at or self._now()
            self._execute(
                'INSERT INTO confirmations(holder, at, "by", note) VALUES (?,?,?,?)',
                (clean_text(holder), at, by, clean_text(note) or ""),
            )
        return at

    def confirmations(self, holder: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Confirmations, the latest first (of one holder, or of every holder)."""
        where, args = ("WHERE holder=?", [holder]) if holder else ("", [])
        rows = self._rows(
            f'SELECT holder, at, "by", note FROM confirmations {where} ORDER BY at DESC, id DESC LIMIT ?',
            (*args, limit),
        )
        return [dict(r) for r in rows]

    def last_confirmations(self) -> dict[str, dict[str, Any]]:
        """Each holder's latest confirmation."""
        rows = self._rows(
            'SELECT c.holder, c.at, c."by", c.note FROM confirmations c JOIN '
            "(SELECT holder, max(at) AS at FROM confirmations GROUP BY holder) m ON m.holder = c.holder AND m.at = c.at "
            "ORDER BY c.id"
        )
        return {r["holder"]: dict(r) for r in rows}

    def save_uses(self, uses: Iterable[tuple[str, str, str, list[str]]], replace: bool = False) -> int:
        """Add or replace data uses (key, JSON, permit date, dataset URIs) in one transaction; with
        `replace`, the register becomes exactly these. Returns how many were written."""
        self._writable()
        n = 0
        with self.transaction():
            ts = self._now()
            if replace:
                self._execute("DELETE FROM use_datasets")
                self._execute("DELETE FROM uses")
            for key, data, permit_date, datasets in uses:
                self._execute(
                    "INSERT INTO uses(key, data, permit_date, imported) VALUES (?,?,?,?) ON CONFLICT(key) DO UPDATE "
                    "SET data=excluded.data, permit_date=excluded.permit_date, imported=excluded.imported",
                    (key, data, permit_date, ts),
                )
                self._execute("DELETE FROM use_datasets WHERE use_key=?", (key,))
                self._execute_many(
                    "INSERT INTO use_datasets(use_key, dataset_uri) VALUES (?,?) ON CONFLICT DO NOTHING",
                    [(key, d) for d in datasets],
                )
                n += 1
        return n

    def uses(self, dataset: str | None = None) -> list[tuple[str, str, list[str]]]:
        """(key, JSON, dataset URIs) of the register's uses (of one dataset), the latest permit first."""
        if dataset:
            rows = self._tuples(
                "SELECT u.key, u.data FROM uses u JOIN use_datasets d ON d.use_key = u.key WHERE d.dataset_uri=? "
                "ORDER BY u.permit_date DESC, u.key",
                (dataset,),
            )
        else:
            rows = self._tuples("SELECT key, data FROM uses ORDER BY permit_date DESC, key")
        links: dict[str, list[str]] = {}
        for use_key, dataset_uri in self._tuples_in(
            "SELECT use_key, dataset_uri FROM use_datasets WHERE use_key IN ({in}) ORDER BY dataset_uri",
            [key for key, _data in rows],
        ):
            links.setdefault(use_key, []).append(dataset_uri)
        return [(key, data, links.get(key, [])) for key, data in rows]

    def use_counts(self, uris: Iterable[str] | None = None) -> dict[str, int]:
        """Dataset URI -> how many uses of the register name it (datasets named by none are left out)."""
        if uris is None:
            rows = self._tuples("SELECT dataset_uri, count(*) FROM use_datasets GROUP BY dataset_uri")
            return {uri: int(n) for uri, n in rows}
        return {
            uri: int(n)
            for uri, n in self._tuples_in(
                "SELECT dataset_uri, count(*) FROM use_datasets WHERE dataset_uri IN ({in}) GROUP BY dataset_uri",
                list(uris),
            )
        }

    def save_labels(self, labels: Iterable[tuple[str, str, str, str, str]], moved: Iterable[str] = ()) -> None:
        """Keep datasets' labels (uri, record hash, inputs digest, label digest, JSON); the datasets
        in `moved` count as changed for the feeds (their last change moves, as their statements did)."""
        self._writable()
        with self.transaction():
            self._execute_many(
                "INSERT INTO labels(uri, hash, inputs, digest, data) VALUES (?,?,?,?,?) ON CONFLICT(uri) DO UPDATE "
                "SET hash=excluded.hash, inputs=excluded.inputs, digest=excluded.digest, data=excluded.data",
                list(labels),
            )
            self._touch(moved)

    def stale_labels(self, source: str, inputs: str) -> list[str]:
        """The live datasets of `source` with no label, or one assessed on another version of the
        record or other inputs (an SQL join: an unchanged re-harvest reads no record)."""
        rows = self._tuples(
            "SELECT r.uri FROM records r LEFT JOIN labels l ON l.uri = r.uri WHERE r.source=? AND r.kind='dataset' "
            "AND r.deleted_at IS NULL AND (l.uri IS NULL OR l.hash <> r.hash OR l.inputs <> ?) ORDER BY r.uri",
            (source, inputs),
        )
        return [uri for (uri,) in rows]

    def label_states(self, uris: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """uri -> (record hash, inputs digest, label digest) of the datasets' kept labels."""
        return {
            uri: (hash_, inputs, digest)
            for uri, hash_, inputs, digest in self._tuples_in(
                "SELECT uri, hash, inputs, digest FROM labels WHERE uri IN ({in})", list(uris)
            )
        }

    def labels(self, uris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """uri -> (digest, JSON) of the datasets' labels (those that have one)."""
        return {
            uri: (digest, data)
            for uri, digest, data in self._tuples_in(
                "SELECT uri, digest, data FROM labels WHERE uri IN ({in})", list(uris)
            )
        }

    def live_labels(self) -> Iterator[tuple[str, str, str | None]]:
        """(uri, source, label JSON or None) of every live dataset, in URI order, in batches: the
        label summary reads them all, and a nation's labels held at once would be ~75 MB."""
        last = ""
        while True:
            rows = self._tuples(
                "SELECT r.uri, r.source, l.data FROM records r LEFT JOIN labels l ON l.uri = r.uri "
                "WHERE r.kind='dataset' AND r.deleted_at IS NULL AND r.uri > ? ORDER BY r.uri LIMIT 2000",
                (last,),
            )
            if not rows:
                return
            yield from ((uri, source, data) for uri, source, data in rows)
            last = rows[-1][0]

    def touch(self, uris: Iterable[str]) -> None:
        """The records' published statements changed without the records (a new use, a new label):
        their last change moves, so feeds and incremental harvesters see them change."""
        self._writable()
        with self.transaction():
            self._touch(uris)

    def _touch(self, uris: Iterable[str]) -> None:
        """Inside a write transaction: its clock, so the change follows commit order like any other."""
        rows = list(uris)
        if rows:
            ts = self._now()
            self._execute_many(
                "UPDATE records SET last_changed=? WHERE uri=? AND deleted_at IS NULL", [(ts, uri) for uri in rows]
            )

    # -- incremental state ------------------------------------------------------------------
    def state(self, source: str) -> dict[str, str]:
        value = self._value("SELECT state FROM source_state WHERE source=?", (source,))
        return json.loads(value) if value else {}

    def save_state(self, source: str, state: dict[str, str]) -> None:
        self._writable()
        with self.transaction():
            self._execute(
                "INSERT INTO source_state(source, state) VALUES (?, ?) "
                "ON CONFLICT(source) DO UPDATE SET state=excluded.state",
                (source, json.dumps(state)),
            )

    def output_seen(self) -> tuple[str, str] | None:
        state = self.state(OUTPUT_STATE)
        digest, since = state.get("digest"), state.get("since")
        return (digest, since) if digest and since else None

    def saw_output(self, digest: str) -> str:
        """A read when nothing changed (asked at every scheduler tick); the write takes its time
        inside its transaction, on the clock the records' changes are stamped with, so it compares
        with the store's version as the feeds' Last-Modified does."""
        seen = self.output_seen()
        if seen is not None and seen[0] == digest:
            return seen[1]
        self._writable()
        with self.transaction():
            seen = self.output_seen()  # another writer may have recorded it since
            if seen is not None and seen[0] == digest:
                return seen[1]
            since = self._now()
            self._execute(
                "INSERT INTO source_state(source, state) VALUES (?, ?) "
                "ON CONFLICT(source) DO UPDATE SET state=excluded.state",
                (OUTPUT_STATE, json.dumps({"digest": digest, "since": since})),
            )
        return since


class SQLiteStore(SQLStore):
    """The default store: one file, WAL. Safe to share between threads (a connection per thread).

    `readonly` opens every connection with `query_only`, as the web does: a write then fails in
    SQLite itself, not only by convention. A run's owner is `pid:start-time` of the harvesting
    process, checked in /proc: one SQLite file serves one host."""

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._claims: set[str] = set()
        self._migrate()
        if not readonly:
            self.recover()

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path.resolve()}"

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            _SQLITE_THREADS.add(threading.get_ident())
            conn = self._connect()
            if self.readonly:
                conn.execute("PRAGMA query_only=ON")
            else:
                conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
            self._local.conn = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _write_ahead(conn, self.path)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _migrate(self) -> None:
        """Bring the schema up to date, under the write lock (a reader migrates too: it may be
        the first process to open a new catalogue), on a connection of its own."""
        conn = self._connect()
        try:
            if self._current(conn) == migrations.SQLITE[-1].version:
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
                )
                steps = migrations.pending(self._current(conn), migrations.SQLITE, str(self.path))
                for step in steps:
                    for statement in step.statements():
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version(version, applied) VALUES (?, ?)", (step.version, now()))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self.migrated = tuple(step.version for step in steps)
        finally:
            conn.close()

    @staticmethod
    def _current(conn: sqlite3.Connection) -> int:
        try:
            return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])
        except sqlite3.OperationalError:  # no such table: a new file, or a store from before versioning
            return 0

    def schema_version(self) -> int:
        return self._current(self.db)

    def _columns(self, table: str) -> list[str]:
        return [row["name"] for row in self._rows(f"PRAGMA table_info({table})")]

    def _after_copy(self) -> None:
        return None  # an INTEGER PRIMARY KEY goes on from the largest id there is

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
        """Close the calling thread's connection (each thread has its own)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            _SQLITE_THREADS.discard(threading.get_ident())

    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        return self.db.execute(sql, tuple(args)).fetchall()

    def _tuples(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.db.cursor()
        cur.row_factory = None
        return cur.execute(sql, tuple(args)).fetchall()

    def _execute(self, sql: str, args: Iterable[Any] = ()) -> int:
        return self.db.execute(sql, tuple(args)).rowcount

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.db.executemany(sql, rows)

    def _now(self) -> str:
        return now()

    def _owner(self, source: str) -> str:
        return process_token()

    # One host, one file: the check and the insert in one write transaction are the whole claim.
    def _claim(self, source: str) -> bool:
        return True

    def _unclaim(self, source: str) -> None:
        return None

    def _claimed(self, source: str, run_id: int) -> None:
        return None

    def _release(self, run_id: int) -> None:
        return None

    def _owner_alive(self, source: str, owner: str | None) -> bool:
        return _alive(owner)


def _links(record: Dataset | DataService | DataProduct) -> list[tuple[str, str, str, str]]:
    """The record's links, each once (a source may name a dataset twice, many variables one code
    list; a link is a set member)."""
    if isinstance(record, Dataset):
        links = [(record.uri, CODELIST, v.codelist, CODELIST) for v in record.variables if v.codelist]
    elif isinstance(record, DataService):
        links = [(record.uri, "serves", d, "dataset") for d in record.serves_datasets] + [
            (record.uri, "serves", s, "source") for s in record.serves_sources
        ]
    else:
        links = [(record.uri, "derived_from", d, "dataset") for d in record.derived_from]
    return list(dict.fromkeys(links))


def process_token(pid: int | None = None) -> str:
    """pid plus the process's start time, so a reused pid is not mistaken for the harvester."""
    pid = pid or os.getpid()
    try:
        start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = "?"
    return f"{pid}:{start}"


def _alive(owner: str | None) -> bool:
    try:
        pid = int((owner or "").split(":", 1)[0])
    except ValueError:  # no owner, or one another backend wrote (an imported store)
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return process_token(pid) == owner


# -- opening a store ---------------------------------------------------------------------------


def store_url(settings: Settings) -> str:
    """The configured store: `database_url`, or the SQLite file in the catalogue home."""
    return settings.database_url or f"sqlite:///{Path(settings.db_path).resolve()}"


def store_path(url: str) -> str:
    """The file of a SQLite store's URL (`sqlite:///path`, `file:path` or a plain path)."""
    path = unquote(url[len("sqlite://") :] if url.startswith("sqlite://") else urlsplit(url).path)
    # `sqlite:///` + an absolute path leaves two leading slashes, the same file on POSIX systems
    # but an odd name in messages ("//srv/catalog/catalog.sqlite")
    return "/" + path.lstrip("/") if path.startswith("//") else path


_SQLITE_THREADS: set[int] = set()
"""The threads of this process holding a SQLite connection of a store (`sqlite_beside`); a thread
that closes its connections may still hold another store's, so this errs on the side of threads."""


WRITER_CACHE_KIB = 65536
"""The page cache of a writing connection (SQLite's default is 2 MiB). A harvest inserts its
variables' keys all over the key index; once that outgrew the cache, every insert read its page
again (2,000 datasets x 100 variables: about a tenth of the store's CPU)."""


BUSY_SECONDS = 30
"""How long a SQLite connection waits for another's lock before it gives up."""


def _write_ahead(conn: sqlite3.Connection, path: Path) -> None:
    """Put the file in WAL mode (kept in the file: a no-op once it is). Processes opening a new
    catalogue together (an explorer's serving processes and the scheduler, started at once) race
    to switch it, and a switch that meets another's lock fails at once with "database is locked"
    instead of waiting as the busy timeout would (6 processes forked to open a new file at once:
    7 rounds of 20 had one fail): so it waits here, as long."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise StoreUnavailable(f"the catalogue database {path} stayed locked: {exc}") from exc
            time.sleep(0.02)


def sqlite_beside() -> bool:
    """Whether a live thread of this process other than the calling one has used SQLite.

    A fork then may copy one of SQLite's own mutexes locked (its allocator takes one on every
    malloc), and a child that opens a connection waits for it for ever: seen as a harvest hanging
    in its first worker while the test's search threads queried the store. `catalog.pipeline`
    forks its workers only when this is false."""
    me, alive = threading.get_ident(), {t.ident for t in threading.enumerate()}
    _SQLITE_THREADS.intersection_update(alive)
    return any(ident != me for ident in _SQLITE_THREADS)


def store_at(
    url: str, readonly: bool = False, read_timeout: float | None = None, write_timeout: float | None = None
) -> SQLStore:
    """The store at `url`: `sqlite:///path` (or a plain path) or `postgresql://...`; `read_timeout`:
    the seconds an explorer's read of a PostgreSQL store may wait for the server (SQLite's reads
    never wait for another process: its writers do not block them); `write_timeout`: any other
    statement's (the pipeline's, in every process it works in; SQLite has none: its writers wait for
    each other at most `BUSY_SECONDS`)."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        try:
            from catalog.store_postgres import PostgresStore
        except ImportError as exc:
            from catalog.config import ConfigError

            raise ConfigError(
                f"database_url is a PostgreSQL URL, but psycopg is not installed ({exc}): "
                "pip install 'helsekatalog[postgres]'"
            ) from exc

        return PostgresStore(url, readonly=readonly, read_timeout=read_timeout, write_timeout=write_timeout)
    if scheme in ("", "file", "sqlite"):
        if not scheme and "@" in url:
            from catalog.config import ConfigError

            # "user@host:5432/db": a PostgreSQL URL without its scheme made a new, empty SQLite
            # file of that name, which the explorers then served as the catalogue, ready
            raise ConfigError(
                f"database_url (CATALOG_DATABASE_URL) {masked(url)!r} has no scheme: write "
                "postgresql://user@host:port/db, or sqlite:///path for a SQLite file"
            )
        return SQLiteStore(store_path(url), readonly=readonly)
    from catalog.config import ConfigError

    raise ConfigError(
        f"database_url (CATALOG_DATABASE_URL): {scheme}:// is not a store this program knows; "
        "use postgresql://user@host/db or sqlite:///path, or leave it empty for the catalogue home's SQLite file"
    )


def open_store(settings: Settings) -> StoreWriter:
    """The write side of the configured store (the pipeline, and the CLI's writing commands)."""
    store: StoreWriter = store_at(store_url(settings), write_timeout=settings.store_write_timeout)
    return store


def open_reader(settings: Settings) -> StoreReader:
    """The read side of the configured store, on read-only connections (the web)."""
    store: StoreReader = store_at(store_url(settings), readonly=True, read_timeout=settings.store_timeout)
    return store
