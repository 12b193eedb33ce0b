"""The catalogue as DCAT, in a chosen profile, with provenance of every record.

What each profile carries and writes is the profile's (`catalog.profiles`: the EHDS feed only
conforming datasets, completed by the operator; DCAT-AP-NO and DCAT-AP 3 every live record).
Records deleted at their source are never exported (an incremental feed announces them as
tombstones, see `add_tombstone`). Each record gets a dcat:CatalogRecord (hk:CodeListRecord for a
code list, since DCAT-AP allows catalogue records only of DCAT resources) with dct:issued (first
seen), dct:modified (last changed), prov:wasDerivedFrom (where it was read: the upstream
catalogue record when the source had one, else the document) and prov:wasGeneratedBy (the run).

`catalog_graph` builds everything in memory (the CLI export); the web feeds page through the
store with `catalog.feeds` and write the same triples with the profile's `add_catalog` and
`add_body` (a record's own statements, rendered when it is stored: `catalog.renderings`) and
`add_catalog_record` here.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, FOAF, PROV, RDF, XSD
from rdflib.namespace import DCTERMS as DCT

from catalog import profiles
from catalog.config import Settings, SourceConfig
from catalog.model import Record
from catalog.profiles import Profile
from catalog.rdf import ADMS, HK, TripleWriter, new_graph
from catalog.store import StoredRecord, StoreReader

SERIALIZERS = {"turtle": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
}
DELETED = URIRef("http://purl.org/adms/changetype/deleted")
"""ADMS change type a tombstone catalogue record carries (adms:status), as DCAT-AP suggests."""

UNSUPPORTED = {
    "classes": {
        "http://www.w3.org/ns/dcat#Catalog": "the source's own catalogue: we publish ours, naming where each record came from",
        "http://www.w3.org/ns/dcat#CatalogRecord": "the source's records: ours point at them with prov:wasDerivedFrom",
        "http://www.w3.org/ns/dcat#DatasetSeries": "series are not modelled; their member datasets are",
        "http://www.w3.org/ns/dcat#Relationship": "qualified relations are not modelled",
        "http://www.w3.org/ns/dqv#QualityCertificate": "quality annotations are not modelled",
        "http://www.w3.org/ns/adms#Identifier": "secondary identifiers (adms:identifier) are not modelled",
        "http://spdx.org/rdf/terms#Checksum": "checksums are not modelled",
        "http://www.w3.org/ns/odrl/2/Policy": "ODRL policies are not modelled",
    },
    "properties": {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "only the classes the profiles require are written",
        "http://purl.org/dc/terms/creator": "one creator per dataset is kept (the first by IRI); further creators are dropped",
        "http://purl.org/dc/terms/rights": "free-text rights statements are not modelled",
        "http://purl.org/dc/terms/isReferencedBy": "not modelled",
        "http://purl.org/dc/terms/relation": "not modelled",
        "http://purl.org/dc/terms/source": "not modelled on datasets",
        "http://purl.org/dc/terms/hasVersion": "not modelled",
        "http://purl.org/dc/terms/isVersionOf": "not modelled",
        "http://purl.org/dc/terms/alternative": "not modelled",
        "http://purl.org/dc/terms/temporal": "one period per dataset (start and end dates); others are dropped",
        "http://purl.org/dc/terms/spatial": "kept as IRIs; geometries of blank-node locations are dropped",
        "http://purl.org/dc/terms/rightsHolder": "not modelled",
        "http://purl.org/dc/terms/accessRights": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/conformsTo": "kept as IRIs; titles of the standards are dropped",
        "http://purl.org/dc/terms/license": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/format": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/type": "kept as an IRI on datasets and agents; labels of the type are dropped",
        "http://www.w3.org/ns/dcat#landingPage": "one landing page per dataset; descriptions of the page are dropped",
        "http://www.w3.org/ns/dcat#qualifiedRelation": "not modelled",
        "http://www.w3.org/ns/dcat#spatialResolutionInMeters": "not modelled",
        "http://www.w3.org/ns/dcat#temporalResolution": "not modelled",
        "http://www.w3.org/ns/dcat#inSeries": "series are not modelled",
        "http://www.w3.org/ns/dcat#accessService": "a distribution's access service is not modelled (data services "
        "are, with the datasets they serve)",
        "http://www.w3.org/ns/dcat#servesDataset": "kept, but a feed links a service only to the datasets it "
        "carries (a link to one it does not would break DCAT-AP's range rule)",
        "http://www.w3.org/ns/dcat#compressFormat": "not modelled",
        "http://www.w3.org/ns/dcat#packageFormat": "not modelled",
        "http://www.w3.org/ns/dcat#bbox": "geometries are not modelled",
        "http://www.w3.org/ns/dcat#centroid": "geometries are not modelled",
        "http://www.w3.org/ns/adms#identifier": "secondary identifiers are not modelled",
        "http://www.w3.org/ns/adms#sample": "a source's samples are not kept; the EHDS feed carries the catalogue's "
        "own synthetic sample of each dataset with variables (catalog.synthetic)",
        "http://www.w3.org/ns/adms#status": "not modelled on distributions",
        "http://www.w3.org/ns/adms#versionNotes": "not modelled",
        "http://xmlns.com/foaf/0.1/page": "documentation pages are not modelled",
        "http://spdx.org/rdf/terms#checksum": "checksums are not modelled",
        "http://data.europa.eu/r5r/availability": "not modelled",
        "http://data.europa.eu/r5r/hvdCategory": "high-value-dataset categories are not modelled",
        "http://www.w3.org/ns/prov#qualifiedAttribution": "not modelled",
        "http://www.w3.org/ns/odrl/2/hasPolicy": "ODRL policies are not modelled",
        "http://www.w3.org/ns/dqv#hasQualityAnnotation": "quality annotations are not modelled",
        "https://www.w3.org/TR/vocab-dqv/#dqv:hasQualityAnnotation": "not a DQV term (a typo in an example)",
        "https://www.w3.org/TR/vocab-dqv/#dqv:hasQualityMeasurement": "not a DQV term (a typo in an example)",
        "http://www.w3.org/ns/dcat#language": "not a DCAT term (a typo in an example; dct:language is kept)",
        "http://healthdataportal.eu/ns/health#hdabCoordinator": "not modelled",
        "http://healthdataportal.eu/ns/health#analytics": "not modelled",
        "http://healthdataportal.eu/ns/health#retentionPeriod": "not modelled",
        "http://data.europa.eu/m8g/telephone": "telephone numbers are not modelled",
        "http://data.europa.eu/m8g/openingHours": "not modelled",
        "http://www.w3.org/2006/vcard/ns#hasTelephone": "telephone numbers are not modelled",
        "http://www.w3.org/2006/vcard/ns#hasAddress": "addresses are not modelled",
        "http://www.w3.org/2006/vcard/ns#organization-name": "read as the contact's name, written as vcard:fn",
        "http://www.w3.org/2006/vcard/ns#hasOrganizationName": "read as the contact's name, written as vcard:fn",
        "http://www.w3.org/ns/csvw#url": "not modelled",
        "http://www.w3.org/2004/02/skos/core#prefLabel": "labels of referenced vocabulary terms are not kept (code lists keep theirs)",
        "http://www.w3.org/2000/01/rdf-schema#label": "labels of referenced terms are not kept",
        "http://purl.org/dc/terms/subject": "subjects (e.g. concept-catalogue links in DCAT-AP-NO) are not modelled",
        "http://purl.org/dc/terms/description": "not kept on agents (HealthDCAT-AP's publisher note)",
        "http://www.w3.org/ns/dcat#prev": "series order is not modelled",
        "http://purl.org/dc/terms/language": "kept on datasets, not on distributions",
        "http://purl.org/dc/terms/modified": "kept on datasets and code lists, not on distributions",
        "http://www.w3.org/2006/vcard/ns#organization-unit": "read as the contact's name when it has no other, "
        "written as vcard:fn",
        "http://data.europa.eu/m8g/contactPoint": "kept as e-mail and contact page; its IRI becomes <agent>#contactPoint",
        "http://healthdataportal.eu/ns/health#hasVariables": "variables keep their IRIs; the table group's and tables' "
        "IRIs are minted from the dataset's",
        "https://w3id.org/dpv#hasPurpose": "kept as its description; an IRI of the purpose node is not kept",
        "https://w3id.org/dpv#hasLegalBasis": "kept as its description; an IRI of the legal-basis node is not kept",
        "http://purl.org/dc/terms/provenance": "kept as its description; an IRI of the statement node is not kept",
        "http://www.w3.org/ns/prov#wasGeneratedBy": "kept as the activity's type (a health-activity IRI); the "
        "activity's own IRI and label are not kept",
    },
}
"""What a DCAT-AP / HealthDCAT-AP / DCAT-AP-NO feed may say that a harvest and re-export loses.

Everything else in a feed survives `harvest -> store -> export` (tested with every official
example in ../shared/standards/). Literals keep their text and language; their datatype is
normalised (dates by their form, counts as xsd:nonNegativeInteger); media types are written as
http://www.iana.org/assignments/media-types/ IRIs. Terms used in the examples that are not DCAT
terms at all (dcat:language, dqv IRIs with a '#dqv:' fragment) are listed too.
"""


def record_uri(settings: Settings, key: str) -> URIRef:
    """The dcat:CatalogRecord IRI of a stored record; the web app resolves it."""
    return URIRef(f"{settings.base_uri.rstrip('/')}/record/{key}")


def as_published(record: Record, settings: Settings, source: SourceConfig | None = None) -> Record:
    """The record as the EHDS feed publishes it (`catalog.profiles.HealthDcatAp.published`): what the
    source said, completed by the operator's organisation register and the source's
    `options.defaults`, plus the catalogue's access body. The pipeline validates this view, so a
    record's `conforms` flag says whether the EHDS feed may carry it."""
    return profiles.ehds().published(record, settings, source).record


def add_catalog_record(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings) -> URIRef:
    """The catalogue's link to the record and its dcat:CatalogRecord: when we first saw it, when it
    last changed, where it was read and by which run (written per request: it changes with the store)."""
    subject = URIRef(stored.uri)
    cr = record_uri(settings, stored.key)
    if stored.kind in ("dataset", "service"):
        g.add((cat, DCAT.dataset if stored.kind == "dataset" else DCAT.service, subject))
        g.add((cat, DCAT.record, cr))
        g.add((cr, RDF.type, DCAT.CatalogRecord))
    else:  # DCAT-AP keeps dcat:CatalogRecord for datasets, services and catalogues: same data, our class
        g.add((cat, HK.codeList if stored.kind == "codelist" else HK.dataProduct, subject))
        g.add((cat, HK.record, cr))
        g.add((cr, RDF.type, HK.CodeListRecord if stored.kind == "codelist" else HK.DataProductRecord))
    g.add((cr, FOAF.primaryTopic, subject))
    g.add((cr, DCT.issued, Literal(stored.first_seen, datatype=XSD.dateTime)))
    g.add((cr, DCT.modified, Literal(stored.last_changed, datatype=XSD.dateTime)))
    if stored.fetch_url:
        g.add((cr, PROV.wasDerivedFrom, URIRef(stored.fetch_url)))
    run = URIRef(f"{settings.base_uri.rstrip('/')}/harvest/{stored.source}/run/{stored.run_id}")
    g.add((cr, PROV.wasGeneratedBy, run))
    g.add((run, RDF.type, PROV.Activity))
    g.add((cr, HK.contentHash, Literal(stored.hash)))
    g.add((cr, HK.conforms, Literal(bool(stored.conforms))))
    return cr


def add_record(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings, profile: Profile) -> URIRef:
    """The record and its catalogue record; returns the catalogue record's IRI."""
    profile.add_body(g, stored.record, settings, stored.source)
    return add_catalog_record(g, cat, stored, settings)


def add_tombstone(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings) -> URIRef:
    """A catalogue record saying the record left this feed (deleted, or no longer in the profile)."""
    cr = record_uri(settings, stored.key)
    g.add((cat, DCAT.record, cr))
    g.add((cr, RDF.type, DCAT.CatalogRecord))
    g.add((cr, FOAF.primaryTopic, URIRef(stored.uri)))
    g.add((cr, DCT.modified, Literal(stored.last_changed, datatype=XSD.dateTime)))
    g.add((cr, ADMS.status, DELETED))
    return cr


def catalog_graph(
    settings: Settings, store: StoreReader, profile: str = profiles.EHDS, progress: Callable[[int], None] | None = None
) -> Graph:
    """The whole catalogue in memory (for `catalog export`; the web serves it paged or streamed).

    `progress` is told of each record read."""
    chosen = profiles.get(profile)
    g = new_graph()
    cat = chosen.add_catalog(g, settings, store.version())
    batch: list[StoredRecord] = []

    def flush() -> None:
        live = chosen.gather(store, batch)
        for stored in batch:
            add_record(g, cat, stored, settings, chosen)
            chosen.add_live(g, stored, live.get(stored.uri), settings)
        batch.clear()

    for stored in store.records(conforming_kinds=chosen.checked_kinds, referenced_kinds=chosen.referenced_kinds):
        if chosen.includes(stored):
            batch.append(stored)
            if len(batch) >= 500:
                flush()
        if progress is not None:
            progress(1)
    flush()
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    if fmt not in SERIALIZERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SERIALIZERS)}")
    data = g.serialize(format=SERIALIZERS[fmt], encoding="utf-8")
    if fmt == "nt":  # one statement a line, in hash order: sorted, the same catalogue is the same bytes
        return b"".join(sorted(data.splitlines(keepends=True)))
    return data


__all__ = ["catalog_graph", "serialize", "SERIALIZERS", "MEDIA_TYPES", "UNSUPPORTED"]
