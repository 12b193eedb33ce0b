"""The ground truth of one source: its datasets, variables, code lists and deletions, per kind.

Native ids are what the source itself calls a record (see the package docstring); tests compare a
harvest's records with this, so it is computed by the same generator the wire formats render.
"""

from __future__ import annotations

from typing import Any

from catalog.model import Dataset
from simulator.nation import MISSING_WHEN_INCOMPLETE, Nation, Source


def dataset_entry(source: Source, d: Dataset) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "title_nb": d.title.get("nb", ""),
        "modified": d.modified,
        "variables": [v.name for v in d.variables],
    }
    if source.kind == "dcat":
        entry["uri"] = d.uri
    return entry


def manifest_entry(nation: Nation, source: Source, base_url: str = "") -> dict[str, Any]:
    from simulator import ssb

    datasets: dict[str, Any] = {}
    for i in nation.dataset_indices(source):
        if source.kind == "vardef":
            definition = ssb.vardef_definition(nation, source, i)
            datasets[definition["id"]] = {
                "title_nb": definition["name"],
                "modified": definition["last_updated_at"],
                "variables": [definition["short_name"]],
            }
        elif source.kind == "microdata":
            structure = ssb.data_structure(nation, source, i)
            datasets[structure["name"]] = {
                "title_nb": structure["measureVariable"]["label"],
                "modified": ssb.microdata_modified(nation, source, i),
                "variables": ssb.structure_variable_names(structure),
            }
        else:
            datasets[nation.native_id(source, i)] = dataset_entry(source, nation.dataset(source, i))
    codelists = {cl.identifier: {"codes": [c.code for c in cl.concepts]} for cl in nation.codelists(source)}
    incomplete = {
        nation.native_id(source, i): list(MISSING_WHEN_INCOMPLETE)
        for i in nation.dataset_indices(source)
        if nation.incomplete(source, i)
    }
    from simulator import marketplace

    return {
        "kind": source.kind,
        "url": base_url.rstrip("/") + source.path,
        "datasets": datasets,
        "codelists": codelists,
        "services": {
            s.identifier: {"title_nb": s.title["nb"], "type": s.service_type, "serves": s.serves_datasets}
            for s in marketplace.services(nation, source)
        },
        "products": {
            p.identifier: {"title_nb": p.title["nb"], "derived_from": p.derived_from, "price_model": p.price_model}
            for p in marketplace.products(nation, source)
        },
        "deleted": [nation.native_id(source, i) for i in nation.plan(source).deleted],
        "expected_violations": incomplete,
    }
