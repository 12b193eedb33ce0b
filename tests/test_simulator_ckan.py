"""Quality registries over the CKAN action API, and variable lists as spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import ckanapi
import openpyxl
import pytest
import requests

from simulator import Simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(seed=3) as s:
        yield s


def page_through(ckan: ckanapi.RemoteCKAN, rows: int, **params: str) -> list[dict]:
    out, start = [], 0
    while True:
        result = ckan.action.package_search(rows=rows, start=start, **params)
        out += result["results"]
        start += rows
        if start >= result["count"]:
            return out


def test_ckanapi_pages_through_every_quality_registry_package(sim: Simulator) -> None:
    truth = sim.manifest()
    expected = {name for s in truth.values() if s["kind"] == "ckan" for name in s["datasets"]}
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan/") as ckan:
        got = page_through(ckan, 7, q="*:*", sort="metadata_modified asc")
    assert sorted(p["name"] for p in got) == sorted(expected)
    assert [p["metadata_modified"] for p in got] == sorted(p["metadata_modified"] for p in got)


def test_organization_filter_gives_exactly_that_registrys_packages(sim: Simulator) -> None:
    truth = sim.manifest()["hjerneslag"]
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan:
        got = page_through(ckan, 2, fq="organization:hjerneslag")
        assert "hjerneslag" in ckan.action.organization_list()
    assert {p["name"]: p["title"] for p in got} == {k: d["title_nb"] for k, d in truth["datasets"].items()}
    assert all(p["organization"]["name"] == "hjerneslag" for p in got)


def test_metadata_modified_range_filters_incrementally(sim: Simulator) -> None:
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan:
        everything = page_through(ckan, 100)
        cut = sorted(p["metadata_modified"] for p in everything)[len(everything) // 2]
        later = page_through(ckan, 100, fq=f"metadata_modified:[{cut}Z TO *]")
    assert {p["name"] for p in later} == {p["name"] for p in everything if p["metadata_modified"] >= cut}


@pytest.mark.parametrize("prefix", ["/ckan/api/action", "/ckan/api/3/action"])
def test_get_with_query_parameters_answers_in_the_ckan_envelope(sim: Simulator, prefix: str) -> None:
    body = requests.get(
        f"{sim.url}{prefix}/package_search", params={"rows": "1", "fq": "organization:hoftebrudd"}, timeout=10
    ).json()
    assert body["success"] is True
    assert body["help"] == f"{sim.url}/ckan/api/3/action/help_show?name=package_search"
    assert body["result"]["count"] == len(sim.manifest()["hoftebrudd"]["datasets"])
    assert len(body["result"]["results"]) == 1


def test_package_show_by_name_and_by_id_agree(sim: Simulator) -> None:
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan:
        (first,) = ckan.action.package_search(rows=1)["results"]
        assert ckan.action.package_show(id=first["name"]) == ckan.action.package_show(id=first["id"]) == first


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"rows": "many"}, 409, "Validation Error"),
        ({"rows": "5000"}, 409, "Validation Error"),
        ({"fq": "metadata_modified:[yesterday TO *]"}, 400, "Search Query Error"),
        ({"sort": "colour desc"}, 400, "Search Query Error"),
    ],
)
def test_bad_search_parameters_get_ckan_errors(sim: Simulator, params: dict, status: int, kind: str) -> None:
    r = requests.post(f"{sim.url}/ckan/api/3/action/package_search", json=params, timeout=10)
    assert r.status_code == status
    assert r.json()["success"] is False and r.json()["error"]["__type"] == kind


def test_unknown_package_and_action_are_ckan_errors(sim: Simulator) -> None:
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan, pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="finnes-ikke")
    r = requests.get(f"{sim.url}/ckan/api/3/action/package_explode", timeout=10)
    assert (
        r.status_code == 400 and r.json()["error"]["message"] == "Bad request - Action name not known: package_explode"
    )


def resources(sim: Simulator, registry: str) -> tuple[dict, dict[str, dict]]:
    with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan:
        pkg = ckan.action.package_search(fq=f"organization:{registry}", rows=1)["results"][0]
    return pkg, {r["format"]: r for r in pkg["resources"]}


def test_package_variable_lists_as_csv_and_xlsx_hold_the_manifest_variables(sim: Simulator) -> None:
    config = next(c for c in sim.source_configs() if c.name == "hjerteinfarkt")
    pkg, res = resources(sim, "hjerteinfarkt")
    expected = sim.manifest()["hjerteinfarkt"]["datasets"][pkg["name"]]["variables"]
    name_heading = next(h for h, f in config.options["columns"].items() if f == "name")

    r = requests.get(res["CSV"]["url"], timeout=10)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[name_heading] for row in table] == expected

    r = requests.get(res["XLSX"]["url"], timeout=10)
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    ws = wb[config.options["sheet"]]
    values = list(ws.iter_rows(values_only=True))
    header = values[config.options["header_row"] - 1]
    assert list(header) == list(config.options["columns"])
    assert [row[header.index(name_heading)] for row in values[config.options["header_row"] :]] == expected


def test_code_values_are_written_the_way_registries_write_them(sim: Simulator) -> None:
    r = requests.get(f"{sim.url}/files/hkr/variabelliste.csv", timeout=10)
    rows = {
        row["Variabelnavn"]: row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";")
    }
    assert rows["KJONN"]["Kodeverk"] == "1=Mann; 2=Kvinne; 0=Ukjent"
    assert rows["KJONN"]["Variabeletikett"] == "Kjønn"
    assert rows["BOKOMM"]["Kodeverk"] == "Se kodeverk: Standard for kommuneinndeling"


@pytest.mark.parametrize("name", ["hkr-varliste", "kreft-elvis-varliste", "iplos-varliste"])
def test_spreadsheet_sources_serve_their_manifest_in_both_formats(sim: Simulator, name: str) -> None:
    config = next(c for c in sim.source_configs() if c.name == name)
    (expected,) = sim.manifest()[name]["datasets"].values()
    name_heading = next(h for h, f in config.options["columns"].items() if f == "name")
    wb = openpyxl.load_workbook(io.BytesIO(requests.get(config.url, timeout=10).content), read_only=True)
    values = list(wb[config.options["sheet"]].iter_rows(values_only=True))
    header = values[config.options["header_row"] - 1]
    assert [r[header.index(name_heading)] for r in values[config.options["header_row"] :]] == expected["variables"]
    text = requests.get(config.url.removesuffix(".xlsx") + ".csv", timeout=10).content.decode("utf-8-sig")
    assert [r[name_heading] for r in csv.DictReader(io.StringIO(text), delimiter=";")] == expected["variables"]
