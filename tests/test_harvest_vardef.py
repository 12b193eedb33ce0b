"""What only the vardef harvester does: each language the API gives, and links to KLASS code lists.
Shelving by subject field, full, unchanged, generation, deletion, fault, rate limit and duplicate
behaviour is the harvester contract's (`test_harvester_contract.py`)."""

from __future__ import annotations

import pytest

from harvesters.vardef import _datatype
from simulator.ssb import vardef_definition
from tests.simulated import codelists, configure, datasets, run

VARDEF, KLASS, OTHER = "ssb-vardef", "ssb-klass", "hunt"


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


def test_a_measured_definition_is_a_number_and_a_count_a_whole_one(settings, store, sim):
    """vardef gives no data type; a definition's measurement type (KLASS 303) says it is a
    quantity: a count (Antall) an integer, any other a decimal; a classified one stays text."""
    configure(settings, sim, VARDEF)
    run(settings, store)
    held = {v.uri.rsplit("/", 1)[1]: v.datatype for d in datasets(store, VARDEF).values() for v in d.variables}
    given = {d["id"]: (d["name"], d["classification_uri"], d["measurement_type"]) for d in definitions(sim)}
    by_name = {name: held[vid] for vid, (name, _cl, _m) in given.items()}
    assert by_name["Fødselsvekt"] == "decimal"  # Masse (vekt): it showed as text
    for vid, (name, classified, measure) in given.items():
        if classified or measure is None:
            assert held[vid] == "string", name
        else:
            assert held[vid] == ("integer" if measure["title"] == "Antall" else "decimal"), name
    assert {"string", "decimal"} <= set(held.values())


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ({"code": "02", "title": "Antall"}, "integer"),
        ({"code": "13", "title": "Masse (vekt)"}, "decimal"),
        ({"code": "14", "title": "Varighet/tid"}, "decimal"),
        (None, "string"),
        ({"title": "Antall"}, "string"),  # no code: nothing said
    ],
)
def test_a_definitions_measurement_type_gives_its_data_type(measure, expected):
    assert _datatype({"measurement_type": measure}) == expected
