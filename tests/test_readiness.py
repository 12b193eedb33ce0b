"""Readiness for the EHDS feed: what reaches it, what is missing from the rest and who can supply it,
the same in `catalog.readiness`, `catalog ehds-coverage`, `catalog report`, and on the web; and the
operator's settings taking effect on records their sources left unchanged."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from catalog import profiles
from catalog.cli import main
from catalog.config import Settings, parse_organisations
from catalog.feeds import FeedRequest, feed_page
from catalog.model import Agent
from catalog.pipeline import OPERATOR_VIEW, harvest
from catalog.readiness import OPERATOR, PUBLISHER, coverage, fix_list, fix_list_csv
from catalog.scheduler import Scheduler
from catalog.store import SQLiteStore
from tests.conftest import StaticServer
from tests.factories import apgar_codes, mfr_dataset
from tests.published import build

FHI = "https://data.brreg.no/enhetsregisteret/api/enheter/983744516"


def incomplete() -> list:
    """A registry's feed: one dataset complete, one whose publisher has no contact point (the
    operator's register can supply it), one without a description (only the publisher can)."""
    bare_publisher = Agent(name={"nb": "Folkehelseinstituttet"}, uri=FHI)
    return [
        mfr_dataset(),
        mfr_dataset(uri="https://data.fhi.no/mfr/dataset/2", identifier="mfr-2", publisher=bare_publisher),
        mfr_dataset(
            uri="https://data.fhi.no/mfr/dataset/3", identifier="mfr-3", publisher=bare_publisher, description={}
        ),
    ]


@pytest.fixture
def harvested(settings: Settings, store: SQLiteStore, server: StaticServer) -> tuple[Settings, SQLiteStore]:
    """The feed of `incomplete()` on loopback, harvested once, without operator settings."""
    build(settings, store, server, incomplete())
    return settings, store


def test_each_dataset_left_out_names_its_missing_fields_and_who_can_supply_them(harvested):
    settings, store = harvested
    found = coverage(store, settings)
    assert (found.total.datasets, found.total.in_feed, found.total.operator_can_complete) == (3, 1, 1)
    by_id = {d.identifier: d for d in found.datasets}
    assert [(g.field, g.setting) for g in by_id["mfr-2"].by(OPERATOR)] == [
        ("publisher.email", f'organisations."{FHI}".email')
    ]
    assert by_id["mfr-2"].by(PUBLISHER) == []
    assert [g.field for g in by_id["mfr-3"].by(PUBLISHER)] == ["description"]


def test_a_register_entry_takes_the_dataset_into_the_feed_at_the_next_harvest_of_an_unchanged_source(harvested):
    settings, store = harvested
    before = store.get("https://data.fhi.no/mfr/dataset/2")
    url = "http://cat.example/catalog"
    page = feed_page(settings, store, FeedRequest(profile="healthdcat-ap"), url)
    assert b"mfr/dataset/2" not in page
    settings.organisations = parse_organisations({FHI: {"name": "Folkehelseinstituttet", "email": "fhi@example.org"}})
    assert coverage(store, settings).total.stale == 3  # validated with the old settings, and the report says so
    [result] = harvest(settings, store, None)
    assert result.counts["unchanged"] == 3  # the source did not change ...
    after = store.get(before.uri)
    assert after.conforms and after.hash == before.hash  # ... but its published view did
    assert after.last_changed > before.last_changed  # so incremental harvesters of our feed see it arrive
    assert store.history(before.uri) == store.history(before.uri)[:1]  # the source's history is the source's
    assert b"mfr/dataset/2" in feed_page(settings, store, FeedRequest(profile="healthdcat-ap"), url)
    found = coverage(store, settings)
    assert (found.total.in_feed, found.total.stale) == (2, 0)


def test_the_scheduler_validates_again_at_once_when_the_operator_edits_catalog_toml(harvested):
    """The feed writes a record's statements with the settings of the moment, but its flag said what
    the settings of its last harvest let through: after an edit, the EHDS feed carried datasets the
    new view fails (or left out ones it lets in) until each source's next harvest, days later."""
    settings, store = harvested
    settings.put_sources(settings.sources["mfr"])  # the source as the operator's file has it
    scheduler = Scheduler(settings, store, None)
    assert scheduler.tick() == []  # harvested a moment ago: nothing is due
    url = "http://cat.example/catalog"
    assert b"mfr/dataset/2" not in feed_page(settings, store, FeedRequest(profile="healthdcat-ap"), url)
    runs = store.last_run("mfr").id
    with settings.config_path.open("a", encoding="utf-8") as toml:  # the operator adds a register entry
        toml.write(f'\n[organisations."{FHI}"]\nname = "Folkehelseinstituttet"\nemail = "fhi@example.org"\n')
    assert scheduler.tick() == []
    assert store.last_run("mfr").id == runs, "no harvest"
    assert store.get("https://data.fhi.no/mfr/dataset/2").conforms
    assert b"mfr/dataset/2" in feed_page(settings, store, FeedRequest(profile="healthdcat-ap"), url)
    assert coverage(store, settings).total.stale == 0
    view = profiles.ehds().view_digest(settings, "mfr")
    assert store.state("mfr")[OPERATOR_VIEW] == view, "remembered: the next edit looks at one row per source"


def test_a_value_the_operators_setting_supplied_wrongly_is_the_operators_to_fix(settings, store, server):
    """Found by use with the real Skatteetaten catalogue: the report named
    `...defaults.has_structured_data`, the operator set it true, and all 42 datasets (none
    describes variables) were then left out "for their publisher". The setting supplied the
    violating value, so the report names it again, with the value that conforms."""
    bare = mfr_dataset(variables=[], has_structured_data=None)
    build(settings, store, server, [bare])  # defines the source, without defaults
    settings.sources["mfr"].options["defaults"] = {"has_structured_data": True}
    harvest(settings, store, None)
    [d] = coverage(store, settings).datasets
    assert not d.in_feed and d.by(PUBLISHER) == []
    assert [(g.field, g.setting) for g in d.by(OPERATOR)] == [
        ("has_structured_data", "sources.mfr.options.defaults.has_structured_data = false")
    ]
    settings.sources["mfr"].options["defaults"] = {"has_structured_data": False}
    harvest(settings, store, None)
    assert coverage(store, settings).total.in_feed == 1


def test_catalog_reindex_validates_again_what_changed_settings_affect(harvested, capsys):
    settings, store = harvested
    settings.save_sources()
    settings.organisations = parse_organisations({FHI: {"name": "Folkehelseinstituttet", "url": "https://www.fhi.no/"}})
    settings.save_organisations()
    assert main(["--home", str(settings.home), "reindex"]) == 0
    assert "validated 3 records again" in capsys.readouterr().out
    reloaded = Settings.load(settings.home)
    assert coverage(SQLiteStore(reloaded.db_path), reloaded).total.in_feed == 2


def test_catalog_ehds_coverage_as_text_json_and_a_publishers_fix_list(harvested, capsys):
    settings, store = harvested
    settings.save_sources()
    home = str(settings.home)
    assert main(["--home", home, "ehds-coverage"]) == 0
    text = capsys.readouterr().out
    assert "The EHDS feed: 1 of 3 datasets (33.3 %)" in text
    assert f'operatør | operator: publisher.email  <- organisations."{FHI}".email' in text
    assert "utgiver | publisher: description" in text
    assert main(["--home", home, "ehds-coverage", "--format", "json", "--source", "mfr"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["in_feed"] == 1 and report["sources"]["mfr"]["left_out"] == 2
    [publisher] = report["publishers"]
    assert main(["--home", home, "ehds-coverage", "--fix-list", publisher]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["dataset"], r["field"]) for r in rows] == [("mfr-3", "description")]
    assert main(["--home", home, "ehds-coverage", "--fix-list", "nobody"]) == 2
    assert main(["--home", home, "ehds-coverage", "--source", "nowhere"]) == 2


def test_the_summary_says_which_datasets_left_for_their_publisher_lack_operator_settings_too(client, harvested, capsys):
    """mfr-3 lacks a description (its publisher's) and its publisher's e-mail (the register's).
    "1 the operator's settings would complete, 1 need their publisher" left the operator to think
    the registry's fix alone would bring it in: the demo's summary read "0 ... would complete, 13
    need their publisher" while each of the 13 also lacked two of its source's defaults."""
    settings, store = harvested
    found = coverage(store, settings)
    assert (found.total.operator_can_complete, found.total.publisher_must_fix, found.total.operator_too) == (1, 1, 1)
    settings.save_sources()
    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    text = capsys.readouterr().out
    assert (
        "left out: 2 (1 the operator's settings would complete, 1 need their publisher, "
        "1 of them the operator's settings too)" in text
    )
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["operator_too"] == 1
    pages = {
        "en": "1 of them also lacks operator settings: the publisher's fix alone does not bring it into the feed.",
        "nb": "1 av dem mangler også operatørinnstillinger: utgiverens retting alene tar det ikke med i feeden.",
        "nn": "1 av dei manglar òg operatørinnstillingar: rettinga til utgivaren åleine tek det ikkje med i feeden.",
    }
    for lang, said in pages.items():
        for path in ("/ehds/", "/sources/mfr"):
            html = client.get(f"{path}?lang={lang}").get_data(as_text=True).replace("&#39;", "'")
            assert said in html, (lang, path)


def test_the_coverage_is_served_as_json_as_the_cli_gives_it(client, harvested, capsys):
    """Only `catalog ehds-coverage --format json`, on a host with the store, gave it to the access
    body's scripts (the access body's drill); the explorer serves the same."""
    settings, _store = harvested
    settings.save_sources()
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json"]) == 0
    assert client.get("/ehds/readiness.json").json == json.loads(capsys.readouterr().out)
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json", "--source", "mfr"]) == 0
    assert client.get("/ehds/readiness.json?source=mfr").json == json.loads(capsys.readouterr().out)
    assert client.get("/ehds/readiness.json?source=nowhere").status_code == 404


def test_catalog_report_tells_a_sources_readiness(harvested, capsys):
    settings, store = harvested
    settings.save_sources()
    assert main(["--home", str(settings.home), "report", "mfr"]) == 0
    ehds = json.loads(capsys.readouterr().out)["ehds"]
    assert ehds["datasets"]["in_feed"] == 1
    assert {d["identifier"]: list(d["missing"][PUBLISHER]) != [] for d in ehds["left_out"]} == {
        "mfr-2": False,
        "mfr-3": True,
    }


class CountingReader:
    """A store's read side that counts each record `records` hands out, by URI; every call is the
    real store's own. How often a view reads a source's datasets is what it costs on a registry
    whose dataset holds 100,000 variables (a record of 17 MB, seconds a read)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.read: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def records(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for stored in self.inner.records(*args, **kwargs):
            self.read[stored.uri] += 1
            yield stored


DATASETS = {
    "https://data.fhi.no/mfr/dataset/fodsler",
    "https://data.fhi.no/mfr/dataset/2",
    "https://data.fhi.no/mfr/dataset/3",
}


def test_catalog_report_reads_the_sources_datasets_once(harvested, capsys, monkeypatch):
    """`catalog report` read every dataset of the source for its readiness and again for its rules'
    hints; it reads each once for both."""
    import catalog.store

    settings, store = harvested
    settings.save_sources()
    readers: list[CountingReader] = []
    real = catalog.store.open_reader

    def counted(opened: Settings) -> Any:
        readers.append(CountingReader(real(opened)))
        return readers[-1]

    monkeypatch.setattr(catalog.store, "open_reader", counted)
    assert main(["--home", str(settings.home), "report", "mfr"]) == 0
    said = json.loads(capsys.readouterr().out)
    [reader] = readers
    assert dict(reader.read) == dict.fromkeys(DATASETS, 1)
    assert said["ehds"]["datasets"]["in_feed"] == 1 and len(said["ehds"]["left_out"]) == 2  # both from the one read
    assert said["findings"] and all(f["hint"] for f in said["findings"]), said["findings"]


@pytest.mark.parametrize("path", ["/sources/mfr", "/sources/mfr?lang=en", "/api/sources/mfr"])
def test_a_sources_page_and_its_api_read_its_datasets_once(harvested, path):
    """The source page (and `/api/sources/<name>`, made of the same view) read every dataset of the
    source for its description, hints and quality, and again for its EHDS readiness; it reads each
    once for all of them."""
    from web import create_app

    settings, store = harvested
    app = create_app(settings, {"TESTING": True})
    reader = app.extensions["store"] = CountingReader(app.extensions["store"])
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert dict(reader.read) == dict.fromkeys(DATASETS, 1)


def coded_feed() -> list:
    """The feed's dataset uses two code lists: one conforms, one has no title (a violation of
    DCAT-AP's concept scheme), and a third its variables name the registry does not publish."""
    good = dataclasses.replace(apgar_codes(), uri="https://data.fhi.no/mfr/kodeverk/kjonn", identifier="kjonn")
    untitled = dataclasses.replace(apgar_codes(), title={})
    d = mfr_dataset()
    d.variables[0].codelist = good.uri
    d.variables[1].codelist = "https://data.fhi.no/mfr/kodeverk/utgatt"
    return [d, good, untitled, mfr_dataset(uri="https://data.fhi.no/mfr/dataset/3", identifier="mfr-3", description={})]


NO_TITLE = "Kodelisten mangler tittel (dct:title) | The code list has no title (dct:title)"


def test_the_code_lists_the_feeds_datasets_use_are_counted_and_those_left_out_say_why(settings, store, server):
    """The EHDS feed carries the code lists its datasets use, when they conform; the report
    counted only datasets, so a code list left out of the feed (and a variable's link into
    nothing there) showed nowhere but on the code list's own page."""
    build(settings, store, server, coded_feed())
    found = coverage(store, settings)
    assert (found.codelist_total.used, found.codelist_total.in_feed, found.codelist_total.not_held) == (3, 1, 1)
    left = {c.uri: c for c in found.codelists if not c.in_feed}
    untitled = left[apgar_codes().uri]
    assert untitled.held and untitled.used_by == [mfr_dataset().uri]
    assert [(p.message, p.count) for p in untitled.problems] == [(NO_TITLE, 1)]
    assert untitled.problems[0].hint.startswith("Gi kodelisten et navn som dct:title")
    gone = left["https://data.fhi.no/mfr/kodeverk/utgatt"]
    assert not gone.held and gone.problems == []
    # mfr-3 is left out of the feed: what its variables use is not asked of the feed
    assert set(coverage(store, settings, "mfr").to_dict()["codelists"]) == {"used", "in_feed", "not_held", "left_out"}


def test_the_code_lists_are_in_the_cli_report_the_json_and_the_page(settings, store, server, capsys):
    from web import create_app

    build(settings, store, server, coded_feed())
    settings.save_sources()
    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    text = capsys.readouterr().out
    assert "Kodelister | Code lists: 1 of 3 that the feed's datasets use are in it" in text
    assert f"  [mfr] apgar  (used by 1 datasets)\n    {NO_TITLE} (1)" in text
    assert (
        "  https://data.fhi.no/mfr/kodeverk/utgatt  (used by 1 datasets)\n"
        "    ikke i katalogen | not in the catalogue" in text
    )
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in report["codelists"].items() if k != "left_out"} == {"used": 3, "in_feed": 1, "not_held": 1}
    [untitled] = [c for c in report["codelists"]["left_out"] if c["held"]]
    assert untitled["problems"] == [
        {"message": NO_TITLE, "hint": untitled["problems"][0]["hint"], "count": 1}
    ] and untitled["used_by"] == [mfr_dataset().uri]
    client = create_app(settings, {"TESTING": True}).test_client()
    assert client.get("/ehds/readiness.json").json == report
    english = client.get("/ehds/?lang=en").get_data(as_text=True)
    assert "1 of 3 code lists that datasets in the EHDS feed use are in it." in english
    section = english.split('id="h-codelists"')[1]
    assert "The code list has no title (dct:title)" in section
    assert "https://data.fhi.no/mfr/kodeverk/utgatt" in section and "The catalogue holds no code list" in section
    nynorsk = client.get("/ehds/?lang=nn").get_data(as_text=True).split('id="h-codelists"')[1]
    assert "Kodelista manglar tittel (dct:title)" in nynorsk


def norwegian_only() -> list:
    """A registry's feed: one dataset in both languages, one titled in English alone with a
    Norwegian description, one in Norwegian alone (both conform: HealthDCAT-AP asks no language)."""
    return [
        mfr_dataset(),
        mfr_dataset(
            uri="https://data.fhi.no/mfr/dataset/2",
            identifier="mfr-2",
            description={"nb": "Alle fødsler i Norge fra 1967."},
        ),
        mfr_dataset(
            uri="https://data.fhi.no/mfr/dataset/3",
            identifier="mfr-3",
            title={"nb": "Fødsler", "nn": "Fødslar"},
            description={"nb": "Alle fødsler i Norge fra 1967."},
        ),
    ]


NO_ENGLISH_TITLE = "Datasettet har ingen engelsk tittel | The dataset has no English title"
NO_ENGLISH_DESCRIPTION = "Datasettet har ingen engelsk beskrivelse | The dataset has no English description"


def test_a_dataset_without_an_english_title_or_description_is_warned_of_not_left_out(settings, store, server):
    """The EU catalogue (HealthData@EU) is read in English; a description in Norwegian alone
    reached the feed with no word of it in any report."""
    build(settings, store, server, norwegian_only())
    found = coverage(store, settings)
    assert found.total.in_feed == 3 and found.total.without_english == 2
    warned = {d.identifier: [(w.field, w.fixer, w.message) for w in d.warnings] for d in found.datasets}
    assert warned == {
        "mfr-fodsler": [],
        "mfr-2": [("description.en", PUBLISHER, NO_ENGLISH_DESCRIPTION)],
        "mfr-3": [("title.en", PUBLISHER, NO_ENGLISH_TITLE), ("description.en", PUBLISHER, NO_ENGLISH_DESCRIPTION)],
    }
    hints = {w.field: w.hint for d in found.datasets for w in d.warnings}
    assert hints["title.en"].endswith("| Add a dct:title in English (language tag en)")


def test_the_english_warnings_are_in_the_cli_report_the_json_and_the_page(settings, store, server, capsys):
    from web import create_app

    build(settings, store, server, norwegian_only())
    settings.save_sources()
    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    text = capsys.readouterr().out
    assert "Advarsler | Warnings: 2 datasets lack an English title or description" in text
    assert "  [mfr] mfr-3  Fødsler: title.en, description.en" in text
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["without_english"] == 2
    assert [(w["identifier"], [g["field"] for g in w["warnings"]]) for w in report["warnings"]] == [
        ("mfr-2", ["description.en"]),
        ("mfr-3", ["title.en", "description.en"]),
    ]
    client = create_app(settings, {"TESTING": True}).test_client()
    assert client.get("/ehds/readiness.json").json == report
    for lang, said, hint in (
        ("en", "The dataset has no English title", "Add a dct:title in English"),
        ("nb", "Datasettet har ingen engelsk tittel", "Legg til en dct:title på engelsk"),
        ("nn", "Datasettet har ingen engelsk tittel", "Legg til ein dct:title på engelsk"),
    ):
        section = client.get(f"/ehds/?lang={lang}").get_data(as_text=True).split('id="h-english"')[1]
        section = section.split("</section>")[0]
        assert said in section and hint in section, lang
        assert "mfr-3" in section and "mfr-2" in section and "mfr-fodsler" not in section


def test_a_publishers_fix_list_asks_for_every_english_title_and_description_the_ehds_page_asks_for(
    settings, store, server, capsys
):
    """`/ehds/` and `catalog ehds-coverage` asked MS-registeret for four English titles and
    descriptions its fix list never named: the registry, sent the list, mended what kept its
    datasets out and left the rest. The list now says all of it, in the page's terms (field,
    message, hint), and which of it keeps a dataset out of the feed."""
    from web import create_app

    left_out = mfr_dataset(
        uri="https://data.fhi.no/mfr/dataset/4", identifier="mfr-4", title={"nb": "Fødsler"}, description={}
    )
    build(settings, store, server, [*norwegian_only(), left_out])
    settings.save_sources()
    found = coverage(store, settings)
    [key] = found.by_publisher()
    rows = fix_list(found, key)
    assert [(r["dataset"], r["field"], r["keeps_out_of_feed"]) for r in rows] == [
        ("mfr-4", "description", "yes"),
        ("mfr-4", "title.en", "no"),
        ("mfr-2", "description.en", "no"),
        ("mfr-3", "title.en", "no"),
        ("mfr-3", "description.en", "no"),
    ]
    asked = {(d.identifier, w.field, w.message, w.hint) for d in found.warned() for w in d.warnings}
    listed = {(r["dataset"], r["field"], r["problem"], r["how_to_fix"]) for r in rows}
    assert asked and asked <= listed, "every warning of /ehds/, word for word"
    assert main(["--home", str(settings.home), "ehds-coverage", "--fix-list", key]) == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == rows
    client = create_app(settings, {"TESTING": True}).test_client()
    csv_rows = client.get(f"/ehds/publishers/{key}.csv").get_data(as_text=True).lstrip("\ufeff")
    assert list(csv.DictReader(io.StringIO(csv_rows))) == rows
    for lang, said, no in (
        ("en", "The dataset has no English title", "No: asked, not required"),
        ("nb", "Datasettet har ingen engelsk tittel", "Nei: ønsket, ikke påkrevd"),
        ("nn", "Datasettet har ingen engelsk tittel", "Nei: ønskt, ikkje påkravd"),
    ):
        table = client.get(f"/ehds/publishers/{key}?lang={lang}").get_data(as_text=True).split('class="fixlist"')[1]
        table = table.split("</table>")[0]
        assert said in table and no in table and "mfr-2" in table, lang
        assert table.count("<tr>") == 1 + len(rows), lang
    english = client.get(f"/ehds/publishers/{key}?lang=en").get_data(as_text=True).split('class="fixlist"')[1]
    heads = re.findall(r'<th scope="rowgroup"[^>]*>(.*?) <code>([^<]+)</code>', english)
    assert [code for _, code in heads] == ["mfr-4", "mfr-2", "mfr-3"], "left out first, as the CSV has it"
    assert heads[0][0] == '<span lang="nb">Fødsler</span>', "its bokmål title, marked so on an English page"
    assert heads[1][0] == "Medical Birth Registry of Norway – births"


def test_the_ehds_pages_datasets_without_english_link_to_their_publishers_fix_list(settings, store, server):
    """The access body, reading "Without English" on /ehds/, wants to send each publisher its fix
    list (which asks for the English texts too): each dataset linked only to its own page."""
    from web import create_app

    unnamed = mfr_dataset(
        uri="https://data.fhi.no/mfr/dataset/5", identifier="mfr-5", title={"nb": "Uten utgiver"}, publisher=None
    )
    build(settings, store, server, [*norwegian_only(), unnamed])
    found = coverage(store, settings)
    warned = {d.identifier: d.publisher_key for d in found.warned()}
    assert {"mfr-2", "mfr-3", "mfr-5"} <= set(warned) and warned["mfr-2"] and not warned["mfr-5"]
    client = create_app(settings, {"TESTING": True}).test_client()
    for lang, label in (("en", "Fix list"), ("nb", "Retteliste"), ("nn", "Retteliste")):
        section = client.get(f"/ehds/?lang={lang}").get_data(as_text=True).split('id="h-english"')[1]
        items = section.split("</section>")[0].split("<li>")[1:]
        for identifier, key in warned.items():
            [item] = [i for i in items if f'<code class="name">{identifier}</code>' in i]
            links = re.findall(r'href="(/ehds/publishers/[^"]+)"', item)
            if key:
                assert links == [f"/ehds/publishers/{key}"] and f"{label}: <a" in item, (lang, identifier)
            else:
                assert links == [], "no publisher, no fix list to link to"
    listed = client.get(f"/ehds/publishers/{warned['mfr-3']}?lang=en").get_data(as_text=True)
    assert "<code>mfr-3</code>" in listed and "The dataset has no English title" in listed


def test_ehds_coverage_shows_a_title_whole_where_it_fits_and_else_cuts_it_between_words(
    settings, store, server, capsys
):
    """The access body's drill: `catalog ehds-coverage` cut titles at 70 characters and publishers'
    names at 40, in a word or after an opening parenthesis ("Nasjonalt kvalitetsregister for
    barnekreft – Pasientrapporterte data ("), which a registry sent the text could take for its title."""
    prom = "Nasjonalt kvalitetsregister for barnekreft – Pasientrapporterte data (PROM)"
    long = "Norsk pasientregister – " + "somatikk, psykisk helsevern og tverrfaglig spesialisert rusbehandling " * 2
    norkog = "Norsk register for personer som utredes for kognitive symptomer (NorKog)"
    publisher = Agent(name={"nb": norkog}, uri="https://example.org/org/norkog", email="norkog@example.org")
    build(
        settings,
        store,
        server,
        [
            mfr_dataset(uri=f"https://data.fhi.no/mfr/dataset/{n}", identifier=f"mfr-{n}", title={"nb": title})
            for n, title in ((1, prom), (2, long.strip()))
        ]
        + [mfr_dataset(uri="https://data.fhi.no/mfr/dataset/3", identifier="mfr-3", publisher=publisher)],
    )
    settings.save_sources()
    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [whole] = [line for line in lines if "mfr-1 " in line]
    assert f"mfr-1  {prom}: title.en" in whole
    [cut] = [line for line in lines if "mfr-2 " in line]
    shown = cut.split("mfr-2  ", 1)[1].split(": title.en")[0]
    assert shown.endswith("…") and len(shown) <= 100
    assert long.startswith(shown[:-1]) and long[len(shown) - 1] == " ", "cut between words"
    named = [line for line in lines if "Norsk register for personer" in line]
    assert len(named) == 2 and all(norkog in line for line in named), "per publisher, and without a type: whole"
    assert any(line.endswith(" 1 of 1") for line in named)


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("Pasientrapporterte data (PROM)", 40, "Pasientrapporterte data (PROM)"),
        ("Pasientrapporterte data (PROM)", 26, "Pasientrapporterte data…"),
        ("Registeret – Pasientrapporterte data", 20, "Registeret…"),
        ("Pasientrapporterte", 10, "Pasientra…"),
        ("", 10, ""),
        ("Pasientrapporterte", 1, "…"),
    ],
)
def test_a_text_too_long_for_its_column_is_cut_at_a_word_with_an_ellipsis(text, width, shown) -> None:
    from catalog.cli import clipped

    assert clipped(text, width) == shown and len(clipped(text, width)) <= width


def test_sources_add_refuses_a_wrong_default_naming_the_setting(tmp_path, capsys):
    options = json.dumps({"defaults": {"publisher": {"email": "no-at-sign"}}})
    code = main(
        [
            "--home",
            str(tmp_path),
            "sources",
            "add",
            "x",
            "--kind",
            "dcat",
            "--url",
            "http://127.0.0.1/",
            "--options",
            options,
        ]
    )
    assert code == 2
    assert (
        "sources.x.options.defaults.publisher.email: 'no-at-sign' er ikke en e-postadresse | "
        "'no-at-sign' is not an e-mail address" in capsys.readouterr().err
    )
    assert not (tmp_path / "catalog.toml").exists() or "[sources.x]" not in (tmp_path / "catalog.toml").read_text()


def test_a_fix_list_keeps_formulas_from_sources_as_text():
    rows = [{"dataset": "=HYPERLINK(1)", "title": "+x", "uri": "u", "field": "f", "problem": "p", "how_to_fix": "h"}]
    assert fix_list_csv(rows).splitlines()[1].startswith("'=HYPERLINK(1),'+x,")


# --- the web -------------------------------------------------------------------------------------


@pytest.fixture
def client(harvested):
    from web import create_app

    settings, _ = harvested
    return create_app(settings, {"TESTING": True}).test_client()


def test_the_ehds_page_lists_coverage_per_source_and_publisher_and_why_each_dataset_is_left_out(client, harvested):
    html = client.get("/ehds/").get_data(as_text=True)
    assert "1 av 3 datasett kommer med i HealthDCAT-AP-feeden (EHDS)" in html
    assert f"organisations.&#34;{FHI}&#34;.email" in html
    assert "Datasettet mangler beskrivelse" in html
    english = client.get("/ehds/?lang=en").get_data(as_text=True)
    assert "The dataset has no description" in english and "Only the publisher can supply" in english


def test_the_ehds_page_in_nynorsk_says_why_each_dataset_is_left_out_in_nynorsk(settings, store, server):
    """A researcher's drill: `/ehds/?lang=nn` gave the shapes' messages and fix hints in bokmål
    ("Ikke-offentlige datasett må ha datasett-type"), marked lang="nb"."""
    from web import create_app

    untyped = mfr_dataset(uri="https://data.fhi.no/mfr/dataset/4", identifier="mfr-4", dataset_type=None)
    build(settings, store, server, [*incomplete(), untyped])
    html = create_app(settings, {"TESTING": True}).test_client().get("/ehds/?lang=nn").get_data(as_text=True)
    assert '<html lang="nn">' in html
    for field, message, hint in (
        ("publisher.email", "Utgivaren manglar e-post eller nettside (kontaktpunkt)", "Innstilling: "),
        (
            "description",
            "Datasettet manglar skildring",
            "Legg til dct:description som forklarer kva datasettet inneheld",
        ),
        ("dataset_type", "Ikkje-offentlege datasett må ha datasett-type", "Innstilling: "),
    ):
        assert re.search(rf"<code>{re.escape(field)}</code>: {re.escape(message)}\s*<br><small>{re.escape(hint)}", html)
    left_out = html.split('id="h-left-out"')[1]
    for bokmaal in ("mangler", "Ikke-offentlige", "Utgiveren", "beskrivelse", "f.eks."):
        assert bokmaal not in left_out, bokmaal
    gaps = re.findall(r'<ul class="gaps \w+">.*?</ul>', left_out, re.S)
    assert len(gaps) == 4 and not [g for g in gaps if 'lang="nb"' in g], "no message marked as bokmål"


def test_the_datasets_left_out_are_named_in_the_pages_language(client, harvested):
    """An English source page listed MSIS's "Laboratoriemeldinger" left out of the feed, and the
    same page elsewhere "Laboratory notifications": the title was taken in bokmål whatever the page."""
    english = client.get("/ehds/?lang=en").get_data(as_text=True)
    left_out = english[english.index('class="left-out"') :]
    assert "Medical Birth Registry of Norway – births" in left_out and "fødselsregister – fødsler" not in left_out
    assert '<span lang="nb">Folkehelseinstituttet</span>' in left_out  # only in bokmål: marked so
    bokmal = client.get("/ehds/?lang=nb").get_data(as_text=True)
    assert "Medisinsk fødselsregister – fødsler" in bokmal[bokmal.index('class="left-out"') :]


def test_the_readiness_shares_are_written_as_the_ui_language_writes_numbers(client, harvested):
    """The EHDS pages wrote "(33.3 %)" and "100.0 %" on bokmål pages, where every other page (and
    the minimum metadata pages beside them) writes 33,3 %."""
    for path in ("/ehds/", "/sources/mfr"):
        html = client.get(path).get_data(as_text=True)
        # not "33.3" alone: a run's time on the page ("15:24:33.311488") held it once
        assert "(33,3 %)" in html and not re.search(r"33\.3\d* ?%", html), path
    assert '<td class="num">33,3 %</td>' in client.get("/ehds/").get_data(as_text=True)
    assert "(33.3 %)" in client.get("/ehds/?lang=en").get_data(as_text=True)
    client.get("/?lang=nb")  # the language is remembered in a cookie


def test_a_source_page_shows_its_readiness(client):
    html = client.get("/sources/mfr").get_data(as_text=True)
    assert 'id="h-ehds"' in html and "1 av 3 datasett" in html


def test_a_publishers_fix_list_is_a_page_and_a_csv(client, harvested):
    settings, store = harvested
    [key] = coverage(store, settings).by_publisher()
    html = client.get(f"/ehds/publishers/{key}").get_data(as_text=True)
    assert "Retteliste: Folkehelseinstituttet" in html and "mfr-3" in html
    response = client.get(f"/ehds/publishers/{key}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == fix_list(coverage(store, settings), key)
    assert client.get("/ehds/publishers/0000000000000000").status_code == 404


def test_the_dataset_page_shows_the_published_view_and_who_supplied_each_field(client, harvested):
    from catalog.model import key_for

    settings, store = harvested
    settings.organisations = parse_organisations({FHI: {"name": "Folkehelseinstituttet", "email": "fhi@example.org"}})
    html = client.get(f"/datasets/{key_for('https://data.fhi.no/mfr/dataset/2')}").get_data(as_text=True)
    assert "fhi@example.org" in html  # the register's e-mail, in the published view
    assert f'title="organisations.&#34;{FHI}&#34;.email">utfylt av katalogoperatøren' in html
    api = client.get(f"/api/datasets/{key_for('https://data.fhi.no/mfr/dataset/2')}").json["ehds"]
    assert {"field": "publisher.email", "by": "operator", "setting": f'organisations."{FHI}".email'} in api["completed"]


@pytest.mark.parametrize(
    ("lang", "carried", "left_out", "why"),
    [
        (
            "en",
            "The EHDS feed carries this dataset.",
            "The EHDS feed leaves this dataset out.",
            "Why: see “For publishers” below",
        ),
        (
            "nb",
            "EHDS-feeden har med dette datasettet.",
            "EHDS-feeden utelater dette datasettet.",
            "Hvorfor: se «For utgivere» nedenfor",
        ),
        (
            "nn",
            "EHDS-feeden tek med dette datasettet.",
            "EHDS-feeden utelèt dette datasettet.",
            "Kvifor: sjå «For utgivarar» nedanfor",
        ),
    ],
)
def test_a_researcher_sees_whether_the_ehds_feed_carries_a_dataset_without_opening_publishers(
    client, harvested, lang, carried, left_out, why
):
    """A researcher asking whether a dataset is in the EU's (EHDS) feed found the answer only
    inside the folded "For publishers" section. The Access facts say it; one left out links to
    the reasons, which stay in that section."""
    from catalog.model import key_for

    def access(uri: str) -> str:
        html = client.get(f"/datasets/{key_for(uri)}?lang={lang}").get_data(as_text=True)
        return html.split('id="h-access"')[1].split("</section>")[0]

    complete = access(mfr_dataset().uri)
    assert carried in complete and 'href="#h-ehds"' not in complete
    bare = access("https://data.fhi.no/mfr/dataset/3")
    assert left_out in bare and f'<a href="#h-ehds">{why}</a>' in bare
    client.get("/?lang=nb")  # the language is remembered in a cookie


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_feed_carries_every_simulated_dataset_but_those_made_unfixable_on_purpose(tmp_path):
    from catalog.demo import configure as configure_demo
    from simulator import Simulator

    settings = Settings.load(tmp_path / "home")
    with Simulator(seed=0) as simulator:
        configure_demo(settings, simulator.source_configs())
        store = SQLiteStore(settings.db_path)
        harvest(settings, store, None, workers=2)
        manifest = simulator.manifest()
    unfixable = {(name, native) for name, m in manifest.items() for native in m.get("expected_violations", {})}
    found = coverage(store, settings)
    assert {(d.source, d.identifier) for d in found.left_out()} == unfixable and len(unfixable) > 0
    assert all(d.by(PUBLISHER) for d in found.left_out())  # each says what only its publisher can add
    assert found.total.in_feed == found.total.datasets - len(unfixable)


def test_the_demo_operator_names_one_place_to_apply_per_source_its_access_route(tmp_path):
    """Every demo dataset without a distribution got helsedata.no's application as its access URL,
    so a Tromsø Study dataset page said "apply at helsedata.no" beside "where you apply: the Tromsø
    Study - application to UiT" (its access route)."""
    from catalog.access import routes
    from catalog.demo import configure as configure_demo
    from simulator import Simulator

    settings = Settings.load(tmp_path / "home")
    with Simulator(seed=0) as simulator:
        configure_demo(settings, simulator.source_configs())
    for name, src in settings.sources.items():
        route = routes().for_source(name, src)
        if route.url and "defaults" in src.options:
            assert src.options["defaults"]["access_url"] == route.url, name
    assert settings.sources["tromso"].options["defaults"]["access_url"] == routes().routes["tromso"].url


def test_the_demo_register_types_the_holders_of_national_health_registries_and_nobody_else(tmp_path):
    """The access body found 16 of the demo's 19 dataset publishers without a dct:type: the register
    types those it clearly is (FHI, the Directorate of Health with NPR and KPR, the Cancer
    Registry); a cohort study's university, Sikt, SSB and the access body are left without."""
    from catalog.demo import configure as configure_demo
    from simulator import Simulator, content

    settings = Settings.load(tmp_path / "home")
    with Simulator(seed=0) as simulator:
        configure_demo(settings, simulator.source_configs())
    typed = {org.name.get("", org.name.get("nb")): org.type for org in settings.organisations.values() if org.type}
    registry = "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type/public-health-registry"
    assert typed == {org.name_nb: registry for org in (content.FHI, content.HDIR, content.KREFT)}


MFR_PUBLISHER = "https://data.fhi.no/org/fhi"
REGISTRY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type/public-health-registry"


def test_a_publisher_without_a_publisher_type_is_counted_and_named_with_where_to_set_it(
    settings, store, server, capsys
):
    """HealthDCAT-AP describes a dataset's publisher by its type (dct:type); the access body found
    16 of the demo's 19 publishers without one, and no readiness report said so: they conform, so
    nothing was left out and nothing was warned of."""
    from web import create_app

    settings.organisations = parse_organisations({MFR_PUBLISHER: {"name": "Folkehelseinstituttet"}})
    build(settings, store, server, norwegian_only())
    settings.save_sources()
    settings.save_organisations()
    found = coverage(store, settings)
    assert found.total.in_feed == 3 and found.total.without_publisher_type == 3
    [untyped] = found.untyped_publishers()
    assert (untyped.name, untyped.datasets, untyped.sources) == (
        "Folkehelseinstituttet",
        ["mfr-2", "mfr-3", "mfr-fodsler"],
        ["mfr"],
    )
    assert untyped.setting == f'organisations."{MFR_PUBLISHER}".type'
    assert (
        untyped.message == "Utgiveren har ingen utgivertype (dct:type) | The publisher has no publisher type (dct:type)"
    )

    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    text = capsys.readouterr().out
    assert "Publishers without a publisher type (dct:type): 1, of 3 datasets" in text
    assert f"Folkehelseinstituttet{' ' * 19}      3 datasets  <- {untyped.setting}" in text
    assert main(["--home", str(settings.home), "ehds-coverage", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["without_publisher_type"] == 3
    [said] = report["publishers_without_type"]
    assert (said["key"], said["setting"], said["datasets"]) == (untyped.key, untyped.setting, untyped.datasets)

    client = create_app(settings, {"TESTING": True}).test_client()
    assert client.get("/ehds/readiness.json").json == report
    for lang, heading, hint in (
        ("en", "Publishers without a publisher type", "State type in the organisation&#39;s entry"),
        ("nb", "Utgivere uten utgivertype", "Oppgi type i organisasjonens oppføring"),
        ("nn", "Utgivarar utan utgivartype", "Oppgi type i oppføringa til organisasjonen"),
    ):
        html = client.get(f"/ehds/?lang={lang}").get_data(as_text=True)
        section = html.split('id="h-publisher-type"')[1].split("</section>")[0]
        assert heading in html and hint in section, lang
        assert f"organisations.&#34;{MFR_PUBLISHER}&#34;.type" in section and "Folkehelseinstituttet" in section

    # typed in the register: the feed carries the type, and the report finds nothing
    settings.organisations = parse_organisations({MFR_PUBLISHER: {"name": "FHI", "type": "public-health-registry"}})
    found = coverage(store, settings)
    assert found.total.without_publisher_type == 0 and found.untyped_publishers() == []
    assert {d.publisher_type for d in found.datasets} == {REGISTRY}


def test_an_organisation_the_register_does_not_hold_gets_no_invented_type_and_the_report_says_to_add_it(
    settings, store, server, capsys
):
    """A publisher the organisation register does not hold has the type its source states, or none:
    the feed invents none (a source's default publisher cannot state one). The report named the
    entry to add as if it were there ("organisations.\"<IRI>\".type") and told the operator to set
    type "in the organisation's entry"."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS

    from web import create_app

    hofte = Agent(name={"nb": "Hoftebruddregisteret"}, email="hofte@example.org", identifier="983974732")
    typed = Agent(name={"nb": "Kreftregisteret"}, email="k@example.org", uri="https://kreft.example/org", type=REGISTRY)
    settings.organisations = parse_organisations({MFR_PUBLISHER: {"name": "Folkehelseinstituttet"}})
    build(
        settings,
        store,
        server,
        [
            mfr_dataset(),
            mfr_dataset(uri="https://data.fhi.no/mfr/dataset/2", identifier="hofte-1", publisher=hofte),
            mfr_dataset(uri="https://data.fhi.no/mfr/dataset/3", identifier="kreft-1", publisher=typed),
        ],
    )
    settings.save_sources()
    settings.save_organisations()
    found = coverage(store, settings)
    assert found.total.in_feed == 3 and found.total.without_publisher_type == 2
    said = {p.name: (p.registered, p.setting, p.hint.split(" | ")[1]) for p in found.untyped_publishers()}
    assert said == {
        "Folkehelseinstituttet": (
            True,
            f'organisations."{MFR_PUBLISHER}".type',
            "State type in the organisation's entry of the organisation register (catalog.toml), as a code or "
            'a name, e.g. type = "public-health-registry"',
        ),
        "Hoftebruddregisteret": (
            False,
            'organisations."<IRI>" with org_number = "983974732" and type',
            "The operator's to do, not in the publisher's fix list: the organisation is not in the organisation "
            "register, and the catalogue gives it no type. Add it in catalog.toml with type (the setting given), "
            'e.g. type = "public-health-registry". Should the publisher state its type itself instead, the field '
            "is dct:type of the publisher in its feed (in the publisher kit: publisher = { type = ... } in "
            "metadata.toml)",
        ),
    }

    feed = Graph().parse(
        data=feed_page(settings, store, FeedRequest(profile="healthdcat-ap"), "http://cat.example/catalog"),
        format="turtle",
    )

    def publisher_types(dataset: str) -> set[str]:
        return {str(t) for p in feed.objects(URIRef(dataset), DCTERMS.publisher) for t in feed.objects(p, DCTERMS.type)}

    assert publisher_types("https://data.fhi.no/mfr/dataset/2") == set()  # nothing invented
    assert publisher_types("https://data.fhi.no/mfr/dataset/3") == {REGISTRY}  # the source's own

    assert main(["--home", str(settings.home), "ehds-coverage"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "Hoftebruddregisteret" in line]
    assert lines[-1].endswith('with org_number = "983974732" and type (ikke i registeret | not in the register)')
    client = create_app(settings, {"TESTING": True}).test_client()
    for lang, whose, publishers in (
        (
            "en",
            "The operator&#39;s to do, not in the publisher&#39;s fix list",
            "the field is dct:type of the publisher",
        ),
        ("nb", "Operatørens oppgave, ikke i utgiverens retteliste", "er feltet dct:type på utgiveren"),
        ("nn", "Operatøren si oppgåve, ikkje i rettelista til utgivaren", "er feltet dct:type på utgivaren"),
    ):
        html = client.get(f"/ehds/?lang={lang}").get_data(as_text=True)
        section = html.split('id="h-publisher-type"')[1].split("</section>")[0]
        assert whose in section and publishers in section and "catalog.toml" in section, lang
        assert "with org_number = &#34;983974732&#34; and type" in section, "the operator's setting, named"
    [hofte_key] = [p.key for p in found.untyped_publishers() if p.name == "Hoftebruddregisteret"]
    assert not [r for r in fix_list(found, hofte_key) if "type" in r["field"]], "the operator's, not the registry's"


def test_a_fix_hint_names_the_element_of_the_sources_own_format():
    """A drill on the real samples: a DDI archive and the Datahotel's variable lists were told "Add
    dct:description", a term their formats do not have; each is told what its harvester reads."""
    from catalog.config import SourceConfig
    from catalog.readiness import format_hint
    from catalog.texts import nynorsk

    rdf = "Legg til dct:description | Add dct:description"
    ddi = SourceConfig("ipums", "oai-ddi", "https://cps.ipums.org/oai", "survey")
    dcat = SourceConfig("fhi", "dcat", "https://data.fhi.no/catalog", "central-registry")
    listed = SourceConfig("nav", "spreadsheet", "https://data.norge.no/fields.csv", "statistics")
    mapped = SourceConfig(
        "datahotell-nav-yrke",
        "spreadsheet",
        "https://data.norge.no/fields.csv",
        "statistics",
        options={"columns": {"shortname": "name", "name": "title", "content": "description"}},
    )
    assert format_hint("description", rdf, dcat) == rdf  # DCAT keeps its terms
    assert format_hint("description", rdf, None) == rdf
    study = format_hint("description", rdf, ddi)
    assert "stdyDscr/stdyInfo/abstract" in study and "dct:" not in study
    assert "var/txt" in format_hint("variables.HEALTH.description", rdf, ddi)
    assert "var/labl" in format_hint("variables.HEALTH.title", rdf, ddi)
    assert 'xml:lang="en"' in format_hint("description.en", rdf, ddi)
    assert format_hint("variables.aar.description", rdf, mapped).endswith(
        '| Fill in the column "content" of the variable list with what the variable measures'
    )
    assert '"name"' in format_hint("variables.aar.title", rdf, mapped)
    assert '"Beskrivelse"' in format_hint("variables.aar.description", rdf, listed)  # the heading read unmapped
    assert "sources.datahotell-nav-yrke.options.description" in format_hint("description", rdf, mapped)
    for hint in (study, format_hint("variables.aar.description", rdf, mapped), format_hint("title", rdf, mapped)):
        nn = nynorsk(hint)  # a nynorsk page finds each, its placeholders filled
        assert nn and "dct:" not in nn and " | " not in nn, hint
    assert nynorsk(format_hint("variables.aar.description", rdf, mapped)) == (
        "Fyll ut kolonnen «content» i variabellista med kva variabelen måler"
    )


def test_a_ckan_microdata_or_vardef_source_is_told_the_field_its_harvester_reads():
    """A CKAN registry was told "Add dct:description", microdata.no "Add a dct:title in English":
    each is told the field of its own JSON its harvester reads (a package's notes, an extra's key,
    a data structure's measureVariable), or, for a field the format cannot carry, the operator's
    setting in catalog.toml."""
    from catalog.config import SourceConfig
    from catalog.model import Dataset
    from catalog.readiness import format_hint, language_warnings
    from catalog.texts import nynorsk

    rdf = "Legg til dct:description | Add dct:description"
    ckan = SourceConfig("hdx", "ckan", "https://data.humdata.org", "catalogue")
    microdata = SourceConfig("microdata", "microdata", "https://metadata.microdata.no/metadata", "statistics")
    vardef = SourceConfig("ssb-vardef", "vardef", "https://metadata.ssb.no/vardef", "statistics", options={})
    notes = format_hint("description", rdf, ckan)
    assert notes.endswith(
        "| Write a description of the dataset in the package's notes (ckanext-scheming: notes_translated)"
    )
    assert "title_translated" in format_hint("title.en", rdf, ckan)
    assert "field access_rights (extras" in format_hint("access_rights", rdf, ckan)
    assert "HDX: dataset_date" in format_hint("temporal", rdf, ckan)
    assert "HDX: data_update_frequency" in format_hint("frequency", rdf, ckan)
    assert "maintainer_email" in format_hint("contact.email", rdf, ckan)
    assert "license_url" in format_hint("distributions[0].license", rdf, ckan)
    assert '"Beskrivelse" of the variable list' in format_hint("variables.AGE.description", rdf, ckan)
    assert format_hint("custodian", rdf, ckan).endswith(  # ckan.py reads no custodian
        "| The CKAN harvester reads no such field from the source: the operator states it in catalog.toml, "
        "sources.hdx.options.defaults.custodian"
    )
    assert "measureVariable.representedVariables[].description" in format_hint("description", rdf, microdata)
    assert "measureVariable.label" in format_hint("title", rdf, microdata)
    assert "representedVariables[].description" in format_hint("variables.INNTEKT.description", rdf, microdata)
    assert "sources.microdata.options.defaults.spatial" in format_hint("spatial", rdf, microdata)
    assert "definition (in each language" in format_hint("variables.landbak.description", rdf, vardef)
    assert "sources.ssb-vardef.options.defaults.temporal_start" in format_hint("temporal", rdf, vardef)
    assert "sources.ssb-vardef.options.languages" in format_hint("title.en", rdf, vardef)
    assert format_hint("hdab.type", rdf, vardef) == rdf  # the access body's: no source's field
    inntekt = Dataset(uri="https://microdata.no/d/1", identifier="INNTEKT", title={"nb": "Inntekt"})
    [warning] = language_warnings(inntekt, microdata)
    assert "microdata.no gives measureVariable.label in one language (languageCode)" in warning.hint
    for hint in (notes, warning.hint, format_hint("custodian", rdf, ckan), format_hint("title.en", rdf, vardef)):
        nn = nynorsk(hint)
        assert nn and "dct:" not in nn and " | " not in nn, hint
    assert nynorsk(format_hint("spatial", rdf, microdata)) == (
        "Haustaren for microdata.no les ikkje dette feltet frå kjelda: operatøren oppgir det i catalog.toml, "
        "sources.microdata.options.defaults.spatial"
    )


ADMS_NATIONAL = "http://purl.org/adms/publishertype/NationalAuthority"


def test_a_publisher_typed_from_adms_is_a_gap_naming_the_value_release_8_refuses_and_what_to_use(
    settings, store, server
):
    """Release 8's vocabulary shapes refuse a dataset's publisher whose dct:type is not of HealthDCAT-AP's
    publisher-type list (mdr-vocabularies.shape.ttl, HealthPublisherAgent_ShapeCV, a Violation), and the
    EU refuses the dataset; ADMS's NationalAuthority, which our hint suggested and the register took,
    passed our checks and reached the feed. From the register it is the operator's to mend (its entry
    named); stated by the source, the publisher's."""
    stated = Agent(
        name={"nb": "Kreftregisteret"}, email="k@example.org", uri="https://kreft.example/org", type=ADMS_NATIONAL
    )
    settings.organisations = parse_organisations(
        {MFR_PUBLISHER: {"name": "Folkehelseinstituttet", "type": "NationalAuthority"}}
    )
    build(
        settings,
        store,
        server,
        [mfr_dataset(), mfr_dataset(uri="https://data.fhi.no/mfr/dataset/3", identifier="kreft-1", publisher=stated)],
    )
    found = coverage(store, settings)
    assert found.total.in_feed == 0
    by_id = {d.identifier: d for d in found.datasets}
    registered, own = by_id["mfr-fodsler"], by_id["kreft-1"]
    assert (registered.source, own.source) == ("mfr", "mfr")
    [gap] = registered.by(OPERATOR)
    assert (gap.field, gap.setting) == ("publisher.type", f'organisations."{MFR_PUBLISHER}".type')
    [told] = own.by(PUBLISHER)
    assert told.field == "publisher.type" and told.setting is None
    for g in (gap, told):
        assert ADMS_NATIONAL in g.message and "Release 8" in g.message
        assert "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type" in g.hint
        assert "public-health-registry" in g.hint and "NationalAuthority" not in g.hint.split("(")[0]

    settings.organisations = parse_organisations(
        {MFR_PUBLISHER: {"name": "Folkehelseinstituttet", "type": "public-health-registry"}}
    )
    [result] = harvest(settings, store, None)
    assert result.ok
    assert {d.identifier for d in coverage(store, settings).datasets if d.in_feed} == {"mfr-fodsler"}


def test_a_variable_list_source_is_told_the_setting_for_what_its_list_cannot_say():
    """A registry's variable list (kind spreadsheet) was told "Legg til geodcatap:custodian" and
    "Legg til healthdcatap:healthTheme" on its source page: a list holds variables only, its
    harvester reads the dataset's title, description, publisher, keywords, themes, health
    categories, access rights and landing page from the source's options, and everything else is
    the operator's default in catalog.toml."""
    from catalog.config import SourceConfig
    from catalog.readiness import format_hint
    from catalog.texts import nynorsk

    rdf = "Legg til geodcatap:custodian | Add geodcatap:custodian"
    listed = SourceConfig("hkr-varliste", "spreadsheet", "https://example.org/hkr.xlsx", "quality-registry")
    for field in ("custodian", "health_themes", "number_of_records", "coding_systems"):
        assert format_hint(field, rdf, listed).endswith(
            "| The spreadsheet harvester reads no such field from the source: the operator states it in "
            f"catalog.toml, sources.hkr-varliste.options.defaults.{field}"
        ), field
    assert "{setting}" not in format_hint("title", rdf, listed) and "options.title" in format_hint("title", rdf, listed)
    assert format_hint("publisher.type", rdf, listed) == rdf  # the publisher it reads; its type is the register's
    assert nynorsk(format_hint("custodian", rdf, listed)).startswith("Haustaren for spreadsheet les ikkje")
