"""The `catalog` command: names, output and exit codes people and scripts rely on."""

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import tantivy

from catalog.cli import main
from catalog.config import SETTINGS, Settings
from catalog.rdf import to_graph
from tests.conftest import requires_shared, shared_path
from tests.factories import apgar_codes, mfr_dataset


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "home")


def catalog(home, *args):
    return main(["--home", home, *args])


def feed(server, records=None, path="/mfr/catalog.ttl"):
    body = to_graph(records or [mfr_dataset(), apgar_codes()]).serialize(format="turtle")
    return server.serve(path, body, Content_Type="text/turtle")


def test_sources_are_added_listed_and_removed_in_the_toml_file(home, server, capsys):
    url = feed(server)
    assert catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", url, "--title", "MFR") == 0
    assert Settings.load(home).sources["mfr"].url == url
    assert catalog(home, "sources", "list") == 0
    assert f"mfr\tdcat\tcentral-registry\t{url}" in capsys.readouterr().out
    assert catalog(home, "sources", "remove", "mfr") == 0
    assert Settings.load(home).sources == {}


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("kat@127.0.0.1:55432/katalog", "has no scheme: write postgresql://"),
        ("postgresql:/kat:secret@127.0.0.1:55432/katalog", 'cannot be read: missing "="'),
        ("postgresql://kat:secret@127.0.0.1:55432/katalog?sslmod=require", 'invalid URI query parameter: "sslmod"'),
    ],
)
def test_a_malformed_database_url_stops_the_command_naming_the_setting(home, capsys, monkeypatch, url, said):
    """The operator's drill: a URL without its scheme made a new, empty SQLite file of that name,
    which the explorers served as ready; a malformed one ended in psycopg's traceback, quoting
    the password."""
    pytest.importorskip("psycopg")
    monkeypatch.setenv("CATALOG_DATABASE_URL", url)
    assert catalog(home, "sources", "list") == 2
    err = capsys.readouterr().err
    assert "database_url (CATALOG_DATABASE_URL)" in err and said in err and "secret" not in err
    assert "Traceback" not in err and not list(Path(home).parent.glob("kat*")) and not list(Path().glob("kat*"))


def test_a_name_in_use_is_refused_unless_replacing_it_is_asked_for(home, capsys):
    """`sources add` of a name in use replaced the source, options included (an operator's
    hand-set defaults too): a CKAN source added under the name of a DCAT one had its next harvest
    delete the DCAT source's 33 records (the access body's drill)."""
    options = '{"defaults": {"access_url": "https://helsedata.no/no/soknad/"}}'
    add = ["sources", "add", "mfr", "--kind", "dcat", "--category", "central-registry"]
    assert catalog(home, *add, "--url", "http://127.0.0.1:9/a.ttl", "--options", options) == 0
    assert capsys.readouterr().out.startswith("added source mfr ")
    assert catalog(home, *add, "--url", "http://127.0.0.1:9/b.ttl") == 2
    assert (
        "a source named 'mfr' exists (dcat http://127.0.0.1:9/a.ttl); replace it on purpose" in capsys.readouterr().err
    )
    assert Settings.load(home).sources["mfr"].url == "http://127.0.0.1:9/a.ttl"
    assert catalog(home, *add, "--url", "http://127.0.0.1:9/b.ttl", "--replace") == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == "replaced source mfr (dcat, category central-registry) http://127.0.0.1:9/b.ttl"
    assert said[1] == f"  it was dcat http://127.0.0.1:9/a.ttl; its options {options} are kept"
    assert Settings.load(home).sources["mfr"].options == json.loads(options)
    assert catalog(home, *add, "--url", "http://127.0.0.1:9/c.ttl", "--replace", "--options", "{}") == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("are replaced too")
    assert Settings.load(home).sources["mfr"].options == {}


@pytest.mark.parametrize(
    "kind,said,category",
    [
        ("klass", [], "statistics"),
        ("oai-ddi", [], "survey"),
        ("ckan", [], "catalogue"),
        ("dcat", [], "central-registry"),
        ("dcat", ["--category", "catalogue"], "catalogue"),
    ],
)
def test_a_source_added_without_a_category_gets_its_protocols_and_is_told_so(home, capsys, kind, said, category):
    assert catalog(home, "sources", "add", "x", "--kind", kind, "--url", "http://127.0.0.1:1/", *said) == 0
    assert Settings.load(home).sources["x"].category == category
    out = capsys.readouterr().out
    assert f"({kind}, category {category}" in out
    assert ("--category to change it" in out) == (not said), "a default is pointed out, a stated category is not"


def test_an_unknown_kind_is_refused_with_the_known_ones(home, capsys):
    assert catalog(home, "sources", "add", "x", "--kind", "gopher", "--url", "http://127.0.0.1/") == 2
    assert "unknown source kind 'gopher'; known kinds: " in capsys.readouterr().err


def test_harvest_prints_a_line_per_source_and_fails_when_one_fails(home, server, capsys):
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    catalog(home, "sources", "add", "npr", "--kind", "dcat", "--url", server.url + "/gone.ttl")
    capsys.readouterr()
    assert catalog(home, "harvest") == 1
    out = capsys.readouterr().out
    assert "mfr: 2 new, 0 changed, 0 unchanged, 0 deleted, 0 invalid, 0 errors" in out
    assert "npr: 0 new, 0 changed, 0 unchanged, 0 deleted, 0 invalid, 1 errors — FAILED: the server answered 404" in out
    assert catalog(home, "harvest", "mfr") == 0
    assert "mfr: 0 new, 0 changed, 2 unchanged" in capsys.readouterr().out


def test_a_re_harvest_says_how_many_records_still_do_not_conform_beside_its_zero_invalid(home, server, capsys):
    """`catalog harvest difi` said 33 invalid, then 0 on the unchanged re-harvest: read as fixed."""
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server, [mfr_dataset(description={})]))
    assert catalog(home, "harvest") == 0
    assert "1 invalid, 0 errors; 1 of 1 live records do not conform (`catalog report mfr`)" in capsys.readouterr().out
    report = f"{home}/run.json"
    assert catalog(home, "harvest", "--report", report) == 0
    assert "0 invalid, 0 errors; 1 of 1 live records do not conform" in capsys.readouterr().out
    [said] = json.loads(open(report, encoding="utf-8").read())
    assert (said["counts"]["invalid"], said["live_records"], said["nonconforming_now"]) == (0, 1, 1)
    assert catalog(home, "report", "mfr") == 0
    last = json.loads(capsys.readouterr().out)
    assert (last["counts"]["invalid"], last["live_records"], last["nonconforming_now"]) == (0, 1, 1)
    # what to fix, by rule, as the source page and /api/sources/<name> count it
    by_rule = {(f["severity"], f["path"]): f["count"] for f in last["findings"]}
    assert by_rule[("Violation", "description")] == 1
    hints = {(f["severity"], f["path"]): f["hint"] for f in last["findings"]}  # and how: a DCAT feed's terms
    assert "dct:description" in hints[("Violation", "description")]
    assert [f["count"] for f in last["findings"]] == sorted((f["count"] for f in last["findings"]), reverse=True)


@requires_shared
def test_validate_of_a_real_feed_counts_its_findings_by_rule_before_listing_the_first_nodes(home, server, capsys):
    """`catalog validate` of data.norge.no's Difi catalogue printed 600 findings and no summary."""
    body = shared_path("real-world/dcat/difi-catalog-2017-10-19.jsonld").read_bytes()
    url = server.serve("/difi.jsonld", body, Content_Type="application/ld+json")
    assert catalog(home, "validate", url, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    nodes = len({f["focus"] for f in report["findings"]})
    assert sum(r["findings"] for r in report["by_rule"]) == len(report["findings"]) > 400
    assert catalog(home, "validate", url, "--show", "3") == 1
    blocks = capsys.readouterr().out.rstrip("\n").split("\n\n")
    rules = blocks[1].splitlines()
    assert rules[0] == "Funn per regel | Findings by rule:" and len(rules) == len(report["by_rule"]) + 1
    assert "    33  [Brudd | Violation] (healthdcatap:healthCategory) Datasettet mangler helsekategori" in blocks[1]
    assert len(blocks) == 2 + 3 + 2 and blocks[5] == f"... {nodes - 3} more nodes with findings (--show 0 lists all)"
    assert blocks[6].endswith(f"at {nodes} nodes, by rule at the top")


def test_search_json_lists_hits_with_id_name_label_dataset_and_source(home, server, capsys):
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    catalog(home, "harvest")
    capsys.readouterr()
    assert catalog(home, "search", "fødselsvekt", "--json") == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [(h["name"], h["label"], h["dataset"], h["source"]) for h in hits] == [
        ("VEKT", "Fødselsvekt", "Medisinsk fødselsregister – fødsler", "mfr")
    ]
    assert len(hits[0]["id"]) == 16
    assert catalog(home, "search", "father") == 0  # words of the dataset's description alone
    assert capsys.readouterr().out == "0 hits for 'father'\n  (1 dataset matches: --type dataset)\n"
    assert catalog(home, "search", "fødselsvekt 1960", "--json") == 0  # the registry began in 1967
    answer = json.loads(capsys.readouterr().out)
    assert (answer["query"], answer["filters"], answer["total"]) == ("fødselsvekt", {"year": ["1960"]}, 0)
    assert catalog(home, "search", "fødselsvekt fra 1960") == 0
    assert capsys.readouterr().out.startswith("1 hit for 'fødselsvekt' with data from 1960-\n")


def test_export_writes_the_catalogue_without_records_deleted_at_the_source(home, server, tmp_path):
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    catalog(home, "harvest")
    feed(server, [mfr_dataset()])
    catalog(home, "harvest")
    out = tmp_path / "export.nt"
    assert catalog(home, "export", "--profile", "dcat-ap-3", "--format", "nt", "--output", str(out)) == 0
    text = out.read_text()
    scheme = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#ConceptScheme>"
    assert f"<{mfr_dataset().uri}> <http://purl.org/dc/terms/identifier>" in text
    assert f"<{apgar_codes().uri}> {scheme}" not in text


def test_export_to_a_file_says_how_many_datasets_the_profile_carried(home, server, tmp_path, capsys):
    """Exporting the real Skatteetaten catalogue wrote an empty HealthDCAT-AP catalogue, silently
    and with status 0: none of its 42 datasets conform, which only reading the file showed."""
    feed(server, [mfr_dataset(access_rights=None), apgar_codes()])  # left out of the EHDS feed
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", server.url + "/mfr/catalog.ttl")
    catalog(home, "harvest")
    capsys.readouterr()
    out = tmp_path / "ehds.ttl"
    assert catalog(home, "export", "--output", str(out)) == 0
    said = capsys.readouterr()
    assert said.err == "" and said.out == (
        f"wrote 0 of 1 datasets to {out}; the healthdcat-ap feed carries only those that conform to it\n"
    )
    assert catalog(home, "export", "--profile", "dcat-ap-3", "--output", str(out)) == 0
    assert capsys.readouterr().out == f"wrote 1 of 1 datasets to {out}\n"
    assert catalog(home, "export", "--format", "nt") == 0  # no file: stdout is the catalogue alone
    assert capsys.readouterr().out.startswith("<")


def test_reindex_rebuilds_from_the_store(home, server, capsys, monkeypatch):
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    catalog(home, "harvest")
    capsys.readouterr()
    assert catalog(home, "reindex") == 0
    out = capsys.readouterr().out
    assert "indexed 6 documents" in out and "statements of 0 records anew" in out  # the harvest rendered them
    monkeypatch.setenv("CATALOG_HDAB_NAME", "Nytt tilgangsorgan")  # every dataset in the EHDS feed names it
    assert catalog(home, "reindex") == 0
    out = capsys.readouterr().out
    # the dataset's published view changed: validated and rendered again first; then the code list
    assert "validated 1 records again" in out and "statements of 1 records anew" in out


def test_harvest_full_maps_everything_again_and_counts_what_did_not_change(home, server, capsys):
    catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    catalog(home, "harvest")
    capsys.readouterr()
    assert catalog(home, "harvest", "--full") == 0
    assert "mfr: 0 new, 0 changed, 2 unchanged" in capsys.readouterr().out


def test_the_catalog_command_is_installed():
    out = subprocess.run([sys.executable, "-m", "catalog.cli", "--help"], capture_output=True, text=True, check=True)
    for command in ("demo", "sources", "harvest", "validate", "search", "export", "serve", "reindex"):
        assert command in out.stdout


def test_validate_exits_0_when_a_feed_conforms_1_on_violations_2_when_unreadable(home, server, tmp_path, capsys):
    from catalog.config import Settings
    from catalog.export import as_published

    good = as_published(mfr_dataset(), Settings.load(home))
    url = server.serve("/good.ttl", to_graph([good]).serialize(format="turtle"), Content_Type="text/turtle")
    assert catalog(home, "validate", url) == 0
    assert "Oppfyller profilen | Conforms" in capsys.readouterr().out
    bad = tmp_path / "bad.ttl"
    bad.write_text(to_graph([mfr_dataset(description={})]).serialize(format="turtle"))
    assert catalog(home, "validate", str(bad), "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert any(
        f["focus"] == mfr_dataset().uri and f["path"] == "http://purl.org/dc/terms/description"
        for f in report["findings"]
    )
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title ;;")
    assert catalog(home, "validate", str(broken)) == 2
    assert "broken.ttl" in capsys.readouterr().err
    assert catalog(home, "validate", str(tmp_path / "missing.ttl")) == 2


def test_serve_with_two_workers_answers_from_two_processes_and_stops_them_all(home, server):
    import os
    import signal
    import socket
    import time

    import requests

    assert catalog(home, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server)) == 0
    assert catalog(home, "harvest") == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", "--home", home, "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/search?q=fødselsvekt"
        for _ in range(100):
            try:  # a worker's first search opens the index: seconds on a loaded machine
                answer = requests.get(url, timeout=(2, 30))
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer.json()["hits"][0]["name"] == "VEKT"
        children = [int(p) for p in open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()]
        assert len(children) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    time.sleep(0.2)
    for pid in children:  # the workers went with the parent
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_the_demo_finds_its_home_like_every_other_command(tmp_path, monkeypatch, capsys):
    """--home, else $CATALOG_HOME, else ./catalog-data; then `catalog sources list` beside it
    sees the demo's sources."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CATALOG_HOME", str(tmp_path / "from-env"))
    assert main(["demo", "--no-serve"]) == 0
    assert (tmp_path / "from-env" / "catalog.sqlite").exists() and not (tmp_path / "catalog-data").exists()
    capsys.readouterr()
    assert main(["sources", "list"]) == 0
    assert "mfr\tdcat\tcentral-registry" in capsys.readouterr().out
    monkeypatch.delenv("CATALOG_HOME")
    assert (
        main(["demo", "--no-serve", "--port", "8765", "--home", str(tmp_path / "given")]) == 0
    )  # as make demo ARGS= gives it
    assert (tmp_path / "given" / "catalog.sqlite").exists() and not (tmp_path / "catalog-data").exists()
    # what it mints resolves where it runs (a basket's selection link named catalog.example.org)
    with sqlite3.connect(tmp_path / "given" / "catalog.sqlite") as db:
        minted = db.execute("SELECT count(*) FROM records WHERE uri LIKE 'http://127.0.0.1:8765/id/%'").fetchone()[0]
    assert minted > 0
    # and every command beside it uses what it chose: a harvest there found every dataset stale
    beside = Settings.load(tmp_path / "given")
    assert beside.base_uri == "http://127.0.0.1:8765/" and beside.hdab_email != SETTINGS["hdab_email"][1]


def _index_of_an_earlier_version(home):
    """A search index as an earlier version wrote it, with other fields, made the home's current one."""
    old = home / "index" / "ix-1"
    old.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_bytes_field("doc", stored=True)
    tantivy.Index(builder.build(), path=str(old))
    (home / "index" / "CURRENT").write_text("ix-1")


def test_a_search_on_an_index_of_an_earlier_version_says_to_reindex(tmp_path, capsys):
    """One line naming the index and what to run, not a traceback; `catalog reindex` mends it."""
    _index_of_an_earlier_version(tmp_path)
    assert main(["--home", str(tmp_path), "search", "C50"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the search index ") and err.strip().endswith("`catalog reindex`")
    assert len(err.splitlines()) == 1
    assert main(["--home", str(tmp_path), "reindex"]) == 0
    assert main(["--home", str(tmp_path), "search", "C50"]) == 0


def test_the_demo_again_after_an_upgrade_that_changed_the_index_rebuilds_it(tmp_path, capsys):
    """`make demo` on a home whose search index an earlier version wrote with other fields (which
    every search would refuse) rebuilds the index before it harvests, and the explorer searches."""
    _index_of_an_earlier_version(tmp_path)
    assert main(["--home", str(tmp_path), "demo", "--no-serve"]) == 0
    assert "rebuilt first" in capsys.readouterr().out
    assert main(["--home", str(tmp_path), "search", "C50"]) == 0
    assert "C50 Ondartet svulst i bryst" in capsys.readouterr().out


def test_a_store_is_imported_whole_into_an_empty_one_and_nowhere_else(tmp_path, server, capsys):
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    catalog(old, "sources", "add", "mfr", "--kind", "dcat", "--url", feed(server))
    assert catalog(old, "harvest") == 0
    assert catalog(new, "import-store", str(tmp_path / "nowhere.sqlite")) == 2
    assert "there is no SQLite store at" in capsys.readouterr().err
    assert catalog(new, "import-store", f"sqlite:///{tmp_path / 'old' / 'catalog.sqlite'}") == 0
    assert "1 runs, 0 errors, 2 records" in capsys.readouterr().out
    assert catalog(str(tmp_path / "fresh"), "migrate") == 0
    assert re.search(r": schema version (\d+): applied steps 1, .*\1\n$", capsys.readouterr().out), "what it did"
    assert catalog(new, "migrate") == 0
    # the store named by its path as the operator knows it (not "//tmp/...", from sqlite:////tmp/...)
    assert re.fullmatch(
        re.escape(str(tmp_path / "new" / "catalog.sqlite")) + r": schema version \d+ \(up to date\)\n",
        capsys.readouterr().out,
    )
    assert catalog(new, "report", "mfr") == 0 and json.loads(capsys.readouterr().out)["counts"]["new"] == 2
    assert catalog(new, "import-store", str(tmp_path / "old" / "catalog.sqlite")) == 2
    assert "already holds a catalogue" in capsys.readouterr().err


def test_an_import_leaves_the_store_it_reads_from_as_it_was(tmp_path, capsys):
    """Opening a SQLite store migrates it: import-store upgraded the store of the release it came
    from in place, which that release, still running on it, then refused as newer than it knows."""
    import hashlib
    import sqlite3
    from pathlib import Path

    old = tmp_path / "old.sqlite"
    script = Path(__file__).parent / "data" / "store-before-versioning.sql"
    with sqlite3.connect(old) as db:
        db.executescript(script.read_text(encoding="utf-8"))
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    assert catalog(str(tmp_path / "new"), "import-store", str(old)) == 0
    assert f"copied {old} into" in capsys.readouterr().out
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    assert catalog(str(tmp_path / "new"), "report", "mfr") == 0


def test_harvest_with_no_source_says_so_and_succeeds(home, capsys):
    """A new catalogue, or one whose sources are all disabled: nothing to do is not a failure, and
    the operator is told how to add a source (it once failed with a ZeroDivisionError)."""
    assert catalog(home, "harvest") == 0
    assert "nothing to harvest: no source is enabled" in capsys.readouterr().err


def test_the_version_says_which_release_is_installed(capsys):
    from catalog import __version__

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out == f"catalog {__version__}\n"
