"""Configuration: every setting declared once, and edits of the source list from several processes
merged, never one process's stale list written over another's edits."""

from __future__ import annotations

import multiprocessing
import re
import subprocess
from pathlib import Path

import pytest

from catalog.config import SETTINGS, ConfigError, Settings, SourceConfig

ROOT = Path(__file__).resolve().parents[1]


def source(name: str) -> SourceConfig:
    return SourceConfig(name, "dcat", f"http://127.0.0.1:9/{name}.ttl")


def _edit(home: str, prefix: str, count: int, barrier: multiprocessing.synchronize.Barrier) -> None:
    """In its own process: load the settings, wait until the other process has loaded them too
    (so each holds a list the other's edits make stale), then add sources one at a time."""
    settings = Settings.load(home)
    barrier.wait()
    for i in range(count):
        settings.put_sources(source(f"{prefix}{i}"))
        if i % 5 == 4:
            assert settings.remove_source(f"{prefix}{i - 1}")


def test_two_processes_editing_the_source_list_at_once_lose_nothing(tmp_path):
    home = str(tmp_path / "home")
    Settings.load(home).put_sources(source("kept"))
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_edit, args=(home, prefix, 30, barrier)) for prefix in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    expected = {"kept"} | {f"{p}{i}" for p in "ab" for i in range(30) if i % 5 != 3}
    assert set(Settings.load(home).sources) == expected


def test_a_stale_process_neither_brings_back_a_removed_source_nor_drops_a_new_one(tmp_path):
    home = tmp_path / "home"
    first = Settings.load(home)
    first.put_sources(source("mfr"), source("npr"))
    stale = Settings.load(home)  # holds mfr and npr
    first.remove_source("mfr")
    first.put_sources(source("kpr"))
    stale.put_sources(source("dar"))
    assert sorted(Settings.load(home).sources) == sorted(stale.sources) == ["dar", "kpr", "npr"]


def test_editing_sources_keeps_the_settings_table(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.toml").write_text('[settings]\nbase_uri = "https://data.example.no/"\n')
    Settings.load(home).put_sources(source("mfr"))
    assert Settings.load(home).base_uri == "https://data.example.no/"


def test_a_setting_a_command_chooses_is_written_beside_the_others_and_their_comments(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.toml").write_text('[settings]\n# the access body\nhdab_name = "Helsedataservice"\n')
    Settings.load(home).put_settings(base_uri="http://127.0.0.1:8765/")
    loaded = Settings.load(home)
    assert loaded.base_uri == "http://127.0.0.1:8765/" and loaded.hdab_name == "Helsedataservice"
    assert "# the access body" in (home / "catalog.toml").read_text()
    with pytest.raises(ConfigError, match="base_uri"):
        Settings.load(home).put_settings(base_uri="katalog")  # refused as a start refuses it


def test_removing_a_source_that_is_not_there_says_so(tmp_path):
    assert Settings.load(tmp_path).remove_source("atlantis") is False


def test_every_setting_has_its_variable_a_default_and_help():
    for name, (env, default, help_text) in SETTINGS.items():
        assert env == "CATALOG_" + name.upper() or name == "synonyms_file", name
        assert help_text and default is not None


def test_settings_are_read_from_the_environment_only_in_catalog_config():
    """The one declaration: no other module of the product reads an environment variable."""
    found = subprocess.run(
        ["grep", "-rnE", r"os\.environ|getenv", "catalog", "harvesters", "web", "simulator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert [line for line in found if not line.startswith("catalog/config.py:")] == []


@pytest.mark.parametrize(("text", "value"), [("1", True), ("yes", True), ("false", False), ("", False)])
def test_yes_no_settings_read_the_usual_words(tmp_path, monkeypatch, text, value):
    monkeypatch.setenv("CATALOG_ELASTICSEARCH_PLAIN_JSON", text)
    assert Settings.load(tmp_path).elasticsearch_plain_json is value


def test_a_yes_no_setting_refuses_other_words(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_ELASTICSEARCH_PLAIN_JSON", "perhaps")
    with pytest.raises(ConfigError, match=re.escape("'perhaps' is not a yes/no value; use true or false")):
        Settings.load(tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("CATALOG_BASE_URI", "katalog.example.no", "is not an absolute http(s) address"),
        ("CATALOG_HTTP_TIMEOUT", "-5", "is not a number of seconds above 0"),
        ("CATALOG_HTTP_TIMEOUT", "0", "is not a number of seconds above 0"),
        ("CATALOG_HTTP_MAX_BYTES", "-1", "is not a whole number above 0"),
        ("CATALOG_HARVEST_BUDGET_SECONDS", "0", "is not a number of seconds above 0"),
        ("CATALOG_HTTP_RETRIES", "-1", "is not 0 or more"),
        ("CATALOG_HDAB_EMAIL", "nope", "is not an e-mail address"),
        ("CATALOG_HDAB_TYPE", "NationalAuthority", "is not a type of HealthDCAT-AP's publisher-type list"),
        ("CATALOG_HDAB_TYPE", "Nasjonal myndighet", "is not a type of HealthDCAT-AP's publisher-type list"),
        ("CATALOG_LOG_FORMAT", "xml", "is not text or json"),
    ],
)
def test_a_setting_out_of_its_range_stops_the_command_naming_it(tmp_path, monkeypatch, variable, value, said):
    """The access body's drill: a timeout of -5 failed every harvest in requests' own words, a
    base URI without a scheme wrote relative IRIs into the feeds, an access body's e-mail "nope"
    went out in the EHDS feed."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(f"({variable}): {value!r} {said}")):
        Settings.load(tmp_path)


def test_a_misspelt_variable_is_named_with_the_setting_it_may_be(tmp_path, monkeypatch, capsys):
    """A misspelt CATALOG_ADMIN_TOKEN left the admin API off without a word."""
    from catalog.cli import main
    from catalog.config import unknown_environment

    assert unknown_environment({"CATALOG_LOG_FORMT": "json", "CATALOG_HOME": "x", "PATH": "/bin"}) == [
        "CATALOG_LOG_FORMT is no setting; did you mean CATALOG_LOG_FORMAT?"
    ]
    monkeypatch.setenv("CATALOG_ADMIN_TOKNE", "secret")
    assert main(["--home", str(tmp_path), "sources", "list"]) == 0
    assert "CATALOG_ADMIN_TOKNE is no setting; did you mean CATALOG_ADMIN_TOKEN?" in capsys.readouterr().err


def test_an_edit_by_the_tool_keeps_the_operators_comments(tmp_path):
    """The access body's drill: every edit (`catalog sources add`, the admin API, the scheduler)
    rewrote catalog.toml and dropped a "# Operator notes ... ticket HDAB-123" and every inline note."""
    (tmp_path / "catalog.toml").write_text(
        "# Operator notes: ticket HDAB-123\n"
        "[settings]\n"
        'hdab_name = "Helsedataservice"  # the HDAB\n\n'
        "[sources.mfr]\n"
        'kind = "dcat"  # FHI\'s feed\n'
        'url = "http://127.0.0.1:9/mfr.ttl"\n'
        'category = "central-registry"\n',
        encoding="utf-8",
    )
    settings = Settings.load(tmp_path)
    settings.add_source(source("npr"))
    assert settings.remove_source("npr")
    settings.add_source(source("a.b"))
    text = (tmp_path / "catalog.toml").read_text(encoding="utf-8")
    assert "# Operator notes: ticket HDAB-123" in text and "# the HDAB" in text and "# FHI's feed" in text
    again = Settings.load(tmp_path)
    assert set(again.sources) == {"mfr", "a.b"} and again.hdab_name == "Helsedataservice"
