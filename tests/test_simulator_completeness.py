"""Registries publish complete HealthDCAT-AP metadata, except the datasets the manifest names as incomplete."""

from __future__ import annotations

import pytest

from simulator.nation import MISSING_WHEN_INCOMPLETE
from tests.simulated import configure, run

SOURCES = ["kpr", "msis", "norpd", "norarthro", "ms-registeret", "hjerneslag"]  # DCAT (IRI and string paging), CKAN


def test_some_datasets_of_each_kind_are_deliberately_incomplete(sim) -> None:
    manifest = sim.manifest()
    incomplete = {name: entry["expected_violations"] for name, entry in manifest.items()}
    kinds = {manifest[name]["kind"] for name, found in incomplete.items() if found}
    assert kinds == {"dcat", "ckan"}
    total = sum(len(entry["datasets"]) for entry in manifest.values() if entry["kind"] in kinds)
    assert 0 < sum(len(found) for found in incomplete.values()) < total / 4
    assert all(missing == list(MISSING_WHEN_INCOMPLETE) for found in incomplete.values() for missing in found.values())


@pytest.mark.parametrize("source", SOURCES)
def test_exactly_the_incomplete_datasets_fail_validation_for_what_they_lack(settings, store, sim, source) -> None:
    configure(settings, sim, source)
    assert run(settings, store)[source].ok
    failing = {}
    for stored in store.records(source, kind="dataset"):
        if not stored.conforms:
            failing[stored.record.identifier] = sorted(
                {f["path"] for f in stored.validation["findings"] if f["severity"] == "Violation"}
            )
    expected = sim.manifest()[source]["expected_violations"]
    assert failing == {ident: sorted(missing) for ident, missing in expected.items()}
