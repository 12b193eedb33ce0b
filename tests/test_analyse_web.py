"""Counts and synthetic samples on the web: the published view only, on pages, in the API and feeds.

A registry publishes a variable list and a frequency table beside it (on loopback); one of its
counts, 987654, is a complement suppressed to protect a count of 3, so it must appear nowhere the
catalogue answers: not on a page, in the API, a feed, an export, a basket file or a sample.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog import synthetic
from catalog.config import Settings, SourceConfig
from catalog.model import key_for
from catalog.pipeline import harvest
from catalog.rdf import ADMS
from catalog.search import open_backend
from catalog.store import SQLiteStore
from tests.simulated import OPERATOR_DEFAULTS
from web import create_app

FREQUENCIES = """Variabel;Kode;Antall;Manglende
KJONN;1;987654;nei
KJONN;2;123456;nei
KJONN;9;3;ja
KJONN;Totalt;1111113;
DIAGNOSE;C50;611107;nei
DIAGNOSE;C61;500000;nei
DIAGNOSE;C34;2;nei
DIAGNOSE;C18;4;nei
"""
SECRET = "987654"
SOURCE = "kreft-liste"


def varlist_csv() -> str:
    """The list with its codes quoted (the codes hold the separator)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Variabelnavn", "Variabeletikett", "Beskrivelse", "Datatype", "Kodeverk", "Enhet"])
    for name, label, kind, codes, unit in (
        ("KJONN", "Kjønn", "Heltall", "1=Mann;2=Kvinne;9=Ukjent", ""),
        (
            "DIAGNOSE",
            "Hoveddiagnose",
            "Tekst",
            "C50=Brystkreft;C61=Prostatakreft;C34=Lungekreft;C18=Tykktarmskreft",
            "",
        ),
        ("ALDER", "Alder ved diagnose", "Heltall", "", "år"),
        ("DIAGNOSEDATO", "Diagnosedato", "Dato", "", ""),
        ("PASIENT", "Pasientnummer (pseudonym)", "Tekst", "", ""),
    ):
        writer.writerow([name, label, f"{label}, slik det er meldt til registeret.", kind, codes, unit])
    return out.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory, _static_server):
    server = _static_server
    listing = server.serve("/analyse/kreft.csv", varlist_csv().encode(), Content_Type="text/csv; charset=utf-8")
    server.serve("/analyse/frekvenser.csv", FREQUENCIES.encode(), Content_Type="text/csv; charset=utf-8")
    settings = Settings.load(tmp_path_factory.mktemp("analyse") / "home")
    settings.sources[SOURCE] = SourceConfig(
        SOURCE,
        "spreadsheet",
        listing,
        title="Kreftregisteret – variabelliste",
        options={
            "title": "Kreftregisteret – insidens",
            "description": "Nye krefttilfeller meldt til Kreftregisteret, med diagnose, kjønn og alder.",
            "identifier": "kreft-insidens",
            "frequencies_url": "frekvenser.csv",
            "defaults": {
                **OPERATOR_DEFAULTS,
                "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
                "temporal_start": "1953-01-01",
                "temporal_end": "2023-12-31",
            },
        },
    )
    store = SQLiteStore(settings.db_path)
    index = open_backend(settings)
    [result] = harvest(settings, store, index)
    assert result.ok and result.counts["invalid"] == 0, result.errors
    dataset = next(store.records(SOURCE, kind="dataset")).record
    store.close()
    index.close()
    app = create_app(settings)
    return app, dataset


@pytest.fixture
def client(site):
    return site[0].test_client()


def variable_key(site, name: str) -> str:
    return key_for(next(v.uri for v in site[1].variables if v.name == name))


def test_the_api_gives_frequencies_with_suppressed_counts_as_null(client, site):
    body = client.get(f"/api/variables/{variable_key(site, 'KJONN')}").get_json()
    assert [(f["code"], f["label"], f["count"], f["missing"]) for f in body["frequencies"]] == [
        ("1", {"nb": "Mann"}, None, False),
        ("2", {"nb": "Kvinne"}, 123455, False),
        ("9", {"nb": "Ukjent"}, None, True),
    ]
    assert body["total"] == 1111115, "the registry's total, rounded to 5"
    assert body["disclosure"] == {"threshold": 5, "rounding": 5, "suppressed": 2}


def test_two_small_diagnoses_hide_each_other_and_the_summary_is_withheld(client, site):
    body = client.get(f"/api/variables/{variable_key(site, 'DIAGNOSE')}").get_json()
    assert [f["count"] for f in body["frequencies"]] == [611105, 500000, None, None]
    assert body["summary"]["valid"] is None


def test_a_variable_without_counts_has_none_in_the_api(client, site):
    body = client.get(f"/api/variables/{variable_key(site, 'ALDER')}").get_json()
    assert (body["frequencies"], body["total"], body["summary"]) == ([], None, None)


def test_a_variables_page_and_api_read_its_own_table_of_the_counts_alone(client, site, monkeypatch):
    """A registry's 100,000 variables each with a table made a variable's page decode every one
    of them for its own: 7 s a page. The page and the API read the variable's table alone
    (`published_table`) and say what they said."""
    import web.distribution

    def whole(data):
        raise AssertionError("every table of the published counts was decoded")

    monkeypatch.setattr(web.distribution, "published_tables", whole)
    body = client.get(f"/api/variables/{variable_key(site, 'KJONN')}").get_json()
    assert [f["count"] for f in body["frequencies"]] == [None, 123455, None] and body["total"] == 1111115
    assert client.get(f"/api/variables/{variable_key(site, 'ALDER')}").get_json()["frequencies"] == []
    html = client.get(f"/variables/{variable_key(site, 'DIAGNOSE')}").get_data(as_text=True)
    assert "611\xa0105" in html and "500\xa0000" in html and 'id="h-dist"' in html


def test_the_variable_page_draws_the_distribution_and_marks_suppressed_counts(client, site):
    html = client.get(f"/variables/{variable_key(site, 'KJONN')}").get_data(as_text=True)
    assert 'id="h-dist"' in html and "<svg" in html.split('id="h-dist"')[1].split("</section>")[0]
    assert html.count("skjult") >= 2 and "123\xa0455" in html and "1\xa0111\xa0115" in html  # Norwegian digit groups
    assert "Tall under 5 vises ikke" in html and "avrundet til nærmeste 5" in html


def test_a_synthetic_sample_is_plain_csv_named_synthetic_and_follows_the_metadata(client, site):
    response = client.get(f"/api/datasets/{key_for(site[1].uri)}/synthetic.csv?rows=2000&seed=7")
    assert response.status_code == 200
    assert 'filename="SYNTETISK-kreft-insidens-synthetic.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["KJONN", "DIAGNOSE", "ALDER", "DIAGNOSEDATO", "PASIENT"]
    assert len(rows) == 2001
    columns = {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}
    assert set(columns["KJONN"]) <= {"1", "2", "9"} and set(columns["DIAGNOSE"]) <= {"C50", "C61", "C34", "C18"}
    assert all(re.fullmatch(r"\d+", a) for a in columns["ALDER"])
    assert all(re.fullmatch(r"(195[3-9]|19[6-9]\d|20[0-2]\d)-\d\d-\d\d", d) for d in columns["DIAGNOSEDATO"])
    # code 2 is published as 123,455 of 1,111,115; the suppressed 1 and 9 share the rest evenly
    share = columns["KJONN"].count("2") / 2000
    assert 0.07 < share < 0.16
    again = client.get(f"/api/datasets/{key_for(site[1].uri)}/synthetic.csv?rows=2000&seed=7").get_data()
    assert again == response.get_data(), "the same seed gives the same sample"
    assert client.get(f"/api/datasets/{key_for(site[1].uri)}/synthetic.csv?rows=2000&seed=8").get_data() != again


@pytest.mark.parametrize("rows", ["0", "10001", "many"])
def test_a_sample_outside_the_limits_is_refused_plainly(client, site, rows):
    response = client.get(f"/api/datasets/{key_for(site[1].uri)}/synthetic.csv?rows={rows}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_the_xlsx_sample_says_on_its_first_sheet_that_it_is_synthetic(client, site):
    response = client.get(f"/api/datasets/{key_for(site[1].uri)}/synthetic.xlsx?rows=10")
    assert "SYNTETISK" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[0] == "SYNTETISKE DATA"
    assert [row[0] for row in book.worksheets[0].iter_rows(max_row=3, values_only=True)] == [
        synthetic.WARNING["nb"],
        synthetic.WARNING["nn"],
        synthetic.WARNING["en"],
    ], "in bokmål, nynorsk and English, as the feed says it: the sheet had no nynorsk"
    assert [c.value for c in book.worksheets[1][1]] == ["KJONN", "DIAGNOSE", "ALDER", "DIAGNOSEDATO", "PASIENT"]
    assert book.worksheets[1].max_row == 11


def test_the_dataset_page_offers_the_sample_and_says_it_is_not_real(client, site):
    html = client.get(f"/datasets/{key_for(site[1].uri)}").get_data(as_text=True)
    assert "Syntetiske data – ikke ekte personer." in html
    assert f'action="/api/datasets/{key_for(site[1].uri)}/synthetic.csv"' in html


def test_the_ehds_feed_describes_the_sample_as_a_synthetic_adms_sample(client, site):
    g = Graph().parse(data=client.get("/catalog/dump.nt").get_data(), format="nt")
    [sample] = g.objects(URIRef(site[1].uri), ADMS.sample)
    assert (sample, DCAT.accessURL, None) in g
    description = {str(o) for o in g.objects(sample, DCTERMS.description)}
    assert any("SYNTETISKE DATA" in d for d in description) and any("SYNTHETIC DATA" in d for d in description)
    assert "synthetic.csv" in str(g.value(sample, DCAT.downloadURL))


def test_no_raw_count_reaches_any_page_feed_export_or_sample(client, site):
    dataset, keys = site[1], [key_for(v.uri) for v in site[1].variables]
    urls = [f"/variables/{k}" for k in keys] + [f"/api/variables/{k}" for k in keys]
    urls += [f"/datasets/{key_for(dataset.uri)}", f"/api/datasets/{key_for(dataset.uri)}"]
    urls += [f"/api/datasets/{key_for(dataset.uri)}/synthetic.csv?rows=500", "/search?q=kjønn", "/api/search?q=kjønn"]
    urls += [f"/catalog/dump.nt?profile={p}" for p in ("healthdcat-ap", "dcat-ap-3", "dcat-ap-no")]
    urls += [f"/catalog?profile={p}" for p in ("healthdcat-ap", "dcat-ap-3", "dcat-ap-no")]
    urls += [f"/api/basket/export?ids={','.join(keys)}&format={f}" for f in ("csv", "json", "ttl", "jsonld")]
    urls += [f"/sources/{SOURCE}", f"/api/sources/{SOURCE}", "/changes?since=2000-01-01"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.get_data(as_text=True), url
    assert "123455" in client.get(f"/api/variables/{keys[0]}").get_data(as_text=True), "what is published is there"


def test_an_english_distribution_table_says_once_that_its_meanings_are_norwegian(client, site):
    """An English page headed the distribution's "Ja", "Nei", "Ukjent" plain "Meaning", while the
    code table just below said "Meaning (Norwegian)" of the same labels. The distribution's
    column says it once too, not on each row; a Norwegian page says nothing."""
    table = re.compile(r'<table class="frequencies">.*?</table>', re.S)
    url = f"/variables/{variable_key(site, 'KJONN')}"
    [counts] = table.findall(client.get(f"{url}?lang=en").get_data(as_text=True))
    note = '<span class="lang-note" lang="en">(Norwegian)</span>'
    assert f'<th scope="col">Meaning {note}</th>' in counts and counts.count("lang-note") == 1
    assert '<span lang="nb">Mann</span>' in counts
    for lang in ("nb", "nn"):
        [norsk] = table.findall(client.get(f"{url}?lang={lang}").get_data(as_text=True))
        assert "lang-note" not in norsk
