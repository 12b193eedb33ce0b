"""What only the spreadsheet harvester does: every layout as XLSX and CSV, dataset metadata from the
source's options, conditional GET, damaged CSV rows, an unchanged file never parsed again, hostile
XLSX, a workbook's every sheet of variables and its merged cells. Full, unchanged, generation, deletion, fault, rate limit and duplicate behaviour is the
harvester contract's (`test_harvester_contract.py`)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from catalog.config import SourceConfig
from catalog.model import Agent
from catalog.pipeline import harvest
from harvesters import spreadsheet
from tests.simulated import configure, datasets, harvest_counts, harvested_codes, inline_codes, run, stored, truth
from tests.test_varlist import HELSEDATA, INNLEGGELSE, LAUGHS, UTSKRIVELSE, with_member, workbook, xlsx

LISTS = ["hkr-varliste", "kreft-elvis-varliste", "iplos-varliste"]  # layouts helsedata, elvis, helsedata
SOURCE, OTHER = "kreft-elvis-varliste", "hkr-varliste"


def use_csv(settings, name):
    """Harvest the same list from the CSV the simulator also publishes (`csv_url`, absolute or not)."""
    src = settings.sources[name]
    src.url = urljoin(src.url, src.options["csv_url"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_each_list_becomes_one_dataset_with_exactly_its_variables_and_codes(settings, store, sim, fmt):
    configure(settings, sim, *LISTS)
    if fmt == "csv":
        for name in LISTS:
            use_csv(settings, name)
    results = run(settings, store)
    for name in LISTS:
        assert stored(store, name) == truth(sim, name, modified=False)
        assert harvested_codes(store, name) == inline_codes(sim, name)
        assert harvest_counts(results[name]) == {
            "new": 1 + len(inline_codes(sim, name)),
            "changed": 0,
            "unchanged": 0,
            "deleted": 0,
            "errors": 0,
        }


def test_dataset_metadata_comes_from_the_source_options(settings, store, server):
    url = server.serve("/liste.xlsx", xlsx(HELSEDATA))
    settings.sources["mfr-liste"] = SourceConfig(
        "mfr-liste",
        "spreadsheet",
        url,
        title="MFR variabelliste",
        options={
            "title": "Medisinsk fødselsregister",
            "description": "Variabler i MFR.",
            "publisher": "Folkehelseinstituttet",
            "publisher_uri": "https://data.fhi.no/org/fhi",
            "uri": "https://data.fhi.no/mfr",
            "identifier": "mfr",
            "keywords": ["fødsel"],
            "themes": ["http://publications.europa.eu/resource/authority/data-theme/HEAL"],
        },
    )
    run(settings, store)
    d = datasets(store, "mfr-liste")["mfr"]
    assert (d.uri, d.title, d.description, d.publisher, d.keywords, d.themes, d.landing_page) == (
        "https://data.fhi.no/mfr",
        {"nb": "Medisinsk fødselsregister"},
        {"nb": "Variabler i MFR."},
        Agent(name={"nb": "Folkehelseinstituttet"}, uri="https://data.fhi.no/org/fhi"),
        {"nb": ["fødsel"]},
        ["http://publications.europa.eu/resource/authority/data-theme/HEAL"],
        url,
    )
    assert [v.name for v in d.variables] == ["KJONN", "VEKT", "BOKOMM"]


def test_with_validators_a_304_reports_the_records_present(settings, store, sim):
    configure(settings, sim, SOURCE)
    sim.conditional_get = True
    try:
        first = run(settings, store)[SOURCE]
        assert "etag" in store.state(SOURCE)
        again = run(settings, store)[SOURCE]
    finally:
        sim.conditional_get = False
    assert harvest_counts(again) == {
        "new": 0,
        "changed": 0,
        "unchanged": first.counts["new"],
        "deleted": 0,
        "errors": 0,
    }


@pytest.mark.parametrize(
    "fault, field, message",
    [("latin1", "encoding", "it was read as Windows-1252"), ("malformed", None, "is not valid CSV")],
)
def test_a_damaged_csv_keeps_every_good_row_and_tells_the_publisher(settings, store, sim, fault, field, message):
    configure(settings, sim, SOURCE)
    use_csv(settings, SOURCE)
    sim.set_fault(SOURCE, fault)
    result = run(settings, store)[SOURCE]
    assert result.ok and stored(store, SOURCE) == truth(sim, SOURCE, modified=False)
    # the same fault damages the frequency table beside the list: the publisher is told of each
    assert {(e.field, message in e.message) for e in result.errors} == {(field, True)}


def test_an_unchanged_file_is_not_read_again_and_its_problems_are_reported_again(settings, store, sim, monkeypatch):
    configure(settings, sim, SOURCE)
    sim.set_fault(SOURCE, "duplicate_ids")
    first = run(settings, store)[SOURCE]

    def unread(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(spreadsheet, "read_varlist", unread)
    again = run(settings, store)[SOURCE]
    assert again.ok and harvest_counts(again) == {
        "new": 0,
        "changed": 0,
        "unchanged": first.counts["new"],
        "deleted": 0,
        "errors": 1,
    }
    assert [(e.record_id, e.field, e.message) for e in again.errors] == [
        (e.record_id, e.field, e.message) for e in first.errors
    ]
    settings.sources[SOURCE].options["title"] = "Nytt navn"  # the source's options map into the dataset
    monkeypatch.undo()
    renamed = run(settings, store)[SOURCE]
    assert renamed.counts["changed"] == 1


def test_a_hostile_xlsx_fails_the_source_without_parsing_it(settings, store, server):
    bomb = with_member(
        xlsx(HELSEDATA), "xl/worksheets/sheet1.xml", lambda data: b'<?xml version="1.0"?>' + LAUGHS + data
    )
    settings.sources["evil"] = SourceConfig("evil", "spreadsheet", server.serve("/evil.xlsx", bomb))
    result = run(settings, store)["evil"]
    assert result.status == "failed"
    assert result.error == (
        "the variable list cannot be read: refused an XLSX file whose part "
        "xl/worksheets/sheet1.xml declares a DOCTYPE or entities (possible XXE or entity "
        f"expansion attack) at {server.url}/evil.xlsx"
    )


def test_a_workbook_is_harvested_from_every_sheet_of_variables_with_its_merged_cells_filled_down(
    settings, store, server, caplog
):
    """Of a list split over two sheets, with a "Tabell" cell merged down the first sheet's rows, the
    first sheet alone was harvested, with the table on its first row alone, and no error."""
    prose = [["Om listen"], ["Variablene er gruppert per skjema."]]
    innleggelse = [[*row, "Tabell" if n == 0 else "Opphold" if n == 1 else None] for n, row in enumerate(INNLEGGELSE)]
    content = workbook(
        {"Om": prose, "Innleggelse": innleggelse, "Utskrivelse": UTSKRIVELSE}, {"Innleggelse": ["D2:D3"]}
    )
    settings.sources["hjerte"] = SourceConfig("hjerte", "spreadsheet", server.serve("/hjerte.xlsx", content))
    with caplog.at_level("INFO", logger="harvesters.spreadsheet"):
        [result] = harvest(settings, store, None, ["hjerte"], workers=1)  # in this process, so its log is seen
    assert result.ok and result.errors == []
    assert [(v.name, v.table) for v in datasets(store, "hjerte")["hjerte"].variables] == [
        ("PASIENT_ALDER", "Opphold"),
        ("KJONN", "Opphold"),
        ("ROYKER", "Utskrivelse"),
        ("DOD_30", "Utskrivelse"),
    ]
    assert f"{server.url}/hjerte.xlsx: sheets not read (no row of headings naming the variable): 'Om'" in (
        caplog.messages
    )
