"""The vardef harvester against the simulated public variable definitions."""

from __future__ import annotations

import pytest

from simulator.ssb import vardef_definition
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

VARDEF, KLASS, OTHER = "ssb-vardef", "ssb-klass", "hunt"


def truth(sim):
    """definition id -> (nb name, [short name]) from the manifest."""
    return {k: (t["title_nb"], t["variables"]) for k, t in sim.manifest()[VARDEF]["datasets"].items()}


def stored(store):
    return {
        v.uri.rsplit("/", 1)[1]: (v.title["nb"], [v.name])
        for d in datasets(store, VARDEF).values()
        for v in d.variables
    }


def definitions(sim, lang="nb"):
    nation = sim.nation
    src = nation.source(VARDEF)
    return [vardef_definition(nation, src, i, lang) for i in nation.dataset_indices(src)]


def shelves(sim):
    """subject field code -> (ids of its definitions, newest last_updated_at), the grouping the harvester makes."""
    out: dict[str, tuple[list[str], str]] = {}
    for d in definitions(sim):
        code = d["subject_fields"][0]["code"]
        ids, newest = out.get(code, ([], ""))
        out[code] = (ids + [d["id"]], max(newest, d["last_updated_at"]))
    return out


def test_a_full_harvest_holds_every_definition_as_a_variable_shelved_by_subject_field(settings, store, sim):
    configure(settings, sim, VARDEF)
    result = run(settings, store)[VARDEF]
    assert stored(store) == truth(sim)
    assert {
        d.identifier: ([v.uri.rsplit("/", 1)[1] for v in d.variables], d.modified)
        for d in datasets(store, VARDEF).values()
    } == {f"{VARDEF}/{k}": v for k, v in shelves(sim).items()}
    assert harvest_counts(result) == {"new": len(shelves(sim)), "changed": 0, "unchanged": 0, "deleted": 0, "errors": 0}


def test_labels_and_definitions_keep_each_language_the_api_gave(settings, store, sim):
    configure(settings, sim, VARDEF)
    run(settings, store)
    by_id = {v.uri.rsplit("/", 1)[1]: v for d in datasets(store, VARDEF).values() for v in d.variables}
    for lang in ("nb", "nn", "en"):
        for d in definitions(sim, lang):
            v = by_id[d["id"]]
            assert (v.title.get(lang), v.description.get(lang)) == (d["name"], d["definition"])
            assert (v.valid_from, v.valid_to, v.property_url) == (
                d["valid_from"],
                d["valid_until"],
                d["external_reference_uri"],
            )
    code, (ids, _newest) = next(iter(shelves(sim).items()))
    subject = {
        lang: next(d for d in definitions(sim, lang) if d["id"] == ids[0])["subject_fields"][0]["title"]
        for lang in ("nb", "nn", "en")
    }
    assert datasets(store, VARDEF)[f"{VARDEF}/{code}"].title == {
        "nb": f"Variabeldefinisjoner: {subject['nb']}",
        "nn": f"Variabeldefinisjonar: {subject['nn']}",
        "en": f"Variable definitions: {subject['en']}",
    }


def test_classification_uris_link_variables_to_the_klass_records(settings, store, sim):
    configure(settings, sim, VARDEF, KLASS)
    run(settings, store)
    linked = {
        v.uri.rsplit("/", 1)[1]: v.codelist for d in datasets(store, VARDEF).values() for v in d.variables if v.codelist
    }
    expected = {
        d["id"]: "https://www.ssb.no/klass/klassifikasjoner/" + d["classification_uri"].rsplit("/", 1)[1]
        for d in definitions(sim)
        if d["classification_uri"]
    }
    assert linked == expected and expected
    assert set(linked.values()) <= set(codelists(store, KLASS))


def test_the_next_generation_changes_exactly_the_shelves_it_touches(settings, store, sim):
    configure(settings, sim, VARDEF)
    run(settings, store)
    before = {
        k: (ids, newest, [d for d in definitions(sim) if d["id"] in ids]) for k, (ids, newest) in shelves(sim).items()
    }
    sim.generation = 1
    after = {
        k: (ids, newest, [d for d in definitions(sim) if d["id"] in ids]) for k, (ids, newest) in shelves(sim).items()
    }
    result = run(settings, store)[VARDEF]
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed and harvest_counts(result) == {
        "new": len(after.keys() - before.keys()),
        "changed": len(changed),
        "unchanged": len(before.keys() & after.keys()) - len(changed),
        "deleted": len(before.keys() - after.keys()),
        "errors": 0,
    }
    assert stored(store) == truth(sim)


FAILING = TRANSPORT_FAULTS + [
    ("malformed", {}, "the vardef API answered with malformed JSON, not JSON"),
    ("latin1", {}, "the body is not valid utf-8 as declared"),
    ("slow", {"delay": 0.2}, "the server sent the response too slowly (deadline exceeded)"),
]


@pytest.mark.parametrize("fault, params, message", FAILING, ids=[f[0] for f in FAILING])
def test_a_faulty_vardef_fails_plainly_keeps_its_last_good_records_and_spares_the_others(
    settings, store, sim, fault, params, message
):
    configure(settings, sim, VARDEF, OTHER)
    assert_fault_fails_only_its_source(settings, store, sim, VARDEF, OTHER, fault, params, message)


@pytest.mark.parametrize("fault", ["wrong_content_type", "xxe", "entity_expansion"])
def test_faults_that_do_not_break_json_leave_the_harvest_complete(settings, store, sim, fault):
    configure(settings, sim, VARDEF)
    result, _seconds = harvest_with_fault(settings, store, sim, VARDEF, fault)
    assert result.ok and result.counts["errors"] == 0 and stored(store) == truth(sim)


def test_rate_limiting_is_waited_out_as_retry_after_asks(settings, store, sim):
    configure(settings, sim, VARDEF)
    result, seconds = harvest_with_fault(settings, store, sim, VARDEF, "rate_limit", count=1, seconds=1)
    assert seconds >= 1 and result.ok and stored(store) == truth(sim)


def test_a_definition_listed_twice_is_reported_once_and_the_first_kept(settings, store, sim):
    configure(settings, sim, VARDEF)
    sim.set_fault(VARDEF, "duplicate_ids")
    result = run(settings, store)[VARDEF]
    first = definitions(sim)[0]["id"]
    assert result.ok and stored(store) == truth(sim)
    assert [(e.url, e.record_id, e.field, e.message) for e in result.errors] == [
        (
            sim.url + "/public/variable-definitions",
            first,
            "id",
            f"the variable definition {first} is listed more than once; the first was kept",
        )
    ]
