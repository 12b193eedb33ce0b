"""The publisher simulator: Norway's health-data sources, in their real wire formats, on loopback.

    with Simulator(seed=0) as sim:          # or sim.start() / sim.stop()
        configs = sim.source_configs()      # one catalog.config.SourceConfig per source
        truth = sim.manifest()              # also GET {sim.url}/_manifest

Content is deterministic in (seed, scale, generation) and generated per dataset on demand
(`nation.py`), so scale 100+ (over a million variables) streams in constant memory.

Sources and URLs (all below the base URL `sim.url`):

central registries (kind "dcat"): mfr npr kpr dar norpd msis sysvak kreftregisteret
    GET /dcat/<name>/catalog[.ttl|.rdf|.jsonld|.nt]?page=N&page_size=M&modified_since=ISO
    Turtle unless Accept asks for application/rdf+xml, application/ld+json or application/n-triples.
    DCAT-AP-NO / HealthDCAT-AP datasets with variables as csvw:Column under healthdcatap:hasVariables
    -> csvw:TableGroup -> csvw:Table (exactly as catalog.rdf writes), code lists as
    skos:ConceptScheme. Hydra paging (1-based pages, 10 items a page): hydra:PartialCollectionView
    with IRI links; norpd (option paging=ckanext-dcat, URL /dcat/norpd/catalog.ttl) uses
    ckanext-dcat's hydra:PagedCollection with string-literal links. Native id: dct:identifier;
    the manifest gives each dataset's URI too.

Faults (`Simulator.set_fault(source, name, **params)`) and the formats they apply to are listed
in `catalog.simulator.faults`. Conditional GET (ETag, Last-Modified, 304) is off by default
(`sim.conditional_get = True`), as none of the real sources studied send validators.

Generations (`sim.generation = N`): see `catalog.simulator.nation`; changes happen on
2025-03-01 + (k - 1) days, later than anything in generation 0.
"""

from catalog.simulator.faults import FAULTS
from catalog.simulator.nation import Nation
from catalog.simulator.server import Simulator, serve

__all__ = ["FAULTS", "Nation", "Simulator", "serve"]
