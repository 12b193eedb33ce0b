"""The store on PostgreSQL (psycopg 3), for a catalogue run as a service on several hosts.

Chosen by `CATALOG_DATABASE_URL=postgresql://user@host:port/db` (`catalog.store.open_store`); the
SQL and its meaning are `catalog.store.SQLStore`'s, shared with SQLite, and one contract suite
runs on both. What differs, and why:

- **Writes are serialised** by a transaction-level advisory lock, as SQLite's write lock does, and
  a write's time is the server's clock taken after that lock: a change's timestamp then follows
  commit order whichever host wrote it, so the change feed and `modified_since` (cursors on
  those timestamps) never skip a change committed late. Write transactions are short (a batch
  of 100 records); the work before them (fetching, mapping, validating) runs in parallel.
- **Never two runs of one source, across hosts.** A run holds a session-level advisory lock on
  its source from its start until it finishes, on the store's lease connection (one per process,
  a lock per running source). Another process, on any host, that tries to start the source fails
  to take the lock. The run records the holding session's backend pid, so any host can tell a
  live run from one whose harvester died: the server drops a dead session's locks (at once when
  the process is killed; after the TCP keepalive below when its host vanishes), and `pg_locks`
  then shows no holder.
- **Text compares byte by byte** (`COLLATE "C"` on every column that is ordered or compared), so
  records list in the same order as in SQLite whatever the server's locale.
- **Connections per thread and per process.** A forked child (a harvest worker, a web worker)
  opens its own; the sockets it inherited are pointed at /dev/null in the child at once, so
  nothing it does (closing them included) can end or disturb its parent's sessions.
- The web's connections are opened with `default_transaction_read_only=on`.
- **Every statement has a deadline** (`Watchdog`): an explorer's read `store_timeout` (15 s), any
  other `store_write_timeout` (300 s): the pipeline's, the scheduler's and the writing commands',
  their reads, their transactions' BEGIN and COMMIT and their run locks' statements included. A
  frozen server held a harvest's write for ever, its source's run lock with it, and the scheduler
  ran nothing else. The deadline is per statement, not per transaction: what it must catch is a
  server that stopped answering, which shows as one statement waiting; a transaction's length
  grows with its work (a batch's records, a migration, an import), a statement's hardly, so a
  deadline per transaction would have to be set for the longest one and would catch a freeze
  that much later. One statement that may wait long is the write lock: it waits for another
  writer's whole transaction.
- **A harvest gives up at once on a store found unreachable** (`failing_fast`): once one of its
  statements was cut off at the deadline or no connection could be made, the others fail at once
  with the same error, in its worker processes too. A harvest of N sources on a frozen server
  waited N deadlines (and as many connection timeouts), 300 s each. The next harvest (the
  scheduler's next tick) asks the server again.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import os
import select
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row, tuple_row

from catalog import migrations
from catalog.store import TABLES, SQLStore, StoreUnavailable, display_url, masked, now

NAMESPACE = 0x484B  # "HK": the first key of every advisory lock this program takes
RUNS = 0x484B0001  # the first key of the per-source run locks
KEEPALIVE = "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"
"""Server side: a run lock held by a host that vanished is dropped after about a minute."""
CLIENT_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
QUIET_SECONDS = 10.0
"""After a read was cut off (`Watchdog`), an explorer's reads fail at once, without asking, for this
long; then one asks again. Else each request queued behind the first waited the whole
`store_timeout` in turn (a serving process of one thread runs them one after another)."""
NOW = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
"""The server's clock, written as `catalog.store.now` writes Python's."""


_OPENED: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()


def _detach_inherited() -> None:
    """In a forked child: every connection it inherited now writes to /dev/null, so closing or
    freeing one (libpq says goodbye on its socket) cannot end the parent's session."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for conn in list(_OPENED):
            try:
                fd = conn.pgconn.socket
            except psycopg.OperationalError:  # already closed
                continue
            if fd >= 0:
                os.dup2(devnull, fd)
    finally:
        os.close(devnull)


os.register_at_fork(after_in_child=_detach_inherited)


def _dropped(conn: psycopg.Connection[Any]) -> bool:
    """Whether the server has ended this idle connection: a restart, a failover, an administrator's
    `pg_terminate_backend`. An idle session is sent nothing unasked but its last words (FATAL:
    terminating connection) or its end, so a socket with something to read says it; psycopg would
    learn it only by failing the next query. Found restarting PostgreSQL under a running service:
    the scheduler's next tick and next admin request failed ("AdminShutdown") before it
    reconnected. One poll without waiting: 1.2 us, against 113 us for the lookup of one record on
    loopback (2026-12-06); a connection in a transaction is never replaced."""
    if conn.info.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poll = select.poll()
        poll.register(conn.fileno(), select.POLLIN)
        return bool(poll.poll(0))
    except (OSError, ValueError, psycopg.OperationalError):  # no socket left
        return True


class Watchdog:
    """Cuts off a query past its deadline: closes its connection's socket, so the waiting query
    fails at once. A frozen server (stopped, a hung host, a network that drops without a reset)
    keeps an open connection's query waiting for ever: the kernel acknowledges what is sent, so
    TCP keepalives never fire, and the server cannot apply a `statement_timeout`. In the
    operator's drill three such requests took a whole explorer down, `/healthz` included, for as
    long as the server was frozen. One thread a process keeps the deadlines in a heap; a query
    costs a push and a set update."""

    def __init__(self) -> None:
        self._tokens = itertools.count()
        self._reset()

    def _reset(self) -> None:
        """No deadline and no thread yet: at start, and in a forked child, which has no threads and
        may have copied the lock held (`os.register_at_fork`)."""
        self._cv = threading.Condition()
        self._due: list[tuple[float, int, psycopg.Connection[Any]]] = []
        self._live: set[int] = set()
        self._fired: set[int] = set()
        self._pid = 0

    @contextmanager
    def deadline(self, conn: psycopg.Connection[Any], seconds: float) -> Iterator[Callable[[], bool]]:
        """Within this, `conn` is cut off `seconds` from now; gives a test of whether it was."""
        token = next(self._tokens)
        with self._cv:
            if self._pid != os.getpid():  # the first use in this process
                self._pid = os.getpid()
                threading.Thread(target=self._watch, name="store-deadlines", daemon=True).start()
            heapq.heappush(self._due, (time.monotonic() + seconds, token, conn))
            self._live.add(token)
            if self._due[0][1] == token:
                self._cv.notify()
        try:
            yield lambda: token in self._fired
        finally:
            with self._cv:
                self._live.discard(token)
                self._fired.discard(token)

    def _watch(self) -> None:
        while True:
            with self._cv:
                while self._due and self._due[0][1] not in self._live:
                    heapq.heappop(self._due)  # finished in time
                if not self._due:
                    self._cv.wait()
                    continue
                left = self._due[0][0] - time.monotonic()
                if left > 0:
                    self._cv.wait(left)
                    continue
                _due, token, conn = heapq.heappop(self._due)
                self._fired.add(token)
            _cut(conn)


def _cut(conn: psycopg.Connection[Any]) -> None:
    """Shut the connection's socket down (both ways), from another thread than the one waiting on it."""
    try:
        fd = conn.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, psycopg.OperationalError):  # closed meanwhile
        pass


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG._reset)


def _key(*parts: str) -> int:
    """A positive 31-bit advisory lock key (pg_locks shows keys as unsigned oids)."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:4], "big") & 0x7FFFFFFF


class PostgresStore(SQLStore):
    EMPTY_BODY = "''::bytea"
    CONTAINS = "strpos({column}, ?) > 0"
    WITH_VARIABLE = (
        "SELECT {columns}, (j.d - 'variables')::text AS rest, (SELECT e::text FROM "
        "jsonb_array_elements(j.d -> 'variables') e WHERE e ->> 'uri' = v.uri LIMIT 1) AS variable "
        "FROM variables v JOIN records r ON r.uri = v.dataset_uri "
        "CROSS JOIN LATERAL (SELECT r.data::jsonb AS d OFFSET 0) j WHERE v.key=?"
    )  # OFFSET 0: the record's text is made jsonb once, not for each use
    WITH_VARIABLES = (
        "SELECT {columns}, (j.d - 'variables')::text AS rest, (SELECT coalesce(jsonb_agg(jsonb_build_array(e.i, e.v)), "
        "'[]'::jsonb)::text FROM jsonb_array_elements(j.d -> 'variables') WITH ORDINALITY e(v, i) WHERE e.v ->> 'uri' "
        "IN (SELECT v.uri FROM variables v WHERE v.key IN (SELECT jsonb_array_elements_text(?::jsonb)))) AS chosen "
        "FROM records r CROSS JOIN LATERAL (SELECT r.data::jsonb AS d OFFSET 0) j WHERE r.key=? AND r.kind='dataset'"
    )
    TITLE = "SELECT (data::json -> 'title')::text FROM records WHERE key=?"
    RUN_COUNT = "coalesce((counts::json ->> '{key}')::bigint, 0)"
    RUN_SECONDS = "extract(epoch FROM finished::timestamptz - started::timestamptz)::float8"

    def __init__(
        self, url: str, readonly: bool = False, read_timeout: float | None = None, write_timeout: float | None = None
    ):
        self._url = url
        self.readonly = readonly
        self.read_timeout = read_timeout
        """Seconds an explorer's read may wait for the server (`Watchdog`), its reads then failing at
        once for `QUIET_SECONDS`; None: `write_timeout`."""
        self.write_timeout = write_timeout
        """Seconds any other statement may wait (the pipeline's, its reads and run locks included, in
        every process it works in); None: for ever."""
        self._quiet_until = 0.0  # reads fail at once until then (`QUIET_SECONDS`)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._lease_conn: psycopg.Connection[Any] | None = None
        self._lease_pid = 0
        self._runs: dict[int, str] = {}  # run -> its source, whose lock the lease holds
        self._sql: dict[str, str] = {}
        self._host = socket.gethostname()
        self._fast = 0  # harvests going on in this process that fail fast (`failing_fast`)
        self._fast_lock = threading.Lock()
        self._down: str | None = None  # within them, the error that found the store unreachable
        self._asked = False  # whether a run's end asked the server again since (`asking_again`)
        with self._connect(writable=True) as conn:  # a reader may be the first to open a new database
            with self._bounded(conn):
                row = conn.execute("SELECT current_schema() AS schema, current_database() AS db").fetchone()
            if row is None or row["schema"] is None:
                raise StoreUnavailable(
                    f"{display_url(url)}: no schema to work in (the search_path names none that exists)"
                )
            self.schema, self.database = str(row["schema"]), str(row["db"])
            self._write_key = _key(self.database, self.schema, "write")
            try:
                self._migrate(conn)
            except psycopg.errors.InsufficientPrivilege as exc:
                if not readonly:
                    raise
                # an explorer's read-only role, opened before the scheduler migrated the schema:
                # not ready until it has (the explorer tries again), rather than a traceback
                raise StoreUnavailable(
                    f"{self.location}: the schema is at version {self._current(conn)}, this release needs "
                    f"{migrations.POSTGRES[-1].version}, and this role may not update it: `catalog migrate` "
                    "or the scheduler does"
                ) from exc
        if not readonly:
            self.recover()

    @property
    def url(self) -> str:
        """The connection URL, password included (a harvest worker reconnects with it)."""
        return self._url

    @property
    def location(self) -> str:
        return f"{display_url(self._url)} (schema {self.schema})"

    def __repr__(self) -> str:
        return f"PostgresStore({self.location!r})"

    # -- a harvest on a store that stopped answering ------------------------------------------
    @contextmanager
    def failing_fast(self) -> Iterator[None]:
        with self._fast_lock:
            self._fast += 1
        try:
            yield
        finally:
            with self._fast_lock:
                self._fast -= 1
                if not self._fast:  # the last harvest out: the next one asks the server again
                    self._down, self._asked = None, False

    @contextmanager
    def asking_again(self) -> Iterator[bool]:
        with self._fast_lock:
            ask = bool(self._fast) and self._down is not None and not self._asked
            self._asked = self._asked or ask
        if not ask:
            yield False
            return
        self._local.asking = True
        try:
            yield True
        finally:
            self._local.asking = False
        with self._fast_lock:  # it answered: reachable again
            self._down, self._asked = None, False

    def unreachable(self) -> str | None:
        return self._down if self._fast else None

    def found_unreachable(self, error: str) -> None:
        if self._fast and self._down is None:
            self._down = error

    def _given_up(self) -> None:
        """Fail at once, with the error that found the store unreachable (`failing_fast`)."""
        down = self._down
        if down is not None and self._fast and not getattr(self._local, "asking", False):
            raise StoreUnavailable(down)

    # -- connections ------------------------------------------------------------------------
    def _connect(self, lease: bool = False, writable: bool = False) -> psycopg.Connection[Any]:
        """A connection of its own: read-only for a reader's queries; `lease` for a run's claim."""
        self._given_up()
        try:
            given = conninfo_to_dict(self._url)
        except psycopg.ProgrammingError as exc:  # a malformed URL or an unknown parameter ("sslmod")
            from catalog.config import ConfigError

            raise ConfigError(
                f"database_url (CATALOG_DATABASE_URL) cannot be read: {masked(str(exc)).strip()}"
            ) from exc
        options = [str(given.get("options") or "")]
        if self.readonly and not (lease or writable):
            options.append("-c default_transaction_read_only=on")
        if lease:
            options.append(KEEPALIVE)
        # gives up connecting as soon as a statement would (at least 2 s: libpq's shortest), at most 10 s
        limit = self._limit()
        wait = 10 if limit is None else min(10, max(2, math.ceil(limit[0])))
        extra: dict[str, str | int] = {"application_name": "helsekatalog", "connect_timeout": wait, **CLIENT_KEEPALIVE}
        extra = {k: v for k, v in extra.items() if k not in given}
        try:
            conn = psycopg.connect(
                make_conninfo(self._url, options=" ".join(o for o in options if o), **extra),
                autocommit=True,
                row_factory=dict_row,
            )
        except psycopg.OperationalError as exc:
            error = f"cannot connect to the store at {display_url(self._url)}: {exc}"
            self.found_unreachable(error)
            raise StoreUnavailable(error) from exc
        _OPENED.add(conn)
        return conn

    @property
    def db(self) -> psycopg.Connection[Any]:
        """This thread's connection (a new one after a fork, or after the old one broke)."""
        local = self._local
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid() or conn.closed or conn.broken or _dropped(conn):
            conn = self._connect()
            local.conn, local.pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local.conn = None
        with self._lock:
            lease, self._lease_conn = self._lease_conn, None
            self._runs.clear()
        if lease is not None and self._lease_pid == os.getpid():
            lease.close()  # its session ends, and the locks of any run still open with it

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        """Bring the schema up to date, under an advisory lock, in one transaction; each statement
        within the store's deadline, BEGIN and COMMIT included, as every other (a frozen server
        held `catalog migrate`, and every process opening the store, for ever)."""
        if self._current(conn) == migrations.POSTGRES[-1].version:
            return

        def run(sql: str, args: tuple[Any, ...] = ()) -> None:
            with self._bounded(conn):
                conn.execute(sql, args)

        run("BEGIN")
        try:
            run(
                "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)",
                (NAMESPACE, _key(self.database, self.schema, "migrate")),
            )
            run("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied text NOT NULL)")
            steps = migrations.pending(self._current(conn), migrations.POSTGRES, self.location)
            for step in steps:
                for statement in step.statements():
                    run(statement)
                run("INSERT INTO schema_version(version, applied) VALUES (%s, %s)", (step.version, now()))
        except BaseException:
            if not (conn.closed or conn.broken):
                with suppress(StoreUnavailable), self._bounded(conn):  # the first failure is the one to tell
                    conn.execute("ROLLBACK")
            raise
        run("COMMIT")
        self.migrated = tuple(step.version for step in steps)

    def _current(self, conn: psycopg.Connection[Any]) -> int:
        """The schema's version (0: none yet), each of its two reads within the store's deadline."""
        with self._bounded(conn):
            exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL AS found").fetchone()
        if not exists or not exists["found"]:
            return 0
        with self._bounded(conn):
            row = conn.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").fetchone()
        return int(row["v"]) if row else 0

    def schema_version(self) -> int:
        return self._current(self.db)

    def _columns(self, table: str) -> list[str]:
        rows = self._tuples(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [str(name) for (name,) in rows]

    def _after_copy(self) -> None:
        for table, key in TABLES:
            if key == "id":
                self._value(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) "
                    f"FROM {table}"
                )

    # -- statements -------------------------------------------------------------------------
    @staticmethod
    def _text(value: Any) -> Any:
        """Text given as UTF-8 bytes decoded here: psycopg would send bytes as bytea."""
        return value.decode() if isinstance(value, bytes) else value

    def _q(self, sql: str) -> str:
        """`?` placeholders as psycopg's `%s` (a literal % doubled)."""
        translated = self._sql.get(sql)
        if translated is None:
            translated = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return translated

    def _limit(self) -> tuple[float, str] | None:
        """How long one statement may wait, and the setting that says so; None: for ever."""
        if self.read_timeout is not None:
            return self.read_timeout, "store_timeout"
        if self.write_timeout is not None:
            return self.write_timeout, "store_write_timeout"
        return None

    @contextmanager
    def _bounded(self, conn: psycopg.Connection[Any] | None = None) -> Iterator[psycopg.Connection[Any]]:
        """`conn` (by default this thread's connection), for one statement: within the store's
        deadline when it has one (`_limit`), and a connection lost meanwhile (cut off, or the server
        restarting) is `StoreUnavailable`, which a page answers with 503, as it does when no
        connection can be made, and the scheduler logs in a line before its next tick."""
        self._given_up()
        limit = self._limit()
        if limit is None:
            yield self.db if conn is None else conn
            return
        seconds, setting = limit
        explorer = self.read_timeout is not None
        if explorer and time.monotonic() < self._quiet_until:
            raise StoreUnavailable(
                f"the store at {display_url(self._url)} left a read unanswered less than {QUIET_SECONDS:g} s "
                "ago: not asked again until then"
            )
        conn = self.db if conn is None else conn
        with WATCHDOG.deadline(conn, seconds) as fired:
            try:
                yield conn
            except psycopg.OperationalError as exc:
                if not fired():
                    raise StoreUnavailable(f"the store at {display_url(self._url)} broke off a query: {exc}") from exc
                if explorer:
                    self._quiet_until = time.monotonic() + QUIET_SECONDS
                    cut = "the query was cut off"
                else:
                    cut = (
                        "the statement was cut off and its connection closed, so the server rolls back what "
                        "it had not committed once it answers again"
                    )
                error = (
                    f"the store at {display_url(self._url)} did not answer within {seconds:g} s "
                    f"(the {setting} setting): {cut}"
                )
                self.found_unreachable(error)
                raise StoreUnavailable(error) from exc

    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        with self._bounded() as conn:
            return conn.execute(self._q(sql), tuple(args)).fetchall()

    def _tuples(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._bounded() as conn, conn.cursor(row_factory=tuple_row) as cur:
            return cur.execute(self._q(sql), tuple(args)).fetchall()

    def _execute(self, sql: str, args: Iterable[Any] = ()) -> int:
        with self._bounded() as conn:
            return conn.execute(self._q(sql), tuple(args)).rowcount

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self._bounded() as conn, conn.cursor() as cur:
                cur.executemany(self._q(sql), rows)

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """One write transaction, after the catalogue's write lock (the calls inside join it). Its
        BEGIN and COMMIT are statements with their deadline too; a transaction whose connection was
        lost is not rolled back from here: the server does it when it sees the connection closed."""
        conn = self.db
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            yield conn
            return
        with self._bounded(conn):
            conn.execute("BEGIN")
        try:
            with self._bounded(conn):
                conn.execute("SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", (NAMESPACE, self._write_key))
            yield conn
        except BaseException:
            if not (conn.closed or conn.broken):
                with suppress(StoreUnavailable), self._bounded(conn):  # the first failure is the one to tell
                    conn.execute("ROLLBACK")
            raise
        with self._bounded(conn):
            conn.execute("COMMIT")

    def _now(self) -> str:
        return str(self._value(f"SELECT {NOW}"))

    # -- runs: a session-level advisory lock per source, held by the run ----------------------
    def _run_key(self, source: str) -> int:
        return _key(self.database, self.schema, "run", source)

    def _lease(self) -> psycopg.Connection[Any]:
        """The session that holds this process's run locks, one per store (a lock each, released
        one by one), so a harvest of 115 sources takes one connection, not 115. A new one holds
        none of the old one's locks. Call under `_lock`."""
        lease = self._lease_conn
        if lease is None or self._lease_pid != os.getpid() or lease.closed or lease.broken or _dropped(lease):
            lease = self._lease_conn = self._connect(lease=True)
            self._lease_pid = os.getpid()
            self._runs.clear()
        return lease

    def _claim(self, source: str) -> bool:
        with self._lock:
            lease = self._lease()
            with self._bounded(lease):
                row = lease.execute(
                    "SELECT pg_try_advisory_lock(%s::int4, %s::int4) AS got", (RUNS, self._run_key(source))
                ).fetchone()
        return bool(row and row["got"])

    def _unclaim(self, source: str) -> None:
        """One level of the source's lock goes (locks stack in a session: a second claim by this
        process succeeds, and its run is then refused because the first one's owner is alive)."""
        with self._lock:
            lease = self._lease_conn
            if lease is not None and self._lease_pid == os.getpid() and not (lease.closed or lease.broken):
                with self._bounded(lease):
                    lease.execute("SELECT pg_advisory_unlock(%s::int4, %s::int4)", (RUNS, self._run_key(source)))

    def _claimed(self, source: str, run_id: int) -> None:
        with self._lock:
            self._runs[run_id] = source

    def _release(self, run_id: int) -> None:
        with self._lock:
            source = self._runs.pop(run_id, None)
        if source is not None:
            self._unclaim(source)

    def abandon_run(self, run_id: int) -> None:
        """Give up a run whose end could not be written (the server stopped answering): the lease's
        session is closed, so the server, once it sees that, drops the run's lock, and the run
        shows as interrupted (its owner gone) and is due again. Every other run of this process
        loses its lock with it: they are failing on the same server."""
        with self._lock:
            lease, self._lease_conn = self._lease_conn, None
            self._runs.clear()
        if lease is not None and self._lease_pid == os.getpid():
            _cut(lease)  # nothing is sent to a server that does not read (a goodbye could wait)
            lease.close()

    def _owner(self, source: str) -> str:
        with self._lock:
            backend = self._lease().info.backend_pid
        return f"{backend}@{self._host}:{os.getpid()}"

    def _owner_alive(self, source: str, owner: str | None) -> bool:
        """Whether the session that started the run still holds its source's lock."""
        try:
            backend = int((owner or "").split("@", 1)[0])
        except ValueError:
            return False
        held = self._value(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = ?::oid AND objid = ?::oid AND objsubid = 2 AND pid = ?",
            (RUNS, self._run_key(source), backend),
        )
        return bool(held)
