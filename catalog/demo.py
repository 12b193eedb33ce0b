"""`catalog demo`: the whole pipeline on embedded defaults, nothing to install.

Starts the publisher simulator on loopback, configures every source it plays, harvests them
(validating, storing, indexing), and serves the explorer on http://127.0.0.1:PORT.
"""

from __future__ import annotations

import time

from catalog.config import Settings, SourceConfig, parse_organisations

EU = "http://publications.europa.eu/resource/authority/"
DEMO_DEFAULTS = {
    "applicable_legislation": ["http://data.europa.eu/eli/reg/2025/327/oj"],
    "access_rights": EU + "access-right/NON_PUBLIC",
    "themes": [EU + "data-theme/HEAL"],
    "health_categories": ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/EHRS"],
    "access_url": "https://helsedata.no/no/soknad/",
}
"""What the demo's operator configures for every source: facts a source may not state itself.

They fill only empty fields of the published (EHDS) view; see catalog.published."""

STATISTICAL = EU + "dataset-type/STATISTICAL"


def demo_organisations() -> dict[str, dict[str, object]]:
    """The demo operator's organisation register (`[organisations."<IRI>"]` in catalog.toml): the
    publishers of the simulated nation, as Enhetsregisteret names them, with their public contacts."""
    from simulator import content

    register: dict[str, dict[str, object]] = {}
    for org in (content.FHI, content.HDIR, content.KREFT, content.NTNU, content.UIT, content.SIKT, content.SSB):
        register[f"https://data.brreg.no/enhetsregisteret/api/enheter/{org.orgnr}"] = {
            "name": org.name_nb,
            "aliases": [org.name_en],
            "org_number": org.orgnr,
            "email": org.email,
            "url": f"https://{org.domain}/",
        }
    return register


def demo_defaults(src: SourceConfig) -> dict[str, object]:
    """What the demo operator states per source: `DEMO_DEFAULTS`, and what each kind of source
    cannot say in its format (a DDI study has no EU dataset type; a variable list file holds only
    variables; SSB's variable definitions describe public statistics)."""
    from simulator import content

    defaults: dict[str, object] = dict(DEMO_DEFAULTS)
    if src.kind in ("oai-ddi", "microdata"):
        defaults["dataset_type"] = STATISTICAL
    if src.kind == "microdata":
        defaults["publisher"] = {"uri": f"https://data.brreg.no/enhetsregisteret/api/enheter/{content.SSB.orgnr}"}
        defaults["contact"] = {"name": "microdata.no", "url": "https://www.microdata.no/"}
    if src.kind == "vardef":
        defaults["access_rights"] = EU + "access-right/RESTRICTED"
    if src.options.get("metadata_prefix") == "oai_ddi32":  # what our DDI-Lifecycle reading does not carry
        defaults["contact"] = {"name": content.SIKT.name_nb, "email": content.SIKT.email}
        defaults["provenance"] = {"nb": "Levekårsundersøkelser om helse, formidlet av Sikt."}
    for slug, title_nb, _title_en, org, _layout in content.SPREADSHEET_SOURCES:
        if src.name == f"{slug}-varliste":
            defaults["dataset_type"] = STATISTICAL
            defaults["contact"] = {"name": f"Datatilgang, {org.name_nb}", "email": org.email}
            defaults["provenance"] = {"nb": f"Opplysningene meldes elektronisk til {title_nb} fra helsetjenesten."}
    return defaults


def configure(settings: Settings, sources: list[SourceConfig], operator: bool = True) -> None:
    """Add the simulator's `sources` to `settings`, with the demo operator's register and defaults
    (unless `operator` is false: the sources as they are, nothing completed)."""
    if operator:
        settings.organisations = parse_organisations(demo_organisations())
    for src in sources:
        if operator:
            src.options.setdefault("defaults", demo_defaults(src))
        settings.sources[src.name] = src


def run_demo(home: str | None, port: int = 5000, serve_forever: bool = True) -> int:
    from catalog.pipeline import harvest, reindex
    from catalog.search import open_backend
    from catalog.store import open_store
    from harvesters import registry
    from simulator import Simulator

    settings = Settings.load(home or "catalog-data")
    simulator = Simulator(seed=0)
    base = simulator.start()
    kinds = registry()
    sources = simulator.source_configs(base)
    print(f"Publisher simulator on {base} ({len(sources)} sources)", flush=True)
    for src in sources:
        if src.kind not in kinds:
            print(f"  (no harvester for {src.kind!r} yet: {src.name} skipped)", flush=True)
    configure(settings, [src for src in sources if src.kind in kinds])
    settings.save_sources()  # added to catalog.toml, under its lock; other sources there stay
    settings.save_organisations()
    store = open_store(settings)
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
