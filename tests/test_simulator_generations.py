"""Generations change the nation in a known way; conditional GET; the scale knob."""

from __future__ import annotations

import ckanapi
import pytest
import requests

from simulator import Nation, Simulator
from simulator.nation import GEN_EPOCH

WITH_DATASETS = ("dcat", "ckan", "oai-ddi", "vardef", "microdata")


def test_each_generation_adds_deletes_and_modifies_one_dataset_per_source() -> None:
    before, after = Nation(seed=4).manifest(), Nation(seed=4, generation=1).manifest()
    for name, old in before.items():
        new = after[name]
        if old["kind"] not in WITH_DATASETS:
            continue
        added = set(new["datasets"]) - set(old["datasets"])
        removed = set(old["datasets"]) - set(new["datasets"])
        changed = {k for k in set(old["datasets"]) & set(new["datasets"]) if old["datasets"][k] != new["datasets"][k]}
        assert len(added) == 1 and len(changed) == 1, name
        assert sorted(removed) == new["deleted"] and len(removed) == (1 if len(old["datasets"]) > 2 else 0), name
        (k,) = changed
        assert new["datasets"][k]["modified"] > old["datasets"][k]["modified"], name
        if old["kind"] not in ("vardef", "microdata"):
            assert set(new["datasets"][k]["variables"]) ^ set(old["datasets"][k]["variables"]), name


def test_generations_accumulate() -> None:
    one, two = Nation(seed=4, generation=1).manifest(), Nation(seed=4, generation=2).manifest()
    for name in one:
        assert set(one[name]["deleted"]) <= set(two[name]["deleted"])


def test_code_lists_change_one_list_per_generation() -> None:
    before, after = Nation(seed=4).manifest()["mfr"], Nation(seed=4, generation=1).manifest()["mfr"]
    changed = [k for k in before["codelists"] if before["codelists"][k] != after["codelists"][k]]
    assert len(changed) == 1
    codes = after["codelists"][changed[0]]["codes"]
    assert codes[-1] == "N01" and len(codes) == len(before["codelists"][changed[0]]["codes"])


def test_spreadsheet_sources_keep_their_single_list_and_change_its_variables() -> None:
    before, after = Nation(seed=4).manifest()["hkr-varliste"], Nation(seed=4, generation=1).manifest()["hkr-varliste"]
    assert list(before["datasets"]) == list(after["datasets"]) == ["hkr-varliste"]
    assert before["datasets"]["hkr-varliste"]["variables"] != after["datasets"]["hkr-varliste"]["variables"]


def test_switching_generation_at_run_time_changes_what_is_served() -> None:
    with Simulator(seed=4) as sim:
        with ckanapi.RemoteCKAN(f"{sim.url}/ckan") as ckan:
            since = GEN_EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert ckan.action.package_search(fq=f"metadata_modified:[{since} TO *]")["count"] == 0
            sim.generation = 1
            result = ckan.action.package_search(fq=f"metadata_modified:[{since} TO *]", rows=1000)
        truth = sim.manifest()
        changed = {
            k for s in truth.values() if s["kind"] == "ckan" for k, d in s["datasets"].items() if d["modified"] >= since
        }
        assert {p["name"] for p in result["results"]} == changed and len(changed) == 2 * sum(
            s["kind"] == "ckan" for s in truth.values()
        )
        assert requests.get(f"{sim.url}/_manifest", timeout=30).json() == truth


def test_conditional_get_is_off_by_default() -> None:
    with Simulator() as sim:
        r = requests.get(f"{sim.url}/dcat/mfr/catalog", timeout=10)
        assert "ETag" not in r.headers and "Last-Modified" not in r.headers


def test_conditional_get_answers_304_until_the_generation_changes() -> None:
    with Simulator() as sim:
        sim.conditional_get = True
        feed = f"{sim.url}/dcat/mfr/catalog"
        first = requests.get(feed, timeout=10)
        etag, stamp = first.headers["ETag"], first.headers["Last-Modified"]
        assert stamp == "Tue, 31 Dec 2024 00:00:00 GMT"
        assert requests.get(feed, headers={"If-None-Match": etag}, timeout=10).status_code == 304
        assert requests.get(feed, headers={"If-Modified-Since": stamp}, timeout=10).status_code == 304
        assert requests.get(feed, headers={"If-None-Match": '"other"'}, timeout=10).status_code == 200
        sim.generation = 1
        again = requests.get(feed, headers={"If-None-Match": etag}, timeout=10)
        assert again.status_code == 200 and again.headers["ETag"] != etag
        assert requests.get(feed, headers={"If-Modified-Since": stamp}, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("scale", "sources", "datasets"), [(0.3, 30, (60, 150)), (1, 30, (150, 260)), (4, 35, (220, 420))]
)
def test_scale_grows_sources_and_datasets(scale: float, sources: int, datasets: tuple[int, int]) -> None:
    estimate = Nation(scale=scale).estimate()
    assert estimate["sources"] == sources
    assert datasets[0] <= estimate["datasets"] <= datasets[1]


def test_large_scales_reach_a_million_variables_without_building_them() -> None:
    nation = Nation(scale=150)
    estimate = nation.estimate()
    assert estimate["variables_estimate"] >= 1_000_000 and estimate["sources"] >= 250
    last = [s for s in nation.sources if s.kind == "ckan"][-1]
    d = nation.dataset(last, nation.dataset_indices(last)[-1])
    assert len(d.variables) >= 90 and len({v.name for v in d.variables}) == len(d.variables)


def test_a_deep_search_page_at_scale_40_is_served() -> None:
    with Simulator(scale=40) as sim:
        body = requests.get(
            f"{sim.url}/ckan/api/3/action/package_search", params={"rows": 100, "start": 1200}, timeout=60
        ).json()
        assert body["result"]["count"] >= 1300 and len(body["result"]["results"]) == 100
