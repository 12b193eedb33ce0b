"""What only the microdata harvester does: dates, population, sensitivity and variable roles of a
data structure, release versions as its checkpoint, and a mislabelled body on a first harvest.
Full, unchanged, generation, deletion, fault, rate limit and duplicate behaviour is the harvester
contract's (`test_harvester_contract.py`)."""

from __future__ import annotations

from datetime import date

from simulator.ssb import data_structure
from tests.simulated import configure, datasets, run

MICRODATA, OTHER = "microdata", "hunt"
FIRST_RELEASE = "2024-12-31T00:00:00Z"  # version 1.0.0.0
SECOND_RELEASE = "2025-03-01T08:00:00Z"  # version 2.0.0.0
NON_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"


def structures(sim):
    nation = sim.nation
    src = nation.source(MICRODATA)
    return {s["name"]: s for s in (data_structure(nation, src, i) for i in nation.dataset_indices(src))}


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


def test_each_structure_is_modified_at_its_release_and_the_release_version_is_the_checkpoint(settings, store, sim):
    configure(settings, sim, MICRODATA)
    run(settings, store)
    assert store.state(MICRODATA)["version"] == "1.0.0.0"
    assert {d.modified for d in datasets(store, MICRODATA).values()} == {FIRST_RELEASE}
    before = {k: s["measureVariable"]["representedVariables"][-1]["description"] for k, s in structures(sim).items()}
    sim.generation = 1
    after = {k: s["measureVariable"]["representedVariables"][-1]["description"] for k, s in structures(sim).items()}
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    run(settings, store)
    assert store.state(MICRODATA)["version"] == "2.0.0.0"
    fresh = (after.keys() - before.keys()) | changed
    assert {k for k, d in datasets(store, MICRODATA).items() if d.modified == SECOND_RELEASE} == fresh


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
