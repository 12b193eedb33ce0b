"""The klass harvester against the simulated KLASS API, and against hand-written answers for
deletions, changedSince and broken classifications."""

from __future__ import annotations

import json

import pytest

from catalog.config import SourceConfig
from catalog.model import Agent
from tests.simulated import (
    TRANSPORT_FAULTS,
    assert_fault_fails_only_its_source,
    codelists,
    configure,
    harvest_counts,
    harvest_with_fault,
    run,
)

KLASS, OTHER = "ssb-klass", "hunt"


def truth(sim):
    """id -> (title nb, version valid from, [(code, nb label)]) of every classification the simulator serves."""
    nation = sim.nation
    src = nation.source(KLASS)
    assert [cl.identifier for cl in nation.codelists(src)] == list(sim.manifest()[KLASS]["codelists"])
    return {
        cl.identifier: (cl.title["nb"], cl.valid_from, [(c.code, c.label["nb"]) for c in cl.concepts])
        for cl in nation.codelists(src)
    }


def stored(store):
    return {
        cl.identifier: (cl.title["nb"], cl.valid_from, [(c.code, c.label["nb"]) for c in cl.concepts])
        for cl in codelists(store, KLASS).values()
    }


def test_a_full_harvest_holds_every_classification_with_its_codes_as_a_concept_scheme(settings, store, sim):
    configure(settings, sim, KLASS)
    result = run(settings, store)[KLASS]
    assert stored(store) == truth(sim)
    assert {cl.identifier: [c.code for c in cl.concepts] for cl in codelists(store, KLASS).values()} == {
        k: v["codes"] for k, v in sim.manifest()[KLASS]["codelists"].items()
    }
    assert harvest_counts(result) == {"new": len(truth(sim)), "changed": 0, "unchanged": 0, "deleted": 0, "errors": 0}


def test_a_classification_is_a_code_list_at_ssbs_public_uri_with_its_newest_version(settings, store, sim):
    configure(settings, sim, KLASS)
    run(settings, store)
    cl = codelists(store, KLASS)["https://www.ssb.no/klass/klassifikasjoner/131"]
    assert (cl.identifier, cl.title["nb"], cl.version, cl.valid_from, cl.valid_to, cl.modified, cl.landing_page) == (
        "131",
        "Standard for kommuneinndeling",
        "Standard for kommuneinndeling 2024",
        "2024-01-01",
        None,
        "2024-01-01T00:00:00Z",
        "https://www.ssb.no/klass/klassifikasjoner/131",
    )
    assert cl.publisher == Agent(name={"nb": "Statistisk sentralbyrå"}, email="klass@ssb.no")
    assert sorted(cl.title) == sorted(cl.concepts[0].label) == ["en", "nb"]  # the languages the version is published in


def test_a_rerun_lists_only_changes_and_reports_the_rest_present(settings, store, sim):
    configure(settings, sim, KLASS)
    run(settings, store)
    assert store.state(KLASS)["changed_since"] == "2024-01-01T00:00:00.000+0000"
    again = run(settings, store)[KLASS]
    assert harvest_counts(again) == {"new": 0, "changed": 0, "unchanged": len(truth(sim)), "deleted": 0, "errors": 0}


def test_the_next_generation_changes_exactly_the_changed_classification(settings, store, sim):
    configure(settings, sim, KLASS)
    run(settings, store)
    before = truth(sim)
    sim.generation = 1
    after = truth(sim)
    changed = {k for k in before if before[k] != after[k]}
    result = run(settings, store)[KLASS]
    assert len(changed) == 1
    assert harvest_counts(result) == {"new": 0, "changed": 1, "unchanged": len(before) - 1, "deleted": 0, "errors": 0}
    assert stored(store) == after
    assert store.state(KLASS)["changed_since"] == "2025-03-01T08:00:00.000+0000"


FAILING = TRANSPORT_FAULTS + [
    ("malformed", {}, "the KLASS API answered with malformed JSON, not JSON"),
    ("latin1", {}, "the body is not valid utf-8 as declared"),
    ("slow", {"delay": 0.2}, "the server sent the response too slowly (deadline exceeded)"),
]


@pytest.mark.parametrize("fault, params, message", FAILING, ids=[f[0] for f in FAILING])
def test_a_faulty_klass_fails_plainly_keeps_its_last_good_records_and_spares_the_others(
    settings, store, sim, fault, params, message
):
    configure(settings, sim, KLASS, OTHER)
    assert_fault_fails_only_its_source(
        settings, store, sim, KLASS, OTHER, fault, params, message, view=lambda store, _source: stored(store)
    )


@pytest.mark.parametrize("fault", ["wrong_content_type", "xxe", "entity_expansion"])
def test_faults_that_do_not_break_json_leave_the_harvest_complete(settings, store, sim, fault):
    configure(settings, sim, KLASS)
    result, _seconds = harvest_with_fault(settings, store, sim, KLASS, fault)
    assert result.ok and result.counts["errors"] == 0 and stored(store) == truth(sim)


def test_rate_limiting_is_waited_out_as_retry_after_asks(settings, store, sim):
    configure(settings, sim, KLASS)
    result, seconds = harvest_with_fault(settings, store, sim, KLASS, "rate_limit", count=1, seconds=1)
    assert seconds >= 1 and result.ok and stored(store) == truth(sim)


def test_duplicate_classifications_and_codes_are_reported_and_the_first_kept(settings, store, sim):
    configure(settings, sim, KLASS)
    sim.set_fault(KLASS, "duplicate_ids")
    result = run(settings, store)[KLASS]
    assert result.ok and stored(store) == truth(sim)
    listed = [e for e in result.errors if e.field == "id"]
    first = next(iter(truth(sim)))
    assert [(e.record_id, e.message) for e in listed] == [
        (first, f"the classification {first} is listed more than once; the first was kept")
    ]
    codes = sorted((e.record_id, e.message) for e in result.errors if e.field == "code")
    assert codes == sorted(
        (
            f"{k} {v[2][0][0]}",
            f"classification {k}: the code {v[2][0][0]} occurs more than once ({lang}); the first was kept",
        )
        for k, v in truth(sim).items()
        for lang in ("nb", "en")
    )


# --- deletions and broken classifications, on a hand-written KLASS ---------------------------


def classification(cid: int, modified: str = "2024-01-01T00:00:00.000+0000") -> dict:
    return {
        "id": cid,
        "name": f"Klassifikasjon {cid}",
        "lastModified": modified,
        "_links": {"self": {"href": f"https://data.ssb.no/api/klass/v1/classifications/{cid}"}},
    }


def publish(server, ids: list[int], query: str = "includeCodelists=true&size=20&page=0") -> None:
    body = {
        "_embedded": {"classifications": [classification(i) for i in ids]},
        "_links": {},
        "page": {"size": 20, "totalElements": len(ids), "totalPages": 1, "number": 0},
    }
    server.serve("/klass/classifications?" + query, json.dumps(body), Content_Type="application/json")
    for i in ids:
        detail = {
            **classification(i),
            "primaryLanguage": "nb",
            "versions": [{"name": f"K{i} 2020", "validFrom": "2020-01-01", "published": ["nb"]}],
        }
        server.serve(f"/klass/classifications/{i}", json.dumps(detail), Content_Type="application/json")
        server.serve(
            f"/klass/classifications/{i}/codes?from=2020-01-01&language=nb",
            json.dumps({"codes": [{"code": "1", "name": "En", "parentCode": None}]}),
            Content_Type="application/json",
        )


def source(settings, server, **options) -> None:
    settings.values.update(http_retries=0)
    settings.sources[KLASS] = SourceConfig(KLASS, "klass", server.url + "/klass", options={"timeout": 0.5, **options})


def test_a_classification_gone_from_a_complete_listing_is_deleted(settings, store, server):
    source(settings, server, full_listing_days=0)
    publish(server, [1, 2])
    run(settings, store)
    publish(server, [2])
    result = run(settings, store)[KLASS]
    assert harvest_counts(result) == {"new": 0, "changed": 0, "unchanged": 1, "deleted": 1, "errors": 0}
    assert store.get("https://www.ssb.no/klass/klassifikasjoner/1").deleted_at is not None


def test_a_changed_since_listing_reports_the_unlisted_ones_present_not_deleted(settings, store, server):
    source(settings, server)
    publish(server, [1, 2])
    run(settings, store)
    query = "includeCodelists=true&size=20&changedSince=2024-01-01T00%3A00%3A00.000%2B0000&page=0"
    publish(server, [2], query)
    result = run(settings, store)[KLASS]
    assert harvest_counts(result) == {"new": 0, "changed": 0, "unchanged": 2, "deleted": 0, "errors": 0}
    assert [r.full_path for r in server.requests if r.path == "/klass/classifications"][
        -1
    ] == "/klass/classifications?" + query


def test_a_broken_classification_is_reported_with_url_id_and_field_and_the_others_harvested(settings, store, server):
    source(settings, server)
    publish(server, [1, 2, 3])
    server.serve(
        "/klass/classifications/2", json.dumps({**classification(2), "versions": []}), Content_Type="application/json"
    )
    server.routes.pop("/klass/classifications/3")
    result = run(settings, store)[KLASS]
    assert result.ok and [(e.url, e.record_id, e.field, e.message) for e in result.errors] == [
        (
            server.url + "/klass/classifications/2",
            "2",
            "versions",
            "the classification 2 could not be read: it has no version with a validFrom date, so its codes cannot be "
            "asked for; its last good version is kept",
        ),
        (
            server.url + "/klass/classifications/3",
            "3",
            None,
            "the classification 3 could not be read: the server answered 404 NOT FOUND; its last good version is kept",
        ),
    ]
    assert [cl.identifier for cl in codelists(store, KLASS).values()] == ["1"]
