"""`catalog backup`: what harvesting again would not bring back, copied while the catalogue runs,
and a catalogue restored from it that answers as the original did."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from catalog.config import Settings, SourceConfig
from catalog.rdf import to_graph
from tests.factories import apgar_codes, mfr_dataset

ROOT = Path(__file__).resolve().parents[1]
REGISTER = """project_title,organisation,datasets,permit_date,legal_basis,summary,permit_id
Fødselsvekt og senere helse,Universitetet i Bergen,{dataset},2025-03-01,EHDS Art. 53(1)(e),Kohortstudie,HDAB-2025-001
"""


def cli(home: Path, *args: str, env: dict[str, str] | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "catalog.cli", "--home", str(home), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode == 0) == ok, done.stderr[-2000:]
    return done


def running_catalogue(home: Path, server, env: dict[str, str] | None = None) -> None:
    """A harvested catalogue whose store holds what no harvest brings back: a data use and a
    holder's confirmation; the operator's edited synonym list beside it."""
    feed = server.serve(
        "/mfr.ttl", to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    settings = Settings.load(home)
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=feed, title="MFR")
    settings.save_sources()
    (home / "synonyms.txt").write_text("fødselsvekt, vekt ved fødsel\n", encoding="utf-8")
    cli(home, "harvest", env=env)
    (home / "register.csv").write_text(REGISTER.format(dataset=mfr_dataset().uri), encoding="utf-8")
    cli(home, "uses", "import", str(home / "register.csv"), env=env)
    cli(home, "confirm", "--source", "mfr", "--note", "brev", env=env)


def what_it_answers(home: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Its DCAT, its registers and a search's hits and counts (not their scores: an index rebuilt
    whole holds no deleted documents, which an index written harvest by harvest counts in BM25)."""
    found = json.loads(cli(home, "search", "fødselsvekt", "--json", env=env).stdout)
    for hit in found["hits"]:
        del hit["score"]
    return {
        "export": cli(home, "export", "--profile", "healthdcat-ap", "--format", "nt", env=env).stdout,
        "uses": cli(home, "uses", "list", "--format", "json", env=env).stdout,
        "confirmations": cli(home, "confirmations", "--format", "json", env=env).stdout,
        "search": found,
    }


def test_a_backup_taken_during_a_write_restores_the_last_commit_with_its_registers(tmp_path, server):
    home, dest = tmp_path / "home", tmp_path / "backups" / "monday"
    running_catalogue(home, server)
    explorer = sqlite3.connect(home / "catalog.sqlite")  # a reader open, as a running explorer's: what is
    explorer.execute("SELECT count(*) FROM records").fetchone()  # committed now stays in catalog.sqlite-wal
    cli(home, "confirm", "--source", "mfr", "--note", "telefon")
    before = what_it_answers(home)
    assert "telefon" in before["confirmations"]
    assert json.loads(before["uses"]) and json.loads(before["confirmations"]) and before["search"]["total"] == 1
    writer = sqlite3.connect(home / "catalog.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a harvest's transaction, not committed while the backup runs
    writer.execute("DELETE FROM confirmations")
    try:
        started = time.monotonic()
        said = cli(home, "backup", str(dest)).stdout
        assert time.monotonic() - started < 60  # did not wait for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        explorer.close()
    assert "catalog.sqlite" in said and "catalog.toml" in said and "synonyms.txt" in said and " records)" in said
    assert sorted(p.name for p in dest.iterdir()) == ["catalog.sqlite", "catalog.toml", "synonyms.txt"]
    assert not [p for p in dest.parent.iterdir() if p != dest]  # no partial folder left beside it
    # restored: the backup's files are a home; the index is built again from the store
    cli(dest, "reindex")
    assert what_it_answers(dest) == before


def test_a_backup_is_refused_into_a_folder_that_holds_anything(tmp_path, server):
    home, dest = tmp_path / "home", tmp_path / "old"
    running_catalogue(home, server)
    dest.mkdir()
    (dest / "catalog.sqlite").write_bytes(b"last week's")
    done = cli(home, "backup", str(dest), ok=False)
    assert "exists and is not an empty folder" in done.stderr and "Traceback" not in done.stderr
    assert (dest / "catalog.sqlite").read_bytes() == b"last week's"
    empty = tmp_path / "empty"
    empty.mkdir()
    cli(home, "backup", str(empty))  # an empty folder is a new one
    assert (empty / "catalog.sqlite").is_file()
    for args in ((), (str(tmp_path / "a"), "--into", str(tmp_path / "b"))):  # one or the other
        assert "name a new folder" in cli(home, "backup", *args, ok=False).stderr
    (tmp_path / "a-file").touch()
    done = cli(home, "backup", "--into", str(tmp_path / "a-file"), ok=False)
    assert f"cannot write a backup into {tmp_path / 'a-file'}: Not a directory" in done.stderr


def test_a_damaged_store_or_none_fails_the_backup_saying_why_and_leaves_nothing(tmp_path, server):
    done = cli(tmp_path / "nothing-here", "backup", str(tmp_path / "b1"), ok=False)
    assert "there is no store at" in done.stderr
    home = tmp_path / "home"
    running_catalogue(home, server)
    store = home / "catalog.sqlite"
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    with store.open("r+b") as f:  # every page but the first (the schema) overwritten
        f.seek(page)
        f.write(b"\xa5" * page * (pages - 1))
    done = cli(home, "backup", str(tmp_path / "b2"), ok=False)
    assert "catalog.sqlite" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "nothing-here"]


@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_restore is not installed (postgresql-client)")
@pytest.mark.parametrize("in_public", [False, True], ids=["own-schema", "public-schema"])
def test_a_postgresql_catalogue_is_dumped_by_pg_dump_and_restores_with_pg_restore(
    tmp_path, server, pg_url, postgres_server, in_public
):
    """Restored as README says, into a new database. A catalogue in a database's `public` schema
    (README's own setup) restored with a bare `pg_restore` ended with status 1 ("schema public
    already exists"): a script with `set -e` stops there."""
    home, dest = tmp_path / "home", tmp_path / "backup"
    source_db = f"source_{os.getpid()}_{time.monotonic_ns()}"
    if in_public:
        postgres_server.execute(f"CREATE DATABASE {source_db}", database="postgres")
        pg_url = postgres_server.url(database=source_db)
    env = {"CATALOG_DATABASE_URL": pg_url}
    running_catalogue(home, server, env)
    before = what_it_answers(home, env)
    said = cli(home, "backup", str(dest), env=env).stdout
    assert "catalog.pgdump" in said and "pg_restore --clean --if-exists" in said
    assert sorted(p.name for p in dest.iterdir()) == ["catalog.pgdump", "catalog.toml", "synonyms.txt"]
    database = f"restored_{os.getpid()}_{time.monotonic_ns()}"
    postgres_server.execute(f"CREATE DATABASE {database}", database="postgres")
    try:
        restored = postgres_server.url(database=database)
        command = ["pg_restore", "--clean", "--if-exists", f"--dbname={restored}", str(dest / "catalog.pgdump")]
        subprocess.run(command, check=True)
        options = parse_qs(urlsplit(pg_url).query).get("options")
        schema = options[0].rsplit("=", 1)[1] if options else None  # "-c search_path=..."
        env = {"CATALOG_DATABASE_URL": postgres_server.url(database=database, schema=schema)}
        cli(dest, "reindex", env=env)
        assert what_it_answers(dest, env) == before
    finally:
        postgres_server.execute(f"DROP DATABASE {database} WITH (FORCE)", database="postgres")
        if in_public:
            postgres_server.execute(f"DROP DATABASE {source_db} WITH (FORCE)", database="postgres")


def test_dated_backups_keep_the_newest_and_leave_other_folders_alone(tmp_path, server):
    from datetime import UTC, datetime, timedelta

    from catalog.backup import BackupError, backup_into

    home, folder = tmp_path / "home", tmp_path / "backups"
    running_catalogue(home, server)
    settings = Settings.load(home)
    (folder / "by-hand").mkdir(parents=True)  # the operator's own: neither counted nor removed
    night = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
    removed = [backup_into(settings, folder, keep=2, now=night + timedelta(days=n))[1] for n in range(4)]
    assert removed == [[], [], [folder / "2026-12-01T033000Z"], [folder / "2026-12-02T033000Z"]]
    assert sorted(p.name for p in folder.iterdir()) == ["2026-12-03T033000Z", "2026-12-04T033000Z", "by-hand"]
    assert (folder / "2026-12-04T033000Z" / "catalog.sqlite").is_file()
    with pytest.raises(BackupError, match="keep at least one"):
        backup_into(settings, folder, keep=0)


def test_pg_dump_gets_the_password_of_the_url_and_a_wrong_one_fails_saying_so(tmp_path, pg_url, postgres_server):
    """A role that must give its password (the test cluster trusts its other users)."""
    role, password = "catalog_backup_test", "s3:cr\\et"  # a colon and a backslash, which a password file escapes
    hba = postgres_server.folder / "data" / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + original)
    postgres_server.execute(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'")
    postgres_server.execute("SELECT pg_reload_conf()")
    try:
        cli(tmp_path / "home", "migrate", env={"CATALOG_DATABASE_URL": pg_url})
        as_role = pg_url.replace("postgres@", f"{role}:{quote(password, safe='')}@")
        said = cli(tmp_path / "home", "backup", str(tmp_path / "b1"), env={"CATALOG_DATABASE_URL": as_role}).stdout
        assert "catalog.pgdump" in said and (tmp_path / "b1" / "catalog.pgdump").stat().st_size > 0
        wrong = pg_url.replace("postgres@", f"{role}:wrong@")
        done = cli(tmp_path / "home", "backup", str(tmp_path / "b2"), env={"CATALOG_DATABASE_URL": wrong}, ok=False)
        assert "password authentication failed" in done.stderr and "wrong" not in done.stderr
        assert not (tmp_path / "b2").exists()
    finally:
        hba.write_text(original)
        postgres_server.execute("SELECT pg_reload_conf()")
        postgres_server.execute(f"DROP ROLE {role}")
