"""Health surveys over OAI-PMH: DDI-Codebook 2.5 and DDI-Lifecycle 3.2, paging, dates and deletions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from lxml import etree

from simulator import Simulator

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DDI = "{ddi:codebook:2_5}"
NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "c": "ddi:codebook:2_5",
    "l": "ddi:logicalproduct:3_2",
    "r": "ddi:reusable:3_2",
    "d": "ddi:datacollection:3_2",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(seed=0, generation=2) as s:
        yield s


def oai(url: str, **params: str) -> etree._Element:
    r = requests.get(url, params=params, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(r.content)


def harvest(url: str, verb: str, **params: str) -> list[etree._Element]:
    """Every record (or header) of a list, following resumption tokens."""
    items, tokens = [], []
    root = oai(url, verb=verb, **params)
    while True:
        assert root.find(f"{OAI}error") is None, etree.tostring(root)
        items += root.findall(f".//{OAI}record" if verb == "ListRecords" else f".//{OAI}{verb}/{OAI}header")
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return items
        tokens.append(token)
        root = oai(url, verb=verb, resumptionToken=token.text)


def test_list_records_pages_through_every_study_and_deletion(sim: Simulator) -> None:
    truth = sim.manifest()["hunt"]
    records = harvest(truth["url"], "ListRecords", metadataPrefix="oai_ddi25")
    live = {
        r.findtext(f"{OAI}header/{OAI}identifier"): r
        for r in records
        if r.find(f"{OAI}header").get("status") != "deleted"
    }
    deleted = [
        r.findtext(f"{OAI}header/{OAI}identifier") for r in records if r.find(f"{OAI}header").get("status") == "deleted"
    ]
    assert set(live) == set(truth["datasets"]) and sorted(deleted) == sorted(truth["deleted"]) != []
    for ident, record in live.items():
        book = record.find(f"{OAI}metadata/{DDI}codeBook")
        assert (
            book.findtext(f"{DDI}stdyDscr/{DDI}citation/{DDI}titlStmt/{DDI}titl")
            == truth["datasets"][ident]["title_nb"]
        )
        assert [v.get("name") for v in book.iterfind(f".//{DDI}var")] == truth["datasets"][ident]["variables"]


def test_resumption_tokens_count_the_list(sim: Simulator) -> None:
    url = sim.manifest()["moba"]["url"]
    first = oai(url, verb="ListRecords", metadataPrefix="oai_ddi25").find(f".//{OAI}resumptionToken")
    total = len(harvest(url, "ListIdentifiers", metadataPrefix="oai_ddi25"))
    assert (first.get("completeListSize"), first.get("cursor")) == (str(total), "0")
    second = oai(url, verb="ListRecords", resumptionToken=first.text).find(f".//{OAI}resumptionToken")
    assert second.get("cursor") == "5"


def test_survey_variables_carry_questions_and_categories(sim: Simulator) -> None:
    truth = sim.manifest()["tromso"]
    ident = next(iter(truth["datasets"]))
    root = oai(truth["url"], verb="GetRecord", identifier=ident, metadataPrefix="oai_ddi25")
    helse = next(
        v
        for v in root.iterfind(f".//{DDI}var")
        if v.find(f"{DDI}qstn") is not None and v.find(f"{DDI}catgry") is not None
    )
    assert helse.findtext(f"{DDI}labl")
    assert helse.findtext(f"{DDI}qstn/{DDI}qstnLit").endswith("?")
    categories = helse.findall(f"{DDI}catgry")
    assert categories and all(c.findtext(f"{DDI}catValu") and c.findtext(f"{DDI}labl") for c in categories)
    assert helse.find(f"{DDI}varFormat").get("type") == "numeric"


def test_from_until_select_by_datestamp(sim: Simulator) -> None:
    url = sim.manifest()["hunt"]["url"]
    headers = harvest(url, "ListIdentifiers", metadataPrefix="oai_ddi25")
    stamps = {h.findtext(f"{OAI}identifier"): h.findtext(f"{OAI}datestamp") for h in headers}
    since = "2025-03-01T00:00:00Z"
    later = harvest(url, "ListIdentifiers", metadataPrefix="oai_ddi25", **{"from": since})
    assert {h.findtext(f"{OAI}identifier") for h in later} == {k for k, v in stamps.items() if v >= since}
    until = harvest(url, "ListIdentifiers", metadataPrefix="oai_ddi25", until="2024-12-31")
    assert {h.findtext(f"{OAI}identifier") for h in until} == {k for k, v in stamps.items() if v < since}


def test_ddi_lifecycle_source_serves_variables_as_fragments(sim: Simulator) -> None:
    truth = sim.manifest()["sikt"]
    records = harvest(truth["url"], "ListRecords", metadataPrefix="oai_ddi32")
    live = [r for r in records if r.find(f"{OAI}header").get("status") != "deleted"]
    assert {r.findtext(f"{OAI}header/{OAI}identifier") for r in live} == set(truth["datasets"])
    for r in live:
        names = r.xpath(".//l:Variable/l:VariableName/r:String/text()", namespaces=NS)
        assert names == truth["datasets"][r.findtext(f"{OAI}header/{OAI}identifier")]["variables"]
        assert r.xpath(".//l:CodeList/l:Code/r:Value/text()", namespaces=NS)
        assert r.xpath(".//d:QuestionItem//d:Text/text()", namespaces=NS)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": "Dance"}, "badVerb"),
        ({}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_ddi32"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_ddi25", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_ddi25", "from": "2030-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "bogus!"}, "badResumptionToken"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_ddi25", "identifier": "oai:hunt.ntnu.no:HUNT9"},
            "idDoesNotExist",
        ),
    ],
)
def test_protocol_errors_use_oai_error_codes(sim: Simulator, params: dict, code: str) -> None:
    root = oai(sim.manifest()["hunt"]["url"], **params)
    assert root.find(f"{OAI}error").get("code") == code


def test_a_token_from_an_earlier_generation_has_expired() -> None:
    with Simulator(seed=0) as s:
        url = s.manifest()["moba"]["url"]
        token = oai(url, verb="ListRecords", metadataPrefix="oai_ddi25").find(f".//{OAI}resumptionToken").text
        s.generation = 1
        assert (
            oai(url, verb="ListRecords", resumptionToken=token).find(f"{OAI}error").get("code") == "badResumptionToken"
        )


def test_identify_and_formats_describe_the_repository(sim: Simulator) -> None:
    url = sim.manifest()["sikt"]["url"]
    ident = oai(url, verb="Identify")
    assert ident.findtext(f".//{OAI}baseURL") == url
    assert ident.findtext(f".//{OAI}deletedRecord") == "persistent"
    prefixes = oai(url, verb="ListMetadataFormats").xpath("//o:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "oai_ddi32"]
