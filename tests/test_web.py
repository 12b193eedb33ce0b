"""The explorer's pages through Flask's test client, over a catalogue harvested for real on loopback."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF

from catalog.access import routes
from catalog.rdf import CSVW
from catalog.store import RunError
from tests.factories import BASE, mfr_dataset
from tests.web_catalogue import EVIL, FORMULA, NPR, vkey
from web import create_app
from web.basket import keys_from_token, token_for
from web.topics import EXAMPLES

VEKT = vkey(f"{BASE}/variabel/VEKT")
SVLEN = vkey(f"{BASE}/variabel/SVLEN")
DIAG = vkey(f"{NPR}/variabel/HOVEDDIAGNOSE")
NPR_VEKT = vkey(f"{NPR}/variabel/FODSELSVEKT")
NPR_DS = vkey(f"{NPR}/dataset/episoder")
MFR_DS = vkey(f"{BASE}/dataset/fodsler")
EVIL_VAR = vkey(f"{EVIL}/variabel/V1")


@pytest.fixture
def client(web_app: Flask) -> FlaskClient:
    """A client of the shared web catalogue (tests/web_catalogue.py), not of an empty home."""
    return web_app.test_client()


def page(client, url: str, **kw) -> str:
    response = client.get(url, **kw)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def hits(html: str) -> list[str]:
    """The variable or dataset names of a result page, in order."""
    return re.findall(r'<code class="name">(?:<mark>)?([^<]*)', html.split('class="hits"')[1].split("</ol>")[0])


# --- search ------------------------------------------------------------------------------------


def test_a_search_lists_matching_variables_from_every_source_with_highlights(client):
    html = page(client, "/search?q=fødselsvekt")
    assert sorted(hits(html)) == ["FODSELSVEKT", "VEKT"]
    assert "<mark>Fødselsvekt</mark>" in html
    assert f'href="/variables/{VEKT}"' in html and f'href="/variables/{NPR_VEKT}"' in html
    assert "Medisinsk fødselsregister – fødsler" in html and "Norsk pasientregister" in html
    assert "Heltall (gram)" in html and "2010–2019" in html


def test_a_misspelt_search_says_it_shows_similar_spellings_and_counts_what_it_shows(client):
    html = page(client, "/search?q=fødselsvkt")
    assert sorted(hits(html)) == ["FODSELSVEKT", "VEKT"]
    assert "Ingen treff på ordene slik de er skrevet" in html and "2 variabler" in html
    assert client.get("/api/search?q=fødselsvkt").get_json()["typos_tolerated"] is True
    assert "slik de er skrevet" not in page(client, "/search?q=fødselsvekt")


def test_facets_show_counts_per_value(client):
    html = page(client, "/search")
    assert re.search(r'>HUNT</a> <span class="count">45</span>', html)
    assert re.search(r'>Medisinsk fødselsregister</a> <span class="count">4</span>', html)
    assert re.search(r'>Helseundersøkelse</a> <span class="count">45</span>', html)


def test_filters_combine_within_and_across_facets_and_each_can_be_removed(client):
    both = page(client, "/search?source=mfr&source=npr")
    assert "7 variabler" in both
    chips = re.findall(r'<a class="chip" href="([^"]*)"', both)
    assert chips == ["/search?source=npr", "/search?source=mfr"]
    narrowed = page(client, "/search?source=mfr&source=npr&datatype=integer")
    assert sorted(hits(narrowed)) == ["APGAR5", "FODSELSVEKT", "MORS_ALDER", "SVLEN", "VEKT"]
    assert "Fjern alle filtre" in narrowed


def test_a_year_typed_among_the_words_becomes_a_filter_the_page_shows_and_removes(client):
    """Researchers ask for what exists for a year ("fødselsvekt 2015"); a year searched as a word
    matched only what happens to say it."""
    response = client.get("/search?q=f%C3%B8dselsvekt+2015&lang=en")
    assert response.status_code == 302
    assert response.location == "/search?q=f%C3%B8dselsvekt&year=2015&typed=2015&lang=en"
    html = page(client, "/search?q=fødselsvekt&year=2015")
    assert "FODSELSVEKT" in hits(html)  # NPR's, 2010-2019
    chips = re.findall(r'<a class="chip" href="([^"]*)">([^<]*)', html)
    assert chips == [("/search?q=f%C3%B8dselsvekt", "Years with data: 2015 ")]  # in English, as chosen
    assert "FODSELSVEKT" not in hits(page(client, "/search?q=fødselsvekt&year=2021"))
    assert client.get("/search?q=2017-2019").location == "/search?year=2017-2019&typed=2017-2019"  # the years alone
    assert client.get("/search?q=diabetes+fra+2010").location == "/search?q=diabetes&year=2010-&typed=2010-"
    marked = page(client, "/search?q=fødselsvekt&year=2015&year=2016&typed=2015")  # 2015 typed, 2016 chosen
    assert re.findall(r'<a class="chip" href="([^"]*)">', marked) == [
        "/search?q=f%C3%B8dselsvekt&amp;year=2016",  # the typed year's chip removes its mark too
        "/search?q=f%C3%B8dselsvekt&amp;year=2015&amp;typed=2015",
    ]
    opened = page(client, "/search?q=fødselsvekt&year=2010-&lang=nb")
    assert re.findall(r'<a class="chip" href="[^"]*">([^<]*)', opened) == ["År med data: fra 2010 "]


def test_words_with_no_common_hit_are_offered_each_alone_with_its_count(client):
    """ "hoveddiagnose røyking" lists the rows of either; each word is a search of its own."""
    html = page(client, "/search?q=hoveddiagnose+røyking&grouped=0")
    notice = html.split("Ingen treff på alle ordene")[1].split("</p>")[0]
    assert "Hvert ord for seg:" in notice
    links = re.findall(r'<a href="([^"]*)">«([^»]*)»</a> \((\d+)\)', notice)
    assert links == [
        ("/search?q=hoveddiagnose&amp;grouped=0", "hoveddiagnose", "1"),
        ("/search?q=r%C3%B8yking&amp;grouped=0", "røyking", "45"),
    ]
    assert "Hvert ord for seg" not in page(client, "/search?q=røyking")  # all words matched
    api = client.get("/api/search?q=hoveddiagnose røyking").json
    assert api["each_word"] == [{"words": "hoveddiagnose", "total": 1}, {"words": "røyking", "total": 45}]
    assert client.get("/api/search?q=røyking").json["each_word"] == []


EIGHT_WORDS = "hoveddiagnose røyking vekt fødsel diabetes kreft hjerte blodtrykk"


@pytest.mark.parametrize(
    ("lang", "more"),
    [
        ("nb", ", og 2 ord til, uten antall treff:"),
        ("nn", ", og 2 ord til, utan tal på treff:"),
        ("en", ", and 2 more words, without their counts:"),
    ],
)
def test_a_search_of_more_words_than_are_counted_offers_the_rest_without_counts(client, lang, more):
    """Each word alone listed the first six of eight words and said nothing of the other two: a
    researcher took them for words that found nothing."""
    html = page(client, f"/search?q={EIGHT_WORDS.replace(' ', '+')}&grouped=0&lang={lang}")
    counted, rest = html.split(more)
    assert len(re.findall(r"</a> \(\d+\)", counted.split('class="notice"')[-1])) == 6
    rest = rest[: rest.index("</p>")]
    assert re.findall(r'<a href="/search\?q=(\w+)&amp;grouped=0">[«“]\w+[»”]</a>', rest) == ["hjerte", "blodtrykk"]
    assert "(" not in rest


def test_the_api_gives_the_words_past_those_counted_alone_with_a_null_total(client):
    body = client.get(f"/api/search?q={EIGHT_WORDS}").json
    assert [one["words"] for one in body["each_word"]] == EIGHT_WORDS.split()
    assert [one["total"] is None for one in body["each_word"]] == [False] * 6 + [True] * 2


SELECTION = {"nb": "ICD-10 (utvalg av kategorier)", "en": "ICD-10 (selected categories)"}


def unlisted_diagnoses() -> list[dict[str, Any]]:
    """A quality registry's diagnoses, coded in ICD-10 with no codes published: as the demo's lists
    of variables say it (in bokmål, no code list), with a code list the catalogue holds without
    its codes, and from a list of variables written in English."""
    from catalog.model import CodeList, Dataset, Variable
    from catalog.search.documents import SourceInfo, complete, documents

    base = "https://example.org/nhi"
    selection = CodeList(uri=f"{base}/kodeverk/icd10-utvalg", identifier="icd10-utvalg", title=SELECTION)
    nb, en = SELECTION["nb"], SELECTION["en"]
    variables = [
        Variable(uri=f"{base}/HOVEDDIAGNOSE", name="HOVEDDIAGNOSE", title={"nb": "Hoveddiagnose"}, coding_system=nb),
        Variable(
            uri=f"{base}/BIDIAGNOSE",
            name="BIDIAGNOSE",
            title={"nb": "Bidiagnose"},
            coding_system=nb,
            codelist=selection.uri,
        ),
        Variable(uri=f"{base}/DIAGNOSIS", name="DIAGNOSIS", title={"en": "Diagnosis"}, coding_system=en),
    ]
    dataset = Dataset(
        uri=f"{base}/dataset", identifier="nhi", title={"nb": "Hjerteinfarktregisteret"}, variables=variables
    )
    info = SourceInfo("nhi", "Norsk hjerteinfarktregister", "quality-registry")
    docs = [*documents(dataset, info), *documents(selection, info)]
    lists = {doc["key"]: doc["coded"] for doc in docs if doc["type"] == "codelist"}
    return list(complete(docs, lists.get))


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            {
                "HOVEDDIAGNOSE": 'Coded in <span lang="nb">ICD-10 (utvalg av kategorier)</span>, whose codes are not '
                "published with it: it may hold I21.",
                "BIDIAGNOSE": "Coded in ICD-10 (selected categories), whose codes are not published with it: it may "
                "hold I21.",
                "DIAGNOSIS": "Coded in ICD-10 (selected categories), whose codes are not published with it: it may "
                "hold I21.",
            },
        ),
        (
            "nb",
            {
                "HOVEDDIAGNOSE": "Kodet i ICD-10 (utvalg av kategorier) uten publiserte koder: variabelen kan ha I21.",
                "BIDIAGNOSE": "Kodet i ICD-10 (utvalg av kategorier) uten publiserte koder: variabelen kan ha I21.",
                "DIAGNOSIS": 'Kodet i <span lang="en">ICD-10 (selected categories)</span> uten publiserte koder: '
                "variabelen kan ha I21.",
            },
        ),
        (
            "nn",
            {
                "HOVEDDIAGNOSE": 'Koda i <span lang="nb">ICD-10 (utvalg av kategorier)</span> utan publiserte '
                "kodar: variabelen kan ha I21.",
                "BIDIAGNOSE": 'Koda i <span lang="nb">ICD-10 (utvalg av kategorier)</span> utan publiserte kodar: '
                "variabelen kan ha I21.",
                "DIAGNOSIS": 'Koda i <span lang="en">ICD-10 (selected categories)</span> utan publiserte kodar: '
                "variabelen kan ha I21.",
            },
        ),
    ],
)
def test_the_may_hold_line_names_the_classification_in_its_own_language_among_the_pages_words(
    settings, store, lang, lines
):
    """On an English page the line named the list as the variable list writes it, marked bokmål:
    right for the demo's registries, wrong where the catalogue holds the list with an English
    title, and wrong for a list of variables written in English (marked bokmål, unmarked on a
    bokmål page)."""
    app = create_app(settings)
    app.extensions["search"].upsert(unlisted_diagnoses())
    html = page(app.test_client(), f"/search?q=I21&grouped=0&lang={lang}")
    rows = html.split('<li class="hit">')[1:]
    shown = {
        re.search(r'<code class="name">(?:<mark>)?(\w+)', row).group(1): re.search(
            r'<p class="matched">(.*?)</p>', row
        ).group(1)
        for row in rows
    }
    assert shown == lines


def test_the_api_gives_a_hits_label_and_dataset_title_in_every_language_the_record_has(client):
    """A client showing English had only the bokmål label ("Hoveddiagnose") to show."""
    [hit] = [h for h in client.get("/api/search?q=hoveddiagnose").json["hits"] if h["name"] == "HOVEDDIAGNOSE"]
    assert hit["labels"] == {"nb": "Hoveddiagnose", "nn": "Hovuddiagnose", "en": "Main diagnosis"}
    assert hit["dataset_titles"] == {
        "nb": "Norsk pasientregister – episoder",
        "en": "Norwegian Patient Registry – episodes",
    }
    [hunt] = client.get("/api/search?q=røyking&limit=1").json["hits"]
    assert hunt["dataset_titles"] == {"nb": "HUNT4 spørreskjema"} and hunt["labels"] == {"nb": hunt["label"]}


def test_the_filters_take_a_year_or_a_span_and_say_when_it_is_none(client):
    html = page(client, "/search?q=fødselsvekt&source=npr&year=2015")
    form = html.split('aria-labelledby="facet-years"')[1].split("</form>")[0]
    assert '<input type="hidden" name="source" value="npr">' in form and 'name="year"' in form
    assert 'value="2015"' in form and '<input type="hidden" name="year"' not in form
    wrong = page(client, "/search?q=fødselsvekt&year=tjue")
    assert "«tjue» er ikke et år eller et spenn av år" in wrong and "FODSELSVEKT" in hits(wrong)
    assert 'id="facet-years"' not in page(client, "/search?q=icd&type=codelist")  # no years
    typed = client.get("/search?q=røyking&year=2010,+2018&year=2016")  # the field holds several
    assert typed.status_code == 302 and typed.location == "/search?q=r%C3%B8yking&year=2010&year=2018&year=2016"
    both = page(client, typed.location)
    assert 'name="year" inputmode="numeric" size="10" value="2010, 2018, 2016"' in both
    assert "45 variabler" in both  # HUNT4 covers 2018
    chips = dict((label, href) for href, label in re.findall(r'<a class="chip" href="([^"]*)">([^<]*)', both))
    assert chips["År med data: 2018 "] == "/search?q=r%C3%B8yking&amp;year=2010&amp;year=2016"  # removes it alone


def test_a_span_of_years_written_backwards_in_the_filter_is_read_in_order(client):
    """A researcher who writes "2019-2015" in the years field means the years between: the page
    refused it as "not a year or a span of years"; typed among the words it stays a word."""
    typed = client.get("/search?q=røyking&year=2019-2015")
    assert typed.status_code == 302 and typed.location == "/search?q=r%C3%B8yking&year=2015-2019"
    assert "45 variabler" in page(client, typed.location)  # HUNT4 covers 2017-2019
    assert client.get("/api/search?q=røyking&year=2019 - 2015").json["total"] == 45
    assert client.get("/api/search?q=røyking 2019-2015").json["query"] == "røyking 2019-2015"


def test_the_api_reads_a_year_among_the_words_and_refuses_one_that_is_none(client):
    answer = client.get("/api/search?q=røyking 2018").json
    assert (answer["query"], answer["filters"], answer["total"]) == ("røyking", {"year": ["2018"]}, 45)
    assert client.get("/api/search?q=røyking&year=2016").json["total"] == 0  # HUNT4 is 2017-2019
    assert client.get("/api/search?q=røyking&year=2016&year=2017").json["total"] == 45  # either
    refused = client.get("/api/search?q=røyking&year=twenty")
    assert refused.status_code == 400 and refused.json["detail"].startswith("year='twenty' is not a year")
    assert client.get("/api/search?q=fødselsvekt 2500").json["query"] == "fødselsvekt 2500"  # grams, no year
    assert client.get("/api/search?q=røyking&year=").json["total"] == 45  # empty: none, as type= is


def test_a_typed_year_also_finds_a_dataset_without_years_whose_title_holds_it(client):
    """A drill on FDK's Difi datasets ("Innbyggerundersøkelsen 2015", no dct:temporal): the typed
    year became a filter that kept out every dataset without years, and nothing was found. The
    years the redirect moves to the filter are marked typed, and such a dataset passes them."""
    moved = client.get("/search?q=fødselsvekt+1999&type=dataset")
    assert moved.location == "/search?q=f%C3%B8dselsvekt&type=dataset&year=1999&typed=1999"
    api = client.get("/api/search?q=1999&type=dataset").json  # the API reads the year among the words as typed
    chosen = client.get("/api/search?year=1999&type=dataset").json
    assert api["filters"] == chosen["filters"] == {"year": ["1999"]}
    assert client.get("/api/search?year=1999&typed=1999&type=dataset").json["total"] == api["total"]


def test_results_page_through_twenty_at_a_time(client):
    first = page(client, "/search?source=hunt&sort=name")
    assert "45 variabler" in first and len(hits(first)) == 20
    assert 'href="/search?source=hunt&amp;sort=name&amp;page=2" rel="next"' in first
    last = page(client, "/search?source=hunt&sort=name&page=3")
    assert len(hits(last)) == 5 and '<ol class="hits" start="41">' in last and 'rel="next"' not in last


def test_a_deep_page_links_back_to_the_first_as_it_links_on_to_the_last(nation):
    """The pager offered the last page but, from page 10, no way back to page 1 but "Forrige"."""
    html = nation.get("/search?page=10").get_data(as_text=True)
    pager = html[html.index('<nav class="pages"') :].split("</nav>")[0]
    first = '<a href="/search?page=1"><span class="visually-hidden">Første side: </span>1</a>'
    assert first in pager and '<li aria-hidden="true">…</li>' in pager.split(first)[1].split('href="/search?page=7"')[0]
    fifth = nation.get("/search?page=5").get_data(as_text=True).split('<nav class="pages"')[1].split("</nav>")[0]
    assert "Første side" in fifth and fifth.count("…") == 1  # 1, then 2 to 8: nothing between
    fourth = nation.get("/search?page=4").get_data(as_text=True).split('<nav class="pages"')[1].split("</nav>")[0]
    assert "Første side" not in fourth  # page 1 is among the pages shown


def test_a_page_past_the_last_says_so_and_links_back_rather_than_finding_nothing(client):
    html = page(client, "/search?q=vekt&sort=name&page=40")
    assert "Denne siden er forbi den siste (side 1)." in html and "Ingen treff" not in html
    assert 'href="/search?q=vekt&amp;sort=name&amp;page=1">Tilbake til første side</a>' in html
    assert "Ingenting i katalogen sier «zzzqqqxxx»" in page(client, "/search?q=zzzqqqxxx")


def test_sorting_by_name_orders_labels_alphabetically(client):
    html = page(client, "/search?source=hunt&sort=name")
    assert hits(html)[:3] == ["ROYK01", "ROYK10", "ROYK11"]
    assert '<option value="name" selected>' in html


def test_the_state_stays_in_the_url_when_a_facet_is_chosen(client):
    html = page(client, "/search?q=vekt&sort=name&page=2")
    link = re.search(r'href="([^"]*source=mfr[^"]*)"', html).group(1)
    assert link == "/search?q=vekt&amp;sort=name&amp;source=mfr"


def test_the_toggle_searches_datasets_with_the_same_words(client):
    html = page(client, "/search?q=fødsel")
    toggle = re.search(r'href="([^"]*type=dataset[^"]*)"', html).group(1)
    datasets = page(client, toggle.replace("&amp;", "&"))
    assert sorted(hits(datasets)) == ["evil", "mfr-fodsler"] and "2 datasett" in datasets
    assert 'aria-current="page">Datasett' in datasets


def tabs(html: str) -> dict[str, tuple[str, str]]:
    """The result type tabs of a page: each tab's title -> (its link, its count)."""
    found = re.findall(r'<li><a href="([^"]*)"[^>]*>([^<]*) <span class="count">([^<]*)</span>', html)
    return {title: (url.replace("&amp;", "&"), count) for url, title, count in found}


def test_filters_a_tab_does_not_take_are_set_aside_there_and_back_on_returning(client):
    """A researcher looking at the code lists of a search came back to its variables without
    their period and data type: the tabs dropped every filter the other type has not."""
    variables = page(client, "/search?period=2010-2019&datatype=integer")
    assert "5 variabler" in variables
    datasets_url, datasets_count = tabs(variables)["Datasett"]
    assert datasets_url == "/search?period=2010-2019&datatype=integer&type=dataset"
    datasets = page(client, datasets_url)
    assert "3 datasett" in datasets and datasets_count == "3"
    assert tabs(datasets)["Variabler"] == ("/search?period=2010-2019&datatype=integer&type=variable", "5")
    chips = datasets.split('class="chips"')[1].split("</div>")[0]
    assert re.findall(r'<a class="chip" href="[^"]*">([^<]*)', chips) == ["Periode: 2010–2019 "]
    assert "Brukes ikke på datasett" in chips
    assert re.findall(r'<a class="chip aside" href="([^"]*)">([^<]*)', chips) == [
        ("/search?period=2010-2019&amp;type=dataset", "Datatype: Heltall ")
    ]
    assert '<a class="chip clear" href="/search?q=&amp;type=dataset">Fjern alle filtre</a>' in chips
    codelists_url, codelists_count = tabs(datasets)["Kodelister"]
    codelists = page(client, codelists_url)
    assert "3 kodelister" in codelists and codelists_count == "3"
    assert tabs(codelists)["Variabler"][1] == "5" and tabs(codelists)["Datasett"][1] == "3"
    assert "Brukes ikke på kodelister" in codelists
    back = page(client, tabs(codelists)["Variabler"][0])
    assert "5 variabler" in back and "Brukes ikke" not in back
    assert re.findall(r'<a class="chip" href="[^"]*">([^<]*)', back) == ["Periode: 2010–2019 ", "Datatype: Heltall "]


@pytest.mark.parametrize(
    "url",
    [
        "/search?page=abc",
        "/search?page=-3",
        "/search?page=99999",
        "/search?type=bogus",
        "/search?type=datasets",
        "/search?q=vekt&sort=bogus&limit=100000&grouped=yes",
        "/search?page=" + "9" * 40,
        "/search?q=" + "x" * 5000,
        "/search?q=%22%29%28*&sort=nonsense",
    ],
)
def test_odd_search_parameters_give_a_page_not_an_error(client, url):
    page(client, url)


# --- variable page ------------------------------------------------------------------------------


def test_the_variable_page_shows_labels_per_language_with_lang_attributes(client):
    html = page(client, f"/variables/{DIAG}")
    assert '<dd lang="nb">Hoveddiagnose</dd>' in html
    assert '<dd lang="nn">Hovuddiagnose</dd>' in html
    assert '<dd lang="en">Main diagnosis</dd>' in html
    assert '<h1>Hoveddiagnose <code class="name">HOVEDDIAGNOSE</code></h1>' in html


def test_icd10_and_atc_codes_link_to_their_classification(client):
    diag = page(client, f"/variables/{DIAG}")
    assert '<a href="https://icd.who.int/browse10/2019/en#/C50" rel="noopener"><code>C50</code></a>' in diag
    assert 'href="https://icd.who.int/browse10/2019/en#/U07.1"' in diag
    drug = page(client, f"/variables/{vkey(NPR + '/variabel/LEGEMIDDEL')}")
    assert 'href="https://atcddd.fhi.no/atc_ddd_index/?code=A10BA02"' in drug


def test_validity_periods_and_changes_are_an_inline_svg_timeline(client):
    html = page(client, f"/variables/{DIAG}")
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<script" not in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert desc == "Denne variabelen: 2008–; Datasett: 2008–; Kode E11: 1999–; Kode U07.1: 2020–"
    # the years of the data, not the catalogue's own harvest dates (those are provenance)
    assert "i katalogen" not in desc


def test_the_same_variable_in_another_source_is_listed_as_an_equivalent_to_compare(client):
    html = page(client, f"/variables/{VEKT}")
    same = html.split('id="h-same"')[1].split("</section>")[0]
    assert f'href="/variables/{NPR_VEKT}"' in same and "I andre kilder (1)" in same
    assert f'href="/compare?ids={VEKT},{NPR_VEKT}"' in same
    assert f'name="ids" value="{VEKT}"' in same and f'name="ids" value="{NPR_VEKT}"' in same
    assert f'href="/variables/{VEKT}"' not in same


def test_an_equivalents_hidden_text_names_what_its_row_shows_in_the_pages_language(client):
    """A screen reader heard "Compare with Fødselsvekt in Norsk pasientregister – episoder" beside
    the row's "Norwegian Patient Registry – episodes" on the English page."""
    same = page(client, f"/variables/{VEKT}?lang=en").split('id="h-same"')[1].split("</section>")[0]
    assert "Compare with Fødselsvekt in Norwegian Patient Registry – episodes" in same
    assert ": Fødselsvekt, Norwegian Patient Registry – episodes</span>" in same


def test_provenance_and_validation_are_folded_away_for_publishers(client, web_settings):
    html = page(client, f"/variables/{VEKT}")
    publishers = html.split('<details class="publishers">')[1].split("</details>")[0]
    assert f'href="{web_settings.sources["mfr"].url}"' in publishers
    assert "<td>lagt til</td>" in publishers and "Datasettet er i samsvar med HealthDCAT-AP." in publishers
    assert "catalog.example.org" not in html.split('<details class="publishers">')[0].split("<main")[1]


def test_the_code_list_page_lists_its_codes(client):
    html = page(client, f"/codelists/{vkey(NPR + '/kodeverk/atc')}")
    assert "Paracetamol" in html and 'href="https://atcddd.fhi.no/atc_ddd_index/?code=N02BE01"' in html


def test_a_code_list_without_validities_has_no_column_for_them(client):
    """The demo's ATC list showed an empty "Gyldig" column at about 40 % of the table's width."""
    atc = page(client, f"/codelists/{vkey(NPR + '/kodeverk/atc')}")
    icd = page(client, f"/codelists/{vkey(NPR + '/kodeverk/icd10')}")  # two of its codes say from when
    table = re.compile(r'<table class="codes">.*?</table>', re.S)
    [atc_codes], [icd_codes] = table.findall(atc), table.findall(icd)
    assert "Gyldig" not in atc_codes and atc_codes.count("<td>") == 2 * 2
    assert '<th scope="col">Gyldig</th>' in icd_codes and icd_codes.count("<td>") == 3 * 3


@pytest.mark.parametrize(
    "url",
    [
        "/variables/0000000000000000",
        "/datasets/0000000000000000",
        "/codelists/0000000000000000",
        f"/datasets/{VEKT}",
        f"/codelists/{NPR_DS}",
        "/sources/nosuch",
    ],
)
def test_unknown_records_are_a_friendly_404(client, url):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "Ikke funnet" in html and "Tilbake til søket" in html
    assert "No record" not in html  # the English detail is for the API's problem details


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_unexpected_error_is_a_500_that_names_itself_and_hides_the_cause(settings, accept):
    def boom() -> str:
        raise RuntimeError("the secret cause")

    app = create_app(settings)
    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom", headers={"Accept": accept})
    text = response.get_data(as_text=True)
    named = "Internal Server Error" if accept == "application/json" else "Noe gikk galt"  # a page says it in bokmål
    assert response.status_code == 500 and named in text
    assert "secret cause" not in text and "property object" not in text


# --- on the simulated nation: what the small catalogue above cannot show ------------------------


@pytest.fixture(scope="module")
def nation(nation_settings) -> FlaskClient:
    """A client of the simulated nation, as `catalog demo` harvests it."""
    return create_app(nation_settings).test_client()


def test_a_pseudonym_lists_no_other_sources_serial_numbers_as_the_same_variable(nation):
    """MFR's LOPENR listed "In other sources: 105 variables", every registry's "Løpenummer for
    person (pseudonym)", as if one pseudonym ran across them: each is made per delivery, and the
    data are linked by those who release them (the epidemiologist's drill)."""
    found = nation.get("/api/search?q=LOPENR&source=mfr&limit=1").get_json()["hits"][0]
    assert (found["name"], found["source"]) == ("LOPENR", "mfr")
    api = nation.get(f"/api/variables/{found['id']}").get_json()
    assert api["equivalents"]["identifier"] is True and api["equivalents"]["other_sources"] == []
    assert {h["source"] for h in api["equivalents"]["same_source"]} == {"mfr"}  # MFR's own datasets stay
    assert api["related"] == []
    same = nation.get(f"/variables/{found['id']}").get_data(as_text=True).split('id="h-same"')[1].split("</section>")[0]
    assert "I andre kilder" not in same and "Andre bølger og datasett i Medisinsk fødselsregister" in same
    assert "Hver kilde lager sine egne, for hver utlevering" in same
    assert routes().routes["helsedataservice"].linkage_in("nb") in same
    assert 'id="h-related"' not in nation.get(f"/variables/{found['id']}").get_data(as_text=True)


def test_a_measure_with_the_same_label_in_another_source_is_still_the_same_variable(nation):
    found = nation.get("/api/search?q=Fødselsvekt&source=mfr&limit=1").get_json()["hits"][0]
    api = nation.get(f"/api/variables/{found['id']}").get_json()
    assert api["equivalents"]["identifier"] is False and api["equivalents"]["other_sources"]


def test_every_row_of_a_grouped_result_is_reachable_when_its_total_is_an_estimate(nation, nation_settings):
    """Past 500 rows the embedded index estimates a grouped total (a distinct count's sketch): the
    demo's variables were "1,626" rows of 1,658, and the pager, ending at the estimate, hid the last
    18. The page and its tab say "about" and a full page offers the next."""
    from catalog.search import open_backend

    backend = open_backend(nation_settings)
    exact = len({d["group"] for d in backend.scan("variable", {})})
    first = nation.get("/api/search?grouped=1&limit=20").json
    if backend.rows_estimated_from is None:
        assert (first["total"], first["total_estimated"]) == (exact, False)
        return
    assert first["total_estimated"] and first["total"] < exact, "the case this is about: an estimate under"
    seen: set[str] = set()
    page = 1
    while True:
        found = nation.get(f"/api/search?grouped=1&limit=20&page={page}").json
        seen |= {h["group"] for h in found["hits"]}
        if page >= found["pages"]:
            break
        page += 1
    assert len(seen) == exact
    assert found["pages"] == page and len(found["hits"]) < 20  # the last, beyond the estimate: itself
    html = nation.get("/search?q=").get_data(as_text=True)
    assert re.search(r'class="total"[^>]*>ca\. [\d\xa0 ]+ variabler', html)
    for tab in ("variable", "dataset"):  # the variables' tab says so too, seen from either tab
        html = nation.get(f"/search?q=&type={tab}").get_data(as_text=True)
        assert re.search(r'Variabler <span class="count">ca\. [\d\xa0 ]+</span>', html), tab


def test_the_last_page_of_an_estimated_total_is_offered_and_named_beyond_it(nation, nation_settings):
    """The demo's "about 1,639" variables end on page 83 (18 rows), yet page 84 said it was past
    the last, page 82, and page 1 linked pages 1-4 and no further."""
    from catalog.search import open_backend

    backend = open_backend(nation_settings)
    last = -(-len({d["group"] for d in backend.scan("variable", {})}) // 20)
    assert len(hits(page(nation, f"/search?page={last}"))) > 0
    past = page(nation, f"/search?page={last + 1}")
    assert f"Denne siden er forbi den siste (side {last})." in past
    far = page(nation, f"/search?page={last + 5}")
    assert far.count(f"(side {last}).") == 1
    assert f'href="/search?page={last}" rel="prev"' in far  # "Forrige" went to another empty page
    pager = page(nation, "/search").split('<nav class="pages"')[1].split("</nav>")[0]
    offered = re.findall(
        r'<a href="/search\?page=(\d+)">(?:<span class="visually-hidden">Siste side: </span>)?(ca\. )?\d+', pager
    )
    by_estimate = int(offered[-1][0])
    assert offered[-1][1] == "ca. " and abs(by_estimate - last) <= 1  # "about", as the heading says
    assert len(hits(page(nation, f"/search?page={by_estimate}"))) > 0


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_front_pages_examples_are_in_its_language_and_each_finds_variables(nation, lang):
    """The English front page suggested "fødselsvekt, røyker daglig, ... søvn, utdanning" under a
    search box saying "e.g. birth weight" (the researcher's drill)."""
    html = nation.get(f"/?lang={lang}").get_data(as_text=True)
    examples = re.findall(r'<a href="/search\?q=([^"&]+)[^"]*">([^<]+)</a>', html.split('class="examples"')[1])
    shown = [text for _q, text in examples]
    assert shown == list(EXAMPLES[lang])
    for text in shown:
        assert nation.get("/api/search", query_string={"q": text}).json["total"] > 0, (lang, text)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_row_of_copies_says_which_copy_its_basket_button_adds(nation, lang):
    """ "Legg i kurven" on "ATC-kode · 4 datasett eller bølger" put NorPD's "Legemiddelbruk etter
    ATC-gruppe 2009–" in the basket without saying so (the epidemiologist's drill): the row says
    which copy the button is for, and so does the button's name for a screen reader."""
    [row] = [r for r in nation.get("/api/search?q=N06A&grouped=1").json["hits"] if r["name"] == "ATC_KODE"]
    assert row["group_size"] > 1
    chosen = min(row["members"], key=lambda m: m["period_start"])  # the copy covering the row's span
    title = chosen["dataset_titles"][lang]
    html = page(nation, f"/search?q=N06A&lang={lang}")
    head = html.split('<code class="name">ATC_KODE</code>')[1].split("</div>")[0]
    assert f'name="key" value="{chosen["key"]}"' in head
    said = {"nb": "Knappen gjelder «{}», {}–", "en": "The button is for “{}”, {}–"}[lang]
    assert f'<span class="meta chosen">{said.format(title, chosen["period_start"])}</span>' in head
    label = {"nb": "ATC-kode", "en": row["labels"].get("en", "ATC-kode")}[lang]
    assert f'<span class="visually-hidden">: {label} ({title}, Reseptregisteret (NorPD))</span>' in head
    single = html.split('<code class="name">ATC_KODE_3MND</code>')[1].split("</div>")[0]
    assert "chosen" not in single  # a row of one variable says its dataset already


@pytest.mark.parametrize(
    ("typed", "lang", "said"),
    [
        ("NPR", "en", "“NPR” is a source in the catalogue."),
        ("Norsk pasientregister", "nb", "«Norsk pasientregister» er en kilde i katalogen."),
        ("Norwegian Patient Registry", "nn", "«Norwegian Patient Registry» er ei kjelde i katalogen."),
    ],
)
def test_a_search_naming_a_source_offers_its_hits_alone(nation, typed, lang, said):
    """ "Norsk pasientregister" listed microdata.no's copies of the registry's variables first
    (their labels say its name; the registry's own do not), a foreign researcher's drill."""
    html = page(nation, "/search", query_string={"q": typed, "lang": lang})
    assert said in html
    [link] = re.findall(r'<a href="([^"]*source=npr[^"]*)">', html.split(said)[1].split("</p>")[0])
    only = nation.get(link.replace("&amp;", "&"))
    assert only.status_code == 200
    filtered = nation.get("/api/search", query_string={"q": typed, "source": "npr"}).json
    counted = dict(
        (f["value"], f["count"]) for f in nation.get("/api/search", query_string={"q": typed}).json["facets"]["source"]
    )
    assert filtered["total"] > 0 and counted["npr"] > 0 and f": {counted['npr']}</a>" in html.split(said)[1]
    assert said not in page(nation, "/search", query_string={"q": typed, "lang": lang, "source": "npr"})


def test_a_search_naming_no_source_offers_none(nation):
    assert "is a source in the catalogue" not in page(nation, "/search?q=vekt&lang=en")


def test_a_row_of_identical_variables_leads_to_and_collects_the_one_still_collected(nation):
    """A row "Fødselsvekt, 5 datasets or waves, 1968–" led to and put in the basket its best-scoring
    copy, the malformations register's of 1970–1982; the row's link and basket button are the copy
    whose data are the latest (still collected), the others one click away in the row. (Shown with
    the gestational age since birth weight's copies score alike: a dataset's keyword no longer
    lifts one of them, `documents.subject_keywords`.)"""
    found = nation.get("/api/search?q=svangerskapslengde&grouped=1").json["hits"]
    row = next(h for h in found if h["name"] == "SVLEN_DG")
    assert row["group_size"] > 1
    ongoing = [m for m in row["members"] if m["period_start"] and m["period_end"] is None]
    [latest] = ongoing
    assert row["id"] != latest["key"], "the case this is about: the best-scoring copy is another"
    html = nation.get("/search?q=svangerskapslengde").get_data(as_text=True)
    head = html.split(">SVLEN_DG</code>")[0].rsplit('<div class="hit-head">', 1)[1]
    assert f'href="/variables/{latest["key"]}"' in head
    button = html.split(">SVLEN_DG</code>")[1].split("</div>")[0]
    assert latest["key"] in button and row["id"] not in button


def test_a_row_of_copies_still_collected_collects_the_one_covering_its_span(nation):
    """A row saying "6 datasets or waves, 1968–" put "Fødsler 1974–" in the basket, and NorPD's
    "ATC-kode, 2009–" the prescribers' copy of 2014– (the researcher's drill): of the copies still
    collected, the latest start had won. The one whose data start where the row's do is collected."""
    rows = nation.get("/api/search?q=røyking svangerskap&grouped=1&limit=50").json["hits"]
    checked = 0
    for row in rows:
        ongoing = [m for m in row["members"] if m["period_start"] and m["period_end"] is None]
        if row["group_size"] != len(row["members"]) or len({m["period_start"] for m in ongoing}) < 2:
            continue
        first = min(ongoing, key=lambda m: m["period_start"])
        html = nation.get(f"/search?q=røyking svangerskap&group={row['group']}").get_data(as_text=True)
        button = html.split(f">{row['name']}</code>")[1].split("</div>")[0]
        assert first["key"] in button, row["name"]
        checked += 1
    assert checked, "the case this is about: a row of copies still collected from different years"


def test_a_variables_charts_speak_the_pages_language(nation):
    """On English pages the distribution's bars said "932 005" beside a table saying "932,005",
    and the years covered named the other waves by their bokmål titles ("Barnets helse ved fødsel"
    above a table saying "Health of the newborn")."""
    found = nation.get("/api/search?q=diabetes&source=hunt&grouped=0&limit=50").json["hits"]
    pages = (nation.get(f"/variables/{h['id']}?lang=en").get_data(as_text=True) for h in found)
    charts = (re.search(r'<title id="[^"]*">Distribution of [^<]*</title>(.*?)</svg>', p, re.S) for p in pages)
    bars = next(c for c in charts if c).group(1)
    numbers = re.findall(r">(\d[\d,\xa0 ]*\d)<", bars)
    assert any("," in n for n in numbers) and not any("\xa0" in n for n in numbers)
    row = next(h for h in nation.get("/api/search?q=fødselsvekt&grouped=1").json["hits"] if h["name"] == "VEKT")
    page = nation.get(f"/variables/{row['members'][0]['key']}?lang=en").get_data(as_text=True)
    years = re.search(r'<title id="[^"]*">Years covered by [^<]*</title>(.*?)</svg>', page, re.S).group(1)
    assert "Health of the newborn" in years and "Barnets helse ved fødsel" not in years


def test_the_demos_access_body_is_the_one_its_sources_name_not_a_placeholder(nation):
    """MoBa's page named the access body "helsedata@example.org" (the setting's placeholder), MFR's
    "helsedata@helsedir.no" (its source's own statement) for the same body."""
    feed = nation.get("/catalog?page=1", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "helsedata@helsedir.no" in feed and "helsedata@example.org" not in feed


def test_a_range_of_categories_is_not_offered_as_falling_under_its_first(nation):
    """A search for "C18-C20" said "C18-C20 falls under C18 ... Search for C18"."""
    found = nation.get("/api/search?q=C18-C20").json
    assert found["total"] >= nation.get("/api/search?q=C18").json["total"] > 0
    assert found["wider_code"] is None


@pytest.mark.parametrize("words", ["gravid", "gravide kvinner", "pregnant women"])
def test_the_pregnancy_cohort_is_found_by_whom_it_follows(nation, words):
    """MoBa's title says nothing of pregnancy, its population does ("Gravide kvinner i Norge
    1999-2008"): "gravid" found nothing of it, and the topic "Pregnancy and birth" did not list it."""
    found = nation.get("/api/search?" + urlencode({"q": words, "type": "dataset"})).json["hits"]
    assert "moba" in {h["source"] for h in found}
    topic = nation.get("/api/search?type=dataset&topic=pregnancy-birth&limit=100").json["hits"]
    assert "moba" in {h["source"] for h in topic}


def similar(nation: FlaskClient, words: str, source: str, name: str) -> list[dict[str, Any]]:
    """The similar variables the API gives for a variable found by a search."""
    found = nation.get("/api/search?" + urlencode({"q": words, "source": source})).json["hits"]
    key = next(h["id"] for h in found if h["name"] == name)
    return nation.get(f"/api/variables/{key}").json["related"]


def test_a_variables_similar_variables_say_its_words_themselves_not_their_datasets_title(nation):
    """The birth registry's birth weight: its datasets are "Fødsler" and the like, so a search on
    its words finds every variable in them by their title; similar ones say the words in their own
    label, name or description (microdata.no's copy) or hold a code that does (ICD-10's P07, "...
    lav fødselsvekt")."""
    related = similar(nation, "fødselsvekt", "mfr", "VEKT")
    names = {h["name"] for h in related}
    assert "MFR_FODSELSVEKT" in names and "DIAG_BARN" in names
    assert not names & {"KJONN", "LOPENR", "FAAR", "START", "STOP", "PERSONID_1"}
    for h in related:
        assert h["matched_codes"] or {"label", "name", "description"} & set(h["highlights"]), h["name"]


def test_every_sources_share_of_conforming_records_is_of_all_its_records(nation):
    """The patient registry publishes datasets, code lists, two analysis services and a product:
    its share conforming was counted of its datasets and code lists alone (121.4 %)."""
    sources = {s["name"]: s for s in nation.get("/api/sources").json["sources"]}
    assert sources["npr"]["records"] > sources["npr"]["datasets"] + sources["npr"]["codelists"]
    for s in sources.values():
        assert s["conforming_records"] <= s["records"] and s["conformance_percent"] <= 100, s["name"]
    html = page(nation, "/sources/npr")
    assert f"{sources['npr']['conforming_records']} / {sources['npr']['records']} " in html


@pytest.mark.parametrize(
    ("lang", "said"), [("nb", "utgitt av Helsedirektoratet"), ("en", "published by Norwegian Directorate of Health")]
)
def test_a_source_page_names_its_publisher_in_the_pages_language(nation, lang, said):
    """The patient registry's publisher has a name in bokmål and English: the bokmål page gave
    the English one (the first stored)."""
    assert said in " ".join(page(nation, f"/sources/npr?lang={lang}").split())


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", '<p class="desc"><mark>Birth</mark> <mark>weight</mark>, as used in health statistics.</p>'),
        ("nb", '<p class="desc"><mark>Fødselsvekt</mark> for statistiske enheter i helsestatistikken.</p>'),
    ],
)
def test_a_hit_gives_its_description_in_the_pages_language_marked(nation, lang, shown):
    """SSB's variable definition of birth weight is described in bokmål, nynorsk and English: the
    English page showed the bokmål description under the English label."""
    html = page(nation, f"/search?q=birth+weight&source=ssb-vardef&lang={lang}")
    assert shown in " ".join(html.split())


@pytest.mark.parametrize("path", ["/ehds/", "/ehds/minimum/"])
def test_the_ehds_pages_list_the_sources_by_title_as_the_list_of_sources_does(nation, path):
    rows = page(nation, "/sources/").split("<tbody>")[1].split("</tbody>")[0]
    by_title = re.findall(r'<a href="/sources/([^"/]+)">', rows)
    shown = re.findall(r'<th scope="row"><a href="/(?:sources|ehds/minimum/sources)/([^"/]+)">', page(nation, path))
    assert len(shown) > 20 and shown == [name for name in by_title if name in shown]
    assert by_title.index("moba") < by_title.index("dar")  # "Den norske mor, far og barn-…" before "Dødsårsak…"


def test_a_variables_similar_variables_are_one_row_each_as_the_search_groups_them(nation):
    related = similar(nation, "dosenummer", "sysvak", "DOSENUMMER")
    rows = [(h["source"], h["name"], h["label"]) for h in related]
    assert len(rows) > 3 and len(rows) == len(set(rows))
    assert any(h["group_size"] > 1 for h in related)  # "Dosenummer, korrigert" in three datasets


# --- dataset page -------------------------------------------------------------------------------


def test_a_code_no_vocabulary_of_ours_names_stays_a_code(client):
    from web import labels

    with client.application.test_request_context("/"):
        assert labels.label_html("health_category", "XYZW", "nb") == '<code class="code">XYZW</code>'
        assert labels.label_html("health_category", "PHDR", "en") == "Population-based health data registries"


def test_every_vocabulary_concept_is_labelled_in_nynorsk_even_where_bokmal_says_the_same():
    """A nynorsk page fell back to the bokmål label ("Ikke-offentlig", marked lang="nb"): the
    vocabulary files hold an nn label for each concept, written out where it is the nb one."""
    from web.labels import vocabulary_labels

    no_nynorsk = sorted(iri for iri, by_lang in vocabulary_labels().items() if "nb" in by_lang and "nn" not in by_lang)
    assert no_nynorsk == []


@pytest.mark.parametrize(
    ("field", "code", "nynorsk"),
    [
        ("access_rights", "NON_PUBLIC", "Ikkje-offentleg"),
        ("access_rights", "PUBLIC", "Offentleg"),
        ("access_rights", "RESTRICTED", "Avgrensa"),
        ("frequency", "ANNUAL", "Årleg"),
        ("frequency", "IRREG", "Uregelmessig"),  # the same word in both written standards
        ("health_category", "PHDR", "Befolkningsbaserte helseregister"),
        ("theme", "HEAL", "Helse"),
    ],
)
def test_a_vocabulary_label_on_a_nynorsk_page_is_nynorsk_and_unmarked(client, field, code, nynorsk):
    from web import labels

    with client.application.test_request_context("/"):
        assert labels.label(field, code, "nn") == labels.Label(nynorsk, "nn")
        assert labels.label_html(field, code, "nn") == nynorsk


@pytest.mark.parametrize("row", ["OTHER", "OTHER_MISSING"])
def test_the_rows_of_a_distribution_without_a_code_are_labelled_in_every_ui_language(row):
    from web import distribution

    assert sorted(getattr(distribution, row)) == ["en", "nb", "nn"]


def test_the_dataset_page_in_nynorsk_shows_its_access_rights_and_category_in_nynorsk(client):
    html = page(client, f"/datasets/{NPR_DS}?lang=nn")
    assert "<dt>Tilgangsnivå</dt><dd>Ikkje-offentleg</dd>" in html
    assert "<dt>Helsekategoriar</dt><dd>Befolkningsbaserte helseregister</dd>" in html


@pytest.mark.parametrize(
    ("lang", "personal", "generated", "kind", "standard"),
    [
        ("nb", "Alder, Kjønn, Helsejournal", "Nasjonale helseregistre", "Statistiske data", "HL7 FHIR"),
        ("nn", "Alder, Kjønn, Helsejournal", "Nasjonale helseregister", "Statistiske data", "HL7 FHIR"),
        ("en", "Age, Gender, Health Record", "National Health Registries", "Statistical data", "HL7 FHIR"),
    ],
)
def test_the_dataset_page_names_personal_data_activity_type_and_standard_by_their_labels(
    client, lang, personal, generated, kind, standard
):
    """An epidemiologist's drill: "Personopplysningar: Age, Gender, HealthRecord · Laga av
    ROUTINE_RECORDS · Datasettype STATISTICAL" on a nynorsk page, the vocabularies' codes. Their
    labels in the page's language now; a term no vocabulary file names stays a code."""
    html = page(client, f"/datasets/{MFR_DS}?lang={lang}")
    facts = re.sub(r"\s+", " ", html)
    assert f'<dd>{personal}, <code class="code">Tattoo</code></dd>' in facts
    assert f"<dd>{generated}</dd>" in facts
    assert f"<dd>{kind}</dd>" in facts
    assert f">{standard}</a>" in facts
    for code in ("HealthRecord", "HEALTH_REGISTRIES", "STATISTICAL", "standard/FHIR</a>"):
        assert code not in facts, code


@pytest.mark.parametrize(
    ("lang", "weeks", "years", "grams", "unit"),
    [
        ("nb", "Heltall (uker)", "Heltall (år)", "Heltall (gram)", "<dt>Enhet</dt><dd>uker</dd>"),
        ("nn", "Heiltal (veker)", "Heiltal (år)", "Heiltal (gram)", "<dt>Eining</dt><dd>veker</dd>"),
        ("en", "Whole number (weeks)", "Whole number (years)", "Whole number (grams)", "<dt>Unit</dt><dd>weeks</dd>"),
    ],
)
def test_a_unit_the_catalogue_knows_is_shown_in_the_pages_language(client, lang, weeks, years, grams, unit):
    """An epidemiologist's drill: English pages said "Whole number (uker)" and "(dager)", the
    sources' own words. A common unit is now a word of the page's language; another unit is
    shown as its source gave it."""
    dataset = page(client, f"/datasets/{MFR_DS}?lang={lang}")
    for shown in (weeks, years, grams):
        assert shown in dataset, shown
    assert unit in page(client, f"/variables/{SVLEN}?lang={lang}")
    assert f"<dd>{weeks}</dd>" in page(client, f"/search?q=svangerskapslengde&lang={lang}")


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("nb", "Kodelisten gjelder fra 2024; variabelen har data fra 1967: eldre data kan være kodet annerledes."),
        ("nn", "Kodelista gjeld frå 2024; variabelen har data frå 1967: eldre data kan vere koda annleis."),
        (
            "en",
            "The code list applies from 2024; the variable has data from 1967: older data may be coded differently.",
        ),
    ],
)
def test_a_variable_older_than_its_code_list_says_its_coding_may_have_changed(client, lang, note):
    """An epidemiologist's drill: MFR's "Diagnose barn (ICD-10)" has data from 1968 and a code list
    "Versjon 2024 · Gyldig 2024–", and nothing said the coding may have changed since 1968."""
    apgar = vkey(f"{BASE}/variabel/APGAR5")
    assert note in page(client, f"/variables/{apgar}?lang={lang}")
    hoveddiagnose = page(client, f"/variables/{vkey(f'{NPR}/variabel/HOVEDDIAGNOSE')}?lang={lang}")
    assert note.split(";")[0] not in hoveddiagnose  # a code list without a start says nothing


def test_the_coding_note_gives_older_icd_revisions_only_for_icd10_before_norway_took_it_up():
    from catalog.model import CodeList
    from web.explorer import coding_change

    icd = CodeList(uri="https://example.org/icd10", identifier="icd10", version="2024")
    assert coding_change(1968, icd, "ICD-10") == (2024, 1968, True)
    assert coding_change(2008, icd, "ICD-10") == (2024, 2008, False)  # ICD-10 all along, an older edition
    assert coding_change(1968, icd, "ATC") == (2024, 1968, False)
    assert coding_change(2024, icd, "ICD-10") is None
    assert coding_change(None, icd, "ICD-10") is None
    assert coding_change(1968, CodeList(uri="u", identifier="i", version="v3"), "ICD-10") is None
    dated = CodeList(uri="u", identifier="i", version="2019", valid_from="2021-01-01")
    assert coding_change(2000, dated, None) == (2021, 2000, False)  # its validity before its version's name


def test_the_dataset_page_shows_healthdcat_ap_metadata_and_every_variable(client):
    html = page(client, f"/datasets/{NPR_DS}")
    for expected in (
        "Helsedataservice",
        "Forskrift om Norsk pasientregister",
        "Alle pasienter",
        "80\xa0000\xa0000",
        "5\xa0000\xa0000",
        "Befolkningsbaserte helseregistre",  # the health category PHDR, by its label
        "Ikke-offentlig",
        "2008–",
        "Helsedirektoratet",
        "Helsedataservice – felles søknad på helsedata.no",
    ):
        assert expected in html, expected
    assert "NON_PUBLIC" not in html
    table = html.split('class="variables"')[1].split("</table>")[0]
    assert re.findall(r"<td><code>(\w+)</code></td>", table) == ["HOVEDDIAGNOSE", "LEGEMIDDEL", "FODSELSVEKT"]


def test_the_dataset_page_lists_its_keywords_among_what_it_is_about_each_a_search(client):
    """Keywords say what a dataset is about (NorKog's "demens"): a researcher sees them beside its
    topics, not only in the publishers' section, and each searches the catalogue for it."""
    html = page(client, f"/datasets/{NPR_DS}")
    about = html.split('id="h-meta"')[1].split("</section>")[0]
    assert '<a href="/search?q=diagnose">diagnose</a>' in about
    assert html.count(">diagnose</a>") == 1


def test_the_dataset_page_shows_its_quality_score_as_a_chart_and_what_to_fix(client):
    body = client.get(f"/api/datasets/{NPR_DS}").json["quality"]
    html = page(client, f"/datasets/{NPR_DS}")
    assert f"Kvalitetsskår for metadata (MQA): {body['percent']:g} %".replace(".", ",") in html
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", html.split('id="h-quality"')[1]).group(1)
    assert desc.startswith(f"Totalt: {body['percent']:g} % ".replace(".", ",")) and "Variabler: 100 % (40/40)" in desc
    fixes = re.findall(r"<li>([^<]*)</li>", html.split('class="fixes"')[1].split("</ol>")[0])
    assert fixes == [f.split(" | ")[0] for f in body["fixes"]]
    english = page(client, f"/datasets/{NPR_DS}?lang=en")
    assert body["fixes"][0].split(" | ")[1] in english


@pytest.mark.parametrize(
    ("lang", "heading", "score", "explained"),
    [
        ("nb", "Metadatakvalitet", "Kvalitetsskår for metadata (MQA):", "sier ingenting om selve dataene"),
        ("nn", "Metadatakvalitet", "Kvalitetsskår for metadata (MQA):", "seier ingenting om sjølve dataa"),
        ("en", "Metadata quality", "Metadata quality score (MQA):", "says nothing about the data themselves"),
    ],
)
def test_the_dataset_pages_two_scores_say_which_is_about_the_description(client, lang, heading, score, explained):
    """An epidemiologist's drill: "Kvalitets- og nytteverdimerke 81,5 %" and "Kvalitetsskår: 99,8 %"
    on one page, with nothing to tell them apart. The second scores how fully the description is
    filled in (catalog.quality, after data.europa.eu's MQA): it is named so, explained and linked."""
    html = page(client, f"/datasets/{NPR_DS}?lang={lang}")
    section = html.split('id="h-quality"')[1].split("<h3")[0]
    assert f">{heading}</h3>" in html.split('id="h-quality"')[1][:40]
    assert score in section and explained in section
    assert 'href="https://data.europa.eu/mqa/methodology"' in section and 'href="#h-label"' in section
    assert "Kvalitetsskår:" not in html and "Quality score:" not in html


def test_the_dataset_page_in_nynorsk_says_what_to_fix_and_what_breaks_the_profile_in_nynorsk(client):
    """A researcher's drill: on `?lang=nn` the score's fixes ("Knytt variablene til kodeliste …")
    and the validation messages were bokmål, marked lang="nb". The API keeps "bokmål | English"."""
    fixes_said = client.get(f"/api/datasets/{NPR_DS}").json["quality"]["fixes"]
    assert fixes_said[0] == "Gi hver distribusjon en tilgangslenke | Give every distribution an access URL"
    html = page(client, f"/datasets/{NPR_DS}?lang=nn")
    fixes = html.split('class="fixes"')[1].split("</ol>")[0]
    assert re.findall(r"<li>([^<]*)</li>", fixes) == [
        "Gi kvar distribusjon ei tilgangslenke",
        "Rett brota i valideringsrapporten",
        "Legg til kontaktpunkt",
        "Oppgi format på distribusjonen",
        "Tilby eit maskinlesbart format",
    ]
    findings = html.split('class="findings"')[1].split("</table>")[0]
    assert (
        "<td>Datasettet manglar lovgrunnlag (dcatap:applicableLegislation)<br><small>Legg til EHDS-forordninga "
        "http://data.europa.eu/eli/reg/2025/327/oj og ei eventuell registerforskrift som "
        "dcatap:applicableLegislation</small></td>"
    ) in findings
    assert "<td>Ikkje-offentlege datasett må ha datasett-type<br><small>Legg til dct:type, t.d. " in findings
    for bokmaal in ("Gi hver distribusjon", "Rett bruddene", "Tilby et", "mangler", "Ikke-offentlige", "f.eks."):
        assert bokmaal not in fixes + findings, bokmaal
    assert "lang=" not in fixes + findings, "in the page's language, nothing marked as another"


def test_validation_messages_are_shown_in_the_ui_language(client):
    assert "Datasettet mangler lovgrunnlag" in page(client, f"/datasets/{NPR_DS}")
    english = page(client, f"/datasets/{NPR_DS}?lang=en")
    assert "The dataset has no applicable legislation" in english and "mangler lovgrunnlag" not in english


def dataset_of(settings, n: int, bare: bool = False) -> tuple[FlaskClient, str]:
    """A client of a home whose one dataset (MFR's, as tests.factories has it) has `n` variables;
    `bare`: each only a name, and the dataset validated (three findings a variable)."""
    from catalog.model import Variable, content_hash
    from catalog.store import SQLiteStore
    from catalog.validation import validate_record

    title: dict[str, str] = {} if bare else {"nb": "Nr."}
    d = mfr_dataset(
        variables=[Variable(uri=f"{BASE}/variabel/V{i:04d}", name=f"V{i:04d}", title=title) for i in range(n)]
    )
    report = validate_record(d) if bare else None
    store = SQLiteStore(settings.db_path)
    run = store.start_run("mfr")
    store.put("mfr", run, d, content_hash(d), None, not report or report.conforms, report.to_dict() if report else None)
    store.finish_run(run, "ok", {})
    store.close()
    return create_app(settings).test_client(), vkey(d.uri)


def variable_rows(html: str) -> list[str]:
    return re.findall(r"<td><code>(\w+)</code></td>", html.split('class="variables"')[1].split("</table>")[0])


def test_a_dataset_of_many_variables_lists_them_a_page_at_a_time_with_links_to_the_others(settings):
    """A registry's dataset of 100,000 variables made one page of 57 MB, every variable a row: the
    page lists 200 at a time, says which, and links the others and a search within the dataset."""
    client, key = dataset_of(settings, 450)
    html = page(client, f"/datasets/{key}")
    assert variable_rows(html) == [f"V{i:04d}" for i in range(200)]
    assert "Variabler 1–200 av 450" in html
    pages = html.split('<nav class="pages"')[1].split("</nav>")[0]
    assert f'href="/datasets/{key}?page=2#h-vars" rel="next"' in pages
    assert f'href="/datasets/{key}?page=3#h-vars"' in pages and 'rel="prev"' not in pages
    within = html.split('class="within"')[1].split("</form>")[0]
    assert 'action="/search"' in within and f'name="dataset" value="{key}"' in within
    add = html.split('class="add-all"')[1].split("</form>")[0]  # adds the page's variables, as many as a basket holds
    assert add.count('name="key"') == 200 and "Legg variablene på denne siden i kurven" in add

    last = page(client, f"/datasets/{key}?page=3&lang=en")
    assert variable_rows(last) == [f"V{i:04d}" for i in range(400, 450)]
    assert "Variables 401–450 of 450" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert "Variablar 201–400 av 450" in page(client, f"/datasets/{key}?page=2&lang=nn")
    for odd in ("0", "-1", "x", "99"):  # a page that is none gives the nearest that is, not an error
        assert variable_rows(page(client, f"/datasets/{key}?page={odd}"))[0] in ("V0000", "V0400"), odd


@pytest.mark.parametrize("n", [3, 200])
def test_a_dataset_of_one_page_of_variables_lists_every_one_without_paging(settings, n):
    client, key = dataset_of(settings, n)
    html = page(client, f"/datasets/{key}")
    assert len(variable_rows(html)) == n
    assert '<nav class="pages"' not in html and 'class="within"' not in html and "av 200" not in html


def test_a_dataset_of_many_variables_lacking_a_field_lists_as_many_findings_and_names_as_it_lists_variables(settings):
    """The dataset of 100,000 variables without a label or description had 300,000 findings and
    named every variable in what keeps it out of the EHDS feed: 59 MB of its page, over six minutes
    to make. It lists 200 findings, its own before its variables', and links every one."""
    client, key = dataset_of(settings, 300, bare=True)
    every = client.get(f"/api/datasets/{key}").json["validation"]["findings"]
    assert len(every) > 900  # the API's answer is whole
    html = page(client, f"/datasets/{key}")
    findings = html.split('class="findings"')[1].split("</table>")[0]
    assert findings.count("<tr>") == 1 + 200  # the heading's row and 200 findings
    assert "Datasettet bør oppgi dataansvarlig" in findings  # the dataset's own, not hidden by its variables'
    assert f"De første 200 av {len(every)} funn" in html and f'<a href="/api/datasets/{key}">Alle funnene' in html
    gaps = html.split('class="gaps publisher"')[1].split("</ul>")[0]
    named = gaps.split("<details>")[1].split("</details>")[0].split("</summary>")[1]
    assert named.startswith("V0000, V0001") and "V0199" in named and "V0200" not in named
    assert "og 100 til" in named and "<strong>300 variabler</strong>" in gaps
    assert "and 100 more" in page(client, f"/datasets/{key}?lang=en")


def test_a_search_within_a_dataset_lists_its_variables_each_alone(client):
    html = page(client, f"/search?q=&dataset={NPR_DS}&grouped=0")
    assert sorted(hits(html)) == ["FODSELSVEKT", "HOVEDDIAGNOSE", "LEGEMIDDEL"]


def chip_labels(html: str) -> list[str]:
    return [label.strip() for label in re.findall(r'<a class="chip" href="[^"]*">([^<]*)', html)]


@pytest.mark.parametrize("words", ["", "diagnose", "finnesikke"])  # with hits and without
def test_a_search_within_a_dataset_names_the_dataset_on_its_chip_in_the_pages_language(client, words):
    """The chip says the dataset's title (the hits' own, or the store's title alone when none are
    found: the whole record of a registry's 100,000 variables took 1.5 s to read)."""
    url = f"/search?q={words}&dataset={NPR_DS}&grouped=0"
    assert chip_labels(page(client, url)) == ["Datasett: Norsk pasientregister – episoder"]
    assert chip_labels(page(client, url + "&lang=en")) == ["Dataset: Norwegian Patient Registry – episodes"]


def test_a_chip_of_a_code_list_or_an_unknown_dataset_says_its_title_or_its_key(client):
    icd = vkey(f"{NPR}/kodeverk/icd10")
    assert chip_labels(page(client, f"/search?q=&codelist={icd}")) == ["Kodeliste: ICD-10"]
    assert chip_labels(page(client, f"/search?q=&dataset={'0' * 16}")) == [f"Datasett: {'0' * 16}"]


def test_a_variables_page_says_its_dataset_and_itself_alone(client):
    """The variable's page reads its dataset with that variable alone (`dataset_with_variable`)."""
    html = page(client, f"/variables/{DIAG}?lang=en")
    assert "Norwegian Patient Registry – episodes" in html and "HOVEDDIAGNOSE" in html
    assert "LEGEMIDDEL" not in html and "FODSELSVEKT" not in html
    compared = page(client, f"/compare?ids={DIAG},{NPR_VEKT}&lang=en")
    assert "Norwegian Patient Registry – episodes" in compared and "Main diagnosis" in compared
    assert "FODSELSVEKT" in compared and "LEGEMIDDEL" not in compared


# --- sources ------------------------------------------------------------------------------------


def test_the_sources_page_lists_every_source_with_counts_and_last_run(client):
    html = page(client, "/sources/")
    rows = re.findall(
        r'<tr><td><a href="/sources/(\w+)">.*?</td><td>([^<]*)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td>',
        html,
    )
    assert rows == [  # by title, as a reader scans: "Nedlagt register" (gone) between M and No
        ("evil", "Katalog", "1", "2"),
        ("hunt", "Helseundersøkelse", "1", "45"),
        ("mfr", "Sentralt helseregister", "1", "4"),
        ("gone", "Sentralt helseregister", "0", "0"),
        ("npr", "Sentralt helseregister", "1", "3"),
    ]
    assert '<span class="run failed">feilet</span>' in html and "<svg" in html


def test_a_source_without_records_has_no_conformance_rather_than_0_percent(client):
    """The demo's operator-declared platforms (no datasets) read "I samsvar 0 %", as if all failed."""
    html = page(client, "/sources/")
    gone = re.search(r'href="/sources/gone">.*?</tr>', html, re.S)
    assert gone and '<td class="num">–</td>' in gone.group(0) and "0 %" not in gone.group(0)
    assert '<td class="num">100 %</td>' in re.search(r'href="/sources/mfr">.*?</tr>', html, re.S).group(0)


def test_sources_sort_as_norwegian_readers_expect_with_ae_o_a_last():
    from web.sources import title_order

    titles = ["Å-registeret", "Zeta", "Østfold", "abc", "Ærlig", "Norsk"]
    assert sorted(titles, key=title_order) == ["abc", "Norsk", "Zeta", "Ærlig", "Østfold", "Å-registeret"]


def test_a_source_page_shows_its_harvest_history_and_the_failure(client):
    html = page(client, "/sources/gone")
    assert "answered 404" in html and '<span class="run failed">feilet</span>' in html
    npr = page(client, "/sources/npr")
    assert npr.count("Ingen feil.") == 1 and "Gjennomsnittlig kvalitetsskår for metadata:" in npr
    assert client.get("/api/sources/npr").json["quality"]["rating"] in ("excellent", "good", "sufficient", "bad")


def test_a_source_page_says_how_many_records_do_not_conform_now_beside_each_runs_invalid(client):
    """The history's "Invalid" counts what each run wrote: after an unchanged re-harvest it says 0
    for records still wrong, so the page says how many do not conform now."""
    npr = page(client, "/sources/npr")
    assert "1 av kildens 3 poster er ikke i samsvar nå, uansett hvilken høsting som lagret dem." in npr
    assert "Alle kildens 2 poster er i samsvar nå." in page(client, "/sources/mfr")
    assert "1 of the source's 3 records do not conform now" in page(client, "/sources/npr?lang=en")
    said = client.get("/api/sources/npr").json
    assert (said["live_records"], said["nonconforming_now"]) == (3, 1)


def test_a_source_page_lists_all_errors_of_the_last_run_and_none_of_earlier_runs(settings, store):
    old = store.start_run("reg")
    store.add_errors(old, "reg", [RunError(old, "reg", None, "r0", None, "fixed long ago")])
    store.finish_run(old, "ok", {"errors": 1})
    run = store.start_run("reg")
    store.add_errors(
        run,
        "reg",
        [
            RunError(run, "reg", "https://reg.example/feed", f"rec{i}", "dct:title", f"problem number {i}")
            for i in range(35)
        ],
    )
    store.finish_run(run, "ok", {"errors": 35})
    html = create_app(settings).test_client().get("/sources/reg").get_data(as_text=True)
    assert all(f'<td lang="en">problem number {i}<' in html for i in range(35))  # as the harvest wrote them
    assert "fixed long ago" not in html and "35 feil i denne kjøringen" in html
    assert "Innhøstingen skriver meldingene sine på engelsk" in html
    english = create_app(settings).test_client().get("/sources/reg?lang=en").get_data(as_text=True)
    assert "writes its messages in English" not in english


# --- basket -------------------------------------------------------------------------------------


def add(client, *keys: str, next: str = "/search?q=vekt", **headers: str):
    return client.post("/basket/add", data={"key": list(keys), "next": next}, headers=headers)


def test_adding_without_javascript_redirects_back_and_keeps_the_basket_in_a_cookie(client):
    response = add(client, VEKT)
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=vekt"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"basket={VEKT};") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    html = page(client, "/basket/")
    assert '<span id="basket-count">1</span>' in html and "Mors alder" not in html
    assert '<h3 class="source">Medisinsk fødselsregister</h3>' in html


def test_the_basket_groups_variables_by_access_route_and_source_and_says_what_to_do_next(client):
    add(client, VEKT, NPR_VEKT, SVLEN, vkey("https://data.example.org/hunt/variabel/ROYK01"))
    html = page(client, "/basket/")
    assert re.findall(r'<h2 id="h-route-([\w-]+)">', html) == ["helsedataservice", "hunt"]
    assert re.findall(r'<h3 class="source">([^<]*)</h3>', html) == [
        "Medisinsk fødselsregister",
        "Norsk pasientregister",
        "HUNT",
    ]
    assert "4 variabler fra 3 datasett." in html and "Du søker om tilgang 2 steder:" in html
    helsedata = html.split('id="route-helsedataservice"')[1].split("</section>")[0]
    assert "3 variabler går denne veien." in helsedata and "<h3>Dette gjør du videre</h3>" in helsedata
    assert 'href="https://helsedata.no/no/soknadshjelp-personidentifiserbare/soknad/"' in helsedata
    assert 'href="/basket/export.xlsx?route=helsedataservice"' in helsedata
    assert 'href="https://www.ntnu.no/hunt/datatilgang"' in html.split('id="route-hunt"')[1]


ROYK01 = vkey("https://data.example.org/hunt/variabel/ROYK01")


def test_the_basket_says_the_period_its_variables_cover_together_overall_and_per_route(client):
    """A basket of MFR (1968–), NorPD (2011–) and SSB said where to apply but not that the study
    can cover 2011–2023 only (the epidemiologist's drill)."""
    add(client, VEKT, NPR_VEKT, ROYK01)  # 1967–; 2010–2019; HUNT 2017–2019
    html = page(client, "/basket/")
    assert '<p class="common-period">Perioden alle variablene dekker sammen: 2017–2019.</p>' in html
    helsedata = html.split('id="route-helsedataservice"')[1].split("</section>")[0]
    assert "Perioden disse variablene dekker sammen: 2010–2019." in helsedata
    assert "common-period" not in html.split('id="route-hunt"')[1]  # one variable: its period is in its row
    english = page(client, "/basket/?lang=en")
    assert "Period all the variables cover together: 2017–2019." in english
    client.post("/basket/clear")


def test_a_basket_whose_variables_share_no_period_says_so_plainly(web_app):
    from catalog.model import Dataset, Variable
    from web.basket import common_period, period_said

    def pair(start, end, name):
        return Dataset(uri="d", identifier="d", temporal_start=start, temporal_end=end), Variable(uri=name, name=name)

    apart = common_period([pair("1968-01-01", "1999-12-31", "a"), pair("2011-01-01", None, "b"), pair(None, None, "c")])
    assert apart.empty and apart.unknown == 1
    with web_app.test_request_context("/basket/"):
        assert period_said(apart) == (
            "ingen (den seneste begynner i 2011, den tidligste slutter i 1999) (1 variabel uten periode er ikke regnet med)"
        )
    assert common_period([pair(None, None, "c")]) is None
    within = common_period([pair("1968", "2023", "a"), pair("2011-01-01", None, "b")])
    assert (within.start, within.end, within.empty) == ("2011-01-01", "2023", False)


def test_the_basket_says_how_each_route_links_its_data_and_what_linking_across_routes_takes(client):
    """The drill's basket of MFR, NorPD, MoBa and SSB said nothing of whether, and by whom, the
    data could be linked. The texts are the operator's, beside the routes in access_routes.toml."""

    known = routes()
    helsedataservice = known.routes["helsedataservice"].linkage_in("nb")
    assert "fødselsnummer" in helsedataservice and "løpenummer" in helsedataservice
    add(client, VEKT, ROYK01)
    html = page(client, "/basket/")
    across = html.split('id="h-linkage"')[1].split("</section>")[0]
    assert known.across_in("nb") in across
    assert '<a href="#linkage-helsedataservice">' in across and '<a href="#route-hunt">' in across
    assert "katalogen sier ikke hvordan dataene kobles; spør HUNT forskningssenter (NTNU)" in across
    route = html.split('id="route-helsedataservice"')[1].split("</section>")[0]
    assert f'<h3 id="linkage-helsedataservice">Kobling</h3>\n  <p>{helsedataservice}</p>' in route
    assert known.routes["helsedataservice"].linkage_in("en") in page(client, "/basket/?lang=en")
    assert known.routes["helsedataservice"].linkage_in("nn") in page(client, "/basket/?lang=nn")
    client.post("/basket/clear")
    add(client, VEKT)
    assert 'id="h-linkage"' not in page(client, "/basket/")  # one route: its own text says it
    client.post("/basket/clear")


def test_the_basket_tells_a_researcher_abroad_how_to_apply_and_links_the_routes_english_pages(client, tmp_path):
    """A researcher abroad reading the English basket found nothing on applying from outside
    Norway. The text is the operator's, in access_routes.toml (abroad_nb, _nn, _en), and an
    English page links each route's English page where the file gives one."""
    from markupsafe import escape

    from catalog.access import AccessRouteError, parse

    known = routes()
    add(client, VEKT, ROYK01)
    for lang, heading in (("en", "Applying from abroad"), ("nb", "Søke fra utlandet"), ("nn", "Søkje frå utlandet")):
        html = page(client, f"/basket/?lang={lang}")
        abroad = html.split('id="h-abroad"')[1].split("</section>")[0]
        assert f">{heading}</h2>\n  <p>{escape(known.abroad_in(lang))}</p>" in abroad, lang
    english = page(client, "/basket/?lang=en")
    for route in ("helsedataservice", "hunt"):
        assert f'<a class="button" href="{known.routes[route].url_en}"' in english, route
    assert "EHDS" in known.abroad_in("en") and "English" in known.abroad_in("en")
    client.post("/basket/clear")
    (tmp_path / "half.toml").write_text('abroad_en = "x"\n[publisher]\nnb = "x"\nnn = "x"\nen = "x"\n')
    with pytest.raises(AccessRouteError, match="abroad_nb, abroad_nn, abroad_en"):
        parse(tmp_path / "half.toml")


def test_an_english_page_says_when_a_routes_link_leads_to_a_norwegian_page(nation):
    """Sikt's route sent an English reader to sikt.no's Norwegian front page by "Go to Sikt – order
    from the data archive", unnoted: access_routes.toml knows no English page of Sikt's (no URL is
    guessed for one). A route with an English page (HUNT's) links it unnoted; a Norwegian page
    notes none."""
    sikt, hunt = routes().routes["sikt"], routes().routes["hunt"]
    assert not sikt.url_en and hunt.url_en
    english = page(nation, "/sources/sikt?lang=en")
    assert f'href="{sikt.url}" rel="noopener">Go to {sikt.name("en")}</a> {NOTE}</p>' in english
    linked_in_english = page(nation, "/sources/hunt?lang=en")
    assert f'href="{hunt.url_en}" rel="noopener">Go to {hunt.name("en")}</a></p>' in linked_in_english
    for lang in ("nb", "nn"):
        assert "lang-note" not in page(nation, f"/sources/sikt?lang={lang}").split('id="h-apply"')[1]


def test_the_exports_carry_each_routes_linkage_and_the_common_period(client):

    linkage = routes().routes["helsedataservice"].linkage_in("nb")
    add(client, VEKT, NPR_VEKT, ROYK01)
    rows = list(csv.DictReader(io.StringIO(client.get("/basket/export.csv").data.decode("utf-8-sig"))))
    assert [(r["Kortnavn"], r["Kobling"]) for r in rows] == [
        ("VEKT", linkage),
        ("FODSELSVEKT", linkage),
        ("ROYK01", ""),
    ]
    about = load_workbook(io.BytesIO(client.get("/basket/export.xlsx").data))["utvalg"]
    lines = {row[0].value: row[1].value for row in about.iter_rows()}
    assert lines["Felles periode"] == "2017–2019"
    assert lines["Felles periode: Helsedataservice – felles søknad på helsedata.no"] == "2010–2019"
    assert lines["Kobling: Helsedataservice – felles søknad på helsedata.no"] == linkage
    assert lines["Kobling mellom søknadsveier"] == routes().across_in("nb")
    body = client.get("/basket/export.json?lang=en").json
    assert body["common_period"] == {
        "start": "2017-01-01",
        "end": "2019-12-31",
        "first_day": "2017-01-01",
        "last_day": "2019-12-31",
        "overlap": True,
        "without_period": 0,
        "said": "2017–2019",
    }
    assert [(r["id"], r["linkage"]) for r in body["routes"]] == [
        ("helsedataservice", routes().routes["helsedataservice"].linkage_in("en")),
        ("hunt", ""),
    ]
    assert body["linkage_across_routes"] == routes().across_in("en")
    helsedata = routes().routes["helsedataservice"]
    assert [(r["decided_by"], r["url"], r["steps"]) for r in body["routes"]] == [
        ("Helsedataservice", helsedata.url_en, list(helsedata.steps_in("en"))),
        (
            "HUNT forskningssenter (NTNU)",
            "https://www.ntnu.edu/hunt/data",
            list(routes().routes["hunt"].steps_in("en")),
        ),
    ]
    client.get("/?lang=nb")  # the language is remembered
    client.post("/basket/clear")


def test_a_common_period_of_a_day_and_a_year_gives_scripts_both_bounds_as_days(client):
    """The JSON export's bounds are as the records give them ("2009-01-01" beside "2017"); a
    script comparing them needs days: a year ends on its last day, a month starts on its first."""
    from web.basket import CommonPeriod, period_json

    with client.application.test_request_context("/?lang=en"):
        mixed = period_json(CommonPeriod("2009-01-01", "2017", 0))
        months = period_json(CommonPeriod("2010-02", "2016-02", 0))
        running = period_json(CommonPeriod("2011", None, 1))
    assert mixed is not None and months is not None and running is not None
    assert (mixed["start"], mixed["end"]) == ("2009-01-01", "2017")
    assert (mixed["first_day"], mixed["last_day"]) == ("2009-01-01", "2017-12-31")
    assert (months["first_day"], months["last_day"]) == ("2010-02-01", "2016-02-29")
    assert (running["first_day"], running["last_day"]) == ("2011-01-01", None)


def test_a_route_says_how_its_data_are_linked_in_all_three_languages_or_not_at_all(tmp_path):
    from catalog.access import AccessRouteError, parse

    route = '[publisher]\nnb = "x"\nnn = "x"\nen = "x"\n'
    (tmp_path / "half.toml").write_text(route + 'linkage_nb = "på fødselsnummer"\n')
    with pytest.raises(AccessRouteError, match="linkage_nb, linkage_nn, linkage_en"):
        parse(tmp_path / "half.toml")
    (tmp_path / "typo.toml").write_text('acros_nb = "x"\n' + route)
    with pytest.raises(AccessRouteError, match="acros_nb is neither a route"):
        parse(tmp_path / "typo.toml")
    (tmp_path / "none.toml").write_text(route)
    assert parse(tmp_path / "none.toml").routes["publisher"].linkage_in("nb") == ""


def test_remove_and_empty_change_only_the_basket(client):
    add(client, VEKT, SVLEN)
    client.post("/basket/remove", data={"key": VEKT})
    assert re.findall(r'name="key" value="(\w+)"', page(client, "/basket/").split('class="route"')[1]) == [SVLEN]
    client.post("/basket/clear")
    assert "Kurven er tom" in page(client, "/basket/")


def test_the_basket_compares_its_variables_side_by_side(client):
    """Compare was offered only for one variable's copies in other waves or sources: a researcher
    could not put birth weight beside maternal smoking from the basket (the researchers' drill)."""
    add(client, VEKT, SVLEN)
    html = page(client, "/basket/")
    [href] = re.findall(r'<a href="(/compare\?ids=[^"]*)">Sammenlign dem side ved side</a>', html)
    assert sorted(href.split("=", 1)[1].replace("%2C", ",").split(",")) == sorted([VEKT, SVLEN])
    assert client.get(href.replace("&amp;", "&")).status_code == 200
    client.post("/basket/clear")


def test_an_emptied_basket_can_be_filled_again_with_one_click(client):
    """ "Tøm kurven" emptied a researcher's selection at once, with neither a question nor a way back."""
    add(client, VEKT, SVLEN)
    emptied = client.post("/basket/clear", data={"next": "/basket/"})
    assert emptied.status_code == 303 and emptied.location.startswith("/basket/?emptied=")
    html = page(client, emptied.location)
    assert "Kurven er tom" in html and "Kurven ble tømt for 2 variabler." in html
    undo = html.split("Kurven ble tømt")[1].split("</form>")[0]
    assert sorted(re.findall(r'name="key" value="(\w+)"', undo)) == sorted([VEKT, SVLEN]) and ">Angre</button>" in undo
    client.post("/basket/add", data={"key": [VEKT, SVLEN], "next": "/basket/"})
    assert "2 variabler fra" in page(client, "/basket/")
    assert "Kurven ble tømt" not in page(client, emptied.location)  # a basket with variables offers no undo
    client.post("/basket/clear")


def test_script_requests_get_json_instead_of_a_redirect(client):
    body = add(client, VEKT, DIAG, Accept="application/json").json
    assert body == {"count": 2, "ids": [VEKT, DIAG], "message": "added"}


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/x", "/\\evil.example.org"])
def test_the_return_address_is_always_on_this_site(client, target):
    assert add(client, VEKT, next=target).headers["Location"] == "/basket/"


@pytest.mark.parametrize("origin", ["https://evil.example.org", "null", "http://localhost.evil.example.org"])
def test_another_site_cannot_change_the_basket(client, origin):
    assert add(client, VEKT, Origin=origin).status_code == 403
    assert add(client, VEKT, Origin="http://localhost").status_code == 303


def test_cookie_values_that_are_not_ids_are_ignored(client):
    client.set_cookie("basket", f"{VEKT}.<script>.{VEKT}.zz")
    assert add(client, SVLEN, Accept="application/json").json["ids"] == [VEKT, SVLEN]


def test_the_basket_stops_at_two_hundred_variables(client):
    keys = [f"{i:016x}" for i in range(199)]
    client.set_cookie("basket", ".".join(keys))
    body = add(client, VEKT, SVLEN, Accept="application/json").json
    assert body["count"] == 200 and body["message"] == "full"


def export(client, fmt: str) -> bytes:
    add(client, VEKT, SVLEN, DIAG)
    response = client.get(f"/basket/export.{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    return response.data


def test_csv_export_has_one_row_per_variable_with_what_an_application_needs_under_norwegian_headings(client):
    rows = list(csv.DictReader(io.StringIO(export(client, "csv").decode("utf-8-sig"))))
    assert [(r["Kilde"], r["Kortnavn"], r["Etikett"], r["Enhet"], r["Datatype"]) for r in rows] == [
        ("Medisinsk fødselsregister", "VEKT", "Fødselsvekt", "gram", "Heltall"),
        ("Medisinsk fødselsregister", "SVLEN", "Svangerskapslengde", "uker", "Heltall"),
        ("Norsk pasientregister", "HOVEDDIAGNOSE", "Hoveddiagnose", "", "Tekst"),
    ]
    diagnosis = rows[2]
    assert diagnosis["Periode"] == "2008–" and diagnosis["Antall individer"] == "5000000"
    assert diagnosis["Tilgangsforvalter"] == "Helsedataservice"
    assert diagnosis["Hvor du søker"] == "Helsedataservice – felles søknad på helsedata.no"
    assert diagnosis["Kodeverdier"] == (
        "C50=Ondartet svulst i brystkjertel; E11=Diabetes mellitus type 2; U07.1=Covid-19, virus påvist"
    )
    assert rows[0]["Periode"] == "1967–"


def test_the_basket_and_its_exports_name_each_datasets_publisher_and_legal_basis(client):
    """An application to Helsedataservice names, per registry, who holds the data and on what
    legal basis; the dataset page said both, and the basket and its files neither, so the
    researcher went back to every dataset page (the epidemiologist's drill)."""
    add(client, VEKT, DIAG)  # MFR's dataset states no legal basis; NPR's states its regulation
    html = page(client, "/basket/")
    mfr, npr = html.split('<h3 class="source">')[1:3]
    assert "Utgiver: Folkehelseinstituttet · Rettslig grunnlag: <em>ikke oppgitt</em>" in mfr
    assert "Utgiver: Helsedirektoratet · Rettslig grunnlag: Forskrift om Norsk pasientregister" in npr
    nynorsk = page(client, "/basket/?lang=nn")  # the registry's bokmål, marked as such
    assert 'Rettsleg grunnlag: <span lang="nb">Forskrift om Norsk pasientregister</span>' in nynorsk
    rows = list(csv.DictReader(io.StringIO(client.get("/basket/export.csv?lang=nb").data.decode("utf-8-sig"))))
    assert [(r["Kortnavn"], r["Utgiver"], r["Forvalter"], r["Rettslig grunnlag"]) for r in rows] == [
        ("VEKT", "Folkehelseinstituttet", "", ""),
        ("HOVEDDIAGNOSE", "Helsedirektoratet", "", "Forskrift om Norsk pasientregister"),
    ]
    [mfr_json, npr_json] = client.get("/basket/export.json?lang=en").json["datasets"]
    assert npr_json["variables"][0]["legal_basis"] == "Forskrift om Norsk pasientregister"
    assert npr_json["variables"][0]["publisher"] == "Helsedirektoratet"
    english = client.get("/basket/export.csv?lang=en").data.decode("utf-8-sig").splitlines()[0].split(",")
    assert {"Publisher", "Custodian", "Legal basis"} <= set(english)
    client.get("/?lang=nb")  # the language is remembered
    client.post("/basket/clear")


def test_the_exports_list_the_variables_in_the_order_of_the_basket_page(client):
    """The page lists by route, then source: Helsedataservice's MFR and NPR, then HUNT. The
    files listed by source name, HUNT first, between nothing and the registries it is not
    applied for with, so the list attached to one application did not read as the page."""
    add(client, ROYK01, NPR_VEKT, VEKT)
    html = page(client, "/basket/")
    shown = re.findall(r"<td><code>(\w+)</code></td>", html)
    assert shown == ["VEKT", "FODSELSVEKT", "ROYK01"]
    rows = list(csv.DictReader(io.StringIO(client.get("/basket/export.csv").data.decode("utf-8-sig"))))
    assert [r["Kortnavn"] for r in rows] == shown
    sheet = load_workbook(io.BytesIO(client.get("/basket/export.xlsx").data)).active
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == shown
    body = client.get("/basket/export.json").json
    assert [v["name"] for d in body["datasets"] for v in d["variables"]] == shown
    client.post("/basket/clear")


def test_a_search_downloads_as_the_basket_exports_every_variable_it_lists(client):
    """Peer catalogues' researchers ask for it (Mica: "a download button for the list"; MOLGENIS:
    "download filtered searches as a .csv file"): every variable of the search, each dataset and
    wave on its own row, not the page's twenty, with the filters applied."""
    api = client.get("/api/search?q=r%C3%B8yking&limit=100").get_json()
    html = page(client, "/search?q=r%C3%B8yking&lang=en")
    assert 'href="/search/export.csv?q=r%C3%B8yking' in html and ">Excel</a>" in html
    rows = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?q=røyking").data.decode("utf-8-sig"))))
    assert api["total"] > 20 and sorted(r["Variable id"] for r in rows) == sorted(h["id"] for h in api["hits"])
    filtered = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?source=mfr").data.decode("utf-8-sig"))))
    assert {r["Source"] for r in filtered} == {"Medisinsk fødselsregister"}
    assert len(filtered) == client.get("/api/search?source=mfr").get_json()["total"]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/search/export.xlsx?q=røyking&lang=en").data))
    assert book.active.max_row == len(rows) + 1  # the headings, then one row a variable
    assert client.get("/search/export.pdf?q=røyking").status_code == 404


def test_a_search_export_larger_than_a_basket_gives_no_link_to_its_selection_that_would_not_resolve(
    client, monkeypatch
):
    """No link holds more variables than a basket (`web.basket.MAX`): the search's workbook said
    "Lenke til utvalget" with a link of all its 2,000 variables, which answered 404."""
    monkeypatch.setattr("web.basket.MAX", 10)
    search = load_workbook(io.BytesIO(client.get("/search/export.xlsx?q=røyking").data))
    assert search.active.max_row > 11  # more variables than the basket holds
    links = [row[1].value for row in search["utvalg"].iter_rows() if "/basket/" in str(row[1].value)]
    assert links == []
    few = load_workbook(io.BytesIO(client.get("/search/export.xlsx?q=fødselsvekt").data))["utvalg"]
    [link] = [row[1].value for row in few.iter_rows() if row[0].value == "Lenke til utvalget"]
    assert client.get(urlsplit(str(link)).path).status_code == 200


def csv_rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"], url
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def selection_sheet(client, url: str) -> dict[str, Any]:
    """The workbook's "selection" sheet (its second) as heading -> value, links as their targets."""
    sheet = load_workbook(io.BytesIO(client.get(url).data)).worksheets[1]
    lines = {}
    for heading, value in sheet.iter_rows():
        lines[str(heading.value)] = value.hyperlink.target if value.hyperlink else value.value
    return lines


def test_a_search_export_says_what_was_searched_and_which_codes_as_what(client):
    """A researcher's exported list is cited in an application for access: each row and the
    workbook say the words, the filters and the codes asked (C50.9, which no list holds, searched
    as C50, the code it falls under), with a link that gives the same search again."""
    [row] = csv_rows(client, "/search/export.csv?q=C50.9&source=npr&lang=nb")
    assert (row["Kortnavn"], row["Søk"], row["Filtre"], row["Koder i søket"]) == (
        "HOVEDDIAGNOSE",
        "C50.9",
        "Kilde: Norsk pasientregister",
        "C50.9 (søkt som C50)",
    )
    link = row["Lenke til søket"]
    assert link == "https://catalog.example.org/search?q=C50.9&source=npr"
    assert hits(page(client, urlsplit(link).path + "?" + urlsplit(link).query)) == ["HOVEDDIAGNOSE"]
    lines = selection_sheet(client, "/search/export.xlsx?q=C50.9&source=npr&lang=en")
    exported = lines.pop("Exported")
    assert lines == {
        "Search": "C50.9",
        "Filters": "Source: Norsk pasientregister",
        "Codes in the search": "C50.9 (searched as C50)",
        "Note": "No code list holds the code C50.9; these hold C50, the code it falls under.",
        "Hits": "1",
        "Link to the search": link,
        "Link to this selection": client.get(f"/api/basket/export?ids={DIAG}&format=json").get_json()["request"],
    }
    assert datetime.fromisoformat(exported).tzinfo is not None
    # a range is the categories it was searched as; a survey's wave (HUNT4) is no code
    [ranged] = csv_rows(client, "/search/export.csv?q=C49-C51&lang=nn")
    assert ranged["Kodar i søket"] == "C49-C51 (C49, C50, C51)" and ranged["Filter"] == ""
    assert {r["Koder i søket"] for r in csv_rows(client, "/search/export.csv?q=HUNT4 røyking&lang=nb")} == {""}
    # the words as typed, kept as text where a spreadsheet would run them as a formula
    [typed] = csv_rows(client, "/search/export.csv?q=%3DC50.9&lang=nb")
    assert typed["Søk"] == "'=C50.9" and typed["Koder i søket"] == "C50.9 (søkt som C50)"
    assert selection_sheet(client, "/search/export.xlsx?q=%3DC50.9&lang=nb")["Søk"] == "'=C50.9"


def test_a_search_export_names_the_synonyms_the_search_also_searched(client):
    """A search for "fødselsvekt" lists what "birth weight" finds too; a file that did not say so
    could not be read as the words typed."""
    lines = selection_sheet(client, "/search/export.xlsx?q=fødselsvekt&lang=en")
    assert lines["Note"] == "Also searched as synonyms: “fødselsvekt” as birth weight, birthweight"
    assert "Note" not in selection_sheet(client, "/search/export.xlsx?q=SVLEN&lang=en")


def test_the_datasets_a_search_finds_download_one_row_each_with_the_codes_found_in_their_variables(client):
    html = page(client, "/search?q=C50&type=dataset&lang=en")
    export_links = html.split('class="export"')[1].split("</p>")[0]
    assert "Download these datasets:" in export_links
    assert 'href="/search/export.csv?q=C50&amp;type=dataset"' in export_links
    assert 'href="/search/export.xlsx?q=C50&amp;type=dataset"' in export_links
    assert csv_rows(client, "/search/export.csv?q=C50&type=dataset&lang=en") == [
        {
            "Dataset": "Norwegian Patient Registry – episodes",
            "Source": "Norsk pasientregister",
            "Publisher": "Helsedirektoratet",
            "Period": "2008–",
            "Number of variables": "3",
            "Codes found in its variables": "C50=Ondartet svulst i brystkjertel",
            "Access": "Non-public",
            "Where to apply": "Health Data Service – the common application on helsedata.no",
            "Dataset id": NPR_DS,
            "Page in the catalogue": f"https://catalog.example.org/datasets/{NPR_DS}",
            "Dataset URI": f"{NPR}/dataset/episoder",
            "Search": "C50",
            "Filters": "",
            "Codes in the search": "C50",
            "Link to the search": "https://catalog.example.org/search?q=C50&type=dataset",
        }
    ]
    assert client.get(f"/datasets/{NPR_DS}").status_code == 200
    # every dataset the filters leave, without words; a dataset's variables filters do not apply
    rows = csv_rows(client, "/search/export.csv?type=dataset&source=mfr&datatype=integer&lang=nb")
    api = client.get("/api/search?type=dataset&source=mfr").get_json()
    assert sorted(r["Datasett-id"] for r in rows) == sorted(h["id"] for h in api["hits"]) and rows
    assert {(r["Kilde"], r["Koder funnet i variablene"], r["Filtre"]) for r in rows} == {
        ("Medisinsk fødselsregister", "", "Kilde: Medisinsk fødselsregister")
    }
    book = load_workbook(io.BytesIO(client.get("/search/export.xlsx?type=dataset&source=mfr&lang=nn").data))
    assert book.sheetnames == ["datasett", "utval"] and book.active.max_row == len(rows) + 1
    assert book.active["A1"].value == "Datasett" and book.active["F1"].value == "Kodar funne i variablane"
    lines = selection_sheet(client, "/search/export.xlsx?type=dataset&source=mfr&lang=nb")
    assert lines["Lenke til søket"] == "https://catalog.example.org/search?type=dataset&source=mfr"
    assert "Lenke til utvalget" not in lines  # a selection is of variables


def test_exports_have_english_headings_in_english(client):
    add(client, VEKT)
    [row] = list(csv.DictReader(io.StringIO(client.get("/basket/export.csv?lang=en").data.decode("utf-8-sig"))))
    assert (row["Source"], row["Short name"], row["Data type"], row["Where to apply"]) == (
        "Medisinsk fødselsregister",
        "VEKT",
        "Whole number",
        "Health Data Service – the common application on helsedata.no",
    )


def test_an_export_can_keep_only_the_variables_of_one_access_route(client):
    add(client, VEKT, vkey("https://data.example.org/hunt/variabel/ROYK01"))
    answer = client.get("/basket/export.csv?route=hunt")
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert [r["Kortnavn"] for r in rows] == ["ROYK01"]
    # a file of its own: the whole basket's and each route's were all "variabler.xlsx"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="variabler-hunt.csv"'
    assert client.get("/basket/export.csv").headers["Content-Disposition"] == 'attachment; filename="variabler.csv"'


def test_xlsx_export_holds_the_same_rows(client):
    ws = load_workbook(io.BytesIO(export(client, "xlsx"))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:4] == ["Kilde", "Datasett", "Kortnavn", "Etikett"] and ws.title == "variabler"
    assert [r[2] for r in values[1:]] == ["VEKT", "SVLEN", "HOVEDDIAGNOSE"]
    # and the selection's link, which the basket page says to send with it (only the JSON had it)
    about = load_workbook(io.BytesIO(client.get("/basket/export.xlsx").data))["utvalg"]
    link = client.get("/basket/export.json").json["request"]
    assert about["A1"].value == "Lenke til utvalget" and about["B1"].value == link
    assert about["B1"].hyperlink.target == link


def test_spreadsheet_exports_keep_formulas_from_sources_as_text(client):
    key = vkey(f"{EVIL}/variabel/V2")
    add(client, key)
    [row] = list(csv.DictReader(io.StringIO(client.get("/basket/export.csv").data.decode("utf-8-sig"))))
    assert row["Etikett"] == "'" + FORMULA
    ws = load_workbook(io.BytesIO(client.get("/basket/export.xlsx").data)).active
    assert ws["D2"].value == "'" + FORMULA and ws["D2"].data_type == "s"


@pytest.mark.parametrize("fmt,syntax", [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_the_access_request_is_a_dcat_graph_of_the_datasets_with_only_the_chosen_variables(client, fmt, syntax):
    g = Graph().parse(data=export(client, fmt), format=syntax)
    [catalog] = g.subjects(RDF.type, DCAT.Catalog)
    assert set(map(str, g.objects(catalog, DCAT.dataset))) == {mfr_dataset().uri, f"{NPR}/dataset/episoder"}
    assert {str(g.value(c, CSVW.name)) for c in g.subjects(RDF.type, CSVW.Column)} == {"VEKT", "SVLEN", "HOVEDDIAGNOSE"}


def test_the_access_request_has_its_title_in_the_page_language_nynorsk_too(client):
    """The request's title was in nb and en alone: exported from a nynorsk page, it read bokmål."""
    add(client, VEKT)
    response = client.get("/basket/export.ttl?lang=nn")
    assert 'filename="variablar.ttl"' in response.headers["Content-Disposition"]
    g = Graph().parse(data=response.data, format="turtle")
    [catalog] = g.subjects(RDF.type, DCAT.Catalog)
    assert {t.language: str(t) for t in g.objects(catalog, DCTERMS.title) if isinstance(t, Literal)} == {
        "nb": "Variabelutvalg for søknad om tilgang",
        "nn": "Variabelutval for søknad om tilgang",
        "en": "Variable selection for a data access application",
    }


def test_json_export_names_the_request_and_its_datasets(client):
    body = json.loads(export(client, "json"))
    assert body["count"] == 3 and body["request"].startswith("https://catalog.example.org/basket/")
    assert [[v["name"] for v in d["variables"]] for d in body["datasets"]] == [["VEKT", "SVLEN"], ["HOVEDDIAGNOSE"]]


def test_the_request_uri_holds_the_selection_and_resolves_to_it(client):
    body = json.loads(export(client, "json"))
    token = body["request"].rsplit("/", 1)[1]
    assert token == token_for([DIAG, SVLEN, VEKT])  # the same selection, in any order, the same URI
    html = page(client, f"/basket/{token}")
    assert "Delt utvalg av variabler" in html and "3 variabler fra 2 datasett." in html
    assert 'href="/api/basket/export?ids=' in html and "Legg disse variablene i kurven min" in html
    turtle = client.get(f"/basket/{token}", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and "Accept" in turtle.headers["Vary"]
    g = Graph().parse(data=turtle.data, format="turtle")
    [catalog] = g.subjects(RDF.type, DCAT.Catalog)
    assert str(catalog) == body["request"]
    assert {str(g.value(c, CSVW.name)) for c in g.subjects(RDF.type, CSVW.Column)} == {"VEKT", "SVLEN", "HOVEDDIAGNOSE"}
    jsonld = client.get(f"/basket/{token}", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"


def test_the_basket_and_its_exports_read_each_dataset_with_its_chosen_variables_alone(client, monkeypatch):
    """A few variables of a registry's dataset of 100,000 had all of them read and built, 1.1 s a
    dataset for the basket and each export (`dataset_with_variables`). No dataset is read whole."""
    from catalog.store import SQLStore

    def refusing(read):
        def whole(self, *args):
            stored = read(self, *args)
            assert stored is None or stored.kind != "dataset", f"{read.__name__}{args} read a dataset whole"
            return stored

        return whole

    for name in ("get", "get_by_key", "dataset_of_variable"):
        monkeypatch.setattr(SQLStore, name, refusing(getattr(SQLStore, name)))
    add(client, VEKT, NPR_VEKT, SVLEN, ROYK01)
    assert "4 variabler fra 3 datasett." in page(client, "/basket/")
    sheet = list(csv.reader(io.StringIO(client.get("/basket/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(row[2] for row in sheet[1:]) == ["FODSELSVEKT", "ROYK01", "SVLEN", "VEKT"]
    body = json.loads(client.get("/basket/export.json").data)
    assert [[v["name"] for v in d["variables"]] for d in body["datasets"]] == [
        ["VEKT", "SVLEN"],
        ["FODSELSVEKT"],
        ["ROYK01"],
    ]
    for fmt in ("xlsx", "ttl", "jsonld"):
        assert client.get(f"/basket/export.{fmt}").status_code == 200, fmt
    api = client.get(f"/api/basket/export?ids={DIAG},{VEKT}&format=csv").get_data(as_text=True)
    assert "HOVEDDIAGNOSE" in api and "VEKT" in api and "LEGEMIDDEL" not in api
    assert "3 variabler fra 2 datasett." in page(client, f"/basket/{token_for([DIAG, SVLEN, VEKT])}")
    searched = client.get("/search/export.csv?q=vekt").get_data(as_text=True)
    assert "FODSELSVEKT" in searched and "VEKT" in searched


@pytest.mark.parametrize("cut", [1, 5, 12])
def test_a_cut_or_altered_selection_address_is_a_clear_404(client, cut):
    token = token_for([VEKT, SVLEN, DIAG])
    assert client.get(f"/basket/{token[:-cut]}").status_code == 404
    altered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert client.get(f"/basket/{altered}").status_code == 404
    assert keys_from_token(token) == sorted([VEKT, SVLEN, DIAG])


def test_a_token_holds_at_most_a_full_basket_and_only_ids():
    keys = [f"{i:016x}" for i in range(200)]
    assert keys_from_token(token_for(keys)) == keys
    assert keys_from_token("not a token!") is None and keys_from_token("") is None


def test_an_unknown_export_format_is_404(client):
    assert client.get("/basket/export.pdf").status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_the_api_search_has_the_same_hits_and_facets_as_the_page(client):
    body = client.get("/api/search?q=fødselsvekt").json
    assert sorted(h["name"] for h in body["hits"]) == ["FODSELSVEKT", "VEKT"]
    assert sorted((f["value"], f["count"]) for f in body["facets"]["source"]) == [("mfr", 1), ("npr", 1)]
    assert body["other_type_total"] == 0 and body["pages"] == 1


@pytest.mark.parametrize(
    ("q", "name", "codes"),
    [
        ("C50", "HOVEDDIAGNOSE", [{"code": "C50", "label": "Ondartet svulst i brystkjertel"}]),
        ("A10BA02", "LEGEMIDDEL", [{"code": "A10BA02", "label": "Metformin"}]),
        ("metformin", "LEGEMIDDEL", [{"code": "A10BA02", "label": "Metformin"}]),
        ("U07", "HOVEDDIAGNOSE", [{"code": "U07.1", "label": "Covid-19, virus påvist"}]),
    ],
)
def test_the_api_finds_variables_by_the_codes_of_their_code_lists_and_says_which(client, q, name, codes):
    [hit] = [h for h in client.get("/api/search", query_string={"q": q}).json["hits"] if h["name"] == name]
    assert hit["matched_codes"] == codes
    assert name in hits(page(client, "/search", query_string={"q": q}))


def test_the_datasets_tab_finds_the_datasets_whose_variables_hold_a_code_and_says_which(client):
    """A researcher's "C50" found NPR's diagnosis, and the datasets tab nothing: a dataset held no
    codes. Its row names the code and its label, as a variable's does, and the tab counts it."""
    html = page(client, "/search", query_string={"q": "C50", "type": "dataset"})
    assert "Variabler kodet med:</span> <code>C50</code> Ondartet svulst i brystkjertel" in html
    [hit] = client.get("/api/search", query_string={"q": "C50", "type": "dataset"}).json["hits"]
    assert hit["matched_codes"] == [{"code": "C50", "label": "Ondartet svulst i brystkjertel"}]
    variables = page(client, "/search", query_string={"q": "C50"})
    assert re.search(r'type=dataset[^"]*"[^>]*>\s*Datasett\s*<span[^>]*>1</span>', variables), "the tab counts it"


def test_the_api_lists_the_variables_of_a_code_list_and_groups_on_request(client):
    icd = vkey(f"{NPR}/kodeverk/icd10")
    body = client.get("/api/search", query_string={"codelist": icd}).json
    assert [h["name"] for h in body["hits"]] == ["HOVEDDIAGNOSE"]
    grouped = client.get("/api/search", query_string={"q": "vekt", "grouped": "1"}).json
    assert grouped["grouped"] is True and all(h["group_size"] >= 1 and h["members"] for h in grouped["hits"])


def test_words_without_a_common_hit_give_the_hits_of_either_with_a_notice(client):
    html = page(client, "/search", query_string={"q": "fødselsvekt metformin"})
    assert {"VEKT", "FODSELSVEKT", "LEGEMIDDEL"} <= set(hits(html))
    assert "Ingen treff på alle ordene" in html
    assert client.get("/api/search", query_string={"q": "fødselsvekt metformin"}).json["any_words"] is True


def test_a_word_of_whom_the_data_are_about_is_optional_and_the_page_says_so(client):
    """ "brystkreft hos kvinner" found the breast cancer register's "Kjønn" alone on the demo."""
    alone = client.get("/api/search", query_string={"q": "fødselsvekt"}).json
    body = client.get("/api/search", query_string={"q": "fødselsvekt hos barn"}).json
    assert body["total"] == alone["total"] > 0 and body["optional_words"] == ["barn"] and not body["any_words"]
    assert body["type_totals"] == alone["type_totals"]
    html = page(client, "/search", query_string={"q": "fødselsvekt hos barn"})
    assert "«barn» sier hvem dataene gjelder" in html and set(hits(html)) == set(
        hits(page(client, "/search", query_string={"q": "fødselsvekt"}))
    )
    assert "sier hvem dataene gjelder" not in page(client, "/search", query_string={"q": "barn"})


def test_a_misspelt_word_is_answered_with_what_it_was_taken_for(client):
    html = page(client, "/search", query_string={"q": "diabetis"})
    assert "HOVEDDIAGNOSE" in hits(html)
    assert "disse treffer «diabetes» og lignende stavemåter" in html
    body = client.get("/api/search", query_string={"q": "diabetis"}).json
    assert body["typo_words"] == ["diabetis"] and body["corrected"] == ["diabetes"]


def test_the_api_suggests_labels_for_a_prefix(client):
    assert "Fødselsvekt" in client.get("/api/suggest?q=fødsel").json["suggestions"]
    assert "Legemiddel" in client.get("/api/suggest?q=lækjemiddel").json["suggestions"]  # nynorsk


def test_the_api_variable_has_codes_related_variables_and_provenance(client):
    body = client.get(f"/api/variables/{DIAG}").json
    assert body["name"] == "HOVEDDIAGNOSE" and body["title"]["nn"] == "Hovuddiagnose"
    assert [c["code"] for c in body["codelist"]["codes"]] == ["C50", "E11", "U07.1"]
    assert body["codelist"]["coding_system"] == "ICD-10" and body["provenance"]["source"] == "npr"
    assert body["provenance"]["history"][0]["change"] == "new"


def test_the_api_dataset_has_its_metadata_and_variable_ids(client):
    body = client.get(f"/api/datasets/{NPR_DS}").json
    assert body["number_of_records"] == 80_000_000 and body["hdab"]["name"]["nb"] == "Helsedataservice"
    assert [v["id"] for v in body["variables"]][0] == DIAG and body["validation"]["conforms"] is False
    assert "http://data.europa.eu/r5r/applicableLegislation" in {f["path"] for f in body["validation"]["findings"]}
    assert body["quality"]["dimensions"]["variables"] == {"points": 40.0, "max": 40.0}
    assert body["quality"]["percent"] == round(100 * body["quality"]["points"] / body["quality"]["max"], 1)


def test_the_api_sources_match_the_sources_page(client):
    sources = {s["name"]: s for s in client.get("/api/sources").json["sources"]}
    assert sources["hunt"]["variables"] == 45 and sources["gone"]["last_run"]["status"] == "failed"
    gone = client.get("/api/sources/gone").json
    assert "answered 404" in gone["errors"][0]["message"]


def test_the_api_exports_a_selection_given_by_ids(client):
    response = client.get(f"/api/basket/export?ids={VEKT},{DIAG}&format=csv")
    names = [r["Kortnavn"] for r in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))]
    assert names == ["VEKT", "HOVEDDIAGNOSE"]


def test_the_openapi_description_covers_exactly_the_api_routes(web_app, client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m.group(1) == "key" else "{" + m.group(1) + "}", r.rule)
        for r in web_app.url_map.iter_rules()
        if r.rule.startswith("/api/")
    }
    assert routes == set(spec["paths"])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("type=datasets", "type='datasets' is not one of: variable, dataset, codelist"),
        ("type=bogus", "type='bogus' is not one of: variable, dataset, codelist"),
        ("sort=bogus", "sort='bogus' is not one of: relevance, name, uses"),
        ("grouped=yes", "grouped='yes' is not one of: 0, 1"),
        ("page=-3", "page=-3 is out of range: from 1 to 500 (the first 10,000 hits, at limit=20)"),
        ("page=0", "page=0 is out of range: from 1 to 500"),
        ("page=501", "page=501 is out of range: from 1 to 500"),
        ("page=101&limit=100", "page=101 is out of range: from 1 to 100 (the first 10,000 hits, at limit=100)"),
        ("page=abc", "page='abc' is not a whole number (from 1 to 500)"),
        ("limit=100000", "limit=100000 is out of range: from 1 to 100"),
        ("limit=0", "limit=0 is out of range: from 1 to 100"),
        ("limit=ten", "limit='ten' is not a whole number (from 1 to 100)"),
    ],
)
def test_the_api_refuses_a_search_parameter_out_of_its_values_naming_it_and_them(client, query, says):
    """`type=datasets` answered 200 with variables, `page=-3` with the first page: a script's
    mistake read as an answer."""
    response = client.get(f"/api/search?q=vekt&{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == says or response.json["detail"].startswith(says)


def test_the_openapi_description_of_search_says_exactly_which_values_are_taken(client):
    """Every value the description lists is answered, and one beside each is refused."""
    spec = client.get("/api/openapi.json").json
    checked = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    for name, schema in checked.items():
        if "enum" in schema:
            for value in schema["enum"]:
                assert client.get("/api/search", query_string={name: value}).status_code == 200, (name, value)
            assert client.get("/api/search", query_string={name: "bogus"}).status_code == 400, name
        if schema.get("type") == "integer":
            assert client.get("/api/search", query_string={name: schema["minimum"]}).status_code == 200, name
            assert client.get("/api/search", query_string={name: schema["minimum"] - 1}).status_code == 400, name
            if "maximum" in schema:
                assert client.get("/api/search", query_string={name: schema["maximum"]}).status_code == 200
                assert client.get("/api/search", query_string={name: schema["maximum"] + 1}).status_code == 400
    assert {"type", "sort", "page", "limit", "grouped"} <= set(checked)


def test_the_api_pages_through_limit_hits_at_a_time(client):
    ten = client.get("/api/search?source=hunt&sort=name&limit=10").json
    second = client.get("/api/search?source=hunt&sort=name&limit=5&page=2").json
    assert len(ten["hits"]) == 10 and ten["page_size"] == 10 and ten["pages"] == 5
    assert [h["id"] for h in second["hits"]] == [h["id"] for h in ten["hits"][5:]]
    assert (second["page"], second["pages"], second["page_size"]) == (2, 9, 5)
    assert client.get("/api/search?source=hunt&type=&sort=&page=").json["page_size"] == 20


def test_api_errors_are_problem_details(client):
    response = client.get("/api/variables/0000000000000000")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


LONG_QUERY = (
    "røyking blodtrykk kolesterol diabetes hjerteinfarkt hjerneslag kreft fødselsvekt BMI alder kjønn "
    "utdanning inntekt svangerskap"
)


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nb", "For mange ord til å søke på én gang; bare de første ble søkt etter, ikke «svangerskap»."),
        ("nn", "For mange ord til å søkje på ein gong; berre dei første vart søkte etter, ikkje «svangerskap»."),
        ("en", "Too many words to search at once; only the first were searched, not “svangerskap”."),
    ],
)
def test_a_search_with_more_words_than_one_search_holds_searches_the_first_and_names_the_rest(client, lang, says):
    """Fourteen ordinary words gave an error page, "Søket har for mange ord til å kjøres"."""
    response = client.get("/search", query_string={"q": LONG_QUERY, "lang": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and says in html
    assert f'value="{LONG_QUERY}"' in html  # the words stay in the search box
    first = page(client, "/search?" + urlencode({"q": LONG_QUERY.rsplit(" ", 1)[0], "lang": lang}))
    assert hits(html) == hits(first) and "only the first" not in first and "bare de første" not in first


def test_the_api_searches_the_first_words_that_fit_and_names_those_left_out(client):
    found = client.get("/api/search", query_string={"q": LONG_QUERY}).json
    assert found["left_out_words"] == ["svangerskap"]
    first = client.get("/api/search", query_string={"q": LONG_QUERY.rsplit(" ", 1)[0]}).json
    assert first["left_out_words"] == [] and [h["id"] for h in found["hits"]] == [h["id"] for h in first["hits"]]


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nb", "Søket var lengre enn 200 tegn; bare de første 200 ble søkt etter."),
        ("en", "The search was longer than 200 characters; only its first 200 were searched."),
    ],
)
def test_a_search_longer_than_is_searched_says_only_its_start_was(client, lang, says):
    """A text past 200 characters was cut without a word: the words past it were silently dropped."""
    html = page(client, "/search?" + urlencode({"q": "vekt" + " " * 300, "lang": lang}))
    assert says in html and hits(html)
    assert says not in page(client, "/search?" + urlencode({"q": "vekt" + " " * 196, "lang": lang}))


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nb", "«😀» har ingen bokstaver eller tall å søke etter."),
        ("nn", "«😀» har ingen bokstavar eller tal å søkje etter."),
        ("en", "“😀” holds no letters or digits to search for."),
    ],
)
def test_a_search_of_only_symbols_finds_nothing_and_says_why_in_the_readers_language(client, lang, says):
    """A search of "😀", "%" or "*" listed the whole catalogue: "ca. 1 639 variabler for «😀»"."""
    html = page(client, "/search?" + urlencode({"q": "😀", "lang": lang}))
    assert says in html and hits(html) == []
    assert 'value="😀"' in html


@pytest.mark.parametrize("typed", ["😀", "%"])
def test_a_search_of_only_symbols_offers_no_sorting_rows_or_filters_for_hits_it_cannot_have(client, typed):
    """ "😀" said it holds no letters or digits under a sort menu, the choice of rows per variable
    and the year filter: controls of hits a search with nothing to search for cannot have."""
    html = page(client, "/search?" + urlencode({"q": typed}))
    assert "har ingen bokstaver eller tall å søke etter" in html
    for control in ('<form class="sort"', 'class="facet rows"', 'id="year"', 'class="filters"'):
        assert control not in html, control
    assert '<div class="layout single">' in html  # the message takes the filters' column too
    words = page(client, "/search?q=vekt")
    assert '<form class="sort"' in words and 'class="facet rows"' in words and '<div class="layout">' in words


@pytest.mark.parametrize("typed", ["😀", "%", "*"])
def test_the_api_answers_a_search_of_only_symbols_with_no_hits(client, typed):
    found = client.get("/api/search", query_string={"q": typed}).json
    assert (found["total"], found["hits"], found["no_words"]) == (0, [], True)
    assert found["type_totals"] == {"variable": 0, "dataset": 0, "codelist": 0}
    assert client.get("/api/search").json["no_words"] is False


def test_the_api_refuses_a_search_text_longer_than_is_searched(client):
    response = client.get("/api/search", query_string={"q": "vekt" + " " * 197})
    assert (
        response.status_code == 400 and response.json["detail"] == "q is 201 characters long: at most 200 are searched"
    )
    assert client.get("/api/search", query_string={"q": "vekt" + " " * 196}).status_code == 200
    client.get("/?lang=nb")  # the language is remembered in a cookie


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_a_harvester_asking_a_feed_for_rdf_reads_its_error_as_problem_details(client, accept):
    """A harvester asking for Turtle got a bokmål HTML page saying "Ugyldig forespørsel"."""
    response = client.get("/catalog?profile=bogus", headers={"Accept": accept})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "unknown profile 'bogus'" in response.json["detail"]


@pytest.mark.parametrize(
    ("accept", "mimetype"), [("text/html", "text/html"), ("*/*", "text/html"), (None, "text/html")]
)
def test_a_browser_and_a_client_taking_anything_still_get_the_error_page(client, accept, mimetype):
    """(A browser asking the feed's own address is sent to the home page: a link names a syntax.)"""
    response = client.get("/catalog.ttl?profile=bogus", headers={"Accept": accept} if accept else {})
    assert response.status_code == 400 and response.mimetype == mimetype


# --- languages ----------------------------------------------------------------------------------


def test_the_ui_is_bokmal_by_default_and_english_on_request(client):
    assert '<html lang="nb">' in page(client, "/") and "Søk etter variabler" in page(client, "/")
    english_browser = page(client, "/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="nb">' in english_browser, "a Norwegian service first, whatever the browser's language"
    english = page(client, "/?lang=en", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english and "Search for variables" in english


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_numbers_are_written_as_babel_writes_them_in_each_language(web_app, lang):
    from babel.numbers import format_decimal

    from web.i18n import LOCALES, number

    with web_app.test_request_context(f"/?lang={lang}"):
        for value in (0, 7, -1234, 999, 1000, 3_181_753, 10**12, 2.5, 1234.75):
            assert number(value) == format_decimal(value, locale=LOCALES[lang])
        assert number(3_181_753) == ("3,181,753" if lang == "en" else "3\xa0181\xa0753")


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("nb", "7. des. 2026", "7. des. 2026, 07:32"),
        ("nn", "7. des. 2026", "7. des. 2026, 07:32"),
        # was "Dec 7, 2026" and "12/7/26, 7:32 AM", then "07/12/2026, 07:32": 12 July to an American
        ("en", "7 Dec 2026", "7 Dec 2026, 07:32"),
    ],
)
def test_dates_are_written_day_first_on_a_24_hour_clock_in_every_language(web_app, lang, day, moment):
    """English pages are for researchers across the EU: an American "12/7/26" reads as 12 July."""
    from web import i18n

    with web_app.test_request_context(f"/?lang={lang}"):
        assert i18n.day("2026-12-07") == day
        assert i18n.moment("2026-12-07T06:32:00+00:00") == moment


def test_a_browser_preferring_nynorsk_gets_nynorsk(client):
    assert '<html lang="nn">' in page(client, "/", headers={"Accept-Language": "nn-NO,nn;q=0.9,nb;q=0.8,en;q=0.5"})
    assert '<html lang="nb">' in page(client, "/", headers={"Accept-Language": "en-GB,nb;q=0.8,nn;q=0.5"})


def test_the_language_choice_sticks_in_a_cookie(client):
    assert '<html lang="en">' in page(client, "/search?q=vekt&lang=en")
    assert '<html lang="en">' in page(client, "/sources/")
    assert '<html lang="nb">' in page(client, "/sources/?lang=nb")
    assert '<html lang="nb">' in page(client, "/sources/?lang=xx")


def test_the_language_switch_keeps_the_page_and_search(client):
    html = page(client, "/search?q=vekt&source=mfr")
    assert 'href="/search?q=vekt&amp;source=mfr&amp;lang=en" lang="en" hreflang="en">English</a>' in html
    assert 'href="/variables/' + VEKT + '?lang=en"' in page(client, f"/variables/{VEKT}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_ui_text_has_a_norwegian_translation(lang):
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    web_dir = Path(__file__).resolve().parents[1] / "web"
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    found = {
        m[2] if isinstance(m[2], str) else m[2][0]
        for m in extract_from_dir(web_dir, [("**.py", "python"), ("templates/**.html", "jinja2")], keywords=keywords)
    }
    with (web_dir / f"translations/{lang}/LC_MESSAGES/messages.po").open("rb") as f:
        po = read_po(f)

    def translated(message: str) -> bool:
        entry = po.get(message)  # a plural's entry is found by its singular, its string a tuple
        if entry is None or entry.fuzzy:
            return False
        return all(entry.string) if isinstance(entry.string, (tuple, list)) else bool(entry.string)

    untranslated = sorted(m for m in found if not translated(m))
    assert untranslated == []


def test_the_ui_speaks_nynorsk_where_asked_and_marks_bokmal_data(client):
    html = page(client, f"/variables/{VEKT}?lang=nn")
    assert '<html lang="nn">' in html and "Legg i korga" in html and "Etikett (bokmål)" in html
    # the dataset has no nynorsk title: its bokmål title is marked as bokmål
    assert '<span lang="nb">Medisinsk fødselsregister – fødsler</span>' in html
    diag = page(client, f"/variables/{DIAG}?lang=nn")
    assert "<h1>Hovuddiagnose <code" in diag  # the variable has a nynorsk label, shown unmarked


def test_english_pages_mark_norwegian_data_and_speak_english_around_it(client):
    html = page(client, "/search?q=fødselsvekt&lang=en")
    assert '<html lang="en">' in html and "Whole number (grams)" in html
    assert '<span lang="nb">Norsk pasientregister</span>' in html  # a source title, in bokmål
    dataset = page(client, f"/datasets/{NPR_DS}?lang=en")
    assert "80,000,000" in dataset and "Non-public" in dataset and "NON_PUBLIC" not in dataset
    assert "Label (bokmål)" in page(client, f"/variables/{VEKT}?lang=en")


NOTE = '<span class="lang-note" lang="en">(Norwegian)</span>'


def test_english_pages_say_visibly_which_texts_are_norwegian_for_want_of_english(client):
    """An English page showed NPR's "Fødselsvekt" and "Vekt ved fødsel for nyfødte innlagt." as if
    they were English: only a `lang` attribute, which a screen reader hears and a researcher
    reading no Norwegian does not see, said that no English was to be had. Texts the record gives
    in English are not noted, nor anything on a Norwegian page."""
    html = page(client, "/search?q=fødselsvekt&lang=en")
    rows = {
        re.search(r'<code class="name">(?:<mark>)?(\w+)', r).group(1): r for r in html.split('<li class="hit">')[1:]
    }
    assert f'<span lang="nb"><mark>Fødselsvekt</mark></span> {NOTE}</a>' in rows["FODSELSVEKT"]
    assert f'<p class="desc" lang="nb">Vekt ved fødsel for nyfødte innlagt. {NOTE}</p>' in rows["FODSELSVEKT"]
    assert "<mark>Birth</mark> <mark>weight</mark></a>" in rows["VEKT"]  # the record's own English
    variable = page(client, f"/variables/{NPR_VEKT}?lang=en")
    assert f'<h1><span lang="nb">Fødselsvekt</span> {NOTE} <code' in variable
    dataset = page(client, f"/datasets/{NPR_DS}?lang=en")
    assert f'<p class="prose" lang="nb">Episoder i spesialisthelsetjenesten fra 2008. {NOTE}</p>' in dataset
    for lang in ("nb", "nn"):
        assert "lang-note" not in page(client, f"/search?q=fødselsvekt&lang={lang}")
        assert "lang-note" not in page(client, f"/datasets/{NPR_DS}?lang={lang}")


def test_an_english_dataset_page_says_its_keywords_are_norwegian(client):
    """An English page listed Kreftregisteret's "brystkreft, insidens, kreft, screening, svulst"
    under "Keywords" as if they were English, while the population and legal basis beside them
    said "(Norwegian)". The keywords of a language the reader may not read say so once, after
    them; a Norwegian page says nothing."""
    keywords = re.compile(r'<dd class="keywords">.*?</dd>', re.S)
    [english] = keywords.findall(page(client, f"/datasets/{NPR_DS}?lang=en"))
    assert f'<span lang="nb"><a href="/search?q=diagnose">diagnose</a></span> {NOTE}' in english
    assert english.count("lang-note") == 1
    for lang in ("nb", "nn"):
        [norsk] = keywords.findall(page(client, f"/datasets/{NPR_DS}?lang={lang}"))
        assert "lang-note" not in norsk


SOME = '<span class="lang-note" lang="en">(some in Norwegian)</span>'


def test_an_english_code_table_says_once_that_its_meanings_are_norwegian(client):
    """An English page listed NPR's ICD-10 codes as "C50 Ondartet svulst i brystkjertel" under
    "Meaning", with nothing a researcher reading no Norwegian could see say that no English was to
    be had. The column says it once, not each of a list's 500 rows; a Norwegian page says nothing."""
    table = re.compile(r'<table class="codes">.*?</table>', re.S)
    for url in (f"/codelists/{vkey(NPR + '/kodeverk/icd10')}", f"/variables/{DIAG}"):
        [codes] = table.findall(page(client, f"{url}?lang=en"))
        assert f'<th scope="col">Meaning {NOTE}</th>' in codes and codes.count("lang-note") == 1
        assert '<td><span lang="nb">Ondartet svulst i brystkjertel</span></td>' in codes
        for lang in ("nb", "nn"):
            [norsk] = table.findall(page(client, f"{url}?lang={lang}"))
            assert "lang-note" not in norsk


@pytest.mark.parametrize(
    ("langs", "said"),
    [
        (["nb", "no", "nn"], NOTE),  # every text Norwegian
        (["nb", "en", None], SOME),  # None: a UI message, in the page's language
        (["en", None], ""),
        ([], ""),
    ],
)
def test_a_group_of_texts_is_noted_once_by_how_many_are_norwegian(web_app, langs, said):
    from web.display import group_note

    with web_app.test_request_context("/?lang=en"):
        assert str(group_note(langs, "en")) == (f" {said}" if said else "")
    with web_app.test_request_context("/?lang=nb"):
        assert str(group_note(langs, "nb")) == ""  # a Norwegian page notes nothing


def test_a_code_tables_note_counts_the_labels_it_shows_not_empty_ones(web_app):
    from web.display import labels_note

    with web_app.test_request_context("/?lang=en"):
        assert str(labels_note([{"nb": "Mann", "en": "Male"}, {"nb": "Kvinne"}], "en")) == f" {SOME}"
        assert str(labels_note([{"nb": "Mann"}, {"nb": ""}, None, {}], "en")) == f" {NOTE}"
        assert str(labels_note([{"nb": "Mann", "en": "Male"}, None], "en")) == ""


def test_an_english_page_says_once_which_filters_offer_norwegian_only_values(nation):
    """An English page listed "SAFE – sikker tilgang til forskningsdata" among the analysis
    platforms, beside "TSD – Services for sensitive data", as if it were English. The filter's
    heading says once that some of its values are in Norwegian; filters whose values the UI
    translates (topics, access, data types) say nothing, nor does the sources' filter, whose
    values are proper names; nor does any Norwegian page."""
    html = nation.get("/search?q=&lang=en").get_data(as_text=True)
    headings = dict(re.findall(r'<h2 id="facet-(\w+)">(.*?)</h2>', html))
    assert headings["platform"] == f"Analysis platform {SOME}"
    assert [name for name, heading in headings.items() if "lang-note" in heading] == ["platform"]
    facet = html.split('id="facet-platform"')[1].split("</section>")[0]
    assert '<span lang="nb">SAFE – sikker tilgang til forskningsdata</span></a>' in facet
    assert facet.count("lang-note") == 1  # on the heading, not on each value
    sources = html.split('id="facet-source"')[1].split("</section>")[0]
    assert "Medisinsk fødselsregister" in sources and "lang-note" not in sources
    # still Norwegian to a screen reader, as the sources are on every other page
    assert '<span lang="nb">Medisinsk fødselsregister</span></a>' in sources
    for lang in ("nb", "nn"):
        norsk = nation.get(f"/search?q=&lang={lang}").get_data(as_text=True)
        assert "lang-note" not in norsk.split('class="facets"')[1].split("</details>")[0]


@pytest.mark.parametrize(
    ("lang", "label", "dataset"),
    [
        ("en", "<mark>Main</mark> <mark>diagnosis</mark>", "Norwegian Patient Registry – episodes"),
        ("nb", '"><mark>Hoveddiagnose</mark></a>', ">Norsk pasientregister – episoder</a>"),  # "diagnose" = "diagnosis"
        ("nn", "Hovuddiagnose", '<span lang="nb">Norsk pasientregister – episoder</span>'),
    ],
)
def test_a_row_of_hits_shows_the_label_and_dataset_title_in_the_pages_language(client, lang, label, dataset):
    """The English page said "Hoveddiagnose" in "Norsk pasientregister – episoder" where the
    variable's own page says "Main diagnosis": a row shows what the record gives in the page's
    language, with the matched words marked in that label too."""
    html = page(client, f"/search?q=main+diagnosis&type=variable&lang={lang}")
    row = html[html.index('<li class="hit">') :]
    row = row[: row.index("</li>")]
    assert label in row and dataset in row
    shown = {"en": "Main diagnosis", "nb": "Hoveddiagnose", "nn": "Hovuddiagnose"}[lang]
    assert f'<span class="visually-hidden">: {shown} (' in row  # the basket button names it so, and its source


def test_each_basket_button_of_a_result_page_has_a_name_of_its_own(client):
    """MFR's and SSB's "Fødselsvekt" had one name for a screen reader, "Legg i kurven: Fødselsvekt"."""
    html = page(client, "/search?q=vekt&grouped=0")
    names = re.findall(r'<span class="action">[^<]*</span><span class="visually-hidden">([^<]*)</span>', html)
    assert len(names) >= 2 and len(set(names)) == len(names), names


@pytest.mark.parametrize(
    ("kind", "lang", "label"),
    [
        ("variable", "nb", "Søk etter variabler"),
        ("dataset", "nb", "Søk etter datasett"),
        ("codelist", "nb", "Søk etter kodelister"),
        ("codelist", "en", "Search for code lists"),  # said "Search for variables"
    ],
)
def test_the_search_box_says_what_the_open_tab_searches(client, kind, lang, label):
    html = page(client, f"/search?q=vekt&type={kind}&lang={lang}")
    assert f'<label for="q">{label}</label>' in html
    client.get("/?lang=nb")  # the language is remembered in a cookie


def test_a_search_whose_words_together_find_few_offers_each_word_alone(client):
    """ "fødselsvekt røyking" found MFR's two smoking variables, whose dataset's keywords say
    "fødselsvekt", and never offered birth weight itself (the researchers' drill)."""
    html = page(client, "/search?q=vekt+fødsel")
    assert len(hits(html)) == 3
    notice = html[html.index("Få treff har alle ordene. Hvert ord alene:") :]
    notice = notice[: notice.index("</p>")]
    assert re.findall(r"«([^»]*)»</a> \((\d+)\)", notice) == [("vekt", "3"), ("fødsel", "6")]
    assert "Hvert ord alene" not in page(client, "/search?q=vekt")  # one word
    assert "Få treff har alle ordene" not in page(client, "/search?q=vekt+fødsel&page=2")
    assert "Få treff har alle ordene" not in page(client, "/search?q=vekt+fødsel&datatype=integer")  # narrowed


def test_a_search_the_filters_empty_offers_each_filter_to_drop_with_what_it_would_find(client):
    """ "fødselsvekt" in 1900 said "Ingen treff her; søket fant: Kodelister (5)": it sent the
    researcher to code lists, not to the filter that left nothing."""
    api = client.get("/api/search?q=vekt").json
    kind, found = api["facets"]["datatype"][0]["value"], api["total"]
    html = page(client, f"/search?q=vekt&grouped=0&year=1900&datatype={kind}")
    assert hits(html) == []
    loosen = html[html.index('<p class="loosen">') :]
    loosen = loosen[: loosen.index("</p>")]
    assert "Ingen treff med alle disse filtrene." in loosen  # two filters
    links = re.findall(r'<a href="([^"]*)">(\d+) treff uten «([^<]*)»</a>', loosen)
    assert [label for _href, _n, label in links] == ["År med data: 1900"]  # without the data type: still none
    href, n, _label = links[0]
    assert "year=" not in href and f"datatype={kind}" in href and 1 <= int(n) <= found
    assert 'class="loosen"' not in page(client, "/search?q=vekt&grouped=0")  # only where filters emptied it
    # a filter of two values, each leaving the other: the whole filter (each value alone found none)
    two = page(client, "/search?q=vekt&grouped=0&year=1900&year=1910")
    two = two[two.index('<p class="loosen">') :]
    offered = re.findall(r'<a href="([^"]*)">(\d+) treff uten «([^<]*)»</a>', two[: two.index("</p>")])
    assert [(label, int(n)) for _href, n, label in offered] == [("År med data: 1900 / 1910", found)]
    assert "year=" not in offered[0][0]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("nb", "Ingen treff med dette filteret. %(n)s treff uten «År med data: 1900»"),
        ("nn", "Ingen treff med dette filteret. %(n)s treff utan «År med data: 1900»"),
        ("en", "Nothing with this filter. %(n)s hits without “Years with data: 1900”"),
    ],
)
def test_a_filter_that_empties_a_search_says_what_the_search_finds_without_it(client, lang, said):
    """ "Ingen treff med dette filteret. Uten det: År med data: 2005 (4)" read as if 2005 had
    four hits (the researchers' drill): the count is of the search without the filter."""
    found = client.get("/api/search?q=vekt").json["total"]
    loosen = page(client, f"/search?q=vekt&grouped=0&year=1900&lang={lang}")
    loosen = loosen[loosen.index('<p class="loosen">') + len('<p class="loosen">') :]
    text = re.sub(r"<[^>]+>", "", loosen[: loosen.index("</p>")])
    assert text == said % {"n": found}
    client.get("/?lang=nb")  # the language is remembered in a cookie


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_search_with_no_hits_of_its_kind_links_the_kinds_it_found(client, lang):
    """A catalogue of the real FDK samples has datasets and no variables: "postjournal" said "No
    hits. Try fewer words or remove a filter." on the variables' page, its two datasets only a
    count in a tab."""
    html = page(client, f"/search?q=spesialisthelsetjenesten&lang={lang}")  # one dataset's description
    said = {
        "nb": "Ingen treff her; søket fant:",
        "nn": "Ingen treff her; søket fann:",
        "en": "None of these; the search found:",
    }
    assert said[lang] in html and "Try fewer words" not in html
    link = html[html.index(said[lang]) :].split("</p>")[0]
    assert "type=dataset" in link and "(1)" in link and "type=codelist" not in link


def test_a_word_nothing_in_the_catalogue_says_is_told_so_with_ways_to_browse(client):
    """ "Try fewer words or remove a filter" was all a page said to a researcher who typed one
    word and no filter ("phq-9" on the demo): nothing to remove, and no way on."""
    html = page(client, "/search?q=zzyzx&lang=en")
    assert "Nothing in the catalogue says “zzyzx”: no variable, dataset or code list." in html
    assert 'href="/topics' in html.split("Nothing in the catalogue")[1].split("</p>")[0]
    assert "Try fewer words" in page(client, "/search?q=zzyzx+qqxq&lang=en")  # words to drop
    assert "Ingenting i katalogen sier «zzyzx»" in page(client, "/search?q=zzyzx&lang=nb")


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_dataset_page_gives_its_description_in_the_pages_language_first(client, lang):
    """The English page opened with the Norwegian description and gave the English one after it."""
    html = page(client, f"/datasets/{NPR_DS}?lang={lang}")
    english, norwegian = html.index("Specialist care episodes."), html.index("Episoder i spesialisthelsetjenesten")
    assert (english < norwegian) == (lang == "en")


def test_the_code_list_page_lists_its_variables_in_the_pages_language(client):
    english = page(client, f"/codelists/{vkey(NPR + '/kodeverk/icd10')}?lang=en")
    using = english[english.index('<ul class="using">') :]
    assert ">Main diagnosis</a>" in using and "Norwegian Patient Registry – episodes" in using


def test_a_relative_catalogue_home_still_serves_norwegian(tmp_path, monkeypatch, web_settings):
    import shutil

    from catalog.config import Settings

    shutil.copytree(web_settings.home, tmp_path / "catalog-data", ignore=shutil.ignore_patterns("cache"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CATALOG_HOME", raising=False)
    settings = Settings.load("catalog-data")
    assert settings.home.is_absolute()
    html = create_app(settings).test_client().get("/").get_data(as_text=True)
    assert '<html lang="nb">' in html and "Søk etter variabler" in html and "Bla etter tema" in html


# --- landing page, topics and comparison ---------------------------------------------------------


def test_the_front_page_explains_the_catalogue_and_shows_sources_topics_and_examples(client):
    html = page(client, "/")
    assert "<h1" in html and "Katalogen beskriver variablene" in html and 'role="search"' in html
    assert re.findall(r'<th scope="row"><a href="/search\?source_kind=([\w-]+)">', html) == [
        "central-registry",
        "survey",
        "catalogue",
    ]
    assert 'href="/search?q=C50"' in html and 'href="/search?q=metformin"' in html
    tiles = dict(re.findall(r'href="/topics/([\w-]+)"><span class="tile-name">([^<]*)</span>', html))
    assert tiles["pregnancy-birth"] == "Svangerskap og fødsel" and tiles["lifestyle"] == "Levevaner"
    assert "NON_PUBLIC" not in html and "EHRS" not in html


def test_topics_are_a_facet_and_have_pages_to_browse_without_a_query(client):
    html = page(client, "/search?topic=pregnancy-birth")
    assert sorted(hits(html)) == ["APGAR5", "FODSELSVEKT", "MORS_ALDER", "SVLEN", "VEKT"]
    assert "Tema: Svangerskap og fødsel" in html  # the chip
    topic = page(client, "/topics/pregnancy-birth")
    assert "<h1>Svangerskap og fødsel</h1>" in topic and 'href="/search?topic=pregnancy-birth"' in topic
    assert f'href="/datasets/{vkey(mfr_dataset().uri)}"' in topic
    assert client.get("/topics/nosuch").status_code == 404
    assert "Levevaner" in page(client, "/topics/")


RELAXED: dict[str, dict[str, Any]] = {
    "E11.9": {
        "hit": "HOVEDDIAGNOSE",
        "api": ("broader_codes", [{"code": "E11.9", "broader": "E11"}]),
        "nb": "Ingen kodeliste har koden E11.9; disse har E11, koden den hører inn under.",
        "nn": "Inga kodeliste har koden E11.9; desse har E11, koden han høyrer inn under.",
        "en": "No code list holds the code E11.9; these hold E11, the code it falls under.",
    },
    "morsalder": {
        "hit": "MORS_ALDER",
        "api": ("split_words", [{"word": "morsalder", "parts": "mors alder"}]),
        "nb": "Ingen treff på «morsalder» slik det er skrevet; disse treffer det ordet er satt sammen av: «mors alder».",
        "nn": "Ingen treff på «morsalder» slik det er skrive; desse treffer det ordet er sett saman av: «mors alder».",
        "en": "No hit for “morsalder” as written; these match what it is made of: “mors alder”.",
    },
}
"""What a page says of a search relaxed to what the catalogue holds, in each language."""


@pytest.mark.parametrize("query", RELAXED)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_search_relaxed_to_what_the_catalogue_holds_shows_its_variables_and_says_so(client, query, lang):
    """Each found nothing ("Ingen treff"): "E11.9" where the ICD-10 list holds the category E11,
    "morsalder" where the variable is "Mors alder"."""
    said = RELAXED[query]
    html = page(client, f"/search?q={query}&lang={lang}")
    assert said[lang] in html and said["hit"] in hits(html)
    api = client.get(f"/api/search?q={query}").json
    field, value = said["api"]
    assert api[field] == value and api["total"] >= 1
    client.get("/?lang=nb")  # the language is remembered in a cookie


SYNONYMS_SAID = {
    "nb": "Søket tok også med synonymer: «breast cancer» som brystkreft, mammacancer, mammografi, mammography, brystkarsinom.",
    "nn": "Søket tok òg med synonym: «breast cancer» som brystkreft, mammacancer, mammografi, mammography, brystkarsinom.",
    "en": "Also searched as synonyms: “breast cancer” as brystkreft, mammacancer, mammografi, mammography, brystkarsinom.",
}


@pytest.mark.parametrize("lang", SYNONYMS_SAID)
def test_a_page_says_which_synonyms_found_a_hit_that_shows_no_word_of_the_query(client, lang):
    """On the demo "mammografi" listed the 32 variables of the cancer registry's "Brystkreft", no
    word of the query on them: the page did not say why. Said where the first hit marks no word
    (here NPR's diagnoses, by the code name C50); where it does ("tobakk": "Røyking" marked) the
    hits say it themselves, and a phone keeps its first hit in view (the API always says)."""
    html = page(client, f"/search?q=breast cancer&lang={lang}")
    assert SYNONYMS_SAID[lang] in html and hits(html) == ["HOVEDDIAGNOSE"]
    also = ["røyking", "røyk", "smoking", "tobacco", "røykevaner"]
    assert client.get("/api/search?q=tobakk").json["synonyms"] == [{"words": "tobakk", "also": also}]
    assert "synonym" not in page(client, f"/search?q=tobakk&lang={lang}")
    client.get("/?lang=nb")  # the language is remembered in a cookie


def test_a_long_list_of_synonyms_is_cut_to_six_without_a_period_after_its_dots(web_settings, tmp_path):
    """The demo's nynorsk page for "celleprøve" ended "... pap smear…."."""
    own = tmp_path / "synonyms.txt"
    own.write_text(
        "brystkreft, mammacancer, breast cancer, mammografi, mammography, brystkarsinom, mammakarsinom, breast carcinoma\n"
    )
    own_values = {**web_settings.values, "synonyms_file": str(own)}
    client = create_app(dataclasses.replace(web_settings, values=own_values)).test_client()
    html = page(client, "/search?q=breast cancer&lang=en")
    assert (
        "“breast cancer” as brystkreft, mammacancer, mammografi, mammography, brystkarsinom, mammakarsinom…</p>" in html
    )


def test_a_compound_searched_as_the_one_word_the_catalogue_holds_says_that_alone(client):
    """One word typed: "these match some of the words" beside it would puzzle."""
    html = page(client, "/search?q=fødselsvektmønster")
    assert "disse treffer det ordet er satt sammen av: «fødselsvekt»." in html and "FODSELSVEKT" in hits(html)
    assert "Ingen treff på alle ordene" not in html
    assert client.get("/api/search?q=fødselsvektmønster").json["any_words"] is True


def test_every_page_names_an_icon_the_site_serves(client):
    """Without one each first visit asked for /favicon.ico and got a 404 (in the browser's console
    and in the operator's 404 counts)."""
    html = page(client, "/")
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_a_topic_no_dataset_is_about_offers_no_search_of_0_datasets(client):
    """The demo's Levevaner page offered "Søk i de 0 datasettene" (a search finding nothing) and its
    tile read "234 variabler · 0 datasett"."""
    lifestyle = next(t for t in client.get("/api/topics").json["topics"] if t["id"] == "lifestyle")
    assert lifestyle["variables"] > 0 and lifestyle["datasets"] == 0
    topic = page(client, "/topics/lifestyle")
    assert "Søk i de 0 datasettene" not in topic and "type=dataset" not in topic
    tiles = page(client, "/topics/")
    assert "· 0 datasett" not in tiles and f"{lifestyle['variables']} variabler</span>" in tiles


def test_two_variables_are_compared_side_by_side_with_differences_marked(client):
    html = page(client, f"/compare?ids={VEKT},{NPR_VEKT}")
    marked = {
        name: verdict for verdict, name in re.findall(r'<tr class="(same|differs)"><th scope="row">([^<]*)</th>', html)
    }
    assert marked["Etikett"] == "same" and marked["Enhet"] == "same" and marked["Datatype"] == "same"
    assert marked["Kortnavn"] == "differs" and marked["Kilde"] == "differs" and marked["Periode"] == "differs"
    assert {"Spørsmål", "Kodeliste", "Populasjon", "Datasett"} <= set(marked)
    assert client.get("/compare").status_code == 404
    gone = page(client, f"/compare?ids={VEKT},0000000000000000")
    assert "1 av variablene finnes ikke lenger i katalogen." in gone


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("nb", "Velg minst én variabel til å sammenligne med"),
        ("nn", "Vel minst éin variabel til å samanlikne med"),
        ("en", "Choose at least one more variable to compare with"),
    ],
)
def test_one_variable_alone_is_not_compared_and_the_page_says_to_choose_another(client, lang, said):
    """A keyboard user on a variable page pressed Space on the first wave's box, which comes
    checked, and "Compare the chosen variables" showed the variable alone, every row "same" (the
    researcher's drill): the page now says to choose another and links back to its list."""
    html = page(client, f"/compare?ids={VEKT}&lang={lang}")
    assert said in html and "<table" not in html and 'class="verdict"' not in html
    assert f'href="/variables/{VEKT}#h-same"' in html
    assert "<table" in page(client, f"/compare?ids={VEKT},{NPR_VEKT}&lang={lang}")


def test_an_english_comparison_says_once_on_each_row_whose_texts_are_norwegian(client):
    """An English comparison showed MFR's and NPR's descriptions, populations and code meanings in
    Norwegian with nothing visible to say no English was to be had, where the variables' own pages
    say "(Norwegian)". Each row's heading says it once: "(Norwegian)" when every text it shows is,
    "(some in Norwegian)" when some are (a code list's English title over Norwegian meanings);
    sources are proper names and say nothing, nor does any row on a Norwegian page."""
    row = re.compile(r'<tr class="(?:same|differs)"><th scope="row">([^<]*?)( <span.*?)?</th>', re.S)
    english = dict(row.findall(page(client, f"/compare?ids={VEKT},{NPR_VEKT},{DIAG}&lang=en")))
    assert english["Description"] == f" {NOTE}" and english["Population"] == f" {NOTE}"
    assert english["Label"] == f" {SOME}"  # "Birth weight" beside "Fødselsvekt"
    assert english["Code list"] == f" {SOME}"  # "ICD-10: C50 Ondartet svulst i brystkjertel; ..."
    assert english["Source"] == english["Period"] == english["Short name"] == ""
    for lang in ("nb", "nn"):
        norsk = page(client, f"/compare?ids={VEKT},{NPR_VEKT},{DIAG}&lang={lang}")
        assert "lang-note" not in norsk.split("<tbody>")[1].split("</tbody>")[0]


def test_a_code_list_cell_marks_its_title_and_each_meaning_in_its_own_language(client):
    """The cell took the language of the code list's title for all it said: on an English page
    ICD-10's English title made "C50 Ondartet svulst i brystkjertel" English to a screen reader,
    which read the Norwegian with English sounds (WCAG 3.1.2). Each meaning now says its own
    language; the page's own words (the count) and an English title say none there."""
    html = page(client, f"/compare?ids={DIAG},{NPR_VEKT}&lang=en")
    [cell] = re.findall(r'<th scope="row">Code list.*?</th>\s*<td>(.*?)</td>', html, re.S)
    assert 'C50 <span lang="nb">Ondartet svulst i brystkjertel</span>' in cell
    assert 'E11 <span lang="nb">Diabetes mellitus type 2</span>' in cell
    assert cell.startswith("ICD-10: C50 ") and 'lang="en"' not in cell
    bokmaal = page(client, f"/compare?ids={DIAG},{NPR_VEKT}&lang=nb")
    [cell] = re.findall(r'<th scope="row">Kodeliste.*?</th>\s*<td>(.*?)</td>', bokmaal, re.S)
    assert cell.startswith("ICD-10: C50 Ondartet svulst i brystkjertel; E11 ") and "lang=" not in cell
    api = client.get(f"/api/compare?ids={DIAG},{NPR_VEKT}&lang=en").json
    [codes] = [row["values"][0] for row in api["rows"] if row["name"] == "Code list"]
    assert codes.startswith("ICD-10: C50 Ondartet svulst i brystkjertel; E11 ")  # text, no markup


# --- security -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=fødselsvekt",
        "/search?q=skjema",
        "/search?type=dataset&q=vekt",
        f"/variables/{EVIL_VAR}",
        f"/datasets/{vkey(EVIL + '/dataset/x')}",
        "/sources/",
        "/sources/evil",
        "/basket/",
    ],
)
def test_hostile_text_from_a_source_is_shown_as_text(client, url):
    add(client, EVIL_VAR)
    html = page(client, url)
    assert "<script>window" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "<b onmouseover" not in html and 'href="javascript:' not in html.lower()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (  # Skatteetaten's descriptions name their law; the full stop ends the sentence, not the address
            "Se https://lovdata.no/lov/2005-06-17-67. Frist 31. januar.",
            'Se <a href="https://lovdata.no/lov/2005-06-17-67" rel="noopener nofollow">'
            "https://lovdata.no/lov/2005-06-17-67</a>. Frist 31. januar.",
        ),
        (  # HDX's notes, in CKAN's Markdown
            "from the UNESCO [bulk data service](http://data.uis.unesco.org) covering",
            'from the UNESCO <a href="http://data.uis.unesco.org" rel="noopener nofollow">bulk data service</a> covering',
        ),
        ("[klikk](javascript:alert(1)) & <b>", "[klikk](javascript:alert(1)) &amp; &lt;b&gt;"),  # text, escaped
        (
            '"https://x.example/a"onmouseover="alert(1)',
            '&#34;<a href="https://x.example/a" rel="noopener nofollow">'
            "https://x.example/a</a>&#34;onmouseover=&#34;alert(1)",
        ),
    ],
)
def test_addresses_in_a_description_are_links_and_the_rest_is_text(text, shown):
    from web.display import linked

    assert str(linked(text)) == shown


def test_hostile_text_is_visible_escaped(client):
    html = page(client, f"/datasets/{vkey(EVIL + '/dataset/x')}")
    assert "&lt;script&gt;window.__xss = &#34;title&#34;; alert(1)&lt;/script&gt;Skjema for kroppsmål" in html
    assert "<code>javascript:window.__xss=&#39;link&#39;</code>" in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search?q=vekt",
        f"/variables/{DIAG}",
        f"/datasets/{NPR_DS}",
        "/sources/",
        "/sources/npr",
        "/basket/",
        f"/codelists/{vkey(NPR + '/kodeverk/atc')}",
        "/nope",
        "/topics/",
        "/topics/pregnancy-birth",
        f"/compare?ids={VEKT},{NPR_VEKT}",
        f"/basket/{token_for([VEKT, DIAG])}",
    ],
)
def test_pages_have_no_inline_script_or_style_and_send_a_strict_csp(client, url):
    add(client, VEKT)
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_search_highlights_escape_the_text_around_the_marks(client):
    html = page(client, "/search?q=skjema")
    assert (
        "&lt;script&gt;window.__xss = &#34;title&#34;; alert(1)&lt;/script&gt;<mark>Skjema</mark> for kroppsmål"
        in html.replace("&quot;", "&#34;")
    )


# --- static files and the script's hooks --------------------------------------------------------


def test_the_enhancement_script_is_served_from_this_site(client):
    js = client.get("/static/explorer.js")
    assert js.status_code == 200 and "innerHTML" not in js.get_data(as_text=True)
    assert 'data-suggest="/api/suggest"' in page(client, "/")


def test_pages_have_a_skip_link_landmarks_and_labelled_controls(client):
    html = page(client, "/search?q=vekt")
    assert '<a class="skip" href="#main">Hopp til innhold</a>' in html and '<main id="main"' in html
    assert '<label for="q">' in html and '<label for="sort">' in html and 'role="search"' in html


def test_long_facets_show_the_first_values_and_a_link_to_all(client, monkeypatch):
    monkeypatch.setattr("web.explorer.FACET_SHOWN", 2)
    short = page(client, "/search?source=hunt")
    source_facet = short.split('id="facet-source"')[1].split("</section>")[0]
    labels = re.findall(r"<li><a [^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]*)</a>", source_facet)
    assert labels == ["HUNT", "Medisinsk fødselsregister"]
    more = re.search(r'<a class="more" href="([^"]*)">Vis (\d+) til', source_facet)
    assert more.group(1) == "/search?source=hunt&amp;more=source" and more.group(2) == "2"
    full = page(client, more.group(1).replace("&amp;", "&"))
    assert len(re.findall(r"<li>", full.split('id="facet-source"')[1].split("</section>")[0])) == 4


def test_the_periods_facet_lists_every_decade_in_times_order(nation, monkeypatch):
    """By their counts, the demo's decades read 2020-2029, 1960-1969, 1970-1979, ... and the
    earliest were behind "show more"."""
    monkeypatch.setattr("web.explorer.FACET_SHOWN", 2)
    html = nation.get("/search?q=").get_data(as_text=True)
    facet = html.split('id="facet-period"')[1].split("</section>")[0]
    decades = re.findall(r"(\d{4})(?:-|–)(\d{4})", facet)
    assert len(decades) > 2 and decades == sorted(decades)
    assert 'class="more"' not in facet


def test_a_facet_keeps_counting_its_other_values_when_one_is_chosen(client):
    html = page(client, "/search?source=hunt")
    assert re.search(
        r'href="/search\?source=hunt&amp;source=mfr">Medisinsk fødselsregister</a> '
        r'<span class="count">4</span>',
        html,
    )
    assert "45 variabler" in html


# --- facet count cache --------------------------------------------------------------------------


def test_facet_counts_are_shared_by_pages_and_sort_orders_of_one_search():
    from catalog.search import SearchQuery
    from web.searchcache import query_key

    key = query_key(SearchQuery(text="Røyking  alder", filters={"source": ["b", "a"]}), 7)
    assert key == query_key(
        SearchQuery(text="røyking alder", filters={"source": ["a", "b"]}, offset=40, sort="name"), 7
    )
    assert key != query_key(SearchQuery(text="røyking alder", filters={"source": ["a", "b"]}), 8)
    assert key != query_key(SearchQuery(text="røyking", filters={"source": ["a", "b"]}), 7)


@pytest.mark.parametrize(
    "other",
    [
        {"group": True},  # one row per group: the total counts groups
        {"any_words": True},
        {"typos": 1},
        {"text": "røyking alder "},  # the last word complete, not a start
    ],
)
def test_searches_that_answer_differently_are_kept_apart(other: dict[str, Any]) -> None:
    from catalog.search import SearchQuery
    from web.searchcache import query_key

    base: dict[str, Any] = {"text": "røyking alder"}
    assert query_key(SearchQuery(**base), 7) != query_key(SearchQuery(**{**base, **other}), 7)


def test_cached_counts_expire_after_their_time(monkeypatch):
    from web import searchcache

    clock = [100.0]
    monkeypatch.setattr(searchcache.time, "monotonic", lambda: clock[0])
    cache, computed = searchcache.SearchCache(ttl=60), []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert [cache.get("k", compute), cache.get("k", compute)] == [1, 1]
    clock[0] += 61
    assert cache.get("k", compute) == 2 and (cache.hits, cache.misses) == (1, 2)


def test_an_answer_made_just_as_its_generation_appeared_is_kept_only_until_the_generation_settles(monkeypatch):
    """A commit by another process or host is seen a moment before every reader answers from it."""
    from web import searchcache

    clock = [100.0]
    monkeypatch.setattr(searchcache.time, "monotonic", lambda: clock[0])
    cache, computed = searchcache.SearchCache(ttl=60), []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert cache.get(("g2", "q"), compute, "g2") == 1  # g2 first seen now: the answer may predate it
    clock[0] += searchcache.SETTLE - 0.1
    assert cache.get(("g2", "q"), compute, "g2") == 1
    clock[0] += 0.2
    assert cache.get(("g2", "q"), compute, "g2") == 2  # made again once g2 settled ...
    clock[0] += 59
    assert cache.get(("g2", "q"), compute, "g2") == 2  # ... and then kept its whole time


def test_cached_answers_are_kept_to_their_number_the_least_recently_used_out_first():
    from web.searchcache import SearchCache

    cache = SearchCache(size=2)
    for key in ("a", "b", "a", "c"):  # "a" used again after "b": "b" is the one dropped for "c"
        cache.get(key, key.upper)
    assert [cache.get(key, lambda: "again") for key in ("a", "c", "b")] == ["A", "C", "again"]


def test_counts_follow_the_index_at_once_when_a_harvest_adds_documents(settings, store):
    from catalog.search.documents import SourceInfo, documents

    app = create_app(settings)
    client = app.test_client()
    assert "0 variabler" in page(client, "/search")
    app.extensions["search"].upsert(documents(mfr_dataset(), SourceInfo("mfr", "MFR", "central-registry")))
    html = page(client, "/search")
    assert "4 variabler" in html and re.search(r'>mfr</a> <span class="count">4</span>', html)


def test_a_repeated_search_shows_a_label_changed_in_place_at_once(settings, store):
    from catalog.search.documents import SourceInfo, documents

    app = create_app(settings)
    client, search = app.test_client(), app.extensions["search"]
    docs = list(documents(mfr_dataset(), SourceInfo("mfr", "MFR", "central-registry")))
    search.upsert(docs)
    assert "Fødselsvekt" in page(client, "/search?q=vekt") and "Nyfødtvekt" not in page(client, "/search?q=vekt")
    cache = app.extensions["hits_cache"]
    assert (cache.hits, cache.misses) == (1, 1)  # the second visit was answered from the cache
    search.upsert(
        [{**d, "label": "Nyfødtvekt", "labels": {"nb": "Nyfødtvekt"}} if d.get("name") == "VEKT" else d for d in docs]
    )
    html = page(client, "/search?q=vekt")
    assert "Nyfødtvekt" in html and (cache.hits, cache.misses) == (1, 2)


def test_a_codes_wider_search_is_counted_once_while_the_index_stands(settings, store):
    """The page for C50.9 offers C50, which more variables hold; seen again (back, another sort),
    it is answered from the caches, the wider search's count too. (I21.0 offered I21 here until
    the code it falls under was searched in its classification: only a keyword says I21 beside
    the two ICD-10 lists that hold I21.0.)"""
    from catalog.search import SearchQuery, SearchResult
    from tests.search_fixtures import corpus

    app = create_app(settings)
    client, backend = app.test_client(), app.extensions["search"]
    backend.upsert(corpus())
    searched: list[str] = []
    search = backend.search

    def counted(q: SearchQuery) -> SearchResult:
        searched.append(q.text)
        return search(q)

    backend.search = counted
    assert "/search?q=C50" in page(client, "/search?q=C50.9")
    assert searched == ["C50.9", "C50"]  # the page with its counts, then the wider code's count
    page(client, "/search?q=C50.9")
    assert searched == ["C50.9", "C50"]


def test_the_code_a_code_falls_under_is_offered_in_the_classification_that_holds_it(settings, store):
    """ "N06A" (ATC, antidepressants) offered "Søk etter N06: 32 variabler" on the demo, a search
    mixing ATC's N06 with ICD-10's N06 (isolated proteinuria): now "ATC N06". A site of ICD-O-3's
    topography falls under ICD-10's category of it as well: "C50.9" still offers "C50"."""
    from catalog.model import CodeList, Concept
    from catalog.search.documents import SourceInfo, complete, documents
    from tests.search_fixtures import Registry, corpus, registry_dataset

    lists = [
        CodeList(
            uri="urn:atc-a",
            identifier="atc-a",
            title={"nb": "ATC"},
            concepts=[Concept("N06A", {"nb": "Antidepressiva"})],
        ),
        CodeList(
            uri="urn:atc-b",
            identifier="atc-b",
            title={"nb": "ATC"},
            concepts=[Concept("N06BA", {"nb": "Sentralstimulerende"})],
        ),
        CodeList(
            uri="urn:icd-c",
            identifier="icd-c",
            title={"nb": "ICD-10"},
            concepts=[Concept("N06", {"nb": "Isolert proteinuri"})],
        ),
    ]
    coded = [
        (name, name.title(), name.title(), "", "string", {"coding_system": system, "codelist": uri})
        for name, system, uri in (
            ("ANTIDEP", "ATC", "urn:atc-a"),
            ("STIM", "ATC", "urn:atc-b"),
            ("NYRE", "ICD-10", "urn:icd-c"),
        )
    ]
    r = Registry(
        "lm", "central-registry", "Legemidler og nyrer", "FHI", "PHDR", "2004-01-01", None, "NON_PUBLIC", coded
    )
    docs = [*corpus(), *documents(registry_dataset(r), SourceInfo("lm", r.title, r.kind))]
    docs += [d for cl in lists for d in documents(cl, SourceInfo("kodeverk", "Kodeverk", "catalogue"))]
    held = {d["key"]: d["coded"] for d in docs if d["type"] == "codelist"}
    app = create_app(settings)
    client = app.test_client()
    app.extensions["search"].upsert(list(complete(docs, held.get)))
    wider = client.get("/api/search?q=N06A").json["wider_code"]
    assert wider == {"code": "N06A", "broader": "ATC N06", "total": 2}
    assert sorted(h["name"] for h in client.get("/api/search?q=ATC+N06").json["hits"]) == ["ANTIDEP", "STIM"]
    assert "/search?q=ATC+N06" in page(client, "/search?q=N06A")
    assert client.get("/api/search?q=C50.9").json["wider_code"]["broader"] == "C50"


# --- charts -------------------------------------------------------------------------------------


def test_chart_texts_are_escaped_and_described():
    from web import charts

    svg = charts.timeline(
        '<script>x</script>"',
        [charts.Period("<b>V</b>", 1998, None)],
        [charts.Event(2021.5, "changed <i>")],
        now=2026,
        events_label="Endringer",
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg and "<i>" not in svg
    wide, narrow = svg.split('<svg class="chart narrow"')
    for layout in (wide, narrow):
        desc = re.search(r"<desc[^>]*>(.*)</desc>", layout).group(1)
        assert desc == "&lt;b&gt;V&lt;/b&gt;: 1998–; changed &lt;i&gt;"
    assert re.findall(r'text-anchor="middle" fill="#444">(\d+)<', wide) == [
        "1995",
        "2000",
        "2005",
        "2010",
        "2015",
        "2020",
        "2025",
        "2030",
    ]


def test_chart_labels_that_share_their_start_keep_what_tells_them_apart():
    """Three rows of one chart all read "Norsk hjerteinfarktregister…": a long label was cut at
    its end, where the wave or year that tells rows apart is; and a label of 28 wide letters ran
    past the chart's left edge."""
    from web import charts

    labels = [f"Norsk hjerteinfarktregister – {kind}" for kind in ("opphold", "oppfølging", "dødsfall")]
    svg = charts.timeline("t", [charts.Period(label, 2012, None) for label in labels], [], now=2026)
    shown = re.findall(r'text-anchor="end" fill="#1a1a1a">([^<]*)<', svg)
    assert len(set(shown)) == 3 and all(len(text) <= charts.LABEL_CHARS for text in shown)
    assert all(text.startswith("Norsk") for text in shown) and shown[0].endswith("opphold")
    assert charts.timeline("t", [charts.Period("Kort", 2012, None)], [], now=2026).count(">Kort<") == 2  # a layout each


def test_a_chart_shows_a_registrys_dataset_title_whole():
    """ "Aborter etter 12. svangerskapsuke" read "Aborter ette…ngerskapsuke" in its row."""
    from web import charts

    svg = charts.timeline("t", [charts.Period("Aborter etter 12. svangerskapsuke", 1979, 1986)], [], now=2026)
    assert ">Aborter etter 12. svangerskapsuke<" in svg


def test_a_chart_has_a_phones_layout_with_each_value_by_its_label_and_bars_the_whole_width():
    """On a 375 px phone the bars chart, 730 px wide at least, scrolled in its box: its label column
    filled the screen, every bar was cut at the same edge and the values were past it, so that all
    looked equally full (the researcher's drill). The phone's layout puts each label over its bar,
    its value at the line's end, in a chart 360 px wide; the wide one is as it was."""
    from web import charts

    items = [charts.Bar("Dekning", 100.0), charts.Bar("Tilgang og utlevering", 66.6, note="(2/3)")]
    svg = charts.bars("Etikett", items, 100, " %", number=str)
    wide, narrow = svg.split('<svg class="chart narrow"')
    assert wide.startswith('<svg class="chart wide"') and 'viewBox="0 0 820 ' in wide
    assert f'viewBox="0 0 {charts.NARROW} ' in narrow and "<title" in narrow and "<desc" in narrow
    values = re.findall(r'<text x="360" [^>]*text-anchor="end"[^>]*>([^<]*)<', narrow)
    assert values == ["100.0 %", "66.6 % (2/3)"]
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)" height="14" fill="#0b5cad"', narrow)]
    assert widths == [360.0, 239.8]  # each bar its share of the whole width
    timeline = charts.timeline("t", [charts.Period("Kort", 2012, None)], [], now=2026)
    assert 'class="chart narrow"' in timeline and f'viewBox="0 0 {charts.NARROW} ' in timeline


def test_a_timeline_without_any_dates_is_left_out():
    from web import charts

    assert charts.timeline("t", [charts.Period("v", None, None)], [], now=2026) is None


def test_the_api_has_the_comparison_topics_equivalents_and_access_route(client):
    body = client.get(f"/api/compare?ids={VEKT},{NPR_VEKT}").json
    rows = {row["name"]: row for row in body["rows"]}
    assert body["ids"] == [VEKT, NPR_VEKT] and rows["Etikett"]["same"] and not rows["Kilde"]["same"]
    topics = {t["id"]: t for t in client.get("/api/topics?lang=en").json["topics"]}
    assert topics["pregnancy-birth"]["name"] == "Pregnancy and birth" and topics["pregnancy-birth"]["variables"] == 5
    variable = client.get(f"/api/variables/{VEKT}").json
    assert [h["id"] for h in variable["equivalents"]["other_sources"]] == [NPR_VEKT]
    assert variable["access_route"]["id"] == "helsedataservice" and variable["topics"] == ["pregnancy-birth", "body"]


def test_a_records_page_says_when_its_sources_last_harvest_failed(settings, store, server):
    """The README said a failing source's records are "shown as stale"; their pages said nothing."""
    from dataclasses import replace as changed

    from catalog.model import key_for
    from catalog.pipeline import harvest
    from tests.factories import apgar_codes, mfr_and_a_gone_source, mfr_dataset

    mfr_and_a_gone_source(settings.home, server)
    settings.reload_sources()
    [done] = harvest(settings, store, None, ["mfr"], workers=1)
    assert done.ok
    client = create_app(settings).test_client()
    dataset, variable = key_for(mfr_dataset().uri), key_for(mfr_dataset().variables[0].uri)
    said = "Siste innhøsting fra kilden feilet"
    assert said not in client.get(f"/datasets/{dataset}").get_data(as_text=True)
    settings.sources["mfr"] = changed(settings.sources["mfr"], url=server.url + "/gone")
    [failed] = harvest(settings, store, None, ["mfr"], workers=1)
    assert not failed.ok
    for path in (f"/datasets/{dataset}", f"/variables/{variable}", f"/codelists/{key_for(apgar_codes().uri)}"):
        assert said in client.get(path).get_data(as_text=True), path
    english = client.get(f"/datasets/{dataset}?lang=en").get_data(as_text=True)
    assert "The last harvest of its source failed" in english


def test_a_sources_page_says_at_its_top_when_its_last_harvest_failed_and_which_harvest_it_still_shows(
    settings, store, server
):
    """A registry's metadata person found nothing above the fold of a failing source's page: the
    failure was only in the closed "For publishers" section, while its datasets' pages said it."""
    from dataclasses import replace as changed

    from catalog.pipeline import harvest
    from tests.factories import mfr_and_a_gone_source
    from web.i18n import moment

    mfr_and_a_gone_source(settings.home, server)
    settings.reload_sources()
    [good] = harvest(settings, store, None, ["mfr"], workers=1)
    app = create_app(settings)
    client = app.test_client()
    assert 'id="harvest-failed"' not in client.get("/sources/mfr").get_data(as_text=True)
    settings.sources["mfr"] = changed(settings.sources["mfr"], url=server.url + "/gone")
    [bad, never] = harvest(settings, store, None, ["mfr", "npr"], workers=1)
    assert good.ok and not bad.ok and not never.ok
    [failed_run, good_run] = store.runs("mfr", 2)

    def said(name: str, lang: str) -> tuple[str, str]:
        """The page's note of the failure, its words as one line, and the page."""
        html = client.get(f"/sources/{name}?lang={lang}").get_data(as_text=True)
        note = re.search(r'<p class="status warn" id="harvest-failed">(.*?)</p>', html, re.S)
        assert note, f"no note of the failure on /sources/{name}?lang={lang}"
        assert note.start() < html.index('id="h-about"') < html.index("<details"), "the note is not at the top"
        return " ".join(re.sub(r"<[^>]+>", " ", note.group(1)).split()), html

    expected = {
        "nb": "Siste innhøsting fra kilden feilet ({failed}). Katalogen viser fortsatt det kilden hadde ved siste "
        "vellykkede innhøsting ({good}). Feilen står under «For utgivere» nedenfor.",
        "nn": "Siste innhausting frå kjelda feila ({failed}). Katalogen viser framleis det kjelda hadde ved siste "
        "vellukka innhausting ({good}). Feilen står under «For utgivarar» nedanfor.",
        "en": "The last harvest of this source failed ({failed}). The catalogue still shows what the source held "
        "at its last successful harvest ({good}). The error is under “For publishers” below.",
    }
    for lang, sentence in expected.items():
        with app.test_request_context(f"/?lang={lang}"):
            when = {"failed": moment(failed_run.finished), "good": moment(good_run.finished)}
        text, html = said("mfr", lang)
        assert text == sentence.format(**when), lang
        assert '<a href="#h-errors">' in html and 'id="h-errors"' in html
    with app.test_request_context("/?lang=en"):
        failed = moment(store.runs("npr", 1)[0].finished)
    assert said("npr", "en")[0] == (
        f"The last harvest of this source failed ({failed}), and none has succeeded yet: the catalogue holds "
        "nothing from it. The error is under “For publishers” below."
    )


@pytest.mark.parametrize(
    ("iri", "shown"),
    [
        ("http://www.w3.org/ns/dcat#startDate", "dcat:startDate"),  # was "dcat#startDate"
        ("http://healthdataportal.eu/ns/health#hasCodingSystem", "healthdcatap:hasCodingSystem"),
        ("http://purl.org/dc/terms/title", "dct:title"),
        ("http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL", "STATISTICAL"),
        ("https://example.org/vocabulary#term", "term"),
    ],
)
def test_a_findings_property_is_named_as_people_read_it(iri, shown):
    """The findings' "Field" column named properties "dcat#startDate" and "health#hasCodingSystem"
    (a registry's drill): split on "/" alone."""
    from web.display import last_segment

    assert last_segment(iri) == shown


def test_a_record_that_left_the_catalogue_says_when_with_410(settings, store, server):
    """A researcher following a link from an application or a feed to a dataset its source no
    longer lists met "Not found", as for a mistyped address."""
    from catalog.model import key_for
    from catalog.pipeline import harvest
    from tests.factories import apgar_codes, mfr_and_a_gone_source, mfr_dataset
    from tests.test_pipeline import publish

    mfr_and_a_gone_source(settings.home, server)
    settings.reload_sources()
    assert harvest(settings, store, None, ["mfr"], workers=1)[0].ok
    url = publish(server, [apgar_codes()], path="/mfr.ttl")  # the dataset is no longer listed
    assert url == settings.sources["mfr"].url
    [done] = harvest(settings, store, None, ["mfr"], workers=1)
    assert done.counts["deleted"] == 1
    client = create_app(settings).test_client()
    dataset, variable = mfr_dataset(), mfr_dataset().variables[0]
    page = client.get(f"/datasets/{key_for(dataset.uri)}")
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "Fjernet fra katalogen" in text and f"«{dataset.title['nb']}»" not in text
    assert f"“{dataset.title['nb']}” forlot katalogen" in text and f'value="{dataset.title["nb"]}"' in text
    gone = client.get(f"/variables/{key_for(variable.uri)}?lang=en")
    assert gone.status_code == 410 and f"“{variable.title['en']}” left the catalogue on" in gone.get_data(as_text=True)
    api = client.get(f"/api/variables/{key_for(variable.uri)}")
    assert api.status_code == 410 and api.get_json()["detail"].startswith(variable.uri)
    assert client.get("/datasets/0000000000000000").status_code == 404


def test_the_platforms_facet_names_each_platform_in_the_pages_language(nation):
    """An English page listed "TSD – Tjenester for sensitive data" among the filters, beside a
    variable page's "TSD – Services for sensitive data"."""
    html = nation.get("/search?q=&lang=en").get_data(as_text=True)
    facet = html.split('id="facet-platform"')[1].split("</section>")[0]
    assert "TSD – Services for sensitive data" in facet and "Tjenester for sensitive data" not in facet
    norsk = nation.get("/search?q=&lang=nb").get_data(as_text=True).split('id="facet-platform"')[1]
    assert "TSD – Tjenester for sensitive data" in norsk.split("</section>")[0]


def test_the_marketplace_says_a_price_once_and_marks_text_in_another_language(nation):
    """An English page said "Cost recovery · Cost recovery." and gave Norwegian descriptions and
    prices unmarked (a researcher's drill)."""
    html = nation.get("/marketplace?lang=en").get_data(as_text=True)
    assert "Cost recovery</span> · Cost recovery" not in html
    descriptions = re.findall(r'<p class="desc">(.*?)</p>', html, re.S)
    assert descriptions and all(d.startswith("<span lang=") or d.isascii() for d in descriptions)


def test_the_copy_a_button_is_for_is_quoted_without_a_language_note(nation):
    """ "The button is for “Spørreskjema 8 år (Norwegian)”": the note that a title is Norwegian
    for want of English went inside the quotation, as if part of the title. The row's dataset
    line notes it; the sentence quotes the title alone."""
    rows = nation.get("/api/search?q=fødselsår&grouped=1&limit=50").json["hits"]
    row = next(
        r for r in rows if r["group_size"] > 1 and not any("en" in (m["dataset_titles"] or {}) for m in r["members"])
    )
    chosen = min(row["members"], key=lambda m: m["period_start"])
    title = next(iter((chosen["dataset_titles"] or {}).values()), None) or chosen["dataset_title"]
    html = page(nation, "/search?q=fødselsår&lang=en&limit=50")
    said = html.split(f'<code class="name">{row["name"]}</code>')[1].split("</div>")[0]
    assert f'The button is for “<span lang="nb">{title}</span>”' in said


@pytest.mark.parametrize("typed", ["C50", "brystkreft"])
def test_a_row_of_copies_adds_the_copy_in_the_dataset_the_search_names(nation, typed):
    """ "C50": the cancer registry's ICD-10 group, in six of its datasets, put the copy of
    "Lungekreft" in the basket (the dataset covering the row's span), where "Brystkreft" is the
    one asked for: a code's name, or a word of the search, in some copies' dataset titles chooses
    among those."""
    [row] = [r for r in nation.get(f"/api/search?q={typed}&grouped=1").json["hits"] if r["name"] == "ICD10"]
    [breast] = [m for m in row["members"] if m["dataset_title"] == "Brystkreft"]
    assert len(row["members"]) > 1 and min(m["period_start"] for m in row["members"]) < breast["period_start"]
    html = page(nation, f"/search?q={typed}&lang=nb")
    head = html.split('<code class="name">ICD10</code>')[1].split("</div>")[0]
    assert f'name="key" value="{breast["key"]}"' in head
    assert "Knappen gjelder «Brystkreft»" in head


def test_an_organisations_name_is_not_noted_as_norwegian_on_english_pages(nation):
    """ "Publisher: Folkehelseinstituttet (Norwegian)": a name is the organisation's, not a text
    awaiting translation; the note is for what a record describes in Norwegian only."""
    key = nation.get("/api/search?q=moba&type=dataset&limit=1").json["hits"][0]["id"]
    html = page(nation, f"/datasets/{key}?lang=en")
    publisher = html.split("<dt>Publisher</dt><dd>")[1].split("</dd>")[0]
    assert '<span lang="nb">Folkehelseinstituttet</span>' in publisher and "lang-note" not in publisher
    contact = html.split("<dt>Contact point</dt><dd>")[1].split("</dd>")[0]
    assert "lang-note" not in contact
    assert "lang-note" in html.split("<dt>Population</dt>")[1].split("</dd>")[0]  # a text still is


def test_a_findings_table_names_the_field_of_the_sources_own_format(settings):
    """A CKAN registry's dataset page told it "Add dct:description" in its findings table while its
    EHDS readiness said "notes": the findings are told as the gaps are (`readiness.format_hint`)."""
    from catalog.config import SourceConfig
    from catalog.model import content_hash
    from catalog.store import SQLiteStore
    from catalog.validation import validate_record

    settings.sources["registry"] = SourceConfig("registry", "ckan", "https://ckan.example.org", "catalogue")
    settings.sources["feed"] = SourceConfig("feed", "dcat", "https://data.example.org/catalog.ttl", "catalogue")
    store = SQLiteStore(settings.db_path)
    keys = {}
    for source in ("registry", "feed"):
        d = mfr_dataset(uri=f"{BASE}/{source}/fodsler", description={})
        report = validate_record(d)
        run = store.start_run(source)
        store.put(source, run, d, content_hash(d), None, report.conforms, report.to_dict())
        store.finish_run(run, "ok", {})
        keys[source] = vkey(d.uri)
    store.close()
    client = create_app(settings).test_client()

    def findings(source: str, lang: str) -> str:
        html = page(client, f"/datasets/{keys[source]}?lang={lang}")
        return html.split('class="findings"')[1].split("</table>")[0]

    for lang, said in (
        ("en", "Write a description of the dataset in the package&#39;s notes (ckanext-scheming: notes_translated)"),
        ("nb", "Skriv en beskrivelse av datasettet i pakkens notes (ckanext-scheming: notes_translated)"),
        ("nn", "Skriv ei skildring av datasettet i notes for pakken (ckanext-scheming: notes_translated)"),
    ):
        hints = re.findall(r"<small>(.*?)</small>", findings("registry", lang))  # the Field column keeps the path
        assert said in hints and not [h for h in hints if "dct:description" in h], lang
    assert "Add dct:description" in findings("feed", "en")  # a DCAT feed writes dct:description
    gaps = page(client, f"/datasets/{keys['registry']}?lang=en").split('class="gaps publisher"')[1]
    assert "in the package&#39;s notes" in gaps.split("</ul>")[0]  # the gap says the same


def test_a_source_pages_most_frequent_findings_say_how_to_fix_them_in_its_own_format(settings):
    """A registry reading its source page saw its most frequent findings as "description: Brudd" and
    "–: Advarsel" in a chart above a table of the same counts without fix hints, while each dataset
    page told the same findings with hints in the registry's own format: the source page tells them
    as its datasets do, in the table alone."""
    from catalog.config import SourceConfig
    from catalog.model import content_hash
    from catalog.store import SQLiteStore
    from catalog.validation import validate_record

    settings.sources["registry"] = SourceConfig("registry", "ckan", "https://ckan.example.org", "catalogue")
    settings.sources["feed"] = SourceConfig("feed", "dcat", "https://data.example.org/catalog.ttl", "catalogue")
    store = SQLiteStore(settings.db_path)
    for source in ("registry", "feed"):
        run = store.start_run(source)
        for name in ("fodsler", "dodsfall"):
            d = mfr_dataset(uri=f"{BASE}/{source}/{name}", description={})
            report = validate_record(d)
            store.put(source, run, d, content_hash(d), None, report.conforms, report.to_dict())
        store.finish_run(run, "ok", {})
    store.close()
    client = create_app(settings).test_client()

    def quality(source: str, lang: str) -> str:
        return page(client, f"/sources/{source}?lang={lang}").split('id="h-quality"')[1]

    for lang, said in (
        ("en", "Write a description of the dataset in the package&#39;s notes (ckanext-scheming: notes_translated)"),
        ("nb", "Skriv en beskrivelse av datasettet i pakkens notes (ckanext-scheming: notes_translated)"),
        ("nn", "Skriv ei skildring av datasettet i notes for pakken (ckanext-scheming: notes_translated)"),
    ):
        table = quality("registry", lang).split('class="findings"')[1].split("</table>")[0]
        hints = re.findall(r"<small>(.*?)</small>", table)
        assert said in hints and not [h for h in hints if "dct:description" in h], lang
    assert "Add dct:description" in quality("feed", "en")  # a DCAT feed writes dct:description
    said = client.get("/api/sources/registry").json["findings"]
    assert any("in the package's notes (ckanext-scheming: notes_translated)" in f["hint"] for f in said), said
    told = quality("registry", "en")
    assert "<h4>Most frequent validation findings</h4>" in told
    labels = re.findall(r'text-anchor="end" fill="#1a1a1a">([^<]*)</text>', told)
    assert not [label for label in labels if ":" in label], labels  # no chart of "description: Violation"


@pytest.mark.parametrize(
    "typed", ["fødselsvekt metformin", "fødsel metformin", "fødsel", "diabetes fødsel", "vekt register", "diabtes"]
)
def test_each_tab_counts_what_it_opens_whichever_tab_is_open(client, typed):
    """Words without a common hit in one tab are searched as any of them there, and the other tabs
    were counted the way the open tab had searched: "smoking pregnancy" opened on its datasets
    listed 13 with either word, and its tabs said "Variables 180" (either word) and opened the 9
    with both. A tab's count is what a click on it shows, or 0 where its page finds nothing as
    typed and says what it shows instead (some of the words, or the words with a typo mended)."""

    def total(html: str) -> str:
        heading = re.search(r'id="results-heading"[^>]*>\s*([\d\s\xa0]+)', html)
        return re.sub(r"\D", "", heading.group(1)) if heading else "0"

    seen, wrong = 0, {}
    for opened in ("variable", "dataset", "codelist"):
        html = page(client, "/search", query_string={"q": typed, "type": opened})
        for title, (url, count) in tabs(html).items():
            count, shown = re.sub(r"\D", "", count), total(page(client, url))
            said = client.get(url.replace("/search", "/api/search", 1)).json
            seen += 1
            if count != shown and not (
                count == "0" and (said["any_words"] or said["typo_edits"] or said["split_words"])
            ):
                wrong[(opened, title)] = (count, shown)
    assert seen == 9 and not wrong, wrong


@pytest.mark.parametrize(
    ("url", "lang", "named", "button"),
    [
        ("https://sikt.no/", "en", f'<a href="https://sikt.no/" rel="noopener">Sikt &amp; co</a> {NOTE}', f" {NOTE}"),
        ("https://sikt.no/", "nb", '<a href="https://sikt.no/" rel="noopener">Sikt &amp; kompani</a>', ""),
        ("", "en", "Sikt &amp; co", None),  # no one place to apply: the name, and no button
        ("javascript:alert(1)", "en", "Sikt &amp; co", None),
    ],
)
def test_a_routes_link_is_its_name_or_a_button_noted_where_its_page_is_norwegian(web_app, url, lang, named, button):
    """The dataset, variable, basket and source pages link an access route through one macro
    (`route_link`): its name as a link, or a button's own words; " (Norwegian)" on an English page
    when the route has no English page; the name as text, or no button, without a safe link."""
    from catalog.access import Route

    route = Route("r", {"nb": "Sikt & kompani", "nn": "Sikt & kompani", "en": "Sikt & co"}, "Sikt", url, "", {})
    with web_app.test_request_context(f"/?lang={lang}"):
        macros = web_app.jinja_env.get_template("_macros.html").module
        assert str(macros.route_link(route)) == named
        go = str(macros.route_link(route, "Go to Sikt", button=True))
        assert go == (
            f'<a class="button" href="{url}" rel="noopener">Go to Sikt</a>{button}' if button is not None else ""
        )


def test_an_english_variable_page_names_the_source_of_its_other_waves_in_norwegian_to_a_screen_reader(nation):
    """The caption "Other waves and datasets of Medisinsk fødselsregister" was English all through to a
    screen reader, where the source's name is Norwegian as on every other page (WCAG 3.1.2)."""
    found = nation.get("/api/search?q=LOPENR&source=mfr&limit=1").get_json()["hits"][0]
    html = page(nation, f"/variables/{found['id']}?lang=en")
    assert '<caption>Other waves and datasets of <span lang="nb">Medisinsk fødselsregister</span> (' in html
    bokmaal = page(nation, f"/variables/{found['id']}?lang=nb")
    assert "<caption>Andre bølger og datasett i Medisinsk fødselsregister (" in bokmaal


def test_every_link_to_a_source_by_its_name_marks_the_name_norwegian_on_an_english_page(client, web_app):
    """A variable's provenance, the EHDS pages' tables and a fix list's items named the source by
    its Norwegian title, marked as English to a screen reader, where the explorer's pages mark it
    (WCAG 3.1.2): every link to a source by its name says the name is bokmål."""
    from markupsafe import escape

    titles = {name: source.title for name, source in web_app.config["SETTINGS"].sources.items() if source.title}
    ehds = page(client, "/ehds/?lang=en")
    fix_lists = sorted(set(re.findall(r'href="(/ehds/publishers/[^"?]+)"', ehds)))
    for pages in ([f"/variables/{DIAG}"], [f"/datasets/{NPR_DS}"], ["/ehds/"], ["/ehds/labels"], fix_lists):
        named = []
        for url in pages:
            links = re.findall(r'<a href="/sources/([\w-]+)">(.*?)</a>', page(client, f"{url}?lang=en"))
            named += [(url, n, inner) for n, inner in links if re.sub(r"<[^>]+>", "", inner) == titles.get(n)]
        assert named, pages  # each kind of page names a source somewhere
        for url, name, inner in named:
            assert inner == f'<span lang="nb">{escape(titles[name])}</span>', (url, inner)


@pytest.mark.parametrize("lang", ["en", "nn"])
def test_a_filters_chip_marks_a_sources_name_bokmal_as_the_filter_it_was_chosen_from_does(nation, lang):
    """The filters marked "Medisinsk fødselsregister" lang="nb", but its chip on the same page said
    "Source: Medisinsk fødselsregister" all in the page's language to a screen reader (WCAG 3.1.2),
    as did the chips set aside on the datasets' tab and an empty page's "hits without" links."""
    html = page(nation, f"/search?q=vekt&source=mfr&lang={lang}")
    chips = html.split('class="chips"')[1].split("</div>")[0]
    assert '<span lang="nb">Medisinsk fødselsregister</span> <span aria-hidden="true">×</span>' in chips
    aside = page(nation, f"/search?q=vekt&source=mfr&datatype=decimal&type=dataset&lang={lang}")
    assert "chip aside" in aside and aside.count('<span lang="nb">Medisinsk fødselsregister</span> <span aria') == 1
    empty = page(nation, f"/search?q=fødselsvekt&source=hunt&source=tromso&lang={lang}")
    loosen = empty.split('<p class="loosen">')[1].split("</p>")[0]
    hunt, tromso = (
        '<span lang="nb">Helseundersøkelsen i Trøndelag (HUNT)</span>',
        '<span lang="nb">Tromsøundersøkelsen</span>',
    )
    assert f"{hunt} / {tromso}" in loosen, loosen
    bokmaal = page(nation, "/search?q=vekt&source=mfr&lang=nb")
    assert ">Kilde: Medisinsk fødselsregister <span aria-hidden" in bokmaal  # its own language: unmarked
