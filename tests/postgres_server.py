"""A real PostgreSQL server for the tests: Debian's binaries, a private cluster in a temporary
folder on a free loopback port, started once per session and stopped at its end.

When running as root the cluster runs as the `postgres` user (PostgreSQL refuses root). Without
the binaries (`apt-get install postgresql`), tests that need the server skip with the reason.
Each test gets a schema of its own in one database (`pg_url`): creating a schema takes
milliseconds where a database takes a second, and the store keeps everything, its advisory locks
included, per schema.

The cluster uses ICU's Norwegian collation by default, as a Norwegian operator's would, so a query
that forgot `COLLATE "C"` orders differently from SQLite and fails the contract suite.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

DATABASE = "helsekatalog_test"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bin: Path
    folder: Path
    port: int
    as_user: list[str]
    frozen: list[int] = field(default_factory=list)  # the processes `freeze` stopped

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, str(self.bin / tool), *args], check=True, capture_output=True, text=True, timeout=120
        )

    def url(self, database: str = DATABASE, schema: str | None = None) -> str:
        base = f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        return f"{base}?options={quote(f'-c search_path={schema}')}" if schema else base

    def execute(self, sql: str, database: str = DATABASE) -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql.encode())

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_schema(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE SCHEMA {name}")
        return name

    def freeze(self) -> None:
        """Stop every process of the server (SIGSTOP), as a hung host: the kernel still accepts
        connections and acknowledges what clients send, but nothing answers. The postmaster first,
        so that it forks no backend meanwhile."""
        postmaster = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)
        self.frozen = [postmaster]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # a process that ended meanwhile
                continue
            if parent == postmaster:
                pid = int(stat.parent.name)
                os.kill(pid, signal.SIGSTOP)
                self.frozen.append(pid)

    def thaw(self) -> None:
        """Let the processes `freeze` stopped go on (SIGCONT); nothing when none are stopped."""
        for pid in reversed(self.frozen):
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.frozen = []


def _start() -> PostgresServer:
    bin_dir = _binaries()
    if bin_dir is None:
        raise FileNotFoundError(
            "PostgreSQL's binaries are not installed (/usr/lib/postgresql/*/bin): apt-get install postgresql"
        )
    folder = Path(tempfile.mkdtemp(prefix="helsekatalog-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(bin_dir, folder, _free_port(), as_user)
    data = str(folder / "data")
    collation = ["--locale-provider=icu", "--icu-locale=nb-NO"]
    try:
        server.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", *collation)
    except subprocess.CalledProcessError:  # a build without ICU: the C locale, still a real server
        shutil.rmtree(data, ignore_errors=True)
        server.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    # The tests kill clients, never the server: its own durability is not what they test.
    # max_connections stays at its default of 100, as on a server an operator sets up: the
    # harvest of the simulated nation (115 sources) must fit in it.
    options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    server.run("pg_ctl", "-D", data, "-o", options, "-l", str(folder / "server.log"), "-w", "start")
    server.execute(f"CREATE DATABASE {DATABASE}", database="postgres")
    return server


def _started() -> PostgresServer:
    """A new server, or the test skipped with the reason."""
    try:
        return _start()
    except (FileNotFoundError, subprocess.CalledProcessError, KeyError) as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else exc
        pytest.skip(f"no PostgreSQL server for the tests: {detail}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = _started()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_postgres_server() -> Iterator[PostgresServer]:
    """A server of the test module's own, for tests that stop its processes (`freeze`): the
    session's server goes on serving the other tests whatever happens to this one."""
    server = _started()
    try:
        yield server
    finally:
        server.thaw()
        server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty schema of the test database (dropped after the test)."""
    schema = postgres_server.new_schema()
    yield postgres_server.url(schema=schema)
    postgres_server.execute(f"DROP SCHEMA {schema} CASCADE")
