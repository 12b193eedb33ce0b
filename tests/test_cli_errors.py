"""Every bad input to the `catalog` command gives one clear line on stderr and exit status 2, never
a traceback. Each case runs through `catalog.cli.main`, the function the installed `catalog`
command calls; one case of each kind of error also runs as a user types it, through the installed
command in its own process (a process costs half a second)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.cli import main

CATALOG = str(Path(sys.executable).with_name("catalog"))
SOURCE = ["sources", "add", "mfr", "--kind", "dcat", "--url", "http://127.0.0.1:9/feed.ttl"]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def command(home: Path, *args: str, env: dict[str, str] | None = None) -> Done:
    """The installed `catalog` command, in its own process with only `env` set."""
    done = subprocess.run(
        [CATALOG, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )
    return Done(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def catalog(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """`catalog(home, *args)`: the command's entry point in this process, as its script calls it."""

    def run(home: Path, *args: str) -> Done:
        capsys.readouterr()
        try:
            status = main(["--home", str(home), *args])
        except SystemExit as exit:  # argparse ends the process itself
            status = int(exit.code or 0)
        out = capsys.readouterr()
        return Done(status, out.out, out.err)

    return run


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


BAD = [
    (
        [*SOURCE, "--options", "{bad"],
        "error: --options is not valid JSON (Expecting property name enclosed in double quotes at column 2); give an "
        """object, e.g. --options '{"timeout": 60}'""",
    ),
    ([*SOURCE, "--options", "[1, 2]"], "error: --options must be a JSON object of harvester options, not list"),
    (
        [*SOURCE, "--options", '{"harvest_budget_seconds": "soon"}'],
        "configuration error: sources.mfr.options.harvest_budget_seconds: must be a positive number of seconds "
        "(it overrides the setting harvest_budget_seconds), not 'soon'",
    ),
    (
        [*SOURCE, "--options", '{"defaults": {"colour": "red"}}'],
        "configuration error: sources.mfr.options.defaults: may only name dataset fields the operator completes "
        "(unknown: colour)",
    ),
    (["sources", "add", "x", "--kind", "gopher", "--url", "http://127.0.0.1/"], "error: unknown source kind 'gopher'"),
    (
        ["sources", "add", "x", "--kind", "dcat", "--url", "ftp://127.0.0.1/feed.ttl"],
        "configuration error: the source URL 'ftp://127.0.0.1/feed.ttl' is not an absolute http or https URL "
        "(e.g. https://data.example.no/)",
    ),
    (
        ["sources", "add", "x", "--kind", "dcat", "--url", "feed.ttl"],
        "configuration error: the source URL 'feed.ttl' is not an absolute http or https URL",
    ),
    (
        ["sources", "add", "a/b", "--kind", "dcat", "--url", "http://127.0.0.1/"],
        "error: the source name 'a/b' may hold only letters, digits, '.', '_' and '-'",
    ),
    (
        [*SOURCE, "--credentials-env", "MY TOKEN"],
        "error: --credentials-env 'MY TOKEN' is not an environment variable name",
    ),
    ([*SOURCE, "--interval", "0"], "catalog sources add: error: argument --interval: 0 is not 1 or more"),
    (
        [*SOURCE, "--interval", "daily"],
        "catalog sources add: error: argument --interval: 'daily' is not a whole number",
    ),
    (
        [*SOURCE, "--category", "hospital"],
        "catalog sources add: error: argument --category: invalid choice: 'hospital'",
    ),
    (["sources", "remove", "atlantis"], "error: no source named 'atlantis'; known: none yet; add one with"),
    (["harvest", "atlantis"], "error: no source named 'atlantis'; known: none yet; add one with"),
    (["harvest", "--workers", "0"], "catalog harvest: error: argument --workers: 0 is not 1 or more"),
    (["report", "atlantis"], "error: no source named 'atlantis'; known: "),
    (["ehds-coverage", "--source", "atlantis"], "error: no source named 'atlantis'; known: "),
    (["ehds-coverage", "--fix-list", "nobody"], "error: no publisher with the key 'nobody'; `catalog ehds-coverage`"),
    (["validate", "/no/such/feed.ttl"], "error: /no/such/feed.ttl: could not be read: No such file or directory"),
    (
        ["validate", "feed.ttl", "--format", "yaml"],
        "catalog validate: error: argument --format: invalid choice: 'yaml'",
    ),
    (
        ["validate", "feed.ttl", "--profile", "dcat-ap-9"],
        "error: unknown profile 'dcat-ap-9'; choose one of healthdcat-ap, ",
    ),
    (["export", "--format", "yaml"], "catalog export: error: argument --format: invalid choice: 'yaml'"),
    (["export", "--output", "/no/such/folder/catalogue.ttl"], "error: No such file or directory: /no/such/folder/"),
    (["search", "vekt", "--limit", "many"], "catalog search: error: argument --limit: 'many' is not a whole number"),
    (
        ["publish", "/no/such/liste.xlsx", "--out", "site"],
        "error: /no/such/liste.xlsx: gi en variabelliste (.csv eller .xlsx), eller en mappe med slike | give a .csv or .xlsx",
    ),
    (["publish"], "error: give a spreadsheet or folder and --out DIR (or --template FILE.xlsx)"),
    (["serve", "--port", "70000"], "catalog serve: error: argument --port: 70000 is not a port (0-65535)"),
    (["simulator", "--port", "-1"], "catalog simulator: error: argument --port: -1 is not 1 or more"),
    (["gardening"], "catalog: error: argument command: invalid choice: 'gardening'"),
]


def one_line(done: Done, says: str) -> bool:
    return (done.returncode, done.stdout) == (2, "") and done.stderr.count("\n") == 1 and done.stderr.startswith(says)


@pytest.mark.parametrize(("args", "says"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_one_line_and_status_2(catalog, home, args, says):
    assert one_line(catalog(home, *args), says)


@pytest.mark.parametrize(
    "marker", ["{bad", "ftp://127.0.0.1/feed.ttl", "daily", "/no/such/folder/catalogue.ttl", "gardening"]
)
def test_the_installed_command_says_it_in_one_line_too(home, marker):
    """One of each: a bad option, a bad setting of a source, argparse, the system refusing, a typo."""
    args, says = next((args, says) for args, says in BAD if marker in args)
    done = command(home, *args)
    assert one_line(done, says) and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("settings", "env", "says"),
    [
        ("[settings\n", {}, "configuration error: {home}/catalog.toml: not valid TOML (Expected ']'"),
        ("[settings]\nhttp_timout = 5\n", {}, "configuration error: {home}/catalog.toml: unknown setting http_timout"),
        (
            "",
            {"CATALOG_HTTP_TIMEOUT": "soon"},
            "configuration error: setting http_timeout (CATALOG_HTTP_TIMEOUT): 'soon' is not a float",
        ),
        ("", {"CATALOG_ELASTICSEARCH_PLAIN_JSON": "maybe"}, "configuration error: setting elasticsearch_plain_json"),
        ('[sources.mfr]\nkind = "dcat"\n', {}, "configuration error: {home}/catalog.toml: source 'mfr': "),
        (
            "",
            {"CATALOG_DATABASE_URL": "mysql://db/catalog"},
            "configuration error: database_url (CATALOG_DATABASE_URL): mysql://",
        ),
        (
            "",
            {"CATALOG_DATABASE_URL": "postgresql://helsekatalog:secret@127.0.0.1:9/catalog"},
            "error: cannot connect to the store at postgresql://helsekatalog:***@127.0.0.1:9/catalog: ",
        ),
    ],
    ids=[
        "not TOML",
        "unknown setting",
        "bad number",
        "bad yes/no",
        "incomplete source",
        "unknown store",
        "no database",
    ],
)
def test_bad_settings_give_one_line_naming_the_file_or_variable(catalog, home, monkeypatch, settings, env, says):
    home.mkdir()
    (home / "catalog.toml").write_text(settings)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert one_line(catalog(home, "sources", "list"), says.format(home=home))


def test_a_home_that_is_a_file_is_refused_in_one_line(catalog, tmp_path):
    home = tmp_path / "home"
    home.write_text("not a folder")
    done = command(home, "sources", "list")
    assert (done.returncode, done.stderr) == (
        2,
        f"configuration error: cannot use {home} as the catalogue home: File exists\n",
    )


def test_good_input_still_works_after_the_checks(home):
    assert command(home, *SOURCE, "--options", '{"timeout": 60, "harvest_budget_seconds": 600}').returncode == 0
    listed = command(home, "sources", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("mfr\tdcat\t")


def test_a_reader_that_stops_reading_ends_the_command_quietly(home):
    """`catalog ehds-check | head`: the reader leaves before the command has written everything.
    A Unix tool stops quietly (status 141, as a shell reports SIGPIPE); it said "error: Broken
    pipe" with status 2, as if the command had failed."""
    assert command(home, *SOURCE).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    try:
        done = subprocess.run(
            [CATALOG, "--home", str(home), "sources", "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin"},
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_broken_pipe_that_is_not_stdout_is_still_an_error(catalog, home, monkeypatch):
    import catalog.cli as cli

    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "cmd_sources_list", broken)
    done = catalog(home, "sources", "list")
    assert (done.returncode, done.stderr) == (2, "error: Broken pipe\n")


@pytest.mark.parametrize("workers", ["1", "3"])
def test_an_explorer_of_an_older_release_refuses_a_newer_store_in_one_line(home, workers):
    """As after an upgrade on another host: the store was migrated by a newer release. The
    deployment's explorer runs `--workers 3`, whose processes each stopped with a traceback."""
    import sqlite3

    from catalog.migrations import SQLITE

    assert command(home, "migrate").returncode == 0
    newer = SQLITE[-1].version + 1
    with sqlite3.connect(home / "catalog.sqlite") as db:
        db.execute("INSERT INTO schema_version(version, applied) VALUES (?, 'later')", (newer,))
    done = command(home, "serve", "--port", "0", "--workers", workers, "--threads", "1")
    says = f"error: {home / 'catalog.sqlite'} has schema version {newer}, newer than this program knows"
    assert one_line(done, says) and "Traceback" not in done.stderr


def test_an_explorer_whose_port_is_taken_says_which_in_one_line(home):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = command(home, "serve", "--port", str(port), "--workers", "3", "--threads", "1")
    assert one_line(done, f"error: Address already in use: 127.0.0.1:{port}")
