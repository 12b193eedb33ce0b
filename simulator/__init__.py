"""The publisher simulator: Norway's health-data sources, in their real wire formats, on loopback.

    with Simulator(seed=0) as sim:          # or sim.start() / sim.stop(); `catalog simulator --port N`
        configs = sim.source_configs()      # one catalog.config.SourceConfig per source
        truth = sim.manifest()              # also GET {sim.url}/_manifest
        sim.set_fault("mfr", "rate_limit", count=2, seconds=1)
        sim.generation = 1                  # known additions, deletions, modifications
        sim.conditional_get = True          # ETag / Last-Modified / 304 (off by default)

Content is deterministic in (seed, scale, generation): the same seed gives the same bytes.
Everything is generated per dataset on demand (`nation.py`), so scale 150 (over a million
variables) streams in bounded memory. Scale 1: 30 sources, ~180 datasets, ~4-6k variables;
scale 40: 100 sources, ~1,800 datasets, ~180k variables. GET / lists the sources.

Sources, URLs (below the base URL) and native ids (the keys of `manifest()[source]["datasets"]`):

dcat (central-registry): mfr npr kpr dar norpd msis sysvak kreftregisteret
    /dcat/<name>/catalog[.ttl|.rdf|.jsonld|.nt]?page=N&page_size=M&modified_since=ISO
    Turtle unless Accept asks for application/rdf+xml, application/ld+json or application/n-triples.
    DCAT-AP-NO / HealthDCAT-AP datasets (publisher, hdab with contact point, NON_PUBLIC access
    rights, applicable legislation, health category, numberOfRecords, ...) with variables as
    csvw:Column under healthdcatap:hasVariables -> csvw:TableGroup -> csvw:Table, exactly as
    catalog.rdf writes them; code lists as skos:ConceptScheme in the same feed. Hydra paging,
    1-based, 10 items a page: hydra:PartialCollectionView with IRI links; norpd (URL
    /dcat/norpd/catalog.ttl, option paging=ckanext-dcat) uses ckanext-dcat's hydra:PagedCollection
    with string links. Native id: dct:identifier (a UUID); the manifest adds each dataset's URI.
ckan (quality-registry): hjerneslag hjerteinfarkt diabetes-voksne hoftebrudd norarthro ... (>= 12)
    one CKAN portal at /ckan/ (url of every quality source), one organisation per registry
    (option organization); see `simulator.ckan`. Native id: the package `name`. Options
    columns/sheet/header_row describe the layout of the attached variable lists.
oai-ddi (survey): hunt tromso moba (option metadata_prefix=oai_ddi25), sikt (oai_ddi32)
    /oai/<name>?verb=...; see `simulator.oai`. Native id: the OAI identifier.
spreadsheet (central-registry): hkr-varliste kreft-elvis-varliste iplos-varliste
    /files/<slug>/variabelliste.xlsx (url) and .csv (option csv_url); options columns (heading ->
    field: name, title, description, datatype, unit, codes, valid_from, valid_to, table), sheet,
    header_row (1-based, XLSX). Native id: the source name (one list = one dataset).
klass (statistics): ssb-klass   /api/klass/v1 — code lists only; native id: classification id.
vardef (statistics): ssb-vardef /public/variable-definitions — one record per definition;
    native id: its 8-character id, its single variable: short_name.
microdata (statistics): microdata /metadata — data structures; native id: name; variables:
    identifier, measure and attribute variable names.
See `simulator.ssb` for KLASS, vardef and microdata details.

Manifest per source: {"kind", "url", "datasets": {native id: {"title_nb", "modified" (ISO 8601
UTC; compare as instants), "variables": [names in source order], "uri" (dcat only)}},
"codelists": {identifier: {"codes": [...]}} (dcat: per-source code lists by key; klass: by id),
"deleted": [native ids deleted by the generations so far], "expected_violations": {native id: [the
properties it lacks]} (the deliberately incomplete DCAT and CKAN datasets, see `nation`; every
other DCAT and CKAN dataset conforms to HealthDCAT-AP)}.

Faults (`Simulator.set_fault(source, name, **params)`) and the formats they apply to are listed
in `simulator.faults`. Generations: see `simulator.nation`; the changes of
generation k happen on 2025-03-01 + (k - 1) days, later than anything in generation 0.
"""

from simulator.faults import FAULTS
from simulator.nation import Nation
from simulator.server import Simulator, serve

__all__ = ["FAULTS", "Nation", "Simulator", "serve"]
