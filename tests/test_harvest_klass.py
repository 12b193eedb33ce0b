"""What only the klass harvester does: SSB's classification URIs and versions, the changedSince
cursor, duplicate codes, and (on hand-written answers) deletions from a complete listing and broken
classifications. Full, unchanged, generation, deletion, fault, rate limit and duplicate listing
behaviour is the harvester contract's (`test_harvester_contract.py`)."""

from __future__ import annotations

import json

from catalog.config import SourceConfig
from catalog.model import Agent
from tests.harvest_kinds import klass_held, klass_truth
from tests.simulated import codelists, configure, harvest_counts, run

KLASS, OTHER = "ssb-klass", "hunt"


def truth(sim):
    return klass_truth(sim, KLASS)


def stored(store):
    return klass_held(store.records(KLASS))


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


def test_the_changed_since_cursor_follows_the_newest_change(settings, store, sim):
    configure(settings, sim, KLASS)
    run(settings, store)
    assert store.state(KLASS)["changed_since"] == "2024-01-01T00:00:00.000+0000"
    sim.generation = 1
    run(settings, store)
    assert store.state(KLASS)["changed_since"] == "2025-03-01T08:00:00.000+0000"


def test_a_code_listed_twice_is_reported_per_language_and_the_first_kept(settings, store, sim):
    """Besides the classification listed twice (the contract), the simulator repeats each one's first code."""
    configure(settings, sim, KLASS)
    sim.set_fault(KLASS, "duplicate_ids")
    result = run(settings, store)[KLASS]
    assert result.ok and stored(store) == truth(sim)
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
