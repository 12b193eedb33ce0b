"""The `configured` kind under the harvester contract's other rules: what the operator declares in
catalog.toml is exactly what the store holds, an unchanged declaration is reported unchanged and
rewrites nothing, a changed, added or removed entry is reported as such (removed ones marked
deleted, never dropped), and an entry that cannot be used is reported while the others go on.
It fetches nothing, so the wire's faults are not its (`tests/harvest_kinds.py`, `NO_WIRE`)."""

from __future__ import annotations

import copy
from typing import Any

from catalog.config import SourceConfig
from catalog.pipeline import harvest
from catalog.store import SQLiteStore

DECLARED: dict[str, Any] = {
    "services": {
        "tsd": {
            "title": "TSD",
            "endpoint_url": "https://tsd.uio.no",
            "serves_sources": ["hunt"],
            "price_model": "cost-recovery",
        },
        "safe": {"title": "SAFE", "endpoint_url": "https://safe.uib.no", "type": "platform"},
    },
    "products": {
        "kohort": {
            "title": "Kohort",
            "description": "En ferdig kohort.",
            "provider": "Analyse AS",
            "derived_from": ["https://example.org/d/1", "https://example.org/d/2"],
            "price_model": "commercial",
        }
    },
}


def configure(settings, declared: dict[str, Any]) -> None:
    settings.sources["op"] = SourceConfig("op", "configured", "https://example.org/plattformer", options=declared)


def held(store: SQLiteStore, deleted: bool = False) -> dict[str, tuple[str, str]]:
    return {
        r.record.identifier: (r.kind, r.record.title["nb"])
        for r in store.records("op", include_deleted=deleted)
        if (r.deleted_at is not None) == deleted
    }


def counts(result) -> dict[str, int]:
    return {k: result.counts[k] for k in ("new", "changed", "unchanged", "deleted", "errors")}


def test_what_the_operator_declares_is_what_the_store_holds_and_an_unchanged_run_rewrites_nothing(settings, store):
    configure(settings, DECLARED)
    [first] = harvest(settings, store, None)
    assert counts(first) == {"new": 3, "changed": 0, "unchanged": 0, "deleted": 0, "errors": 0}
    assert held(store) == {"tsd": ("service", "TSD"), "safe": ("service", "SAFE"), "kohort": ("product", "Kohort")}
    before = {r.uri: (r.hash, r.run_id) for r in store.records("op")}
    [again] = harvest(settings, store, None)
    assert counts(again) == {"new": 0, "changed": 0, "unchanged": 3, "deleted": 0, "errors": 0}
    assert {r.uri: (r.hash, r.run_id) for r in store.records("op")} == before


def test_a_changed_an_added_and_a_removed_entry_are_reported_and_the_removed_one_kept_as_deleted(settings, store):
    configure(settings, DECLARED)
    harvest(settings, store, None)
    declared = copy.deepcopy(DECLARED)
    declared["services"]["tsd"]["title"] = "TSD – Tjenester for sensitive data"
    declared["services"]["hunt-cloud"] = {"title": "HUNT Cloud", "endpoint_url": "https://hunt.ntnu.no/cloud"}
    del declared["services"]["safe"]
    configure(settings, declared)
    [result] = harvest(settings, store, None)
    assert counts(result) == {"new": 1, "changed": 1, "unchanged": 1, "deleted": 1, "errors": 0}
    assert held(store) == {
        "tsd": ("service", "TSD – Tjenester for sensitive data"),
        "hunt-cloud": ("service", "HUNT Cloud"),
        "kohort": ("product", "Kohort"),
    }
    assert held(store, deleted=True) == {"safe": ("service", "SAFE")}


def test_every_entry_removed_is_the_operators_word_and_deletes_them_all(settings, store):
    """A fetched source listing nothing fails and keeps its records (a glitch, `catalog.pipeline`);
    what the operator declares is no glitch."""
    configure(settings, DECLARED)
    harvest(settings, store, None)
    configure(settings, {"services": {}, "products": {}})
    [result] = harvest(settings, store, None)
    assert result.ok and counts(result) == {"new": 0, "changed": 0, "unchanged": 0, "deleted": 3, "errors": 0}
    assert held(store) == {}


def test_an_entry_that_cannot_be_used_is_reported_naming_its_key_and_the_others_go_on(settings, store):
    declared = copy.deepcopy(DECLARED)
    declared["products"]["kohort"]["derived_from"] = ["not an address"]
    declared["services"]["safe"]["colour"] = "blue"
    configure(settings, declared)
    [result] = harvest(settings, store, None)
    assert result.ok and held(store) == {"tsd": ("service", "TSD")}
    assert sorted((e.record_id, e.field, e.message) for e in result.errors) == [
        (
            "kohort",
            "derived_from[0]",
            "sources.op.options.products.kohort.derived_from[0]: 'not an address' is not an http(s) address; "
            "the entry was left out",
        ),
        (
            "safe",
            "colour",
            "sources.op.options.services.safe.colour: unknown key; the keys are access_rights, "
            "applicable_legislation, conforms_to, contact, description, endpoint_description, endpoint_url, "
            "how_to_order, identifier, keywords, landing_page, license, order_url, price, price_model, provider, "
            "serves, serves_sources, terms, themes, title, type, uri; the entry was left out",
        ),
    ]


def test_the_demo_operators_platforms_say_how_to_use_them_in_bokmaal_nynorsk_and_english(settings, store):
    """An epidemiologist's drill: on English and nynorsk pages the demo's analysis platforms said
    "Søk om et TSD-prosjekt når tilgang til dataene er innvilget; dataene leveres dit." (bokmål
    only). The operator's texts hold all three, as its platforms' titles did."""
    from catalog.demo import DEMO_PLATFORMS

    configure(settings, {"services": DEMO_PLATFORMS})
    [run] = harvest(settings, store, None)
    assert counts(run)["errors"] == 0
    for stored in store.records("op"):
        service = stored.record
        for field in ("description", "how_to_order", "price"):
            text = getattr(service, field)
            assert not text or sorted(text) == ["en", "nb", "nn"], (service.identifier, field, text)
        assert service.how_to_order, service.identifier
