"""Statistics Norway: KLASS (HAL paging, JSON/XML/CSV), vardef and microdata.no metadata."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
import requests
from lxml import etree

from simulator import Simulator

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(seed=0) as s:
        yield s


def klass_all(url: str, size: int, **params: str) -> list[dict]:
    out, link = [], f"{url}/classifications"
    query: dict[str, str | int] = {"size": size, "includeCodelists": "true", **params}
    while link:
        body = requests.get(link, params=query, headers=JSON, timeout=10).json()
        query = {}
        out += body.get("_embedded", {}).get("classifications", [])
        link = body["_links"].get("next", {}).get("href")
    return out


def test_klass_pages_follow_hal_next_links_to_every_classification(sim: Simulator) -> None:
    truth = sim.manifest()["ssb-klass"]
    got = klass_all(truth["url"], 3)
    assert sorted(str(c["id"]) for c in got) == sorted(truth["codelists"])
    assert {c["classificationType"] for c in got} == {"Klassifikasjon", "Kodeliste"}


def test_code_lists_are_hidden_unless_asked_for(sim: Simulator) -> None:
    body = requests.get(
        f"{sim.url}/api/klass/v1/classifications", params={"size": 100}, headers=JSON, timeout=10
    ).json()
    assert {c["classificationType"] for c in body["_embedded"]["classifications"]} == {"Klassifikasjon"}
    assert body["page"] == {"size": 100, "totalElements": 5, "totalPages": 1, "number": 0}


def test_klass_answers_xml_by_default(sim: Simulator) -> None:
    r = requests.get(f"{sim.url}/api/klass/v1/classifications/131", timeout=10)
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(r.content)
    assert (root.tag, root.findtext("name"), root.findtext("id")) == (
        "classification",
        "Standard for kommuneinndeling",
        "131",
    )


def test_codes_of_a_classification_match_the_manifest(sim: Simulator) -> None:
    truth = sim.manifest()["ssb-klass"]["codelists"]["131"]["codes"]
    body = requests.get(
        f"{sim.url}/api/klass/v1/classifications/131/codes", params={"from": "2024-01-01"}, headers=JSON, timeout=10
    ).json()
    assert [c["code"] for c in body["codes"]] == truth
    assert body["codes"][0] == {
        "code": "0301",
        "parentCode": None,
        "level": "1",
        "name": "Oslo",
        "shortName": "",
        "presentationName": "",
        "validFrom": None,
        "validTo": None,
        "notes": "",
    }
    r = requests.get(
        f"{sim.url}/api/klass/v1/classifications/131/codes",
        params={"from": "2024-01-01"},
        headers={"Accept": "text/csv"},
        timeout=10,
    )
    assert r.headers["Content-Type"] == "text/csv; charset=iso-8859-1"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("iso-8859-1"))))
    assert [row["code"] for row in rows] == truth
    assert next(row["name"] for row in rows if row["code"] == "5503") == "Harstad - Hárstták"


def test_klass_errors_are_problem_details(sim: Simulator) -> None:
    r = requests.get(f"{sim.url}/api/klass/v1/classifications/99999", headers=JSON, timeout=10)
    assert r.status_code == 404
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Classification not found with id = 99999",
        "instance": "/api/klass/v1/classifications/99999",
    }
    assert (
        requests.get(f"{sim.url}/api/klass/v1/classifications/131/codes", headers=JSON, timeout=10).status_code == 400
    )


def test_changed_since_lists_only_later_changes() -> None:
    with Simulator(seed=0, generation=1) as s:
        url = s.manifest()["ssb-klass"]["url"]
        changed = klass_all(url, 50, changedSince="2025-01-01T00:00:00.000+0000")
        assert len(changed) == 1 and changed[0]["lastModified"] == "2025-03-01T08:00:00.000+0000"


def test_vardef_is_a_plain_array_in_the_asked_language(sim: Simulator) -> None:
    truth = sim.manifest()["ssb-vardef"]["datasets"]
    nb = requests.get(f"{sim.url}/public/variable-definitions", timeout=10).json()
    en = requests.get(f"{sim.url}/public/variable-definitions", headers={"Accept-Language": "en"}, timeout=10).json()
    assert isinstance(nb, list) and {d["id"] for d in nb} == set(truth)
    assert [d["short_name"] for d in nb] == [truth[d["id"]]["variables"][0] for d in nb]
    assert nb[0]["name"] == "Fødselsvekt" and en[0]["name"] == "Birth weight"
    one = requests.get(f"{sim.url}/public/variable-definitions/{nb[0]['id']}", timeout=10).json()
    assert one == nb[0]


def test_microdata_all_lists_data_structures_with_epoch_day_coverage(sim: Simulator) -> None:
    truth = sim.manifest()["microdata"]["datasets"]
    store = requests.get(f"{sim.url}/metadata/data-store", timeout=10).json()
    version = store["versions"][0]["version"]
    assert version == "1.0.0.0"
    body = requests.get(f"{sim.url}/metadata/all", params={"version": version}, timeout=10).json()
    assert body["dataStore"]["name"] == "no.ssb.fdb"
    structures = {s["name"]: s for s in body["dataStructures"]}
    assert set(structures) == set(truth)
    kjonn = structures["BEFOLKNING_KJOENN"]
    assert kjonn["measureVariable"]["representedVariables"][0]["valueDomain"]["codeList"][:2] == [
        {"code": "1", "category": "Mann"},
        {"code": "2", "category": "Kvinne"},
    ]
    assert 7305 <= kjonn["temporalCoverage"]["start"] < kjonn["temporalCoverage"]["stop"] == 19722
    assert requests.get(f"{sim.url}/metadata/all", params={"version": "latest"}, timeout=10).status_code == 400


def test_microdata_cancer_diagnoses_are_neoplasms_only(sim: Simulator) -> None:
    """The Cancer Registry records tumours: its ICD-10 holds chapter II (C00-D48), not the whole
    classification, or a search for COPD or a hip fracture lists it among the registries of them."""
    store = requests.get(f"{sim.url}/metadata/data-store", timeout=10).json()
    version = store["versions"][0]["version"]
    body = requests.get(f"{sim.url}/metadata/all", params={"version": version}, timeout=10).json()
    structures = {s["name"]: s for s in body["dataStructures"]}
    domain = structures["KRG_ICD10"]["measureVariable"]["representedVariables"][0]["valueDomain"]
    codes = [c["code"] for c in domain["codeList"]]
    assert "C50" in codes and all("C00" <= c <= "D48" for c in codes)
