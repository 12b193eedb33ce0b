"""A backup of a catalogue home taken while it runs: what harvesting again would not bring back.

The store holds more than what the sources said: the access body's registers (holders'
confirmations, the data use register, the quality and utility labels), every record's history and
every run's errors. A lost store harvested again gets the records back, not those. The operator's
files in the home (`catalog.toml` with its sources and organisation register, and the edited
synonym, code name and nynorsk lists) are the rest of what cannot be made again.

- A SQLite store is copied with SQLite's online backup API, from its own connection: the last
  commit as one consistent snapshot, taken while harvests and explorers go on (in WAL mode the
  writer does not wait for the copy, nor the copy for the writer). Copying the file itself can
  catch a page half-written, and misses the commits still in `catalog.sqlite-wal`. The copy is
  checked (`PRAGMA integrity_check`) before the backup is called done.
- A PostgreSQL store is the database's to back up: `pg_dump` of the catalogue's schema, in its
  custom format (`pg_restore` reads it), where `pg_dump` is installed; the password reaches it in
  a password file of this process's own (mode 0600, removed after), not on its command line,
  where other users of the host could read it.
- Not copied: the search index (`catalog reindex` builds it from the store), `cache/` and the
  admin requests in flight (`requests/`).

The backup is written into a folder beside the one asked for and renamed to it when whole, so a
backup that stopped halfway is never taken for one. Restoring is copying the files back into a
home (the services stopped) and `catalog reindex`. `backup_into` is what a timer runs: a folder
named by the time, and the oldest such folders removed until so many are left.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from catalog.config import CONFIG_FILE, Settings

OPERATOR_FILES = (CONFIG_FILE, "synonyms.txt", "code_names.txt", "nynorsk.txt")
"""The files of the home an operator writes or edits (`catalog.search.open_backend` reads the lists)."""
PG_DUMP_FILE = "catalog.pgdump"
STAMP = "%Y-%m-%dT%H%M%SZ"
"""A dated backup's folder name (`backup_into`): UTC, sorting as time does, no colons."""
_STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d{6}Z")


class BackupError(RuntimeError):
    """A backup that could not be taken; nothing was left at its destination."""


@dataclass
class Backup:
    folder: Path
    files: list[str] = field(default_factory=list)
    records: int | None = None
    """The records in the copied store (SQLite); None for a PostgreSQL dump."""
    seconds: float = 0.0


def backup(settings: Settings, dest: Path) -> Backup:
    """The home's store and operator files copied into `dest`, a new or empty folder."""
    dest = Path(dest).absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder: back up into a new one")
    started = time.perf_counter()
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        raise BackupError(f"cannot write a backup into {dest.parent}: {exc.strerror}") from exc
    try:
        done = Backup(dest)
        if settings.database_url:
            _pg_dump(settings.database_url, partial / PG_DUMP_FILE)
            done.files.append(PG_DUMP_FILE)
        else:
            done.records = snapshot(Path(settings.db_path), partial / Path(settings.db_path).name)
            done.files.append(Path(settings.db_path).name)
        for name in OPERATOR_FILES:
            if (settings.home / name).is_file():
                shutil.copy2(settings.home / name, partial / name)
                done.files.append(name)
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    done.seconds = time.perf_counter() - started
    return done


def backup_into(settings: Settings, folder: Path, keep: int, now: datetime | None = None) -> tuple[Backup, list[Path]]:
    """A backup into a new folder of `folder` named by the time (`STAMP`), then the oldest of the
    backups there removed until `keep` are left: what the daily timer runs. Only folders named so
    are counted or removed, and only once the new backup is whole."""
    if keep < 1:
        raise BackupError("keep at least one backup (--keep 1 or more)")
    folder = Path(folder)
    done = backup(settings, folder / (now or datetime.now(UTC)).strftime(STAMP))
    dated = sorted(p for p in folder.iterdir() if p.is_dir() and _STAMPED.fullmatch(p.name))
    removed = dated[:-keep]
    for old in removed:
        shutil.rmtree(old)
    return done, removed


def snapshot(source: Path, target: Path) -> int:
    """The SQLite store at `source` copied whole to `target` in one step (one read transaction);
    its records counted once the copy is checked."""
    from catalog.store import BUSY_SECONDS

    if not source.is_file():
        raise BackupError(f"there is no store at {source}")
    src = sqlite3.connect(source, timeout=BUSY_SECONDS)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"the copy of {source} is damaged: {'; '.join(problems[:5])}")
        return int(dst.execute("SELECT count(*) FROM records").fetchone()[0])
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy the store {source}: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _pg_dump(url: str, target: Path) -> None:
    """`pg_dump` of the store's schema at `url` into `target` (custom format)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from catalog.store import display_url

    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(
            "the store is PostgreSQL's and pg_dump is not installed here (Debian: apt-get install "
            "postgresql-client): install it, or back the database up as your provider does"
        )
    try:  # the schema the catalogue works in (its search_path), asked on a plain connection: opening
        # the store would migrate it, and refuse a store a newer release migrated, which pg_dump copies
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute("SELECT current_schema()").fetchone()
    except psycopg.Error as exc:
        raise BackupError(f"cannot reach the store at {display_url(url)}: {exc}") from exc
    if row is None or row[0] is None:
        raise BackupError(f"{display_url(url)}: no schema to back up (the search_path names none that exists)")
    schema = str(row[0])
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    with tempfile.NamedTemporaryFile("w", prefix="catalog-pgpass-") as passfile:  # mode 0600, as libpq wants
        if password:  # libpq's password file: neither on pg_dump's command line nor in its environment
            escaped = str(password).replace("\\", "\\\\").replace(":", "\\:")
            passfile.write(f"*:*:*:*:{escaped}\n")
            passfile.flush()
            params["passfile"] = passfile.name
        dsn = make_conninfo("", **params)
        command = [program, "--format=custom", f"--schema={schema}", f"--file={target}", f"--dbname={dsn}"]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        said = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"status {done.returncode}"
        raise BackupError(f"pg_dump of {display_url(url)} failed: {said}")
