"""The harvester contract: every harvester kind passes every test here against the publisher
simulator, as every search backend passes `test_search_contract.py`.

A kind is a simulated source of that kind plus its ground truth (`tests/harvest_kinds.py`); each
test runs the real pipeline over loopback HTTP, with a healthy source of another kind harvested
beside it. What a protocol alone does (its mapping, paging, cursors, corners of its format) stays
in its own `test_harvest_<kind>.py`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog.config import Settings
from catalog.pipeline import SourceResult, harvest
from catalog.store import SQLiteStore
from harvesters import registry
from simulator import FAULTS, Simulator
from tests.harvest_kinds import HARMLESS, KINDS, NO_WIRE, Kind
from tests.simulated import configure, harvest_counts

FAULT_PARAMS: dict[str, dict[str, Any]] = {
    "slow": {"delay": 0.05},  # 64 bytes every 50 ms: no read waits long, the whole body does
    "trickle": {"delay": 0.1},  # a byte every 100 ms, for ever
    "error503": {"seconds": 0},
    "rate_limit": {"count": 5, "seconds": 120},  # longer than we wait
}
PATIENT = {"timeout": 2.0}
"""A read timeout no busy machine reaches while the simulator writes a page (each response's
deadline is 4 times it); the faults that are about time set their own."""
FAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "slow": {"timeout": 0.5},  # a deadline of 4 x 0.5 s for each whole response; reads wait 50 ms
    "trickle": {"harvest_budget_seconds": 1},  # the budget ends it, well before the 8 s deadline
}
BOUND = {"slow": 2.0, "trickle": 1.0}
"""Seconds a run meeting these faults takes: the response's deadline, the source's budget."""
SLACK = 5.0
"""Seconds a failing run may take beyond its bound (a deadline, or the budget) on a loaded machine."""


@pytest.fixture(params=KINDS, ids=str)
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


def held(store: SQLiteStore, kind: Kind, deleted: bool = False) -> dict[str, Any]:
    """What the store holds of the kind's source: its live records, or those marked deleted."""
    records = store.records(kind.source, include_deleted=deleted)
    return kind.held(r for r in records if (r.deleted_at is not None) == deleted)


def run(settings: Settings, store: SQLiteStore, full: bool = False) -> dict[str, SourceResult]:
    """One harvest of the configured sources, one after the other in this process: the contract is
    the harvesters'; the pipeline's worker processes have their own tests (and cost a fork a run)."""
    return {r.source: r for r in harvest(settings, store, None, workers=1, full=full)}


def counts(new: int = 0, changed: int = 0, unchanged: int = 0, deleted: int = 0, errors: int = 0) -> dict[str, int]:
    return {"new": new, "changed": changed, "unchanged": unchanged, "deleted": deleted, "errors": errors}


# -- harvesting what is there ------------------------------------------------------------------


def test_a_full_harvest_holds_exactly_what_the_source_publishes(settings, store, sim, kind):
    configure(settings, sim, kind.source, kind.other, **PATIENT)
    results = run(settings, store)
    truth = kind.truth(sim, kind.source)
    assert held(store, kind) == truth
    assert harvest_counts(results[kind.source]) == counts(new=len(truth))
    assert results[kind.other].ok


def test_an_unchanged_source_is_reported_unchanged_and_nothing_is_rewritten(settings, store, sim, kind):
    configure(settings, sim, kind.source, **PATIENT)
    run(settings, store)
    before = {r.uri: (r.hash, r.run_id) for r in store.records(kind.source)}
    again = run(settings, store)[kind.source]
    assert harvest_counts(again) == counts(unchanged=len(kind.truth(sim, kind.source)))
    assert {r.uri: (r.hash, r.run_id) for r in store.records(kind.source)} == before


def test_the_next_generation_is_followed_exactly_and_what_went_is_marked_deleted(settings, store, sim, kind):
    """The simulator's generation 1 adds, changes and deletes records at every source: the run
    reports each as such, the store then holds exactly the new truth, and every record gone from
    the source is still there, marked deleted, never dropped."""
    configure(settings, sim, kind.source, **PATIENT)
    run(settings, store)
    before = kind.truth(sim, kind.source)
    sim.generation = 1
    after = kind.truth(sim, kind.source)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed, "the generation must change something at this source"
    result = run(settings, store)[kind.source]
    assert harvest_counts(result) == counts(
        new=len(after.keys() - before.keys()),
        changed=len(changed),
        unchanged=len(before.keys() & after.keys()) - len(changed),
        deleted=len(before.keys() - after.keys()),
    )
    assert held(store, kind) == after
    gone = {k: before[k] for k in before.keys() - after.keys()}
    deleted = held(store, kind, deleted=True)
    assert deleted == {k: gone[k] for k in deleted}
    assert {k for k in gone if " " not in k} <= deleted.keys()  # every record with an identity of its own
    everything = list(store.records(kind.source, include_deleted=True))
    assert len([r for r in everything if r.deleted_at is not None]) == len(gone)
    assert len(everything) == len(before.keys() | after.keys())


# -- the wire misbehaving ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Simulator, Kind, Settings], SQLiteStore]:
    """`good_copy(sim, kind, settings)`: the store of `settings` as after one good harvest of the
    kind's source and the other source. The harvest runs once per kind; each test gets a copy (a
    copy costs a millisecond, a harvest up to a second)."""
    homes: dict[str, Path] = {}

    def copy(sim: Simulator, kind: Kind, settings: Settings) -> SQLiteStore:
        if kind.name not in homes:
            template = Settings.load(tmp_path_factory.mktemp("harvested"))
            configure(template, sim, kind.source, kind.other, **PATIENT)
            store = SQLiteStore(template.db_path)
            assert all(r.ok for r in run(template, store).values())
            store.close()
            homes[kind.name] = template.home
        for path in homes[kind.name].glob("catalog.sqlite*"):
            shutil.copy(path, settings.home / path.name)
        configure(settings, sim, kind.source, kind.other, **PATIENT)
        return SQLiteStore(settings.db_path)

    return copy


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "duplicate_ids"])
def test_a_fault_fails_the_source_in_one_plain_sentence_or_leaves_it_whole(settings, sim, good_copy, kind, fault):
    """With the fault on, a full re-harvest (every page and file fetched and read again, none
    skipped as unchanged) either fails the source with the exact sentence the kind lists (the
    failing URL included), within its bound, keeping every last good record; or, where the fault
    cannot hurt the protocol (XXE in JSON), completes unchanged. The other source never notices."""
    store = good_copy(sim, kind, settings)
    before = held(store, kind)
    other = len(list(store.records(kind.other)))
    settings.sources[kind.source].options.update(FAULT_OPTIONS.get(fault, {}))
    sim.set_fault(kind.source, fault, **FAULT_PARAMS.get(fault, {}))
    started = time.monotonic()
    results = run(settings, store, full=True)
    took = time.monotonic() - started
    result, expected = results[kind.source], kind.outcome(fault, sim)
    if expected is HARMLESS:
        assert (result.status, result.errors) == ("ok", [])
        assert harvest_counts(result) == counts(unchanged=len(before))
    else:
        assert (result.status, result.error) == ("failed", expected)
        assert [(e.record_id, e.message) for e in result.errors] == [(None, expected)]
        assert store.last_run(kind.source).status == "failed"
        if fault in BOUND:  # the deadline and the budget are this fault's subject: the run ends by them
            assert BOUND[fault] <= took < BOUND[fault] + SLACK
    assert held(store, kind) == before
    assert results[kind.other].ok and harvest_counts(results[kind.other]) == counts(unchanged=other)
    store.close()


def test_rate_limiting_is_waited_out_as_retry_after_asks(settings, store, sim, kind):
    configure(settings, sim, kind.source, **PATIENT)
    sim.set_fault(kind.source, "rate_limit", count=1, seconds=1)
    started = time.monotonic()
    result = run(settings, store)[kind.source]
    assert time.monotonic() - started >= 1
    assert result.ok and held(store, kind) == kind.truth(sim, kind.source)


def test_a_record_listed_twice_is_reported_and_the_first_kept(settings, store, sim, kind):
    configure(settings, sim, kind.source, **PATIENT)
    sim.set_fault(kind.source, "duplicate_ids")
    result = run(settings, store)[kind.source]
    assert result.ok and held(store, kind) == kind.truth(sim, kind.source)
    assert [(e.url, e.record_id, e.field, e.message) for e in result.errors].count(kind.duplicate(sim)) == 1


# -- the contract covers everything ------------------------------------------------------------


def test_every_harvester_kind_is_under_the_contract():
    assert {k.name.split(" ")[0] for k in KINDS} | set(NO_WIRE) == set(registry())


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_fault_of_the_simulator_has_an_outcome_for_every_kind(kind):
    assert set(kind.faults) == set(FAULTS) - {"duplicate_ids"}
