"""The microdata harvester against the simulated microdata.no metadata service."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.ssb import data_structure
from tests.simulated import (
    TRANSPORT_FAULTS,
    assert_fault_fails_only_its_source,
    codelists,
    configure,
    datasets,
    harvest_counts,
    harvest_with_fault,
    run,
)

MICRODATA, OTHER = "microdata", "hunt"
FIRST_RELEASE = "2024-12-31T00:00:00Z"  # version 1.0.0.0
SECOND_RELEASE = "2025-03-01T08:00:00Z"  # version 2.0.0.0
NON_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"


def truth(sim):
    return {k: (t["title_nb"], t["variables"]) for k, t in sim.manifest()[MICRODATA]["datasets"].items()}


def stored(store):
    return {k: (d.title["nb"], [v.name for v in d.variables]) for k, d in datasets(store, MICRODATA).items()}


def structures(sim):
    nation = sim.nation
    src = nation.source(MICRODATA)
    return {s["name"]: s for s in (data_structure(nation, src, i) for i in nation.dataset_indices(src))}


def true_codes(sim):
    """structure -> [(code, category, missing)] of its measure's code list."""
    out = {}
    for name, s in structures(sim).items():
        domain = s["measureVariable"]["representedVariables"][-1]["valueDomain"]
        if domain.get("codeList"):
            out[name] = [(c["code"], c["category"], c["code"] in domain["missingValues"]) for c in domain["codeList"]]
    return out


def stored_codes(store):
    lists = codelists(store, MICRODATA)
    return {
        name: [(c.code, c.label["nb"], c.missing) for c in lists[v.codelist].concepts]
        for name, d in datasets(store, MICRODATA).items()
        for v in d.variables
        if v.codelist
    }


def test_a_full_harvest_holds_every_data_structure_with_its_variables_and_code_lists(settings, store, sim):
    configure(settings, sim, MICRODATA)
    result = run(settings, store)[MICRODATA]
    assert stored(store) == truth(sim)
    assert stored_codes(store) == true_codes(sim)
    assert {d.modified for d in datasets(store, MICRODATA).values()} == {FIRST_RELEASE}
    assert harvest_counts(result) == {
        "new": len(truth(sim)) + len(true_codes(sim)),
        "changed": 0,
        "unchanged": 0,
        "deleted": 0,
        "errors": 0,
    }


def test_a_data_structure_maps_dates_population_sensitivity_and_variable_roles(settings, store, sim):
    configure(settings, sim, MICRODATA)
    run(settings, store)
    name, s = next(iter(structures(sim).items()))
    d = datasets(store, MICRODATA)[name]
    epoch_days = {(date(y, 1, 1) - date(1970, 1, 1)).days: f"{y}-01-01" for y in range(1990, 2015)}
    assert (d.temporal_start, d.temporal_end) == (epoch_days[s["temporalCoverage"]["start"]], "2023-12-31")
    assert (d.population_coverage, d.keywords, d.access_rights) == (
        {"nb": s["populationDescription"]},
        {"nb": s["subjectFields"]},
        NON_PUBLIC,
    )
    ident, measure, start, stop = d.variables
    assert (ident.datatype, ident.keywords, ident.unit) == (
        "integer",
        [s["identifierVariables"][0]["keyType"]["name"]],
        None,
    )
    assert (measure.name, measure.title, measure.description) == (
        name,
        {"nb": s["measureVariable"]["label"]},
        {"nb": s["measureVariable"]["representedVariables"][-1]["description"]},
    )
    assert (start.name, start.datatype, stop.name) == ("START", "date", "STOP")
    assert measure.uri == f"{settings.base_uri}id/{MICRODATA}/variable/{name}/{name}"


def test_an_unchanged_version_is_not_downloaded_again(settings, store, sim):
    configure(settings, sim, MICRODATA)
    first = run(settings, store)[MICRODATA]
    assert store.state(MICRODATA)["version"] == "1.0.0.0"
    again = run(settings, store)[MICRODATA]
    assert harvest_counts(again) == {
        "new": 0,
        "changed": 0,
        "unchanged": first.counts["new"],
        "deleted": 0,
        "errors": 0,
    }


def test_the_next_version_is_followed_exactly_new_changed_deleted(settings, store, sim):
    configure(settings, sim, MICRODATA)
    run(settings, store)
    before = {**truth(sim), **{f"{k}/codes": v for k, v in true_codes(sim).items()}}
    described0 = {
        k: s["measureVariable"]["representedVariables"][-1]["description"] for k, s in structures(sim).items()
    }
    sim.generation = 1
    after = {**truth(sim), **{f"{k}/codes": v for k, v in true_codes(sim).items()}}
    described1 = {
        k: s["measureVariable"]["representedVariables"][-1]["description"] for k, s in structures(sim).items()
    }
    changed = {k for k in described0.keys() & described1.keys() if described0[k] != described1[k]}
    result = run(settings, store)[MICRODATA]
    assert len(changed) == 1 and harvest_counts(result) == {
        "new": len(after.keys() - before.keys()),
        "changed": len(changed),
        "unchanged": len(before.keys() & after.keys()) - len(changed),
        "deleted": len(before.keys() - after.keys()),
        "errors": 0,
    }
    assert stored(store) == truth(sim) and stored_codes(store) == true_codes(sim)
    fresh = (truth(sim).keys() - {k for k in before if "/" not in k}) | changed
    assert {k for k, d in datasets(store, MICRODATA).items() if d.modified == SECOND_RELEASE} == fresh
    assert store.state(MICRODATA)["version"] == "2.0.0.0"


FAILING = TRANSPORT_FAULTS + [
    ("malformed", {}, "the microdata.no metadata API answered with malformed JSON, not JSON"),
    ("slow", {"delay": 0.2}, "the server sent the response too slowly (deadline exceeded)"),
]


@pytest.mark.parametrize("fault, params, message", FAILING, ids=[f[0] for f in FAILING])
def test_a_faulty_microdata_fails_plainly_keeps_its_last_good_records_and_spares_the_others(
    settings, store, sim, fault, params, message
):
    configure(settings, sim, MICRODATA, OTHER)
    assert_fault_fails_only_its_source(settings, store, sim, MICRODATA, OTHER, fault, params, message)


def test_a_latin1_body_declared_utf8_fails_a_first_harvest_and_an_unchanged_version_never_reads_it(
    settings, store, sim
):
    configure(settings, sim, MICRODATA)
    sim.set_fault(MICRODATA, "latin1")  # only the data structures hold non-ASCII text
    failed = run(settings, store)[MICRODATA]
    assert failed.status == "failed" and failed.error.startswith("the body is not valid utf-8 as declared (")
    assert failed.error.endswith(f"({sim.url}/metadata/all?version=1.0.0.0)")
    sim.set_fault(MICRODATA, None)
    first = run(settings, store)[MICRODATA]
    sim.set_fault(MICRODATA, "latin1")
    again = run(settings, store)[MICRODATA]
    assert again.ok and again.counts["unchanged"] == first.counts["new"]


@pytest.mark.parametrize("fault", ["wrong_content_type", "xxe", "entity_expansion"])
def test_faults_that_do_not_break_json_leave_the_harvest_complete(settings, store, sim, fault):
    configure(settings, sim, MICRODATA)
    result, _seconds = harvest_with_fault(settings, store, sim, MICRODATA, fault)
    assert result.ok and result.counts["errors"] == 0 and stored(store) == truth(sim)


def test_rate_limiting_is_waited_out_as_retry_after_asks(settings, store, sim):
    configure(settings, sim, MICRODATA)
    result, seconds = harvest_with_fault(settings, store, sim, MICRODATA, "rate_limit", count=1, seconds=1)
    assert seconds >= 1 and result.ok and stored(store) == truth(sim)


def test_a_data_structure_listed_twice_is_reported_once_and_the_first_kept(settings, store, sim):
    configure(settings, sim, MICRODATA)
    sim.set_fault(MICRODATA, "duplicate_ids")
    result = run(settings, store)[MICRODATA]
    first = next(iter(truth(sim)))
    assert result.ok and stored(store) == truth(sim)
    assert [(e.url, e.record_id, e.field, e.message) for e in result.errors] == [
        (
            sim.url + "/metadata/all?version=1.0.0.0",
            first,
            "name",
            f"the data structure {first} is listed more than once; the first was kept",
        )
    ]
