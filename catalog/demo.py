"""`catalog demo`: the whole pipeline on embedded defaults, nothing to install.

Starts the publisher simulator on loopback, configures every source it plays, harvests them
(validating, storing, indexing), and serves the explorer on http://127.0.0.1:PORT.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from catalog.config import EU_AUTHORITY, SETTINGS, VOCABULARY_OF, Settings, SourceConfig, parse_organisations

if TYPE_CHECKING:
    from catalog.pipeline import SourceResult
    from catalog.store import StoreReader
    from simulator import Simulator

EU = EU_AUTHORITY
HEALTH_CATEGORIES = VOCABULARY_OF["health_categories"]
DEMO_DEFAULTS = {
    "applicable_legislation": ["http://data.europa.eu/eli/reg/2025/327/oj"],
    "access_rights": EU + "access-right/NON_PUBLIC",
    "themes": [EU + "data-theme/HEAL"],
    "health_categories": [HEALTH_CATEGORIES + "PHDR"],
    "access_url": "https://helsedata.no/no/soknad/",
    "languages": [EU + "language/NOR"],
}
"""What the demo's operator configures for every source: facts a source may not state itself.

They fill only empty fields of the published (EHDS) view; see catalog.published."""

STATISTICAL = EU + "dataset-type/STATISTICAL"
CATEGORY_OF_KIND = {
    "central-registry": "PHDR",  # Art. 51(1)(k): population-based health data registries
    "quality-registry": "MRMR",  # (l): medical registries
    "survey": "RQSH",  # (p): research cohorts, questionnaires and surveys
    "statistics": "DIOH",  # (b): factors impacting on health, socio-economic determinants among them
}
"""The EHDS health data category (Art. 51(1)) the demo operator states for each kind of source."""


DEMO_ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/")
"""The `base_uri` an earlier `catalog demo` gave its home (`run_demo`): the demo's address."""


def demo_organisations() -> dict[str, dict[str, object]]:
    """The demo operator's organisation register (`[organisations."<IRI>"]` in catalog.toml): the
    publishers of the simulated nation, as Enhetsregisteret names them, with their public contacts.
    The holders of national health registries (FHI: MFR and others; the Directorate of Health: NPR
    and KPR; the Cancer Registry) have HealthDCAT-AP's publisher type `public-health-registry`;
    the others' types are not clear from what the demo knows of them, and are left out."""
    from simulator import content

    holders = (content.FHI, content.HDIR, content.KREFT)
    register: dict[str, dict[str, object]] = {}
    for org in (*holders, content.NTNU, content.UIT, content.SIKT, content.SSB):
        register[f"https://data.brreg.no/enhetsregisteret/api/enheter/{org.orgnr}"] = {
            "name": org.name_nb,
            "aliases": [org.name_en],
            "org_number": org.orgnr,
            "email": org.email,
            "url": f"https://{org.domain}/",
            **({"type": "public-health-registry"} if org in holders else {}),
        }
    # the access body, as the central registries' feeds name it: the EHDS feed names it so too
    # (`published.hdab`), under its own IRI and with its English name (a service of the
    # Directorate of Health, whose organisation number it shares: not given twice)
    body = content.HELSEDATA
    register[body.uri or f"https://{body.domain}/"] = {
        "name": {"nb": body.name_nb, "nn": body.name_nb, "en": body.name_en},  # a name, the same in nynorsk
        "email": body.email,
        "url": f"https://{body.domain}/",
    }
    return register


def demo_defaults(src: SourceConfig) -> dict[str, object]:
    """What the demo operator states per source: `DEMO_DEFAULTS`, and what each kind of source
    cannot say in its format (a DDI study has no EU dataset type; a variable list file holds only
    variables; SSB's variable definitions describe public statistics)."""
    from catalog.access import routes
    from simulator import content

    defaults: dict[str, object] = dict(DEMO_DEFAULTS)
    route = routes().for_source(src.name, src)
    if route.url:  # a dataset page then names one place to apply: its access route's, not helsedata.no's for all
        defaults["access_url"] = route.url
    if src.category in CATEGORY_OF_KIND:
        defaults["health_categories"] = [HEALTH_CATEGORIES + CATEGORY_OF_KIND[src.category]]
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


DEMO_MATURITY = {"mfr": 4, "npr": 4, "kreftregisteret": 3, "hunt": 3, "moba": 2}
"""The demo access body's assessment of some holders' quality management (QUANTUM's maturity model, 1-5)."""

DEMO_PROJECTS = (
    ("Fødselsvekt og senere hjertesykdom", "Universitetet i Bergen", ("mfr", "npr"), "2024-03-14", 142),
    ("Keisersnitt og astma hos barn", "Folkehelseinstituttet", ("mfr", "norpd"), "2024-09-02", 96),
    ("Kreftoverlevelse etter bosted", "Universitetet i Oslo", ("kreftregisteret", "dar"), "2025-01-20", 61),
    ("Legemiddelbruk i svangerskapet", "Universitetet i Tromsø", ("mfr", "norpd"), "2025-04-11", 203),
    ("Vaksinasjonsdekning og sykehusinnleggelser", "Folkehelseinstituttet", ("sysvak", "npr"), "2025-06-30", 35),
    ("Røyking, BMI og svangerskapsutfall", "NTNU", ("hunt", "mfr"), "2025-10-08", 74),
    ("Smittsomme sykdommer i primærhelsetjenesten", "Sykehuset Innlandet", ("msis", "kpr"), "2026-02-17", 28),
)
"""Data permits the demo access body issued: (project, organisation, sources whose first dataset
it uses, permit date, days from application to permit)."""


def demo_register(store: StoreReader) -> bytes:
    """The demo's data use register as CSV, naming the first dataset of each source it uses."""
    import csv
    import io
    from datetime import date, timedelta

    first: dict[str, str] = {}
    for stored in store.records(kind="dataset"):
        first.setdefault(stored.source, stored.uri)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "permit_id",
            "project_title",
            "organisation",
            "datasets",
            "permit_date",
            "application_date",
            "legal_basis",
            "summary",
        ]
    )
    for n, (title, organisation, sources, permit, days) in enumerate(DEMO_PROJECTS, 1):
        datasets = " ".join(first[name] for name in sources if name in first)
        if not datasets:
            continue
        applied = (date.fromisoformat(permit) - timedelta(days=days)).isoformat()
        writer.writerow(
            [
                f"HDS-{permit[:4]}-{n:03d}",
                title,
                organisation,
                datasets,
                permit,
                applied,
                "EHDS art. 53(1)(e): vitenskapelig forskning",
                f"{title}: et registerbasert forskningsprosjekt ved {organisation}.",
            ]
        )
    return out.getvalue().encode()


def configure(settings: Settings, sources: list[SourceConfig], operator: bool = True) -> None:
    """Add the simulator's `sources` to `settings`, with the demo operator's register and defaults
    (unless `operator` is false: the sources as they are, nothing completed)."""
    if operator:
        settings.organisations = parse_organisations(demo_organisations())
    for src in sources:
        if operator:
            src.options.setdefault("defaults", demo_defaults(src))
            if src.name in DEMO_MATURITY:
                src.options.setdefault("maturity", DEMO_MATURITY[src.name])
        settings.sources[src.name] = src


DEMO_PLATFORMS = {
    "tsd": {
        "title": {
            "nb": "TSD – Tjenester for sensitive data",
            "nn": "TSD – Tjenester for sensitive data",  # UiO's name for it, not translated
            "en": "TSD – Services for sensitive data",
        },
        "description": {
            "nb": "Sikker plattform for lagring og analyse av sensitive forskningsdata ved Universitetet i Oslo.",
            "nn": "Sikker plattform for lagring og analyse av sensitive forskingsdata ved Universitetet i Oslo.",
            "en": "Secure platform for storing and analysing sensitive research data at the University of Oslo.",
        },
        "endpoint_url": "https://www.uio.no/tjenester/it/forskning/sensitiv/",
        "provider": {"name": "Universitetet i Oslo", "url": "https://www.uio.no/"},
        "serves_sources": ["hunt", "tromso", "moba", "sikt"],
        "how_to_order": {
            "nb": "Søk om et TSD-prosjekt når tilgang til dataene er innvilget; dataene leveres dit.",
            "nn": "Søk om eit TSD-prosjekt når tilgang til dataa er innvilga; dataa blir leverte dit.",
            "en": "Apply for a TSD project once access to the data is granted; the data are delivered there.",
        },
        "order_url": "https://www.uio.no/tjenester/it/forskning/sensitiv/",
        "price_model": "cost-recovery",
        "price": {
            "nb": "Selvkost per prosjekt og måned.",
            "nn": "Sjølvkost per prosjekt og månad.",
            "en": "Cost price per project and month.",
        },
    },
    "hunt-cloud": {
        "title": "HUNT Cloud",
        "description": {
            "nb": "NTNUs sikre skyplattform for forskning på data fra HUNT-undersøkelsene.",
            "nn": "Den sikre skyplattforma til NTNU for forsking på data frå HUNT-undersøkingane.",
            "en": "NTNU's secure cloud platform for research on data from the HUNT Study.",
        },
        "endpoint_url": "https://www.ntnu.no/mh/huntcloud",
        "provider": {"name": "NTNU", "url": "https://www.ntnu.no/"},
        "serves_sources": ["hunt"],
        "how_to_order": {
            "nb": "Søk HUNT om data og kryss av for analyse i HUNT Cloud.",
            "nn": "Søk HUNT om data og kryss av for analyse i HUNT Cloud.",
            "en": "Apply to HUNT for data and tick analysis in HUNT Cloud.",
        },
        "price_model": "cost-recovery",
    },
    "safe": {
        "title": "SAFE – sikker tilgang til forskningsdata",
        "description": {
            "nb": "Universitetet i Bergens løsning for analyse av sensitive data.",
            "nn": "Løysinga til Universitetet i Bergen for analyse av sensitive data.",
            "en": "The University of Bergen's solution for analysing sensitive data.",
        },
        "endpoint_url": "https://www.uib.no/safe",
        "provider": {"name": "Universitetet i Bergen", "url": "https://www.uib.no/"},
        "serves_sources": ["hjerneslag", "hjerteinfarkt", "diabetes-voksne"],
        "how_to_order": {
            "nb": "Bestill et SAFE-prosjekt når tilgangsvedtaket foreligger.",
            "nn": "Bestill eit SAFE-prosjekt når tilgangsvedtaket ligg føre.",
            "en": "Order a SAFE project once the access decision has been made.",
        },
        "price_model": "cost-recovery",
    },
    "microdata": {
        "title": "microdata.no",
        "description": {
            "nb": "Analyser registerdata fra SSB direkte i nettleseren, uten å se enkeltpersoner.",
            "nn": "Analyser registerdata frå SSB direkte i nettlesaren, utan å sjå enkeltpersonar.",
            "en": "Analyse register data from Statistics Norway in the browser, without seeing individuals.",
        },
        "endpoint_url": "https://www.microdata.no/",
        "provider": {"name": "Statistisk sentralbyrå og Sikt"},
        "serves_sources": ["microdata", "ssb-vardef"],
        "how_to_order": {
            "nb": "Institusjonen din må ha avtale; opprett et prosjekt i microdata.no.",
            "nn": "Institusjonen din må ha avtale; opprett eit prosjekt i microdata.no.",
            "en": "Your institution must have an agreement; create a project in microdata.no.",
        },
        "price_model": "free",
    },
}
"""Analysis platforms the demo's operator declares (a source of kind `configured`, as in catalog.toml)."""


def harvest_simulated(settings: Settings, simulator: Simulator, workers: int = 2) -> list[SourceResult]:
    """Configure every source the running simulator plays (with the demo operator's register,
    defaults and analysis platforms), harvest them all and index them: the demo, and the browser
    tests that act as researchers on the same catalogue."""
    from catalog.pipeline import harvest, reindex
    from catalog.search import StaleIndex, open_backend
    from catalog.store import open_store
    from harvesters import registry
    from simulator import content

    kinds = registry()
    if settings.hdab_email == SETTINGS["hdab_email"][1]:  # the placeholder: the simulated nation's access body
        settings.put_settings(hdab_email=content.HELSEDATA.email)
    sources = simulator.source_configs()
    print(f"Publisher simulator on {simulator.url} ({len(sources)} sources)", flush=True)
    for src in sources:
        if src.kind not in kinds:
            print(f"  (no harvester for {src.kind!r} yet: {src.name} skipped)", flush=True)
    configure(settings, [src for src in sources if src.kind in kinds])
    settings.sources["analyseplattformer"] = SourceConfig(
        "analyseplattformer",
        "configured",
        "https://helsedata.no/no/analyseplattformer/",
        category="catalogue",
        title="Analyseplattformer (operatørens oversikt)",
        options={"services": DEMO_PLATFORMS},
    )
    settings.save_sources()  # added to catalog.toml, under its lock; other sources there stay
    settings.save_organisations()
    store = open_store(settings)
    index = open_backend(settings)
    started = time.perf_counter()
    try:
        try:
            index.count()
        except StaleIndex:  # a home an earlier version made: `make demo` again after an upgrade
            print("  (the search index was built by an earlier version with other fields: rebuilt first)", flush=True)
            reindex(settings, store, index)
        results = harvest(settings, store, index, workers=workers)
        for r in results:
            print("  " + r.line(), flush=True)
        from catalog.duties import import_register

        imported = import_register(settings, store, index, demo_register(store), "demo register")
        n = reindex(settings, store, index)
    finally:
        store.close()
        index.close()
    print(
        f"Harvested {len(results)} sources, imported {imported.uses} data permits, indexed {n:,} documents "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return results


def run_demo(home: str | None, port: int = 5000, serve_forever: bool = True) -> int:
    from simulator import Simulator

    settings = Settings.load(home)  # --home, else $CATALOG_HOME, else ./catalog-data, as every command
    if settings.base_uri == SETTINGS["base_uri"][1] or DEMO_ADDRESS.fullmatch(settings.base_uri):
        # the placeholder, or the demo's address of an earlier run: its own address now, so that
        # the URIs it mints (a basket's selection link, the feeds' and a spreadsheet's records)
        # resolve where it runs; kept in the home's catalog.toml for every command beside it
        settings.put_settings(base_uri=f"http://127.0.0.1:{port}/")
    simulator = Simulator(seed=0)
    simulator.start()
    try:
        results = harvest_simulated(settings, simulator)
    except BaseException:
        simulator.stop()
        raise
    if not serve_forever:
        simulator.stop()
        return 0 if all(r.ok for r in results) else 1
    from waitress import serve

    from web import create_app

    print(f"Explorer: http://127.0.0.1:{port}/   (in bokmål; ?lang=nn for nynorsk, ?lang=en for English)", flush=True)
    try:
        serve(create_app(settings), host="127.0.0.1", port=port, threads=8, ident="helsekatalog")
    finally:
        simulator.stop()
    return 0
