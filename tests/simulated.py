"""Harvesting simulated sources in tests: the simulator fixture, its ground truth, small fast limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalog.config import Settings
from catalog.model import CodeList, Dataset
from catalog.pipeline import SourceResult, harvest
from catalog.store import SQLiteStore
from simulator import Simulator
from simulator.spreadsheets import codes_text


@pytest.fixture(scope="module")
def _simulator() -> Iterator[Simulator]:
    with Simulator(seed=0) as s:
        yield s


@pytest.fixture
def sim(_simulator: Simulator) -> Simulator:
    """The module's simulator, back at generation 0 with no faults for each test."""
    _simulator.generation = 0
    for src in _simulator.source_configs():
        _simulator.set_fault(src.name, None)
    return _simulator


OPERATOR_DEFAULTS = {
    "applicable_legislation": ["http://data.europa.eu/eli/reg/2025/327/oj"],
    "access_rights": "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
    "health_categories": ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHDR"],
    "themes": ["http://publications.europa.eu/resource/authority/data-theme/HEAL"],
    "access_url": "https://helsedata.no/soknad",
}
"""What a catalogue operator configures for sources that cannot state HealthDCAT-AP facts themselves."""


def configure(settings: Settings, sim: Simulator, *names: str, **options: Any) -> None:
    """The named simulated sources, with small limits so faults resolve in well under a second."""
    settings.values.update(http_retries=1, http_max_bytes=2_000_000)
    for src in sim.source_configs():
        if src.name in names:
            src.options.update({"timeout": 0.5, "defaults": OPERATOR_DEFAULTS, **options})
            settings.sources[src.name] = src


def harvest_counts(result: SourceResult) -> dict[str, int]:
    """A run's counts without `invalid`: whether a record conforms is the validation tests' subject
    (it depends on the profile's shapes); harvester tests check what was harvested."""
    return {k: v for k, v in result.counts.items() if k != "invalid"}


def run(settings: Settings, store: SQLiteStore) -> dict[str, SourceResult]:
    return {r.source: r for r in harvest(settings, store, None)}


def datasets(store: SQLiteStore, source: str) -> dict[str, Dataset]:
    return {s.record.identifier: s.dataset() for s in store.records(source, kind="dataset")}


def codelists(store: SQLiteStore, source: str) -> dict[str, CodeList]:
    return {s.uri: s.codelist() for s in store.records(source, kind="codelist")}


def inline_codes(sim: Simulator, source: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Ground truth: (dataset identifier, variable) -> its codes, for every variable listed with inline codes."""
    nation = sim.nation
    src = nation.source(source)
    out = {}
    for i in nation.dataset_indices(src):
        for v in nation.dataset(src, i).variables:
            text = codes_text(nation, src, v)
            if "=" in text:
                pairs = (p.strip().split("=", 1) for p in text.split(";"))
                out[nation.native_id(src, i), v.name] = [(code, label) for code, label in pairs]
    return out


def harvested_codes(store: SQLiteStore, source: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """What the store holds in the same shape, following each variable's link to its code list."""
    lists = codelists(store, source)
    return {
        (ident, v.name): [(c.code, c.label["nb"]) for c in lists[v.codelist].concepts]
        for ident, d in datasets(store, source).items()
        for v in d.variables
        if v.codelist in lists
    }


def stored(store: SQLiteStore, source: str) -> dict[str, tuple[str, str | None, list[str]]]:
    """The live datasets of a source as identifier -> (title, modified, variable names)."""
    return {k: (d.title["nb"], d.modified, [v.name for v in d.variables]) for k, d in datasets(store, source).items()}


def truth(sim: Simulator, source: str, modified: bool = True) -> dict[str, tuple[str, str | None, list[str]]]:
    """The same view of the simulator's manifest (`modified` only where the source states it)."""
    return {
        k: (t["title_nb"], t["modified"] if modified else None, t["variables"])
        for k, t in sim.manifest()[source]["datasets"].items()
    }
