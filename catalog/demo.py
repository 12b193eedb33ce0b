"""`catalog demo`: the whole pipeline on embedded defaults, nothing to install.

Starts the publisher simulator on loopback, configures every source it plays, harvests them
(validating, storing, indexing), and serves the explorer on http://127.0.0.1:PORT.
"""

from __future__ import annotations

import time

from catalog.config import Settings

EU = "http://publications.europa.eu/resource/authority/"
DEMO_DEFAULTS = {
    "applicable_legislation": ["http://data.europa.eu/eli/reg/2025/327/oj"],
    "access_rights": EU + "access-right/NON_PUBLIC",
    "themes": [EU + "data-theme/HEAL"],
    "health_categories": ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/EHRS"],
    "access_url": "https://helsedata.no/no/soknad/",
}
"""What the demo's operator configures for every source: facts a source may not state itself.

They fill only empty fields of the published (EHDS) view; see catalog.export.as_published."""


def run_demo(home: str | None, port: int = 5000, serve_forever: bool = True) -> int:
    from catalog.pipeline import harvest, reindex
    from catalog.search import open_backend
    from catalog.store import SQLiteStore
    from harvesters import registry
    from simulator import Simulator

    settings = Settings.load(home or "catalog-data")
    simulator = Simulator(seed=0)
    base = simulator.start()
    kinds = registry()
    sources = simulator.source_configs(base)
    print(f"Publisher simulator on {base} ({len(sources)} sources)", flush=True)
    for src in sources:
        if src.kind in kinds:
            src.options.setdefault("defaults", DEMO_DEFAULTS)
            settings.sources[src.name] = src
        else:
            print(f"  (no harvester for {src.kind!r} yet: {src.name} skipped)", flush=True)
    settings.save_sources()
    store = SQLiteStore(settings.db_path)
    index = open_backend(settings)
    started = time.perf_counter()
    results = harvest(settings, store, index, workers=2)
    for r in results:
        print("  " + r.line(), flush=True)
    n = reindex(settings, store, index)
    print(
        f"Harvested {len(results)} sources, indexed {n:,} documents in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if not serve_forever:
        simulator.stop()
        return 0 if all(r.ok for r in results) else 1
    from waitress import serve

    from web import create_app

    print(f"Explorer: http://127.0.0.1:{port}/   (try http://127.0.0.1:{port}/search?q=f%C3%B8dselsvekt)", flush=True)
    try:
        serve(create_app(settings), host="127.0.0.1", port=port, threads=8, ident="helsekatalog")
    finally:
        simulator.stop()
    return 0
